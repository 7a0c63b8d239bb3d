//! Report rows: formatted by the workers, completed and written in order by
//! the writer.
//!
//! A worker cannot know a row's spreadsheet row number (it depends on every
//! earlier block) nor its `duplicate_of` (it depends on every earlier row).
//! So it formats each row with two holes, and the writer, which sees blocks
//! in order, fills them: the row number from a running count, the duplicate
//! from the [`super::dupes::Dupes`] table.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::batch::report::{Format, JsonArray, Report, unique_name};
use crate::error::Result;
use crate::input::scan::{self, Fields, Records};
use crate::input::unclosed_quote;

use super::dupes::{BlockKeys, Numbering};
use super::result::{self, Col};
use super::row::{self, Plan, RowCheck};
use super::summary::Counts;

/// Where one written row sits in its block's buffer.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: u32,
    row_hole: u32,
    dup_hole: u32,
    end: u32,
}

/// One written row as the writer needs it.
#[derive(Debug, Clone, Copy)]
pub(super) struct RowMeta {
    /// Spreadsheet rows from the block's start to this row, inclusive.
    rel_row: u32,
    /// The first earlier row with the same value, once resolved.
    pub(super) dup: Option<u64>,
    segment: Segment,
}

/// A processed block.
pub struct BlockOut {
    buf: Vec<u8>,
    /// The rows the report has, in order.
    pub(super) rows: Vec<RowMeta>,
    /// Its keys and row count, for duplicate resolution.
    num: Numbering,
    counts: Counts,
    /// Quoted records spanning implausibly many lines, and the row (relative
    /// to the block) of one still open at the end of the input.
    quotes: Quotes,
}

/// What a block's quoted fields suggest about missing closing quotes.
#[derive(Debug, Default)]
struct Quotes {
    long: Vec<(u32, usize)>,
    unterminated: Option<u32>,
}

/// How workers format rows; built once, shared by all.
pub struct Formatter {
    /// Field delimiter of input and CSV report.
    pub delimiter: u8,
    quoting: scan::Quoting,
    /// Whether the delimiter can never occur in the fixed result texts
    /// (codes, names, canonical identifiers), which then skip the quoting
    /// scan.
    trusted_safe: bool,
    /// Number of header fields (or of the first record's, without headers).
    pub width: usize,
    /// The report format.
    pub format: Format,
    /// Only failing rows are written.
    pub only_invalid: bool,
    /// What to check.
    pub plan: Plan,
    /// JSON keys of the input columns, each written as `"key":`.
    json_keys: Vec<Vec<u8>>,
    /// JSON keys of the result columns, each written as `"key":`.
    json_results: Vec<Vec<u8>>,
    /// Every JSON key above, so that a field past the header's width gets
    /// a `column_N` key that none of them already is.
    taken: HashSet<String>,
}

fn json_key(name: &str) -> Vec<u8> {
    let mut k = serde_json::to_vec(name).unwrap_or_else(|_| b"\"\"".to_vec());
    k.push(b':');
    k
}

impl Formatter {
    /// A formatter for rows under `headers`, with `names` as result columns.
    pub fn new(
        delimiter: u8,
        headers: &[Vec<u8>],
        names: &[String],
        format: Format,
        only_invalid: bool,
        plan: Plan,
    ) -> Formatter {
        // JSON keys must be unique; a repeated header gets `_2`, `_3`, ...
        let mut seen: HashSet<String> = names.iter().cloned().collect();
        let json_keys = headers
            .iter()
            .map(|h| {
                let name = unique_name(&String::from_utf8_lossy(h), |n| seen.contains(n));
                seen.insert(name.clone());
                json_key(&name)
            })
            .collect();
        Formatter {
            delimiter,
            quoting: scan::Quoting::new(delimiter),
            trusted_safe: !(delimiter.is_ascii_alphanumeric()
                || matches!(delimiter, b' ' | b'(' | b')' | b'_' | b'-')),
            width: headers.len(),
            format,
            only_invalid,
            plan,
            json_keys,
            json_results: names.iter().map(|n| json_key(n)).collect(),
            taken: seen,
        }
    }

