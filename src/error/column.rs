//! Why a column could not be found ([`ColumnError`]), kept here with the
//! other failures so that every layer names this module and it names none.

/// Why a column could not be found. Each message lists what the file has,
/// so the user can answer with `--column NAME|N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    /// A column number past the last column (or 0).
    #[error("{flag} {number}: the file has {} columns ({})", .headers.len(), list(.headers))]
    NoSuchNumber {
        /// The flag that named it.
        flag: String,
        /// The number given.
        number: usize,
        /// The file's headers.
        headers: Vec<String>,
    },
    /// A header name that matches no column.
    #[error("{flag} {name:?}: no such column; the headers are {}", list(.headers))]
    NoSuchName {
        /// The flag that named it.
        flag: String,
        /// The name given.
        name: String,
        /// The file's headers.
        headers: Vec<String>,
    },
    /// A header name that matches several columns.
    #[error("{flag} {name:?} matches columns {}; give its number instead", numbers(.found))]
    AmbiguousName {
        /// The flag that named it.
        flag: String,
        /// The name given.
        name: String,
        /// The 0-based columns it matches.
        found: Vec<usize>,
    },
    /// Several columns of the wanted family, none chosen.
    #[error("several {what} columns ({}); choose one with {flag}", named(.found, .headers))]
    Several {
        /// `GSTIN` or `PAN`.
        what: &'static str,
        /// The flag that chooses one.
        flag: &'static str,
        /// The 0-based columns found.
        found: Vec<usize>,
        /// The file's headers.
        headers: Vec<String>,
    },
    /// No column of the wanted kind.
    #[error("no {what} column; {hint}the headers are {}", list(.headers))]
    Missing {
        /// What was looked for.
        what: &'static str,
        /// How to name it instead, ending with a space (or empty).
        hint: &'static str,
        /// The file's headers.
        headers: Vec<String>,
    },
    /// `--no-headers` with several columns and no `--column`.
    #[error(
        "the first row has {width} fields; with --no-headers, say which holds the identifiers \
         with --column N"
    )]
    Unnamed {
        /// The number of fields.
        width: usize,
    },
}

fn list(headers: &[String]) -> String {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{}: {h:?}", i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

fn numbers(found: &[usize]) -> String {
    found.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(" and ")
}

fn named(found: &[usize], headers: &[String]) -> String {
    found.iter().map(|&i| format!("{}: {:?}", i + 1, headers[i])).collect::<Vec<_>>().join(", ")
}
