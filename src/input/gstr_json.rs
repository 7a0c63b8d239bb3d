//! The GST portal's return JSON read as CSV text, one row per document:
//! GSTR-2B (its sections under `data.docdata`), and GSTR-2A and GSTR-1
//! (their sections at the top). Each supplier (`ctin`, `trdnm`) and each of
//! its documents (`inv`, `nt` or `doclist`) becomes a row with the columns
//! every format shares, streamed: one document is in memory at a time, so a
//! 500 MB return reads in the memory of a CSV file.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::mpsc::SyncSender;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::pipe::{PIECE, Piece, SheetText};
use crate::error::{Error, Result};

/// The columns of a return's rows, the same for every format.
pub const COLUMNS: [&str; 10] = [
    "gstin",
    "party_name",
    "document_number",
    "document_date",
    "document_type",
    "document_value",
    "taxable_value",
    "tax",
    "itc_available",
    "source",
];

/// The sections whose entries are suppliers with a `ctin` (B2CL and the
/// like have no GSTIN and are left out).
const SECTIONS: [&str; 10] =
    ["b2b", "b2ba", "cdnr", "cdnra", "isd", "isda", "impgsez", "ecom", "ecoma", "cdn"];

/// Whether the file at `path` is a return's JSON: an object whose first
/// 64 KiB name `docdata` or `ctin`.
pub fn is_return_json(path: &Path) -> bool {
    json_head(path).is_some_and(|head| {
        head.starts_with(b"{")
            && [&b"\"docdata\""[..], b"\"ctin\""].iter().any(|w| contains(&head, w))
    })
}

/// The first 64 KiB of a file, from its first character that is not a
/// byte-order mark or white space; `None` when it cannot be read.
pub(super) fn json_head(path: &Path) -> Option<Vec<u8>> {
    let mut head = Vec::with_capacity(64 * 1024);
    File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head)).ok()?;
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
    Some(text[start..].to_vec())
}

/// Whether `word` is in `text`.
pub(super) fn contains(text: &[u8], word: &[u8]) -> bool {
    memchr::memmem::find(text, word).is_some()
}

/// Opens the return at `path` as CSV text with a header row of [`COLUMNS`],
/// made on a thread of its own. A file damaged part of the way fails the
/// read that meets the damage, naming its line and column.
///
/// # Errors
/// [`Error::Workbook`] (the error of a document read as a table) when the
/// file cannot be read at all.
pub fn open_csv(path: &Path) -> Result<SheetText> {
    let file = File::open(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    super::pipe::spawn("return-json", move |tx| rows(file, tx))
        .map_err(|message| Error::Workbook { path: path.to_path_buf(), message })
}

/// Writes the header, then a row per document, in pieces.
fn rows(file: File, tx: &SyncSender<Piece>) -> std::result::Result<(), String> {
    let mut out = Out::new(tx);
    out.row(&COLUMNS.map(String::from))?;
    let mut json = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, file));
    Container { out: &mut out, path: String::new() }
        .deserialize(&mut json)
        .and_then(|()| json.end())
        .map_err(|e| format!("is not a GST return's JSON that can be read: {e}"))?;
    out.flush(true)
}

/// The CSV text being made, sent in pieces.
pub(super) struct Out<'t> {
    csv: csv::Writer<Vec<u8>>,
    tx: &'t SyncSender<Piece>,
    /// The reader is gone (the run stopped): nothing more is made.
    gone: bool,
}

