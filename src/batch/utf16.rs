//! UTF-16 input (Excel's "Unicode Text" export and other UTF-16 CSVs),
//! recognised by its byte-order mark and decoded to UTF-8 as it streams.
//!
//! Unpaired surrogates become U+FFFD, as invalid UTF-8 does elsewhere, so
//! a damaged file gives findings, not a failure.

use std::io::{self, Read};

/// A UTF-16 reader's byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    /// `FF FE`: little-endian, what Windows and Excel write.
    Little,
    /// `FE FF`: big-endian.
    Big,
}

/// Decodes UTF-16 from `inner` (after its byte-order mark) into UTF-8.
pub struct Utf16Reader<R> {
    inner: R,
    endian: Endian,
    /// Raw bytes not yet decoded (an odd byte, a high surrogate).
    raw: Vec<u8>,
    /// Decoded UTF-8 not yet handed out.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    /// A decoder over `inner`, which starts just after the byte-order mark.
    pub fn new(inner: R, endian: Endian) -> Self {
        Utf16Reader { inner, endian, raw: Vec::new(), out: Vec::new(), out_pos: 0, eof: false }
    }

    fn unit(&self, pair: &[u8]) -> u16 {
        match self.endian {
            Endian::Little => u16::from_le_bytes([pair[0], pair[1]]),
            Endian::Big => u16::from_be_bytes([pair[0], pair[1]]),
        }
    }

    /// Reads and decodes one chunk into `out`.
    fn refill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        let n = loop {
            match self.inner.read(&mut chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
        }
        self.raw.extend_from_slice(&chunk[..n]);
        let mut units: Vec<u16> = self.raw.chunks_exact(2).map(|p| self.unit(p)).collect();
        let mut used = units.len() * 2;
        // Keep a trailing high surrogate for the next chunk, unless the
        // input has ended.
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            units.pop();
            used -= 2;
        }
        self.out.clear();
        self.out_pos = 0;
        for c in char::decode_utf16(units.iter().copied()) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut buf = [0u8; 4];
            self.out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        self.raw.drain(..used);
        if self.eof && !self.raw.is_empty() {
            // An odd final byte: half a character.
            self.out.extend_from_slice(
                char::REPLACEMENT_CHARACTER.encode_utf8(&mut [0u8; 4]).as_bytes(),
            );
            self.raw.clear();
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// The byte order a UTF-16 byte-order mark at the start of `bytes` gives.
fn byte_order(bytes: &[u8]) -> Option<Endian> {
    match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(Endian::Little),
        Some([0xFE, 0xFF]) => Some(Endian::Big),
        _ => None,
    }
}

/// Looks at the start of `inner`: a UTF-16 byte-order mark gives a decoding
/// reader (and its byte order); anything else is returned as it was.
///
/// # Errors
/// Reading the first two bytes failed.
pub fn sniff(
    mut inner: Box<dyn Read + Send>,
) -> io::Result<(Box<dyn Read + Send>, Option<Endian>)> {
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match inner.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let endian = byte_order(&head[..got]);
    Ok(match endian {
        Some(e) => (Box::new(Utf16Reader::new(inner, e)), Some(e)),
        None => (Box::new(io::Cursor::new(head[..got].to_vec()).chain(inner)), None),
    })
}

/// Decodes a whole UTF-16 buffer with a byte-order mark; `None` when `bytes`
/// has none.
pub fn decode_all(bytes: &[u8]) -> Option<Vec<u8>> {
    let endian = byte_order(bytes)?;
    let mut out = Vec::with_capacity(bytes.len());
    Utf16Reader::new(&bytes[2..], endian).read_to_end(&mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(s: &str) -> Vec<u8> {
        let mut v = vec![0xFF, 0xFE];
        v.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        v
    }

    /// Reads through a reader that hands out `step` bytes at a time, to
    /// split surrogate pairs and code units across chunks.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn decodes_both_byte_orders_with_surrogate_pairs() {
        let text = "GSTIN\tName\r\n27AAPFU0939F1ZV\tCafé 😀 ₹\r\n";
        assert_eq!(decode_all(&le(text)).unwrap(), text.as_bytes());
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode_all(&be).unwrap(), text.as_bytes());
        assert!(decode_all(b"GSTIN").is_none());
    }

    #[test]
    fn chunk_boundaries_never_split_a_character() {
        let text = "😀a😀bc😀";
        let bytes = le(text);
        for step in 1..6 {
            let mut r = Utf16Reader::new(Trickle(&bytes[2..], step), Endian::Little);
            let mut out = String::new();
            r.read_to_string(&mut out).unwrap();
            assert_eq!(out, text, "step {step}");
        }
    }

    #[test]
    fn damage_becomes_replacement_characters() {
        // A lone low surrogate, a lone high surrogate at the end, an odd byte.
        let bytes = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xDC, 0x42, 0x00, 0x00, 0xD8, 0x43];
        let out = String::from_utf8(decode_all(&bytes).unwrap()).unwrap();
        assert_eq!(out, "A\u{FFFD}B\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn sniff_passes_other_input_through() {
        let (mut r, e) = sniff(Box::new(&b"GSTIN\n"[..])).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!((s.as_str(), e), ("GSTIN\n", None));
        let (mut r, e) = sniff(Box::new(io::Cursor::new(le("A\tB\n")))).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!((s.as_str(), e), ("A\tB\n", Some(Endian::Little)));
        let (mut r, _) = sniff(Box::new(&b"x"[..])).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "x");
    }
}
