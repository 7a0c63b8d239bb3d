//! What went wrong with the store ([`StoreError`]).

use std::io;

/// What went wrong with the store. Carried in [`Error::Store`](super::Error::Store) with the
/// store's path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A read of a store that does not exist.
    #[error("no store here (nothing has been applied to it yet)")]
    Missing,
    /// An existing file that is not a gstbatch store; it was not changed.
    #[error("this file is not a gstbatch store ({0}); it was left as it is")]
    NotOurs(&'static str),
    /// A store whose integrity check failed.
    #[error("the store is damaged (integrity check: {0}); it was not written to")]
    Damaged(String),
    /// A store written by a newer gstbatch.
    #[error(
        "the store's schema is version {found}, newer than this gstbatch knows ({known}): \
         upgrade gstbatch"
    )]
    Newer {
        /// The store's version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// The store file was deleted or replaced while this run had it open.
    #[error(
        "the store file was deleted or replaced during the run (a backup or another program?); \
         nothing more is written to it"
    )]
    Replaced,
    /// Another `verify` run held the store's verify lock past `--wait`.
    #[error(
        "another gstbatch verify is buying answers for this store; gave up waiting after {0} s \
         (--wait), so that nothing is paid for twice"
    )]
    VerifyBusy(u64),
    /// The write lock was not free within `--wait`.
    #[error("the store is locked by another process; gave up after {0} s (--wait)")]
    Locked(u64),
    /// The store file (or its folder) could not be read, created or written.
    #[error("{0}")]
    Io(&'static str, #[source] io::Error),
    /// SQLite failed.
    #[error("SQLite")]
    Sqlite(#[from] rusqlite::Error),
}
