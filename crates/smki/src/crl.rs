//! Certificate revocation lists (RFC 5280 §5): the CRL an OCA publishes for the organisation
//! certificates it issued, and the ARL the Organisation Root publishes for OCA certificates.
//!
//! The list is X.509 v2: issuer = the CA's subject, `thisUpdate` / `nextUpdate`, one entry per
//! revoked certificate with its revocation date and a `reasonCode` entry extension, and the
//! CRL extensions `cRLNumber` and `authorityKeyIdentifier` (the CA's own 8-byte subject key
//! identifier, so that `openssl verify -crl_check` finds the CRL of the issuing CA). Signed
//! ECDSA P-256 / SHA-256 (deterministic, RFC 6979) by the CA's key.
//!
//! The `TbsCertList` is assembled here rather than with `x509-cert`'s `CrlBuilder`, which takes
//! the authority key identifier from the issuer's own AKI (or SHA-1 of its key) instead of its
//! SKI.

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, Signature, VerifyingKey};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, CrlReason};
use x509_cert::serial_number::SerialNumber;

use crate::ca::Ca;
use crate::error::{Result, SmkiError};
use crate::key::PublicKey;
use crate::parse::ParsedCert;
use crate::profile::{self, oid};

const CE_CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
const CE_CRL_REASON: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");

/// The RFC 5280 reason codes SMKI revocations use (§5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    /// `keyCompromise (1)`.
    KeyCompromise,
    /// `cACompromise (2)`.
    CaCompromise,
    /// `superseded (4)`.
    Superseded,
    /// `cessationOfOperation (5)`.
    CessationOfOperation,
    /// `privilegeWithdrawn (9)`.
    PrivilegeWithdrawn,
}

impl ReasonCode {
    /// The ENUMERATED value.
    pub const fn code(self) -> u32 {
        match self {
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::PrivilegeWithdrawn => 9,
        }
    }

    fn to_x509(self) -> CrlReason {
        match self {
            Self::KeyCompromise => CrlReason::KeyCompromise,
            Self::CaCompromise => CrlReason::CaCompromise,
            Self::Superseded => CrlReason::Superseded,
            Self::CessationOfOperation => CrlReason::CessationOfOperation,
            Self::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
        }
    }

    fn from_x509(r: CrlReason) -> Option<Self> {
        match r {
            CrlReason::KeyCompromise => Some(Self::KeyCompromise),
            CrlReason::CaCompromise => Some(Self::CaCompromise),
            CrlReason::Superseded => Some(Self::Superseded),
            CrlReason::CessationOfOperation => Some(Self::CessationOfOperation),
            CrlReason::PrivilegeWithdrawn => Some(Self::PrivilegeWithdrawn),
            _ => None,
        }
    }
}

/// One revoked certificate on a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The certificate's serial: the DER INTEGER content bytes (big-endian, as in the
    /// certificate; a leading zero byte is allowed).
    pub serial: Vec<u8>,
    pub revoked_at: OffsetDateTime,
    /// `None` leaves the reasonCode extension out (RFC 5280: rather than `unspecified`).
    pub reason: Option<ReasonCode>,
}

/// Everything that goes into one list.
#[derive(Debug, Clone)]
pub struct CrlSpec {
    /// The cRLNumber: monotonically increasing per issuer.
    pub number: u64,
    pub this_update: OffsetDateTime,
    pub next_update: OffsetDateTime,
    pub revoked: Vec<RevokedEntry>,
}

fn ecdsa_sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oid::ECDSA_WITH_SHA256,
        parameters: None,
    }
}

impl Ca {
    /// Issues a CRL (or, from a root, an ARL) listing `spec.revoked`. DER out.
    pub fn issue_crl(&self, spec: &CrlSpec) -> Result<Vec<u8>> {
        if spec.this_update >= spec.next_update {
            return Err(SmkiError::InvalidRequest(
                "CRL thisUpdate must be earlier than nextUpdate".to_owned(),
            ));
        }
        let mut revoked = Vec::with_capacity(spec.revoked.len());
        for e in &spec.revoked {
            let serial = SerialNumber::new(&e.serial).map_err(SmkiError::encoding)?;
            let crl_entry_extensions = match e.reason {
                Some(r) => Some(vec![profile::ext(CE_CRL_REASON, false, &r.to_x509())?]),
                None => None,
            };
            revoked.push(RevokedCert {
                serial_number: serial,
                revocation_date: profile::to_x509_time(e.revoked_at)?,
                crl_entry_extensions,
            });
        }
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(
                OctetString::new(self.key_id().to_vec()).map_err(SmkiError::encoding)?,
            ),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        let number = CrlNumber::try_from(spec.number).map_err(SmkiError::encoding)?;
        let tbs: TbsCertList = TbsCertList {
            version: Version::V2,
            signature: ecdsa_sha256(),
            issuer: self.subject_name().clone(),
            this_update: profile::to_x509_time(spec.this_update)?,
            next_update: Some(profile::to_x509_time(spec.next_update)?),
            revoked_certificates: if revoked.is_empty() {
                None
            } else {
                Some(revoked)
            },
            crl_extensions: Some(vec![
                profile::ext(oid::CE_AUTHORITY_KEY_ID, false, &aki)?,
                profile::ext(CE_CRL_NUMBER, false, &number)?,
            ]),
        };
        let tbs_der = tbs.to_der().map_err(SmkiError::encoding)?;
        let sig: DerSignature = self.key().signing_key().sign(&tbs_der);
        let list = CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: ecdsa_sha256(),
            signature: der::asn1::BitString::from_bytes(sig.as_bytes())
                .map_err(SmkiError::encoding)?,
        };
        list.to_der().map_err(SmkiError::encoding)
    }
}

