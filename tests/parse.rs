//! The command line's parsing, through the public clap definitions:
//! ranges, flags, consistency.

use clap::Parser;
use gstbatch::cli::{CheckFormat, Cli, Command, KindArg};

#[test]
fn numeric_flags_have_ranges() {
    let parse = |args: &[&str]| Cli::try_parse_from(args).is_ok();
    assert!(parse(&["gstbatch", "validate", "x", "--jobs", "256"]));
    assert!(!parse(&["gstbatch", "validate", "x", "--jobs", "257"]));
    assert!(!parse(&["gstbatch", "validate", "x", "--jobs", "-1"]));
    assert!(parse(&["gstbatch", "access", "status", "--wait", "86400"]));
    assert!(!parse(&["gstbatch", "access", "status", "--wait", "2147484"]));
}

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
    let Command::Check(args) = cli.command else { panic!("not check") };
    assert_eq!(args.ids, ["A", "-"]);
    assert_eq!(args.kind, KindArg::Pan);
    assert_eq!(args.format, CheckFormat::Jsonl);
    assert!(args.rules.options().strict);
    assert!(!args.rules.options().allow_retired);
}

#[test]
fn validate_parses_flags_and_delimiters() {
    let cli = Cli::try_parse_from([
        "gstbatch",
        "validate",
        "in.tsv",
        "-o",
        "r.json",
        "--delimiter",
        "tab",
        "-j",
        "1",
        "--only-invalid",
        "--no-duplicates",
        "--pan-column",
        "PAN",
    ])
    .unwrap();
    let Command::Validate(a) = cli.command else { panic!("not validate") };
    assert_eq!(a.csv.table.delimiter, Some(b'\t'));
    assert_eq!(a.csv.jobs, 1);
    assert!(a.only_invalid && a.no_duplicates);
    let delimiter =
        |d: &str| match Cli::try_parse_from(["gstbatch", "validate", "x", "--delimiter", d]) {
            Ok(cli) => match cli.command {
                Command::Validate(a) => Ok(a.csv.table.delimiter),
                _ => panic!("not validate"),
            },
            Err(e) => Err(e.to_string()),
        };
    assert_eq!(delimiter(";"), Ok(Some(b';')));
    assert!(delimiter("ab").is_err());
    assert!(delimiter("\"").is_err());
}
