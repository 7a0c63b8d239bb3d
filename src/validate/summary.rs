//! The run's summary: one line on stderr for people, JSON for programs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ident::state;

use super::report::{CODES, Counts, TYPES};

/// Rows of one state in the summary.
#[derive(Debug, Serialize)]
pub struct StateCount {
    /// The state's name.
    pub name: &'static str,
    /// Valid GSTINs registered there.
    pub count: u64,
}

/// The JSON summary (`--summary FILE`); README.md documents every field.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// The input file, or `-`.
    pub input: String,
    /// The report file, or `-` for stdout.
    pub report: String,
    /// Data rows read (blank lines and the header excluded).
    pub rows: u64,
    /// Rows passing every check.
    pub valid: u64,
    /// Rows failing a check.
    pub invalid: u64,
    /// Rows whose normalised value appeared in an earlier row; `null` when
    /// duplicates were not tracked.
    pub duplicates: Option<u64>,
    /// Failing rows by error code.
    pub by_code: BTreeMap<&'static str, u64>,
    /// Valid identifiers by registration type (`pan` for PANs).
    pub by_registration_type: BTreeMap<&'static str, u64>,
    /// Valid GSTINs by state code.
    pub by_state: BTreeMap<&'static str, StateCount>,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// Rows per second.
    pub rows_per_second: f64,
    /// The exit code: 0 all valid, 1 some invalid.
    pub exit_code: u8,
}

impl Summary {
    /// Builds the summary from the totals.
    pub fn new(
        input: String,
        report: String,
        counts: &Counts,
        duplicates: Option<u64>,
        elapsed_seconds: f64,
        exit_code: u8,
    ) -> Summary {
        let by_state = (0..100u8)
            .filter(|&c| counts.by_state[usize::from(c)] > 0)
            .filter_map(|c| {
                let count = counts.by_state[usize::from(c)];
                state::by_code(c).map(|s| (s.code_str(), StateCount { name: s.name, count }))
            })
            .collect();
        let nonzero = |names: &[&'static str], n: &[u64]| -> BTreeMap<&'static str, u64> {
            names.iter().zip(n).filter(|(_, n)| **n > 0).map(|(k, n)| (*k, *n)).collect()
        };
        Summary {
            input,
            report,
            rows: counts.rows,
            valid: counts.valid,
            invalid: counts.invalid,
            duplicates,
            by_code: nonzero(&CODES, &counts.by_code),
            by_registration_type: nonzero(&TYPES, &counts.by_type),
            by_state,
            elapsed_seconds,
            rows_per_second: rate(counts.rows, elapsed_seconds),
            exit_code,
        }
    }

    /// The summary as label and value pairs, for a workbook's summary sheet.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("Input".to_string(), self.input.clone()),
            ("Rows".to_string(), self.rows.to_string()),
            ("Valid".to_string(), self.valid.to_string()),
            ("Invalid".to_string(), self.invalid.to_string()),
            (
                "Duplicates".to_string(),
                self.duplicates.map_or("not tracked".to_string(), |d| d.to_string()),
            ),
        ];
        out.extend(self.by_code.iter().map(|(k, v)| (format!("Error: {k}"), v.to_string())));
        out.extend(
            self.by_registration_type.iter().map(|(k, v)| (format!("Type: {k}"), v.to_string())),
        );
        out.extend(
            self.by_state
                .iter()
                .map(|(k, v)| (format!("State: {k} {}", v.name), v.count.to_string())),
        );
        out
    }

    /// The one line for stderr.
    pub fn line(&self) -> String {
        let dups = match self.duplicates {
            Some(d) => format!(", {d} duplicate{}", if d == 1 { "" } else { "s" }),
            None => String::new(),
        };
        format!(
            "gstbatch: {} rows: {} valid, {} invalid{dups} in {:.2} s ({:.0} rows/s); report: {}",
            self.rows,
            self.valid,
            self.invalid,
            self.elapsed_seconds,
            self.rows_per_second,
            self.report
        )
    }
}

fn rate(rows: u64, seconds: f64) -> f64 {
    if seconds > 0.0 { rows as f64 / seconds } else { 0.0 }
}
