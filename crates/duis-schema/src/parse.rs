//! Drive a [`StreamValidator`] from bytes with `quick-xml`, adding the
//! well-formedness and namespace checks that `quick-xml` leaves to its
//! users: character ranges, names, attribute syntax and normalization,
//! references, namespace declarations, document structure.
//!
//! Refused on principle ([`SchemaError::Unsupported`]): any DTD (no entity
//! expansion, no external entities) and encodings other than UTF-8.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::builtins::{is_name, is_ncname};
use crate::error::SchemaError;
use crate::validate::{Attribute, NamespaceResolver, StreamValidator};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

fn malformed(offset: u64, message: impl Into<String>) -> SchemaError {
    SchemaError::Malformed {
        offset,
        message: message.into(),
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn is_s(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// XML 1.0 end-of-line handling: CRLF and lone CR become LF.
fn normalize_eol(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Resolve `&name;` (without `&` and `;`) to its character.
fn resolve_reference(name: &str) -> Option<char> {
    match name {
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "amp" => return Some('&'),
        "apos" => return Some('\''),
        "quot" => return Some('"'),
        _ => {}
    }
    let num = name.strip_prefix('#')?;
    let code = if let Some(hex) = num.strip_prefix('x') {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) || hex.len() > 8 {
            return None;
        }
        u32::from_str_radix(hex, 16).ok()?
    } else {
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) || num.len() > 10 {
            return None;
        }
        num.parse::<u32>().ok()?
    };
    char::from_u32(code).filter(|c| is_xml_char(*c))
}

/// Attribute-value normalization (XML 1.0 3.3.3) for CDATA-typed attributes
/// (no DTD, so all attributes are CDATA): references are replaced, literal
/// whitespace characters become spaces.
fn attribute_value(raw: &str, offset: u64) -> Result<Cow<'_, str>, SchemaError> {
    if raw.contains('<') {
        return Err(malformed(offset, "'<' in an attribute value"));
    }
    if !raw.contains(['&', '\t', '\n', '\r']) {
        return Ok(Cow::Borrowed(raw));
    }
    let raw = normalize_eol(raw);
    let mut out = String::with_capacity(raw.len());
    let mut rest: &str = &raw;
    while let Some(i) = rest.find(['&', '\t', '\n']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with('&') {
            let end = tail
                .find(';')
                .ok_or_else(|| malformed(offset, "unterminated reference in an attribute value"))?;
            let name = &tail[1..end];
            let c = resolve_reference(name).ok_or_else(|| {
                malformed(offset, format!("undefined or invalid reference &{name};"))
            })?;
            out.push(c);
            rest = &tail[end + 1..];
        } else {
            out.push(' ');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Split a QName into (prefix, local); `None` if it is not a QName.
fn split_qname(name: &str) -> Option<(&str, &str)> {
    match name.split_once(':') {
        Some((p, l)) if is_ncname(p) && is_ncname(l) => Some((p, l)),
        Some(_) => None,
        None if is_ncname(name) => Some(("", name)),
        None => None,
    }
}

/// In-scope namespace bindings: per prefix a stack of URIs, and per open
/// element the prefixes it declared (so lookups stay O(1) however many
/// declarations a document makes).
struct Scopes {
    bindings: HashMap<String, Vec<String>>,
    declared: Vec<Vec<String>>,
}

impl Scopes {
    fn push_element(&mut self) {
        self.declared.push(Vec::new());
    }

    fn declare(&mut self, prefix: &str, uri: &str) {
        self.bindings
            .entry(prefix.to_owned())
            .or_default()
            .push(uri.to_owned());
        if let Some(d) = self.declared.last_mut() {
            d.push(prefix.to_owned());
        }
    }

    fn pop_element(&mut self) {
        for p in self.declared.pop().unwrap_or_default() {
            if let Some(stack) = self.bindings.get_mut(&p) {
                stack.pop();
            }
        }
    }
}

impl NamespaceResolver for Scopes {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.bindings
            .get(prefix)
            .and_then(|s| s.last())
            .map(String::as_str)
            .filter(|u| !(prefix.is_empty() && u.is_empty()))
    }
}

struct RawAttr<'a> {
    name: &'a str,
    value: Cow<'a, str>,
}

/// Most attributes (namespace declarations included) on one element.
pub(crate) const MAX_ATTRIBUTES: usize = 256;

/// Parse the attribute part of a start tag (everything after the name).
fn parse_attributes(s: &str, offset: u64) -> Result<Vec<RawAttr<'_>>, SchemaError> {
    let mut out: Vec<RawAttr<'_>> = Vec::new();
    let mut names: HashSet<&str> = HashSet::new();
    let mut rest = s;
    loop {
        let trimmed = rest.trim_start_matches(is_s);
        let had_space = trimmed.len() != rest.len();
        rest = trimmed;
        if rest.is_empty() {
            return Ok(out);
        }
        if !had_space {
            return Err(malformed(
                offset,
                "attributes must be separated by whitespace",
            ));
        }
        let name_end = rest
            .find(|c: char| is_s(c) || c == '=')
            .ok_or_else(|| malformed(offset, "attribute without a value"))?;
        let name = &rest[..name_end];
        if !is_name(name) {
            return Err(malformed(
                offset,
                format!("invalid attribute name {name:?}"),
            ));
        }
        rest = rest[name_end..].trim_start_matches(is_s);
        rest = rest
            .strip_prefix('=')
            .ok_or_else(|| malformed(offset, format!("attribute {name} has no '='")))?;
        rest = rest.trim_start_matches(is_s);
        let quote = rest
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| malformed(offset, format!("attribute {name} value is not quoted")))?;
        let body = &rest[1..];
        let close = body
            .find(quote)
            .ok_or_else(|| malformed(offset, format!("attribute {name} value is not closed")))?;
        let raw = &body[..close];
        rest = &body[close + 1..];
        // Linear for the usual handful of attributes, hashed beyond.
        let duplicate = if out.len() < 16 {
            out.iter().any(|a| a.name == name)
        } else {
            if names.is_empty() {
                names.extend(out.iter().map(|a| a.name));
            }
            !names.insert(name)
        };
        if duplicate {
            return Err(malformed(offset, format!("duplicate attribute {name}")));
        }
        if out.len() >= MAX_ATTRIBUTES {
            return Err(SchemaError::Unsupported {
                offset,
                what: "more than 256 attributes on one element",
            });
        }
        out.push(RawAttr {
            name,
            value: attribute_value(raw, offset)?,
        });
    }
}

