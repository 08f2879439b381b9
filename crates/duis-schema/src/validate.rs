//! The validator proper: a push interface fed with start-element, text and
//! end-element events, so that any XML parser can drive it.

use std::collections::HashSet;

use crate::automaton::{Dfa, Matched};
use crate::compile::{
    Compiled, CompiledComplex, CompiledSimple, Content, IdKind, display_name, shorten,
};
use crate::error::SchemaError;
use crate::tables::{AttributeUse, Builtin, ProcessContents, TypeRef, Wildcard};

/// The XML Schema instance namespace (`xsi:type`, `xsi:nil`, ...).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Default limit on element nesting.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// An attribute of an element, as given to [`StreamValidator::start_element`].
///
/// `value` must already be normalized as XML 1.0 requires for attribute
/// values (references replaced, literal tab/CR/LF turned into spaces);
/// namespace declarations (`xmlns`, `xmlns:p`) must not be included.
#[derive(Debug, Clone, Copy)]
pub struct Attribute<'a> {
    /// Namespace URI, `""` for none.
    pub namespace: &'a str,
    /// Local name.
    pub local: &'a str,
    /// Normalized value.
    pub value: &'a str,
}

/// Resolves namespace prefixes in scope (for `xsi:type` values).
pub trait NamespaceResolver {
    /// The namespace bound to `prefix` (`""`: the default namespace).
    fn resolve(&self, prefix: &str) -> Option<&str>;
}

/// A resolver for documents that use no `xsi:type`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNamespaces;

impl NamespaceResolver for NoNamespaces {
    fn resolve(&self, _prefix: &str) -> Option<&str> {
        None
    }
}

/// The element being started, for error paths.
#[derive(Clone, Copy)]
struct Child<'a> {
    namespace: &'a str,
    local: &'a str,
}

impl Child<'_> {
    fn name(&self) -> String {
        display_name(self.namespace, self.local)
    }
}

#[derive(Debug)]
enum Name {
    Decl(u32),
    Other(String),
}

#[derive(Debug)]
enum Kind {
    Elements {
        ct: u32,
        state: u32,
        mixed: bool,
    },
    All {
        ct: u32,
        seen: u64,
        mixed: bool,
    },
    Empty {
        mixed: bool,
    },
    Simple {
        ty: TypeRef,
        text: String,
        fixed: Option<&'static str>,
    },
    /// anyType semantics: any attributes, any text, children validated
    /// when a global declaration exists.
    Lax,
    /// processContents="skip": nothing below is validated.
    Skip,
    /// xsi:nil="true": no content at all.
    Nil,
}

#[derive(Debug)]
struct Frame {
    name: Name,
    kind: Kind,
}

/// Validates one document fed as events. Create it with
/// [`crate::Schema::stream`].
///
/// Call [`start_element`](Self::start_element),
/// [`text`](Self::text)/[`cdata`](Self::cdata) and
/// [`end_element`](Self::end_element) in document order, then
/// [`finish`](Self::finish). Comments and processing instructions need no
/// call. The first error ends validation; the validator must not be used
/// after an error.
///
/// ```
/// use duis_schema::{Attribute, NoNamespaces, Schema, SR_NS};
///
/// let schema = Schema::duis()?;
/// let mut v = schema.stream();
/// let version = [Attribute { namespace: "", local: "schemaVersion", value: "5.4" }];
/// v.start_element(SR_NS, "Request", &version, &NoNamespaces)?;
/// v.start_element(SR_NS, "Header", &[], &NoNamespaces)?;
/// v.start_element(SR_NS, "RequestID", &[], &NoNamespaces)?;
/// v.text("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:")?;
/// v.text("1000")?;
/// v.end_element()?;
/// // sr:CommandVariant is missing:
/// let err = v.end_element().unwrap_err();
/// assert!(err.to_string().contains("sr:CommandVariant"), "{err}");
/// # Ok::<(), duis_schema::SchemaError>(())
/// ```
#[derive(Debug)]
pub struct StreamValidator<'s> {
    schema: &'s Compiled,
    stack: Vec<Frame>,
    max_depth: usize,
    expected_root: Option<(u8, &'static str)>,
    root_done: bool,
    ids: HashSet<String>,
    idrefs: Vec<String>,
}

