//! Byte-for-byte agreement with libxml2's canonicalizer (`xmllint --c14n`
//! and `--exc-c14n`, Debian libxml2-utils) on the DUIS corpus.

#![allow(clippy::unwrap_used)]

mod common;

use common::{read, require_tool, strip_comments, template_names, xmllint};
use xmldsig::{
    C14nMethod, canonicalize, canonicalize_without_signature, remove_enveloped_signature,
};

fn check(name: &str, xml: &[u8]) {
    let text = std::str::from_utf8(xml).unwrap();
    let stripped = strip_comments(&remove_enveloped_signature(text).unwrap());
    let uncommented = strip_comments(text);
    for (mode, method) in [
        ("--c14n", C14nMethod::Inclusive),
        ("--exc-c14n", C14nMethod::Exclusive),
    ] {
        let ours = canonicalize_without_signature(xml, method).unwrap();
        let theirs =
            xmllint(mode, stripped.as_bytes()).unwrap_or_else(|e| panic!("{name}: xmllint: {e}"));
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "{name} {mode} (signature removed)"
        );
        let ours = canonicalize(xml, method).unwrap();
        let theirs = xmllint(mode, uncommented.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "{name} {mode}"
        );
    }
}

#[test]
fn duis_templates_match_xmllint() {
    if !require_tool("xmllint", "libxml2-utils") {
        return;
    }
    let names = template_names();
    for name in &names {
        let xml = read(&format!("duis-templates/{name}"));
        // every template carries a placeholder signature to remove
        let sig = xmldsig::Document::parse(&xml)
            .unwrap()
            .enveloped_signature();
        assert!(sig.is_some(), "{name}: no enveloped signature");
        check(name, &xml);
    }
}

#[test]
fn duis_samples_match_xmllint() {
    if !require_tool("xmllint", "libxml2-utils") {
        return;
    }
    let mut n = 0;
    for entry in std::fs::read_dir(common::corpus().join("duis-samples")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "duis-xxe.xml" {
            continue;
        }
        check(&name, &read(&format!("duis-samples/{name}")));
        n += 1;
    }
    assert!(n >= 15);
}
