//! The text encodings accountants' files come in, decoded to UTF-8 as they
//! stream: UTF-8 (read as it is), UTF-16 (Excel's "Unicode Text", known by
//! its byte-order mark) and Windows-1252 (what Excel on Windows writes for
//! "CSV (Comma delimited)"), through `encoding_rs`.
//!
//! Without `--encoding`, a file is UTF-8 until its first non-ASCII
//! character says otherwise: a valid UTF-8 sequence there makes it UTF-8
//! for good, anything else makes it Windows-1252 for good. Deciding at the
//! first non-ASCII byte is exact, since every byte before it reads the same
//! in both, and it needs no second pass over the file. Damaged text becomes
//! U+FFFD, or for UTF-8 stays as bytes the rows report, so a damaged file
//! gives findings, not a failure.

use std::io::{self, Read};

use encoding_rs::{Decoder, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How a text input is to be decoded (`--encoding`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 by its byte-order mark, else UTF-8 or Windows-1252 as the
    /// first non-ASCII character shows.
    #[default]
    Auto,
    /// UTF-8, whatever the bytes.
    Utf8,
    /// Windows-1252 (a UTF-8 or UTF-16 byte-order mark still wins).
    Windows1252,
    /// UTF-16, little-endian unless a byte-order mark says big.
    Utf16,
}

/// Raw bytes read at a time while decoding.
const CHUNK: usize = 64 << 10;

/// Bytes Windows-1252 leaves undefined, and NUL: a file holding them at its
/// first non-ASCII byte is neither UTF-8 nor Windows-1252 text, so it is
/// read as given and its rows say what is wrong.
const NOT_1252: [u8; 6] = [0x00, 0x81, 0x8D, 0x8F, 0x90, 0x9D];

enum State {
    /// All ASCII so far: passed through while the choice is still open.
    Sniffing,
    /// Passed through as UTF-8.
    Plain,
    /// Decoded.
    Decoding(Decoder),
}

/// A reader that hands out UTF-8, decoding its input as [`Encoding`] says.
pub struct Decoded {
    inner: Box<dyn Read + Send>,
    state: State,
    /// Raw bytes read but not yet handed out or decoded.
    raw: Vec<u8>,
    /// Decoded UTF-8 not yet handed out.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    /// What the input is decoded from, once known.
    from: Option<&'static encoding_rs::Encoding>,
    /// Whether that was found from the bytes rather than asked for.
    found: bool,
}

impl Decoded {
    /// Looks at the start of `inner` and sets up its decoding.
    ///
    /// # Errors
    /// Reading the first bytes failed.
    pub fn new(mut inner: Box<dyn Read + Send>, encoding: Encoding) -> io::Result<Decoded> {
        let mut head = Vec::with_capacity(2);
        (&mut inner).take(2).read_to_end(&mut head)?;
        let state = match (encoding, head.as_slice()) {
            (Encoding::Auto | Encoding::Utf16, [0xFF, 0xFE]) => {
                State::Decoding(UTF_16LE.new_decoder())
            }
            (Encoding::Auto | Encoding::Utf16, [0xFE, 0xFF]) => {
                State::Decoding(UTF_16BE.new_decoder())
            }
            (Encoding::Utf16, _) => State::Decoding(UTF_16LE.new_decoder()),
            (Encoding::Windows1252, _) => State::Decoding(WINDOWS_1252.new_decoder()),
            (Encoding::Utf8, _) => State::Plain,
            (Encoding::Auto, _) => State::Sniffing,
        };
        let from = match &state {
            State::Decoding(d) => Some(d.encoding()),
            State::Sniffing | State::Plain => None,
        };
        Ok(Decoded {
            inner,
            state,
            raw: head,
            out: Vec::new(),
            out_pos: 0,
            eof: false,
            from,
            found: false,
        })
    }

    /// The encoding the input is being decoded from, when it is not UTF-8:
    /// `UTF-16LE`, `UTF-16BE`, `windows-1252`. Known for Windows-1252 found
    /// by itself only once its first non-ASCII byte has been read.
    pub fn decoded_from(&self) -> Option<&'static str> {
        self.from.map(encoding_rs::Encoding::name)
    }

    /// Whether the input turned out to be Windows-1252 without being told:
    /// worth a note, since a wrong guess would change names.
    pub fn found_windows_1252(&self) -> bool {
        self.found
    }

    /// Whether the input is UTF-16, whose decoded size bears no relation to
    /// the file's.
    pub fn is_utf16(&self) -> bool {
        self.from.is_some_and(|e| e != WINDOWS_1252)
    }

    /// Reads more raw bytes onto `raw`; false at the end of the input.
    fn read_raw(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let n = (&mut self.inner).take(CHUNK as u64).read_to_end(&mut self.raw)?;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// Chooses, from the raw bytes held, between UTF-8 and Windows-1252 if
    /// they reach past ASCII; `None` while they do not (or end inside
    /// the first non-ASCII character, which then needs more bytes).
    fn choose(&self) -> Option<State> {
        let first = self.raw.iter().position(|b| !b.is_ascii())?;
        let rest = &self.raw[first..];
        match std::str::from_utf8(rest) {
            Ok(_) => Some(State::Plain),
            Err(e) if e.valid_up_to() > 0 => Some(State::Plain),
            Err(e) if e.error_len().is_none() && !self.eof => None,
            Err(_) if NOT_1252.iter().any(|b| self.raw.contains(b)) => Some(State::Plain),
            Err(_) => Some(State::Decoding(WINDOWS_1252.new_decoder_without_bom_handling())),
        }
    }

    /// Decodes what `raw` holds into `out`.
    fn decode(&mut self) {
        let State::Decoding(decoder) = &mut self.state else { return };
        let room = decoder.max_utf8_buffer_length(self.raw.len()).unwrap_or(self.raw.len() * 3);
        self.out.clear();
        self.out.resize(room, 0);
        self.out_pos = 0;
        let (_, read, written, _) = decoder.decode_to_utf8(&self.raw, &mut self.out, self.eof);
        self.raw.drain(..read);
        self.out.truncate(written);
        if self.eof && self.raw.is_empty() {
            // The decoder is done; what is left of the input is nothing.
            self.state = State::Plain;
        }
    }
}

impl Read for Decoded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            match self.state {
                State::Plain | State::Sniffing if !self.raw.is_empty() => {
                    if matches!(self.state, State::Sniffing) {
                        match self.choose() {
                            Some(state) => {
                                if let State::Decoding(d) = &state {
                                    self.from = Some(d.encoding());
                                    self.found = true;
                                }
                                self.state = state;
                            }
                            None if self.raw.is_ascii() => {}
                            None => {
                                self.read_raw()?;
                                continue;
                            }
                        }
                        if matches!(self.state, State::Decoding(_)) {
                            continue;
                        }
                    }
                    let n = buf.len().min(self.raw.len());
                    buf[..n].copy_from_slice(&self.raw[..n]);
                    self.raw.drain(..n);
                    return Ok(n);
                }
                State::Plain => return self.inner.read(buf),
                State::Sniffing => {
                    // Read straight into the caller's buffer while the
                    // input stays ASCII: no copy on the common path.
                    let n = self.inner.read(buf)?;
                    if buf[..n].is_ascii() {
                        self.eof |= n == 0;
                        return Ok(n);
                    }
                    self.raw.extend_from_slice(&buf[..n]);
                }
                State::Decoding(_) => {
                    // At the end, a decoder holding half a character still
                    // says so (U+FFFD), and is then done.
                    if !self.eof && self.raw.len() < CHUNK {
                        self.read_raw()?;
                    }
                    self.decode();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
