//! `verify`'s report rows and summary.

use crate::batch::report::{Ready, Report, unique_name};
use crate::batch::xlsx::{self, Fill};
use crate::error::Result;
use crate::ident::Kind;
use crate::time;

use super::answer::Verdict;
use super::credit::{self, OnDate};
use super::input::Row;
use super::names::{self, NameMatch};
use super::returns;

mod summary;

use super::Found;
pub use summary::Summary;
pub(super) use summary::Tally;

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

/// The columns a run adds to the kind's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Added {
    /// `--date-column`: [`ON_DATE`], and with `--returns` the document
    /// period's filing.
    pub on_date: bool,
    /// `--returns`: the supplier's filing.
    pub returns: bool,
}

/// The appended columns: the kind's, with [`ON_DATE`] after the
/// cancellation date and the return-filing columns before the previous
/// status, as `added` says.
fn columns(kind: Kind, added: Added) -> Vec<&'static str> {
    let mut cols = match kind {
        Kind::Gstin => GSTIN_COLUMNS.to_vec(),
        Kind::Pan => PAN_COLUMNS.to_vec(),
    };
    if added.on_date {
        let at = cols.iter().position(|c| *c == "gstbatch_cancellation_date").map_or(2, |i| i + 1);
        cols.insert(at, ON_DATE);
    }
    if added.returns {
        let at = cols.iter().position(|c| *c == "gstbatch_previous_status").unwrap_or(cols.len());
        let dated = if added.on_date { &returns::DATED_COLUMNS[..] } else { &[] };
        let new: Vec<&str> = returns::SUPPLIER_COLUMNS.iter().chain(dated).copied().collect();
        cols.splice(at..at, new);
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
    /// With `--returns`: its cells, its message, and whether it is a finding.
    returns: Option<returns::RowReturns>,
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
        returns: Option<returns::RowReturns>,
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
        RowResult { kind, found: Some(found), name_match, on_date, returns, without: None }
    }

    /// A row that asked nothing (malformed, or a blank name or date of
    /// birth), and why.
    pub(super) fn without(kind: Kind, added: Added, verdict: Verdict, message: &'a str) -> Self {
        let on_date = added.on_date.then_some((None, None));
        let width = returns::SUPPLIER_COLUMNS.len()
            + if added.on_date { returns::DATED_COLUMNS.len() } else { 0 };
        let returns = added.returns.then(|| returns::RowReturns {
            cells: vec![String::new(); width],
            ..returns::RowReturns::default()
        });
        RowResult {
            kind,
            found: None,
            name_match: None,
            on_date,
            returns,
            without: Some((verdict, message)),
        }
    }

    /// Whether the credit on this row's document is at risk.
    fn at_risk(&self) -> bool {
        self.returns.as_ref().is_some_and(|r| r.at_risk)
    }

    /// The columns this row's result adds.
    fn added(&self) -> (Kind, Added) {
        (self.kind, Added { on_date: self.on_date.is_some(), returns: self.returns.is_some() })
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
                    && !self.returns.as_ref().is_some_and(|r| r.finding)
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
        let (kind, added) = self.added();
        let cols = columns(kind, added);
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
        let whys = [
            &self.on_date.as_ref().and_then(|o| o.1.clone()),
            &self.returns.as_ref().and_then(|r| r.message.clone()),
        ];
        for why in whys.into_iter().flatten() {
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
        if let Some(r) = &self.returns {
            v.extend(r.cells.iter().cloned());
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

/// The report's column names: the input's, ours, then `column_N` for the
/// `extra` cells some rows have past the header; every one unique, for JSON
/// keys (ours give way to the input's).
pub(super) fn names(kind: Kind, added: Added, headers: &[String], extra: usize) -> Vec<String> {
    let width = headers.len();
    let mut names: Vec<String> = Vec::new();
    for h in headers {
        let n = unique_name(h, |n| names.iter().any(|x| x == n));
        names.push(n);
    }
    for c in columns(kind, added)
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
    (kind, added): (Kind, Added),
    names: &[String],
    width: usize,
    summary: &Summary,
) -> Result<Ready> {
    let ours = columns(kind, added);
    let col = |name: &str| ours.iter().position(|c| *c == name).map(|i| names[width + i].clone());
    let (status_col, name_col, dob_col) =
        (col("gstbatch_verify_status"), col("gstbatch_name_match"), col("gstbatch_dob_match"));
    let on_date_col = col(ON_DATE);
    let (risk_col, missing_col) = (col("gstbatch_itc_risk"), col("gstbatch_gstr3b_missing"));
    let fill = |header: &[String], row: &[&str]| {
        let at = |name: &Option<String>| {
            let name = name.as_deref()?;
            header.iter().position(|h| h == name).and_then(|i| row.get(i)).copied()
        };
        if matches!(at(&on_date_col), Some("before_registration" | "after_cancellation"))
            || matches!(at(&risk_col), Some("rule_37a" | "tax_not_paid"))
        {
            return Some(Fill::Red);
        }
        if at(&risk_col) == Some("not_in_2b_yet") || at(&missing_col).is_some_and(|m| !m.is_empty())
        {
            return Some(Fill::Amber);
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
