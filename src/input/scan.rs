//! A CSV record scanner over in-memory blocks, with the csv crate's
//! (csv-core's) quoting rules, built for speed on the common case.
//!
//! Rules, as csv-core applies them with its defaults:
//! - a record ends at `\n`, `\r\n` or a lone `\r` outside quotes;
//! - a `"` opens a quoted field only at the start of a field; anywhere else
//!   it is an ordinary character;
//! - inside quotes, `""` is one quote and the next lone `"` closes the
//!   quotes; characters after that, up to the delimiter, belong to the field;
//! - blank lines are not records.
//!
//! Records without a `"` (nearly all of them in real files) are cut with
//! `memchr` and never copied; a record with quotes is unescaped by the csv
//! crate itself, so both paths agree on every field.

use std::borrow::Cow;

use memchr::{memchr, memchr3, memrchr2};

/// Where the last record boundary in `buf` is: the offset just past the last
/// record terminator that lies outside quotes, given that `buf` starts at a
/// record boundary. `None` when there is none (one record, still open).
///
/// Cost grows with the number of quotes, not of bytes: outside quotes only
/// a `"` can change the state, and inside only the next `"` can.
pub fn last_boundary(buf: &[u8], delimiter: u8) -> Option<usize> {
    let mut pos = 0; // everything before `pos` is scanned; we are outside quotes
    let mut last = None;
    loop {
        let Some(q) = memchr(b'"', &buf[pos..]).map(|i| pos + i) else {
            // No more quotes: the last terminator in the rest is a boundary.
            return last_terminator(buf, pos, buf.len()).or(last);
        };
        let opens = q == 0 || matches!(buf[q - 1], b'\n' | b'\r') || buf[q - 1] == delimiter;
        if !opens {
            pos = q + 1;
            continue;
        }
        if let Some(b) = last_terminator(buf, pos, q) {
            last = Some(b);
        }
        // Inside quotes: find the closing quote, skipping `""` pairs.
        let mut i = q + 1;
        loop {
            match memchr(b'"', &buf[i..]) {
                None => return last,
                Some(j) if buf.get(i + j + 1) == Some(&b'"') => i += j + 2,
                Some(j) if i + j + 1 == buf.len() => {
                    // A quote at the very end: whether it closes or escapes
                    // depends on the next byte, not yet read.
                    return last;
                }
                Some(j) => {
                    pos = i + j + 1;
                    break;
                }
            }
        }
    }
}

/// The offset past the last terminator in `buf[from..to]`, all outside
/// quotes. A `\r` at the very end of `buf` might be the first half of
/// `\r\n`, so it does not count: cutting there would make the `\n` look
/// like a blank line in the next block.
fn last_terminator(buf: &[u8], from: usize, to: usize) -> Option<usize> {
    let mut to = to;
    loop {
        let i = from + memrchr2(b'\n', b'\r', &buf[from..to])?;
        match buf[i] {
            b'\r' if i + 1 == buf.len() => to = i,
            b'\r' if buf[i + 1] == b'\n' => return Some(i + 2),
            _ => return Some(i + 1),
        }
    }
}

/// One record: its bytes without the terminator, and how many spreadsheet
/// rows it and the blank lines before it take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawRecord<'a> {
    /// The record's bytes as in the input, terminator excluded.
    pub bytes: &'a [u8],
    /// Whether the record holds a `"`, so fields need unescaping.
    pub quoted: bool,
    /// Blank lines skipped before this record (each a spreadsheet row).
    pub blank_before: usize,
    /// Whether a quoted field is still open where the buffer ends: at the
    /// end of the input, a missing closing quote that swallowed everything
    /// after it.
    pub unterminated: bool,
}

/// Iterates over the records of a block that starts at a record boundary.
pub struct Records<'a> {
    buf: &'a [u8],
    pos: usize,
    delimiter: u8,
    /// Blank lines after the last record, once the block is exhausted.
    pub blank_after: usize,
}

impl<'a> Records<'a> {
    /// Records of `buf`, split at `delimiter`.
    pub fn new(buf: &'a [u8], delimiter: u8) -> Self {
        Records { buf, pos: 0, delimiter, blank_after: 0 }
    }

