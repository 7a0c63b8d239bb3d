//! `gstbatch extract`: GSTINs and PANs in free text, end to end.

use crate::emulator::{Emulator, KEY, SECRET};
use crate::util::{Dir, report_rows, sample};
use crate::verify::{A, B, NOW};

/// `(normalised, kind, status, line)` of each row of a CSV report.
fn found(csv: &str) -> Vec<(String, String, String, String)> {
    report_rows(csv)
        .into_iter()
        .map(|r| {
            (r["normalised"].clone(), r["kind"].clone(), r["status"].clone(), r["line"].clone())
        })
        .collect()
}

fn row(n: &str, kind: &str, status: &str, line: u32) -> (String, String, String, String) {
    (n.into(), kind.into(), status.into(), line.to_string())
}

#[test]
fn every_gstin_and_pan_in_the_mixed_sample_and_no_gstin_twice() {
    let run = Dir::new().cmd().arg_path_first("extract", sample("mixed-text.txt")).run(1);
    assert_eq!(
        found(&run.stdout()),
        [
            row("27AAPFU0939F1ZV", "gstin", "valid", 6),
            row("AAPFU0939F", "pan", "valid", 7),
            row("29AAACR5055K1Z3", "gstin", "valid", 7),
            row("33AAACT2727Q1Z3", "gstin", "valid", 11),
            row("24AAACC1206D1ZM", "gstin", "valid", 12),
            row("33AAACT2727Q1ZX", "gstin", "invalid", 16),
            row("29AAACR5055K1Z3", "gstin", "valid", 17),
            row("27AAPFU0939F1ZV", "gstin", "valid", 18),
            row("AAACR5055K", "pan", "valid", 18),
            row("AAACC1206D", "pan", "valid", 20),
        ]
    );
    let rows = report_rows(&run.stdout());
    assert_eq!(rows[0]["value"], "27 AAPFU 0939 F1ZV");
    assert_eq!(rows[0]["column"], "56");
    assert_eq!(rows[5]["error_code"], "checksum");
    assert!(rows[3]["context"].contains("Supplier GSTIN/UIN : 33aaact2727q1z3"));
    assert!(run.stderr().contains("found 9 valid and 1 invalid"), "{}", run.stderr());
}

#[test]
fn distinct_valid_only_kind_and_formats() {
    let dir = Dir::new();
    let mixed = || dir.cmd().arg_path_first("extract", sample("mixed-text.txt")).args(["-q"]);
    let distinct = found(&mixed().args(["--distinct", "--valid-only"]).run(0).stdout());
    assert_eq!(distinct.len(), 7, "{distinct:?}");
    let pans = found(&mixed().args(["--kind", "pan"]).run(0).stdout());
    assert!(pans.iter().all(|r| r.1 == "pan") && pans.len() == 3, "{pans:?}");
    let json: serde_json::Value =
        serde_json::from_str(&mixed().args(["--format", "json"]).run(1).stdout()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 10);
    assert_eq!(json[0]["line"], 6);
    mixed().args(["-o", "found.xlsx"]).run(1);
    assert!(std::fs::read(dir.join("found.xlsx")).unwrap().starts_with(b"PK"));
}

#[test]
fn stdin_utf16_windows_1252_binary_and_long_lines() {
    let dir = Dir::new();
    let run = dir.cmd().args(["extract", "-q"]).stdin(format!("x {A} y\n")).run(0);
    assert_eq!(found(&run.stdout()), [row(A, "gstin", "valid", 1)]);
    // Tally's UTF-16 with a byte-order mark, and Excel's Windows-1252.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        format!("Société\r\n<PARTYGSTIN>{B}</PARTYGSTIN>\r\n")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    dir.write("tally.xml", utf16);
    dir.write("ansi.txt", b"Soci\xe9t\xe9 G\xe9n\xe9rale 27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["extract", "tally.xml", "ansi.txt", "-q"]).run(0);
    let rows = report_rows(&run.stdout());
    assert_eq!((rows[0]["normalised"].as_str(), rows[0]["line"].as_str()), (B, "2"));
    assert_eq!(rows[1]["context"], "Société Générale 27AAPFU0939F1ZV");
    // A binary file is skipped with a note, unless --binary.
    dir.write("blob.bin", [b"\x00\x01\x02 ".as_slice(), A.as_bytes(), b" \x00"].concat());
    let run = dir.cmd().args(["extract", "blob.bin"]).run(0);
    assert_eq!(report_rows(&run.stdout()).len(), 0);
    assert!(run.stderr().contains("blob.bin looks binary; skipped"), "{}", run.stderr());
    let run = dir.cmd().args(["extract", "blob.bin", "--binary", "-q"]).run(0);
    assert_eq!(found(&run.stdout()), [row(A, "gstin", "valid", 1)]);
    // One line of 3 MB (a JSON export on one line): every value, in place.
    let item = format!("{{\"ctin\":\"{A}\",\"pad\":\"{}\"}},", "x".repeat(200));
    let line = format!("[{}]", item.repeat((3 << 20) / item.len()));
    let count = line.matches(A).count();
    dir.write("one-line.json", &line);
    let run = dir.cmd().args(["extract", "one-line.json", "-q", "--format", "jsonl"]).run(0);
    let rows: Vec<serde_json::Value> =
        run.stdout().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), count);
    let last = rows.last().unwrap()["column"].as_u64().unwrap() as usize;
    assert_eq!(&line[last - 1..last - 1 + 15], A, "columns count from the line's start");
}

#[test]
fn its_report_is_an_input_to_validate_and_verify() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.register(B, "RAMAN STEEL WORKS", "", "Active");
    let dir = Dir::new();
    dir.cmd()
        .arg_path_first("extract", sample("mixed-text.txt"))
        .args(["-q", "-o", "found.csv"])
        .run(1);
    let checked = dir.cmd().args(["validate", "found.csv", "-q"]).run(1).stdout();
    let rows = report_rows(&checked);
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| r["gstbatch_status"] == r["status"]), "{checked}");
    dir.cmd()
        .arg_path_first("extract", sample("mixed-text.txt"))
        .args(["-q", "--kind", "gstin", "--distinct", "--valid-only", "-o", "g.csv"])
        .run(0);
    let verified = dir
        .cmd()
        .args(["verify", "g.csv", "--api-base", &emu.base, "--state", "s.db", "--now", NOW, "-q"])
        .args(["--timeout", "5s"])
        .env("GSTBATCH_API_KEY", KEY)
        .env("GSTBATCH_API_SECRET", SECRET)
        .run_any()
        .stdout();
    let rows = report_rows(&verified);
    assert_eq!(rows.len(), 4, "{verified}");
    assert_eq!(rows.iter().filter(|r| r["gstbatch_verify_status"] == "active").count(), 2);
    // Each distinct GSTIN asked once.
    assert_eq!(emu.lock().attempts.len(), 4);
}
