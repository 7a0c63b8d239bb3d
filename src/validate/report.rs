//! Report rows: formatted by the workers, completed and written in order by
//! the writer.
//!
//! A worker cannot know a row's spreadsheet row number (it depends on every
//! earlier block) nor its `duplicate_of` (it depends on every earlier row).
//! So it formats each row with two holes, and the writer, which sees blocks
//! in order, fills them: the row number from a running count, the duplicate
//! from the [`Dupes`] table.

use std::collections::BTreeMap;

use crate::batch::output::Output;
use crate::batch::scan::{self, Fields, Records};
use crate::cli::ReportFormat;
use crate::error::Result;
use crate::ident::{Id, RegistrationType};

use super::dupes::{Dupes, Key};
use super::row::{self, Plan, RowCheck};

/// Names of the appended result columns, before the `gstbatch_` prefix.
pub const RESULT_COLUMNS: [&str; 14] = [
    "row",
    "status",
    "code",
    "message",
    "normalized",
    "changed",
    "kind",
    "registration_type",
    "state_code",
    "state_name",
    "pan",
    "holder_type",
    "suggestion",
    "duplicate_of",
];

/// The appended column names: `gstbatch_` plus the result name, with `_2`,
/// `_3`, ... added where an input header already has that name (compared
/// without regard to case).
pub fn result_names(headers: &[Vec<u8>]) -> Vec<String> {
    let taken = |name: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(name.as_bytes()));
    RESULT_COLUMNS
        .iter()
        .map(|base| {
            let base = format!("gstbatch_{base}");
            let mut name = base.clone();
            let mut n = 2;
            while taken(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// Counts for the summary, per block and in total.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Data records.
    pub rows: u64,
    /// Rows passing every check.
    pub valid: u64,
    /// Rows failing a check.
    pub invalid: u64,
    /// Failing rows by error code.
    pub by_code: BTreeMap<&'static str, u64>,
    /// Valid identifiers by registration type (`pan` for PANs).
    pub by_type: BTreeMap<&'static str, u64>,
    /// Valid GSTINs by state code.
    pub by_state: BTreeMap<u8, u64>,
}

impl Counts {
    fn add(&mut self, check: &RowCheck<'_>) {
        self.rows += 1;
        match check.code() {
            Some(code) => {
                self.invalid += 1;
                *self.by_code.entry(code).or_default() += 1;
            }
            None => self.valid += 1,
        }
        match &check.verdict.result {
            Ok(Id::Gstin(g)) => {
                *self.by_type.entry(g.registration_type().as_str()).or_default() += 1;
                *self.by_state.entry(g.state().code).or_default() += 1;
            }
            Ok(Id::Pan(_)) => *self.by_type.entry("pan").or_default() += 1,
            Err(_) => {}
        }
    }

    /// Adds another block's counts.
    pub fn merge(&mut self, other: &Counts) {
        self.rows += other.rows;
        self.valid += other.valid;
        self.invalid += other.invalid;
        for (k, v) in &other.by_code {
            *self.by_code.entry(k).or_default() += v;
        }
        for (k, v) in &other.by_type {
            *self.by_type.entry(k).or_default() += v;
        }
        for (k, v) in &other.by_state {
            *self.by_state.entry(*k).or_default() += v;
        }
    }
}

/// Where one written row sits in its block's buffer.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: u32,
    row_hole: u32,
    dup_hole: u32,
    end: u32,
}

/// One row as the writer needs it.
#[derive(Debug, Clone, Copy)]
struct RowMeta {
    /// Spreadsheet rows from the block's start to this row, inclusive.
    rel_row: u32,
    key: Key,
    segment: Option<Segment>,
}

/// A processed block.
pub struct BlockOut {
    buf: Vec<u8>,
    rows: Vec<RowMeta>,
    /// Spreadsheet rows in the block, blank lines included.
    total_rows: u64,
    counts: Counts,
}

/// How workers format rows; built once, shared by all.
pub struct Formatter {
    /// Field delimiter of input and CSV report.
    pub delimiter: u8,
    /// Number of header fields (or of the first record's, without headers).
    pub width: usize,
    /// The report format.
    pub format: ReportFormat,
    /// Only failing rows are written.
    pub only_invalid: bool,
    /// What to check.
    pub plan: Plan,
    /// JSON keys of the input columns, each written as `"key":`.
    json_keys: Vec<Vec<u8>>,
    /// JSON keys of the result columns, each written as `"key":`.
    json_results: Vec<Vec<u8>>,
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
        format: ReportFormat,
        only_invalid: bool,
        plan: Plan,
    ) -> Formatter {
        // JSON keys must be unique; a repeated header gets `_2`, `_3`, ...
        let mut seen: Vec<String> = Vec::new();
        let json_keys = headers
            .iter()
            .map(|h| {
                let base = String::from_utf8_lossy(h).into_owned();
                let mut name = base.clone();
                let mut n = 2;
                while seen.contains(&name) || names.contains(&name) {
                    name = format!("{base}_{n}");
                    n += 1;
                }
                seen.push(name.clone());
                json_key(&name)
            })
            .collect();
        Formatter {
            delimiter,
            width: headers.len(),
            format,
            only_invalid,
            plan,
            json_keys,
            json_results: names.iter().map(|n| json_key(n)).collect(),
        }
    }

    /// The CSV header line of the report.
    pub fn csv_header(&self, headers: &[Vec<u8>], names: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if i > 0 {
                out.push(self.delimiter);
            }
            scan::push_field(&mut out, h, self.delimiter);
        }
        for n in names {
            out.push(self.delimiter);
            scan::push_field(&mut out, n.as_bytes(), self.delimiter);
        }
        out.push(b'\n');
        out
    }

    /// Checks and formats every record of a block (pure; runs on workers).
    pub fn block(&self, block: &[u8]) -> BlockOut {
        let mut out = BlockOut {
            buf: Vec::with_capacity(if self.only_invalid {
                block.len() / 8
            } else {
                block.len() * 2
            }),
            rows: Vec::with_capacity(block.len() / 48),
            total_rows: 0,
            counts: Counts::default(),
        };
        let mut recs = Records::new(block, self.delimiter);
        let mut rel = 0u64;
        for rec in recs.by_ref() {
            rel += 1 + rec.blank_before as u64;
            let fields = Fields::new(&rec, self.delimiter);
            let cell = |i: Option<usize>| i.and_then(|i| fields.get(i)).map(scan::text);
            let id = cell(Some(self.plan.id));
            let pan = cell(self.plan.pan);
            let state = cell(self.plan.state);
            let check = row::check(
                id.as_deref().unwrap_or(""),
                pan.as_deref(),
                state.as_deref(),
                &self.plan,
            );
            out.counts.add(&check);
            let segment = (!self.only_invalid || !check.is_valid())
                .then(|| self.format_row(&mut out.buf, &rec, &fields, &check));
            let key = if self.plan.dupes { check.key() } else { Key::None };
            out.rows.push(RowMeta { rel_row: rel as u32, key, segment });
        }
        out.total_rows = rel + recs.blank_after as u64;
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
            ReportFormat::Csv => self.csv_row(buf, rec, fields, check),
            ReportFormat::Json | ReportFormat::Jsonl => self.json_row(buf, fields, check),
        };
        if self.format != ReportFormat::Json {
            buf.push(b'\n');
        }
        Segment {
            start: start as u32,
            row_hole: row_hole as u32,
            dup_hole: dup_hole as u32,
            end: buf.len() as u32,
        }
    }

    /// The result values after the row number and before `duplicate_of`.
    fn results<'c>(check: &'c RowCheck<'_>, opts: crate::ident::Options) -> [ResultValue<'c>; 12] {
        let v = &check.verdict;
        let id = v.result.as_ref().ok();
        let state = id.and_then(Id::state);
        let pan = id.and_then(Id::pan);
        [
            ResultValue::Str(if check.is_valid() { "valid" } else { "invalid" }),
            check.code().map_or(ResultValue::Null, ResultValue::Str),
            check.message().map_or(ResultValue::Null, ResultValue::Owned),
            ResultValue::Text(&v.normalized),
            ResultValue::Bool(v.changed()),
            v.kind.map_or(ResultValue::Null, |k| ResultValue::Str(k.as_str())),
            id.and_then(Id::registration_type)
                .map_or(ResultValue::Null, |r: RegistrationType| ResultValue::Str(r.as_str())),
            state.map_or(ResultValue::Null, |s| ResultValue::Str(s.code_str())),
            state.map_or(ResultValue::Null, |s| ResultValue::Str(s.name)),
            pan.map_or(ResultValue::Null, ResultValue::Pan),
            id.and_then(Id::holder_type)
                .map_or(ResultValue::Null, |h| ResultValue::Str(h.as_str())),
            v.suggestion(opts).map_or(ResultValue::Null, ResultValue::Owned),
        ]
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
                scan::push_field(buf, f, d);
            }
        }
        buf.push(d);
        let row_hole = buf.len();
        for v in Self::results(check, self.plan.opts) {
            buf.push(d);
            v.csv(buf, d);
        }
        buf.push(d);
        let dup_hole = buf.len();
        for f in fields.iter().skip(self.width) {
            buf.push(d);
            scan::push_field(buf, f, d);
        }
        (row_hole, dup_hole)
    }

    fn json_row(
        &self,
        buf: &mut Vec<u8>,
        fields: &Fields<'_>,
        check: &RowCheck<'_>,
    ) -> (usize, usize) {
        buf.push(b'{');
        let n = fields.len().max(self.width);
        for i in 0..n {
            match self.json_keys.get(i) {
                Some(k) => buf.extend_from_slice(k),
                None => buf.extend_from_slice(&json_key(&format!("column_{}", i + 1))),
            }
            match fields.get(i) {
                Some(f) => json_str(buf, &scan::text(f)),
                None => buf.extend_from_slice(b"null"),
            }
            buf.push(b',');
        }
        buf.extend_from_slice(&self.json_results[0]);
        let row_hole = buf.len();
        for (k, v) in self.json_results[1..13].iter().zip(Self::results(check, self.plan.opts)) {
            buf.push(b',');
            buf.extend_from_slice(k);
            v.json(buf);
        }
        buf.push(b',');
        buf.extend_from_slice(&self.json_results[13]);
        let dup_hole = buf.len();
        buf.push(b'}');
        (row_hole, dup_hole)
    }
}

