//! The scheduling recipes in `contrib/`, which README shows: the nightly
//! script run as cron and systemd run it, and the unit files checked.

use std::path::{Path, PathBuf};

use crate::emulator::{Emulator, KEY, SECRET};
use crate::util::Dir;
use crate::verify::{A, B};

fn contrib(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib").join(name)
}

/// `PATH` with the built binary's folder first, as an installed one is.
fn path_with_gstbatch() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_gstbatch")).parent().unwrap().to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).unwrap()
}

#[test]
fn the_nightly_script_reports_a_change_once_and_pays_once_a_day() {
    let emu = Emulator::start();
    emu.register(A, "ACME UDYOG LLP", "", "Active");
    emu.register(B, "RAMAN STEEL WORKS", "", "Active");
    let dir = Dir::new();
    dir.write("vendors.csv", format!("Name,GSTIN\nAcme,{A}\nRaman,{B}\n"));
    // The store and provider come from the configuration file, as README says.
    std::fs::create_dir(dir.join("gstbatch")).unwrap();
    dir.write(
        "gstbatch/config.toml",
        format!("state = \"state.db\"\napi-base = \"{}\"\n", emu.base),
    );
    let night = |max_age: &str, want: i32| {
        dir.cmd_of("sh")
            .arg_path(contrib("nightly-verify.sh"))
            .env("PATH", path_with_gstbatch())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("HOME", dir.path())
            .env("GSTBATCH_VENDORS", "vendors.csv")
            .env("GSTBATCH_MAX_AGE", max_age)
            .env("GSTBATCH_API_KEY", KEY)
            .env("GSTBATCH_API_SECRET", SECRET)
            .run(want)
    };
    assert_eq!(night("1d", 0).stderr(), "", "a quiet night prints nothing");
    let reports: Vec<String> = std::fs::read_dir(dir.join("gstbatch-reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(
        reports.iter().any(|r| r.starts_with("verify-") && r.ends_with(".xlsx")),
        "{reports:?}"
    );
    // The same day again: from the store, nothing paid.
    night("1d", 0);
    assert_eq!(emu.lock().paid, 2);
    // A vendor cancelled: the next night says so, once.
    emu.register(B, "RAMAN STEEL WORKS", "", "Cancelled");
    let changed = night("0", 1).stderr();
    assert!(changed.contains("status changed") && changed.contains("verify-"), "{changed}");
    night("0", 0);
    assert_eq!(emu.lock().paid, 6);
}

#[test]
fn the_cron_file_runs_what_contrib_holds() {
    let text = std::fs::read_to_string(contrib("cron/gstbatch")).unwrap();
    let jobs: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.contains('='))
        .collect();
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    for job in jobs {
        let fields: Vec<&str> = job.split_whitespace().collect();
        assert!(fields.len() > 6, "a /etc/cron.d line has 5 times, a user, a command: {job}");
        assert!(
            fields[..5].iter().all(|f| f.chars().all(|c| c.is_ascii_digit() || "*-,/".contains(c)))
        );
        if let Some(script) = fields.iter().find(|f| f.ends_with(".sh")) {
            let name = script.rsplit("/contrib/").next().unwrap();
            assert!(contrib(name).is_file(), "cron runs {script}, which contrib/ lacks");
        }
    }
}

#[test]
fn the_systemd_units_pass_systemd_analyze_verify() {
    if std::process::Command::new("systemd-analyze").arg("--version").output().is_err() {
        eprintln!("systemd-analyze is not here: the units are not checked");
        return;
    }
    let dir = Dir::new();
    // As installed: the script where the package puts it, here the repository's.
    for unit in ["gstbatch-verify.service", "gstbatch-verify.timer"] {
        let text = std::fs::read_to_string(contrib(&format!("systemd/{unit}"))).unwrap();
        let script = contrib("nightly-verify.sh");
        dir.write(
            unit,
            text.replace(
                "/usr/share/gstbatch/contrib/nightly-verify.sh",
                &script.to_string_lossy(),
            ),
        );
    }
    let run = dir
        .cmd_of("systemd-analyze")
        .args(["verify", "--man=no", "gstbatch-verify.service", "gstbatch-verify.timer"])
        .run(0);
    // A unit's unknown key is only a warning: none may name ours.
    assert!(!run.stderr().contains("gstbatch-verify"), "{}", run.stderr());
}
