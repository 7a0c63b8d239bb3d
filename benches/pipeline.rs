//! The whole `validate` pipeline in process: read, check, format, write,
//! on a generated 100 000-row file, with one worker and with every core.

use std::hint::black_box;

use clap::Parser;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use gstbatch::cli::{Cli, Command};

const ROWS: u64 = 100_000;

fn pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.csv");
    let report = dir.path().join("report.csv");
    gstbatch::generate::run(ROWS, 1, Some(&input)).expect("generate");
    let mut g = c.benchmark_group("validate");
    g.throughput(Throughput::Elements(ROWS));
    g.sample_size(20);
    for jobs in ["1", "0"] {
        for extra in [&[][..], &["--only-invalid"][..]] {
            let mut argv = vec!["gstbatch", "validate", "-q", "--jobs", jobs];
            argv.extend_from_slice(extra);
            argv.extend([
                input.to_str().expect("utf-8 path"),
                "-o",
                report.to_str().expect("utf-8 path"),
            ]);
            let Command::Validate(args) = Cli::parse_from(&argv).command else {
                unreachable!("validate arguments parse as validate")
            };
            let name = format!("jobs{}{}", if jobs == "0" { "_all" } else { jobs }, extra.join(""));
            g.bench_function(name, |b| b.iter(|| black_box(gstbatch::validate::run(&args))));
        }
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
