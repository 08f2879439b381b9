#![allow(clippy::unwrap_used)]

mod common;

#[test]
fn every_template_validates() {
    let files = common::files("duis-templates");
    if common::corpus().is_none() {
        eprintln!("corpus not present, skipping");
        return;
    }
    assert!(
        files.len() >= 290,
        "expected ~297 templates, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let xml = std::fs::read(f).unwrap();
        if let Err(e) = duis_schema::validate_request(&xml) {
            failures.push(format!("{}: {e}", f.file_name().unwrap().to_string_lossy()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Verdicts checked with `xmllint --schema` (libxml2 2.9.14, with the
/// 38-digit X509SerialNumber workaround described in tests/differential.rs).
#[test]
fn samples_match_xmllint_verdicts() {
    if common::corpus().is_none() {
        eprintln!("corpus not present, skipping");
        return;
    }
    let files = common::files("duis-samples");
    assert!(files.len() >= 16, "found {} samples", files.len());
    let mut checked = 0;
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let xml = std::fs::read(f).unwrap();
        let result = duis_schema::validate(&xml);
        match name.as_str() {
            "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS-invalid.XML" => {
                let e = result.expect_err(&name);
                assert!(
                    matches!(&e, duis_schema::SchemaError::InvalidValue { path, .. } if path.ends_with("sr:RequestID")),
                    "{name}: {e}"
                );
            }
            "readfw-response-invalid.xml" => {
                let e = result.expect_err(&name);
                assert!(
                    matches!(&e, duis_schema::SchemaError::InvalidValue { path, type_name, .. }
                        if path.ends_with("sr:ServiceReference") && type_name == "sr:ServiceReference"),
                    "{name}: {e}"
                );
            }
            "duis-xxe.xml" => {
                assert!(
                    matches!(result, Err(duis_schema::SchemaError::Unsupported { .. })),
                    "{name}: {result:?}"
                );
            }
            _ => {
                result.unwrap_or_else(|e| panic!("{name}: {e}"));
                if name.contains("response") {
                    duis_schema::validate_response(&xml).unwrap();
                    assert!(duis_schema::validate_request(&xml).is_err());
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, files.len());
}
