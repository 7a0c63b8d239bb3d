//! The Windows build, under Wine: every command gives what the Linux build
//! gives. Ignored by a plain `cargo test`; `scripts/windows-smoke.sh`
//! cross-builds `gstbatch.exe` and runs them with `GSTBATCH_WINDOWS_EXE`
//! set (and `.ci/run` runs that script).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::emulator::{Emulator, KEY, SECRET};
use crate::util::{Cmd, Dir, sample};
use crate::verify::{A, B, NOW};

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn exe() -> PathBuf {
    let exe = std::env::var_os("GSTBATCH_WINDOWS_EXE")
        .expect("GSTBATCH_WINDOWS_EXE is not set: run scripts/windows-smoke.sh");
    PathBuf::from(exe)
}

/// `gstbatch.exe` under Wine, in the test's folder.
fn win(dir: &Dir) -> Cmd {
    dir.cmd_of("wine").arg_path(exe())
}

/// Runs the same arguments on both builds; the same exit code and stdout.
fn same(dir: &Dir, args: &[&str], stdin: &str, want: i32) -> String {
    let linux = dir.cmd().args(args).stdin(stdin).run(want).stdout();
    let windows = win(dir).args(args).stdin(stdin).run(want).stdout();
    assert_eq!(windows, linux, "gstbatch.exe {args:?} differs from the Linux build");
    linux
}

