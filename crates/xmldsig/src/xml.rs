//! Strict, DTD-free, namespace-aware XML 1.0 parsing on `quick-xml` events
//! into a flat node list that the canonicalizer and the signature profile
//! walk.
//!
//! What the parser does beyond tokenizing (quick-xml):
//! - refuses `<!DOCTYPE` (hence any entity declaration) with
//!   [`DsigError::DtdRefused`];
//! - validates UTF-8 and XML 1.0 characters, names, attribute syntax,
//!   namespace well-formedness (declared prefixes, reserved `xml`/`xmlns`,
//!   duplicate expanded attribute names);
//! - normalizes line ends (CR LF and lone CR become LF) and attribute
//!   values (literal tab/CR/LF become a space; character references are
//!   kept), and resolves the five predefined entities and character
//!   references, exactly as a conforming XML processor does before
//!   canonicalization;
//! - drops comments (canonical XML without comments never shows them) and
//!   whitespace outside the root element;
//! - enforces [`Limits`].

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::{DsigError, Limit, MalformedKind};

/// The namespace bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Resource limits applied while parsing untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum input size in bytes.
    pub max_bytes: usize,
    /// Maximum element nesting depth (the root is depth 1).
    pub max_depth: usize,
    /// Maximum attributes plus namespace declarations on one element.
    pub max_attributes: usize,
    /// Maximum namespace declarations in scope at any point (bounds the
    /// cost of every prefix lookup).
    pub max_namespaces: usize,
    /// Maximum number of stored nodes (element starts, ends, text runs,
    /// character references, processing instructions).
    pub max_nodes: usize,
}

impl Default for Limits {
    /// 16 MiB (room for a firmware image), depth 64, 32 attributes per
    /// element, 64 namespace declarations in scope, 200 000 nodes.
    fn default() -> Self {
        Limits {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_attributes: 32,
            max_namespaces: 64,
            max_nodes: 200_000,
        }
    }
}

/// Identifies an element inside a [`Document`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeId(pub(crate) usize);

#[derive(Debug)]
pub(crate) struct NsDecl<'a> {
    /// `""` for the default namespace.
    pub prefix: &'a str,
    /// `""` undeclares the default namespace.
    pub uri: Cow<'a, str>,
}

#[derive(Debug)]
pub(crate) struct Attr<'a> {
    pub qname: &'a str,
    pub prefix: &'a str,
    pub local: &'a str,
    /// `None` for unprefixed attributes.
    pub ns: Option<Cow<'a, str>>,
    /// Normalized value (references resolved, whitespace normalized).
    pub value: Cow<'a, str>,
}

#[derive(Debug)]
pub(crate) struct Element<'a> {
    pub qname: &'a str,
    pub prefix: &'a str,
    pub local: &'a str,
    /// Namespace name; `None` when in no namespace.
    pub ns: Option<Cow<'a, str>>,
    pub decls: Range<usize>,
    pub attrs: Range<usize>,
    pub parent: Option<usize>,
    /// Index of the matching [`Node::End`].
    pub end: usize,
    /// Byte range of the start tag in the input.
    pub tag: Range<usize>,
    pub self_closing: bool,
}

#[derive(Debug)]
pub(crate) enum Node<'a> {
    Start(Element<'a>),
    End {
        qname: &'a str,
        /// Byte range of the end tag (empty, at the start tag's end, for `<a/>`).
        tag: Range<usize>,
    },
    /// Line-end-normalized character data (text or CDATA).
    Text(Cow<'a, str>),
    /// A resolved character or predefined entity reference.
    Char(char),
    Pi {
        target: &'a str,
        data: Cow<'a, str>,
    },
}

/// A parsed, well-formed XML document, borrowing the input.
#[derive(Debug)]
pub struct Document<'a> {
    pub(crate) src: &'a str,
    /// Offset of `src` in the caller's input (3 when a BOM was skipped).
    pub(crate) base: usize,
    pub(crate) nodes: Vec<Node<'a>>,
    pub(crate) decls: Vec<NsDecl<'a>>,
    pub(crate) attrs: Vec<Attr<'a>>,
    pub(crate) root: usize,
}

