//! `.xlsx` reports (rust_xlsxwriter): a results sheet with a bold, frozen,
//! filterable header, column widths fitted to the content, failing rows in
//! light red and expiring ones in amber, then a summary sheet.
//!
//! The report is first produced as CSV by the usual writers and converted
//! here, streaming, into a constant-memory worksheet. Every cell that came
//! from input is written as text, never as a formula: `=HYPERLINK(...)` or
//! `+91 98...` stays what it was. A sheet holds at most 1,048,576 rows, so a
//! larger report continues on `Results 2`, `Results 3`, ... The workbook is
//! written to a temporary file beside the target and renamed over it.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};

use crate::error::{Error, Result};

use crate::input::BlockReader;
use crate::input::scan::{Fields, Records, text};

/// Excel's rows per sheet, the header included.
pub const MAX_ROWS: u32 = 1_048_576;

/// Rows looked at to fit the column widths.
const WIDTH_SAMPLE: usize = 1000;

/// How a row is highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Failing or rejected: light red.
    Red,
    /// Expiring: amber.
    Amber,
}

/// Decides a row's fill from the header and the row's cells.
pub type FillRule<'a> = &'a (dyn Fn(&[String], &[&str]) -> Option<Fill> + Sync);

/// What to make of a CSV report.
pub struct Layout<'a> {
    /// Columns (by header name) whose digit-only cells are written as
    /// numbers, so they sort as numbers; all others are text.
    pub numeric: &'a [&'a str],
    /// The fill of a row, given the header and the row's cells.
    pub fill: FillRule<'a>,
    /// The summary sheet's rows: a label and a value.
    pub summary: &'a [(String, String)],
    /// Rows per results sheet, the header included: [`MAX_ROWS`], Excel's
    /// limit (smaller only in tests).
    pub max_rows: u32,
}

impl<'a> Layout<'a> {
    /// A layout with Excel's own row limit.
    pub fn new(
        numeric: &'a [&'a str],
        fill: FillRule<'a>,
        summary: &'a [(String, String)],
    ) -> Self {
        Layout { numeric, fill, summary, max_rows: MAX_ROWS }
    }
}

/// A rule that fills the rows whose `column` holds `value`.
pub fn fill_where(
    column: impl Into<String>,
    value: &'static str,
    fill: Fill,
) -> impl Fn(&[String], &[&str]) -> Option<Fill> + Sync {
    let column = column.into();
    move |header, row| {
        let i = header.iter().position(|h| *h == column)?;
        (row.get(i).copied() == Some(value)).then_some(fill)
    }
}

