//! Report rows: formatted by the workers, completed and written in order by
//! the writer.
//!
//! A worker cannot know a row's spreadsheet row number (it depends on every
//! earlier block) nor its `duplicate_of` (it depends on every earlier row).
//! So it formats each row with two holes, and the writer, which sees blocks
//! in order, fills them: the row number from a running count, the duplicate
//! from the [`Dupes`] table.

use crate::batch::output::Output;
use crate::batch::scan::{self, Fields, Records};
use crate::cli::ReportFormat;
use crate::error::Result;
use crate::ident::{Id, RegistrationType};

use super::dupes::{Dupes, Key, SHARDS};
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

/// Every code a row can fail with, in SPEC.md's order.
pub const CODES: [&str; 13] = [
    "empty",
    "not_canonical",
    "length",
    "character",
    "state_code",
    "state_retired",
    "format",
    "pan_holder_type",
    "pan_serial",
    "entity_number",
    "checksum",
    "pan_mismatch",
    "state_mismatch",
];

/// Names for [`Counts::by_type`]: the registration types, then `pan`.
pub const TYPES: [&str; 8] = ["oidar", "nrtp", "uin", "govt", "tds", "tcs", "regular", "pan"];

/// Counts for the summary, per block and in total. Fixed arrays, not maps:
/// they are bumped once per row.
#[derive(Debug, Clone)]
pub struct Counts {
    /// Data records.
    pub rows: u64,
    /// Rows passing every check.
    pub valid: u64,
    /// Rows failing a check.
    pub invalid: u64,
    /// Failing rows by error code, indexed like [`CODES`].
    pub by_code: [u64; 13],
    /// Valid identifiers by type, indexed like [`TYPES`].
    pub by_type: [u64; 8],
    /// Valid GSTINs by state code.
    pub by_state: [u64; 100],
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            rows: 0,
            valid: 0,
            invalid: 0,
            by_code: [0; 13],
            by_type: [0; 8],
            by_state: [0; 100],
        }
    }
}

impl Counts {
    fn add(&mut self, check: &RowCheck<'_>) {
        self.rows += 1;
        match check.code() {
            Some(code) => {
                self.invalid += 1;
                if let Some(i) = CODES.iter().position(|c| *c == code) {
                    self.by_code[i] += 1;
                }
            }
            None => self.valid += 1,
        }
        match &check.verdict.result {
            Ok(Id::Gstin(g)) => {
                let t = RegistrationType::ALL.iter().position(|r| *r == g.registration_type());
                self.by_type[t.unwrap_or(6)] += 1;
                self.by_state[usize::from(g.state().code) % 100] += 1;
            }
            Ok(Id::Pan(_)) => self.by_type[7] += 1,
            Err(_) => {}
        }
    }

