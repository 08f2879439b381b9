//! Publishing the CRL (organisation certificates revoked, signed by the OCA) and the ARL (OCA
//! certificates revoked, signed by the Organisation Root).
//!
//! Publishing a CRL also marks, in the same transaction, the gateway's copy of every
//! certificate it lists as revoked (`org_certs.revoked`): from then on the gateway refuses
//! requests signed with them. Publishing an ARL that lists an OCA does the same for every
//! organisation certificate that OCA issued. Until then a revoked certificate is still accepted, as SEC L
//! has it (relying parties act on the published list).
//!
//! Validity: a CRL's `nextUpdate` is `thisUpdate` + 24 h (twice the 12 h publication period,
//! so one late publication does not leave relying parties without a current list); an ARL's
//! is `thisUpdate` + 13 months (the 12-month period plus one).

use std::fmt;

use smki::{CaKind, CrlSpec, KeyPair, ParsedCrl, RevokedEntry};
use time::OffsetDateTime;

use crate::audit::AuditEntry;
use crate::model::{CaRecord, CertKind, CertRecord, Environment};
use crate::revocation::Reason;
use crate::schedule;
use crate::store::{SmkiTx, StoreError};

/// CRL or ARL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// Certificate revocation list: organisation certificates, issued by the OCA.
    Crl,
    /// Authority revocation list: OCA certificates, issued by the Organisation Root.
    Arl,
}

impl ListKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Crl => "crl",
            Self::Arl => "arl",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "crl" => Some(Self::Crl),
            "arl" => Some(Self::Arl),
            _ => None,
        }
    }

    /// The CA that signs this kind of list.
    pub const fn issuer(self) -> CaKind {
        match self {
            Self::Crl => CaKind::Oca,
            Self::Arl => CaKind::OrganisationRoot,
        }
    }

    /// The kind of certificate it lists.
    pub const fn lists(self) -> CertKind {
        match self {
            Self::Crl => CertKind::Organisation,
            Self::Arl => CertKind::Authority,
        }
    }
}

impl fmt::Display for ListKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Crl => "CRL",
            Self::Arl => "ARL",
        })
    }
}

/// A published list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList {
    /// Row id; 0 for one not stored yet.
    pub id: i64,
    pub kind: ListKind,
    pub environment: Environment,
    /// The [`CaRecord::id`] of the CA that signed it.
    pub issuer_ca: i64,
    /// Its cRLNumber.
    pub number: u64,
    /// Unix milliseconds (whole seconds: X.509 times have no fraction).
    pub this_update: i64,
    pub next_update: i64,
    pub der: Vec<u8>,
}

/// What a publication did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub list: RevocationList,
    /// Canonical hex serials listed.
    pub listed: Vec<String>,
    /// Decimal serials whose gateway copy this publication marked revoked.
    pub newly_refused: Vec<String>,
}

/// Why a list could not be published (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    #[error("no {0} CA whose key the DCC holds, to sign the list")]
    NoIssuer(CaKind),
    #[error("{0}")]
    Smki(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<smki::SmkiError> for PublishError {
    fn from(e: smki::SmkiError) -> Self {
        Self::Smki(e.to_string())
    }
}

pub(crate) fn to_time(ms: i64) -> Result<OffsetDateTime, PublishError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| PublishError::Smki(format!("time {ms}: {e}")))
}

pub(crate) fn to_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The CA (with key) that signs `kind` lists in `env`: the current one.
pub fn issuer_ca(
    tx: &mut dyn SmkiTx,
    kind: ListKind,
    env: Environment,
) -> Result<CaRecord, PublishError> {
    tx.current_ca(kind.issuer(), env)?
        .ok_or(PublishError::NoIssuer(kind.issuer()))
}

/// The certificates a `kind` list signed by `issuer` must carry at `now_ms`: revoked, issued by
/// it, not yet expired.
pub fn certificates_to_list(
    tx: &mut dyn SmkiTx,
    kind: ListKind,
    issuer: &CaRecord,
    now_ms: i64,
) -> Result<Vec<CertRecord>, PublishError> {
    Ok(tx
        .revoked_certificates(issuer.environment, kind.lists())?
        .into_iter()
        .filter(|c| c.not_after > now_ms)
        .filter(|c| c.der != issuer.cert_der)
        .filter(|c| {
            c.issuer_ca == Some(issuer.id)
                || smki::verify_issued_by(&c.der, &issuer.cert_der).is_ok()
        })
        .collect())
}

