//! A batch of instructions held compactly while it is applied.
//!
//! A million instructions are applied at once, so each is held as where its
//! record starts in the table's text (8 bytes) and what applying it did (24
//! bytes). Its event, with every text the report and the store need, is
//! parsed again from the text each time it is written: parsing is pure, so
//! it gives the same instruction every time, and a second parse costs less
//! than keeping a million parsed rows with their strings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rayon::prelude::*;

use crate::batch::FastState;
use crate::error::{Error, Result};
use crate::ident::Gstin;
use crate::input::scan::{self, Fields, Records};
use crate::input::{Source, unclosed_quote};
use crate::ledger::{self, Outcome, Reason, Session, Status};
use crate::store::access::Event;

use super::fmt_time;
use super::instruction::{self, Columns, Row};
use super::tally::Tally;

/// Events rebuilt at once on the pool, between two writes.
const CHUNK: usize = 2048;

/// Where one instruction's record starts in the text (it ends where the
/// scanner finds its end again), and its spreadsheet row.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    row: u32,
}

/// What applying one instruction did. Times are `i64::MIN` for none, which
/// halves them against `Option<i64>`.
#[derive(Debug, Clone, Copy)]
struct Applied {
    previous_expiry: i64,
    expires_at: i64,
    outcome: Outcome,
    previous_status: Status,
}

const NONE: i64 = i64::MIN;

const BLANK: Applied = Applied {
    previous_expiry: NONE,
    expires_at: NONE,
    outcome: Outcome::Unchanged,
    previous_status: Status::Unknown,
};

fn some(t: i64) -> Option<i64> {
    (t != NONE).then_some(t)
}

/// The first four bytes of a GSTIN as normalised, as a number that sorts as
/// they do: its state and the start of its PAN, which puts events close enough
/// to the index's key order for its pages to be touched once in turn.
fn prefix(text: &[u8]) -> u32 {
    let mut p = [0u8; 4];
    let n = text.len().min(4);
    p[..n].copy_from_slice(&text[..n]);
    u32::from_be_bytes(p)
}

/// One instruction as the application order needs it: 16 bytes, where
/// the parsed instruction with its GSTIN would be 40.
struct Step {
    /// When it takes effect (now when unreadable); once applied, its place
    /// in the order applied.
    at: i64,
    /// The first bytes of its event's GSTIN ([`prefix`]).
    key: u32,
    index: u32,
}

/// The instructions of one file, and what applying them did.
pub struct Batch<'t> {
    text: &'t [u8],
    delimiter: u8,
    cols: Columns,
    now: i64,
    spans: Vec<Span>,
    applied: Vec<Applied>,
    /// For an instruction refused as out of order: the last change it came
    /// before, which its message names.
    out_of_order: HashMap<u32, i64>,
    /// Event indexes GSTIN by GSTIN, each GSTIN's in the order applied.
    by_gstin: Vec<u32>,
}

impl<'t> Batch<'t> {
    /// Reads the instruction rows of `text`, a table with a header row.
    ///
    /// # Errors
    /// [`Error::NotCsv`] for an empty table, one without instructions, or
    /// one past 4 GiB; [`Error::Column`]; an unclosed quote.
    pub fn read(source: &Source, text: &'t [u8], delimiter: u8, now: i64) -> Result<Batch<'t>> {
        let not_csv = |why: &str| Error::NotCsv { path: source.path(), why: why.into() };
        // Offsets and rows are held as u32.
        if u32::try_from(text.len()).is_err() {
            return Err(not_csv("an instructions file may hold at most 4 GiB; split it"));
        }
        let mut recs = Records::new(text, delimiter);
        let Some(header) = recs.next() else {
            return Err(not_csv("it is empty: there is no header row"));
        };
        let headers: Vec<Vec<u8>> =
            Fields::new(&header, delimiter).iter().map(<[u8]>::to_vec).collect();
        let cols = Columns::find(&headers)
            .map_err(|e| Error::Column { path: source.path(), source: e })?;
        let mut row = 1 + header.blank_before as u64;
        let mut spans = Vec::new();
        for r in recs {
            row += 1 + r.blank_before as u64;
            if r.unterminated {
                return Err(unclosed_quote(source.path(), row));
            }
            let start = r.bytes.as_ptr() as usize - text.as_ptr() as usize;
            // Both fit: the text is under 4 GiB and every row takes a byte.
            spans.push(Span { start: start as u32, row: row as u32 });
        }
        if spans.is_empty() {
            return Err(not_csv("it has a header row but no instructions; nothing was recorded"));
        }
        Ok(Batch {
            text,
            delimiter,
            cols,
            now,
            spans,
            applied: Vec::new(),
            out_of_order: HashMap::new(),
            by_gstin: Vec::new(),
        })
    }

    /// How many instructions there are.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    fn fields(&self, i: usize) -> Fields<'t> {
        let rest = &self.text[self.spans[i].start as usize..];
        let rec = Records::new(rest, self.delimiter)
            .next()
            .unwrap_or_else(|| unreachable!("a span holds the record it was cut from"));
        Fields::new(&rec, self.delimiter)
    }

