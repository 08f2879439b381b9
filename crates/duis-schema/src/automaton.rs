//! Content models compiled to deterministic automata.
//!
//! A content model (a particle tree) is unrolled into a regular expression
//! over *positions* (each occurrence of an element declaration or wildcard;
//! `minOccurs`/`maxOccurs` are expanded, `p{2,4}` becoming `p p (p (p)?)?`),
//! from which the Glushkov position automaton is built; a subset
//! construction makes it deterministic. Each DFA state lists its outgoing
//! edges sorted by element name, so matching a child is a binary search and
//! validation never backtracks.
//!
//! XSD's Unique Particle Attribution and Element Declarations Consistent
//! constraints are checked while building: two edges for the same name with
//! different types, or a wildcard overlapping an element or another
//! wildcard in the same state, are reported as [`BuildError::Ambiguous`].

use std::collections::HashMap;

use crate::error::BuildError;
use crate::tables::{MaxOccurs, NsConstraint, Particle, SchemaTables, Term, Wildcard};

/// Most positions one content model may unroll to.
const MAX_POSITIONS: usize = 50_000;
/// Most DFA states one content model may have.
const MAX_STATES: usize = 50_000;

/// A namespace of an instance item: an index into the schema's namespace
/// table, or `None` for a namespace the schema does not know.
pub(crate) type NsId = Option<u8>;

/// Whether a wildcard's namespace constraint admits `ns`.
pub(crate) fn admits(c: &NsConstraint, ns: NsId) -> bool {
    match c {
        NsConstraint::Any => true,
        NsConstraint::Other(t) => ns != Some(*t) && ns != Some(0),
        NsConstraint::List(list) => ns.is_some_and(|n| list.contains(&n)),
    }
}

fn overlaps(a: &NsConstraint, b: &NsConstraint) -> bool {
    match (a, b) {
        (NsConstraint::Any, _) | (_, NsConstraint::Any) => true,
        (NsConstraint::Other(_), NsConstraint::Other(_)) => true,
        (NsConstraint::Other(t), NsConstraint::List(l))
        | (NsConstraint::List(l), NsConstraint::Other(t)) => l.iter().any(|n| n != t && *n != 0),
        (NsConstraint::List(x), NsConstraint::List(y)) => x.iter().any(|n| y.contains(n)),
    }
}

#[derive(Debug, Clone, Copy)]
enum Leaf {
    Element(u32),
    Any(Wildcard),
}

enum Re {
    Eps,
    Never,
    Pos(u32),
    Seq(Vec<Re>),
    Alt(Vec<Re>),
    Star(Box<Re>),
}

/// An edge on an element name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ElemEdge {
    pub local: &'static str,
    pub ns: u8,
    /// Element declaration index.
    pub decl: u32,
    pub target: u32,
}

/// A DFA state.
#[derive(Debug, Clone, Default)]
pub(crate) struct DState {
    pub accepting: bool,
    /// Sorted by (local, ns).
    pub elements: Vec<ElemEdge>,
    pub wildcards: Vec<(Wildcard, u32)>,
}

/// What a child element matched.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Matched {
    Element { decl: u32, target: u32 },
    Wildcard { wildcard: Wildcard, target: u32 },
}

/// A deterministic content-model automaton; state 0 is the start.
#[derive(Debug, Clone)]
pub(crate) struct Dfa {
    pub states: Vec<DState>,
}

impl Dfa {
    pub(crate) fn step(&self, state: u32, ns: NsId, local: &str) -> Option<Matched> {
        let st = self.states.get(state as usize)?;
        if let Some(ns_id) = ns {
            let lo = st
                .elements
                .partition_point(|e| (e.local, e.ns) < (local, ns_id));
            if let Some(e) = st.elements.get(lo)
                && e.local == local
                && e.ns == ns_id
            {
                return Some(Matched::Element {
                    decl: e.decl,
                    target: e.target,
                });
            }
        }
        st.wildcards
            .iter()
            .find(|(w, _)| admits(&w.ns, ns))
            .map(|&(wildcard, target)| Matched::Wildcard { wildcard, target })
    }