/// A CRL as PEM (`-----BEGIN X509 CRL-----`, LF line endings).
pub fn crl_to_pem(der: &[u8]) -> Result<String> {
    der::pem::encode_string("X509 CRL", der::pem::LineEnding::LF, der).map_err(SmkiError::encoding)
}

/// A CRL read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCrl {
    /// The issuer Name, DER.
    pub issuer_der: Vec<u8>,
    pub number: Option<u64>,
    /// The authorityKeyIdentifier's keyIdentifier.
    pub authority_key_id: Option<Vec<u8>>,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    pub revoked: Vec<RevokedEntry>,
    tbs_der: Vec<u8>,
    signature: Vec<u8>,
}

fn to_offset(t: x509_cert::time::Time) -> Result<OffsetDateTime> {
    let d = t.to_unix_duration();
    let secs = i64::try_from(d.as_secs()).map_err(SmkiError::malformed)?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(SmkiError::malformed)
}

impl ParsedCrl {
    /// Parses a DER CRL. Only ecdsa-with-SHA256 lists are accepted.
    pub fn parse(der: &[u8]) -> Result<Self> {
        let list = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der)
            .map_err(SmkiError::malformed)?;
        if list.signature_algorithm.oid != oid::ECDSA_WITH_SHA256
            || list.tbs_cert_list.signature.oid != oid::ECDSA_WITH_SHA256
        {
            return Err(SmkiError::UnsupportedSignatureAlgorithm(
                list.signature_algorithm.oid.to_string(),
            ));
        }
        let tbs = &list.tbs_cert_list;
        let mut number = None;
        let mut authority_key_id = None;
        for e in tbs.crl_extensions.iter().flatten() {
            if e.extn_id == CE_CRL_NUMBER {
                let n =
                    CrlNumber::from_der(e.extn_value.as_bytes()).map_err(SmkiError::malformed)?;
                let bytes = n.0.as_bytes();
                if bytes.len() > 8 {
                    return Err(SmkiError::invalid("cRLNumber", "larger than 64 bits"));
                }
                number = Some(bytes.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)));
            } else if e.extn_id == oid::CE_AUTHORITY_KEY_ID {
                let aki = AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes())
                    .map_err(SmkiError::malformed)?;
                authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            }
        }
        let mut revoked = Vec::new();
        for r in tbs.revoked_certificates.iter().flatten() {
            let mut reason = None;
            for e in r.crl_entry_extensions.iter().flatten() {
                if e.extn_id == CE_CRL_REASON {
                    let code = CrlReason::from_der(e.extn_value.as_bytes())
                        .map_err(SmkiError::malformed)?;
                    reason = ReasonCode::from_x509(code);
                }
            }
            revoked.push(RevokedEntry {
                serial: r.serial_number.as_bytes().to_vec(),
                revoked_at: to_offset(r.revocation_date)?,
                reason,
            });
        }
        Ok(Self {
            issuer_der: tbs.issuer.to_der().map_err(SmkiError::encoding)?,
            number,
            authority_key_id,
            this_update: to_offset(tbs.this_update)?,
            next_update: tbs.next_update.map(to_offset).transpose()?,
            revoked,
            tbs_der: tbs.to_der().map_err(SmkiError::encoding)?,
            signature: list.signature.raw_bytes().to_vec(),
        })
    }

    /// Whether a certificate serial (DER INTEGER content bytes, leading zeros ignored) is listed.
    pub fn lists(&self, serial: &[u8]) -> bool {
        let strip = |s: &[u8]| -> Vec<u8> {
            let i = s.iter().position(|b| *b != 0).unwrap_or(s.len());
            s[i..].to_vec()
        };
        let want = strip(serial);
        self.revoked.iter().any(|r| strip(&r.serial) == want)
    }

    /// Checks that the CA certificate `issuer_cert_der` issued this list: same name, its key
    /// signed it.
    pub fn verify_signed_by(&self, issuer_cert_der: &[u8]) -> Result<()> {
        let issuer = ParsedCert::parse(issuer_cert_der)?;
        if issuer.subject_der != self.issuer_der {
            return Err(SmkiError::InvalidRequest(
                "CRL issuer is not the certificate's subject".to_owned(),
            ));
        }
        verify_sig(&issuer.public_key, &self.tbs_der, &self.signature)
    }
}

