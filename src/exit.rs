//! Exit status, the same contract for every command.
//!
//! - 0 ([`Exit::Clean`]): the whole input was processed and every record is
//!   valid or applied.
//! - 1 ([`Exit::Findings`]): the whole input was processed and some records
//!   are invalid or rejected; the report says which.
//! - 2 ([`Exit::Failed`]): nothing usable was done: bad arguments, unreadable
//!   or malformed input, missing column, unusable state store.

use std::process::ExitCode;

/// How a command ended; see the module docs for the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything processed, nothing to report.
    Clean,
    /// Everything processed, some records invalid or rejected.
    Findings,
    /// Nothing usable done.
    Failed,
}

impl Exit {
    /// `Findings` if any record failed, else `Clean`.
    pub fn from_failures(failures: u64) -> Exit {
        if failures == 0 { Exit::Clean } else { Exit::Findings }
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Failed => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        assert_eq!(Exit::Clean.code(), 0);
        assert_eq!(Exit::Findings.code(), 1);
        assert_eq!(Exit::Failed.code(), 2);
        assert_eq!(Exit::from_failures(0), Exit::Clean);
        assert_eq!(Exit::from_failures(3), Exit::Findings);
    }
}
