//! Issue 21, the hostile tester's second round: one test per class (secrets,
//! money, bounded inputs, outputs checked before work), each failing on the
//! code before its fix.

use crate::emulator::{Emulator, Fault, KEY, SECRET};
use crate::util::{Dir, report_rows};
use crate::verify::{A, B, generated_gstins, vendors, verify};

/// Every attempt at one value gets the same reply (the first try and every
/// retry, and more).
fn always(fault: Fault) -> Vec<Fault> {
    vec![fault; 8]
}

/// A 200 body in the provider's envelope around `data`.
fn envelope(data: &str) -> String {
    format!(r#"{{"code":200,"timestamp":1,"transaction_id":"tx-h","data":{data}}}"#)
}

/// Whether `bytes` holds `needle` anywhere.
fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Makes `path` readable by its owner only, as a credentials file must be.
fn owner_only(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = path;
}

// A1. The host checked is the host connected to; no user name or password.
#[test]
fn a1_an_api_base_with_a_user_name_is_refused_before_any_call() {
    let emu = Emulator::start();
    emu.register(A, "ACME", "", "Active");
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}")]);
    let port = emu.base.rsplit(':').next().unwrap();
    for base in [
        "http://[::1]@example.test:8080".to_string(),
        format!("http://127.0.0.1@127.0.0.1:{port}"),
        format!("http://u:p@127.0.0.1:{port}"),
    ] {
        let run = dir
            .cmd()
            .args(["verify", "v.csv", "-q", "--state", "s.db", "--api-base", &base])
            .env("GSTBATCH_API_KEY", KEY)
            .env("GSTBATCH_API_SECRET", SECRET)
            .run(2);
        assert!(run.stderr().contains("user name or password"), "{base}: {}", run.stderr());
        let run = dir
            .cmd()
            .args(["verify", "v.csv", "-q", "--state", "s.db"])
            .env("GSTBATCH_API_BASE", &base)
            .env("GSTBATCH_API_KEY", KEY)
            .env("GSTBATCH_API_SECRET", SECRET)
            .run(2);
        assert!(run.stderr().contains("user name or password"), "{base}: {}", run.stderr());
    }
    assert_eq!(emu.lock().authentications, 0, "the key and secret were sent");
}

