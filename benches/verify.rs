//! `gstbatch verify` end to end against the provider emulator on
//! 127.0.0.1 with a fixed 50 ms latency: 2,000 distinct GSTINs at
//! `--concurrency 8` (the ideal is 2,000 x 0.05 s / 8 = 12.5 s), then
//! 100,000 rows (the same GSTINs, 50 times each) answered from the store;
//! then the same for 2,000 PANs (`--kind pan`, with names and dates of
//! birth). Medians of 3 runs, with CPU time and peak memory from
//! `/usr/bin/time`.
//!
//!   cargo bench --bench verify

use std::process::Command;
use std::time::Duration;

#[path = "../tests/emulator.rs"]
#[allow(dead_code)]
mod emulator;

const RUNS: usize = 3;

/// An input file's header, and one row's text from a GSTIN.
type Layout = (&'static str, fn(&str) -> String);

fn main() {
    let bin = env!("CARGO_BIN_EXE_gstbatch");
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let emu = emulator::Emulator::start();
    emu.lock().latency = Duration::from_millis(50);

    // 2,000 distinct valid GSTINs from the generator.
    let generated = d.join("gen.csv");
    let ok = Command::new(bin)
        .args(["generate", "--instructions", "2000", "--rows", "20000", "-o"])
        .arg(&generated)
        .status()
        .expect("run generate");
    assert!(ok.success());
    let mut ids: Vec<String> = Vec::new();
    for line in std::fs::read_to_string(&generated).expect("read").lines().skip(1) {
        let g = line.split(',').next().expect("gstin").to_string();
        if !ids.contains(&g) {
            ids.push(g);
        }
    }
    ids.truncate(2000);
    assert_eq!(ids.len(), 2000, "the generator gave too few GSTINs");
    for g in &ids {
        emu.register(g, "BENCH TRADERS PRIVATE LIMITED", "BENCH", "Active");
        emu.lock().pans.insert(
            g[2..12].to_string(),
            emulator::PanRecord {
                name: "BENCH TRADERS PRIVATE LIMITED".into(),
                dob: "01/04/2010".into(),
                category: "company".into(),
                status: "valid".into(),
                remarks: None,
                seeding: "na".into(),
            },
        );
    }
    // (header, one row's text) for GSTINs and for PANs.
    let kinds: [Layout; 2] = [
        ("GSTIN", |g| g.to_string()),
        ("Name,PAN,DOB", |g| format!("Bench Traders Private Limited,{},01/04/2010", &g[2..12])),
    ];
    let write = |name: &str, (header, row): Layout, times: usize| {
        let mut text = format!("{header}\n");
        for _ in 0..times {
            for g in &ids {
                text.push_str(&row(g));
                text.push('\n');
            }
        }
        let path = d.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };

    let run =
        |input: &std::path::Path, store: &std::path::Path, extra: &[&str]| -> (f64, f64, u64) {
            let timing = d.join("time");
            let status = Command::new("/usr/bin/time")
                .args(["-f", "%e %U %S %M", "-o"])
                .arg(&timing)
                .arg(bin)
                .args([
                    "verify",
                    "-q",
                    "-o",
                    "/dev/null",
                    "--concurrency",
                    "8",
                    "--api-base",
                    &emu.base,
                ])
                .arg("--state")
                .arg(store)
                .args(extra)
                .arg(input)
                .env("GSTBATCH_API_KEY", emulator::KEY)
                .env("GSTBATCH_API_SECRET", emulator::SECRET)
                .status()
                .expect("run /usr/bin/time gstbatch verify");
            assert!(status.code().is_some_and(|c| c <= 1), "verify failed");
            let t = std::fs::read_to_string(&timing).expect("timing");
            let v: Vec<f64> = t.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            (v[0], v[1] + v[2], v[3] as u64 / 1024)
        };
    let median = |mut xs: Vec<(f64, f64, u64)>| {
        xs.sort_by(|a, b| a.0.total_cmp(&b.0));
        xs[xs.len() / 2]
    };
    println!("| run | wall s (median of {RUNS}) | CPU s | peak RSS MiB |");
    println!("|---|---|---|---|");
    let pan_flags: &[&str] =
        &["--kind", "pan", "--consent", "--name-column", "Name", "--dob-column", "DOB"];
    for (k, (what, flags)) in [("GSTINs", &[][..]), ("PANs", pan_flags)].into_iter().enumerate() {
        let live = write(&format!("live{k}.csv"), kinds[k], 1);
        let cached = write(&format!("cached{k}.csv"), kinds[k], 50);
        let mut live_runs = Vec::new();
        for i in 0..RUNS {
            live_runs.push(run(&live, &d.join(format!("live{k}-{i}.db")), flags));
        }
        let mut cached_runs = Vec::new();
        for _ in 0..RUNS {
            cached_runs.push(run(&cached, &d.join(format!("live{k}-0.db")), flags));
        }
        let (w, c, m) = median(live_runs);
        let (cw, cc, cm) = median(cached_runs);
        println!(
            "| 2,000 {what} live, 50 ms latency, --concurrency 8 (ideal 12.5 s) | {w:.2} | {c:.2} | {m} |"
        );
        println!("| 100,000 rows of {what} from the store | {cw:.2} | {cc:.2} | {cm} |");
    }
    println!("paid calls: {}", emu.lock().paid);
}
