//! The state store: an embedded SQLite database (rusqlite, bundled).
//!
//! - Schema migrations are an append-only list; `PRAGMA user_version` holds
//!   how many have run. Never edit or remove an entry: add one.
//! - WAL mode and a busy timeout: two runs at once take turns instead of
//!   failing; a run that cannot get the write lock within `--wait` seconds
//!   stops with exit 2.
//! - One batch is one transaction: the audit trail (every instruction as an
//!   event, every batch with its file's SHA-256) and the sessions change
//!   together or not at all.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::error::{Error, Result};

use super::apply::Session;
use super::duration::AccessDuration;

/// The schema, one entry per version. Append only.
const MIGRATIONS: &[&str] = &["
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
"];

/// A batch already in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Its id.
    pub id: i64,
    /// The file name it was applied from.
    pub file_name: String,
    /// When it was applied (wall clock, epoch seconds).
    pub applied_at: i64,
    /// The "now" the run used (epoch seconds).
    pub now: i64,
}

/// One recorded event: an instruction and its outcome. Text fields borrow
/// from the instruction rows while a batch is applied, and own their text
/// when read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'a> {
    /// The batch it came in.
    pub batch_id: i64,
    /// Its spreadsheet row in that batch's file.
    pub row: u64,
    /// The GSTIN (canonical when valid, else as given).
    pub gstin: Cow<'a, str>,
    /// The action as given.
    pub action: Cow<'a, str>,
    /// The duration, when valid.
    pub duration: Option<AccessDuration>,
    /// The effective time, when readable.
    pub effective_at: Option<i64>,
    /// `enabled`, `renewed`, `disabled`, `unchanged` or `rejected`.
    pub outcome: Cow<'a, str>,
    /// The rejection reason code.
    pub reason: Option<Cow<'a, str>>,
    /// The rejection message.
    pub message: Option<Cow<'a, str>>,
    /// The status before it.
    pub previous_status: Cow<'a, str>,
    /// The expiry before it.
    pub previous_expiry: Option<i64>,
    /// The expiry after it.
    pub expires_at: Option<i64>,
    /// The reference.
    pub reference: Cow<'a, str>,
}

/// Counts of one batch, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Instructions in the file.
    pub instructions: u64,
    /// `enabled` outcomes.
    pub enabled: u64,
    /// `renewed` outcomes.
    pub renewed: u64,
    /// `disabled` outcomes.
    pub disabled: u64,
    /// `unchanged` outcomes.
    pub unchanged: u64,
    /// `rejected` outcomes.
    pub rejected: u64,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    wait: Duration,
}

/// Where the store is when `--state` is not given: `GSTBATCH_STATE`, else
/// the platform's data folder (`$XDG_DATA_HOME` or `~/.local/share` on
/// Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on
/// Windows), in a `gstbatch` folder.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GSTBATCH_STATE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    }?;
    Some(base.join("gstbatch").join("state.db"))
}

impl Store {
    fn err(&self, e: rusqlite::Error) -> Error {
        store_err(&self.path, e)
    }

