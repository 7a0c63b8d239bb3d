//! `verify --returns FY`: each supplier's return filing, from the provider's
//! return-tracking call (SPEC.md 7.1), asked once per distinct GSTIN and
//! financial year and kept in the store like every answer; then, per row,
//! what it means for the credit (SPEC.md 7.3, [`super::credit`]).

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::store::Store;

use super::ask::Pace;
use super::client::{Client, Question};
use super::credit::{self, Filing, Return};
use super::{Counts, Settings, ask_and_store};

/// The columns `--returns` adds, per supplier.
pub const SUPPLIER_COLUMNS: [&str; 4] = [
    "gstbatch_filing_frequency",
    "gstbatch_gstr1_last",
    "gstbatch_gstr3b_last",
    "gstbatch_gstr3b_missing",
];

/// The columns `--returns` adds with `--date-column`, for the document's
/// own period.
pub const DATED_COLUMNS: [&str; 3] =
    ["gstbatch_gstr1_filed", "gstbatch_gstr3b_filed", "gstbatch_itc_risk"];

/// A row's `--returns` result: its cells, its message, and whether it is a
/// finding.
#[derive(Debug, Clone, Default)]
pub(super) struct RowReturns {
    /// The cells, in the order of [`SUPPLIER_COLUMNS`] then, dated,
    /// [`DATED_COLUMNS`].
    pub cells: Vec<String>,
    /// What they mean, when something is wrong.
    pub message: Option<String>,
    /// Whether the row needs attention.
    pub finding: bool,
    /// Whether the credit on the row's document is at risk (a dated row
    /// whose period's risk is not [`credit::Risk::None`]).
    pub at_risk: bool,
}

/// What is known of each (GSTIN, financial year): its filings, or why
/// there are none to judge by.
#[derive(Debug, Default)]
pub(super) struct Tracked {
    known: HashMap<(String, i32), std::result::Result<Vec<Filing>, String>>,
    /// The distinct (GSTIN, year) pairs wanted, in order of first sight.
    wanted: Vec<(String, i32)>,
    /// Each supplier's cells for the `--returns` year, made once however
    /// many of its documents the register holds.
    suppliers: HashMap<String, RowReturns>,
    /// Distinct GSTINs with a GSTR-3B missing, for the summary.
    pub missing_3b: std::collections::BTreeSet<String>,
}

impl Tracked {
    /// Wants the filings of `gstin` in the financial year starting `year`.
    pub fn want(&mut self, gstin: &str, year: i32) {
        let key = (gstin.to_string(), year);
        if !self.known.contains_key(&key) {
            // Until [`Tracked::resolve`] says otherwise.
            self.known.insert(key.clone(), Err("returns not asked".into()));
            self.wanted.push(key);
        }
    }

    /// Fills in every wanted pair whose GSTIN `registered` says has a
    /// registration: from the store when younger than `--returns-max-age`,
    /// else asked live (unless `--offline` or `--dry-run`), each answer
    /// committed as it arrives, within what is left of `--max-calls`.
    ///
    /// # Errors
    /// [`Error::Store`]; credentials missing when a call is needed.
    pub fn resolve(
        &mut self,
        s: &Settings,
        store: Option<&mut Store>,
        registered: &dyn Fn(&str) -> Option<&'static str>,
        client: &mut Option<Client>,
        counts: &mut Counts,
    ) -> Result<()> {
        let keys: Vec<String> = self
            .wanted
            .iter()
            .map(|(g, y)| Question::Returns { gstin: g.clone(), year: *y }.key().into_owned())
            .collect();
        let stored = match &store {
            Some(st) => {
                st.answers("returns", &keys.iter().map(String::as_str).collect::<Vec<_>>())?
            }
            None => HashMap::new(),
        };
        // A store that failed takes no more answers: none is bought.
        let live =
            !s.offline && !s.dry_run && counts.stopped.is_none() && counts.store_error.is_none();
        let mut to_ask = Vec::new();
        for (i, (gstin, year)) in self.wanted.iter().enumerate() {
            let slot = self.known.get_mut(&(gstin.clone(), *year)).expect("wanted is known");
            if let Some(why) = registered(gstin) {
                *slot = Err(format!("returns not tracked: {why}"));
                continue;
            }
            let latest = stored.get(&keys[i]).and_then(|h| h.latest.as_ref());
            match latest {
                Some(a)
                    if s.returns_max_age > 0 && s.now - a.asked_at < s.returns_max_age as i64 =>
                {
                    let record: super::answer::Record =
                        serde_json::from_str(&a.record).unwrap_or_default();
                    *slot = Ok(record.filings);
                }
                _ if live => to_ask.push(i),
                _ => {
                    *slot = Err(match (s.offline, s.dry_run, &counts.stopped) {
                        (true, _, _) => "returns not in the store (--offline makes no call)".into(),
                        (_, true, _) => "returns would be asked (--dry-run makes no call)".into(),
                        (_, _, Some(why)) => format!("returns {why}"),
                        _ => "returns not asked: the store could not be written".into(),
                    });
                }
            }
        }
        if to_ask.is_empty() {
            return Ok(());
        }
        let store = store.ok_or_else(|| Error::Internal("no store to write".into()))?;
        if client.is_none() {
            *client = Some(super::connect(s)?);
        }
        let client = client.as_ref().expect("just connected");
        let asked: Vec<Question> = to_ask
            .iter()
            .map(|&i| Question::Returns { gstin: self.wanted[i].0.clone(), year: self.wanted[i].1 })
            .collect();
        // One budget for the whole run: what the registrations left.
        let pace =
            Pace { max_calls: s.max_calls.map(|m| m.saturating_sub(counts.calls)), ..s.pace };
        let progress = crate::batch::progress::Progress::items(asked.len() as u64, "returns", s.ui);
        let outcome = ask_and_store(pace, store, client, &asked, (&progress, 0), counts);
        progress.finish();
        for (k, result) in outcome {
            let key = self.wanted[to_ask[k]].clone();
            self.known.insert(
                key,
                result
                    .map(|(parsed, _, _)| parsed.record.filings)
                    .map_err(|(_, m)| format!("returns not known: {m}")),
            );
        }
        Ok(())
    }

