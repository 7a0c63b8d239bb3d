use crate::util::{Dir, golden, sample};

/// Parses a CSV report into header and rows.
fn csv_report(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let h = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (h, rows)
}

fn col(h: &[String], name: &str) -> usize {
    h.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name} in {h:?}"))
}

#[test]
fn gstins_sample_report_is_golden_and_complete() {
    let run = Dir::new()
        .cmd()
        .args(["validate", "--pan-column", "PAN", "--state-column", "State"])
        .arg_path(sample("gstins.csv"))
        .run(1);
    let out = run.stdout();
    golden("validate-gstins.csv", &out);
    let (h, rows) = csv_report(&out);
    assert_eq!(rows.len(), 44);
    assert_eq!(&h[..6], ["Sr No", "Vendor Name", "GSTIN/UIN", "State", "PAN", "City"]);
    // Spreadsheet rows: the header is row 1.
    let row = col(&h, "gstbatch_row");
    assert_eq!(rows[0][row], "2");
    assert_eq!(rows[43][row], "45");
    let code = col(&h, "gstbatch_code");
    assert_eq!(rows[42][code], "pan_mismatch");
    assert_eq!(rows[43][code], "state_mismatch");
    let dup = col(&h, "gstbatch_duplicate_of");
    assert_eq!(rows[42][dup], "3");
    assert_eq!(rows[0][dup], "");
    assert!(
        run.stderr().contains("44 rows: 26 valid, 18 invalid, 2 duplicates"),
        "{}",
        run.stderr()
    );
}

#[test]
fn excel_export_quirks_bom_crlf_blank_lines_quotes_and_spaces() {
    let run = Dir::new().cmd().arg_path_first("validate", sample("excel-export.csv")).run(1);
    let (h, rows) = csv_report(&run.stdout());
    assert_eq!(h[0], "Party Name", "the BOM must not stick to the first header");
    assert_eq!(h[1], "GST No.");
    assert_eq!(rows.len(), 7);
    let row = col(&h, "gstbatch_row");
    // Row 3 of the file is blank, so Raman Steel is row 4.
    assert_eq!(rows[1][row], "4");
    assert_eq!(rows[1][0], "Raman Steel Works, Unit 2");
    assert_eq!(rows[2][0], "Thiru \"Express\" Motors");
    assert_eq!(rows[3][0], "Multi-line\nAddress Traders");
    // Other columns pass through byte for byte, stray spaces included.
    assert!(
        run.stdout().contains("Acme Udyog LLP, 27AAPFU0939F1ZV ,Maharashtra,\"1,20,000.00\",2,")
    );
    let changed = col(&h, "gstbatch_changed");
    assert_eq!(rows[0][changed], "true");
    assert_eq!(rows[4][col(&h, "gstbatch_duplicate_of")], "2");
}

#[test]
fn report_has_exactly_as_many_rows_as_the_input() {
    let dir = Dir::new();
    dir.cmd().args(["generate", "--rows", "20000", "-o", "in.csv"]).run(0);
    let run = dir.cmd().args(["validate", "in.csv", "-q"]).run(1);
    let (_, rows) = csv_report(&run.stdout());
    assert_eq!(rows.len(), 20000);
    let run = dir.cmd().args(["validate", "in.csv", "-q", "--format", "jsonl"]).run(1);
    assert_eq!(run.stdout().lines().count(), 20000);
}

#[test]
fn jobs_1_and_jobs_2_are_byte_identical_in_every_format() {
    let dir = Dir::new();
    dir.cmd().args(["generate", "--rows", "60000", "--seed", "7", "-o", "in.csv"]).run(0);
    for format in ["csv", "jsonl", "json"] {
        for extra in [&[][..], &["--only-invalid"][..]] {
            let one = dir
                .cmd()
                .args(["validate", "in.csv", "-q", "--jobs", "1", "--format", format])
                .args(extra)
                .run(1)
                .stdout_bytes();
            let two = dir
                .cmd()
                .args(["validate", "in.csv", "-q", "--jobs", "2", "--format", format])
                .args(extra)
                .run(1)
                .stdout_bytes();
            assert!(one == two, "{format} {extra:?} differs between --jobs 1 and 2");
            assert!(one.len() > 1000);
        }
    }
}

