//! A small, strict, namespace-aware XML tree for DUIS documents, built in one pass with
//! quick-xml.
//!
//! Rules beyond well-formedness, all enforced while reading:
//! - no DOCTYPE (hence no entity declarations: XXE and entity expansion are impossible);
//!   only the five predefined entities and character references are resolved;
//! - UTF-8 only (a UTF-8 byte order mark is accepted), XML 1.0 only;
//! - size and nesting depth are capped by [`ParseLimits`];
//! - every element is in the DUIS namespace `sr`, except one `ds:Signature` child of the root,
//!   whose subtree is checked for well-formedness but not kept (the signature is verified on
//!   the raw bytes by another crate);
//! - no mixed content: an element has either child elements (whitespace between them is
//!   dropped) or text.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::error::{ParseError, clip};

/// The DUIS service user gateway namespace (prefix `sr` by convention).
pub const NS_SR: &str = "http://www.dccinterface.co.uk/ServiceUserGateway";
/// The DUIS response-and-alert namespace (prefix `ra`), used only by SMETS1 responses.
pub const NS_RA: &str = "http://www.dccinterface.co.uk/ResponseAndAlert";
/// The XML-DSig namespace (prefix `ds`).
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Caller limits for parsing untrusted documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Largest accepted document, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted element nesting (the root is depth 1).
    pub max_depth: usize,
}

impl Default for ParseLimits {
    /// 1 MiB and 32 levels: far above any DUIS request (the deepest nest about 10 levels).
    fn default() -> Self {
        Self {
            max_bytes: 1 << 20,
            max_depth: 32,
        }
    }
}

/// An element of a parsed DUIS document (always in the `sr` namespace).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Local name (no prefix).
    pub name: String,
    /// Unqualified attributes as (name, value), in document order, values normalised as XML
    /// requires. Namespace declarations and namespace-qualified attributes are not kept.
    pub attrs: Vec<(String, String)>,
    /// Character data, entities resolved, line ends normalised; empty when the element has
    /// children.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// An element with this local name and nothing else.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element reached by following first-matching children along `path` (empty path:
    /// `self`).
    pub fn find(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// Text of the element at `path`, with surrounding XML whitespace removed.
    pub fn text_of(&self, path: &[&str]) -> Option<&str> {
        self.find(path).map(Element::trimmed_text)
    }

    /// Value of the unqualified attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text with leading and trailing XML whitespace removed.
    pub fn trimmed_text(&self) -> &str {
        self.text.trim_matches(is_xml_space)
    }
}

/// XML whitespace: space, tab, line feed, carriage return.
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether every character of `s` is allowed by XML 1.0.
pub(crate) fn all_xml_chars(s: &str) -> bool {
    // Fast path: tab, LF, CR and bytes >= 0x20 are fine, except 0xEF, which may lead U+FFFE or
    // U+FFFF; only then look at characters.
    s.bytes()
        .all(|b| (b >= 0x20 && b != 0xEF) || matches!(b, b'\t' | b'\n' | b'\r'))
        || s.chars().all(is_xml_char)
}

fn predefined_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

/// A parsed document: the root element and where the `ds:Signature` was.
#[derive(Debug)]
pub(crate) struct Document {
    /// The root element.
    pub root: Element,
    /// Number of root children before the `ds:Signature`, if there was one.
    pub signature_position: Option<usize>,
}

enum Ns {
    Sr,
    Ds,
    Other,
}

fn classify(r: &ResolveResult<'_>) -> Ns {
    match r {
        ResolveResult::Bound(ns) if ns.as_ref() == NS_SR => Ns::Sr,
        ResolveResult::Bound(ns) if ns.as_ref() == NS_DS => Ns::Ds,
        _ => Ns::Other,
    }
}

fn malformed(reader: &NsReader<&[u8]>, e: impl std::fmt::Display) -> ParseError {
    ParseError::Malformed {
        position: reader.error_position(),
        message: clip(&e.to_string()),
    }
}

struct Builder {
    stack: Vec<Element>,
    root: Option<Element>,
    /// Depth inside the skipped `ds:Signature` subtree (0: not skipping).
    skip: usize,
    signature_position: Option<usize>,
    max_depth: usize,
}