impl<'a> Document<'a> {
    /// Parses with [`Limits::default`].
    ///
    /// # Errors
    /// [`DsigError::MalformedXml`], [`DsigError::DtdRefused`] or
    /// [`DsigError::LimitExceeded`].
    pub fn parse(xml: &'a [u8]) -> Result<Self, DsigError> {
        Self::parse_with_limits(xml, &Limits::default())
    }

    /// Parses with explicit limits.
    ///
    /// # Errors
    /// [`DsigError::MalformedXml`], [`DsigError::DtdRefused`] or
    /// [`DsigError::LimitExceeded`].
    pub fn parse_with_limits(xml: &'a [u8], limits: &Limits) -> Result<Self, DsigError> {
        Parser::run(xml, limits)
    }

    /// The root element.
    #[must_use]
    pub fn root(&self) -> NodeId {
        NodeId(self.root)
    }

    /// Elements with this namespace name and local name, in document order.
    pub fn elements_named<'s>(
        &'s self,
        ns: &'s str,
        local: &'s str,
    ) -> impl Iterator<Item = NodeId> + 's {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(move |(i, n)| match n {
                Node::Start(e) if e.local == local && e.ns.as_deref() == Some(ns) => {
                    Some(NodeId(i))
                }
                _ => None,
            })
    }

    /// The enveloped `ds:Signature`: the last element child of the root
    /// if it is `{http://www.w3.org/2000/09/xmldsig#}Signature`.
    #[must_use]
    pub fn enveloped_signature(&self) -> Option<NodeId> {
        let last = self.element_children(self.root).last()?;
        let e = self.element(last)?;
        (e.local == "Signature" && e.ns.as_deref() == Some(crate::DSIG_NS)).then_some(NodeId(last))
    }

    /// Byte range (in the caller's input) of an element, from `<` of the
    /// start tag to `>` of the end tag.
    #[must_use]
    pub fn element_span(&self, id: NodeId) -> Option<Range<usize>> {
        let e = self.element(id.0)?;
        let end = match self.nodes.get(e.end)? {
            Node::End { tag, .. } => tag.end.max(e.tag.end),
            _ => return None,
        };
        Some(self.base + e.tag.start..self.base + end)
    }

    pub(crate) fn element(&self, i: usize) -> Option<&Element<'a>> {
        match self.nodes.get(i) {
            Some(Node::Start(e)) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn decls_of<'s>(&'s self, e: &Element<'a>) -> &'s [NsDecl<'a>] {
        self.decls.get(e.decls.clone()).unwrap_or(&[])
    }

    pub(crate) fn attrs_of<'s>(&'s self, e: &Element<'a>) -> &'s [Attr<'a>] {
        self.attrs.get(e.attrs.clone()).unwrap_or(&[])
    }

    /// Indices of the element children of element `i`.
    pub(crate) fn element_children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let (mut next, end) = match self.element(i) {
            Some(e) => (i + 1, e.end),
            None => (1, 0),
        };
        std::iter::from_fn(move || {
            while next < end {
                let here = next;
                match self.nodes.get(here) {
                    Some(Node::Start(c)) => {
                        next = c.end + 1;
                        return Some(here);
                    }
                    Some(_) => next += 1,
                    None => return None,
                }
            }
            None
        })
    }
}

/// XML whitespace (S production).
pub(crate) fn is_xml_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// An XML Name without colons (NCName).
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) => chars.all(is_name_char),
        _ => false,
    }
}

/// Splits a QName into (prefix, local); `None` if not a valid QName.
fn split_qname(q: &str) -> Option<(&str, &str)> {
    match q.split_once(':') {
        Some((p, l)) if is_ncname(p) && is_ncname(l) => Some((p, l)),
        Some(_) => None,
        None if is_ncname(q) => Some(("", q)),
        None => None,
    }
}