#[test]
fn formats_from_extension_and_flag() {
    let dir = Dir::new();
    dir.cmd().arg_path_first("validate", sample("pans.csv")).args(["-o", "r.json", "-q"]).run(1);
    let v: serde_json::Value = serde_json::from_str(&dir.read("r.json")).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 23);
    assert_eq!(arr[0]["Name"], "Ravi Kumar");
    assert_eq!(arr[0]["gstbatch_row"], 2);
    assert_eq!(arr[0]["gstbatch_changed"], false);
    assert!(arr[0]["gstbatch_code"].is_null());
    assert_eq!(arr[11]["gstbatch_duplicate_of"], 2);
    dir.cmd().arg_path_first("validate", sample("pans.csv")).args(["-o", "r.jsonl", "-q"]).run(1);
    assert_eq!(dir.read("r.jsonl").lines().count(), 23);
    dir.cmd().arg_path_first("validate", sample("pans.csv")).args(["-o", "r.txt", "-q"]).run(1);
    assert!(dir.read("r.txt").starts_with("Name,PAN,Holder,gstbatch_row"));
    let run = dir
        .cmd()
        .arg_path_first("validate", sample("pans.csv"))
        .args(["--format", "jsonl", "-q"])
        .run(1);
    assert_eq!(run.stdout().lines().count(), 23);
}

#[test]
fn json_with_repeated_and_missing_headers() {
    let dir = Dir::new();
    dir.write("in.csv", "GSTIN,Name,Name\n27AAPFU0939F1ZV,a,b,extra\n27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["validate", "in.csv", "--format", "jsonl", "-q"]).run(0);
    let lines: Vec<serde_json::Value> =
        run.stdout().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["Name"], "a");
    assert_eq!(lines[0]["Name_2"], "b");
    assert_eq!(lines[0]["column_4"], "extra");
    assert!(lines[1]["Name"].is_null());
    assert_eq!(lines[1]["gstbatch_duplicate_of"], 2);
}

#[test]
fn ragged_rows_keep_every_column_under_its_header() {
    let dir = Dir::new();
    dir.write(
        "in.csv",
        "Name,GSTIN,City\nshort,27AAPFU0939F1ZV\nlong,27AAPFU0939F1ZV,Pune,x,\"y,z\"\nnone\n",
    );
    let run = dir.cmd().args(["validate", "in.csv", "-q"]).run(1);
    let (h, rows) = csv_report(&run.stdout());
    let status = col(&h, "gstbatch_status");
    assert_eq!(rows[0][2], "", "a short row is padded");
    assert_eq!(rows[0][status], "valid");
    assert_eq!(rows[1][2], "Pune");
    assert_eq!(rows[1][status], "valid");
    // Extra fields come after the result columns.
    assert_eq!(rows[1][h.len()], "x");
    assert_eq!(rows[1][h.len() + 1], "y,z");
    // A row too short to have the identifier column: empty.
    assert_eq!(rows[2][col(&h, "gstbatch_code")], "empty");
}

#[test]
fn invalid_utf8_passes_through_and_is_a_character_error_in_the_id() {
    let dir = Dir::new();
    dir.write("in.csv", b"Name,GSTIN\nCaf\xe9,27AAPFU0939F1ZV\nX,27AAPFU0939F1Z\xff\n");
    let run = dir.cmd().args(["validate", "in.csv", "-q", "--encoding", "utf-8"]).run(1);
    let out = run.stdout_bytes();
    assert!(out.windows(4).any(|w| w == b"Caf\xe9"), "other columns pass through byte for byte");
    let (h, rows) = csv_report(&String::from_utf8_lossy(&out));
    assert_eq!(rows[1][col(&h, "gstbatch_code")], "character");
}

