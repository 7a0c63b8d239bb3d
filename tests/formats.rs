//! Input formats beyond CSV and workbooks, known by their content: the
//! portal's return JSON (GSTR-2B here; 2A and GSTR-1 in the unit tests).

use crate::emulator::{Emulator, KEY, SECRET};
use crate::util::{Dir, report_rows, sample};
use crate::verify::NOW;

#[test]
fn a_gstr_2b_download_is_validated_one_row_per_document() {
    let run = Dir::new().cmd().arg_path_first("validate", sample("gstr2b.json")).run(1);
    let rows = report_rows(&run.stdout());
    assert_eq!(rows.len(), 5);
    let doc = |i: usize, col: &str| rows[i][col].clone();
    assert_eq!(doc(0, "gstin"), "29AAACR5055K1Z3");
    assert_eq!(doc(0, "party_name"), "RAMAN STEEL WORKS");
    assert_eq!(doc(0, "document_date"), "2026-11-05");
    assert_eq!(doc(0, "taxable_value"), "100000.00");
    assert_eq!(doc(0, "tax"), "18000.00");
    assert_eq!(doc(3, "gstbatch_code"), "checksum");
    assert_eq!(doc(4, "document_type"), "cdnr/C");
    assert_eq!(doc(4, "source"), "data.docdata.cdnr[0].nt[0]");
    assert!(run.stderr().contains("column 1 \"gstin\""), "{}", run.stderr());
}

#[test]
fn verify_asks_each_supplier_of_a_2b_once() {
    let emu = Emulator::start();
    emu.register("29AAACR5055K1Z3", "RAMAN STEEL WORKS", "", "Active");
    emu.register("24AAACC1206D1ZM", "CHEMPLAST GUJARAT LTD", "", "Cancelled");
    let dir = Dir::new();
    let run = dir
        .cmd()
        .arg_path_first("verify", sample("gstr2b.json"))
        .args(["--api-base", &emu.base, "--state", "s.db", "--now", NOW, "--timeout", "5s"])
        .env("GSTBATCH_API_KEY", KEY)
        .env("GSTBATCH_API_SECRET", SECRET)
        .run(1);
    let rows = report_rows(&run.stdout());
    let status: Vec<&str> = rows.iter().map(|r| r["gstbatch_verify_status"].as_str()).collect();
    assert_eq!(status, ["active", "active", "cancelled", "malformed", "active"]);
    assert_eq!(emu.lock().paid, 2, "two valid suppliers, each asked once");
}

#[test]
fn a_return_damaged_half_way_is_exit_2_and_replaces_no_report() {
    let dir = Dir::new();
    let text = std::fs::read_to_string(sample("gstr2b.json")).unwrap();
    dir.write("2b.json", &text[..text.len() * 2 / 3]);
    dir.write("r.csv", "the report before\n");
    let run = dir.cmd().args(["validate", "2b.json", "-o", "r.csv"]).run(2);
    let err = run.stderr();
    assert!(err.contains("2b.json") && err.contains("line"), "{err}");
    assert_eq!(dir.read("r.csv"), "the report before\n");
    assert_eq!(dir.files(), ["2b.json", "r.csv"]);
}

#[test]
fn e_invoices_are_checked_by_their_seller() {
    let run = Dir::new().cmd().arg_path_first("validate", sample("einvoices.json")).run(1);
    let rows = report_rows(&run.stdout());
    let col = |c: &str| rows.iter().map(|r| r[c].clone()).collect::<Vec<_>>();
    assert_eq!(col("gstin"), ["29AAACR5055K1Z3", "24AAACC1206D1ZM", "33AAACT2727Q1ZX"]);
    assert_eq!(col("gstbatch_status"), ["valid", "valid", "invalid"]);
    assert_eq!(col("document_type"), ["INV", "INV", "CRN"]);
    assert_eq!(col("document_date")[2], "2026-11-21");
    assert_eq!(col("tax"), ["18000.00", "3600.00", "180.00"]);
    assert!(col("buyer_registration").iter().all(|b| b == "27AAPFU0939F1ZV"));
    // The buyer's column is checked when asked for by name.
    let buyer = Dir::new()
        .cmd()
        .arg_path_first("validate", sample("einvoices.json"))
        .args(["--column", "buyer_registration", "-q"])
        .run(0);
    assert_eq!(report_rows(&buyer.stdout()).len(), 3);
}

#[test]
fn a_utf16_tally_export_gives_its_ledgers_and_vouchers() {
    let run = Dir::new().cmd().arg_path_first("validate", sample("tally-export.xml")).run(1);
    let rows = report_rows(&run.stdout());
    let col = |c: &str| rows.iter().map(|r| r[c].clone()).collect::<Vec<_>>();
    // Three ledgers with a GSTIN (Cash has none), then four vouchers.
    assert_eq!(
        col("document_type"),
        ["ledger", "ledger", "ledger", "Purchase", "Purchase", "Purchase", "Debit Note"]
    );
    assert_eq!(col("source")[6], "VOUCHER[4] line 59");
    assert_eq!(col("document_date")[3], "2026-11-05");
    assert_eq!(col("party_name")[1], "Chemplast Gujarat Ltd");
    assert_eq!(col("gstbatch_code")[2], "checksum");
    // Only the vouchers, for a purchase register: --only-invalid shows the typo's.
    let bad = Dir::new()
        .cmd()
        .arg_path_first("validate", sample("tally-export.xml"))
        .args(["--only-invalid", "-q"])
        .run(1);
    assert_eq!(report_rows(&bad.stdout()).len(), 2);
}

#[test]
fn input_format_overrides_what_the_content_says() {
    let dir = Dir::new();
    std::fs::copy(sample("tally-export.xml"), dir.join("daybook")).unwrap();
    std::fs::copy(sample("gstr2b.json"), dir.join("2b.txt")).unwrap();
    // Known by content, whatever the name.
    let run = dir.cmd().args(["validate", "daybook", "-q"]).run(1);
    assert_eq!(report_rows(&run.stdout()).len(), 7);
    assert_eq!(report_rows(&dir.cmd().args(["validate", "2b.txt", "-q"]).run(1).stdout()).len(), 5);
    // Told otherwise: the JSON as CSV has no GSTIN column to find.
    let run = dir.cmd().args(["validate", "2b.txt", "--input-format", "csv"]).run(2);
    assert!(run.stderr().contains("no GSTIN or PAN column"), "{}", run.stderr());
    // A format the content does not have is exit 2 naming the file.
    let run = dir.cmd().args(["validate", "2b.txt", "--input-format", "tally-xml"]).run(2);
    assert!(run.stderr().contains("2b.txt"), "{}", run.stderr());
    let run = dir.cmd().args(["validate", "-", "--input-format", "e-invoice"]).stdin("{}").run(2);
    assert!(run.stderr().contains("standard input"), "{}", run.stderr());
    let apply = dir.cmd().args(["access", "apply", "2b.txt", "--state", "s.db"]);
    assert!(apply.args(["--input-format", "gstr-json"]).run(2).stderr().contains("access apply"));
    assert!(!dir.join("s.db").exists());
}
