//! The second argument stage: what the user typed ([`crate::cli`]) becomes
//! each command's plain settings, resolved once and in one place: standard
//! input (at most once), report targets and formats, the summary file, the
//! store's path, "now", the worker count, and whether stderr is a terminal.
//! The guard that no output overwrites an input, the store or another
//! output runs here, for every command, before any work.
//!
//! Only this module, [`crate::cli`] and the binary name clap types; the
//! commands take the settings built here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::access::{apply, history, status};
use crate::batch::progress::Ui;
use crate::batch::report::{self, Format, Target};
use crate::cli::{
    AccessCommand, CheckFormat, Cli, Command, InputFormatArg, KindArg, ReportArgs, ReportFormat,
    StatusFilter, StoreArgs, TextEncoding, YesNo,
};
use crate::error::{Error, Result};
use crate::ident::Kind;
use crate::input::encoding::Encoding;
use crate::input::{InputFormat, ReadOptions, Source};
use crate::store::{self, Location};
use crate::{check, extract, generate, time, validate, verify};

pub mod file;

use file::File;

/// One command and its settings.
#[derive(Debug)]
pub enum Config {
    /// `gstbatch check`.
    Check(check::Settings),
    /// `gstbatch validate`.
    Validate(validate::Settings),
    /// `gstbatch access apply`.
    Apply(apply::Settings),
    /// `gstbatch access status`.
    Status(status::Settings),
    /// `gstbatch access history`.
    History(history::Settings),
    /// `gstbatch verify`.
    Verify(Box<verify::Settings>),
    /// `gstbatch generate`.
    Generate(generate::Settings),
    /// `gstbatch extract`.
    Extract(extract::Settings),
    /// `gstbatch completions`.
    Completions(clap_complete::Shell),
    /// `gstbatch man`.
    Man,
    /// `gstbatch config`: the settings in effect, as TOML with their
    /// sources in comments.
    Show(String),
}

