//! Property tests: the request parser never panics, on arbitrary bytes or on mutated templates,
//! and whatever it accepts can be inspected without panicking.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::OnceLock;

use duis::bodies::{
    DevicePrenotification, ReadInventory, RequestWanMatrix, SignedPreCommand, UpdateInventory,
};
use duis::{ParseLimits, Request, parse_request, parse_request_with_limits};
use proptest::prelude::*;

fn templates() -> &'static [(String, Vec<u8>)] {
    static T: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    T.get_or_init(|| {
        common::corpus()
            .map(|c| common::templates(&c))
            .unwrap_or_default()
    })
}

/// Exercises everything a caller might do with a parsed request.
fn inspect(r: &Request) {
    let _ = r.check();
    let _ = r.variant();
    let _ = r.device_id();
    let _ = r.header.request_id.to_string();
    let _ = ReadInventory::parse(&r.body);
    let _ = UpdateInventory::parse(&r.body);
    let _ = RequestWanMatrix::parse(&r.body);
    let _ = DevicePrenotification::parse(&r.body);
    let _ = SignedPreCommand::parse(&r.body);
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let fragment = prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..8),
        Just(b"<".to_vec()),
        Just(b"</sr:Body>".to_vec()),
        Just(b"<sr:Header>".to_vec()),
        Just(b"&amp;".to_vec()),
        Just(b"&#0;".to_vec()),
        Just(b"&#x110000;".to_vec()),
        Just(b"<![CDATA[x]]>".to_vec()),
        Just(b"<!DOCTYPE x>".to_vec()),
        Just(b"xmlns:sr=\"urn:other\" ".to_vec()),
        Just(b"<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>".to_vec()),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), fragment).prop_map(|(i, f)| Mutation::Insert(i, f)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 1usize..128, any::<usize>())
            .prop_map(|(i, n, j)| Mutation::Duplicate(i, n, j)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(doc: &mut Vec<u8>, m: &Mutation) {
    let len = doc.len().max(1);
    match m {
        Mutation::Flip(i, b) => {
            if let Some(x) = doc.get_mut(i % len) {
                *x ^= b | 1;
            }
        }
        Mutation::Insert(i, f) => {
            let at = i % (doc.len() + 1);
            doc.splice(at..at, f.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let at = i % len;
            let end = (at + n).min(doc.len());
            if at < end {
                doc.drain(at..end);
            }
        }
        Mutation::Duplicate(i, n, j) => {
            let at = i % len;
            let end = (at + n).min(doc.len());
            if at < end {
                let chunk = doc[at..end].to_vec();
                let to = j % (doc.len() + 1);
                doc.splice(to..to, chunk);
            }
        }
        Mutation::Truncate(i) => doc.truncate(i % len),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(r) = parse_request(&bytes) {
            inspect(&r);
        }
    }

    #[test]
    fn xmlish_text_never_panics(s in "(<[a-z:]{0,6}( [a-z:]{1,6}=\"[^\"]{0,6}\")?/?>|</[a-z:]{0,6}>|&[a-z#0-9]{0,5};|[ a-z0-9.:-]{0,8}){0,24}") {
        if let Ok(r) = parse_request(s.as_bytes()) {
            inspect(&r);
        }
    }

    #[test]
    fn mutated_templates_never_panic(
        pick in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let t = templates();
        if t.is_empty() {
            // No corpus: reported by templates_present_for_mutation.
            return Ok(());
        }
        let mut doc = t[pick % t.len()].1.clone();
        for m in &mutations {
            apply(&mut doc, m);
        }
        let limits = ParseLimits { max_bytes: 64 * 1024, max_depth: 16 };
        if let Ok(r) = parse_request_with_limits(&doc, &limits) {
            inspect(&r);
        }
    }
}

#[test]
fn templates_present_for_mutation() {
    if templates().is_empty() {
        assert!(!common::in_ci(), "reference corpus missing under CI=true");
        eprintln!("SKIP mutated_templates_never_panic: reference corpus not found");
    }
}