/// Publishes a `kind` list for `env` at `now_ms` (signed, stored, gateway copies marked,
/// audited as done by `actor`).
pub fn publish(
    tx: &mut dyn SmkiTx,
    kind: ListKind,
    env: Environment,
    now_ms: i64,
    actor: &str,
) -> Result<Published, PublishError> {
    let mut issuer = issuer_ca(tx, kind, env)?;
    let certs = certificates_to_list(tx, kind, &issuer, now_ms)?;
    let number = tx
        .latest_revocation_list(kind, env)?
        .map_or(1, |l| l.number.saturating_add(1));
    // X.509 times are whole seconds.
    let this_update = to_time(now_ms - now_ms.rem_euclid(1000))?;
    let next_update = match kind {
        ListKind::Crl => this_update + time::Duration::hours(24),
        ListKind::Arl => to_time(
            schedule::add_months(to_ms(this_update), 13)
                .ok_or_else(|| PublishError::Smki("ARL nextUpdate out of range".into()))?,
        )?,
    };
    let mut revoked = Vec::with_capacity(certs.len());
    for c in &certs {
        let parsed = x509_serial(&c.der)?;
        let reason = c
            .revocation_reason
            .as_deref()
            .and_then(|r| r.parse::<Reason>().ok())
            .map(|r| r.rfc5280(c.kind));
        revoked.push(RevokedEntry {
            serial: parsed,
            revoked_at: to_time(c.revoked_at.unwrap_or(now_ms))?,
            reason,
        });
    }
    // The key bytes read from storage are zeroised when dropped.
    let key = smki::zeroize::Zeroizing::new(
        issuer
            .key_pkcs8
            .take()
            .ok_or(PublishError::NoIssuer(kind.issuer()))?,
    );
    let ca = smki::Ca::from_parts(
        kind.issuer(),
        KeyPair::from_pkcs8_der(&key)?,
        issuer.cert_der.clone(),
    )?;
    let der = ca.issue_crl(&CrlSpec {
        number,
        this_update,
        next_update,
        revoked,
    })?;
    let mut list = RevocationList {
        id: 0,
        kind,
        environment: env,
        issuer_ca: issuer.id,
        number,
        this_update: to_ms(this_update),
        next_update: to_ms(next_update),
        der,
    };
    list.id = tx.put_revocation_list(&list)?;
    let mut newly_refused = Vec::new();
    match kind {
        ListKind::Crl => {
            for c in &certs {
                if tx.mark_gateway_cert_revoked(&c.serial_decimal)? {
                    newly_refused.push(c.serial_decimal.clone());
                }
            }
        }
        // A revoked OCA takes every certificate it issued with it: no chain through it holds.
        ListKind::Arl => {
            let orgs = tx.certificates_of_kind(env, CertKind::Organisation)?;
            for oca in &certs {
                for c in &orgs {
                    let under = smki::verify_issued_by(&c.der, &oca.der).is_ok();
                    if under && tx.mark_gateway_cert_revoked(&c.serial_decimal)? {
                        newly_refused.push(c.serial_decimal.clone());
                    }
                }
            }
        }
    }
    let listed: Vec<String> = certs.iter().map(|c| c.serial.clone()).collect();
    tx.append_audit(
        &AuditEntry::new(
            now_ms,
            actor,
            match kind {
                ListKind::Crl => "publish-crl",
                ListKind::Arl => "publish-arl",
            },
            format!("{kind} #{number}"),
        )
        .detail(format!(
            "{} listed{}{}",
            listed.len(),
            if listed.is_empty() { "" } else { ": " },
            listed.join(",")
        )),
    )?;
    Ok(Published {
        list,
        listed,
        newly_refused,
    })
}

fn x509_serial(der: &[u8]) -> Result<Vec<u8>, PublishError> {
    use der::Decode;
    let c = x509_cert::Certificate::from_der(der)
        .map_err(|e| PublishError::Smki(format!("stored certificate: {e}")))?;
    Ok(c.tbs_certificate().serial_number().as_bytes().to_vec())
}

/// The serials (canonical hex) a stored list carries.
pub fn listed_serials(list: &RevocationList) -> Result<Vec<String>, PublishError> {
    let p = ParsedCrl::parse(&list.der)?;
    Ok(p.revoked
        .iter()
        .map(|r| crate::model::serial_hex_of_bytes(&r.serial))
        .collect())
}