enum ValueFailure {
    Invalid(String),
    DuplicateId(String),
}

fn is_xml_ws(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

impl<'s> StreamValidator<'s> {
    pub(crate) fn new(schema: &'s Compiled) -> Self {
        StreamValidator {
            schema,
            stack: Vec::with_capacity(16),
            max_depth: DEFAULT_MAX_DEPTH,
            expected_root: None,
            root_done: false,
            ids: HashSet::new(),
            idrefs: Vec::new(),
        }
    }

    /// Limit element nesting (default [`DEFAULT_MAX_DEPTH`]).
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    pub(crate) fn with_root(mut self, ns: u8, local: &'static str) -> Self {
        self.expected_root = Some((ns, local));
        self
    }

    /// Current nesting depth.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    fn frame_name(&self, f: &Frame) -> String {
        match &f.name {
            Name::Decl(i) => match self.schema.tables.elements.get(*i as usize) {
                Some(d) => display_name(self.schema.ns_uri(d.ns), d.name),
                None => "?".into(),
            },
            Name::Other(s) => s.clone(),
        }
    }

    fn path(&self) -> String {
        if self.stack.is_empty() {
            return "/".into();
        }
        let mut out = String::new();
        for f in &self.stack {
            out.push('/');
            out.push_str(&self.frame_name(f));
        }
        out
    }

    fn path_with(&self, last: &str) -> String {
        let mut p = if self.stack.is_empty() {
            String::new()
        } else {
            self.path()
        };
        p.push('/');
        p.push_str(last);
        p
    }

    fn complex(&self, ct: u32) -> Result<&'s CompiledComplex, SchemaError> {
        self.schema
            .complex
            .get(ct as usize)
            .ok_or(SchemaError::Misuse("complex type index out of range"))
    }

    fn expected_from_dfa(&self, dfa: &Dfa, state: u32) -> String {
        let Some(st) = dfa.states.get(state as usize) else {
            return "nothing".into();
        };
        let mut names: Vec<String> = st
            .elements
            .iter()
            .map(|e| display_name(self.schema.ns_uri(e.ns), e.local))
            .collect();
        for (w, _) in &st.wildcards {
            names.push(describe_wildcard(self.schema, w));
        }
        if st.accepting {
            names.push("end of content".into());
        }
        list(names)
    }

    /// An element starts. `namespace` is its namespace URI (`""` for
    /// none); attribute values must be normalized (see [`Attribute`]).
    pub fn start_element(
        &mut self,
        namespace: &str,
        local: &str,
        attributes: &[Attribute<'_>],
        resolver: &dyn NamespaceResolver,
    ) -> Result<(), SchemaError> {
        let at = Child { namespace, local };
        if self.stack.len() >= self.max_depth {
            return Err(SchemaError::TooDeep {
                path: self.path_with(&at.name()),
                limit: self.max_depth,
            });
        }
        let ns = self.schema.ns_id(namespace);
        let Some(parent) = self.stack.last_mut() else {
            if self.root_done {
                return Err(SchemaError::Misuse("a second document element"));
            }
            let Some(decl) = self.schema.global(ns, local) else {
                return Err(SchemaError::UnknownRoot { found: at.name() });
            };
            if let Some((ens, elocal)) = self.expected_root
                && (Some(ens) != ns || elocal != local)
            {
                return Err(SchemaError::WrongRoot {
                    expected: display_name(self.schema.ns_uri(ens), elocal),
                    found: at.name(),
                });
            }
            let frame = self.enter_decl(decl, attributes, resolver, at)?;
            self.stack.push(frame);
            return Ok(());
        };
        enum Next {
            Decl(u32),
            Wild(Wildcard),
            Lax,
            Skip,
        }
        let schema = self.schema;
        let next = match &mut parent.kind {
            Kind::Elements { ct, state, .. } => {
                let cur = *state;
                let dfa = match schema.complex.get(*ct as usize).map(|c| &c.content) {
                    Some(Content::Elements(d)) => d,
                    _ => return Err(SchemaError::Misuse("content model mismatch")),
                };
                match dfa.step(cur, ns, local) {
                    Some(Matched::Element { decl, target }) => {
                        *state = target;
                        Next::Decl(decl)
                    }
                    Some(Matched::Wildcard { wildcard, target }) => {
                        *state = target;
                        Next::Wild(wildcard)
                    }
                    None => {
                        return Err(SchemaError::UnexpectedElement {
                            path: self.path(),
                            found: at.name(),
                            expected: self.expected_from_dfa(dfa, cur),
                        });
                    }
                }
            }
            Kind::All { ct, seen, .. } => {
                let members = match schema.complex.get(*ct as usize).map(|c| &c.content) {
                    Some(Content::All(m)) => &m.members,
                    _ => return Err(SchemaError::Misuse("content model mismatch")),
                };
                let hit = members.iter().enumerate().find(|(_, (d, _))| {
                    schema
                        .tables
                        .elements
                        .get(*d as usize)
                        .is_some_and(|e| Some(e.ns) == ns && e.name == local)
                });
                match hit {
                    Some((i, (d, _))) if *seen & (1u64 << i) == 0 => {
                        *seen |= 1u64 << i;
                        Next::Decl(*d)
                    }
                    _ => {
                        let seen = *seen;
                        let remaining: Vec<String> = members
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| seen & (1u64 << i) == 0)
                            .filter_map(|(_, (d, _))| schema.tables.elements.get(*d as usize))
                            .map(|e| display_name(schema.ns_uri(e.ns), e.name))
                            .collect();
                        return Err(SchemaError::UnexpectedElement {
                            path: self.path(),
                            found: at.name(),
                            expected: list(remaining),
                        });
                    }
                }
            }
            Kind::Empty { .. } => {
                return Err(SchemaError::UnexpectedElement {
                    path: self.path(),
                    found: at.name(),
                    expected: "no child elements (empty content)".into(),
                });
            }
            Kind::Simple { .. } => {
                return Err(SchemaError::UnexpectedElement {
                    path: self.path(),
                    found: at.name(),
                    expected: "character data only (simple content)".into(),
                });
            }
            Kind::Nil => {
                return Err(SchemaError::InvalidInstance {
                    path: self.path(),
                    reason: format!("element {} inside a nilled element", at.name()),
                });
            }
            Kind::Lax => Next::Lax,
            Kind::Skip => Next::Skip,
        };
        let unvalidated = |kind| Frame {
            name: Name::Other(at.name()),
            kind,
        };
        let frame = match next {
            Next::Decl(d) => self.enter_decl(d, attributes, resolver, at)?,
            Next::Wild(w) => match (w.process, schema.global(ns, local)) {
                (ProcessContents::Skip, _) => unvalidated(Kind::Skip),
                (_, Some(d)) => self.enter_decl(d, attributes, resolver, at)?,
                (ProcessContents::Lax, None) => unvalidated(Kind::Lax),
                (ProcessContents::Strict, None) => {
                    return Err(SchemaError::UnexpectedElement {
                        path: self.path(),
                        found: at.name(),
                        expected: "an element with a global declaration (strict wildcard)".into(),
                    });
                }
            },
            Next::Lax => match schema.global(ns, local) {
                Some(d) => self.enter_decl(d, attributes, resolver, at)?,
                None => unvalidated(Kind::Lax),
            },
            Next::Skip => unvalidated(Kind::Skip),
        };
        self.stack.push(frame);
        Ok(())
    }

    fn resolve_xsi_type(
        &self,
        value: &str,
        resolver: &dyn NamespaceResolver,
        at: Child<'_>,
    ) -> Result<TypeRef, SchemaError> {
        let v = value.trim_matches([' ', '\t', '\n', '\r']);
        let (prefix, local) = v.split_once(':').unwrap_or(("", v));
        let bad = |reason: String| SchemaError::InvalidInstance {
            path: self.path_with(&at.name()),
            reason,
        };
        if !crate::builtins::is_ncname(local)
            || (!prefix.is_empty() && !crate::builtins::is_ncname(prefix))
        {
            return Err(bad(format!("xsi:type {v:?} is not a QName")));
        }
        let ns = match resolver.resolve(prefix) {
            Some(ns) => ns,
            None if prefix.is_empty() => "",
            None => return Err(bad(format!("xsi:type {v:?} uses an undeclared prefix"))),
        };
        self.schema
            .type_by_name(ns, local)
            .ok_or_else(|| bad(format!("xsi:type {v:?} names no type of the schema")))
    }

    fn enter_decl(
        &mut self,
        decl_idx: u32,
        attributes: &[Attribute<'_>],
        resolver: &dyn NamespaceResolver,
        at: Child<'_>,
    ) -> Result<Frame, SchemaError> {
        let schema = self.schema;
        let decl = *schema
            .tables
            .elements
            .get(decl_idx as usize)
            .ok_or(SchemaError::Misuse("element index out of range"))?;
        let path = |v: &Self| v.path_with(&at.name());
        if decl.is_abstract {
            return Err(SchemaError::InvalidInstance {
                path: path(self),
                reason: "the element declaration is abstract".into(),
            });
        }
        let mut ty = decl.ty;
        let mut nil = false;
        for a in attributes.iter().filter(|a| a.namespace == XSI_NS) {
            match a.local {
                "type" => {
                    let t = self.resolve_xsi_type(a.value, resolver, at)?;
                    if !schema.derives(t, decl.ty) {
                        return Err(SchemaError::InvalidInstance {
                            path: path(self),
                            reason: format!(
                                "xsi:type {} is not derived from {}",
                                schema.type_name(t),
                                schema.type_name(decl.ty)
                            ),
                        });
                    }
                    ty = t;
                }
                "nil" => {
                    if !decl.nillable {
                        return Err(SchemaError::InvalidInstance {
                            path: path(self),
                            reason: "xsi:nil on an element that is not nillable".into(),
                        });
                    }
                    match a.value.trim_matches([' ', '\t', '\n', '\r']) {
                        "true" | "1" => nil = true,
                        "false" | "0" => {}
                        _ => {
                            return Err(SchemaError::InvalidValue {
                                path: format!("{}/@xsi:nil", path(self)),
                                value: shorten(a.value, 64),
                                type_name: "xs:boolean".into(),
                                reason: "not a boolean".into(),
                            });
                        }
                    }
                }
                "schemaLocation" | "noNamespaceSchemaLocation" => {}
                other => {
                    return Err(SchemaError::UnexpectedAttribute {
                        path: path(self),
                        name: format!("xsi:{other}"),
                    });
                }
            }
        }
        let kind = match ty {
            TypeRef::Unavailable(_) => {
                return Err(SchemaError::UnavailableType {
                    path: path(self),
                    type_name: schema.type_name(ty),
                });
            }
            TypeRef::Complex(ct) => {
                let c = self.complex(ct)?;
                if c.is_abstract {
                    return Err(SchemaError::InvalidInstance {
                        path: path(self),
                        reason: format!("type {} is abstract", c.name),
                    });
                }
                self.check_attributes(c, attributes, &path)?;
                match &c.content {
                    Content::Empty => Kind::Empty { mixed: c.mixed },
                    Content::Elements(_) => Kind::Elements {
                        ct,
                        state: 0,
                        mixed: c.mixed,
                    },
                    Content::All(_) => Kind::All {
                        ct,
                        seen: 0,
                        mixed: c.mixed,
                    },
                    Content::Simple(t) => Kind::Simple {
                        ty: *t,
                        text: String::new(),
                        fixed: decl.fixed,
                    },
                }
            }
            TypeRef::Builtin(Builtin::AnyType) => Kind::Lax,
            TypeRef::Builtin(_) | TypeRef::Simple(_) => {
                if let Some(a) = attributes.iter().find(|a| a.namespace != XSI_NS) {
                    return Err(SchemaError::UnexpectedAttribute {
                        path: path(self),
                        name: display_name(a.namespace, a.local),
                    });
                }
                Kind::Simple {
                    ty,
                    text: String::new(),
                    fixed: decl.fixed,
                }
            }
        };
        let kind = if nil {
            if decl.fixed.is_some() {
                return Err(SchemaError::InvalidInstance {
                    path: path(self),
                    reason: "xsi:nil on an element with a fixed value".into(),
                });
            }
            Kind::Nil
        } else {
            kind
        };
        Ok(Frame {
            name: Name::Decl(decl_idx),
            kind,
        })
    }

    fn check_value(
        &mut self,
        simple: &CompiledSimple,
        raw: &str,
        fixed: Option<&'static str>,
    ) -> Result<(), ValueFailure> {
        let norm = simple.check(raw).map_err(ValueFailure::Invalid)?;
        if let Some(f) = fixed
            && !simple.same_value(&norm, f)
        {
            return Err(ValueFailure::Invalid(format!(
                "the value is fixed to {f:?}"
            )));
        }
        match simple.id_kind() {
            IdKind::Id => {
                if self.ids.contains(norm.as_ref()) {
                    return Err(ValueFailure::DuplicateId(shorten(&norm, 64)));
                }
                self.ids.insert(norm.into_owned());
            }
            IdKind::IdRef => self.idrefs.push(norm.into_owned()),
            IdKind::None => {}
        }
        Ok(())
    }

    fn value_error(
        failure: ValueFailure,
        path: String,
        raw: &str,
        simple: &CompiledSimple,
    ) -> SchemaError {
        match failure {
            ValueFailure::Invalid(reason) => SchemaError::InvalidValue {
                path,
                value: shorten(raw, 64),
                type_name: simple.name.clone(),
                reason,
            },
            ValueFailure::DuplicateId(id) => SchemaError::DuplicateId { path, id },
        }
    }

    fn check_attributes(
        &mut self,
        c: &CompiledComplex,
        attributes: &[Attribute<'_>],
        path: &dyn Fn(&Self) -> String,
    ) -> Result<(), SchemaError> {
        let schema = self.schema;
        for a in attributes {
            if a.namespace == XSI_NS {
                continue;
            }
            let ns = schema.ns_id(a.namespace);
            let decl = c
                .attributes
                .iter()
                .find(|d| Some(d.ns) == ns && d.name == a.local);
            match decl {
                Some(d) => {
                    let simple = schema
                        .simple_of(d.ty)
                        .ok_or(SchemaError::Misuse("attribute type is not simple"))?;
                    if let Err(f) = self.check_value(simple, a.value, d.fixed) {
                        let apath =
                            format!("{}/@{}", path(self), display_name(a.namespace, a.local));
                        return Err(Self::value_error(f, apath, a.value, simple));
                    }
                }
                None => {
                    let admitted = c
                        .attribute_wildcard
                        .filter(|w| crate::automaton::admits(&w.ns, ns));
                    match admitted.map(|w| w.process) {
                        Some(ProcessContents::Skip) | Some(ProcessContents::Lax) => {}
                        Some(ProcessContents::Strict) | None => {
                            return Err(SchemaError::UnexpectedAttribute {
                                path: path(self),
                                name: display_name(a.namespace, a.local),
                            });
                        }
                    }
                }
            }
        }
        for d in c
            .attributes
            .iter()
            .filter(|d| d.use_ == AttributeUse::Required)
        {
            let present = attributes
                .iter()
                .any(|a| a.local == d.name && schema.ns_id(a.namespace) == Some(d.ns));
            if !present {
                return Err(SchemaError::MissingAttribute {
                    path: path(self),
                    name: display_name(schema.ns_uri(d.ns), d.name),
                });
            }
        }
        Ok(())
    }

    fn text_error(&self, text: &str, content: &'static str) -> SchemaError {
        SchemaError::UnexpectedText {
            path: self.path(),
            text: shorten(text.trim(), 40),
            content,
        }
    }

    /// Character data (text and references, not CDATA sections).
    pub fn text(&mut self, text: &str) -> Result<(), SchemaError> {
        let Some(top) = self.stack.last_mut() else {
            return if is_xml_ws(text) {
                Ok(())
            } else {
                Err(SchemaError::Misuse(
                    "character data outside the document element",
                ))
            };
        };
        match &mut top.kind {
            Kind::Elements { mixed: false, .. } | Kind::All { mixed: false, .. }
                if !is_xml_ws(text) =>
            {
                return Err(self.text_error(text, "element-only"));
            }
            Kind::Empty { mixed: false } if !text.is_empty() => {
                return Err(self.text_error(text, "empty"));
            }
            Kind::Nil if !text.is_empty() => {
                return Err(self.text_error(text, "nilled (empty)"));
            }
            Kind::Simple { text: buf, .. } => buf.push_str(text),
            _ => {}
        }
        Ok(())
    }

    /// A CDATA section. Like libxml2, a CDATA section (even an empty or
    /// all-whitespace one) counts as character content, so it is refused in
    /// element-only and empty content.
    pub fn cdata(&mut self, text: &str) -> Result<(), SchemaError> {
        let Some(top) = self.stack.last_mut() else {
            return Err(SchemaError::Misuse("CDATA outside the document element"));
        };
        match &mut top.kind {
            Kind::Elements { mixed: false, .. } | Kind::All { mixed: false, .. } => {
                Err(self.text_error(text, "element-only"))
            }
            Kind::Empty { mixed: false } => Err(self.text_error(text, "empty")),
            Kind::Nil => Err(self.text_error(text, "nilled (empty)")),
            Kind::Simple { text: buf, .. } => {
                buf.push_str(text);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The current element ends.
    pub fn end_element(&mut self) -> Result<(), SchemaError> {
        let Some(frame) = self.stack.last() else {
            return Err(SchemaError::Misuse(
                "end of an element that was not started",
            ));
        };
        match &frame.kind {
            Kind::Elements { ct, state, .. } => {
                let c = self.complex(*ct)?;
                if let Content::Elements(dfa) = &c.content
                    && !dfa.accepting(*state)
                {
                    return Err(SchemaError::Incomplete {
                        path: self.path(),
                        expected: self.expected_from_dfa(dfa, *state),
                    });
                }
            }
            Kind::All { ct, seen, .. } => {
                let c = self.complex(*ct)?;
                if let Content::All(m) = &c.content
                    && !(m.optional && *seen == 0)
                {
                    let missing: Vec<String> = m
                        .members
                        .iter()
                        .enumerate()
                        .filter(|(i, (_, required))| *required && *seen & (1u64 << i) == 0)
                        .filter_map(|(_, (d, _))| self.schema.tables.elements.get(*d as usize))
                        .map(|e| display_name(self.schema.ns_uri(e.ns), e.name))
                        .collect();
                    if !missing.is_empty() {
                        return Err(SchemaError::Incomplete {
                            path: self.path(),
                            expected: list(missing),
                        });
                    }
                }
            }
            Kind::Simple { .. } | Kind::Empty { .. } | Kind::Lax | Kind::Skip | Kind::Nil => {}
        }
        let Some(frame) = self.stack.pop() else {
            return Err(SchemaError::Misuse(
                "end of an element that was not started",
            ));
        };
        if let Kind::Simple { ty, text, fixed } = frame.kind {
            let simple = self
                .schema
                .simple_of(ty)
                .ok_or(SchemaError::Misuse("simple content of a complex type"))?;
            if let Err(f) = self.check_value(simple, &text, fixed) {
                let path = self.path_with(&self.frame_name(&Frame {
                    name: frame.name,
                    kind: Kind::Skip,
                }));
                return Err(Self::value_error(f, path, &text, simple));
            }
        }
        if self.stack.is_empty() {
            self.root_done = true;
        }
        Ok(())
    }

    /// The document ended: the root must be complete and every IDREF must
    /// name an ID.
    pub fn finish(self) -> Result<(), SchemaError> {
        if !self.stack.is_empty() {
            return Err(SchemaError::Misuse("document ended inside an element"));
        }
        if !self.root_done {
            return Err(SchemaError::NoRoot);
        }
        if let Some(r) = self.idrefs.iter().find(|r| !self.ids.contains(*r)) {
            return Err(SchemaError::UnresolvedIdRef { id: shorten(r, 64) });
        }
        Ok(())
    }
}

fn describe_wildcard(schema: &Compiled, w: &Wildcard) -> String {
    use crate::tables::NsConstraint;
    match w.ns {
        NsConstraint::Any => "any element".into(),
        NsConstraint::Other(t) => format!(
            "any element not in {}",
            match schema.ns_uri(t) {
                "" => "no namespace".to_owned(),
                u => u.to_owned(),
            }
        ),
        NsConstraint::List(l) => {
            let uris: Vec<&str> = l.iter().map(|n| schema.ns_uri(*n)).collect();
            format!("any element in {}", uris.join(" "))
        }
    }
}

fn list(mut names: Vec<String>) -> String {
    const MAX: usize = 12;
    match names.len() {
        0 => "nothing".into(),
        1 => names.pop().unwrap_or_default(),
        n if n <= MAX => format!("one of {}", names.join(", ")),
        n => {
            names.truncate(MAX);
            format!("one of {}, … ({} more)", names.join(", "), n - MAX)
        }
    }
}
