//! A proptest generator of well-formed, namespace-rich XML documents with
//! varied escapes, quoting, whitespace, CDATA, comments and PIs.
#![allow(dead_code)]

use std::collections::BTreeMap;

use proptest::prelude::*;

const PREFIXES: [&str; 4] = ["a", "b", "ns3", "ds"];
const URIS: [&str; 5] = [
    "urn:x",
    "urn:y",
    "http://www.w3.org/2000/09/xmldsig#",
    // no `&`, `<`, `"` or whitespace: libxml2 (the oracle) writes namespace
    // URIs unescaped, against C14N 1.0 section 2.3 (which we follow)
    "http://example.com/a?b=c;d=e%22#f",
    "http://example.com/%C3%A9t%C3%A9",
];
const LOCALS: [&str; 6] = ["r", "Item", "x", "y_z", "\u{e9}l", "a-b.c"];
const CHARS: [char; 16] = [
    'a',
    'Z',
    '0',
    ' ',
    '\t',
    '\n',
    '\r',
    '&',
    '<',
    '>',
    '"',
    '\'',
    '\u{e9}',
    '\u{20ac}',
    '\u{1F600}',
    ']',
];

/// A character and how to write it (literal or one of the reference forms).
pub type Piece = (char, u8);

#[derive(Debug, Clone)]
pub struct Elem {
    prefix: Option<usize>,
    local: usize,
    /// (prefix or None for default, uri index or None for "")
    decls: Vec<(Option<usize>, Option<usize>)>,
    attrs: Vec<(Option<usize>, usize, Vec<Piece>)>,
    children: Vec<Item>,
    self_close: bool,
    single_quotes: bool,
    tag_ws: u8,
}

#[derive(Debug, Clone)]
pub enum Item {
    Elem(Elem),
    Text(Vec<Piece>),
    CData(String),
    Comment(String),
    Pi(usize, String),
}

#[derive(Debug, Clone)]
pub struct Doc {
    decl: u8,
    prolog: Vec<Item>,
    root: Elem,
    epilog: Vec<Item>,
}

fn pieces(max: usize) -> impl Strategy<Value = Vec<Piece>> {
    prop::collection::vec((prop::sample::select(CHARS.to_vec()), 0u8..4), 0..max)
}

fn misc() -> impl Strategy<Value = Item> {
    prop_oneof![
        "[a-z ]{0,8}".prop_map(Item::Comment),
        (0usize..3, "[a-z =]{0,8}").prop_map(|(t, d)| Item::Pi(t, d)),
    ]
}

fn leaf() -> impl Strategy<Value = Item> {
    prop_oneof![
        4 => pieces(12).prop_map(Item::Text),
        1 => "[a-z<&>\r\n ]{0,8}".prop_map(Item::CData),
        1 => misc(),
    ]
}

fn elem(children: impl Strategy<Value = Vec<Item>>) -> impl Strategy<Value = Elem> {
    (
        prop::option::of(0..PREFIXES.len()),
        0..LOCALS.len(),
        prop::collection::vec(
            (
                prop::option::of(0..PREFIXES.len()),
                prop::option::of(0..URIS.len()),
            ),
            0..3,
        ),
        prop::collection::vec(
            (
                prop::option::of(0..PREFIXES.len()),
                0..LOCALS.len(),
                pieces(6),
            ),
            0..4,
        ),
        children,
        any::<bool>(),
        any::<bool>(),
        0u8..4,
    )
        .prop_map(
            |(prefix, local, decls, attrs, children, self_close, single_quotes, tag_ws)| Elem {
                prefix,
                local,
                decls,
                attrs,
                children,
                self_close,
                single_quotes,
                tag_ws,
            },
        )
}

pub fn doc() -> impl Strategy<Value = Doc> {
    let item = leaf().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            1 => leaf(),
            2 => elem(prop::collection::vec(inner, 0..5)).prop_map(Item::Elem),
        ]
    });
    (
        0u8..3,
        prop::collection::vec(misc(), 0..2),
        elem(prop::collection::vec(item, 0..6)),
        prop::collection::vec(misc(), 0..2),
    )
        .prop_map(|(decl, prolog, root, epilog)| Doc {
            decl,
            prolog,
            root,
            epilog,
        })
}

fn write_char_text(c: char, style: u8, out: &mut String) {
    match (c, style % 3) {
        ('&', 0) => out.push_str("&amp;"),
        ('&', _) => out.push_str("&#38;"),
        ('<', 0) => out.push_str("&lt;"),
        ('<', _) => out.push_str("&#x3C;"),
        ('>', 0) => out.push_str("&gt;"),
        ('>', _) => out.push_str("&#62;"),
        ('\r', 1) => out.push_str("&#13;"),
        ('\r', 2) => out.push_str("&#xD;"),
        (c, 1) if c != '\r' => out.push_str(&format!("&#{};", c as u32)),
        (c, 2) if c.is_ascii_alphabetic() => out.push_str(&format!("&#x{:X};", c as u32)),
        (c, _) => out.push(c),
    }
}

fn write_char_attr(c: char, style: u8, single: bool, out: &mut String) {
    match (c, style % 3) {
        ('&', _) => out.push_str("&amp;"),
        ('<', _) => out.push_str("&lt;"),
        ('"', _) if !single => out.push_str("&quot;"),
        ('\'', _) if single => out.push_str("&apos;"),
        ('\t' | '\n' | '\r', 1) => out.push_str(&format!("&#{};", c as u32)),
        (c, 2) if !matches!(c, '"' | '\'') => out.push_str(&format!("&#x{:x};", c as u32)),
        (c, _) => out.push(c),
    }
}

