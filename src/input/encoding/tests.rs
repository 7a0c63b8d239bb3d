use super::*;

fn le(s: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    v.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
    v
}

/// Hands out `step` bytes at a time, to split characters across reads.
struct Trickle(Vec<u8>, usize);

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.1.min(self.0.len()).min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        Ok(n)
    }
}

/// The decoded text, and what it was decoded from, read `step` bytes at a
/// time through reads of `buf` bytes.
fn decode_with(
    bytes: &[u8],
    encoding: Encoding,
    step: usize,
    buf: usize,
) -> (Vec<u8>, Option<&'static str>) {
    let mut r = Decoded::new(Box::new(Trickle(bytes.to_vec(), step)), encoding).unwrap();
    let mut out = Vec::new();
    let mut chunk = vec![0; buf];
    loop {
        let n = r.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    (out, r.decoded_from())
}

fn decode(bytes: &[u8], encoding: Encoding) -> (Vec<u8>, Option<&'static str>) {
    decode_with(bytes, encoding, usize::MAX, 8192)
}

#[test]
fn utf16_by_either_byte_order_mark_with_surrogate_pairs() {
    let text = "GSTIN\tName\r\n27AAPFU0939F1ZV\tCafé 😀 ₹\r\n";
    assert_eq!(decode(&le(text), Encoding::Auto), (text.as_bytes().to_vec(), Some("UTF-16LE")));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
    assert_eq!(decode(&be, Encoding::Auto), (text.as_bytes().to_vec(), Some("UTF-16BE")));
    // Forced, without a byte-order mark: little-endian.
    assert_eq!(decode(&le(text)[2..], Encoding::Utf16).0, text.as_bytes());
}

#[test]
fn reads_of_any_size_never_split_a_character() {
    let text = "😀a😀bc😀 Société ₹";
    let cp1252 = b"Soci\xe9t\xe9 \x80 caf\xe9\n".to_vec();
    for step in 1..7 {
        for buf in [1, 2, 3, 5, 64] {
            assert_eq!(decode_with(&le(text), Encoding::Auto, step, buf).0, text.as_bytes());
            assert_eq!(decode_with(text.as_bytes(), Encoding::Auto, step, buf).0, text.as_bytes());
            let (out, from) = decode_with(&cp1252, Encoding::Auto, step, buf);
            assert_eq!(
                (out.as_slice(), from),
                ("Société € café\n".as_bytes(), Some("windows-1252"))
            );
        }
    }
}

#[test]
fn damage_becomes_replacement_characters() {
    // A lone low surrogate; a lone high surrogate then an odd byte at the
    // end, one error as the WHATWG Encoding Standard counts it.
    let bytes = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xDC, 0x42, 0x00, 0x00, 0xD8, 0x43];
    assert_eq!(decode(&bytes, Encoding::Auto).0, "A\u{FFFD}B\u{FFFD}".as_bytes());
    let odd = [0xFF, 0xFE, 0x41, 0x00, 0x42];
    assert_eq!(decode(&odd, Encoding::Auto).0, "A\u{FFFD}".as_bytes());
}

#[test]
fn excel_windows_1252_is_found_at_its_first_non_ascii_byte_however_late() {
    let mut bytes = b"gstin,name\n".repeat(20_000);
    bytes.extend_from_slice(b"27AAPFU0939F1ZV,Soci\xe9t\xe9 G\xe9n\xe9rale\xa0Ltd\n");
    let (out, from) = decode(&bytes, Encoding::Auto);
    assert_eq!(from, Some("windows-1252"));
    assert!(String::from_utf8(out).unwrap().ends_with("Société Générale\u{a0}Ltd\n"));
}

#[test]
fn utf8_stays_as_it_is_even_when_damaged_later() {
    let bytes = "name\nCafé\n".bytes().chain(*b"bad \xe9 byte\n").collect::<Vec<u8>>();
    assert_eq!(decode(&bytes, Encoding::Auto), (bytes.clone(), None));
    // A UTF-8 byte-order mark is left for the CSV reader to strip.
    let bom = b"\xEF\xBB\xBFname\n";
    assert_eq!(decode(bom, Encoding::Auto), (bom.to_vec(), None));
    // Forced UTF-8 keeps Windows-1252 bytes as bytes.
    assert_eq!(decode(b"Soci\xe9t\xe9", Encoding::Utf8), (b"Soci\xe9t\xe9".to_vec(), None));
}

#[test]
fn bytes_that_are_not_windows_1252_are_left_as_given() {
    for b in NOT_1252 {
        let bytes = [b'a', 0xe9, b];
        assert_eq!(decode(&bytes, Encoding::Auto), (bytes.to_vec(), None), "{b:#x}");
    }
}

#[test]
fn windows_1252_forced_and_ascii_untouched() {
    assert_eq!(decode(b"caf\xe9", Encoding::Windows1252).0, "café".as_bytes());
    // Forced, a UTF-8 byte-order mark still wins.
    assert_eq!(decode("\u{feff}café".as_bytes(), Encoding::Windows1252).0, "café".as_bytes());
    for text in ["", "x", "gstin\n27AAPFU0939F1ZV\n"] {
        assert_eq!(decode(text.as_bytes(), Encoding::Auto), (text.as_bytes().to_vec(), None));
    }
}
