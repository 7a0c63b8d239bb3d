//! The store's opening rules: ownership, integrity, migrations, locks.

use std::time::Instant;

use super::*;

fn wait() -> Duration {
    Duration::from_millis(200)
}

#[test]
fn migrations_on_fresh_and_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let s = Store::open_write(&path, wait()).unwrap();
    assert_eq!(s.version().unwrap(), known());
    drop(s);
    assert_eq!(read_header(&path).unwrap(), Header::Ours);
    let s = Store::open_write(&path, wait()).unwrap();
    assert_eq!(s.version().unwrap(), known());
    assert_eq!(Store::open_read(&path, wait()).unwrap().version().unwrap(), known());
}

#[test]
fn a_version_2_store_keeps_its_sessions_keyed_by_gstin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
    conn.execute_batch(MIGRATIONS[0]).unwrap();
    conn.execute_batch(MIGRATIONS[1]).unwrap();
    conn.pragma_update(None, "user_version", 2).unwrap();
    conn.execute_batch(
        "INSERT INTO batches VALUES (1, 'x', 'f.csv', 1, 1, 2, 2, 0, 0, 0, 0);
         INSERT INTO sessions VALUES ('29AAACR5055K1Z3', 1, 10, 6, 21610, 10, 'b', 1),
                                     ('27AAPFU0939F1ZV', 0, 5, 24, 86405, 7, 'a', 1);",
    )
    .unwrap();
    drop(conn);
    let s = Store::open_write(&path, wait()).unwrap();
    assert_eq!(s.version().unwrap(), known());
    let sql: String = s
        .conn
        .query_row("SELECT sql FROM sqlite_master WHERE name = 'sessions'", [], |r| r.get(0))
        .unwrap();
    assert!(sql.ends_with("WITHOUT ROWID"), "{sql}");
    let sessions = s.sessions().unwrap();
    assert_eq!(sessions.len(), 2);
    let a = &sessions["27AAPFU0939F1ZV"];
    assert_eq!((a.enabled, a.enabled_at, a.expires_at, a.last_change), (false, 5, 86405, 7));
    assert_eq!((a.duration.map(|d| d.hours()), a.reference.as_str()), (Some(24), "a"));
    assert!(sessions["29AAACR5055K1Z3"].enabled);
}

/// A version 3 store: every migration up to sessions keyed by GSTIN.
fn version_3(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
    for sql in &MIGRATIONS[..3] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 3).unwrap();
    conn.execute_batch("INSERT INTO batches VALUES (1, 'x', 'f.csv', 1, 1, 5, 1, 1, 1, 1, 1);")
        .unwrap();
    conn
}

#[test]
fn a_version_3_store_keeps_its_events_with_outcomes_and_statuses_coded() {
    use crate::ledger::{Outcome, Reason, Status};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let conn = version_3(&path);
    let named = [
        ("enabled", None, "unknown"),
        ("renewed", None, "active"),
        ("disabled", None, "active"),
        ("unchanged", None, "disabled"),
        ("rejected", Some("out_of_order"), "expired"),
    ];
    for (i, (outcome, reason, status)) in named.iter().enumerate() {
        conn.execute(
            "INSERT INTO events VALUES (?1, 1, ?2, '27AAPFU0939F1ZV', 'enable', 6, 10, ?3, ?4,
                                        NULL, ?5, NULL, 21610, 'r')",
            rusqlite::params![i as i64 + 1, i as i64 + 2, outcome, reason, status],
        )
        .unwrap();
    }
    drop(conn);
    // Read before any writer migrates it: the names read as they always did.
    let read = Store::open_read(&path, wait()).unwrap().history("27AAPFU0939F1ZV").unwrap();
    let s = Store::open_write(&path, wait()).unwrap();
    assert_eq!(s.version().unwrap(), known());
    let events = s.history("27AAPFU0939F1ZV").unwrap();
    assert_eq!(events, read, "the same events after migrating");
    let kind: String =
        s.conn.query_row("SELECT typeof(outcome) FROM events LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(kind, "integer");
    let got: Vec<(Outcome, Status)> =
        events.iter().map(|e| (e.outcome, e.previous_status)).collect();
    assert_eq!(
        got,
        [
            (Outcome::Enabled, Status::Unknown),
            (Outcome::Renewed, Status::Active),
            (Outcome::Disabled, Status::Active),
            (Outcome::Unchanged, Status::Disabled),
            (Outcome::Rejected(Reason::OutOfOrder), Status::Expired),
        ]
    );
    assert_eq!(events.iter().map(|e| e.row).collect::<Vec<_>>(), [2, 3, 4, 5, 6]);
}