    /// Byte offset of the next record (or of the end).
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Skips one terminator at `self.pos` if there is one.
    fn skip_terminator(&mut self) -> bool {
        match self.buf.get(self.pos) {
            Some(b'\r') => {
                self.pos += 1;
                if self.buf.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                }
                true
            }
            Some(b'\n') => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// The end (exclusive) of a record starting at `start` that holds
    /// quotes, and whether a quoted field is still open at the buffer's end.
    fn quoted_end(&self, start: usize) -> (usize, bool) {
        let buf = self.buf;
        let mut i = start;
        let mut field_start = true;
        while i < buf.len() {
            let b = buf[i];
            if field_start && b == b'"' {
                // Inside quotes until a lone closing quote.
                i += 1;
                loop {
                    match memchr(b'"', &buf[i..]) {
                        None => return (buf.len(), true),
                        Some(j) if buf.get(i + j + 1) == Some(&b'"') => i += j + 2,
                        Some(j) => {
                            i += j + 1;
                            break;
                        }
                    }
                }
                field_start = false;
                continue;
            }
            if b == b'\n' || b == b'\r' {
                return (i, false);
            }
            field_start = b == self.delimiter;
            i += 1;
        }
        (buf.len(), false)
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = RawRecord<'a>;

    fn next(&mut self) -> Option<RawRecord<'a>> {
        let mut blank = 0;
        while self.skip_terminator() {
            blank += 1;
        }
        if self.pos >= self.buf.len() {
            self.blank_after += blank;
            return None;
        }
        let start = self.pos;
        let rest = &self.buf[start..];
        let (end, quoted, unterminated) = match memchr3(b'\n', b'\r', b'"', rest) {
            None => (self.buf.len(), false, false),
            Some(i) if rest[i] != b'"' => (start + i, false, false),
            Some(_) => {
                let (end, open) = self.quoted_end(start);
                (end, true, open)
            }
        };
        self.pos = end;
        self.skip_terminator();
        Some(RawRecord { bytes: &self.buf[start..end], quoted, blank_before: blank, unterminated })
    }
}

/// Field `i` of an unquoted record. A byte loop, not `memchr`: a record's
/// fields are a few bytes to a few dozen, where `memchr`'s set-up costs more
/// than the search (10M records' first fields: 0.41 s against 0.51 s).
fn plain_field(b: &[u8], d: u8, i: usize) -> Option<&[u8]> {
    b.split(|&c| c == d).nth(i)
}

/// The fields of one record.
#[derive(Debug, Clone)]
pub enum Fields<'a> {
    /// No quotes: fields are slices of the record.
    Plain(&'a [u8], u8),
    /// Quotes: the unescaped fields, end to end, and where each ends.
    Parsed {
        /// The fields' bytes, concatenated.
        data: Vec<u8>,
        /// The end offset of each field in `data`.
        ends: Vec<usize>,
    },
}

impl<'a> Fields<'a> {
    /// Splits `rec` into fields.
    pub fn new(rec: &RawRecord<'a>, delimiter: u8) -> Fields<'a> {
        if !rec.quoted {
            return Fields::Plain(rec.bytes, delimiter);
        }
        let (data, ends) = unescape(rec.bytes, delimiter);
        Fields::Parsed { data, ends }
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        match self {
            Fields::Plain(b, d) => memchr::memchr_iter(*d, b).count() + 1,
            Fields::Parsed { ends, .. } => ends.len(),
        }
    }

    /// Whether there are no fields (never: a record has at least one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Field `i` (0-based), if the record has it.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        match self {
            Fields::Plain(b, d) => plain_field(b, *d, i),
            Fields::Parsed { data, ends } => {
                let end = *ends.get(i)?;
                let start = if i == 0 { 0 } else { ends[i - 1] };
                Some(&data[start..end])
            }
        }
    }

