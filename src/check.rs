//! `gstbatch check`: identifiers from the arguments or stdin, one verdict each.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::batch::report::{self, RowWriter};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::{self, Kind, Options, Pan};

/// How verdicts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned lines for people.
    Text,
    /// Records for programs: CSV, JSON Lines or a JSON array.
    Rows(report::Format),
}

/// What `check` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Identifiers; `-` (at most once) or none means stdin's lines.
    pub ids: Vec<String>,
    /// The kind every value is checked as; `None` lets each value decide.
    pub kind: Option<Kind>,
    /// Output format.
    pub format: Format,
    /// Rule options.
    pub opts: Options,
    /// Flush after every verdict (stdout is a terminal: a person typing).
    pub flush_each: bool,
}

/// One verdict, as programs read it (`--format json|jsonl|csv`).
#[derive(Debug, Default, Serialize)]
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
        let f = verdict.fields(opts);
        CheckRecord {
            input,
            normalized: f.normalized,
            changed: f.changed,
            kind: f.kind.map(Kind::as_str),
            status: f.status(),
            code: f.code.map(ident::ErrorCode::as_str),
            message: f.message,
            registration_type: f.registration_type.map(|r| r.as_str()),
            state_code: f.state.map(|s| s.code_str()),
            state_name: f.state.map(|s| s.name),
            pan: f.pan,
            holder_type: f.holder_type.map(|h| h.as_str()),
            suggestion: f.suggestion,
        }
    }

    /// One aligned line for people.
    fn text_line(&self) -> String {
        // Hidden characters (a bidirectional control would reorder the
        // line) are shown as <U+XXXX>; everything else as itself.
        let shown = match ident::hidden::visible(self.input) {
            _ if self.input.is_empty() => "\"\"".to_string(),
            std::borrow::Cow::Owned(v) => format!("\"{v}\""),
            std::borrow::Cow::Borrowed(v) => v.to_string(),
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
    Rows(RowWriter<&'w mut dyn Write>),
}

impl Sink<'_> {
    fn write(&mut self, rec: &CheckRecord<'_>) -> std::io::Result<()> {
        match self {
            Sink::Text(out) => writeln!(out, "{}", rec.text_line()),
            Sink::Rows(w) => w.write(rec),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Text(out) => out.flush(),
            Sink::Rows(w) => w.flush(),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Text(out) => out.flush(),
            Sink::Rows(w) => w.finish::<CheckRecord<'_>>().map(drop),
        }
    }
}

/// Runs `check`: every argument in order, with `-` (or no arguments)
/// standing for the lines of `stdin` (a byte-order mark skipped; lines end
/// at `\n`, `\r\n` or `\r`). Blank stdin lines are skipped.
///
/// # Errors
/// [`Error::Read`] and [`Error::Write`] when stdin or stdout fail;
/// [`Error::Usage`] when nothing at all was checked.
pub fn run(settings: &Settings, stdin: &mut dyn BufRead, stdout: &mut dyn Write) -> Result<Exit> {
    let opts = settings.opts;
    let kind = settings.kind;
    let mut sink = match settings.format {
        Format::Text => Sink::Text(stdout),
        Format::Rows(f) => Sink::Rows(RowWriter::new(stdout, f)),
    };
    let (mut checked, mut invalid) = (0u64, 0u64);
    let mut one = |bytes: &[u8], sink: &mut Sink<'_>| -> Result<()> {
        let input = String::from_utf8_lossy(bytes);
        let verdict = ident::check_bytes(bytes, kind, opts);
        checked += 1;
        invalid += u64::from(verdict.result.is_err());
        sink.write(&CheckRecord::new(&input, &verdict, opts)).map_err(write_err)?;
        if settings.flush_each {
            sink.flush().map_err(write_err)?;
        }
        Ok(())
    };
    let from_stdin = [String::from("-")];
    let ids = if settings.ids.is_empty() { &from_stdin[..] } else { &settings.ids[..] };
    for id in ids {
        if id != "-" {
            one(id.as_bytes(), &mut sink)?;
            continue;
        }
        let mut line = Vec::new();
        let mut first = true;
        loop {
            line.clear();
            let n = stdin
                .read_until(b'\n', &mut line)
                .map_err(|source| Error::Read { path: PathBuf::from("-"), source })?;
            if n == 0 {
                break;
            }
            // A byte-order mark (Notepad, Excel) is not part of the value.
            let bytes = match line.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) if first => rest,
                _ => &line[..],
            };
            first = false;
            // Lines end at \n, \r\n or a lone \r (old Mac files).
            let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
            for value in bytes.split(|&b| b == b'\r') {
                if !String::from_utf8_lossy(value).trim().is_empty() {
                    one(value, &mut sink)?;
                }
            }
        }
    }
    sink.finish().map_err(write_err)?;
    if checked == 0 {
        return Err(Error::Usage(
            "nothing checked: standard input held no identifiers (give them as arguments, or \
             one per line on stdin)"
                .into(),
        ));
    }
    Ok(Exit::from_failures(invalid))
}

fn write_err(source: std::io::Error) -> Error {
    Error::Write { path: PathBuf::from("-"), source }
}
