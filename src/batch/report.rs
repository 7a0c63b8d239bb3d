//! The one report sink: every command's report (CSV, JSON Lines, a JSON
//! array, or an `.xlsx` workbook) and its JSON summary go through here, and
//! so does the guard that no output names an input, the store or the other
//! output.
//!
//! A report for a named file is written to a temporary file beside it and
//! renamed into place only when complete ([`Output`]); a workbook is staged
//! as CSV first and converted ([`super::xlsx`]). A summary's temporary file
//! is created before any work, so that a summary that cannot be written
//! stops the run before it changes anything.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

use super::output::Output;
use super::xlsx;
use crate::input::encoding::Encoding::Utf8;
use crate::input::{BlockReader, Source};

/// A report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// One JSON array of objects.
    Json,
    /// An Excel workbook (needs a file): results and summary sheets.
    Xlsx,
}

impl Format {
    /// The format a report file's extension implies: `.json`, `.jsonl` or
    /// `.ndjson`, `.xlsx`; anything else (or stdout) is CSV.
    pub fn from_path(path: Option<&Path>) -> Format {
        path.and_then(Format::named_by).unwrap_or(Format::Csv)
    }

    /// The format's name, as `--format` and the configuration file write it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        }
    }

    /// The format `name` names, in any case.
    pub fn from_name(name: &str) -> Option<Format> {
        [Format::Csv, Format::Jsonl, Format::Json, Format::Xlsx]
            .into_iter()
            .find(|f| name.trim().eq_ignore_ascii_case(f.name()))
    }

    /// The format a file's extension names, if any: `.csv`, `.json`,
    /// `.jsonl` or `.ndjson`, `.xlsx`.
    pub fn named_by(path: &Path) -> Option<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Some(Format::Csv),
            Some("json") => Some(Format::Json),
            Some("jsonl" | "ndjson") => Some(Format::Jsonl),
            Some("xlsx") => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// Workbook extensions gstbatch reads but does not write: a report named so
/// would silently be CSV.
const OTHER_BOOKS: [&str; 4] = ["xls", "xlsm", "xlsb", "ods"];

/// Where a report goes and in what format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The file; `None` is stdout.
    pub path: Option<PathBuf>,
    /// The format.
    pub format: Format,
    /// A CSV report starts with a UTF-8 byte-order mark, which Excel needs
    /// to read it as UTF-8 rather than the ANSI code page.
    pub bom: bool,
}

impl Target {
    /// A target for `-o PATH` (`-` or none: stdout) and `--format`; the
    /// format defaults to the one the extension implies.
    ///
    /// # Errors
    /// [`Error::Usage`] for an `.xlsx` report without a file.
    pub fn new(path: Option<&Path>, format: Option<Format>) -> Result<Target> {
        let path = path.filter(|p| *p != Path::new("-")).map(Path::to_path_buf);
        let ext = path.as_deref().and_then(|p| p.extension()).and_then(|e| e.to_str());
        if format.is_none()
            && let Some(ext) = ext.filter(|e| OTHER_BOOKS.iter().any(|b| e.eq_ignore_ascii_case(b)))
        {
            return Err(Error::Usage(format!(
                "-o {}: gstbatch writes .xlsx workbooks, not .{ext}; name the report .xlsx, or \
                 give --format csv to write CSV under this name",
                path.as_deref().map(Path::display).map(|d| d.to_string()).unwrap_or_default()
            )));
        }
        let format = format.unwrap_or_else(|| Format::from_path(path.as_deref()));
        if format == Format::Xlsx && path.is_none() {
            return Err(Error::Usage("an .xlsx report needs -o FILE.xlsx".into()));
        }
        Ok(Target { path, format, bom: false })
    }

    /// Sets whether a CSV report starts with a byte-order mark: `Some` as
    /// `--bom yes|no` says; `None` (auto) for a file on Windows, where it is
    /// for Excel, never for stdout or a device, which programs read.
    pub fn with_bom(mut self, choice: Option<bool>) -> Target {
        let auto =
            cfg!(windows) && self.path.as_deref().is_some_and(|p| !super::output::is_device(p));
        self.bom = self.format == Format::Csv && choice.unwrap_or(auto);
        self
    }

    /// The name shown in summaries: the file, or `-` for stdout.
    pub fn name(&self) -> String {
        self.path.as_ref().map_or_else(|| "-".to_string(), |p| p.display().to_string())
    }
}