// A2 and A3. What the provider says is redacted and escaped wherever it goes.
#[test]
fn a2_a3_provider_text_never_carries_a_secret_or_an_escape_sequence() {
    let emu = Emulator::start();
    let echo = format!("echo x-api-key: {KEY} x-api-secret={SECRET} \u{1b}]0;owned\u{7}\u{1b}[2J");
    let echoed = |code: u16| format!(r#"{{"code":{code},"message":{}}}"#, serde_json::json!(echo));
    let [c, d] = <[String; 2]>::try_from(generated_gstins(2)).unwrap();
    // A 5xx retried to the end, a 200 NOGSTIN cached with its raw body, and
    // an unknown error code answered at once.
    emu.faults(A, always(Fault::Raw(500, echoed(500))));
    let nogstin = format!(r#"{{"error_code":"NOGSTIN","message":{}}}"#, serde_json::json!(echo));
    emu.faults(&c, always(Fault::Raw(200, envelope(&nogstin))));
    let unknown = format!(r#"{{"error_code":"X_1","message":{}}}"#, serde_json::json!(echo));
    emu.faults(&d, always(Fault::Raw(200, envelope(&unknown))));
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}"), &format!("c,{c}"), &format!("d,{d}")]);
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, report) in ["r.csv", "r.json", "r.xlsx"].into_iter().enumerate() {
        let summary = format!("s{i}.json");
        let run = verify(&dir, &emu, &["v.csv", "-o", report, "--summary", &summary])
            .args(["--max-age", "0"])
            .run(1);
        outputs.push((format!("{report} stderr"), run.stderr().into_bytes()));
        outputs.push((report.to_string(), std::fs::read(dir.join(report)).unwrap()));
        outputs.push((summary.clone(), std::fs::read(dir.join(&summary)).unwrap()));
    }
    // The store last: every answer cached in it.
    outputs.push(("s.db".into(), std::fs::read(dir.join("s.db")).unwrap()));
    for (name, bytes) in &outputs {
        for secret in [KEY, SECRET] {
            assert!(!holds(bytes, secret), "{secret} reached {name}");
        }
        if !name.ends_with("xlsx") && !name.ends_with("db") {
            assert!(!bytes.contains(&0x1b) && !bytes.contains(&0x07), "raw escape in {name}");
        }
    }
    let csv = dir.read("r.csv");
    assert!(csv.contains("[redacted]") && csv.contains("<U+001B>]0;owned<U+0007>"), "{csv}");
    let rows = report_rows(&csv);
    let status: Vec<&str> = rows.iter().map(|r| r["gstbatch_verify_status"].as_str()).collect();
    assert_eq!(status, ["unavailable", "not_found", "provider_error"]);
}

// A4. Credentials with line ends work; an unsendable one is named, once.
#[test]
fn a4_credentials_with_line_ends_are_trimmed_and_bad_ones_named() {
    let emu = Emulator::start();
    emu.register(A, "ACME", "", "Active");
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}")]);
    verify(&dir, &emu, &["v.csv", "-q"])
        .env("GSTBATCH_API_KEY", format!("{KEY}\r\n"))
        .env("GSTBATCH_API_SECRET", format!("{SECRET}\n"))
        .run(0);
    dir.write("creds", format!("key={KEY}\r\nsecret = {SECRET}\r\n"));
    owner_only(&dir.join("creds"));
    verify(&dir, &emu, &["v.csv", "-q", "--max-age", "0", "--credentials", "creds"]).run(0);
    assert_eq!(emu.lock().paid, 2);
    let run = verify(&dir, &emu, &["v.csv", "--max-age", "0"])
        .env("GSTBATCH_API_SECRET", format!("{SECRET}\u{1}x"))
        .run(2);
    let err = run.stderr();
    assert!(err.contains("GSTBATCH_API_SECRET") && !err.contains(SECRET), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    dir.write("creds", format!("# the firm's\nkey={KEY}\nsecret={SECRET}\u{7f}\n"));
    owner_only(&dir.join("creds"));
    let run = verify(&dir, &emu, &["v.csv", "--max-age", "0", "--credentials", "creds"]).run(2);
    assert!(run.stderr().contains("creds, line 3"), "{}", run.stderr());
    assert_eq!(emu.lock().paid, 2, "nothing asked with a bad secret");
}

// B8. What would be the same on retry is answered at once, paid once.
#[test]
fn b8_an_answer_that_retry_cannot_change_is_paid_once_and_not_cached() {
    let emu = Emulator::start();
    let ids = generated_gstins(4);
    let bodies = [
        envelope(r#"{"error_code":"RET_UNKNOWN","message":"Something else"}"#),
        envelope(r#"{"status_cd":"0","error":{"error_cd":"GSP999","message":"Invalid"}}"#),
        envelope(r#"{"unexpected":{"shape":true}}"#),
        // Over the 10 MB ureq reads: the same question gets it again.
        envelope(&format!(
            r#"{{"gstin":"{}","sts":"Active","pad":"{}"}}"#,
            ids[3],
            "x".repeat(11 << 20)
        )),
    ];
    for (g, body) in ids.iter().zip(bodies) {
        emu.faults(g, always(Fault::Raw(200, body)));
    }
    let dir = Dir::new();
    let lines: Vec<String> = ids.iter().map(|g| format!("v,{g}")).collect();
    vendors(&dir, &lines.iter().map(String::as_str).collect::<Vec<_>>());
    let run = verify(&dir, &emu, &["v.csv", "-q", "--summary", "s.json"]).run(1);
    let rows = report_rows(&run.stdout());
    for r in &rows {
        assert_eq!(r["gstbatch_verify_status"], "provider_error", "{r:?}");
    }
    assert!(rows[0]["gstbatch_message"].contains("RET_UNKNOWN: Something else"), "{rows:?}");
    assert!(rows[1]["gstbatch_message"].contains("GSP999: Invalid"), "{rows:?}");
    assert!(rows[3]["gstbatch_message"].contains("larger than"), "{rows:?}");
    let attempts: Vec<u64> = ids.iter().map(|g| emu.lock().attempts[g]).collect();
    assert_eq!(attempts, [1, 1, 1, 1], "retried");
    let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(summary["live_calls"], 4, "{summary}");
    // Not cached: the next run asks again.
    verify(&dir, &emu, &["v.csv", "-q"]).run(1);
    assert_eq!(emu.lock().attempts[&ids[0]], 2);
}

// B9. An answer for another identifier is not the asked one's.
#[test]
fn b9_an_answer_for_another_gstin_or_pan_is_a_provider_error() {
    let emu = Emulator::start();
    let other = format!(r#"{{"gstin":"{B}","lgnm":"SOMEONE ELSE","sts":"Active"}}"#);
    emu.faults(A, always(Fault::Raw(200, envelope(&other))));
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}")]);
    let run = verify(&dir, &emu, &["v.csv", "-q"]).run(1);
    let rows = report_rows(&run.stdout());
    assert_eq!(rows[0]["gstbatch_verify_status"], "provider_error");
    assert!(rows[0]["gstbatch_message"].contains(B), "{rows:?}");
    assert_eq!(rows[0]["gstbatch_legal_name"], "", "someone else's name shown");
    let conn = rusqlite::Connection::open(dir.join("s.db")).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM answers", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0, "cached under the asked GSTIN");

    let pan = "AAAPA1234A";
    let other = r#"{"pan":"BBBPB1234B","category":"individual","status":"valid","aadhaar_seeding_status":"y"}"#;
    emu.faults(pan, always(Fault::Raw(200, envelope(other))));
    dir.write("p.csv", format!("Name,PAN,DOB\nx,{pan},01/01/1990\n"));
    let run = crate::verify_pan::verify(&dir, &emu, &["p.csv", "-q"]).run(1);
    let rows = report_rows(&run.stdout());
    assert_eq!(rows[0]["gstbatch_verify_status"], "provider_error", "{rows:?}");
}

// B10. A fresh token refused too: the credentials are refused; stop.
#[test]
fn b10_a_provider_that_refuses_every_token_stops_the_run() {
    let emu = Emulator::start();
    emu.lock().refuse_tokens = true;
    let ids = generated_gstins(6);
    let dir = Dir::new();
    let lines: Vec<String> = ids.iter().map(|g| format!("v,{g}")).collect();
    vendors(&dir, &lines.iter().map(String::as_str).collect::<Vec<_>>());
    let run = verify(&dir, &emu, &["v.csv", "-o", "r.csv"]).run(2);
    let err = run.stderr();
    assert!(err.contains("refused the credentials"), "{err}");
    assert_eq!(err.matches("refused the credentials").count(), 1, "{err}");
    let s = emu.lock();
    assert!(s.authentications <= 2 * 4, "{} authentications", s.authentications);
    let asked: u64 = s.attempts.values().sum();
    assert!(asked <= 2 * 4, "{asked} requests after the credentials were refused");
    drop(s);
    let rows = report_rows(&dir.read("r.csv"));
    assert!(rows.iter().all(|r| r["gstbatch_verify_status"] == "not_checked"), "{rows:?}");
}

// B11. A change is news once.
#[test]
fn b11_a_change_read_back_from_the_store_is_not_news_again() {
    let emu = Emulator::start();
    emu.register(A, "ACME", "", "Active");
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}")]);
    verify(&dir, &emu, &["v.csv", "-q"]).run(0);
    emu.register(A, "ACME", "", "Cancelled");
    let run = verify(&dir, &emu, &["v.csv", "-q", "--max-age", "0", "--fail-if-changed"]).run(1);
    assert_eq!(report_rows(&run.stdout())[0]["gstbatch_changed"], "true");
    // The next night, from the store: the same change is not news.
    let run = verify(&dir, &emu, &["v.csv", "-q", "--fail-if-changed"]).run(0);
    let rows = report_rows(&run.stdout());
    assert_eq!(rows[0]["gstbatch_source"], "cache");
    assert_eq!(rows[0]["gstbatch_changed"], "false");
    assert_eq!(rows[0]["gstbatch_previous_status"], "active", "kept for reference");
    assert_eq!(emu.lock().paid, 2);
}

/// Polls `ready` every 20 ms for at most 10 s.
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    for _ in 0..500 {
        if ready() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("gave up waiting: {what}");
}

/// Answers in the store at `path` (0 while it is not there yet).
fn stored(path: &std::path::Path) -> i64 {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    rusqlite::Connection::open_with_flags(path, flags)
        .and_then(|c| c.query_row("SELECT count(*) FROM answers", [], |r| r.get(0)))
        .unwrap_or(0)
}

/// A folder with about `n` active vendors (`generate` may repeat one),
/// answered by an emulator after `latency_ms` each, and how many there are.
fn slow_vendors(n: usize, latency_ms: u64) -> (Emulator, Dir, usize) {
    let emu = Emulator::start();
    emu.lock().latency = std::time::Duration::from_millis(latency_ms);
    let ids = generated_gstins(n);
    for g in &ids {
        emu.register(g, "X", "", "Active");
    }
    let dir = Dir::new();
    let lines: Vec<String> = ids.iter().map(|g| format!("v,{g}")).collect();
    vendors(&dir, &lines.iter().map(String::as_str).collect::<Vec<_>>());
    (emu, dir, ids.len())
}

/// What mends a spoiled store, for a rerun against it.
type Mend = Box<dyn FnOnce()>;

/// The paid-and-lost case, whatever made the store stop taking answers:
/// `spoil` runs once the first answers are stored. The run must stop buying,
/// report what it has, say how many answers were not kept, exit 2; when
/// `spoil` gives a mend, a rerun then pays for exactly what was not stored.
fn a_store_that_stops_taking_answers(spoil: impl FnOnce(&Dir) -> Option<Mend>, said: &str) {
    let (emu, dir, n) = slow_vendors(40, 100);
    // Commits come every second, about 10 answers apart: the failed one is
    // the second or third, and with --wait 0 it fails at once.
    // With --returns: once the store fails, no return tracking is bought either.
    let args = [
        "v.csv",
        "--concurrency",
        "1",
        "--wait",
        "0",
        "-o",
        "r.csv",
        "--summary",
        "s.json",
        "--returns",
        "2025-26",
    ];
    let run = std::thread::scope(|scope| {
        let running = scope.spawn(|| verify(&dir, &emu, &args).run_any());
        wait_until("a first commit", || stored(&dir.join("s.db")) > 0);
        let mend = spoil(&dir);
        (running.join().unwrap(), mend)
    });
    let (run, mend) = run;
    assert_eq!(run.code(), Some(2), "{}", run.dump("want exit 2"));
    let err = run.stderr();
    assert!(err.contains(said) && err.contains("paid for and are not in the store"), "{err}");
    let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    let (paid, tracked) = {
        let e = emu.lock();
        (e.paid, e.attempts.keys().filter(|k| k.starts_with("track ")).count())
    };
    assert!(paid <= 30, "went on paying: {paid} of {n}");
    assert_eq!(tracked, 0, "return tracking bought after the store failed");
    let rows = report_rows(&dir.read("r.csv"));
    let active = rows.iter().filter(|r| r["gstbatch_verify_status"] == "active").count();
    assert_eq!(active as u64, paid, "a paid answer missing from the report");
    let kept = paid - summary["not_stored"].as_u64().unwrap();
    assert!(kept > 0 && summary["not_stored"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(summary["exit_code"], 2);
    // The store back as it was: a rerun pays for what was not stored only.
    let Some(mend) = mend else { return };
    mend();
    verify(&dir, &emu, &["v.csv", "-q", "-o", "r.csv"]).run(0);
    assert_eq!(emu.lock().paid - paid, n as u64 - kept, "paid twice for a stored answer");
}

// B5. A commit that fails (here, the store's write lock held by another
// program past --wait).
#[test]
fn b5_after_a_failed_commit_no_more_is_paid_and_nothing_paid_is_lost() {
    a_store_that_stops_taking_answers(
        |dir| {
            let path = dir.join("s.db");
            let (locked, is_locked) = std::sync::mpsc::channel();
            let (release, released) = std::sync::mpsc::channel::<()>();
            let holder = std::thread::spawn(move || {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
                conn.execute_batch("BEGIN IMMEDIATE").unwrap();
                locked.send(()).unwrap();
                let _ = released.recv_timeout(std::time::Duration::from_secs(60));
                conn.execute_batch("ROLLBACK").unwrap();
            });
            is_locked.recv().unwrap();
            Some(Box::new(move || {
                drop(release);
                holder.join().unwrap();
            }))
        },
        "locked by another process",
    );
}

// B7. The store deleted under the run (a backup job, a person).
#[cfg(unix)]
#[test]
fn b7_a_store_deleted_during_the_run_is_noticed() {
    a_store_that_stops_taking_answers(
        |dir| {
            std::fs::remove_file(dir.join("s.db")).unwrap();
            None
        },
        "deleted or replaced",
    );
}

// B7. The store replaced under the run by another file (a restore).
#[cfg(unix)]
#[test]
fn b7_a_store_replaced_during_the_run_is_noticed() {
    a_store_that_stops_taking_answers(
        |dir| {
            std::fs::copy(dir.join("s.db"), dir.join("copy.db")).unwrap();
            std::fs::rename(dir.join("copy.db"), dir.join("s.db")).unwrap();
            None
        },
        "deleted or replaced",
    );
}

// B6. Two runs on one store at once: the second waits and reuses.
#[test]
fn b6_two_runs_on_one_store_never_pay_twice() {
    let (emu, dir, n) = slow_vendors(20, 50);
    let args = ["v.csv", "--concurrency", "2"];
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| verify(&dir, &emu, &args).run_any());
        wait_until("the first run's first call", || emu.lock().paid > 0);
        let second = scope.spawn(|| verify(&dir, &emu, &args).run_any());
        (first.join().unwrap(), second.join().unwrap())
    });
    assert_eq!(first.code(), Some(0), "{}", first.dump("want exit 0"));
    assert_eq!(second.code(), Some(0), "{}", second.dump("want exit 0"));
    assert!(second.stderr().contains("waiting for it"), "{}", second.stderr());
    assert_eq!(emu.lock().paid, n as u64, "paid twice");
    let rows = report_rows(&second.stdout());
    assert!(rows.iter().all(|r| r["gstbatch_source"] == "cache"), "{rows:?}");

    // Without waiting: the second stops at once, having bought nothing.
    let args = ["v.csv", "-q", "--concurrency", "1", "--max-age", "0"];
    let paid = emu.lock().paid;
    std::thread::scope(|scope| {
        let first = scope.spawn(|| verify(&dir, &emu, &args).run(0));
        wait_until("the first run's first call", || emu.lock().paid > paid);
        let run = verify(&dir, &emu, &args).args(["--wait", "0"]).run(2);
        assert!(run.stderr().contains("another gstbatch verify"), "{}", run.stderr());
        first.join().unwrap();
    });
    assert_eq!(emu.lock().paid, paid + n as u64);
}

/// The three commands that write a report and a summary, each run in `dir`
/// with `outputs` (the report's and the summary's flags), and what shows
/// that nothing was done: no store for `access apply`, nothing paid for
/// `verify`.
/// `want` is the exit code of each, in that order.
fn each_command(
    dir: &Dir,
    emu: &Emulator,
    outputs: &[&str],
    want: [i32; 3],
) -> Vec<crate::util::Run> {
    let input = crate::util::sample("access-instructions.csv");
    dir.write("g.csv", format!("GSTIN\n{A}\n"));
    let apply = dir
        .cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(input)
        .args(["--state", "apply.db", "--now", "2026-11-26 18:00"])
        .args(outputs)
        .run(want[0]);
    let validate = dir.cmd().args(["validate", "g.csv"]).args(outputs).run(want[1]);
    let verify = verify(dir, emu, &["g.csv"]).args(outputs).run(want[2]);
    vec![apply, validate, verify]
}

// C15. An output that cannot be written is found before any work.
#[test]
fn c15_every_output_is_checked_before_a_commit_or_a_paid_call() {
    let emu = Emulator::start();
    emu.register(A, "ACME", "", "Active");
    let dir = Dir::new();
    std::fs::create_dir(dir.join("folder")).unwrap();
    dir.write("locked.csv", "OLD\n");
    let mut p = std::fs::metadata(dir.join("locked.csv")).unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(dir.join("locked.csv"), p).unwrap();
    for (outputs, named, why) in [
        (["-o", "folder"], "folder", "it is a folder"),
        (["--summary", "folder"], "folder", "it is a folder"),
        (["-o", "folder/"], "folder", "it is a folder"),
        (["-o", "no/such/r.csv"], "no/such/r.csv", ""),
        (["--summary", "no/such/s.json"], "no/such/s.json", ""),
        (["-o", "locked.csv"], "locked.csv", "read-only"),
        (["--summary", "locked.csv"], "locked.csv", "read-only"),
    ] {
        for run in each_command(&dir, &emu, &outputs, [2; 3]) {
            let err = run.stderr();
            assert!(err.contains(named) && err.contains(why), "{outputs:?}: {err}");
        }
        assert!(!dir.join("apply.db").exists(), "{outputs:?}: the batch was applied");
        assert_eq!(emu.lock().authentications, 0, "{outputs:?}: verify called the provider");
    }
    assert_eq!(dir.read("locked.csv"), "OLD\n");
    assert!(dir.files().iter().all(|f| !f.contains("partial")), "{:?}", dir.files());
}

// C16. Two outputs on one stream are refused.
#[test]
fn c16_two_outputs_on_standard_output_are_refused() {
    let emu = Emulator::start();
    let dir = Dir::new();
    for outputs in [&["--summary", "-"][..], &["-o", "-", "--summary", "-"]] {
        for run in each_command(&dir, &emu, outputs, [2; 3]) {
            assert!(run.stderr().contains("both write to standard output"), "{}", run.stderr());
            assert!(run.stdout().is_empty(), "{}", run.stdout());
        }
    }
    #[cfg(unix)]
    for run in each_command(&dir, &emu, &["--summary", "/dev/stdout"], [2; 3]) {
        assert!(run.stderr().contains("both write to standard output"), "{}", run.stderr());
    }
    assert_eq!(emu.lock().authentications, 0);
    // Each on its own stream is fine.
    emu.register(A, "ACME", "", "Active");
    let runs = each_command(&dir, &emu, &["-o", "r.csv", "--summary", "-"], [1, 0, 0]);
    for run in &runs[1..] {
        let summary: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
        assert_eq!(summary["report"], "r.csv");
    }
}

// C17. A summary that cannot be written leaves the earlier report alone.
#[cfg(target_os = "linux")]
#[test]
fn c17_a_summary_that_fails_leaves_the_old_report_as_it_was() {
    let emu = Emulator::start();
    emu.register(A, "ACME", "", "Active");
    let dir = Dir::new();
    dir.write("r.csv", "OLD REPORT\n");
    let outputs = ["-o", "r.csv", "--summary", "/dev/full"];
    dir.write("g.csv", format!("GSTIN\n{A}\n"));
    let validate = dir.cmd().args(["validate", "g.csv"]).args(outputs).run(2);
    let verify = verify(&dir, &emu, &["g.csv"]).args(outputs).run(2);
    for run in [validate, verify] {
        assert!(run.stderr().contains("/dev/full"), "{}", run.stderr());
        assert_eq!(dir.read("r.csv"), "OLD REPORT\n");
    }
    // After a commit, access apply says the batch stands (exit 1), and the
    // report is not replaced without its summary either.
    let run = dir
        .cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(crate::util::sample("access-instructions.csv"))
        .args(["--state", "apply.db", "--now", "2026-11-26 18:00"])
        .args(outputs)
        .run(1);
    assert!(run.stderr().contains("WAS applied") && run.stderr().contains("/dev/full"));
    assert_eq!(dir.read("r.csv"), "OLD REPORT\n");
}

// C12. A workbook cannot ask for impossible memory.
#[test]
fn c12_a_workbook_that_states_impossible_counts_or_expands_without_bound_is_refused() {
    let dir = Dir::new();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "GSTIN").unwrap();
    ws.write_string(1, 0, A).unwrap();
    book.save(dir.join("ok.xlsx")).unwrap();
    for (i, count) in ["4000000000", "18446744073709551615"].into_iter().enumerate() {
        let name = format!("lie{i}.xlsx");
        crate::workbook::edit_part(
            &dir.join("ok.xlsx"),
            &dir.join(&name),
            "xl/sharedStrings.xml",
            |xml| {
                let at = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
                let end = at + xml[at..].find('"').unwrap();
                format!("{}{count}{}", &xml[..at], &xml[end..])
            },
        );
        let run = dir.cmd().args(["validate", &name, "-q"]).run(2);
        assert!(
            run.stderr().contains(&format!("says it holds {count} strings")),
            "{}",
            run.stderr()
        );
        let run = dir.cmd().args(["access", "apply", &name, "--state", "s.db", "-q"]).run(2);
        assert!(run.stderr().contains("says it holds"), "{}", run.stderr());
    }
    dir.cmd().args(["validate", "ok.xlsx", "-q"]).run(0);

    // One 32,000-character text (near Excel's most) in every cell of 80
    // rows by 2 columns: 5 MB of text from a file of a few kilobytes,
    // against a limit lowered to 2 MiB.
    let long = "x".repeat(32_000);
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "GSTIN").unwrap();
    ws.write_string(0, 1, "Note").unwrap();
    for r in 1..=80 {
        ws.write_string(r, 0, &long).unwrap();
        ws.write_string(r, 1, &long).unwrap();
    }
    book.save(dir.join("wide.xlsx")).unwrap();
    assert!(std::fs::metadata(dir.join("wide.xlsx")).unwrap().len() < 100 << 10);
    for args in
        [&["validate", "wide.xlsx", "-q"][..], &["access", "apply", "wide.xlsx", "--state", "s.db"]]
    {
        let run = dir.cmd().args(args).env("GSTBATCH_TEST_TABLE_LIMIT", "2097152").run(2);
        let err = run.stderr();
        assert!(err.contains("sheet \"Sheet1\"") && err.contains("more than the 2.0 MiB"), "{err}");
    }
    assert!(!dir.join("s.db").exists());
}

