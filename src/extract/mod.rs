//! `gstbatch extract`: the GSTINs and PANs in any text (emails, PDF text,
//! logs, JSON or XML of unknown shape), each checked, one row per value
//! found, with where it was and a few words around it. The report's
//! `normalised` column is found by `validate` and `verify`, so that what
//! `extract` finds can be checked or verified next.

pub mod find;

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use serde::Serialize;

use crate::batch::progress::Ui;
use crate::batch::report::{Report, RowWriter, Target};
use crate::batch::xlsx;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::{self, Kind, Options};
use crate::input::Source;
use crate::input::encoding::{Decoded, Encoding};

/// What `extract` is asked to do.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The texts; standard input when empty.
    pub inputs: Vec<Source>,
    /// Only this kind of identifier; `None` for both.
    pub kind: Option<Kind>,
    /// Each normalised value once, where it is first found.
    pub distinct: bool,
    /// Only valid values.
    pub valid_only: bool,
    /// Search files that look binary too.
    pub binary: bool,
    /// How the texts are encoded.
    pub encoding: Encoding,
    /// Rule options.
    pub opts: Options,
    /// Where the rows go.
    pub report: Target,
    /// Messages on stderr.
    pub ui: Ui,
}

/// One value found.
#[derive(Debug, Default, Serialize)]
pub struct ExtractRecord<'a> {
    /// The text as written (`27 AAPFU 0939 F1ZV`).
    pub value: &'a str,
    /// After normalising (`27AAPFU0939F1ZV`).
    pub normalised: &'a str,
    /// `gstin` or `pan`.
    pub kind: &'static str,
    /// `valid` or `invalid`.
    pub status: &'static str,
    /// The error code (SPEC.md section 4) of an invalid value.
    pub error_code: Option<&'static str>,
    /// The file it is in (`-` for standard input).
    pub file: &'a str,
    /// Its line, from 1.
    pub line: u64,
    /// Its first character's column in the line, from 1.
    pub column: u64,
    /// A few words around it, control characters escaped.
    pub context: String,
}

/// Longest stretch of text searched at once: a longer line (a JSON file on
/// one line) is cut where no identifier can be, so memory stays bounded.
const MAX_SEGMENT: usize = 1 << 20;

/// Characters of context on each side of a value.
const CONTEXT: usize = 30;

/// Counts for the closing message.
#[derive(Default)]
struct Counts {
    valid: u64,
    invalid: u64,
    skipped: Vec<String>,
}

/// Runs `extract`.
///
/// # Errors
/// Exit-2 failures: an input that cannot be opened or read, a report that
/// cannot be written.
pub fn run(s: &Settings) -> Result<Exit> {
    let mut report = Report::create(&s.report)?;
    let path = report.out().path();
    let format = report.format();
    let mut counts = Counts::default();
    let mut seen = HashSet::new();
    {
        let mut rows = RowWriter::new(report.out(), format);
        let stdin = [Source::Stdin];
        let inputs = if s.inputs.is_empty() { &stdin[..] } else { &s.inputs };
        for source in inputs {
            search(s, source, &mut rows, &mut seen, &mut counts).map_err(|e| {
                e.unwrap_or_else(|e| Error::Write { path: path.clone(), source: e })
            })?;
        }
        rows.finish::<ExtractRecord<'_>>().map_err(|e| Error::Write { path, source: e })?;
    }
    let summary = [
        ("Valid".to_string(), counts.valid.to_string()),
        ("Invalid".to_string(), counts.invalid.to_string()),
    ];
    let no_fill = |_: &[String], _: &[&str]| None;
    report.prepare(&xlsx::Layout::new(&["line", "column"], &no_fill, &summary), b',')?.commit()?;
    if !s.ui.quiet {
        for name in &counts.skipped {
            eprintln!("gstbatch: note: {name} looks binary; skipped (give --binary to search it)");
        }
        eprintln!("gstbatch: found {} valid and {} invalid", counts.valid, counts.invalid);
    }
    Ok(Exit::from_failures(counts.invalid))
}

