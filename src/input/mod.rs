//! The input layer: every file format an identifier list comes in, each
//! turned into the one form the engine reads, CSV text in blocks cut at
//! record boundaries ([`BlockReader`]).
//!
//! One file per format: delimited text ([`csv`], decoded from UTF-16 or
//! Windows-1252 by [`encoding`]), workbooks ([`workbook`]), the portal's
//! return JSON ([`gstr_json`]), e-invoices ([`einvoice`]) and Tally exports
//! ([`tally_xml`]). The formats other than CSV are produced on a thread of
//! their own ([`pipe`]) as CSV text of our own making. A new format is one
//! new file, one [`InputFormat`] variant and one line in
//! [`InputFormat::detect`] and [`BlockReader::open_any`]. [`scan`] parses
//! the records of a block and [`columns`] finds which column holds what;
//! the engine ([`crate::batch`]) knows no format.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

use encoding::Encoding;

pub mod columns;
pub mod csv;
pub mod einvoice;
pub mod encoding;
pub mod gstr_json;
pub mod pipe;
pub mod scan;
pub mod tally_xml;
pub mod workbook;

pub use csv::BlockReader;

/// Bytes per block: large enough to amortise the hand-off to a worker,
/// small enough that a batch of them stays a few MiB.
pub const BLOCK_SIZE: usize = 256 * 1024;

/// Where input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Source {
    /// `-` means stdin; anything else is a path.
    pub fn from_arg(arg: &Path) -> Source {
        if arg == Path::new("-") { Source::Stdin } else { Source::File(arg.to_path_buf()) }
    }

    /// The name to show in messages.
    pub fn display(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// The path, as carried in errors.
    pub fn path(&self) -> PathBuf {
        match self {
            Source::Stdin => PathBuf::from("-"),
            Source::File(p) => p.clone(),
        }
    }
}

/// The delimiter: the flag if given, tab for `.tsv` and `.tab` files,
/// otherwise a comma.
pub fn delimiter_for(source: &Source, flag: Option<u8>) -> u8 {
    if let Some(d) = flag {
        return d;
    }
    match source {
        Source::File(p) => match p.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("tsv") || e.eq_ignore_ascii_case("tab") => b'\t',
            _ => b',',
        },
        Source::Stdin => b',',
    }
}

/// The error for a quoted field opened at spreadsheet row `row` and never
/// closed: read on, it would have made the rest of the file one cell.
pub fn unclosed_quote(path: PathBuf, row: u64) -> Error {
    Error::NotCsv {
        path,
        why: format!(
            "row {row} opens a quoted field (\") that is never closed, so everything after it \
             would be one cell; close or remove that quote"
        ),
    }
}

/// Checks the start of an input (UTF-16 already decoded): the length of a
/// UTF-8 byte-order mark to skip (0 or 3), or why the input is clearly not
/// CSV text.
///
/// # Errors
/// What the input looks like instead.
pub fn check_text(start: &[u8]) -> std::result::Result<usize, &'static str> {
    let bom = if start.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    let head = &start[bom..start.len().min(bom + 4096)];
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    if first_line.contains(&0) {
        return Err(
            "its first line holds NUL bytes: it looks binary, or UTF-16 without a byte-order mark",
        );
    }
    Ok(bom)
}

/// How to read a table input, from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// `--delimiter` (else by extension, or sniffed for UTF-16).
    pub delimiter: Option<u8>,
    /// Whether the first record is a header row (not `--no-headers`).
    pub headers: bool,
    /// `--sheet` for a workbook.
    pub sheet: Option<String>,
    /// `--encoding` of a text input.
    pub encoding: Encoding,
    /// `--input-format`; `None`: known by extension (workbooks) or content.
    pub format: Option<InputFormat>,
}

/// The formats a file of identifiers can be in besides a workbook (which is
/// known by its extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// CSV or other delimited text.
    Csv,
    /// The portal's GSTR-2B, GSTR-2A or GSTR-1 JSON.
    ReturnJson,
    /// E-invoices in the IRP's JSON schema.
    Einvoice,
    /// A TallyPrime or Tally.ERP 9 XML export.
    Tally,
}