// C13. A whole table is bounded while it is read.
#[test]
fn c13_an_endless_instruction_file_or_stdin_stops_at_the_limit() {
    let dir = Dir::new();
    let limit = ["GSTBATCH_TEST_TABLE_LIMIT", "1048576"];
    #[cfg(unix)]
    {
        let run = dir
            .cmd()
            .args(["access", "apply", "/dev/zero", "--state", "s.db"])
            .env(limit[0], limit[1])
            .run(2);
        assert!(run.stderr().contains("larger than the 1.0 MiB"), "{}", run.stderr());
    }
    let endless =
        "GSTIN,Action,Duration\n".to_string() + &format!("{A},enable,7d\n").repeat(100_000);
    let run = dir
        .cmd()
        .args(["access", "apply", "-", "--state", "s.db"])
        .env(limit[0], limit[1])
        .stdin(endless)
        .run(2);
    let err = run.stderr();
    assert!(err.contains("cannot read -: it is larger than the 1.0 MiB a whole table"), "{err}");
    assert!(!dir.join("s.db").exists());
}

// C18. An instruction earlier than the last recorded change is out of order
// across files as within one; status and history agree.
#[test]
fn c18_an_earlier_instruction_in_a_later_file_is_out_of_order() {
    let dir = Dir::new();
    let apply = |file: &str, want: i32| {
        dir.cmd()
            .args(["access", "apply", file, "--state", "s.db", "--now", "2026-11-26 18:00", "-q"])
            .run(want)
    };
    // Never enabled, and enabled long ago (expired): each disable is
    // `unchanged`, and still the last recorded change.
    dir.write(
        "one.csv",
        format!("GSTIN,Action,Duration,Effective\n{B},enable,6h,2026-11-01 09:00\n"),
    );
    apply("one.csv", 0);
    dir.write(
        "first.csv",
        format!(
            "GSTIN,Action,Effective\n{A},disable,2026-11-26 11:00\n{B},disable,2026-11-26 11:00\n"
        ),
    );
    apply("first.csv", 0);
    dir.write(
        "second.csv",
        format!(
            "GSTIN,Action,Duration,Effective\n{A},enable,7d,2026-11-26 10:00\n\
             {B},enable,7d,2026-11-26 10:00\n"
        ),
    );
    let run = dir
        .cmd()
        .args(["access", "apply", "second.csv", "--state", "s.db", "--now", "2026-11-26 18:00"])
        .run(1);
    let rows = report_rows(&run.stdout());
    for r in &rows {
        assert_eq!(
            (r["outcome"].as_str(), r["reason"].as_str()),
            ("rejected", "out_of_order"),
            "{r:?}"
        );
        assert!(r["message"].contains("2026-11-26T11:00:00+05:30"), "{r:?}");
    }
    // Status agrees with history: neither was enabled after its disable.
    let status = dir
        .cmd()
        .args(["access", "status", "--state", "s.db", "--now", "2026-11-26 18:00", "-q"])
        .run(0)
        .stdout();
    for (g, want) in [(A, ",disabled,"), (B, ",expired,")] {
        let line = status.lines().find(|l| l.starts_with(g)).unwrap_or_default();
        assert!(line.contains(want), "{status}");
    }
}