#[test]
fn bom_yes_starts_a_csv_report_for_excel_and_reads_back() {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let dir = Dir::new();
    dir.write("u.csv", "Name,GSTIN\nCafé,27AAPFU0939F1ZV\n");
    dir.cmd().args(["validate", "u.csv", "-o", "r.csv", "--bom", "yes"]).run(0);
    let with = std::fs::read(dir.join("r.csv")).unwrap();
    assert!(with.starts_with(b"\xEF\xBB\xBFName,GSTIN,"), "{with:?}");
    // Not on Linux unless asked, never on JSON, and --bom no wins.
    dir.cmd().args(["validate", "u.csv", "-o", "plain.csv"]).run(0);
    assert_eq!(std::fs::read(dir.join("plain.csv")).unwrap(), &with[BOM.len()..]);
    dir.cmd().args(["validate", "u.csv", "-o", "r.json", "--bom", "yes"]).run(0);
    assert!(dir.read("r.json").starts_with('['));
    let run = dir.cmd().args(["access", "history", "27AAPFU0939F1ZV", "--state", "s.db"]);
    assert!(!run.args(["--bom", "no"]).run_any().stdout_bytes().starts_with(BOM));
    // A report with a mark is a valid input: the mark is not part of a header.
    let again = dir.cmd().args(["validate", "r.csv", "--column", "GSTIN", "--bom", "yes"]).run(0);
    assert!(again.stdout_bytes().starts_with(b"\xEF\xBB\xBFName,GSTIN,gstbatch_"));
}

#[test]
fn excel_windows_1252_csv_is_decoded_and_said_once() {
    let run = Dir::new().cmd().arg_path_first("validate", sample("excel-windows-1252.csv")).run(1);
    let (h, rows) = csv_report(&run.stdout());
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "Société Générale Traders",
            "Café Udupi Caterers",
            "Müller\u{a0}& Söhne India",
            "Naïve Exports – Surat"
        ]
    );
    let status: Vec<&str> = rows.iter().map(|r| r[col(&h, "gstbatch_status")].as_str()).collect();
    assert_eq!(status, ["valid", "valid", "valid", "invalid"]);
    let err = run.stderr();
    assert_eq!(err.matches("read as Windows-1252").count(), 1, "{err}");
    // The same bytes, forced: what --encoding says wins, and no note.
    let dir = Dir::new();
    dir.write("u.csv", "Name,GSTIN\nCafé,27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["validate", "u.csv", "--encoding", "windows-1252"]).run(0);
    assert!(run.stdout().contains("CafÃ©"), "{}", run.stdout());
    assert!(!run.stderr().contains("note"), "{}", run.stderr());
    // UTF-8 stays UTF-8, and --quiet silences the note.
    let run = dir.cmd().args(["validate", "u.csv"]).run(0);
    assert!(run.stdout().contains("Café,") && !run.stderr().contains("Windows-1252"));
    let q = dir.cmd().arg_path_first("validate", sample("excel-windows-1252.csv"));
    assert_eq!(q.args(["-q"]).run(1).stderr(), "");
}

#[test]
fn tsv_by_extension_and_delimiter_flag() {
    let dir = Dir::new();
    dir.write("in.tsv", "GSTIN\tName\n27AAPFU0939F1ZV\tA, B\n");
    let run = dir.cmd().args(["validate", "in.tsv", "-q"]).run(0);
    assert!(run.stdout().starts_with("GSTIN\tName\tgstbatch_row\t"), "{}", run.stdout());
    assert!(run.stdout().contains("27AAPFU0939F1ZV\tA, B\t2\tvalid\t"));
    dir.write("in.txt", "GSTIN;Name\n27AAPFU0939F1ZV;A\n");
    let run = dir.cmd().args(["validate", "in.txt", "--delimiter", ";", "-q"]).run(0);
    assert!(run.stdout().contains("27AAPFU0939F1ZV;A;2;valid;"));
}