    /// Calls `f` with a reader of instruction `i`'s cells, split once, not
    /// once for each cell asked for.
    fn with_cells<R>(
        &self,
        i: usize,
        f: impl FnOnce(&dyn Fn(usize) -> Option<Cow<'t, str>>) -> R,
    ) -> R {
        match self.fields(i) {
            Fields::Plain(bytes, d) => {
                let mut cells: [&'t [u8]; 16] = [&[]; 16];
                let mut n = 0;
                for (slot, cell) in cells.iter_mut().zip(bytes.split(|&b| b == d)) {
                    *slot = cell;
                    n += 1;
                }
                let fields = Fields::Plain(bytes, d);
                f(&|c: usize| match cells[..n].get(c) {
                    Some(&cell) => Some(scan::text(cell)),
                    None if n == cells.len() => fields.text_at(c),
                    None => None,
                })
            }
            fields => f(&|c: usize| fields.text_at(c)),
        }
    }

    /// Instruction `i`, parsed (again).
    fn parse(&self, i: usize) -> Row<'t> {
        let row = u64::from(self.spans[i].row);
        self.with_cells(i, |cell| instruction::parse(row, cell, &self.cols, self.now))
    }

    /// Applies every instruction in effective-time order, then file order
    /// (SPEC.md section 6), to the `sessions` the store holds. Returns the
    /// count of each outcome and the sessions that changed, by GSTIN.
    pub fn apply(
        &mut self,
        sessions: impl IntoIterator<Item = (Gstin, Session)>,
    ) -> (Tally, Vec<(Gstin, Session)>) {
        // Each with whether this batch changed it: one look-up a change.
        let mut sessions: HashMap<Gstin, (Session, bool), FastState> =
            sessions.into_iter().map(|(g, s)| (g, (s, false))).collect();
        let mut steps: Vec<Step> = (0..self.len())
            .into_par_iter()
            .map(|i| {
                let (at, gstin) =
                    self.with_cells(i, |cell| instruction::order_key(cell, &self.cols, self.now));
                Step { at, key: prefix(gstin.as_bytes()), index: i as u32 }
            })
            .collect();
        steps.par_sort_unstable_by_key(|s| (s.at, s.index));
        let order: Vec<u32> = steps.iter().map(|s| s.index).collect();
        let mut applied = vec![BLANK; self.len()];
        let mut out_of_order = HashMap::new();
        let mut tally = Tally::default();
        // Parsed again on the pool while the instructions before are applied.
        self.stream(
            Some(&order),
            |i| (i, self.parse(i)),
            |rows| {
                for (i, row) in rows {
                    let mut a = BLANK;
                    match row.parsed {
                        // The parser's reason; its message is rebuilt with the event.
                        Err((reason, _)) => a.outcome = Outcome::Rejected(reason),
                        Ok(ins) => {
                            let entry = sessions.entry(ins.gstin);
                            let current = match &entry {
                                Entry::Occupied(o) => Some(&o.get().0),
                                Entry::Vacant(_) => None,
                            };
                            let tr = ledger::apply(
                                current,
                                ins.action,
                                ins.effective_at,
                                &row.reference,
                            );
                            a.outcome = tr.outcome;
                            a.previous_status = tr.previous_status;
                            a.previous_expiry = tr.previous_expiry.unwrap_or(NONE);
                            if tr.outcome == Outcome::Rejected(Reason::OutOfOrder)
                                && let Some(s) = current
                            {
                                out_of_order.insert(i as u32, s.last_change);
                            }
                            if let Some(new) = tr.new {
                                // An unchanged disable changes no expiry.
                                if tr.outcome != Outcome::Unchanged {
                                    a.expires_at = new.expires_at;
                                }
                                match entry {
                                    Entry::Occupied(mut o) => *o.get_mut() = (new, true),
                                    Entry::Vacant(v) => {
                                        v.insert((new, true));
                                    }
                                }
                            }
                        }
                    }
                    tally.add(a.outcome);
                    applied[i] = a;
                }
            },
        );
        drop(order);
        self.applied = applied;
        self.out_of_order = out_of_order;
        // GSTIN by GSTIN, each GSTIN's events in the order applied.
        for (seq, s) in steps.iter_mut().enumerate() {
            s.at = seq as i64;
        }
        steps.par_sort_unstable_by_key(|s| (s.key, s.at));
        self.by_gstin = steps.iter().map(|s| s.index).collect();
        let mut changed: Vec<(Gstin, Session)> =
            sessions.into_iter().filter(|(_, (_, c))| *c).map(|(g, (s, _))| (g, s)).collect();
        // Unstable: each GSTIN is there once.
        changed.sort_unstable_by_key(|(g, _)| *g);
        (tally, changed)
    }

    /// Event `i`, rebuilt from its text and what applying it did.
    fn event(&self, i: usize) -> Event<'t> {
        let row = self.parse(i);
        let a = self.applied[i];
        let (gstin, message) = match row.parsed {
            Err((_, message)) => (row.gstin_text, Some(Cow::Owned(message))),
            Ok(ins) => {
                let gstin = if row.gstin_text == ins.gstin.as_str() {
                    row.gstin_text
                } else {
                    Cow::Owned(ins.gstin.to_string())
                };
                let message = match a.outcome {
                    Outcome::Rejected(Reason::OutOfOrder) => Some(Cow::Owned(format!(
                        "effective time is before this GSTIN's last recorded change ({})",
                        fmt_time(self.out_of_order.get(&(i as u32)).copied())
                    ))),
                    Outcome::Rejected(other) => Some(Cow::Borrowed(other.as_str())),
                    _ => None,
                };
                (gstin, message)
            }
        };
        Event {
            batch_id: 0,
            row: row.row,
            gstin,
            action: row.action_text,
            duration: row.duration,
            effective_at: row.effective_at,
            outcome: a.outcome,
            message,
            previous_status: a.previous_status,
            previous_expiry: some(a.previous_expiry),
            expires_at: some(a.expires_at),
            reference: row.reference,
        }
    }

