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

/// A workbook as calamine opens it.
type Book = Sheets<std::io::BufReader<std::fs::File>>;

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
        None => {
            let visible: Vec<&str> = sheets
                .iter()
                .filter(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
                .map(|s| s.name.as_str())
                .collect();
            let first = *visible
                .first()
                .ok_or_else(|| format!("no visible worksheet; the sheets are {}", list()))?;
            match choose(&mut book, &visible, headers)? {
                Some((chosen, note)) => {
                    if let Some(note) = note {
                        // The reader may be gone; then nobody reads the note.
                        let _ = tx.send(Piece::Note(format!("{}: {note}", path.display())));
                    }
                    chosen
                }
                None => first.to_string(),
            }
        }
    };
    let in_sheet = |e: &dyn std::fmt::Display| format!("sheet {name:?}: {e}");
    let mut rows = Rows::new(headers, super::text_limit());
    let mut failed = None;
    each_cell(&mut book, &name, |col0, at, value| {
        rows.col0 = col0;
        if let Err(e) = rows.push(at, value) {
            failed = Some(e);
            return Ok(false);
        }
        // Hands over a full piece: stops once the reader is gone.
        Ok(rows.out.len() < PIECE || tx.send(Piece::Text(std::mem::take(&mut rows.out))).is_ok())
    })
    .map_err(|e| in_sheet(&e))?;
    if let Some(e) = failed {
        return Err(in_sheet(&e));
    }
    let _ = tx.send(Piece::Text(rows.finish()));
    Ok(())
}

