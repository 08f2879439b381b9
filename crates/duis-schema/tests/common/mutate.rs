//! Systematic mutations of valid DUIS documents.

use super::xmltree::{Doc, Elem, Node};

/// SplitMix64: small, deterministic, good enough to pick mutations.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> Option<&'a T> {
        if v.is_empty() {
            None
        } else {
            v.get(self.below(v.len()))
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    DeleteElement,
    DuplicateElement,
    SwapSiblings,
    TextInElementOnly,
    ReplaceValue,
    WhitespaceAroundValue,
    EmptyElement,
    UnknownElement,
    RenameElement,
    RemoveAttribute,
    UnknownAttribute,
    BadAttributeValue,
    CommentAndPi,
    ByteEdit,
}

pub const KINDS: [Kind; 14] = [
    Kind::DeleteElement,
    Kind::DuplicateElement,
    Kind::SwapSiblings,
    Kind::TextInElementOnly,
    Kind::ReplaceValue,
    Kind::WhitespaceAroundValue,
    Kind::EmptyElement,
    Kind::UnknownElement,
    Kind::RenameElement,
    Kind::RemoveAttribute,
    Kind::UnknownAttribute,
    Kind::BadAttributeValue,
    Kind::CommentAndPi,
    Kind::ByteEdit,
];

pub struct Mutant {
    pub kind: Kind,
    pub what: String,
    pub xml: String,
}

/// Replacement values aimed at facets: ranges, lengths, enumerations,
/// patterns and built-in lexical spaces.
pub fn value_variants(v: &str) -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        "x",
        "-1",
        "0",
        "1",
        "2",
        "7",
        "127",
        "128",
        "255",
        "256",
        "65535",
        "65536",
        "2147483648",
        "4294967295",
        "4294967296",
        "18446744073709551615",
        "18446744073709551616",
        "-129",
        "1.5",
        "0.0",
        "+1",
        "01",
        "1e3",
        "true",
        "TRUE",
        "false",
        "2020-02-30",
        "2021-01-01",
        "2021-01-01T00:00:00",
        "2021-01-01T00:00:00Z",
        "2021-01-01T25:00:00Z",
        "2021-13-01T00:00:00Z",
        "12:00:00",
        "24:00:00",
        "GG",
        "0g",
        "00",
        "0A",
        "QQ==",
        "QQ=",
        "QR==",
        "Q!UJ",
        "ABCD",
        "AB CD",
        "1.1",
        "11.2",
        "8.14.1",
        "I0",
        "E3",
        "E999",
        "00-07-81-D7-00-00-36-CE",
        "00-07-81-D7-00-00-36-C",
        "00-07-81-D7-00-00-36-CE-00",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if !v.is_empty() {
        out.push(format!("{v}0"));
        out.push(format!("{v}X"));
        out.push(format!("0{v}"));
        out.push(format!("-{v}"));
        out.push(v.to_lowercase());
        out.push(v.to_uppercase());
        let mut chars: Vec<char> = v.chars().collect();
        chars.pop();
        out.push(chars.iter().collect());
        out.push(v.repeat(3));
        if let Some(pos) = v.find(|c: char| c.is_ascii_digit()) {
            let mut s = v.to_string();
            s.replace_range(pos..pos + 1, "9");
            out.push(s);
        }
        if let Some(pos) = v.find(|c: char| c.is_ascii_hexdigit() && !c.is_ascii_digit()) {
            let mut s = v.to_string();
            s.replace_range(pos..pos + 1, "G");
            out.push(s);
        }
    }
    out.push("A".repeat(300));
    out.push("9".repeat(30));
    out
}

fn leaf_paths(doc: &Doc) -> Vec<Vec<usize>> {
    doc.paths()
        .into_iter()
        .filter(|p| !p.is_empty() && doc.get(p).is_leaf() && !doc.get(p).text().is_empty())
        .collect()
}

fn parent_paths(doc: &Doc) -> Vec<Vec<usize>> {
    doc.paths()
        .into_iter()
        .filter(|p| doc.get(p).element_children() > 0)
        .collect()
}

fn attr_spans(tag: &str) -> Vec<(usize, usize, usize)> {
    // (start of " name", start of value, end of value)
    let mut out = Vec::new();
    let bytes = tag.as_bytes();
    let mut i = 0;
    while let Some(eq) = tag[i..].find("=\"").map(|x| x + i) {
        let mut start = eq;
        while start > 0 && !bytes[start - 1].is_ascii_whitespace() {
            start -= 1;
        }
        let vstart = eq + 2;
        let Some(vend) = tag[vstart..].find('"').map(|x| x + vstart) else {
            break;
        };
        if start > 0 {
            out.push((start - 1, vstart, vend));
        }
        i = vend + 1;
    }
    out
}

