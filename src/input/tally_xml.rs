//! TallyPrime and Tally.ERP 9 XML exports (`ENVELOPE` ... `TALLYMESSAGE`),
//! often UTF-16, read as CSV text with the columns of the portal's returns
//! ([`super::gstr_json::COLUMNS`]): one row per ledger master that has a GSTIN,
//! and one per voucher. Streamed with quick-xml, one ledger or voucher in
//! memory at a time.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::encoding::{Decoded, Encoding};
use super::gstr_json::{self, COLUMNS};
use super::pipe::SheetText;
use crate::error::{Error, Result};

/// Whether the file at `path` is a Tally export: its first 64 KiB of text
/// (decoded, since Tally writes UTF-16) hold `<ENVELOPE` and `TALLYMESSAGE`.
pub fn is_tally_xml(path: &Path) -> bool {
    let Ok(file) = File::open(path) else { return false };
    let Ok(text) = Decoded::new(Box::new(file), Encoding::Auto) else { return false };
    let mut head = Vec::new();
    if text.take(64 * 1024).read_to_end(&mut head).is_err() {
        return false;
    }
    gstr_json::contains(&head, b"<ENVELOPE") && gstr_json::contains(&head, b"TALLYMESSAGE")
}

/// Opens the Tally export at `path` as CSV text, made on a thread of its
/// own.
///
/// # Errors
/// [`Error::Read`], [`Error::Workbook`] when the file cannot be read at all.
pub fn open_csv(path: &Path, encoding: Encoding) -> Result<SheetText> {
    let read_err = |e| Error::Read { path: path.to_path_buf(), source: e };
    let file = File::open(path).map_err(read_err)?;
    let text = Decoded::new(Box::new(file), encoding).map_err(read_err)?;
    super::pipe::spawn("tally-xml", move |tx| rows(text, &mut gstr_json::Out::new(tx)))
        .map_err(|message| Error::Workbook { path: path.to_path_buf(), message })
}

/// A ledger or voucher being read: what its children said so far.
#[derive(Default)]
struct Entry {
    voucher: bool,
    /// Its depth in the document: its own children are one deeper.
    depth: usize,
    name: String,
    gstin: String,
    number: String,
    date: String,
    kind: String,
    ordinal: u64,
    /// The line of the file its element starts on.
    line: u64,
}

