//! The whole `validate` pipeline in process: read, check, format, write,
//! on a generated 100 000-row file, with one worker and with every core.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use gstbatch::batch::progress::Ui;
use gstbatch::batch::report::Target;
use gstbatch::ident::Options;
use gstbatch::input::{ReadOptions, Source};
use gstbatch::validate::Settings;

const ROWS: u64 = 100_000;

fn pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.csv");
    let report = dir.path().join("report.csv");
    gstbatch::generate::vendors(ROWS, 1, Some(&input)).expect("generate");
    let mut g = c.benchmark_group("validate");
    g.throughput(Throughput::Elements(ROWS));
    g.sample_size(20);
    for jobs in [1, 0] {
        for only_invalid in [false, true] {
            let settings = Settings {
                input: Source::File(input.clone()),
                read: ReadOptions { headers: true, ..ReadOptions::default() },
                report: Target::new(Some(&report), None).expect("a CSV target"),
                summary: None,
                column: None,
                kind: None,
                pan_column: None,
                state_column: None,
                only_invalid,
                duplicates: true,
                opts: Options::default(),
                jobs,
                ui: Ui { quiet: true, bars: false },
            };
            let name = format!(
                "jobs{}{}",
                if jobs == 0 { "_all".to_string() } else { jobs.to_string() },
                if only_invalid { "--only-invalid" } else { "" }
            );
            g.bench_function(name, |b| b.iter(|| black_box(gstbatch::validate::run(&settings))));
        }
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