#[test]
fn no_headers_numbers_from_1() {
    let dir = Dir::new();
    dir.write("list.txt", "27AAPFU0939F1ZV\n\nURP\n");
    let run = dir.cmd().args(["validate", "list.txt", "--no-headers", "-q"]).run(1);
    let (h, rows) = csv_report(&run.stdout());
    assert_eq!(h[0], "column_1");
    assert_eq!(rows[0][col(&h, "gstbatch_row")], "1");
    assert_eq!(rows[1][col(&h, "gstbatch_row")], "3");
    // Each value decides its kind by length when no header says.
    assert_eq!(rows[1][col(&h, "gstbatch_kind")], "");
    dir.write("two.csv", "a,27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["validate", "two.csv", "--no-headers"]).run(2);
    assert!(run.stderr().contains("--column N"), "{}", run.stderr());
    dir.cmd().args(["validate", "two.csv", "--no-headers", "--column", "2", "-q"]).run(0);
}

#[test]
fn column_choice_by_header_name_and_number() {
    let dir = Dir::new();
    for header in
        ["GSTIN", "gst no", "GST Number", "GSTIN/UIN", "GST IN", "Party GSTIN", "GSTIN of supplier"]
    {
        dir.write("in.csv", format!("Name,{header}\nA,27AAPFU0939F1ZV\n"));
        dir.cmd().args(["validate", "in.csv", "-q"]).run(0);
    }
    dir.write("in.csv", "Name,PAN No\nA,AAPFU0939F\n");
    let run = dir.cmd().args(["validate", "in.csv", "-q"]).run(0);
    assert!(run.stdout().contains(",pan,"), "{}", run.stdout());
    dir.write("in.csv", "Name,Code\nA,27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["validate", "in.csv"]).run(2);
    assert!(run.stderr().contains("no GSTIN or PAN column"), "{}", run.stderr());
    assert!(run.stderr().contains("1: \"Name\", 2: \"Code\""), "{}", run.stderr());
    assert!(run.stderr().contains("in.csv"), "{}", run.stderr());
    dir.cmd().args(["validate", "in.csv", "--column", "Code", "-q"]).run(0);
    dir.cmd().args(["validate", "in.csv", "--column", "2", "-q"]).run(0);
    let run = dir.cmd().args(["validate", "in.csv", "--column", "3"]).run(2);
    assert!(run.stderr().contains("has 2 columns"), "{}", run.stderr());
    dir.write("in.csv", "GSTIN,Party GSTIN\n27AAPFU0939F1ZV,27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["validate", "in.csv"]).run(2);
    assert!(run.stderr().contains("several GSTIN columns"), "{}", run.stderr());
}

#[test]
fn result_columns_never_collide_with_input_columns() {
    let dir = Dir::new();
    dir.write("in.csv", "GSTIN,gstbatch_status\n27AAPFU0939F1ZV,mine\n");
    let run = dir.cmd().args(["validate", "in.csv", "-q"]).run(0);
    let (h, rows) = csv_report(&run.stdout());
    assert_eq!(rows[0][1], "mine");
    assert_eq!(rows[0][col(&h, "gstbatch_status_2")], "valid");
}

#[test]
fn strict_retired_and_cross_check_flags() {
    let dir = Dir::new();
    dir.write("in.csv", "GSTIN,PAN,State\n27aapfu0939f1zv,,\n25AAAPA1234A1ZX,,Daman and Diu\n");
    let run = dir.cmd().args(["validate", "in.csv", "-q", "--strict"]).run(1);
    assert!(run.stdout().contains(",not_canonical,"));
    let run = dir
        .cmd()
        .args(["validate", "in.csv", "-q", "--allow-retired", "--state-column", "State"])
        .run(0);
    assert!(run.stdout().contains(",Daman and Diu,"));
    let run = dir.cmd().args(["validate", "in.csv", "--pan-column", "Nope"]).run(2);
    assert!(run.stderr().contains("--pan-column \"Nope\": no such column"), "{}", run.stderr());
}

#[test]
fn no_duplicates_leaves_the_column_empty_and_the_summary_null() {
    let dir = Dir::new();
    dir.write("in.csv", "GSTIN\n27AAPFU0939F1ZV\n27AAPFU0939F1ZV\n");
    let run =
        dir.cmd().args(["validate", "in.csv", "--no-duplicates", "--summary", "s.json"]).run(0);
    assert!(run.stdout().ends_with(",\n"), "{}", run.stdout());
    let s: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert!(s["duplicates"].is_null());
    assert!(!run.stderr().contains("duplicate"));
}

#[test]
fn duplicates_are_the_same_whichever_rows_are_written_and_however_many_jobs() {
    // 60,000 rows span many blocks and batches; `--only-invalid` leaves most
    // duplicates out of the report but must still count them.
    let dir = Dir::new();
    dir.cmd().args(["generate", "--rows", "60000", "--seed", "11", "-o", "in.csv"]).run(0);
    let mut counts = Vec::new();
    let mut invalid_dups = Vec::new();
    for jobs in ["1", "2"] {
        for extra in [&[][..], &["--only-invalid"][..]] {
            let run = dir
                .cmd()
                .args(["validate", "in.csv", "-q", "--jobs", jobs, "--summary", "s.json"])
                .args(extra)
                .run(1);
            let s: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
            counts.push(s["duplicates"].as_u64().unwrap());
            let (h, rows) = csv_report(&run.stdout());
            let (status, row, dup) = (
                col(&h, "gstbatch_status"),
                col(&h, "gstbatch_row"),
                col(&h, "gstbatch_duplicate_of"),
            );
            let found: Vec<(String, String)> = rows
                .iter()
                .filter(|r| r[status] == "invalid" && !r[dup].is_empty())
                .map(|r| (r[row].clone(), r[dup].clone()))
                .collect();
            invalid_dups.push(found);
        }
    }
    assert!(counts[0] > 100, "{counts:?}");
    assert!(counts.iter().all(|&c| c == counts[0]), "{counts:?}");
    assert!(!invalid_dups[0].is_empty());
    assert!(invalid_dups.iter().all(|d| *d == invalid_dups[0]));
}

#[test]
fn only_invalid_writes_only_failing_rows_with_their_row_numbers() {
    let run = Dir::new()
        .cmd()
        .arg_path_first("validate", sample("gstins.csv"))
        .args(["--only-invalid", "-q"])
        .run(1);
    let (h, rows) = csv_report(&run.stdout());
    assert_eq!(rows.len(), 16);
    assert!(rows.iter().all(|r| r[col(&h, "gstbatch_status")] == "invalid"));
    assert_eq!(rows[0][col(&h, "gstbatch_row")], "28");
}

#[test]
fn summary_json_fields() {
    let dir = Dir::new();
    dir.cmd()
        .arg_path_first("validate", sample("gstins.csv"))
        .args(["-o", "r.csv", "--summary", "s.json", "-q"])
        .run(1);
    let s: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(s["rows"], 44);
    assert_eq!(s["valid"], 28);
    assert_eq!(s["invalid"], 16);
    assert_eq!(s["duplicates"], 2);
    assert_eq!(s["by_code"]["checksum"], 2);
    assert_eq!(s["by_code"]["format"], 3);
    assert_eq!(s["by_registration_type"]["oidar"], 1);
    assert_eq!(s["by_state"]["27"]["name"], "Maharashtra");
    assert_eq!(s["exit_code"], 1);
    assert!(s["elapsed_seconds"].as_f64().unwrap() >= 0.0);
    assert!(s["rows_per_second"].as_f64().is_some());
    assert!(s["report"].as_str().unwrap().ends_with("r.csv"));
}

#[test]
fn exit_0_when_every_row_is_valid_and_stdin_works() {
    let run = Dir::new()
        .cmd()
        .args(["validate", "-"])
        .stdin("GSTIN\n27AAPFU0939F1ZV\n9917SGP29001OST\n")
        .run(0);
    assert!(run.stderr().contains("2 rows: 2 valid, 0 invalid"), "{}", run.stderr());
    assert!(!run.stderr().contains('\u{1b}'), "no escape codes when stderr is not a terminal");
}

#[test]
fn quiet_prints_nothing_on_stderr() {
    let run =
        Dir::new().cmd().args(["validate", "-", "-q"]).stdin("GSTIN\n27AAPFU0939F1ZV\n").run(0);
    assert_eq!(run.stderr(), "");
}

#[test]
fn report_over_the_input_is_refused() {
    let dir = Dir::new();
    let input = dir.write("in.csv", "GSTIN\n27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["validate", "in.csv", "-o", "./in.csv"]).run(2);
    assert!(run.stderr().contains("that is an input"), "{}", run.stderr());
    assert_eq!(std::fs::read_to_string(input).unwrap(), "GSTIN\n27AAPFU0939F1ZV\n");
    dir.cmd().args(["validate", "in.csv", "--summary", "in.csv"]).run(2);
}

#[test]
fn a_run_failing_midway_leaves_the_earlier_report_untouched() {
    let dir = Dir::new();
    dir.cmd().args(["generate", "--rows", "200000", "-o", "in.csv"]).run(0);
    dir.write("report.csv", "earlier report\n");
    let run = dir
        .cmd()
        .args(["validate", "in.csv", "-o", "report.csv"])
        .env("GSTBATCH_TEST_FAIL_AFTER_BYTES", "3000000")
        .run(2);
    assert!(run.stderr().contains("cannot read in.csv"), "{}", run.stderr());
    assert_eq!(dir.read("report.csv"), "earlier report\n");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "a partial file was left behind: {names:?}");
    // Without the fault, the report is replaced whole.
    dir.cmd().args(["validate", "in.csv", "-o", "report.csv", "-q"]).run(1);
    assert_eq!(dir.read("report.csv").lines().count(), 200_001);
}

#[test]
fn missing_input_and_missing_report_folder_are_exit_2() {
    let dir = Dir::new();
    let run = dir.cmd().args(["validate", "nope.csv"]).run(2);
    assert!(run.stderr().contains("cannot read nope.csv"), "{}", run.stderr());
    dir.write("in.csv", "GSTIN\n27AAPFU0939F1ZV\n");
    let run = dir.cmd().args(["validate", "in.csv", "-o", "no/such/dir/r.csv"]).run(2);
    assert!(run.stderr().contains("cannot write no/such/dir/r.csv"), "{}", run.stderr());
}

#[test]
fn closed_stdout_pipe_ends_quietly() {
    use std::io::Read;
    let dir = Dir::new();
    dir.cmd().args(["generate", "--rows", "300000", "-o", "in.csv"]).run(0);
    let mut child = dir.cmd().args(["validate", "in.csv", "-q"]).spawn();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    let mut v = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for u in s.encode_utf16() {
        v.extend(if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    v
}

#[test]
fn excel_unicode_text_utf16_tab_separated_is_read() {
    let dir = Dir::new();
    let text = "Party Name\tGSTIN/UIN\tCity\r\nCafé ☕ Traders\t27AAPFU0939F1ZV\tपुणे\r\nTypo 😀\t27AAPFU0939F1ZX\tMumbai\r\n";
    dir.write("export.txt", utf16(text, false));
    let run = dir.cmd().args(["validate", "export.txt", "-q"]).run(1);
    let out = run.stdout();
    assert!(out.starts_with("Party Name\tGSTIN/UIN\tCity\tgstbatch_row\t"), "{out}");
    assert!(out.contains("Café ☕ Traders\t27AAPFU0939F1ZV\tपुणे\t2\tvalid\t"), "{out}");
    assert!(out.contains("Typo 😀\t27AAPFU0939F1ZX\tMumbai\t3\tinvalid\tchecksum\t"), "{out}");
    // Big-endian, comma-separated, named .csv.
    dir.write("be.csv", utf16("GSTIN,Name\n27AAPFU0939F1ZV,A\n", true));
    let run = dir.cmd().args(["validate", "be.csv", "-q"]).run(0);
    assert!(run.stdout().contains("27AAPFU0939F1ZV,A,2,valid,"), "{}", run.stdout());
    // The same through stdin.
    let run = dir.cmd().args(["validate", "-", "-q"]).stdin(utf16(text, false)).run(1);
    assert_eq!(run.stdout(), out);
}