    pub(crate) fn accepting(&self, state: u32) -> bool {
        self.states.get(state as usize).is_some_and(|s| s.accepting)
    }
}

struct Builder<'t> {
    tables: &'t SchemaTables,
    leaves: Vec<Leaf>,
}

impl Builder<'_> {
    fn leaf(&mut self, leaf: Leaf) -> Result<Re, BuildError> {
        if self.leaves.len() >= MAX_POSITIONS {
            return Err(BuildError::TooLarge("content model".into()));
        }
        self.leaves.push(leaf);
        // position 0 is the start sentinel
        Ok(Re::Pos(self.leaves.len() as u32))
    }

    fn term(&mut self, term: &Term) -> Result<Re, BuildError> {
        Ok(match term {
            Term::Element(i) => {
                if self.tables.elements.get(*i as usize).is_none() {
                    return Err(BuildError::BadIndex(format!("element {i}")));
                }
                self.leaf(Leaf::Element(*i))?
            }
            Term::Any(w) => self.leaf(Leaf::Any(*w))?,
            Term::Sequence(ps) => {
                let mut v = Vec::with_capacity(ps.len());
                for p in *ps {
                    v.push(self.particle(p)?);
                }
                Re::Seq(v)
            }
            Term::Choice(ps) => {
                if ps.is_empty() {
                    Re::Never
                } else {
                    let mut v = Vec::with_capacity(ps.len());
                    for p in *ps {
                        v.push(self.particle(p)?);
                    }
                    Re::Alt(v)
                }
            }
            Term::All(_) => {
                return Err(BuildError::Unsupported(
                    "xs:all nested inside another model group".into(),
                ));
            }
        })
    }

    fn particle(&mut self, p: &Particle) -> Result<Re, BuildError> {
        let max = match p.max {
            MaxOccurs::Bounded(m) => Some(m),
            MaxOccurs::Unbounded => None,
        };
        if max.is_some_and(|m| m < p.min) {
            return Err(BuildError::Unsupported("maxOccurs below minOccurs".into()));
        }
        if p.min > 10_000 || max.is_some_and(|m| m > 10_000) {
            return Err(BuildError::TooLarge("occurrence range".into()));
        }
        if max == Some(0) {
            return Ok(Re::Eps);
        }
        let mut seq = Vec::new();
        for _ in 0..p.min {
            seq.push(self.term(&p.term)?);
        }
        match max {
            None => seq.push(Re::Star(Box::new(self.term(&p.term)?))),
            Some(m) => {
                let mut tail = Re::Eps;
                for _ in p.min..m {
                    let t = self.term(&p.term)?;
                    tail = Re::Alt(vec![Re::Seq(vec![t, tail]), Re::Eps]);
                }
                seq.push(tail);
            }
        }
        Ok(if seq.len() == 1 {
            seq.pop().unwrap_or(Re::Eps)
        } else {
            Re::Seq(seq)
        })
    }
}

/// Union of sorted position lists.
fn union_into(dst: &mut Vec<u32>, src: &[u32]) {
    if src.is_empty() {
        return;
    }
    dst.extend_from_slice(src);
    dst.sort_unstable();
    dst.dedup();
}

struct Glushkov {
    follow: Vec<Vec<u32>>,
}

struct Info {
    nullable: bool,
    first: Vec<u32>,
    last: Vec<u32>,
}

