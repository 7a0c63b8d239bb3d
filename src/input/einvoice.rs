//! E-invoices in the IRP's JSON schema (one document, or an array of them)
//! read as CSV text, one row per document, with the columns of the
//! portal's returns ([`super::gstr_json::COLUMNS`]) and the buyer's GSTIN. The
//! seller is the `gstin`: the supplier whose registration a buyer checks.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::gstr_json::{self, COLUMNS};
use super::pipe::SheetText;
use crate::error::{Error, Result};

/// The buyer's GSTIN column, after the shared ones. Not named `..._gstin`,
/// so that the seller's stays the one identifier column found by header.
pub const BUYER: &str = "buyer_registration";

/// Whether the file at `path` is an e-invoice's JSON: an object or array
/// whose first 64 KiB name `SellerDtls` and `DocDtls`.
pub fn is_einvoice_json(path: &Path) -> bool {
    gstr_json::json_head(path).is_some_and(|head| {
        (head.starts_with(b"{") || head.starts_with(b"["))
            && [&b"\"SellerDtls\""[..], b"\"DocDtls\""]
                .iter()
                .all(|w| gstr_json::contains(&head, w))
    })
}

/// Opens the e-invoices at `path` as CSV text, made on a thread of its own.
///
/// # Errors
/// [`Error::Read`], [`Error::Workbook`] when the file cannot be read at all.
pub fn open_csv(path: &Path) -> Result<SheetText> {
    let file = File::open(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    super::pipe::spawn("einvoice-json", move |tx| rows(file, &mut gstr_json::Out::new(tx)))
        .map_err(|message| Error::Workbook { path: path.to_path_buf(), message })
}

fn rows(file: File, out: &mut gstr_json::Out<'_>) -> std::result::Result<(), String> {
    let mut header: Vec<String> = COLUMNS.map(String::from).to_vec();
    header.push(BUYER.into());
    out.row(&header)?;
    let mut json = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, file));
    Documents { out: &mut *out }
        .deserialize(&mut json)
        .and_then(|()| json.end())
        .map_err(|e| format!("is not an e-invoice JSON that can be read: {e}"))?;
    out.flush(true)
}

/// One document, or an array of them (each read whole: a document is small).
struct Documents<'o, 't> {
    out: &'o mut gstr_json::Out<'t>,
}

impl<'de> DeserializeSeed<'de> for Documents<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Documents<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an e-invoice object or an array of them")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<(), A::Error> {
        let doc: Map<String, Value> =
            serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        self.out.row(&row(&doc, String::new())).map_err(serde::de::Error::custom)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut i = 0;
        while let Some(doc) = seq.next_element::<Map<String, Value>>()? {
            self.out.row(&row(&doc, format!("[{i}]"))).map_err(serde::de::Error::custom)?;
            i += 1;
        }
        Ok(())
    }
}

/// One e-invoice's row: [`COLUMNS`], then the buyer's GSTIN.
fn row(doc: &Map<String, Value>, source: String) -> Vec<String> {
    let field = |section: &str, key: &str| -> Option<&Value> { doc.get(section)?.get(key) };
    let text = |section: &str, key: &str| match field(section, key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let tax: Vec<f64> = ["IgstVal", "CgstVal", "SgstVal", "CesVal", "StCesVal"]
        .iter()
        .filter_map(|k| field("ValDtls", k).and_then(gstr_json::number))
        .collect();
    let taxable = field("ValDtls", "AssVal").and_then(gstr_json::number);
    let source =
        if source.is_empty() { "DocDtls".to_string() } else { format!("{source}.DocDtls") };
    vec![
        text("SellerDtls", "Gstin"),
        text("SellerDtls", "LglNm"),
        text("DocDtls", "No"),
        gstr_json::iso_date(&text("DocDtls", "Dt")),
        text("DocDtls", "Typ"),
        text("ValDtls", "TotInvVal"),
        taxable.map(gstr_json::money).unwrap_or_default(),
        if tax.is_empty() { String::new() } else { gstr_json::money(tax.iter().sum()) },
        String::new(),
        source,
        text("BuyerDtls", "Gstin"),
    ]
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    const DOC: &str = r#"{"Version":"1.1","TranDtls":{"TaxSch":"GST","SupTyp":"B2B"},
        "DocDtls":{"Typ":"INV","No":"RSW/2026/881","Dt":"05/11/2026"},
        "SellerDtls":{"Gstin":"29AAACR5055K1Z3","LglNm":"RAMAN STEEL WORKS PVT LTD","Pin":560001,"Stcd":"29"},
        "BuyerDtls":{"Gstin":"27AAPFU0939F1ZV","LglNm":"ACME UDYOG LLP","Pos":"27"},
        "ItemList":[{"SlNo":"1","HsnCd":"7208","AssAmt":100000,"IgstAmt":18000}],
        "ValDtls":{"AssVal":100000,"IgstVal":18000,"CgstVal":0,"SgstVal":0,"CesVal":0,"TotInvVal":118000}}"#;

    fn csv_of(json: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.json");
        std::fs::write(&path, json).unwrap();
        assert!(is_einvoice_json(&path));
        let mut text = String::new();
        open_csv(&path).unwrap().read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn one_document_or_an_array() {
        let one = csv_of(DOC);
        let want = "29AAACR5055K1Z3,RAMAN STEEL WORKS PVT LTD,RSW/2026/881,2026-11-05,INV,118000,\
                    100000.00,18000.00,,DocDtls,27AAPFU0939F1ZV";
        assert_eq!(one.lines().nth(1).unwrap(), want);
        assert!(
            one.starts_with("gstin,party_name,") && one.lines().next().unwrap().ends_with(BUYER)
        );
        let two = csv_of(&format!("[{DOC},{DOC}]"));
        assert_eq!(two.lines().count(), 3);
        assert!(two.lines().nth(2).unwrap().contains(",[1].DocDtls,"));
    }
}
