//! `gstbatch verify` end to end against the provider emulator on
//! 127.0.0.1 with a fixed 50 ms latency: 2,000 distinct GSTINs at
//! `--concurrency 8` (the ideal is 2,000 x 0.05 s / 8 = 12.5 s), then
//! 100,000 rows (the same GSTINs, 50 times each) answered from the store.
//! Medians of 3 runs, with CPU time and peak memory from `/usr/bin/time`.
//!
//!   cargo bench --bench verify

use std::process::Command;
use std::time::Duration;

#[path = "../tests/emulator.rs"]
#[allow(dead_code)]
mod emulator;

const RUNS: usize = 3;

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
    }
    let live = d.join("live.csv");
    std::fs::write(&live, format!("GSTIN\n{}\n", ids.join("\n"))).expect("write");
    let cached = d.join("cached.csv");
    let mut text = String::from("GSTIN\n");
    for _ in 0..50 {
        for g in &ids {
            text.push_str(g);
            text.push('\n');
        }
    }
    std::fs::write(&cached, text).expect("write");

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
    let mut live_runs = Vec::new();
    for i in 0..RUNS {
        let store = d.join(format!("live{i}.db"));
        live_runs.push(run(&live, &store, &[]));
    }
    let mut cached_runs = Vec::new();
    for _ in 0..RUNS {
        cached_runs.push(run(&cached, &d.join("live0.db"), &[]));
    }
    let (w, c, m) = median(live_runs);
    let (cw, cc, cm) = median(cached_runs);
    println!("| run | wall s (median of {RUNS}) | CPU s | peak RSS MiB |");
    println!("|---|---|---|---|");
    println!(
        "| 2,000 GSTINs live, 50 ms latency, --concurrency 8 (ideal 12.5 s) | {w:.2} | {c:.2} | {m} |"
    );
    println!("| 100,000 rows from the store | {cw:.2} | {cc:.2} | {cm} |");
    println!("paid calls: {}", emu.lock().paid);
}
