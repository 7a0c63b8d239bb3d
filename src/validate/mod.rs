//! `gstbatch validate`: every identifier of a CSV file, checked on every
//! core, reported row by row in input order.

pub mod columns;
pub mod dupes;
pub mod report;
pub mod row;
pub mod summary;

use std::path::Path;
use std::time::Instant;

use crate::batch::input::{BlockReader, Source};
use crate::batch::output::{self, Output};
use crate::batch::pipeline;
use crate::batch::progress::Progress;
use crate::batch::xlsx;
use crate::cli::{ReportFormat, ValidateArgs};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::ident::Kind;

use columns::Family;
use dupes::Dupes;
use report::{Formatter, Writer};
use row::Plan;
use summary::Summary;

/// Runs `validate`.
///
/// # Errors
/// Exit-2 failures: unreadable or non-CSV input, a missing or ambiguous
/// column, bad arguments, a report that cannot be written.
pub fn run(args: &ValidateArgs) -> Result<Exit> {
    let started = Instant::now();
    let source = Source::from_arg(&args.input);
    refuse_overwriting_input(&source, args)?;
    let mut reader = BlockReader::open_any(
        source.clone(),
        args.csv.delimiter,
        args.csv.sheet.as_deref(),
        !args.csv.no_headers,
    )?;
    let column_err = |message: String| Error::Column { path: source.path(), message };

    let (headers, header_rows) = match reader.first_record(!args.csv.no_headers)? {
        Some((fields, rows)) if args.csv.no_headers => {
            ((1..=fields.len()).map(|i| format!("column_{i}").into_bytes()).collect(), rows)
        }
        Some((fields, rows)) => (fields, rows),
        None if args.csv.no_headers => (vec![b"column_1".to_vec()], 0),
        None => {
            return Err(Error::NotCsv {
                path: source.path(),
                why: "it is empty: there is no header row".into(),
            });
        }
    };
    // Known only now: a UTF-16 file may have turned out tab-separated.
    let delimiter = reader.delimiter();

    let (id, family) = match &args.column {
        Some(arg) => {
            let i = columns::by_arg(arg, &headers, "--column").map_err(column_err)?;
            (i, if args.csv.no_headers { None } else { columns::family(&headers[i]) })
        }
        None if args.csv.no_headers && headers.len() == 1 => (0, None),
        None if args.csv.no_headers => {
            return Err(column_err(format!(
                "the first row has {} fields; with --no-headers, say which holds the \
                 identifiers with --column N",
                headers.len()
            )));
        }
        None => columns::detect(&headers).map(|(i, f)| (i, Some(f))).map_err(column_err)?,
    };
    let kind = args.kind.forced().or(match family {
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
        opts: args.rules.options(),
        pan: other(&args.pan_column, "--pan-column")?,
        state: other(&args.state_column, "--state-column")?,
        dupes: !args.no_duplicates,
    };

    let format = args.format.unwrap_or_else(|| ReportFormat::from_path(args.output.as_deref()));
    // A workbook is made from the CSV report, staged beside it.
    let xlsx_target = match (format, args.output.as_deref()) {
        (ReportFormat::Xlsx, Some(p)) if p != Path::new("-") => Some(p.to_path_buf()),
        (ReportFormat::Xlsx, _) => {
            return Err(Error::Usage("an .xlsx report needs -o FILE.xlsx".into()));
        }
        _ => None,
    };
    let staging = xlsx_target.as_deref().map(xlsx::staging).transpose()?;
    let format = if xlsx_target.is_some() { ReportFormat::Csv } else { format };
    let names = report::result_names(&headers);
    let formatter = Formatter::new(delimiter, &headers, &names, format, args.only_invalid, plan);
    let out = Output::create(staging.as_ref().map(|s| s.path()).or(args.output.as_deref()))?;
    let report_name = match &xlsx_target {
        Some(t) => t.display().to_string(),
        None => out.path().display().to_string(),
    };
    let mut writer = Writer::new(out, format);
    if format == ReportFormat::Csv {
        writer.write_raw(&formatter.csv_header(&headers, &names))?;
    }

    let pool = pipeline::pool(args.csv.jobs)?;
    // Decoded UTF-16 bytes do not map onto the file size: no bar for it.
    let len = if reader.is_utf16() { None } else { reader.len };
    let progress = Progress::new(len, args.csv.quiet);
    let mut dupes = plan.dupes.then(Dupes::new);
    let mut next_row = header_rows;
    let ran = pipeline::run(
        &pool,
        &mut reader,
        &progress,
        |b| formatter.block(b),
        |pool, blocks| report::resolve(pool, dupes.as_mut(), blocks, &mut next_row),
        |b| writer.block(b),
    );
    if let Err(e) = ran {
        progress.abandon();
        return Err(e);
    }
    let counts = writer.counts.clone();
    let duplicates = plan.dupes.then_some(writer.duplicates);
    writer.finish()?;
    progress.finish();

    let exit = Exit::from_failures(counts.invalid);
    let summary = Summary::new(
        source.display(),
        report_name,
        &counts,
        duplicates,
        started.elapsed().as_secs_f64(),
        exit.code(),
    );
    if let (Some(target), Some(staged)) = (&xlsx_target, &staging) {
        let mut csv =
            BlockReader::open(Source::File(staged.path().to_path_buf()), Some(delimiter))?;
        let fill = xlsx::fill_where(names[1].as_str(), "invalid", xlsx::Fill::Red);
        let pairs = summary.pairs();
        let numeric = [names[0].as_str(), names[13].as_str()];
        let layout = xlsx::Layout::new(&numeric, &fill, &pairs);
        let book = xlsx::write(&mut csv, target, &layout)?;
        xlsx::persist(book, target)?;
    }
    if let Some(path) = &args.summary {
        let mut json = serde_json::to_vec_pretty(&summary)
            .map_err(|e| Error::Write { path: path.clone(), source: e.into() })?;
        json.push(b'\n');
        output::write_file(path, &json)?;
    }
    if !args.csv.quiet {
        eprintln!("{}", summary.line());
    }
    Ok(exit)
}

/// Refuses a report or summary that would overwrite the input.
fn refuse_overwriting_input(source: &Source, args: &ValidateArgs) -> Result<()> {
    let Source::File(input) = source else { return Ok(()) };
    let targets = [args.output.as_deref(), args.summary.as_deref()];
    for target in targets.into_iter().flatten() {
        if target != Path::new("-") && output::same_file(input, target) {
            return Err(Error::Usage(format!(
                "{} is the input file; write the report somewhere else",
                target.display()
            )));
        }
    }
    if let (Some(o), Some(s)) = (args.output.as_deref(), args.summary.as_deref())
        && output::same_file(o, s)
    {
        return Err(Error::Usage("--summary and -o name the same file".into()));
    }
    Ok(())
}