/// Calls `f` with each cell of sheet `name` that holds something, in row
/// order, until it returns false. xlsx and xlsb are streamed cell by cell:
/// memory follows the cells that exist, never the sheet's extent (one cell
/// at XFD1048576 must not cost a dense range). xls (at most 65,536 x 256)
/// and ods are read whole by calamine.
/// Each call also has the sheet's first column.
fn each_cell<F>(book: &mut Book, name: &str, mut f: F) -> std::result::Result<(), String>
where
    F: FnMut(u32, (u32, u32), Data) -> std::result::Result<bool, String>,
{
    match book {
        Sheets::Xlsx(x) => {
            let mut cells = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            let col0 = cells.dimensions().start.1;
            while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                if !f(col0, cell.get_position(), Data::from(cell.get_value().clone()))? {
                    break;
                }
            }
        }
        Sheets::Xlsb(x) => {
            let mut cells = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            let col0 = cells.dimensions().start.1;
            while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                if !f(col0, cell.get_position(), Data::from(cell.get_value().clone()))? {
                    break;
                }
            }
        }
        _ => {
            let range = book.worksheet_range(name).map_err(|e| e.to_string())?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (r, c, v) in range.used_cells() {
                if !f(c0, (r0 + r as u32, c0 + c as u32), v.clone())? {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Whether one of the first rows of sheet `name` is a header naming a GSTIN
/// or PAN column ([`is_header`]).
fn names_an_identifier(book: &mut Book, name: &str) -> std::result::Result<bool, String> {
    let (mut first, mut row_at, mut cells, mut found) = (None, 0, Vec::new(), false);
    each_cell(book, name, |col0, (row, col), value| {
        let first = *first.get_or_insert(row);
        if row != row_at {
            found = is_header(&cells);
            (row_at, cells) = (row, Vec::new());
        }
        if found || row >= first.saturating_add(HEADER_SEARCH_ROWS as u32) {
            return Ok(false);
        }
        let c = col.saturating_sub(col0) as usize;
        if cells.len() <= c {
            cells.resize(c + 1, String::new());
        }
        cells[c] = cell_text(&value);
        Ok(true)
    })
    .map_err(|e| format!("sheet {name:?}: {e}"))?;
    Ok(found || is_header(&cells))
}

/// Whether a row is a header naming a GSTIN or PAN column: one of its cells
/// does, and the cell after it is not itself an identifier (that is a label
/// and its value, as in "GSTIN | 27AAPFU0939F1ZV" on the portal's "Read me"
/// sheet).
fn is_header(cells: &[String]) -> bool {
    let looks_like_id = |c: &str| {
        let c = c.trim();
        matches!(c.len(), 10 | 15)
            && c.bytes().all(|b| b.is_ascii_alphanumeric())
            && c.bytes().any(|b| b.is_ascii_digit())
            && c.bytes().any(|b| b.is_ascii_alphabetic())
    };
    (0..cells.len()).any(|i| {
        columns::family(cells[i].as_bytes()).is_some()
            && !cells.get(i + 1).is_some_and(|next| looks_like_id(next))
    })
}

/// Without `--sheet`: the first of the `visible` sheets whose header names
/// a GSTIN or PAN column (the portal's GSTR-2B workbook opens on "Read me"
/// and keeps its suppliers in "B2B"), and a note when a sheet was passed
/// over or others have such a column too. `None` when no sheet has one, or
/// there is no header to look for.
fn choose(
    book: &mut Book,
    visible: &[&str],
    headers: bool,
) -> std::result::Result<Option<(String, Option<String>)>, String> {
    if !headers || visible.len() < 2 {
        return Ok(None);
    }
    let mut with = Vec::new();
    for name in visible {
        if names_an_identifier(book, name)? {
            with.push(*name);
        }
    }
    let Some(&chosen) = with.first() else { return Ok(None) };
    let others = &with[1..];
    let note = (chosen != visible[0] || !others.is_empty()).then(|| {
        let mut note = format!("read sheet {chosen:?}, the first with a GSTIN or PAN column");
        if !others.is_empty() {
            let names: Vec<String> = others.iter().map(|n| format!("{n:?}")).collect();
            note.push_str(&format!(
                "; {} also {} one: choose with --sheet",
                names.join(", "),
                if others.len() == 1 { "has" } else { "have" }
            ));
        }
        note
    });
    Ok(Some((chosen.to_string(), note)))
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
        let mut held = std::mem::take(&mut self.top);
        let header_row = if self.headers {
            let find = |f: &dyn Fn(&[String]) -> bool| held.iter().find(|(_, r)| f(r)).map(|x| x.0);
            find(&|r| is_header(r))
                .or_else(|| find(&|r| filled(r) >= 2))
                .or_else(|| find(&|r| filled(r) >= 1))
                .unwrap_or(first)
        } else {
            first
        };
        if self.headers {
            merge_sub_header(&mut held, header_row);
        }
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

/// Folds a second header row into the header, as the portal's GSTR-2B
/// workbook has them ("Invoice details" above "Invoice number", "Invoice
/// Date", ...): the row just under the header is part of it when its
/// GSTIN and PAN cells are blank, it names two columns or more, one of them
/// in a gap of the header (a merged cell's continuation), and none of its
/// cells is a number. Each
/// column takes the lower name where there is one; the folded row becomes
/// a blank line, so that rows keep their numbers. A data row with a blank
/// GSTIN holds amounts, or nothing under the blank header cells, and is
/// left as data, and so is a note past the header's last column.
fn merge_sub_header(held: &mut [(u32, Vec<String>)], header_row: u32) {
    let Some(h) = held.iter().position(|(r, _)| *r == header_row) else { return };
    let Some((below, sub)) = held.get(h + 1) else { return };
    if *below != header_row + 1 {
        return;
    }
    let head = &held[h].1;
    let blank = |v: Option<&String>| v.is_none_or(|c| c.trim().is_empty());
    let ids: Vec<usize> =
        (0..head.len()).filter(|&i| columns::family(head[i].as_bytes()).is_some()).collect();
    // A gap in the header, not a column past its end, and two names at least.
    let end = head.iter().rposition(|c| !c.trim().is_empty()).unwrap_or(0);
    let names_a_blank = (0..sub.len().min(end)).any(|i| !blank(sub.get(i)) && blank(head.get(i)))
        && sub.iter().filter(|c| !c.trim().is_empty()).count() >= 2;
    let is_text = sub.iter().all(|c| c.trim().is_empty() || c.trim().parse::<f64>().is_err());
    if ids.is_empty() || !names_a_blank || !is_text || !ids.iter().all(|&i| blank(sub.get(i))) {
        return;
    }
    let sub = std::mem::take(&mut held[h + 1].1);
    let head = &mut held[h].1;
    if head.len() < sub.len() {
        head.resize(sub.len(), String::new());
    }
    for (i, name) in sub.into_iter().enumerate() {
        if !name.trim().is_empty() {
            head[i] = name;
        }
    }
}

#[cfg(test)]
mod tests;
