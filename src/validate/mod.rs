//! `gstbatch validate`: every identifier of a CSV file or workbook, checked
//! on every core, reported row by row in input order.

pub mod dupes;
pub mod report;
pub mod result;
pub mod row;
pub mod summary;

use std::path::PathBuf;
use std::time::Instant;

use crate::batch::pipeline;
use crate::batch::progress::{Progress, Ui};
use crate::batch::report::{self as sink, Format, Report, SummaryFile, Target};
use crate::batch::xlsx;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::{Kind, Options};
use crate::input::columns::{self, ColumnError, Family};
use crate::input::{BlockReader, ReadOptions, Source};

use dupes::Dupes;
use report::{Formatter, Writer};
use result::Col;
use row::Plan;
use summary::Summary;

/// What `validate` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The input.
    pub input: Source,
    /// How to read it.
    pub read: ReadOptions,
    /// The report.
    pub report: Target,
    /// The JSON summary file, if asked for.
    pub summary: Option<PathBuf>,
    /// `--column`: the identifier column by name or 1-based number.
    pub column: Option<String>,
    /// The kind every value is checked as; `None`: the header, else each
    /// value's length, decides.
    pub kind: Option<Kind>,
    /// `--pan-column`.
    pub pan_column: Option<String>,
    /// `--state-column`.
    pub state_column: Option<String>,
    /// Write only failing rows.
    pub only_invalid: bool,
    /// Track duplicates.
    pub duplicates: bool,
    /// Rule options.
    pub opts: Options,
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// What stderr may show.
    pub ui: Ui,
}

/// Runs `validate`.
///
/// # Errors
/// Exit-2 failures: unreadable or non-CSV input, a missing or ambiguous
/// column, bad arguments, a report that cannot be written.
pub fn run(s: &Settings) -> Result<Exit> {
    let started = Instant::now();
    let source = &s.input;
    // Both outputs exist as temporary files before any work: a target that
    // cannot be written stops the run before anything is replaced.
    let summary_file = SummaryFile::create(s.summary.as_deref())?;
    let report = Report::create(&s.report)?;
    let (mut reader, headers, header_rows) = BlockReader::open_table(source, &s.read)?;
    let column_err = |source: ColumnError| Error::Column { path: s.input.path(), source };
    // Known only now: a UTF-16 file may have turned out tab-separated.
    let delimiter = reader.delimiter();
    let (id, family) =
        columns::identifier(s.column.as_deref(), &headers, s.read.headers).map_err(column_err)?;
    let kind = s.kind.or(match family {
        Some(Family::Gstin) => Some(Kind::Gstin),
        Some(Family::Pan) => Some(Kind::Pan),
        None => None,
    });
    let other = |arg: &Option<String>, flag: &str| -> Result<Option<usize>> {
        arg.as_deref().map(|a| columns::by_arg(a, &headers, flag).map_err(column_err)).transpose()
    };
    let plan = Plan {
        id,
        kind,
        opts: s.opts,
        pan: other(&s.pan_column, "--pan-column")?,
        state: other(&s.state_column, "--state-column")?,
        dupes: s.duplicates,
    };

    let names = result::result_names(&headers);
    let format = report.format();
    let formatter = Formatter::new(delimiter, &headers, &names, format, s.only_invalid, plan);
    let mut writer = Writer::new(report, s.input.path());
    if format == Format::Csv {
        writer.write_raw(&formatter.csv_header(&headers, &names))?;
    }

    let pool = pipeline::pool(s.jobs)?;
    // Decoded UTF-16 bytes do not map onto the file size: no bar for it.
    let len = if reader.is_utf16() { None } else { reader.len };
    let progress = Progress::new(len, s.ui);
    let mut dupes = plan.dupes.then(Dupes::new);
    let mut next_row = header_rows;
    let ran = pipeline::run(
        &pool,
        &mut reader,
        &progress,
        |b| formatter.block(b),
        |pool, blocks| dupes::resolve(pool, dupes.as_mut(), blocks, &mut next_row),
        |b| writer.block(b),
    );
    if let Err(e) = ran {
        progress.abandon();
        return Err(e);
    }
    if !s.ui.quiet {
        for note in reader.notes() {
            eprintln!("gstbatch: note: {note}");
        }
        for w in &writer.warnings {
            eprintln!("gstbatch: warning: {}: {w}", source.display());
        }
    }
    let counts = writer.counts.clone();
    let duplicates = plan.dupes.then_some(writer.duplicates);
    let report = writer.finish()?;
    progress.finish();

    let exit = Exit::from_failures(counts.invalid);
    let summary = Summary::new(
        source.display(),
        s.report.name(),
        (id, String::from_utf8_lossy(&headers[id]).into_owned()),
        &counts,
        duplicates,
        started.elapsed().as_secs_f64(),
        exit.code(),
    );
    let fill = xlsx::fill_where(names[Col::Status as usize].as_str(), "invalid", xlsx::Fill::Red);
    let pairs = summary.pairs();
    let numeric = [names[Col::Row as usize].as_str(), names[Col::DuplicateOf as usize].as_str()];
    let ready = report.prepare(&xlsx::Layout::new(&numeric, &fill, &pairs), delimiter)?;
    sink::finish(Some(ready), summary_file.map(|f| (f, &summary)))?;
    if !s.ui.quiet {
        eprintln!("{}", summary.line());
    }
    Ok(exit)
}
