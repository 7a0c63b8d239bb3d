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
use std::sync::mpsc::SyncSender;

use calamine::{Data, Reader, SheetType, SheetVisible, Sheets, open_workbook_auto};

use super::columns;
use super::pipe::{PIECE, Piece, SheetText};
use crate::error::{Error, Result};

use super::scan::Quoting;

/// File extensions read as workbooks.
const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// How many rows at the top may be titles above the header.
const HEADER_SEARCH_ROWS: usize = 20;

/// Whether `path` names a workbook, by its extension.
pub fn is_workbook(path: &Path) -> bool {
    has_extension(path, &EXTENSIONS)
}

/// Whether `path` ends in one of `extensions`, in any case.
fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
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

/// Opens a sheet of the workbook at `path` as CSV text, read on its own
/// thread. `sheet` is a name, or a 1-based number among all sheets; by
/// default the first visible worksheet. With `headers`, rows above the
/// header row (the first of the top rows that names a GSTIN or PAN
/// column, else the first with two or more filled cells) are treated as
/// titles. It returns once the first piece of text is ready, so a file
/// that cannot be opened fails here.
///
/// # Errors
/// [`Error::Workbook`]: not a workbook (a CSV renamed `.xlsx`), damaged or
/// password-protected, no such sheet, or no visible worksheet. Damage
/// further into the sheet fails the read that meets it, as a
/// [`super::pipe::SheetError`].
pub fn open_csv(path: &Path, sheet: Option<&str>, headers: bool) -> Result<SheetText> {
    let (owned_path, sheet) = (path.to_path_buf(), sheet.map(str::to_string));
    super::pipe::spawn("workbook", move |tx| sheet_text(&owned_path, sheet.as_deref(), headers, tx))
        .map_err(|message| Error::Workbook { path: path.to_path_buf(), message })
}

