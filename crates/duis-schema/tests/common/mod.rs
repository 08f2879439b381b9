//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod lint;
pub mod mutate;
pub mod xmltree;

use std::path::PathBuf;

/// The reference corpus (`OPENDCC_CORPUS` or `../shared/corpus` next to the repo).
pub fn corpus() -> Option<PathBuf> {
    let p = match std::env::var_os("OPENDCC_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        )),
    };
    p.is_dir().then_some(p)
}

/// All files in a corpus folder, sorted.
pub fn files(folder: &str) -> Vec<PathBuf> {
    let Some(c) = corpus() else { return Vec::new() };
    let Ok(rd) = std::fs::read_dir(c.join(folder)) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    v.sort();
    v
}
