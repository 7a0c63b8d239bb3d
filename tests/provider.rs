//! `verify` against the provider as it really answers (SPEC.md 7.1 and the
//! decisions of 7.3): GST errors inside HTTP 200, its own GSTIN pre-check,
//! 400/404/504 and the 403s that stop a run, its cache, its rate.

use crate::emulator::{Emulator, Fault};
use crate::util::{Dir, report_rows};
use crate::verify::{A, B, NOW, vendors, verify};

/// A TDS GSTIN (TAN-based), valid under SPEC 1.1, whose 14th character the
/// provider's pre-check refuses.
const TDS: &str = "06DELI09652G1DA";
/// An OIDAR GSTIN, likewise.
const OIDAR: &str = "9917SGP29001OST";
/// A UIN GSTIN: the UN bodies' layout, which the provider accepts.
const UIN: &str = "0717UNO00157UNO";

fn column(run: &crate::util::Run, c: &str) -> Vec<String> {
    report_rows(&run.stdout()).iter().map(|r| r[c].clone()).collect()
}

#[test]
fn spec_7_1_gstins_the_provider_refuses_are_never_sent() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.register(UIN, "UNITED NATIONS OFFICE", "", "Active");
    let dir = Dir::new();
    vendors(
        &dir,
        &[&format!("a,{A}"), &format!("t,{TDS}"), &format!("o,{OIDAR}"), &format!("u,{UIN}")],
    );
    let run = verify(&dir, &emu, &["v.csv", "-q"]).run(1);
    assert_eq!(
        column(&run, "gstbatch_verify_status"),
        ["active", "provider_refused", "provider_refused", "active"]
    );
    let messages = column(&run, "gstbatch_message");
    assert!(messages[1].contains("cannot look up a tds GSTIN") && messages[1].contains("C or Z"));
    assert!(messages[2].contains("oidar"), "{}", messages[2]);
    let e = emu.lock();
    assert!(!e.attempts.contains_key(TDS) && !e.attempts.contains_key(OIDAR), "{:?}", e.attempts);
    assert_eq!(e.paid, 2);
    assert!(e.bad_headers.is_empty(), "{:?}", e.bad_headers);
}

