//! The provider's answers to `verify`, kept so that nothing is paid for
//! twice: every answer with its time, the provider's raw JSON and its
//! `transaction_id`. Answers are only ever added; the latest per identifier
//! is the cached one, the one before it says what changed.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::error::Result;

use super::{Store, Tx};

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