impl InputFormat {
    /// The format of the text file at `path`, known by its content.
    pub fn detect(path: &Path) -> InputFormat {
        if gstr_json::is_return_json(path) {
            InputFormat::ReturnJson
        } else if einvoice::is_einvoice_json(path) {
            InputFormat::Einvoice
        } else if tally_xml::is_tally_xml(path) {
            InputFormat::Tally
        } else {
            InputFormat::Csv
        }
    }
}

/// The most a whole table ([`BlockReader::read_table`]) may hold, as read and
/// as decoded, and the most text one sheet of a workbook may expand to: 4 GiB
/// less a byte, since `access apply` holds offsets into a table as 32 bits.
/// Test-only: `GSTBATCH_TEST_TABLE_LIMIT` lowers it, so that a test of the
/// limit need not read gigabytes. Not documented for users.
pub(crate) fn text_limit() -> u64 {
    let limit = u64::from(u32::MAX);
    let test = std::env::var("GSTBATCH_TEST_TABLE_LIMIT").ok().and_then(|v| v.parse().ok());
    test.map_or(limit, |t: u64| t.min(limit))
}

/// A byte count as people read it: `4 GiB`, `1.5 MiB`, `300 bytes`.
pub(crate) fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.0} GiB", (b + 1) as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        b => format!("{b} bytes"),
    }
}

/// A whole table read at once ([`BlockReader::read_table`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The text, decoded and without a byte-order mark.
    pub text: Vec<u8>,
    /// Its field delimiter.
    pub delimiter: u8,
    /// The SHA-256 of the input as given, in hex.
    pub sha256: String,
    /// The notes of [`BlockReader::notes`].
    pub notes: Vec<String>,
}