/// Frames the items of a JSON array: `[` before the first, commas between,
/// and the close (`[]` when empty), one item per line.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonArray {
    items: u64,
}

impl JsonArray {
    /// What goes before the next item.
    pub fn before_item(&mut self) -> &'static [u8] {
        self.items += 1;
        if self.items == 1 { b"[\n" } else { b",\n" }
    }

    /// What closes the array.
    pub fn close(&self) -> &'static [u8] {
        if self.items == 0 { b"[]\n" } else { b"\n]\n" }
    }
}

/// A record type of a report: serialisable, with a default value whose
/// serialisation gives the CSV header of an empty report.
pub trait Record: Serialize + Default {}

impl<T: Serialize + Default> Record for T {}

/// The CSV header of `T`: its field names, as serde gives them.
fn csv_header<T: Record>() -> io::Result<csv::StringRecord> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(T::default()).map_err(csv_io)?;
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    r.records().next().transpose().map_err(csv_io).map(Option::unwrap_or_default)
}

/// An I/O error inside a csv error keeps its kind (a closed pipe stays a
/// closed pipe).
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Writes records one at a time as CSV (a header row first, also when there
/// are no records), JSON Lines or a JSON array.
pub enum RowWriter<W: Write> {
    /// CSV, and whether the header is out.
    Csv(Box<csv::Writer<W>>, bool),
    /// JSON Lines.
    Jsonl(W),
    /// A JSON array.
    Json(W, JsonArray),
}

impl<W: Write> RowWriter<W> {
    /// A writer of `format` (a workbook is written as its CSV stage).
    pub fn new(out: W, format: Format) -> Self {
        match format {
            Format::Csv | Format::Xlsx => {
                let w = csv::WriterBuilder::new().has_headers(false).from_writer(out);
                RowWriter::Csv(Box::new(w), false)
            }
            Format::Jsonl => RowWriter::Jsonl(out),
            Format::Json => RowWriter::Json(out, JsonArray::default()),
        }
    }

    fn start<T: Record>(&mut self) -> io::Result<()> {
        if let RowWriter::Csv(w, header @ false) = self {
            *header = true;
            w.write_record(&csv_header::<T>()?).map_err(csv_io)?;
        }
        Ok(())
    }

    /// Writes one record.
    ///
    /// # Errors
    /// The writer's I/O error.
    pub fn write<T: Record>(&mut self, rec: &T) -> io::Result<()> {
        self.start::<T>()?;
        match self {
            RowWriter::Csv(w, _) => w.serialize(rec).map_err(csv_io),
            RowWriter::Jsonl(out) => {
                serde_json::to_writer(&mut *out, rec)?;
                out.write_all(b"\n")
            }
            RowWriter::Json(out, array) => {
                out.write_all(array.before_item())?;
                Ok(serde_json::to_writer(&mut *out, rec)?)
            }
        }
    }

    /// Flushes what was written so far.
    ///
    /// # Errors
    /// The writer's I/O error.
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            RowWriter::Csv(w, _) => w.flush(),
            RowWriter::Jsonl(out) | RowWriter::Json(out, _) => out.flush(),
        }
    }

    /// Ends the report (a CSV header for an empty one, a JSON array's
    /// close) and returns the writer.
    ///
    /// # Errors
    /// The writer's I/O error.
    pub fn finish<T: Record>(mut self) -> io::Result<W> {
        self.start::<T>()?;
        let mut out = match self {
            RowWriter::Csv(w, _) => w.into_inner().map_err(|e| e.into_error())?,
            RowWriter::Jsonl(out) => out,
            RowWriter::Json(mut out, array) => {
                out.write_all(array.close())?;
                out
            }
        };
        out.flush()?;
        Ok(out)
    }
}

/// A report on its way out: CSV, JSON or, staged as CSV, a workbook.
pub struct Report {
    out: Output,
    target: Target,
}

/// A finished report, put in place by [`Ready::commit`].
pub enum Ready {
    /// A CSV or JSON report.
    Plain(Output),
    /// A workbook in its temporary file, and its target.
    Workbook(tempfile::NamedTempFile, PathBuf),
}

impl Report {
    /// Opens the report's temporary file (or stdout). A workbook's rows go
    /// first to a temporary CSV beside it, which [`Report::prepare`] turns
    /// into the workbook.
    ///
    /// # Errors
    /// [`Error::Write`] when the temporary file cannot be created.
    pub fn create(target: &Target) -> Result<Report> {
        let mut out = match (&target.path, target.format) {
            (Some(p), Format::Xlsx) => Output::staging(p, ".csv.partial")?,
            (path, _) => Output::create(path.as_deref())?,
        };
        if target.bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        Ok(Report { out, target: target.clone() })
    }