/// Check the XML declaration's pseudo-attributes.
fn check_decl(content: &str, offset: u64) -> Result<(), SchemaError> {
    let body = content
        .strip_prefix("xml")
        .ok_or_else(|| malformed(offset, "bad XML declaration"))?;
    let attrs = parse_attributes(body, offset)?;
    let mut it = attrs.iter().peekable();
    match it.next() {
        Some(a) if a.name == "version" => {
            let v = a.value.as_ref();
            let ok = v
                .strip_prefix("1.")
                .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(malformed(offset, format!("unsupported XML version {v:?}")));
            }
        }
        _ => return Err(malformed(offset, "XML declaration without version")),
    }
    if let Some(a) = it.next_if(|a| a.name == "encoding") {
        let e = a.value.as_ref();
        let mut chars = e.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !ok {
            return Err(malformed(offset, format!("bad encoding name {e:?}")));
        }
        if !e.eq_ignore_ascii_case("UTF-8") && !e.eq_ignore_ascii_case("UTF8") {
            return Err(SchemaError::Unsupported {
                offset,
                what: "an encoding other than UTF-8",
            });
        }
    }
    if let Some(a) = it.next_if(|a| a.name == "standalone")
        && a.value != "yes"
        && a.value != "no"
    {
        return Err(malformed(offset, "standalone must be yes or no"));
    }
    if let Some(a) = it.next() {
        return Err(malformed(
            offset,
            format!("unexpected {} in the XML declaration", a.name),
        ));
    }
    Ok(())
}

/// Check every character of the document is an XML 1.0 Char.
fn check_chars(text: &str) -> Result<(), SchemaError> {
    if let Some(i) = text
        .bytes()
        .position(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return Err(malformed(i as u64, "control character not allowed in XML"));
    }
    if let Some(i) = text.find(['\u{FFFE}', '\u{FFFF}']) {
        return Err(malformed(
            i as u64,
            "character U+FFFE/U+FFFF is not allowed in XML",
        ));
    }
    Ok(())
}

#[derive(PartialEq, Eq)]
enum Phase {
    Prolog,
    Body,
    Epilog,
}

