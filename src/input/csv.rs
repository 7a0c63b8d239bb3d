//! CSV and other delimited text, read in blocks cut at record boundaries:
//! the form every input takes on its way to the engine ([`super`] turns the
//! other formats into it).

use std::fs::File;
use std::io::{self, Read};

use crate::error::{Error, Result};

use super::encoding::{Decoded, Encoding};
use super::scan::{self, RawRecord, Records};
use super::{BLOCK_SIZE, Source, check_text, delimiter_for};

/// An input being read in blocks.
pub struct BlockReader {
    source: Source,
    inner: Decoded,
    pending: Vec<u8>,
    pub(super) delimiter: u8,
    eof: bool,
    started: bool,
    /// Bytes read so far, for progress.
    pub bytes_read: u64,
    /// The file's size, when it is a regular file.
    pub len: Option<u64>,
    /// Test-only fault injection: fail once this many bytes are read.
    fail_after: Option<u64>,
    /// Whether a tab in the first line makes the input tab-separated.
    pub(super) sniff_tab: bool,
    /// Notes from the format's reader (which sheet of a workbook was read).
    pub(super) notes: Vec<String>,
}

impl BlockReader {
    /// Opens `source`, with the `--delimiter` flag if given (else by
    /// extension; a UTF-16 file whose first line holds a tab, such as
    /// Excel's "Unicode Text", is tab-separated), decoded as `encoding`.
    ///
    /// # Errors
    /// [`Error::Read`] when the file cannot be opened.
    pub fn open(source: Source, flag: Option<u8>, encoding: Encoding) -> Result<BlockReader> {
        let (inner, len): (Box<dyn Read + Send>, Option<u64>) = match &source {
            Source::Stdin => (Box::new(io::stdin()), None),
            Source::File(p) => {
                let f = File::open(p).map_err(|e| Error::Read { path: p.clone(), source: e })?;
                let meta = f.metadata().map_err(|e| Error::Read { path: p.clone(), source: e })?;
                if meta.is_dir() {
                    return Err(Error::Read {
                        path: p.clone(),
                        source: io::Error::other("is a directory"),
                    });
                }
                (Box::new(f), meta.is_file().then_some(meta.len()))
            }
        };
        BlockReader::open_reader(source, inner, flag, len, encoding)
    }

    /// Reads `source`'s bytes from `inner` as [`BlockReader::open`] reads
    /// a file: the delimiter by flag or extension, tab sniffed for UTF-16.
    pub(super) fn open_reader(
        source: Source,
        inner: Box<dyn Read + Send>,
        flag: Option<u8>,
        len: Option<u64>,
        encoding: Encoding,
    ) -> Result<BlockReader> {
        let delimiter = delimiter_for(&source, flag);
        let mut reader = BlockReader::from_reader(source, inner, delimiter, len, encoding)?;
        reader.sniff_tab = flag.is_none() && reader.is_utf16();
        Ok(reader)
    }

    /// Reads from any reader; used by tests and by `open`, decoded as
    /// `encoding` says (see [`super::encoding`]).
    ///
    /// # Errors
    /// [`Error::Read`] when the first bytes cannot be read.
    pub fn from_reader(
        source: Source,
        inner: Box<dyn Read + Send>,
        delimiter: u8,
        len: Option<u64>,
        encoding: Encoding,
    ) -> Result<BlockReader> {
        let inner = Decoded::new(inner, encoding).map_err(|e| read_error(&source, e))?;
        Ok(BlockReader {
            source,
            inner,
            sniff_tab: false,
            notes: Vec::new(),
            pending: Vec::new(),
            delimiter,
            eof: false,
            started: false,
            bytes_read: 0,
            len,
            // The end-to-end tests use this to prove that a run failing
            // midway leaves an earlier report untouched; it is not a
            // feature and is not documented for users.
            fail_after: std::env::var("GSTBATCH_TEST_FAIL_AFTER_BYTES")
                .ok()
                .and_then(|v| v.parse().ok()),
        })
    }

    /// Whether the input is UTF-16 (decoded as it is read).
    pub fn is_utf16(&self) -> bool {
        self.inner.is_utf16()
    }

