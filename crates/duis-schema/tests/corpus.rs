mod common;

#[test]
fn every_template_validates() {
    let files = common::files("duis-templates");
    if common::corpus().is_none() {
        eprintln!("corpus not present, skipping");
        return;
    }
    assert!(files.len() >= 290, "expected ~297 templates, found {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let xml = std::fs::read(f).unwrap();
        if let Err(e) = duis_schema::validate_request(&xml) {
            failures.push(format!("{}: {e}", f.file_name().unwrap().to_string_lossy()));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
