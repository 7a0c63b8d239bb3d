//! Command-line definitions (clap derive): only what the user typed.
//!
//! Nothing here opens a file or reads the clock; [`crate::config`] resolves
//! these arguments into each command's plain settings. Numeric flags carry
//! their documented range, checked here (exit 2 outside it).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::ident::Options;

/// Indian GST identifier checks, bulk CSV validation and API-access records.
#[derive(Debug, Parser)]
#[command(name = "gstbatch", version, about, max_term_width = 100)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check GSTINs and PANs given as arguments, or one per line on stdin.
    Check(CheckArgs),
    /// Validate the identifiers in a CSV file or workbook and write a report.
    Validate(ValidateArgs),
    /// Record GST portal API-access sessions: apply instructions, list
    /// sessions, show a GSTIN's history.
    Access(AccessArgs),
    /// Ask GSTN, through the provider's API, whether each GSTIN is
    /// registered and active, and whose it is; answers are kept in the store.
    Verify(Box<VerifyArgs>),
    /// Find the GSTINs and PANs in any text (emails, PDF text, logs), check
    /// each, and write one row per value found.
    Extract(ExtractArgs),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to stdout: `gstbatch man | man -l -`.
    Man,
    /// Print the settings in effect (store, provider, credentials file,
    /// limits, report format) and where each came from.
    Config,
    /// Write a generated test file of `gstin,name,pan` rows (for benchmarks).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// Arguments of `gstbatch extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Text files to search (`-` for stdin; default: stdin).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Only GSTINs, or only PANs (default: both).
    #[arg(long, value_enum, default_value_t = KindArg::Auto)]
    pub kind: KindArg,
    /// Each value once, where it is first found.
    #[arg(long)]
    pub distinct: bool,
    /// Only valid values.
    #[arg(long)]
    pub valid_only: bool,
    /// Search files that look binary (hold NUL bytes) too.
    #[arg(long)]
    pub binary: bool,
    /// The text's encoding (default: UTF-16 by its byte-order mark, else
    /// UTF-8, or Windows-1252 when the bytes are not UTF-8).
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub encoding: Option<TextEncoding>,
    /// Rule options.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Arguments of `gstbatch completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `gstbatch access`.
#[derive(Debug, Args)]
pub struct AccessArgs {
    /// The access command.
    #[command(subcommand)]
    pub command: AccessCommand,
}

/// The access commands.
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// Apply a CSV or workbook of enable/disable instructions to the state store.
    Apply(ApplyArgs),
    /// List sessions: active, expiring, expired, disabled.
    Status(StatusArgs),
    /// Every recorded event for one GSTIN, oldest first.
    History(HistoryArgs),
}

/// Where the state store is and what time it is.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// The state store (default: $GSTBATCH_STATE, else the platform data
    /// folder, e.g. ~/.local/share/gstbatch/state.db).
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Pin "now" (IST unless an offset is given), for reproducible runs.
    #[arg(long, value_name = "TIMESTAMP")]
    pub now: Option<String>,
    /// Seconds (0 to 86400) a writer waits for another writer's lock on
    /// the store.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub wait: u64,
}

/// Report output options of the access commands.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Write the report here (default: stdout); written whole or not at all.
    #[arg(long, short = 'o', value_name = "REPORT")]
    pub output: Option<PathBuf>,
    /// Report format (default: from the report's extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Start a CSV report with a UTF-8 byte-order mark, so that Excel reads
    /// it as UTF-8 (default: yes for a file on Windows, else no).
    #[arg(long, value_enum, value_name = "yes|no")]
    pub bom: Option<YesNo>,
    /// No summary line on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A yes-or-no flag value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
}

impl YesNo {
    /// `Some(true)` for yes, `Some(false)` for no, `None` when not given.
    pub fn choice(flag: Option<YesNo>) -> Option<bool> {
        flag.map(|f| f == YesNo::Yes)
    }
}

