//! XML well-formedness and namespace edge cases, each applied to a valid
//! template, against `xmllint --schema` (Debian libxml2-utils). Allowed
//! differences: opendcc refuses DTDs and non-UTF-8 encodings by policy
//! ([`SchemaError::Unsupported`]), and libxml2 only warns about namespace
//! errors and malformed version numbers.

#![allow(clippy::unwrap_used)]

mod common;

use common::lint::{require_xmllint, xmllint};
use duis_schema::SchemaError;

const TEMPLATE: &str = "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML";
const HEADER: &str = "  <sr:Header>\n";
const REQUEST_ID: &str = "<sr:RequestID>";

/// (description, find, replace): the first occurrence of `find` is replaced.
const EDITS: &[(&str, &str, &str)] = &[
    ("unchanged", "", ""),
    ("comment", HEADER, "  <sr:Header><!-- a - b -->\n"),
    ("comment with --", HEADER, "  <sr:Header><!-- a -- b -->\n"),
    ("comment ending in -", HEADER, "  <sr:Header><!-- a --->\n"),
    ("PI", HEADER, "  <sr:Header><?target data?>\n"),
    ("PI named xml", HEADER, "  <sr:Header><?xml data?>\n"),
    ("PI named XmL", HEADER, "  <sr:Header><?XmL data?>\n"),
    ("PI with colon", HEADER, "  <sr:Header><?a:b data?>\n"),
    ("PI without space", HEADER, "  <sr:Header><?a\"b\"?>\n"),
    (
        "declaration later",
        HEADER,
        "  <sr:Header><?xml version=\"1.0\"?>\n",
    ),
    ("space before declaration", "<?xml", " <?xml"),
    ("BOM", "<?xml", "\u{feff}<?xml"),
    (
        "no declaration",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        "",
    ),
    ("version 1.1", "version=\"1.0\"", "version=\"1.1\""),
    ("version 2.0", "version=\"1.0\"", "version=\"2.0\""),
    (
        "encoding latin-1",
        "encoding=\"UTF-8\"",
        "encoding=\"ISO-8859-1\"",
    ),
    (
        "encoding utf-8 lower case",
        "encoding=\"UTF-8\"",
        "encoding=\"utf-8\"",
    ),
    (
        "standalone",
        "encoding=\"UTF-8\"",
        "encoding=\"UTF-8\" standalone=\"yes\"",
    ),
    (
        "standalone maybe",
        "encoding=\"UTF-8\"",
        "encoding=\"UTF-8\" standalone=\"maybe\"",
    ),
    (
        "doctype",
        "<sr:Request",
        "<!DOCTYPE sr:Request>\n<sr:Request",
    ),
    (
        "internal entity",
        "<sr:Request",
        "<!DOCTYPE sr:Request [<!ENTITY e \"x\">]>\n<sr:Request",
    ),
    ("char ref in id", ":1000<", ":100&#48;<"),
    ("hex char ref", ":1000<", ":100&#x30;<"),
    ("NUL char ref", ":1000<", ":1000&#0;<"),
    ("surrogate char ref", ":1000<", ":1000&#xD800;<"),
    ("FFFE char ref", ":1000<", ":1000&#xFFFE;<"),
    ("undefined entity", ":1000<", ":1000&nbsp;<"),
    ("amp without semicolon", ":1000<", ":1000&amp<"),
    ("bare ampersand", ":1000<", ":1000 & <"),
    (
        "predefined entities in comment",
        HEADER,
        "  <sr:Header><!-- &bogus; < -->\n",
    ),
    ("]]> in text", HEADER, "  <sr:Header>]]>\n"),
    ("> in text", ":1000<", ":1000><"),
    ("CDATA in simple content", ":1000<", ":10<![CDATA[00]]><"),
    (
        "CDATA in element-only",
        HEADER,
        "  <sr:Header><![CDATA[ ]]>\n",
    ),
    ("control character", HEADER, "  <sr:Header>\u{1}\n"),
    ("U+FFFE", ":1000<", ":1000\u{fffe}<"),
    ("CR LF line ends", "\n", "\r\n"),
    ("lone CR", "\n  <sr:Body>", "\r  <sr:Body>"),
    (
        "tab between attributes",
        " schemaVersion",
        "\tschemaVersion",
    ),
    (
        "no space between attributes",
        " schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\"",
    ),
    (
        "unquoted attribute",
        "schemaVersion=\"5.4\"",
        "schemaVersion=5.4",
    ),
    (
        "single quotes",
        "schemaVersion=\"5.4\"",
        "schemaVersion='5.4'",
    ),
    (
        "spaces around =",
        "schemaVersion=\"5.4\"",
        "schemaVersion = \"5.4\"",
    ),
    (
        "< in attribute",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5<4\"",
    ),
    (
        "> in attribute",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" a=\">\"",
    ),
    (
        "entity in attribute",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"&#53;.4\"",
    ),
    (
        "newline in attribute",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"&#10;5.4\"",
    ),
    (
        "duplicate attribute",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" schemaVersion=\"5.4\"",
    ),
    (
        "duplicate expanded attribute",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" xmlns:q=\"urn:q\" xmlns:r=\"urn:q\" q:a=\"1\" r:a=\"2\"",
    ),
    (
        "undeclared attribute prefix",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" q:a=\"1\"",
    ),
    (
        "xml:lang",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" xml:lang=\"en\"",
    ),
    (
        "empty prefix binding",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" xmlns:q=\"\"",
    ),
    (
        "xml prefix rebound",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" xmlns:xml=\"urn:q\"",
    ),
    (
        "xml prefix declared right",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"",
    ),
    (
        "xmlns prefix declared",
        "schemaVersion=\"5.4\"",
        "schemaVersion=\"5.4\" xmlns:xmlns=\"urn:q\"",
    ),
    (
        "default namespace undeclared",
        HEADER,
        "  <sr:Header xmlns=\"\">\n",
    ),
    (
        "prefix redeclared locally",
        HEADER,
        "  <sr:Header xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\">\n",
    ),
    (
        "default namespace instead of prefix",
        REQUEST_ID,
        "<RequestID xmlns=\"http://www.dccinterface.co.uk/ServiceUserGateway\">",
    ),
    ("undeclared element prefix", REQUEST_ID, "<q:RequestID>"),
    ("two colons", REQUEST_ID, "<sr:x:RequestID>"),
    ("space after <", HEADER, "  < sr:Header>\n"),
    ("space before >", HEADER, "  <sr:Header >\n"),
    ("space in end tag", "</sr:Header>", "</sr:Header  >"),
    ("mismatched end tag", "</sr:Header>", "</sr:Heder>"),
    ("missing end tag", "</sr:Header>", ""),
    ("text after root", "</sr:Request>", "</sr:Request>x"),
    (
        "comment after root",
        "</sr:Request>",
        "</sr:Request><!-- c --><?p?>\n",
    ),
    ("second root", "</sr:Request>", "</sr:Request><sr:Request/>"),
    (
        "reference after root",
        "</sr:Request>",
        "</sr:Request>&#32;",
    ),
    ("text before root", "<sr:Request", "x<sr:Request"),
    ("non-ASCII element name", REQUEST_ID, "<sr:RequestIDé>"),
    ("digit element name", HEADER, "  <sr:Header><sr:1/>\n"),
    ("invalid UTF-8", ":1000<", ":1000\u{0}<"),
];

