//! SMKI core for opendcc: the DCC's certificate authorities, the SMKI and DCCKI certificate
//! profiles, and reading certificates back.
//!
//! * [`KeyPair`] / [`PublicKey`]: P-256 keys, PKCS#8 and SEC1.
//! * [`Ca`]: a CA key plus certificate. [`Pki::generate`] makes the six CAs opendcc runs:
//!   organisation root + OCA, device root + DCA, DCCKI root + issuing CA.
//! * End-entity issuing on the issuing CAs: [`Ca::issue_organisation`],
//!   [`Ca::issue_device`], [`Ca::issue_tls_server`], [`Ca::issue_tls_client`].
//! * Parsing: [`OrgCertificate`], [`DeviceCertificate`], [`tls_client_eui`]; chain link
//!   check [`verify_issued_by`]; DNs as Java prints them ([`dn::rfc2253_from_der`]).
//!
//! The profiles mirror the public ZAZ1 (organisation) and RTDS (device) test certificates:
//! ECDSA P-256 with SHA-256, 16-byte positive serials, 8-byte key identifiers (RFC 5280
//! method 2), critical keyUsage with exactly one of digitalSignature/keyAgreement, critical
//! certificatePolicies. DCCKI (TLS) certificates carry no policies, because webpki refuses a
//! critical certificatePolicies extension.
//!
//! Everything is pure: no clock is read (times are parameters) and randomness comes from a
//! caller-supplied [`rand_core::CryptoRng`] (the `rand_core` version `p256` uses, re-exported
//! here), except in the functions named `*_with_os_rng`. Certificate signatures are
//! deterministic (RFC 6979).

mod ca;
pub mod dn;
mod error;
mod key;
mod parse;
pub mod profile;
mod role;
mod serial;

#[cfg(test)]
mod test_rng;

pub use ca::{
    Ca, CaKind, CaSpec, DeviceCertRequest, Hierarchy, ISSUING_LIFETIME, OrgCertRequest, Pki,
    PkiNames, ROOT_LIFETIME, TlsClientCertRequest, TlsServerCertRequest,
};
pub use error::{Result, SmkiError};
pub use key::{KeyPair, PublicKey};
pub use parse::{
    DeviceCertificate, KeyUsage, OrgCertificate, cert_from_pem, cert_to_pem, tls_client_eui,
    verify_issued_by,
};
pub use role::RemotePartyRole;
pub use serial::{Serial, to_decimal};

pub use eui::Eui64;
/// The `rand_core` version whose [`rand_core::CryptoRng`] the generating functions take.
pub use p256::elliptic_curve::rand_core;
