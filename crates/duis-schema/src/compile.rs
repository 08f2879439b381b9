//! Compile [`SchemaTables`] into the structures the validator runs on:
//! content-model automata, effective attribute uses and simple-type
//! checkers with compiled patterns.

use std::collections::{HashMap, HashSet};

use regex::Regex;

use crate::automaton::{self, Dfa, NsId};
use crate::builtins::{self, Dec, Primitive, Value};
use crate::error::BuildError;
use crate::tables::{
    AttributeDecl, AttributeUse, Builtin, ContentDef, Derivation, Facet, Particle, QName,
    SchemaTables, Term, TypeRef, WhiteSpace, Wildcard,
};
use crate::xsd_regex;

/// The XML Schema namespace (built-in type names for `xsi:type`).
pub(crate) const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// Content of a complex type, compiled.
#[derive(Debug)]
pub(crate) enum Content {
    Empty,
    Elements(Dfa),
    All(AllModel),
    Simple(TypeRef),
}

/// An `xs:all` model: each member at most once, in any order.
#[derive(Debug)]
pub(crate) struct AllModel {
    /// (element decl, required)
    pub members: Vec<(u32, bool)>,
    /// The group itself has minOccurs=0.
    pub optional: bool,
}

#[derive(Debug)]
pub(crate) struct CompiledComplex {
    pub name: String,
    pub is_abstract: bool,
    pub mixed: bool,
    pub content: Content,
    pub attributes: Vec<AttributeDecl>,
    pub attribute_wildcard: Option<Wildcard>,
}

#[derive(Debug)]
enum Bound {
    Dec {
        neg: bool,
        int: String,
        frac: String,
    },
    Float(f64),
}

