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

const C: &str = "33AAACT2727Q1Z3";
const D: &str = "24AAACC1206D1ZM";
const Y: &str = "07INZJA5968H1ZG";

/// A monthly filer's returns: GSTR-1 on the 10th and GSTR-3B on the 19th
/// of the next month, for each `MMYYYY` in `periods`; `late_3b` filed on
/// the date given instead.
fn monthly(periods: &[&str], late_3b: &[(&str, &str)]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for p in periods {
        let (m, y): (u32, i32) = (p[..2].parse().unwrap(), p[2..].parse().unwrap());
        let (nm, ny) = if m == 12 { (1, y + 1) } else { (m + 1, y) };
        out.push(("GSTR1".into(), p.to_string(), format!("10-{nm:02}-{ny}")));
        let dof = late_3b
            .iter()
            .find(|(lp, _)| lp == p)
            .map_or(format!("19-{nm:02}-{ny}"), |l| l.1.to_string());
        out.push(("GSTR3B".into(), p.to_string(), dof));
    }
    out
}

fn months(from: u32, to: u32, year: i32) -> Vec<String> {
    // Months `from`..=`to` of a financial year starting in `year` (4 = April).
    (from..=to)
        .map(|i| {
            let m = (i - 1) % 12 + 1;
            let y = if m < 4 { year + 1 } else { year };
            format!("{m:02}{y}")
        })
        .collect()
}

fn filed(emu: &Emulator, gstin: &str, fy: &str, list: &[(String, String, String)]) {
    let list: Vec<(&str, &str, &str)> =
        list.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    emu.filings(gstin, fy, &list);
}

