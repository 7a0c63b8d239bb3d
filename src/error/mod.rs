//! Errors that stop a whole command (exit 2), with stable codes.
//!
//! Invalid identifiers are not errors here: they are findings, reported
//! row by row. These are the problems after which nothing usable can be
//! done: bad arguments, unreadable input, unwritable output.
//!
//! A variant that wraps a cause carries it as `#[source]` and leaves it out
//! of its own message: the binary prints the whole chain once
//! (`gstbatch: cannot read in.csv: No such file or directory`), never the
//! cause twice.

use std::io;
use std::path::PathBuf;

mod column;
mod store;

pub use column::ColumnError;
pub use store::StoreError;

/// A failure that stops a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The arguments make no sense together.
    #[error("{0}")]
    Usage(String),
    /// An input could not be read.
    #[error("cannot read {}", .path.display())]
    Read {
        /// The file, or `-` for standard input.
        path: PathBuf,
        /// The underlying failure.
        #[source]
        source: io::Error,
    },
    /// The input is not CSV text at all.
    #[error("{} is not a CSV file: {why}", .path.display())]
    NotCsv {
        /// The file, or `-` for standard input.
        path: PathBuf,
        /// What it looks like instead.
        why: String,
    },
    /// A workbook could not be read.
    #[error("{}: {message}", .path.display())]
    Workbook {
        /// The workbook file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The identifier column (or another named column) is missing or
    /// ambiguous.
    #[error("{}", .path.display())]
    Column {
        /// The file, or `-` for standard input.
        path: PathBuf,
        /// What is wrong, with the header list.
        #[source]
        source: ColumnError,
    },
    /// The state store could not be used.
    #[error("state store {}", .path.display())]
    Store {
        /// The store file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: StoreError,
    },
    /// An output could not be written.
    #[error("cannot write {}", .path.display())]
    Write {
        /// The file, or `-` for standard output.
        path: PathBuf,
        /// The underlying failure.
        #[source]
        source: io::Error,
    },
    /// A broken invariant: a bug in gstbatch, not a problem with the input.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}

impl Error {
    /// The stable, machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Usage(_) => "usage",
            Error::Read { .. } => "read",
            Error::Write { .. } => "write",
            Error::NotCsv { .. } => "not_csv",
            Error::Column { .. } => "column",
            Error::Workbook { .. } => "workbook",
            Error::Store { .. } => "store",
            Error::Internal(_) => "internal",
        }
    }

    /// The message with its causes, as `cannot write r.csv: No space left on
    /// device`: what the binary prints, for messages the library writes
    /// itself.
    pub fn describe(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }

    /// Whether the failure is a closed output pipe (`gstbatch ... | head`),
    /// which is not a failure for the user.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
