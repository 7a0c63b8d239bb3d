use std::io::{Read, Write};

use crate::util::Dir;

#[test]
fn arguments_all_valid_exit_0() {
    let run = Dir::new().cmd().args(["check", "27AAPFU0939F1ZV", "AAPFU0939F"]).run(0);
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("27AAPFU0939F1ZV   valid   gstin regular 27 Maharashtra"));
    assert!(lines[1].starts_with("AAPFU0939F        valid   pan firm"));
    assert_eq!(run.stderr(), "");
}

#[test]
fn one_invalid_exit_1_with_code_message_and_suggestion() {
    let run = Dir::new().cmd().args(["check", "27AAPFU0939F1ZV", "27AAPFU9039F1ZV"]).run(1);
    let out = run.stdout();
    assert!(
        out.contains(
            "27AAPFU9039F1ZV   invalid checksum: check character at position 15 should be 'M', \
             found 'V' (did you mean 27AAPFU0939F1ZV?)"
        ),
        "{out}"
    );
}

#[test]
fn no_arguments_reads_stdin_lines_skipping_blank_ones() {
    let run = Dir::new()
        .cmd()
        .args(["check", "--format", "jsonl"])
        .stdin("27AAPFU0939F1ZV\r\n\n   \n27aapfu0939f1zv\nURP")
        .run(1);
    let recs: Vec<serde_json::Value> =
        run.stdout().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["input"], "27AAPFU0939F1ZV");
    assert_eq!(recs[0]["changed"], false);
    assert_eq!(recs[1]["normalized"], "27AAPFU0939F1ZV");
    assert_eq!(recs[1]["changed"], true);
    assert_eq!(recs[2]["code"], "length");
}

#[test]
fn dash_reads_stdin_in_argument_order() {
    let run = Dir::new()
        .cmd()
        .args(["check", "--format", "csv", "AAPFU0939F", "-", "URP"])
        .stdin("27AAPFU0939F1ZV\n")
        .run(1);
    let inputs: Vec<String> = csv::Reader::from_reader(run.stdout().as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(inputs, ["AAPFU0939F", "27AAPFU0939F1ZV", "URP"]);
}

#[test]
fn dash_twice_is_a_usage_error() {
    let run = Dir::new().cmd().args(["check", "-", "-"]).stdin("").run(2);
    assert!(run.stderr().contains("can be given only once"), "{}", run.stderr());
    assert_eq!(run.stdout(), "");
}

#[test]
fn unknown_flag_value_is_exit_2() {
    Dir::new().cmd().args(["check", "--kind", "tan", "X"]).run(2);
    Dir::new().cmd().args(["check", "--format", "xml", "X"]).run(2);
    Dir::new().cmd().args(["frobnicate"]).run(2);
}

#[test]
fn help_and_version_exit_0() {
    let run = Dir::new().cmd().args(["check", "--help"]).run(0);
    assert!(run.stdout().contains("--allow-retired"));
    Dir::new().cmd().args(["--version"]).run(0);
}

#[test]
fn json_is_one_array_with_every_field() {
    let run = Dir::new().cmd().args(["check", "--format", "json", "27AAPFU0939F1ZV", "X"]).run(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    let keys: Vec<&str> = arr[0].as_object().unwrap().keys().map(|k| k.as_str()).collect();
    for k in [
        "input",
        "normalized",
        "changed",
        "kind",
        "status",
        "code",
        "message",
        "registration_type",
        "state_code",
        "state_name",
        "pan",
        "holder_type",
        "suggestion",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    assert_eq!(arr[0]["pan"], "AAPFU0939F");
    assert_eq!(arr[0]["holder_type"], "firm");
    assert_eq!(arr[1]["status"], "invalid");
    assert!(arr[1]["kind"].is_null());
}

#[test]
fn empty_stdin_is_nothing_checked() {
    // Issue 9 (item 15): nothing to check is exit 2, not a clean run.
    let run = Dir::new().cmd().args(["check", "--format", "json"]).stdin("").run(2);
    assert!(run.stderr().contains("nothing checked"), "{}", run.stderr());
    Dir::new().cmd().args(["check"]).stdin("\n\n").run(2);
}

#[test]
fn kind_strict_and_allow_retired_flags() {
    // Forced GSTIN: a PAN is the wrong length.
    let run = Dir::new().cmd().args(["check", "--kind", "gstin", "AAPFU0939F"]).run(1);
    assert!(run.stdout().contains("length: looks like a PAN"), "{}", run.stdout());
    let run = Dir::new().cmd().args(["check", "--strict", "27aapfu0939f1zv"]).run(1);
    assert!(run.stdout().contains("not_canonical"), "{}", run.stdout());
    Dir::new().cmd().args(["check", "25AAAPA1234A1ZX"]).run(1);
    let run = Dir::new().cmd().args(["check", "--allow-retired", "25AAAPA1234A1ZX"]).run(0);
    assert!(run.stdout().contains("Daman and Diu"), "{}", run.stdout());
}

#[test]
fn invalid_utf8_and_nul_on_stdin_are_findings_not_crashes() {
    let run = Dir::new()
        .cmd()
        .args(["check", "--format", "jsonl"])
        .stdin(&b"27AAPFU0939F1Z\xff\n\x00\n27AAPFU0939F1Z\x00\n"[..])
        .run(1);
    let codes: Vec<String> = run
        .stdout()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["code"].to_string())
        .collect();
    // A NUL is invisible: it is named as a `character` error even where the
    // length is wrong too (issue 9, item 13).
    assert_eq!(codes, ["\"character\"", "\"character\"", "\"character\""]);
    assert!(run.stdout().contains("byte 0xFF at position 15"), "{}", run.stdout());
}

#[test]
fn an_empty_argument_is_reported_as_empty() {
    let run = Dir::new().cmd().args(["check", ""]).run(1);
    assert!(
        run.stdout().starts_with("\"\"                invalid empty: no value"),
        "{}",
        run.stdout()
    );
}

#[test]
fn closed_stdout_pipe_ends_quietly_with_exit_0() {
    let mut child = Dir::new().cmd().args(["check"]).spawn();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let line = b"27AAPFU0939F1ZV\n".repeat(10_000);
        for _ in 0..100 {
            if stdin.write_all(&line).is_err() {
                break;
            }
        }
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