fn read(dir: &Dir, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A folder named as an accountant names it, holding a CRLF copy of the
/// GSTIN sample under a Devanagari name.
fn kharid_bahi(dir: &Dir) {
    std::fs::create_dir(dir.join("Kharid Bahi")).unwrap();
    let text = std::fs::read_to_string(sample("gstins.csv")).unwrap();
    dir.write("Kharid Bahi/खरीद.csv", text.replace('\n', "\r\n"));
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn check_arguments_and_crlf_stdin() {
    let dir = Dir::new();
    same(&dir, &["check", A, "27AAPFU0939F1ZX", "aapfu0939f"], "", 1);
    let out = same(&dir, &["check", "--format", "csv"], "27AAPFU0939F1ZV\r\nAAPFU0939F\r\n", 0);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(!out.contains('\r'), "{out:?}");
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn validate_writes_every_report_format_in_a_folder_with_spaces() {
    let dir = Dir::new();
    kharid_bahi(&dir);
    for ext in ["csv", "json", "xlsx"] {
        let report = format!(r"Kharid Bahi\r.{ext}");
        let summary = format!(r"Kharid Bahi\s-{ext}.json");
        win(&dir)
            .args(["validate", r"Kharid Bahi\खरीद.csv", "-o", &report, "--summary", &summary])
            .run(1);
        dir.cmd()
            .args(["validate", "Kharid Bahi/खरीद.csv", "-o", &format!("l.{ext}"), "-q"])
            .run(1);
    }
    // A CSV file on Windows is for Excel: it starts with a byte-order mark.
    let csv = read(&dir, "Kharid Bahi/r.csv");
    assert!(csv.starts_with(BOM), "no BOM on a Windows CSV report");
    assert_eq!(&csv[BOM.len()..], read(&dir, "l.csv"));
    assert_eq!(read(&dir, "Kharid Bahi/r.json"), read(&dir, "l.json"));
    // The workbooks hold the same rows.
    let book = |p: &str| dir.cmd().args(["validate", p, "--column", "GSTIN/UIN", "-q"]).run(1);
    assert_eq!(book("Kharid Bahi/r.xlsx").stdout(), book("l.xlsx").stdout());
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&dir, "Kharid Bahi/s-csv.json")).unwrap();
    assert!(summary["rows"].as_u64().is_some_and(|n| n > 0), "{summary}");
    let mut left = std::fs::read_dir(dir.join("Kharid Bahi")).unwrap().count();
    left -= 7; // the input, three reports, three summaries
    assert_eq!(left, 0, "temporary files left behind");
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn nul_is_the_null_device_for_reports_and_summaries() {
    let dir = Dir::new();
    kharid_bahi(&dir);
    let run = win(&dir)
        .args(["validate", r"Kharid Bahi\खरीद.csv", "-o", "NUL", "--summary", "nul", "-q"])
        .run(1);
    assert_eq!(run.stdout(), "");
    std::fs::copy(sample("access-instructions.csv"), dir.join("in.csv")).unwrap();
    let apply = ["access", "apply", "in.csv", "--state", "s.db", "--now", NOW, "-q"];
    win(&dir).args(apply).args(["-o", "NUL", "--summary", "NUL"]).run_any();
    let run = win(&dir).args(["access", "status", "--state", "s.db", "--now", NOW, "-o", "nul"]);
    assert_eq!(run.run(0).stdout(), "");
    assert_eq!(dir.files(), ["Kharid Bahi", "in.csv", "s.db"]);
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn excel_windows_1252_csv_reads_as_on_linux() {
    let dir = Dir::new();
    std::fs::copy(sample("excel-windows-1252.csv"), dir.join("excel.csv")).unwrap();
    let out = same(&dir, &["validate", "excel.csv"], "", 1);
    assert!(out.contains("Société Générale Traders"), "{out}");
    let run = win(&dir).args(["validate", "excel.csv"]).run(1);
    assert!(run.stderr().contains("Windows-1252"), "{}", run.stderr());
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn access_apply_status_and_history_as_on_linux() {
    let dir = Dir::new();
    std::fs::copy(sample("access-instructions.csv"), dir.join("in.csv")).unwrap();
    let apply = |cmd: Cmd, state: &str, report: &str| {
        cmd.args(["access", "apply", "in.csv", "--state", state, "--now", NOW, "-o", report])
            .args(["--bom", "no", "-q"])
            .run_any()
    };
    let (l, w) = (apply(dir.cmd(), "l.db", "l.csv"), apply(win(&dir), r"w dir\w.db", "w.csv"));
    assert_eq!(w.code(), l.code(), "{}", w.dump("the Linux build's exit code"));
    assert_eq!(read(&dir, "w.csv"), read(&dir, "l.csv"));
    for args in [&["access", "status"][..], &["access", "history", A]] {
        let linux = dir.cmd().args(args).args(["--state", "l.db", "--now", NOW]).run(0);
        let windows = win(&dir).args(args).args(["--state", r"w dir\w.db", "--now", NOW]).run(0);
        assert_eq!(windows.stdout(), linux.stdout(), "{args:?}");
    }
}

/// `%LOCALAPPDATA%\gstbatch\state.db` in the Wine prefix.
fn default_store() -> PathBuf {
    let prefix = std::env::var_os("WINEPREFIX").expect("WINEPREFIX is not set");
    let users = Path::new(&prefix).join("drive_c/users");
    let user = std::fs::read_dir(&users)
        .expect("the Wine prefix has no users folder")
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().is_some_and(|n| n != "Public"))
        .expect("no user in the Wine prefix");
    user.join("AppData/Local/gstbatch/state.db")
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn the_default_store_is_in_local_app_data() {
    let store = default_store();
    if let Some(folder) = store.parent().filter(|p| p.exists()) {
        std::fs::remove_dir_all(folder).unwrap();
    }
    let dir = Dir::new();
    std::fs::copy(sample("access-instructions.csv"), dir.join("in.csv")).unwrap();
    win(&dir).args(["access", "apply", "in.csv", "--now", NOW, "-q", "-o", "NUL"]).run_any();
    assert!(store.is_file(), "no store at {}", store.display());
    let status = win(&dir).args(["access", "status", "--now", NOW]).run(0).stdout();
    assert!(status.contains(A), "{status}");
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn verify_against_the_emulator_as_on_linux() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "Acme Udyog", "Active");
    emu.register(B, "RAMAN STEEL WORKS", "", "Cancelled");
    let dir = Dir::new();
    dir.write("v.csv", format!("Name,GSTIN\r\nAcme,{A}\r\nRaman,{B}\r\n"));
    let verify = |cmd: Cmd, state: &str| {
        cmd.args(["verify", "v.csv", "--api-base", &emu.base, "--state", state, "--now", NOW])
            .args(["--timeout", "10s"])
            .env("GSTBATCH_API_KEY", KEY)
            .env("GSTBATCH_API_SECRET", SECRET)
            .run(1)
            .stdout()
    };
    // Each answer's checked_at is the clock's (not --now): the runs differ there.
    let rows = |report: String| {
        let mut rows = crate::util::report_rows(&report);
        rows.iter_mut().for_each(|r| assert!(r.remove("gstbatch_checked_at").is_some()));
        rows
    };
    assert_eq!(rows(verify(win(&dir), "w.db")), rows(verify(dir.cmd(), "l.db")));
    assert_eq!(emu.lock().paid, 4, "each build asks each GSTIN once");
    // Asked again, the Windows build answers from its store.
    verify(win(&dir), "w.db");
    assert_eq!(emu.lock().paid, 4);
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn a_report_open_in_excel_is_named_and_left_as_it_was() {
    let dir = Dir::new();
    kharid_bahi(&dir);
    win(&dir).args(["validate", r"Kharid Bahi\खरीद.csv", "-o", "r.csv", "-q"]).run(1);
    let before = read(&dir, "r.csv");
    let holder = exe().with_file_name("hold-open.exe");
    let mut hold = dir.cmd_of("wine").arg_path(holder).args(["r.csv", "60"]).spawn();
    let mut line = String::new();
    std::io::BufReader::new(hold.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "held");
    let run = win(&dir).args(["validate", r"Kharid Bahi\खरीद.csv", "-o", "r.csv", "-q"]).run(2);
    hold.kill().unwrap();
    hold.wait().unwrap();
    let err = run.stderr();
    assert!(err.contains("r.csv") && err.contains("open in another program"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(read(&dir, "r.csv"), before);
    assert_eq!(dir.files(), ["Kharid Bahi", "r.csv"]);
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn the_task_scheduler_recipe_runs_and_reports_a_change() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    let dir = Dir::new();
    dir.write("vendors.csv", format!("Name,GSTIN\r\nAcme,{A}\r\n"));
    dir.write("config.toml", format!("state = \"state.db\"\r\napi-base = \"{}\"\r\n", emu.base));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/windows/nightly-verify.cmd");
    std::fs::copy(script, dir.join("nightly-verify.cmd")).unwrap();
    let night = |want: i32| {
        dir.cmd_of("wine")
            .args(["cmd", "/c", "nightly-verify.cmd"])
            .env("WINEPATH", exe().parent().unwrap())
            .env("GSTBATCH_CONFIG", "config.toml")
            .env("GSTBATCH_VENDORS", "vendors.csv")
            .env("GSTBATCH_REPORTS", "reports")
            .env("GSTBATCH_MAX_AGE", "0")
            .env("GSTBATCH_API_KEY", KEY)
            .env("GSTBATCH_API_SECRET", SECRET)
            .run(want)
    };
    night(0);
    assert!(read(&dir, "reports/verify.xlsx").starts_with(b"PK"));
    emu.register(A, "ACME UDYOG LLP", "", "Cancelled");
    night(1);
    assert_eq!(emu.lock().paid, 2);
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn ctrl_c_leaves_no_partial_file_and_the_old_report() {
    let dir = Dir::new();
    dir.cmd().args(["generate", "--rows", "2000000", "-o", "big.csv"]).run(0);
    dir.write("r.csv", "the report before\n");
    let child = win(&dir).args(["validate", "big.csv", "-o", "r.csv", "-q"]).spawn();
    // Bounded: the debug build takes far longer than this to finish.
    let started = std::time::Instant::now();
    while !dir.files().iter().any(|f| f.ends_with(".partial")) {
        assert!(started.elapsed().as_secs() < 60, "no partial file after 60 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    crate::util::signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // Exit 2 as on Windows; Wine sometimes ends its own process by the
    // signal after the handler ran (the handler's message shows it did).
    assert!(matches!(out.status.code(), Some(2) | None), "{:?}: {err}", out.status);
    assert!(err.contains("interrupted"), "{err}");
    assert_eq!(dir.files(), ["big.csv", "r.csv"]);
    assert_eq!(dir.read("r.csv"), "the report before\n");
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn returns_e_invoices_tally_and_extract_as_on_linux() {
    let dir = Dir::new();
    for name in ["gstr2b.json", "einvoices.json", "tally-export.xml", "mixed-text.txt"] {
        std::fs::copy(sample(name), dir.join(name)).unwrap();
    }
    for input in ["gstr2b.json", "einvoices.json", "tally-export.xml"] {
        same(&dir, &["validate", input, "-q"], "", 1);
    }
    let out = same(&dir, &["extract", "mixed-text.txt", "-q"], "", 1);
    assert_eq!(out.lines().count(), 11, "{out}");
}

#[test]
#[ignore = "needs Wine and the cross-built exe: scripts/windows-smoke.sh"]
fn completions_man_and_config_run_on_windows() {
    let dir = Dir::new();
    same(&dir, &["completions", "powershell"], "", 0);
    same(&dir, &["man"], "", 0);
    // The settings shown are Windows' own: the store in %LOCALAPPDATA%.
    let shown = win(&dir).args(["config"]).run(0).stdout();
    // A TOML literal string, so the backslashes stay as Windows writes them.
    assert!(shown.contains(r"state = 'C:\users\"), "{shown}");
    assert!(shown.contains(r"AppData\Local\gstbatch\state.db'"), "{shown}");
    assert!(shown.contains(r"AppData\Roaming\gstbatch\config.toml"), "{shown}");
}