/// Is `c` a Char in the XML 1.0 sense?
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Resolves the name inside `&name;`.
fn resolve_reference(name: &str) -> Result<char, MalformedKind> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => {
            let Some(num) = name.strip_prefix('#') else {
                return Err(MalformedKind::UndefinedEntity);
            };
            let (digits, radix) = match num.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (num, 10),
            };
            if digits.is_empty() || digits.len() > 8 || !digits.chars().all(|c| c.is_digit(radix)) {
                return Err(MalformedKind::InvalidCharRef);
            }
            u32::from_str_radix(digits, radix)
                .ok()
                .and_then(char::from_u32)
                .filter(|&c| is_xml_char(c))
                .ok_or(MalformedKind::InvalidCharRef)
        }
    }
}

/// Line-end normalization: CR LF and lone CR become LF.
fn normalize_eol(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Attribute-value normalization for CDATA attributes (no DTD, so all are):
/// references resolved, literal tab/CR/LF (CR LF as one) become a space.
fn normalize_attr_value(raw: &str) -> Result<Cow<'_, str>, MalformedKind> {
    if raw.contains('<') {
        return Err(MalformedKind::LessThanInAttribute);
    }
    if !raw
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
        match c {
            '\r' => {
                if let Some(r) = rest.strip_prefix('\n') {
                    rest = r;
                }
                out.push(' ');
            }
            '\n' | '\t' => out.push(' '),
            '&' => {
                let (name, after) = rest.split_once(';').ok_or(MalformedKind::AttributeSyntax)?;
                out.push(resolve_reference(name)?);
                rest = after;
            }
            _ => out.push(c),
        }
    }
    Ok(Cow::Owned(out))
}

fn skip_ws(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\n', '\r'])
}

/// A raw attribute as written: (qualified name, raw value).
type RawAttr<'a> = (&'a str, &'a str);

/// Splits the inside of a tag (`name attr="v" …`, without `<`, `>`, `/`)
/// into its name and raw attributes.
fn tokenize_tag<'a>(
    inner: &'a str,
    out: &mut Vec<RawAttr<'a>>,
    max: usize,
) -> Result<&'a str, DsigError> {
    let name_end = inner.find([' ', '\t', '\n', '\r']).unwrap_or(inner.len());
    let (name, mut rest) = inner.split_at(name_end);
    loop {
        let trimmed = skip_ws(rest);
        if trimmed.is_empty() {
            return Ok(name);
        }
        if trimmed.len() == rest.len() {
            // attributes must be separated by whitespace
            return Err(malformed(0, MalformedKind::AttributeSyntax));
        }
        let eq = trimmed
            .find('=')
            .ok_or_else(|| malformed(0, MalformedKind::AttributeSyntax))?;
        let (aname, after) = trimmed.split_at(eq);
        let aname = aname.trim_end_matches([' ', '\t', '\n', '\r']);
        let after = skip_ws(after.get(1..).unwrap_or_default());
        let quote = after
            .chars()
            .next()
            .filter(|&q| q == '"' || q == '\'')
            .ok_or_else(|| malformed(0, MalformedKind::AttributeSyntax))?;
        let body = after.get(1..).unwrap_or_default();
        let close = body
            .find(quote)
            .ok_or_else(|| malformed(0, MalformedKind::AttributeSyntax))?;
        let (value, tail) = body.split_at(close);
        if out.len() >= max {
            return Err(DsigError::LimitExceeded(Limit::Attributes(max)));
        }
        out.push((aname, value));
        rest = tail.get(1..).unwrap_or_default();
    }
}

fn malformed(offset: usize, kind: MalformedKind) -> DsigError {
    DsigError::MalformedXml { offset, kind }
}

/// Adds `base` to the offset of a malformed-XML error raised without one.
fn at(offset: usize) -> impl Fn(DsigError) -> DsigError {
    move |e| match e {
        DsigError::MalformedXml { offset: 0, kind } => DsigError::MalformedXml { offset, kind },
        other => other,
    }
}