/// Sends the sheet's CSV text to `tx` in pieces of about [`PIECE`] bytes.
/// Stops early, without an error, when the reader is gone.
fn sheet_text(
    path: &Path,
    sheet: Option<&str>,
    headers: bool,
    tx: &SyncSender<Piece>,
) -> std::result::Result<(), String> {
    // calamine reads an .ods whole as it opens it, and reserves room for an
    // .xlsx's shared strings by the count the file states: bound both first.
    if has_extension(path, &["ods"]) {
        ods_extent(path, MAX_WHOLE_CELLS)?;
    }
    if has_extension(path, &["xlsx", "xlsm"]) {
        shared_strings_count(path, TRUSTED_STRINGS)?;
    }
    let mut book = open_workbook_auto(path).map_err(|e| {
        format!("cannot be read as a workbook (damaged, password-protected, or not one): {e}")
    })?;
    let sheets = book.sheets_metadata().to_vec();
    let list = || sheets.iter().map(|s| format!("{:?}", s.name)).collect::<Vec<_>>().join(", ");
    let name = match sheet {
        Some(want) => match sheets.iter().find(|s| s.name == want) {
            Some(s) => s.name.clone(),
            None => match want.trim().parse::<usize>() {
                Ok(n) if n >= 1 && n <= sheets.len() => sheets[n - 1].name.clone(),
                _ => return Err(format!("no sheet {want:?}; the sheets are {}", list())),
            },
        },
        None => sheets
            .iter()
            .find(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .ok_or_else(|| format!("no visible worksheet; the sheets are {}", list()))?,
    };
    let in_sheet = |e: &dyn std::fmt::Display| format!("sheet {name:?}: {e}");
    let mut rows = Rows::new(headers, super::text_limit());
    // Hands over a full piece: false once the reader is gone.
    let handed = |rows: &mut Rows| {
        rows.out.len() < PIECE || tx.send(Piece::Text(std::mem::take(&mut rows.out))).is_ok()
    };
    // xlsx and xlsb are streamed cell by cell: memory follows the cells
    // that exist, never the sheet's extent (one cell at XFD1048576 must
    // not cost a dense range). xls (at most 65,536 x 256) and ods are read
    // whole by calamine.
    match &mut book {
        Sheets::Xlsx(x) => {
            let mut cells = x.worksheet_cells_reader(&name).map_err(|e| in_sheet(&e))?;
            rows.col0 = cells.dimensions().start.1;
            while let Some(cell) = cells.next_cell().map_err(|e| in_sheet(&e))? {
                rows.push(cell.get_position(), Data::from(cell.get_value().clone()))
                    .map_err(|e| in_sheet(&e))?;
                if !handed(&mut rows) {
                    return Ok(());
                }
            }
        }
        Sheets::Xlsb(x) => {
            let mut cells = x.worksheet_cells_reader(&name).map_err(|e| in_sheet(&e))?;
            rows.col0 = cells.dimensions().start.1;
            while let Some(cell) = cells.next_cell().map_err(|e| in_sheet(&e))? {
                rows.push(cell.get_position(), Data::from(cell.get_value().clone()))
                    .map_err(|e| in_sheet(&e))?;
                if !handed(&mut rows) {
                    return Ok(());
                }
            }
        }
        _ => {
            let range = book.worksheet_range(&name).map_err(|e| in_sheet(&e))?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            rows.col0 = c0;
            for (r, c, v) in range.used_cells() {
                rows.push((r0 + r as u32, c0 + c as u32), v.clone()).map_err(|e| in_sheet(&e))?;
                if !handed(&mut rows) {
                    return Ok(());
                }
            }
        }
    }
    let _ = tx.send(Piece::Text(rows.finish()));
    Ok(())
}

/// A count of shared strings small enough to take on trust: calamine
/// reserves 24 bytes for each before it reads one, so this is 24 MiB.
const TRUSTED_STRINGS: u64 = 1 << 20;

/// Refuses an `.xlsx` whose shared-strings table states more strings than
/// it holds, before calamine reserves memory for the stated count (a 2 KB
/// file can ask for 4,000,000,000, or for more than memory can address). A
/// count up to `trusted` is taken as it is; a larger one is checked by
/// counting the strings, streamed, none kept.
fn shared_strings_count(path: &Path, trusted: u64) -> std::result::Result<(), String> {
    use quick_xml::events::Event;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        // Not a zip: calamine says so in its own words.
        return Ok(());
    };
    let Some(name) = zip
        .file_names()
        .flatten()
        .find(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(|n| n.into_owned())
    else {
        return Ok(());
    };
    let part = zip.by_name(&name).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    let damaged = |e: &dyn std::fmt::Display| format!("damaged {name}: {e}");
    let (mut stated, mut held) = (None::<u64>, 0u64);
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sst" => {
                let count =
                    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == "uniqueCount");
                // calamine reads it as a usize; a count past u64 it ignores.
                stated = count.and_then(|a| a.value.trim().parse().ok());
                if stated.is_none_or(|n| n <= trusted) {
                    return Ok(());
                }
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "si" => held += 1,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    match stated {
        Some(n) if n > held => Err(format!(
            "its shared-strings table says it holds {n} strings but holds {held}: the workbook \
             is damaged or made to exhaust memory; save it again from Excel, or as CSV"
        )),
        _ => Ok(()),
    }
}

/// The most cells (rows times columns of the used area) of an `.ods`, which
/// calamine reads as one dense range of 32-byte cells: about 800 MiB.
pub const MAX_WHOLE_CELLS: u64 = 25_000_000;

