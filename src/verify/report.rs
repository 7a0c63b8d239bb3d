//! `verify`'s report rows and summary.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::batch::report::{Ready, Report, unique_name};
use crate::batch::xlsx::{self, Fill};
use crate::error::Result;
use crate::exit::Exit;
use crate::ident::Kind;
use crate::time;

use super::answer::Verdict;
use super::credit::{self, OnDate};
use super::input::Row;
use super::names::{self, NameMatch};
use super::{Counts, Found, Settings};

/// The appended columns of a GSTIN report, after the input's own.
pub const GSTIN_COLUMNS: [&str; 18] = [
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

/// The appended columns of a PAN report.
pub const PAN_COLUMNS: [&str; 12] = [
    "gstbatch_row",
    "gstbatch_verify_status",
    "gstbatch_pan_category",
    "gstbatch_pan_remarks",
    "gstbatch_name_match",
    "gstbatch_dob_match",
    "gstbatch_aadhaar_seeding",
    "gstbatch_previous_status",
    "gstbatch_changed",
    "gstbatch_checked_at",
    "gstbatch_source",
    "gstbatch_message",
];

/// What an `inoperative` row means, in one sentence.
pub const INOPERATIVE: &str = "an individual's PAN not linked with Aadhaar is inoperative since \
    2023-07-01 (Rule 114AAA): deduct TDS on payments to its holder at the higher rate of section \
    206AA until it is linked";

/// The column added by `--date-column`, after the cancellation date.
pub const ON_DATE: &str = "gstbatch_status_on_date";

/// The appended columns: the kind's, with [`ON_DATE`] when `on_date`.
fn columns(kind: Kind, on_date: bool) -> Vec<&'static str> {
    let mut cols = match kind {
        Kind::Gstin => GSTIN_COLUMNS.to_vec(),
        Kind::Pan => PAN_COLUMNS.to_vec(),
    };
    if on_date {
        let at = cols.iter().position(|c| *c == "gstbatch_cancellation_date").map_or(2, |i| i + 1);
        cols.insert(at, ON_DATE);
    }
    cols
}

/// One row's result.
pub struct RowResult<'a> {
    kind: Kind,
    found: Option<&'a Found>,
    name_match: Option<NameMatch>,
    /// With `--date-column`: the registration on the document's date, and
    /// what it means (or why the date could not be read).
    on_date: Option<(Option<OnDate>, Option<String>)>,
    /// A row that asked nothing: its verdict and why.
    without: Option<(Verdict, &'a str)>,
}

impl<'a> RowResult<'a> {
    /// A row whose question was asked (or answered from the store), with
    /// the books' `name` for a GSTIN if a name column was given (a PAN's
    /// name is matched by the provider).
    /// With `--date-column`, `date` is the row's date cell and the
    /// column's name for messages.
    pub(super) fn known(
        kind: Kind,
        found: &'a Found,
        name: Option<&str>,
        date: Option<(&str, Option<&str>)>,
    ) -> Self {
        let r = found.record();
        let on_date = date.map(|(cell, column)| match time::date(cell) {
            Some(d) => {
                let on = credit::on_date(d, &r.registration_date, &r.cancellation_date);
                let why = on.and_then(|o| o.message(d, &r.registration_date, &r.cancellation_date));
                (on, why)
            }
            None if cell.trim().is_empty() => (None, None),
            None => (
                None,
                Some(format!(
                    "the date cell, {}, holds {:?}, not a date (write DD/MM/YYYY, DD-MM-YYYY or \
                     YYYY-MM-DD)",
                    column.unwrap_or("--date-column"),
                    cell.trim()
                )),
            ),
        });
        let name_match = match kind {
            Kind::Pan => {
                r.name_match.map(|m| if m { NameMatch::Exact } else { NameMatch::Different })
            }
            Kind::Gstin => {
                let has_record = !r.legal_name.is_empty() || !r.trade_name.is_empty();
                name.filter(|_| has_record)
                    .and_then(|n| names::compare(n, &r.legal_name, &r.trade_name))
            }
        };
        RowResult { kind, found: Some(found), name_match, on_date, without: None }
    }

