//! Shared helpers for the corpus-backed tests.

#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// A directory holding the DUIS XSD under space-free names, ready for xmllint.
pub fn schema_dir(corpus: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = corpus.join("duis-schema");
    let mmc = "mmc-schema-v5.4.xsd";
    let duis = std::fs::read_to_string(src.join("duis-schema-v5.4.xsd"))
        .unwrap()
        .replace(
            "schemaLocation=\"MMC Schema V5.4.xsd\"",
            &format!("schemaLocation=\"{mmc}\""),
        );
    std::fs::write(dir.path().join("duis.xsd"), duis).unwrap();
    for f in ["xmldsig-core-schema.xsd", "XMLSchema.dtd", "datatypes.dtd"] {
        if src.join(f).exists() {
            std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
        }
    }
    if src.join("MMC Schema V5.4.xsd").exists() {
        std::fs::copy(src.join("MMC Schema V5.4.xsd"), dir.path().join(mmc)).unwrap();
    } else {
        // The imported ResponseAndAlert schema is absent from the corpus; its three types are
        // used only by SMETS1 responses, which no builder here writes: declare them open.
        let open = |name: &str| {
            format!(
                r#"<xs:complexType name="{name}"><xs:sequence><xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>"#
            )
        };
        let stub = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.dccinterface.co.uk/ResponseAndAlert" elementFormDefault="qualified">{}{}{}</xs:schema>"#,
            open("HeaderType"),
            open("ResponsePayload"),
            open("DeviceAlertMessageType")
        );
        std::fs::write(dir.path().join(mmc), stub).unwrap();
    }
    dir
}

pub fn xmllint_available() -> bool {
    let ok = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !in_ci(),
            "xmllint (Debian libxml2-utils) is required under CI=true"
        );
        eprintln!("SKIP: xmllint not found (install libxml2-utils); XSD validation not run");
    }
    ok
}

/// Validates `docs` with xmllint: `Err` with xmllint's report unless every one validates.
pub fn validate_all(corpus: &Path, docs: &[(String, String)]) -> Result<(), String> {
    let schemas = schema_dir(corpus);
    let work = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = docs
        .iter()
        .enumerate()
        .map(|(i, (_, xml))| {
            let p = work.path().join(format!("{i:04}.xml"));
            std::fs::write(&p, xml).unwrap();
            p
        })
        .collect();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schemas.path().join("duis.xsd"))
        .args(&files)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stderr);
    let validated = report.lines().filter(|l| l.ends_with(" validates")).count();
    if out.status.success() && validated == docs.len() {
        return Ok(());
    }
    let failures: Vec<String> = report
        .lines()
        .filter(|l| !l.ends_with(" validates"))
        .map(|l| {
            let name = l
                .rsplit('/')
                .next()
                .and_then(|f| f.get(..4))
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|i| docs.get(i))
                .map_or("?", |d| d.0.as_str());
            format!("[{name}] {l}")
        })
        .collect();
    Err(format!(
        "{validated} of {} documents validate:\n{}",
        docs.len(),
        failures.join("\n")
    ))
}
