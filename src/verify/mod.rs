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
pub mod names;
mod report;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use crate::batch::columns::{self, ColumnError, Family};
use crate::batch::input::{BlockReader, ReadOptions, Source, unclosed_quote};
use crate::batch::interrupt;
use crate::batch::progress::{Progress, Ui};
use crate::batch::report::{self as sink, Report, SummaryFile, Target};
use crate::batch::scan::{self, Fields, Records};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::{self, Kind, Options};
use crate::store::verify::{Answer, History};
use crate::store::{Location, Store};

use answer::{Record, Verdict};
use ask::{Done, Outcome, Pace};
use client::{Client, Credentials, Question};
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
    /// The exit code says only whether a verdict changed.
    pub fail_if_changed: bool,
    /// What stderr may show.
    pub ui: Ui,
}

/// One input row.
struct Row {
    /// Its spreadsheet row.
    row: u64,
    /// Its cells, as text.
    cells: Vec<String>,
    /// What to ask about it.
    ask: Ask,
}

/// What a row asks, or why it asks nothing.
enum Ask {
    /// A question to the provider (asked once however many rows share it).
    Question(Question),
    /// The value failed the offline check: never sent.
    Malformed(String),
    /// Nothing to ask with (a blank name or date of birth): costs nothing.
    NotChecked(String),
}

/// What is known about one distinct identifier after the run.
#[derive(Debug, Clone)]
struct Found {
    verdict: Verdict,
    record: Record,
    /// `live` or `cache`; empty when not answered.
    source: &'static str,
    /// When the answer was given (epoch seconds).
    checked_at: Option<i64>,
    /// The verdict of the stored answer before this one.
    previous: Option<String>,
    message: String,
}

impl Found {
    fn unanswered(verdict: Verdict, message: String, previous: Option<String>) -> Found {
        Found {
            verdict,
            record: Record::default(),
            source: "",
            checked_at: None,
            previous,
            message,
        }
    }

    fn from_store(a: &Answer, previous: Option<String>) -> Found {
        Found {
            verdict: Verdict::from_name(&a.verdict).unwrap_or(Verdict::Inactive),
            record: serde_json::from_str(&a.record).unwrap_or_default(),
            source: "cache",
            checked_at: Some(a.asked_at),
            previous,
            message: String::new(),
        }
    }

    /// Whether this run received a verdict different from the stored one.
    /// A change is news once: an answer read back from the store is never
    /// `changed`, however it differs from the one before it, so a nightly
    /// `--fail-if-changed` alerts on the night the change arrived only.
    fn changed(&self) -> bool {
        self.source == "live"
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
    let report = Report::create(&s.report)?;
    let (kind, headers, rows, name_col) = read_rows(s)?;

    // Distinct questions, in order of first appearance.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut ids: Vec<Question> = Vec::new();
    for r in &rows {
        if let Ask::Question(q) = &r.ask
            && !index.contains_key(&q.key())
        {
            index.insert(q.key(), ids.len());
            ids.push(q.clone());
        }
    }
    let keys: Vec<String> = ids.iter().map(Question::key).collect();

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
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let stored: HashMap<String, History> = match &store {
        Some(st) => st.answers(kind.as_str(), &key_refs)?,
        None => HashMap::new(),
    };
    let fresh = |a: &Answer| s.max_age > 0 && s.now - a.asked_at < s.max_age as i64;
    let mut found: Vec<Option<Found>> = vec![None; ids.len()];
    let mut to_ask: Vec<usize> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let h = stored.get(key);
        match h.and_then(|h| h.latest.as_ref()) {
            Some(a) if fresh(a) => {
                let previous = h.and_then(|h| h.before.as_ref()).map(|b| b.verdict.clone());
                found[i] = Some(Found::from_store(a, previous));
            }
            _ => to_ask.push(i),
        }
    }
    let previous_of =
        |i: usize| stored.get(&keys[i]).and_then(|h| h.latest.as_ref()).map(|a| a.verdict.clone());
    for &i in &to_ask {
        if s.offline {
            let why = "not in the store, or older than --max-age (--offline makes no call)";
            found[i] = Some(Found::unanswered(Verdict::NotChecked, why.into(), previous_of(i)));
        } else if s.dry_run {
            let why = "would be asked (--dry-run makes no call)";
            found[i] = Some(Found::unanswered(Verdict::NotChecked, why.into(), previous_of(i)));
        }
    }