/// Parse `xml` and feed `v`.
pub(crate) fn drive(xml: &[u8], v: &mut StreamValidator<'_>) -> Result<(), SchemaError> {
    if xml.starts_with(&[0xFE, 0xFF])
        || xml.starts_with(&[0xFF, 0xFE])
        || xml.starts_with(&[0x00, b'<'])
        || xml.starts_with(&[b'<', 0x00])
    {
        return Err(SchemaError::Unsupported {
            offset: 0,
            what: "UTF-16 input",
        });
    }
    let (bom, body) = match xml.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (3u64, rest),
        None => (0u64, xml),
    };
    let text = std::str::from_utf8(body)
        .map_err(|e| malformed(bom + e.valid_up_to() as u64, "invalid UTF-8"))?;
    check_chars(text).map_err(|e| match e {
        SchemaError::Malformed { offset, message } => malformed(offset + bom, message),
        other => other,
    })?;

    let mut reader = Reader::from_str(text);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.check_comments = true;
        cfg.expand_empty_elements = false;
        cfg.trim_text(false);
        cfg.allow_dangling_amp = false;
        cfg.allow_unmatched_ends = false;
    }
    let mut scopes = Scopes {
        bindings: HashMap::new(),
        declared: Vec::new(),
    };
    let mut phase = Phase::Prolog;
    let mut first = true;
    let mut open = 0usize;
    loop {
        let pos = bom + reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| malformed(bom + reader.error_position(), e.to_string()))?;
        let was_first = first;
        first = false;
        match event {
            Event::Decl(d) => {
                if !was_first || pos != bom {
                    return Err(malformed(pos, "XML declaration not at the start"));
                }
                check_decl(&d, pos)?;
            }
            Event::DocType(_) => {
                return Err(SchemaError::Unsupported {
                    offset: pos,
                    what: "a document type declaration (DTD)",
                });
            }
            Event::PI(pi) => {
                let target = pi.target();
                if !is_name(target) || target.contains(':') || target.eq_ignore_ascii_case("xml") {
                    return Err(malformed(
                        pos,
                        format!("bad processing instruction target {target:?}"),
                    ));
                }
                let content = pi.content();
                if !content.is_empty() && !content.starts_with(is_s) {
                    return Err(malformed(pos, "bad processing instruction"));
                }
            }
            Event::Comment(c) => {
                if c.ends_with('-') || c.contains("--") {
                    return Err(malformed(pos, "'--' in a comment"));
                }
            }
            Event::Start(e) | Event::Empty(e) if phase == Phase::Epilog => {
                let _ = e;
                return Err(malformed(pos, "content after the document element"));
            }
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let (e, empty) = match ev {
                    Event::Start(e) => (e, false),
                    Event::Empty(e) => (e, true),
                    _ => return Err(malformed(pos, "internal parser state")),
                };
                phase = Phase::Body;
                let name = e.name().0;
                let (prefix, local) = split_qname(name)
                    .ok_or_else(|| malformed(pos, format!("invalid element name {name:?}")))?;
                let raw_attrs = parse_attributes(e.attributes_raw(), pos)?;
                scopes.push_element();
                // namespace declarations first
                for a in &raw_attrs {
                    let decl_prefix = if a.name == "xmlns" {
                        Some("")
                    } else {
                        a.name.strip_prefix("xmlns:")
                    };
                    let Some(p) = decl_prefix else { continue };
                    let uri = a.value.as_ref();
                    if p == "xmlns" || uri == XMLNS_NS {
                        return Err(malformed(
                            pos,
                            "the xmlns prefix/namespace cannot be declared",
                        ));
                    }
                    if (p == "xml") != (uri == XML_NS) {
                        return Err(malformed(
                            pos,
                            "the xml prefix is bound to its namespace only",
                        ));
                    }
                    if !p.is_empty() && uri.is_empty() {
                        return Err(malformed(pos, format!("prefix {p} cannot be undeclared")));
                    }
                    if !p.is_empty() && !is_ncname(p) {
                        return Err(malformed(pos, format!("invalid prefix {p:?}")));
                    }
                    scopes.declare(p, uri);
                }
                if prefix == "xmlns" {
                    return Err(malformed(pos, "element with the xmlns prefix"));
                }
                let elem_ns: &str = match scopes.resolve(prefix) {
                    Some(u) => u,
                    None if prefix.is_empty() => "",
                    None => {
                        return Err(malformed(
                            pos,
                            format!("undeclared namespace prefix {prefix}"),
                        ));
                    }
                };
                let mut attrs: Vec<Attribute<'_>> = Vec::with_capacity(raw_attrs.len());
                let mut expanded: HashSet<(&str, &str)> = HashSet::new();
                for a in &raw_attrs {
                    if a.name == "xmlns" || a.name.starts_with("xmlns:") {
                        continue;
                    }
                    let (ap, al) = split_qname(a.name).ok_or_else(|| {
                        malformed(pos, format!("invalid attribute name {:?}", a.name))
                    })?;
                    let ans = if ap.is_empty() {
                        ""
                    } else {
                        scopes.resolve(ap).ok_or_else(|| {
                            malformed(pos, format!("undeclared namespace prefix {ap}"))
                        })?
                    };
                    let duplicate = if attrs.len() < 16 {
                        attrs.iter().any(|x| x.local == al && x.namespace == ans)
                    } else {
                        if expanded.is_empty() {
                            expanded.extend(attrs.iter().map(|x| (x.namespace, x.local)));
                        }
                        !expanded.insert((ans, al))
                    };
                    if duplicate {
                        return Err(malformed(pos, format!("duplicate attribute {{{ans}}}{al}")));
                    }
                    attrs.push(Attribute {
                        namespace: ans,
                        local: al,
                        value: a.value.as_ref(),
                    });
                }
                v.start_element(elem_ns, local, &attrs, &scopes)?;
                drop(attrs);
                if empty {
                    v.end_element()?;
                    scopes.pop_element();
                    if open == 0 {
                        phase = Phase::Epilog;
                    }
                } else {
                    open += 1;
                }
            }
            Event::End(_) => {
                v.end_element()?;
                scopes.pop_element();
                open = open.saturating_sub(1);
                if open == 0 {
                    phase = Phase::Epilog;
                }
            }
            Event::Text(t) => {
                let raw: &str = &t;
                if open == 0 {
                    if !raw.chars().all(is_s) {
                        return Err(malformed(
                            pos,
                            "character data outside the document element",
                        ));
                    }
                    continue;
                }
                if raw.contains("]]>") {
                    return Err(malformed(pos, "']]>' in character data"));
                }
                v.text(&normalize_eol(raw))?;
            }
            Event::GeneralRef(r) => {
                if open == 0 {
                    return Err(malformed(pos, "reference outside the document element"));
                }
                let name: &str = &r;
                let c = resolve_reference(name).ok_or_else(|| {
                    malformed(pos, format!("undefined or invalid reference &{name};"))
                })?;
                let mut buf = [0u8; 4];
                v.text(c.encode_utf8(&mut buf))?;
            }
            Event::CData(c) => {
                if open == 0 {
                    return Err(malformed(pos, "CDATA outside the document element"));
                }
                v.cdata(&normalize_eol(&c))?;
            }
            Event::Eof => {
                if open != 0 {
                    return Err(malformed(pos, "document ended inside an element"));
                }
                if phase == Phase::Prolog {
                    return Err(SchemaError::NoRoot);
                }
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(resolve_reference("amp"), Some('&'));
        assert_eq!(resolve_reference("#13"), Some('\r'));
        assert_eq!(resolve_reference("#x41"), Some('A'));
        assert_eq!(resolve_reference("#0"), None);
        assert_eq!(resolve_reference("#xFFFE"), None);
        assert_eq!(resolve_reference("#xD800"), None);
        assert_eq!(resolve_reference("nbsp"), None);
        assert_eq!(resolve_reference("#"), None);
        assert_eq!(resolve_reference("#x"), None);
    }

    #[test]
    fn attribute_normalization() {
        assert_eq!(attribute_value("a\r\nb\tc", 0).unwrap(), "a b c");
        assert_eq!(attribute_value("a&#10;b&amp;", 0).unwrap(), "a\nb&");
        assert!(attribute_value("a<b", 0).is_err());
        assert!(attribute_value("a&b", 0).is_err());
    }

    #[test]
    fn attribute_syntax() {
        assert_eq!(parse_attributes(" a='1'  b=\"2\" ", 0).unwrap().len(), 2);
        assert!(parse_attributes(" a='1'b='2'", 0).is_err());
        assert!(parse_attributes(" a=1", 0).is_err());
        assert!(parse_attributes(" a='1' a='2'", 0).is_err());
        assert!(parse_attributes(" a", 0).is_err());
        assert!(parse_attributes(" 1a='x'", 0).is_err());
    }

    #[test]
    fn declarations() {
        assert!(
            check_decl(
                "xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"",
                0
            )
            .is_ok()
        );
        assert!(check_decl("xml version='1.0'", 0).is_ok());
        assert!(check_decl("xml encoding='UTF-8'", 0).is_err());
        assert!(check_decl("xml version='2.0'", 0).is_err());
        assert!(matches!(
            check_decl("xml version='1.0' encoding='ISO-8859-1'", 0),
            Err(SchemaError::Unsupported { .. })
        ));
        assert!(check_decl("xml version='1.0' standalone='no' encoding='UTF-8'", 0).is_err());
    }
}
