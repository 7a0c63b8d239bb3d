//! The API-access ledger in the store: sessions, events (the audit trail of
//! every instruction) and batches (every applied file with its SHA-256).
//! One batch is one transaction: the events, the batch and the sessions
//! change together or not at all.

use std::borrow::Cow;
use std::collections::HashMap;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, Statement, params};

use crate::error::Result;
use crate::ledger::duration::AccessDuration;
use crate::ledger::{Outcome, Reason, Session, Status};

use super::{Store, Tx};

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
    /// What happened (a rejection carries its reason).
    pub outcome: Outcome,
    /// The rejection message.
    pub message: Option<Cow<'a, str>>,
    /// The status before it.
    pub previous_status: Status,
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

/// How an event's previous status is stored (schema version 4). Fixed
/// forever: stored events hold these numbers, and migration 4 wrote them.
fn status_code(s: Status) -> i64 {
    match s {
        Status::Active => 1,
        Status::Expired => 2,
        Status::Disabled => 3,
        Status::Unknown => 4,
    }
}

/// How an event's outcome is stored (schema version 4), a rejection's
/// reason in a column of its own. Fixed forever, like [`status_code`].
fn outcome_code(o: Outcome) -> i64 {
    match o {
        Outcome::Enabled => 1,
        Outcome::Renewed => 2,
        Outcome::Disabled => 3,
        Outcome::Unchanged => 4,
        Outcome::Rejected(_) => 5,
    }
}

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(status_code(*self).into())
    }
}

impl FromSql for Status {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        // A store read before a writer migrated it still holds names.
        if let ValueRef::Text(_) = v {
            return Status::from_name(v.as_str()?).ok_or(FromSqlError::InvalidType);
        }
        let code = v.as_i64()?;
        Status::ALL
            .into_iter()
            .find(|&s| status_code(s) == code)
            .ok_or(FromSqlError::OutOfRange(code))
    }
}

impl ToSql for Reason {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Reason {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        Reason::from_name(v.as_str()?).ok_or(FromSqlError::InvalidType)
    }
}

impl ToSql for AccessDuration {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.hours().into())
    }
}

impl FromSql for AccessDuration {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let hours = u32::try_from(v.as_i64()?).map_err(|e| FromSqlError::Other(Box::new(e)))?;
        AccessDuration::from_hours(hours).map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// An outcome is stored as its code beside a reason column; this reads the
/// pair back, and the name a store not yet migrated to version 4 holds.
fn outcome(stored: ValueRef<'_>, reason: Option<Reason>) -> rusqlite::Result<Outcome> {
    let found = match (stored, reason) {
        (ValueRef::Text(name), _) => {
            std::str::from_utf8(name).ok().and_then(|n| Outcome::from_name(n, reason))
        }
        (ValueRef::Integer(code), Some(r)) => {
            Some(Outcome::Rejected(r)).filter(|&o| outcome_code(o) == code)
        }
        (ValueRef::Integer(code), None) => {
            Outcome::WITHOUT_REASON.into_iter().find(|&o| outcome_code(o) == code)
        }
        _ => None,
    };
    found.ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            6,
            stored.data_type(),
            format!("no outcome {stored:?} with reason {reason:?}").into(),
        )
    })
}

impl Store {
    /// Every session, by GSTIN.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn sessions(&self) -> Result<HashMap<String, Session>> {
        load_sessions(&self.conn).map_err(|e| self.err(e))
    }

    /// A GSTIN's events, oldest first (in the order they were applied).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn history(&self, gstin: &str) -> Result<Vec<Event<'static>>> {
        let sql = format!("{EVENT_COLUMNS} WHERE gstin = ?1 ORDER BY id");
        load_events(&self.conn, &sql, &gstin).map_err(|e| self.err(e))
    }

    /// The time of the latest change recorded for any GSTIN, if any.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn last_change(&self) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT max(last_change) FROM sessions", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

