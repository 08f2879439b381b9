//! Roll-over of the issuing device CA (DCA): after 3 calendar months of operation or
//! 100,000 certificates, whichever comes first, a new DCA key is made, its certificate issued
//! by the Device Root, and the old key destroyed, all in one transaction and with no action by
//! subscribers (issuance simply continues on the new DCA).
//!
//! "3 months" is calendar months from the DCA's `created_at` (see
//! [`crate::schedule::add_months`]): a DCA created 2026-11-30 10:00 is due at
//! 2027-02-28 10:00.
//!
//! Destruction: the old record's `key_pkcs8` is set to NULL, `destroyed_at` and a
//! `destruction_record` (time, SKI and SHA-256 fingerprint of the public key) are written. The
//! SQLite store runs with `secure_delete` on, so the freed bytes are overwritten; the caller
//! then checkpoints the WAL (`SqliteStore::checkpoint_truncate`) so no old page image remains.

use std::fmt;

use sha2::Digest;
use smki::{CaKind, CaSpec, KeyPair, Serial};

use crate::audit::{AuditEntry, rfc3339_ms};
use crate::model::{CaRecord, CertKind, CertRecord, CertStatus, Environment};
use crate::publication::to_time;
use crate::schedule::add_months;
use crate::store::{SmkiTx, StoreError};

/// A DCA issues at most this many certificates.
pub const MAX_ISSUED: u64 = 100_000;
/// A DCA issues for at most this many calendar months.
pub const MAX_AGE_MONTHS: u32 = 3;

/// Why a roll-over happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RolloverReason {
    /// 3 months of operation.
    Age,
    /// 100,000 certificates issued.
    Count,
    /// An operator asked (`opendcc smki rollover --force`).
    Forced,
}

impl fmt::Display for RolloverReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Age => "3 months of operation",
            Self::Count => "100000 certificates issued",
            Self::Forced => "forced by the operator",
        })
    }
}

/// Pure policy: whether `dca` is due for roll-over at `now_ms`.
pub fn rollover_due(dca: &CaRecord, now_ms: i64) -> Option<RolloverReason> {
    if dca.issued_count >= MAX_ISSUED {
        return Some(RolloverReason::Count);
    }
    match add_months(dca.created_at, MAX_AGE_MONTHS) {
        Some(limit) if now_ms < limit => None,
        _ => Some(RolloverReason::Age),
    }
}

/// Why a roll-over could not be done (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RolloverError {
    #[error("no current issuing device CA (DCA) in {0:?}")]
    NoDca(Environment),
    #[error("no device root whose key the DCC holds in {0:?}, to certify a new DCA")]
    NoRoot(Environment),
    #[error("roll-over: {0}")]
    Smki(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<smki::SmkiError> for RolloverError {
    fn from(e: smki::SmkiError) -> Self {
        Self::Smki(e.to_string())
    }
}

/// The fresh material a roll-over needs, drawn by the caller from its RNG.
pub struct Fresh {
    pub key: KeyPair,
    pub serial: Serial,
}

/// The DCA issuing now in `env` (not retired, key held), if any.
pub fn current_dca(
    tx: &mut dyn SmkiTx,
    env: Environment,
) -> Result<Option<CaRecord>, RolloverError> {
    Ok(tx.current_ca(CaKind::Dca, env)?)
}

/// What a roll-over did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollover {
    /// The old DCA, retired, its key destroyed.
    pub old: CaRecord,
    /// The new DCA.
    pub new: CaRecord,
    pub reason: RolloverReason,
}