impl<'t> Out<'t> {
    /// Text to be sent on `tx`.
    pub(super) fn new(tx: &'t SyncSender<Piece>) -> Out<'t> {
        Out { csv: csv::Writer::from_writer(Vec::new()), tx, gone: false }
    }

    /// Writes one row, sending a piece when one is full.
    pub(super) fn row(&mut self, fields: &[String]) -> std::result::Result<(), String> {
        self.csv.write_record(fields).map_err(|e| e.to_string())?;
        self.flush(false)
    }

    /// Sends what is made once a piece is full, or, when `last`, whatever
    /// there is.
    pub(super) fn flush(&mut self, last: bool) -> std::result::Result<(), String> {
        self.csv.flush().map_err(|e| e.to_string())?;
        if !self.gone && (last || self.csv.get_ref().len() >= PIECE) {
            let full = std::mem::replace(&mut self.csv, csv::Writer::from_writer(Vec::new()));
            let text = full.into_inner().map_err(|e| e.to_string())?;
            self.gone = self.tx.send(Piece::Text(text)).is_err();
        }
        Ok(())
    }
}

/// An object that holds sections: the whole file, `data`, `docdata`.
struct Container<'o, 't> {
    out: &'o mut Out<'t>,
    path: String,
}

impl<'de> DeserializeSeed<'de> for Container<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Container<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a GST return's JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let out = self.out;
        while let Some(key) = map.next_key::<String>()? {
            let path = format!("{}{key}", self.path);
            match key.as_str() {
                "data" | "docdata" => {
                    map.next_value_seed(Container { out: &mut *out, path: format!("{path}.") })?;
                }
                s if SECTIONS.contains(&s) => {
                    map.next_value_seed(Section { out: &mut *out, path })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A section: an array of suppliers.
struct Section<'o, 't> {
    out: &'o mut Out<'t>,
    path: String,
}

impl<'de> DeserializeSeed<'de> for Section<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Section<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of suppliers")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let section = self.path.rsplit('.').next().unwrap_or_default().to_string();
        let out = self.out;
        for i in 0.. {
            let at = format!("{}[{i}]", self.path);
            let seed = Supplier { out: &mut *out, section: &section, path: at };
            if seq.next_element_seed(seed)?.is_none() {
                break;
            }
        }
        Ok(())
    }
}

/// One supplier: its GSTIN and name, and its documents. Documents that come
/// before the GSTIN in the object wait for it (the portal writes `ctin`
/// first, so they seldom do).
struct Supplier<'o, 't, 's> {
    out: &'o mut Out<'t>,
    section: &'s str,
    path: String,
}

impl<'de> DeserializeSeed<'de> for Supplier<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Supplier<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a supplier object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut party = Party { gstin: None, name: String::new() };
        let mut waiting: Vec<(String, Map<String, Value>)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "ctin" => party.gstin = Some(map.next_value()?),
                "trdnm" => party.name = map.next_value()?,
                "inv" | "nt" | "doclist" => {
                    let docs: Vec<Map<String, Value>> = if party.gstin.is_some() {
                        let seed = Docs {
                            out: &mut *self.out,
                            party: &party,
                            section: self.section,
                            path: format!("{}.{key}", self.path),
                        };
                        map.next_value_seed(seed)?;
                        Vec::new()
                    } else {
                        map.next_value()?
                    };
                    for (j, doc) in docs.into_iter().enumerate() {
                        waiting.push((format!("{}.{key}[{j}]", self.path), doc));
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        for (path, doc) in waiting {
            self.out
                .row(&row(&party, self.section, &doc, path))
                .map_err(serde::de::Error::custom)?;
        }
        Ok(())
    }
}

/// The supplier a document is from.
struct Party {
    gstin: Option<String>,
    name: String,
}

/// A supplier's documents, each written as it is read.
struct Docs<'o, 't, 'p> {
    out: &'o mut Out<'t>,
    party: &'p Party,
    section: &'p str,
    path: String,
}

impl<'de> DeserializeSeed<'de> for Docs<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Docs<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of documents")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut j = 0;
        while let Some(doc) = seq.next_element::<Map<String, Value>>()? {
            let fields = row(self.party, self.section, &doc, format!("{}[{j}]", self.path));
            self.out.row(&fields).map_err(serde::de::Error::custom)?;
            j += 1;
        }
        Ok(())
    }
}