    /// Opens (and, when `create`, creates) the store at `path`, bringing its
    /// schema up to date. A missing store with `create` false is an error,
    /// so a mistyped `--state` is not read as "no sessions".
    ///
    /// # Errors
    /// [`Error::Store`]: not a database, read-only, locked past `wait`.
    pub fn open(path: &Path, wait: Duration, create: bool) -> Result<Store> {
        let exists = path.exists();
        if !exists && !create {
            return Err(Error::Store {
                path: path.to_path_buf(),
                message: "no store here (nothing has been applied to it yet)".into(),
            });
        }
        if exists && create && std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
            return Err(Error::Store {
                path: path.to_path_buf(),
                message: "the store file is read-only".into(),
            });
        }
        if !exists && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::Store {
                path: path.to_path_buf(),
                message: format!("cannot create its folder: {e}"),
            })?;
        }
        let flags = if create {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        // Switching a new file to WAL takes an exclusive lock without going
        // through the busy handler, so two first runs at once retry it.
        let started = std::time::Instant::now();
        let conn = loop {
            match connect(path, flags, wait, !exists) {
                Ok(conn) => break conn,
                Err(e) if is_busy(&e) && started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(locked_or(path, wait, e)),
            }
        };
        let mut store = Store { conn, path: path.to_path_buf(), wait };
        store.migrate()?;
        Ok(store)
    }

    /// An in-memory store, for tests.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn in_memory() -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| store_err(&path, e))?;
        let mut store = Store { conn, path, wait: Duration::from_secs(1) };
        store.migrate()?;
        Ok(store)
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
        self.conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// Runs the migrations not yet applied, in one exclusive transaction.
    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(|e| locked_or(&path, self.wait, e))?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| store_err(&path, e))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(Error::Store {
                path,
                message: format!(
                    "the store's schema is version {version}, newer than this gstbatch knows ({}): \
                     upgrade gstbatch",
                    MIGRATIONS.len()
                ),
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(|e| store_err(&path, e))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(|e| store_err(&path, e))?;
        }
        tx.commit().map_err(|e| store_err(&path, e))
    }

    /// Every session, by GSTIN.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn sessions(&self) -> Result<HashMap<String, Session>> {
        load_sessions(&self.conn, &self.path)
    }

    /// A GSTIN's events, oldest first (in the order they were applied).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn history(&self, gstin: &str) -> Result<Vec<Event<'static>>> {
        load_events(
            &self.conn,
            &self.path,
            &format!("{EVENT_COLUMNS} WHERE gstin = ?1 ORDER BY id"),
            &gstin,
        )
    }

    /// Starts a transaction. With `write`, it takes the store's write lock at
    /// once (waiting up to `--wait`), so that everything read inside it stays
    /// true until the commit: two runs at once never compute from the same
    /// stale sessions. Without, it only reads; dropping either rolls back.
    ///
    /// # Errors
    /// [`Error::Store`], including "locked" after the wait.
    pub fn begin(&mut self, write: bool) -> Result<Tx<'_>> {
        let behavior =
            if write { TransactionBehavior::Immediate } else { TransactionBehavior::Deferred };
        let tx = self
            .conn
            .transaction_with_behavior(behavior)
            .map_err(|e| locked_or(&self.path, self.wait, e))?;
        Ok(Tx { tx, path: self.path.clone() })
    }
}

/// A transaction on the store; see [`Store::begin`].
pub struct Tx<'s> {
    tx: rusqlite::Transaction<'s>,
    path: PathBuf,
}