impl Config {
    /// Resolves the parsed command line.
    ///
    /// # Errors
    /// [`Error::Usage`] for arguments that make no sense together (stdin
    /// twice, an output naming an input or the store, a bad `--now`), and
    /// [`Error::Usage`] when no store path can be found.
    pub fn from_cli(cli: Cli) -> Result<Config> {
        let tty = std::io::stderr().is_terminal();
        // Only the commands with settings in the file read it, so that a bad
        // file never stops `check`.
        let f = match cli.command {
            Command::Validate(_)
            | Command::Access(_)
            | Command::Verify(_)
            | Command::Extract(_)
            | Command::Config => file::load()?.unwrap_or_default(),
            _ => File::default(),
        };
        match cli.command {
            Command::Check(a) => {
                if a.ids.iter().filter(|i| *i == "-").count() > 1 {
                    return Err(Error::Usage("'-' (standard input) can be given only once".into()));
                }
                Ok(Config::Check(check::Settings {
                    ids: a.ids,
                    kind: forced(a.kind),
                    format: match a.format {
                        CheckFormat::Text => check::Format::Text,
                        CheckFormat::Json => check::Format::Rows(Format::Json),
                        CheckFormat::Jsonl => check::Format::Rows(Format::Jsonl),
                        CheckFormat::Csv => check::Format::Rows(Format::Csv),
                    },
                    opts: a.rules.options(),
                    flush_each: std::io::stdout().is_terminal(),
                }))
            }
            Command::Validate(a) => {
                let input = Source::from_arg(&a.input);
                let report = report_target(a.output.as_deref(), a.format, a.bom, &f)?;
                guard(&[&a.input], None, &report, a.summary.as_deref())?;
                Ok(Config::Validate(validate::Settings {
                    input,
                    read: ReadOptions {
                        delimiter: a.csv.table.delimiter,
                        headers: !a.csv.no_headers,
                        sheet: a.csv.table.sheet,
                        encoding: encoding(a.csv.table.encoding),
                        format: a.csv.table.input_format.map(input_format),
                    },
                    report,
                    summary: a.summary,
                    column: a.column,
                    kind: forced(a.kind),
                    pan_column: a.pan_column,
                    state_column: a.state_column,
                    only_invalid: a.only_invalid,
                    duplicates: !a.no_duplicates,
                    opts: a.rules.options(),
                    jobs: a.csv.jobs,
                    ui: ui(a.csv.quiet, tty),
                }))
            }
            Command::Access(a) => match a.command {
                AccessCommand::Apply(a) => {
                    if a.table.input_format.is_some_and(|f| f != InputFormatArg::Csv) {
                        return Err(Error::Usage(
                            "--input-format: access apply reads instructions from CSV files and \
                             workbooks only"
                                .into(),
                        ));
                    }
                    let (store, now) = ledger(&a.store, &f)?;
                    let report = target(&a.report, &f)?;
                    guard(&[&a.instructions], Some(&store.path), &report, a.summary.as_deref())?;
                    Ok(Config::Apply(apply::Settings {
                        input: Source::from_arg(&a.instructions),
                        delimiter: a.table.delimiter,
                        sheet: a.table.sheet,
                        encoding: encoding(a.table.encoding),
                        dry_run: a.dry_run,
                        reapply: a.reapply,
                        summary: a.summary,
                        store,
                        now,
                        report,
                        ui: ui(a.report.quiet, tty),
                    }))
                }
                AccessCommand::Status(a) => {
                    let (store, now) = ledger(&a.store, &f)?;
                    let report = target(&a.report, &f)?;
                    let inputs: Vec<&Path> = a.gstins_file.iter().map(PathBuf::as_path).collect();
                    guard(&inputs, Some(&store.path), &report, None)?;
                    Ok(Config::Status(status::Settings {
                        gstins: a.gstins,
                        gstins_file: a.gstins_file,
                        sheet: a.sheet,
                        // At most ten years (MAX_SPAN): it fits an i64.
                        expiring_within: a
                            .expiring_within
                            .as_deref()
                            .map(|t| span("--expiring-within", t).map(|v| v as i64))
                            .transpose()?,
                        status: a.status.map(|s| match s {
                            StatusFilter::Active => crate::ledger::Status::Active,
                            StatusFilter::Expired => crate::ledger::Status::Expired,
                            StatusFilter::Disabled => crate::ledger::Status::Disabled,
                            StatusFilter::Unknown => crate::ledger::Status::Unknown,
                        }),
                        fail_if_any: a.fail_if_any,
                        store,
                        now,
                        report,
                        ui: ui(a.report.quiet, tty),
                    }))
                }
                AccessCommand::History(a) => {
                    let (store, _) = ledger(&a.store, &f)?;
                    let report = target(&a.report, &f)?;
                    guard(&[], Some(&store.path), &report, None)?;
                    Ok(Config::History(history::Settings {
                        gstin: a.gstin,
                        store,
                        report,
                        ui: ui(a.report.quiet, tty),
                    }))
                }
            },
            Command::Verify(a) => {
                let (store, now) = ledger(&a.store, &f)?;
                let report = target(&a.report, &f)?;
                let (credentials, _) = credentials_of(a.credentials.clone(), &f);
                let mut inputs = vec![a.input.as_path()];
                inputs.extend(credentials.as_deref());
                guard(&inputs, Some(&store.path), &report, a.summary.as_deref())?;
                let (base, _) = api_base_of(a.api_base.clone(), &f);
                let returns_max_age = max_age("--returns-max-age", &a.returns_max_age)?;
                let max_age = max_age("--max-age", &max_age_of(a.max_age.clone(), &f).0)?;
                let timeout = span("--timeout", &a.timeout)?.max(1);
                Ok(Config::Verify(Box::new(verify::Settings {
                    input: Source::from_arg(&a.input),
                    read: ReadOptions {
                        delimiter: a.table.delimiter,
                        headers: !a.no_headers,
                        sheet: a.table.sheet,
                        encoding: encoding(a.table.encoding),
                        format: a.table.input_format.map(input_format),
                    },
                    column: a.column,
                    kind: forced(a.kind),
                    name_column: a.name_column,
                    dob_column: a.dob_column,
                    date_column: a.date_column,
                    value_column: a.value_column,
                    returns: a
                        .returns
                        .as_deref()
                        .map(|t| {
                            verify::credit::parse_fy(t, time::from_epoch(now).date_naive())
                                .map_err(Error::Usage)
                        })
                        .transpose()?,
                    returns_max_age,
                    reason: a.reason,
                    consent: a.consent,
                    report,
                    summary: a.summary,
                    store,
                    now,
                    max_age,
                    offline: a.offline,
                    dry_run: a.dry_run,
                    max_calls: a.max_calls,
                    pace: verify::ask::Pace {
                        concurrency: concurrency_of(a.concurrency, &f).0 as usize,
                        rate: rate_of(a.rate, &f)
                            .0
                            .or_else(|| verify::client::published_rate(&base)),
                        max_calls: a.max_calls,
                        backoff: test_backoff().unwrap_or(Duration::from_secs(1)),
                    },
                    timeout: Duration::from_secs(timeout),
                    api_base: verify::client::check_base(&base)?,
                    credentials,
                    send_malformed: a.send_malformed,
                    provider_cache: a.provider_cache,
                    fail_if_changed: a.fail_if_changed,
                    ui: ui(a.report.quiet, tty),
                })))
            }
            Command::Extract(a) => {
                if a.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
                    return Err(Error::Usage("'-' (standard input) can be given only once".into()));
                }
                let report = target(&a.report, &f)?;
                let inputs: Vec<&Path> = a.files.iter().map(PathBuf::as_path).collect();
                guard(&inputs, None, &report, None)?;
                Ok(Config::Extract(extract::Settings {
                    inputs: a.files.iter().map(|p| Source::from_arg(p)).collect(),
                    kind: forced(a.kind),
                    distinct: a.distinct,
                    valid_only: a.valid_only,
                    binary: a.binary,
                    encoding: encoding(a.encoding),
                    opts: a.rules.options(),
                    report,
                    ui: ui(a.report.quiet, tty),
                }))
            }
            Command::Completions(a) => Ok(Config::Completions(a.shell)),
            Command::Man => Ok(Config::Man),
            Command::Config => Ok(Config::Show(show(&f))),
            Command::Generate(a) => Ok(Config::Generate(generate::Settings {
                rows: a.rows,
                instructions_over: a.instructions,
                seed: a.seed,
                output: a.output,
            })),
        }
    }
}

