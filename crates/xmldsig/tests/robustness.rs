//! Robustness on hostile input: no panics, and nothing verifies unless its
//! signed content is exactly what was signed.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::OnceLock;

use common::{cert_der, read, read_str};
use proptest::prelude::*;
use xmldsig::{
    C14nMethod, Document, SignedDocument, VerifyingKey, XmlSigner, canonicalize_without_signature,
};

struct Fixture {
    signed: String,
    canonical: Vec<u8>,
    key: VerifyingKey,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let signer = XmlSigner::from_pkcs8_der_with_certificate(
            &read("zaz1/Z1-supplier-ds.key"),
            &cert_der("Z1-supplier-ds.pem"),
        )
        .unwrap();
        let template = read_str("duis-templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML");
        let unsigned = xmldsig::remove_enveloped_signature(&template).unwrap();
        let signed = signer.sign(&unsigned).unwrap();
        let canonical =
            canonicalize_without_signature(signed.as_bytes(), C14nMethod::Inclusive).unwrap();
        let key = VerifyingKey::from_certificate_der(&cert_der("Z1-supplier-ds.pem")).unwrap();
        Fixture {
            signed,
            canonical,
            key,
        }
    })
}

#[derive(Debug, Clone)]
enum Edit {
    /// Changes one ASCII letter or digit (keeps most documents well-formed).
    Letter(prop::sample::Index, u8),
    Replace(prop::sample::Index, u8),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop::sample::select(b"<>&;#\"'=/:!?[] \r\n\tax0Z-".to_vec());
    let snippet = prop::sample::select(vec![
        b"<x/>".to_vec(),
        b"<!-- c -->".to_vec(),
        b"&amp;".to_vec(),
        b"&#13;".to_vec(),
        b"<![CDATA[x]]>".to_vec(),
        b" xmlns:p='urn:p'".to_vec(),
        b"<!DOCTYPE r>".to_vec(),
        b"<ds:Signature xmlns:ds='http://www.w3.org/2000/09/xmldsig#'/>".to_vec(),
        vec![0xC3],
        vec![0xFF],
    ]);
    prop_oneof![
        3 => (any::<prop::sample::Index>(), prop::sample::select(b"aZ09q".to_vec())).prop_map(|(i, b)| Edit::Letter(i, b)),
        1 => (any::<prop::sample::Index>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        1 => (any::<prop::sample::Index>(), snippet).prop_map(|(i, s)| Edit::Insert(i, s)),
        1 => (any::<prop::sample::Index>(), 1usize..8).prop_map(|(i, n)| Edit::Delete(i, n)),
    ]
}

fn apply(mut doc: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        match e {
            Edit::Letter(i, b) => {
                let letters: Vec<usize> = (0..doc.len())
                    .filter(|&k| doc[k].is_ascii_alphanumeric())
                    .collect();
                if !letters.is_empty() {
                    let at = letters[i.index(letters.len())];
                    doc[at] = *b;
                }
            }
            Edit::Replace(i, b) => {
                let at = i.index(doc.len());
                doc[at] = *b;
            }
            Edit::Insert(i, s) => {
                let at = i.index(doc.len() + 1);
                doc.splice(at..at, s.iter().copied());
            }
            Edit::Delete(i, n) => {
                let at = i.index(doc.len());
                let end = (at + n).min(doc.len());
                doc.drain(at..end);
            }
        }
    }
    doc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Document::parse(&data);
        let _ = xmldsig::signature_info(&data);
        let _ = xmldsig::canonicalize(&data, C14nMethod::Exclusive);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "[<>/?!a-z:='\"&;# \\[\\]-]{0,64}") {
        let _ = xmldsig::canonicalize(s.as_bytes(), C14nMethod::Inclusive);
        let _ = xmldsig::signature_info(s.as_bytes());
        let _ = xmldsig::issuer_names_match(&s, "CN=Z1,OU=07");
    }

    /// Edited signed documents verify only if their signed content is
    /// unchanged (edits in whitespace, comments or the unsigned KeyInfo).
    #[test]
    fn edited_documents_verify_only_with_unchanged_content(edits in prop::collection::vec(edit(), 1..4)) {
        let f = fixture();
        let mutated = apply(f.signed.clone().into_bytes(), &edits);
        if let Ok(doc) = SignedDocument::parse(&mutated)
            && doc.verify(&f.key).is_ok()
        {
            let c = canonicalize_without_signature(&mutated, C14nMethod::Inclusive).unwrap();
            prop_assert_eq!(c, f.canonical.clone());
        }
    }
}
