//! The provider's answers to `verify`, kept so that nothing is paid for
//! twice: every answer with its time, the provider's raw JSON and its
//! `transaction_id`. Answers are only ever added; the latest per identifier
//! is the cached one, the one before it says what changed.

use std::collections::HashMap;
use std::fs::TryLockError;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

use crate::error::Result;

use super::{Location, Store, StoreError, Tx};

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The identifier asked about (canonical).
    pub identifier: String,
    /// `gstin` or `pan`.
    pub kind: String,
    /// When it was answered (epoch seconds).
    pub asked_at: i64,
    /// The verdict gstbatch drew from it (`active`, `cancelled`, ...).
    pub verdict: String,
    /// The fields gstbatch reads from the answer, as JSON.
    pub record: String,
    /// The provider's response body as received.
    pub raw: String,
    /// The provider's `transaction_id`.
    pub transaction_id: String,
}

/// The latest answer for an identifier and the one before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// The latest answer.
    pub latest: Option<Answer>,
    /// The answer before the latest.
    pub before: Option<Answer>,
}

/// Held while a `verify` run may buy answers for a store: two runs on one
/// store (overlapping cron jobs, a person beside the nightly job) would
/// otherwise both pay for the same identifiers. The second waits, then reads
/// the first one's answers from the store. A lock on a file beside the store
/// (`state.db-verify.lock`), not on the store itself: SQLite's own locks on
/// the store are byte ranges that a whole-file lock would collide with on
/// Windows. The OS drops it when the process ends, however it ends.
#[derive(Debug)]
pub struct VerifyLock {
    _file: std::fs::File,
}

/// What the verify lock file's name adds to the store's.
pub const VERIFY_LOCK_SUFFIX: &str = "-verify.lock";

impl Location {
    /// The lock file's path: the store's with [`VERIFY_LOCK_SUFFIX`] appended.
    fn verify_lock_path(&self) -> std::path::PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(VERIFY_LOCK_SUFFIX);
        name.into()
    }

    /// Takes the store's verify lock, waiting up to `--wait` for another
    /// run's; `on_wait` is called once if it has to wait.
    ///
    /// # Errors
    /// [`crate::Error::Store`]: the lock file cannot be made, or
    /// [`StoreError::VerifyBusy`] after the wait.
    pub fn lock_verify(&self, on_wait: &dyn Fn()) -> Result<VerifyLock> {
        let fail = |source| crate::Error::Store { path: self.path.clone(), source };
        let path = self.verify_lock_path();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| fail(StoreError::Io("cannot create its folder", e)))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                fail(StoreError::Io("cannot create the verify lock beside the store", e))
            })?;
        let started = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(VerifyLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < self.wait => {
                    if !std::mem::replace(&mut said, true) {
                        on_wait();
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(fail(StoreError::VerifyBusy(self.wait.as_secs())));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(fail(StoreError::Io("cannot lock the verify lock file", e)));
                }
            }
        }
    }
}

impl Store {
    /// The latest two answers for each of `identifiers` of `kind` that has
    /// any. A store made before answers were kept has none.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn answers(&self, kind: &str, identifiers: &[&str]) -> Result<HashMap<String, History>> {
        if self.version()? < 2 {
            return Ok(HashMap::new());
        }
        load(&self.conn, kind, identifiers).map_err(|e| self.err(e))
    }
}

impl Tx<'_> {
    /// Adds answers; nothing lands before [`Tx::commit`].
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn add_answers(&self, answers: &[Answer]) -> Result<()> {
        let mut ins = self
            .tx
            .prepare_cached(
                "INSERT INTO answers (identifier, kind, asked_at, verdict, record, raw,
                                      transaction_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(|e| self.err(e))?;
        for a in answers {
            ins.execute(params![
                a.identifier,
                a.kind,
                a.asked_at,
                a.verdict,
                a.record,
                a.raw,
                a.transaction_id
            ])
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

fn load(
    conn: &Connection,
    kind: &str,
    identifiers: &[&str],
) -> rusqlite::Result<HashMap<String, History>> {
    let mut stmt = conn.prepare_cached(
        "SELECT identifier, kind, asked_at, verdict, record, raw, transaction_id FROM answers
             WHERE kind = ?1 AND identifier = ?2 ORDER BY id DESC LIMIT 2",
    )?;
    let mut out = HashMap::new();
    for id in identifiers {
        let mut rows = stmt
            .query_map(params![kind, id], |r| {
                Ok(Answer {
                    identifier: r.get(0)?,
                    kind: r.get(1)?,
                    asked_at: r.get(2)?,
                    verdict: r.get(3)?,
                    record: r.get(4)?,
                    raw: r.get(5)?,
                    transaction_id: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter();
        let latest = rows.next();
        if latest.is_some() {
            out.insert(id.to_string(), History { latest, before: rows.next() });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn answer(id: &str, at: i64, verdict: &str) -> Answer {
        Answer {
            identifier: id.into(),
            kind: "gstin".into(),
            asked_at: at,
            verdict: verdict.into(),
            record: "{}".into(),
            raw: "{\"code\":200}".into(),
            transaction_id: format!("t{at}"),
        }
    }

    #[test]
    fn the_latest_two_answers_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut s = Store::open_write(&path, Duration::from_secs(1)).unwrap();
        let tx = s.begin(true).unwrap();
        tx.add_answers(&[
            answer("A", 1, "active"),
            answer("A", 2, "cancelled"),
            answer("B", 3, "active"),
        ])
        .unwrap();
        tx.commit().unwrap();
        drop(s);
        let s = Store::open_read(&path, Duration::from_secs(1)).unwrap();
        let got = s.answers("gstin", &["A", "B", "C"]).unwrap();
        assert_eq!(got["A"].latest.as_ref().unwrap().verdict, "cancelled");
        assert_eq!(got["A"].before.as_ref().unwrap().verdict, "active");
        assert!(got["B"].before.is_none());
        assert!(!got.contains_key("C"));
        assert!(s.answers("pan", &["A"]).unwrap().is_empty());
    }
}
