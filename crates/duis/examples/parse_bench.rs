//! Rough timing of `parse_request` over every template: `cargo run --release -p duis --example parse_bench`.
fn main() {
    let dir = std::env::var("OPENDCC_CORPUS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus").into());
    let Ok(entries) = std::fs::read_dir(format!("{dir}/duis-templates")) else {
        eprintln!("corpus not found at {dir}");
        return;
    };
    let docs: Vec<Vec<u8>> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let rounds = 200;
    let start = std::time::Instant::now();
    let mut ok = 0usize;
    for _ in 0..rounds {
        for d in &docs {
            if let Ok(r) = duis::parse_request(std::hint::black_box(d)) {
                ok += usize::from(r.check().is_ok());
            }
        }
    }
    let el = start.elapsed();
    let n = rounds * docs.len();
    println!(
        "{n} parses ({ok} ok) in {el:?}: {:.1} µs/request, {:.0} MB/s (mean request {} bytes)",
        el.as_secs_f64() * 1e6 / n as f64,
        (bytes * rounds) as f64 / el.as_secs_f64() / 1e6,
        bytes / docs.len()
    );
}
