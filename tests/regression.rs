//! One test (or more) per defect class of issue 9 ("Nothing lost, nothing
//! silent"), named after its item; each failed on the code before the fix.

use std::time::{Duration, Instant};

use crate::util::{Dir, sample, signal};

const VALID: &str = "27AAPFU0939F1ZV";
const NOW: &str = "2026-11-27 10:00";

fn store_with_samples(dir: &Dir) {
    dir.cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(sample("access-instructions.csv"))
        .args(["--state", "s.db", "--now", NOW, "-q", "-o", "first.csv"])
        .run(1);
}

/// Item 2: a database that is not ours, or an empty file, is refused by
/// every access command and left byte-identical, with nothing beside it.
#[test]
fn item_2_a_database_that_is_not_ours_is_never_written() {
    let dir = Dir::new();
    let other = foreign_database();
    dir.write("ins.csv", format!("gstin,action\n{VALID},disable\n"));
    for (name, bytes) in [("crm.db", other.as_slice()), ("empty.db", b"".as_slice())] {
        dir.write(name, bytes);
        let files = dir.files();
        for args in [
            vec!["access", "status", "--state", name],
            vec!["access", "history", VALID, "--state", name],
            vec!["access", "apply", "ins.csv", "--state", name, "--now", NOW],
            vec!["access", "apply", "ins.csv", "--state", name, "--now", NOW, "--dry-run"],
        ] {
            let run = dir.cmd().args(&args).run(2);
            assert!(run.stderr().contains("not a gstbatch store"), "{}", run.dump("refusal"));
            assert_eq!(std::fs::read(dir.join(name)).unwrap(), bytes, "{name} changed");
            assert_eq!(dir.files(), files, "{}", run.dump("files appeared"));
        }
    }
    // A read or a dry run never creates a store.
    dir.cmd().args(["access", "status", "--state", "new.db"]).run(2);
    dir.cmd().args(["access", "apply", "ins.csv", "--state", "new.db", "--dry-run", "-q"]).run(0);
    assert!(!dir.join("new.db").exists());
}

/// Item 2, for our own store: reads and dry runs leave the store byte for
/// byte as it was and create no file beside it (no `-wal`, no `-shm`).
#[test]
fn item_2_reads_of_our_store_create_nothing() {
    let dir = Dir::new();
    store_with_samples(&dir);
    let files = dir.files();
    let bytes = std::fs::read(dir.join("s.db")).unwrap();
    let st = ["--state", "s.db", "-q"];
    dir.cmd().args(["access", "status", "--now", NOW]).args(st).run(0);
    dir.cmd().args(["access", "history", VALID]).args(st).run(0);
    dir.cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(sample("access-followup.csv"))
        .args(st)
        .args(["--now", NOW, "--dry-run"])
        .run(1);
    assert_eq!(dir.files(), files);
    assert!(std::fs::read(dir.join("s.db")).unwrap() == bytes, "the store changed");
}

/// Another application's SQLite database, with a `sessions` table of its
/// own, as bytes.
fn foreign_database() -> Vec<u8> {
    let dir = Dir::new();
    let conn = rusqlite::Connection::open(dir.join("crm.db")).unwrap();
    conn.execute_batch("CREATE TABLE sessions (x); CREATE TABLE customers (name, gstin);").unwrap();
    drop(conn);
    std::fs::read(dir.join("crm.db")).unwrap()
}