struct Parser<'a> {
    src: &'a str,
    base: usize,
    limits: Limits,
    nodes: Vec<Node<'a>>,
    decls: Vec<NsDecl<'a>>,
    attrs: Vec<Attr<'a>>,
    /// Open elements (node indices).
    open: Vec<usize>,
    /// In-scope namespace bindings, innermost last: (prefix, decl index).
    scope: Vec<(&'a str, usize)>,
    scope_marks: Vec<usize>,
    root: Option<usize>,
    root_closed: bool,
    raw_attrs: Vec<RawAttr<'a>>,
}

impl<'a> Parser<'a> {
    fn run(xml: &'a [u8], limits: &Limits) -> Result<Document<'a>, DsigError> {
        if xml.len() > limits.max_bytes {
            return Err(DsigError::LimitExceeded(Limit::Size(limits.max_bytes)));
        }
        let text = std::str::from_utf8(xml)
            .map_err(|e| malformed(e.valid_up_to(), MalformedKind::InvalidUtf8))?;
        let (src, base) = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => (rest, 3),
            None => (text, 0),
        };
        check_chars(src).map_err(|off| malformed(base + off, MalformedKind::InvalidChar))?;
        let mut p = Parser {
            src,
            base,
            limits: *limits,
            nodes: Vec::with_capacity(src.len() / 24 + 8),
            decls: Vec::new(),
            attrs: Vec::new(),
            open: Vec::new(),
            scope: Vec::new(),
            scope_marks: Vec::new(),
            root: None,
            root_closed: false,
            raw_attrs: Vec::new(),
        };
        p.parse()?;
        let root = p
            .root
            .ok_or_else(|| malformed(base + src.len(), MalformedKind::NoRoot))?;
        Ok(Document {
            src,
            base,
            nodes: p.nodes,
            decls: p.decls,
            attrs: p.attrs,
            root,
        })
    }

    fn push(&mut self, node: Node<'a>) -> Result<usize, DsigError> {
        if self.nodes.len() >= self.limits.max_nodes {
            return Err(DsigError::LimitExceeded(Limit::Nodes(
                self.limits.max_nodes,
            )));
        }
        self.nodes.push(node);
        Ok(self.nodes.len() - 1)
    }

