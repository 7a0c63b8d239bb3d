//! Workbooks written here with rust_xlsxwriter and read by gstbatch.

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::util::Dir;

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let h = rdr.headers().unwrap().iter().map(String::from).collect();
    (h, rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect())
}

fn col(h: &[String], name: &str) -> usize {
    h.iter().position(|c| c == name).unwrap_or_else(|| panic!("no {name} in {h:?}"))
}

/// A vendor master as accountants keep it: a merged title row, a blank
/// row, then the header on row 3; numbers, dates, codes with leading zeros,
/// a formula.
fn vendor_master(path: &std::path::Path) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let ws = book.add_worksheet();
    ws.set_name("Vendors").unwrap();
    ws.merge_range(0, 0, 0, 5, "Vendor master FY 2025-26", &Format::new().set_bold()).unwrap();
    for (c, h) in ["Code", "Vendor Name", "GSTIN", "Amount", "Since", "Check"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_string(3, 0, "00123").unwrap();
    ws.write_string(3, 1, "Acme Udyog LLP").unwrap();
    ws.write_string(3, 2, "27AAPFU0939F1ZV").unwrap();
    ws.write_number(3, 3, 120000.0).unwrap();
    ws.write_datetime_with_format(3, 4, ExcelDateTime::from_ymd(2026, 11, 1).unwrap(), &date)
        .unwrap();
    ws.write_formula(3, 5, Formula::new("=1+1").set_result("2")).unwrap();
    ws.write_string(4, 0, "00124").unwrap();
    ws.write_string(4, 1, "Typo, Traders").unwrap();
    ws.write_string(4, 2, "27AAPFU0939F1ZX").unwrap();
    ws.write_number(4, 3, 99.5).unwrap();
    // Row 6 is empty; row 7 has a value.
    ws.write_string(6, 2, "29AAACR5055K1Z3").unwrap();
    book.save(path).unwrap();
}

#[test]
fn xlsx_cells_read_as_a_person_sees_them_with_spreadsheet_row_numbers() {
    let dir = Dir::new();
    vendor_master(&dir.join("vendors.xlsx"));
    let run = dir.cmd().args(["validate", "vendors.xlsx", "-q"]).run(1);
    let (h, rows) = csv_rows(&run.stdout());
    assert_eq!(&h[..6], ["Code", "Vendor Name", "GSTIN", "Amount", "Since", "Check"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0][..6],
        ["00123", "Acme Udyog LLP", "27AAPFU0939F1ZV", "120000", "2026-11-01", "2"]
    );
    assert_eq!(rows[1][1], "Typo, Traders");
    assert_eq!(rows[1][3], "99.5");
    let row = col(&h, "gstbatch_row");
    assert_eq!([&rows[0][row], &rows[1][row], &rows[2][row]], ["4", "5", "7"]);
    assert_eq!(rows[1][col(&h, "gstbatch_code")], "checksum");
}

#[test]
fn hidden_sheets_are_skipped_and_sheets_chosen_by_name_or_number() {
    let dir = Dir::new();
    let mut book = Workbook::new();
    let old = book.add_worksheet();
    old.set_name("Old").unwrap();
    old.write_string(0, 0, "GSTIN").unwrap();
    old.write_string(1, 0, "27AAPFU0939F1ZX").unwrap();
    old.set_hidden(true);
    let now = book.add_worksheet();
    now.set_name("Vendors 2025 – पुणे").unwrap();
    now.write_string(0, 0, "GSTIN").unwrap();
    now.write_string(1, 0, "27AAPFU0939F1ZV").unwrap();
    // Excel never hides the active sheet: make this one active.
    now.set_active(true);
    let empty = book.add_worksheet();
    empty.set_name("Empty").unwrap();
    book.save(dir.join("book.xlsx")).unwrap();
    // Default: the first visible worksheet, which is valid.
    dir.cmd().args(["validate", "book.xlsx", "-q"]).run(0);
    dir.cmd().args(["validate", "book.xlsx", "-q", "--sheet", "Vendors 2025 – पुणे"]).run(0);
    // The hidden one on request, by number.
    dir.cmd().args(["validate", "book.xlsx", "-q", "--sheet", "1"]).run(1);
    let run = dir.cmd().args(["validate", "book.xlsx", "--sheet", "Empty"]).run(2);
    assert!(run.stderr().contains("no header row"), "{}", run.stderr());
    let run = dir.cmd().args(["validate", "book.xlsx", "--sheet", "Nope"]).run(2);
    assert!(run.stderr().contains("no sheet \"Nope\""), "{}", run.stderr());
    assert!(run.stderr().contains("\"Old\""), "{}", run.stderr());
}