#[test]
fn spec_7_1_a_gst_error_inside_a_200_is_an_error_never_a_record() {
    let emu = Emulator::start();
    let dir = Dir::new();
    let g = crate::verify::generated_gstins(3);
    let envelope = |data: &str| {
        format!(r#"{{"code":200,"timestamp":"1","transaction_id":"t","data":{data}}}"#)
    };
    // An unknown GSTIN in the new contract's shape; an error GSTN did not
    // explain; a flat error code.
    emu.faults(
        &g[0],
        vec![Fault::Raw(
            200,
            envelope(r#"{"status_cd":"0","error":{"error_cd":"SWEB_9035","message":"Invalid GSTIN / UID"}}"#),
        )],
    );
    emu.faults(
        &g[1],
        vec![Fault::Raw(
            200,
            envelope(
                r#"{"status_cd":0,"error":[{"error_code":"GSTN-EXEC2003","message":"Try later"}]}"#,
            ),
        )],
    );
    emu.faults(
        &g[2],
        vec![Fault::Raw(200, envelope(r#"{"error_code":"RET11416","message":"x"}"#))],
    );
    crate::verify::vendors_of(&dir, &g);
    let run = verify(&dir, &emu, &["v.csv", "-q", "--now", NOW]).run(1);
    assert_eq!(
        column(&run, "gstbatch_verify_status"),
        ["not_found", "provider_error", "provider_error"]
    );
    let messages = column(&run, "gstbatch_message");
    assert!(messages[1].contains("GSTN-EXEC2003: Try later"), "{}", messages[1]);
    // Answered at once: not retried, and not cached (a rerun asks again).
    for id in &g {
        assert_eq!(emu.lock().attempts[id], 1, "{id}");
    }
    verify(&dir, &emu, &["v.csv", "-q", "--now", NOW]).run(1);
    assert_eq!(emu.lock().attempts[&g[1]], 2);
    assert_eq!(emu.lock().attempts[&g[0]], 1, "not_found is an answer, kept");
}

#[test]
fn spec_7_1_400_is_this_row_404_stops_504_is_retried() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.register(B, "RAMAN STEEL", "", "Active");
    emu.faults(A, vec![Fault::Status(400, None)]);
    emu.faults(B, vec![Fault::Status(504, None)]);
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}"), &format!("b,{B}")]);
    let run = verify(&dir, &emu, &["v.csv", "-q"]).run(1);
    assert_eq!(column(&run, "gstbatch_verify_status"), ["provider_error", "active"]);
    assert!(column(&run, "gstbatch_message")[0].contains("(400:"));
    assert_eq!(emu.lock().attempts[A], 1, "400 is not retried");
    assert_eq!(emu.lock().attempts[B], 2, "504 is");
    // 404: the address is wrong for every call; nothing answered is exit 2.
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}"), &format!("b,{B}")]);
    let emu = Emulator::start();
    emu.faults(A, vec![Fault::Status(404, None)]);
    emu.faults(B, vec![Fault::Status(404, None)]);
    let run = verify(&dir, &emu, &["v.csv", "--concurrency", "1"]).run(2);
    assert!(run.stderr().contains("is --api-base right?"), "{}", run.stderr());
    let attempts = emu.lock().attempts.clone();
    assert_eq!(attempts.values().sum::<u64>(), 1, "{attempts:?}");
}

#[test]
fn spec_7_1_quota_exhausted_or_access_revoked_stop_the_run() {
    for said in ["Usage quota exhausted", "Access revoked"] {
        let emu = Emulator::start();
        let dir = Dir::new();
        let g = crate::verify::generated_gstins(3);
        for id in &g {
            emu.register(id, "X", "", "Active");
        }
        let body = format!(r#"{{"code":403,"message":"{said}","timestamp":1}}"#);
        emu.faults(&g[0], vec![Fault::Raw(403, body)]);
        crate::verify::vendors_of(&dir, &g);
        let run = verify(&dir, &emu, &["v.csv", "--concurrency", "1"]).run(2);
        assert!(run.stderr().contains(said), "{said}: {}", run.stderr());
        let status = column(&run, "gstbatch_verify_status");
        assert!(status.iter().all(|s| s == "not_checked"), "{status:?}");
        assert_eq!(emu.lock().paid, 0);
    }
}

#[test]
fn spec_7_1_the_older_contract_s_top_level_token_is_read() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.lock().top_level_token = true;
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}")]);
    verify(&dir, &emu, &["v.csv", "-q"]).run(0);
    assert_eq!(emu.lock().authentications, 1);
}

#[test]
fn spec_7_3_provider_cache_answers_are_free_and_say_so() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.register(B, "RAMAN STEEL", "", "Active");
    emu.lock().provider_cached.push(A.to_string());
    let dir = Dir::new();
    vendors(&dir, &[&format!("a,{A}"), &format!("b,{B}")]);
    // Without the flag the provider's cache is never asked for.
    let plain = Dir::new();
    vendors(&plain, &[&format!("a,{A}")]);
    verify(&plain, &emu, &["v.csv", "-q"]).run(0);
    let (asked, paid) = {
        let e = emu.lock();
        (e.cache_requests, e.paid)
    };
    assert_eq!((asked, paid), (0, 1));
    let run = verify(&dir, &emu, &["v.csv", "--provider-cache", "--summary", "s.json"]).run(0);
    assert_eq!(column(&run, "gstbatch_source"), ["provider-cache", "live"]);
    assert_eq!(emu.lock().cache_requests, 2);
    assert_eq!(emu.lock().paid, 2, "the hit was free, the miss paid");
    let summary: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(summary["provider_cache_hits"], 1);
    // Both are kept in our store like any answer.
    let again = verify(&dir, &emu, &["v.csv", "--provider-cache", "-q"]).run(0);
    assert_eq!(column(&again, "gstbatch_source"), ["cache", "cache"]);
}

#[test]
fn spec_7_3_the_default_rate_is_the_host_s_published_limit() {
    let dir = Dir::new();
    let shown =
        |base: &str| dir.cmd().args(["config"]).env("GSTBATCH_API_BASE", base).run(0).stdout();
    assert!(shown("https://test-api.sandbox.co.in").contains("25 a minute"));
    assert!(shown("https://api.sandbox.co.in").contains("100 a minute"));
    assert!(shown("http://127.0.0.1:9").contains("no limit but --concurrency"));
}
