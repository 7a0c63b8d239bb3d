//! The contract every command keeps: exit 0 (all valid or applied), 1
//! (processed, with findings), 2 (nothing usable done, with a `gstbatch:`
//! message), and no output that overwrites an input or the store.

use crate::util::{Dir, sample};

const NOW: &str = "2026-11-27 10:00";
const VALID: &str = "27AAPFU0939F1ZV";

/// A folder with a store holding the sample instructions.
fn with_store() -> Dir {
    let dir = Dir::new();
    dir.cmd()
        .arg_path_first("access", "apply".into())
        .arg_path(sample("access-instructions.csv"))
        .args(["--state", "s.db", "--now", NOW, "-q", "-o", "first.csv"])
        .run(1);
    dir
}

#[test]
fn every_command_exits_0_1_or_2_as_documented() {
    let dir = with_store();
    dir.write("ok.csv", format!("GSTIN\n{VALID}\n"));
    std::fs::copy(sample("gstins.csv"), dir.join("gstins.csv")).unwrap();
    dir.write("ok-ins.csv", format!("gstin,action\n{VALID},disable\n"));
    let store = ["--state", "s.db", "--now", NOW];
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["check", VALID], 0),
        (vec!["check", "27AAPFU0939F1ZX"], 1),
        (vec!["check", "-", "-"], 2),
        (vec!["validate", "ok.csv", "-q"], 0),
        (vec!["validate", "gstins.csv", "-q"], 1),
        (vec!["validate", "missing.csv"], 2),
        (vec!["validate", "ok.csv", "--column", "Nope"], 2),
        (vec!["validate", "ok.csv", "--jobs", "100000"], 2),
        (vec!["access", "apply", "ok-ins.csv", "-q", store[0], store[1], store[2], store[3]], 0),
        (vec!["access", "apply", "ok.csv", "-q", store[0], store[1], store[2], store[3]], 2),
        (vec!["access", "status", "-q", store[0], store[1], store[2], store[3]], 0),
        (
            vec!["access", "status", "-q", "--fail-if-any", store[0], store[1], store[2], store[3]],
            1,
        ),
        (vec!["access", "status", "--state", "none.db"], 2),
        (vec!["access", "status", "--state", "s.db", "--wait", "2147484"], 2),
        (vec!["access", "status", "--state", "s.db", "--expiring-within", "99999999999999d"], 2),
        (vec!["access", "history", VALID, "-q", "--state", "s.db"], 0),
        (vec!["access", "history", "27AAPFU0939F1ZX", "--state", "s.db"], 2),
        (vec!["no-such-command"], 2),
        (vec!["--version"], 0),
    ];
    for (args, want) in cases {
        let run = dir.cmd().args(&args).run_any();
        assert_eq!(run.code(), Some(want), "{}", run.dump(&format!("want exit {want}")));
        assert!(!run.stderr().contains("panicked"), "{}", run.dump("a panic"));
        if want == 2 && !args[0].starts_with('-') && args[0] != "no-such-command" {
            let ours = run.stderr().starts_with("gstbatch: ");
            let clap = run.stderr().starts_with("error: ");
            assert!(ours || clap, "{}", run.dump("a message"));
        }
    }
}