/// The purchase register sample's suppliers, as the provider knows them.
fn the_register_s_suppliers() -> Emulator {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.register(B, "RAMAN STEEL PRIVATE LIMITED", "", "Active");
    emu.register(C, "TRICHY TEXTILES", "", "Active");
    // Yamuna Traders: cancelled from 2024-03-15, nothing filed since.
    emu.register(Y, "YAMUNA TRADERS", "", "Cancelled");
    // Acme: every return of 2025-26, October's GSTR-3B late; in 2026-27
    // up to September, then October's GSTR-1 only.
    let fy25 = months(4, 15, 2025);
    filed(
        &emu,
        A,
        "FY 2025-26",
        &monthly(&fy25.iter().map(String::as_str).collect::<Vec<_>>(), &[("102025", "25-11-2025")]),
    );
    let mut fy26 = monthly(&months(4, 9, 2026).iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    fy26.push(("GSTR1".into(), "102026".into(), "11-11-2026".into()));
    filed(&emu, A, "FY 2026-27", &fy26);
    // Raman Steel: GSTR-1 all year, GSTR-3B only to September.
    let mut raman: Vec<_> =
        monthly(&months(4, 9, 2025).iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    raman.extend(
        months(10, 15, 2025)
            .into_iter()
            .map(|p| ("GSTR1".to_string(), p, "10-01-2026".to_string())),
    );
    filed(&emu, B, "FY 2025-26", &raman);
    // Trichy Textiles files quarterly (Tamil Nadu: GSTR-3B by the 22nd):
    // three quarters of 2025-26, not the last.
    let q: Vec<(String, String, String)> =
        [("062025", "07-2025"), ("092025", "10-2025"), ("122025", "01-2026")]
            .iter()
            .flat_map(|(p, m)| {
                [
                    ("GSTR1".to_string(), p.to_string(), format!("13-{m}")),
                    ("GSTR3B".to_string(), p.to_string(), format!("22-{m}")),
                ]
            })
            .collect();
    filed(&emu, C, "FY 2025-26", &q);
    emu.lock().flat_returns.push(C.to_string());
    emu
}

const TODAY: &str = "2026-12-06 10:00";
const ALL_2025: &str = "2025-04 2025-05 2025-06 2025-07 2025-08 2025-09 2025-10 2025-11 2025-12 2026-01 2026-02 2026-03";

#[test]
fn spec_7_3_return_filing_on_the_purchase_register_sample() {
    let emu = the_register_s_suppliers();
    let dir = Dir::new();
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/purchase-register.csv");
    let args = [
        "--returns",
        "2025-26",
        "--date-column",
        "Invoice Date",
        "--value-column",
        "Taxable Value",
        "--name-column",
        "Supplier",
        "--now",
        TODAY,
        "--summary",
        "s.json",
    ];
    let run = verify(&dir, &emu, &args).arg_path(sample.clone()).run(1);
    let rows = report_rows(&run.stdout());
    let col = |c: &str| rows.iter().map(|r| r[c].as_str()).collect::<Vec<_>>();
    assert_eq!(
        col("gstbatch_filing_frequency"),
        ["monthly", "monthly", "quarterly", "monthly", "monthly", "", "monthly"]
    );
    assert_eq!(
        col("gstbatch_gstr1_last"),
        ["2026-03", "2026-03", "2025-12", "2026-03", "2026-03", "", ""]
    );
    assert_eq!(
        col("gstbatch_gstr3b_last"),
        ["2026-03", "2025-09", "2025-12", "2026-03", "2026-03", "", ""]
    );
    assert_eq!(
        col("gstbatch_gstr3b_missing"),
        ["", "2025-10 2025-11 2025-12 2026-01 2026-02 2026-03", "2026-03", "", "", "", ALL_2025]
    );
    assert_eq!(
        col("gstbatch_gstr1_filed"),
        ["yes", "late 2026-01-10", "yes", "yes", "no", "", "no"]
    );
    assert_eq!(
        col("gstbatch_gstr3b_filed"),
        ["late 2025-11-25", "no", "yes", "no", "no", "", "no"]
    );
    // Yamuna's invoice is after its cancellation, whatever it filed.
    assert_eq!(col("gstbatch_status_on_date")[6], "after_cancellation");
    assert_eq!(
        col("gstbatch_itc_risk"),
        ["none", "rule_37a", "none", "tax_not_paid", "not_in_2b_yet", "", "rule_37a"]
    );
    let messages = col("gstbatch_message");
    assert!(messages[1].contains("Rule 37A") && messages[1].contains("2025-11"), "{}", messages[1]);
    assert!(messages[3].contains("has not been paid"), "{}", messages[3]);
    assert!(messages[4].contains("not in your GSTR-2B yet"), "{}", messages[4]);
    assert!(messages[5].contains("no such registration"), "{}", messages[5]);
    let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(summary["suppliers_missing_gstr3b"], 3);
    assert_eq!(summary["invoices_at_risk"], 4);
    assert_eq!(summary["value_at_risk"], 28000.0);
    assert!(
        run.stderr().contains("3 suppliers with a GSTR-3B missing, 4 invoices"),
        "{}",
        run.stderr()
    );
    // Five searches, and one return-tracking call per supplier and year:
    // Acme's two years, the others' one; none for the GSTIN GSTN does not
    // know.
    let tracked =
        |e: &crate::emulator::State| e.attempts.keys().filter(|k| k.starts_with("track ")).count();
    {
        let e = emu.lock();
        assert_eq!((e.paid, tracked(&e)), (10, 5), "{:?}", e.attempts);
    }
    // A rerun the same day pays nothing: every answer is in the store.
    let again = verify(&dir, &emu, &args).arg_path(sample.clone()).run(1);
    assert_eq!(report_rows(&again.stdout()).len(), 7);
    assert_eq!(emu.lock().paid, 10);
    // Returns get filed every month: their own --returns-max-age (1 day by
    // default; 0 always asks) while the registrations stay cached.
    let mut fresh = args.to_vec();
    fresh.extend(["--returns-max-age", "0"]);
    verify(&dir, &emu, &fresh).arg_path(sample.clone()).run(1);
    assert_eq!(emu.lock().paid, 15);
}

#[test]
fn returns_honour_the_budget_dry_run_offline_and_a_stop() {
    let emu = the_register_s_suppliers();
    let dir = Dir::new();
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/purchase-register.csv");
    let base = ["--returns", "2025-26", "--date-column", "Invoice Date", "--now", TODAY, "-q"];
    // --dry-run and --offline make no call of either kind.
    let dry =
        verify(&dir, &emu, &[&base[..], &["--dry-run"]].concat()).arg_path(sample.clone()).run(1);
    assert!(report_rows(&dry.stdout()).iter().all(|r| r["gstbatch_itc_risk"].is_empty()));
    verify(&dir, &emu, &[&base[..], &["--offline"]].concat()).arg_path(sample.clone()).run(1);
    assert_eq!(emu.lock().paid, 0);
    // --max-calls is one budget for both kinds of call.
    verify(&dir, &emu, &[&base[..], &["--max-calls", "5"]].concat())
        .arg_path(sample.clone())
        .run(1);
    assert_eq!(emu.lock().paid, 5);
    // Credits running out stop the return tracking too.
    let emu = the_register_s_suppliers();
    emu.lock().credits = Some(4);
    let dir = Dir::new();
    let run = verify(&dir, &emu, &base).arg_path(sample.clone()).run(1);
    let rows = report_rows(&run.stdout());
    assert!(rows.iter().all(|r| r["gstbatch_itc_risk"].is_empty()), "{rows:?}");
    assert!(
        rows[0]["gstbatch_message"].contains("Insufficient credits"),
        "{}",
        rows[0]["gstbatch_message"]
    );
    assert_eq!(emu.lock().paid, 4);
    // A --returns run on PANs is refused.
    let pan = verify(&dir, &emu, &["--returns", "2025-26", "--kind", "pan", "--consent"])
        .arg_path(sample.clone())
        .run(2);
    assert!(pan.stderr().contains("--returns is for GSTINs"), "{}", pan.stderr());
    let bad = verify(&dir, &emu, &["--returns", "2025-27"]).arg_path(sample.clone()).run(2);
    assert!(bad.stderr().contains("does not follow"), "{}", bad.stderr());
}

#[test]
fn a_supplier_with_nothing_filed_misses_every_gstr3b_due_and_the_xlsx_marks_the_risks() {
    let emu = the_register_s_suppliers();
    // Chemplast is registered but has filed nothing: RET13510.
    emu.register(D, "CHEMPLAST GUJARAT LTD", "", "Active");
    let dir = Dir::new();
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/purchase-register.csv");
    let args = ["--returns", "FY 2025-26", "--date-column", "4", "--now", TODAY, "-q"];
    let run = verify(&dir, &emu, &args).arg_path(sample.clone()).run(1);
    let rows = report_rows(&run.stdout());
    let d = &rows[5];
    assert_eq!(
        d["gstbatch_gstr3b_missing"].split(' ').count(),
        12,
        "{}",
        d["gstbatch_gstr3b_missing"]
    );
    assert_eq!(
        (
            d["gstbatch_gstr1_last"].as_str(),
            d["gstbatch_gstr3b_filed"].as_str(),
            d["gstbatch_itc_risk"].as_str()
        ),
        ("", "no", "rule_37a")
    );
    // A year the provider will not answer for is a provider error, paid and not kept.
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.faults(
        &format!("track {A} FY 2025-26"),
        vec![crate::emulator::Fault::Raw(
            200,
            r#"{"code":200,"data":{"status_cd":"0","error":{"error_cd":"RET11416","message":"Select valid FY"}}}"#.into(),
        )],
    );
    let dir2 = Dir::new();
    dir2.write("r.csv", format!("GSTIN\n{A}\n"));
    let run = verify(&dir2, &emu, &["r.csv", "--returns", "2025-26", "--now", TODAY, "-q"]).run(1);
    let row = &report_rows(&run.stdout())[0];
    assert!(row["gstbatch_message"].contains("Select valid FY"), "{}", row["gstbatch_message"]);
    // The workbook: the invoice with no risk plain, the rest filled.
    verify(&dir, &emu_for_xlsx(), &[&args[..], &["-o", "r.xlsx"]].concat()).arg_path(sample).run(1);
    assert_eq!(
        crate::workbook::styled_rows(&dir.join("r.xlsx")),
        [false, true, true, true, true, true, true]
    );
}

fn emu_for_xlsx() -> Emulator {
    let emu = the_register_s_suppliers();
    emu.register(D, "CHEMPLAST GUJARAT LTD", "", "Active");
    emu
}

#[test]
fn a_killed_returns_run_never_pays_twice_for_what_it_stored() {
    let (emu, ids, dir) = crate::verify::active_vendors(16, std::time::Duration::from_millis(150));
    let args = ["v.csv", "-q", "--concurrency", "2", "--returns", "2025-26", "--now", TODAY];
    let tracked = |emu: &Emulator| {
        let e = emu.lock();
        e.attempts.keys().filter(|k| k.starts_with("track ")).count()
    };
    let mut child = verify(&dir, &emu, &args).spawn();
    let started = std::time::Instant::now();
    while tracked(&emu) < 6 {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(1200)); // a group commit
    child.kill().unwrap();
    child.wait().unwrap();
    let stored: Vec<String> = {
        let conn = rusqlite::Connection::open(dir.join("s.db")).unwrap();
        let mut st = conn.prepare("SELECT identifier FROM answers WHERE kind = 'returns'").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(stored.len() >= 4, "only {} return answers were stored", stored.len());
    assert!(stored.iter().all(|k| k.ends_with(" FY 2025-26")), "{stored:?}");
    let before = emu.lock().attempts.clone();
    verify(&dir, &emu, &args).run(1);
    let after = emu.lock().attempts.clone();
    for key in &stored {
        let asked = format!("track {key}");
        assert_eq!(after[&asked], before[&asked], "{key} was stored, then asked again");
    }
    assert_eq!(after.keys().filter(|k| k.starts_with("track ")).count(), ids.len());
}

#[test]
fn returns_current_and_previous_are_relative_to_now() {
    for (flag, fy) in [("current", "FY 2026-27"), ("previous", "FY 2025-26")] {
        let emu = Emulator::start();
        emu.register(A, "ACME UDYOG LLP", "", "Active");
        let dir = Dir::new();
        dir.write("r.csv", format!("GSTIN\n{A}\n"));
        verify(&dir, &emu, &["r.csv", "--returns", flag, "--now", TODAY, "-q"]).run(1);
        let asked: Vec<String> =
            emu.lock().attempts.keys().filter(|k| k.starts_with("track")).cloned().collect();
        assert_eq!(asked, [format!("track {A} {fy}")], "{flag}");
    }
}
