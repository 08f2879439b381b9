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
//!
//! ```
//! use smki::{Eui64, KeyPair, KeyUsage, OrgCertRequest, OrgCertificate, Pki, PkiNames,
//!            RemotePartyRole, Serial};
//! use time::{Duration, macros::datetime};
//!
//! # fn main() -> smki::Result<()> {
//! let now = datetime!(2026-01-01 00:00 UTC);
//! let pki = Pki::generate_with_os_rng(now, &PkiNames::default())?;
//! let user_key = KeyPair::generate_with_os_rng()?;
//! let der = pki.oca.issue_organisation(&OrgCertRequest {
//!     common_name: Some("ACME ENERGY".into()),
//!     eui: "90-B3-D5-1F-30-01-00-00".parse().expect("valid EUI"),
//!     role: RemotePartyRole::Supplier,
//!     usage: KeyUsage::DigitalSignature,
//!     public_key: user_key.public_key(),
//!     serial: Serial::random_with_os_rng()?,
//!     not_before: now,
//!     not_after: now + Duration::days(365),
//! })?;
//! smki::verify_issued_by(&der, pki.oca.cert_der())?;
//! let cert = OrgCertificate::from_der(&der)?;
//! assert_eq!(cert.eui(), Eui64::from_u64(0x90B3_D51F_3001_0000));
//! assert_eq!(cert.issuer(), "CN=OD1,OU=07");
//! # Ok(())
//! # }
//! ```

mod ca;
pub mod crl;
pub mod csr;
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
    Ca, CaKind, CaSpec, DEVICE_CERT_NOT_AFTER_UNIX, DeviceCertRequest, Hierarchy, ISSUING_LIFETIME,
    OrgCertRequest, Pki, PkiNames, ROOT_LIFETIME, TlsClientCertRequest, TlsServerCertRequest,
};
pub use crl::{CrlSpec, ParsedCrl, ReasonCode, RevokedEntry, crl_to_pem};
pub use csr::{CertificationRequest, CsrSubject};
pub use error::{Result, SmkiError};
pub use key::{KeyPair, PublicKey};
pub use parse::{
    DeviceCertificate, KeyUsage, OrgCertificate, cert_from_pem, cert_to_pem, tls_client_eui,
    verify_issued_by, verify_signed_by_key,
};
pub use role::RemotePartyRole;
pub use serial::{Serial, to_decimal};

pub use eui::Eui64;
/// The `rand_core` version whose [`rand_core::CryptoRng`] the generating functions take.
pub use p256::elliptic_curve::rand_core;
/// Zeroising wrappers, for callers holding CA keys (PKCS#8) read from storage.
pub use p256::elliptic_curve::zeroize;
