use super::scan::Records;
use super::*;

fn reader(bytes: impl Into<Vec<u8>>) -> BlockReader {
    let inner = Box::new(io::Cursor::new(bytes.into()));
    BlockReader::from_reader(Source::Stdin, inner, b',', None, Encoding::Auto).unwrap()
}

#[test]
fn bom_is_stripped_and_header_read() {
    let mut r = reader(b"\xEF\xBB\xBFGSTIN,Name\n27AAPFU0939F1ZV,A\n");
    let (h, rows) = r.first_record(true).unwrap().unwrap();
    assert_eq!(h, vec![b"GSTIN".to_vec(), b"Name".to_vec()]);
    assert_eq!(rows, 1);
    assert_eq!(r.next_block().unwrap().unwrap(), b"27AAPFU0939F1ZV,A\n");
    assert!(r.next_block().unwrap().is_none());
}

#[test]
fn utf16_is_decoded_and_binary_is_not_csv() {
    let mut r = reader(b"\xFF\xFEG\0,\0x\0\n\0");
    assert!(r.is_utf16());
    assert_eq!(r.first_record(true).unwrap().unwrap().0, vec![b"G".to_vec(), b"x".to_vec()]);
    assert!(matches!(reader(b"G\0S\0T\0\n\0").first_record(true), Err(Error::NotCsv { .. })));
    assert!(matches!(reader(b"a\0b,c\n").first_record(true), Err(Error::NotCsv { .. })));
}

#[test]
fn tables_are_decoded_fingerprinted_and_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.csv");
    std::fs::write(&p, b"\xEF\xBB\xBFa\tb\n1\t2\n").unwrap();
    let src = Source::File(p);
    let t = BlockReader::read_table(&src, None, None, true, Encoding::Auto).unwrap();
    assert_eq!((t.text.as_slice(), t.delimiter), (&b"a\tb\n1\t2\n"[..], b'\t'));
    assert_eq!(t.sha256.len(), 64);
    let t = BlockReader::read_table(&src, None, None, false, Encoding::Auto).unwrap();
    assert_eq!(t.delimiter, b',', "without tab_any a UTF-8 file keeps its extension's");
}

#[test]
fn empty_input_has_no_record() {
    assert!(reader(b"").first_record(true).unwrap().is_none());
    assert!(reader(b"\n\r\n").first_record(true).unwrap().is_none());
}

#[test]
fn no_headers_keeps_the_first_record() {
    let mut r = reader(b"\n\na,b\nc,d\n");
    let (h, rows) = r.first_record(false).unwrap().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(rows, 0);
    assert_eq!(r.next_block().unwrap().unwrap(), b"\n\na,b\nc,d\n");
}

#[test]
fn blocks_are_cut_at_record_boundaries() {
    let mut data = Vec::new();
    for i in 0..100_000 {
        data.extend_from_slice(format!("{i},\"multi\nline {i}\"\n").as_bytes());
    }
    let total = data.len();
    let mut r = reader(data);
    let mut seen = 0;
    let mut records = 0;
    while let Some(b) = r.next_block().unwrap() {
        seen += b.len();
        records += Records::new(&b, b',').count();
    }
    assert_eq!(seen, total);
    assert_eq!(records, 100_000);
}

/// Hands out a few bytes a call, with an interruption now and then, as
/// a pipe may; then fails if `fail` is set.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    calls: usize,
    fail: bool,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(5) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        if self.at == self.data.len() && self.fail {
            return Err(io::Error::other("gone"));
        }
        let n = (self.calls % 7 + 1).min(buf.len()).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn short_and_interrupted_reads_still_give_whole_blocks() {
    let data: Vec<u8> = (0..40_000).flat_map(|i| format!("{i},x\n").into_bytes()).collect();
    let trickle = Trickle { data: data.clone(), at: 0, calls: 0, fail: false };
    let mut r =
        BlockReader::from_reader(Source::Stdin, Box::new(trickle), b',', None, Encoding::Auto)
            .unwrap();
    let mut seen = Vec::new();
    while let Some(b) = r.next_block().unwrap() {
        assert!(b.ends_with(b"\n"), "a block ends at a record boundary");
        seen.extend_from_slice(&b);
    }
    assert_eq!(seen, data);
    assert_eq!(r.bytes_read, data.len() as u64);

    let failing = Trickle { data: b"a,b\n".repeat(10), at: 0, calls: 0, fail: true };
    let mut r =
        BlockReader::from_reader(Source::Stdin, Box::new(failing), b',', None, Encoding::Auto)
            .unwrap();
    assert!(matches!(r.next_block(), Err(Error::Read { .. })));
}

#[test]
fn one_record_larger_than_a_block() {
    let mut data = b"h\n\"".to_vec();
    data.extend(std::iter::repeat_n(b'x', 3 * BLOCK_SIZE));
    data.extend_from_slice(b"\"\nnext\n");
    let mut r = reader(data);
    r.first_record(true).unwrap();
    let b = r.next_block().unwrap().unwrap();
    assert_eq!(Records::new(&b, b',').count(), 2);
}
