//! `gstbatch access`: a ledger of GST portal API-access sessions.
//!
//! On the portal a taxpayer sets *Enable API Request* to Yes for 6 hours to
//! 30 days, or to No (SPEC.md section 6). No public API does it, so a
//! practice records what its people did: `apply` takes a CSV of such
//! instructions into an SQLite store, `status` lists who has access until
//! when, `history` shows every change for one GSTIN.

pub mod apply;
pub mod duration;
pub mod instruction;
pub mod store;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::batch::input::{BlockReader, Source, check_text, delimiter_for};
use crate::batch::output::{self, Output, write_rows};
use crate::batch::progress::Progress;
use crate::batch::scan::{self, Fields, Records};
use crate::batch::{workbook, xlsx};
use crate::cli::{
    ApplyArgs, HistoryArgs, ReportArgs, ReportFormat, StatusArgs, StatusFilter, StoreArgs,
};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::{self, Gstin, Kind, Options};
use crate::time;

use apply::{Outcome, Reason, Session, Status};
use duration::AccessDuration;
use instruction::{Columns, Row};
use store::{Event, Store};

/// The store path and "now" of a run.
struct Context {
    path: PathBuf,
    now: i64,
    wait: Duration,
}

fn context(args: &StoreArgs) -> Result<Context> {
    let path = match &args.state {
        Some(p) => p.clone(),
        None => store::default_path().ok_or_else(|| {
            Error::Usage("no state store: give --state PATH or set GSTBATCH_STATE".into())
        })?,
    };
    let now = match &args.now {
        Some(t) => time::parse(t).map_err(|e| Error::Usage(format!("--now: {e}")))?.timestamp(),
        None => time::now().timestamp(),
    };
    Ok(Context { path, now, wait: Duration::from_secs(args.wait) })
}

fn fmt_time(t: Option<i64>) -> String {
    t.map(|t| time::format(&time::from_epoch(t))).unwrap_or_default()
}

fn report_format(r: &ReportArgs) -> ReportFormat {
    r.format.unwrap_or_else(|| ReportFormat::from_path(r.output.as_deref()))
}

/// A report on its way out: CSV, JSON or, staged as CSV, a workbook.
struct Report {
    out: Output,
    format: ReportFormat,
    workbook: Option<(PathBuf, tempfile::NamedTempFile)>,
}

/// A finished report, put in place by [`Ready::commit`].
enum Ready {
    Plain(Output),
    Workbook(tempfile::NamedTempFile, PathBuf),
}

impl Report {
    fn create(args: &ReportArgs) -> Result<Report> {
        let format = report_format(args);
        let workbook = match (format, args.output.as_deref()) {
            (ReportFormat::Xlsx, Some(p)) if p != std::path::Path::new("-") => {
                Some((p.to_path_buf(), xlsx::staging(p)?))
            }
            (ReportFormat::Xlsx, _) => {
                return Err(Error::Usage("an .xlsx report needs -o FILE.xlsx".into()));
            }
            _ => None,
        };
        let target = workbook.as_ref().map(|(_, s)| s.path()).or(args.output.as_deref());
        Ok(Report { out: Output::create(target)?, format, workbook })
    }

    fn to_file(&self) -> bool {
        !matches!(self.out, Output::Stdout(_))
    }

    fn write<T: Serialize>(&mut self, rows: impl IntoIterator<Item = T>) -> Result<()> {
        write_rows(&mut self.out, self.format, rows)
    }

    /// Finishes the file (building the workbook if one was asked for)
    /// without putting it in place yet.
    fn prepare(self, layout: &xlsx::Layout<'_>) -> Result<Ready> {
        match self.workbook {
            None => Ok(Ready::Plain(self.out)),
            Some((target, staged)) => {
                // The staged CSV is only a step: it is read back, then deleted.
                self.out.commit()?;
                let mut csv =
                    BlockReader::open(Source::File(staged.path().to_path_buf()), Some(b','))?;
                Ok(Ready::Workbook(xlsx::write(&mut csv, &target, layout)?, target))
            }
        }
    }
}

impl Ready {
    fn commit(self) -> Result<()> {
        match self {
            Ready::Plain(out) => out.commit(),
            Ready::Workbook(tmp, target) => xlsx::persist(tmp, &target),
        }
    }
}