/// Searches one input, writing a row for each value it holds. Fails with
/// the input's error, or (`Err(Err(_))`) the report's.
fn search<W: io::Write>(
    s: &Settings,
    source: &Source,
    rows: &mut RowWriter<W>,
    seen: &mut HashSet<String>,
    counts: &mut Counts,
) -> std::result::Result<(), std::result::Result<Error, io::Error>> {
    let name = source.display();
    let read_err = |e: io::Error| Ok(Error::Read { path: source.path(), source: e });
    let inner: Box<dyn Read + Send> = match source {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(p) => {
            let f = File::open(p).map_err(read_err)?;
            if f.metadata().map_err(read_err)?.is_dir() {
                return Err(read_err(io::Error::other("is a directory")));
            }
            Box::new(f)
        }
    };
    let mut text =
        BufReader::with_capacity(64 * 1024, Decoded::new(inner, s.encoding).map_err(read_err)?);
    // Text has no NUL bytes (UTF-16 is decoded before this look).
    if !s.binary && text.fill_buf().map_err(read_err)?.contains(&0) {
        counts.skipped.push(name);
        return Ok(());
    }
    let mut buf = Vec::new();
    let (mut line, mut column) = (1u64, 1u64);
    loop {
        let got = (&mut text).take((MAX_SEGMENT - buf.len()) as u64).read_until(b'\n', &mut buf);
        if got.map_err(read_err)? == 0 && buf.is_empty() {
            return Ok(());
        }
        let whole = buf.ends_with(b"\n") || buf.len() < MAX_SEGMENT;
        let cut = if whole { buf.len() } else { safe_cut(&buf) };
        let segment = String::from_utf8_lossy(&buf[..cut]).into_owned();
        for f in find::find(&segment, s.opts) {
            let column = column + segment[..f.start].chars().count() as u64;
            let at = At { file: &name, line, column, text: &segment };
            write(s, &at, &f, rows, seen, counts).map_err(Err)?;
        }
        buf.drain(..cut);
        if whole {
            line += 1;
            column = 1;
        } else {
            column += segment.chars().count() as u64;
        }
    }
}

/// Where to cut a segment of a long line: after its last character that
/// cannot be inside an identifier as people write it, else at the end.
fn safe_cut(buf: &[u8]) -> usize {
    buf.iter()
        .rposition(|b| !b.is_ascii_alphanumeric() && *b != b' ' && *b != b'-' && b.is_ascii())
        .map_or(buf.len(), |i| i + 1)
}

/// Where a value found is: its file, line and column, and the text it is
/// in.
struct At<'a> {
    file: &'a str,
    line: u64,
    column: u64,
    text: &'a str,
}

fn write<W: io::Write>(
    s: &Settings,
    at: &At<'_>,
    f: &find::Found<'_>,
    rows: &mut RowWriter<W>,
    seen: &mut HashSet<String>,
    counts: &mut Counts,
) -> io::Result<()> {
    if s.kind.is_some_and(|k| k != f.kind) {
        return Ok(());
    }
    let verdict = ident::check(f.value, Some(f.kind), s.opts);
    let fields = verdict.fields(s.opts);
    if (s.valid_only && !fields.valid)
        || (s.distinct && !seen.insert(fields.normalized.to_string()))
    {
        return Ok(());
    }
    if fields.valid {
        counts.valid += 1;
    } else {
        counts.invalid += 1;
    }
    let rec = ExtractRecord {
        value: f.value,
        normalised: fields.normalized,
        kind: f.kind.as_str(),
        status: fields.status(),
        error_code: fields.code.map(|c| c.as_str()),
        file: at.file,
        line: at.line,
        column: at.column,
        context: context(at.text, f.start, f.end),
    };
    rows.write(&rec)
}

/// A few words either side of `text[start..end]`, on one line, with
/// control characters escaped so that a report cell never breaks a line
/// or hides a character.
fn context(text: &str, start: usize, end: usize) -> String {
    let before: Vec<char> = text[..start].chars().rev().take(CONTEXT).collect();
    let after = text[end..].chars().take(CONTEXT);
    let all = before.into_iter().rev().chain(text[start..end].chars()).chain(after);
    let mut out = String::new();
    for c in all {
        match c {
            '\n' | '\r' => {}
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:04x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_one_line_with_controls_escaped() {
        let text = "Dear sir,\tour GSTIN is 27AAPFU0939F1ZV\u{7} as\r\n";
        let start = text.find("27A").unwrap();
        let got = context(text, start, start + 15);
        assert_eq!(got, "Dear sir,\\tour GSTIN is 27AAPFU0939F1ZV\\u{0007} as");
        assert_eq!(context("27AAPFU0939F1ZV", 0, 15), "27AAPFU0939F1ZV");
    }

    #[test]
    fn long_lines_are_cut_outside_identifiers() {
        assert_eq!(safe_cut(b"ab, 27 AAPFU 09"), 3);
        assert_eq!(safe_cut(b"AAAA"), 4);
    }
}
