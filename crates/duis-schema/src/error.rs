//! Error types.

use crate::xsd_regex::PatternError;

/// Why a document is not a valid instance of the schema.
///
/// `path` fields are element paths such as `/sr:Request/sr:Header/sr:RequestID`
/// (prefixes: `sr` ServiceUserGateway, `ra` ResponseAndAlert, `ds` XML-DSig;
/// other namespaces are written `{uri}`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The bytes are not well-formed (namespace-aware) XML 1.0.
    #[error("not well-formed XML at byte {offset}: {message}")]
    Malformed {
        /// Byte offset in the input (approximate for some errors).
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// Well-formed XML that the gateway refuses on principle: a DTD
    /// (entity expansion, external entities), or an encoding other than UTF-8.
    #[error("unsupported XML at byte {offset}: {what}")]
    Unsupported {
        /// Byte offset in the input.
        offset: u64,
        /// What was found.
        what: &'static str,
    },
    /// Elements nest deeper than the configured limit.
    #[error("{path}: elements nest deeper than {limit} levels")]
    TooDeep {
        /// Path of the element that was too deep.
        path: String,
        /// The limit.
        limit: usize,
    },
    /// The input has no document element.
    #[error("no document element")]
    NoRoot,
    /// The document element is not a global element declaration.
    #[error("document element {found} is not declared by the schema")]
    UnknownRoot {
        /// The element found.
        found: String,
    },
    /// The document element is declared but not the one required.
    #[error("document element is {found}, expected {expected}")]
    WrongRoot {
        /// Required element.
        expected: String,
        /// The element found.
        found: String,
    },
    /// A child element that the content model does not allow here.
    #[error("{path}: unexpected element {found}; expected {expected}")]
    UnexpectedElement {
        /// Path of the parent element.
        path: String,
        /// The element found.
        found: String,
        /// What the content model allows at this point.
        expected: String,
    },
    /// An element ended before its content model was satisfied.
    #[error("{path}: content is incomplete; expected {expected}")]
    Incomplete {
        /// Path of the element.
        path: String,
        /// What the content model still needs.
        expected: String,
    },
    /// Character data where the type allows none (element-only or empty
    /// content).
    #[error("{path}: character data {text:?} is not allowed in {content} content")]
    UnexpectedText {
        /// Path of the element.
        path: String,
        /// The text (shortened).
        text: String,
        /// `element-only` or `empty`.
        content: &'static str,
    },
    /// A required attribute is absent.
    #[error("{path}: required attribute {name} is missing")]
    MissingAttribute {
        /// Path of the element.
        path: String,
        /// The attribute.
        name: String,
    },
    /// An attribute the type does not declare.
    #[error("{path}: attribute {name} is not allowed")]
    UnexpectedAttribute {
        /// Path of the element.
        path: String,
        /// The attribute.
        name: String,
    },
    /// A value (element text or attribute) not in its simple type.
    #[error("{path}: value {value:?} is not a valid {type_name}: {reason}")]
    InvalidValue {
        /// Path of the element, with `/@name` for attributes.
        path: String,
        /// The value (shortened).
        value: String,
        /// The simple type.
        type_name: String,
        /// Which rule or facet failed.
        reason: String,
    },
    /// Two `xs:ID` values are equal.
    #[error("{path}: ID {id:?} is not unique")]
    DuplicateId {
        /// Where the second one is.
        path: String,
        /// The value.
        id: String,
    },
    /// An `xs:IDREF` names no ID of the document.
    #[error("IDREF {id:?} does not match any ID")]
    UnresolvedIdRef {
        /// The value.
        id: String,
    },
    /// `xsi:type`, `xsi:nil` or an abstract declaration/type misused.
    #[error("{path}: {reason}")]
    InvalidInstance {
        /// Path of the element.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The element's type comes from a schema document opendcc does not
    /// carry (the DUIS schema's `ResponseAndAlert` import), so it cannot be
    /// validated and is refused.
    #[error("{path}: type {type_name} is defined in a schema document that is not available")]
    UnavailableType {
        /// Path of the element.
        path: String,
        /// The type.
        type_name: String,
    },
    /// Events were fed to a [`crate::StreamValidator`] out of order.
    #[error("validator misuse: {0}")]
    Misuse(&'static str),
    /// The schema tables could not be compiled.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// Why schema tables could not be compiled into a validator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A table index is out of range.
    #[error("schema table index out of range: {0}")]
    BadIndex(String),
    /// A pattern facet is not a valid XSD regular expression.
    #[error(transparent)]
    Pattern(#[from] PatternError),
    /// The translated pattern was refused by the regex engine.
    #[error("pattern {pattern:?} could not be compiled: {message}")]
    Regex {
        /// The XSD pattern.
        pattern: String,
        /// The regex crate's message.
        message: String,
    },
    /// A content model violates Unique Particle Attribution or Element
    /// Declarations Consistent.
    #[error("content model of {type_name} is ambiguous: {detail}")]
    Ambiguous {
        /// The complex type.
        type_name: String,
        /// What overlaps.
        detail: String,
    },
    /// A content model or derivation chain is too large to compile.
    #[error("{0} is too large")]
    TooLarge(String),
    /// A schema feature the compiler does not implement.
    #[error("unsupported schema construct: {0}")]
    Unsupported(String),
    /// A facet value is not valid for its base type.
    #[error("facet of {type_name}: {detail}")]
    BadFacet {
        /// The simple type.
        type_name: String,
        /// What is wrong.
        detail: String,
    },
}
