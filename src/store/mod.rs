//! The one SQLite store (rusqlite, bundled) shared by the commands that
//! remember: the API-access ledger ([`access`]) and the provider's answers
//! to `verify` ([`verify`]).
//!
//! - **Ours or nothing.** A new store is marked with `PRAGMA application_id`
//!   before anything else is written. An existing file is checked before
//!   SQLite opens it for writing: a file that is not a gstbatch store
//!   (another application's database, an empty file, a CSV) is refused and
//!   left byte-identical. A store that fails `PRAGMA quick_check` is never
//!   written to.
//! - **Reads never write.** [`Store::open_read`] opens read-only: it never
//!   creates a file, migrates or takes the write lock, and in WAL mode it
//!   reads the last committed state at once, even while a writer holds its
//!   transaction.
//! - **Migrations** are an append-only list; `PRAGMA user_version` holds how
//!   many have run. Never edit or remove an entry: add one.
//! - **One writer at a time.** A writer works in WAL mode with a busy
//!   timeout: a second writer waits up to `--wait` seconds for the first,
//!   then stops with exit 2. At rest the store is in rollback journal mode,
//!   with no `-wal` or `-shm` file, so that a read creates nothing.
//! - **The same file to the end.** Each write checks that the file at the
//!   path is still the one opened, before it begins and after its commit: a
//!   store deleted or replaced under a run fails the write instead of
//!   committing into a file that no longer has a name.

pub mod access;
mod file;
pub mod verify;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};
use file::{FileId, Header, create, read_header};

/// The mark in every gstbatch store's header (`PRAGMA application_id`):
/// "GSTB" in ASCII.
pub const APPLICATION_ID: i32 = 0x4753_5442;

/// The longest `--wait` accepted: a day. Longer waits are surely mistakes,
/// and SQLite's busy timeout holds milliseconds in a 32-bit integer.
pub const MAX_WAIT: Duration = Duration::from_secs(86_400);

/// The schema, one entry per version. Append only.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        applied_at INTEGER NOT NULL,
        now INTEGER NOT NULL,
        instructions INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        renewed INTEGER NOT NULL,
        disabled INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        rejected INTEGER NOT NULL
    );
    CREATE INDEX batches_sha256 ON batches (sha256);
    CREATE TABLE sessions (
        gstin TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL,
        enabled_at INTEGER NOT NULL,
        duration_hours INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_change INTEGER NOT NULL,
        reference TEXT NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES batches (id)
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches (id),
        row INTEGER NOT NULL,
        gstin TEXT NOT NULL,
        action TEXT NOT NULL,
        duration_hours INTEGER,
        effective_at INTEGER,
        outcome TEXT NOT NULL,
        reason TEXT,
        message TEXT,
        previous_status TEXT NOT NULL,
        previous_expiry INTEGER,
        expires_at INTEGER,
        reference TEXT NOT NULL
    );
    CREATE INDEX events_gstin ON events (gstin, id);
",
    "
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        identifier TEXT NOT NULL,
        kind TEXT NOT NULL,
        asked_at INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        record TEXT NOT NULL,
        raw TEXT NOT NULL,
        transaction_id TEXT NOT NULL
    );
    CREATE INDEX answers_identifier ON answers (kind, identifier, id);
",
    // Sessions keyed by the GSTIN itself: one B-tree instead of a table and
    // its index, so a batch writes each session once, in a third less space.
    "
    CREATE TABLE sessions_by_gstin (
        gstin TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL,
        enabled_at INTEGER NOT NULL,
        duration_hours INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_change INTEGER NOT NULL,
        reference TEXT NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES batches (id)
    ) WITHOUT ROWID;
    INSERT INTO sessions_by_gstin
        SELECT gstin, enabled, enabled_at, duration_hours, expires_at, last_change, reference,
               batch_id
        FROM sessions;
    DROP TABLE sessions;
    ALTER TABLE sessions_by_gstin RENAME TO sessions;
