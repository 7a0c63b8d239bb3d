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
use crate::batch::encoding::Encoding;
use crate::batch::input::{ReadOptions, Source};
use crate::batch::progress::Ui;
use crate::batch::report::{self, Format, Target};
use crate::cli::{
    AccessCommand, CheckFormat, Cli, Command, KindArg, ReportArgs, ReportFormat, StatusFilter,
    StoreArgs, TextEncoding, YesNo,
};
use crate::error::{Error, Result};
use crate::ident::Kind;
use crate::store::{self, Location};
use crate::{check, generate, time, validate, verify};

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
    /// `gstbatch completions`.
    Completions(clap_complete::Shell),
    /// `gstbatch man`.
    Man,
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
                let report = Target::new(a.output.as_deref(), a.format.map(format))?
                    .with_bom(YesNo::choice(a.bom));
                guard(&[&a.input], None, &report, a.summary.as_deref())?;
                Ok(Config::Validate(validate::Settings {
                    input,
                    read: ReadOptions {
                        delimiter: a.csv.table.delimiter,
                        headers: !a.csv.no_headers,
                        sheet: a.csv.table.sheet,
                        encoding: encoding(a.csv.table.encoding),
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
                    let (store, now) = ledger(&a.store)?;
                    let report = target(&a.report)?;
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
                    let (store, now) = ledger(&a.store)?;
                    let report = target(&a.report)?;
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
                    let (store, _) = ledger(&a.store)?;
                    let report = target(&a.report)?;
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
                let (store, now) = ledger(&a.store)?;
                let report = target(&a.report)?;
                let mut inputs = vec![a.input.as_path()];
                inputs.extend(a.credentials.as_deref());
                guard(&inputs, Some(&store.path), &report, a.summary.as_deref())?;
                let base = match a.api_base.clone() {
                    Some(b) => b,
                    None => std::env::var("GSTBATCH_API_BASE")
                        .ok()
                        .filter(|b| !b.trim().is_empty())
                        .unwrap_or_else(|| verify::client::PRODUCTION.to_string()),
                };
                let max_age = match a.max_age.trim() {
                    "0" => 0,
                    text => span("--max-age", text)?,
                };
                let timeout = span("--timeout", &a.timeout)?.max(1);
                Ok(Config::Verify(Box::new(verify::Settings {
                    input: Source::from_arg(&a.input),
                    read: ReadOptions {
                        delimiter: a.table.delimiter,
                        headers: !a.no_headers,
                        sheet: a.table.sheet,
                        encoding: encoding(a.table.encoding),
                    },
                    column: a.column,
                    kind: forced(a.kind),
                    name_column: a.name_column,
                    dob_column: a.dob_column,
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
                        concurrency: a.concurrency as usize,
                        rate: a.rate,
                        max_calls: a.max_calls,
                        backoff: test_backoff().unwrap_or(Duration::from_secs(1)),
                    },
                    timeout: Duration::from_secs(timeout),
                    api_base: verify::client::check_base(&base)?,
                    credentials: a.credentials,
                    send_malformed: a.send_malformed,
                    fail_if_changed: a.fail_if_changed,
                    ui: ui(a.report.quiet, tty),
                })))
            }
            Command::Completions(a) => Ok(Config::Completions(a.shell)),
            Command::Man => Ok(Config::Man),
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

fn encoding(e: Option<TextEncoding>) -> Encoding {
    match e {
        None => Encoding::Auto,
        Some(TextEncoding::Utf8) => Encoding::Utf8,
        Some(TextEncoding::Windows1252) => Encoding::Windows1252,
        Some(TextEncoding::Utf16) => Encoding::Utf16,
    }
}

fn target(r: &ReportArgs) -> Result<Target> {
    Ok(Target::new(r.output.as_deref(), r.format.map(format))?.with_bom(YesNo::choice(r.bom)))
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
    report::guard(inputs, store, &outputs)
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
fn ledger(args: &StoreArgs) -> Result<(Location, i64)> {
    let path = match &args.state {
        Some(p) => p.clone(),
        None => store::default_path().ok_or_else(|| {
            Error::Usage("no state store: give --state PATH or set GSTBATCH_STATE".into())
        })?,
    };
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