/// Refuses an `.ods` whose used area (over all its sheets) exceeds `max`
/// cells, before calamine builds it: a 2 KB file can describe a cell at the
/// far corner of a sheet with repeat counts. Reads `content.xml` as a
/// stream: rows and cells with their repeat counts, no values.
fn ods_extent(path: &Path, max: u64) -> std::result::Result<(), String> {
    use quick_xml::events::{BytesStart, Event};
    let file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("cannot be read as a workbook: {e}"))?;
    let content = zip.by_name("content.xml").map_err(|e| format!("no content.xml: {e}"))?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let repeat = |e: &BytesStart<'_>, name: &str| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.parse().ok())
            .unwrap_or(1)
    };
    let has_value = |e: &BytesStart<'_>| {
        e.attributes().flatten().any(|a| a.key.as_ref() == "office:value-type")
    };
    let (mut row, mut rows, mut cols) = (0u64, 0u64, 0u64);
    let (mut col, mut row_repeat, mut row_used) = (0u64, 1u64, false);
    let mut buf = Vec::new();
    loop {
        let event =
            xml.read_event_into(&mut buf).map_err(|e| format!("damaged content.xml: {e}"))?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => row = 0,
                "table:table-row" => {
                    (col, row_repeat, row_used) =
                        (0, repeat(e, "table:number-rows-repeated"), false);
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = repeat(e, "table:number-columns-repeated");
                    // A cell with content (a start tag) or a value is used.
                    if matches!(event, Event::Start(_)) || has_value(e) {
                        cols = cols.max(col.saturating_add(n));
                        row_used = true;
                    }
                    col = col.saturating_add(n);
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                row = row.saturating_add(row_repeat);
                if row_used {
                    rows = rows.max(row);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
        if rows.saturating_mul(cols) > max {
            return Err(format!(
                "its used area reaches row {rows} and column {cols}, more than the {max} cells \
                 gstbatch reads from an .ods; save the sheet as .xlsx or CSV"
            ));
        }
    }
    Ok(())
}

/// Turns cells, arriving row by row, into CSV text: one line per sheet row
/// from row 1, title rows above the header blank. Rows are held only until
/// the header is found among the first [`HEADER_SEARCH_ROWS`].
struct Rows {
    /// Whether to look for a header row below title rows.
    headers: bool,
    /// The sheet's first column (columns before it are not written).
    col0: u32,
    /// The first row holding a cell, once seen.
    first: Option<u32>,
    /// Rows held while the header is looked for: (row, cells).
    top: Vec<(u32, Vec<String>)>,
    /// Whether the header has been decided and `top` written.
    decided: bool,
    /// The row being filled, once decided.
    current: Option<(u32, Vec<String>)>,
    /// The next sheet row to write a line for.
    next_line: u32,
    quoting: Quoting,
    out: Vec<u8>,
    /// Bytes of cell text so far (a separator counted for each).
    text: u64,
    /// The most text the sheet may expand to.
    limit: u64,
}

impl Rows {
    fn new(headers: bool, limit: u64) -> Rows {
        Rows {
            headers,
            text: 0,
            limit,
            col0: 0,
            first: None,
            top: Vec::new(),
            decided: false,
            current: None,
            next_line: 0,
            quoting: Quoting::new(b','),
            out: Vec::new(),
        }
    }

    /// Adds a cell; cells of one row arrive together, rows in order.
    fn push(&mut self, (row, col): (u32, u32), value: Data) -> std::result::Result<(), String> {
        let text = cell_text(&value);
        if text.is_empty() {
            return Ok(());
        }
        // Counted as cells arrive, wherever they are held: one long shared
        // string in every cell must not grow to gigabytes first.
        self.text += text.len() as u64 + 1;
        if self.text > self.limit {
            return Err(format!(
                "it expands to more than the {} of text gstbatch reads from one sheet (one long \
                 text repeated in many cells?); save the rows as CSV",
                super::size(self.limit)
            ));
        }
        let first = *self.first.get_or_insert(row);
        if !self.decided && row >= first.saturating_add(HEADER_SEARCH_ROWS as u32) {
            self.decide();
        }
        let held = if self.decided { self.current.as_mut() } else { self.top.last_mut() };
        let cells = match held {
            Some((r, cells)) if *r == row => cells,
            Some((r, _)) if *r > row => {
                return Err(format!(
                    "its cells are out of order (row {} after row {})",
                    row + 1,
                    *r + 1
                ));
            }
            _ => {
                if self.decided {
                    if let Some((r, cells)) = self.current.take() {
                        self.write_row(r, &cells);
                    }
                    &mut self.current.insert((row, Vec::new())).1
                } else {
                    self.top.push((row, Vec::new()));
                    &mut self.top.last_mut().expect("just pushed").1
                }
            }
        };
        let c = col.saturating_sub(self.col0) as usize;
        if cells.len() <= c {
            cells.resize(c + 1, String::new());
        }
        cells[c] = text;
        Ok(())
    }

    /// Chooses the header among the held rows and writes from it on.
    fn decide(&mut self) {
        self.decided = true;
        let first = self.first.unwrap_or(0);
        let filled = |r: &[String]| r.iter().filter(|c| !c.trim().is_empty()).count();
        let held = std::mem::take(&mut self.top);
        let header_row = if self.headers {
            let find = |f: &dyn Fn(&[String]) -> bool| held.iter().find(|(_, r)| f(r)).map(|x| x.0);
            find(&|r| r.iter().any(|c| columns::family(c.as_bytes()).is_some()))
                .or_else(|| find(&|r| filled(r) >= 2))
                .or_else(|| find(&|r| filled(r) >= 1))
                .unwrap_or(first)
        } else {
            first
        };
        // Rows above the header (titles) become blank lines: lines are
        // written from row 1 on.
        for (r, cells) in held.into_iter().filter(|(r, _)| *r >= header_row) {
            self.write_row(r, &cells);
        }
    }

    /// Writes blank lines up to row `r`, then row `r`.
    fn write_row(&mut self, r: u32, cells: &[String]) {
        self.out.extend(std::iter::repeat_n(b'\n', (r - self.next_line.min(r)) as usize));
        if cells.iter().any(|c| !c.trim().is_empty()) {
            // Trailing empty cells are dropped, as a CSV export does.
            let len = cells.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
            for (i, c) in cells[..len].iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.quoting.push(&mut self.out, c.as_bytes());
            }
        }
        self.out.push(b'\n');
        self.next_line = r + 1;
    }

    fn finish(mut self) -> Vec<u8> {
        if !self.decided {
            self.decide();
        }
        if let Some((r, cells)) = self.current.take() {
            self.write_row(r, &cells);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_large_stated_count_of_shared_strings_is_counted_and_an_honest_one_passes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (r, text) in ["GSTIN", "a", "b"].into_iter().enumerate() {
            ws.write_string(r as u32, 0, text).unwrap();
        }
        book.save(&path).unwrap();
        // Trusting none: the three strings are counted, and agree.
        assert_eq!(shared_strings_count(&path, 0), Ok(()));
        assert_eq!(shared_strings_count(&path, 1 << 20), Ok(()));
        let csv = dir.path().join("x.xlsx");
        std::fs::write(&csv, "GSTIN\n").unwrap();
        assert_eq!(shared_strings_count(&csv, 0), Ok(()), "calamine words that one");
    }

    fn text_of(pieces: Vec<Piece>) -> SheetText {
        let (tx, rx) = std::sync::mpsc::sync_channel(pieces.len() + 1);
        for p in pieces {
            tx.send(p).unwrap();
        }
        SheetText::new(rx)
    }

    #[test]
    fn pieces_read_back_whole_at_any_read_size() {
        let pieces = || {
            vec![
                Piece::Text(b"GSTIN\n27AAPF".to_vec()),
                Piece::Text(Vec::new()),
                Piece::Text(b"U0939F1ZV\n".to_vec()),
                Piece::Done,
            ]
        };
        let mut all = Vec::new();
        text_of(pieces()).read_to_end(&mut all).unwrap();
        assert_eq!(all, b"GSTIN\n27AAPFU0939F1ZV\n");
        let mut text = text_of(pieces());
        let mut one = Vec::new();
        let mut byte = [0u8; 1];
        while text.read(&mut byte).unwrap() == 1 {
            one.push(byte[0]);
        }
        assert_eq!(one, all);
        // Done stays done.
        assert_eq!(text.read(&mut byte).unwrap(), 0);
    }

    #[test]
    fn damage_midway_is_a_sheet_error_and_a_vanished_reader_never_an_end() {
        let mut text =
            text_of(vec![Piece::Text(b"GSTIN\n".to_vec()), Piece::Failed("out of order".into())]);
        let mut all = Vec::new();
        let e = text.read_to_end(&mut all).unwrap_err();
        assert_eq!(all, b"GSTIN\n");
        let sheet =
            e.get_ref().and_then(|i| i.downcast_ref::<crate::input::pipe::SheetError>()).unwrap();
        assert_eq!(sheet.0, "out of order");

        // The thread gone without a last word (it panicked): an error, not
        // a shortened sheet read as whole.
        let mut text = text_of(vec![Piece::Text(b"GSTIN\n".to_vec())]);
        let e = text.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("stopped before the end"), "{e}");
    }
}