    /// Field `i` as text that borrows the record's bytes (lifetime `'a`)
    /// wherever no unescaping was needed, for callers that keep it.
    pub fn text_at(&self, i: usize) -> Option<Cow<'a, str>> {
        match self {
            Fields::Plain(b, d) => plain_field(b, *d, i).map(text),
            Fields::Parsed { .. } => self.get(i).map(|f| Cow::Owned(text(f).into_owned())),
        }
    }

    /// Every field, in order, in one pass.
    pub fn iter(&self) -> Box<dyn Iterator<Item = &[u8]> + '_> {
        match self {
            Fields::Plain(b, d) => Box::new(b.split(move |x| x == d)),
            Fields::Parsed { data, ends } => {
                Box::new(ends.iter().scan(0usize, move |start, &end| {
                    let f = &data[*start..end];
                    *start = end;
                    Some(f)
                }))
            }
        }
    }
}

/// Unescapes a record that holds quotes, with csv-core's rules: a quoted
/// field runs to its closing quote (`""` is one quote), and anything after
/// that up to the delimiter is kept as written.
fn unescape(bytes: &[u8], delimiter: u8) -> (Vec<u8>, Vec<usize>) {
    let mut data = Vec::with_capacity(bytes.len());
    let mut ends = Vec::new();
    let mut i = 0;
    loop {
        if bytes.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match memchr(b'"', &bytes[i..]) {
                    None => {
                        data.extend_from_slice(&bytes[i..]);
                        i = bytes.len();
                        break;
                    }
                    Some(j) => {
                        data.extend_from_slice(&bytes[i..i + j]);
                        i += j + 1;
                        if bytes.get(i) == Some(&b'"') {
                            data.push(b'"');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        let end = memchr(delimiter, &bytes[i.min(bytes.len())..]).map_or(bytes.len(), |j| i + j);
        data.extend_from_slice(&bytes[i.min(end)..end]);
        ends.push(data.len());
        if end >= bytes.len() {
            return (data, ends);
        }
        i = end + 1;
    }
}

/// A field as text: borrowed when it is valid UTF-8; invalid bytes become
/// U+FFFD, which the identifier rules then report as a `character` error.
pub fn text(field: &[u8]) -> Cow<'_, str> {
    // The strict check first: it runs word by word over ASCII, where the
    // lossy one walks byte by byte, and nearly every field is valid.
    match std::str::from_utf8(field) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(field),
    }
}

/// Which bytes make a field need quotes in CSV output: one table lookup a
/// byte on the hot path.
#[derive(Debug, Clone)]
pub struct Quoting {
    special: [bool; 256],
    delimiter: u8,
}

impl Quoting {
    /// Quoting for fields separated by `delimiter`.
    pub fn new(delimiter: u8) -> Quoting {
        let mut special = [false; 256];
        for b in [delimiter, b'"', b'\n', b'\r'] {
            special[b as usize] = true;
        }
        Quoting { special, delimiter }
    }

    /// The delimiter it quotes for.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Appends `field` to `out` as one CSV field, quoted only when needed.
    #[inline]
    pub fn push(&self, out: &mut Vec<u8>, field: &[u8]) {
        if field.iter().any(|&b| self.special[b as usize]) {
            push_quoted(out, field);
        } else {
            out.extend_from_slice(field);
        }
    }
}

fn push_quoted(out: &mut Vec<u8>, field: &[u8]) {
    out.push(b'"');
    let mut rest = field;
    while let Some(i) = memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=i]);
        out.push(b'"');
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// How many line breaks a quoted record may span before a reader warns
/// that a closing quote may be missing.
pub const PLAUSIBLE_LINES: usize = 100;

