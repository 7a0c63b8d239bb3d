//! `gstbatch access history GSTIN`: every recorded event for one GSTIN,
//! oldest first.

use serde::Serialize;

use crate::batch::progress::Ui;
use crate::batch::report::{Report, Target};
use crate::batch::xlsx;
use crate::error::Result;
use crate::exit::Exit;
use crate::store::Location;

use super::{TimeText, gstin_arg};

/// What `access history` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The GSTIN as given.
    pub gstin: String,
    /// The store.
    pub store: Location,
    /// The report.
    pub report: Target,
    /// What stderr may show.
    pub ui: Ui,
}

/// One row of `access history`.
#[derive(Debug, Default, Serialize)]
pub struct HistoryRecord<'a> {
    /// The batch the instruction came in.
    pub batch: i64,
    /// Its row in that batch's file.
    pub row: u64,
    /// The action as given.
    pub action: &'a str,
    /// The canonical duration.
    pub duration: String,
    /// The effective time.
    pub effective_at: TimeText,
    /// What happened.
    pub outcome: &'static str,
    /// The rejection reason code.
    pub reason: &'static str,
    /// The status before it.
    pub previous_status: &'static str,
    /// The expiry before it.
    pub previous_expiry: TimeText,
    /// The expiry after it.
    pub new_expiry: TimeText,
    /// The reference.
    pub reference: &'a str,
}

/// Runs `access history`.
///
/// # Errors
/// Exit-2 failures: an invalid GSTIN, a missing or unusable store.
pub fn run(s: &Settings) -> Result<Exit> {
    let gstin = gstin_arg(&s.gstin, "GSTIN")?;
    let mut report = Report::create(&s.report)?;
    let store = s.store.open_read()?;
    let events = store.history(gstin.as_str())?;
    report.write_rows(events.iter().map(|e| HistoryRecord {
        batch: e.batch_id,
        row: e.row,
        action: &e.action,
        duration: e.duration.map(|d| d.to_string()).unwrap_or_default(),
        effective_at: TimeText(e.effective_at),
        outcome: e.outcome.as_str(),
        reason: e.outcome.reason().map_or("", |r| r.as_str()),
        previous_status: e.previous_status.as_str(),
        previous_expiry: TimeText(e.previous_expiry),
        new_expiry: TimeText(e.expires_at),
        reference: &e.reference,
    }))?;
    let summary = [
        ("GSTIN".to_string(), gstin.to_string()),
        ("Events".to_string(), events.len().to_string()),
    ];
    let no_fill = |_: &[String], _: &[&str]| None;
    report.prepare(&xlsx::Layout::new(&["batch", "row"], &no_fill, &summary), b',')?.commit()?;
    if !s.ui.quiet {
        eprintln!(
            "gstbatch: {} events for {gstin}; store: {}",
            events.len(),
            s.store.path.display()
        );
    }
    Ok(Exit::Clean)
}