    let mut counts = Counts::default();
    if live && !to_ask.is_empty() {
        let store = store.as_mut().ok_or_else(|| Error::Internal("no store to write".into()))?;
        let credentials = Credentials::load(s.credentials.as_deref())?;
        let client = Client::new(s.api_base.clone(), credentials, s.timeout, s.reason.clone());
        let asked: Vec<Question> = to_ask.iter().map(|&i| ids[i].clone()).collect();
        let what = if kind == Kind::Pan { "PANs" } else { "GSTINs" };
        let progress = Progress::items(ids.len() as u64, what, s.ui);
        progress.set((ids.len() - asked.len()) as u64);
        interrupt::set_graceful(true);
        let base = (ids.len() - asked.len()) as u64;
        let outcome = ask_and_store(s, store, &client, &asked, (&progress, base), &mut counts);
        interrupt::set_graceful(false);
        progress.finish();
        for (k, f) in outcome {
            let i = to_ask[k];
            found[i] = Some(match f {
                Ok((parsed, asked_at)) => Found {
                    verdict: parsed.verdict,
                    message: parsed.record.message.clone(),
                    record: parsed.record,
                    source: "live",
                    checked_at: Some(asked_at),
                    previous: previous_of(i),
                },
                Err((verdict, message)) => Found::unanswered(verdict, message, previous_of(i)),
            });
        }
    }
    drop(store);
    let found: Vec<Found> = found
        .into_iter()
        .map(|f| f.unwrap_or_else(|| Found::unanswered(Verdict::NotChecked, String::new(), None)))
        .collect();

    // Rows, in input order.
    let results: Vec<report::RowResult<'_>> = rows
        .iter()
        .map(|r| match &r.ask {
            Ask::Question(q) => {
                let f = &found[index[&q.key()]];
                let name = name_col.and_then(|c| r.cells.get(c)).map(String::as_str);
                report::RowResult::known(kind, f, name)
            }
            Ask::Malformed(message) => {
                report::RowResult::without(kind, Verdict::Malformed, message)
            }
            Ask::NotChecked(message) => {
                report::RowResult::without(kind, Verdict::NotChecked, message)
            }
        })
        .collect();
    let summary = Summary::new((s, kind), &rows, ids.len(), &found, &results, &counts, started);
    let exit = summary.exit(s.fail_if_changed);
    let ready = report::write(report, kind, &headers, &rows, &results, &summary)?;
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
type Asked = std::result::Result<(answer::Parsed, i64), (Verdict, String)>;

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
}