#[test]
fn an_event_with_a_name_that_has_no_code_stops_the_migration_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let conn = version_3(&path);
    conn.execute_batch(
        "INSERT INTO events VALUES (1, 1, 2, '27AAPFU0939F1ZV', 'enable', 6, 10, 'maybe', NULL,
                                    NULL, 'unknown', NULL, 21610, 'r');",
    )
    .unwrap();
    drop(conn);
    assert!(matches!(Store::open_write(&path, wait()), Err(Error::Store { .. })));
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    let outcome: String = conn.query_row("SELECT outcome FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!((version, outcome.as_str()), (3, "maybe"));
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open_write(&path, wait()).unwrap());
    Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    for err in [Store::open_write(&path, wait()).err(), Store::open_read(&path, wait()).err()] {
        let err = format!("{:#}", anyhow::Error::from(err.unwrap()));
        assert!(err.contains("newer than this gstbatch knows"), "{err}");
    }
}

#[test]
fn a_store_made_before_marking_is_still_ours_and_gets_marked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(MIGRATIONS[0]).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    drop(conn);
    assert_eq!(read_header(&path).unwrap(), Header::MaybeOurs);
    assert!(Store::open_read(&path, wait()).is_ok());
    drop(Store::open_write(&path, wait()).unwrap());
    assert_eq!(read_header(&path).unwrap(), Header::Ours);
}

/// Files that are not stores, each as bytes: every open refuses them and
/// leaves them byte-identical, with no `-wal` or `-shm` beside them.
#[test]
fn what_is_not_ours_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    let conn = Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE sessions (x); CREATE TABLE crm (y);").unwrap();
    drop(conn);
    let wal_other = dir.path().join("wal.db");
    let conn = Connection::open(&wal_other).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch("CREATE TABLE sessions (x);").unwrap();
    drop(conn);
    let files = [
        ("empty", Vec::new()),
        ("csv", b"GSTIN,action\nnot a database\n".to_vec()),
        ("sqlite", fs::read(&other).unwrap()),
        ("wal sqlite", fs::read(&wal_other).unwrap()),
    ];
    for (what, bytes) in files {
        let sub = tempfile::tempdir().unwrap();
        let path = sub.path().join("s.db");
        fs::write(&path, &bytes).unwrap();
        let read = Store::open_read(&path, wait()).err().expect(what);
        let write = Store::open_write(&path, wait()).err().expect(what);
        for e in [read, write] {
            let e = format!("{:#}", anyhow::Error::from(e));
            assert!(e.contains("not a gstbatch store"), "{what}: {e}");
        }
        assert_eq!(fs::read(&path).unwrap(), bytes, "{what} changed");
        assert_eq!(fs::read_dir(sub.path()).unwrap().count(), 1, "{what}: files left");
    }
}

#[test]
fn a_missing_store_is_never_created_by_a_read() {
    let dir = tempfile::tempdir().unwrap();
    let e = Store::open_read(&dir.path().join("none.db"), wait()).err().unwrap();
    assert!(matches!(e, Error::Store { source: StoreError::Missing, .. }));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_damaged_store_is_not_written_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let s = Store::open_write(&path, wait()).unwrap();
    s.conn
        .execute_batch(
            "CREATE TABLE filler (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 \
             FROM n WHERE i < 2000) INSERT INTO filler SELECT hex(randomblob(200)) FROM n;",
        )
        .unwrap();
    s.conn.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
    drop(s);
    // Scribble over a page in the middle of the table.
    let mut bytes = fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 4096].fill(0xA5);
    fs::write(&path, &bytes).unwrap();
    let e = Store::open_write(&path, wait()).err().unwrap();
    let e = format!("{:#}", anyhow::Error::from(e));
    assert!(e.contains("damaged"), "{e}");
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

#[test]
fn a_write_transaction_waits_for_another_then_gives_up_and_readers_do_not_wait() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut a = Store::open_write(&path, wait()).unwrap();
    let mut b = Store::open_write(&path, wait()).unwrap();
    let held = a.begin(true).unwrap();
    let err = format!("{:#}", anyhow::Error::from(b.begin(true).err().unwrap()));
    assert!(err.contains("locked by another process"), "{err}");
    let started = Instant::now();
    let mut r = Store::open_read(&path, Duration::from_secs(5)).unwrap();
    assert!(r.begin(false).is_ok());
    assert!(started.elapsed() < Duration::from_secs(2), "a reader waited for the writer");
    held.commit().unwrap();
    assert!(b.begin(true).is_ok());
}
