//! The SMKI test service (SEC H4, L): its own roots and issuing CAs, certificates that say they
//! are test certificates (the test policy OID, `TEST` in every CA name), lodged only in the
//! test repository. The live service never issues a certificate carrying the test policy, and
//! the test service issues only from test CAs.
//!
//! Pure: keys and serials come from the caller, the time is a parameter.

use der::asn1::ObjectIdentifier;
use smki::{Ca, CaKind, CaSpec, Hierarchy, KeyPair, OrgCertRequest, Serial};
use time::{Duration, OffsetDateTime};

use crate::model::{CaRecord, CertRecord, Environment};

/// The certificate policy of every test certificate: sub-arc 84 (`T`) of the policy opendcc's
/// live certificates carry (1.2.826.0.1.8641679.1.2.1.4). opendcc assigns it itself; a
/// deployment would put the policy OID the SEC assigns its test service here. (The `example`
/// arc 2.999 and UUID arcs 2.25 do not fit `const-oid`'s 32-bit arcs.)
pub const TEST_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.826.0.1.8641679.1.2.1.4.84");

/// Why the test (or live) service refused to issue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("the SMKI test service issues only from test CAs; CA {0} is a live CA")]
    LiveCaInTestService(i64),
    #[error("the live SMKI service never issues test certificates: CA {0} carries the test policy")]
    TestCaInLiveService(i64),
    #[error("CA {id} is a {kind}, not an organisation CA")]
    NotAnOca { id: i64, kind: CaKind },
    #[error("CA {0} has no key (destroyed or never held)")]
    NoKey(i64),
    #[error("CA {0} is retired")]
    Retired(i64),
    #[error("{0}")]
    Smki(String),
}

fn smki_err(e: smki::SmkiError) -> IssueError {
    IssueError::Smki(e.to_string())
}

/// The test PKI: organisation and device hierarchies under test roots.
pub struct TestPki {
    pub org_root: Ca,
    pub oca: Ca,
    pub device_root: Ca,
    pub dca: Ca,
}

/// Generates a test PKI valid from a day before `now`; `draw` supplies each CA's key and serial.
pub fn generate_test_pki(
    now: OffsetDateTime,
    draw: &mut dyn FnMut() -> Result<(KeyPair, Serial), smki::SmkiError>,
) -> Result<TestPki, IssueError> {
    let start = now - Duration::days(1);
    let mut pair = |h: Hierarchy, root: &str, issuing: &str| -> Result<(Ca, Ca), IssueError> {
        let (key, serial) = draw().map_err(smki_err)?;
        let root = Ca::new_root_with_policy(
            h,
            &CaSpec {
                common_name: root.to_owned(),
                serial,
                not_before: start,
                not_after: now + smki::ROOT_LIFETIME,
            },
            key,
            Some(TEST_POLICY),
        )
        .map_err(smki_err)?;
        let (key, serial) = draw().map_err(smki_err)?;
        let sub = root
            .issue_subordinate(
                &CaSpec {
                    common_name: issuing.to_owned(),
                    serial,
                    not_before: start,
                    not_after: now + smki::ISSUING_LIFETIME,
                },
                key,
            )
            .map_err(smki_err)?;
        Ok((root, sub))
    };
    let (org_root, oca) = pair(
        Hierarchy::Organisation,
        "OPENDCC TEST ORG ROOT",
        "OPENDCC TEST OCA",
    )?;
    let (device_root, dca) = pair(
        Hierarchy::Device,
        "OPENDCC TEST DEVICE ROOT",
        "OPENDCC TEST DCA",
    )?;
    Ok(TestPki {
        org_root,
        oca,
        device_root,
        dca,
    })
}

/// The CA a stored record describes, if it may issue (key held, not retired).
fn issuing_ca(ca: &CaRecord) -> Result<Ca, IssueError> {
    if ca.retired_at.is_some() {
        return Err(IssueError::Retired(ca.id));
    }
    let key = ca.key_pkcs8.as_deref().ok_or(IssueError::NoKey(ca.id))?;
    let key = KeyPair::from_pkcs8_der(key).map_err(smki_err)?;
    Ca::from_parts(ca.kind, key, ca.cert_der.clone()).map_err(smki_err)
}