/// Every command that writes a report refuses to write it over an input,
/// over the store (or its WAL files), or over its other output, and leaves
/// them byte-identical.
#[test]
fn no_output_overwrites_an_input_the_store_or_the_other_output() {
    let dir = with_store();
    dir.write("in.csv", format!("GSTIN\n{VALID}\n"));
    dir.write("ins.csv", format!("gstin,action\n{VALID},disable\n"));
    dir.write("list.txt", format!("{VALID}\n"));
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::hard_link(dir.join("s.db"), dir.join("hard.db")).unwrap();
    let st = ["--state", "s.db", "--now", NOW];
    let cases: Vec<Vec<&str>> = vec![
        vec!["validate", "in.csv", "-o", "sub/../in.csv"],
        vec!["validate", "in.csv", "--summary", "in.csv"],
        vec!["validate", "in.csv", "-o", "r.json", "--summary", "./r.json"],
        vec!["access", "status", st[0], st[1], st[2], st[3], "-o", "s.db"],
        vec!["access", "status", st[0], st[1], st[2], st[3], "-o", "hard.db"],
        vec!["access", "status", st[0], st[1], st[2], st[3], "-o", "s.db-wal"],
        vec![
            "access", "status", st[0], st[1], st[2], st[3], "--gstins", "list.txt", "-o",
            "list.txt",
        ],
        vec!["access", "history", VALID, "--state", "s.db", "-o", "./sub/../s.db"],
        vec!["access", "apply", "ins.csv", st[0], st[1], st[2], st[3], "-o", "s.db"],
        vec!["access", "apply", "ins.csv", st[0], st[1], st[2], st[3], "--summary", "s.db"],
        vec!["access", "apply", "ins.csv", st[0], st[1], st[2], st[3], "-o", "ins.csv"],
        vec![
            "access",
            "apply",
            "ins.csv",
            st[0],
            st[1],
            st[2],
            st[3],
            "-o",
            "r.csv",
            "--summary",
            "r.csv",
        ],
    ];
    let history =
        || dir.cmd().args(["access", "history", VALID, "--state", "s.db", "-q"]).run(0).stdout();
    let events = history();
    let names = ["in.csv", "ins.csv", "list.txt", "s.db"];
    let before: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(dir.join(n)).unwrap()).collect();
    for args in cases {
        let run = dir.cmd().args(&args).run(2);
        assert!(run.stderr().starts_with("gstbatch: "), "{}", run.dump("a message"));
        let after: Vec<Vec<u8>> =
            names.iter().map(|n| std::fs::read(dir.join(n)).unwrap()).collect();
        assert!(before == after, "{}", run.dump("an input or the store changed"));
        assert!(!dir.join("r.csv").exists() && !dir.join("r.json").exists());
    }
    // The store still works, and the refused runs applied nothing.
    assert_eq!(history(), events);
}

/// Every visible command path (`access apply`) and its long flags, from
/// the parser's own definitions.
fn commands() -> Vec<(String, Vec<String>)> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<(String, Vec<String>)>) {
        let flags = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        out.push((path.trim().to_string(), flags));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
            walk(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut out = Vec::new();
    walk(&<gstbatch::cli::Cli as clap::CommandFactory>::command(), "", &mut out);
    out
}

#[test]
fn completions_and_the_man_page_name_every_command_and_flag() {
    let dir = Dir::new();
    let cmds = commands();
    assert!(cmds.len() > 8, "{cmds:?}");
    let man = dir.cmd().args(["man"]).run(0).stdout();
    for (path, flags) in &cmds {
        if !path.is_empty() {
            let heading = format!(".SH \"GSTBATCH {}\"", path.to_uppercase());
            assert!(man.contains(&heading), "no {heading} in the man page");
        }
        for flag in flags {
            let roff = flag.replace('-', "\\-");
            assert!(man.contains(&roff), "the man page lacks {path} {flag}");
        }
    }
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = dir.cmd().args(["completions", shell]).run(0).stdout();
        for (path, flags) in &cmds {
            let last = path.rsplit(' ').next().unwrap_or_default();
            assert!(script.contains(last), "{shell} completions lack the command {path:?}");
            for flag in flags {
                // fish names long flags without their dashes (`-l state`).
                let bare = flag.trim_start_matches('-');
                assert!(script.contains(bare), "{shell} completions lack {path} {flag}");
            }
        }
    }
    dir.write("gstbatch.bash", dir.cmd().args(["completions", "bash"]).run(0).stdout());
    dir.cmd_of("bash").args(["-n", "gstbatch.bash"]).run(0);
    dir.cmd().args(["completions", "tcsh"]).run(2);
}

#[test]
fn the_man_page_renders() {
    let dir = Dir::new();
    dir.write("gstbatch.1", dir.cmd().args(["man"]).run(0).stdout());
    if std::process::Command::new("man").arg("--version").output().is_err() {
        eprintln!("no man(1) here: the page is checked by the test above only");
        return;
    }
    let page = dir.cmd_of("man").args(["-l", "gstbatch.1"]).env("MANWIDTH", "80").run(0);
    let text = page.stdout();
    assert!(text.contains("EXIT STATUS") && text.contains("GSTBATCH ACCESS APPLY"), "{text}");
}