/// One document's row, in the order of [`COLUMNS`].
fn row(party: &Party, section: &str, doc: &Map<String, Value>, source: String) -> Vec<String> {
    let text = |keys: &[&str]| {
        keys.iter().find_map(|k| doc.get(*k)).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let kind = match text(&["typ", "ntty", "inv_typ"]) {
        Some(t) => format!("{section}/{t}"),
        None => section.to_string(),
    };
    // 2B states the totals on the document; 2A and GSTR-1 per item.
    let items: Vec<&Map<String, Value>> = doc
        .get("itms")
        .and_then(Value::as_array)
        .map(|items| {
            items.iter().filter_map(|i| i.get("itm_det").unwrap_or(i).as_object()).collect()
        })
        .unwrap_or_default();
    let sum = |top: &[&str], item: &[&str]| {
        let here: Vec<f64> = top.iter().filter_map(|k| doc.get(*k).and_then(number)).collect();
        if !here.is_empty() {
            return money(here.iter().sum());
        }
        let per: Vec<f64> = items
            .iter()
            .flat_map(|i| item.iter().filter_map(|k| i.get(*k).and_then(number)))
            .collect();
        if per.is_empty() { String::new() } else { money(per.iter().sum()) }
    };
    vec![
        party.gstin.clone().unwrap_or_default(),
        party.name.clone(),
        text(&["inum", "ntnum", "nt_num", "docnum", "boenum"]).unwrap_or_default(),
        text(&["dt", "idt", "nt_dt", "docdt", "boedt"]).map(|d| iso_date(&d)).unwrap_or_default(),
        kind,
        text(&["val"]).unwrap_or_default(),
        sum(&["txval"], &["txval"]),
        sum(&["igst", "cgst", "sgst", "cess"], &["iamt", "camt", "samt", "csamt"]),
        text(&["itcavl"]).unwrap_or_default(),
        source,
    ]
}

/// A number, or a number written as text (`"1180.00"`).
pub(super) fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Rupees to the paisa.
pub(super) fn money(v: f64) -> String {
    format!("{v:.2}")
}

/// The portal's `DD-MM-YYYY` as ISO 8601; anything else as it is.
pub(super) fn iso_date(d: &str) -> String {
    let parts: Vec<&str> = d.trim().split(['-', '/']).collect();
    match parts[..] {
        [dd, mm, yyyy] if dd.len() == 2 && mm.len() == 2 && yyyy.len() == 4 => {
            format!("{yyyy}-{mm}-{dd}")
        }
        _ => d.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_of(json: &str) -> std::result::Result<String, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, json).unwrap();
        let mut text = String::new();
        open_csv(&path)
            .map_err(|e| e.to_string())?
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
        Ok(text)
    }

    #[test]
    fn gstr_2b_2a_and_1_give_the_same_columns() {
        let b2b = r#"{"data":{"gstin":"27AAPFU0939F1ZV","docdata":{"b2b":[{"ctin":"29AAACR5055K1Z3",
            "trdnm":"RAMAN STEEL","inv":[{"inum":"RS/1","dt":"05-11-2026","val":11800,"txval":10000,
            "igst":1800,"cgst":0,"sgst":0,"cess":0,"itcavl":"Y","typ":"R"}]}],
            "cdnr":[{"ctin":"33AAACT2727Q1Z3","nt":[{"ntnum":"CN-4","dt":"06-11-2026","typ":"C",
            "val":590,"txval":500,"igst":0,"cgst":45,"sgst":45,"cess":0}]}]}}}"#;
        let rows = csv_of(b2b).unwrap();
        let lines: Vec<&str> = rows.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "29AAACR5055K1Z3,RAMAN STEEL,RS/1,2026-11-05,b2b/R,11800,10000.00,1800.00,Y,data.docdata.b2b[0].inv[0]"
        );
        assert_eq!(
            lines[2],
            "33AAACT2727Q1Z3,,CN-4,2026-11-06,cdnr/C,590,500.00,90.00,,data.docdata.cdnr[0].nt[0]"
        );
        // 2A and GSTR-1: sections at the top, tax per item, `idt`.
        let a2 = r#"{"gstin":"27AAPFU0939F1ZV","fp":"112026","b2b":[{"inv":[{"inum":"9","idt":"01-11-2026",
            "val":"1180.00","itms":[{"num":1,"itm_det":{"txval":1000,"iamt":180,"csamt":0}}]}],
            "cfs":"Y","ctin":"24AAACC1206D1ZM"}],"b2cl":[{"pos":"27","inv":[]}]}"#;
        let rows = csv_of(a2).unwrap();
        assert_eq!(
            rows.lines().nth(1).unwrap(),
            "24AAACC1206D1ZM,,9,2026-11-01,b2b,1180.00,1000.00,180.00,,b2b[0].inv[0]"
        );
        assert_eq!(rows.lines().count(), 2, "B2CL has no GSTIN: {rows}");
    }

    #[test]
    fn damage_part_of_the_way_names_its_line() {
        let e = csv_of(
            "{\"b2b\":[{\"ctin\":\"29AAACR5055K1Z3\",\n\"inv\":[{\"inum\":1},\n{\"inum\": }]}]}",
        )
        .unwrap_err();
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn detected_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let yes = dir.path().join("download");
        std::fs::write(&yes, "\u{feff}  {\"data\":{\"docdata\":{}}}").unwrap();
        let no = dir.path().join("other.json");
        std::fs::write(&no, "{\"name\":\"x\"}").unwrap();
        assert!(is_return_json(&yes) && !is_return_json(&no));
        assert_eq!(iso_date("31/03/2026"), "2026-03-31");
        assert_eq!(iso_date("2026-03-31"), "2026-03-31");
    }
}
