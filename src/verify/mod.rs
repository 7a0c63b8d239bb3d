//! `gstbatch verify`: whether each GSTIN is registered and active, and
//! whose it is, from the provider's API (SPEC.md section 7), with every
//! answer kept in the store so that nothing is paid for twice.
//!
//! Offline first: a value that fails the rules of [`crate::ident`] is
//! `malformed` and never sent. Each distinct GSTIN is asked at most once a
//! run; an answer younger than `--max-age` is taken from the store. Answers
//! are committed as they arrive (at most a second's worth at a time), so a
//! run killed at any moment loses at most that second, and a rerun pays
//! only for what it did not store.

pub mod answer;
pub mod ask;
pub mod client;
pub mod credit;
mod distinct;
mod input;
pub mod names;
mod report;
mod returns;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use crate::batch::interrupt;
use crate::batch::progress::{Progress, Ui};
use crate::batch::report::{self as sink, Report, SummaryFile, Target};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::Kind;
use crate::input::{ReadOptions, Source};
use crate::store::verify::{Answer, History};
use crate::store::{Location, Store};

use answer::{Record, Verdict};
use ask::{Done, Outcome, Pace};
use client::{Client, Credentials, Question};
use distinct::Distinct;
use input::{Ask, Input};
use report::Summary;

/// What `verify` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The input.
    pub input: Source,
    /// How to read it.
    pub read: ReadOptions,
    /// `--column`: the GSTIN column by name or number.
    pub column: Option<String>,
    /// `--kind`: GSTINs, PANs (also the PAN inside each GSTIN of a GSTIN
    /// column), or `None` for what the column's header says.
    pub kind: Option<Kind>,
    /// `--name-column`: the books' name, compared with the registration's
    /// (for PANs, sent as the name to match).
    pub name_column: Option<String>,
    /// `--dob-column`: dates of birth or incorporation, for PANs.
    pub dob_column: Option<String>,
    /// `--date-column`: document dates, for the registration on each.
    pub date_column: Option<String>,
    /// `--value-column`: each document's value, totalled for the
    /// documents at risk.
    pub value_column: Option<String>,
    /// `--returns`: the financial year (its first year) whose return
    /// filing is tracked for each supplier.
    pub returns: Option<i32>,
    /// Return-tracking answers younger than this many seconds are taken
    /// from the store; 0 always asks.
    pub returns_max_age: u64,
    /// `--reason`: the purpose sent with PAN verifications.
    pub reason: String,
    /// `--consent`: the user confirms the PAN holders consented.
    pub consent: bool,
    /// The report.
    pub report: Target,
    /// The JSON summary file, if asked for.
    pub summary: Option<PathBuf>,
    /// The store.
    pub store: Location,
    /// "Now", epoch seconds.
    pub now: i64,
    /// Answers younger than this many seconds are taken from the store; 0
    /// always asks.
    pub max_age: u64,
    /// Answer from the store only.
    pub offline: bool,
    /// Make no call; say which rows would be asked.
    pub dry_run: bool,
    /// Ask about at most this many values.
    pub max_calls: Option<u64>,
    /// How the asking goes.
    pub pace: Pace,
    /// Each request's timeout.
    pub timeout: Duration,
    /// The API's base URL (checked).
    pub api_base: String,
    /// `--credentials FILE`.
    pub credentials: Option<PathBuf>,
    /// Send values that fail the offline check (the test host's
    /// placeholders).
    pub send_malformed: bool,
    /// `--provider-cache`: take the provider's own cached answers (free, up
    /// to 24 hours old).
    pub provider_cache: bool,
    /// The exit code says only whether a verdict changed.
    pub fail_if_changed: bool,
    /// What stderr may show.
    pub ui: Ui,
}

/// What is known about one distinct identifier after the run.
#[derive(Debug, Clone)]
struct Found {
    verdict: Verdict,
    /// The answer's fields; `None` when there was no answer. Boxed and
    /// optional: a run holds one `Found` per distinct identifier, most of
    /// them unanswered under `--offline` or `--dry-run`.
    record: Option<Box<Record>>,
    /// `live` or `cache`; empty when not answered.
    source: &'static str,
    /// When the answer was given (epoch seconds).
    checked_at: Option<i64>,
    /// The verdict of the stored answer before this one.
    previous: Option<String>,
    message: Cow<'static, str>,
}