",
    // An event's outcome and previous status as the small integers of
    // `access::outcome_code` and `access::status_code`, not as names: two
    // text values fewer to copy into SQLite for each event, and a row 12
    // bytes shorter. A name with no code stops the migration (NOT NULL).
    "
    CREATE TABLE events_coded (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches (id),
        row INTEGER NOT NULL,
        gstin TEXT NOT NULL,
        action TEXT NOT NULL,
        duration_hours INTEGER,
        effective_at INTEGER,
        outcome INTEGER NOT NULL,
        reason TEXT,
        message TEXT,
        previous_status INTEGER NOT NULL,
        previous_expiry INTEGER,
        expires_at INTEGER,
        reference TEXT NOT NULL
    );
    INSERT INTO events_coded
        SELECT id, batch_id, row, gstin, action, duration_hours, effective_at,
               CASE outcome WHEN 'enabled' THEN 1 WHEN 'renewed' THEN 2 WHEN 'disabled' THEN 3
                            WHEN 'unchanged' THEN 4 WHEN 'rejected' THEN 5 END,
               reason, message,
               CASE previous_status WHEN 'active' THEN 1 WHEN 'expired' THEN 2
                                    WHEN 'disabled' THEN 3 WHEN 'unknown' THEN 4 END,
               previous_expiry, expires_at, reference
        FROM events;
    DROP TABLE events;
    ALTER TABLE events_coded RENAME TO events;
    CREATE INDEX events_gstin ON events (gstin, id);
",
];

pub use crate::error::StoreError;

/// Where the store is and how long a writer waits for another's lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The store file.
    pub path: PathBuf,
    /// `--wait`.
    pub wait: Duration,
}

impl Location {
    /// [`Store::open_read`] here.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn open_read(&self) -> Result<Store> {
        Store::open_read(&self.path, self.wait)
    }

    /// [`Store::open_write`] here.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn open_write(&self) -> Result<Store> {
        Store::open_write(&self.path, self.wait)
    }
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    wait: Duration,
    /// Opened to write: on close it tries to leave the file in rollback
    /// journal mode.
    writer: bool,
    /// The file opened to write, checked at each write transaction.
    identity: Option<FileId>,
}

impl Drop for Store {
    /// A store at rest is in rollback journal mode with no `-wal` or `-shm`
    /// beside it, so that a read-only open creates no file at all. Leaving
    /// WAL needs every other connection gone; if one is there (another run
    /// waiting to write, a reader), the switch is simply left to the last
    /// writer to close.
    fn drop(&mut self) {
        if self.writer {
            let _ = self.conn.busy_timeout(Duration::ZERO);
            let _ = self.conn.pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()));
        }
    }
}

/// Where the store is when neither `--state`, `GSTBATCH_STATE` nor the
/// configuration file says: `gstbatch/state.db` in the platform's local
/// data folder, as the
/// `directories` crate finds it: `$XDG_DATA_HOME` or `~/.local/share` on
/// Linux, `~/Library/Application Support` on macOS, `%LOCALAPPDATA%` on
/// Windows (local, not roaming: a store is a machine's record, and a
/// SQLite file must not be synced between machines while open).
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    Some(dirs.data_local_dir().join("gstbatch").join("state.db"))
}

/// Every file a store at `path` is made of: the store, SQLite's `-wal`,
/// `-shm` and `-journal` beside it, and the verify lock (a report renamed
/// over that would let a second run lock a new file beside the first
/// run's). No output may name one of them.
pub fn files(path: &Path) -> Vec<PathBuf> {
    let mut files = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal", verify::VERIFY_LOCK_SUFFIX] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
}

