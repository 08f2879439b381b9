//! The validation engine on a small hand-written schema exercising what the
//! DUIS tables do not: xs:all, mixed content, wildcards in the target
//! namespace, IDs and IDREFs, xsi:type, xsi:nil, fixed values.

#![allow(clippy::unwrap_used)]

use duis_schema::tables::*;
use duis_schema::{Schema, SchemaError};

const T: u8 = 1;
static NS: [&str; 3] = ["", "urn:t", "urn:other"];

const fn el(name: &'static str, ty: TypeRef) -> ElementDecl {
    ElementDecl {
        ns: T,
        name,
        ty,
        nillable: false,
        is_abstract: false,
        fixed: None,
    }
}

const fn p(min: u32, max: u32, e: u32) -> Particle {
    Particle {
        min,
        max: MaxOccurs::Bounded(max),
        term: Term::Element(e),
    }
}

const ROOT: u32 = 0;
static ELEMENTS: [ElementDecl; 16] = [
    /* 0 */ el("root", TypeRef::Complex(0)),
    /* 1 */ el("a", TypeRef::Builtin(Builtin::Int)),
    /* 2 */ el("b", TypeRef::Simple(0)),
    /* 3 */ el("c", TypeRef::Complex(1)),
    /* 4 */ el("d", TypeRef::Complex(2)),
    /* 5 */ el("e", TypeRef::Complex(3)),
    /* 6 */ el("f", TypeRef::Complex(4)),
    /* 7 */ el("g", TypeRef::Complex(5)),
    /* 8 */
    ElementDecl {
        ns: T,
        name: "n",
        ty: TypeRef::Builtin(Builtin::Int),
        nillable: true,
        is_abstract: false,
        fixed: None,
    },
    /* 9 */ el("x", TypeRef::Builtin(Builtin::String)),
    /* 10 */ el("y", TypeRef::Builtin(Builtin::String)),
    /* 11 */ el("base1", TypeRef::Builtin(Builtin::Boolean)),
    /* 12 */ el("own1", TypeRef::Builtin(Builtin::Date)),
    /* 13 */ el("more", TypeRef::Builtin(Builtin::Token)),
    /* 14 */
    ElementDecl {
        ns: T,
        name: "k",
        ty: TypeRef::Builtin(Builtin::Decimal),
        nillable: false,
        is_abstract: false,
        fixed: Some("1.50"),
    },
    /* 15 */ el("glob", TypeRef::Builtin(Builtin::HexBinary)),
];
static GLOBALS: [u32; 2] = [ROOT, 15];

static SIMPLE: [SimpleTypeDef; 2] = [
    SimpleTypeDef {
        name: Some(QName {
            ns: T,
            local: "Short5",
        }),
        base: TypeRef::Builtin(Builtin::String),
        facets: &[Facet::MaxLength(5), Facet::Pattern(&["[a-z]+", "X"])],
    },
    SimpleTypeDef {
        name: None,
        base: TypeRef::Builtin(Builtin::Token),
        facets: &[Facet::Enumeration(&["kWh", "m3"])],
    },
];

static ROOT_SEQ: [Particle; 9] = [
    p(1, 1, 1),
    p(0, 2, 2),
    p(0, 2, 3),
    p(0, 1, 4),
    p(0, 1, 5),
    p(0, 1, 6),
    p(0, 1, 7),
    p(0, 1, 8),
    p(0, 1, 14),
];
static ALL: [Particle; 2] = [p(1, 1, 9), p(0, 1, 10)];
static MIXED: [Particle; 2] = [
    p(0, 1, 9),
    Particle {
        min: 0,
        max: MaxOccurs::Unbounded,
        term: Term::Any(Wildcard {
            ns: NsConstraint::Other(T),
            process: ProcessContents::Lax,
        }),
    },
];
static BASE_SEQ: [Particle; 1] = [p(1, 1, 11)];
static OWN_SEQ: [Particle; 1] = [p(1, 1, 12)];
static MORE_SEQ: [Particle; 1] = [p(0, 1, 13)];

