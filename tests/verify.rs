//! `gstbatch verify` against the provider emulator on 127.0.0.1: verdicts,
//! retries, concurrency, the cache, changes, names, credits, secrets.

use std::time::{Duration, Instant};

use crate::emulator::{Emulator, Fault, KEY, SECRET};
use crate::util::{Cmd, Dir, report_rows};

pub const A: &str = "27AAPFU0939F1ZV";
pub const B: &str = "29AAACR5055K1Z3";
const C: &str = "33AAACT2727Q1Z3";
const D: &str = "24AAACC1206D1ZM";
pub const NOW: &str = "2026-11-27 10:00";

/// `gstbatch verify` against `emu`, with credentials in the environment,
/// fast retries, a store in the test folder.
pub fn verify(dir: &Dir, emu: &Emulator, args: &[&str]) -> Cmd {
    let timeout: &[&str] = if args.contains(&"--timeout") { &[] } else { &["--timeout", "5s"] };
    dir.cmd()
        .args(["verify"])
        .args(args)
        .args(timeout)
        .args(["--api-base", &emu.base, "--state", "s.db"])
        .env("GSTBATCH_API_KEY", KEY)
        .env("GSTBATCH_API_SECRET", SECRET)
        .env("GSTBATCH_TEST_BACKOFF_MS", "10")
}

pub fn vendors(dir: &Dir, lines: &[&str]) {
    dir.write("v.csv", format!("Name,GSTIN\n{}\n", lines.join("\n")));
}

/// An emulator answering `Active` for `n` generated GSTINs after
/// `latency`, and a folder with a vendor file of them.
pub fn active_vendors(n: usize, latency: Duration) -> (Emulator, Vec<String>, Dir) {
    let emu = Emulator::start();
    emu.lock().latency = latency;
    let ids = generated_gstins(n);
    for g in &ids {
        emu.register(g, "X", "", "Active");
    }
    let dir = Dir::new();
    vendors_of(&dir, &ids);
    (emu, ids, dir)
}

/// A vendor file with one row for each of `ids`.
pub fn vendors_of(dir: &Dir, ids: &[String]) {
    let lines: Vec<String> = ids.iter().map(|g| format!("v,{g}")).collect();
    vendors(dir, &lines.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn every_verdict_and_both_answer_shapes() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "ACME", "Active");
    emu.register(B, "RAMAN STEEL PRIVATE LIMITED", "", "Cancelled");
    emu.register(C, "TRICHY TEXTILES", "", "Suspended");
    emu.register(D, "HARYANA WORKS DEPT", "", "Provisional");
    emu.lock().nested.push(B.to_string());
    let dir = Dir::new();
    let unknown = generated_gstins(1).remove(0);
    vendors(
        &dir,
        &[
            &format!("a,{A}"),
            &format!("b,{B}"),
            &format!("c,{C}"),
            &format!("d,{D}"),
            &format!("e,{unknown}"),
            "f,27AAPFU0939F1ZX",
            "g,",
            &format!("h,{A}"),
        ],
    );
    let run = verify(&dir, &emu, &["v.csv", "-q"]).run(1);
    let got = report_rows(&run.stdout());
    let status: Vec<&str> = got.iter().map(|r| r["gstbatch_verify_status"].as_str()).collect();
    assert_eq!(
        status,
        [
            "active",
            "cancelled",
            "suspended",
            "inactive",
            "not_found",
            "malformed",
            "malformed",
            "active"
        ]
    );
    assert_eq!(got[1]["gstbatch_cancellation_date"], "2024-03-15");
    assert_eq!(got[3]["gstbatch_gst_status"], "Provisional");
    assert_eq!(got[0]["gstbatch_legal_name"], "ACME UDYOG LLP");
    assert_eq!(got[0]["gstbatch_address"], "12, MG Road, Pune, Pune, Maharashtra");
    assert_eq!(got[0]["gstbatch_source"], "live");
    assert_eq!(got[0]["gstbatch_row"], "2");
    assert!(got[5]["gstbatch_message"].contains("checksum"), "{:?}", got[5]);
    let e = emu.lock();
    assert_eq!(e.attempts.get(A), Some(&1), "a GSTIN given twice is asked once");
    assert!(!e.attempts.contains_key("27AAPFU0939F1ZX"), "malformed values are never sent");
    assert_eq!(e.paid, 5);
    assert!(e.bad_headers.is_empty(), "{:?}", e.bad_headers);
    assert_eq!(e.authentications, 1);
}