/// Whether an unmarked database is a store made before stores were marked:
/// schema version 1 or later, with the ledger's three tables.
fn is_unmarked_store(conn: &Connection) -> rusqlite::Result<bool> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'
             AND name IN ('batches', 'sessions', 'events')",
        [],
        |r| r.get(0),
    )?;
    Ok(version >= 1 && tables == 3)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl Store {
    fn err(&self, e: impl Into<StoreError>) -> Error {
        Error::Store { path: self.path.clone(), source: e.into() }
    }

    /// A busy database after the wait is "locked"; anything else as it is.
    fn lock_err(&self, e: rusqlite::Error) -> Error {
        lock_err(&self.path, self.wait, e)
    }

    /// Opens an existing store to read it: read-only, never created,
    /// migrated or locked. A missing file, or one that is not a gstbatch
    /// store, is an error (a mistyped `--state` is not "no sessions").
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn open_read(path: &Path, wait: Duration) -> Result<Store> {
        let fail = |source| Error::Store { path: path.to_path_buf(), source };
        if !path.exists() {
            return Err(fail(StoreError::Missing));
        }
        let header = read_header(path).map_err(fail)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(e.into()))?;
        let store = Store { conn, path: path.to_path_buf(), wait, writer: false, identity: None };
        store.conn.busy_timeout(wait).map_err(|e| store.err(e))?;
        store.check_ours(header)?;
        let version = store.version()?;
        if version > MIGRATIONS.len() as i64 {
            return Err(store.err(StoreError::Newer { found: version, known: known() }));
        }
        Ok(store)
    }

    /// Opens the store to write to it, creating it only where no file
    /// exists. An existing file must be a gstbatch store that passes
    /// `PRAGMA quick_check`; its schema is brought up to date.
    ///
    /// # Errors
    /// [`Error::Store`]: not ours, damaged, read-only, newer, locked past
    /// `wait`.
    pub fn open_write(path: &Path, wait: Duration) -> Result<Store> {
        let fail = |source| Error::Store { path: path.to_path_buf(), source };
        if fs::symlink_metadata(path).is_err() {
            create(path).map_err(fail)?;
        }
        let header = read_header(path).map_err(fail)?;
        if fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
            return Err(fail(StoreError::Io(
                "the store file is read-only",
                io::Error::from(io::ErrorKind::PermissionDenied),
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(e.into()))?;
        let identity =
            FileId::of(path).map_err(|e| fail(StoreError::Io("cannot read the store file", e)))?;
        let mut store =
            Store { conn, path: path.to_path_buf(), wait, writer: false, identity: Some(identity) };
        store.conn.busy_timeout(wait).map_err(|e| store.err(e))?;
        store.check_ours(header)?;
        store.check_integrity()?;
        store.setup()?;
        store.writer = true;
        store.migrate()?;
        Ok(store)
    }

    /// An empty in-memory store (a dry run against a store not made yet).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn in_memory() -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory()
            .map_err(|e| Error::Store { path: path.clone(), source: e.into() })?;
        let mut store =
            Store { conn, path, wait: Duration::from_secs(1), writer: false, identity: None };
        store.migrate()?;
        Ok(store)
    }

    /// Refuses a database that is not a gstbatch store.
    fn check_ours(&self, header: Header) -> Result<()> {
        if header == Header::MaybeOurs && !is_unmarked_store(&self.conn).map_err(|e| self.err(e))? {
            return Err(self.err(StoreError::NotOurs("another application's SQLite database")));
        }
        Ok(())
    }

    fn check_integrity(&self) -> Result<()> {
        let verdict: String = self
            .conn
            .pragma_query_value(None, "quick_check", |r| r.get(0))
            .map_err(|e| self.lock_err(e))?;
        if verdict != "ok" {
            return Err(self.err(StoreError::Damaged(verdict)));
        }
        Ok(())
    }

    /// Connection settings for writing: WAL for the run (readers see the
    /// last committed state while a batch is written), each commit synced.
    fn setup(&self) -> Result<()> {
        // Entering WAL takes an exclusive lock without going through the
        // busy handler, so it is retried for up to `wait`.
        let started = std::time::Instant::now();
        loop {
            match self.conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(())) {
                Ok(()) => break,
                Err(e) if is_busy(&e) && started.elapsed() < self.wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(self.lock_err(e)),
            }
        }
        // FULL: a committed batch survives power loss. A run commits once,
        // so this costs one sync.
        self.conn.pragma_update(None, "synchronous", "FULL").map_err(|e| self.err(e))?;
        // 16 MiB, four times SQLite's default: `access apply` inserts events
        // in the GSTIN index's key order, so its pages are touched once in
        // turn; 64 MiB was measured as no faster at 1M events, for 35 MiB
        // more memory.
        self.conn.pragma_update(None, "cache_size", -16384).map_err(|e| self.err(e))?;
        self.conn.pragma_update(None, "foreign_keys", "ON").map_err(|e| self.err(e))
    }

    /// The store's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (number of migrations applied).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.lock_err(e))
    }

    /// Runs the migrations not yet applied, and marks a store made before
    /// stores were marked, in one exclusive transaction.
    fn migrate(&mut self) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(|e| lock_err(&self.path, self.wait, e))?;
        let path = &self.path;
        let err = |e: rusqlite::Error| Error::Store { path: path.clone(), source: e.into() };
        let version: i64 =
            tx.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(err)?;
        if version > known() {
            return Err(Error::Store {
                path: path.clone(),
                source: StoreError::Newer { found: version, known: known() },
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(err)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(err)?;
        }
        let app: i32 = tx.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(err)?;
        if app != APPLICATION_ID {
            tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Starts a transaction. With `write`, it takes the store's write lock at
    /// once (waiting up to `--wait`), so that everything read inside it stays
    /// true until the commit: two runs at once never compute from the same
    /// stale state. Without, it only reads; dropping either rolls back.
    /// A write to a store whose file was deleted or replaced since it was
    /// opened is refused, before it begins and again after its commit.
    ///
    /// # Errors
    /// [`Error::Store`], including "locked" after the wait and
    /// [`StoreError::Replaced`].
    pub fn begin(&mut self, write: bool) -> Result<Tx<'_>> {
        let identity = self.identity.filter(|_| write);
        same_file(&self.path, identity)?;
        let behavior =
            if write { TransactionBehavior::Immediate } else { TransactionBehavior::Deferred };
        let tx = self
            .conn
            .transaction_with_behavior(behavior)
            .map_err(|e| lock_err(&self.path, self.wait, e))?;
        Ok(Tx { tx, path: self.path.clone(), identity })
    }
}

/// Refuses a write when the file at `path` is no longer the one opened.
fn same_file(path: &Path, opened: Option<FileId>) -> Result<()> {
    match opened {
        Some(id) if FileId::of(path).ok() != Some(id) => {
            Err(Error::Store { path: path.to_path_buf(), source: StoreError::Replaced })
        }
        _ => Ok(()),
    }
}

/// The newest schema version this build knows.
fn known() -> i64 {
    MIGRATIONS.len() as i64
}

/// A busy database after the wait is "locked"; anything else as it is. A
/// free function too, for where the connection is already borrowed.
fn lock_err(path: &Path, wait: Duration, e: rusqlite::Error) -> Error {
    let source = if is_busy(&e) { StoreError::Locked(wait.as_secs()) } else { e.into() };
    Error::Store { path: path.to_path_buf(), source }
}

/// A transaction on the store; see [`Store::begin`].
pub struct Tx<'s> {
    tx: rusqlite::Transaction<'s>,
    path: PathBuf,
    /// For a write: the file the store was opened on.
    identity: Option<FileId>,
}

impl Tx<'_> {
    fn err(&self, e: impl Into<StoreError>) -> Error {
        Error::Store { path: self.path.clone(), source: e.into() }
    }

    /// Commits: everything recorded in this transaction lands together.
    ///
    /// # Errors
    /// [`Error::Store`]; nothing lands then. [`StoreError::Replaced`] when
    /// the file was deleted or replaced while it was written: the commit
    /// went to a file that no longer has a name.
    pub fn commit(self) -> Result<()> {
        let (path, identity) = (self.path, self.identity);
        self.tx.commit().map_err(|e| Error::Store { path: path.clone(), source: e.into() })?;
        same_file(&path, identity)
    }
}

#[cfg(test)]
mod tests;