impl Builder {
    fn depth(&self) -> usize {
        self.stack.len() + self.skip
    }

    /// Appends character data to the open element.
    fn text(&mut self, s: &str) -> Result<(), ParseError> {
        if !all_xml_chars(s) {
            return Err(ParseError::InvalidCharacter);
        }
        if self.skip > 0 {
            return Ok(());
        }
        let Some(top) = self.stack.last_mut() else {
            return if s.chars().all(is_xml_space) {
                Ok(())
            } else {
                Err(ParseError::ContentOutsideRoot)
            };
        };
        if !top.children.is_empty() {
            return if s.chars().all(is_xml_space) {
                Ok(())
            } else {
                Err(ParseError::MixedContent {
                    element: top.name.clone(),
                })
            };
        }
        top.text.push_str(s);
        Ok(())
    }

    /// Opens an element; `Ok(true)` if it is kept (not inside or being the signature).
    fn open(
        &mut self,
        reader: &NsReader<&[u8]>,
        e: &BytesStart<'_>,
        ns: Ns,
    ) -> Result<bool, ParseError> {
        if self.depth() >= self.max_depth {
            return Err(ParseError::TooDeep {
                limit: self.max_depth,
            });
        }
        if self.skip > 0 {
            self.skip += 1;
            return Ok(false);
        }
        if self.stack.is_empty() && self.root.is_some() {
            return Err(ParseError::ContentOutsideRoot);
        }
        let local = e.local_name();
        let local = local.as_ref();
        match ns {
            Ns::Sr => {}
            Ns::Ds if local == "Signature" && self.stack.len() == 1 => {
                if self.signature_position.is_some() {
                    return Err(ParseError::MisplacedSignature);
                }
                self.signature_position = self.stack.first().map(|r| r.children.len());
                self.skip = 1;
                return Ok(false);
            }
            _ => {
                return Err(ParseError::UnexpectedNamespace {
                    element: clip(e.name().as_ref()),
                });
            }
        }
        if let Some(parent) = self.stack.last_mut()
            && !parent.text.is_empty()
        {
            if parent.text.chars().all(is_xml_space) {
                parent.text.clear();
            } else {
                return Err(ParseError::MixedContent {
                    element: parent.name.clone(),
                });
            }
        }
        let mut el = Element::new(local);
        for attr in e.attributes() {
            let attr = attr.map_err(|err| malformed(reader, err))?;
            let key = attr.key;
            if key.as_namespace_binding().is_some() {
                continue;
            }
            let (res, local) = reader.resolver().resolve_attribute(key);
            match res {
                ResolveResult::Unbound => {}
                ResolveResult::Bound(_) => continue,
                ResolveResult::Unknown(p) => {
                    return Err(ParseError::Malformed {
                        position: reader.buffer_position(),
                        message: clip(&format!("unknown namespace prefix {p}")),
                    });
                }
            }
            let value = attr
                .normalized_value_with(XmlVersion::Implicit1_0, 1, predefined_entity)
                .map_err(|err| malformed(reader, err))?;
            if !all_xml_chars(&value) {
                return Err(ParseError::InvalidCharacter);
            }
            el.attrs
                .push((local.as_ref().to_owned(), value.into_owned()));
        }
        self.stack.push(el);
        Ok(true)
    }

    fn close(&mut self) -> Result<(), ParseError> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        let mut el = self.stack.pop().ok_or(ParseError::Truncated)?;
        if !el.children.is_empty() {
            el.text.clear();
        }
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None => self.root = Some(el),
        }
        Ok(())
    }
}

