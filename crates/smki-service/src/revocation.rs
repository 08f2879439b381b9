//! Revoking organisation certificates (SEC L: on the request of the subscriber that holds the
//! certificate, or of the PMA), and OCA certificates (PMA only; listed on the ARL).
//!
//! Revocation changes the repository at once (status `R`); the gateway goes on accepting the
//! certificate until the CRL that lists it is published ([`crate::publication`]), which the
//! schedule makes due at once ([`crate::schedule`]).
//!
//! Reasons, and the RFC 5280 reason codes the lists carry:
//!
//! | SEC reason | `--reason` | RFC 5280 reasonCode |
//! | --- | --- | --- |
//! | the private key is (suspected to be) compromised | `key-compromise` | `keyCompromise (1)`; for an OCA certificate `cACompromise (2)` |
//! | the cryptographic module holding the key is unreliable | `unreliable-module` | `cessationOfOperation (5)`: the key is not known to be disclosed, but the module may no longer be relied on to use it |
//!
//! Device certificates are never revoked (SEC L: a device's certificate is replaced, and
//! the device's trust anchors are what change), so a request to revoke one is refused.

use std::fmt;
use std::str::FromStr;

use eui::Eui64;
use smki::{CaKind, ReasonCode};

use crate::audit::{ACTOR_PMA, AuditEntry};
use crate::model::{CertKind, CertRecord, CertStatus, canonical_serial_hex};
use crate::store::{SmkiTx, StoreError};

/// Why a certificate is revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    KeyCompromise,
    UnreliableModule,
}

impl Reason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::KeyCompromise => "key-compromise",
            Self::UnreliableModule => "unreliable-module",
        }
    }

    /// The reasonCode written on the CRL / ARL for a certificate of `kind`.
    pub const fn rfc5280(self, kind: CertKind) -> ReasonCode {
        match (self, kind) {
            (Self::KeyCompromise, CertKind::Authority) => ReasonCode::CaCompromise,
            (Self::KeyCompromise, _) => ReasonCode::KeyCompromise,
            (Self::UnreliableModule, _) => ReasonCode::CessationOfOperation,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Reason {
    type Err = RevocationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "key-compromise" => Ok(Self::KeyCompromise),
            "unreliable-module" => Ok(Self::UnreliableModule),
            _ => Err(RevocationError::UnknownReason(s.chars().take(64).collect())),
        }
    }
}

/// Who asks for the revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requester {
    /// The Policy Management Authority (may revoke any organisation or OCA certificate).
    Pma,
    /// A subscriber, by EUI-64: may revoke only a certificate it holds.
    Subscriber(Eui64),
}

impl fmt::Display for Requester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pma => f.write_str(ACTOR_PMA),
            Self::Subscriber(e) => write!(f, "{e}"),
        }
    }
}

/// Why a revocation was refused (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationError {
    #[error("{0:?} is not a certificate serial number (hex)")]
    BadSerial(String),
    #[error("unknown revocation reason {0:?} (key-compromise or unreliable-module)")]
    UnknownReason(String),
    #[error("no certificate with serial {0} in the SMKI repository")]
    NoSuchCertificate(String),
    #[error("SEC L: device certificates are never revoked (serial {0})")]
    DeviceCertificate(String),
    #[error("DCCKI certificates are not revoked through the SMKI service (serial {0})")]
    DcckiCertificate(String),
    #[error(
        "only an OCA certificate among the authorities' is revoked (on the ARL); {0} is not one"
    )]
    NotAnOca(String),
    #[error("SEC L: only the PMA may revoke a CA certificate (serial {0})")]
    CaNeedsPma(String),
    #[error(
        "SEC L: {requester} is not the subscriber of certificate {serial}; only it or the PMA may revoke it"
    )]
    NotEntitled { requester: String, serial: String },
    #[error("certificate {0} is already revoked")]
    AlreadyRevoked(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `who` holds certificate `c` (it is its subject, or the subscriber it was issued to).
fn holds(c: &CertRecord, who: Eui64) -> bool {
    c.subject_eui == Some(who) || c.subscriber == Some(who)
}

/// Revokes a certificate at `now_ms` (unix milliseconds): checks who may, records status `R`,
/// the time and reason, and an audit line (`revoke` by a subscriber, `force-revoke` by the PMA).
pub fn revoke(
    tx: &mut dyn SmkiTx,
    serial: &str,
    reason: Reason,
    by: Requester,
    now_ms: i64,
) -> Result<CertRecord, RevocationError> {
    let serial_hex = canonical_serial_hex(serial)
        .ok_or_else(|| RevocationError::BadSerial(serial.chars().take(80).collect()))?;
    let mut cert = tx
        .certificate(&serial_hex)?
        .ok_or_else(|| RevocationError::NoSuchCertificate(serial_hex.clone()))?;
    match cert.kind {
        CertKind::Device => return Err(RevocationError::DeviceCertificate(serial_hex)),
        CertKind::Dccki => return Err(RevocationError::DcckiCertificate(serial_hex)),
        CertKind::Authority => {
            if by != Requester::Pma {
                return Err(RevocationError::CaNeedsPma(serial_hex));
            }
            let is_oca = tx
                .cas(CaKind::Oca, cert.environment)?
                .iter()
                .any(|ca| ca.cert_der == cert.der);
            if !is_oca {
                return Err(RevocationError::NotAnOca(serial_hex));
            }
        }
        CertKind::Organisation => {
            if let Requester::Subscriber(who) = by
                && !holds(&cert, who)
            {
                return Err(RevocationError::NotEntitled {
                    requester: who.to_string(),
                    serial: serial_hex,
                });
            }
        }
    }
    if cert.status == CertStatus::Revoked {
        return Err(RevocationError::AlreadyRevoked(serial_hex));
    }
    cert.status = CertStatus::Revoked;
    cert.revoked_at = Some(now_ms);
    cert.revocation_reason = Some(reason.as_str().to_owned());
    tx.put_certificate(&cert)?;
    let action = if by == Requester::Pma {
        "force-revoke"
    } else {
        "revoke"
    };
    let mut entry = AuditEntry::new(now_ms, &by.to_string(), action, serial_hex.clone())
        .reason(reason.as_str());
    if let Some(eui) = cert.subject_eui {
        entry = entry.detail(format!("{} certificate of {eui}", cert.kind));
    }
    tx.append_audit(&entry)?;
    Ok(cert)
}
