//! `gstbatch access apply`: one file of enable/disable instructions applied
//! to the store in one transaction, each instruction reported with its
//! outcome.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::batch::progress::{Progress, Ui};
use crate::batch::report::{self as sink, Ready, Report, SummaryFile, Target};
use crate::batch::xlsx;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::Gstin;
use crate::input::encoding::Encoding;
use crate::input::{BlockReader, Source};
use crate::ledger::Session;
use crate::store::access::Event;
use crate::store::{Location, Store};
use crate::time;

use super::batch::Batch;
use super::tally::{ApplySummary, Tally};
use super::{TimeText, fmt_time};

/// What `access apply` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The instructions file.
    pub input: Source,
    /// `--delimiter`.
    pub delimiter: Option<u8>,
    /// `--sheet` for a workbook.
    pub sheet: Option<String>,
    /// `--encoding`.
    pub encoding: Encoding,
    /// Report what would happen; change nothing.
    pub dry_run: bool,
    /// Apply a file again even though it was applied before.
    pub reapply: bool,
    /// The JSON summary file, if asked for.
    pub summary: Option<PathBuf>,
    /// The store.
    pub store: Location,
    /// "Now", epoch seconds.
    pub now: i64,
    /// The report.
    pub report: Target,
    /// What stderr may show.
    pub ui: Ui,
}

/// One row of the `apply` report.
#[derive(Debug, Default, Serialize)]
pub struct ApplyRecord<'a> {
    /// Spreadsheet row of the instruction (the header is row 1).
    pub row: u64,
    /// The GSTIN as given (canonical when valid).
    pub gstin: Cow<'a, str>,
    /// The action as given.
    pub action: Cow<'a, str>,
    /// The canonical duration.
    pub duration: String,
    /// The effective time, RFC 3339 IST.
    pub effective_at: TimeText,
    /// `enabled`, `renewed`, `disabled`, `unchanged` or `rejected`.
    pub outcome: &'static str,
    /// The rejection reason code.
    pub reason: &'static str,
    /// The rejection message.
    pub message: Cow<'a, str>,
    /// The status before the instruction, at its effective time.
    pub previous_status: &'static str,
    /// The expiry before it.
    pub previous_expiry: TimeText,
    /// The expiry after it (for a disable: when access ended).
    pub new_expiry: TimeText,
    /// Access left at "now" under the new expiry.
    pub remaining: String,
    /// The reference as given.
    pub reference: Cow<'a, str>,
}

