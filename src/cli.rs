//! Command-line definitions (clap derive): only what the user typed.
//!
//! Nothing here opens a file or reads the clock; commands resolve these
//! arguments into their runtime configuration.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::ident::{Kind, Options};

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

impl KindArg {
    /// The forced kind, if any.
    pub fn forced(self) -> Option<Kind> {
        match self {
            KindArg::Auto => None,
            KindArg::Gstin => Some(Kind::Gstin),
            KindArg::Pan => Some(Kind::Pan),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn check_parses_flags() {
        let cli = Cli::try_parse_from([
            "gstbatch", "check", "--kind", "pan", "--format", "jsonl", "--strict", "A", "-",
        ])
        .unwrap();
        let Command::Check(args) = cli.command;
        assert_eq!(args.ids, ["A", "-"]);
        assert_eq!(args.kind, KindArg::Pan);
        assert_eq!(args.format, CheckFormat::Jsonl);
        assert!(args.rules.options().strict);
        assert!(!args.rules.options().allow_retired);
    }
}
