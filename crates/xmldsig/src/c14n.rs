//! Canonical XML 1.0 (inclusive, whole documents) and Exclusive XML
//! Canonicalization 1.0 (whole documents and element subtrees), both
//! without comments.
//!
//! Two node-sets are supported, which is all XML-DSig enveloped signatures
//! need:
//! - a whole document, optionally minus one element subtree (the enveloped
//!   `ds:Signature`), in either method;
//! - one element subtree (e.g. `ds:SignedInfo`) with exclusive c14n,
//!   taking the namespaces in scope from its ancestors.
//!
//! Output rules (W3C xml-c14n / xml-exc-c14n): no XML declaration or DTD;
//! whitespace outside the root dropped; processing instructions kept (with a
//! line feed between them and the root); empty elements as start/end pairs;
//! namespace declarations first, sorted by prefix, then attributes sorted by
//! namespace URI and local name; `&amp; &lt; &gt; &#xD;` escaped in text,
//! `&amp; &lt; &quot; &#x9; &#xA; &#xD;` in attribute values.

use crate::error::DsigError;
use crate::xml::{Document, Element, Node, NodeId};

/// Canonicalization algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C14nMethod {
    /// Canonical XML 1.0 without comments
    /// (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315`): every namespace
    /// declaration is rendered where it appears unless superfluous. This is
    /// what XML-DSig applies after an enveloped-signature transform when no
    /// explicit canonicalization transform follows.
    Inclusive,
    /// Exclusive XML Canonicalization 1.0 without comments
    /// (`http://www.w3.org/2001/10/xml-exc-c14n#`): a namespace declaration
    /// is rendered only where the prefix is visibly utilized (or listed in
    /// the `InclusiveNamespaces` prefix list).
    Exclusive,
}

/// The W3C algorithm identifier of exclusive c14n without comments.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The W3C algorithm identifier of inclusive c14n 1.0 without comments.
pub const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";

impl Document<'_> {
    /// Canonicalizes the whole document, minus the subtree `exclude` if
    /// given, appending to `out`. `inclusive_prefixes` (`""` for
    /// `#default`) is the exclusive c14n `InclusiveNamespaces` prefix list;
    /// it is ignored for [`C14nMethod::Inclusive`].
    pub fn canonicalize_document(
        &self,
        method: C14nMethod,
        exclude: Option<NodeId>,
        inclusive_prefixes: &[&str],
        out: &mut Vec<u8>,
    ) {
        let mut w = Walker::new(self, method, inclusive_prefixes, out);
        let root_end = self.element(self.root).map_or(self.nodes.len(), |e| e.end);
        w.walk(
            0,
            self.nodes.len(),
            exclude.map(|n| n.0),
            Some((self.root, root_end)),
        );
    }

    /// Exclusive canonicalization of the subtree rooted at element `node`
    /// (namespaces in scope from its ancestors are honoured), appending to
    /// `out`. A `node` from another document that is not an element here
    /// appends nothing.
    pub fn canonicalize_subtree_exclusive(
        &self,
        node: NodeId,
        inclusive_prefixes: &[&str],
        out: &mut Vec<u8>,
    ) {
        let Some(e) = self.element(node.0) else {
            return;
        };
        let mut w = Walker::new(self, C14nMethod::Exclusive, inclusive_prefixes, out);
        // in-scope namespaces of the ancestors, outermost first
        let mut chain = Vec::new();
        let mut p = e.parent;
        while let Some(i) = p {
            let Some(anc) = self.element(i) else { break };
            chain.push(anc);
            p = anc.parent;
        }
        for anc in chain.iter().rev() {
            for d in self.decls_of(anc) {
                w.scope.push((d.prefix, d.uri.as_ref()));
            }
        }
        w.walk(node.0, e.end + 1, None, None);
    }
}