impl Tx<'_> {
    /// The batch applied from a file with this SHA-256, if any (the latest).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn find_batch(&self, sha256: &str) -> Result<Option<Batch>> {
        self.tx
            .query_row(
                "SELECT id, file_name, applied_at, now FROM batches WHERE sha256 = ?1 ORDER BY id DESC LIMIT 1",
                [sha256],
                |r| Ok(Batch { id: r.get(0)?, file_name: r.get(1)?, applied_at: r.get(2)?, now: r.get(3)? }),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every session, by GSTIN.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn sessions(&self) -> Result<HashMap<String, Session>> {
        load_sessions(&self.tx).map_err(|e| self.err(e))
    }

    /// A batch's events in file order.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn batch_events(&self, batch_id: i64) -> Result<Vec<Event<'static>>> {
        let sql = format!("{EVENT_COLUMNS} WHERE batch_id = ?1 ORDER BY row, id");
        load_events(&self.tx, &sql, &batch_id).map_err(|e| self.err(e))
    }

    /// Records one batch: the batch, its events and the changed sessions.
    /// Nothing lands before [`Tx::commit`].
    ///
    /// Events are numbered in the order given, so each GSTIN's must come in
    /// the order they were applied (all `history` needs of the ids). Given
    /// GSTIN by GSTIN, the (gstin, id) index fills in key order instead of
    /// at random, several times faster for a large batch.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn record<'e>(
        &self,
        batch: (&str, &str, i64, i64, Counts),
        events: impl IntoIterator<Item = Event<'e>>,
        sessions: &[(&str, &Session)],
        progress: &dyn Fn(u64),
    ) -> Result<i64> {
        let e = |e: rusqlite::Error| self.err(e);
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
        let mut n = 0u64;
        insert_many(
            tx,
            "INSERT INTO events (batch_id, row, gstin, action, effective_at, duration_hours,
                                 outcome, reason, message, previous_status, previous_expiry,
                                 expires_at, reference)",
            "",
            13,
            events.into_iter().inspect(|_| {
                if n.is_multiple_of(4096) {
                    progress(n);
                }
                n += 1;
            }),
            |st, i, ev| {
                st.raw_bind_parameter(i, batch_id)?;
                st.raw_bind_parameter(i + 1, ev.row as i64)?;
                st.raw_bind_parameter(i + 2, ev.gstin.as_ref())?;
                st.raw_bind_parameter(i + 3, ev.action.as_ref())?;
                st.raw_bind_parameter(i + 4, ev.effective_at)?;
                st.raw_bind_parameter(i + 5, ev.duration)?;
                st.raw_bind_parameter(i + 6, outcome_code(ev.outcome))?;
                st.raw_bind_parameter(i + 7, ev.outcome.reason())?;
                st.raw_bind_parameter(i + 8, ev.message.as_deref())?;
                st.raw_bind_parameter(i + 9, ev.previous_status)?;
                st.raw_bind_parameter(i + 10, ev.previous_expiry)?;
                st.raw_bind_parameter(i + 11, ev.expires_at)?;
                st.raw_bind_parameter(i + 12, ev.reference.as_ref())
            },
        )
        .map_err(e)?;
        insert_many(
            tx,
            "INSERT INTO sessions (gstin, enabled, enabled_at, duration_hours, expires_at,
                                   last_change, reference, batch_id)",
            "ON CONFLICT (gstin) DO UPDATE SET enabled = excluded.enabled,
                 enabled_at = excluded.enabled_at, duration_hours = excluded.duration_hours,
                 expires_at = excluded.expires_at, last_change = excluded.last_change,
                 reference = excluded.reference, batch_id = excluded.batch_id",
            8,
            sessions,
            |st, i, (gstin, s)| {
                st.raw_bind_parameter(i, gstin)?;
                st.raw_bind_parameter(i + 1, s.enabled)?;
                st.raw_bind_parameter(i + 2, s.enabled_at)?;
                // NOT NULL: 0 hours for a GSTIN never enabled.
                st.raw_bind_parameter(i + 3, s.duration.map_or(0, AccessDuration::hours))?;
                st.raw_bind_parameter(i + 4, s.expires_at)?;
                st.raw_bind_parameter(i + 5, s.last_change)?;
                st.raw_bind_parameter(i + 6, s.reference.as_str())?;
                st.raw_bind_parameter(i + 7, batch_id)
            },
        )
        .map_err(e)?;
        Ok(batch_id)
    }
}

/// Rows one INSERT statement takes: a step, a reset and a VDBE halt serve
/// this many rows instead of one.
const ROWS_PER_INSERT: usize = 32;

/// Inserts `items`, `ROWS_PER_INSERT` rows to a statement: `head` is the
/// INSERT up to its `VALUES`, `tail` what follows them (an ON CONFLICT
/// clause, or nothing), and `bind` binds one item's `cols` values from the
/// 1-based index it is given.
fn insert_many<T>(
    conn: &Connection,
    head: &str,
    tail: &str,
    cols: usize,
    items: impl IntoIterator<Item = T>,
    bind: impl Fn(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let sql = |rows: usize| {
        let one = format!("({})", vec!["?"; cols].join(","));
        format!("{head} VALUES {} {tail}", vec![one; rows].join(","))
    };
    let mut full = conn.prepare(&sql(ROWS_PER_INSERT))?;
    let mut pending = Vec::with_capacity(ROWS_PER_INSERT);
    let run = |st: &mut Statement<'_>, rows: &mut Vec<T>| -> rusqlite::Result<()> {
        for (k, item) in rows.iter().enumerate() {
            bind(st, k * cols + 1, item)?;
        }
        rows.clear();
        st.raw_execute().map(drop)
    };
    for item in items {
        pending.push(item);
        if pending.len() == ROWS_PER_INSERT {
            run(&mut full, &mut pending)?;
        }
    }
    if !pending.is_empty() {
        run(&mut conn.prepare(&sql(pending.len()))?, &mut pending)?;
    }
    Ok(())
}

