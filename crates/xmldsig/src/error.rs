//! Error types. Every failure is a typed variant; nothing is matched on text.

use std::fmt;

/// Everything that can go wrong while parsing, canonicalizing, signing or
/// verifying a DUIS XML document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DsigError {
    /// The input is not well-formed (namespace-aware) XML 1.0, or uses a
    /// feature this crate refuses (other encodings, XML 1.1).
    #[error("malformed XML at byte {offset}: {kind}")]
    MalformedXml {
        /// Byte offset into the input where the problem was found.
        offset: usize,
        /// What is wrong.
        kind: MalformedKind,
    },
    /// A `<!DOCTYPE …>` (and with it any entity declaration) is present.
    /// Refused outright: no DTD processing, no entity expansion (XXE).
    #[error("DOCTYPE/entity declaration at byte {offset} refused")]
    DtdRefused {
        /// Byte offset of the `<!DOCTYPE`.
        offset: usize,
    },
    /// A size, depth or count limit was exceeded.
    #[error("limit exceeded: {0}")]
    LimitExceeded(Limit),
    /// The document carries no `ds:Signature` element.
    #[error("document carries no ds:Signature")]
    NoSignature,
    /// The signature does not follow the pinned DUIS profile.
    #[error("signature profile violation: {0}")]
    ProfileViolation(ProfileViolation),
    /// The digest of the signed content differs from `DigestValue`.
    #[error("reference digest mismatch: signed content was changed")]
    DigestMismatch,
    /// `DigestValue` or `SignatureValue` is not valid base64 of the right length.
    #[error("bad {field} encoding: {problem}")]
    BadValueEncoding {
        /// Which element.
        field: ValueField,
        /// What is wrong with it.
        problem: EncodingProblem,
    },
    /// The ECDSA signature over `SignedInfo` does not verify with the key given.
    #[error("signature value does not verify with the given key")]
    SignatureInvalid,
    /// The certificate given is not the one the signature's
    /// `X509IssuerSerial` names.
    #[error("certificate is not the one named in the signature's X509IssuerSerial")]
    CertificateNotReferenced,
    /// The public key given is not a valid SEC1-encoded P-256 point.
    #[error("invalid P-256 public key")]
    InvalidPublicKey,
    /// The private key is not an unencrypted PKCS#8 (or SEC1) P-256 key.
    #[error("invalid P-256 private key")]
    InvalidPrivateKey,
    /// The private key does not belong to the certificate given with it.
    #[error("private key does not match the certificate")]
    KeyCertificateMismatch,
    /// PEM input could not be decoded.
    #[error("PEM: {0}")]
    Pem(PemError),
    /// A certificate could not be used.
    #[error("certificate: {0}")]
    Certificate(CertificateError),
    /// An [`IssuerSerial`](crate::IssuerSerial) given to the signer is unusable.
    #[error("invalid issuer/serial: {0}")]
    InvalidIssuerSerial(IssuerSerialProblem),
    /// The cryptographic library failed to produce a signature.
    #[error("ECDSA signing failed")]
    SigningFailed,
}

/// Kinds of XML well-formedness failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedKind {
    /// Input is not valid UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A character not allowed in XML 1.0 (control characters, U+FFFE, U+FFFF).
    #[error("character not allowed in XML")]
    InvalidChar,
    /// Tokenizer-level syntax error (unclosed tag, mismatched end tag, …).
    #[error("syntax error: {0}")]
    Syntax(String),
    /// `<?xml version=…?>` other than 1.0.
    #[error("unsupported XML version (only 1.0)")]
    UnsupportedVersion,
    /// Declared encoding other than UTF-8.
    #[error("unsupported encoding (only UTF-8)")]
    UnsupportedEncoding,
    /// XML declaration not at the very start of the document.
    #[error("misplaced XML declaration")]
    MisplacedDeclaration,
    /// Invalid element, attribute or PI name.
    #[error("invalid name")]
    InvalidName,
    /// Malformed attribute syntax inside a tag.
    #[error("malformed attribute")]
    AttributeSyntax,
    /// `<` inside an attribute value.
    #[error("'<' in attribute value")]
    LessThanInAttribute,
    /// The same attribute (by qualified or expanded name) appears twice.
    #[error("duplicate attribute")]
    DuplicateAttribute,
    /// A prefix is used without being declared.
    #[error("undeclared namespace prefix")]
    UndeclaredPrefix,
    /// Misuse of the reserved `xml`/`xmlns` prefixes or namespaces, or
    /// undeclaring a prefix (`xmlns:p=""`, XML 1.1 only).
    #[error("illegal namespace declaration")]
    IllegalNamespaceDeclaration,
    /// An entity reference other than the five predefined ones.
    #[error("undefined entity reference")]
    UndefinedEntity,
    /// A character reference to a character not allowed in XML.
    #[error("invalid character reference")]
    InvalidCharRef,
    /// `]]>` in character data.
    #[error("']]>' in character data")]
    CdataEndInText,
    /// Processing instruction named `xml` (any case) or similar.
    #[error("reserved processing instruction target")]
    ReservedPiTarget,
    /// More than one root element.
    #[error("more than one root element")]
    MultipleRoots,
    /// No root element at all.
    #[error("no root element")]
    NoRoot,
    /// Character data or CDATA outside the root element.
    #[error("content outside the root element")]
    ContentOutsideRoot,
    /// Input ended inside an element.
    #[error("unclosed element at end of input")]
    Unclosed,
}

