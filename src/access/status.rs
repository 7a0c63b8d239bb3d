//! `gstbatch access status`: every session (or those asked for), with its
//! status at "now", soonest expiry first.

use serde::Serialize;

use crate::batch::progress::Ui;
use crate::batch::report::{Report, Target};
use crate::batch::xlsx;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::input::columns::{self, Family};
use crate::input::encoding::Encoding;
use crate::input::scan::{self, Fields, Records};
use crate::input::{BlockReader, Source, unclosed_quote};
use crate::ledger::{self, Session, Status};
use crate::store::Location;
use crate::time;

use super::{TimeText, fmt_time, gstin_arg};

/// What `access status` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `--gstin`, repeatable.
    pub gstins: Vec<String>,
    /// `--gstins FILE`.
    pub gstins_file: Option<std::path::PathBuf>,
    /// `--sheet` for a workbook given to `--gstins`.
    pub sheet: Option<String>,
    /// `--expiring-within`, in seconds.
    pub expiring_within: Option<i64>,
    /// `--status`.
    pub status: Option<Status>,
    /// `--fail-if-any`.
    pub fail_if_any: bool,
    /// The store.
    pub store: Location,
    /// "Now", epoch seconds.
    pub now: i64,
    /// The report.
    pub report: Target,
    /// What stderr may show.
    pub ui: Ui,
}

/// One row of `access status`.
#[derive(Debug, Default, Serialize)]
pub struct StatusRecord {
    /// The GSTIN.
    pub gstin: String,
    /// `active`, `expired`, `disabled` or `unknown`.
    pub status: &'static str,
    /// When access was last enabled.
    pub enabled_at: TimeText,
    /// For how long.
    pub duration: String,
    /// When it ends (or ended).
    pub expires_at: TimeText,
    /// Access left at "now", for active sessions.
    pub remaining: String,
    /// `open` or `closed` (6 hours or less left: no fresh GSP token), for
    /// active sessions.
    pub token_window: &'static str,
    /// The time of the last recorded change.
    pub last_change: TimeText,
    /// The reference of the last change.
    pub reference: String,
}

/// The GSTINs asked for with `--gstin` and `--gstins`, canonical; `None`
/// when none were named.
fn requested(s: &Settings) -> Result<Option<Vec<String>>> {
    if s.gstins.is_empty() && s.gstins_file.is_none() {
        return Ok(None);
    }
    let mut list = Vec::new();
    for g in &s.gstins {
        list.push(gstin_arg(g, "--gstin")?.to_string());
    }
    if let Some(path) = &s.gstins_file {
        let source = Source::File(path.clone());
        let table =
            BlockReader::read_table(&source, None, s.sheet.as_deref(), true, Encoding::Auto)?;
        let d = table.delimiter;
        let mut recs = Records::new(&table.text, d).peekable();
        // A CSV with a GSTIN column, or a plain list (one per line).
        let column = match recs.peek() {
            Some(first) => {
                let headers: Vec<Vec<u8>> =
                    Fields::new(first, d).iter().map(<[u8]>::to_vec).collect();
                match columns::detect(&headers) {
                    Ok((i, Family::Gstin)) => {
                        recs.next();
                        i
                    }
                    _ => 0,
                }
            }
            None => 0,
        };
        let mut row = 0;
        for rec in recs {
            row += 1 + rec.blank_before;
            if rec.unterminated {
                return Err(unclosed_quote(path.clone(), row as u64));
            }
            let fields = Fields::new(&rec, d);
            let text = scan::text(fields.get(column).unwrap_or_default()).into_owned();
            if !text.trim().is_empty() {
                list.push(gstin_arg(&text, &format!("{} row {row}", path.display()))?.to_string());
            }
        }
    }
    list.sort();
    list.dedup();
    Ok(Some(list))
}

/// Runs `access status`.
///
/// # Errors
/// Exit-2 failures: a missing or unusable store, bad filters, a "now"
/// before the store's last recorded change.
pub fn run(s: &Settings) -> Result<Exit> {
    let within = s.expiring_within;
    let wanted = requested(s)?;
    let mut report = Report::create(&s.report)?;
    let store = s.store.open_read()?;
    let now = s.now;
    // The store holds each GSTIN's latest state only: before its last
    // change, that state would be a wrong answer, not an old one.
    if let Some(last) = store.last_change()?.filter(|&last| now < last) {
        return Err(Error::Usage(format!(
            "--now {} is before the store's last recorded change ({}); status answers from the \
             latest state only, so give a time at or after it (history shows earlier changes)",
            fmt_time(Some(now)),
            fmt_time(Some(last))
        )));
    }
    let sessions = store.sessions()?;
    let mut list: Vec<(Option<&Session>, String)> = match &wanted {
        Some(gs) => gs.iter().map(|g| (sessions.get(g), g.clone())).collect(),
        None => sessions.iter().map(|(g, s)| (Some(s), g.clone())).collect(),
    };
    list.retain(|(session, _)| {
        let st = ledger::status_of(*session, now);
        let window_ok = match (within, session) {
            (None, _) => true,
            (Some(w), Some(x)) => st == Status::Active && x.expires_at - now <= w,
            (Some(_), None) => false,
        };
        s.status.is_none_or(|want| want == st) && window_ok
    });
    list.sort_by(|a, b| (a.0.map(|s| s.expires_at), &a.1).cmp(&(b.0.map(|s| s.expires_at), &b.1)));
    let records = list.iter().map(|(session, g)| {
        let st = ledger::status_of(*session, now);
        let active = session.filter(|_| st == Status::Active);
        let enabled = session.filter(|s| s.duration.is_some());
        StatusRecord {
            gstin: g.clone(),
            status: st.as_str(),
            // A GSTIN never enabled has no enable time, length or expiry.
            enabled_at: TimeText(enabled.map(|s| s.enabled_at)),
            duration: enabled.and_then(|s| s.duration).map(|d| d.to_string()).unwrap_or_default(),
            expires_at: TimeText(enabled.map(|s| s.expires_at)),
            remaining: active.map(|s| time::remaining(s.expires_at - now)).unwrap_or_default(),
            token_window: match active {
                Some(s) if s.token_window_closed(now) => "closed",
                Some(_) => "open",
                None => "",
            },
            last_change: TimeText(session.map(|s| s.last_change)),
            reference: session.map(|s| s.reference.clone()).unwrap_or_default(),
        }
    });
    report.write_rows(records)?;
    let fill = xlsx::fill_where("token_window", "closed", xlsx::Fill::Amber);
    let summary = [
        ("Sessions listed".to_string(), list.len().to_string()),
        ("At".to_string(), fmt_time(Some(now))),
        ("Store".to_string(), s.store.path.display().to_string()),
    ];
    report.prepare(&xlsx::Layout::new(&[], &fill, &summary), b',')?.commit()?;
    if !s.ui.quiet {
        let active =
            list.iter().filter(|(x, _)| ledger::status_of(*x, now) == Status::Active).count();
        eprintln!(
            "gstbatch: {} sessions listed ({active} active) at {}; store: {}",
            list.len(),
            fmt_time(Some(now)),
            s.store.path.display()
        );
    }
    Ok(if s.fail_if_any && !list.is_empty() { Exit::Findings } else { Exit::Clean })
}
