//! The configuration file: where it is, what it sets for every command,
//! what wins over it, and how a bad one is refused.

use crate::emulator::{Emulator, KEY, SECRET};
use crate::util::{Cmd, Dir, sample};
use crate::verify::{A, NOW};

/// `gstbatch` with the credentials in the environment and a short timeout.
fn with_keys(cmd: Cmd) -> Cmd {
    cmd.env("GSTBATCH_API_KEY", KEY)
        .env("GSTBATCH_API_SECRET", SECRET)
        .env("GSTBATCH_TEST_BACKOFF_MS", "10")
        .args(["--timeout", "5s", "--now", NOW])
}

#[test]
fn the_platform_file_sets_the_store_and_the_provider_for_every_command() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    let dir = Dir::new();
    // The platform's file: $XDG_CONFIG_HOME/gstbatch/config.toml (the test
    // folder stands in for ~/.config). Its relative paths are beside it.
    std::fs::create_dir(dir.join("gstbatch")).unwrap();
    dir.write(
        "gstbatch/config.toml",
        format!(
            "# the practice's defaults\nstate = \"books/state.db\"\napi-base = \"{}\"\n",
            emu.base
        ),
    );
    let store = dir.join("gstbatch/books/state.db");
    let apply = ["access", "apply", "in.csv", "--now", NOW, "-q", "-o", "a.csv"];
    std::fs::copy(sample("access-instructions.csv"), dir.join("in.csv")).unwrap();
    dir.cmd().args(apply).run_any();
    assert!(store.is_file(), "access apply did not use the file's store");
    let status = dir.cmd().args(["access", "status", "--now", NOW]).run(0).stdout();
    assert!(status.contains(A), "{status}");
    let history = dir.cmd().args(["access", "history", A]).run(0).stdout();
    assert!(history.contains("enabled"), "{history}");
    dir.write("v.csv", format!("GSTIN\n{A}\n"));
    let run = with_keys(dir.cmd().args(["verify", "v.csv"])).run(0);
    assert!(run.stdout().contains("ACME UDYOG LLP"), "{}", run.dump("the file's provider"));
    assert_eq!(emu.lock().paid, 1);
    // The answer went to the file's store: asked again, nothing is paid.
    with_keys(dir.cmd().args(["verify", "v.csv", "-q"])).run(0);
    assert_eq!(emu.lock().paid, 1);

    // A flag wins over the environment, the environment over the file.
    dir.cmd().args(["access", "status", "--state", "books.db"]).run(2);
    let env = dir.cmd().args(["access", "status"]).env("GSTBATCH_STATE", "other.db").run(2);
    assert!(env.stderr().contains("other.db"), "{}", env.stderr());
    let off = with_keys(dir.cmd().args(["verify", "v.csv", "--api-base", "http://127.0.0.1:9"]));
    let off = off.args(["--max-age", "0", "-q"]).run(1);
    assert!(off.stdout().contains("Connection refused"), "{}", off.stdout());
    assert_eq!(emu.lock().paid, 1);
}

#[test]
fn gstbatch_config_shows_each_setting_and_its_source_and_reads_back() {
    let dir = Dir::new();
    dir.write("c.toml", "max-age = \"0\"\nconcurrency = 2\nrate = 90\nformat = \"jsonl\"\n");
    let shown = dir.cmd().args(["config"]).env("GSTBATCH_CONFIG", "c.toml").run(0).stdout();
    for want in [
        "max-age = \"0\"  # from the file, line 1",
        "concurrency = 2  # from the file, line 2",
        "rate = 90  # from the file, line 3",
        "format = \"jsonl\"  # from the file, line 4",
        "api-base = \"https://",
    ] {
        assert!(shown.contains(want), "no {want:?} in\n{shown}");
    }
    let env =
        dir.cmd().args(["config"]).env("GSTBATCH_STATE", "e.db").env("GSTBATCH_CONFIG", "c.toml");
    assert!(
        env.run(0).stdout().contains("state = \"e.db\"  # from the environment: GSTBATCH_STATE")
    );
    // What it prints is itself a configuration file with the same settings.
    dir.write("again.toml", &shown);
    let again = dir.cmd().args(["config"]).env("GSTBATCH_CONFIG", "again.toml").run(0).stdout();
    let values = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split("  #").next().unwrap().into())
            .collect()
    };
    assert_eq!(values(&again), values(&shown));
    // With no file, the defaults.
    let none = dir.cmd().args(["config"]).run(0).stdout();
    assert!(
        none.contains("(there is none") && none.contains("max-age = \"7d\"  # built in"),
        "{none}"
    );
}

#[test]
fn the_file_format_applies_when_neither_flag_nor_extension_says() {
    let dir = Dir::new();
    dir.write("c.toml", "format = \"json\"\n");
    dir.write("in.csv", format!("GSTIN\n{A}\n"));
    let run = |args: &[&str]| {
        dir.cmd().args(["validate", "in.csv"]).args(args).env("GSTBATCH_CONFIG", "c.toml").run(0)
    };
    assert!(run(&[]).stdout().starts_with('['));
    run(&["-o", "r.out"]);
    assert!(dir.read("r.out").starts_with('['));
    run(&["-o", "r.csv"]);
    assert!(dir.read("r.csv").starts_with("GSTIN,"));
    assert!(run(&["--format", "csv"]).stdout().starts_with("GSTIN,"));
    // A workbook default applies to report files only; stdout stays CSV.
    dir.write("c.toml", "format = \"xlsx\"\n");
    assert!(run(&[]).stdout().starts_with("GSTIN,"));
    run(&["-o", "r.report"]);
    assert!(std::fs::read(dir.join("r.report")).unwrap().starts_with(b"PK"));
}

#[test]
fn a_bad_file_is_exit_2_naming_file_line_and_key_and_never_stops_check() {
    let dir = Dir::new();
    dir.write("in.csv", format!("GSTIN\n{A}\n"));
    for (text, want) in [
        ("state = \"s.db\"\nsecret = \"sk_live_1\"\n", "line 2: unknown field 'secret'"),
        ("concurrency = 100\n", "line 1: concurrency = 100: give a number from 1 to 64"),
        ("max-age = \"a while\"\n", "line 1: max-age \"a while\" is not a span"),
        ("api-base = \"http://gst.example.in\"\n", "line 1: api-base:"),
        ("rate = [\n", "line 1"),
    ] {
        dir.write("c.toml", text);
        for args in [&["validate", "in.csv"][..], &["access", "status"], &["verify", "in.csv"]] {
            let run = dir.cmd().args(args).env("GSTBATCH_CONFIG", "c.toml").run(2);
            let err = run.stderr();
            assert!(
                err.contains("configuration file c.toml") && err.contains(want),
                "{args:?}: {err}"
            );
            assert!(!err.contains("sk_live_1"), "{err}");
        }
        dir.cmd().args(["check", A]).env("GSTBATCH_CONFIG", "c.toml").run(0);
    }
    let run = dir.cmd().args(["validate", "in.csv"]).env("GSTBATCH_CONFIG", "missing.toml").run(2);
    assert!(run.stderr().contains("missing.toml"), "{}", run.stderr());
    assert_eq!(dir.files(), ["c.toml", "in.csv"]);
}