    /// Hands `consume` every event, in file order (once [`Batch::apply`]
    /// has run: an event is what applying did).
    pub fn by_row<R>(&self, consume: impl FnOnce(&mut dyn Iterator<Item = Event<'t>>) -> R) -> R {
        self.stream(None, |i| self.event(i), consume)
    }

    /// Hands `consume` every event GSTIN by GSTIN (each GSTIN's in the order
    /// applied; once [`Batch::apply`] has run): the order in which the
    /// store's GSTIN index fills fastest.
    pub fn by_gstin<R>(&self, consume: impl FnOnce(&mut dyn Iterator<Item = Event<'t>>) -> R) -> R {
        self.stream(Some(&self.by_gstin), |i| self.event(i), consume)
    }

    /// Makes the items of each chunk (of `order`, else of the file) on the
    /// pool while `consume` takes those of the chunk before: the one thread
    /// that must go in order (applying, a report's writer, SQLite) never
    /// waits for parsing, which runs on the other cores.
    fn stream<T: Send, R>(
        &self,
        order: Option<&[u32]>,
        make: impl Fn(usize) -> T + Sync,
        consume: impl FnOnce(&mut dyn Iterator<Item = T>) -> R,
    ) -> R {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<T>>(2);
            let make = &make;
            scope.spawn(move || {
                for start in (0..self.len()).step_by(CHUNK) {
                    let range = start..(start + CHUNK).min(self.len());
                    let items = match order {
                        Some(o) => o[range].par_iter().map(|&i| make(i as usize)).collect(),
                        None => range.into_par_iter().map(make).collect(),
                    };
                    // The consumer stopped (an error it reports itself).
                    if tx.send(items).is_err() {
                        break;
                    }
                }
            });
            consume(&mut rx.into_iter().flatten())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time;

    const NOW: &str = "2026-11-26 18:00";

    fn text(lines: &[&str]) -> String {
        format!("gstin,action,duration,effective_at,reference\n{}\n", lines.join("\n"))
    }

    fn now() -> i64 {
        time::parse(NOW).unwrap()
    }

    fn collect(batch: &Batch<'_>, gstin_order: bool) -> Vec<Event<'static>> {
        let own = |events: &mut dyn Iterator<Item = Event<'_>>| -> Vec<Event<'static>> {
            events
                .map(|e| Event {
                    gstin: Cow::Owned(e.gstin.into_owned()),
                    action: Cow::Owned(e.action.into_owned()),
                    message: e.message.map(|m| Cow::Owned(m.into_owned())),
                    reference: Cow::Owned(e.reference.into_owned()),
                    ..e
                })
                .collect()
        };
        if gstin_order { batch.by_gstin(own) } else { batch.by_row(own) }
    }

    #[test]
    fn spec_6_same_gstin_in_one_file_applies_in_time_order_then_file_order() {
        let t = text(&[
            // Later in time, earlier in the file: applies second.
            "27AAPFU0939F1ZV,disable,,2026-11-26 10:00,b",
            "27AAPFU0939F1ZV,enable,1 day,2026-11-26 09:00,a",
            // Same time: file order decides.
            "29AAACR5055K1Z3,enable,6h,2026-11-26 09:00,c",
            "29AAACR5055K1Z3,enable,12h,2026-11-26 09:00,d",
        ]);
        let mut batch = Batch::read(&Source::Stdin, t.as_bytes(), b',', now()).unwrap();
        let (tally, changed) = batch.apply([]);
        let seq: Vec<(u64, &str)> =
            collect(&batch, true).iter().map(|e| (e.row, e.outcome.as_str())).collect();
        // GSTIN by GSTIN, each in the order applied.
        assert_eq!(seq, [(3, "enabled"), (2, "disabled"), (4, "enabled"), (5, "renewed")]);
        let rows: Vec<u64> = collect(&batch, false).iter().map(|e| e.row).collect();
        assert_eq!(rows, [2, 3, 4, 5]);
        let a: Gstin = "27AAPFU0939F1ZV".parse().unwrap();
        let b: Gstin = "29AAACR5055K1Z3".parse().unwrap();
        assert_eq!(changed.iter().map(|(g, _)| *g).collect::<Vec<_>>(), [a, b]);
        assert_eq!(changed[1].1.duration.map(|d| d.hours()), Some(12));
        assert_eq!(changed[1].1.reference, "d");
        assert!(!changed[0].1.enabled);
        assert_eq!((tally.counts.instructions, tally.counts.renewed), (4, 1));
    }

    #[test]
    fn a_gstin_however_written_keeps_its_events_in_the_order_applied() {
        let t = text(&[
            "27-AAPFU0939F1ZV,enable,6h,2026-11-26 09:00,a",
            "33AAACT2727Q1Z3,enable,6h,2026-11-26 09:30,x",
            "27aapfu0939f1zv,disable,,2026-11-26 10:00,b",
            "27 AAPFU 0939 F1ZV,enable,1 day,2026-11-26 11:00,c",
            // Invalid, so stored as given: still in the order applied.
            "27-aapfu0939f1zx,enable,6h,2026-11-26 12:00,d",
            "27-aapfu0939f1zx,enable,6h,2026-11-26 08:00,e",
        ]);
        let mut batch = Batch::read(&Source::Stdin, t.as_bytes(), b',', now()).unwrap();
        batch.apply([]);
        let events = collect(&batch, true);
        let rows: Vec<u64> = events.iter().map(|e| e.row).collect();
        assert_eq!(rows, [7, 2, 4, 5, 6, 3]);
        let outcomes: Vec<&str> = events[1..4].iter().map(|e| e.outcome.as_str()).collect();
        assert_eq!(outcomes, ["enabled", "disabled", "enabled"]);
        assert!(events[1..4].iter().all(|e| e.gstin == "27AAPFU0939F1ZV"));
        assert_eq!(events[0].gstin, "27-aapfu0939f1zx");
    }

    #[test]
    fn rebuilt_events_carry_every_message_and_the_canonical_gstin() {
        let t = text(&[
            " 27aapfu0939f1zv ,enable,6h,2026-11-26 10:00,\"quoted, ref\"",
            "27AAPFU0939F1ZV,enable,6h,2026-11-26 09:00,late",
            "27AAPFU0939F1ZX,enable,6h,,bad check",
            "29AAACR5055K1Z3,maybe,6h,,",
        ]);
        let mut batch = Batch::read(&Source::Stdin, t.as_bytes(), b',', now()).unwrap();
        let (tally, _) = batch.apply([]);
        let events = collect(&batch, false);
        assert_eq!(events[0].gstin, "27AAPFU0939F1ZV");
        assert_eq!(events[0].reference, "quoted, ref");
        // The second row is earlier in time: it applied first.
        assert_eq!(events[1].outcome, Outcome::Enabled);
        assert_eq!(events[1].previous_status, Status::Unknown);
        assert_eq!(events[0].outcome, Outcome::Renewed);
        assert_eq!(events[0].previous_status, Status::Active);
        assert_eq!(events[0].previous_expiry, events[1].expires_at);
        assert_eq!(events[0].expires_at, Some(events[0].effective_at.unwrap() + 6 * 3600));
        assert_eq!(events[2].outcome, Outcome::Rejected(Reason::InvalidGstin));
        assert!(events[2].message.as_deref().unwrap().starts_with("invalid GSTIN"));
        assert_eq!(events[2].gstin, "27AAPFU0939F1ZX");
        assert_eq!(events[3].outcome, Outcome::Rejected(Reason::BadAction));
        assert_eq!(tally.counts.rejected, 2);
    }

    #[test]
    fn out_of_order_names_the_last_change() {
        let t = text(&["27AAPFU0939F1ZV,enable,6h,2026-11-26 09:00,old"]);
        let mut batch = Batch::read(&Source::Stdin, t.as_bytes(), b',', now()).unwrap();
        let last = time::parse("2026-11-26 12:00").unwrap();
        let g: Gstin = "27AAPFU0939F1ZV".parse().unwrap();
        let current = Session {
            enabled: true,
            enabled_at: last,
            duration: "6h".parse().ok(),
            expires_at: last + 6 * 3600,
            last_change: last,
            reference: String::new(),
        };
        let (_, changed) = batch.apply([(g, current)]);
        assert!(changed.is_empty());
        let e = &collect(&batch, false)[0];
        assert_eq!(e.outcome, Outcome::Rejected(Reason::OutOfOrder));
        assert_eq!(e.previous_expiry, Some(last + 6 * 3600));
        assert!(e.message.as_deref().unwrap().contains("2026-11-26T12:00:00+05:30"), "{e:?}");
    }

    #[test]
    fn cells_past_the_sixteenth_column_are_read() {
        let filler: Vec<String> = (1..=17).map(|i| format!("c{i}")).collect();
        let t = format!(
            "{},gstin,action,duration,reference\n{},27AAPFU0939F1ZV,enable,6h,far\n",
            filler.join(","),
            vec!["x"; 17].join(",")
        );
        let mut batch = Batch::read(&Source::Stdin, t.as_bytes(), b',', now()).unwrap();
        batch.apply([]);
        let e = &collect(&batch, false)[0];
        assert_eq!((e.outcome, e.reference.as_ref()), (Outcome::Enabled, "far"));
    }

    #[test]
    fn a_table_without_instructions_is_refused() {
        let e = |t: &str| Batch::read(&Source::Stdin, t.as_bytes(), b',', 0).err().unwrap();
        assert!(e("gstin,action\n\n").to_string().contains("no instructions"));
        assert!(e("").to_string().contains("no header row"));
        assert!(e("gstin,action\n\"27AAPFU0939F1ZV,enable\n").to_string().contains("quote"));
    }
}
