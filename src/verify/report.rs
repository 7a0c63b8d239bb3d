//! `verify`'s report rows and summary.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::batch::report::{Report, unique_name};
use crate::batch::xlsx::{self, Fill};
use crate::error::Result;
use crate::exit::Exit;
use crate::time;

use super::answer::Verdict;
use super::names::{self, NameMatch};
use super::{Counts, Found, Row, Settings};

/// The appended columns, after the input's own.
pub const COLUMNS: [&str; 18] = [
    "gstbatch_row",
    "gstbatch_verify_status",
    "gstbatch_gst_status",
    "gstbatch_legal_name",
    "gstbatch_trade_name",
    "gstbatch_registration_date",
    "gstbatch_cancellation_date",
    "gstbatch_constitution",
    "gstbatch_taxpayer_type",
    "gstbatch_address",
    "gstbatch_pincode",
    "gstbatch_last_updated",
    "gstbatch_name_match",
    "gstbatch_previous_status",
    "gstbatch_changed",
    "gstbatch_checked_at",
    "gstbatch_source",
    "gstbatch_message",
];

/// One row's result.
pub struct RowResult<'a> {
    found: Option<&'a Found>,
    name_match: Option<NameMatch>,
    malformed: Option<&'a str>,
}

impl<'a> RowResult<'a> {
    /// A row whose GSTIN was asked about (or answered from the store), with
    /// the books' `name` if a name column was given.
    pub(super) fn known(found: &'a Found, name: Option<&str>) -> Self {
        let r = &found.record;
        let has_record = !r.legal_name.is_empty() || !r.trade_name.is_empty();
        let name_match = name
            .filter(|_| has_record)
            .and_then(|n| names::compare(n, &r.legal_name, &r.trade_name));
        RowResult { found: Some(found), name_match, malformed: None }
    }

    /// A row whose value failed the offline check.
    pub(super) fn malformed(message: &'a str) -> Self {
        RowResult { found: None, name_match: None, malformed: Some(message) }
    }

    fn verdict(&self) -> Verdict {
        self.found.map_or(Verdict::Malformed, |f| f.verdict)
    }

    /// Whether the row is all right: active, and its name (if compared)
    /// exact or close.
    fn good(&self) -> bool {
        self.verdict() == Verdict::Active && self.name_match != Some(NameMatch::Different)
    }

    /// The appended cells, in [`COLUMNS`] order.
    fn cells(&self, row: u64) -> Vec<String> {
        let Some(f) = self.found else {
            let mut v = vec![String::new(); COLUMNS.len()];
            v[0] = row.to_string();
            v[1] = Verdict::Malformed.as_str().into();
            v[17] = self.malformed.unwrap_or_default().into();
            return v;
        };
        let r = &f.record;
        vec![
            row.to_string(),
            f.verdict.as_str().into(),
            r.gst_status.clone(),
            r.legal_name.clone(),
            r.trade_name.clone(),
            r.registration_date.clone(),
            r.cancellation_date.clone(),
            r.constitution.clone(),
            r.taxpayer_type.clone(),
            r.address.clone(),
            r.pincode.clone(),
            r.last_updated.clone(),
            self.name_match.map(NameMatch::as_str).unwrap_or_default().into(),
            f.previous.clone().unwrap_or_default(),
            if f.previous.is_some() && !f.source.is_empty() {
                f.changed().to_string()
            } else {
                String::new()
            },
            f.checked_at.map(|t| time::format(&time::from_epoch(t))).unwrap_or_default(),
            f.source.into(),
            f.message.clone(),
        ]
    }
}

/// The summary (`--summary FILE` as JSON, and one line on stderr).
#[derive(Debug, Serialize)]
pub struct Summary {
    /// The input file, or `-`.
    pub input: String,
    /// The report, or `-`.
    pub report: String,
    /// Data rows.
    pub rows: u64,
    /// Distinct well-formed GSTINs.
    pub distinct: u64,
    /// Rows by verdict.
    pub by_verdict: BTreeMap<&'static str, u64>,
    /// Rows by name match, where names were compared.
    pub by_name_match: BTreeMap<&'static str, u64>,
    /// Values asked about live (each a paid call when answered).
    pub live_calls: u64,
    /// Values answered from the store.
    pub from_store: u64,
    /// Retries made.
    pub retries: u64,
    /// Distinct GSTINs whose verdict changed since the stored answer.
    pub changes: u64,
    /// Why calls stopped early (insufficient credits, access denied), if
    /// they did.
    pub stopped: Option<String>,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// The exit code.
    pub exit_code: u8,
    #[serde(skip)]
    all_good: bool,
    #[serde(skip)]
    answered: u64,
}