/// Line breaks inside a record (only quoted records can hold any).
pub fn lines_spanned(rec: &RawRecord<'_>) -> usize {
    if rec.quoted { memchr::memchr_iter(b'\n', rec.bytes).count() } else { 0 }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn an_unclosed_quote_at_the_end_is_flagged() {
        let recs: Vec<RawRecord<'_>> = Records::new(b"a,b\n1,\"oops\n2,x\n3,y\n", b',').collect();
        assert_eq!(recs.len(), 2);
        assert!(!recs[0].unterminated && recs[1].unterminated);
        assert_eq!(lines_spanned(&recs[1]), 3);
        let closed: Vec<RawRecord<'_>> = Records::new(b"1,\"a\nb\"\n2,\"\"\n", b',').collect();
        assert!(closed.iter().all(|r| !r.unterminated));
    }

    /// Spreadsheet rows: records plus blank lines.
    fn rows(buf: &[u8]) -> usize {
        let mut it = Records::new(buf, b',');
        let n: usize = it.by_ref().map(|r| 1 + r.blank_before).sum();
        n + it.blank_after
    }

    fn records(buf: &[u8]) -> Vec<(Vec<Vec<u8>>, usize)> {
        let mut it = Records::new(buf, b',');
        let mut out = Vec::new();
        for r in it.by_ref() {
            let f = Fields::new(&r, b',');
            out.push((f.iter().map(|x| x.to_vec()).collect(), r.blank_before));
        }
        out
    }

    /// What the csv crate reads from the same bytes.
    fn csv_crate(buf: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(buf);
        rdr.byte_records().map(|r| r.unwrap().iter().map(|f| f.to_vec()).collect()).collect()
    }

    #[test]
    fn plain_quoted_crlf_blank_and_ragged() {
        let buf = b"a,b,c\r\n\r\n\"x,1\",\"say \"\"hi\"\"\"\nline\"mid,2\n\"multi\nline\",3\rlast";
        let got = records(buf);
        let fields: Vec<Vec<Vec<u8>>> = got.iter().map(|(f, _)| f.clone()).collect();
        assert_eq!(fields, csv_crate(buf));
        assert_eq!(got[1].1, 1, "one blank line before the second record");
    }

    #[test]
    fn last_boundary_respects_quotes() {
        assert_eq!(last_boundary(b"a,b\nc,d\ne", b','), Some(8));
        assert_eq!(last_boundary(b"a,b\n\"c\nd\",e", b','), Some(4));
        assert_eq!(last_boundary(b"a,\"b\n", b','), None);
        // A quote mid-field is literal, so the newline after it is a boundary.
        assert_eq!(last_boundary(b"12\" pipe,x\ny", b','), Some(11));
        // A trailing \r may be half of \r\n: cut before it.
        assert_eq!(last_boundary(b"a\r\nb\r", b','), Some(3));
        // A quote at the very end may be escaped by the next byte.
        assert_eq!(last_boundary(b"a\n\"b\nc\"", b','), Some(2));
        assert_eq!(last_boundary(b"abc", b','), None);
    }

    #[test]
    fn quoting_only_when_needed() {
        let q = Quoting::new(b',');
        let mut out = Vec::new();
        q.push(&mut out, b"plain");
        out.push(b'|');
        q.push(&mut out, b"a,b");
        out.push(b'|');
        q.push(&mut out, b"say \"hi\"");
        assert_eq!(out, b"plain|\"a,b\"|\"say \"\"hi\"\"\"");
    }

    #[test]
    fn field_access() {
        let r = RawRecord { bytes: b"a,,ccc", quoted: false, blank_before: 0, unterminated: false };
        let f = Fields::new(&r, b',');
        assert_eq!(f.len(), 3);
        assert_eq!(f.get(0), Some(&b"a"[..]));
        assert_eq!(f.get(1), Some(&b""[..]));
        assert_eq!(f.get(2), Some(&b"ccc"[..]));
        assert_eq!(f.get(3), None);
    }

    proptest! {
        /// The scanner and the csv crate read the same records and fields
        /// from any mix of the characters that matter, and cutting at
        /// `last_boundary` never splits a record.
        #[test]
        fn prop_agrees_with_csv_crate(s in "[a\",\r\n ]{0,40}", cut in 0usize..40) {
            let buf = s.as_bytes();
            let fields: Vec<Vec<Vec<u8>>> = records(buf).into_iter().map(|(f, _)| f).collect();
            prop_assert_eq!(&fields, &csv_crate(buf));
            let cut = cut.min(buf.len());
            if let Some(b) = last_boundary(&buf[..cut], b',') {
                let mut joined = records(&buf[..b]);
                joined.extend(records(&buf[b..]));
                let joined: Vec<Vec<Vec<u8>>> = joined.into_iter().map(|(f, _)| f).collect();
                prop_assert_eq!(joined, fields);
                prop_assert_eq!(rows(&buf[..b]) + rows(&buf[b..]), rows(buf));
            }
        }
    }
}