/// No highlighting.
fn no_fill(_: &[String], _: &[String]) -> Option<xlsx::Fill> {
    None
}

/// A time written as RFC 3339 IST without allocating; empty when absent.
#[derive(Debug, Clone, Copy)]
pub struct TimeText(pub Option<i64>);

impl Serialize for TimeText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let Some(t) = self.0 else { return s.serialize_str("") };
        let mut buf = [0u8; 32];
        let mut cur = std::io::Cursor::new(&mut buf[..]);
        time::write_rfc3339(&time::from_epoch(t), &mut cur);
        let n = cur.position() as usize;
        s.serialize_str(std::str::from_utf8(&buf[..n]).unwrap_or_default())
    }
}

/// One row of the `apply` report.
#[derive(Debug, Serialize)]
pub struct ApplyRecord<'a> {
    /// Spreadsheet row of the instruction (the header is row 1).
    pub row: u64,
    /// The GSTIN as given (canonical when valid).
    pub gstin: &'a str,
    /// The action as given.
    pub action: &'a str,
    /// The canonical duration.
    pub duration: String,
    /// The effective time, RFC 3339 IST.
    pub effective_at: TimeText,
    /// `enabled`, `renewed`, `disabled`, `unchanged` or `rejected`.
    pub outcome: &'a str,
    /// The rejection reason code.
    pub reason: &'a str,
    /// The rejection message.
    pub message: &'a str,
    /// The status before the instruction, at its effective time.
    pub previous_status: &'a str,
    /// The expiry before it.
    pub previous_expiry: TimeText,
    /// The expiry after it (for a disable: when access ended).
    pub new_expiry: TimeText,
    /// Access left at "now" under the new expiry.
    pub remaining: String,
    /// The reference as given.
    pub reference: &'a str,
}

impl<'a> ApplyRecord<'a> {
    fn from_event(e: &'a Event<'_>, now: i64) -> ApplyRecord<'a> {
        let live = matches!(e.outcome.as_ref(), "enabled" | "renewed");
        ApplyRecord {
            row: e.row,
            gstin: &e.gstin,
            action: &e.action,
            duration: e.duration.map(|d| d.to_string()).unwrap_or_default(),
            effective_at: TimeText(e.effective_at),
            outcome: &e.outcome,
            reason: e.reason.as_deref().unwrap_or_default(),
            message: e.message.as_deref().unwrap_or_default(),
            previous_status: &e.previous_status,
            previous_expiry: TimeText(e.previous_expiry),
            new_expiry: TimeText(e.expires_at),
            remaining: match e.expires_at {
                Some(x) if live => time::remaining(x - now),
                _ => String::new(),
            },
            reference: &e.reference,
        }
    }
}

/// The JSON summary of `apply` (`--summary FILE`).
#[derive(Debug, Serialize)]
pub struct ApplySummary {
    /// The instructions file.
    pub input: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The store.
    pub store: String,
    /// Whether nothing was changed on purpose.
    pub dry_run: bool,
    /// When the same file was applied before (and so nothing was done).
    pub already_applied_at: Option<String>,
    /// Instructions read.
    pub instructions: u64,
    /// Counts by outcome.
    pub by_outcome: std::collections::BTreeMap<&'static str, u64>,
    /// Rejections by reason.
    pub by_reason: std::collections::BTreeMap<&'static str, u64>,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// The exit code.
    pub exit_code: u8,
}

/// Reads a whole input (instruction files are read at once: they are
/// applied in time order, and their SHA-256 identifies them).
fn read_all(source: &Source) -> Result<Vec<u8>> {
    let err = |e| Error::Read { path: source.path(), source: e };
    match source {
        Source::Stdin => {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut v).map_err(err)?;
            Ok(v)
        }
        Source::File(p) => std::fs::read(p).map_err(err),
    }
}