const fn ct(
    name: Option<QName>,
    derivation: Derivation,
    content: ContentDef,
    attributes: &'static [AttributeDecl],
) -> ComplexTypeDef {
    ComplexTypeDef {
        name,
        is_abstract: false,
        mixed: false,
        derivation,
        content,
        attributes,
        attribute_wildcard: None,
    }
}

const ANY: Derivation = Derivation::Restriction(TypeRef::Builtin(Builtin::AnyType));

static COMPLEX: [ComplexTypeDef; 8] = [
    /* 0 root */
    ct(
        None,
        ANY,
        ContentDef::Elements(Particle {
            min: 1,
            max: MaxOccurs::Bounded(1),
            term: Term::Sequence(&ROOT_SEQ),
        }),
        &[
            AttributeDecl {
                ns: 0,
                name: "version",
                ty: TypeRef::Builtin(Builtin::Decimal),
                use_: AttributeUse::Required,
                fixed: None,
            },
            AttributeDecl {
                ns: 0,
                name: "ref",
                ty: TypeRef::Builtin(Builtin::IdRef),
                use_: AttributeUse::Optional,
                fixed: None,
            },
        ],
    ),
    /* 1 c: empty, with an ID */
    ct(
        None,
        ANY,
        ContentDef::Empty,
        &[AttributeDecl {
            ns: 0,
            name: "id",
            ty: TypeRef::Builtin(Builtin::Id),
            use_: AttributeUse::Required,
            fixed: None,
        }],
    ),
    /* 2 d: all */
    ct(
        None,
        ANY,
        ContentDef::Elements(Particle {
            min: 1,
            max: MaxOccurs::Bounded(1),
            term: Term::All(&ALL),
        }),
        &[],
    ),
    /* 3 e: mixed with a wildcard */
    ComplexTypeDef {
        name: None,
        is_abstract: false,
        mixed: true,
        derivation: ANY,
        content: ContentDef::Elements(Particle {
            min: 1,
            max: MaxOccurs::Bounded(1),
            term: Term::Sequence(&MIXED),
        }),
        attributes: &[],
        attribute_wildcard: Some(Wildcard {
            ns: NsConstraint::Any,
            process: ProcessContents::Skip,
        }),
    },
    /* 4 f: simple content with an enumerated attribute */
    ct(
        None,
        Derivation::Extension(TypeRef::Builtin(Builtin::Decimal)),
        ContentDef::Simple(TypeRef::Builtin(Builtin::Decimal)),
        &[AttributeDecl {
            ns: 0,
            name: "unit",
            ty: TypeRef::Simple(1),
            use_: AttributeUse::Required,
            fixed: None,
        }],
    ),
    /* 5 Derived: extension of Base */
    ct(
        Some(QName {
            ns: T,
            local: "Derived",
        }),
        Derivation::Extension(TypeRef::Complex(6)),
        ContentDef::Elements(Particle {
            min: 1,
            max: MaxOccurs::Bounded(1),
            term: Term::Sequence(&OWN_SEQ),
        }),
        &[],
    ),
    /* 6 Base */
    ct(
        Some(QName {
            ns: T,
            local: "Base",
        }),
        ANY,
        ContentDef::Elements(Particle {
            min: 1,
            max: MaxOccurs::Bounded(1),
            term: Term::Sequence(&BASE_SEQ),
        }),
        &[],
    ),
    /* 7 Derived2: extension of Derived */
    ct(
        Some(QName {
            ns: T,
            local: "Derived2",
        }),
        Derivation::Extension(TypeRef::Complex(5)),
        ContentDef::Elements(Particle {
            min: 1,
            max: MaxOccurs::Bounded(1),
            term: Term::Sequence(&MORE_SEQ),
        }),
        &[],
    ),
];

static TABLES: SchemaTables = SchemaTables {
    namespaces: &NS,
    elements: &ELEMENTS,
    global_elements: &GLOBALS,
    simple_types: &SIMPLE,
    complex_types: &COMPLEX,
    unavailable_types: &[],
};

fn schema() -> Schema {
    Schema::compile(&TABLES).expect("test schema compiles")
}