#[test]
fn retries_end_in_the_right_verdict_and_pay_once() {
    let emu = Emulator::start();
    for g in [A, B, C, D] {
        emu.register(g, "X", "", "Active");
    }
    emu.faults(
        A,
        vec![Fault::Status(429, Some(0)), Fault::Status(429, None), Fault::Status(500, None)],
    );
    emu.faults(B, vec![Fault::Status(503, None), Fault::Drop, Fault::NotJson]);
    emu.faults(C, vec![Fault::Slow(Duration::from_secs(3)), Fault::ExpireToken]);
    emu.faults(D, vec![Fault::Status(500, None); 10]);
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}"), &format!("b,{B}"), &format!("c,{C}"), &format!("d,{D}")]);
    let run = verify(&dir, &emu, &["v.csv", "-q", "--timeout", "1s", "--summary", "s.json"]).run(1);
    let got = report_rows(&run.stdout());
    let status: Vec<&str> = got.iter().map(|r| r["gstbatch_verify_status"].as_str()).collect();
    assert_eq!(status, ["active", "active", "active", "unavailable"]);
    assert!(got[3]["gstbatch_message"].contains("after 4 retries"), "{:?}", got[3]);
    let e = emu.lock();
    assert_eq!(e.attempts[A], 4);
    assert_eq!(e.attempts[B], 4);
    assert_eq!(e.attempts[D], 5, "one try and 4 retries");
    assert_eq!(e.paid, 3, "each answer charged once");
    assert_eq!(e.authentications, 2, "the expired token is replaced once");
    drop(e);
    let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(summary["live_calls"], 4);
    assert_eq!(summary["by_verdict"]["unavailable"], 1);
    // Unavailable is never cached: the next run asks again.
    verify(&dir, &emu, &["v.csv", "-q"]).run(1);
    assert_eq!(emu.lock().attempts[D], 10);
}

#[test]
fn concurrency_is_respected() {
    let (emu, _, dir) = active_vendors(24, Duration::from_millis(80));
    verify(&dir, &emu, &["v.csv", "-q", "--concurrency", "3"]).run(0);
    let e = emu.lock();
    assert!(
        e.max_in_flight <= 3 + 1,
        "{} in flight (authenticate may overlap once)",
        e.max_in_flight
    );
    assert!(e.max_in_flight >= 2, "{} in flight", e.max_in_flight);
}

/// Valid GSTINs, made by the hidden `generate` command.
pub fn generated_gstins(n: usize) -> Vec<String> {
    let dir = Dir::new();
    dir.cmd()
        .args([
            "generate",
            "--instructions",
            &n.to_string(),
            "--rows",
            &(n * 4).to_string(),
            "-o",
            "g.csv",
        ])
        .run(0);
    let mut seen: Vec<String> = Vec::new();
    for line in dir.read("g.csv").lines().skip(1) {
        let g = line.split(',').next().unwrap().to_string();
        if !seen.contains(&g) {
            seen.push(g);
        }
    }
    seen.truncate(n);
    seen
}