fn xerr(target: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Write {
        path: target.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Excel's most columns in a sheet.
pub const MAX_COLUMNS: usize = 16_384;

/// Excel's most characters in a cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Refuses a row Excel cannot hold, naming the report row and column, rather
/// than cutting it short in silence.
fn check_fits(row: &[&str], header: &[String], data_row: u64, target: &Path) -> Result<()> {
    let refuse = |what: String| Error::Write {
        path: target.to_path_buf(),
        source: std::io::Error::other(format!(
            "{} {what}; write this report as CSV (-o FILE.csv) instead",
            if data_row == 0 { "the header".to_string() } else { format!("report row {data_row}") }
        )),
    };
    if row.len() > MAX_COLUMNS {
        return Err(refuse(format!(
            "has {} columns, more than an Excel sheet holds ({MAX_COLUMNS})",
            row.len()
        )));
    }
    // Bytes bound characters from above: count only the long ones.
    let long = |c: &&str| c.len() > MAX_CELL_CHARS && c.chars().count() > MAX_CELL_CHARS;
    if let Some((c, cell)) = row.iter().enumerate().find(|(_, c)| long(c)) {
        let name = match header.get(c) {
            Some(h) => format!("column {} ({h})", c + 1),
            None => format!("column {}", c + 1),
        };
        return Err(refuse(format!(
            "holds {} characters in {name}, more than an Excel cell holds ({MAX_CELL_CHARS})",
            cell.chars().count()
        )));
    }
    Ok(())
}

/// The cell formats of a results sheet.
struct Formats {
    bold: Format,
    red: Format,
    amber: Format,
}

/// The results sheets being written.
struct Sheets {
    header: Vec<String>,
    /// Whether each column's digit-only cells are written as numbers.
    numeric: Vec<bool>,
    widths: Vec<usize>,
    /// The current worksheet's index and next row.
    sheet: Option<(usize, u32)>,
    /// Results sheets so far.
    count: usize,
}

impl Sheets {
    fn write_rows(
        &mut self,
        book: &mut Workbook,
        rows: &mut Vec<Vec<String>>,
        layout: &Layout<'_>,
        formats: &Formats,
        target: &Path,
    ) -> Result<()> {
        for row in rows.drain(..) {
            let refs: Vec<&str> = row.iter().map(String::as_str).collect();
            self.write_row(book, &refs, layout, formats, target)?;
        }
        Ok(())
    }

    /// Writes one row, starting a new sheet when the current one is full.
    fn write_row(
        &mut self,
        book: &mut Workbook,
        row: &[&str],
        layout: &Layout<'_>,
        formats: &Formats,
        target: &Path,
    ) -> Result<()> {
        let err = xerr(target);
        if self.sheet.is_none_or(|(_, next)| next >= layout.max_rows) {
            self.count += 1;
            let ws = book.add_worksheet_with_constant_memory().map_err(&err)?;
            let name = match self.count {
                1 => "Results".to_string(),
                n => format!("Results {n}"),
            };
            ws.set_name(&name).map_err(&err)?;
            for (c, w) in self.widths.iter().enumerate() {
                ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0)).map_err(&err)?;
            }
            for (c, h) in self.header.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &formats.bold).map_err(&err)?;
            }
            ws.set_freeze_panes(1, 0).map_err(&err)?;
            self.sheet = Some((book.worksheets().len() - 1, 1));
        }
        let Some((index, next)) = self.sheet.as_mut() else { return Ok(()) };
        let data_row = (self.count as u64 - 1) * u64::from(layout.max_rows - 1) + u64::from(*next);
        check_fits(row, &self.header, data_row, target)?;
        let ws: &mut Worksheet = book.worksheet_from_index(*index).map_err(&err)?;
        let fill = match (layout.fill)(&self.header, row) {
            Some(Fill::Red) => Some(&formats.red),
            Some(Fill::Amber) => Some(&formats.amber),
            None => None,
        };
        for (c, cell) in row.iter().enumerate() {
            let numeric = self.numeric.get(c).copied().unwrap_or(false)
                && !cell.is_empty()
                && cell.len() <= 15
                && cell.bytes().all(|b| b.is_ascii_digit());
            let (r, c) = (*next, c as u16);
            match (numeric, fill) {
                (true, Some(f)) => {
                    ws.write_number_with_format(r, c, cell.parse::<f64>().unwrap_or(0.0), f)
                }
                (true, None) => ws.write_number(r, c, cell.parse::<f64>().unwrap_or(0.0)),
                (false, Some(f)) => ws.write_string_with_format(r, c, *cell, f),
                (false, None) => ws.write_string(r, c, *cell),
            }
            .map_err(&err)?;
        }
        *next += 1;
        Ok(())
    }
}