    /// Whether rows are staged as CSV on their way to a workbook file.
    fn staged(&self) -> bool {
        self.target.format == Format::Xlsx && self.target.path.is_some()
    }

    /// The format rows are written in: CSV while a workbook is staged.
    pub fn format(&self) -> Format {
        if self.staged() { Format::Csv } else { self.target.format }
    }

    /// Whether the report goes to a file (not stdout).
    pub fn to_file(&self) -> bool {
        self.target.path.is_some()
    }

    /// The name shown in summaries.
    pub fn name(&self) -> String {
        self.target.name()
    }

    /// The raw output, for writers that format their own bytes.
    pub fn out(&mut self) -> &mut Output {
        &mut self.out
    }

    /// Writes every record of `rows`.
    ///
    /// # Errors
    /// [`Error::Write`].
    pub fn write_rows<T: Record>(&mut self, rows: impl IntoIterator<Item = T>) -> Result<()> {
        let path = self.out.path();
        let format = self.format();
        let err = |e| Error::Write { path: path.clone(), source: e };
        let mut w = RowWriter::new(&mut self.out, format);
        for r in rows {
            w.write(&r).map_err(err)?;
        }
        w.finish::<T>().map_err(err)?;
        Ok(())
    }

    /// Writes rows whose columns are known only at run time (the input's
    /// own, then a command's): CSV with `names` as the header row, JSON
    /// objects keyed by `names` (which must be unique; see [`unique_name`]).
    ///
    /// # Errors
    /// [`Error::Write`].
    pub fn write_table(
        &mut self,
        names: &[String],
        rows: impl IntoIterator<Item = Vec<String>>,
    ) -> Result<()> {
        let path = self.out.path();
        let err = |e: io::Error| Error::Write { path: path.clone(), source: e };
        match self.format() {
            Format::Csv | Format::Xlsx => {
                let mut w = csv::Writer::from_writer(&mut self.out);
                w.write_record(names).map_err(|e| err(csv_io(e)))?;
                for row in rows {
                    w.write_record(&row).map_err(|e| err(csv_io(e)))?;
                }
                w.flush().map_err(err)?;
            }
            format => {
                let mut array = JsonArray::default();
                for row in rows {
                    let object: serde_json::Map<String, serde_json::Value> = names
                        .iter()
                        .cloned()
                        .zip(row.into_iter().map(serde_json::Value::String))
                        .collect();
                    if format == Format::Json {
                        self.out.write_all(array.before_item())?;
                    }
                    serde_json::to_writer(&mut self.out, &object).map_err(|e| err(e.into()))?;
                    if format == Format::Jsonl {
                        self.out.write_all(b"\n")?;
                    }
                }
                if format == Format::Json {
                    self.out.write_all(array.close())?;
                }
            }
        }
        Ok(())
    }

    /// Finishes the file (building the workbook if one was asked for, with
    /// `layout`; the staged CSV is read with `delimiter`) without putting it
    /// in place yet.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::Write`].
    pub fn prepare(self, layout: &xlsx::Layout<'_>, delimiter: u8) -> Result<Ready> {
        let staged = self.staged();
        let mut out = self.out;
        let Some(target) = self.target.path.filter(|_| staged) else {
            // Synced now, so that a report built beside other work (`access
            // apply` builds it while its store transaction runs) leaves its
            // commit only the rename.
            out.sync()?;
            return Ok(Ready::Plain(out));
        };
        // The staged CSV is only a step: it is read back, then deleted (after
        // the reader that holds it open).
        let staged = out.into_temp()?;
        let mut csv =
            BlockReader::open(Source::File(staged.path().to_path_buf()), Some(delimiter), Utf8)?;
        Ok(Ready::Workbook(xlsx::write(&mut csv, &target, layout)?, target))
    }
}

impl Ready {
    /// Puts the report in place; only now does the target change.
    ///
    /// # Errors
    /// [`Error::Write`]; the target is then untouched.
    pub fn commit(self) -> Result<()> {
        match self {
            Ready::Plain(out) => out.commit(),
            Ready::Workbook(tmp, target) => super::output::replace(tmp, &target),
        }
    }
}

/// A JSON summary file (`--summary FILE`), opened before the run so that a
/// summary that cannot be written stops it before anything changes.
pub struct SummaryFile(Output);

