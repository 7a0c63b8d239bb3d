use std::io::Read;

use super::*;

#[test]
fn a_large_stated_count_of_shared_strings_is_counted_and_an_honest_one_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, text) in ["GSTIN", "a", "b"].into_iter().enumerate() {
        ws.write_string(r as u32, 0, text).unwrap();
    }
    book.save(&path).unwrap();
    // Trusting none: the three strings are counted, and agree.
    assert_eq!(shared_strings_count(&path, 0), Ok(()));
    assert_eq!(shared_strings_count(&path, 1 << 20), Ok(()));
    let csv = dir.path().join("x.xlsx");
    std::fs::write(&csv, "GSTIN\n").unwrap();
    assert_eq!(shared_strings_count(&csv, 0), Ok(()), "calamine words that one");
}

fn text_of(pieces: Vec<Piece>) -> SheetText {
    let (tx, rx) = std::sync::mpsc::sync_channel(pieces.len() + 1);
    for p in pieces {
        tx.send(p).unwrap();
    }
    SheetText::new(rx)
}

#[test]
fn pieces_read_back_whole_at_any_read_size() {
    let pieces = || {
        vec![
            Piece::Text(b"GSTIN\n27AAPF".to_vec()),
            Piece::Text(Vec::new()),
            Piece::Text(b"U0939F1ZV\n".to_vec()),
            Piece::Done,
        ]
    };
    let mut all = Vec::new();
    text_of(pieces()).read_to_end(&mut all).unwrap();
    assert_eq!(all, b"GSTIN\n27AAPFU0939F1ZV\n");
    let mut text = text_of(pieces());
    let mut one = Vec::new();
    let mut byte = [0u8; 1];
    while text.read(&mut byte).unwrap() == 1 {
        one.push(byte[0]);
    }
    assert_eq!(one, all);
    // Done stays done.
    assert_eq!(text.read(&mut byte).unwrap(), 0);
}

#[test]
fn damage_midway_is_a_sheet_error_and_a_vanished_reader_never_an_end() {
    let mut text =
        text_of(vec![Piece::Text(b"GSTIN\n".to_vec()), Piece::Failed("out of order".into())]);
    let mut all = Vec::new();
    let e = text.read_to_end(&mut all).unwrap_err();
    assert_eq!(all, b"GSTIN\n");
    let sheet =
        e.get_ref().and_then(|i| i.downcast_ref::<crate::input::pipe::SheetError>()).unwrap();
    assert_eq!(sheet.0, "out of order");

    // The thread gone without a last word (it panicked): an error, not
    // a shortened sheet read as whole.
    let mut text = text_of(vec![Piece::Text(b"GSTIN\n".to_vec())]);
    let e = text.read_to_end(&mut Vec::new()).unwrap_err();
    assert!(e.to_string().contains("stopped before the end"), "{e}");
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

#[test]
fn a_second_header_row_is_folded_in_only_when_it_names_the_header_s_gaps() {
    let head = row(&["GSTIN of supplier", "Invoice Details", "", "", "Taxable Value"]);
    let merged = |sub: &[&str]| {
        let mut held = vec![(4, head.clone()), (5, row(sub)), (6, row(&["27AAPFU0939F1ZV"]))];
        merge_sub_header(&mut held, 4);
        held
    };
    let held = merged(&["", "Invoice number", "Invoice Date", "Invoice Value"]);
    assert_eq!(
        held[0].1,
        row(&[
            "GSTIN of supplier",
            "Invoice number",
            "Invoice Date",
            "Invoice Value",
            "Taxable Value"
        ])
    );
    assert!(held[1].1.is_empty(), "the folded row becomes a blank line");
    // Data with a blank GSTIN: amounts, or a GSTIN, or one cell, stay data.
    for sub in [
        &["", "INV-1", "05/11/2026", "1180"][..],
        &["27AAPFU0939F1ZV", "INV-1", "Regular"],
        &["", "", "walk-in"],
    ] {
        assert_eq!(merged(sub)[1].1, row(sub), "{sub:?}");
    }
}

#[test]
fn a_label_beside_its_value_is_no_header() {
    assert!(is_header(&row(&["GSTIN of supplier", "Trade/Legal name"])));
    assert!(is_header(&row(&["Name", "GSTIN"])));
    assert!(!is_header(&row(&["GSTIN", "27AAPFU0939F1ZV"])));
    assert!(!is_header(&row(&["PAN", "AAPFU0939F"])));
    assert!(!is_header(&row(&["Financial Year", "2026-27"])));
}