    /// A row that asked nothing (malformed, or a blank name or date of
    /// birth), and why.
    pub(super) fn without(kind: Kind, on_date: bool, verdict: Verdict, message: &'a str) -> Self {
        let on_date = on_date.then_some((None, None));
        RowResult {
            kind,
            found: None,
            name_match: None,
            on_date,
            without: Some((verdict, message)),
        }
    }

    fn verdict(&self) -> Verdict {
        self.found.map_or_else(|| self.without.map_or(Verdict::Malformed, |w| w.0), |f| f.verdict)
    }

    /// Whether the row is all right: a GSTIN active with its name (if
    /// compared) exact or close; a PAN valid with name and date of birth
    /// matching.
    fn good(&self) -> bool {
        match self.kind {
            Kind::Gstin => {
                // A date that could not be read is a finding too: its row
                // was not judged.
                let dated = match &self.on_date {
                    None | Some((None, None)) => true,
                    Some((on, _)) => *on == Some(OnDate::Registered),
                };
                self.verdict() == Verdict::Active
                    && self.name_match != Some(NameMatch::Different)
                    && dated
            }
            Kind::Pan => {
                self.verdict() == Verdict::Valid
                    && self.name_match == Some(NameMatch::Exact)
                    && self.found.is_some_and(|f| f.record().dob_match == Some(true))
            }
        }
    }

    /// The appended cells, in the order of the kind's columns.
    fn cells(&self, row: u64) -> Vec<String> {
        let cols = columns(self.kind, self.on_date.is_some());
        let Some(f) = self.found else {
            let mut v = vec![String::new(); cols.len()];
            let (verdict, message) = self.without.unwrap_or((Verdict::Malformed, ""));
            v[0] = row.to_string();
            v[1] = verdict.as_str().into();
            v[cols.len() - 1] = message.into();
            return v;
        };
        let r = f.record();
        let flag = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
        let name = self.name_match.map(NameMatch::as_str).unwrap_or_default().to_string();
        let mut message = match f.verdict {
            Verdict::Inoperative if f.message.is_empty() => INOPERATIVE.to_string(),
            _ => f.message.to_string(),
        };
        if let Some((_, Some(why))) = &self.on_date {
            message = if message.is_empty() { why.clone() } else { format!("{message}; {why}") };
        }
        let mut v = vec![row.to_string(), f.verdict.as_str().into()];
        match self.kind {
            Kind::Gstin => v.extend([
                r.gst_status.clone(),
                r.legal_name.clone(),
                r.trade_name.clone(),
                r.registration_date.clone(),
                r.cancellation_date.clone(),
            ]),
            Kind::Pan => v.extend([
                r.pan_category.clone(),
                r.pan_remarks.clone(),
                name.clone(),
                flag(r.dob_match),
                r.aadhaar_seeding.clone(),
            ]),
        }
        if let Some((on, _)) = &self.on_date {
            v.push(on.map(OnDate::as_str).unwrap_or_default().to_string());
        }
        if self.kind == Kind::Gstin {
            v.extend([
                r.constitution.clone(),
                r.taxpayer_type.clone(),
                r.address.clone(),
                r.pincode.clone(),
                r.last_updated.clone(),
                name,
            ]);
        }
        v.extend([
            f.previous.clone().unwrap_or_default(),
            if f.previous.is_some() && !f.source.is_empty() {
                f.changed().to_string()
            } else {
                String::new()
            },
            f.checked_at.map(|t| time::format(&time::from_epoch(t))).unwrap_or_default(),
            f.source.into(),
            message,
        ]);
        v
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
    /// Distinct questions (well-formed GSTINs; PANs with their name and
    /// date of birth).
    pub distinct: u64,
    /// Rows by verdict.
    pub by_verdict: BTreeMap<&'static str, u64>,
    /// Rows by name match, where names were compared.
    pub by_name_match: BTreeMap<&'static str, u64>,
    /// Rows by registration on the document date (`--date-column`), where
    /// it was judged.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_status_on_date: BTreeMap<&'static str, u64>,
    /// Values asked about live (each a paid call when answered).
    pub live_calls: u64,
    /// Values answered from the store.
    pub from_store: u64,
    /// Retries made.
    pub retries: u64,
    /// Answers the provider gave, free, from its own cache
    /// (`--provider-cache`).
    pub provider_cache_hits: u64,
    /// Distinct GSTINs whose verdict changed since the stored answer.
    pub changes: u64,
    /// Why calls stopped early (insufficient credits, access denied), if
    /// they did.
    pub stopped: Option<String>,
    /// Why the store stopped taking answers, if it did (exit 2).
    pub store_error: Option<String>,
    /// Answers paid for and not kept, after the store failed.
    pub not_stored: u64,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// The exit code.
    pub exit_code: u8,
    /// `gstin` or `pan`.
    pub kind: &'static str,
    #[serde(skip)]
    all_good: bool,
    #[serde(skip)]
    answered: u64,
}

/// The rows' results, counted as they are written.
#[derive(Debug, Clone)]
pub(super) struct Tally {
    rows: u64,
    by_verdict: BTreeMap<&'static str, u64>,
    by_name_match: BTreeMap<&'static str, u64>,
    by_status_on_date: BTreeMap<&'static str, u64>,
    all_good: bool,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            rows: 0,
            by_verdict: BTreeMap::new(),
            by_name_match: BTreeMap::new(),
            by_status_on_date: BTreeMap::new(),
            all_good: true,
        }
    }
}