/// Arguments of `gstbatch access apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The instructions CSV (`-` for stdin): gstin, action, duration,
    /// effective_at, reference.
    #[arg(value_name = "INSTRUCTIONS")]
    pub instructions: PathBuf,
    /// Report what would happen; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply a file again even though the same file was applied before.
    #[arg(long)]
    pub reapply: bool,
    /// Also write a JSON summary to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Table reading options.
    #[command(flatten)]
    pub table: TableArgs,
    /// Store options.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Session statuses to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// Enabled and not yet expired.
    Active,
    /// Enabled, and the expiry has passed.
    Expired,
    /// Disabled.
    Disabled,
    /// Asked for with --gstin or --gstins but never recorded.
    Unknown,
}

/// Arguments of `gstbatch access status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this GSTIN (repeatable).
    #[arg(long = "gstin", value_name = "GSTIN")]
    pub gstins: Vec<String>,
    /// Only the GSTINs in this file (one per line, a CSV with a GSTIN
    /// column, or a workbook).
    #[arg(long = "gstins", value_name = "FILE")]
    pub gstins_file: Option<PathBuf>,
    /// For a workbook given to --gstins: the sheet, by name or number.
    #[arg(long, value_name = "NAME|N")]
    pub sheet: Option<String>,
    /// Only active sessions ending within this long (e.g. 24h, 7 days).
    #[arg(long, value_name = "DURATION")]
    pub expiring_within: Option<String>,
    /// Only sessions with this status.
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,
    /// Exit 1 when the list is not empty (for alerts from cron).
    #[arg(long)]
    pub fail_if_any: bool,
    /// Store options.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Arguments of `gstbatch access history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The GSTIN.
    #[arg(value_name = "GSTIN")]
    pub gstin: String,
    /// Store options.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Arguments of the hidden `gstbatch generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many data rows.
    #[arg(long, default_value_t = 1000)]
    pub rows: u64,
    /// Write access instructions over this many GSTINs instead of
    /// `gstin,name,pan` rows.
    #[arg(long, value_name = "GSTINS")]
    pub instructions: Option<u64>,
    /// Seed: the same seed always gives the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write (default: stdout).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

/// Which identifier to expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Decide per value by its normalised length (10: PAN, else GSTIN).
    Auto,
    /// Every value is a GSTIN.
    Gstin,
    /// Every value is a PAN.
    Pan,
}

/// Rule options shared by every command that checks identifiers.
#[derive(Debug, Clone, Copy, Args)]
pub struct RuleArgs {
    /// Reject values that needed normalising (spaces, hyphens, lower case).
    #[arg(long)]
    pub strict: bool,
    /// Accept the retired state codes 25 and 28, for historical records.
    #[arg(long)]
    pub allow_retired: bool,
}

impl RuleArgs {
    /// The identifier options these flags select.
    pub fn options(self) -> Options {
        Options { strict: self.strict, allow_retired: self.allow_retired }
    }
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Aligned lines for people.
    Text,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// Arguments of `gstbatch check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Identifiers to check; with none, or `-`, one per line from stdin.
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Which identifier to expect.
    #[arg(long, value_enum, default_value_t = KindArg::Auto)]
    pub kind: KindArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Rule options.
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// Report formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// CSV: the input columns, then the result columns.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// One JSON array of objects.
    Json,
    /// An Excel workbook (needs -o): results and summary sheets.
    Xlsx,
}

/// Parses `--delimiter`: one ASCII character, or `tab` / `\t`.
fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => {
            Ok(s.as_bytes()[0])
        }
        _ => {
            Err(format!("{s:?} is not a delimiter: give one ASCII character such as , ; | or tab"))
        }
    }
}

/// Parses `--jobs`: 0 (one per core) to 256; more threads than that only
/// cost memory and start-up on any machine this runs on.
fn parse_jobs(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n <= 256 => Ok(n),
        _ => Err(format!("{s:?} is not a worker count from 0 (one per core) to 256")),
    }
}