/// A table file's text, after its byte-order mark, and its delimiter: a
/// workbook is read as comma-separated CSV whatever its cells hold; UTF-16
/// is decoded, and tab-separated when its first line holds a tab (with
/// `tab_any`, any file whose first line holds a tab is); otherwise the flag
/// or the extension decides. `raw` is the file as read (unused for a
/// workbook, which is read from its path).
fn table_text<'a>(
    source: &Source,
    raw: &'a [u8],
    sheet: Option<&str>,
    flag: Option<u8>,
    tab_any: bool,
) -> Result<(Cow<'a, [u8]>, u8)> {
    let book = matches!(source, Source::File(p) if workbook::is_workbook(p));
    let decoded = match source {
        Source::File(p) if book => Some(workbook::to_csv(p, sheet, true)?),
        _ => crate::batch::utf16::decode_all(raw),
    };
    let utf16 = decoded.is_some() && !book;
    let text = decoded.map_or(Cow::Borrowed(raw), Cow::Owned);
    let bom =
        check_text(&text).map_err(|why| Error::NotCsv { path: source.path(), why: why.into() })?;
    let first_line = text[bom..].split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = match flag {
        _ if book => b',',
        None if (utf16 || tab_any) && first_line.contains(&b'\t') => b'\t',
        flag => delimiter_for(source, flag),
    };
    let text = match text {
        Cow::Borrowed(t) => Cow::Borrowed(&t[bom..]),
        Cow::Owned(mut t) => {
            t.drain(..bom);
            Cow::Owned(t)
        }
    };
    Ok((text, delimiter))
}