/// Canonicalizes a whole document (convenience wrapper).
///
/// # Errors
/// Parse errors of [`Document::parse`].
pub fn canonicalize(xml: &[u8], method: C14nMethod) -> Result<Vec<u8>, DsigError> {
    let doc = Document::parse(xml)?;
    let mut out = Vec::with_capacity(xml.len());
    doc.canonicalize_document(method, None, &[], &mut out);
    Ok(out)
}

/// Canonicalizes a document minus its enveloped `ds:Signature` (the last
/// element child of the root), as the enveloped-signature transform does.
/// A document without one is canonicalized whole.
///
/// # Errors
/// Parse errors of [`Document::parse`].
pub fn canonicalize_without_signature(
    xml: &[u8],
    method: C14nMethod,
) -> Result<Vec<u8>, DsigError> {
    let doc = Document::parse(xml)?;
    let mut out = Vec::with_capacity(xml.len());
    doc.canonicalize_document(method, doc.enveloped_signature(), &[], &mut out);
    Ok(out)
}

struct Walker<'d, 'a, 'o> {
    doc: &'d Document<'a>,
    method: C14nMethod,
    prefixes: &'d [&'d str],
    out: &'o mut Vec<u8>,
    /// In-scope bindings (prefix, uri), innermost last.
    scope: Vec<(&'d str, &'d str)>,
    scope_marks: Vec<usize>,
    /// Bindings rendered by output ancestors, innermost last.
    rendered: Vec<(&'d str, &'d str)>,
    rendered_marks: Vec<usize>,
    /// Scratch: declarations to render on the current element.
    ns_out: Vec<(&'d str, &'d str)>,
    /// Scratch: attribute order.
    attr_order: Vec<usize>,
}