    fn parse(&mut self) -> Result<(), DsigError> {
        let mut reader = Reader::from_str(self.src);
        {
            let cfg = reader.config_mut();
            cfg.check_end_names = true;
            cfg.check_comments = true;
            cfg.expand_empty_elements = false;
            cfg.trim_text_start = false;
            cfg.trim_text_end = false;
            cfg.allow_dangling_amp = false;
            cfg.allow_unmatched_ends = false;
            cfg.trim_markup_names_in_closing_tags = true;
        }
        let src = self.src;
        let base = self.base;
        loop {
            let start = pos(reader.buffer_position());
            let event = match reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    return Err(malformed(
                        base + pos(reader.error_position()),
                        MalformedKind::Syntax(crate::error::clip(&e.to_string())),
                    ));
                }
            };
            let end = pos(reader.buffer_position());
            let raw = src.get(start..end).unwrap_or_default();
            let off = base + start;
            match event {
                Event::Decl(_) => {
                    if start != 0 {
                        return Err(malformed(off, MalformedKind::MisplacedDeclaration));
                    }
                    check_decl(raw).map_err(|k| malformed(off, k))?;
                }
                Event::DocType(_) => return Err(DsigError::DtdRefused { offset: off }),
                Event::PI(_) => {
                    let inner = raw
                        .get(2..raw.len().saturating_sub(2))
                        .ok_or_else(|| malformed(off, MalformedKind::Syntax("PI".into())))?;
                    let t_end = inner.find([' ', '\t', '\n', '\r']).unwrap_or(inner.len());
                    let (target, data) = inner.split_at(t_end);
                    if !is_ncname(target) {
                        return Err(malformed(off, MalformedKind::InvalidName));
                    }
                    if target.eq_ignore_ascii_case("xml") {
                        return Err(malformed(off, MalformedKind::ReservedPiTarget));
                    }
                    let data = normalize_eol(skip_ws(data));
                    self.push(Node::Pi { target, data })?;
                }
                Event::Comment(_) => {}
                Event::Start(_) => self.start_tag(raw, start, end, false)?,
                Event::Empty(_) => self.start_tag(raw, start, end, true)?,
                Event::End(_) => self.end_tag(start, end)?,
                Event::Text(_) => {
                    if self.open.is_empty() {
                        if !raw.bytes().all(is_xml_ws) {
                            return Err(malformed(off, MalformedKind::ContentOutsideRoot));
                        }
                    } else {
                        if let Some(i) = raw.find("]]>") {
                            return Err(malformed(off + i, MalformedKind::CdataEndInText));
                        }
                        self.push(Node::Text(normalize_eol(raw)))?;
                    }
                }
                Event::GeneralRef(_) => {
                    if self.open.is_empty() {
                        return Err(malformed(off, MalformedKind::ContentOutsideRoot));
                    }
                    let name = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
                    let c = resolve_reference(name).map_err(|k| malformed(off, k))?;
                    self.push(Node::Char(c))?;
                }
                Event::CData(_) => {
                    if self.open.is_empty() {
                        return Err(malformed(off, MalformedKind::ContentOutsideRoot));
                    }
                    let inner = raw.get(9..raw.len().saturating_sub(3)).unwrap_or_default();
                    if !inner.is_empty() {
                        self.push(Node::Text(normalize_eol(inner)))?;
                    }
                }
                Event::Eof => {
                    if !self.open.is_empty() {
                        return Err(malformed(base + src.len(), MalformedKind::Unclosed));
                    }
                    return Ok(());
                }
            }
        }
    }

    fn lookup(&self, prefix: &str) -> Option<&NsDecl<'a>> {
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .and_then(|&(_, i)| self.decls.get(i))
    }

    /// Namespace name for an element (`is_attr == false`) or attribute prefix.
    fn resolve(&self, prefix: &str, is_attr: bool) -> Result<Option<Cow<'a, str>>, MalformedKind> {
        match prefix {
            "" if is_attr => Ok(None),
            "" => Ok(self
                .lookup("")
                .filter(|d| !d.uri.is_empty())
                .map(|d| d.uri.clone())),
            "xml" => Ok(Some(Cow::Borrowed(XML_NS))),
            "xmlns" => Err(MalformedKind::IllegalNamespaceDeclaration),
            p => self
                .lookup(p)
                .map(|d| Some(d.uri.clone()))
                .ok_or(MalformedKind::UndeclaredPrefix),
        }
    }

    fn start_tag(
        &mut self,
        raw: &'a str,
        start: usize,
        end: usize,
        empty: bool,
    ) -> Result<(), DsigError> {
        let off = self.base + start;
        if self.root_closed {
            return Err(malformed(off, MalformedKind::MultipleRoots));
        }
        if self.open.len() >= self.limits.max_depth {
            return Err(DsigError::LimitExceeded(Limit::Depth(
                self.limits.max_depth,
            )));
        }
        let inner_end = raw.len().saturating_sub(if empty { 2 } else { 1 });
        let inner = raw
            .get(1..inner_end)
            .ok_or_else(|| malformed(off, MalformedKind::Syntax("tag".into())))?;
        let mut raw_attrs = std::mem::take(&mut self.raw_attrs);
        raw_attrs.clear();
        let qname =
            tokenize_tag(inner, &mut raw_attrs, self.limits.max_attributes).map_err(at(off))?;
        let (prefix, local) =
            split_qname(qname).ok_or_else(|| malformed(off, MalformedKind::InvalidName))?;

        // namespace declarations first: they scope over this element's own names
        self.scope_marks.push(self.scope.len());
        let decl_start = self.decls.len();
        for &(aname, value) in &raw_attrs {
            let p = if aname == "xmlns" {
                ""
            } else if let Some(p) = aname.strip_prefix("xmlns:") {
                p
            } else {
                continue;
            };
            if !p.is_empty() && !is_ncname(p) {
                return Err(malformed(off, MalformedKind::InvalidName));
            }
            let uri = normalize_attr_value(value).map_err(|k| malformed(off, k))?;
            check_ns_decl(p, &uri).map_err(|k| malformed(off, k))?;
            if self
                .decls
                .get(decl_start..)
                .unwrap_or(&[])
                .iter()
                .any(|d| d.prefix == p)
            {
                return Err(malformed(off, MalformedKind::DuplicateAttribute));
            }
            if self.scope.len() >= self.limits.max_namespaces {
                return Err(DsigError::LimitExceeded(Limit::Namespaces(
                    self.limits.max_namespaces,
                )));
            }
            self.scope.push((p, self.decls.len()));
            self.decls.push(NsDecl { prefix: p, uri });
        }
        let decl_end = self.decls.len();

        let ns = self.resolve(prefix, false).map_err(|k| malformed(off, k))?;
        let attr_start = self.attrs.len();
        for &(aname, value) in &raw_attrs {
            if aname == "xmlns" || aname.starts_with("xmlns:") {
                continue;
            }
            let (ap, al) =
                split_qname(aname).ok_or_else(|| malformed(off, MalformedKind::InvalidName))?;
            let ans = self.resolve(ap, true).map_err(|k| malformed(off, k))?;
            let value = normalize_attr_value(value).map_err(|k| malformed(off, k))?;
            let dup = self
                .attrs
                .get(attr_start..)
                .unwrap_or(&[])
                .iter()
                .any(|a| a.qname == aname || (a.local == al && a.ns == ans));
            if dup {
                return Err(malformed(off, MalformedKind::DuplicateAttribute));
            }
            self.attrs.push(Attr {
                qname: aname,
                prefix: ap,
                local: al,
                ns: ans,
                value,
            });
        }
        let attr_end = self.attrs.len();
        self.raw_attrs = raw_attrs;

        let parent = self.open.last().copied();
        let element = Element {
            qname,
            prefix,
            local,
            ns,
            decls: decl_start..decl_end,
            attrs: attr_start..attr_end,
            parent,
            end: 0,
            tag: start..end,
            self_closing: empty,
        };
        let idx = self.push(Node::Start(element))?;
        if self.root.is_none() {
            self.root = Some(idx);
        }
        self.open.push(idx);
        if empty {
            self.close(qname, end..end, off)?;
        }
        Ok(())
    }

    fn end_tag(&mut self, start: usize, end: usize) -> Result<(), DsigError> {
        let off = self.base + start;
        let qname = match self.open.last().and_then(|&i| self.nodes.get(i)) {
            Some(Node::Start(e)) => e.qname,
            _ => {
                return Err(malformed(
                    off,
                    MalformedKind::Syntax("unmatched end tag".into()),
                ));
            }
        };
        self.close(qname, start..end, off)
    }

    fn close(&mut self, qname: &'a str, tag: Range<usize>, off: usize) -> Result<(), DsigError> {
        let end_idx = self.push(Node::End { qname, tag })?;
        let Some(start_idx) = self.open.pop() else {
            return Err(malformed(
                off,
                MalformedKind::Syntax("unmatched end tag".into()),
            ));
        };
        if let Some(Node::Start(e)) = self.nodes.get_mut(start_idx) {
            e.end = end_idx;
        }
        let mark = self.scope_marks.pop().unwrap_or(0);
        self.scope.truncate(mark);
        if self.open.is_empty() {
            self.root_closed = true;
        }
        Ok(())
    }
}