#[test]
fn the_cache_answers_again_without_a_call() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.register(B, "RAMAN", "", "Active");
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}"), &format!("b,{B}")]);
    verify(&dir, &emu, &["v.csv", "-q", "--now", NOW]).run(0);
    let run = verify(&dir, &emu, &["v.csv", "-q", "--now", NOW]).run(0);
    assert!(report_rows(&run.stdout()).iter().all(|r| r["gstbatch_source"] == "cache"));
    assert_eq!(emu.lock().paid, 2, "the second run made no call");
    // --max-age 0 asks again.
    verify(&dir, &emu, &["v.csv", "-q", "--max-age", "0"]).run(0);
    assert_eq!(emu.lock().paid, 4);
    // --offline answers from the store only; an unknown GSTIN is not_checked.
    vendors(&dir, &[&format!("a,{A}"), &format!("c,{C}")]);
    let run = verify(&dir, &emu, &["v.csv", "-q", "--offline"]).run(1);
    let got = report_rows(&run.stdout());
    assert_eq!(got[0]["gstbatch_source"], "cache");
    assert_eq!(got[1]["gstbatch_verify_status"], "not_checked");
    assert_eq!(emu.lock().paid, 4);
    // --dry-run changes nothing and says what would be asked.
    let before = std::fs::read(dir.join("s.db")).unwrap();
    let files = dir.files();
    let run = verify(&dir, &emu, &["v.csv", "-q", "--dry-run", "--max-age", "0"]).run(1);
    assert!(run.stdout().contains("would be asked"), "{}", run.stdout());
    assert_eq!(std::fs::read(dir.join("s.db")).unwrap(), before);
    assert_eq!(dir.files(), files);
    assert_eq!(emu.lock().paid, 4);
    let fresh = Dir::new();
    vendors(&fresh, &[&format!("a,{A}")]);
    verify(&fresh, &emu, &["v.csv", "-q", "--dry-run"]).run(1);
    assert!(!fresh.join("s.db").exists(), "a dry run creates no store");
}

#[test]
fn changes_between_runs_and_fail_if_changed() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}")]);
    verify(&dir, &emu, &["v.csv", "-q", "--fail-if-changed"]).run(0);
    emu.register(A, "ACME UDYOG LLP", "", "Cancelled");
    let run = verify(
        &dir,
        &emu,
        &["v.csv", "-q", "--max-age", "0", "--fail-if-changed", "--summary", "s.json"],
    )
    .run(1);
    let got = report_rows(&run.stdout());
    assert_eq!(got[0]["gstbatch_verify_status"], "cancelled");
    assert_eq!(got[0]["gstbatch_previous_status"], "active");
    assert_eq!(got[0]["gstbatch_changed"], "true");
    let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(summary["changes"], 1);
    // The same cancelled vendor the next night: no change, exit 0.
    let run = verify(&dir, &emu, &["v.csv", "-q", "--max-age", "0", "--fail-if-changed"]).run(0);
    assert_eq!(report_rows(&run.stdout())[0]["gstbatch_changed"], "false");
    // Without the flag, a cancelled vendor is a finding.
    verify(&dir, &emu, &["v.csv", "-q"]).run(1);
}

#[test]
fn names_are_compared_with_legal_and_trade_names() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LIMITED LIABILITY PARTNERSHIP", "ACME UDYOG", "Active");
    emu.register(B, "RAMAN STEEL PRIVATE LIMITED", "", "Active");
    emu.register(C, "TRICHY TEXTILES", "", "Active");
    let dir = Dir::new();
    vendors(
        &dir,
        &[
            &format!("M/S Acme Udyog,{A}"),
            &format!("Raman Steels Pvt Ltd,{B}"),
            &format!("Chennai Silks,{C}"),
        ],
    );
    let run = verify(&dir, &emu, &["v.csv", "-q", "--name-column", "Name"]).run(1);
    let got = report_rows(&run.stdout());
    let m: Vec<&str> = got.iter().map(|r| r["gstbatch_name_match"].as_str()).collect();
    assert_eq!(m, ["exact", "close", "different"]);
}

#[test]
fn credits_running_out_stop_every_call() {
    let emu = Emulator::start();
    let ids = generated_gstins(6);
    for g in &ids {
        emu.register(g, "X", "", "Active");
    }
    emu.lock().credits = Some(2);
    let dir = Dir::new();
    vendors_of(&dir, &ids);
    let run =
        verify(&dir, &emu, &["v.csv", "-q", "--concurrency", "1", "--summary", "s.json"]).run(1);
    let got = report_rows(&run.stdout());
    assert_eq!(got.iter().filter(|r| r["gstbatch_verify_status"] == "active").count(), 2);
    let stopped: Vec<_> =
        got.iter().filter(|r| r["gstbatch_verify_status"] == "not_checked").collect();
    assert_eq!(stopped.len(), 4);
    assert!(stopped.iter().all(|r| r["gstbatch_message"].contains("Insufficient credits")));
    assert_eq!(emu.lock().attempts.values().sum::<u64>(), 3, "no call after the stop");
    // Nothing answered at all: exit 2, the report still written.
    let emu = Emulator::start();
    emu.lock().credits = Some(0);
    let dir = Dir::new();
    vendors_of(&dir, &ids);
    let run = verify(&dir, &emu, &["v.csv", "-o", "r.csv"]).run(2);
    assert!(run.stderr().contains("nothing was verified"), "{}", run.stderr());
    assert!(dir.join("r.csv").exists());
}