fn common_name(cert_der: &[u8]) -> Result<String, RolloverError> {
    use der::Decode;
    let c = x509_cert::Certificate::from_der(cert_der)
        .map_err(|e| RolloverError::Smki(format!("DCA certificate: {e}")))?;
    let cn = der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3");
    crate::model::subject_texts(&c, cn)
        .next()
        .ok_or_else(|| RolloverError::Smki("DCA certificate has no CN".into()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rolls the DCA of `env` over at `now_ms`: new key (from `fresh`), certificate from the
/// Device Root (same name, valid from now for [`smki::ISSUING_LIFETIME`] or until the root
/// expires), the old DCA retired and its key destroyed, the repository and audit log updated.
pub fn roll_over(
    tx: &mut dyn SmkiTx,
    env: Environment,
    now_ms: i64,
    reason: RolloverReason,
    fresh: Fresh,
) -> Result<Rollover, RolloverError> {
    let mut old = current_dca(tx, env)?.ok_or(RolloverError::NoDca(env))?;
    let mut root_rec = tx
        .current_ca(CaKind::DeviceRoot, env)?
        .ok_or(RolloverError::NoRoot(env))?;
    // Key bytes read from storage are zeroised when dropped.
    let root_key = smki::zeroize::Zeroizing::new(
        root_rec
            .key_pkcs8
            .take()
            .ok_or(RolloverError::NoRoot(env))?,
    );
    let root = smki::Ca::from_parts(
        CaKind::DeviceRoot,
        KeyPair::from_pkcs8_der(&root_key)?,
        root_rec.cert_der.clone(),
    )?;
    let now = to_time(now_ms).map_err(|e| RolloverError::Smki(e.to_string()))?;
    let root_not_after = {
        use der::Decode;
        let c = x509_cert::Certificate::from_der(&root_rec.cert_der)
            .map_err(|e| RolloverError::Smki(format!("device root certificate: {e}")))?;
        let d = c.tbs_certificate().validity().not_after.to_unix_duration();
        to_time(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .map_err(|e| RolloverError::Smki(e.to_string()))?
    };
    let not_after = (now + smki::ISSUING_LIFETIME).min(root_not_after);
    let new_pub = fresh.key.public_key();
    let ca = root.issue_subordinate(
        &CaSpec {
            common_name: common_name(&old.cert_der)?,
            serial: fresh.serial,
            not_before: now,
            not_after,
        },
        fresh.key,
    )?;
    let new = CaRecord::new(&ca, env, now_ms)?;
    let new_id = tx.put_ca(&new)?;
    let new = CaRecord { id: new_id, ..new };
    let mut cert = CertRecord::authority(ca.cert_der(), CertKind::Authority, env, now_ms)
        .map_err(|e| RolloverError::Smki(e.to_string()))?;
    cert.issuer_ca = Some(root_rec.id);
    tx.put_certificate(&cert)?;

    // Retire the old DCA and destroy its key.
    let old_pub = CertRecord::authority(&old.cert_der, CertKind::Authority, env, now_ms)
        .map_err(|e| RolloverError::Smki(e.to_string()))?;
    let fingerprint = hex(&sha2::Sha256::digest(&old_pub.public_key));
    let ski = smki::PublicKey::from_sec1(&old_pub.public_key)
        .map(|k| hex(&k.key_identifier()))
        .unwrap_or_default();
    let record = format!(
        "private key of DCA #{} destroyed at {} ({reason}): public key SHA-256 {fingerprint}, \
         SKI {ski}; PKCS#8 erased from the database (secure_delete, WAL checkpointed); \
         succeeded by DCA #{new_id} (public key SHA-256 {})",
        old.id,
        rfc3339_ms(now_ms),
        hex(&sha2::Sha256::digest(new_pub.to_sec1_uncompressed())),
    );
    drop(old.key_pkcs8.take().map(smki::zeroize::Zeroizing::new));
    old.retired_at = Some(now_ms);
    old.destroyed_at = Some(now_ms);
    old.destruction_record = Some(record.clone());
    tx.update_ca(&old)?;
    if tx.certificate(&old_pub.serial)?.is_some() {
        tx.set_certificate_status(&old_pub.serial, CertStatus::NotInUse)?;
    }
    tx.append_audit(
        &AuditEntry::new(
            now_ms,
            if reason == RolloverReason::Forced {
                crate::audit::ACTOR_PMA
            } else {
                crate::audit::ACTOR_DCC
            },
            "rollover",
            format!("DCA #{} -> DCA #{new_id}", old.id),
        )
        .reason(reason.to_string())
        .detail(record),
    )?;
    Ok(Rollover { old, new, reason })
}

/// The DCA to issue the next device certificate with at `now_ms`, rolling over first if due
/// (`fresh` is called only then). Call [`record_issue`] after issuing.
pub fn current_dca_for_issue(
    tx: &mut dyn SmkiTx,
    env: Environment,
    now_ms: i64,
    fresh: impl FnOnce() -> Result<Fresh, smki::SmkiError>,
) -> Result<CaRecord, RolloverError> {
    let dca = current_dca(tx, env)?.ok_or(RolloverError::NoDca(env))?;
    match rollover_due(&dca, now_ms) {
        None => Ok(dca),
        Some(reason) => Ok(roll_over(tx, env, now_ms, reason, fresh()?)?.new),
    }
}

/// Counts one certificate issued by CA `ca_id`; returns the updated record.
pub fn record_issue(tx: &mut dyn SmkiTx, ca_id: i64) -> Result<CaRecord, RolloverError> {
    let mut ca = tx
        .ca(ca_id)?
        .ok_or_else(|| RolloverError::Smki(format!("no CA with id {ca_id}")))?;
    ca.issued_count = ca.issued_count.saturating_add(1);
    tx.update_ca(&ca)?;
    Ok(ca)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::to_ms;
    use time::macros::datetime;

    fn ms(t: time::OffsetDateTime) -> i64 {
        to_ms(t)
    }

    fn dca(created_at: i64, issued_count: u64) -> CaRecord {
        CaRecord {
            id: 1,
            kind: CaKind::Dca,
            environment: Environment::Live,
            cert_der: vec![],
            key_pkcs8: Some(vec![1]),
            created_at,
            issued_count,
            retired_at: None,
            destroyed_at: None,
            destruction_record: None,
        }
    }

    #[test]
    fn due_at_one_hundred_thousand_certificates() {
        let t0 = ms(datetime!(2026-01-10 00:00 UTC));
        assert_eq!(rollover_due(&dca(t0, 99_999), t0 + 1), None);
        assert_eq!(
            rollover_due(&dca(t0, 100_000), t0 + 1),
            Some(RolloverReason::Count)
        );
    }

    #[test]
    fn due_at_three_calendar_months() {
        let t0 = ms(datetime!(2026-01-10 08:00 UTC));
        let limit = ms(datetime!(2026-04-10 08:00 UTC));
        assert_eq!(rollover_due(&dca(t0, 0), limit - 1), None);
        assert_eq!(rollover_due(&dca(t0, 0), limit), Some(RolloverReason::Age));
        // Month-end clamping: from 30 Nov, 3 months is 28 Feb (2027 is no leap year).
        let t1 = ms(datetime!(2026-11-30 00:00 UTC));
        let l1 = ms(datetime!(2027-02-28 00:00 UTC));
        assert_eq!(rollover_due(&dca(t1, 0), l1 - 1), None);
        assert_eq!(rollover_due(&dca(t1, 0), l1), Some(RolloverReason::Age));
    }

    proptest::proptest! {
        #[test]
        fn due_exactly_when_either_limit_is_reached(
            created in 0i64..4_000_000_000_000,
            offset in 0i64..20_000_000_000,
            count in 0u64..200_000,
        ) {
            let now = created + offset;
            let limit = add_months(created, 3).unwrap_or(i64::MAX);
            let due = rollover_due(&dca(created, count), now).is_some();
            proptest::prop_assert_eq!(due, count >= MAX_ISSUED || now >= limit);
        }
    }
}