fn verify_sig(key: &PublicKey, msg: &[u8], sig_der: &[u8]) -> Result<()> {
    let sig = Signature::from_der(sig_der).map_err(SmkiError::malformed)?;
    VerifyingKey::from(key.as_p256())
        .verify(msg, &sig)
        .map_err(|_| SmkiError::InvalidRequest("CRL signature does not verify".to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;
    use crate::ca::{Pki, PkiNames};
    use crate::test_rng::TestRng;
    use time::Duration;
    use time::macros::datetime;

    fn pki() -> Pki {
        let mut rng = TestRng::new(7);
        Pki::generate(
            &mut rng,
            datetime!(2026-01-01 00:00 UTC),
            &PkiNames::default(),
        )
        .unwrap()
    }

    #[test]
    fn crl_round_trips_and_verifies() {
        let p = pki();
        let now = datetime!(2026-02-01 12:00 UTC);
        let der = p
            .oca
            .issue_crl(&CrlSpec {
                number: 7,
                this_update: now,
                next_update: now + Duration::hours(24),
                revoked: vec![
                    RevokedEntry {
                        serial: vec![0x00, 0x9F, 0x01],
                        revoked_at: now - Duration::minutes(5),
                        reason: Some(ReasonCode::KeyCompromise),
                    },
                    RevokedEntry {
                        serial: vec![0x42],
                        revoked_at: now - Duration::minutes(1),
                        reason: Some(ReasonCode::CessationOfOperation),
                    },
                ],
            })
            .unwrap();
        let c = ParsedCrl::parse(&der).unwrap();
        assert_eq!(c.number, Some(7));
        assert_eq!(c.authority_key_id.as_deref(), Some(&p.oca.key_id()[..]));
        assert_eq!(c.this_update, now);
        assert_eq!(c.next_update, Some(now + Duration::hours(24)));
        assert_eq!(c.revoked.len(), 2);
        assert_eq!(c.revoked[0].reason, Some(ReasonCode::KeyCompromise));
        assert_eq!(c.revoked[1].reason, Some(ReasonCode::CessationOfOperation));
        assert!(c.lists(&[0x9F, 0x01]));
        assert!(c.lists(&[0x42]));
        assert!(!c.lists(&[0x43]));
        c.verify_signed_by(p.oca.cert_der()).unwrap();
        // Not the org root's, not the DCA's.
        assert!(c.verify_signed_by(p.org_root.cert_der()).is_err());
        assert!(c.verify_signed_by(p.dca.cert_der()).is_err());
        let pem = crl_to_pem(&der).unwrap();
        assert!(pem.starts_with("-----BEGIN X509 CRL-----"));
    }

    #[test]
    fn tampered_crl_is_refused() {
        let p = pki();
        let now = datetime!(2026-02-01 12:00 UTC);
        let der = p
            .org_root
            .issue_crl(&CrlSpec {
                number: 1,
                this_update: now,
                next_update: now + Duration::days(400),
                revoked: vec![],
            })
            .unwrap();
        let c = ParsedCrl::parse(&der).unwrap();
        assert!(c.revoked.is_empty());
        c.verify_signed_by(p.org_root.cert_der()).unwrap();
        // Flip one byte of the thisUpdate time: the signature no longer holds.
        let mut bad = der.clone();
        let pos = der
            .windows(4)
            .position(|w| w == b"2602")
            .expect("thisUpdate in the encoding");
        bad[pos + 3] = b'3';
        let c = ParsedCrl::parse(&bad).unwrap();
        assert!(c.verify_signed_by(p.org_root.cert_der()).is_err());
        assert!(ParsedCrl::parse(&der[..der.len() - 1]).is_err());
    }

    #[test]
    fn empty_window_is_refused() {
        let p = pki();
        let now = datetime!(2026-02-01 12:00 UTC);
        assert!(
            p.oca
                .issue_crl(&CrlSpec {
                    number: 1,
                    this_update: now,
                    next_update: now,
                    revoked: vec![],
                })
                .is_err()
        );
    }
}