impl Tally {
    /// Counts one row's result.
    pub(super) fn add(&mut self, r: &RowResult<'_>) {
        self.rows += 1;
        *self.by_verdict.entry(r.verdict().as_str()).or_insert(0) += 1;
        if let Some(m) = r.name_match {
            *self.by_name_match.entry(m.as_str()).or_insert(0) += 1;
        }
        if let Some((Some(on), _)) = r.on_date {
            *self.by_status_on_date.entry(on.as_str()).or_insert(0) += 1;
        }
        self.all_good &= r.good();
    }

    /// Rows counted.
    pub(super) fn rows(&self) -> u64 {
        self.rows
    }
}

impl Summary {
    pub(super) fn new(
        (s, s_kind): (&Settings, Kind),
        tally: Tally,
        distinct: usize,
        found: &[Option<Box<Found>>],
        counts: &Counts,
        started: Instant,
    ) -> Summary {
        let mut summary = Summary {
            input: s.input.display(),
            report: s.report.name(),
            rows: tally.rows,
            distinct: distinct as u64,
            by_verdict: tally.by_verdict,
            by_name_match: tally.by_name_match,
            by_status_on_date: tally.by_status_on_date,
            live_calls: counts.calls,
            from_store: found.iter().flatten().filter(|f| f.source == "cache").count() as u64,
            retries: counts.retries,
            provider_cache_hits: counts.provider_cache_hits,
            changes: found.iter().flatten().filter(|f| f.changed()).count() as u64,
            stopped: counts.stopped.clone(),
            store_error: counts.store_error.clone(),
            not_stored: counts.not_stored,
            elapsed_seconds: started.elapsed().as_secs_f64(),
            exit_code: 0,
            kind: if s_kind == Kind::Pan { "PANs" } else { "GSTINs" },
            all_good: tally.all_good,
            answered: found.iter().flatten().filter(|f| !f.source.is_empty()).count() as u64,
        };
        summary.exit_code = summary.exit(s.fail_if_changed).code();
        summary
    }