// C19. The place-of-supply forms returns, the portal and Tally write.
#[test]
fn c19_the_state_column_reads_code_and_name_together() {
    let dir = Dir::new();
    let forms = [
        "27-Maharashtra",
        "27 - Maharashtra",
        "(27) Maharashtra",
        "Maharashtra (27)",
        "27",
        "Maharashtra",
    ];
    let mut csv = String::from("GSTIN,Place of supply\n");
    for f in forms {
        csv.push_str(&format!("{A},{f}\n"));
    }
    csv.push_str(&format!("{A},27-Karnataka\n{A},29-Karnataka\n{A},27-Atlantis\n"));
    dir.write("pos.csv", csv);
    let run =
        dir.cmd().args(["validate", "pos.csv", "-q", "--state-column", "Place of supply"]).run(1);
    let rows = report_rows(&run.stdout());
    let codes: Vec<&str> = rows.iter().map(|r| r["gstbatch_code"].as_str()).collect();
    assert_eq!(
        codes,
        ["", "", "", "", "", "", "state_conflict", "state_mismatch", "state_mismatch"],
        "{rows:?}"
    );
    let conflict = &rows[6]["gstbatch_message"];
    assert!(conflict.contains("27 Maharashtra") && conflict.contains("29 Karnataka"), "{conflict}");
}