/// Converts the CSV report read by `csv` into an `.xlsx` workbook in a
/// temporary file beside `target`; [`super::output::replace`] puts it in
/// place.
///
/// # Errors
/// [`Error::Read`] reading the CSV, [`Error::Write`] writing the workbook.
pub fn write(
    csv: &mut BlockReader,
    target: &Path,
    layout: &Layout<'_>,
) -> Result<tempfile::NamedTempFile> {
    let delimiter = csv.delimiter();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut book = Workbook::new();
    let formats = Formats {
        bold: Format::new().set_bold(),
        red: Format::new().set_background_color(Color::RGB(0xF8CBAD)),
        amber: Format::new().set_background_color(Color::RGB(0xFFE699)),
    };
    let mut out = Sheets {
        header: Vec::new(),
        numeric: Vec::new(),
        widths: Vec::new(),
        sheet: None,
        count: 0,
    };
    let err = xerr(target);

    // Rows are buffered only until the widths are known (the first
    // WIDTH_SAMPLE); after that each is written as it is read, its cells
    // borrowed from the block.
    let mut sampled = false;
    while let Some(block) = csv.next_block()? {
        for rec in Records::new(&block, delimiter) {
            let fields = Fields::new(&rec, delimiter);
            let cells: Vec<std::borrow::Cow<'_, str>> = fields.iter().map(text).collect();
            if out.header.is_empty() {
                let header: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
                let refs: Vec<&str> = header.iter().map(String::as_str).collect();
                check_fits(&refs, &header, 0, target)?;
                out.numeric = header.iter().map(|h| layout.numeric.contains(&h.as_str())).collect();
                out.widths = header.iter().map(|h| h.chars().count()).collect();
                out.header = header;
                continue;
            }
            if sampled {
                let refs: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
                out.write_row(&mut book, &refs, layout, &formats, target)?;
                continue;
            }
            for (c, cell) in cells.iter().enumerate() {
                let w = cell.chars().count();
                match out.widths.get_mut(c) {
                    Some(x) => *x = (*x).max(w),
                    None => out.widths.push(w),
                }
            }
            rows.push(cells.iter().map(|c| c.to_string()).collect());
            if rows.len() >= WIDTH_SAMPLE {
                sampled = true;
                out.write_rows(&mut book, &mut rows, layout, &formats, target)?;
            }
        }
    }
    out.write_rows(&mut book, &mut rows, layout, &formats, target)?;
    let (header, sheet, sheets, bold) = (&out.header, out.sheet, out.count, &formats.bold);
    if sheets == 0 {
        // A report without rows still shows its header.
        let ws = book.add_worksheet();
        ws.set_name("Results").map_err(&err)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, bold).map_err(&err)?;
        }
    }
    for i in 0..sheets.max(1) {
        let rows_here = match sheet {
            Some((last, next)) if i == last => next - 1,
            _ => layout.max_rows - 1,
        };
        if !header.is_empty() {
            let ws = book.worksheet_from_index(i).map_err(&err)?;
            ws.autofilter(0, 0, rows_here, header.len() as u16 - 1).map_err(&err)?;
        }
    }
    let summary = book.add_worksheet();
    summary.set_name("Summary").map_err(&err)?;
    summary.set_column_width(0, 28).map_err(&err)?;
    summary.set_column_width(1, 40).map_err(&err)?;
    for (r, (k, v)) in layout.summary.iter().enumerate() {
        summary.write_string_with_format(r as u32, 0, k, bold).map_err(&err)?;
        match v.parse::<f64>() {
            Ok(n) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
                summary.write_number(r as u32, 1, n)
            }
            _ => summary.write_string(r as u32, 1, v),
        }
        .map_err(&err)?;
    }

    let werr = |e: std::io::Error| Error::Write { path: target.to_path_buf(), source: e };
    let mut tmp = super::output::temp_beside(target, ".partial")?;
    // Compressing the sheet XML was half the time of a large report at
    // zip's default level 6; level 3 takes half as long for a file about
    // 15 % larger (measured on a 1M-row report, README).
    book.set_zip_compression_level(3);
    book.save_to_writer(&mut tmp).map_err(&err)?;
    tmp.flush().map_err(werr)?;
    tmp.as_file().sync_all().map_err(werr)?;
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Source;

    #[test]
    fn a_report_longer_than_a_sheet_continues_on_the_next() {
        use calamine::{Reader, open_workbook_auto};
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.xlsx");
        let csv = b"row,status\n1,valid\n2,invalid\n3,valid\n4,valid\n5,valid\n".to_vec();
        let mut reader = BlockReader::from_reader(
            Source::Stdin,
            Box::new(std::io::Cursor::new(csv)),
            b',',
            None,
            crate::input::encoding::Encoding::Utf8,
        )
        .unwrap();
        let fill = |_: &[String], _: &[&str]| None;
        let layout = Layout { numeric: &["row"], fill: &fill, summary: &[], max_rows: 3 };
        crate::batch::output::replace(write(&mut reader, &target, &layout).unwrap(), &target)
            .unwrap();
        let mut book = open_workbook_auto(&target).unwrap();
        assert_eq!(book.sheet_names(), ["Results", "Results 2", "Results 3", "Summary"]);
        let rows = |book: &mut calamine::Sheets<_>, name: &str| -> Vec<String> {
            book.worksheet_range(name).unwrap().rows().map(|r| r[0].to_string()).collect()
        };
        assert_eq!(rows(&mut book, "Results"), ["row", "1", "2"]);
        assert_eq!(rows(&mut book, "Results 2"), ["row", "3", "4"]);
        assert_eq!(rows(&mut book, "Results 3"), ["row", "5"]);
    }
}