impl Tx<'_> {
    /// The batch applied from a file with this SHA-256, if any (the latest).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn find_batch(&self, sha256: &str) -> Result<Option<Batch>> {
        self.tx
            .query_row(
                "SELECT id, file_name, applied_at, now FROM batches WHERE sha256 = ?1 ORDER BY id DESC LIMIT 1",
                [sha256],
                |r| Ok(Batch { id: r.get(0)?, file_name: r.get(1)?, applied_at: r.get(2)?, now: r.get(3)? }),
            )
            .optional()
            .map_err(|e| store_err(&self.path, e))
    }

    /// Every session, by GSTIN.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn sessions(&self) -> Result<HashMap<String, Session>> {
        load_sessions(&self.tx, &self.path)
    }

    /// A batch's events in file order.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn batch_events(&self, batch_id: i64) -> Result<Vec<Event<'static>>> {
        load_events(
            &self.tx,
            &self.path,
            &format!("{EVENT_COLUMNS} WHERE batch_id = ?1 ORDER BY row, id"),
            &batch_id,
        )
    }

    /// Records one batch: the batch, its events (given in the order they
    /// were applied; each GSTIN's events keep that order) and the changed
    /// sessions. Nothing lands before [`Tx::commit`].
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn record(
        &self,
        batch: (&str, &str, i64, i64, Counts),
        events: &[Event<'_>],
        sessions: &[(&str, &Session)],
        progress: &crate::batch::progress::Progress,
    ) -> Result<i64> {
        let path = &self.path;
        let e = |e: rusqlite::Error| store_err(path, e);
        let tx = &self.tx;
        let (sha, file_name, applied_at, now, c) = batch;
        tx.execute(
            "INSERT INTO batches (sha256, file_name, applied_at, now, instructions, enabled, renewed,
                                  disabled, unchanged, rejected)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                sha,
                file_name,
                applied_at,
                now,
                c.instructions as i64,
                c.enabled as i64,
                c.renewed as i64,
                c.disabled as i64,
                c.unchanged as i64,
                c.rejected as i64
            ],
        )
        .map_err(e)?;
        let batch_id = tx.last_insert_rowid();
        {
            let mut ins = tx
                .prepare(
                    "INSERT INTO events (batch_id, row, gstin, action, effective_at, duration_hours,
                                         outcome, reason, message, previous_status, previous_expiry,
                                         expires_at, reference)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .map_err(e)?;
            // Inserted GSTIN by GSTIN (each GSTIN's events keep the order
            // they were applied in, which is all `history` needs of the ids):
            // the (gstin, id) index then fills in key order instead of at
            // random, several times faster for a large batch.
            let mut order: Vec<&Event<'_>> = events.iter().collect();
            order.sort_by(|a, b| a.gstin.cmp(&b.gstin));
            for (n, ev) in order.into_iter().enumerate() {
                if n % 4096 == 0 {
                    progress.set(n as u64);
                }
                ins.execute(params![
                    batch_id,
                    ev.row as i64,
                    ev.gstin.as_ref(),
                    ev.action.as_ref(),
                    ev.effective_at,
                    ev.duration.map(|d| d.hours()),
                    ev.outcome.as_ref(),
                    ev.reason.as_deref(),
                    ev.message.as_deref(),
                    ev.previous_status.as_ref(),
                    ev.previous_expiry,
                    ev.expires_at,
                    ev.reference.as_ref(),
                ])
                .map_err(e)?;
            }
            let mut up = tx
                .prepare(
                    "INSERT INTO sessions (gstin, enabled, enabled_at, duration_hours, expires_at,
                                           last_change, reference, batch_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (gstin) DO UPDATE SET enabled = excluded.enabled,
                         enabled_at = excluded.enabled_at, duration_hours = excluded.duration_hours,
                         expires_at = excluded.expires_at, last_change = excluded.last_change,
                         reference = excluded.reference, batch_id = excluded.batch_id",
                )
                .map_err(e)?;
            for (gstin, s) in sessions {
                up.execute(params![
                    gstin,
                    s.enabled,
                    s.enabled_at,
                    s.duration.hours(),
                    s.expires_at,
                    s.last_change,
                    s.reference,
                    batch_id
                ])
                .map_err(e)?;
            }
        }
        Ok(batch_id)
    }

    /// Commits: everything recorded in this transaction lands together.
    ///
    /// # Errors
    /// [`Error::Store`]; nothing lands then.
    pub fn commit(self) -> Result<()> {
        self.tx.commit().map_err(|e| store_err(&self.path, e))
    }
}

/// Every session, by GSTIN.
fn load_sessions(conn: &Connection, path: &Path) -> Result<HashMap<String, Session>> {
    let err = |e| store_err(path, e);
    let mut stmt = conn
        .prepare(
            "SELECT gstin, enabled, enabled_at, duration_hours, expires_at, last_change, reference
                 FROM sessions",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map([], |r| {
            let hours: u32 = r.get(3)?;
            Ok((
                r.get::<_, String>(0)?,
                Session {
                    enabled: r.get(1)?,
                    enabled_at: r.get(2)?,
                    duration: AccessDuration::from_hours(hours).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            3,
                            rusqlite::types::Type::Integer,
                            Box::new(e),
                        )
                    })?,
                    expires_at: r.get(4)?,
                    last_change: r.get(5)?,
                    reference: r.get(6)?,
                },
            ))
        })
        .map_err(err)?;
    rows.collect::<rusqlite::Result<HashMap<_, _>>>().map_err(err)
}