    /// The CSV header line of the report.
    pub fn csv_header(&self, headers: &[Vec<u8>], names: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if i > 0 {
                out.push(self.delimiter);
            }
            self.quoting.push(&mut out, h);
        }
        for n in names {
            out.push(self.delimiter);
            self.quoting.push(&mut out, n.as_bytes());
        }
        out.push(b'\n');
        out
    }

    /// Checks and formats every record of a block (pure; runs on workers).
    pub fn block(&self, block: &[u8]) -> BlockOut {
        let mut out = BlockOut {
            // Sized so that a typical block never grows them: a full
            // report is about 3.3 times its input, and a row is rarely
            // under 32 bytes.
            buf: Vec::with_capacity(if self.only_invalid {
                block.len() / 8
            } else {
                block.len() * 4
            }),
            rows: Vec::with_capacity(if self.only_invalid { 0 } else { block.len() / 32 }),
            num: Numbering {
                keys: BlockKeys::with_capacity(if self.plan.dupes { block.len() / 32 } else { 0 }),
                ..Numbering::default()
            },
            counts: Counts::default(),
            quotes: Quotes::default(),
        };
        let mut recs = Records::new(block, self.delimiter);
        let mut rel = 0u64;
        for rec in recs.by_ref() {
            rel += 1 + rec.blank_before as u64;
            let fields = Fields::new(&rec, self.delimiter);
            let cell = |i: Option<usize>| i.and_then(|i| fields.get(i)).map(scan::text);
            let id = fields.get(self.plan.id).unwrap_or_default();
            let pan = cell(self.plan.pan);
            let state = cell(self.plan.state);
            let check = row::check(id, pan.as_deref(), state.as_deref(), &self.plan);
            out.counts.add(&check);
            let written = (!self.only_invalid || !check.is_valid()).then(|| {
                let segment = self.format_row(&mut out.buf, &rec, &fields, &check);
                out.rows.push(RowMeta { rel_row: rel as u32, dup: None, segment });
                out.rows.len() - 1
            });
            if self.plan.dupes {
                out.num.keys.push(check.key(), rel as u32, written);
            }
            if rec.quoted {
                if rec.unterminated {
                    out.quotes.unterminated = Some(rel as u32);
                }
                let lines = scan::lines_spanned(&rec);
                if lines > scan::PLAUSIBLE_LINES {
                    out.quotes.long.push((rel as u32, lines));
                }
            }
        }
        out.num.total_rows = rel + recs.blank_after as u64;
        out
    }

    fn format_row(
        &self,
        buf: &mut Vec<u8>,
        rec: &scan::RawRecord<'_>,
        fields: &Fields<'_>,
        check: &RowCheck<'_>,
    ) -> Segment {
        let start = buf.len();
        let (row_hole, dup_hole) = match self.format {
            Format::Csv | Format::Xlsx => self.csv_row(buf, rec, fields, check),
            Format::Json | Format::Jsonl => self.json_row(buf, fields, check),
        };
        if self.format != Format::Json {
            buf.push(b'\n');
        }
        Segment {
            start: start as u32,
            row_hole: row_hole as u32,
            dup_hole: dup_hole as u32,
            end: buf.len() as u32,
        }
    }

    fn csv_row(
        &self,
        buf: &mut Vec<u8>,
        rec: &scan::RawRecord<'_>,
        fields: &Fields<'_>,
        check: &RowCheck<'_>,
    ) -> (usize, usize) {
        let d = self.delimiter;
        let n = fields.len();
        if n <= self.width {
            // Byte for byte as read, padded to the header's width.
            buf.extend_from_slice(rec.bytes);
            buf.extend(std::iter::repeat_n(d, self.width - n));
        } else {
            // Longer than the header: the named columns first, the extra
            // fields after the result columns, so that every column stays
            // under its own header.
            for (i, f) in fields.iter().take(self.width).enumerate() {
                if i > 0 {
                    buf.push(d);
                }
                self.quoting.push(buf, f);
            }
        }
        let columns = result::CsvColumns {
            opts: self.plan.opts,
            quoting: &self.quoting,
            trusted_safe: self.trusted_safe,
        };
        let holes = columns.write(buf, check);
        // Only then: the fields' iterator is boxed, an allocation a row.
        if n > self.width {
            for f in fields.iter().skip(self.width) {
                buf.push(d);
                self.quoting.push(buf, f);
            }
        }
        holes
    }

    fn json_row(
        &self,
        buf: &mut Vec<u8>,
        fields: &Fields<'_>,
        check: &RowCheck<'_>,
    ) -> (usize, usize) {
        buf.push(b'{');
        let n = fields.len().max(self.width);
        let mut values = fields.iter();
        for i in 0..n {
            match self.json_keys.get(i) {
                Some(k) => buf.extend_from_slice(k),
                None => {
                    let name =
                        unique_name(&format!("column_{}", i + 1), |n| self.taken.contains(n));
                    buf.extend_from_slice(&json_key(&name));
                }
            }
            match values.next() {
                Some(f) => result::json_str(buf, &scan::text(f)),
                None => buf.extend_from_slice(b"null"),
            }
            buf.push(b',');
        }
        let f = check.verdict.fields(self.plan.opts);
        let (mut row_hole, mut dup_hole) = (0, 0);
        for (i, (col, key)) in Col::ALL.iter().zip(&self.json_results).enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(key);
            match col {
                Col::Row => row_hole = buf.len(),
                Col::DuplicateOf => dup_hole = buf.len(),
                _ => result::value(*col, check, &f).json(buf),
            }
        }
        buf.push(b'}');
        (row_hole, dup_hole)
    }
}

