//! Issuing one certificate from one CSR (SEC L8: answered within 30 seconds; ours takes
//! milliseconds): parse and check the CSR (proof of possession, profile, limits), check
//! eligibility, pick the environment's current issuing CA, sign, count, lodge, all in the
//! caller's one [`SmkiTx`] transaction.

use dcc_model::registration::{registered_parties, supply_points};
use eui::Eui64;
use smki::csr::limits;
use smki::{
    Ca, CaKind, CertificationRequest, CsrSubject, DeviceCertRequest, KeyPair, OrgCertRequest,
    Serial, SmkiError,
};
use time::{Duration, OffsetDateTime};

use crate::eligibility::{self, Applicant, DeviceFacts, Refusal, Requested};
use crate::model::{CaRecord, CertRecord, Environment};
use crate::store::{SmkiTx, StoreError};
use crate::{rollover, test_service};

/// How long an organisation certificate is valid (capped at the issuing CA's own end).
pub const ORG_CERT_LIFETIME: Duration = Duration::days(5 * 365);

/// Why a request produced no certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// The CSR is malformed, fails proof of possession or breaks the profile or its limits.
    #[error("rule csr: {0}")]
    Csr(SmkiError),
    /// The subscriber may not have this certificate.
    #[error("{0}")]
    Refused(Refusal),
    /// No current issuing CA of that kind in this service's environment.
    #[error("rule issuing-ca: the {environment} service has no current {kind} CA")]
    NoIssuingCa {
        kind: CaKind,
        environment: Environment,
    },
    /// The CA record in the store is unusable (key or certificate).
    #[error("issuing CA: {0}")]
    CaRecord(SmkiError),
    /// Signing failed, or the result broke a size limit.
    #[error("rule profile: {0}")]
    Profile(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IssueError {
    /// Whether the fault is the request's (a 4xx) rather than the service's (a 5xx).
    pub fn is_requesters_fault(&self) -> bool {
        matches!(self, Self::Csr(_) | Self::Refused(_))
    }
}

/// A certificate issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub record: CertRecord,
}

/// The CA that issues `kind` certificates now in `env`: the newest current one. For the issuing
/// device CA, a DCA that is due for roll-over (3 months or 100,000 certificates) is rolled over
/// first, in the caller's transaction, so no certificate is ever issued past either limit and
/// subscribers do nothing ([`rollover::current_dca_for_issue`]); `fresh` makes the new DCA's key
/// and serial, and is called only then. In the live service, a CA carrying the test policy is
/// never used ([`test_service::check_live_issuer`]).
///
/// The one place the choice is made.
pub fn current_issuing_ca(
    tx: &mut dyn SmkiTx,
    kind: CaKind,
    env: Environment,
    now: OffsetDateTime,
    fresh: &mut dyn FnMut() -> Result<rollover::Fresh, SmkiError>,
) -> Result<Option<CaRecord>, IssueError> {
    let record = if kind == CaKind::Dca {
        match rollover::current_dca_for_issue(tx, env, unix_ms(now), &mut *fresh) {
            Ok(r) => Some(r),
            Err(rollover::RolloverError::NoDca(_)) => None,
            Err(rollover::RolloverError::Store(e)) => return Err(IssueError::Store(e)),
            Err(e) => return Err(IssueError::Profile(format!("rule dca-roll-over: {e}"))),
        }
    } else {
        tx.current_ca(kind, env)?
    };
    if let Some(r) = &record
        && env == Environment::Live
    {
        test_service::check_live_issuer(r)
            .map_err(|e| IssueError::Profile(format!("rule live-never-test: {e}")))?;
    }
    Ok(record)
}

/// A new DCA's key and serial from the operating system's generator: what the service uses
/// when [`current_issuing_ca`] rolls the DCA over (tests pass their own).
pub fn fresh_from_os_rng() -> Result<rollover::Fresh, SmkiError> {
    Ok(rollover::Fresh {
        key: KeyPair::generate_with_os_rng()?,
        serial: Serial::random_with_os_rng()?,
    })
}

/// A loaded issuing CA, reused across the CSRs of a batch.
pub struct IssuingCa {
    pub record: CaRecord,
    pub ca: Ca,
    pub(crate) not_after: OffsetDateTime,
}

impl IssuingCa {
    /// Loads the current issuing CA of `kind` in `env` ([`current_issuing_ca`]: a DCA due for
    /// roll-over is rolled over first, with a key from the operating system's generator).
    pub fn load(
        tx: &mut dyn SmkiTx,
        kind: CaKind,
        env: Environment,
        now: OffsetDateTime,
    ) -> Result<Self, IssueError> {
        let record = current_issuing_ca(tx, kind, env, now, &mut fresh_from_os_rng)?.ok_or(
            IssueError::NoIssuingCa {
                kind,
                environment: env,
            },
        )?;
        let key = record
            .key_pkcs8
            .as_deref()
            .ok_or(IssueError::NoIssuingCa {
                kind,
                environment: env,
            })
            .and_then(|k| KeyPair::from_pkcs8_der(k).map_err(IssueError::CaRecord))?;
        let ca =
            Ca::from_parts(kind, key, record.cert_der.clone()).map_err(IssueError::CaRecord)?;
        let not_after = cert_not_after(&record.cert_der).map_err(IssueError::CaRecord)?;
        Ok(Self {
            record,
            ca,
            not_after,
        })
    }
}

