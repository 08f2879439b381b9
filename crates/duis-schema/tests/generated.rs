//! `src/generated.rs` must be exactly what `tools/gen_duis_schema.py`
//! writes from the corpus XSDs.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

#[test]
fn generated_tables_are_up_to_date() {
    let Some(corpus) = common::corpus() else {
        eprintln!("corpus not present, skipping");
        return;
    };
    let manifest = env!("CARGO_MANIFEST_DIR");
    let tool = format!("{manifest}/../../tools/gen_duis_schema.py");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated.rs");
    let status = Command::new("python3")
        .arg(&tool)
        .arg("--schema-dir")
        .arg(corpus.join("duis-schema"))
        .arg("--out")
        .arg(&out)
        .status()
        .expect("python3 (3.11+) is needed to run tools/gen_duis_schema.py");
    assert!(status.success(), "generator failed");
    let fresh = std::fs::read_to_string(&out).unwrap();
    let committed = std::fs::read_to_string(format!("{manifest}/src/generated.rs")).unwrap();
    assert!(
        fresh == committed,
        "src/generated.rs is stale: run `python3 tools/gen_duis_schema.py`"
    );
}

#[test]
fn generated_tables_compile_and_cover_the_schema() {
    let s = duis_schema::Schema::duis().expect("DUIS tables compile");
    let t = &duis_schema::tables::DUIS;
    assert!(t.complex_types.len() > 300, "{}", t.complex_types.len());
    assert!(t.simple_types.len() > 150);
    assert!(t.elements.len() > 1200);
    let globals: Vec<&str> = t
        .global_elements
        .iter()
        .map(|&i| t.elements[i as usize].name)
        .collect();
    for g in [
        "Request",
        "Response",
        "SMETS1SignedResponse",
        "S1SPAlert",
        "Signature",
    ] {
        assert!(globals.contains(&g), "{g} missing");
    }
    assert_eq!(t.unavailable_types.len(), 3);
    // an unavailable type is refused, not skipped
    let xml = br#"<sr:SMETS1SignedResponse xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4"><sr:SMETS1Response><sr:Header/></sr:SMETS1Response></sr:SMETS1SignedResponse>"#;
    let e = s.validate(xml).unwrap_err();
    assert!(
        matches!(e, duis_schema::SchemaError::UnavailableType { ref type_name, .. } if type_name == "ra:HeaderType"),
        "{e}"
    );
}