fn prefix_of(name: &str) -> &str {
    name.split_once(':').map_or("", |(p, _)| p)
}

/// One mutation of `doc` of the given kind, if applicable.
pub fn mutate(doc: &Doc, kind: Kind, rng: &mut Rng) -> Option<Mutant> {
    let mut d = doc.clone();
    let what;
    match kind {
        Kind::DeleteElement => {
            let paths: Vec<_> = d.paths().into_iter().filter(|p| !p.is_empty()).collect();
            let p = rng.pick(&paths)?.clone();
            what = format!("delete {}", d.get(&p).name());
            let (last, parent) = p.split_last()?;
            d.get_mut(parent).children.remove(*last);
        }
        Kind::DuplicateElement => {
            let paths: Vec<_> = d.paths().into_iter().filter(|p| !p.is_empty()).collect();
            let p = rng.pick(&paths)?.clone();
            what = format!("duplicate {}", d.get(&p).name());
            let (last, parent) = p.split_last()?;
            let copy = d.get(&p).clone();
            d.get_mut(parent)
                .children
                .insert(*last + 1, Node::Elem(copy));
        }
        Kind::SwapSiblings => {
            let parents: Vec<_> = parent_paths(&d)
                .into_iter()
                .filter(|p| d.get(p).element_children() >= 2)
                .collect();
            let p = rng.pick(&parents)?.clone();
            let el = d.get_mut(&p);
            let idx: Vec<usize> = el
                .children
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c, Node::Elem(_)))
                .map(|(i, _)| i)
                .collect();
            let k = rng.below(idx.len() - 1);
            what = format!("swap children {k},{} of {}", k + 1, el.name());
            el.children.swap(idx[k], idx[k + 1]);
        }
        Kind::TextInElementOnly => {
            let parents = parent_paths(&d);
            let p = rng.pick(&parents)?.clone();
            let el = d.get_mut(&p);
            let texts = ["x", "&#65;", "<![CDATA[ ]]>", "&#32;\n", "\u{a0}"];
            let t = texts[rng.below(texts.len())];
            let at = rng.below(el.children.len() + 1);
            what = format!("text {t:?} in {}", el.name());
            el.children.insert(at, Node::Text(t.to_string()));
        }
        Kind::ReplaceValue => {
            let leaves = leaf_paths(&d);
            let p = rng.pick(&leaves)?.clone();
            let el = d.get_mut(&p);
            let variants = value_variants(&el.text());
            let v = rng.pick(&variants)?.clone();
            what = format!("value of {} = {:?}", el.name(), v);
            el.children = vec![Node::Text(v)];
        }
        Kind::WhitespaceAroundValue => {
            let leaves = leaf_paths(&d);
            let p = rng.pick(&leaves)?.clone();
            let el = d.get_mut(&p);
            let t = el.text();
            let forms = [
                format!(" {t}"),
                format!("{t} "),
                format!("\n  {t}\n"),
                format!("\t{t}"),
            ];
            let v = forms[rng.below(forms.len())].clone();
            what = format!("whitespace around value of {}", el.name());
            el.children = vec![Node::Text(v)];
        }
        Kind::EmptyElement => {
            let paths: Vec<_> = d.paths().into_iter().filter(|p| !p.is_empty()).collect();
            let p = rng.pick(&paths)?.clone();
            let el = d.get_mut(&p);
            what = format!("empty {}", el.name());
            el.children.clear();
        }
        Kind::UnknownElement => {
            let paths = d.paths();
            let p = rng.pick(&paths)?.clone();
            let el = d.get_mut(&p);
            let prefix = prefix_of(el.name()).to_string();
            let candidates = [
                format!("{prefix}:Unknown"),
                format!("{prefix}:Unknown>1</{prefix}:Unknown"),
                "foo".to_string(),
                "ds:KeyName".to_string(),
                "x:y xmlns:x=\"urn:other\"".to_string(),
            ];
            let c = rng.pick(&candidates)?.clone();
            let at = rng.below(el.children.len() + 1);
            what = format!("insert <{c}> into {}", el.name());
            let tag = c.split('>').next().unwrap_or("").to_string();
            let child = if c.contains('>') {
                Elem {
                    tag,
                    children: vec![Node::Text("1".into())],
                }
            } else {
                Elem {
                    tag,
                    children: vec![],
                }
            };
            el.children.insert(at, Node::Elem(child));
        }
        Kind::RenameElement => {
            let paths = d.paths();
            let p = rng.pick(&paths)?.clone();
            let el = d.get_mut(&p);
            let name = el.name().to_string();
            let rest = el.tag[name.len()..].to_string();
            let new = match rng.below(4) {
                0 => format!("{name}x"),
                1 => name
                    .split_once(':')
                    .map_or(name.clone(), |(_, l)| l.to_string()),
                2 => name.to_lowercase(),
                _ => match name.split_once(':') {
                    Some(("sr", l)) => format!("ds:{l}"),
                    Some((_, l)) => format!("sr:{l}"),
                    None => format!("sr:{name}"),
                },
            };
            if new == name {
                return None;
            }
            what = format!("rename {name} to {new}");
            el.tag = format!("{new}{rest}");
        }
        Kind::RemoveAttribute => {
            let paths: Vec<_> = d
                .paths()
                .into_iter()
                .filter(|p| {
                    attr_spans(&d.get(p).tag)
                        .iter()
                        .any(|s| !d.get(p).tag[s.0..].trim_start().starts_with("xmlns"))
                })
                .collect();
            let p = rng.pick(&paths)?.clone();
            let el = d.get_mut(&p);
            let spans: Vec<_> = attr_spans(&el.tag)
                .into_iter()
                .filter(|s| !el.tag[s.0..].trim_start().starts_with("xmlns"))
                .collect();
            let (s, _, e) = *rng.pick(&spans)?;
            what = format!("remove attribute {:?} of {}", &el.tag[s..=e], el.name());
            el.tag.replace_range(s..=e, "");
        }
        Kind::UnknownAttribute => {
            let paths = d.paths();
            let p = rng.pick(&paths)?.clone();
            let el = d.get_mut(&p);
            let attrs = [
                " foo=\"1\"",
                " sr:foo=\"1\"",
                " xml:lang=\"en\"",
                " xsi:type=\"sr:Request\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
                " xsi:nil=\"true\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
                " xsi:schemaLocation=\"a b\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
                " index=\"1\"",
                " schemaVersion=\"5.4\"",
            ];
            let a = attrs[rng.below(attrs.len())];
            if el.tag.contains(a.split('=').next().unwrap_or("")) {
                return None;
            }
            what = format!("add attribute{a} to {}", el.name());
            el.tag.push_str(a);
        }
        Kind::BadAttributeValue => {
            let paths: Vec<_> = d
                .paths()
                .into_iter()
                .filter(|p| !attr_spans(&d.get(p).tag).is_empty())
                .collect();
            let p = rng.pick(&paths)?.clone();
            let el = d.get_mut(&p);
            let spans: Vec<_> = attr_spans(&el.tag)
                .into_iter()
                .filter(|s| !el.tag[s.0..].trim_start().starts_with("xmlns"))
                .collect();
            let (_, vs, ve) = *rng.pick(&spans)?;
            let old = el.tag[vs..ve].to_string();
            let variants = [
                "",
                "0",
                "9",
                "-1",
                "x",
                "5.4.1",
                "1e1",
                " 5.4 ",
                "&#9;5.4",
                "5.",
                ".4",
                "+5.4",
                "00005.4000",
                "21",
                "49",
                "1.0",
            ];
            let v = variants[rng.below(variants.len())];
            if v == old {
                return None;
            }
            what = format!("attribute value {old:?} -> {v:?} on {}", el.name());
            el.tag.replace_range(vs..ve, v);
        }
        Kind::CommentAndPi => {
            let paths = d.paths();
            let p = rng.pick(&paths)?.clone();
            let el = d.get_mut(&p);
            let items = ["<!-- c -->", "<?pi data?>", "<!---->"];
            let it = items[rng.below(items.len())];
            let at = rng.below(el.children.len() + 1);
            what = format!("insert {it} into {}", el.name());
            el.children.insert(at, Node::Raw(it.into()));
        }
        Kind::ByteEdit => {
            let mut xml = d.to_xml().into_bytes();
            let pos = rng.below(xml.len());
            let chars = b"<>&\"'=/!?-[] x:;#\t\x01";
            match rng.below(3) {
                0 => {
                    let c = chars[rng.below(chars.len())];
                    xml.insert(pos, c);
                    what = format!("insert byte {c:#04x} at {pos}");
                }
                1 => {
                    xml.remove(pos);
                    what = format!("delete byte at {pos}");
                }
                _ => {
                    let c = chars[rng.below(chars.len())];
                    what = format!("replace byte at {pos} with {c:#04x}");
                    xml[pos] = c;
                }
            }
            let xml = String::from_utf8(xml).ok()?;
            return Some(Mutant { kind, what, xml });
        }
    }
    Some(Mutant {
        kind,
        what,
        xml: d.to_xml(),
    })
}