/// How to read a table: the flags of every command that reads a CSV file or
/// workbook.
#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// Field delimiter (default: tab for .tsv and .tab files, else comma).
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// For a workbook (.xlsx .xlsm .xlsb .xls .ods): the sheet, by name or
    /// 1-based number (default: the first visible worksheet).
    #[arg(long, value_name = "NAME|N")]
    pub sheet: Option<String>,
    /// The text's encoding (default: UTF-16 by its byte-order mark, else
    /// UTF-8, or Windows-1252 when the bytes are not UTF-8, as Excel's
    /// "CSV (Comma delimited)" is).
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub encoding: Option<TextEncoding>,
    /// The input's format (default: a workbook by its extension; a return's
    /// JSON, e-invoices or a Tally export by their content; else CSV).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormatArg>,
}

/// `--input-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// CSV or other delimited text, whatever it looks like.
    Csv,
    /// The portal's GSTR-2B, GSTR-2A or GSTR-1 JSON.
    #[value(name = "gstr-json")]
    GstrJson,
    /// E-invoices in the IRP's JSON schema.
    #[value(name = "e-invoice")]
    Einvoice,
    /// A TallyPrime or Tally.ERP 9 XML export.
    #[value(name = "tally-xml")]
    TallyXml,
}

/// `--encoding` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextEncoding {
    /// UTF-8 (a byte-order mark is skipped).
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-1252, Excel's "ANSI" on Windows in India.
    #[value(name = "windows-1252", alias = "cp1252")]
    Windows1252,
    /// UTF-16, little-endian unless a byte-order mark says otherwise.
    #[value(name = "utf-16", alias = "utf16")]
    Utf16,
}

/// Flags shared by the commands that read CSV files in bulk.
#[derive(Debug, Clone, Args)]
pub struct CsvArgs {
    /// Table reading options.
    #[command(flatten)]
    pub table: TableArgs,
    /// The first row is data, not headers.
    #[arg(long)]
    pub no_headers: bool,
    /// Worker threads, 0 to 256 (0 = one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N",
          value_parser = parse_jobs)]
    pub jobs: usize,
    /// No progress bar and no summary line on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `gstbatch validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The CSV file or workbook to check (`-` for stdin).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Write the report here (default: stdout); written whole or not at all.
    #[arg(long, short = 'o', value_name = "REPORT")]
    pub output: Option<PathBuf>,
    /// Report format (default: from the report's extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Start a CSV report with a UTF-8 byte-order mark, so that Excel reads
    /// it as UTF-8 (default: yes for a file on Windows, else no).
    #[arg(long, value_enum, value_name = "yes|no")]
    pub bom: Option<YesNo>,
    /// The identifier column, by header name or 1-based number
    /// (default: found by header).
    #[arg(long, value_name = "NAME|N")]
    pub column: Option<String>,
    /// Which identifier to expect (auto: the header says, else each value's
    /// length).
    #[arg(long, value_enum, default_value_t = KindArg::Auto)]
    pub kind: KindArg,
    /// A PAN column that must match the PAN inside each GSTIN.
    #[arg(long, value_name = "NAME|N")]
    pub pan_column: Option<String>,
    /// A state column (code or name) that must match each GSTIN's state.
    #[arg(long, value_name = "NAME|N")]
    pub state_column: Option<String>,
    /// Write only the rows that fail.
    #[arg(long)]
    pub only_invalid: bool,
    /// Do not track duplicates (saves their memory).
    #[arg(long)]
    pub no_duplicates: bool,
    /// Also write a JSON summary to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Rule options.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// CSV reading options.
    #[command(flatten)]
    pub csv: CsvArgs,
}