/// Appends `n` in decimal without allocating.
fn push_u64(buf: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

impl std::borrow::Borrow<Numbering> for BlockOut {
    fn borrow(&self) -> &Numbering {
        &self.num
    }
}

impl std::borrow::BorrowMut<Numbering> for BlockOut {
    fn borrow_mut(&mut self) -> &mut Numbering {
        &mut self.num
    }
}

/// The writer's side: fills the holes in order.
pub struct Writer {
    report: Report,
    source: PathBuf,
    /// Warnings for the user, by row, in input order.
    pub warnings: Vec<String>,
    format: Format,
    array: JsonArray,
    /// Totals so far.
    pub counts: Counts,
    /// Rows whose value appeared in an earlier row.
    pub duplicates: u64,
    /// A block's rows, holes filled, written at once.
    chunk: Vec<u8>,
}

impl Writer {
    /// A writer to `report` for rows read from `source`.
    pub fn new(report: Report, source: PathBuf) -> Writer {
        Writer {
            format: report.format(),
            report,
            source,
            warnings: Vec::new(),
            array: JsonArray::default(),
            counts: Counts::default(),
            duplicates: 0,
            chunk: Vec::new(),
        }
    }

    /// Writes raw bytes (the header line).
    ///
    /// # Errors
    /// [`crate::Error::Write`].
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.report.out().write_all(bytes)
    }

    /// Writes one processed block.
    ///
    /// # Errors
    /// [`crate::Error::Write`].
    pub fn block(&mut self, mut b: BlockOut) -> Result<()> {
        for &(w, first) in &b.num.found {
            b.rows[w as usize].dup = Some(first);
        }
        let base = b.num.base;
        if let Some(rel) = b.quotes.unterminated {
            return Err(unclosed_quote(self.source.clone(), base + u64::from(rel)));
        }
        for (rel, lines) in &b.quotes.long {
            self.warnings.push(format!(
                "row {}: a quoted field spans {lines} lines; is a closing quote missing?",
                base + u64::from(*rel)
            ));
        }
        let null: &[u8] = if self.format == Format::Csv { b"" } else { b"null" };
        // Filled here and written in one call: a row's five pieces cost a
        // copy each, not a trip through the report's writer each.
        let chunk = &mut self.chunk;
        chunk.clear();
        self.duplicates += b.num.duplicates;
        for meta in &b.rows {
            let row = base + u64::from(meta.rel_row);
            let (dup, s) = (meta.dup, meta.segment);
            if self.format == Format::Json {
                chunk.extend_from_slice(self.array.before_item());
            }
            let (start, rh, dh, end) =
                (s.start as usize, s.row_hole as usize, s.dup_hole as usize, s.end as usize);
            chunk.extend_from_slice(&b.buf[start..rh]);
            push_u64(chunk, row);
            chunk.extend_from_slice(&b.buf[rh..dh]);
            match dup {
                Some(first) => push_u64(chunk, first),
                None => chunk.extend_from_slice(null),
            }
            chunk.extend_from_slice(&b.buf[dh..end]);
        }
        self.report.out().write_all(chunk)?;
        self.counts.merge(&b.counts);
        Ok(())
    }

    /// Closes a JSON array and hands the report back, to be put in place.
    ///
    /// # Errors
    /// [`crate::Error::Write`].
    pub fn finish(mut self) -> Result<Report> {
        if self.format == Format::Json {
            self.report.out().write_all(self.array.close())?;
        }
        Ok(self.report)
    }
}