#[test]
fn not_a_workbook_or_a_damaged_one_is_exit_2() {
    let dir = Dir::new();
    dir.write("renamed.xlsx", "GSTIN\n27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["validate", "renamed.xlsx"]).run(2);
    assert!(
        run.stderr().contains("renamed.xlsx: cannot be read as a workbook"),
        "{}",
        run.stderr()
    );
    vendor_master(&dir.join("good.xlsx"));
    let bytes = std::fs::read(dir.join("good.xlsx")).unwrap();
    dir.write("cut.xlsx", &bytes[..bytes.len() / 2]);
    let run = dir.cmd().args(["validate", "cut.xlsx"]).run(2);
    assert!(run.stderr().contains("cannot be read as a workbook"), "{}", run.stderr());
    assert!(!run.stderr().contains("panicked"));
}

#[test]
fn access_instructions_from_a_workbook_with_date_time_cells() {
    let dir = Dir::new();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["GSTIN", "Action", "Duration", "Effective At"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "27AAPFU0939F1ZV").unwrap();
    ws.write_string(1, 1, "Yes").unwrap();
    ws.write_string(1, 2, "7 days").unwrap();
    let when = ExcelDateTime::from_ymd(2026, 11, 26).unwrap().and_hms(9, 30, 0).unwrap();
    ws.write_datetime_with_format(1, 3, when, &Format::new().set_num_format("dd/mm/yyyy hh:mm"))
        .unwrap();
    book.save(dir.join("i.xlsx")).unwrap();
    let run = dir
        .cmd()
        .args(["access", "apply", "i.xlsx", "--state", "s.db", "--now", "2026-11-26 18:00", "-q"])
        .run(0);
    assert!(
        run.stdout().contains("2,27AAPFU0939F1ZV,Yes,7d,2026-11-26T09:30:00+05:30,enabled,"),
        "{}",
        run.stdout()
    );
    // A GSTIN list as a workbook for status.
    let mut list = Workbook::new();
    let ws = list.add_worksheet();
    ws.write_string(0, 0, "GSTIN").unwrap();
    ws.write_string(1, 0, "27AAPFU0939F1ZV").unwrap();
    list.save(dir.join("list.xlsx")).unwrap();
    let run = dir
        .cmd()
        .args([
            "access",
            "status",
            "--state",
            "s.db",
            "--now",
            "2026-11-26 18:00",
            "--gstins",
            "list.xlsx",
            "-q",
        ])
        .run(0);
    assert_eq!(run.stdout().lines().count(), 2, "{}", run.stdout());
}

/// The cells of a sheet of an `.xlsx` file, as text.
pub fn read_sheet(path: &std::path::Path, sheet: &str) -> Vec<Vec<String>> {
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// For each data row of the first sheet (2, 3, ...), whether its cells
/// carry a style, read from the sheet's XML inside the workbook.
pub fn styled_rows(path: &std::path::Path) -> Vec<bool> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut xml).unwrap();
    xml.split("<row ").skip(2).map(|row| row.contains(" s=\"")).collect()
}