impl Found {
    fn unanswered(
        verdict: Verdict,
        message: impl Into<Cow<'static, str>>,
        previous: Option<String>,
    ) -> Found {
        Found {
            verdict,
            record: None,
            source: "",
            checked_at: None,
            previous,
            message: message.into(),
        }
    }

    /// The answer's fields (blank ones when there was none).
    fn record(&self) -> &Record {
        static BLANK: std::sync::LazyLock<Record> = std::sync::LazyLock::new(Record::default);
        self.record.as_deref().unwrap_or(&BLANK)
    }

    fn from_store(a: &Answer, previous: Option<String>) -> Found {
        Found {
            verdict: Verdict::from_name(&a.verdict).unwrap_or(Verdict::Inactive),
            record: Some(Box::new(serde_json::from_str(&a.record).unwrap_or_default())),
            source: "cache",
            checked_at: Some(a.asked_at),
            previous,
            message: Cow::Borrowed(""),
        }
    }

    /// Whether this run received a verdict different from the stored one.
    /// A change is news once: an answer read back from the store is never
    /// `changed`, however it differs from the one before it, so a nightly
    /// `--fail-if-changed` alerts on the night the change arrived only.
    fn changed(&self) -> bool {
        matches!(self.source, "live" | "provider-cache")
            && self.previous.as_deref().is_some_and(|p| p != self.verdict.as_str())
    }
}

