use std::time::Duration;

use crate::util::{Dir, golden, sample};

const NOW: &str = "2026-11-26 18:00";

fn apply(dir: &Dir, file: std::path::PathBuf, want: i32, extra: &[&str]) -> crate::util::Run {
    let now: &[&str] = if extra.contains(&"--now") { &[] } else { &["--now", NOW] };
    dir.cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(file)
        .args(["--state", "state.db"])
        .args(now)
        .args(extra)
        .run(want)
}

fn status(dir: &Dir, extra: &[&str], want: i32) -> String {
    let now: &[&str] = if extra.contains(&"--now") { &[] } else { &["--now", NOW] };
    dir.cmd()
        .args(["access", "status", "--state", "state.db", "-q"])
        .args(now)
        .args(extra)
        .run(want)
        .stdout()
}

#[test]
fn apply_reports_every_outcome_and_reason() {
    let dir = Dir::new();
    let run = apply(&dir, sample("access-instructions.csv"), 1, &[]);
    golden("access-apply.csv", &run.stdout());
    for word in [
        ",enabled,",
        ",renewed,",
        ",disabled,",
        ",unchanged,",
        "invalid_gstin",
        "bad_action",
        "missing_duration",
        "bad_duration",
        "bad_time",
        "future_time",
    ] {
        assert!(run.stdout().contains(word), "{word} missing");
    }
    assert!(
        run.stderr()
            .contains("13 instructions: 4 enabled, 1 renewed, 1 disabled, 1 unchanged, 6 rejected")
    );
    assert!(run.stderr().contains("store: state.db"), "{}", run.stderr());
    let run = dir
        .cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(sample("access-followup.csv"))
        .args(["--state", "state.db", "--now", "2026-11-27 10:00", "-q"])
        .run(1);
    assert!(run.stdout().contains(",rejected,out_of_order,"), "{}", run.stdout());
}

#[test]
fn reapplying_the_same_file_changes_nothing_and_rewrites_the_original_report() {
    let dir = Dir::new();
    apply(&dir, sample("access-instructions.csv"), 1, &["-o", "first.csv", "-q"]);
    let before = status(&dir, &[], 0);
    let run = apply(&dir, sample("access-instructions.csv"), 0, &["-o", "again.csv"]);
    assert!(run.stderr().contains("was already applied on"), "{}", run.stderr());
    assert_eq!(status(&dir, &[], 0), before);
    assert_eq!(dir.read("again.csv"), dir.read("first.csv"));
    // --reapply applies it again on purpose: the enables now renew.
    let run = apply(&dir, sample("access-instructions.csv"), 1, &["--reapply", "-q"]);
    assert!(run.stdout().contains("REQ-101"));
    let history = dir
        .cmd()
        .args(["access", "history", "27AAPFU0939F1ZV", "--state", "state.db", "-q"])
        .run(0)
        .stdout();
    assert_eq!(history.lines().count(), 1 + 4, "{history}");
}

#[test]
fn dry_run_changes_nothing_byte_for_byte() {
    let dir = Dir::new();
    // Against no store at all: nothing is created.
    let run = apply(&dir, sample("access-instructions.csv"), 1, &["--dry-run"]);
    assert!(run.stderr().contains("dry run"), "{}", run.stderr());
    assert!(!dir.join("state.db").exists());
    apply(&dir, sample("access-followup.csv"), 0, &["-q", "--now", "2026-11-27 10:00"]);
    let before = std::fs::read(dir.join("state.db")).unwrap();
    let run = apply(&dir, sample("access-instructions.csv"), 1, &["--dry-run", "-q"]);
    assert!(run.stdout().contains(",enabled,"));
    assert_eq!(std::fs::read(dir.join("state.db")).unwrap(), before);
    // And the same file still counts as never applied.
    apply(&dir, sample("access-instructions.csv"), 1, &["-q"]);
}