#[test]
fn wellformedness_matches_xmllint() {
    let Some(corpus) = common::corpus() else {
        eprintln!("corpus not present, skipping");
        return;
    };
    if !require_xmllint() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // same schema preparation as tests/differential.rs, simplified: the
    // template has no 38-digit serial and no ra: types.
    let src = corpus.join("duis-schema");
    let duis = std::fs::read_to_string(src.join("duis-schema-v5.4.xsd"))
        .unwrap()
        .replace("MMC Schema V5.4.xsd", "mmc.xsd");
    std::fs::write(tmp.path().join("duis.xsd"), duis).unwrap();
    std::fs::copy(
        src.join("xmldsig-core-schema.xsd"),
        tmp.path().join("xmldsig-core-schema.xsd"),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("mmc.xsd"),
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.dccinterface.co.uk/ResponseAndAlert"><xs:complexType name="HeaderType"/><xs:complexType name="ResponsePayload"/><xs:complexType name="DeviceAlertMessageType"/></xs:schema>"#,
    )
    .unwrap();
    let template = std::fs::read_to_string(corpus.join("duis-templates").join(TEMPLATE)).unwrap();

    let mut docs: Vec<(&str, Vec<u8>)> = Vec::new();
    for (what, find, replace) in EDITS {
        let text = if find.is_empty() {
            template.clone()
        } else {
            assert!(template.contains(find), "{what}: {find:?} not in template");
            if *what == "CR LF line ends" {
                template.replace(find, replace)
            } else {
                template.replacen(find, replace, 1)
            }
        };
        let mut bytes = text.into_bytes();
        if *what == "invalid UTF-8" {
            let i = bytes.iter().position(|&b| b == 0).unwrap();
            bytes[i] = 0xC3; // a lead byte without its continuation
        }
        docs.push((what, bytes));
    }
    let mut files = Vec::new();
    for (i, (_, bytes)) in docs.iter().enumerate() {
        let p = tmp.path().join(format!("wf{i}.xml"));
        std::fs::write(&p, bytes).unwrap();
        files.push(p);
    }
    let lint = xmllint(&tmp.path().join("duis.xsd"), &files);
    let mut bad = Vec::new();
    let mut policy = 0;
    for ((what, bytes), l) in docs.iter().zip(&lint) {
        let ours = duis_schema::validate(bytes);
        if std::env::var_os("OPENDCC_SHOW_VERDICTS").is_some() {
            eprintln!("{what}: ours {}, xmllint {}", ours.is_ok(), l.valid);
        }
        if ours.is_ok() == l.valid {
            continue;
        }
        let allowed = match &ours {
            Err(SchemaError::Unsupported { .. }) => {
                policy += 1;
                true
            }
            Err(SchemaError::Malformed { message, .. }) if l.valid => {
                l.messages.contains(": namespace error :")
                    || (message.starts_with("unsupported XML version")
                        && l.messages.contains("Unsupported version"))
            }
            _ => false,
        };
        if !allowed {
            bad.push(format!(
                "{what}: ours {ours:?}, xmllint {}\n{}",
                if l.valid { "valid" } else { "invalid" },
                l.messages.lines().take(2).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    eprintln!("{} edits, {policy} refused by policy", docs.len());
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