// C14. verify streams its input: read twice, no row held; standard input
// is copied to read it twice and reports as a file does.
#[test]
fn c14_verify_streams_its_input_from_a_file_or_stdin() {
    let emu = Emulator::start();
    emu.register(A, "ACME", "", "Active");
    let dir = Dir::new();
    // Rows past the header's width, blank lines, a repeated GSTIN.
    let csv = format!("Name,GSTIN\na,{A},extra\n\nb,{B}\nc,{A}\n");
    dir.write("v.csv", &csv);
    verify(&dir, &emu, &["v.csv", "-q"]).run(1);
    // Both from the store: the same report from the file and from stdin.
    let from_file = verify(&dir, &emu, &["v.csv", "-q", "--offline"]).run(1);
    let from_stdin =
        verify(&dir, &emu, &["-", "-q", "--offline", "--summary", "s.json"]).stdin(csv).run(1);
    assert_eq!(from_file.stdout(), from_stdin.stdout());
    let rows = report_rows(&from_file.stdout());
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["gstbatch_row"].as_str(), r["gstbatch_verify_status"].as_str()))
        .collect();
    assert_eq!(got, [("2", "active"), ("4", "not_found"), ("5", "active")]);
    assert_eq!(rows[0]["column_3"], "extra");
    let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!((summary["rows"].as_u64(), summary["distinct"].as_u64()), (Some(3), Some(2)));
}