impl<'a> ApplyRecord<'a> {
    fn from_event(e: Event<'a>, now: i64) -> ApplyRecord<'a> {
        ApplyRecord {
            row: e.row,
            gstin: e.gstin,
            action: e.action,
            duration: e.duration.map(|d| d.to_string()).unwrap_or_default(),
            effective_at: TimeText(e.effective_at),
            outcome: e.outcome.as_str(),
            reason: e.outcome.reason().map_or("", |r| r.as_str()),
            message: e.message.unwrap_or_default(),
            previous_status: e.previous_status.as_str(),
            previous_expiry: TimeText(e.previous_expiry),
            new_expiry: TimeText(e.expires_at),
            remaining: match e.expires_at {
                Some(x) if e.outcome.is_live() => time::remaining(x - now),
                _ => String::new(),
            },
            reference: e.reference,
        }
    }
}

/// Runs `access apply`.
///
/// # Errors
/// Exit-2 failures: unreadable or non-CSV input, missing columns, an
/// unusable store, a report that cannot be written. Nothing is applied
/// then. A failure after the commit is not an error: the batch stands, and
/// the message says so.
pub fn run(s: &Settings) -> Result<Exit> {
    let started = Instant::now();
    // Both outputs exist as temporary files before anything is read or
    // applied: one that cannot be written stops the run first.
    let summary_file = SummaryFile::create(s.summary.as_deref())?;
    let mut report = Report::create(&s.report)?;
    let table =
        BlockReader::read_table(&s.input, s.delimiter, s.sheet.as_deref(), false, s.encoding)?;
    for note in table.notes.iter().filter(|_| !s.ui.quiet) {
        eprintln!("gstbatch: note: {note}");
    }
    let mut instructions = Batch::read(&s.input, &table.text, table.delimiter, s.now)?;
    let store_name = s.store.path.display().to_string();
    let summary_of = |tally: &Tally, already: Option<String>, exit: Exit| ApplySummary {
        input: s.input.display(),
        sha256: table.sha256.clone(),
        store: store_name.clone(),
        dry_run: s.dry_run,
        already_applied_at: already,
        instructions: tally.counts.instructions,
        by_outcome: tally.by_outcome(),
        by_reason: tally.by_reason.clone(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
        exit_code: exit.code(),
    };

    // A dry run only reads; against a store not made yet it reads an empty one.
    let mut store = match (s.dry_run, s.store.path.exists()) {
        (true, false) => Store::in_memory()?,
        (true, true) => s.store.open_read()?,
        (false, _) => s.store.open_write()?,
    };
    // Everything from here to the commit happens under the store's write
    // lock (a dry run only reads): what is read stays true until the
    // commit, so two runs at once apply one after the other, each from the
    // other's result.
    let tx = store.begin(!s.dry_run)?;
    if let Some(batch) = tx.find_batch(&table.sha256)?.filter(|_| !s.reapply) {
        let when = fmt_time(Some(batch.applied_at));
        let ready = if report.to_file() {
            let events = tx.batch_events(batch.id)?;
            report.write_rows(events.into_iter().map(|e| ApplyRecord::from_event(e, batch.now)))?;
            let fill = xlsx::fill_where("outcome", "rejected", xlsx::Fill::Red);
            let summary = [("Already applied on".to_string(), when.clone())];
            Some(report.prepare(&xlsx::Layout::new(&["row"], &fill, &summary), b',')?)
        } else {
            None
        };
        if !s.ui.quiet {
            eprintln!(
                "gstbatch: {} was already applied on {when} (batch {}, from {}); nothing changed. \
                 Use --reapply to apply it again.",
                s.input.display(),
                batch.id,
                batch.file_name
            );
        }
        let summary = summary_of(&Tally::default(), Some(when), Exit::Clean);
        sink::finish(ready, summary_file.map(|f| (f, &summary)))?;
        return Ok(Exit::Clean);
    }

    // Keyed by the parsed GSTIN: no text hashing or allocation per row.
    let sessions = tx.sessions()?;
    let (tally, changed) = instructions
        .apply(sessions.into_iter().filter_map(|(g, s)| g.parse::<Gstin>().ok().map(|g| (g, s))));
    let write_report = |report: &mut Report| {
        instructions
            .by_row(|events| report.write_rows(events.map(|e| ApplyRecord::from_event(e, s.now))))
    };
    let fill = xlsx::fill_where("outcome", "rejected", xlsx::Fill::Red);
    let pairs = tally.pairs(&store_name, s.dry_run);
    let layout = xlsx::Layout::new(&["row"], &fill, &pairs);
    let exit = Exit::from_failures(tally.counts.rejected);

    // A report file is written and built before the commit, on its own
    // thread while the events go into the store, and renamed into place
    // after it: a report that cannot be written applies nothing. A report on
    // stdout cannot be taken back, so it is written only once the batch is
    // committed.
    let build = |mut report: Report| -> Result<Ready> {
        write_report(&mut report)?;
        report.prepare(&layout, b',')
    };
    let mut batch_id = None;
    let pending = if s.dry_run {
        Pending::Ready(build(report)?)
    } else {
        let progress = Progress::items(instructions.len() as u64, "events", s.ui);
        let file_name = s.input.display();
        let changed_sessions: Vec<(&str, &Session)> =
            changed.iter().map(|(g, x)| (g.as_str(), x)).collect();
        let batch = (
            table.sha256.as_str(),
            file_name.as_str(),
            time::now().timestamp(),
            s.now,
            tally.counts,
        );
        let build = &build;
        let record = || {
            instructions.by_gstin(|events| {
                tx.record(batch, events, &changed_sessions, &|n| progress.set(n))
            })
        };
        let (pending, recorded) = if report.to_file() {
            std::thread::scope(|scope| {
                let building = scope.spawn(move || build(report));
                let recorded = record();
                let built = building.join().unwrap_or_else(|_| {
                    Err(Error::Internal("the report's thread panicked".into()))
                });
                (built.map(Pending::Ready), recorded)
            })
        } else {
            (Ok(Pending::AfterCommit(report)), record())
        };
        // Either failing leaves the transaction uncommitted: nothing applied.
        let committed = pending.and_then(|p| {
            let id = recorded?;
            pause_point();
            tx.commit()?;
            Ok((p, id))
        });
        match committed {
            Ok((p, id)) => {
                batch_id = Some(id);
                progress.finish();
                p
            }
            Err(e) => {
                progress.abandon();
                return Err(e);
            }
        }
    };

    // From here the batch stands: a failure is reported as such, never as
    // "nothing was done".
    let after = (|| -> Result<()> {
        let ready = match pending {
            Pending::Ready(r) => r,
            Pending::AfterCommit(mut report) => {
                write_report(&mut report)?;
                report.prepare(&layout, b',')?
            }
        };
        let summary = summary_of(&tally, None, exit);
        sink::finish(Some(ready), summary_file.map(|f| (f, &summary)))?;
        if !s.ui.quiet {
            eprintln!("{}", tally.line(&store_name, s.dry_run));
        }
        Ok(())
    })();
    match (after, batch_id) {
        (Ok(()), _) => Ok(exit),
        (Err(e), _) if e.is_broken_pipe() => Ok(exit),
        (Err(e), None) => Err(e),
        (Err(e), Some(id)) => {
            eprintln!(
                "gstbatch: the batch WAS applied (batch {id}, committed to {store_name}), but \
                 {}. Run the same command again to write its report from the store.",
                e.describe()
            );
            Ok(Exit::Findings)
        }
    }
}

/// A report written before the commit, or one to write after it.
enum Pending {
    Ready(Ready),
    AfterCommit(Report),
}

/// Test-only: with `GSTBATCH_TEST_PAUSE_BEFORE_COMMIT=FILE`, create FILE and
/// wait (60 s, or `GSTBATCH_TEST_PAUSE_SECONDS`) inside the open
/// transaction, so a test can kill the process there and prove that nothing
/// was applied. Not a feature; not documented for users.
fn pause_point() {
    if let Some(marker) = std::env::var_os("GSTBATCH_TEST_PAUSE_BEFORE_COMMIT") {
        let _ = std::fs::write(&marker, b"paused");
        let seconds =
            std::env::var("GSTBATCH_TEST_PAUSE_SECONDS").ok().and_then(|s| s.parse().ok());
        std::thread::sleep(Duration::from_secs(seconds.unwrap_or(60)));
    }
}