impl Glushkov {
    fn visit(&mut self, re: &Re) -> Info {
        match re {
            Re::Eps => Info {
                nullable: true,
                first: vec![],
                last: vec![],
            },
            Re::Never => Info {
                nullable: false,
                first: vec![],
                last: vec![],
            },
            Re::Pos(p) => Info {
                nullable: false,
                first: vec![*p],
                last: vec![*p],
            },
            Re::Seq(items) => {
                let mut acc = Info {
                    nullable: true,
                    first: vec![],
                    last: vec![],
                };
                let mut never = false;
                for item in items {
                    let i = self.visit(item);
                    if matches!(item, Re::Never) {
                        never = true;
                    }
                    for &p in &acc.last {
                        if let Some(f) = self.follow.get_mut(p as usize) {
                            union_into(f, &i.first);
                        }
                    }
                    if acc.nullable {
                        union_into(&mut acc.first, &i.first);
                    }
                    if i.nullable {
                        union_into(&mut acc.last, &i.last);
                    } else {
                        acc.last = i.last;
                    }
                    acc.nullable = acc.nullable && i.nullable;
                }
                if never {
                    // A sequence containing an unsatisfiable choice matches nothing.
                    acc.nullable = false;
                    acc.last.clear();
                }
                acc
            }
            Re::Alt(items) => {
                let mut acc = Info {
                    nullable: false,
                    first: vec![],
                    last: vec![],
                };
                for item in items {
                    let i = self.visit(item);
                    acc.nullable |= i.nullable;
                    union_into(&mut acc.first, &i.first);
                    union_into(&mut acc.last, &i.last);
                }
                acc
            }
            Re::Star(inner) => {
                let i = self.visit(inner);
                for &p in &i.last {
                    if let Some(f) = self.follow.get_mut(p as usize) {
                        union_into(f, &i.first);
                    }
                }
                Info {
                    nullable: true,
                    first: i.first,
                    last: i.last,
                }
            }
        }
    }
}

/// Build the automaton of the sequence of `parts` (the content model of a
/// type: an extension's base particle followed by its own).
pub(crate) fn build(
    tables: &SchemaTables,
    parts: &[Particle],
    type_name: &str,
) -> Result<Dfa, BuildError> {
    let mut b = Builder {
        tables,
        leaves: Vec::new(),
    };
    let mut seq = Vec::with_capacity(parts.len());
    for p in parts {
        seq.push(b.particle(p)?);
    }
    let re = Re::Seq(seq);
    let n = b.leaves.len() + 1;
    let mut g = Glushkov {
        follow: vec![Vec::new(); n],
    };
    let info = g.visit(&re);
    g.follow[0] = info.first.clone();
    let mut is_last = vec![false; n];
    for &p in &info.last {
        if let Some(slot) = is_last.get_mut(p as usize) {
            *slot = true;
        }
    }
    is_last[0] = info.nullable;

    let leaf = |p: u32| -> Option<Leaf> { b.leaves.get((p as usize).checked_sub(1)?).copied() };

    let mut sets: Vec<Vec<u32>> = vec![vec![0]];
    let mut index: HashMap<Vec<u32>, u32> = HashMap::new();
    index.insert(vec![0], 0);
    let mut states: Vec<DState> = Vec::new();
    let mut next = 0usize;
    while next < sets.len() {
        let set = sets[next].clone();
        next += 1;
        let mut candidates: Vec<u32> = Vec::new();
        for &p in &set {
            if let Some(f) = g.follow.get(p as usize) {
                union_into(&mut candidates, f);
            }
        }
        let mut by_name: Vec<((&'static str, u8), Vec<u32>)> = Vec::new();
        let mut by_wild: Vec<(Wildcard, Vec<u32>)> = Vec::new();
        for &p in &candidates {
            match leaf(p) {
                Some(Leaf::Element(e)) => {
                    let decl = tables
                        .elements
                        .get(e as usize)
                        .ok_or_else(|| BuildError::BadIndex(format!("element {e}")))?;
                    let key = (decl.name, decl.ns);
                    match by_name.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, v)) => v.push(p),
                        None => by_name.push((key, vec![p])),
                    }
                }
                Some(Leaf::Any(w)) => match by_wild.iter_mut().find(|(k, _)| *k == w) {
                    Some((_, v)) => v.push(p),
                    None => by_wild.push((w, vec![p])),
                },
                None => return Err(BuildError::BadIndex(format!("position {p}"))),
            }
        }
        let mut st = DState {
            accepting: set.iter().any(|&p| is_last.get(p as usize) == Some(&true)),
            ..DState::default()
        };
        for (i, (wa, _)) in by_wild.iter().enumerate() {
            for (wb, _) in by_wild.iter().skip(i + 1) {
                if overlaps(&wa.ns, &wb.ns) {
                    return Err(BuildError::Ambiguous {
                        type_name: type_name.to_owned(),
                        detail: "two wildcards admit the same namespace".into(),
                    });
                }
            }
        }
        for ((local, ns), positions) in &by_name {
            // Element Declarations Consistent: one type per name.
            let mut decls = positions.iter().filter_map(|&p| match leaf(p) {
                Some(Leaf::Element(e)) => Some(e),
                _ => None,
            });
            let first = decls
                .next()
                .ok_or_else(|| BuildError::BadIndex("empty edge".into()))?;
            let first_ty = tables.elements.get(first as usize).map(|d| d.ty);
            for other in decls {
                if tables.elements.get(other as usize).map(|d| d.ty) != first_ty {
                    return Err(BuildError::Ambiguous {
                        type_name: type_name.to_owned(),
                        detail: format!("element {local} is declared with different types"),
                    });
                }
            }
            if by_wild.iter().any(|(w, _)| admits(&w.ns, Some(*ns))) {
                return Err(BuildError::Ambiguous {
                    type_name: type_name.to_owned(),
                    detail: format!("element {local} is also admitted by a wildcard"),
                });
            }
            let target = intern(&mut sets, &mut index, positions.clone())?;
            st.elements.push(ElemEdge {
                local,
                ns: *ns,
                decl: first,
                target,
            });
        }
        for (w, positions) in by_wild {
            let target = intern(&mut sets, &mut index, positions)?;
            st.wildcards.push((w, target));
        }
        st.elements
            .sort_by(|a, b| (a.local, a.ns).cmp(&(b.local, b.ns)));
        states.push(st);
    }
    Ok(Dfa { states })
}