impl BlockReader {
    /// Reads a whole small table (an instruction file, a list of GSTINs):
    /// the input is read once, fingerprinted with SHA-256 as given, then
    /// decoded like any other input (workbook, UTF-16, byte-order mark).
    /// Without `flag`, a tab in the first line makes it tab-separated when
    /// `tab_any` is set or the input is UTF-16; else the extension decides.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::NotCsv`], [`Error::Workbook`].
    pub fn read_table(
        source: &Source,
        flag: Option<u8>,
        sheet: Option<&str>,
        tab_any: bool,
        encoding: Encoding,
    ) -> Result<Table> {
        let err = |e| Error::Read { path: source.path(), source: e };
        let limit = text_limit();
        let too_big = || Error::Read {
            path: source.path(),
            source: io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("it is larger than the {} a whole table may hold; split it", size(limit)),
            ),
        };
        // Bounded as it is read, not after: `/dev/zero` or an endless pipe
        // stops at the limit instead of filling memory.
        let mut raw = Vec::new();
        match source {
            Source::Stdin => io::stdin().lock().take(limit + 1).read_to_end(&mut raw),
            Source::File(p) => File::open(p).and_then(|f| f.take(limit + 1).read_to_end(&mut raw)),
        }
        .map_err(err)?;
        if raw.len() as u64 > limit {
            return Err(too_big());
        }
        let sha256 = Sha256::digest(&raw).iter().map(|b| format!("{b:02x}")).collect();
        let mut reader = match source {
            Source::File(p) if workbook::is_workbook(p) || sheet.is_some() => {
                BlockReader::open_any(source.clone(), flag, sheet, true, encoding, None)?
            }
            _ => {
                let delimiter = delimiter_for(source, flag);
                let inner = Box::new(io::Cursor::new(raw));
                let mut r =
                    BlockReader::from_reader(source.clone(), inner, delimiter, None, encoding)?;
                r.sniff_tab = flag.is_none() && (tab_any || r.is_utf16());
                r
            }
        };
        reader.first_record(false)?;
        let mut text = Vec::new();
        while let Some(block) = reader.next_block()? {
            // Decoded text can outgrow its file (UTF-16, a workbook's
            // shared strings): measured as it grows too.
            if (text.len() + block.len()) as u64 > limit {
                return Err(too_big());
            }
            text.extend_from_slice(&block);
        }
        let notes = reader.notes();
        Ok(Table { text, delimiter: reader.delimiter, sha256, notes })
    }

    /// Opens a table to read row by row, as `validate` and `verify` do: its
    /// header fields (with `--no-headers`, `column_1`, `column_2`, ... for
    /// as many fields as the first row has) and the spreadsheet rows the
    /// header took.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::NotCsv`] (an empty input with headers
    /// expected), [`Error::Workbook`], [`Error::Usage`].
    pub fn open_table(
        source: &Source,
        read: &ReadOptions,
    ) -> Result<(BlockReader, Vec<Vec<u8>>, u64)> {
        BlockReader::open_table_from(source, read, None)
    }

    /// [`BlockReader::open_table`], with standard input's bytes read from
    /// `stdin_copy` instead (a copy made to read it twice); messages still
    /// name `-`.
    ///
    /// # Errors
    /// As [`BlockReader::open_table`].
    pub fn open_table_from(
        source: &Source,
        read: &ReadOptions,
        stdin_copy: Option<&Path>,
    ) -> Result<(BlockReader, Vec<Vec<u8>>, u64)> {
        let mut reader = match (source, stdin_copy) {
            (Source::Stdin, Some(copy)) => {
                let f =
                    File::open(copy).map_err(|e| Error::Read { path: source.path(), source: e })?;
                BlockReader::open_reader(
                    source.clone(),
                    Box::new(f),
                    read.delimiter,
                    None,
                    read.encoding,
                )?
            }
            _ => BlockReader::open_any(
                source.clone(),
                read.delimiter,
                read.sheet.as_deref(),
                read.headers,
                read.encoding,
                read.format,
            )?,
        };
        let (headers, rows) = match reader.first_record(read.headers)? {
            Some((fields, rows)) if !read.headers => {
                ((1..=fields.len()).map(|i| format!("column_{i}").into_bytes()).collect(), rows)
            }
            Some(found) => found,
            None if !read.headers => (vec![b"column_1".to_vec()], 0),
            None => {
                return Err(Error::NotCsv {
                    path: source.path(),
                    why: "it is empty: there is no header row".into(),
                });
            }
        };
        Ok((reader, headers, rows))
    }

    /// Opens `source` as [`BlockReader::open`] does, reading a workbook
    /// (by extension), a return's JSON, e-invoices or a Tally export (by
    /// content, or as `format` says) as CSV text: `sheet` chooses a
    /// workbook's sheet, `headers` says whether title rows above a header
    /// are to be skipped.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::Workbook`], [`Error::Usage`] for a format
    /// other than CSV on standard input.
    pub fn open_any(
        source: Source,
        flag: Option<u8>,
        sheet: Option<&str>,
        headers: bool,
        encoding: Encoding,
        format: Option<InputFormat>,
    ) -> Result<BlockReader> {
        let book = matches!(&source, Source::File(p) if workbook::is_workbook(p));
        if sheet.is_some() && !book {
            return Err(Error::Usage(format!(
                "--sheet is for workbooks (.xlsx .xlsm .xlsb .xls .ods); {} is not one",
                source.display()
            )));
        }
        // A workbook, a return's JSON, e-invoices or a Tally export become
        // CSV text of our own making, always UTF-8; CSV is read as it is.
        let p = match &source {
            Source::File(p) => p.clone(),
            Source::Stdin if format.is_none_or(|f| f == InputFormat::Csv) => {
                return BlockReader::open(source, flag, encoding);
            }
            Source::Stdin => {
                return Err(Error::Usage(
                    "--input-format: standard input is read as CSV; give the file's name".into(),
                ));
            }
        };
        let mut notes = Vec::new();
        let made: Box<dyn Read + Send> = if book {
            let mut text = workbook::open_csv(&p, sheet, headers)?;
            notes = text.take_notes();
            Box::new(text)
        } else {
            match format.unwrap_or_else(|| InputFormat::detect(&p)) {
                InputFormat::Csv => return BlockReader::open(source, flag, encoding),
                InputFormat::ReturnJson => Box::new(gstr_json::open_csv(&p)?),
                InputFormat::Einvoice => Box::new(einvoice::open_csv(&p)?),
                InputFormat::Tally => Box::new(tally_xml::open_csv(&p, encoding)?),
            }
        };
        let mut reader = BlockReader::from_reader(source, made, b',', None, Encoding::Utf8)?;
        reader.notes = notes;
        Ok(reader)
    }
}

#[cfg(test)]
mod tests;
