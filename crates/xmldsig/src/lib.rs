//! XML canonicalization and the DUIS XML-signature profile, pure and
//! I/O-free.
//!
//! DUIS requests and responses carry exactly one enveloped `ds:Signature`
//! as the last child of the root element:
//!
//! - one `Reference URI=""` with the enveloped-signature transform,
//!   optionally followed by an explicit exclusive-c14n transform. Without
//!   it XML-DSig canonicalizes the signed content with **inclusive** C14N
//!   1.0 — which is what DCC does (its sample responses' digests only
//!   match inclusive c14n);
//! - `CanonicalizationMethod` exclusive c14n, `SignatureMethod`
//!   ecdsa-sha256 (raw `r‖s`, base64, whitespace allowed), `DigestMethod`
//!   sha256;
//! - `KeyInfo/X509Data/X509IssuerSerial` naming the signer's certificate.
//!
//! Anything else is refused ([`ProfileViolation`]), which shuts out
//! signature-wrapping: the signed content is always the whole document
//! minus that one signature. Documents with a DTD are refused (no entity
//! expansion, no XXE).
//!
//! ```no_run
//! # fn lookup(_: &xmldsig::IssuerSerial) -> Vec<u8> { Vec::new() }
//! # fn main() -> Result<(), xmldsig::DsigError> {
//! # let xml = b"";
//! let doc = xmldsig::SignedDocument::parse(xml)?;
//! let cert_der = lookup(&doc.info().issuer_serial);
//! let key = xmldsig::VerifyingKey::from_certificate_der(&cert_der)?;
//! doc.verify(&key)?;
//! # Ok(()) }
//! ```
//!
//! Consumers must read the document's text as the concatenation of all its
//! character data (comments are not signed and may split text).

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod c14n;
mod dn;
mod dsig;
mod error;
mod pem;
mod xml;

pub use c14n::{C14N_10, C14nMethod, EXC_C14N, canonicalize, canonicalize_without_signature};
pub use dn::{issuer_names_match, issuer_serial_of_cert};
pub use dsig::{
    DSIG_NS, ECDSA_SHA256, ENVELOPED_SIGNATURE, IssuerSerial, SHA256, SignatureInfo,
    SignedDocument, VerifyingKey, XmlSigner, remove_enveloped_signature, signature_info, verify,
    verify_with_certificate, verify_with_key,
};
pub use error::{
    CertificateError, DsigError, EncodingProblem, IssuerSerialProblem, Limit, MalformedKind,
    PemError, ProfileViolation, ValueField,
};
pub use pem::certificate_pem_to_der;
pub use xml::{Document, Limits, NodeId, XML_NS, XMLNS_NS};