fn doc(body: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><t:root xmlns:t="urn:t" xmlns:o="urn:other" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1"><t:a>1</t:a>{body}</t:root>"#
    )
}

fn check(body: &str) -> Result<(), SchemaError> {
    schema().validate(doc(body).as_bytes())
}

#[test]
fn minimal_document_and_sequence() {
    check("").unwrap();
    check("<t:b>ab</t:b><t:b>X</t:b>").unwrap();
    let e = check("<t:b>ab</t:b><t:b>ab</t:b><t:b>ab</t:b>").unwrap_err();
    assert!(
        matches!(e, SchemaError::UnexpectedElement { ref found, .. } if found == "{urn:t}b"),
        "{e}"
    );
    let e = schema()
        .validate(br#"<t:root xmlns:t="urn:t" version="1"/>"#)
        .unwrap_err();
    assert!(
        matches!(e, SchemaError::Incomplete { ref expected, .. } if expected.contains("{urn:t}a")),
        "{e}"
    );
    let e = check("<t:c id='i'/><t:b>ab</t:b>").unwrap_err();
    assert!(matches!(e, SchemaError::UnexpectedElement { .. }), "{e}");
}

#[test]
fn facets_and_attributes() {
    let e = check("<t:b>abcdef</t:b>").unwrap_err();
    assert!(
        matches!(e, SchemaError::InvalidValue { ref reason, .. } if reason.contains("maxLength")),
        "{e}"
    );
    let e = check("<t:b>AB</t:b>").unwrap_err();
    assert!(
        matches!(e, SchemaError::InvalidValue { ref reason, .. } if reason.contains("pattern")),
        "{e}"
    );
    let e = schema()
        .validate(br#"<t:root xmlns:t="urn:t"><t:a>1</t:a></t:root>"#)
        .unwrap_err();
    assert!(
        matches!(e, SchemaError::MissingAttribute { ref name, .. } if name == "version"),
        "{e}"
    );
    let e = schema()
        .validate(br#"<t:root xmlns:t="urn:t" version="1" other="2"><t:a>1</t:a></t:root>"#)
        .unwrap_err();
    assert!(matches!(e, SchemaError::UnexpectedAttribute { .. }), "{e}");
    let e = schema()
        .validate(br#"<t:root xmlns:t="urn:t" version="v"><t:a>1</t:a></t:root>"#)
        .unwrap_err();
    assert!(
        matches!(e, SchemaError::InvalidValue { ref path, .. } if path == "/{urn:t}root/@version"),
        "{e}"
    );
    check("<t:f unit=' kWh '>1.5</t:f>").unwrap();
    assert!(check("<t:f unit='kwh'>1.5</t:f>").is_err());
    assert!(check("<t:f>1.5</t:f>").is_err());
    assert!(check("<t:a>1</t:a>").is_err());
    let e = schema().validate(doc("").replace(">1<", ">1.0<").as_bytes());
    assert!(matches!(e, Err(SchemaError::InvalidValue { .. })), "{e:?}");
}

#[test]
fn ids_and_idrefs() {
    check("<t:c id='x1'/><t:c id='x2'/>").unwrap();
    let e = check("<t:c id='x1'/><t:c id=' x1 '/>").unwrap_err();
    assert!(matches!(e, SchemaError::DuplicateId { .. }), "{e}");
    assert!(check("<t:c id='1x'/>").is_err());
    assert!(check("<t:c/>").is_err());
    let with_ref = |r: &str, body: &str| {
        schema().validate(
            format!(r#"<t:root xmlns:t="urn:t" version="1" ref="{r}"><t:a>1</t:a>{body}</t:root>"#)
                .as_bytes(),
        )
    };
    with_ref("x1", "<t:c id='x1'/>").unwrap();
    let e = with_ref("x9", "<t:c id='x1'/>").unwrap_err();
    assert!(matches!(e, SchemaError::UnresolvedIdRef { .. }), "{e}");
}

#[test]
fn empty_content_refuses_all_text() {
    assert!(check("<t:c id='i'></t:c>").is_ok());
    assert!(check("<t:c id='i'><!-- c --><?p?></t:c>").is_ok());
    for t in [" ", "&#32;", "x", "<![CDATA[]]>"] {
        let e = check(&format!("<t:c id='i'>{t}</t:c>")).unwrap_err();
        assert!(
            matches!(
                e,
                SchemaError::UnexpectedText {
                    content: "empty",
                    ..
                }
            ),
            "{t}: {e}"
        );
    }
    assert!(check("<t:c id='i'><t:x/></t:c>").is_err());
}

#[test]
fn element_only_content() {
    check("\n  <!-- c -->\n <?pi x?> ").unwrap();
    for t in ["x", "&#65;", "<![CDATA[ ]]>", "\u{a0}"] {
        let e = check(t).unwrap_err();
        assert!(
            matches!(
                e,
                SchemaError::UnexpectedText {
                    content: "element-only",
                    ..
                }
            ),
            "{t:?}: {e}"
        );
    }
}

#[test]
fn all_groups() {
    check("<t:d><t:x>1</t:x><t:y>2</t:y></t:d>").unwrap();
    check("<t:d><t:y>2</t:y><t:x>1</t:x></t:d>").unwrap();
    check("<t:d><t:x/></t:d>").unwrap();
    let e = check("<t:d><t:y>2</t:y></t:d>").unwrap_err();
    assert!(matches!(e, SchemaError::Incomplete { .. }), "{e}");
    let e = check("<t:d><t:x/><t:x/></t:d>").unwrap_err();
    assert!(matches!(e, SchemaError::UnexpectedElement { .. }), "{e}");
}

#[test]
fn mixed_content_and_wildcards() {
    check("<t:e a='1' o:b='2'>text <t:x>1</t:x> more <o:any><t:zzz/></o:any> end</t:e>").unwrap();
    check("<t:e><o:u>x</o:u></t:e>").unwrap();
    // ##other admits neither unqualified elements nor the target namespace
    assert!(check("<t:e><u/></t:e>").is_err());
    let e = check("<t:e><t:glob>0a</t:glob></t:e>").unwrap_err();
    assert!(matches!(e, SchemaError::UnexpectedElement { .. }), "{e}");
    // ... and lax children of unknown elements are validated when declared
    check("<t:e><o:wrap><t:glob>0a</t:glob></o:wrap></t:e>").unwrap();
    let e = check("<t:e><o:wrap><t:glob>0</t:glob></o:wrap></t:e>").unwrap_err();
    assert!(matches!(e, SchemaError::InvalidValue { .. }), "{e}");
}

#[test]
fn extension_and_xsi_type() {
    check("<t:g><t:base1>true</t:base1><t:own1>2024-01-31</t:own1></t:g>").unwrap();
    assert!(check("<t:g><t:own1>2024-01-31</t:own1></t:g>").is_err());
    assert!(
        check("<t:g><t:base1>true</t:base1><t:own1>2024-01-31</t:own1><t:more>z</t:more></t:g>")
            .is_err()
    );
    check("<t:g xsi:type='t:Derived2'><t:base1>1</t:base1><t:own1>2024-01-31</t:own1><t:more>z</t:more></t:g>")
        .unwrap();
    let e = check("<t:g xsi:type='t:Base'><t:base1>1</t:base1></t:g>").unwrap_err();
    assert!(
        matches!(e, SchemaError::InvalidInstance { ref reason, .. } if reason.contains("not derived")),
        "{e}"
    );
    assert!(check("<t:g xsi:type='t:Nope'><t:base1>1</t:base1></t:g>").is_err());
    assert!(check("<t:g xsi:type='q:Derived2'><t:base1>1</t:base1></t:g>").is_err());
    // simple types: xs:short is derived from xs:int
    check("<t:n xsi:type='xs:short' xmlns:xs='http://www.w3.org/2001/XMLSchema'>5</t:n>").unwrap();
    assert!(
        check("<t:n xsi:type='xs:short' xmlns:xs='http://www.w3.org/2001/XMLSchema'>50000</t:n>")
            .is_err()
    );
    assert!(
        check("<t:n xsi:type='xs:string' xmlns:xs='http://www.w3.org/2001/XMLSchema'>5</t:n>")
            .is_err()
    );
}

#[test]
fn xsi_nil() {
    check("<t:n xsi:nil='true'/>").unwrap();
    check("<t:n xsi:nil='false'>3</t:n>").unwrap();
    assert!(check("<t:n xsi:nil='true'>3</t:n>").is_err());
    assert!(check("<t:n xsi:nil='maybe'/>").is_err());
    let e = check("<t:b xsi:nil='true'/>").unwrap_err();
    assert!(matches!(e, SchemaError::InvalidInstance { .. }), "{e}");
    assert!(check("<t:b xsi:other='1'>ab</t:b>").is_err());
    check("<t:b xsi:schemaLocation='urn:t t.xsd'>ab</t:b>").unwrap();
}

#[test]
fn fixed_values_compare_in_the_value_space() {
    check("<t:k>1.5</t:k>").unwrap();
    check("<t:k> 01.500 </t:k>").unwrap();
    assert!(check("<t:k>1.51</t:k>").is_err());
}

#[test]
fn roots_and_depth() {
    let s = schema();
    s.validate(b"<glob xmlns='urn:t'>00ff</glob>").unwrap();
    assert!(matches!(
        s.validate(b"<t:a xmlns:t='urn:t'>1</t:a>"),
        Err(SchemaError::UnknownRoot { .. })
    ));
    assert!(matches!(
        s.validate_root(b"<glob xmlns='urn:t'>00ff</glob>", "urn:t", "root"),
        Err(SchemaError::WrongRoot { .. })
    ));
    let mut v = s.stream().with_max_depth(2);
    v.start_element(
        "urn:t",
        "root",
        &[duis_schema::Attribute {
            namespace: "",
            local: "version",
            value: "1",
        }],
        &duis_schema::NoNamespaces,
    )
    .unwrap();
    v.start_element("urn:t", "e", &[], &duis_schema::NoNamespaces)
        .unwrap_err();
    let mut v = s.stream();
    v.start_element(
        "urn:t",
        "root",
        &[duis_schema::Attribute {
            namespace: "",
            local: "version",
            value: "1",
        }],
        &duis_schema::NoNamespaces,
    )
    .unwrap();
    v.start_element("urn:t", "a", &[], &duis_schema::NoNamespaces)
        .unwrap();
    v.text("4").unwrap();
    v.text("2").unwrap();
    v.end_element().unwrap();
    v.end_element().unwrap();
    v.finish().unwrap();
}

#[test]
fn deep_documents_are_refused_without_recursion() {
    let mut xml = String::from(r#"<t:root xmlns:t="urn:t" version="1"><t:a>1</t:a><t:e>"#);
    for _ in 0..100_000 {
        xml.push_str("<o:x xmlns:o='urn:other'>");
    }
    let e = schema().validate(xml.as_bytes()).unwrap_err();
    assert!(matches!(e, SchemaError::TooDeep { .. }), "{e}");
}

#[test]
fn many_attributes_are_bounded_and_duplicates_found() {
    let mut attrs = String::new();
    for i in 0..40 {
        attrs.push_str(&format!(" a{i}='1'"));
    }
    let dup = format!(r#"<t:root xmlns:t="urn:t" version="1"{attrs} a7='2'/>"#);
    assert!(matches!(
        schema().validate(dup.as_bytes()),
        Err(SchemaError::Malformed { .. })
    ));
    let dup_ns =
        format!(r#"<t:root xmlns:t="urn:t" xmlns:u="urn:t" version="1"{attrs} t:q='1' u:q='2'/>"#);
    assert!(matches!(
        schema().validate(dup_ns.as_bytes()),
        Err(SchemaError::Malformed { .. })
    ));
    let mut many = String::new();
    for i in 0..300 {
        many.push_str(&format!(" xmlns:p{i}='urn:x{i}'"));
    }
    let e = schema()
        .validate(format!(r#"<t:root xmlns:t="urn:t" version="1"{many}/>"#).as_bytes())
        .unwrap_err();
    assert!(matches!(e, SchemaError::Unsupported { .. }), "{e}");
}
