//! `gstbatch check`: identifiers from the arguments or stdin, one verdict each.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::{self, Id, Options, Pan};

/// One verdict, as programs read it (`--format json|jsonl|csv`).
#[derive(Debug, Serialize)]
pub struct CheckRecord<'a> {
    /// The value as given.
    pub input: &'a str,
    /// The value after normalising (SPEC.md section 3).
    pub normalized: &'a str,
    /// Whether normalising changed it.
    pub changed: bool,
    /// `gstin` or `pan`; empty when the length fits neither.
    pub kind: Option<&'static str>,
    /// `valid` or `invalid`.
    pub status: &'static str,
    /// The error code (SPEC.md section 4) of an invalid value.
    pub code: Option<&'static str>,
    /// What is wrong with an invalid value.
    pub message: Option<String>,
    /// A GSTIN's registration type.
    pub registration_type: Option<&'static str>,
    /// A GSTIN's two-digit state code.
    pub state_code: Option<&'static str>,
    /// A GSTIN's state name.
    pub state_name: Option<&'static str>,
    /// The PAN, or the PAN inside a GSTIN.
    pub pan: Option<Pan>,
    /// The PAN holder type.
    pub holder_type: Option<&'static str>,
    /// The one correction a look-alike or adjacent swap gives (SPEC.md section 5).
    pub suggestion: Option<String>,
}

impl<'a> CheckRecord<'a> {
    /// Describes the verdict on `input`.
    pub fn new(input: &'a str, verdict: &'a ident::Verdict<'a>, opts: Options) -> Self {
        let id: Option<&Id> = verdict.result.as_ref().ok();
        let err = verdict.result.as_ref().err();
        CheckRecord {
            input,
            normalized: &verdict.normalized,
            changed: verdict.changed(),
            kind: verdict.kind.map(|k| k.as_str()),
            status: if id.is_some() { "valid" } else { "invalid" },
            code: err.map(|e| e.code().as_str()),
            message: err.map(|e| e.to_string()),
            registration_type: id.and_then(|i| i.registration_type()).map(|r| r.as_str()),
            state_code: id.and_then(|i| i.state()).map(|s| s.code_str()),
            state_name: id.and_then(|i| i.state()).map(|s| s.name),
            pan: id.and_then(|i| i.pan()),
            holder_type: id.and_then(|i| i.holder_type()).map(|h| h.as_str()),
            suggestion: verdict.suggestion(opts),
        }
    }

    /// One aligned line for people.
    fn text_line(&self) -> String {
        let shown = if self.input.is_empty() || self.input.chars().any(char::is_control) {
            format!("\"{}\"", self.input.escape_debug())
        } else {
            self.input.to_string()
        };
        let mut line = format!("{shown:<17} {:<8}", self.status);
        if let Some(code) = self.code {
            line.push_str(code);
            if let Some(msg) = &self.message {
                line.push_str(": ");
                line.push_str(msg);
            }
            if let Some(s) = &self.suggestion {
                line.push_str(&format!(" (did you mean {s}?)"));
            }
        } else {
            let details = [
                self.kind,
                self.registration_type,
                self.state_code,
                self.state_name,
                self.holder_type,
            ];
            line.push_str(&details.iter().flatten().copied().collect::<Vec<_>>().join(" "));
            if self.changed {
                line.push_str(&format!(" (normalised to {})", self.normalized));
            }
        }
        line
    }
}

/// Where verdicts go, in the chosen format.
enum Sink<'w> {
    Text(&'w mut dyn Write),
    Json { out: &'w mut dyn Write, first: bool },
    Jsonl(&'w mut dyn Write),
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
}

impl<'w> Sink<'w> {
    fn new(format: CheckFormat, out: &'w mut dyn Write) -> Self {
        match format {
            CheckFormat::Text => Sink::Text(out),
            CheckFormat::Json => Sink::Json { out, first: true },
            CheckFormat::Jsonl => Sink::Jsonl(out),
            CheckFormat::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
        }
    }

    fn write(&mut self, rec: &CheckRecord<'_>) -> std::io::Result<()> {
        match self {
            Sink::Text(out) => writeln!(out, "{}", rec.text_line()),
            Sink::Json { out, first } => {
                out.write_all(if *first { b"[\n" } else { b",\n" })?;
                *first = false;
                serde_json::to_writer(&mut *out, rec)?;
                Ok(())
            }
            Sink::Jsonl(out) => {
                serde_json::to_writer(&mut *out, rec)?;
                out.write_all(b"\n")
            }
            Sink::Csv(w) => w.serialize(rec).map_err(std::io::Error::other),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Text(out) | Sink::Jsonl(out) | Sink::Json { out, .. } => out.flush(),
            Sink::Csv(w) => w.flush(),
        }
    }

    fn finish(mut self) -> std::io::Result<()> {
        if let Sink::Json { out, first } = &mut self {
            out.write_all(if *first { b"[]\n" } else { b"\n]\n" })?;
        }
        self.flush()
    }
}

/// Runs `check`: every argument in order, with `-` (or no arguments)
/// standing for the lines of `stdin`. Blank stdin lines are skipped.
///
/// `flush_each` flushes after every verdict, for a person typing at a
/// terminal.
///
/// # Errors
/// [`Error::Usage`] when `-` is given twice; [`Error::Read`] and
/// [`Error::Write`] when stdin or stdout fail.
pub fn run(
    args: &CheckArgs,
    stdin: &mut dyn BufRead,
    stdout: &mut dyn Write,
    flush_each: bool,
) -> Result<Exit> {
    if args.ids.iter().filter(|a| *a == "-").count() > 1 {
        return Err(Error::Usage("'-' (standard input) can be given only once".into()));
    }
    let opts = args.rules.options();
    let kind = args.kind.forced();
    let mut sink = Sink::new(args.format, stdout);
    let mut invalid = 0u64;
    let mut one = |input: &str, sink: &mut Sink<'_>| -> Result<()> {
        let verdict = ident::check(input, kind, opts);
        invalid += u64::from(verdict.result.is_err());
        sink.write(&CheckRecord::new(input, &verdict, opts)).map_err(write_err)?;
        if flush_each {
            sink.flush().map_err(write_err)?;
        }
        Ok(())
    };
    let from_stdin = [String::from("-")];
    let ids = if args.ids.is_empty() { &from_stdin[..] } else { &args.ids[..] };
    for id in ids {
        if id != "-" {
            one(id, &mut sink)?;
            continue;
        }
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = stdin
                .read_until(b'\n', &mut line)
                .map_err(|source| Error::Read { path: PathBuf::from("-"), source })?;
            if n == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            if !text.trim().is_empty() {
                one(text, &mut sink)?;
            }
        }
    }
    sink.finish().map_err(write_err)?;
    Ok(Exit::from_failures(invalid))
}

fn write_err(source: std::io::Error) -> Error {
    Error::Write { path: PathBuf::from("-"), source }
}