impl Bound {
    /// `value` compared with the bound.
    fn cmp(&self, value: &Value<'_>) -> Option<std::cmp::Ordering> {
        match (self, value) {
            (Bound::Dec { neg, int, frac }, Value::Dec(v)) => {
                let b = Dec {
                    neg: *neg,
                    int,
                    frac,
                };
                Some(v.cmp(&b))
            }
            (Bound::Float(b), Value::Float(v)) => v.partial_cmp(b),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct FacetStep {
    length: Option<u64>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<(Regex, &'static [&'static str])>,
    enumeration: Option<(Vec<String>, HashSet<String>)>,
    min_inclusive: Option<(Bound, &'static str)>,
    max_inclusive: Option<(Bound, &'static str)>,
    min_exclusive: Option<(Bound, &'static str)>,
    max_exclusive: Option<(Bound, &'static str)>,
    total_digits: Option<u32>,
    fraction_digits: Option<u32>,
}

/// A simple type, compiled: the built-in it derives from, the effective
/// whiteSpace, and its facets step by step (base first).
#[derive(Debug)]
pub(crate) struct CompiledSimple {
    pub name: String,
    pub builtin: Builtin,
    pub whitespace: WhiteSpace,
    steps: Vec<FacetStep>,
}

/// What a simple value turned out to be, for ID bookkeeping.
pub(crate) enum IdKind {
    None,
    Id,
    IdRef,
}

impl CompiledSimple {
    fn from_builtin(b: Builtin) -> CompiledSimple {
        CompiledSimple {
            name: format!("xs:{}", b.xsd_name()),
            builtin: b,
            whitespace: b.whitespace(),
            steps: Vec::new(),
        }
    }

    pub(crate) fn id_kind(&self) -> IdKind {
        if self.builtin.derives_from(Builtin::Id) {
            IdKind::Id
        } else if self.builtin.derives_from(Builtin::IdRef) {
            IdKind::IdRef
        } else {
            IdKind::None
        }
    }

    /// Validate `raw`; on success returns the normalized value.
    pub(crate) fn check<'v>(&self, raw: &'v str) -> Result<std::borrow::Cow<'v, str>, String> {
        let norm = builtins::normalize(raw, self.whitespace);
        let value = builtins::check(self.builtin, &norm).map_err(str::to_owned)?;
        for step in &self.steps {
            self.check_step(step, &norm, &value)?;
        }
        Ok(norm)
    }

    fn length_of(&self, norm: &str, value: &Value<'_>) -> usize {
        match value {
            Value::Binary(n) => *n,
            _ => norm.chars().count(),
        }
    }

    fn check_step(&self, step: &FacetStep, norm: &str, value: &Value<'_>) -> Result<(), String> {
        if step.length.is_some() || step.min_length.is_some() || step.max_length.is_some() {
            let len = self.length_of(norm, value) as u64;
            if let Some(l) = step.length
                && len != l
            {
                return Err(format!("length is {len}, must be {l}"));
            }
            if let Some(l) = step.min_length
                && len < l
            {
                return Err(format!("length is {len}, minLength is {l}"));
            }
            if let Some(l) = step.max_length
                && len > l
            {
                return Err(format!("length is {len}, maxLength is {l}"));
            }
        }
        if let Some((re, src)) = &step.pattern
            && !re.is_match(norm)
        {
            return Err(if src.len() == 1 {
                format!(
                    "does not match pattern {:?}",
                    shorten(src.first().copied().unwrap_or(""), 80)
                )
            } else {
                format!("does not match any of {} patterns", src.len())
            });
        }
        if let Some((list, set)) = &step.enumeration
            && !self.in_enumeration(norm, value, list, set)
        {
            return Err(format!("not one of the {} enumerated values", list.len()));
        }
        let bound_err = |b: &(Bound, &str), ok: fn(std::cmp::Ordering) -> bool, what: &str| match b
            .0
            .cmp(value)
        {
            Some(o) if ok(o) => Ok(()),
            _ => Err(format!("{what} is {}", b.1)),
        };
        if let Some(b) = &step.min_inclusive {
            bound_err(b, |o| o.is_ge(), "minInclusive")?;
        }
        if let Some(b) = &step.max_inclusive {
            bound_err(b, |o| o.is_le(), "maxInclusive")?;
        }
        if let Some(b) = &step.min_exclusive {
            bound_err(b, |o| o.is_gt(), "minExclusive")?;
        }
        if let Some(b) = &step.max_exclusive {
            bound_err(b, |o| o.is_lt(), "maxExclusive")?;
        }
        if let Value::Dec(d) = value {
            if let Some(t) = step.total_digits
                && d.total_digits() > t as usize
            {
                return Err(format!("more than {t} total digits"));
            }
            if let Some(f) = step.fraction_digits
                && d.frac.len() > f as usize
            {
                return Err(format!("more than {f} fraction digits"));
            }
        }
        Ok(())
    }

    /// Whether the normalized value `norm` equals the value constraint
    /// `fixed` in the value space (date/time types: lexically).
    pub(crate) fn same_value(&self, norm: &str, fixed: &str) -> bool {
        let fixed = builtins::normalize(fixed, self.whitespace);
        match self.builtin.primitive() {
            Primitive::String
            | Primitive::AnyUri
            | Primitive::Any
            | Primitive::Temporal
            | Primitive::Duration => norm == fixed,
            Primitive::HexBinary => builtins::hex_bytes(norm) == builtins::hex_bytes(&fixed),
            Primitive::Base64Binary => {
                builtins::base64_bytes(norm) == builtins::base64_bytes(&fixed)
            }
            Primitive::Boolean | Primitive::Decimal | Primitive::Float => {
                match (
                    builtins::check(self.builtin, norm),
                    builtins::check(self.builtin, &fixed),
                ) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                }
            }
        }
    }

    fn in_enumeration(
        &self,
        norm: &str,
        value: &Value<'_>,
        list: &[String],
        set: &HashSet<String>,
    ) -> bool {
        match self.builtin.primitive() {
            Primitive::String | Primitive::AnyUri | Primitive::Any => set.contains(norm),
            Primitive::HexBinary => {
                let v = builtins::hex_bytes(norm);
                list.iter().any(|e| builtins::hex_bytes(e) == v)
            }
            Primitive::Base64Binary => {
                let v = builtins::base64_bytes(norm);
                list.iter().any(|e| builtins::base64_bytes(e) == v)
            }
            _ => list.iter().any(|e| {
                builtins::check(self.builtin, e).is_ok_and(|ev| match (&ev, value) {
                    (Value::Float(a), Value::Float(b)) => a == b,
                    _ => ev == *value,
                })
            }),
        }
    }
}

pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// A compiled schema.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub tables: &'static SchemaTables,
    pub complex: Vec<CompiledComplex>,
    pub simple: Vec<CompiledSimple>,
    pub builtin_simple: Vec<CompiledSimple>,
    pub globals: HashMap<(u8, &'static str), u32>,
    pub types_by_name: HashMap<(u8, &'static str), TypeRef>,
}

impl Compiled {
    pub(crate) fn ns_id(&self, uri: &str) -> NsId {
        self.tables
            .namespaces
            .iter()
            .position(|n| *n == uri)
            .and_then(|i| u8::try_from(i).ok())
    }

    pub(crate) fn ns_uri(&self, ns: u8) -> &'static str {
        self.tables
            .namespaces
            .get(ns as usize)
            .copied()
            .unwrap_or("")
    }

    pub(crate) fn global(&self, ns: NsId, local: &str) -> Option<u32> {
        let ns = ns?;
        self.globals.get(&(ns, local)).copied()
    }

    pub(crate) fn simple_of(&self, t: TypeRef) -> Option<&CompiledSimple> {
        match t {
            TypeRef::Simple(i) => self.simple.get(i as usize),
            TypeRef::Builtin(b) if b != Builtin::AnyType => self.builtin_simple.get(b as usize),
            _ => None,
        }
    }

    /// Look up a type by expanded name (for `xsi:type`).
    pub(crate) fn type_by_name(&self, ns_uri: &str, local: &str) -> Option<TypeRef> {
        if ns_uri == XS_NS {
            return Builtin::from_xsd_name(local).map(TypeRef::Builtin);
        }
        let ns = self.ns_id(ns_uri)?;
        self.types_by_name.get(&(ns, local)).copied()
    }

    /// The base of a type definition, if any.
    pub(crate) fn base_of(&self, t: TypeRef) -> Option<TypeRef> {
        match t {
            TypeRef::Builtin(b) => b.base().map(TypeRef::Builtin),
            TypeRef::Simple(i) => self.tables.simple_types.get(i as usize).map(|s| s.base),
            TypeRef::Complex(i) => {
                self.tables
                    .complex_types
                    .get(i as usize)
                    .map(|c| match c.derivation {
                        Derivation::Extension(b) | Derivation::Restriction(b) => b,
                    })
            }
            TypeRef::Unavailable(_) => None,
        }
    }

    /// Whether `t` is `base` or derived from it.
    pub(crate) fn derives(&self, t: TypeRef, base: TypeRef) -> bool {
        let mut cur = Some(t);
        let mut steps = 0;
        while let Some(c) = cur {
            if c == base {
                return true;
            }
            steps += 1;
            if steps > 256 {
                return false;
            }
            cur = self.base_of(c);
        }
        false
    }

    pub(crate) fn type_name(&self, t: TypeRef) -> String {
        match t {
            TypeRef::Builtin(b) => format!("xs:{}", b.xsd_name()),
            TypeRef::Simple(i) => self
                .simple
                .get(i as usize)
                .map_or_else(|| "?".into(), |s| s.name.clone()),
            TypeRef::Complex(i) => self
                .complex
                .get(i as usize)
                .map_or_else(|| "?".into(), |c| c.name.clone()),
            TypeRef::Unavailable(i) => self
                .tables
                .unavailable_types
                .get(i as usize)
                .map_or_else(|| "?".into(), |q| self.qname(q)),
        }
    }

    pub(crate) fn qname(&self, q: &QName) -> String {
        display_name(self.ns_uri(q.ns), q.local)
    }
}

/// `prefix:local` for the namespaces DUIS uses, `{uri}local` otherwise.
pub(crate) fn display_name(ns_uri: &str, local: &str) -> String {
    match prefix_for(ns_uri) {
        Some("") => local.to_owned(),
        Some(p) => format!("{p}:{local}"),
        None => format!("{{{ns_uri}}}{local}"),
    }
}

pub(crate) fn prefix_for(ns_uri: &str) -> Option<&'static str> {
    Some(match ns_uri {
        "" => "",
        "http://www.dccinterface.co.uk/ServiceUserGateway" => "sr",
        "http://www.dccinterface.co.uk/ResponseAndAlert" => "ra",
        "http://www.w3.org/2000/09/xmldsig#" => "ds",
        "http://www.w3.org/2001/XMLSchema-instance" => "xsi",
        XS_NS => "xs",
        "http://www.w3.org/XML/1998/namespace" => "xml",
        _ => return None,
    })
}

/// Effective content of a complex type before automaton construction.
enum Effective {
    Empty,
    Particles(Vec<Particle>),
    Simple(TypeRef),
}

struct Ctx {
    tables: &'static SchemaTables,
}

impl Ctx {
    fn complex_def(&self, i: u32) -> Result<&'static crate::tables::ComplexTypeDef, BuildError> {
        self.tables
            .complex_types
            .get(i as usize)
            .ok_or_else(|| BuildError::BadIndex(format!("complex type {i}")))
    }

    fn name_of(&self, name: Option<QName>, what: &str, index: u32) -> String {
        match name {
            Some(q) => display_name(
                self.tables
                    .namespaces
                    .get(q.ns as usize)
                    .copied()
                    .unwrap_or(""),
                q.local,
            ),
            None => format!("anonymous {what} #{index}"),
        }
    }

    fn effective(&self, i: u32, depth: usize) -> Result<Effective, BuildError> {
        if depth > 64 {
            return Err(BuildError::TooLarge("type derivation chain".into()));
        }
        let def = self.complex_def(i)?;
        match (def.derivation, def.content) {
            (_, ContentDef::Simple(t)) => Ok(Effective::Simple(t)),
            (Derivation::Extension(TypeRef::Complex(b)), own) => {
                let base = self.effective(b, depth + 1)?;
                Ok(match (base, own) {
                    (Effective::Simple(t), ContentDef::Empty) => Effective::Simple(t),
                    (Effective::Simple(_), ContentDef::Elements(_)) => {
                        return Err(BuildError::Unsupported(
                            "complexContent extension of a simple-content type".into(),
                        ));
                    }
                    (Effective::Empty, ContentDef::Empty) => Effective::Empty,
                    (Effective::Empty, ContentDef::Elements(p)) => Effective::Particles(vec![p]),
                    (Effective::Particles(v), ContentDef::Empty) => Effective::Particles(v),
                    (Effective::Particles(mut v), ContentDef::Elements(p)) => {
                        v.push(p);
                        Effective::Particles(v)
                    }
                    (_, ContentDef::Simple(t)) => Effective::Simple(t),
                })
            }
            (Derivation::Extension(TypeRef::Builtin(Builtin::AnyType)), _) => Err(
                BuildError::Unsupported("complexContent extension of xs:anyType".into()),
            ),
            (Derivation::Extension(TypeRef::Unavailable(_)), _)
            | (Derivation::Restriction(TypeRef::Unavailable(_)), _) => Err(
                BuildError::Unsupported("derivation from an unavailable type".into()),
            ),
            (_, ContentDef::Empty) => Ok(Effective::Empty),
            (_, ContentDef::Elements(p)) => Ok(Effective::Particles(vec![p])),
        }
    }

    fn attributes(
        &self,
        i: u32,
        depth: usize,
    ) -> Result<(Vec<AttributeDecl>, Option<Wildcard>), BuildError> {
        if depth > 64 {
            return Err(BuildError::TooLarge("type derivation chain".into()));
        }
        let def = self.complex_def(i)?;
        let (mut attrs, mut wildcard) = match def.derivation {
            Derivation::Extension(TypeRef::Complex(b))
            | Derivation::Restriction(TypeRef::Complex(b)) => self.attributes(b, depth + 1)?,
            _ => (Vec::new(), None),
        };
        for a in def.attributes {
            attrs.retain(|x| !(x.ns == a.ns && x.name == a.name));
            if a.use_ != AttributeUse::Prohibited {
                attrs.push(*a);
            }
        }
        match (&def.derivation, def.attribute_wildcard) {
            (Derivation::Restriction(_), w) => wildcard = w,
            (Derivation::Extension(_), Some(w)) => {
                if let Some(base) = wildcard
                    && base != w
                {
                    return Err(BuildError::Unsupported(
                        "union of two different attribute wildcards".into(),
                    ));
                }
                wildcard = Some(w);
            }
            (Derivation::Extension(_), None) => {}
        }
        Ok((attrs, wildcard))
    }

    fn complex(&self, i: u32) -> Result<CompiledComplex, BuildError> {
        let def = self.complex_def(i)?;
        let name = self.name_of(def.name, "complex type", i);
        let content = match self.effective(i, 0)? {
            Effective::Empty => Content::Empty,
            Effective::Simple(t) => Content::Simple(t),
            Effective::Particles(parts) => {
                let all = parts.iter().find_map(|p| match p.term {
                    Term::All(members) => Some((p, members)),
                    _ => None,
                });
                match all {
                    Some((p, members)) if parts.len() == 1 => {
                        let mut out = Vec::with_capacity(members.len());
                        for m in members {
                            match m.term {
                                Term::Element(e) => out.push((e, m.min > 0)),
                                _ => {
                                    return Err(BuildError::Unsupported(
                                        "xs:all member that is not an element".into(),
                                    ));
                                }
                            }
                        }
                        if out.len() > 64 {
                            return Err(BuildError::TooLarge("xs:all group".into()));
                        }
                        Content::All(AllModel {
                            members: out,
                            optional: p.min == 0,
                        })
                    }
                    Some(_) => {
                        return Err(BuildError::Unsupported(
                            "xs:all combined with other particles".into(),
                        ));
                    }
                    None => Content::Elements(automaton::build(self.tables, &parts, &name)?),
                }
            }
        };
        let (attributes, attribute_wildcard) = self.attributes(i, 0)?;
        Ok(CompiledComplex {
            name,
            is_abstract: def.is_abstract,
            mixed: def.mixed,
            content,
            attributes,
            attribute_wildcard,
        })
    }

    fn simple(&self, i: u32) -> Result<CompiledSimple, BuildError> {
        // Walk to the built-in, collecting restriction steps.
        let mut chain = Vec::new();
        let mut cur = TypeRef::Simple(i);
        let builtin = loop {
            match cur {
                TypeRef::Simple(j) => {
                    let def = self
                        .tables
                        .simple_types
                        .get(j as usize)
                        .ok_or_else(|| BuildError::BadIndex(format!("simple type {j}")))?;
                    chain.push(def);
                    if chain.len() > 64 {
                        return Err(BuildError::TooLarge("simple type derivation chain".into()));
                    }
                    cur = def.base;
                }
                TypeRef::Builtin(Builtin::AnyType) => {
                    return Err(BuildError::Unsupported(
                        "simple type derived from xs:anyType".into(),
                    ));
                }
                TypeRef::Builtin(b) => break b,
                TypeRef::Complex(_) | TypeRef::Unavailable(_) => {
                    return Err(BuildError::Unsupported(
                        "simple type derived from a complex or unavailable type".into(),
                    ));
                }
            }
        };
        let name = self.name_of(
            self.tables
                .simple_types
                .get(i as usize)
                .and_then(|d| d.name),
            "simple type",
            i,
        );
        let mut compiled = CompiledSimple {
            name: name.clone(),
            builtin,
            whitespace: builtin.whitespace(),
            steps: Vec::new(),
        };
        for def in chain.iter().rev() {
            let mut step = FacetStep::default();
            for f in def.facets {
                self.facet(&mut compiled, &mut step, f, &name)?;
            }
            compiled.steps.push(step);
        }
        Ok(compiled)
    }

    fn facet(
        &self,
        c: &mut CompiledSimple,
        step: &mut FacetStep,
        f: &Facet,
        name: &str,
    ) -> Result<(), BuildError> {
        let prim = c.builtin.primitive();
        let bad = |detail: String| BuildError::BadFacet {
            type_name: name.to_owned(),
            detail,
        };
        let lengthy = matches!(
            prim,
            Primitive::String
                | Primitive::AnyUri
                | Primitive::HexBinary
                | Primitive::Base64Binary
                | Primitive::Any
        );
        let bound = |v: &'static str| -> Result<(Bound, &'static str), BuildError> {
            match prim {
                Primitive::Decimal => {
                    let norm = builtins::normalize(v, WhiteSpace::Collapse);
                    let d = builtins::check(c.builtin, &norm)
                        .ok()
                        .and_then(|val| match val {
                            Value::Dec(d) => Some(d),
                            _ => None,
                        })
                        .ok_or_else(|| bad(format!("bound {v:?} is not a valid value")))?;
                    Ok((
                        Bound::Dec {
                            neg: d.neg,
                            int: d.int.to_owned(),
                            frac: d.frac.to_owned(),
                        },
                        v,
                    ))
                }
                Primitive::Float => match builtins::check(c.builtin, v.trim()) {
                    Ok(Value::Float(x)) => Ok((Bound::Float(x), v)),
                    _ => Err(bad(format!("bound {v:?} is not a valid value"))),
                },
                _ => Err(BuildError::Unsupported(format!(
                    "range facets on {}",
                    c.builtin.xsd_name()
                ))),
            }
        };
        match *f {
            Facet::Length(n) | Facet::MinLength(n) | Facet::MaxLength(n) => {
                if !lengthy {
                    return Err(bad(format!("length facet on {}", c.builtin.xsd_name())));
                }
                match *f {
                    Facet::Length(_) => step.length = Some(n),
                    Facet::MinLength(_) => step.min_length = Some(n),
                    _ => step.max_length = Some(n),
                }
            }
            Facet::Pattern(alternatives) => {
                let mut parts = Vec::with_capacity(alternatives.len());
                for p in alternatives {
                    parts.push(format!("(?:{})", xsd_regex::translate(p)?));
                }
                let joined = parts.join("|");
                let re = regex::RegexBuilder::new(&joined)
                    .size_limit(64 << 20)
                    .build()
                    .map_err(|e| BuildError::Regex {
                        pattern: alternatives.join("|"),
                        message: e.to_string(),
                    })?;
                step.pattern = Some((re, alternatives));
            }
            Facet::Enumeration(values) => {
                if matches!(prim, Primitive::Temporal | Primitive::Duration) {
                    return Err(BuildError::Unsupported(format!(
                        "enumeration on {}",
                        c.builtin.xsd_name()
                    )));
                }
                let mut list = Vec::with_capacity(values.len());
                for v in values {
                    let norm = builtins::normalize(v, c.whitespace).into_owned();
                    if builtins::check(c.builtin, &norm).is_err() {
                        return Err(bad(format!("enumeration value {v:?} is not valid")));
                    }
                    list.push(norm);
                }
                let set = list.iter().cloned().collect();
                step.enumeration = Some((list, set));
            }
            Facet::MinInclusive(v) => step.min_inclusive = Some(bound(v)?),
            Facet::MaxInclusive(v) => step.max_inclusive = Some(bound(v)?),
            Facet::MinExclusive(v) => step.min_exclusive = Some(bound(v)?),
            Facet::MaxExclusive(v) => step.max_exclusive = Some(bound(v)?),
            Facet::TotalDigits(n) | Facet::FractionDigits(n) => {
                if prim != Primitive::Decimal {
                    return Err(bad("digit facets apply to decimals only".into()));
                }
                if matches!(f, Facet::TotalDigits(_)) {
                    step.total_digits = Some(n);
                } else {
                    step.fraction_digits = Some(n);
                }
            }
            Facet::WhiteSpace(ws) => {
                if prim != Primitive::String && ws != WhiteSpace::Collapse {
                    return Err(bad("whiteSpace other than collapse on a non-string".into()));
                }
                c.whitespace = ws;
            }
        }
        Ok(())
    }
}