    /// The exit code: 2 when the store stopped taking answers; with
    /// `--fail-if-changed`, only whether a verdict changed; else 0 when every
    /// row is active with a matching name, 2 when calls stopped before
    /// anything was answered, 1 otherwise.
    pub(super) fn exit(&self, fail_if_changed: bool) -> Exit {
        if self.store_error.is_some() {
            return Exit::Failed;
        }
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
            "gstbatch: {} rows, {} distinct {}: {}; {} live calls, {} from the store, {} \
             retries, {} changed in {:.2} s; store: {}",
            self.rows,
            self.distinct,
            self.kind,
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
            (format!("Distinct {}", self.kind), self.distinct.to_string()),
            ("Live calls".to_string(), self.live_calls.to_string()),
            ("From the store".to_string(), self.from_store.to_string()),
            ("Retries".to_string(), self.retries.to_string()),
            ("Changed".to_string(), self.changes.to_string()),
        ];
        out.extend(self.by_verdict.iter().map(|(k, v)| (format!("Verdict: {k}"), v.to_string())));
        out.extend(self.by_name_match.iter().map(|(k, v)| (format!("Name: {k}"), v.to_string())));
        out.extend(
            self.by_status_on_date
                .iter()
                .map(|(k, v)| (format!("On the date: {k}"), v.to_string())),
        );
        if let Some(why) = &self.stopped {
            out.push(("Stopped".to_string(), why.clone()));
        }
        out
    }
}

/// The report's column names: the input's, ours, then `column_N` for the
/// `extra` cells some rows have past the header; every one unique, for JSON
/// keys (ours give way to the input's).
pub(super) fn names(kind: Kind, on_date: bool, headers: &[String], extra: usize) -> Vec<String> {
    let width = headers.len();
    let mut names: Vec<String> = Vec::new();
    for h in headers {
        let n = unique_name(h, |n| names.iter().any(|x| x == n));
        names.push(n);
    }
    for c in columns(kind, on_date)
        .iter()
        .map(|c| c.to_string())
        .chain((width + 1..=width + extra).map(|i| format!("column_{i}")))
    {
        let n = unique_name(&c, |n| names.iter().any(|x| x.eq_ignore_ascii_case(n)));
        names.push(n);
    }
    names
}

/// One report row: its own cells (padded to the header's `width`), the
/// appended columns, then any cells past the header, `total` in all.
pub(super) fn cells(row: &Row, result: &RowResult<'_>, width: usize, total: usize) -> Vec<String> {
    let mut cells = row.cells.clone();
    let extras = if cells.len() > width { cells.split_off(width) } else { Vec::new() };
    cells.resize(width, String::new());
    cells.extend(result.cells(row.row));
    cells.extend(extras);
    cells.resize(total, String::new());
    cells
}

/// Finishes the report whose rows are written: a workbook's fills and its
/// Summary sheet.
///
/// # Errors
/// [`crate::Error::Write`].
pub(super) fn finish(
    report: Report,
    (kind, on_date): (Kind, bool),
    names: &[String],
    width: usize,
    summary: &Summary,
) -> Result<Ready> {
    let ours = columns(kind, on_date);
    let col = |name: &str| ours.iter().position(|c| *c == name).map(|i| names[width + i].clone());
    let (status_col, name_col, dob_col) =
        (col("gstbatch_verify_status"), col("gstbatch_name_match"), col("gstbatch_dob_match"));
    let on_date_col = col(ON_DATE);
    let fill = |header: &[String], row: &[&str]| {
        let at = |name: &Option<String>| {
            let name = name.as_deref()?;
            header.iter().position(|h| h == name).and_then(|i| row.get(i)).copied()
        };
        if matches!(at(&on_date_col), Some("before_registration" | "after_cancellation")) {
            return Some(Fill::Red);
        }
        match at(&status_col) {
            Some("malformed" | "not_found" | "cancelled" | "invalid") => Some(Fill::Red),
            Some(
                "suspended" | "inactive" | "unavailable" | "provider_error" | "provider_refused"
                | "inoperative",
            ) => Some(Fill::Amber),
            _ if at(&name_col) == Some("different") || at(&dob_col) == Some("false") => {
                Some(Fill::Amber)
            }
            _ => None,
        }
    };
    let pairs = summary.pairs();
    let numeric = [names[width].as_str()];
    report.prepare(&xlsx::Layout::new(&numeric, &fill, &pairs), b',')
}
