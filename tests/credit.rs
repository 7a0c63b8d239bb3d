//! `gstbatch verify` on a purchase register (SPEC.md 7.3): the supplier's
//! registration on each document's date, from the same paid answer.

use crate::emulator::Emulator;
use crate::util::{Dir, report_rows};
use crate::verify::{A, B, NOW, verify};

#[test]
fn spec_7_3_status_on_the_invoice_date_from_one_answer_per_supplier() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    // Registered 2017-07-01, cancelled from 2024-03-15.
    emu.register(B, "RAMAN STEEL PRIVATE LIMITED", "", "Cancelled");
    let dir = Dir::new();
    dir.write(
        "register.csv",
        format!(
            "Supplier GSTIN,Invoice No,Invoice Date,Taxable Value\n\
             {A},A-1,05/11/2026,1000\n\
             {A},A-0,2017-06-30,10\n\
             {B},R-1,14-03-2024,500\n\
             {B},R-2,15-Mar-2024,700\n\
             {B},R-3,,900\n\
             {A},A-2,someday,50\n\
             27AAPFU0939F1ZX,T-1,05/11/2026,5\n"
        ),
    );
    let run = verify(
        &dir,
        &emu,
        &["register.csv", "--date-column", "Invoice Date", "--now", NOW, "--summary", "s.json"],
    )
    .run(1);
    let rows = report_rows(&run.stdout());
    let col = |c: &str| rows.iter().map(|r| r[c].as_str()).collect::<Vec<_>>();
    assert_eq!(
        col("gstbatch_status_on_date"),
        ["registered", "before_registration", "registered", "after_cancellation", "", "", ""]
    );
    let messages = col("gstbatch_message");
    assert!(
        messages[1].contains("before the supplier's registration on 2017-07-01"),
        "{messages:?}"
    );
    assert!(messages[3].contains("cancellation from 2024-03-15"), "{messages:?}");
    assert!(
        messages[5].contains("column 3 (\"Invoice Date\")") && messages[5].contains("someday"),
        "{messages:?}"
    );
    assert_eq!(messages[0], "");
    // The column sits beside the registration's dates.
    let out = run.stdout();
    let header: Vec<&str> = out.lines().next().unwrap().split(',').collect();
    let at = |c: &str| header.iter().position(|h| *h == c).unwrap();
    assert_eq!(at("gstbatch_status_on_date"), at("gstbatch_cancellation_date") + 1);
    // One paid call per supplier, however many invoices.
    assert_eq!(emu.lock().paid, 2);
    let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(summary["by_status_on_date"]["after_cancellation"], 1);
    assert_eq!(summary["by_status_on_date"]["registered"], 2);
}

#[test]
fn every_invoice_of_an_active_supplier_on_its_dates_is_exit_0_and_a_pan_run_refuses_the_flag() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    let dir = Dir::new();
    dir.write("r.csv", format!("GSTIN,Date\n{A},2026-11-05\n{A},2020-01-01\n{A},\n"));
    let run = verify(&dir, &emu, &["r.csv", "--date-column", "2", "-q"]).run(0);
    assert_eq!(report_rows(&run.stdout()).len(), 3);
    // Without the flag, the report is as before: no such column.
    let plain = verify(&dir, &emu, &["r.csv", "-q"]).run(0);
    assert!(!plain.stdout().contains("gstbatch_status_on_date"));
    let pan =
        verify(&dir, &emu, &["r.csv", "--kind", "pan", "--date-column", "2", "--consent"]).run(2);
    assert!(pan.stderr().contains("--date-column is for GSTINs"), "{}", pan.stderr());
    let missing = verify(&dir, &emu, &["r.csv", "--date-column", "Invoice Date"]).run(2);
    assert!(missing.stderr().contains("--date-column"), "{}", missing.stderr());
}

#[test]
fn an_xlsx_report_fills_an_invoice_dated_before_the_registration() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    let dir = Dir::new();
    dir.write("r.csv", format!("GSTIN,Date\n{A},2020-01-01\n{A},2017-01-01\n"));
    verify(&dir, &emu, &["r.csv", "--date-column", "Date", "-o", "r.xlsx", "-q"]).run(1);
    // The supplier is active: only the invoice before its registration is filled.
    assert_eq!(crate::workbook::styled_rows(&dir.join("r.xlsx")), [false, true]);
}

#[test]
fn the_portal_s_2b_json_is_judged_on_each_document_date_as_readme_shows() {
    // README: `gstbatch verify gstr2b.json --date-column document_date`.
    let emu = Emulator::start();
    // Raman Steel cancelled from 2024-03-15 (the emulator's date): every
    // invoice of November 2026 is after it.
    emu.register(B, "RAMAN STEEL PRIVATE LIMITED", "", "Cancelled");
    emu.register("24AAACC1206D1ZM", "CHEMPLAST GUJARAT LTD", "", "Active");
    let dir = Dir::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/gstr2b.json");
    let run = verify(&dir, &emu, &["--date-column", "document_date", "-q"]).arg_path(sample).run(1);
    let rows = report_rows(&run.stdout());
    let of = |g: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r["gstin"] == g)
            .map(|r| r["gstbatch_status_on_date"].clone())
            .collect()
    };
    assert!(of(B).len() >= 2 && of(B).iter().all(|s| s == "after_cancellation"), "{:?}", of(B));
    assert_eq!(of("24AAACC1206D1ZM"), ["registered"]);
    // The supplier with a typo in its GSTIN is malformed: not asked, not judged.
    assert_eq!(of("33AAACT2727Q1ZX"), [""]);
    assert_eq!(emu.lock().paid, 2, "each supplier once, however many invoices");
}
