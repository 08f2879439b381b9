//! The shape of the schema tables written by `tools/gen_duis_schema.py`.
//!
//! The tables mirror XSD 1.0 schema components closely: element declarations,
//! complex type definitions with their own (not yet inherited) particle and
//! attribute uses, and simple types as a restriction of a base type with
//! facets. [`crate::Schema::compile`] turns them into automata and checkers.
//!
//! Indices (`u32`) point into the arrays of the same [`SchemaTables`]; a
//! namespace is an index into [`SchemaTables::namespaces`], where index `0`
//! is "no namespace".

/// An expanded name: namespace index and local name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QName {
    /// Index into [`SchemaTables::namespaces`].
    pub ns: u8,
    /// Local part.
    pub local: &'static str,
}

/// Declares the built-in enum and its list of every variant from one list of names.
macro_rules! builtins {
    ($($v:ident),* $(,)?) => {
        /// The XSD 1.0 built-in datatypes the validator implements.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Builtin {
            $($v,)*
        }

        impl Builtin {
            /// All built-ins, in declaration order (so `ALL[b as usize] == b`).
            pub const ALL: [Builtin; [$(stringify!($v)),*].len()] = [$(Builtin::$v,)*];
        }
    };
}

builtins! {
    AnyType,
    AnySimpleType,
    String,
    NormalizedString,
    Token,
    Language,
    Name,
    NcName,
    NmToken,
    Id,
    IdRef,
    Boolean,
    Decimal,
    Integer,
    NonPositiveInteger,
    NegativeInteger,
    Long,
    Int,
    Short,
    Byte,
    NonNegativeInteger,
    UnsignedLong,
    UnsignedInt,
    UnsignedShort,
    UnsignedByte,
    PositiveInteger,
    Float,
    Double,
    Duration,
    DateTime,
    Time,
    Date,
    GYearMonth,
    GYear,
    GMonthDay,
    GDay,
    GMonth,
    HexBinary,
    Base64Binary,
    AnyUri,
}

/// A reference to a type definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// A built-in type.
    Builtin(Builtin),
    /// Index into [`SchemaTables::simple_types`].
    Simple(u32),
    /// Index into [`SchemaTables::complex_types`].
    Complex(u32),
    /// Index into [`SchemaTables::unavailable_types`]: a type from a schema
    /// document that was not available to the generator.
    Unavailable(u32),
}

/// An element declaration (global or local).
#[derive(Debug, Clone, Copy)]
pub struct ElementDecl {
    /// Namespace index.
    pub ns: u8,
    /// Local name.
    pub name: &'static str,
    /// Declared type.
    pub ty: TypeRef,
    /// `nillable="true"`.
    pub nillable: bool,
    /// `abstract="true"`.
    pub is_abstract: bool,
    /// `fixed="..."` value constraint.
    pub fixed: Option<&'static str>,
}

/// `maxOccurs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxOccurs {
    /// A finite bound.
    Bounded(u32),
    /// `unbounded`.
    Unbounded,
}

/// A particle: a term with an occurrence range.
#[derive(Debug, Clone, Copy)]
pub struct Particle {
    /// `minOccurs`.
    pub min: u32,
    /// `maxOccurs`.
    pub max: MaxOccurs,
    /// What occurs.
    pub term: Term,
}

/// The term of a particle.
#[derive(Debug, Clone, Copy)]
pub enum Term {
    /// Index into [`SchemaTables::elements`].
    Element(u32),
    /// An element wildcard (`xs:any`).
    Any(Wildcard),
    /// `xs:sequence`.
    Sequence(&'static [Particle]),
    /// `xs:choice`.
    Choice(&'static [Particle]),
    /// `xs:all`.
    All(&'static [Particle]),
}

/// A namespace constraint of a wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NsConstraint {
    /// `##any`.
    Any,
    /// `##other` relative to the given target namespace: any namespace but
    /// that one, and not "no namespace".
    Other(u8),
    /// An explicit list (`0` is `##local`).
    List(&'static [u8]),
}

/// `processContents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcessContents {
    /// Must be declared and valid.
    Strict,
    /// Validated when a declaration is known.
    Lax,
    /// Not validated.
    Skip,
}

/// An element or attribute wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Wildcard {
    /// Which namespaces it admits.
    pub ns: NsConstraint,
    /// How matched items are validated.
    pub process: ProcessContents,
}

/// `use` of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeUse {
    /// May be absent.
    Optional,
    /// Must be present.
    Required,
    /// Must be absent (restricting away an inherited attribute).
    Prohibited,
}