fn cert_not_after(der: &[u8]) -> Result<OffsetDateTime, SmkiError> {
    use der::Decode;
    let c = x509_cert::Certificate::from_der(der)
        .map_err(|e| SmkiError::MalformedCertificate(e.to_string()))?;
    let secs = c
        .tbs_certificate()
        .validity()
        .not_after
        .to_unix_duration()
        .as_secs();
    OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
        .map_err(|e| SmkiError::MalformedCertificate(e.to_string()))
}

fn unix_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Gathers what eligibility needs to know about a device from the inventory and registration
/// data. `None` when the device is not in the inventory.
pub fn device_facts(
    tx: &mut dyn SmkiTx,
    eui: Eui64,
    now: OffsetDateTime,
) -> Result<Option<DeviceFacts>, StoreError> {
    let Some(d) = tx.smi_device(eui)? else {
        return Ok(None);
    };
    let premises = match &d.uprn {
        Some(uprn) => tx.smi_premises(uprn)?,
        None => None,
    };
    let points = supply_points(&d, premises.as_ref());
    let mut registrations = Vec::new();
    for mpxn in [points.mpan.as_deref(), points.mprn.as_deref()]
        .into_iter()
        .flatten()
    {
        registrations.extend(tx.smi_registrations(mpxn)?);
    }
    let parties = registered_parties(&d, premises.as_ref(), &registrations, now.date());
    let gas_suppliers: Vec<Eui64> = parties.gas_supplier.into_iter().collect();
    let electricity_suppliers: Vec<Eui64> = parties.import_supplier.into_iter().collect();
    Ok(Some(DeviceFacts {
        eui,
        device_type: d.device_type,
        status: d.status,
        at_supply_point: points.any(),
        gas_suppliers,
        electricity_suppliers,
    }))
}

/// Checks that `subscriber` may have the certificate `req` asks for.
pub fn check_eligible(
    tx: &mut dyn SmkiTx,
    subscriber: Eui64,
    req: &CertificationRequest,
    now: OffsetDateTime,
) -> Result<(), IssueError> {
    let who = Subscriber::load(tx, subscriber)?;
    check_eligible_as(tx, &who, req, now)
}

/// What eligibility needs to know about the subscriber (its admission and its DCC user roles),
/// read once and reused for every CSR of a batch chunk (the chunk is one transaction).
#[derive(Debug, Clone)]
pub struct Subscriber {
    eui: Eui64,
    record: Option<crate::subscribers::Subscriber>,
    roles: Vec<duis::UserRole>,
}

impl Subscriber {
    /// Reads `subscriber`'s admission and (unsuspended) DCC user roles.
    pub fn load(tx: &mut dyn SmkiTx, subscriber: Eui64) -> Result<Self, StoreError> {
        let record = tx.subscriber(subscriber)?;
        let roles = tx
            .dcc_user(subscriber)?
            .filter(|u| !u.suspended)
            .map(|u| u.roles)
            .unwrap_or_default();
        Ok(Self {
            eui: subscriber,
            record,
            roles,
        })
    }
}

/// [`check_eligible`] for a subscriber already read with [`Subscriber::load`] in this
/// transaction.
pub fn check_eligible_as(
    tx: &mut dyn SmkiTx,
    who: &Subscriber,
    req: &CertificationRequest,
    now: OffsetDateTime,
) -> Result<(), IssueError> {
    let (subscriber, sub, roles) = (who.eui, &who.record, &who.roles);
    let what = match &req.subject {
        CsrSubject::Organisation { eui, .. } => Requested::Organisation { eui: *eui },
        CsrSubject::Device { eui } => Requested::Device(*eui, device_facts(tx, *eui, now)?),
    };
    eligibility::check(
        &Applicant {
            eui: subscriber,
            subscriber: sub.as_ref(),
            user_roles: roles,
        },
        &what,
    )
    .map_err(IssueError::Refused)
}

/// Issues one certificate for `subscriber` from a DER CSR, in `env`, with `serial`.
pub fn issue(
    tx: &mut dyn SmkiTx,
    env: Environment,
    subscriber: Eui64,
    csr_der: &[u8],
    serial: Serial,
    now: OffsetDateTime,
) -> Result<Issued, IssueError> {
    let req = CertificationRequest::from_der(csr_der).map_err(IssueError::Csr)?;
    check_eligible(tx, subscriber, &req, now)?;
    let kind = match req.subject {
        CsrSubject::Organisation { .. } => CaKind::Oca,
        CsrSubject::Device { .. } => CaKind::Dca,
    };
    let mut ca = IssuingCa::load(tx, kind, env, now)?;
    let issued = sign_and_lodge(tx, &mut ca, env, subscriber, &req, serial, now)?;
    tx.update_ca(&ca.record)?;
    Ok(issued)
}