/// The peak resident memory of a finished child, in KiB, from `time -v`.
#[cfg(target_os = "linux")]
fn peak_kib(run: &crate::util::Run) -> u64 {
    let err = run.stderr();
    let line = err.lines().find(|l| l.contains("Maximum resident set size")).unwrap_or_default();
    line.rsplit(' ').next().and_then(|n| n.trim().parse().ok()).unwrap_or(u64::MAX)
}

// C14. Memory follows the distinct identifiers, not the rows: 400,000 rows
// of 2,000 GSTINs (16 MB) are verified offline in a few MiB.
#[cfg(target_os = "linux")]
#[test]
fn c14_memory_follows_the_distinct_identifiers_not_the_rows() {
    if !std::path::Path::new("/usr/bin/time").exists() {
        eprintln!("skipped: no /usr/bin/time");
        return;
    }
    let dir = Dir::new();
    let ids = generated_gstins(2_000);
    let mut csv = String::from("Name,GSTIN,Note\n");
    for i in 0..400_000 {
        csv.push_str(&format!("Vendor {i},{},some note about this vendor\n", ids[i % ids.len()]));
    }
    dir.write("big.csv", csv);
    let bin = env!("CARGO_BIN_EXE_gstbatch");
    let run = dir
        .cmd_of("/usr/bin/time")
        .args([
            "-v",
            bin,
            "verify",
            "big.csv",
            "--offline",
            "--state",
            "none.db",
            "-q",
            "-o",
            "r.csv",
        ])
        .run(1);
    let kib = peak_kib(&run);
    assert!(kib < 40 << 10, "peak {kib} KiB for a 16 MB file of 2,000 GSTINs");
    // Every row distinct: about 45 bytes each, not the ~1 KiB of a row held.
    dir.cmd().args(["generate", "--rows", "300000", "-o", "distinct.csv"]).run(0);
    let run = dir
        .cmd_of("/usr/bin/time")
        .args(["-v", bin, "verify", "distinct.csv", "--offline", "--state", "none.db", "-q"])
        .args(["-o", "r.csv"])
        .run(1);
    let kib = peak_kib(&run);
    assert!(kib < 60 << 10, "peak {kib} KiB for 300,000 distinct GSTINs");
}