/// Parses a whole document under `limits`.
pub(crate) fn parse_document(xml: &[u8], limits: &ParseLimits) -> Result<Document, ParseError> {
    if xml.len() > limits.max_bytes {
        return Err(ParseError::TooLarge {
            size: xml.len(),
            limit: limits.max_bytes,
        });
    }
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = std::str::from_utf8(xml).map_err(|_| ParseError::NotUtf8)?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().enable_all_checks(true);

    let mut b = Builder {
        stack: Vec::with_capacity(16),
        root: None,
        skip: 0,
        signature_position: None,
        max_depth: limits.max_depth,
    };
    let mut first = true;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((r, e)) => (classify(&r), e),
            Err(e) => return Err(malformed(&reader, e)),
        };
        let was_first = std::mem::replace(&mut first, false);
        match event {
            Event::Start(e) => {
                b.open(&reader, &e, ns)?;
            }
            Event::Empty(e) => {
                b.open(&reader, &e, ns)?;
                b.close()?;
            }
            Event::End(_) => b.close()?,
            Event::Text(t) => b.text(&t.xml10_content())?,
            Event::CData(t) => b.text(&t.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = r.resolve_char_ref().map_err(|e| malformed(&reader, e))?;
                match resolved {
                    Some(c) => {
                        let mut buf = [0u8; 4];
                        b.text(c.encode_utf8(&mut buf))?;
                    }
                    None => match predefined_entity(&r) {
                        Some(s) => b.text(s)?,
                        None => return Err(ParseError::UndefinedEntity(clip(&r))),
                    },
                }
            }
            Event::DocType(_) => return Err(ParseError::DoctypeForbidden),
            Event::Decl(d) => {
                if !was_first {
                    return Err(ParseError::Malformed {
                        position: reader.buffer_position(),
                        message: "XML declaration not at the start".into(),
                    });
                }
                let version = d.version().map_err(|e| malformed(&reader, e))?;
                if version.as_ref() != "1.0" {
                    return Err(ParseError::UnsupportedXmlVersion(clip(&version)));
                }
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|e| malformed(&reader, e))?;
                    if !enc.eq_ignore_ascii_case("UTF-8") {
                        return Err(ParseError::UnsupportedEncoding(clip(&enc)));
                    }
                }
            }
            Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !b.stack.is_empty() || b.skip > 0 {
        return Err(ParseError::Truncated);
    }
    let root = b.root.ok_or(ParseError::Truncated)?;
    Ok(Document {
        root,
        signature_position: b.signature_position,
    })
}