#[test]
fn status_filters_sorting_and_fail_if_any() {
    let dir = Dir::new();
    apply(&dir, sample("access-instructions.csv"), 1, &["-q"]);
    let all = status(&dir, &[], 0);
    golden("access-status.csv", &all);
    let gstins: Vec<&str> = all.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    // Sorted by expiry; a GSTIN never enabled (its only instruction a
    // disable) is recorded, disabled, at its disable's time.
    assert_eq!(
        gstins,
        [
            "24AAACC1206D1ZM",
            "29AAACR5055K1Z3",
            "33AAACT2727Q1Z3",
            "19AAAHB1234B2Z3",
            "27AAPFU0939F1ZV"
        ]
    );
    assert!(all.contains("24AAACC1206D1ZM,disabled,,,,,,2026-11-25T12:00:00+05:30,"), "{all}");
    assert!(all.contains("19AAAHB1234B2Z3,active,2026-11-26T00:00:00+05:30,1d,2026-11-27T00:00:00+05:30,6h 0m,closed,"));
    let active = status(&dir, &["--status", "active"], 0);
    assert_eq!(active.lines().count(), 3);
    let soon = status(&dir, &["--expiring-within", "12h"], 0);
    assert_eq!(soon.lines().count(), 2, "{soon}");
    assert!(soon.contains("19AAAHB1234B2Z3"));
    status(&dir, &["--expiring-within", "12h", "--fail-if-any"], 1);
    status(&dir, &["--expiring-within", "30 minutes", "--fail-if-any"], 0);
    let one = status(&dir, &["--gstin", "27aapfu0939f1zv", "--gstin", "24AAACC1206D1ZM"], 0);
    assert!(one.contains("24AAACC1206D1ZM,disabled,"), "{one}");
    let never = status(&dir, &["--gstin", "07AAACT2727Q1ZY"], 0);
    assert!(never.contains("07AAACT2727Q1ZY,unknown,"), "{never}");
    assert!(one.contains("27AAPFU0939F1ZV,active,"), "{one}");
    dir.write("list.csv", "Name,GSTIN\nA,33AAACT2727Q1Z3\nB,29AAACR5055K1Z3\n");
    let two = status(&dir, &["--gstins", "list.csv", "--status", "expired"], 0);
    assert_eq!(two.lines().count(), 2, "{two}");
    dir.write("list.txt", "33AAACT2727Q1Z3\n27AAPFU0939F1ZX\n");
    let run =
        dir.cmd().args(["access", "status", "--state", "state.db", "--gstins", "list.txt"]).run(2);
    assert!(run.stderr().contains("list.txt row 2"), "{}", run.stderr());
    let json = status(&dir, &["--format", "json"], 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);
}

#[test]
fn history_is_oldest_first() {
    let dir = Dir::new();
    apply(&dir, sample("access-instructions.csv"), 1, &["-q"]);
    let run = dir
        .cmd()
        .args([
            "access",
            "history",
            "29AAACR5055K1Z3",
            "--state",
            "state.db",
            "--format",
            "jsonl",
            "-q",
        ])
        .run(0);
    let outcomes: Vec<String> = run
        .stdout()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(outcomes, ["enabled", "disabled"]);
    dir.cmd().args(["access", "history", "29AAACR5055K1Z4", "--state", "state.db"]).run(2);
}

#[test]
fn store_location_from_the_environment_and_missing_store() {
    let dir = Dir::new();
    let run = dir
        .cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(sample("access-followup.csv"))
        .args(["--now", "2026-11-27 10:00"])
        .env("GSTBATCH_STATE", "env-state.db")
        .run(0);
    assert!(run.stderr().contains("store: env-state.db"), "{}", run.stderr());
    assert!(dir.join("env-state.db").exists());
    let run = dir.cmd().args(["access", "status", "--state", "nowhere.db"]).run(2);
    assert!(run.stderr().contains("no store here"), "{}", run.stderr());
    assert!(!dir.join("nowhere.db").exists());
}

