//! Identifier checks, one value at a time: the cost per row of `validate`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use gstbatch::ident::{Gstin, Kind, Options, Pan, check};

fn ident(c: &mut Criterion) {
    let opts = Options::default();
    let mut g = c.benchmark_group("ident");
    g.bench_function("gstin_valid", |b| {
        b.iter(|| Gstin::parse_with(black_box("27AAPFU0939F1ZV"), opts))
    });
    g.bench_function("gstin_bad_checksum", |b| {
        b.iter(|| Gstin::parse_with(black_box("27AAPFU0939F1ZX"), opts))
    });
    g.bench_function("gstin_messy", |b| {
        b.iter(|| Gstin::parse_with(black_box(" 27-aapfu 0939-f1zv "), opts))
    });
    g.bench_function("pan_valid", |b| b.iter(|| Pan::parse_with(black_box("AAPFU0939F"), opts)));
    g.bench_function("check_auto_valid", |b| {
        b.iter(|| check(black_box("27AAPFU0939F1ZV"), None, opts).result.is_ok())
    });
    g.bench_function("gstin_suggestion", |b| {
        b.iter(|| check(black_box("27AAPFU9039F1ZV"), Some(Kind::Gstin), opts).suggestion(opts))
    });
    g.finish();
}

criterion_group!(benches, ident);
criterion_main!(benches);