/// Issues a test organisation certificate from the test OCA `ca`; the record goes to the test
/// repository. Refuses a live CA (or a CA whose certificate does not carry the test policy).
pub fn issue_test_organisation(
    ca: &CaRecord,
    req: &OrgCertRequest,
    now_ms: i64,
) -> Result<CertRecord, IssueError> {
    if ca.environment != Environment::Test {
        return Err(IssueError::LiveCaInTestService(ca.id));
    }
    if ca.kind != CaKind::Oca {
        return Err(IssueError::NotAnOca {
            id: ca.id,
            kind: ca.kind,
        });
    }
    let issuer = issuing_ca(ca)?;
    if issuer.policy() != Some(TEST_POLICY) {
        return Err(IssueError::LiveCaInTestService(ca.id));
    }
    let der = issuer.issue_organisation(req).map_err(smki_err)?;
    let mut rec = CertRecord::organisation(&der, Environment::Test, now_ms)
        .map_err(|e| IssueError::Smki(e.to_string()))?;
    rec.issuer_ca = Some(ca.id);
    Ok(rec)
}

/// The live service's guard: a live CA (OCA or DCA) never issues a test certificate. Every
/// live issuance calls this with the CA it is about to issue from; world creation checks every
/// live issuing CA with it.
pub fn check_live_issuer(ca: &CaRecord) -> Result<(), IssueError> {
    if ca.environment != Environment::Live {
        return Err(IssueError::TestCaInLiveService(ca.id));
    }
    let c = issuing_ca(ca)?;
    if c.policy() == Some(TEST_POLICY) {
        return Err(IssueError::TestCaInLiveService(ca.id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use smki::{KeyUsage, RemotePartyRole};

    fn draw() -> impl FnMut() -> Result<(KeyPair, Serial), smki::SmkiError> {
        || {
            Ok((
                KeyPair::generate_with_os_rng()?,
                Serial::random_with_os_rng()?,
            ))
        }
    }

    fn record(ca: &Ca, env: Environment) -> CaRecord {
        CaRecord {
            id: 9,
            ..CaRecord::new(ca, env, 0).unwrap()
        }
    }

    fn request(key: &KeyPair, now: OffsetDateTime) -> OrgCertRequest {
        OrgCertRequest {
            common_name: Some("TEST SUPPLIER".into()),
            eui: eui::Eui64::from_u64(0x90B3_D51F_3001_0000),
            role: RemotePartyRole::Supplier,
            usage: KeyUsage::DigitalSignature,
            public_key: key.public_key(),
            serial: Serial::from_bytes([0x41; 16]).unwrap(),
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(30),
        }
    }

    #[test]
    fn test_certificates_say_so_and_chain_to_test_roots_only() {
        let now = OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap();
        let mut d = draw();
        let pki = generate_test_pki(now, &mut d).unwrap();
        assert_eq!(pki.oca.policy(), Some(TEST_POLICY));
        assert!(pki.oca.subject_rfc2253().unwrap().contains("TEST"));
        let key = d().unwrap().0;
        let rec =
            issue_test_organisation(&record(&pki.oca, Environment::Test), &request(&key, now), 5)
                .unwrap();
        assert_eq!(rec.environment, Environment::Test);
        assert_eq!(rec.issuer_ca, Some(9));
        smki::verify_issued_by(&rec.der, pki.oca.cert_der()).unwrap();
        let live = smki::Pki::generate_with_os_rng(now, &smki::PkiNames::default()).unwrap();
        assert!(smki::verify_issued_by(&rec.der, live.oca.cert_der()).is_err());
        // The test service refuses live CAs, however they are labelled.
        assert_eq!(
            issue_test_organisation(
                &record(&live.oca, Environment::Live),
                &request(&key, now),
                5
            ),
            Err(IssueError::LiveCaInTestService(9))
        );
        assert_eq!(
            issue_test_organisation(
                &record(&live.oca, Environment::Test),
                &request(&key, now),
                5
            ),
            Err(IssueError::LiveCaInTestService(9))
        );
        // The live service refuses test CAs, however they are labelled.
        assert!(check_live_issuer(&record(&live.oca, Environment::Live)).is_ok());
        assert!(check_live_issuer(&record(&live.dca, Environment::Live)).is_ok());
        assert_eq!(
            check_live_issuer(&record(&pki.dca, Environment::Live)),
            Err(IssueError::TestCaInLiveService(9))
        );
        // The test service issues organisation certificates only from its OCA.
        assert_eq!(
            issue_test_organisation(&record(&pki.dca, Environment::Test), &request(&key, now), 5),
            Err(IssueError::NotAnOca {
                id: 9,
                kind: CaKind::Dca
            })
        );
        assert_eq!(
            check_live_issuer(&record(&pki.oca, Environment::Live)),
            Err(IssueError::TestCaInLiveService(9))
        );
        assert_eq!(
            check_live_issuer(&record(&pki.oca, Environment::Test)),
            Err(IssueError::TestCaInLiveService(9))
        );
        // A CA without its key cannot issue.
        let mut keyless = record(&pki.oca, Environment::Test);
        keyless.key_pkcs8 = None;
        assert_eq!(
            issue_test_organisation(&keyless, &request(&key, now), 5),
            Err(IssueError::NoKey(9))
        );
    }
}
