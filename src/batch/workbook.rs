//! Workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) read as CSV text,
//! with calamine, so that every command that reads CSV reads them too.
//!
//! One line is written per sheet row from row 1: empty rows, and title rows
//! above the header, become blank lines, which CSV readers skip but count,
//! so the row numbers in reports are the spreadsheet's own. Cells become the
//! text a person sees: a whole number stored as a number prints without
//! `.0`, a date cell as ISO 8601 (`2026-11-26`, or `2026-11-26 09:30:00`
//! with a time, which the access commands read as IST), text keeps its
//! leading zeros, a formula gives its last computed value.

use std::path::Path;

use calamine::{Data, Reader, SheetType, SheetVisible, open_workbook_auto};

use super::columns;
use crate::error::{Error, Result};

use super::scan::Quoting;

/// File extensions read as workbooks.
const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// How many rows at the top may be titles above the header.
const HEADER_SEARCH_ROWS: usize = 20;

/// Whether `path` names a workbook, by its extension.
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The text a person sees in a cell.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.is_datetime() => {
                if t.time() == chrono::NaiveTime::MIN {
                    t.format("%Y-%m-%d").to_string()
                } else {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            _ => dt.as_f64().to_string(),
        },
        Data::Error(e) => e.to_string(),
    }
}

/// Reads a sheet of the workbook at `path` as CSV text. `sheet` is a name,
/// or a 1-based number among all sheets; by default the first visible
/// worksheet. With `headers`, rows above the header row (the first of the
/// top rows that names a GSTIN or PAN column, else the first with two or
/// more filled cells) are treated as titles.
///
/// # Errors
/// [`Error::Workbook`]: not a workbook (a CSV renamed `.xlsx`), damaged or
/// password-protected, no such sheet, or no visible worksheet.
pub fn to_csv(path: &Path, sheet: Option<&str>, headers: bool) -> Result<Vec<u8>> {
    let err = |message: String| Error::Workbook { path: path.to_path_buf(), message };
    let mut book = open_workbook_auto(path).map_err(|e| {
        err(format!("cannot be read as a workbook (damaged, password-protected, or not one): {e}"))
    })?;
    let sheets = book.sheets_metadata().to_vec();
    let list = || sheets.iter().map(|s| format!("{:?}", s.name)).collect::<Vec<_>>().join(", ");
    let name = match sheet {
        Some(want) => match sheets.iter().find(|s| s.name == want) {
            Some(s) => s.name.clone(),
            None => match want.trim().parse::<usize>() {
                Ok(n) if n >= 1 && n <= sheets.len() => sheets[n - 1].name.clone(),
                _ => return Err(err(format!("no sheet {want:?}; the sheets are {}", list()))),
            },
        },
        None => sheets
            .iter()
            .find(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .ok_or_else(|| err(format!("no visible worksheet; the sheets are {}", list())))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| err(format!("sheet {name:?}: {e}")))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
    let filled = |r: &[String]| r.iter().filter(|c| !c.trim().is_empty()).count();
    let header = if headers {
        let top = &rows[..rows.len().min(HEADER_SEARCH_ROWS)];
        top.iter()
            .position(|r| r.iter().any(|c| columns::family(c.as_bytes()).is_some()))
            .or_else(|| top.iter().position(|r| filled(r) >= 2))
            .or_else(|| top.iter().position(|r| filled(r) >= 1))
            .unwrap_or(0)
    } else {
        0
    };
    let quoting = Quoting::new(b',');
    let mut out = Vec::new();
    out.extend(std::iter::repeat_n(b'\n', first_row as usize + header));
    for row in &rows[header.min(rows.len())..] {
        if filled(row) > 0 {
            // Trailing empty cells are dropped, as a CSV export does.
            let len = row.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
            for (i, c) in row[..len].iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                quoting.push(&mut out, c.as_bytes());
            }
        }
        out.push(b'\n');
    }
    Ok(out)
}