/// Item 3: outputs are opened before anything is committed or replaced, and
/// a failure after the commit says that the batch was applied.
#[test]
fn item_3_outputs_are_ready_before_anything_is_committed() {
    let dir = Dir::new();
    dir.write("keep.csv", "old report\n");
    dir.write("in.csv", format!("GSTIN\n{VALID}\n"));
    let run =
        dir.cmd().args(["validate", "in.csv", "-o", "keep.csv", "--summary", "no/s.json"]).run(2);
    assert!(run.stderr().contains("cannot write no/s.json"), "{}", run.stderr());
    assert_eq!(dir.read("keep.csv"), "old report\n");

    dir.write("ins.csv", format!("gstin,action,duration\n{VALID},enable,6h\n"));
    let st = ["--state", "s.db", "--now", NOW];
    let run = dir
        .cmd()
        .args(["access", "apply", "ins.csv"])
        .args(st)
        .args(["--summary", "no/s.json"])
        .run(2);
    assert!(run.stderr().contains("cannot write no/s.json"), "{}", run.stderr());
    assert!(!dir.join("s.db").exists(), "nothing may be applied");

    // stdout that fails after the commit: exit 1 and a message that says so.
    let run = dir.cmd().args(["access", "apply", "ins.csv"]).args(st).stdout_to("/dev/full").run(1);
    assert!(run.stderr().contains("WAS applied"), "{}", run.stderr());
    let run = dir.cmd().args(["access", "apply", "ins.csv"]).args(st).args(["-o", "r.csv"]).run(0);
    assert!(run.stderr().contains("already applied"), "{}", run.stderr());
    assert_eq!(dir.read("r.csv").lines().count(), 2, "the report comes back from the store");
}