fn ws(kind: u8) -> &'static str {
    match kind {
        0 => " ",
        1 => "\n  ",
        2 => "\t",
        _ => " \r\n ",
    }
}

struct Writer {
    out: String,
    comments: bool,
    /// Written as the root's last child (consumed on use).
    tail: String,
}

impl Writer {
    fn item(&mut self, item: &Item, scope: &BTreeMap<String, String>) {
        match item {
            Item::Elem(e) => self.elem(e, scope),
            Item::Text(p) => {
                for &(c, s) in p {
                    write_char_text(c, s, &mut self.out);
                }
            }
            Item::CData(s) => {
                self.out.push_str("<![CDATA[");
                self.out.push_str(s);
                self.out.push_str("]]>");
            }
            Item::Comment(s) => {
                if self.comments {
                    self.out.push_str("<!--");
                    self.out.push_str(s);
                    self.out.push_str("-->");
                }
            }
            Item::Pi(t, d) => {
                self.out.push_str("<?");
                self.out.push_str(["pi", "xml-stylesheet", "p-1"][*t]);
                if !d.is_empty() {
                    self.out.push(' ');
                    self.out.push_str(d);
                }
                self.out.push_str("?>");
            }
        }
    }

    fn elem(&mut self, e: &Elem, parent_scope: &BTreeMap<String, String>) {
        let q = if e.single_quotes { '\'' } else { '"' };
        let mut scope = parent_scope.clone();
        // declarations written on this element: prefix ("" = default) -> uri
        let mut decls: Vec<(String, String)> = Vec::new();
        let declare = |p: &str,
                       uri: &str,
                       decls: &mut Vec<(String, String)>,
                       scope: &mut BTreeMap<String, String>| {
            if decls.iter().any(|(dp, _)| dp == p) {
                return;
            }
            decls.push((p.to_owned(), uri.to_owned()));
            scope.insert(p.to_owned(), uri.to_owned());
        };
        for &(p, u) in &e.decls {
            match (p, u) {
                (Some(p), Some(u)) => declare(PREFIXES[p], URIS[u], &mut decls, &mut scope),
                (Some(_), None) => {}
                (None, u) => declare("", u.map_or("", |u| URIS[u]), &mut decls, &mut scope),
            }
        }
        let need =
            |p: usize, decls: &mut Vec<(String, String)>, scope: &mut BTreeMap<String, String>| {
                let p = PREFIXES[p];
                if !scope.contains_key(p) {
                    declare(p, URIS[p.len() % URIS.len()], decls, scope);
                }
            };
        if let Some(p) = e.prefix {
            need(p, &mut decls, &mut scope);
        }
        for (p, _, _) in &e.attrs {
            if let Some(p) = p {
                need(*p, &mut decls, &mut scope);
            }
        }
        let qname = match e.prefix {
            Some(p) => format!("{}:{}", PREFIXES[p], LOCALS[e.local]),
            None => LOCALS[e.local].to_owned(),
        };
        self.out.push('<');
        self.out.push_str(&qname);
        for (p, u) in &decls {
            self.out.push_str(ws(e.tag_ws));
            if p.is_empty() {
                self.out.push_str("xmlns=");
            } else {
                self.out.push_str("xmlns:");
                self.out.push_str(p);
                self.out.push('=');
            }
            self.out.push(q);
            for c in u.chars() {
                write_char_attr(c, 0, e.single_quotes, &mut self.out);
            }
            self.out.push(q);
        }
        let mut seen: Vec<(String, String)> = Vec::new();
        for (p, l, val) in &e.attrs {
            let (aq, ns) = match p {
                Some(p) => (
                    format!("{}:{}", PREFIXES[*p], LOCALS[*l]),
                    scope.get(PREFIXES[*p]).cloned().unwrap_or_default(),
                ),
                None => (LOCALS[*l].to_owned(), String::new()),
            };
            let key = (ns, LOCALS[*l].to_owned());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            self.out.push_str(ws(e.tag_ws));
            self.out.push_str(&aq);
            self.out.push('=');
            self.out.push(q);
            for &(c, s) in val {
                write_char_attr(c, s, e.single_quotes, &mut self.out);
            }
            self.out.push(q);
        }
        let is_root = parent_scope.is_empty() && !self.tail.is_empty();
        if e.self_close && e.children.is_empty() && !is_root {
            self.out.push_str("/>");
            return;
        }
        self.out.push('>');
        let tail = if is_root {
            std::mem::take(&mut self.tail)
        } else {
            String::new()
        };
        for c in &e.children {
            self.item(c, &scope);
        }
        self.out.push_str(&tail);
        self.out.push_str("</");
        self.out.push_str(&qname);
        self.out.push('>');
    }
}

impl Doc {
    /// Serializes; `comments == false` leaves comments out.
    pub fn to_xml(&self, comments: bool) -> String {
        self.to_xml_with_last_child(comments, "")
    }

    /// Serializes with `tail` (raw XML) appended as the root's last child.
    pub fn to_xml_with_last_child(&self, comments: bool, tail: &str) -> String {
        let mut w = Writer {
            out: String::new(),
            comments,
            tail: tail.to_owned(),
        };
        match self.decl {
            1 => w
                .out
                .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            2 => w.out.push_str("<?xml version='1.0' standalone='yes'?>\r\n"),
            _ => {}
        }
        let scope = BTreeMap::new();
        for m in &self.prolog {
            w.item(m, &scope);
            w.out.push('\n');
        }
        w.elem(&self.root, &scope);
        for m in &self.epilog {
            w.out.push_str("\n ");
            w.item(m, &scope);
        }
        w.out
    }
}
