//! Property tests of the canonicalizer on generated documents: agreement
//! with xmllint, idempotence.

#![allow(clippy::unwrap_used)]

mod common;
mod xmlgen;

use proptest::prelude::*;
use xmldsig::{C14nMethod, canonicalize};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn matches_xmllint(doc in xmlgen::doc()) {
        if !common::require_tool("xmllint", "libxml2-utils") {
            return Ok(());
        }
        let with_comments = doc.to_xml(true);
        let without = doc.to_xml(false);
        for (mode, method) in [("--c14n", C14nMethod::Inclusive), ("--exc-c14n", C14nMethod::Exclusive)] {
            let ours = canonicalize(with_comments.as_bytes(), method)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{with_comments}")))?;
            let theirs = common::xmllint(mode, without.as_bytes())
                .map_err(|e| TestCaseError::fail(format!("xmllint: {e}\n{without}")))?;
            prop_assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "{} on\n{}", mode, with_comments
            );
        }
    }

    #[test]
    fn canonical_form_is_a_fixed_point(doc in xmlgen::doc()) {
        let xml = doc.to_xml(true);
        for method in [C14nMethod::Inclusive, C14nMethod::Exclusive] {
            let once = canonicalize(xml.as_bytes(), method).unwrap();
            let twice = canonicalize(&once, method).unwrap();
            prop_assert_eq!(&once, &twice);
        }
    }
}