/// Every session, by GSTIN.
fn load_sessions(conn: &Connection) -> rusqlite::Result<HashMap<String, Session>> {
    let mut stmt = conn.prepare(
        "SELECT gstin, enabled, enabled_at, duration_hours, expires_at, last_change, reference
             FROM sessions",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Session {
                enabled: r.get(1)?,
                enabled_at: r.get(2)?,
                duration: match r.get::<_, u32>(3)? {
                    0 => None,
                    _ => Some(r.get(3)?),
                },
                expires_at: r.get(4)?,
                last_change: r.get(5)?,
                reference: r.get(6)?,
            },
        ))
    })?;
    rows.collect()
}

/// Events selected by `sql` with one parameter.
fn load_events(
    conn: &Connection,
    sql: &str,
    param: &dyn ToSql,
) -> rusqlite::Result<Vec<Event<'static>>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([param], |r| {
        let owned = |i: usize| r.get::<_, String>(i).map(Cow::Owned);
        Ok(Event {
            batch_id: r.get(0)?,
            row: r.get::<_, i64>(1)?.max(0) as u64,
            gstin: owned(2)?,
            action: owned(3)?,
            effective_at: r.get(4)?,
            duration: r.get(5)?,
            outcome: outcome(r.get_ref(6)?, r.get(7)?)?,
            message: r.get::<_, Option<String>>(8)?.map(Cow::Owned),
            previous_status: r.get(9)?,
            previous_expiry: r.get(10)?,
            expires_at: r.get(11)?,
            reference: owned(12)?,
        })
    })?;
    rows.collect()
}

