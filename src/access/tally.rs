//! A batch's outcomes, counted once for the summary line, the JSON summary
//! and a workbook's summary sheet.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ledger::Outcome;
use crate::store::access::Counts;

/// Counts of one batch: by outcome, and rejections by reason.
#[derive(Debug, Default)]
pub struct Tally {
    /// Counts by outcome.
    pub counts: Counts,
    /// Rejections by reason code.
    pub by_reason: BTreeMap<&'static str, u64>,
}

impl Tally {
    /// Counts one more instruction, with its outcome.
    pub fn add(&mut self, outcome: Outcome) {
        let c = &mut self.counts;
        c.instructions += 1;
        match outcome {
            Outcome::Enabled => c.enabled += 1,
            Outcome::Renewed => c.renewed += 1,
            Outcome::Disabled => c.disabled += 1,
            Outcome::Unchanged => c.unchanged += 1,
            Outcome::Rejected(r) => {
                c.rejected += 1;
                *self.by_reason.entry(r.as_str()).or_insert(0) += 1;
            }
        }
    }

    /// The outcomes that occurred, by name.
    pub fn by_outcome(&self) -> BTreeMap<&'static str, u64> {
        let c = &self.counts;
        [
            ("enabled", c.enabled),
            ("renewed", c.renewed),
            ("disabled", c.disabled),
            ("unchanged", c.unchanged),
            ("rejected", c.rejected),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }

    /// The summary sheet of a workbook report.
    pub fn pairs(&self, store: &str, dry_run: bool) -> Vec<(String, String)> {
        let c = &self.counts;
        [
            ("Instructions", c.instructions.to_string()),
            ("Enabled", c.enabled.to_string()),
            ("Renewed", c.renewed.to_string()),
            ("Disabled", c.disabled.to_string()),
            ("Unchanged", c.unchanged.to_string()),
            ("Rejected", c.rejected.to_string()),
            ("Store", store.to_string()),
            ("Dry run", if dry_run { "yes" } else { "no" }.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .chain(self.by_reason.iter().map(|(r, n)| (format!("Rejected: {r}"), n.to_string())))
        .collect()
    }

    /// The one line for stderr.
    pub fn line(&self, store: &str, dry_run: bool) -> String {
        let c = &self.counts;
        format!(
            "gstbatch: {} instructions: {} enabled, {} renewed, {} disabled, {} unchanged, \
             {} rejected{}; store: {store}",
            c.instructions,
            c.enabled,
            c.renewed,
            c.disabled,
            c.unchanged,
            c.rejected,
            if dry_run { " (dry run: nothing changed)" } else { "" },
        )
    }
}

/// The JSON summary of `apply` (`--summary FILE`).
#[derive(Debug, Serialize)]
pub struct ApplySummary {
    /// The instructions file.
    pub input: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The store.
    pub store: String,
    /// Whether nothing was changed on purpose.
    pub dry_run: bool,
    /// When the same file was applied before (and so nothing was done).
    pub already_applied_at: Option<String>,
    /// Instructions read.
    pub instructions: u64,
    /// Counts by outcome.
    pub by_outcome: BTreeMap<&'static str, u64>,
    /// Rejections by reason.
    pub by_reason: BTreeMap<&'static str, u64>,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// The exit code.
    pub exit_code: u8,
}