/// Events selected by `sql` with one parameter.
fn load_events(
    conn: &Connection,
    path: &Path,
    sql: &str,
    param: &dyn rusqlite::ToSql,
) -> Result<Vec<Event<'static>>> {
    let err = |e| store_err(path, e);
    let mut stmt = conn.prepare(sql).map_err(err)?;
    let rows = stmt
        .query_map([param], |r| {
            let hours: Option<u32> = r.get(5)?;
            let owned = |i: usize| r.get::<_, String>(i).map(Cow::Owned);
            let maybe = |i: usize| r.get::<_, Option<String>>(i).map(|o| o.map(Cow::Owned));
            Ok(Event {
                batch_id: r.get(0)?,
                row: r.get::<_, i64>(1)?.max(0) as u64,
                gstin: owned(2)?,
                action: owned(3)?,
                effective_at: r.get(4)?,
                duration: hours.and_then(|h| AccessDuration::from_hours(h).ok()),
                outcome: owned(6)?,
                reason: maybe(7)?,
                message: maybe(8)?,
                previous_status: owned(9)?,
                previous_expiry: r.get(10)?,
                expires_at: r.get(11)?,
                reference: owned(12)?,
            })
        })
        .map_err(err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(err)
}

const EVENT_COLUMNS: &str =
    "SELECT batch_id, row, gstin, action, effective_at, duration_hours, outcome, reason,
        message, previous_status, previous_expiry, expires_at, reference FROM events";

fn store_err(path: &Path, e: rusqlite::Error) -> Error {
    Error::Store { path: path.to_path_buf(), message: e.to_string() }
}