const EVENT_COLUMNS: &str =
    "SELECT batch_id, row, gstin, action, effective_at, duration_hours, outcome, reason,
        message, previous_status, previous_expiry, expires_at, reference FROM events";

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn session(h: u32) -> Session {
        Session {
            enabled: true,
            enabled_at: 100,
            duration: AccessDuration::from_hours(h).ok(),
            expires_at: 100 + i64::from(h) * 3600,
            last_change: 100,
            reference: "r".into(),
        }
    }

    fn event(row: u64, gstin: &str, outcome: Outcome) -> Event<'static> {
        Event {
            batch_id: 0,
            row,
            gstin: Cow::Owned(gstin.into()),
            action: "enable".into(),
            duration: AccessDuration::from_hours(6).ok(),
            effective_at: Some(100),
            outcome,
            message: outcome.reason().map(|r| Cow::Borrowed(r.as_str())),
            previous_status: Status::Unknown,
            previous_expiry: None,
            expires_at: Some(100 + 6 * 3600),
            reference: Cow::Borrowed(""),
        }
    }

    fn exercise(
        store: &mut Store,
    ) -> (HashMap<String, Session>, Vec<Event<'static>>, Option<Batch>) {
        let s = session(6);
        let counts = Counts { instructions: 3, enabled: 2, rejected: 1, ..Counts::default() };
        let tx = store.begin(true).unwrap();
        tx.record(
            ("abc", "f.csv", 5, 100, counts),
            [
                event(3, "27AAPFU0939F1ZV", Outcome::Enabled),
                event(2, "29AAACR5055K1Z3", Outcome::Enabled),
                event(4, "29AAACR5055K1Z3", Outcome::Rejected(Reason::OutOfOrder)),
            ],
            &[("27AAPFU0939F1ZV", &s), ("29AAACR5055K1Z3", &s)],
            &|_| {},
        )
        .unwrap();
        tx.commit().unwrap();
        let s2 = session(12);
        let tx = store.begin(true).unwrap();
        tx.record(
            ("def", "g.csv", 6, 200, Counts::default()),
            [],
            &[("27AAPFU0939F1ZV", &s2)],
            &|_| {},
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
    fn every_outcome_and_status_has_its_own_code_and_reads_back() {
        let outcomes: Vec<Outcome> = Outcome::WITHOUT_REASON
            .into_iter()
            .chain(Reason::ALL.into_iter().map(Outcome::Rejected))
            .collect();
        for &o in &outcomes {
            let code = ValueRef::Integer(outcome_code(o));
            assert_eq!(outcome(code, o.reason()).unwrap(), o, "{o:?}");
            let name = ValueRef::Text(o.as_str().as_bytes());
            assert_eq!(outcome(name, o.reason()).unwrap(), o, "a version 3 name: {o:?}");
        }
        let mut codes: Vec<i64> = outcomes.iter().map(|&o| outcome_code(o)).collect();
        codes.dedup();
        assert_eq!(codes, [1, 2, 3, 4, 5], "migration 4 wrote these numbers");
        assert!(outcome(ValueRef::Integer(5), None).is_err(), "a rejection needs its reason");
        assert!(outcome(ValueRef::Integer(1), Some(Reason::BadAction)).is_err());
        assert!(outcome(ValueRef::Integer(6), None).is_err());
        assert!(outcome(ValueRef::Text(b"maybe"), None).is_err());
        let conn = Connection::open_in_memory().unwrap();
        for s in Status::ALL {
            let back: Status = conn.query_row("SELECT ?1", [s], |r| r.get(0)).unwrap();
            assert_eq!(back, s);
        }
        let codes: Vec<i64> = Status::ALL.into_iter().map(status_code).collect();
        assert_eq!(codes, [1, 2, 3, 4], "migration 4 wrote these numbers");
        assert!(conn.query_row("SELECT 9", [], |r| r.get::<_, Status>(0)).is_err());
        let named: Status = conn.query_row("SELECT 'expired'", [], |r| r.get(0)).unwrap();
        assert_eq!(named, Status::Expired, "a version 3 name");
        assert!(conn.query_row("SELECT 'maybe'", [], |r| r.get::<_, Status>(0)).is_err());
    }

    #[test]
    fn in_memory_and_file_stores_agree_and_events_read_back_typed() {
        let mut mem = Store::in_memory().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut file = Store::open_write(&path, Duration::from_secs(1)).unwrap();
        let a = exercise(&mut mem);
        let b = exercise(&mut file);
        assert_eq!(a, b);
        assert_eq!(a.0["27AAPFU0939F1ZV"].duration.map(AccessDuration::hours), Some(12));
        assert_eq!(a.1.iter().map(|e| e.row).collect::<Vec<_>>(), [2, 3, 4], "file order");
        assert_eq!(a.1[2].outcome, Outcome::Rejected(Reason::OutOfOrder));
        assert_eq!(a.2.unwrap().file_name, "f.csv");
        let read = Store::open_read(&path, Duration::from_secs(1)).unwrap();
        assert_eq!(read.history("29AAACR5055K1Z3").unwrap().len(), 2);
        assert_eq!(read.last_change().unwrap(), Some(100));
        assert!(Store::in_memory().unwrap().last_change().unwrap().is_none());
    }

    #[test]
    fn many_rows_land_whole_statements_and_the_rest_alike_in_the_order_given() {
        // Two full statements and a shorter one, for events and sessions.
        let n = 2 * ROWS_PER_INSERT + 5;
        let gstins: Vec<String> = (0..n).map(|i| format!("27AAPFU{i:04}F1ZV")).collect();
        let events: Vec<Event<'static>> = (0..n)
            .map(|i| event(n as u64 + 1 - i as u64, &gstins[i % 7], Outcome::Enabled))
            .collect();
        let sessions: Vec<Session> = (0..n).map(|i| session(6 + i as u32)).collect();
        let pairs: Vec<(&str, &Session)> =
            gstins.iter().map(String::as_str).zip(&sessions).collect();
        let mut store = Store::in_memory().unwrap();
        let tx = store.begin(true).unwrap();
        let id = tx
            .record(("abc", "f.csv", 5, 100, Counts::default()), events.clone(), &pairs, &|_| {})
            .unwrap();
        let mut back = tx.batch_events(id).unwrap();
        tx.commit().unwrap();
        back.reverse();
        let want: Vec<Event<'static>> =
            events.into_iter().map(|e| Event { batch_id: id, ..e }).collect();
        assert_eq!(back, want);
        let stored = store.sessions().unwrap();
        assert_eq!(stored.len(), n);
        for (g, s) in pairs {
            assert_eq!(&stored[g], s, "{g}");
        }
        // Ids follow the order given: GSTIN 0's events, oldest first.
        let rows: Vec<u64> = store.history(&gstins[0]).unwrap().iter().map(|e| e.row).collect();
        assert!(rows.len() > 1 && rows.windows(2).all(|w| w[0] > w[1]), "{rows:?}");
    }

    #[test]
    fn a_transaction_dropped_before_its_commit_records_nothing() {
        let mut s = Store::in_memory().unwrap();
        let tx = s.begin(true).unwrap();
        tx.record(
            ("abc", "f.csv", 5, 100, Counts::default()),
            [event(2, "27AAPFU0939F1ZV", Outcome::Enabled)],
            &[("27AAPFU0939F1ZV", &session(6))],
            &|_| {},
        )
        .unwrap();
        drop(tx);
        assert!(s.sessions().unwrap().is_empty());
        assert!(s.begin(false).unwrap().find_batch("abc").unwrap().is_none());
    }
}
