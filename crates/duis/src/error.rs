//! Errors from parsing DUIS documents.

use crate::command_variant::CommandVariantError;
use crate::request_id::RequestIdError;

/// Why a byte string is not an acceptable DUIS request.
///
/// Every variant is cheap to build; values quoted from the input are clipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Larger than the caller's limit.
    #[error("document of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Elements nested deeper than the caller's limit.
    #[error("elements nested deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A document type declaration (`<!DOCTYPE`, and with it any `<!ENTITY`): refused outright,
    /// so no external or internal entity (XXE, entity expansion) can ever be processed.
    #[error("document type declarations (DOCTYPE / ENTITY) are forbidden")]
    DoctypeForbidden,
    /// A reference to an entity other than the five predefined ones or a character reference.
    #[error("reference to undeclared entity &{0};")]
    UndefinedEntity(String),
    /// Not UTF-8.
    #[error("document is not valid UTF-8")]
    NotUtf8,
    /// The XML declaration names an encoding other than UTF-8.
    #[error("unsupported encoding {0:?} (DUIS documents are UTF-8)")]
    UnsupportedEncoding(String),
    /// The XML declaration names a version other than 1.0.
    #[error("unsupported XML version {0:?}")]
    UnsupportedXmlVersion(String),
    /// A character XML 1.0 does not allow (control characters, U+FFFE, U+FFFF).
    #[error("character not allowed in XML 1.0")]
    InvalidCharacter,
    /// Not well-formed XML.
    #[error("malformed XML at byte {position}: {message}")]
    Malformed {
        /// Byte offset where the problem was detected.
        position: u64,
        /// The XML reader's description.
        message: String,
    },
    /// The document ended inside an element, or had no root element.
    #[error("document ends before the root element is complete")]
    Truncated,
    /// Something other than whitespace, comments or processing instructions outside the root.
    #[error("content outside the root element")]
    ContentOutsideRoot,
    /// Character data mixed with child elements (DUIS has no mixed content).
    #[error("element {element} mixes text and child elements")]
    MixedContent {
        /// Local name of the element.
        element: String,
    },
    /// An element outside the DUIS (`sr`) namespace, other than the one `ds:Signature`.
    #[error("element {element} is not in the DUIS namespace")]
    UnexpectedNamespace {
        /// Qualified name as written.
        element: String,
    },
    /// `sr:ServiceReferenceVariant` is not one of the 129 variants of the service matrix.
    #[error("unknown service reference variant {0:?}")]
    UnknownServiceVariant(String),
    /// The root is not `sr:Request`.
    #[error("root element is {0}, expected sr:Request")]
    WrongRoot(String),
    /// An element where the schema does not allow it.
    #[error("unexpected element {found} in {parent}")]
    UnexpectedElement {
        /// Local name of the parent.
        parent: &'static str,
        /// Local name found.
        found: String,
    },
    /// A required element is missing.
    #[error("missing element {name} in {parent}")]
    MissingElement {
        /// Local name of the parent.
        parent: &'static str,
        /// Local name expected.
        name: &'static str,
    },
    /// `sr:Body` must contain exactly one element.
    #[error("sr:Body must contain exactly one element, found {0}")]
    BodyElementCount(usize),
    /// The `ds:Signature` is not the last child of the root, after `sr:Body`, or appears twice.
    #[error("ds:Signature must appear once, as the last child of the root")]
    MisplacedSignature,
    /// `schemaVersion` missing.
    #[error("root element has no schemaVersion attribute")]
    MissingSchemaVersion,
    /// `schemaVersion` not an xs:decimal.
    #[error("schemaVersion {0:?} is not a decimal")]
    InvalidSchemaVersion(String),
    /// A RequestID (or PrecedingServiceRequestID) that does not match the pattern.
    #[error("invalid {field}: {source}")]
    InvalidRequestId {
        /// Element name.
        field: &'static str,
        /// Details.
        source: RequestIdError,
    },
    /// An xs:boolean that is not `true`, `false`, `1` or `0`.
    #[error("invalid boolean in {field}: {value:?}")]
    InvalidBoolean {
        /// Element name.
        field: &'static str,
        /// Value found.
        value: String,
    },
    /// An unacceptable CommandVariant.
    #[error(transparent)]
    CommandVariant(#[from] CommandVariantError),
}

/// At most 64 characters of `s`, for error messages.
pub(crate) fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}
