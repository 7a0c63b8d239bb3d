//! The run's summary: one line on stderr for people, JSON for programs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ident::{Id, RegistrationType, state};

use super::row::{Code, RowCheck};

/// Counts for the summary, per block and in total. Fixed arrays, not maps:
/// they are bumped once per row.
#[derive(Debug, Clone)]
pub struct Counts {
    /// Data records.
    pub rows: u64,
    /// Rows passing every check.
    pub valid: u64,
    /// Rows failing a check.
    pub invalid: u64,
    /// Failing rows by error code, indexed by [`Code::index`].
    pub by_code: [u64; Code::COUNT],
    /// Valid identifiers by type: the registration types in the order of
    /// [`RegistrationType::ALL`], then PANs.
    pub by_type: [u64; TYPES],
    /// Valid GSTINs by state code.
    pub by_state: [u64; 100],
}

/// How many type counts there are: the registration types, then PANs.
const TYPES: usize = RegistrationType::ALL.len() + 1;

/// A valid identifier's place in [`Counts::by_type`].
fn type_index(id: &Id) -> usize {
    match id {
        // `ALL` is in declaration order (a test checks it).
        Id::Gstin(g) => g.registration_type() as usize,
        Id::Pan(_) => RegistrationType::ALL.len(),
    }
}

/// The name of [`Counts::by_type`]'s entry `i`.
fn type_name(i: usize) -> &'static str {
    RegistrationType::ALL.get(i).map_or("pan", |r| r.as_str())
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            rows: 0,
            valid: 0,
            invalid: 0,
            by_code: [0; Code::COUNT],
            by_type: [0; TYPES],
            by_state: [0; 100],
        }
    }
}

impl Counts {
    /// Counts one row.
    pub fn add(&mut self, check: &RowCheck<'_>) {
        self.rows += 1;
        match check.code() {
            Some(code) => {
                self.invalid += 1;
                self.by_code[code.index()] += 1;
            }
            None => self.valid += 1,
        }
        if let Ok(id) = &check.verdict.result {
            self.by_type[type_index(id)] += 1;
            if let Id::Gstin(g) = id {
                self.by_state[usize::from(g.state().code) % 100] += 1;
            }
        }
    }

    /// Adds another block's counts.
    pub fn merge(&mut self, other: &Counts) {
        self.rows += other.rows;
        self.valid += other.valid;
        self.invalid += other.invalid;
        for (a, b) in self.by_code.iter_mut().zip(other.by_code) {
            *a += b;
        }
        for (a, b) in self.by_type.iter_mut().zip(other.by_type) {
            *a += b;
        }
        for (a, b) in self.by_state.iter_mut().zip(other.by_state) {
            *a += b;
        }
    }
}

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
    /// The header of the identifier column checked.
    pub column: String,
    /// Its 1-based number.
    pub column_number: usize,
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
        column: (usize, String),
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
        let by_code =
            Code::all().map(|c| (c.as_str(), counts.by_code[c.index()])).filter(|(_, n)| *n > 0);
        let by_type = (0..TYPES).map(|i| (type_name(i), counts.by_type[i])).filter(|(_, n)| *n > 0);
        Summary {
            input,
            report,
            column_number: column.0 + 1,
            column: column.1,
            rows: counts.rows,
            valid: counts.valid,
            invalid: counts.invalid,
            duplicates,
            by_code: by_code.collect(),
            by_registration_type: by_type.collect(),
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
            ("Column".to_string(), format!("{} ({:?})", self.column_number, self.column)),
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
            "gstbatch: {} rows: {} valid, {} invalid{dups} in {:.2} s ({:.0} rows/s); column \
             {} {:?}; report: {}",
            self.rows,
            self.valid,
            self.invalid,
            self.elapsed_seconds,
            self.rows_per_second,
            self.column_number,
            self.column,
            self.report
        )
    }
}

fn rate(rows: u64, seconds: f64) -> f64 {
    if seconds > 0.0 { rows as f64 / seconds } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use crate::ident::RegistrationType;

    #[test]
    fn registration_types_are_listed_in_declaration_order() {
        for (i, t) in RegistrationType::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i, "{t:?}");
        }
    }
}