fn pos(p: u64) -> usize {
    usize::try_from(p).unwrap_or(usize::MAX)
}

/// Checks for bytes that can never appear in an XML 1.0 document.
fn check_chars(s: &str) -> Result<(), usize> {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
            return Err(i);
        }
        // U+FFFE and U+FFFF are EF BF BE / EF BF BF
        if b == 0xEF
            && bytes.get(i + 1) == Some(&0xBF)
            && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
        {
            return Err(i);
        }
    }
    Ok(())
}

/// Strictly checks an XML declaration `<?xml version="1.0" [encoding="UTF-8"]
/// [standalone="yes|no"] ?>` (pseudo-attributes in this order, nothing else).
fn check_decl(raw: &str) -> Result<(), MalformedKind> {
    let syntax = || MalformedKind::Syntax("XML declaration".into());
    let inner = raw
        .strip_prefix("<?xml")
        .and_then(|r| r.strip_suffix("?>"))
        .ok_or_else(syntax)?;
    let mut pseudo = Vec::with_capacity(3);
    tokenize_tag(inner, &mut pseudo, 3).map_err(|_| syntax())?;
    let mut expected = ["version", "encoding", "standalone"].into_iter();
    let mut saw_version = false;
    for (name, value) in pseudo {
        if !expected.any(|e| e == name) {
            return Err(syntax());
        }
        match name {
            "version" if value == "1.0" => saw_version = true,
            "version" => return Err(MalformedKind::UnsupportedVersion),
            "encoding" if value.eq_ignore_ascii_case("UTF-8") => {}
            "encoding" => return Err(MalformedKind::UnsupportedEncoding),
            "standalone" if value == "yes" || value == "no" => {}
            _ => return Err(syntax()),
        }
    }
    if saw_version { Ok(()) } else { Err(syntax()) }
}