fn rows(text: Decoded, out: &mut gstr_json::Out<'_>) -> std::result::Result<(), String> {
    out.row(&COLUMNS.map(String::from))?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(1 << 16, text));
    let mut buf = Vec::new();
    // The open elements' names, and the ledger or voucher inside which they are.
    let mut open: Vec<String> = Vec::new();
    let mut entry: Option<Entry> = None;
    let mut field = String::new();
    let (mut ledgers, mut vouchers) = (0u64, 0u64);
    let mut envelope = false;
    // Lines before the event being read: the newlines of every event's raw
    // text, which between them hold every byte of the document.
    let mut line = 1u64;
    loop {
        let at = xml.buffer_position();
        let event = xml.read_event_into(&mut buf).map_err(|e| {
            format!("is not a Tally XML export that can be read: at byte {at}: {e}")
        })?;
        let newlines = |raw: &str| memchr::memchr_iter(b'\n', raw.as_bytes()).count() as u64;
        let here = line;
        line += match &event {
            Event::Start(e) | Event::Empty(e) => newlines(&e[..]),
            Event::Text(t) => newlines(&t[..]),
            Event::End(e) => newlines(&e[..]),
            Event::CData(t) => newlines(&t[..]),
            Event::Comment(t) | Event::DocType(t) => newlines(&t[..]),
            Event::PI(t) => newlines(&t[..]),
            Event::Decl(t) => newlines(&t[..]),
            _ => 0,
        };
        match event {
            Event::Start(e) => {
                let name = tag(&e);
                if entry.is_none() && (name == "LEDGER" || name == "VOUCHER") {
                    let voucher = name == "VOUCHER";
                    let ordinal = if voucher { &mut vouchers } else { &mut ledgers };
                    *ordinal += 1;
                    let mut new = Entry {
                        voucher,
                        depth: open.len() + 1,
                        ordinal: *ordinal,
                        line: here,
                        ..Entry::default()
                    };
                    if let Some(a) = e.try_get_attribute("NAME").ok().flatten() {
                        new.name = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.trim().to_string())
                            .unwrap_or_default();
                    }
                    entry = Some(new);
                }
                envelope |= name == "ENVELOPE";
                open.push(name);
                field.clear();
            }
            Event::Text(t) => field.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0)),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                // Tally marks its built-in names with &#4; (a control): no text.
                Ok(Some(c)) if !c.is_control() => field.push(c),
                Ok(Some(_)) => {}
                _ => field.push_str(quick_xml::escape::resolve_predefined_entity(&r).unwrap_or("")),
            },
            Event::End(_) => {
                let name = open.pop().unwrap_or_default();
                if let Some(e) = entry.as_mut() {
                    if open.len() + 1 == e.depth && (name == "LEDGER" || name == "VOUCHER") {
                        let e = entry.take().unwrap_or_default();
                        if e.voucher || !e.gstin.is_empty() {
                            out.row(&row(&e))?;
                        }
                    } else {
                        take(e, &open, &name, field.trim());
                    }
                }
                field.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !envelope {
        return Err("is not a Tally XML export: it has no <ENVELOPE> element".into());
    }
    if !open.is_empty() {
        return Err(format!(
            "is a Tally XML export cut short: <{}> is never closed",
            open.join("><")
        ));
    }
    out.flush(true)
}

fn tag(e: &BytesStart<'_>) -> String {
    let name = e.name();
    let text: &str = name.as_ref();
    text.to_string()
}

/// Keeps the field `name` just closed, when it is one of the entry's: its
/// own child, or the GSTIN or name inside its registration and name lists.
fn take(e: &mut Entry, open: &[String], name: &str, text: &str) {
    let parent = open.last().map(String::as_str).unwrap_or_default();
    let child = open.len() == e.depth;
    let slot = match (name, parent) {
        ("PARTYGSTIN", _) if child => &mut e.gstin,
        ("GSTIN", "LEDGSTREGDETAILS.LIST") => &mut e.gstin,
        ("NAME", "NAME.LIST") if !e.voucher => &mut e.name,
        ("PARTYLEDGERNAME" | "PARTYNAME", _) if child => &mut e.name,
        ("VOUCHERNUMBER", _) if child => &mut e.number,
        ("DATE", _) if child => &mut e.date,
        ("VOUCHERTYPENAME", _) if child => &mut e.kind,
        _ => return,
    };
    if slot.is_empty() {
        *slot = text.to_string();
    }
}

