//! Timing, for information: `cargo test -p duis-schema --release --test perf -- --ignored --nocapture`.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

#[test]
#[ignore = "timing; run in release by hand"]
fn validation_time_per_template() {
    let t0 = Instant::now();
    duis_schema::Schema::duis().unwrap();
    eprintln!("schema compile: {:?}", t0.elapsed());
    let files = common::files("duis-templates");
    let docs: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let total_bytes: usize = docs.iter().map(Vec::len).sum();
    let rounds = 50;
    let t = Instant::now();
    for _ in 0..rounds {
        for d in &docs {
            duis_schema::validate(d).unwrap();
        }
    }
    let per_doc = t.elapsed() / (rounds * docs.len() as u32);
    eprintln!(
        "{} templates, mean {} bytes: {:?} per document",
        docs.len(),
        total_bytes / docs.len().max(1),
        per_doc
    );
    // a ~2 KB request
    let small = docs
        .iter()
        .min_by_key(|d| (d.len() as i64 - 2048).abs())
        .unwrap();
    let t = Instant::now();
    for _ in 0..2000 {
        duis_schema::validate(small).unwrap();
    }
    eprintln!(
        "{}-byte request: {:?} per validation",
        small.len(),
        t.elapsed() / 2000
    );
}