/// Compile all tables.
pub(crate) fn compile(tables: &'static SchemaTables) -> Result<Compiled, BuildError> {
    let ctx = Ctx { tables };
    let mut complex = Vec::with_capacity(tables.complex_types.len());
    for i in 0..tables.complex_types.len() {
        complex.push(ctx.complex(i as u32)?);
    }
    let mut simple = Vec::with_capacity(tables.simple_types.len());
    for i in 0..tables.simple_types.len() {
        simple.push(ctx.simple(i as u32)?);
    }
    // Indexed by `Builtin as usize` (ALL is in declaration order).
    let builtin_simple: Vec<CompiledSimple> = Builtin::ALL
        .into_iter()
        .map(CompiledSimple::from_builtin)
        .collect();
    if builtin_simple
        .iter()
        .enumerate()
        .any(|(i, s)| s.builtin as usize != i)
    {
        return Err(BuildError::BadIndex("built-in type order".into()));
    }
    let mut globals = HashMap::new();
    for &g in tables.global_elements {
        let decl = tables
            .elements
            .get(g as usize)
            .ok_or_else(|| BuildError::BadIndex(format!("global element {g}")))?;
        globals.insert((decl.ns, decl.name), g);
    }
    let mut types_by_name = HashMap::new();
    for (i, c) in tables.complex_types.iter().enumerate() {
        if let Some(q) = c.name {
            types_by_name.insert((q.ns, q.local), TypeRef::Complex(i as u32));
        }
    }
    for (i, s) in tables.simple_types.iter().enumerate() {
        if let Some(q) = s.name {
            types_by_name.insert((q.ns, q.local), TypeRef::Simple(i as u32));
        }
    }
    for c in &complex {
        for a in &c.attributes {
            let ok = match a.ty {
                TypeRef::Simple(j) => (j as usize) < simple.len(),
                TypeRef::Builtin(b) => b != Builtin::AnyType,
                _ => false,
            };
            if !ok {
                return Err(BuildError::BadIndex(format!(
                    "type of attribute {} of {}",
                    a.name, c.name
                )));
            }
        }
    }
    // Check every element's type reference once, so validation can rely on it.
    for (i, e) in tables.elements.iter().enumerate() {
        let ok = match e.ty {
            TypeRef::Simple(j) => (j as usize) < simple.len(),
            TypeRef::Complex(j) => (j as usize) < complex.len(),
            TypeRef::Unavailable(j) => (j as usize) < tables.unavailable_types.len(),
            TypeRef::Builtin(_) => true,
        };
        if !ok {
            return Err(BuildError::BadIndex(format!("type of element {i}")));
        }
    }
    Ok(Compiled {
        tables,
        complex,
        simple,
        builtin_simple,
        globals,
        types_by_name,
    })
}