/// Arguments of `gstbatch verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The CSV file or workbook (`-` for stdin).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// The GSTIN column, by header name or 1-based number (default: found
    /// by header).
    #[arg(long, value_name = "NAME|N")]
    pub column: Option<String>,
    /// What to verify: GSTINs, or PANs (on a GSTIN column, the PAN inside
    /// each GSTIN); auto: what the column's header says.
    #[arg(long, value_enum, default_value_t = KindArg::Auto)]
    pub kind: KindArg,
    /// A name column: compared with the registration's legal and trade
    /// names, or, for PANs, sent as the holder's name to match.
    #[arg(long, value_name = "NAME|N")]
    pub name_column: Option<String>,
    /// For PANs: the date of birth (or incorporation) column; DD/MM/YYYY,
    /// DD-MM-YYYY, YYYY-MM-DD or date cells.
    #[arg(long, value_name = "NAME|N")]
    pub dob_column: Option<String>,
    /// For GSTINs: the document date column (an invoice's date; the same
    /// forms as --dob-column, and `05-Nov-2026`): each row gets whether the
    /// supplier was registered on that date, from the same answer.
    #[arg(long, value_name = "NAME|N")]
    pub date_column: Option<String>,
    /// With --returns and --date-column: each document's value column,
    /// totalled in the summary for the documents whose credit is at risk.
    #[arg(long, value_name = "NAME|N")]
    pub value_column: Option<String>,
    /// For GSTINs: track each supplier's return filing in this financial
    /// year (2025-26, FY 2025-26, 2025, current, previous): one call per
    /// supplier and year, kept in the store (SPEC 7.3).
    #[arg(long, value_name = "FY")]
    pub returns: Option<String>,
    /// Take return-tracking answers younger than this from the store (0:
    /// always ask); returns get filed every month.
    #[arg(long, value_name = "DURATION", default_value = "1d")]
    pub returns_max_age: String,
    /// For PANs: the purpose sent to the provider.
    #[arg(long, value_name = "TEXT", default_value = "Vendor PAN verification")]
    pub reason: String,
    /// For PANs: confirm that every holder consented to the verification
    /// (the provider requires it; without it PANs are not verified).
    #[arg(long)]
    pub consent: bool,
    /// Take answers younger than this from the store (0: always ask;
    /// default: the configuration file's, else 7d).
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,
    /// Answer from the store only; make no call.
    #[arg(long)]
    pub offline: bool,
    /// Make no call and change nothing: say which rows would be asked.
    #[arg(long)]
    pub dry_run: bool,
    /// Ask about at most N GSTINs (each answer is a paid call).
    #[arg(long, value_name = "N")]
    pub max_calls: Option<u64>,
    /// Requests in flight at once, 1 to 64 (default: the configuration
    /// file's, else 4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: Option<u64>,
    /// At most N requests a minute, 1 to 60000 (default: the configuration
    /// file's, else the provider's published limit for the host: 100 on
    /// production, 25 on the test host).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=60_000))]
    pub rate: Option<u32>,
    /// Give up on one request after this long (e.g. 30s, 2m).
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub timeout: String,
    /// The API (default: $GSTBATCH_API_BASE, else the provider's production
    /// host). https:// only; http:// to a loopback address for tests.
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,
    /// A file with the API key and secret (lines key=... and secret=...),
    /// readable by its owner only; default: $GSTBATCH_API_KEY and
    /// $GSTBATCH_API_SECRET.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Also send values that fail the offline check (for the provider's
    /// test host and its placeholder GSTINs).
    #[arg(long)]
    pub send_malformed: bool,
    /// Take the provider's own cached answer where it has one: free, but up
    /// to 24 hours old (x-accept-cache); such rows say `provider-cache`.
    #[arg(long)]
    pub provider_cache: bool,
    /// Exit 1 only when a verdict changed since the stored answer, else 0
    /// (for nightly alerts).
    #[arg(long)]
    pub fail_if_changed: bool,
    /// Also write a JSON summary to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// The first row is data, not headers.
    #[arg(long)]
    pub no_headers: bool,
    /// Table reading options.
    #[command(flatten)]
    pub table: TableArgs,
    /// Store options.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}