/// Namespaces in XML 1.0 constraints on one declaration.
fn check_ns_decl(prefix: &str, uri: &str) -> Result<(), MalformedKind> {
    let bad = match prefix {
        "xml" => uri != XML_NS,
        "xmlns" => true,
        "" => uri == XML_NS || uri == XMLNS_NS,
        _ => uri.is_empty() || uri == XML_NS || uri == XMLNS_NS,
    };
    if bad {
        Err(MalformedKind::IllegalNamespaceDeclaration)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(xml: &str) -> MalformedKind {
        match Document::parse(xml.as_bytes()) {
            Err(DsigError::MalformedXml { kind, .. }) => kind,
            other => panic!("expected malformed, got {other:?}"),
        }
    }

    #[test]
    fn accepts_simple_document() {
        let d = Document::parse(
            b"<?xml version=\"1.0\"?>\n<a:r xmlns:a=\"urn:a\" x='1'><b/>t&amp;</a:r>\n",
        )
        .unwrap();
        assert_eq!(d.element(d.root).unwrap().local, "r");
        assert_eq!(d.element(d.root).unwrap().ns.as_deref(), Some("urn:a"));
    }

    #[test]
    fn refuses_doctype() {
        assert!(matches!(
            Document::parse(b"<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>"),
            Err(DsigError::DtdRefused { offset: 0 })
        ));
    }

    #[test]
    fn well_formedness_errors() {
        assert_eq!(kind("<r>&e;</r>"), MalformedKind::UndefinedEntity);
        assert_eq!(kind("<r>&#0;</r>"), MalformedKind::InvalidCharRef);
        assert_eq!(kind("<r>&#xD800;</r>"), MalformedKind::InvalidCharRef);
        assert_eq!(kind("<r a='1'b='2'/>"), MalformedKind::AttributeSyntax);
        assert_eq!(kind("<r a='1' a='2'/>"), MalformedKind::DuplicateAttribute);
        assert_eq!(
            kind("<r xmlns:p='urn:x' xmlns:q='urn:x' p:a='1' q:a='2'/>"),
            MalformedKind::DuplicateAttribute
        );
        assert_eq!(kind("<r a='<'/>"), MalformedKind::LessThanInAttribute);
        assert_eq!(kind("<p:r/>"), MalformedKind::UndeclaredPrefix);
        assert_eq!(
            kind("<r xmlns:p=''/>"),
            MalformedKind::IllegalNamespaceDeclaration
        );
        assert_eq!(
            kind("<r xmlns:xml='urn:x'/>"),
            MalformedKind::IllegalNamespaceDeclaration
        );
        assert_eq!(kind("<r/><r/>"), MalformedKind::MultipleRoots);
        assert_eq!(kind("<r/>x"), MalformedKind::ContentOutsideRoot);
        assert_eq!(kind("<r>]]></r>"), MalformedKind::CdataEndInText);
        assert_eq!(kind("<r>\u{1}</r>"), MalformedKind::InvalidChar);
        assert_eq!(
            kind("<?xml version='1.1'?><r/>"),
            MalformedKind::UnsupportedVersion
        );
        assert_eq!(
            kind("<?xml version='1.0' encoding='UTF-16'?><r/>"),
            MalformedKind::UnsupportedEncoding
        );
        assert_eq!(
            kind(" <?xml version='1.0'?><r/>"),
            MalformedKind::MisplacedDeclaration
        );
        assert_eq!(kind("<1r/>"), MalformedKind::InvalidName);
        assert!(matches!(
            kind("<?xml version='1.0' encodxng='UTF-8'?><r/>"),
            MalformedKind::Syntax(_)
        ));
        assert!(matches!(
            kind("<?xml encoding='UTF-8' version='1.0'?><r/>"),
            MalformedKind::Syntax(_)
        ));
        assert!(matches!(
            kind("<?xml encoding='UTF-8'?><r/>"),
            MalformedKind::Syntax(_)
        ));
        assert!(matches!(
            kind("<?xml version='1.0' standalone='maybe'?><r/>"),
            MalformedKind::Syntax(_)
        ));
        assert!(matches!(
            kind("<?xml version='1.0'standalone='no'?><r/>"),
            MalformedKind::Syntax(_)
        ));
        assert!(
            Document::parse(b"<?xml version='1.0' encoding='utf-8' standalone='yes' ?><r/>")
                .is_ok()
        );
        assert_eq!(kind("<a:b:c xmlns:a='urn:a'/>"), MalformedKind::InvalidName);
        assert_eq!(kind(""), MalformedKind::NoRoot);
        assert!(matches!(
            kind("<r>"),
            MalformedKind::Unclosed | MalformedKind::Syntax(_)
        ));
        assert!(matches!(kind("<r></s>"), MalformedKind::Syntax(_)));
        assert!(matches!(
            Document::parse(&[b'<', b'r', b'>', 0xFF, b'<', b'/', b'r', b'>']),
            Err(DsigError::MalformedXml {
                kind: MalformedKind::InvalidUtf8,
                offset: 3
            })
        ));
    }

    #[test]
    fn limits_are_enforced() {
        let deep = "<a>".repeat(5) + &"</a>".repeat(5);
        let limits = Limits {
            max_depth: 4,
            ..Limits::default()
        };
        assert_eq!(
            Document::parse_with_limits(deep.as_bytes(), &limits).unwrap_err(),
            DsigError::LimitExceeded(Limit::Depth(4))
        );
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert_eq!(
            Document::parse_with_limits(deep.as_bytes(), &limits).unwrap_err(),
            DsigError::LimitExceeded(Limit::Size(10))
        );
        let limits = Limits {
            max_attributes: 2,
            ..Limits::default()
        };
        assert_eq!(
            Document::parse_with_limits(b"<a x='1' y='2' z='3'/>", &limits).unwrap_err(),
            DsigError::LimitExceeded(Limit::Attributes(2))
        );
        let limits = Limits {
            max_nodes: 3,
            ..Limits::default()
        };
        assert_eq!(
            Document::parse_with_limits(b"<a><b/></a>", &limits).unwrap_err(),
            DsigError::LimitExceeded(Limit::Nodes(3))
        );
    }

    #[test]
    fn attribute_value_normalization() {
        let d = Document::parse(b"<r a='x\r\ny\tz&#10;&#13;&#9;&lt;'/>").unwrap();
        assert_eq!(d.attrs[0].value, "x y z\n\r\t<");
    }

    #[test]
    fn element_span_and_signature_lookup() {
        let xml = "<r xmlns:ds='http://www.w3.org/2000/09/xmldsig#'><a/> <ds:Signature>x</ds:Signature>\n</r>";
        let d = Document::parse(xml.as_bytes()).unwrap();
        let sig = d.enveloped_signature().unwrap();
        assert_eq!(
            &xml[d.element_span(sig).unwrap()],
            "<ds:Signature>x</ds:Signature>"
        );
        let d = Document::parse(b"<r><a/></r>").unwrap();
        assert_eq!(d.enveloped_signature(), None);
    }
}
