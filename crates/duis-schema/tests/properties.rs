//! Property tests: the validator never panics, and edits that the XSD
//! semantics say cannot matter (or must matter) behave so.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::LazyLock;

use common::mutate::{KINDS, Rng, mutate};
use common::xmltree::{Doc, Elem, Node};
use proptest::prelude::*;

static TEMPLATES: LazyLock<Vec<(String, Doc)>> = LazyLock::new(|| {
    common::files("duis-templates")
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            let doc = Doc::parse(&text);
            (text, doc)
        })
        .collect()
});

const TOKENS: &[&str] = &[
    "<sr:Request",
    "</sr:Request>",
    "<sr:Header>",
    "</sr:Header>",
    "<sr:Body>",
    "</sr:Body>",
    " xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\"",
    " schemaVersion=\"5.4\"",
    ">",
    "/>",
    "<",
    "</",
    "&amp;",
    "&#0;",
    "&#x10FFFF;",
    "&bogus;",
    "&",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<?pi ?>",
    "<!DOCTYPE x>",
    "\"",
    "'",
    "=",
    " ",
    "\n",
    "\r",
    "x",
    "1",
    "sr:",
    ":",
    "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">",
    "</ds:Signature>",
    "<sr:RequestID>",
    "</sr:RequestID>",
    "\u{feff}",
    "é",
    "\u{0}",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = duis_schema::validate(&bytes);
    }

    #[test]
    fn xml_like_token_soup_never_panics(tokens in proptest::collection::vec(0..TOKENS.len(), 0..64)) {
        let s: String = tokens.iter().map(|&i| TOKENS[i]).collect();
        let _ = duis_schema::validate(s.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn random_mutation_chains_never_panic(t in 0usize..1000, seed in any::<u64>(), n in 1usize..6) {
        prop_assume!(!TEMPLATES.is_empty());
        let (_, doc) = &TEMPLATES[t % TEMPLATES.len()];
        let mut rng = Rng(seed);
        let mut cur = doc.clone();
        for _ in 0..n {
            let kind = KINDS[rng.below(KINDS.len())];
            let Some(m) = mutate(&cur, kind, &mut rng) else { continue };
            let _ = duis_schema::validate(m.xml.as_bytes());
            match std::panic::catch_unwind(|| Doc::parse(&m.xml)) {
                Ok(d) => cur = d,
                Err(_) => break,
            }
        }
    }

    #[test]
    fn byte_splices_never_panic(t in 0usize..1000, at in any::<prop::sample::Index>(),
                                len in 0usize..64, insert in proptest::collection::vec(any::<u8>(), 0..16)) {
        prop_assume!(!TEMPLATES.is_empty());
        let mut bytes = TEMPLATES[t % TEMPLATES.len()].0.clone().into_bytes();
        let i = at.index(bytes.len());
        let j = (i + len).min(bytes.len());
        bytes.splice(i..j, insert);
        let _ = duis_schema::validate(&bytes);
    }

    /// Comments, processing instructions and (between element children)
    /// whitespace never change validity.
    #[test]
    fn ignorable_insertions_keep_templates_valid(t in 0usize..1000, seed in any::<u64>()) {
        prop_assume!(!TEMPLATES.is_empty());
        let (_, doc) = &TEMPLATES[t % TEMPLATES.len()];
        let mut rng = Rng(seed);
        let mut d = doc.clone();
        let paths = d.paths();
        let path = paths[rng.below(paths.len())].clone();
        let el: &mut Elem = d.get_mut(&path);
        let at = rng.below(el.children.len() + 1);
        let node = if el.element_children() > 0 {
            [Node::Raw("<!-- x -->".into()), Node::Raw("<?p x?>".into()), Node::Text(" \n\t".into()), Node::Text("&#32;".into())]
                [rng.below(4)].clone()
        } else {
            [Node::Raw("<!--x-->".into()), Node::Raw("<?p?>".into())][rng.below(2)].clone()
        };
        el.children.insert(at, node);
        let xml = d.to_xml();
        prop_assert!(duis_schema::validate(xml.as_bytes()).is_ok(), "{}", xml);
    }

    /// An undeclared element is never allowed inside a DUIS element (the
    /// ds:Signature subtree has lax wildcards, where it is).
    #[test]
    fn unknown_elements_are_always_rejected(t in 0usize..1000, seed in any::<u64>()) {
        prop_assume!(!TEMPLATES.is_empty());
        let (_, doc) = &TEMPLATES[t % TEMPLATES.len()];
        let mut rng = Rng(seed);
        let mut d = doc.clone();
        let paths: Vec<_> = d
            .paths()
            .into_iter()
            .filter(|p| d.get(p).name().starts_with("sr:"))
            .collect();
        let path = paths[rng.below(paths.len())].clone();
        let el = d.get_mut(&path);
        let at = rng.below(el.children.len() + 1);
        el.children.insert(at, Node::Elem(Elem { tag: "sr:NotInTheSchema".into(), children: vec![] }));
        let xml = d.to_xml();
        prop_assert!(duis_schema::validate(xml.as_bytes()).is_err(), "{}", xml);
    }
}