fn intern(
    sets: &mut Vec<Vec<u32>>,
    index: &mut HashMap<Vec<u32>, u32>,
    mut set: Vec<u32>,
) -> Result<u32, BuildError> {
    set.sort_unstable();
    set.dedup();
    if let Some(&i) = index.get(&set) {
        return Ok(i);
    }
    if sets.len() >= MAX_STATES {
        return Err(BuildError::TooLarge("content model automaton".into()));
    }
    let i = sets.len() as u32;
    sets.push(set.clone());
    index.insert(set, i);
    Ok(i)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tables::*;

    static NS: [&str; 3] = ["", "urn:a", "urn:b"];
    static ELEMS: [ElementDecl; 3] = [
        ElementDecl {
            ns: 1,
            name: "a",
            ty: TypeRef::Builtin(Builtin::String),
            nillable: false,
            is_abstract: false,
            fixed: None,
        },
        ElementDecl {
            ns: 1,
            name: "b",
            ty: TypeRef::Builtin(Builtin::String),
            nillable: false,
            is_abstract: false,
            fixed: None,
        },
        ElementDecl {
            ns: 1,
            name: "a",
            ty: TypeRef::Builtin(Builtin::Int),
            nillable: false,
            is_abstract: false,
            fixed: None,
        },
    ];
    static TABLES: SchemaTables = SchemaTables {
        namespaces: &NS,
        elements: &ELEMS,
        global_elements: &[],
        simple_types: &[],
        complex_types: &[],
        unavailable_types: &[],
    };

    const fn el(i: u32, min: u32, max: MaxOccurs) -> Particle {
        Particle {
            min,
            max,
            term: Term::Element(i),
        }
    }

    fn run(dfa: &Dfa, names: &[&str]) -> bool {
        let mut s = 0;
        for n in names {
            match dfa.step(s, Some(1), n) {
                Some(Matched::Element { target, .. }) | Some(Matched::Wildcard { target, .. }) => {
                    s = target
                }
                None => return false,
            }
        }
        dfa.accepting(s)
    }

    #[test]
    fn counted_repetition() {
        // (a, b?){2,3}
        static INNER: [Particle; 2] = [
            el(0, 1, MaxOccurs::Bounded(1)),
            el(1, 0, MaxOccurs::Bounded(1)),
        ];
        let p = Particle {
            min: 2,
            max: MaxOccurs::Bounded(3),
            term: Term::Sequence(&INNER),
        };
        let dfa = build(&TABLES, &[p], "t").unwrap();
        assert!(!run(&dfa, &["a"]));
        assert!(run(&dfa, &["a", "a"]));
        assert!(run(&dfa, &["a", "b", "a"]));
        assert!(run(&dfa, &["a", "b", "a", "b", "a", "b"]));
        assert!(!run(&dfa, &["a", "a", "a", "a"]));
        assert!(!run(&dfa, &["b", "a"]));
        assert!(!run(&dfa, &["a", "b", "b", "a"]));
    }

    #[test]
    fn optional_repeats_need_subset_construction() {
        // (a?){2}: ambiguous positions, same particle: allowed, at most 2 a's.
        static INNER: [Particle; 1] = [el(0, 0, MaxOccurs::Bounded(1))];
        let p = Particle {
            min: 2,
            max: MaxOccurs::Bounded(2),
            term: Term::Sequence(&INNER),
        };
        let dfa = build(&TABLES, &[p], "t").unwrap();
        assert!(run(&dfa, &[]));
        assert!(run(&dfa, &["a"]));
        assert!(run(&dfa, &["a", "a"]));
        assert!(!run(&dfa, &["a", "a", "a"]));
    }

    #[test]
    fn unbounded_and_choice() {
        static ALTS: [Particle; 2] = [
            el(0, 1, MaxOccurs::Bounded(1)),
            el(1, 1, MaxOccurs::Bounded(1)),
        ];
        let p = Particle {
            min: 1,
            max: MaxOccurs::Unbounded,
            term: Term::Choice(&ALTS),
        };
        let dfa = build(&TABLES, &[p], "t").unwrap();
        assert!(!run(&dfa, &[]));
        assert!(run(&dfa, &["b", "a", "b", "b"]));
        assert!(!run(&dfa, &["c"]));
    }

    #[test]
    fn empty_choice_matches_nothing() {
        let p = Particle {
            min: 1,
            max: MaxOccurs::Bounded(1),
            term: Term::Choice(&[]),
        };
        let dfa = build(&TABLES, &[p], "t").unwrap();
        assert!(!run(&dfa, &[]));
    }

    #[test]
    fn inconsistent_declarations_are_rejected() {
        static ALTS: [Particle; 2] = [
            el(0, 1, MaxOccurs::Bounded(1)),
            el(2, 1, MaxOccurs::Bounded(1)),
        ];
        let p = Particle {
            min: 1,
            max: MaxOccurs::Bounded(1),
            term: Term::Choice(&ALTS),
        };
        assert!(matches!(
            build(&TABLES, &[p], "t"),
            Err(BuildError::Ambiguous { .. })
        ));
    }

    #[test]
    fn wildcards() {
        static PARTS: [Particle; 2] = [
            el(0, 0, MaxOccurs::Bounded(1)),
            Particle {
                min: 0,
                max: MaxOccurs::Unbounded,
                term: Term::Any(Wildcard {
                    ns: NsConstraint::Other(1),
                    process: ProcessContents::Lax,
                }),
            },
        ];
        let dfa = build(&TABLES, &PARTS, "t").unwrap();
        assert!(matches!(
            dfa.step(0, Some(1), "a"),
            Some(Matched::Element { .. })
        ));
        assert!(matches!(
            dfa.step(0, Some(2), "x"),
            Some(Matched::Wildcard { .. })
        ));
        assert!(matches!(
            dfa.step(0, None, "x"),
            Some(Matched::Wildcard { .. })
        ));
        assert!(dfa.step(0, Some(0), "x").is_none());
        assert!(dfa.step(0, Some(1), "b").is_none());

        static BAD: [Particle; 2] = [
            el(0, 0, MaxOccurs::Bounded(1)),
            Particle {
                min: 0,
                max: MaxOccurs::Bounded(1),
                term: Term::Any(Wildcard {
                    ns: NsConstraint::Any,
                    process: ProcessContents::Lax,
                }),
            },
        ];
        assert!(build(&TABLES, &BAD, "t").is_err());
    }
}