/// Runs `access apply`.
///
/// # Errors
/// Exit-2 failures: unreadable or non-CSV input, missing columns, an
/// unusable store, a report that cannot be written. Nothing is applied then.
pub fn run_apply(args: &ApplyArgs) -> Result<Exit> {
    let started = Instant::now();
    let ctx = context(&args.store)?;
    let source = Source::from_arg(&args.instructions);
    let bytes = read_all(&source)?;
    let sha = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    // The fingerprint is of the file as given.
    let (text, delimiter) =
        table_text(&source, &bytes, args.sheet.as_deref(), args.delimiter, false)?;
    let body = &text[..];

    let mut recs = Records::new(body, delimiter);
    let Some(header) = recs.next() else {
        return Err(Error::NotCsv {
            path: source.path(),
            why: "it is empty: there is no header row".into(),
        });
    };
    let headers: Vec<Vec<u8>> =
        Fields::new(&header, delimiter).iter().map(<[u8]>::to_vec).collect();
    let cols = Columns::find(&headers)
        .map_err(|message| Error::Column { path: source.path(), message })?;
    let mut row = 1 + header.blank_before as u64;
    let raw: Vec<(u64, scan::RawRecord<'_>)> = recs
        .map(|r| {
            row += 1 + r.blank_before as u64;
            (row, r)
        })
        .collect();
    let rows: Vec<Row> = raw
        .par_iter()
        .map(|(row, rec)| {
            let fields = Fields::new(rec, delimiter);
            instruction::parse(
                *row,
                |i| fields.get(i).map(|f| scan::text(f).into_owned()),
                &cols,
                ctx.now,
            )
        })
        .collect();

    // A dry run against a store that does not exist yet reads an empty one.
    let mut store = if args.dry_run && !ctx.path.exists() {
        Store::in_memory()?
    } else {
        Store::open(&ctx.path, ctx.wait, true)?
    };
    let store_name = ctx.path.display().to_string();

    // Everything from here to the commit happens under the store's write
    // lock (a dry run only reads): what is read stays true until the
    // commit, so two runs at once apply one after the other, each from the
    // other's result.
    let tx = store.begin(!args.dry_run)?;
    if let Some(batch) = tx.find_batch(&sha)?.filter(|_| !args.reapply) {
        let when = fmt_time(Some(batch.applied_at));
        if args.report.output.is_some() {
            let events = tx.batch_events(batch.id)?;
            let mut report = Report::create(&args.report)?;
            report.write(events.iter().map(|e| ApplyRecord::from_event(e, batch.now)))?;
            let fill = xlsx::fill_where("outcome", "rejected", xlsx::Fill::Red);
            let summary = [("Already applied on".to_string(), when.clone())];
            report.prepare(&xlsx::Layout::new(&["row"], &fill, &summary))?.commit()?;
        }
        if !args.report.quiet {
            eprintln!(
                "gstbatch: {} was already applied on {when} (batch {}, from {}); nothing changed. \
                 Use --reapply to apply it again.",
                source.display(),
                batch.id,
                batch.file_name
            );
        }
        let none = Tally::default();
        write_summary(args, &source, &sha, &store_name, Some(when), &none, started, Exit::Clean)?;
        return Ok(Exit::Clean);
    }

    // Keyed by the parsed GSTIN: no text hashing or allocation per row.
    let mut sessions: HashMap<Gstin, Session> = tx
        .sessions()?
        .into_iter()
        .filter_map(|(g, s)| g.parse::<Gstin>().ok().map(|g| (g, s)))
        .collect();
    let (events, changed) = apply_in_order(&rows, &mut sessions, ctx.now);
    let tally = Tally::of(&events);
    let counts = tally.counts;
    let mut by_row: Vec<&Event<'_>> = events.iter().collect();
    by_row.sort_by_key(|e| e.row);
    let records = || by_row.iter().map(|e| ApplyRecord::from_event(e, ctx.now));

    // The report is written before the commit and renamed into place after
    // it: a report that cannot be written applies nothing.
    let fill = xlsx::fill_where("outcome", "rejected", xlsx::Fill::Red);
    let summary = [
        ("Instructions".to_string(), counts.instructions.to_string()),
        ("Enabled".to_string(), counts.enabled.to_string()),
        ("Renewed".to_string(), counts.renewed.to_string()),
        ("Disabled".to_string(), counts.disabled.to_string()),
        ("Unchanged".to_string(), counts.unchanged.to_string()),
        ("Rejected".to_string(), counts.rejected.to_string()),
        ("Store".to_string(), store_name.clone()),
        ("Dry run".to_string(), if args.dry_run { "yes" } else { "no" }.to_string()),
    ]
    .into_iter()
    .chain(tally.by_reason.iter().map(|(r, n)| (format!("Rejected: {r}"), n.to_string())))
    .collect::<Vec<_>>();
    let layout = xlsx::Layout::new(&["row"], &fill, &summary);
    let mut report = Some(Report::create(&args.report)?);
    let to_file = report.as_ref().is_some_and(Report::to_file);
    let mut ready = None;
    if (to_file || args.dry_run)
        && let Some(mut r) = report.take()
    {
        r.write(records())?;
        ready = Some(r.prepare(&layout)?);
    }
    if !args.dry_run {
        let file_name = source.display();
        let changed_sessions: Vec<(&str, &Session)> =
            changed.iter().filter_map(|g| sessions.get(g).map(|s| (g.as_str(), s))).collect();
        let applied_at = time::now().timestamp();
        let quiet = args.report.quiet || matches!(source, Source::Stdin);
        let progress = Progress::items(events.len() as u64, "events", quiet);
        let recorded = tx
            .record(
                (&sha, &file_name, applied_at, ctx.now, counts),
                &events,
                &changed_sessions,
                &progress,
            )
            .and_then(|_| {
                pause_point();
                tx.commit()
            });
        if let Err(e) = recorded {
            progress.abandon();
            return Err(e);
        }
        progress.finish();
        if let Some(mut r) = report.take() {
            r.write(records())?;
            ready = Some(r.prepare(&layout)?);
        }
    }
    if let Some(r) = ready {
        r.commit()?;
    }

    let exit = Exit::from_failures(counts.rejected);
    if !args.report.quiet {
        eprintln!(
            "gstbatch: {} instructions: {} enabled, {} renewed, {} disabled, {} unchanged, {} rejected{}; store: {store_name}",
            counts.instructions,
            counts.enabled,
            counts.renewed,
            counts.disabled,
            counts.unchanged,
            counts.rejected,
            if args.dry_run { " (dry run: nothing changed)" } else { "" },
        );
    }
    write_summary(args, &source, &sha, &store_name, None, &tally, started, exit)?;
    Ok(exit)
}

/// Test-only: with `GSTBATCH_TEST_PAUSE_BEFORE_COMMIT=FILE`, create FILE and
/// wait (60 s, or `GSTBATCH_TEST_PAUSE_SECONDS`) inside the open transaction, so a test can kill the process there
/// and prove that nothing was applied. Not a feature; not documented for
/// users.
fn pause_point() {
    if let Some(marker) = std::env::var_os("GSTBATCH_TEST_PAUSE_BEFORE_COMMIT") {
        let _ = std::fs::write(&marker, b"paused");
        let seconds =
            std::env::var("GSTBATCH_TEST_PAUSE_SECONDS").ok().and_then(|s| s.parse().ok());
        std::thread::sleep(Duration::from_secs(seconds.unwrap_or(60)));
    }
}

/// Applies the parsed rows in effective-time order, then file order (SPEC.md
/// section 6). Returns the events in that order and the GSTINs whose
/// sessions changed.
fn apply_in_order<'r>(
    rows: &'r [Row],
    sessions: &mut HashMap<Gstin, Session>,
    now: i64,
) -> (Vec<Event<'r>>, Vec<Gstin>) {
    let mut order: Vec<&Row> = rows.iter().collect();
    order.sort_by_key(|r| (r.effective_at.unwrap_or(now), r.row));
    let mut changed = HashSet::new();
    let mut events = Vec::with_capacity(rows.len());
    for r in order {
        let mut ev = Event {
            batch_id: 0,
            row: r.row,
            gstin: Cow::Borrowed(r.gstin_text.as_str()),
            action: Cow::Borrowed(r.action_text.as_str()),
            duration: r.duration,
            effective_at: r.effective_at,
            outcome: Cow::Borrowed(""),
            reason: None,
            message: None,
            previous_status: Cow::Borrowed(Status::Unknown.as_str()),
            previous_expiry: None,
            expires_at: None,
            reference: Cow::Borrowed(r.reference.as_str()),
        };
        match &r.parsed {
            Err((reason, message)) => {
                ev.outcome = Cow::Borrowed("rejected");
                ev.reason = Some(Cow::Borrowed(reason.as_str()));
                ev.message = Some(Cow::Borrowed(message.as_str()));
            }
            Ok(ins) => {
                let g = ins.gstin;
                let tr = apply::apply(sessions.get(&g), ins.action, ins.effective_at, &r.reference);
                ev.gstin = Cow::Owned(g.to_string());
                ev.outcome = Cow::Borrowed(tr.outcome.as_str());
                ev.previous_status = Cow::Borrowed(tr.previous_status.as_str());
                ev.previous_expiry = tr.previous_expiry;
                if let Outcome::Rejected(reason) = tr.outcome {
                    ev.reason = Some(Cow::Borrowed(reason.as_str()));
                    ev.message = Some(Cow::Owned(match reason {
                        Reason::OutOfOrder => format!(
                            "effective time is before this GSTIN's last recorded change ({})",
                            fmt_time(sessions.get(&g).map(|s| s.last_change))
                        ),
                        other => other.as_str().to_string(),
                    }));
                }
                if let Some(new) = tr.new {
                    ev.expires_at = Some(new.expires_at);
                    sessions.insert(g, new);
                    changed.insert(g);
                }
            }
        }
        events.push(ev);
    }
    let mut changed: Vec<Gstin> = changed.into_iter().collect();
    changed.sort();
    (events, changed)
}