/// An entry's row, in the order of [`COLUMNS`].
fn row(e: &Entry) -> Vec<String> {
    let date = match e.date.as_bytes() {
        [y @ .., m1, m2, d1, d2] if y.len() == 4 => {
            let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            format!("{}-{}-{}", s(y), s(&[*m1, *m2]), s(&[*d1, *d2]))
        }
        _ => e.date.clone(),
    };
    let (kind, source) = if e.voucher {
        (e.kind.clone(), format!("VOUCHER[{}] line {}", e.ordinal, e.line))
    } else {
        ("ledger".to_string(), format!("LEDGER[{}] line {}", e.ordinal, e.line))
    };
    vec![
        e.gstin.clone(),
        e.name.clone(),
        e.number.clone(),
        date,
        kind,
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        source,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "<ENVELOPE><HEADER><TALLYREQUEST>Import Data</TALLYREQUEST></HEADER>\r\n\
        <BODY><IMPORTDATA><REQUESTDATA>\r\n\
        <TALLYMESSAGE xmlns:UDF=\"TallyUDF\"><LEDGER NAME=\"Raman Steel &amp; Wire\" RESERVEDNAME=\"\">\r\n\
        <PARENT>&#4; Sundry Creditors</PARENT><PARTYGSTIN>29AAACR5055K1Z3</PARTYGSTIN>\r\n\
        </LEDGER></TALLYMESSAGE>\r\n\
        <TALLYMESSAGE><LEDGER NAME=\"Cash\"><PARENT>&#4; Cash-in-Hand</PARENT></LEDGER></TALLYMESSAGE>\r\n\
        <TALLYMESSAGE><LEDGER><NAME.LIST><NAME>Chemplast</NAME></NAME.LIST>\r\n\
        <LEDGSTREGDETAILS.LIST><GSTIN>24AAACC1206D1ZM</GSTIN></LEDGSTREGDETAILS.LIST></LEDGER></TALLYMESSAGE>\r\n\
        <TALLYMESSAGE><VOUCHER VCHTYPE=\"Purchase\"><DATE>20261105</DATE>\r\n\
        <VOUCHERTYPENAME>Purchase</VOUCHERTYPENAME><VOUCHERNUMBER>RSW/881</VOUCHERNUMBER>\r\n\
        <PARTYLEDGERNAME>Raman Steel &amp; Wire</PARTYLEDGERNAME><PARTYGSTIN>29AAACR5055K1Z3</PARTYGSTIN>\r\n\
        <ALLLEDGERENTRIES.LIST><LEDGERNAME>Purchase @18%</LEDGERNAME></ALLLEDGERENTRIES.LIST>\r\n\
        </VOUCHER></TALLYMESSAGE></REQUESTDATA></IMPORTDATA></BODY></ENVELOPE>\r\n";

    fn csv_of(bytes: &[u8]) -> std::result::Result<String, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("DayBook.xml");
        std::fs::write(&path, bytes).unwrap();
        assert!(is_tally_xml(&path));
        let mut text = String::new();
        open_csv(&path, Encoding::Auto)
            .map_err(|e| e.to_string())?
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
        Ok(text)
    }

    #[test]
    fn ledgers_with_a_gstin_and_every_voucher() {
        let text = csv_of(EXPORT.as_bytes()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[1], "29AAACR5055K1Z3,Raman Steel & Wire,,,ledger,,,,,LEDGER[1] line 3");
        assert_eq!(lines[2], "24AAACC1206D1ZM,Chemplast,,,ledger,,,,,LEDGER[3] line 7");
        assert_eq!(
            lines[3],
            "29AAACR5055K1Z3,Raman Steel & Wire,RSW/881,2026-11-05,Purchase,,,,,VOUCHER[1] line 9"
        );
    }

    #[test]
    fn lines_count_the_newlines_inside_comments_and_tags() {
        let export = format!(
            "<?xml version=\"1.0\"?>\n<!-- exported\nby Tally -->\n{}",
            EXPORT.replacen("<LEDGER NAME=", "<LEDGER\n NAME=", 1)
        );
        let text = csv_of(export.as_bytes()).unwrap();
        let sources: Vec<&str> =
            text.lines().skip(1).map(|l| l.rsplit(',').next().unwrap()).collect();
        assert_eq!(sources, ["LEDGER[1] line 6", "LEDGER[3] line 11", "VOUCHER[1] line 13"]);
    }

    #[test]
    fn utf16_as_tally_writes_it_and_a_cut_export() {
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(EXPORT.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(csv_of(&utf16).unwrap(), csv_of(EXPORT.as_bytes()).unwrap());
        let cut = &EXPORT[..EXPORT.find("<VOUCHERNUMBER>").unwrap()];
        let e = csv_of(cut.as_bytes()).unwrap_err();
        assert!(e.contains("cut short") && e.contains("VOUCHER"), "{e}");
    }
}
