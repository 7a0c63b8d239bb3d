//! `verify`'s summary: the rows' results counted as they are written, and
//! the JSON, stderr line and Summary sheet made of them.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::exit::Exit;
use crate::ident::Kind;

use super::super::{Counts, Found, Settings};
use super::RowResult;

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
    /// With `--returns`: distinct suppliers with a GSTR-3B missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppliers_missing_gstr3b: Option<u64>,
    /// With `--returns` and `--date-column`: rows whose credit is at risk
    /// (`gstbatch_itc_risk` other than `none`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoices_at_risk: Option<u64>,
    /// With `--value-column` too: the total value of those rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_at_risk: Option<f64>,
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
pub(in crate::verify) struct Tally {
    rows: u64,
    by_verdict: BTreeMap<&'static str, u64>,
    by_name_match: BTreeMap<&'static str, u64>,
    by_status_on_date: BTreeMap<&'static str, u64>,
    at_risk: u64,
    value_at_risk: f64,
    all_good: bool,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            rows: 0,
            by_verdict: BTreeMap::new(),
            by_name_match: BTreeMap::new(),
            by_status_on_date: BTreeMap::new(),
            at_risk: 0,
            value_at_risk: 0.0,
            all_good: true,
        }
    }
}

impl Tally {
    /// Counts one row's result; `value` is its `--value-column` cell.
    pub(in crate::verify) fn add(&mut self, r: &RowResult<'_>, value: Option<&str>) {
        if r.at_risk() {
            self.at_risk += 1;
            self.value_at_risk += value.and_then(amount).unwrap_or(0.0);
        }
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
    pub(in crate::verify) fn rows(&self) -> u64 {
        self.rows
    }
}

impl Summary {
    pub(in crate::verify) fn new(
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
            suppliers_missing_gstr3b: None,
            invoices_at_risk: (s.returns.is_some() && s.date_column.is_some())
                .then_some(tally.at_risk),
            value_at_risk: (s.returns.is_some() && s.value_column.is_some())
                .then_some((tally.value_at_risk * 100.0).round() / 100.0),
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
    pub(in crate::verify) fn exit(&self, fail_if_changed: bool) -> Exit {
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

    /// The line for stderr on return filing, with `--returns`.
    pub(in crate::verify) fn returns_line(&self) -> Option<String> {
        let missing = self.suppliers_missing_gstr3b?;
        let mut line = format!("gstbatch: {missing} suppliers with a GSTR-3B missing");
        if let Some(n) = self.invoices_at_risk {
            line.push_str(&format!(", {n} invoices whose credit is at risk"));
        }
        if let Some(v) = self.value_at_risk {
            line.push_str(&format!(" (value {v:.2})"));
        }
        Some(line)
    }

    /// The one line for stderr.
    pub(in crate::verify) fn line(&self, store: &Path) -> String {
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

    pub(super) fn pairs(&self) -> Vec<(String, String)> {
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
        let counted = [
            ("Suppliers missing GSTR-3B", self.suppliers_missing_gstr3b.map(|n| n.to_string())),
            ("Invoices at risk", self.invoices_at_risk.map(|n| n.to_string())),
            ("Value at risk", self.value_at_risk.map(|v| format!("{v:.2}"))),
        ];
        out.extend(counted.into_iter().filter_map(|(k, v)| Some((k.to_string(), v?))));
        if let Some(why) = &self.stopped {
            out.push(("Stopped".to_string(), why.clone()));
        }
        out
    }
}

/// An amount as accountants write it: `1,18,000.50`, `₹ 500`, `-20`.
fn amount(cell: &str) -> Option<f64> {
    let t: String = cell.chars().filter(|c| !matches!(c, ',' | ' ' | '₹')).collect();
    t.parse().ok().filter(|v: &f64| v.is_finite())
}
