//! Shared helpers for the corpus-backed tests.

#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use std::path::PathBuf;

/// The reference corpus directory (`OPENDCC_CORPUS` or `../shared/corpus` next to the repo),
/// if present.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("OPENDCC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus"
            ))
        });
    if dir.join("duis-schema").is_dir() {
        Some(dir)
    } else {
        None
    }
}

/// Whether running under CI (`CI=true`), where missing tools or data are failures.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The corpus, or `None` after printing a skip notice (panics under CI).
pub fn corpus_or_skip(test: &str) -> Option<PathBuf> {
    let c = corpus();
    if c.is_none() {
        assert!(!in_ci(), "{test}: reference corpus not found and CI=true");
        eprintln!("SKIP {test}: reference corpus not found (set OPENDCC_CORPUS)");
    }
    c
}

/// All request templates: (file name, bytes), sorted by name.
pub fn templates(corpus: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let dir = corpus.join("duis-templates");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}