    /// Adds another block's counts.
    pub fn merge(&mut self, other: &Counts) {
        self.rows += other.rows;
        self.valid += other.valid;
        self.invalid += other.invalid;
        for (a, b) in self.by_code.iter_mut().zip(other.by_code) {
            *a += b;
        }
        for (a, b) in self.by_type.iter_mut().zip(other.by_type) {
            *a += b;
        }
        for (a, b) in self.by_state.iter_mut().zip(other.by_state) {
            *a += b;
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
    /// The duplicate key's shard (`u8::MAX`: none).
    shard: u8,
    key: Key,
    /// The first earlier row with the same value, once resolved.
    dup: Option<u64>,
    segment: Option<Segment>,
}

/// A processed block.
pub struct BlockOut {
    buf: Vec<u8>,
    rows: Vec<RowMeta>,
    /// Spreadsheet rows in the block, blank lines included.
    total_rows: u64,
    /// The spreadsheet row before the block's first, once resolved.
    base: u64,
    counts: Counts,
}

/// Numbers a batch of blocks and finds their duplicates, in input order.
///
/// Shards are split among the pool's threads; each thread walks the whole
/// batch in order and handles only the keys of its own shards, so every
/// shard still sees its keys in row order and "first" means first.
pub fn resolve(
    pool: &rayon::ThreadPool,
    dupes: Option<&mut Dupes>,
    blocks: &mut [BlockOut],
    next_row: &mut u64,
) {
    use rayon::prelude::*;
    for b in blocks.iter_mut() {
        b.base = *next_row;
        *next_row += b.total_rows;
    }
    let Some(dupes) = dupes else { return };
    let per = SHARDS.div_ceil(pool.current_num_threads().max(1));
    let blocks_ref: &[BlockOut] = blocks;
    let found: Vec<Vec<(usize, usize, u64)>> = pool.install(|| {
        dupes
            .shards
            .par_chunks_mut(per)
            .enumerate()
            .map(|(group, shards)| {
                let mut found = Vec::new();
                for (bi, b) in blocks_ref.iter().enumerate() {
                    for (ri, m) in b.rows.iter().enumerate() {
                        let s = usize::from(m.shard);
                        if m.shard == u8::MAX || s / per != group {
                            continue;
                        }
                        if let Some(first) =
                            shards[s % per].first(m.key, b.base + u64::from(m.rel_row))
                        {
                            found.push((bi, ri, first));
                        }
                    }
                }
                found
            })
            .collect()
    });
    for (bi, ri, first) in found.into_iter().flatten() {
        blocks[bi].rows[ri].dup = Some(first);
    }
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
        let mut seen: std::collections::HashSet<String> = names.iter().cloned().collect();
        let json_keys = headers
            .iter()
            .map(|h| {
                let base = String::from_utf8_lossy(h).into_owned();
                let mut name = base.clone();
                let mut n = 2;
                while seen.contains(&name) {
                    name = format!("{base}_{n}");
                    n += 1;
                }
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
            buf: Vec::with_capacity(if self.only_invalid {
                block.len() / 8
            } else {
                block.len() * 2
            }),
            rows: Vec::with_capacity(block.len() / 48),
            total_rows: 0,
            base: 0,
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
            let shard = key.shard().unwrap_or(u8::MAX);
            out.rows.push(RowMeta { rel_row: rel as u32, shard, key, dup: None, segment });
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
            ReportFormat::Csv | ReportFormat::Xlsx => self.csv_row(buf, rec, fields, check),
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
            if id.is_some() {
                ResultValue::Canonical(&v.normalized)
            } else {
                ResultValue::Text(&v.normalized)
            },
            ResultValue::Bool(v.changed()),
            v.kind.map_or(ResultValue::Null, |k| ResultValue::Str(k.as_str())),
            id.and_then(Id::registration_type)
                .map_or(ResultValue::Null, |r: RegistrationType| ResultValue::Str(r.as_str())),
            state.map_or(ResultValue::Null, |s| ResultValue::Str(s.code_str())),
            state.map_or(ResultValue::Null, |s| ResultValue::Str(s.name)),
            pan.map_or(ResultValue::Null, ResultValue::Pan),
            id.and_then(Id::holder_type)
                .map_or(ResultValue::Null, |h| ResultValue::Str(h.as_str())),
            v.suggestion(opts).map_or(ResultValue::Null, ResultValue::OwnedCanonical),
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
                self.quoting.push(buf, f);
            }
        }
        buf.push(d);
        let row_hole = buf.len();
        for v in Self::results(check, self.plan.opts) {
            buf.push(d);
            if self.trusted_safe && v.trusted() {
                buf.extend_from_slice(v.as_str().as_bytes());
            } else {
                self.quoting.push(buf, v.as_str().as_bytes());
            }
        }
        buf.push(d);
        let dup_hole = buf.len();
        for f in fields.iter().skip(self.width) {
            buf.push(d);
            self.quoting.push(buf, f);
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
        let mut values = fields.iter();
        for i in 0..n {
            match self.json_keys.get(i) {
                Some(k) => buf.extend_from_slice(k),
                None => buf.extend_from_slice(&json_key(&format!("column_{}", i + 1))),
            }
            match values.next() {
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
    /// A fixed text: a code, a type, a state name.
    Str(&'static str),
    /// Input-derived text, which may hold anything.
    Text(&'a str),
    /// A canonical identifier: digits and letters only.
    Canonical(&'a str),
    /// A message, which may hold anything.
    Owned(String),
    /// A canonical identifier, owned.
    OwnedCanonical(String),
    Bool(bool),
    Pan(crate::ident::Pan),
}

impl ResultValue<'_> {
    /// Whether the value holds only letters, digits, spaces, parentheses
    /// and hyphens, so it needs no quoting under a punctuation delimiter.
    fn trusted(&self) -> bool {
        !matches!(self, ResultValue::Text(_) | ResultValue::Owned(_))
    }

    fn as_str(&self) -> &str {
        match self {
            ResultValue::Null => "",
            ResultValue::Str(s) => s,
            ResultValue::Text(s) | ResultValue::Canonical(s) => s,
            ResultValue::Owned(s) | ResultValue::OwnedCanonical(s) => s,
            ResultValue::Bool(true) => "true",
            ResultValue::Bool(false) => "false",
            ResultValue::Pan(p) => p.as_str(),
        }
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

/// The writer's side: fills the holes in order.
pub struct Writer {
    out: Output,
    format: ReportFormat,
    rows_written: u64,
    /// Totals so far.
    pub counts: Counts,
    /// Rows whose value appeared in an earlier row.
    pub duplicates: u64,
    num: Vec<u8>,
}

impl Writer {
    /// A writer to `out`.
    pub fn new(out: Output, format: ReportFormat) -> Writer {
        Writer {
            out,
            format,
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
            let row = b.base + u64::from(meta.rel_row);
            let dup = meta.dup;
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