/// Asks about `asked`, storing each answer as it arrives (a commit at most
/// every second), and returns what became of each, by index in `asked`.
///
/// When a commit fails (a full disk, the store deleted or replaced, its
/// lock held past `--wait`), no new call is made: every answer is paid for,
/// and one that cannot be kept is money lost. What was answered is still
/// returned for the report; [`Counts::not_stored`] says how many of those
/// answers the store does not have.
fn ask_and_store(
    s: &Settings,
    store: &mut Store,
    client: &Client,
    asked: &[Question],
    (progress, base): (&Progress, u64),
    counts: &mut Counts,
) -> Vec<(usize, Asked)> {
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
        let asking = scope.spawn(move || ask::ask_all(client, asked, s.pace, halt, &tx));
        let (mut live, mut done) = (0u64, 0u64);
        loop {
            let wait = Duration::from_secs(1).saturating_sub(last_commit.elapsed());
            let got = rx.recv_timeout(wait.max(Duration::from_millis(10)));
            if let Ok(d) = &got {
                done += 1;
                counts.retries += u64::from(d.retries);
                let result: Asked = match &d.outcome {
                    Outcome::Answered { parsed, raw } => {
                        live += 1;
                        counts.calls += 1;
                        let asked_at = crate::time::now().timestamp();
                        pending.push(Answer {
                            identifier: asked[d.index].key(),
                            kind: asked[d.index].kind().into(),
                            asked_at,
                            verdict: parsed.verdict.as_str().into(),
                            record: serde_json::to_string(&parsed.record).unwrap_or_default(),
                            raw: raw.clone(),
                            transaction_id: parsed.transaction_id.clone(),
                        });
                        Ok(((**parsed).clone(), asked_at))
                    }
                    Outcome::Refused(m) => {
                        counts.calls += 1;
                        // A 422: the provider refused the value's pattern.
                        let verdict = match asked[d.index] {
                            Question::Gstin(_) => Verdict::NotFound,
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
    counts.store_error = failed.into_inner();
    if counts.store_error.is_some() {
        counts.not_stored = pending.len() as u64;
    }
    results
}

/// Reads the input rows: what kind is verified, the headers, the rows with
/// their questions, and the name column.
#[allow(clippy::type_complexity)]
fn read_rows(s: &Settings) -> Result<(Kind, Vec<String>, Vec<Row>, Option<usize>)> {
    let source = &s.input;
    let (mut reader, raw_headers, header_rows) = BlockReader::open_table(source, &s.read)?;
    let column_err = |e: ColumnError| Error::Column { path: source.path(), source: e };
    let (id_col, family) = columns::identifier(s.column.as_deref(), &raw_headers, s.read.headers)
        .map_err(column_err)?;
    // The column's own kind (a PAN column holds PANs; `--kind pan` on a
    // GSTIN column asks about the PAN inside each GSTIN).
    let holds = if family == Some(Family::Pan) { Kind::Pan } else { Kind::Gstin };
    let kind = s.kind.unwrap_or(holds);
    let by_arg = |a: &Option<String>, flag: &str| {
        a.as_deref().map(|a| columns::by_arg(a, &raw_headers, flag).map_err(column_err)).transpose()
    };
    let name_col = by_arg(&s.name_column, "--name-column")?;
    let dob_col = by_arg(&s.dob_column, "--dob-column")?;
    if kind == Kind::Pan {
        if !s.consent {
            return Err(Error::Usage(
                "PAN verification needs the holders' consent: the provider requires it, and \
                 the law requires it of whoever asks. Give --consent to confirm that every \
                 holder in the file consented"
                    .into(),
            ));
        }
        if name_col.is_none() || dob_col.is_none() {
            return Err(Error::Usage(
                "PAN verification needs each holder's name and date of birth (or \
                 incorporation): give --name-column and --dob-column"
                    .into(),
            ));
        }
    }
    let delimiter = reader.delimiter();
    let headers: Vec<String> =
        raw_headers.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect();
    let mut rows = Vec::new();
    let mut row = header_rows;
    while let Some(block) = reader.next_block()? {
        let mut recs = Records::new(&block, delimiter);
        for rec in recs.by_ref() {
            row += 1 + rec.blank_before as u64;
            if rec.unterminated {
                return Err(unclosed_quote(source.path(), row));
            }
            let fields = Fields::new(&rec, delimiter);
            let cells: Vec<String> = fields.iter().map(|f| scan::text(f).into_owned()).collect();
            let value = fields.get(id_col).unwrap_or_default();
            let ask = question(s, kind, holds, value, &cells, (name_col, dob_col), &headers);
            rows.push(Row { row, cells, ask });
        }
        row += recs.blank_after as u64;
    }
    Ok((kind, headers, rows, name_col))
}

/// What one row asks: the identifier, checked offline first, and for a PAN
/// the name and date of birth from their cells.
fn question(
    s: &Settings,
    kind: Kind,
    holds: Kind,
    value: &[u8],
    cells: &[String],
    (name_col, dob_col): (Option<usize>, Option<usize>),
    headers: &[String],
) -> Ask {
    let verdict = ident::check_bytes(value, Some(holds), Options::default());
    let id = match (&verdict.result, kind) {
        (Ok(ident::Id::Gstin(g)), Kind::Pan) => match g.pan() {
            Some(p) => p.to_string(),
            None => {
                return Ask::Malformed(format!(
                    "{g} holds no PAN (a {} GSTIN); not sent",
                    g.registration_type()
                ));
            }
        },
        (Ok(_), _) => verdict.normalized.to_string(),
        (Err(_), _) if s.send_malformed && !verdict.normalized.is_empty() => {
            verdict.normalized.to_string()
        }
        (Err(e), _) => return Ask::Malformed(format!("malformed ({}): {e}; not sent", e.code())),
    };
    if kind == Kind::Gstin {
        return Ask::Question(Question::Gstin(id));
    }
    let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|v| v.trim()).unwrap_or("");
    let named = |c: Option<usize>| {
        let c = c.unwrap_or(0);
        format!("column {} ({:?})", c + 1, headers.get(c).map(String::as_str).unwrap_or(""))
    };
    let name = cell(name_col);
    if name.is_empty() {
        return Ask::NotChecked(format!("the name cell, {}, is blank; not sent", named(name_col)));
    }
    let dob = cell(dob_col);
    let Some(dob) = crate::time::day_month_year(dob) else {
        let why = if dob.is_empty() {
            "is blank".to_string()
        } else {
            format!("holds {dob:?}, not a date")
        };
        return Ask::NotChecked(format!(
            "the date of birth cell, {}, {why} (write DD/MM/YYYY, DD-MM-YYYY or YYYY-MM-DD); not sent",
            named(dob_col)
        ));
    };
    Ask::Question(Question::Pan { pan: id, name: name.to_string(), dob })
}