/// Runs `verify`.
///
/// # Errors
/// Exit-2 failures: unreadable input, a missing column, an unusable store,
/// credentials missing or refused while a call was needed, a report that
/// cannot be written.
pub fn run(s: &Settings) -> Result<Exit> {
    let started = Instant::now();
    let summary_file = SummaryFile::create(s.summary.as_deref())?;
    let mut report = Report::create(&s.report)?;
    let input = Input::new(s)?;

    // The first reading: the distinct questions, in order of first
    // appearance, and how wide the widest row is. No row is kept.
    let mut rows = input.open(s)?;
    let (kind, width) = (rows.plan().kind, rows.plan().headers.len());
    let date_col = rows.plan().date_col;
    let (mut count, mut extra) = (0u64, 0usize);
    let mut ids = Distinct::default();
    let mut tracked = returns::Tracked::default();
    for r in rows.by_ref() {
        count += 1;
        extra = extra.max(r.cells.len().saturating_sub(width));
        if let Ask::Question(q) = &r.ask {
            ids.add(q)?;
            if let (Question::Gstin(g), Some(year)) = (q, s.returns) {
                tracked.want(g, year);
                // An invoice of another year asks that year too.
                if let Some(d) =
                    date_col.and_then(|c| r.cells.get(c)).and_then(|c| crate::time::date(c))
                {
                    tracked.want(g, credit::financial_year(d));
                }
            }
        }
    }
    for note in rows.finish()? {
        if !s.ui.quiet {
            eprintln!("gstbatch: note: {note}");
        }
    }

    let live = !s.offline && !s.dry_run;
    // Held to the end, before the stored answers are read: a second run on
    // this store waits, then finds this one's answers there.
    let _lock = live
        .then(|| {
            s.store.lock_verify(&|| {
                eprintln!(
                    "gstbatch: another verify is buying answers for {}; waiting for it (up to \
                     {} s, --wait)",
                    s.store.path.display(),
                    s.store.wait.as_secs()
                );
            })
        })
        .transpose()?;
    let mut store = match (live, s.store.path.exists()) {
        (true, _) => Some(s.store.open_write()?),
        (false, true) => Some(s.store.open_read()?),
        (false, false) => None,
    };
    let stored: HashMap<String, History> = match &store {
        Some(st) => {
            let keys: Vec<&str> = (0..ids.len()).map(|i| ids.key(i)).collect();
            st.answers(kind.as_str(), &keys)?
        }
        None => HashMap::new(),
    };
    let fresh = |a: &Answer| s.max_age > 0 && s.now - a.asked_at < s.max_age as i64;
    // What is known of each distinct question; `None` is `unasked`, the
    // same for all (one `Found` each would be most of a large run's memory).
    let unasked = Found::unanswered(
        Verdict::NotChecked,
        if s.offline {
            "not in the store, or older than --max-age (--offline makes no call)"
        } else if s.dry_run {
            "would be asked (--dry-run makes no call)"
        } else {
            ""
        },
        None,
    );
    let mut found: Vec<Option<Box<Found>>> = Vec::new();
    found.resize_with(ids.len(), || None);
    let previous_of = |i: usize| {
        stored.get(ids.key(i)).and_then(|h| h.latest.as_ref()).map(|a| a.verdict.clone())
    };
    let mut to_ask: Vec<usize> = Vec::new();
    for (i, slot) in found.iter_mut().enumerate() {
        let h = stored.get(ids.key(i));
        match h.and_then(|h| h.latest.as_ref()) {
            Some(a) if fresh(a) => {
                let previous = h.and_then(|h| h.before.as_ref()).map(|b| b.verdict.clone());
                *slot = Some(Box::new(Found::from_store(a, previous)));
            }
            _ if live => to_ask.push(i),
            // Not asked (--offline, --dry-run): only an older answer is news.
            _ => {
                if let Some(previous) = previous_of(i) {
                    let message = unasked.message.clone();
                    let f = Found::unanswered(Verdict::NotChecked, message, Some(previous));
                    *slot = Some(Box::new(f));
                }
            }
        }
    }

    let mut counts = Counts::default();
    let mut client = None;
    if live && !to_ask.is_empty() {
        let store = store.as_mut().ok_or_else(|| Error::Internal("no store to write".into()))?;
        let client = client.insert(connect(s)?);
        let asked: Vec<Question> = to_ask.iter().map(|&i| ids.question(i)).collect();
        let what = if kind == Kind::Pan { "PANs" } else { "GSTINs" };
        let progress = Progress::items(ids.len() as u64, what, s.ui);
        progress.set((ids.len() - asked.len()) as u64);
        let base = (ids.len() - asked.len()) as u64;
        let outcome = ask_and_store(s.pace, store, client, &asked, (&progress, base), &mut counts);
        progress.finish();
        for (k, f) in outcome {
            let i = to_ask[k];
            found[i] = Some(Box::new(match f {
                Ok((parsed, asked_at, cached)) => Found {
                    verdict: parsed.verdict,
                    message: parsed.record.message.clone().into(),
                    record: Some(Box::new(parsed.record)),
                    source: if cached { "provider-cache" } else { "live" },
                    checked_at: Some(asked_at),
                    previous: previous_of(i),
                },
                Err((verdict, message)) => Found::unanswered(verdict, message, previous_of(i)),
            }));
        }
    }
    if s.returns.is_some() {
        // Only a registration has returns to track: an unknown GSTIN, or
        // one not answered, would cost a call for nothing.
        let registered = |g: &str| -> Option<&'static str> {
            let f = ids.get(g).and_then(|i| found[i].as_deref());
            match f.map(|f| f.verdict) {
                Some(
                    Verdict::Active | Verdict::Cancelled | Verdict::Suspended | Verdict::Inactive,
                ) => None,
                Some(Verdict::NotFound) => Some("GSTN has no such registration"),
                _ => Some("the registration was not verified"),
            }
        };
        tracked.resolve(s, store.as_mut(), &registered, &mut client, &mut counts)?;
    }
    drop(store);

    // The second reading: the report, row by row in input order.
    let mut rows = input.open(s)?;
    let (name_col, date_col) = (rows.plan().name_col, rows.plan().date_col);
    let value_col = rows.plan().value_col;
    let date_header = date_col.map(|c| rows.plan().named(c));
    let added = report::Added { on_date: date_col.is_some(), returns: s.returns.is_some() };
    let names = report::names(kind, added, &rows.plan().headers, extra);
    let mut tally = report::Tally::default();
    let mut unknown = false;
    let table = rows.by_ref().map(|r| {
        let result = match &r.ask {
            Ask::Question(q) => {
                // A question the first reading did not see: the input changed.
                let f = match ids.get(&q.key()) {
                    Some(i) => found[i].as_deref().unwrap_or(&unasked),
                    None => {
                        unknown = true;
                        &unasked
                    }
                };
                let name = name_col.and_then(|c| r.cells.get(c)).map(String::as_str);
                let cell = date_col.map(|c| r.cells.get(c).map_or("", String::as_str));
                let date = cell.map(|c| (c, date_header.as_deref()));
                let returns = s.returns.is_some().then(|| {
                    let gstin = match q {
                        Question::Gstin(g) => Some(g.as_str()),
                        _ => None,
                    };
                    tracked.row(s, gstin, cell.and_then(crate::time::date), date_col.is_some())
                });
                report::RowResult::known(kind, f, name, date, returns)
            }
            Ask::Malformed(message) => {
                report::RowResult::without(kind, added, Verdict::Malformed, message)
            }
            Ask::NotChecked(message) => {
                report::RowResult::without(kind, added, Verdict::NotChecked, message)
            }
            Ask::ProviderRefused(message) => {
                report::RowResult::without(kind, added, Verdict::ProviderRefused, message)
            }
        };
        tally.add(&result, value_col.and_then(|c| r.cells.get(c)).map(String::as_str));
        report::cells(&r, &result, width, names.len())
    });
    report.write_table(&names, table)?;
    rows.finish()?;
    if unknown || tally.rows() != count {
        return Err(Error::Read {
            path: s.input.path(),
            source: std::io::Error::other(
                "it changed while verify read it (it is read twice, to hold no row in memory); \
                 run again once nothing writes to it",
            ),
        });
    }
    let mut summary = Summary::new((s, kind), tally, ids.len(), &found, &counts, started);
    if s.returns.is_some() {
        summary.suppliers_missing_gstr3b = Some(tracked.missing_3b.len() as u64);
    }
    let exit = summary.exit(s.fail_if_changed);
    let ready = report::finish(report, (kind, added), &names, width, &summary)?;
    sink::finish(Some(ready), summary_file.map(|f| (f, &summary)))?;
    if let Some(why) = &counts.store_error {
        // Said even with --quiet: money was spent on answers not kept.
        eprintln!(
            "gstbatch: {why}; {} answers were paid for and are not in the store (the report \
             holds them: a rerun asks for them again); every answer before them was kept",
            counts.not_stored
        );
    }
    if !s.ui.quiet {
        eprintln!("{}", summary.line(&s.store.path));
        if let Some(line) = summary.returns_line() {
            eprintln!("{line}");
        }
        if summary.stopped.is_some() && exit == Exit::Failed && counts.store_error.is_none() {
            eprintln!(
                "gstbatch: nothing was verified: {}",
                summary.stopped.as_deref().unwrap_or("")
            );
        }
    }
    Ok(exit)
}