/// Signs an already checked request with `ca`, lodges the certificate and counts it on the CA
/// record (the caller writes the record back with [`SmkiTx::update_ca`]).
pub fn sign_and_lodge(
    tx: &mut dyn SmkiTx,
    ca: &mut IssuingCa,
    env: Environment,
    subscriber: Eui64,
    req: &CertificationRequest,
    serial: Serial,
    now: OffsetDateTime,
) -> Result<Issued, IssueError> {
    let record = sign_record_with(&ca.ca, ca.not_after, req, serial, env, now)?;
    lodge_record(tx, &mut ca.record, subscriber, record)
}

/// Signs an already checked request with `ca` (no storage: safe to run on several threads).
pub fn sign(
    ca: &IssuingCa,
    req: &CertificationRequest,
    serial: Serial,
    now: OffsetDateTime,
) -> Result<Vec<u8>, IssueError> {
    sign_with(&ca.ca, ca.not_after, req, serial, now)
}

/// [`sign`] with the parts of an [`IssuingCa`] it reads: the CA and the end of its validity
/// (so that a batch can sign on other threads while it counts on the record).
pub(crate) fn sign_with(
    ca: &Ca,
    ca_not_after: OffsetDateTime,
    req: &CertificationRequest,
    serial: Serial,
    now: OffsetDateTime,
) -> Result<Vec<u8>, IssueError> {
    match &req.subject {
        CsrSubject::Organisation {
            common_name,
            eui,
            role,
        } => {
            let not_after = (now + ORG_CERT_LIFETIME).min(ca_not_after);
            let der = ca
                .issue_organisation(&OrgCertRequest {
                    common_name: common_name.clone(),
                    eui: *eui,
                    role: *role,
                    usage: req.usage,
                    public_key: req.public_key,
                    serial,
                    not_before: now,
                    not_after,
                })
                .map_err(|e| IssueError::Profile(e.to_string()))?;
            if der.len() > limits::ORG_CERT_DER_MAX {
                return Err(IssueError::Profile(format!(
                    "the organisation certificate would be {} bytes, over the {}-byte limit",
                    der.len(),
                    limits::ORG_CERT_DER_MAX
                )));
            }
            Ok(der)
        }
        CsrSubject::Device { eui } => ca
            .issue_device(&DeviceCertRequest {
                eui: *eui,
                usage: req.usage,
                public_key: req.public_key,
                serial,
                not_before: now,
            })
            .map_err(|e| IssueError::Profile(e.to_string())),
    }
}

/// [`sign_with`], and the record of the certificate signed ([`cert_record`]; for a device
/// certificate built from the fields already known, [`CertRecord::device_issued`], rather than
/// read back from the DER). No storage: safe to run on several threads.
pub(crate) fn sign_record_with(
    ca: &Ca,
    ca_not_after: OffsetDateTime,
    req: &CertificationRequest,
    serial: Serial,
    env: Environment,
    now: OffsetDateTime,
) -> Result<CertRecord, IssueError> {
    let der = sign_with(ca, ca_not_after, req, serial, now)?;
    match &req.subject {
        CsrSubject::Device { eui } => Ok(CertRecord::device_issued(
            der,
            serial,
            *eui,
            req.usage,
            &req.public_key,
            env,
            unix_ms(now),
        )),
        CsrSubject::Organisation { .. } => cert_record(req, &der, env, now),
    }
}

/// Lodges a certificate `ca` signed for `req` and counts it on the CA record.
pub fn lodge(
    tx: &mut dyn SmkiTx,
    ca: &mut IssuingCa,
    env: Environment,
    subscriber: Eui64,
    req: &CertificationRequest,
    der: &[u8],
    now: OffsetDateTime,
) -> Result<Issued, IssueError> {
    let record = cert_record(req, der, env, now)?;
    lodge_record(tx, &mut ca.record, subscriber, record)
}

/// The record of a certificate signed for `req` (no storage: safe to run on several threads).
pub(crate) fn cert_record(
    req: &CertificationRequest,
    der: &[u8],
    env: Environment,
    now: OffsetDateTime,
) -> Result<CertRecord, IssueError> {
    let at = unix_ms(now);
    match &req.subject {
        CsrSubject::Organisation { .. } => CertRecord::organisation(der, env, at),
        CsrSubject::Device { .. } => CertRecord::device(der, env, at),
    }
    .map_err(|e| IssueError::Profile(e.0))
}

/// Stores a certificate's record for `subscriber` as issued by `ca_record`'s CA, and counts it
/// on that record.
pub(crate) fn lodge_record(
    tx: &mut dyn SmkiTx,
    ca_record: &mut CaRecord,
    subscriber: Eui64,
    mut record: CertRecord,
) -> Result<Issued, IssueError> {
    record.subscriber = Some(subscriber);
    record.issuer_ca = Some(ca_record.id);
    tx.insert_certificate(&record)?;
    ca_record.issued_count = ca_record.issued_count.saturating_add(1);
    Ok(Issued { record })
}
