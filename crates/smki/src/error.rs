//! The one error type of the crate.

use crate::ca::CaKind;

/// Everything that can go wrong while issuing, parsing or checking SMKI/DCCKI material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmkiError {
    /// The bytes are not a well-formed DER X.509 certificate (or have trailing data).
    #[error("malformed certificate: {0}")]
    MalformedCertificate(String),

    /// The PEM text is not what was expected (bad armour, base64, or label).
    #[error("malformed PEM: {0}")]
    Pem(String),

    /// A private or public key could not be decoded, or is not a valid P-256 key.
    #[error("invalid key: {0}")]
    InvalidKey(String),

    /// The certificate's public key is not an uncompressed P-256 point (id-ecPublicKey,
    /// prime256v1), the only kind SMKI and DCCKI allow.
    #[error("unsupported public key: SMKI certificates carry P-256 keys only")]
    UnsupportedPublicKey,

    /// The certificate is signed with something other than ecdsa-with-SHA256.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(String),

    /// A field or extension the profile requires is absent.
    #[error("certificate has no {0}")]
    Missing(&'static str),

    /// A field or extension is present but its content breaks the profile.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which field or extension.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The organisational unit is not a two-hex-digit remote party role code.
    #[error("invalid remote party role code {0:?} (expected two hex digits)")]
    InvalidRole(String),

    /// The signature does not verify under the issuer's public key.
    #[error("certificate signature does not verify under the issuer's key")]
    BadSignature,

    /// The certificate's issuer name is not the issuer certificate's subject name.
    #[error(
        "issuer name {cert_issuer:?} does not match issuer certificate subject {issuer_subject:?}"
    )]
    IssuerNameMismatch {
        /// The certificate's issuer DN (RFC 2253).
        cert_issuer: String,
        /// The issuer certificate's subject DN (RFC 2253).
        issuer_subject: String,
    },

    /// The authority key identifier does not match the issuer's subject key identifier.
    #[error("authority key identifier does not match the issuer's subject key identifier")]
    KeyIdentifierMismatch,

    /// The would-be issuer certificate is not a CA certificate allowed to sign certificates.
    #[error("issuer certificate is not a certificate-signing CA")]
    IssuerNotCa,

    /// This CA may not issue that kind of certificate.
    #[error("a {actual} CA cannot issue {wanted}")]
    WrongCa {
        /// The CA that was asked.
        actual: CaKind,
        /// What it was asked to issue.
        wanted: &'static str,
    },

    /// The CA's private key does not belong to its certificate.
    #[error("the CA private key does not match the CA certificate's public key")]
    CaKeyMismatch,

    /// The request to issue a certificate is not acceptable.
    #[error("invalid certificate request: {0}")]
    InvalidRequest(String),

    /// Encoding a certificate or key failed.
    #[error("encoding failed: {0}")]
    Encoding(String),

    /// The operating system's random number generator failed.
    #[error("operating system random number generator failed: {0}")]
    Rng(String),
}

/// Shorthand for results in this crate.
pub type Result<T> = std::result::Result<T, SmkiError>;

impl SmkiError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn encoding(e: impl std::fmt::Display) -> Self {
        Self::Encoding(e.to_string())
    }

    pub(crate) fn malformed(e: impl std::fmt::Display) -> Self {
        Self::MalformedCertificate(e.to_string())
    }
}