/// Which limit was exceeded (see [`Limits`](crate::Limits)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Limit {
    /// Input longer than `max_bytes`.
    #[error("document larger than {0} bytes")]
    Size(usize),
    /// Element nesting deeper than `max_depth`.
    #[error("element nesting deeper than {0}")]
    Depth(usize),
    /// More than `max_attributes` attributes (including namespace
    /// declarations) on one element.
    #[error("more than {0} attributes on one element")]
    Attributes(usize),
    /// More than `max_namespaces` namespace declarations in scope.
    #[error("more than {0} namespace declarations in scope")]
    Namespaces(usize),
    /// More than `max_nodes` nodes.
    #[error("more than {0} nodes")]
    Nodes(usize),
}

/// How a signature departs from the DUIS profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileViolation {
    /// The root element itself is a `ds:Signature`.
    #[error("root element is a ds:Signature")]
    SignatureIsRoot,
    /// The `ds:Signature` is not the last element child of the root.
    #[error("ds:Signature is not the last child of the root element")]
    SignatureNotLastChildOfRoot,
    /// More than one `ds:Signature` element in the document.
    #[error("more than one ds:Signature element")]
    MultipleSignatures,
    /// Asked to sign a document that already carries a `ds:Signature`.
    #[error("document already carries a ds:Signature")]
    AlreadySigned,
    /// A required element is missing.
    #[error("missing {0}")]
    MissingElement(&'static str),
    /// An element that the profile does not allow at this place.
    #[error("unexpected element {found:?} in {parent}")]
    UnexpectedElement {
        /// The element in which it was found.
        parent: &'static str,
        /// Its local name (truncated).
        found: String,
    },
    /// Text or a processing instruction where only elements are allowed.
    #[error("unexpected content in {0}")]
    UnexpectedContent(&'static str),
    /// An attribute the profile does not allow.
    #[error("unexpected attribute {attribute:?} on {element}")]
    UnexpectedAttribute {
        /// The element carrying it.
        element: &'static str,
        /// The attribute's qualified name (truncated).
        attribute: String,
    },
    /// A required attribute is missing.
    #[error("missing attribute {attribute} on {element}")]
    MissingAttribute {
        /// The element lacking it.
        element: &'static str,
        /// The attribute.
        attribute: &'static str,
    },
    /// `CanonicalizationMethod` other than exclusive c14n.
    #[error("unsupported CanonicalizationMethod {0:?}")]
    CanonicalizationMethod(String),
    /// `SignatureMethod` other than ecdsa-sha256.
    #[error("unsupported SignatureMethod {0:?}")]
    SignatureMethod(String),
    /// `DigestMethod` other than sha256.
    #[error("unsupported DigestMethod {0:?}")]
    DigestMethod(String),
    /// More than one `Reference`.
    #[error("more than one Reference")]
    MultipleReferences,
    /// `Reference/@URI` other than the empty string.
    #[error("Reference URI must be \"\", found {0:?}")]
    ReferenceUri(String),
    /// Transforms other than enveloped-signature (+ optional exclusive c14n).
    #[error("unsupported transform chain")]
    Transforms,
    /// A malformed `InclusiveNamespaces/@PrefixList`.
    #[error("invalid InclusiveNamespaces PrefixList")]
    InvalidPrefixList,
    /// `X509SerialNumber` is not a non-negative decimal integer of at most 49 digits.
    #[error("invalid X509SerialNumber")]
    InvalidSerialNumber,
    /// `X509IssuerName` is empty.
    #[error("empty X509IssuerName")]
    EmptyIssuerName,
}

/// Which base64 field was badly encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueField {
    /// `ds:DigestValue`
    DigestValue,
    /// `ds:SignatureValue`
    SignatureValue,
}

impl fmt::Display for ValueField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueField::DigestValue => "DigestValue",
            ValueField::SignatureValue => "SignatureValue",
        })
    }
}

/// What is wrong with a base64 field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodingProblem {
    /// Not valid (canonical, padded) base64.
    #[error("not valid base64")]
    Base64,
    /// Decodes to the wrong number of bytes.
    #[error("decodes to {actual} bytes, expected {expected}")]
    Length {
        /// Required length.
        expected: usize,
        /// Length found.
        actual: usize,
    },
}

/// PEM decoding failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PemError {
    /// No `-----BEGIN …-----` line with the expected label.
    #[error("no PEM block labelled {0}")]
    MissingBlock(&'static str),
    /// No matching `-----END …-----` line.
    #[error("unterminated PEM block")]
    Unterminated,
    /// The body is not valid base64.
    #[error("PEM body is not valid base64")]
    Base64,
}

/// Certificate problems.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// Not a DER X.509 certificate (or trailing data after it).
    #[error("not a DER X.509 certificate")]
    Parse,
    /// Serial number is negative or empty.
    #[error("negative or empty serial number")]
    InvalidSerial,
    /// The issuer name could not be decoded.
    #[error("undecodable issuer name")]
    IssuerName,
    /// Subject public key is not an uncompressed P-256 point.
    #[error("subject public key is not an EC P-256 key")]
    UnsupportedKey,
}

/// Problems with an [`IssuerSerial`](crate::IssuerSerial) supplied for signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerSerialProblem {
    /// Issuer name is empty or contains characters not allowed in XML.
    #[error("issuer name empty or not representable in XML")]
    IssuerName,
    /// Serial is not 1..=49 decimal digits without leading zeros.
    #[error("serial is not a canonical decimal integer")]
    Serial,
}

/// Shortens input-derived text kept in errors.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => {
            let mut out = s.get(..i).unwrap_or_default().to_owned();
            out.push('…');
            out
        }
        None => s.to_owned(),
    }
}