impl Summary {
    pub(super) fn new(
        s: &Settings,
        rows: &[Row],
        ids: &[String],
        found: &[Found],
        results: &[RowResult<'_>],
        counts: &Counts,
        started: Instant,
    ) -> Summary {
        let mut by_verdict = BTreeMap::new();
        let mut by_name_match = BTreeMap::new();
        for r in results {
            *by_verdict.entry(r.verdict().as_str()).or_insert(0) += 1;
            if let Some(m) = r.name_match {
                *by_name_match.entry(m.as_str()).or_insert(0) += 1;
            }
        }
        let mut summary = Summary {
            input: s.input.display(),
            report: s.report.name(),
            rows: rows.len() as u64,
            distinct: ids.len() as u64,
            by_verdict,
            by_name_match,
            live_calls: counts.calls,
            from_store: found.iter().filter(|f| f.source == "cache").count() as u64,
            retries: counts.retries,
            changes: found.iter().filter(|f| f.changed()).count() as u64,
            stopped: counts.stopped.clone(),
            elapsed_seconds: started.elapsed().as_secs_f64(),
            exit_code: 0,
            all_good: results.iter().all(RowResult::good),
            answered: found.iter().filter(|f| !f.source.is_empty()).count() as u64,
        };
        summary.exit_code = summary.exit(s.fail_if_changed).code();
        summary
    }

    /// The exit code: with `--fail-if-changed`, only whether a verdict
    /// changed; else 0 when every row is active with a matching name, 2 when
    /// calls stopped before anything was answered, 1 otherwise.
    pub(super) fn exit(&self, fail_if_changed: bool) -> Exit {
        if fail_if_changed {
            return if self.changes > 0 { Exit::Findings } else { Exit::Clean };
        }
        if self.stopped.is_some() && self.answered == 0 {
            return Exit::Failed;
        }
        if self.all_good && self.rows > 0 { Exit::Clean } else { Exit::Findings }
    }

    /// The one line for stderr.
    pub(super) fn line(&self, store: &Path) -> String {
        let verdicts: Vec<String> =
            self.by_verdict.iter().map(|(k, v)| format!("{v} {k}")).collect();
        format!(
            "gstbatch: {} rows, {} distinct GSTINs: {}; {} live calls, {} from the store, {} \
             retries, {} changed in {:.2} s; store: {}",
            self.rows,
            self.distinct,
            if verdicts.is_empty() { "none".to_string() } else { verdicts.join(", ") },
            self.live_calls,
            self.from_store,
            self.retries,
            self.changes,
            self.elapsed_seconds,
            store.display()
        )
    }

    fn pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("Input".to_string(), self.input.clone()),
            ("Rows".to_string(), self.rows.to_string()),
            ("Distinct GSTINs".to_string(), self.distinct.to_string()),
            ("Live calls".to_string(), self.live_calls.to_string()),
            ("From the store".to_string(), self.from_store.to_string()),
            ("Retries".to_string(), self.retries.to_string()),
            ("Changed".to_string(), self.changes.to_string()),
        ];
        out.extend(self.by_verdict.iter().map(|(k, v)| (format!("Verdict: {k}"), v.to_string())));
        out.extend(self.by_name_match.iter().map(|(k, v)| (format!("Name: {k}"), v.to_string())));
        if let Some(why) = &self.stopped {
            out.push(("Stopped".to_string(), why.clone()));
        }
        out
    }
}

/// Writes every row: its own cells (padded to the header), the appended
/// columns, then any cells past the header's width.
pub(super) fn write(
    mut report: Report,
    headers: &[String],
    rows: &[Row],
    results: &[RowResult<'_>],
    summary: &Summary,
) -> Result<()> {
    let width = headers.len();
    let extra = rows.iter().map(|r| r.cells.len().saturating_sub(width)).max().unwrap_or(0);
    // Every name unique, for JSON keys: ours give way to the input's.
    let mut names: Vec<String> = Vec::new();
    for h in headers {
        let n = unique_name(h, |n| names.iter().any(|x| x == n));
        names.push(n);
    }
    for c in COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain((width + 1..=width + extra).map(|i| format!("column_{i}")))
    {
        let n = unique_name(&c, |n| names.iter().any(|x| x.eq_ignore_ascii_case(n)));
        names.push(n);
    }
    let table = rows.iter().zip(results).map(|(row, result)| {
        let mut cells = row.cells.clone();
        let extras = if cells.len() > width { cells.split_off(width) } else { Vec::new() };
        cells.resize(width, String::new());
        cells.extend(result.cells(row.row));
        cells.extend(extras);
        cells.resize(names.len(), String::new());
        cells
    });
    report.write_table(&names, table)?;
    let fill = |header: &[String], row: &[String]| {
        let at = |name: &str| header.iter().position(|h| h == name).and_then(|i| row.get(i));
        let status = at(&names[width + 1]).map(String::as_str);
        let name = at(&names[width + 12]).map(String::as_str);
        match status {
            Some("malformed" | "not_found" | "cancelled") => Some(Fill::Red),
            Some("suspended" | "inactive" | "unavailable") => Some(Fill::Amber),
            _ if name == Some("different") => Some(Fill::Amber),
            _ => None,
        }
    };
    let pairs = summary.pairs();
    let numeric = [names[width].as_str()];
    report.prepare(&xlsx::Layout::new(&numeric, &fill, &pairs), b',')?.commit()
}