impl<'d, 'a, 'o> Walker<'d, 'a, 'o> {
    fn new(
        doc: &'d Document<'a>,
        method: C14nMethod,
        prefixes: &'d [&'d str],
        out: &'o mut Vec<u8>,
    ) -> Self {
        Walker {
            doc,
            method,
            prefixes,
            out,
            scope: Vec::with_capacity(16),
            scope_marks: Vec::with_capacity(16),
            rendered: Vec::with_capacity(16),
            rendered_marks: Vec::with_capacity(16),
            ns_out: Vec::with_capacity(8),
            attr_order: Vec::with_capacity(8),
        }
    }

    /// Walks nodes `from..to`, skipping the subtree starting at `exclude`.
    /// `root` (start, end indices) is set for whole documents, to place
    /// line feeds around processing instructions outside the root.
    fn walk(
        &mut self,
        from: usize,
        to: usize,
        exclude: Option<usize>,
        root: Option<(usize, usize)>,
    ) {
        let doc = self.doc;
        let mut skip_until = 0usize;
        let nodes = doc.nodes.get(from..to).unwrap_or(&[]);
        for (offset, node) in nodes.iter().enumerate() {
            let i = from + offset;
            if i < skip_until {
                continue;
            }
            match node {
                Node::Start(e) => {
                    if exclude == Some(i) {
                        skip_until = e.end + 1;
                        continue;
                    }
                    self.start(e);
                }
                Node::End { qname, .. } => {
                    self.out.extend_from_slice(b"</");
                    self.out.extend_from_slice(qname.as_bytes());
                    self.out.push(b'>');
                    let m = self.scope_marks.pop().unwrap_or(0);
                    self.scope.truncate(m);
                    let m = self.rendered_marks.pop().unwrap_or(0);
                    self.rendered.truncate(m);
                }
                Node::Text(t) => escape_text(t, self.out),
                Node::Char(c) => {
                    let mut buf = [0u8; 4];
                    escape_text(c.encode_utf8(&mut buf), self.out);
                }
                Node::Pi { target, data } => {
                    let after_root = matches!(root, Some((_, end)) if i > end);
                    let before_root = matches!(root, Some((start, _)) if i < start);
                    if after_root {
                        self.out.push(b'\n');
                    }
                    self.out.extend_from_slice(b"<?");
                    self.out.extend_from_slice(target.as_bytes());
                    if !data.is_empty() {
                        self.out.push(b' ');
                        self.out.extend_from_slice(data.as_bytes());
                    }
                    self.out.extend_from_slice(b"?>");
                    if before_root {
                        self.out.push(b'\n');
                    }
                }
            }
        }
    }

    fn lookup_scope(&self, prefix: &str) -> Option<&'d str> {
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|&(_, u)| u)
    }

    fn lookup_rendered(&self, prefix: &str) -> Option<&'d str> {
        self.rendered
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|&(_, u)| u)
    }

    /// Queues the binding of `prefix` for rendering unless an output
    /// ancestor already rendered the same binding.
    fn consider(&mut self, prefix: &'d str) {
        if prefix == "xml" || self.ns_out.iter().any(|(p, _)| *p == prefix) {
            return;
        }
        let uri = match self.lookup_scope(prefix) {
            Some(u) => u,
            None if prefix.is_empty() => "",
            None => return,
        };
        let rendered = self.lookup_rendered(prefix);
        let needed = if prefix.is_empty() {
            // xmlns="" only to undo a non-empty default rendered above
            rendered.unwrap_or("") != uri
        } else {
            rendered != Some(uri)
        };
        if needed {
            self.ns_out.push((prefix, uri));
        }
    }

    fn start(&mut self, e: &'d Element<'a>) {
        let doc = self.doc;
        self.scope_marks.push(self.scope.len());
        let decls = doc.decls_of(e);
        for d in decls {
            self.scope.push((d.prefix, d.uri.as_ref()));
        }
        let attrs = doc.attrs_of(e);

        self.ns_out.clear();
        match self.method {
            C14nMethod::Inclusive => {
                for d in decls {
                    self.consider(d.prefix);
                }
            }
            C14nMethod::Exclusive => {
                self.consider(e.prefix);
                for a in attrs {
                    if !a.prefix.is_empty() {
                        self.consider(a.prefix);
                    }
                }
                for &p in self.prefixes {
                    self.consider(p);
                }
            }
        }
        self.ns_out.sort_unstable_by(|a, b| a.0.cmp(b.0));
        self.rendered_marks.push(self.rendered.len());
        self.rendered.extend_from_slice(&self.ns_out);

        let out = &mut *self.out;
        out.push(b'<');
        out.extend_from_slice(e.qname.as_bytes());
        for &(p, u) in &self.ns_out {
            if p.is_empty() {
                out.extend_from_slice(b" xmlns=\"");
            } else {
                out.extend_from_slice(b" xmlns:");
                out.extend_from_slice(p.as_bytes());
                out.extend_from_slice(b"=\"");
            }
            escape_attr(u, out);
            out.push(b'"');
        }
        self.attr_order.clear();
        self.attr_order.extend(0..attrs.len());
        self.attr_order
            .sort_unstable_by(|&x, &y| match (attrs.get(x), attrs.get(y)) {
                (Some(a), Some(b)) => {
                    let an = a.ns.as_deref().unwrap_or("");
                    let bn = b.ns.as_deref().unwrap_or("");
                    an.cmp(bn).then_with(|| a.local.cmp(b.local))
                }
                _ => std::cmp::Ordering::Equal,
            });
        for &k in &self.attr_order {
            if let Some(a) = attrs.get(k) {
                out.push(b' ');
                out.extend_from_slice(a.qname.as_bytes());
                out.extend_from_slice(b"=\"");
                escape_attr(&a.value, out);
                out.push(b'"');
            }
        }
        // xml:* attributes need no special handling: with whole documents
        // and whole subtrees under exclusive c14n they are never inherited.
        out.push(b'>');
    }
}

fn escape_text(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#xD;",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(last..i).unwrap_or_default());
        out.extend_from_slice(rep);
        last = i + 1;
    }
    out.extend_from_slice(bytes.get(last..).unwrap_or_default());
}