#[test]
fn secrets_never_leave_the_headers() {
    let emu = Emulator::start();
    emu.register(A, "ACME", "", "Active");
    emu.faults(A, vec![Fault::Status(500, None)]);
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}"), "b,27AAPFU0939F1ZX"]);
    let run = verify(&dir, &emu, &["v.csv", "-o", "r.json", "--summary", "s.json"]).run(1);
    let xlsx = verify(&dir, &emu, &["v.csv", "-o", "r.xlsx", "--max-age", "0"]).run(1);
    let token = "tok-";
    let mut haystacks =
        vec![run.stdout_bytes(), run.stderr().into_bytes(), xlsx.stderr().into_bytes()];
    for f in ["r.json", "s.json", "r.xlsx", "s.db"] {
        haystacks.push(std::fs::read(dir.join(f)).unwrap());
    }
    for h in &haystacks {
        for secret in [KEY, SECRET, token] {
            assert!(!h.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} leaked");
        }
    }
}

#[test]
fn credentials_and_hosts_are_checked_before_any_call() {
    let emu = Emulator::start();
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}")]);
    let run = dir
        .cmd()
        .args(["verify", "v.csv", "--api-base", "http://api.sandbox.co.in", "--state", "s.db"])
        .run(2);
    assert!(run.stderr().contains("https://"), "{}", run.stderr());
    let run = dir
        .cmd()
        .args(["verify", "v.csv", "--api-base", &emu.base, "--state", "s.db"])
        .env("GSTBATCH_API_KEY", "")
        .run(2);
    assert!(run.stderr().contains("GSTBATCH_API_KEY"), "{}", run.stderr());
    dir.write("creds", format!("key={KEY}\nsecret={SECRET}\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("creds"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let run = dir
            .cmd()
            .args([
                "verify",
                "v.csv",
                "--api-base",
                &emu.base,
                "--state",
                "s.db",
                "--credentials",
                "creds",
            ])
            .run(2);
        assert!(run.stderr().contains("readable by group or others"), "{}", run.stderr());
        std::fs::set_permissions(dir.join("creds"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
    }
    emu.register(A, "ACME", "", "Active");
    let run = dir
        .cmd()
        .args([
            "verify",
            "v.csv",
            "-q",
            "--api-base",
            &emu.base,
            "--state",
            "s.db",
            "--credentials",
            "creds",
        ])
        .run(0);
    assert!(run.stdout().contains(",active,"), "{}", run.stdout());
    // Wrong secret: the provider refuses, nothing was verified.
    let run = dir
        .cmd()
        .args(["verify", "v.csv", "--api-base", &emu.base, "--state", "t.db", "--max-age", "0"])
        .env("GSTBATCH_API_KEY", KEY)
        .env("GSTBATCH_API_SECRET", "wrong")
        .run(2);
    assert!(run.stderr().contains("refused the API key and secret"), "{}", run.stderr());
    assert!(!run.stderr().contains("wrong"), "{}", run.stderr());
    assert_eq!(emu.lock().paid, 1);
}

#[test]
fn a_killed_run_never_pays_twice_for_what_it_stored() {
    let (emu, ids, dir) = active_vendors(30, Duration::from_millis(150));
    let mut child = verify(&dir, &emu, &["v.csv", "-q", "--concurrency", "2"]).spawn();
    let started = Instant::now();
    while emu.lock().paid < 12 {
        assert!(started.elapsed() < Duration::from_secs(60), "the run made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1200)); // a group commit
    child.kill().unwrap();
    child.wait().unwrap();
    let stored: Vec<String> = {
        let conn = rusqlite::Connection::open(dir.join("s.db")).unwrap();
        let mut st = conn.prepare("SELECT identifier FROM answers").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(stored.len() >= 8, "only {} answers were stored", stored.len());
    let before: std::collections::HashMap<String, u64> = emu.lock().attempts.clone();
    verify(&dir, &emu, &["v.csv", "-q", "--concurrency", "2"]).run(0);
    let after = emu.lock().attempts.clone();
    for g in &stored {
        assert_eq!(after[g], before[g], "{g} was stored, then asked again");
    }
    assert_eq!(after.len(), ids.len());
}

#[test]
fn workbook_in_and_out() {
    let emu = Emulator::start();
    emu.register(A, "ACME", "", "Active");
    emu.register(B, "RAMAN", "", "Cancelled");
    let dir = Dir::new();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "Vendor master").unwrap();
    for (r, (n, g)) in [("Name", "GSTIN"), ("a", A), ("b", B)].iter().enumerate() {
        ws.write_string(r as u32 + 2, 0, *n).unwrap();
        ws.write_string(r as u32 + 2, 1, *g).unwrap();
    }
    book.save(dir.join("v.xlsx")).unwrap();
    let run = verify(&dir, &emu, &["v.xlsx", "-q"]).run(1);
    let got = report_rows(&run.stdout());
    assert_eq!(got[0]["gstbatch_row"], "4");
    assert_eq!(got[1]["gstbatch_verify_status"], "cancelled");
    verify(&dir, &emu, &["v.xlsx", "-q", "-o", "r.xlsx"]).run(1);
    let bytes = std::fs::read(dir.join("r.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert!(zip.by_name("xl/worksheets/sheet2.xml").is_ok(), "a Summary sheet");
}

#[test]
fn ctrl_c_stops_new_calls_and_keeps_what_was_answered() {
    let (emu, ids, dir) = active_vendors(40, Duration::from_millis(200));
    let child = verify(&dir, &emu, &["v.csv", "-q", "--concurrency", "2", "-o", "r.csv"]).spawn();
    let started = Instant::now();
    while emu.lock().paid < 6 {
        assert!(started.elapsed() < Duration::from_secs(60), "the run made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    crate::util::signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let got = report_rows(&dir.read("r.csv"));
    assert_eq!(got.len(), ids.len(), "every row is reported");
    let answered = got.iter().filter(|r| r["gstbatch_verify_status"] == "active").count();
    let skipped = got.iter().filter(|r| r["gstbatch_message"].contains("interrupted")).count();
    assert_eq!(answered + skipped, ids.len());
    assert!(answered >= 6 && skipped > 0, "{answered} answered, {skipped} skipped");
    assert_eq!(answered as u64, emu.lock().paid, "every answer paid for is in the report");
    let conn = rusqlite::Connection::open(dir.join("s.db")).unwrap();
    let stored: i64 = conn.query_row("SELECT count(*) FROM answers", [], |r| r.get(0)).unwrap();
    assert_eq!(stored as usize, answered, "and in the store");
}

#[test]
fn max_calls_rate_and_an_invalid_gstin_answer() {
    let emu = Emulator::start();
    let ids = generated_gstins(5);
    for g in &ids[..4] {
        emu.register(g, "X", "", "Active");
    }
    emu.lock().invalid.push(ids[4].clone());
    let dir = Dir::new();
    vendors_of(&dir, &ids);
    let run = verify(&dir, &emu, &["v.csv", "-q", "--max-calls", "2", "--concurrency", "1"]).run(1);
    let got = report_rows(&run.stdout());
    assert_eq!(got.iter().filter(|r| r["gstbatch_source"] == "live").count(), 2);
    let over: Vec<_> =
        got.iter().filter(|r| r["gstbatch_message"].contains("--max-calls")).collect();
    assert_eq!(over.len(), 3);
    assert_eq!(emu.lock().paid, 2);
    // The rest, at most 600 a minute: 3 calls take at least 0.2 s between
    // their starts.
    let started = Instant::now();
    let run = verify(&dir, &emu, &["v.csv", "-q", "--rate", "600"]).run(1);
    assert!(started.elapsed() >= Duration::from_millis(200), "{:?}", started.elapsed());
    let got = report_rows(&run.stdout());
    assert_eq!(got[4]["gstbatch_verify_status"], "not_found");
    assert!(got[4]["gstbatch_message"].contains("SWEB_9035"), "{:?}", got[4]);
    assert_eq!(emu.lock().paid, 5);
}