fn forced(kind: KindArg) -> Option<Kind> {
    match kind {
        KindArg::Auto => None,
        KindArg::Gstin => Some(Kind::Gstin),
        KindArg::Pan => Some(Kind::Pan),
    }
}

fn format(f: ReportFormat) -> Format {
    match f {
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Jsonl => Format::Jsonl,
        ReportFormat::Json => Format::Json,
        ReportFormat::Xlsx => Format::Xlsx,
    }
}

fn input_format(f: InputFormatArg) -> InputFormat {
    match f {
        InputFormatArg::Csv => InputFormat::Csv,
        InputFormatArg::GstrJson => InputFormat::ReturnJson,
        InputFormatArg::Einvoice => InputFormat::Einvoice,
        InputFormatArg::TallyXml => InputFormat::Tally,
    }
}

fn encoding(e: Option<TextEncoding>) -> Encoding {
    match e {
        None => Encoding::Auto,
        Some(TextEncoding::Utf8) => Encoding::Utf8,
        Some(TextEncoding::Windows1252) => Encoding::Windows1252,
        Some(TextEncoding::Utf16) => Encoding::Utf16,
    }
}

fn target(r: &ReportArgs, f: &File) -> Result<Target> {
    report_target(r.output.as_deref(), r.format, r.bom, f)
}

/// A report's target from `-o`, `--format` and `--bom`, the file's format
/// filling in.
fn report_target(
    output: Option<&Path>,
    format: Option<ReportFormat>,
    bom: Option<YesNo>,
    f: &File,
) -> Result<Target> {
    let format = report_format(format, output, f);
    Ok(Target::new(output, format)?.with_bom(YesNo::choice(bom)))
}

/// `--format`, else the format the report's extension names, else the
/// file's (a workbook only for a report file), else CSV.
fn report_format(flag: Option<ReportFormat>, path: Option<&Path>, f: &File) -> Option<Format> {
    if let Some(flag) = flag {
        return Some(format(flag));
    }
    let path = path.filter(|p| *p != Path::new("-"));
    if path.and_then(Format::named_by).is_some() {
        return None;
    }
    f.format.as_ref().map(|e| e.value).filter(|v| *v != Format::Xlsx || path.is_some())
}

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The command line.
    Flag,
    /// This environment variable.
    Env(&'static str),
    /// This line of the configuration file.
    File(usize),
    /// gstbatch's own default.
    Default,
}