#[test]
fn summary_json_counts_outcomes_and_reasons() {
    let dir = Dir::new();
    apply(&dir, sample("access-instructions.csv"), 1, &["-q", "--summary", "s.json"]);
    let s: serde_json::Value = serde_json::from_str(&dir.read("s.json")).unwrap();
    assert_eq!(s["instructions"], 13);
    assert_eq!(s["by_outcome"]["rejected"], 6);
    assert_eq!(s["by_reason"]["future_time"], 1);
    assert_eq!(s["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(s["exit_code"], 1);
}

#[test]
fn not_a_database_or_read_only_store_is_exit_2_and_untouched() {
    let dir = Dir::new();
    dir.write("state.db", "gstin,action\nnot a database\n");
    let run = apply(&dir, sample("access-followup.csv"), 2, &[]);
    assert!(run.stderr().contains("state store state.db"), "{}", run.stderr());
    assert_eq!(dir.read("state.db"), "gstin,action\nnot a database\n");
    let dir = Dir::new();
    apply(&dir, sample("access-followup.csv"), 0, &["-q", "--now", "2026-11-27 10:00"]);
    let path = dir.join("state.db");
    let before = std::fs::read(&path).unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    let run = apply(&dir, sample("access-instructions.csv"), 2, &[]);
    assert!(run.stderr().contains("read-only"), "{}", run.stderr());
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn missing_columns_and_bad_flags_are_exit_2() {
    let dir = Dir::new();
    let f = dir.write("i.csv", "gstin,duration\n27AAPFU0939F1ZV,6h\n");
    let run = apply(&dir, f, 2, &[]);
    assert!(run.stderr().contains("no action (enable/disable) column"), "{}", run.stderr());
    let run = dir.cmd().args(["access", "status", "--state", "x.db", "--now", "yesterday"]).run(2);
    assert!(run.stderr().contains("--now"), "{}", run.stderr());
    assert!(!dir.join("x.db").exists());
}

/// Starts an apply that pauses inside its transaction for `seconds`, and
/// waits until it is there.
fn paused_apply(dir: &Dir, file: &str, seconds: u32) -> std::process::Child {
    let marker = dir.join("paused");
    let mut child = dir
        .cmd()
        .args(["access", "apply", file, "--state", "state.db", "--now", NOW, "-q"])
        .env("GSTBATCH_TEST_PAUSE_BEFORE_COMMIT", &marker)
        .env("GSTBATCH_TEST_PAUSE_SECONDS", seconds.to_string())
        .spawn();
    for _ in 0..600 {
        if marker.exists() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the apply never reached its pause point");
}

#[test]
fn sigkill_mid_apply_leaves_the_store_as_before_and_usable() {
    let dir = Dir::new();
    apply(&dir, sample("access-followup.csv"), 0, &["-q", "--now", "2026-11-27 10:00"]);
    let later = ["--now", "2026-11-27 10:00"];
    let before = status(&dir, &later, 0);
    dir.cmd()
        .args(["generate", "--instructions", "5000", "--rows", "100000", "-o", "big.csv"])
        .run(0);
    let mut child = paused_apply(&dir, "big.csv", 60);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status(&dir, &later, 0), before);
    // Usable, and the killed batch never counted as applied.
    let run = apply(&dir, dir.join("big.csv"), 0, &["-q"]);
    assert_eq!(run.stdout().lines().count(), 100_001);
}

#[test]
fn a_held_lock_makes_the_other_run_wait_then_give_up() {
    let dir = Dir::new();
    apply(&dir, sample("access-followup.csv"), 0, &["-q", "--now", "2026-11-27 10:00"]);
    std::fs::copy(sample("access-instructions.csv"), dir.join("i.csv")).unwrap();
    let mut child = paused_apply(&dir, "i.csv", 60);
    let run = apply(&dir, sample("access-followup.csv"), 2, &["--wait", "1", "--reapply"]);
    assert!(run.stderr().contains("locked by another process"), "{}", run.stderr());
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn two_applies_at_once_both_land_with_no_event_lost() {
    let dir = Dir::new();
    for (seed, file) in [("1", "a.csv"), ("2", "b.csv")] {
        let args =
            ["generate", "--instructions", "2000", "--rows", "20000", "--seed", seed, "-o", file];
        dir.cmd().args(args).run(0);
    }
    let spawn = |f: &str| {
        let out = format!("{f}.out");
        dir.cmd()
            .args(["access", "apply", f, "--state", "state.db", "--now", NOW, "-q", "-o", &out])
            .run(0)
    };
    std::thread::scope(|s| {
        let a = s.spawn(|| spawn("a.csv"));
        let b = s.spawn(|| spawn("b.csv"));
        a.join().unwrap();
        b.join().unwrap();
    });
    let conn_events: usize =
        ["a.csv.out", "b.csv.out"].iter().map(|f| dir.read(f).lines().count() - 1).sum();
    assert_eq!(conn_events, 40_000);
    // Every event is in the audit trail: re-emitting each batch's report
    // from the store gives the same rows.
    for f in ["a.csv", "b.csv"] {
        let run = dir
            .cmd()
            .args([
                "access",
                "apply",
                f,
                "--state",
                "state.db",
                "--now",
                NOW,
                "-o",
                &format!("{f}.again"),
            ])
            .run(0);
        assert!(run.stderr().contains("already applied"));
        assert_eq!(dir.read(&format!("{f}.again")), dir.read(&format!("{f}.out")));
    }
}

#[test]
fn a_run_waiting_for_the_lock_applies_from_the_other_runs_result() {
    let dir = Dir::new();
    dir.write(
        "a.csv",
        "gstin,action,duration,effective_at\n27AAPFU0939F1ZV,enable,1 day,2026-11-26 09:00\n",
    );
    dir.write(
        "b.csv",
        "gstin,action,duration,effective_at\n27AAPFU0939F1ZV,disable,,2026-11-26 10:00\n",
    );
    // A holds the write lock for 2 s after reading the (empty) sessions.
    let mut a = paused_apply(&dir, "a.csv", 2);
    // B starts meanwhile; it must wait for A and then see A's session.
    let b = apply(&dir, dir.join("b.csv"), 0, &["-q"]);
    assert!(a.wait().unwrap().success());
    assert!(
        b.stdout().contains(",disable,,2026-11-26T10:00:00+05:30,disabled,,,active,"),
        "{}",
        b.stdout()
    );
    assert!(status(&dir, &[], 0).contains("27AAPFU0939F1ZV,disabled,"));
}

#[test]
fn utf16_instructions_are_read() {
    let dir = Dir::new();
    let text = "GSTIN\tAction\tDuration\tEffective At\r\n27AAPFU0939F1ZV\tYes\t7 days\t2026-11-26 09:00\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let f = dir.write("i.txt", bytes);
    let run = apply(&dir, f, 0, &["-q"]);
    assert!(
        run.stdout().contains("27AAPFU0939F1ZV,Yes,7d,2026-11-26T09:00:00+05:30,enabled,"),
        "{}",
        run.stdout()
    );
}