    /// Notes for stderr on how the input was read: which sheet of a
    /// workbook, and whether the input, read so far, turned out to be
    /// Windows-1252 without `--encoding` saying so.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = self.notes.clone();
        if self.inner.found_windows_1252() {
            notes.push(format!(
                "{} is not UTF-8: read as Windows-1252, as Excel saves \"CSV (Comma \
                 delimited)\"; give --encoding to say otherwise",
                self.source.display()
            ));
        }
        notes
    }

    /// The input's name for messages.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The field delimiter.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    fn read_err(&self, e: io::Error) -> Error {
        read_error(&self.source, e)
    }

    /// Reads until `pending` holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> Result<()> {
        while !self.eof && self.pending.len() < want {
            if self.fail_after.is_some_and(|n| self.bytes_read >= n) {
                return Err(self.read_err(io::Error::other("injected test failure")));
            }
            let old = self.pending.len();
            let room = want.max(old + 8192) - old;
            self.pending.reserve_exact(room);
            // Read into the spare capacity without zeroing it first.
            match (&mut self.inner).take(room as u64).read_to_end(&mut self.pending) {
                Ok(n) => {
                    self.bytes_read += n as u64;
                    self.eof = n < room;
                }
                Err(e) => {
                    self.pending.truncate(old);
                    return Err(self.read_err(e));
                }
            }
        }
        if !self.started {
            self.started = true;
            self.check_encoding()?;
        }
        Ok(())
    }

    /// Strips a UTF-8 byte-order mark and refuses what is clearly not CSV
    /// text, before any row is read.
    fn check_encoding(&mut self) -> Result<()> {
        let bom = check_text(&self.pending)
            .map_err(|why| Error::NotCsv { path: self.source.path(), why: why.to_string() })?;
        self.pending.drain(..bom);
        Ok(())
    }

    /// The next block of whole records, or `None` at the end.
    ///
    /// # Errors
    /// [`Error::Read`] when reading fails.
    pub fn next_block(&mut self) -> Result<Option<Vec<u8>>> {
        let mut want = BLOCK_SIZE;
        loop {
            self.fill(want)?;
            if self.pending.is_empty() {
                return Ok(None);
            }
            if self.eof {
                return Ok(Some(std::mem::take(&mut self.pending)));
            }
            if let Some(cut) = scan::last_boundary(&self.pending, self.delimiter) {
                let rest = self.pending.split_off(cut);
                let mut block = std::mem::replace(&mut self.pending, rest);
                block.shrink_to_fit();
                return Ok(Some(block));
            }
            // One record longer than the block: read more.
            want = self.pending.len() * 2;
        }
    }

    /// Reads the first record (skipping blank lines before it) and returns
    /// its fields and the spreadsheet rows it took. With `consume` false the
    /// record stays to be read again as data (`--no-headers`).
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::NotCsv`]; `Ok(None)` when the input holds no
    /// record at all.
    pub fn first_record(&mut self, consume: bool) -> Result<Option<(Vec<Vec<u8>>, u64)>> {
        if self.sniff_tab {
            self.fill(BLOCK_SIZE)?;
            let first_line = self.pending.split(|&b| b == b'\n').next().unwrap_or_default();
            if first_line.contains(&b'\t') {
                self.delimiter = b'\t';
            }
        }
        let Some(block) = self.next_block()? else {
            return Ok(None);
        };
        let mut recs = Records::new(&block, self.delimiter);
        let Some(rec): Option<RawRecord<'_>> = recs.next() else {
            return Ok(None);
        };
        let fields: Vec<Vec<u8>> =
            scan::Fields::new(&rec, self.delimiter).iter().map(|f| f.to_vec()).collect();
        // Consumed, the header takes its row and the blank lines before it;
        // kept, it is read again as data and counted then.
        let (rows, keep_from) =
            if consume { (1 + rec.blank_before as u64, recs.offset()) } else { (0, 0) };
        let mut rest = block[keep_from..].to_vec();
        rest.extend_from_slice(&self.pending);
        self.pending = rest;
        Ok(Some((fields, rows)))
    }
}

/// A failed read of `source`: damage met inside a workbook's sheet as it
/// streams is [`Error::Workbook`], as it is when met on opening; anything
/// else is [`Error::Read`].
fn read_error(source: &Source, e: io::Error) -> Error {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<super::pipe::SheetError>()) {
        Some(sheet) => Error::Workbook { path: source.path(), message: sheet.0.clone() },
        None => Error::Read { path: source.path(), source: e },
    }
}
