//! A minimal, lossless XML tree for building test mutations.

use quick_xml::Reader;
use quick_xml::events::Event;

#[derive(Clone, Debug)]
pub enum Node {
    Elem(Elem),
    /// Character data exactly as written (escaped), including references.
    Text(String),
    /// Comments, PIs, CDATA sections: verbatim markup.
    Raw(String),
}

#[derive(Clone, Debug)]
pub struct Elem {
    /// Start-tag content: name and attributes, as written.
    pub tag: String,
    pub children: Vec<Node>,
}

impl Elem {
    pub fn name(&self) -> &str {
        self.tag
            .split(|c: char| c.is_ascii_whitespace())
            .next()
            .unwrap_or("")
    }

    pub fn element_children(&self) -> usize {
        self.children
            .iter()
            .filter(|c| matches!(c, Node::Elem(_)))
            .count()
    }

    /// A leaf: no element children.
    pub fn is_leaf(&self) -> bool {
        self.element_children() == 0
    }

    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    fn write(&self, out: &mut String) {
        if self.children.is_empty() {
            out.push('<');
            out.push_str(&self.tag);
            out.push_str("/>");
            return;
        }
        out.push('<');
        out.push_str(&self.tag);
        out.push('>');
        for c in &self.children {
            match c {
                Node::Elem(e) => e.write(out),
                Node::Text(t) | Node::Raw(t) => out.push_str(t),
            }
        }
        out.push_str("</");
        out.push_str(self.name());
        out.push('>');
    }
}

#[derive(Clone, Debug)]
pub struct Doc {
    pub prolog: String,
    pub root: Elem,
    pub epilog: String,
}

impl Doc {
    pub fn parse(text: &str) -> Doc {
        let mut reader = Reader::from_str(text);
        reader.config_mut().trim_text(false);
        let mut stack: Vec<Elem> = Vec::new();
        let mut prolog = String::new();
        let mut epilog = String::new();
        let mut root = None;
        loop {
            let ev = reader.read_event().expect("test input is well-formed");
            let raw = match &ev {
                Event::Start(e) => {
                    stack.push(Elem {
                        tag: e.to_string(),
                        children: Vec::new(),
                    });
                    continue;
                }
                Event::Empty(e) => {
                    let el = Elem {
                        tag: e.to_string(),
                        children: Vec::new(),
                    };
                    match stack.last_mut() {
                        Some(p) => p.children.push(Node::Elem(el)),
                        None => root = Some(el),
                    }
                    continue;
                }
                Event::End(_) => {
                    let el = stack.pop().expect("balanced");
                    match stack.last_mut() {
                        Some(p) => p.children.push(Node::Elem(el)),
                        None => root = Some(el),
                    }
                    continue;
                }
                Event::Text(t) => {
                    let s = t.to_string();
                    if let Some(p) = stack.last_mut() {
                        p.children.push(Node::Text(s));
                        continue;
                    }
                    s
                }
                Event::GeneralRef(r) => {
                    let s = format!("&{};", &**r);
                    if let Some(p) = stack.last_mut() {
                        p.children.push(Node::Text(s));
                        continue;
                    }
                    s
                }
                Event::CData(c) => format!("<![CDATA[{}]]>", &**c),
                Event::Comment(c) => format!("<!--{}-->", &**c),
                Event::PI(p) => format!("<?{}?>", &**p),
                Event::Decl(d) => format!("<?{}?>", &**d),
                Event::DocType(d) => format!("<!DOCTYPE {}>", &**d),
                Event::Eof => break,
            };
            match stack.last_mut() {
                Some(p) => p.children.push(Node::Raw(raw)),
                None if root.is_none() => prolog.push_str(&raw),
                None => epilog.push_str(&raw),
            }
        }
        Doc {
            prolog,
            root: root.expect("document element"),
            epilog,
        }
    }

    pub fn to_xml(&self) -> String {
        let mut out = self.prolog.clone();
        self.root.write(&mut out);
        out.push_str(&self.epilog);
        out
    }

    /// Paths (child indices from the root) of all elements, root first.
    pub fn paths(&self) -> Vec<Vec<usize>> {
        fn walk(e: &Elem, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            out.push(path.clone());
            for (i, c) in e.children.iter().enumerate() {
                if let Node::Elem(ch) = c {
                    path.push(i);
                    walk(ch, path, out);
                    path.pop();
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut Vec::new(), &mut out);
        out
    }

    pub fn get(&self, path: &[usize]) -> &Elem {
        let mut e = &self.root;
        for &i in path {
            match &e.children[i] {
                Node::Elem(c) => e = c,
                _ => panic!("bad path"),
            }
        }
        e
    }

    pub fn get_mut(&mut self, path: &[usize]) -> &mut Elem {
        let mut e = &mut self.root;
        for &i in path {
            match &mut e.children[i] {
                Node::Elem(c) => e = c,
                _ => panic!("bad path"),
            }
        }
        e
    }
}