/// The first of the flag, the environment, the file and the default that
/// has a value.
fn pick<T>(
    flag: Option<T>,
    env: Option<(&'static str, T)>,
    file: Option<(T, usize)>,
    default: T,
) -> (T, Origin) {
    flag.map(|v| (v, Origin::Flag))
        .or_else(|| env.map(|(k, v)| (v, Origin::Env(k))))
        .or_else(|| file.map(|(v, line)| (v, Origin::File(line))))
        .unwrap_or((default, Origin::Default))
}

/// An environment variable that is set and not blank.
fn env(key: &'static str) -> Option<(&'static str, String)> {
    std::env::var(key).ok().filter(|v| !v.trim().is_empty()).map(|v| (key, v))
}

fn entry<T: Clone>(e: &Option<file::Entry<T>>) -> Option<(T, usize)> {
    e.as_ref().map(|e| (e.value.clone(), e.line))
}

fn state_of(flag: Option<PathBuf>, f: &File) -> (Option<PathBuf>, Origin) {
    let env = env("GSTBATCH_STATE").map(|(k, v)| (k, Some(PathBuf::from(v))));
    let file = entry(&f.state).map(|(p, l)| (Some(p), l));
    pick(flag.map(Some), env, file, store::default_path())
}

fn api_base_of(flag: Option<String>, f: &File) -> (String, Origin) {
    pick(flag, env("GSTBATCH_API_BASE"), entry(&f.api_base), verify::client::PRODUCTION.into())
}

/// The credentials file; `None` means the environment's key and secret.
/// Both of those set win over the file's path.
fn credentials_of(flag: Option<PathBuf>, f: &File) -> (Option<PathBuf>, Origin) {
    let pair = env("GSTBATCH_API_KEY").and(env("GSTBATCH_API_SECRET"));
    let env = pair.map(|_| ("GSTBATCH_API_KEY", None));
    pick(flag.map(Some), env, entry(&f.credentials).map(|(p, l)| (Some(p), l)), None)
}

fn max_age_of(flag: Option<String>, f: &File) -> (String, Origin) {
    pick(flag, None, entry(&f.max_age), "7d".into())
}

fn rate_of(flag: Option<u32>, f: &File) -> (Option<u32>, Origin) {
    pick(flag.map(Some), None, entry(&f.rate).map(|(r, l)| (Some(r), l)), None)
}

fn concurrency_of(flag: Option<u64>, f: &File) -> (u64, Origin) {
    pick(flag, None, entry(&f.concurrency), 4)
}

/// `max-age` in seconds: `0`, or a span.
fn max_age(name: &str, text: &str) -> Result<u64> {
    match text.trim() {
        "0" => Ok(0),
        text => span(name, text),
    }
}

/// What `gstbatch config` prints: the settings in effect as TOML (a valid
/// configuration file), each with where it came from.
fn show(f: &File) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let from = |o: Origin| match o {
        Origin::Flag => "from the command line".to_string(),
        Origin::Env(k) => format!("from the environment: {k}"),
        Origin::File(line) => format!("from the file, line {line}"),
        Origin::Default => "built in".to_string(),
    };
    let mut out = match file::location() {
        None => "# no configuration folder on this platform; set GSTBATCH_CONFIG\n".to_string(),
        Some((p, _)) if f.path.as_os_str().is_empty() => {
            format!(
                "# configuration file: {} (there is none; these are the defaults)\n",
                p.display()
            )
        }
        Some((p, _)) => format!("# configuration file: {}\n", p.display()),
    };
    let mut line = |key: &str, value: Option<String>, origin: Origin, none: &str| {
        out.push_str(&match value {
            Some(v) => format!("{key} = {v}  # {}\n", from(origin)),
            None => format!("# {key}: {none}\n"),
        });
    };
    let (state, o) = state_of(None, f);
    let state = state.map(|p| quoted(&p.to_string_lossy()));
    line("state", state, o, "none: give --state or set GSTBATCH_STATE");
    let (base, o) = api_base_of(None, f);
    line("api-base", Some(quoted(&base)), o, "");
    let (credentials, o) = credentials_of(None, f);
    let none = match o {
        Origin::Env(_) => "from the environment: GSTBATCH_API_KEY and GSTBATCH_API_SECRET",
        _ => "none: set GSTBATCH_API_KEY and GSTBATCH_API_SECRET, or give a credentials file",
    };
    line("credentials", credentials.map(|p| quoted(&p.to_string_lossy())), o, none);
    let (age, o) = max_age_of(None, f);
    line("max-age", Some(quoted(&age)), o, "");
    let (rate, o) = rate_of(None, f);
    let (base, _) = api_base_of(None, f);
    let published = verify::client::published_rate(&base).map_or_else(
        || "not set: no limit but --concurrency for this api-base".to_string(),
        |r| format!("not set: {r} a minute, the provider's published limit for this api-base"),
    );
    match rate {
        Some(_) => line("rate", rate.map(|r| r.to_string()), o, ""),
        None => line("rate", None, o, &published),
    }
    let (concurrency, o) = concurrency_of(None, f);
    line("concurrency", Some(concurrency.to_string()), o, "");
    let (name, o) = match &f.format {
        Some(e) => (e.value, Origin::File(e.line)),
        None => (Format::Csv, Origin::Default),
    };
    line("format", Some(quoted(name.name())), o, "");
    out.push_str("# a flag wins over the environment, which wins over the file\n");
    out
}

