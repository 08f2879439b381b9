//! A minimal XML writer for DUIS responses: everything in the `sr` namespace, no indentation
//! (the output is signed, so it is kept compact and byte-stable).

use crate::types::InvalidValue;
use crate::xml::{NS_SR, all_xml_chars};

/// Appends `s` as character data: `&`, `<`, `>` escaped, and `\r` written as `&#13;` so that it
/// survives parsing (and canonicalisation) unchanged. Callers check [`checked`] first for
/// untrusted text.
pub(crate) fn escape_text_into(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<', '>', '\r']) {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let mut chars = tail.chars();
        match chars.next() {
            Some('&') => out.push_str("&amp;"),
            Some('<') => out.push_str("&lt;"),
            Some('>') => out.push_str("&gt;"),
            Some('\r') => out.push_str("&#13;"),
            Some(c) => out.push(c),
            None => {}
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
}

/// `s` if every character is allowed in XML 1.0.
pub(crate) fn checked<'a>(s: &'a str, kind: &'static str) -> Result<&'a str, InvalidValue> {
    if all_xml_chars(s) {
        Ok(s)
    } else {
        Err(InvalidValue::new(kind, s))
    }
}

/// Builds one `sr:` document.
pub(crate) struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// Starts a document whose root is `sr:{root}` with the given extra attributes (values
    /// must be attribute-safe: they are written verbatim inside double quotes).
    pub(crate) fn new(root: &str, attrs: &[(&str, &str)]) -> Self {
        let mut out = String::with_capacity(1024);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        out.push_str("<sr:");
        out.push_str(root);
        out.push_str(" xmlns:sr=\"");
        out.push_str(NS_SR);
        out.push('"');
        for (k, v) in attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(v);
            out.push('"');
        }
        out.push('>');
        Self { out }
    }

    /// `<sr:{name}>`
    pub(crate) fn open(&mut self, name: &str) {
        self.out.push_str("<sr:");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `</sr:{name}>`
    pub(crate) fn close(&mut self, name: &str) {
        self.out.push_str("</sr:");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<sr:{name}>{escaped text}</sr:{name}>`
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.open(name);
        escape_text_into(&mut self.out, text);
        self.close(name);
    }

    /// [`Self::leaf`] when `text` is `Some`.
    pub(crate) fn leaf_opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.leaf(name, t);
        }
    }

    /// Closes the root and returns the document.
    pub(crate) fn finish(mut self, root: &str) -> String {
        self.close(root);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut s = String::new();
        escape_text_into(&mut s, "a&b<c>d\re\"f'g\né");
        assert_eq!(s, "a&amp;b&lt;c&gt;d&#13;e\"f'g\né");
        assert!(checked("ok\t\n", "x").is_ok());
        assert!(checked("bad\u{0}", "x").is_err());
        assert!(checked("bad\u{FFFF}", "x").is_err());
    }

    #[test]
    fn writes_document() {
        let mut w = XmlWriter::new("Response", &[("schemaVersion", "5.4")]);
        w.open("Header");
        w.leaf("A", "1<2");
        w.leaf_opt("B", None);
        w.close("Header");
        assert_eq!(
            w.finish("Response"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sr:Response xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\" schemaVersion=\"5.4\"><sr:Header><sr:A>1&lt;2</sr:A></sr:Header></sr:Response>"
        );
    }

    proptest::proptest! {
        #[test]
        fn escaped_text_parses_back(s in "\\PC{0,64}") {
            proptest::prop_assume!(all_xml_chars(&s));
            let mut w = XmlWriter::new("R", &[]);
            w.leaf("T", &s);
            let doc = w.finish("R");
            let e = crate::xml::parse_element(doc.as_bytes(), &crate::ParseLimits::default()).unwrap();
            proptest::prop_assert_eq!(e.child("T").unwrap().text.as_str(), s.as_str());
        }
    }
}