/// What happened to a value asked about: its answer and when, or the
/// verdict and message of no answer.
type Asked = std::result::Result<(answer::Parsed, i64, bool), (Verdict, String)>;

/// Live calls, counted for the summary.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Values asked about.
    pub calls: u64,
    /// Retries made.
    pub retries: u64,
    /// Why every call stopped (access denied, insufficient credits).
    pub stopped: Option<String>,
    /// Why the store stopped taking answers, if it did.
    pub store_error: Option<String>,
    /// Answers paid for and not kept, after the store failed.
    pub not_stored: u64,
    /// Answers the provider gave, free, from its own cache.
    pub provider_cache_hits: u64,
}

/// A client for the provider, with the run's credentials.
///
/// # Errors
/// Credentials missing or unreadable.
fn connect(s: &Settings) -> Result<Client> {
    let credentials = Credentials::load(s.credentials.as_deref())?;
    Ok(Client::new(s.api_base.clone(), credentials, s.timeout, s.reason.clone())
        .with_provider_cache(s.provider_cache))
}

/// Asks about `asked`, storing each answer as it arrives (a commit at most
/// every second), and returns what became of each, by index in `asked`.
///
/// When a commit fails (a full disk, the store deleted or replaced, its
/// lock held past `--wait`), no new call is made: every answer is paid for,
/// and one that cannot be kept is money lost. What was answered is still
/// returned for the report; [`Counts::not_stored`] says how many of those
/// answers the store does not have.
///
/// Ctrl-C is graceful while it runs: the calls stop, and what was paid for
/// is committed.
fn ask_and_store(
    pace: Pace,
    store: &mut Store,
    client: &Client,
    asked: &[Question],
    (progress, base): (&Progress, u64),
    counts: &mut Counts,
) -> Vec<(usize, Asked)> {
    interrupt::set_graceful(true);
    let (tx, rx) = mpsc::channel::<Done>();
    let mut results = Vec::with_capacity(asked.len());
    let mut pending: Vec<Answer> = Vec::new();
    let mut last_commit = Instant::now();
    let failed: OnceLock<String> = OnceLock::new();
    let halt = || {
        if failed.get().is_some() {
            Some("the store could not be written, so no more answers are bought".to_string())
        } else {
            interrupt::interrupted().then(|| "the run was interrupted".to_string())
        }
    };
    let mut commit = |pending: &mut Vec<Answer>| -> Result<()> {
        let t = store.begin(true)?;
        t.add_answers(pending)?;
        t.commit()?;
        pending.clear();
        Ok(())
    };
    std::thread::scope(|scope| {
        let halt = &halt;
        let asking = scope.spawn(move || ask::ask_all(client, asked, pace, halt, &tx));
        let (mut live, mut done) = (0u64, 0u64);
        loop {
            let wait = Duration::from_secs(1).saturating_sub(last_commit.elapsed());
            let got = rx.recv_timeout(wait.max(Duration::from_millis(10)));
            if let Ok(d) = &got {
                done += 1;
                counts.retries += u64::from(d.retries);
                let result: Asked = match &d.outcome {
                    Outcome::Answered { parsed, raw, cached } => {
                        live += 1;
                        counts.calls += 1;
                        counts.provider_cache_hits += u64::from(*cached);
                        let asked_at = crate::time::now().timestamp();
                        pending.push(Answer {
                            identifier: asked[d.index].key().into_owned(),
                            kind: asked[d.index].kind().into(),
                            asked_at,
                            verdict: parsed.verdict.as_str().into(),
                            record: serde_json::to_string(&parsed.record).unwrap_or_default(),
                            raw: raw.clone(),
                            transaction_id: parsed.transaction_id.clone(),
                        });
                        Ok(((**parsed).clone(), asked_at, *cached))
                    }
                    Outcome::Refused(m) => {
                        counts.calls += 1;
                        // A 422: the provider refused the value's pattern.
                        let verdict = match asked[d.index] {
                            Question::Gstin(_) | Question::Returns { .. } => {
                                Verdict::ProviderRefused
                            }
                            Question::Pan { .. } => Verdict::Invalid,
                        };
                        Err((verdict, format!("the provider refused it (422): {m}")))
                    }
                    Outcome::ProviderError(m) => {
                        counts.calls += 1;
                        Err((Verdict::ProviderError, m.clone()))
                    }
                    Outcome::Unavailable(m) => {
                        counts.calls += 1;
                        Err((Verdict::Unavailable, m.clone()))
                    }
                    Outcome::NotAsked(m) => Err((Verdict::NotChecked, m.clone())),
                };
                results.push((d.index, result));
                progress.set(base + done);
                progress.message(format!("{live} live, {} retries", counts.retries));
            }
            let finished = matches!(got, Err(mpsc::RecvTimeoutError::Disconnected));
            let due = finished || last_commit.elapsed() >= Duration::from_secs(1);
            if due && failed.get().is_none() && !pending.is_empty() {
                if let Err(e) = commit(&mut pending) {
                    let _ = failed.set(e.describe());
                }
                last_commit = Instant::now();
            }
            if finished {
                break;
            }
        }
        counts.stopped = asking.join().unwrap_or_default();
    });
    interrupt::set_graceful(false);
    counts.store_error = failed.into_inner();
    if counts.store_error.is_some() {
        counts.not_stored = pending.len() as u64;
    }
    results
}