    /// The `--returns` cells of a row for `gstin` (`dated`: with
    /// `--date-column`, its document `date`), its message, and whether it
    /// is a finding; blank cells for a row with no GSTIN to judge.
    pub fn row(
        &mut self,
        s: &Settings,
        gstin: Option<&str>,
        date: Option<NaiveDate>,
        dated: bool,
    ) -> RowReturns {
        let width = SUPPLIER_COLUMNS.len() + if dated { DATED_COLUMNS.len() } else { 0 };
        let (Some(gstin), Some(year)) = (gstin, s.returns) else {
            return RowReturns { cells: vec![String::new(); width], ..RowReturns::default() };
        };
        let today = crate::time::from_epoch(s.now).date_naive();
        let state: u8 = gstin.get(..2).and_then(|c| c.parse().ok()).unwrap_or(0);
        if !self.suppliers.contains_key(gstin) {
            let supplier = self.supplier(gstin, year, state, today);
            self.suppliers.insert(gstin.to_string(), supplier);
        }
        let mut out = self.suppliers[gstin].clone();
        let mut messages: Vec<String> = out.message.take().into_iter().collect();
        if dated {
            match date.map(|d| (d, self.known.get(&(gstin.to_string(), credit::financial_year(d)))))
            {
                Some((d, Some(Ok(filings)))) => {
                    let freq = credit::frequency_on(filings, d);
                    let period = credit::period_of(d, freq);
                    let due1 = credit::due(Return::Gstr1, period, freq, state);
                    let due3 = credit::due(Return::Gstr3b, period, freq, state);
                    let f1 = credit::filed(filings, Return::Gstr1, period, due1);
                    let f3 = credit::filed(filings, Return::Gstr3b, period, due3);
                    let risk = credit::risk((f1, f3), d, due3, today);
                    out.cells.extend([f1.text(), f3.text(), risk.as_str().to_string()]);
                    out.at_risk = risk != credit::Risk::None;
                    if let Some(m) = risk.message(period) {
                        messages.push(m);
                        out.finding = true;
                    }
                }
                Some((_, Some(Err(why)))) => {
                    out.cells.extend(vec![String::new(); DATED_COLUMNS.len()]);
                    if !messages.contains(why) {
                        messages.push(why.clone());
                    }
                    out.finding = true;
                }
                _ => out.cells.extend(vec![String::new(); DATED_COLUMNS.len()]),
            }
        }
        out.message = (!messages.is_empty()).then(|| messages.join("; "));
        out
    }

    /// A supplier's cells for the `--returns` year, and what they mean.
    fn supplier(&mut self, gstin: &str, year: i32, state: u8, today: NaiveDate) -> RowReturns {
        match self.known.get(&(gstin.to_string(), year)) {
            Some(Ok(filings)) => {
                let freq = credit::frequency(None, filings);
                let missing = credit::gstr3b_missing(filings, year, freq, state, today);
                let last =
                    |r| credit::last_filed(filings, r).map(|p| p.to_string()).unwrap_or_default();
                let cells = vec![
                    freq.as_str().to_string(),
                    last(Return::Gstr1),
                    last(Return::Gstr3b),
                    missing.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
                ];
                let message = (!missing.is_empty()).then(|| {
                    self.missing_3b.insert(gstin.to_string());
                    format!("GSTR-3B not filed for {} of {}", missing.len(), credit::fy_label(year))
                });
                RowReturns { cells, finding: message.is_some(), message, at_risk: false }
            }
            Some(Err(why)) => RowReturns {
                cells: vec![String::new(); SUPPLIER_COLUMNS.len()],
                message: Some(why.clone()),
                finding: true,
                at_risk: false,
            },
            None => RowReturns {
                cells: vec![String::new(); SUPPLIER_COLUMNS.len()],
                ..RowReturns::default()
            },
        }
    }
}