#[test]
fn validate_writes_an_xlsx_report_with_text_cells_fills_and_a_summary() {
    let dir = Dir::new();
    dir.write(
        "in.csv",
        "Name,GSTIN,Phone\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",27AAPFU0939F1ZV,+91 98200 00000\n00042,27AAPFU0939F1ZX,@sum\nOK,29AAACR5055K1Z3,-1\n",
    );
    let run = dir.cmd().args(["validate", "in.csv", "-o", "report.xlsx"]).run(1);
    assert!(run.stderr().contains("report: report.xlsx"), "{}", run.stderr());
    let path = dir.join("report.xlsx");
    let cells = read_sheet(&path, "Results");
    assert_eq!(cells.len(), 4);
    assert_eq!(cells[0][..4], ["Name", "GSTIN", "Phone", "gstbatch_row"]);
    // Input cells come back as the same text, never evaluated.
    assert_eq!(cells[1][0], "=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(cells[1][2], "+91 98200 00000");
    assert_eq!(cells[2][0], "00042");
    assert_eq!(cells[2][2], "@sum");
    assert_eq!(cells[3][2], "-1");
    // Row numbers are numbers.
    assert_eq!(cells[1][3], "2");
    // Exactly the failing row is filled.
    assert_eq!(styled_rows(&path), [false, true, false]);
    let summary = read_sheet(&path, "Summary");
    let get = |k: &str| summary.iter().find(|r| r[0] == k).map(|r| r[1].clone());
    assert_eq!(get("Rows").as_deref(), Some("3"));
    assert_eq!(get("Invalid").as_deref(), Some("1"));
    assert_eq!(get("Error: checksum").as_deref(), Some("1"));
    // No staging file is left behind.
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    // Without -o there is nowhere to put a workbook.
    let run = dir.cmd().args(["validate", "in.csv", "--format", "xlsx"]).run(2);
    assert!(run.stderr().contains("needs -o"), "{}", run.stderr());
}

#[test]
fn a_failed_run_leaves_an_earlier_xlsx_report_untouched() {
    let dir = Dir::new();
    dir.cmd().args(["generate", "--rows", "100000", "-o", "in.csv"]).run(0);
    dir.write("report.xlsx", "earlier");
    dir.cmd()
        .args(["validate", "in.csv", "-o", "report.xlsx"])
        .env("GSTBATCH_TEST_FAIL_AFTER_BYTES", "1000000")
        .run(2);
    assert_eq!(dir.read("report.xlsx"), "earlier");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn access_reports_as_workbooks() {
    let dir = Dir::new();
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    dir.cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(samples.join("access-instructions.csv"))
        .args(["--state", "s.db", "--now", "2026-11-26 18:00", "-q", "-o", "apply.xlsx"])
        .run(1);
    let cells = read_sheet(&dir.join("apply.xlsx"), "Results");
    assert_eq!(cells.len(), 14);
    let outcome = cells[0].iter().position(|c| c == "outcome").unwrap();
    let rejected: Vec<bool> = cells[1..].iter().map(|r| r[outcome] == "rejected").collect();
    assert_eq!(styled_rows(&dir.join("apply.xlsx")), rejected);
    dir.cmd()
        .args([
            "access",
            "status",
            "--state",
            "s.db",
            "--now",
            "2026-11-26 18:00",
            "-q",
            "-o",
            "status.xlsx",
        ])
        .run(0);
    let cells = read_sheet(&dir.join("status.xlsx"), "Results");
    let window = cells[0].iter().position(|c| c == "token_window").unwrap();
    let closed: Vec<bool> = cells[1..].iter().map(|r| r[window] == "closed").collect();
    assert_eq!(closed, [false, false, false, true, false]);
    assert_eq!(styled_rows(&dir.join("status.xlsx")), closed);
}

#[test]
fn a_password_protected_workbook_is_exit_2() {
    // samples/vendors.xlsx encrypted with the password "secret" by
    // msoffcrypto-tool (Python), kept as a fixture: no Rust crate here writes
    // encrypted workbooks.
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/password-protected.xlsx");
    let run = Dir::new().cmd().arg_path_first("validate", fixture).run(2);
    assert!(run.stderr().contains("password protected"), "{}", run.stderr());
}

/// A sheet of `rows` vendors (name, GSTIN; every seventh GSTIN has a bad
/// check character) as a workbook, and the same rows as CSV.
fn vendors(dir: &Dir, rows: u32) -> String {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let mut csv = String::from("Name,GSTIN\n");
    ws.write_string(0, 0, "Name").unwrap();
    ws.write_string(0, 1, "GSTIN").unwrap();
    for i in 1..=rows {
        let (name, gstin) = (
            format!("Vendor {i}"),
            ["27AAPFU0939F1ZV", "27AAPFU0939F1ZX"][usize::from(i % 7 == 0)],
        );
        ws.write_string(i, 0, &name).unwrap();
        ws.write_string(i, 1, gstin).unwrap();
        csv.push_str(&format!("{name},{gstin}\n"));
    }
    book.save(dir.join("big.xlsx")).unwrap();
    csv
}

/// Rewrites one entry of a zip archive (a workbook's part) with `edit`.
pub fn edit_part(
    from: &std::path::Path,
    to: &std::path::Path,
    part: &str,
    edit: impl Fn(String) -> String,
) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == part {
            bytes = edit(String::from_utf8(bytes).unwrap()).into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
}

/// A sheet is streamed to the checks in pieces of 1 MiB of CSV text: one
/// several pieces long reads exactly as the same rows in CSV do, and
/// damage met after the first pieces stops the run with exit 2, naming
/// the sheet, with no report left behind.
#[test]
fn a_sheet_longer_than_one_piece_streams_as_its_csv_reads_and_damage_midway_is_exit_2() {
    let dir = Dir::new();
    let csv = vendors(&dir, 120_000);
    assert!(csv.len() > 3 << 20, "the sheet must span several pieces");
    dir.write("big.csv", &csv);
    let from_csv = dir.cmd().args(["validate", "big.csv", "-q", "-o", "csv.csv"]).run(1);
    let from_book = dir.cmd().args(["validate", "big.xlsx", "-q", "-o", "book.csv"]).run(1);
    assert_eq!(from_book.stderr(), from_csv.stderr());
    assert_eq!(dir.read("book.csv"), dir.read("csv.csv"));
    assert_eq!(dir.read("book.csv").lines().count(), 120_001);

    // The last row relabelled as row 5: its cells arrive out of order,
    // long after the first pieces were handed over.
    edit_part(&dir.join("big.xlsx"), &dir.join("bad.xlsx"), "xl/worksheets/sheet1.xml", |xml| {
        xml.replace("r=\"120001\"", "r=\"5\"")
            .replace("r=\"A120001\"", "r=\"A5\"")
            .replace("r=\"B120001\"", "r=\"B5\"")
    });
    let run = dir.cmd().args(["validate", "bad.xlsx", "-q", "-o", "bad.csv"]).run(2);
    assert!(
        run.stderr().contains("bad.xlsx: sheet \"Sheet1\": its cells are out of order"),
        "{}",
        run.stderr()
    );
    // A workbook's damage, as on opening; not a failed read of the file.
    assert!(!run.stderr().contains("cannot read"), "{}", run.stderr());
    assert!(!dir.join("bad.csv").exists());
    assert!(!dir.files().iter().any(|f| f.contains("partial")), "{:?}", dir.files());
}

/// The edges of a streamed sheet: an empty sheet is an empty input (exit 2,
/// as an empty CSV file is); a header alone is a run over no rows; a sheet
/// whose cells start at C3 reads from its own first column, rows numbered
/// as the sheet numbers them.
#[test]
fn an_empty_sheet_a_header_alone_and_an_offset_sheet_read_as_before() {
    let dir = Dir::new();
    let save = |name: &str, cells: &[(u32, u16, &str)]| {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        for &(r, c, text) in cells {
            ws.write_string(r, c, text).unwrap();
        }
        book.save(dir.join(name)).unwrap();
    };
    save("empty.xlsx", &[]);
    save("header.xlsx", &[(0, 0, "GSTIN")]);
    save("offset.xlsx", &[(2, 2, "GSTIN"), (3, 2, "27AAPFU0939F1ZV")]);
    let run = dir.cmd().args(["validate", "empty.xlsx", "-q"]).run(2);
    assert!(run.stderr().contains("there is no header row"), "{}", run.stderr());
    let run = dir.cmd().args(["validate", "header.xlsx", "-q"]).run(0);
    assert_eq!(run.stdout().lines().count(), 1, "{}", run.stdout());
    let run = dir.cmd().args(["validate", "offset.xlsx", "-q"]).run(0);
    let (h, rows) = csv_rows(&run.stdout());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][col(&h, "GSTIN")], "27AAPFU0939F1ZV");
    assert_eq!(rows[0][col(&h, "gstbatch_row")], "4");
}

