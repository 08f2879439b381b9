//! A small writer for the MMC document: every element in the `ra:` namespace, text and
//! attribute values escaped, two-space indentation.

use std::fmt::Write as _;

/// The MMC (ResponseAndAlert) namespace.
pub const NAMESPACE: &str = "http://www.dccinterface.co.uk/ResponseAndAlert";

/// Escapes text or an attribute value, dropping the characters XML 1.0 cannot carry.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An XML fragment being written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    /// An empty fragment at depth 0.
    pub fn new() -> Self {
        Self::default()
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let _ = write!(self.out, "<ra:{name}");
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
    }

    /// Opens `<ra:name attrs…>`.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// Closes `</ra:name>`.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</ra:{name}>");
    }

    /// `<ra:name attrs…>text</ra:name>`.
    pub fn leaf_attrs(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.indent();
        self.tag(name, attrs);
        let _ = writeln!(self.out, ">{}</ra:{name}>", escape(text));
    }

    /// `<ra:name>text</ra:name>`.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_attrs(name, &[], text);
    }

    /// `<ra:name attrs…/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// Appends a fragment written at depth 0, indented to the current depth.
    pub fn append(&mut self, fragment: &Xml) {
        for line in fragment.out.lines() {
            self.indent();
            self.out.push_str(line);
            self.out.push('\n');
        }
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The text written.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The text written.
    pub fn into_string(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_nests() {
        let mut x = Xml::new();
        x.open("A", &[("k", "a\"<")]);
        x.leaf("B", "x & y\u{1}");
        x.empty("C", &[]);
        x.close("A");
        assert_eq!(
            x.as_str(),
            "<ra:A k=\"a&quot;&lt;\">\n  <ra:B>x &amp; y</ra:B>\n  <ra:C/>\n</ra:A>\n"
        );
        let mut outer = Xml::new();
        outer.open("O", &[]);
        outer.append(&x);
        outer.close("O");
        assert!(outer.as_str().contains("\n  <ra:A"));
    }
}