impl SummaryFile {
    /// Opens the summary's temporary file, if a summary was asked for.
    ///
    /// # Errors
    /// [`Error::Write`].
    pub fn create(path: Option<&Path>) -> Result<Option<SummaryFile>> {
        path.map(|p| Output::create(Some(p)).map(SummaryFile)).transpose()
    }

    /// Writes the summary as pretty JSON, synced, without putting it in
    /// place yet: what can fail (a full disk, `/dev/full`) fails here.
    fn prepare<T: Serialize>(mut self, summary: &T) -> Result<Output> {
        let path = self.0.path();
        let mut json = serde_json::to_vec_pretty(summary)
            .map_err(|e| Error::Write { path, source: e.into() })?;
        json.push(b'\n');
        self.0.write_all(&json)?;
        self.0.sync()?;
        Ok(self.0)
    }
}

/// Puts a finished report and its summary in place, the summary written
/// first: a summary that cannot be written leaves the earlier report as it
/// was, rather than a new report beside a lost summary.
///
/// # Errors
/// [`Error::Write`] naming the file that failed.
pub fn finish<T: Serialize>(
    report: Option<Ready>,
    summary: Option<(SummaryFile, &T)>,
) -> Result<()> {
    let summary = summary.map(|(file, s)| file.prepare(s)).transpose()?;
    if let Some(report) = report {
        report.commit()?;
    }
    summary.map_or(Ok(()), Output::commit)
}

/// `base`, or `base_2`, `base_3`, ...: the first that is not `taken`. Keeps
/// report columns and JSON keys unique when an input header already has a
/// name gstbatch would use.
pub fn unique_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while taken(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// Refuses outputs that would destroy what a run reads or writes: no output
/// may name an input, one of the store's files (which the store layer
/// lists), or another output. Files are compared after resolving `..` and
/// symbolic links, and by device and inode, so a hard link is caught too.
///
/// # Errors
/// [`Error::Usage`] naming the flag and the file.
pub fn guard(inputs: &[&Path], store_files: &[PathBuf], outputs: &[(&str, &Path)]) -> Result<()> {
    let mut on_stdout: Option<&str> = None;
    for (i, (flag, out)) in outputs.iter().enumerate() {
        if is_stdout(out) {
            if let Some(other) = on_stdout {
                return Err(Error::Usage(format!(
                    "{other} and {flag} both write to standard output, where they would mix; \
                     send one of them to a file"
                )));
            }
            on_stdout = Some(flag);
        }
        // A device is written in place, never replaced: it loses no file.
        if *out == Path::new("-") || super::output::is_device(out) {
            continue;
        }
        if let Some(input) = inputs.iter().find(|p| **p != Path::new("-") && same_file(p, out)) {
            return Err(Error::Usage(format!(
                "{flag} {}: that is an input ({}); write it somewhere else",
                out.display(),
                input.display()
            )));
        }
        if store_files.iter().any(|s| same_file(s, out)) {
            return Err(Error::Usage(format!(
                "{flag} {}: that is the state store; write it somewhere else",
                out.display()
            )));
        }
        if let Some((other, _)) =
            outputs[..i].iter().find(|(_, o)| *o != Path::new("-") && same_file(o, out))
        {
            return Err(Error::Usage(format!(
                "{flag} and {other} name the same file ({}); give each its own",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Whether an output goes to standard output: `-`, or a name for the very
/// file or pipe standard output is (`/dev/stdout`, or the file a shell
/// redirected it to). A device such as `/dev/null` or a terminal is not
/// counted: two outputs there lose nothing a program reads.
fn is_stdout(path: &Path) -> bool {
    if path == Path::new("-") {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let stdout = std::io::stdout().as_fd().try_clone_to_owned().map(std::fs::File::from);
        if let (Ok(out), Ok(named)) = (stdout.and_then(|f| f.metadata()), std::fs::metadata(path)) {
            return !named.file_type().is_char_device()
                && out.dev() == named.dev()
                && out.ino() == named.ino();
        }
    }
    false
}

/// Whether two paths name the same file: the same device and inode when
/// both exist, else the same absolute path once `..` and symbolic links in
/// the folder are resolved.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    let canon = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = std::fs::canonicalize(p) {
            return Some(c);
        }
        Some(std::fs::canonicalize(super::output::folder_of(p)).ok()?.join(p.file_name()?))
    };
    matches!((canon(a), canon(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests;