fn ui(quiet: bool, tty: bool) -> Ui {
    Ui { quiet, bars: !quiet && tty }
}

/// The guard of [`report::guard`] over a command's report and summary.
fn guard(
    inputs: &[&Path],
    store: Option<&Path>,
    report: &Target,
    summary: Option<&Path>,
) -> Result<()> {
    // A report without a file goes to stdout, which only one output may use.
    let mut outputs = vec![("-o", report.path.as_deref().unwrap_or(Path::new("-")))];
    if let Some(p) = summary {
        outputs.push(("--summary", p));
    }
    report::guard(inputs, &store.map(store::files).unwrap_or_default(), &outputs)
}

/// The longest span flag (`--expiring-within`, `--max-age`, `--timeout`):
/// ten years, far past any use, and far from overflow.
const MAX_SPAN: u64 = 3650 * 86_400;

/// A span flag (`7d`, `30s`, `2h 30m`) in seconds.
fn span(flag: &str, text: &str) -> Result<u64> {
    crate::ledger::duration::parse_span(text, MAX_SPAN).map_err(|e| {
        Error::Usage(match e {
            crate::ledger::duration::SpanError::TooLong => {
                format!("{flag} {text:?}: longer than the most allowed, 3650 days")
            }
            _ => format!("{flag} {text:?} is not a span such as 30s, 30 minutes, 24h or 7 days"),
        })
    })
}

/// Test-only: `GSTBATCH_TEST_BACKOFF_MS` sets the first retry backoff, so
/// that the end-to-end tests of retries take milliseconds, not seconds. Not
/// a feature; not documented for users.
fn test_backoff() -> Option<Duration> {
    std::env::var("GSTBATCH_TEST_BACKOFF_MS").ok()?.parse().ok().map(Duration::from_millis)
}

/// The store's location and "now".
fn ledger(args: &StoreArgs, f: &File) -> Result<(Location, i64)> {
    let path = state_of(args.state.clone(), f).0.ok_or_else(|| {
        Error::Usage("no state store: give --state PATH or set GSTBATCH_STATE".into())
    })?;
    let now = match &args.now {
        Some(t) => time::parse(t).map_err(|e| Error::Usage(format!("--now: {e}")))?,
        None => time::now().timestamp(),
    };
    Ok((Location { path, wait: Duration::from_secs(args.wait) }, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_in_seconds_with_one_bound() {
        assert_eq!(span("--expiring-within", "30 minutes").unwrap(), 1800);
        assert_eq!(span("--expiring-within", "2h").unwrap(), 7200);
        assert_eq!(span("--max-age", "1 day").unwrap(), 86400);
        assert_eq!(span("--expiring-within", "1 week").unwrap(), 604_800);
        assert_eq!(span("--timeout", "30s").unwrap(), 30);
        assert!(span("--expiring-within", "soon").is_err());
        let e = span("--expiring-within", "1152921504606846999h").unwrap_err().to_string();
        assert!(e.contains("3650 days") && e.starts_with("--expiring-within"), "{e}");
        assert!(span("--max-age", "3651 days").is_err());
    }
}