/// A batch's outcomes, counted once for the summary line, the JSON summary
/// and a workbook's summary sheet.
#[derive(Debug, Default)]
struct Tally {
    counts: store::Counts,
    by_reason: std::collections::BTreeMap<&'static str, u64>,
}

impl Tally {
    fn of(events: &[Event<'_>]) -> Tally {
        let mut t = Tally::default();
        t.counts.instructions = events.len() as u64;
        for e in events {
            let c = &mut t.counts;
            match e.outcome.as_ref() {
                "enabled" => c.enabled += 1,
                "renewed" => c.renewed += 1,
                "disabled" => c.disabled += 1,
                "unchanged" => c.unchanged += 1,
                _ => c.rejected += 1,
            }
            if let Some(r) = Reason::ALL.iter().find(|r| Some(r.as_str()) == e.reason.as_deref()) {
                *t.by_reason.entry(r.as_str()).or_insert(0) += 1;
            }
        }
        t
    }

    /// The outcomes that occurred, by name.
    fn by_outcome(&self) -> std::collections::BTreeMap<&'static str, u64> {
        let c = &self.counts;
        [
            ("enabled", c.enabled),
            ("renewed", c.renewed),
            ("disabled", c.disabled),
            ("unchanged", c.unchanged),
            ("rejected", c.rejected),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }
}

#[allow(clippy::too_many_arguments)]
fn write_summary(
    args: &ApplyArgs,
    source: &Source,
    sha: &str,
    store: &str,
    already: Option<String>,
    tally: &Tally,
    started: Instant,
    exit: Exit,
) -> Result<()> {
    let Some(path) = &args.summary else { return Ok(()) };
    let summary = ApplySummary {
        input: source.display(),
        sha256: sha.to_string(),
        store: store.to_string(),
        dry_run: args.dry_run,
        already_applied_at: already,
        instructions: tally.counts.instructions,
        by_outcome: tally.by_outcome(),
        by_reason: tally.by_reason.clone(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
        exit_code: exit.code(),
    };
    let mut json = serde_json::to_vec_pretty(&summary)
        .map_err(|e| Error::Write { path: path.clone(), source: e.into() })?;
    json.push(b'\n');
    output::write_file(path, &json)
}

/// One row of `access status`.
#[derive(Debug, Serialize)]
pub struct StatusRecord {
    /// The GSTIN.
    pub gstin: String,
    /// `active`, `expired`, `disabled` or `unknown`.
    pub status: String,
    /// When access was last enabled.
    pub enabled_at: String,
    /// For how long.
    pub duration: String,
    /// When it ends (or ended).
    pub expires_at: String,
    /// Access left at "now", for active sessions.
    pub remaining: String,
    /// `open` or `closed` (6 hours or less left: no fresh GSP token), for
    /// active sessions.
    pub token_window: String,
    /// The time of the last recorded change.
    pub last_change: String,
    /// The reference of the last change.
    pub reference: String,
}

/// The GSTINs asked for with `--gstin` and `--gstins`, canonical.
fn requested(args: &StatusArgs) -> Result<Option<Vec<String>>> {
    let mut list = Vec::new();
    let mut add = |text: &str, origin: &str| -> Result<()> {
        match ident::check(text, Some(Kind::Gstin), Options::default()).result {
            Ok(id) => {
                if let ident::Id::Gstin(g) = id {
                    list.push(g.to_string());
                }
                Ok(())
            }
            Err(e) => Err(Error::Usage(format!("{origin}: {text:?} is not a valid GSTIN: {e}"))),
        }
    };
    for g in &args.gstins {
        add(g, "--gstin")?;
    }
    if let Some(path) = &args.gstins_file {
        let source = Source::File(path.clone());
        let raw = if workbook::is_workbook(path) { Vec::new() } else { read_all(&source)? };
        let (text, delimiter) = table_text(&source, &raw, args.sheet.as_deref(), None, true)?;
        let mut recs = Records::new(&text, delimiter).peekable();
        // A CSV with a GSTIN column, or a plain list (one per line).
        let column = match recs.peek() {
            Some(first) => {
                let headers: Vec<Vec<u8>> =
                    Fields::new(first, delimiter).iter().map(<[u8]>::to_vec).collect();
                match crate::validate::columns::detect(&headers) {
                    Ok((i, crate::validate::columns::Family::Gstin)) => {
                        recs.next();
                        i
                    }
                    _ => 0,
                }
            }
            None => 0,
        };
        let mut row = 0;
        for rec in recs {
            row += 1 + rec.blank_before;
            let fields = Fields::new(&rec, delimiter);
            let text = scan::text(fields.get(column).unwrap_or_default()).into_owned();
            if !text.trim().is_empty() {
                add(&text, &format!("{} row {row}", path.display()))?;
            }
        }
    }
    if args.gstins.is_empty() && args.gstins_file.is_none() {
        return Ok(None);
    }
    list.sort();
    list.dedup();
    Ok(Some(list))
}

/// Runs `access status`.
///
/// # Errors
/// Exit-2 failures: a missing or unusable store, bad filters.
pub fn run_status(args: &StatusArgs) -> Result<Exit> {
    let ctx = context(&args.store)?;
    let within = args
        .expiring_within
        .as_deref()
        .map(|d| {
            d.parse::<AccessDuration>()
                .map(|d| d.seconds())
                .or_else(|_| parse_window(d))
                .map_err(|e| Error::Usage(format!("--expiring-within: {e}")))
        })
        .transpose()?;
    let wanted = requested(args)?;
    let store = Store::open(&ctx.path, ctx.wait, false)?;
    let sessions = store.sessions()?;
    let now = ctx.now;
    let mut list: Vec<(Option<&Session>, String)> = match &wanted {
        Some(gs) => gs.iter().map(|g| (sessions.get(g), g.clone())).collect(),
        None => sessions.iter().map(|(g, s)| (Some(s), g.clone())).collect(),
    };
    list.retain(|(s, _)| {
        let st = apply::status_of(*s, now);
        let status_ok = match args.status {
            None => true,
            Some(StatusFilter::Active) => st == Status::Active,
            Some(StatusFilter::Expired) => st == Status::Expired,
            Some(StatusFilter::Disabled) => st == Status::Disabled,
            Some(StatusFilter::Unknown) => st == Status::Unknown,
        };
        let window_ok = match (within, s) {
            (None, _) => true,
            (Some(w), Some(s)) => st == Status::Active && s.expires_at - now <= w,
            (Some(_), None) => false,
        };
        status_ok && window_ok
    });
    list.sort_by(|a, b| (a.0.map(|s| s.expires_at), &a.1).cmp(&(b.0.map(|s| s.expires_at), &b.1)));
    let records = list.iter().map(|(s, g)| {
        let st = apply::status_of(*s, now);
        let active = st == Status::Active;
        StatusRecord {
            gstin: g.clone(),
            status: st.as_str().to_string(),
            enabled_at: fmt_time(s.map(|s| s.enabled_at)),
            duration: s.map(|s| s.duration.to_string()).unwrap_or_default(),
            expires_at: fmt_time(s.map(|s| s.expires_at)),
            remaining: s
                .filter(|_| active)
                .map(|s| time::remaining(s.expires_at - now))
                .unwrap_or_default(),
            token_window: match s {
                Some(s) if active => {
                    if s.token_window_closed(now) { "closed" } else { "open" }.to_string()
                }
                _ => String::new(),
            },
            last_change: fmt_time(s.map(|s| s.last_change)),
            reference: s.map(|s| s.reference.clone()).unwrap_or_default(),
        }
    });
    let mut report = Report::create(&args.report)?;
    report.write(records)?;
    let fill = xlsx::fill_where("token_window", "closed", xlsx::Fill::Amber);
    let summary = [
        ("Sessions listed".to_string(), list.len().to_string()),
        ("At".to_string(), fmt_time(Some(now))),
        ("Store".to_string(), ctx.path.display().to_string()),
    ];
    report.prepare(&xlsx::Layout::new(&[], &fill, &summary))?.commit()?;
    if !args.report.quiet {
        let active =
            list.iter().filter(|(s, _)| apply::status_of(*s, now) == Status::Active).count();
        eprintln!(
            "gstbatch: {} sessions listed ({active} active) at {}; store: {}",
            list.len(),
            fmt_time(Some(now)),
            ctx.path.display()
        );
    }
    Ok(if args.fail_if_any && !list.is_empty() { Exit::Findings } else { Exit::Clean })
}

/// `--expiring-within` also takes spans shorter than an access can last
/// (`30 minutes` is not a duration, but a fine window): whole hours or
/// minutes.
fn parse_window(text: &str) -> std::result::Result<i64, String> {
    let t = text.trim().to_ascii_lowercase();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: i64 =
        t[..digits].parse().map_err(|_| format!("{text:?} is not a span such as 24h or 7 days"))?;
    match t[digits..].trim() {
        "m" | "min" | "mins" | "minute" | "minutes" => Ok(n * 60),
        "h" | "hr" | "hrs" | "hour" | "hours" => Ok(n * 3600),
        "d" | "day" | "days" => Ok(n * 86400),
        _ => Err(format!("{text:?} is not a span such as 24h or 7 days")),
    }
}

/// One row of `access history`.
#[derive(Debug, Serialize)]
pub struct HistoryRecord {
    /// The batch the instruction came in.
    pub batch: i64,
    /// Its row in that batch's file.
    pub row: u64,
    /// The action as given.
    pub action: String,
    /// The canonical duration.
    pub duration: String,
    /// The effective time.
    pub effective_at: String,
    /// What happened.
    pub outcome: String,
    /// The rejection reason code.
    pub reason: String,
    /// The status before it.
    pub previous_status: String,
    /// The expiry before it.
    pub previous_expiry: String,
    /// The expiry after it.
    pub new_expiry: String,
    /// The reference.
    pub reference: String,
}

/// Runs `access history`.
///
/// # Errors
/// Exit-2 failures: an invalid GSTIN, a missing or unusable store.
pub fn run_history(args: &HistoryArgs) -> Result<Exit> {
    let ctx = context(&args.store)?;
    let gstin = match ident::check(&args.gstin, Some(Kind::Gstin), Options::default()).result {
        Ok(ident::Id::Gstin(g)) => g.to_string(),
        Ok(_) => unreachable!("a GSTIN check yields a GSTIN"),
        Err(e) => return Err(Error::Usage(format!("{:?} is not a valid GSTIN: {e}", args.gstin))),
    };
    let store = Store::open(&ctx.path, ctx.wait, false)?;
    let events = store.history(&gstin)?;
    let records = events.iter().map(|e| HistoryRecord {
        batch: e.batch_id,
        row: e.row,
        action: e.action.to_string(),
        duration: e.duration.map(|d| d.to_string()).unwrap_or_default(),
        effective_at: fmt_time(e.effective_at),
        outcome: e.outcome.to_string(),
        reason: e.reason.as_deref().unwrap_or_default().to_string(),
        previous_status: e.previous_status.to_string(),
        previous_expiry: fmt_time(e.previous_expiry),
        new_expiry: fmt_time(e.expires_at),
        reference: e.reference.to_string(),
    });
    let mut report = Report::create(&args.report)?;
    report.write(records)?;
    let summary =
        [("GSTIN".to_string(), gstin.clone()), ("Events".to_string(), events.len().to_string())];
    report.prepare(&xlsx::Layout::new(&["batch", "row"], &no_fill, &summary))?.commit()?;
    if !args.report.quiet {
        eprintln!("gstbatch: {} events for {gstin}; store: {}", events.len(), ctx.path.display());
    }
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&str], now: i64) -> Vec<Row> {
        let cols = Columns {
            gstin: 0,
            action: 1,
            duration: Some(2),
            effective_at: Some(3),
            reference: Some(4),
        };
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let cells: Vec<String> = l.split(',').map(String::from).collect();
                instruction::parse(i as u64 + 2, |c| cells.get(c).cloned(), &cols, now)
            })
            .collect()
    }

    #[test]
    fn spec_6_same_gstin_in_one_file_applies_in_time_order_then_file_order() {
        let now = time::parse("2026-11-26 18:00").unwrap().timestamp();
        let rows = rows(
            &[
                // Later in time, earlier in the file: applies second.
                "27AAPFU0939F1ZV,disable,,2026-11-26 10:00,b",
                "27AAPFU0939F1ZV,enable,1 day,2026-11-26 09:00,a",
                // Same time: file order decides.
                "29AAACR5055K1Z3,enable,6h,2026-11-26 09:00,c",
                "29AAACR5055K1Z3,enable,12h,2026-11-26 09:00,d",
            ],
            now,
        );
        let mut sessions = HashMap::new();
        let (events, changed) = apply_in_order(&rows, &mut sessions, now);
        let seq: Vec<(u64, &str)> = events.iter().map(|e| (e.row, e.outcome.as_ref())).collect();
        assert_eq!(seq, [(3, "enabled"), (4, "enabled"), (5, "renewed"), (2, "disabled")]);
        let a: Gstin = "27AAPFU0939F1ZV".parse().unwrap();
        let b: Gstin = "29AAACR5055K1Z3".parse().unwrap();
        assert_eq!(changed, [a, b]);
        assert_eq!(sessions[&b].duration.hours(), 12);
        assert!(!sessions[&a].enabled);
    }

    #[test]
    fn expiring_windows() {
        assert_eq!(parse_window("30 minutes"), Ok(1800));
        assert_eq!(parse_window("2h"), Ok(7200));
        assert_eq!(parse_window("1 day"), Ok(86400));
        assert!(parse_window("soon").is_err());
    }
}