/// Opens a connection and sets it up: WAL, busy timeout, page cache.
fn connect(
    path: &Path,
    flags: OpenFlags,
    wait: Duration,
    new: bool,
) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(wait)?;
    // Reading the header first: a file that is not a database fails here,
    // before anything is written to it.
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version < MIGRATIONS.len() as i64 || new {
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A large batch is one transaction: a bigger page cache keeps its pages
    // from spilling into the WAL before the commit.
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// A busy database after the wait becomes a clear "locked" message.
fn locked_or(path: &Path, wait: Duration, e: rusqlite::Error) -> Error {
    if !is_busy(&e) {
        return store_err(path, e);
    }
    Error::Store {
        path: path.to_path_buf(),
        message: format!(
            "another gstbatch run holds the store's lock; gave up after {} s (--wait)",
            wait.as_secs()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::progress::Progress;

    fn session(h: u32) -> Session {
        Session {
            enabled: true,
            enabled_at: 100,
            duration: AccessDuration::from_hours(h).unwrap(),
            expires_at: 100 + i64::from(h) * 3600,
            last_change: 100,
            reference: "r".into(),
        }
    }

    fn event(row: u64, gstin: &str) -> Event<'static> {
        Event {
            batch_id: 0,
            row,
            gstin: Cow::Owned(gstin.into()),
            action: "enable".into(),
            duration: AccessDuration::from_hours(6).ok(),
            effective_at: Some(100),
            outcome: "enabled".into(),
            reason: None,
            message: None,
            previous_status: "unknown".into(),
            previous_expiry: None,
            expires_at: Some(100 + 6 * 3600),
            reference: Cow::Borrowed(""),
        }
    }

    fn exercise(
        store: &mut Store,
    ) -> (HashMap<String, Session>, Vec<Event<'static>>, Option<Batch>) {
        let s = session(6);
        let counts = Counts { instructions: 2, enabled: 2, ..Counts::default() };
        let tx = store.begin(true).unwrap();
        tx.record(
            ("abc", "f.csv", 5, 100, counts),
            &[event(3, "27AAPFU0939F1ZV"), event(2, "29AAACR5055K1Z3")],
            &[("27AAPFU0939F1ZV", &s), ("29AAACR5055K1Z3", &s)],
            &Progress::hidden(),
        )
        .unwrap();
        tx.commit().unwrap();
        let s2 = session(12);
        let tx = store.begin(true).unwrap();
        tx.record(
            ("def", "g.csv", 6, 200, Counts::default()),
            &[],
            &[("27AAPFU0939F1ZV", &s2)],
            &Progress::hidden(),
        )
        .unwrap();
        tx.commit().unwrap();
        let tx = store.begin(false).unwrap();
        let batch = tx.find_batch("abc").unwrap();
        let events = tx.batch_events(batch.as_ref().unwrap().id).unwrap();
        drop(tx);
        (store.sessions().unwrap(), events, batch)
    }

    #[test]
    fn in_memory_and_file_stores_agree() {
        let mut mem = Store::in_memory().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut file = Store::open(&dir.path().join("s.db"), Duration::from_secs(1), true).unwrap();
        let a = exercise(&mut mem);
        let b = exercise(&mut file);
        assert_eq!(a, b);
        assert_eq!(a.0["27AAPFU0939F1ZV"].duration.hours(), 12);
        assert_eq!(a.1.iter().map(|e| e.row).collect::<Vec<_>>(), [2, 3], "file order");
        assert_eq!(a.2.unwrap().file_name, "f.csv");
    }

    #[test]
    fn migrations_on_fresh_and_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut s = Store::open(&path, Duration::from_secs(1), true).unwrap();
        assert_eq!(s.version().unwrap(), MIGRATIONS.len() as i64);
        exercise(&mut s);
        drop(s);
        let mut s = Store::open(&path, Duration::from_secs(1), true).unwrap();
        assert_eq!(s.version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(s.sessions().unwrap().len(), 2, "reopening keeps the data");
        assert!(s.begin(false).unwrap().find_batch("zzz").unwrap().is_none());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        drop(Store::open(&path, Duration::from_secs(1), true).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let err = Store::open(&path, Duration::from_secs(1), true).err().unwrap().to_string();
        assert!(err.contains("newer than this gstbatch knows"), "{err}");
    }

    #[test]
    fn a_transaction_dropped_before_its_commit_records_nothing() {
        let mut s = Store::in_memory().unwrap();
        let tx = s.begin(true).unwrap();
        tx.record(
            ("abc", "f.csv", 5, 100, Counts::default()),
            &[event(2, "27AAPFU0939F1ZV")],
            &[("27AAPFU0939F1ZV", &session(6))],
            &Progress::hidden(),
        )
        .unwrap();
        drop(tx);
        assert!(s.sessions().unwrap().is_empty());
        assert!(s.begin(false).unwrap().find_batch("abc").unwrap().is_none());
    }

    #[test]
    fn a_write_transaction_waits_for_another_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut a = Store::open(&path, Duration::from_millis(200), true).unwrap();
        let mut b = Store::open(&path, Duration::from_millis(200), true).unwrap();
        let held = a.begin(true).unwrap();
        let err = b.begin(true).err().unwrap().to_string();
        assert!(err.contains("holds the store's lock"), "{err}");
        // Readers are not blocked by a writer (WAL).
        assert!(b.sessions().is_ok());
        held.commit().unwrap();
        assert!(b.begin(true).is_ok());
    }

    #[test]
    fn not_a_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        std::fs::write(&path, "GSTIN,action\nthis is a CSV, not a database\n").unwrap();
        let before = std::fs::read(&path).unwrap();
        assert!(Store::open(&path, Duration::from_secs(1), true).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no -wal or -shm left");
    }

    #[test]
    fn a_missing_store_is_an_error_unless_created() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Store::open(&dir.path().join("none.db"), Duration::from_secs(1), false).is_err());
        assert!(!dir.path().join("none.db").exists());
    }
}