/// One result cell.
enum ResultValue<'a> {
    Null,
    Str(&'static str),
    Text(&'a str),
    Owned(String),
    Bool(bool),
    Pan(crate::ident::Pan),
}

impl ResultValue<'_> {
    fn as_str(&self) -> &str {
        match self {
            ResultValue::Null => "",
            ResultValue::Str(s) => s,
            ResultValue::Text(s) => s,
            ResultValue::Owned(s) => s,
            ResultValue::Bool(true) => "true",
            ResultValue::Bool(false) => "false",
            ResultValue::Pan(p) => p.as_str(),
        }
    }

    fn csv(&self, buf: &mut Vec<u8>, d: u8) {
        scan::push_field(buf, self.as_str().as_bytes(), d);
    }

    fn json(&self, buf: &mut Vec<u8>) {
        match self {
            ResultValue::Null => buf.extend_from_slice(b"null"),
            ResultValue::Bool(_) => buf.extend_from_slice(self.as_str().as_bytes()),
            _ => json_str(buf, self.as_str()),
        }
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

fn json_str(buf: &mut Vec<u8>, s: &str) {
    // Writing a &str to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// The writer's side: fills the holes in order and tracks duplicates.
pub struct Writer {
    out: Output,
    format: ReportFormat,
    dupes: Option<Dupes>,
    base_row: u64,
    rows_written: u64,
    /// Totals so far.
    pub counts: Counts,
    /// Rows whose value appeared in an earlier row.
    pub duplicates: u64,
    num: Vec<u8>,
}

impl Writer {
    /// A writer to `out`; `first_row` is the spreadsheet row before the
    /// first data row (the header's, or 0).
    pub fn new(out: Output, format: ReportFormat, track_dupes: bool, first_row: u64) -> Writer {
        Writer {
            out,
            format,
            dupes: track_dupes.then(Dupes::new),
            base_row: first_row,
            rows_written: 0,
            counts: Counts::default(),
            duplicates: 0,
            num: Vec::with_capacity(24),
        }
    }

    /// Writes raw bytes (the header line).
    ///
    /// # Errors
    /// [`crate::Error::Write`].
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes)
    }

    /// Writes one processed block.
    ///
    /// # Errors
    /// [`crate::Error::Write`].
    pub fn block(&mut self, b: BlockOut) -> Result<()> {
        let json = self.format != ReportFormat::Csv;
        let null: &[u8] = if json { b"null" } else { b"" };
        for meta in &b.rows {
            let row = self.base_row + u64::from(meta.rel_row);
            let dup = match &mut self.dupes {
                Some(d) => d.first(meta.key, row),
                None => None,
            };
            self.duplicates += u64::from(dup.is_some());
            let Some(s) = meta.segment else { continue };
            if self.format == ReportFormat::Json {
                self.out.write_all(if self.rows_written == 0 { b"[\n" } else { b",\n" })?;
            }
            self.rows_written += 1;
            let (start, rh, dh, end) =
                (s.start as usize, s.row_hole as usize, s.dup_hole as usize, s.end as usize);
            self.out.write_all(&b.buf[start..rh])?;
            self.num.clear();
            push_u64(&mut self.num, row);
            self.out.write_all(&self.num)?;
            self.out.write_all(&b.buf[rh..dh])?;
            match dup {
                Some(first) => {
                    self.num.clear();
                    push_u64(&mut self.num, first);
                    self.out.write_all(&self.num)?;
                }
                None => self.out.write_all(null)?,
            }
            self.out.write_all(&b.buf[dh..end])?;
        }
        self.base_row += b.total_rows;
        self.counts.merge(&b.counts);
        Ok(())
    }

    /// Closes a JSON array, flushes, and renames a report file into place.
    ///
    /// # Errors
    /// [`crate::Error::Write`]; the target is then untouched.
    pub fn finish(mut self) -> Result<()> {
        if self.format == ReportFormat::Json {
            self.out.write_all(if self.rows_written == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.commit()
    }
}