fn escape_attr(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'"' => b"&quot;",
            b'\t' => b"&#x9;",
            b'\n' => b"&#xA;",
            b'\r' => b"&#xD;",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(last..i).unwrap_or_default());
        out.extend_from_slice(rep);
        last = i + 1;
    }
    out.extend_from_slice(bytes.get(last..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, m: C14nMethod) -> String {
        String::from_utf8(canonicalize(xml.as_bytes(), m).unwrap()).unwrap()
    }

    #[test]
    fn basic_rules() {
        let xml = "<?xml version=\"1.0\"?>\r\n<?pi  data?>\n<r b='2' a=\"1\"><e/>x&#13;y\r\nz<![CDATA[<&>]]><!-- c --></r>\n<?post?>";
        assert_eq!(
            c14n(xml, C14nMethod::Exclusive),
            "<?pi data?>\n<r a=\"1\" b=\"2\"><e></e>x&#xD;y\nz&lt;&amp;&gt;</r>\n<?post?>"
        );
    }

    #[test]
    fn attribute_escapes() {
        let xml = "<r a='&quot;&#9;&#10;&#13;&lt;&gt;&amp;' b='x\ty'/>";
        assert_eq!(
            c14n(xml, C14nMethod::Inclusive),
            "<r a=\"&quot;&#x9;&#xA;&#xD;&lt;>&amp;\" b=\"x y\"></r>"
        );
    }

    #[test]
    fn namespaces_inclusive_vs_exclusive() {
        let xml = "<a:r xmlns:a='urn:a' xmlns:u='urn:unused' xmlns='urn:d'><b xmlns:a='urn:a'><c xmlns=''/></b></a:r>";
        assert_eq!(
            c14n(xml, C14nMethod::Inclusive),
            "<a:r xmlns=\"urn:d\" xmlns:a=\"urn:a\" xmlns:u=\"urn:unused\"><b><c xmlns=\"\"></c></b></a:r>"
        );
        assert_eq!(
            c14n(xml, C14nMethod::Exclusive),
            "<a:r xmlns:a=\"urn:a\"><b xmlns=\"urn:d\"><c xmlns=\"\"></c></b></a:r>"
        );
    }

    #[test]
    fn attribute_ordering_by_namespace_uri() {
        let xml = "<r xmlns:z='urn:a' xmlns:a='urn:z' a:x='1' z:y='2' b='3' xml:lang='en'/>";
        assert_eq!(
            c14n(xml, C14nMethod::Exclusive),
            "<r xmlns:a=\"urn:z\" xmlns:z=\"urn:a\" b=\"3\" xml:lang=\"en\" z:y=\"2\" a:x=\"1\"></r>"
        );
    }

    #[test]
    fn subtree_takes_namespaces_from_ancestors() {
        let xml = "<r xmlns:ds='urn:ds' xmlns:p='urn:p' xmlns='urn:d'><ds:S><ds:I a='1'><x/></ds:I></ds:S></r>";
        let doc = Document::parse(xml.as_bytes()).unwrap();
        let id = doc.elements_named("urn:ds", "I").next().unwrap();
        let mut out = Vec::new();
        doc.canonicalize_subtree_exclusive(id, &[], &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<ds:I xmlns:ds=\"urn:ds\" a=\"1\"><x xmlns=\"urn:d\"></x></ds:I>"
        );
        let mut out = Vec::new();
        doc.canonicalize_subtree_exclusive(id, &["p", "", "nope"], &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<ds:I xmlns=\"urn:d\" xmlns:ds=\"urn:ds\" xmlns:p=\"urn:p\" a=\"1\"><x></x></ds:I>"
        );
    }

    #[test]
    fn excluded_subtree_is_removed() {
        let xml = "<r xmlns:ds='http://www.w3.org/2000/09/xmldsig#'>a<ds:Signature><x/></ds:Signature>b</r>";
        let out = canonicalize_without_signature(xml.as_bytes(), C14nMethod::Inclusive).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<r xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">ab</r>"
        );
    }
}