/// The portal's GSTR-2B workbook, as downloaded: a "Read me" sheet first
/// (whose "GSTIN" label sits beside the taxpayer's own GSTIN), a summary,
/// then one sheet per section, each with title rows and a header of two
/// rows ("Invoice Details" above "Invoice number", ...).
fn portal_2b(path: &std::path::Path) {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let read_me = book.add_worksheet();
    read_me.set_name("Read me").unwrap();
    read_me.write_string(0, 0, "Goods and Services Tax - GSTR-2B").unwrap();
    for (r, (k, v)) in [
        ("Financial Year", "2026-27"),
        ("Tax Period", "October"),
        ("GSTIN", "27AAPFU0939F1ZV"),
        ("Legal Name", "ACME UDYOG LLP"),
    ]
    .into_iter()
    .enumerate()
    {
        read_me.write_string(r as u32 + 2, 0, k).unwrap();
        read_me.write_string(r as u32 + 2, 1, v).unwrap();
    }
    let summary = book.add_worksheet();
    summary.set_name("ITC Available").unwrap();
    summary.write_string(0, 0, "Heading").unwrap();
    summary.write_string(0, 1, "GSTR-3B table").unwrap();
    summary.write_string(1, 0, "All other ITC - Supplies from registered persons").unwrap();
    summary.write_number(1, 2, 54000.0).unwrap();
    for (name, rows) in [
        (
            "B2B",
            vec![
                [
                    "29AAACR5055K1Z3",
                    "Raman Steel & Wire",
                    "RSW/881",
                    "Regular",
                    "05/11/2026",
                    "118000",
                ],
                ["27AAPFU0939F1ZX", "Typo Traders", "T-19", "Regular", "07/11/2026", "5900"],
                [
                    "24AAACC1206D1ZM",
                    "Chemplast Gujarat Ltd",
                    "CG/2211",
                    "Regular",
                    "09/11/2026",
                    "23600",
                ],
            ],
        ),
        (
            "B2BA",
            vec![[
                "29AAACR5055K1Z3",
                "Raman Steel & Wire",
                "RSW/870",
                "Regular",
                "28/10/2026",
                "11800",
            ]],
        ),
    ] {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        ws.merge_range(0, 0, 0, 8, "Goods and Services Tax - GSTR-2B", &bold).unwrap();
        ws.merge_range(
            2,
            0,
            2,
            8,
            "Taxable inward supplies received from registered persons",
            &bold,
        )
        .unwrap();
        for (c, h) in [(0, "GSTIN of supplier"), (1, "Trade/Legal name"), (6, "Taxable Value (₹)")]
        {
            ws.merge_range(4, c, 5, c, h, &bold).unwrap();
        }
        ws.merge_range(4, 2, 4, 5, "Invoice Details", &bold).unwrap();
        ws.merge_range(4, 7, 4, 8, "Tax Amount", &bold).unwrap();
        for (c, h) in [
            (2, "Invoice number"),
            (3, "Invoice type"),
            (4, "Invoice Date"),
            (5, "Invoice Value(₹)"),
            (7, "Integrated Tax(₹)"),
            (8, "Central Tax(₹)"),
        ] {
            ws.write_string(5, c, h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 6;
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
            let value: f64 = row[5].parse().unwrap();
            ws.write_number(r, 6, value / 1.18).unwrap();
            ws.write_number(r, 7, value - value / 1.18).unwrap();
        }
    }
    book.save(path).unwrap();
}

#[test]
fn the_portal_workbook_is_read_from_its_b2b_sheet_with_its_two_row_header() {
    let dir = Dir::new();
    portal_2b(&dir.join("2b.xlsx"));
    let run = dir.cmd().args(["validate", "2b.xlsx"]).run(1);
    let err = run.stderr();
    assert!(
        err.contains("note: ") && err.contains("read sheet \"B2B\"") && err.contains("\"B2BA\""),
        "{err}"
    );
    let (h, rows) = csv_rows(&run.stdout());
    assert_eq!(
        &h[..6],
        [
            "GSTIN of supplier",
            "Trade/Legal name",
            "Invoice number",
            "Invoice type",
            "Invoice Date",
            "Invoice Value(₹)"
        ]
    );
    assert!(h.contains(&"Integrated Tax(₹)".to_string()), "{h:?}");
    // The sheet's own row numbers: the header took rows 5 and 6.
    let row = col(&h, "gstbatch_row");
    assert_eq!(rows.iter().map(|r| r[row].as_str()).collect::<Vec<_>>(), ["7", "8", "9"]);
    assert_eq!(rows[1][col(&h, "gstbatch_code")], "checksum");
    assert_eq!(rows[2][col(&h, "Invoice number")], "CG/2211");
    // --sheet still chooses, and quiet keeps the note to itself.
    let b2ba = dir.cmd().args(["validate", "2b.xlsx", "--sheet", "B2BA", "-q"]).run(0);
    assert!(b2ba.stderr().is_empty(), "{}", b2ba.stderr());
    assert_eq!(csv_rows(&b2ba.stdout()).1.len(), 1);
    // The bundled sample is this workbook.
    let sample = dir
        .cmd()
        .args(["validate", "-q"])
        .arg_path(crate::util::sample("gstr2b-portal.xlsx"))
        .run(1);
    assert_eq!(sample.stdout(), run.stdout());
}

#[test]
fn a_data_row_with_a_blank_gstin_stays_a_row_and_the_first_sheet_needs_no_note() {
    let dir = Dir::new();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "GSTIN").unwrap();
    ws.write_string(0, 1, "Name").unwrap();
    ws.write_string(1, 1, "Unregistered Traders").unwrap();
    ws.write_string(1, 2, "walk-in").unwrap();
    ws.write_string(2, 0, "27AAPFU0939F1ZV").unwrap();
    let other = book.add_worksheet();
    other.write_string(0, 0, "Notes").unwrap();
    book.save(dir.join("one.xlsx")).unwrap();
    // Row 2 has a blank GSTIN and a note past the header's last column: a
    // row of data (a finding), not a second header row.
    let run = dir.cmd().args(["validate", "one.xlsx"]).run(1);
    assert!(!run.stderr().contains("read sheet"), "{}", run.stderr());
    let (h, rows) = csv_rows(&run.stdout());
    assert_eq!(&h[..2], ["GSTIN", "Name"]);
    assert_eq!(rows.len(), 2);
}