/// Parses any DUIS-namespace document into an element tree (for tests and tools; requests
/// go through [`crate::parse_request`]).
pub fn parse_element(xml: &[u8], limits: &ParseLimits) -> Result<Element, ParseError> {
    parse_document(xml, limits).map(|d| d.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Element, ParseError> {
        parse_element(s.as_bytes(), &ParseLimits::default())
    }

    const SR: &str = r#"xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway""#;

    #[test]
    fn builds_tree_with_text_and_attrs() {
        let doc = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<!-- c --><sr:A {SR} a="1 &amp; 2" xmlns:x="urn:x" x:q="skip">
  <sr:B>t&lt;x&#65;&#x42;<![CDATA[<c>]]></sr:B>
  <sr:C k="v"/>
  <sr:B>second</sr:B>
</sr:A>
"#
        );
        let e = parse(&doc).unwrap();
        assert_eq!(e.name, "A");
        assert_eq!(e.attrs, vec![("a".to_owned(), "1 & 2".to_owned())]);
        assert_eq!(e.text, "");
        assert_eq!(e.children.len(), 3);
        assert_eq!(e.text_of(&["B"]), Some("t<xAB<c>"));
        assert_eq!(e.child("C").unwrap().attr("k"), Some("v"));
        assert_eq!(e.children_named("B").count(), 2);
        assert_eq!(e.find(&[]).unwrap().name, "A");
        assert!(e.find(&["B", "Z"]).is_none());
    }

    #[test]
    fn default_namespace_counts() {
        let e =
            parse(r#"<A xmlns="http://www.dccinterface.co.uk/ServiceUserGateway"><B>x</B></A>"#)
                .unwrap();
        assert_eq!(e.text_of(&["B"]), Some("x"));
    }

    #[test]
    fn refuses_doctype_and_entities() {
        let xxe = format!(
            r#"<?xml version="1.0"?><!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]><sr:A {SR}>&xxe;</sr:A>"#
        );
        assert_eq!(parse(&xxe), Err(ParseError::DoctypeForbidden));
        let undeclared = format!(r#"<sr:A {SR}>&xxe;</sr:A>"#);
        assert_eq!(
            parse(&undeclared),
            Err(ParseError::UndefinedEntity("xxe".into()))
        );
        let in_attr = format!(r#"<sr:A {SR} a="&xxe;"/>"#);
        assert!(matches!(parse(&in_attr), Err(ParseError::Malformed { .. })));
    }

    #[test]
    fn limits() {
        let deep = format!(
            "<sr:A {SR}>{}{}</sr:A>",
            "<sr:B>".repeat(40),
            "</sr:B>".repeat(40)
        );
        assert_eq!(parse(&deep), Err(ParseError::TooDeep { limit: 32 }));
        let small = ParseLimits {
            max_bytes: 10,
            max_depth: 4,
        };
        assert!(matches!(
            parse_element(deep.as_bytes(), &small),
            Err(ParseError::TooLarge { .. })
        ));
    }

    #[test]
    fn rejects_bad_documents() {
        type Check = fn(&ParseError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("", |e| *e == ParseError::Truncated),
            (
                "<sr:A xmlns:sr='http://www.dccinterface.co.uk/ServiceUserGateway'>",
                |e| matches!(e, ParseError::Truncated | ParseError::Malformed { .. }),
            ),
            ("<A/>", |e| {
                matches!(e, ParseError::UnexpectedNamespace { .. })
            }),
            ("<x:A xmlns:x='urn:x'/>", |e| {
                matches!(e, ParseError::UnexpectedNamespace { .. })
            }),
            ("<y:A/>", |e| {
                matches!(
                    e,
                    ParseError::Malformed { .. } | ParseError::UnexpectedNamespace { .. }
                )
            }),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'/>x",
                |e| *e == ParseError::ContentOutsideRoot,
            ),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'/><A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'/>",
                |e| *e == ParseError::ContentOutsideRoot,
            ),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'>x<B/></A>",
                |e| matches!(e, ParseError::MixedContent { .. }),
            ),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'><B/>x</A>",
                |e| matches!(e, ParseError::MixedContent { .. }),
            ),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'>\u{1}</A>",
                |e| *e == ParseError::InvalidCharacter,
            ),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'>&#1;</A>",
                |e| *e == ParseError::InvalidCharacter,
            ),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'>\u{FFFE}</A>",
                |e| *e == ParseError::InvalidCharacter,
            ),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'></B>",
                |e| matches!(e, ParseError::Malformed { .. }),
            ),
            (
                "<A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway' a='1' a='2'/>",
                |e| matches!(e, ParseError::Malformed { .. }),
            ),
            (
                "<?xml version='1.1'?><A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'/>",
                |e| matches!(e, ParseError::UnsupportedXmlVersion(_)),
            ),
            (
                "<?xml version='1.0' encoding='ISO-8859-1'?><A xmlns='http://www.dccinterface.co.uk/ServiceUserGateway'/>",
                |e| matches!(e, ParseError::UnsupportedEncoding(_)),
            ),
        ];
        for (doc, ok) in cases {
            let r = parse(doc);
            assert!(matches!(&r, Err(e) if ok(e)), "{doc:?} gave {r:?}");
        }
        assert_eq!(
            parse_element(b"<A>\xff</A>", &ParseLimits::default()),
            Err(ParseError::NotUtf8)
        );
    }

    #[test]
    fn signature_subtree_is_skipped_and_located() {
        let doc = format!(
            r#"<sr:A {SR}><sr:B/><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X><ds:Y/></ds:X></ds:Signature></sr:A>"#
        );
        let d = parse_document(doc.as_bytes(), &ParseLimits::default()).unwrap();
        assert_eq!(d.signature_position, Some(1));
        assert_eq!(d.root.children.len(), 1);
        let nested = format!(
            r#"<sr:A {SR}><sr:B><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></sr:B></sr:A>"#
        );
        assert!(matches!(
            parse(&nested),
            Err(ParseError::UnexpectedNamespace { .. })
        ));
        let twice = format!(
            r#"<sr:A {SR} xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature/><ds:Signature/></sr:A>"#
        );
        assert_eq!(parse(&twice), Err(ParseError::MisplacedSignature));
    }

    #[test]
    fn bom_is_accepted() {
        let doc = format!("\u{FEFF}<sr:A {SR}/>");
        assert_eq!(parse(&doc).unwrap().name, "A");
    }
}