/// An attribute use of a complex type.
#[derive(Debug, Clone, Copy)]
pub struct AttributeDecl {
    /// Namespace index (`0` for unqualified attributes).
    pub ns: u8,
    /// Local name.
    pub name: &'static str,
    /// A simple type.
    pub ty: TypeRef,
    /// `use`.
    pub use_: AttributeUse,
    /// `fixed="..."`.
    pub fixed: Option<&'static str>,
}

/// How a complex type was derived from its base.
#[derive(Debug, Clone, Copy)]
pub enum Derivation {
    /// By extension of the given base.
    Extension(TypeRef),
    /// By restriction of the given base (`xs:anyType` for types written
    /// without complexContent/simpleContent).
    Restriction(TypeRef),
}

/// The content a complex type declares itself.
#[derive(Debug, Clone, Copy)]
pub enum ContentDef {
    /// No explicit particle (for an extension: just the base's content).
    Empty,
    /// An explicit particle (for an extension: appended to the base's).
    Elements(Particle),
    /// Simple content of the given simple type.
    Simple(TypeRef),
}

/// A complex type definition.
#[derive(Debug, Clone, Copy)]
pub struct ComplexTypeDef {
    /// Name, `None` for anonymous types.
    pub name: Option<QName>,
    /// `abstract="true"`.
    pub is_abstract: bool,
    /// `mixed="true"`.
    pub mixed: bool,
    /// Base type and derivation method.
    pub derivation: Derivation,
    /// Own content.
    pub content: ContentDef,
    /// Own attribute uses.
    pub attributes: &'static [AttributeDecl],
    /// Own attribute wildcard.
    pub attribute_wildcard: Option<Wildcard>,
}

/// `whiteSpace` facet values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhiteSpace {
    /// Keep as is.
    Preserve,
    /// Tab, CR, LF become spaces.
    Replace,
    /// Replace, then collapse runs of spaces and trim.
    Collapse,
}

/// A constraining facet of one restriction step.
#[derive(Debug, Clone, Copy)]
pub enum Facet {
    /// `length`.
    Length(u64),
    /// `minLength`.
    MinLength(u64),
    /// `maxLength`.
    MaxLength(u64),
    /// The `pattern` facets of one step (alternatives).
    Pattern(&'static [&'static str]),
    /// The `enumeration` facets of one step.
    Enumeration(&'static [&'static str]),
    /// `minInclusive`.
    MinInclusive(&'static str),
    /// `maxInclusive`.
    MaxInclusive(&'static str),
    /// `minExclusive`.
    MinExclusive(&'static str),
    /// `maxExclusive`.
    MaxExclusive(&'static str),
    /// `totalDigits`.
    TotalDigits(u32),
    /// `fractionDigits`.
    FractionDigits(u32),
    /// `whiteSpace`.
    WhiteSpace(WhiteSpace),
}

/// A simple type: a restriction of `base` by `facets`.
#[derive(Debug, Clone, Copy)]
pub struct SimpleTypeDef {
    /// Name, `None` for anonymous types.
    pub name: Option<QName>,
    /// A built-in or another simple type.
    pub base: TypeRef,
    /// Facets of this restriction step.
    pub facets: &'static [Facet],
}

/// All tables of one schema set.
#[derive(Debug, Clone, Copy)]
pub struct SchemaTables {
    /// Namespace URIs; index 0 is the empty string ("no namespace").
    pub namespaces: &'static [&'static str],
    /// Element declarations.
    pub elements: &'static [ElementDecl],
    /// Indices of the global element declarations.
    pub global_elements: &'static [u32],
    /// Simple types.
    pub simple_types: &'static [SimpleTypeDef],
    /// Complex types.
    pub complex_types: &'static [ComplexTypeDef],
    /// Names of types whose schema document was not available.
    pub unavailable_types: &'static [QName],
}

/// The DUIS 5.4 schema set (DUIS schema plus XML-DSig core schema).
pub static DUIS: SchemaTables = SchemaTables {
    namespaces: &crate::generated::NAMESPACES,
    elements: &crate::generated::ELEMENTS,
    global_elements: &crate::generated::GLOBAL_ELEMENTS,
    simple_types: &crate::generated::SIMPLE_TYPES,
    complex_types: &crate::generated::COMPLEX_TYPES,
    unavailable_types: &crate::generated::UNAVAILABLE_TYPES,
};