/// Item 4: SIGTERM and SIGINT leave no `.gstbatch-*` file, and the old
/// report as it was.
#[test]
fn item_4_an_interrupted_run_leaves_no_partial_files() {
    let dir = Dir::new();
    dir.cmd().args(["generate", "--rows", "300000", "-o", "in.csv"]).run(0);
    for sig in ["TERM", "INT"] {
        dir.write("r.xlsx", "old");
        let child = dir.cmd().args(["validate", "in.csv", "-q", "-o", "r.xlsx"]).spawn();
        let started = Instant::now();
        while !dir.files().iter().any(|f| f.starts_with(".gstbatch-")) {
            assert!(started.elapsed() < Duration::from_secs(60), "no partial file appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(dir.files(), ["in.csv", "r.xlsx"], "SIG{sig}");
        assert_eq!(dir.read("r.xlsx"), "old");
    }
}

/// Item 5: a tiny workbook whose one far cell would make a dense range of
/// 17 billion cells is read by the cells that exist.
#[test]
fn item_5_a_far_cell_costs_nothing() {
    let dir = Dir::new();
    for (name, row, col) in [("xfd.xlsx", 1_048_575, 16_383), ("z.xlsx", 1_048_575, 25)] {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "GSTIN").unwrap();
        ws.write_string(1, 0, VALID).unwrap();
        ws.write_string(row, col, "far").unwrap();
        book.save(dir.join(name)).unwrap();
        let started = Instant::now();
        let run = dir.cmd().args(["validate", name, "-q", "--only-invalid"]).run(1);
        assert!(started.elapsed() < Duration::from_secs(30), "{name} took too long");
        // The far cell's row is a row with no identifier: an `empty` error
        // at its own spreadsheet row.
        assert!(run.stdout().contains(&format!(",{},invalid,empty,", row + 1)), "{}", run.stdout());
    }
}

/// An `.ods` with `rows` (cells of text), and optionally a cell far away
/// described by repeat counts.
fn ods(path: &std::path::Path, rows: &[&[&str]], far: Option<(u64, u64)>) {
    use std::io::Write;
    let mut body = String::new();
    for r in rows {
        body.push_str("<table:table-row>");
        for c in *r {
            body.push_str(&format!(
                "<table:table-cell office:value-type=\"string\"><text:p>{c}</text:p></table:table-cell>"
            ));
        }
        body.push_str("</table:table-row>");
    }
    if let Some((row, col)) = far {
        body.push_str(&format!(
            "<table:table-row table:number-rows-repeated=\"{row}\"><table:table-cell/></table:table-row>\
             <table:table-row><table:table-cell table:number-columns-repeated=\"{col}\"/>\
             <table:table-cell office:value-type=\"string\"><text:p>far</text:p></table:table-cell>\
             </table:table-row>"
        ));
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Sheet1\">{body}\
         </table:table></office:spreadsheet></office:body></office:document-content>"
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.start_file("META-INF/manifest.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest \
          xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
          <manifest:file-entry manifest:full-path=\"/\" \
          manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
          </manifest:manifest>",
    )
    .unwrap();
    zip.finish().unwrap();
}

/// Item 5, for the formats read whole: an `.ods` describing a far cell
/// with repeat counts is refused before it is built; a real one is read.
#[test]
fn item_5_an_ods_far_cell_is_refused_before_it_costs_memory() {
    let dir = Dir::new();
    ods(&dir.join("ok.ods"), &[&["Name", "GSTIN"], &["Acme", VALID]], None);
    let run = dir.cmd().args(["validate", "ok.ods", "-q"]).run(0);
    assert!(run.stdout().contains(&format!("Acme,{VALID},2,valid,")), "{}", run.stdout());
    ods(&dir.join("far.ods"), &[&["GSTIN"], &[VALID]], Some((5_995, 16_000)));
    let started = Instant::now();
    let run = dir.cmd().args(["validate", "far.ods", "-q"]).run(2);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(run.stderr().contains("save the sheet as .xlsx or CSV"), "{}", run.stderr());
}

/// Item 7: status and history answer at once from the last committed state
/// while another run holds the write lock.
#[test]
fn item_7_readers_do_not_wait_for_a_writer() {
    let dir = Dir::new();
    store_with_samples(&dir);
    let before = dir.cmd().args(["access", "status", "--state", "s.db", "--now", NOW, "-q"]).run(0);
    dir.cmd().args(["generate", "--instructions", "500", "--rows", "5000", "-o", "big.csv"]).run(0);
    let marker = dir.join("paused");
    let mut child = dir
        .cmd()
        .args(["access", "apply", "big.csv", "--state", "s.db", "--now", NOW, "-q"])
        .env("GSTBATCH_TEST_PAUSE_BEFORE_COMMIT", &marker)
        .env("GSTBATCH_TEST_PAUSE_SECONDS", "60")
        .spawn();
    let started = Instant::now();
    while !marker.exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "the apply never paused");
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    let args = ["access", "status", "--state", "s.db", "--now", NOW, "-q", "--wait", "30"];
    let during = dir.cmd().args(args).run(0);
    dir.cmd().args(["access", "history", VALID, "--state", "s.db", "-q", "--wait", "30"]).run(0);
    assert!(started.elapsed() < Duration::from_secs(10), "a reader waited for the writer");
    assert_eq!(during.stdout(), before.stdout());
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Item 8: a quote that is never closed is an error naming its row; one
/// that spans many lines is a warning naming its row.
#[test]
fn item_8_an_unclosed_quote_is_an_error_with_its_row() {
    let dir = Dir::new();
    let mut text = format!("GSTIN,Name\n{VALID},ok\n{VALID},\"oops\n");
    for _ in 0..1000 {
        text.push_str(&format!("{VALID},next\n"));
    }
    dir.write("in.csv", &text);
    let run = dir.cmd().args(["validate", "in.csv", "-o", "r.csv"]).run(2);
    assert!(run.stderr().contains("row 3 opens a quoted field"), "{}", run.stderr());
    assert!(!dir.join("r.csv").exists());
    dir.write("ins.csv", format!("gstin,action,reference\n{VALID},disable,\"never closed\n"));
    let run =
        dir.cmd().args(["access", "apply", "ins.csv", "--state", "s.db", "--now", NOW]).run(2);
    assert!(run.stderr().contains("row 2 opens a quoted field"), "{}", run.stderr());
    assert!(!dir.join("s.db").exists());

    let long = format!("GSTIN,Note\n{VALID},\"{}\"\n{VALID},x\n", "line\n".repeat(150));
    dir.write("long.csv", long);
    let run = dir.cmd().args(["validate", "long.csv", "-o", "r.csv"]).run(0);
    assert!(run.stderr().contains("row 2: a quoted field spans 150 lines"), "{}", run.stderr());
}

/// Item 9: GSTIN headers with any words before them are found, and the
/// summary names the column it checked.
#[test]
fn item_9_gstin_headers_are_found_and_named() {
    let dir = Dir::new();
    for header in ["Company GSTIN", "Head Office GSTIN", "Supplier's GST No."] {
        dir.write("in.csv", format!("Invoice No,{header},PAN\nINV-1,27AAPFU0939F1ZX,AAPFU0939F\n"));
        let run = dir.cmd().args(["validate", "in.csv", "--summary", "s.json"]).run(1);
        assert!(run.stderr().contains(&format!("column 2 {header:?}")), "{}", run.stderr());
        let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
        assert_eq!(summary["column"], header);
        assert_eq!(summary["column_number"], 2);
        assert!(run.stdout().contains(",invalid,checksum,"), "{}", run.stdout());
    }
}

/// Item 10: two GSTIN columns are ambiguous for apply as for validate.
#[test]
fn item_10_two_gstin_columns_are_refused_by_apply_too() {
    let dir = Dir::new();
    dir.write("ins.csv", format!("GSTIN,Party GSTIN,action\n{VALID},{VALID},disable\n"));
    let run =
        dir.cmd().args(["access", "apply", "ins.csv", "--state", "s.db", "--now", NOW]).run(2);
    assert!(run.stderr().contains("several GSTIN columns"), "{}", run.stderr());
}

/// Items 11 and 12: two-digit years are refused, and so is a status "now"
/// earlier than the store's last change.
#[test]
fn item_11_12_times_before_gst_and_before_the_last_change_are_refused() {
    let dir = Dir::new();
    store_with_samples(&dir);
    let run =
        dir.cmd().args(["access", "status", "--state", "s.db", "--now", "26/11/26 10:00"]).run(2);
    assert!(run.stderr().contains("four digits"), "{}", run.stderr());
    dir.write("ins.csv", format!("gstin,action,effective_at\n{VALID},disable,26/11/26 10:00\n"));
    let run = dir
        .cmd()
        .args(["access", "apply", "ins.csv", "--state", "s.db", "--now", NOW, "--dry-run"])
        .run(1);
    assert!(run.stdout().contains("bad_time") && run.stdout().contains("four digits"));
    let run = dir.cmd().args(["access", "status", "--state", "s.db", "--now", "2026-11-01"]).run(2);
    assert!(run.stderr().contains("before the store's last recorded change"), "{}", run.stderr());
}

/// Item 13: hidden characters are `character` errors that name them, and
/// are never printed raw.
#[test]
fn item_13_hidden_characters_are_named() {
    let dir = Dir::new();
    for (value, name, pos) in [
        ("27AAPFU\u{200D}0939F1ZV", "U+200D ZERO WIDTH JOINER", 8),
        ("27AAPFU0939F1ZV\u{200C}", "U+200C ZERO WIDTH NON-JOINER", 16),
        ("27\u{2013}AAPFU0939F1ZV", "U+2013 EN DASH", 3),
        ("27AAPFU0939\u{2060}F1ZV", "U+2060 WORD JOINER", 12),
        ("\u{202E}27AAPFU0939F1ZV", "U+202E RIGHT-TO-LEFT OVERRIDE", 1),
        ("27AAPFU0939F1Z\u{0301}V", "U+0301", 15),
    ] {
        let run = dir.cmd().args(["check", value]).run(1);
        let out = run.stdout();
        assert!(out.contains(&format!("character: character {name} at position {pos}")), "{out}");
        assert!(!out.contains(['\u{200D}', '\u{200C}', '\u{202E}', '\u{2060}']), "{out:?}");
    }
    let run = dir.cmd().args(["check", "27AAPFU0939F1Zक"]).run(1);
    assert!(run.stdout().contains("'क' (U+0915)"), "{}", run.stdout());
}

/// Item 14: a closed pipe ends every command quietly with exit 0, in every
/// format.
#[test]
fn item_14_a_closed_pipe_is_exit_0_for_every_command() {
    use std::io::Read;
    let dir = Dir::new();
    dir.cmd()
        .args(["generate", "--instructions", "20000", "--rows", "20000", "-o", "a.csv"])
        .run(0);
    dir.cmd()
        .args(["generate", "--instructions", "1", "--rows", "4000", "--seed", "2", "-o", "b.csv"])
        .run(0);
    dir.cmd()
        .args(["access", "apply", "a.csv", "--state", "s.db", "--now", NOW, "-q", "-o", "x.csv"])
        .run(0);
    let b = dir
        .cmd()
        .args(["access", "apply", "b.csv", "--state", "s.db", "--now", NOW, "-q", "-o", "y.csv"])
        .run(0);
    drop(b);
    let one = dir.read("y.csv").lines().nth(1).unwrap().split(',').nth(1).unwrap().to_string();
    let st = ["--state", "s.db", "--now", NOW, "-q"];
    for format in ["csv", "json", "jsonl"] {
        let cases: Vec<Vec<String>> = vec![
            vec!["access".into(), "status".into()],
            vec!["access".into(), "history".into(), one.clone()],
            vec![
                "access".into(),
                "apply".into(),
                "a.csv".into(),
                "--dry-run".into(),
                "--reapply".into(),
            ],
        ];
        for mut args in cases {
            args.extend(st.iter().map(|s| s.to_string()));
            if args[1] == "history" {
                args.retain(|a| a != "--now" && a != NOW);
            }
            args.extend(["--format".to_string(), format.to_string()]);
            let mut child = dir.cmd().args(&args).spawn();
            let mut first = [0u8; 16];
            child.stdout.take().unwrap().read_exact(&mut first).unwrap();
            let out = child.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut child = dir.cmd().args(["check", "--format", format]).spawn();
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || {
            use std::io::Write;
            let lines = format!("{VALID}\n").repeat(10_000);
            for _ in 0..50 {
                if stdin.write_all(lines.as_bytes()).is_err() {
                    break;
                }
            }
        });
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "check {format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Item 15: check's stdin as files come: a byte-order mark, CR-only lines;
/// nothing at all is exit 2; every CSV has its header.
#[test]
fn item_15_check_reads_stdin_as_files_come() {
    let dir = Dir::new();
    let run =
        dir.cmd().args(["check", "--format", "csv"]).stdin(format!("\u{FEFF}{VALID}\r\n")).run(0);
    assert_eq!(run.stdout().lines().count(), 2, "{}", run.stdout());
    assert!(run.stdout().lines().nth(1).unwrap().starts_with(&format!("{VALID},{VALID},false,")));
    let run =
        dir.cmd().args(["check", "--format", "jsonl"]).stdin(format!("{VALID}\r{VALID}\rX")).run(1);
    assert_eq!(run.stdout().lines().count(), 3, "{}", run.stdout());
    let run = dir.cmd().args(["check"]).stdin("").run(2);
    assert!(run.stderr().contains("nothing checked"), "{}", run.stderr());
    dir.cmd().args(["check"]).stdin("\n \n").run(2);
    store_with_samples(&dir);
    let run = dir
        .cmd()
        .args(["access", "status", "--state", "s.db", "--now", NOW, "-q", "--status", "unknown"])
        .run(0);
    assert!(run.stdout().starts_with("gstin,status,"), "{:?}", run.stdout());
    let run = dir.cmd().args(["access", "history", "29AAACR5055K1Z3", "--state", "s.db", "-q"]);
    assert!(run.run(0).stdout().starts_with("batch,row,"));
    let run = dir.cmd().args(["access", "history", "33AAACT2727Q1Z3", "--state", "s.db", "-q"]);
    let out = run.run(0).stdout();
    assert!(out.starts_with("batch,row,"), "{out:?}");
}

/// Item 16: reports follow the umask, and never widen an existing file's
/// permissions.
#[cfg(unix)]
#[test]
fn item_16_reports_respect_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    dir.write("in.csv", format!("GSTIN\n{VALID}\n"));
    let mode = |name: &str| std::fs::metadata(dir.join(name)).unwrap().permissions().mode() & 0o777;
    dir.cmd_with_umask("077").args(["validate", "in.csv", "-q", "-o", "a.csv"]).run(0);
    assert_eq!(mode("a.csv"), 0o600);
    dir.cmd_with_umask("027").args(["validate", "in.csv", "-q", "-o", "b.xlsx"]).run(0);
    assert_eq!(mode("b.xlsx"), 0o640);
    dir.write("c.csv", "old");
    std::fs::set_permissions(dir.join("c.csv"), std::fs::Permissions::from_mode(0o600)).unwrap();
    dir.cmd_with_umask("022").args(["validate", "in.csv", "-q", "-o", "c.csv"]).run(0);
    assert_eq!(mode("c.csv"), 0o600, "an existing report's permissions are kept");
}

/// Item 17: what cannot be done is said, not done differently in silence.
#[test]
fn item_17_what_is_not_done_is_said() {
    let dir = Dir::new();
    dir.write("in.csv", format!("GSTIN\n{VALID}\n"));
    let run = dir.cmd().args(["validate", "in.csv", "--sheet", "2"]).run(2);
    assert!(run.stderr().contains("--sheet is for workbooks"), "{}", run.stderr());
    for name in ["r.ods", "r.xls", "r.xlsm"] {
        let run = dir.cmd().args(["validate", "in.csv", "-o", name]).run(2);
        assert!(run.stderr().contains("writes .xlsx workbooks"), "{}", run.stderr());
        assert!(!dir.join(name).exists());
    }
    dir.write("ins.csv", "gstin,action\n\n");
    let run =
        dir.cmd().args(["access", "apply", "ins.csv", "--state", "s.db", "--now", NOW]).run(2);
    assert!(run.stderr().contains("no instructions"), "{}", run.stderr());
    assert!(!dir.join("s.db").exists());
    let big = "x".repeat(32_768);
    dir.write("big.csv", format!("GSTIN,Note\n{VALID},ok\n{VALID},{big}\n"));
    let run = dir.cmd().args(["validate", "big.csv", "-o", "r.xlsx"]).run(2);
    assert!(
        run.stderr().contains("report row 2 holds 32768 characters in column 2 (Note)"),
        "{}",
        run.stderr()
    );
    assert!(!dir.join("r.xlsx").exists());
}

/// Item 18: messages say things once, in the user's terms.
#[test]
fn item_18_messages_name_things_once_and_as_they_are() {
    let dir = Dir::new();
    dir.write("in.csv", format!("GSTIN\n{VALID}\n"));
    let run = dir.cmd().args(["validate", "in.csv", "-o", "no/such/r.csv"]).run(2);
    let err = run.stderr();
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(!err.contains(".gstbatch-"), "{err}");
    std::fs::create_dir(dir.join("d")).unwrap();
    assert!(dir.cmd().args(["validate", "d"]).run(2).stderr().contains("is a directory"));
    dir.write("bytes.csv", b"GSTIN\n27AAPFU\xFF0939F1ZV\n");
    let run = dir.cmd().args(["validate", "bytes.csv", "-q", "--encoding", "utf-8"]).run(1);
    assert!(run.stdout().contains("byte 0xFF at position 8"), "{}", run.stdout());
    dir.write("wide.csv", format!("GSTIN,column_3\n{VALID},a,extra\n"));
    let run = dir.cmd().args(["validate", "wide.csv", "-q", "--format", "jsonl"]).run(0);
    let v: serde_json::Value = serde_json::from_str(run.stdout().trim()).unwrap();
    assert_eq!(v["column_3"], "a");
    assert_eq!(v["column_3_2"], "extra", "{v}");
}

/// CSV injection (decided in README): CSV reports copy cells verbatim, the
/// workbook report stores them as text, never as formulas.
#[test]
fn csv_reports_copy_cells_verbatim_and_workbooks_store_text() {
    let dir = Dir::new();
    dir.write("in.csv", format!("GSTIN,Note\n{VALID},=cmd|' /C calc'!A0\n"));
    let run = dir.cmd().args(["validate", "in.csv", "-q"]).run(0);
    assert!(run.stdout().contains(",=cmd|' /C calc'!A0,"), "{}", run.stdout());
    dir.cmd().args(["validate", "in.csv", "-q", "-o", "r.xlsx"]).run(0);
    let bytes = std::fs::read(dir.join("r.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(!sheet.contains("<f>"), "a formula was written: {sheet}");
}
