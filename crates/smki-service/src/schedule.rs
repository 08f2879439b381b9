//! What the SMKI service must do at a given time (pure: the time is a parameter).
//!
//! * CRL: due when none has been published, when 12 hours have passed since the last one
//!   (published "every 12 hours even if nothing changed"), or when a revoked organisation
//!   certificate is not on the last one. SEC L asks for publication within one hour of a
//!   revocation; the service's worker publishes on its next tick (every 30 s by default).
//! * ARL: due when none has been published, when 12 calendar months have passed since the
//!   last one, or when a revoked OCA certificate is not on the last one.
//! * DCA roll-over: see [`crate::rollover::rollover_due`].

use time::{Month, OffsetDateTime};

use crate::model::{CaRecord, Environment};
use crate::publication::{self, ListKind, PublishError};
use crate::rollover::{self, RolloverReason};
use crate::store::SmkiTx;

/// CRL publication period: 12 hours.
pub const CRL_PERIOD_MS: i64 = 12 * 3_600_000;
/// ARL publication period in calendar months.
pub const ARL_PERIOD_MONTHS: u32 = 12;
/// SEC L: a CRL listing a revocation is published within this of the revocation.
pub const REVOCATION_PUBLISH_WITHIN_MS: i64 = 3_600_000;

/// Why a list is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListDue {
    /// None has been published yet.
    First,
    /// The period has passed since the last one.
    Periodic,
    /// Revoked certificates (canonical hex serials) are not on the last one; `deadline` is
    /// when the earliest of them must be published by.
    Revocations { serials: Vec<String>, deadline: i64 },
}

/// `t_ms` plus `months` calendar months (the day clamped to the end of a shorter month),
/// `None` if out of range.
pub fn add_months(t_ms: i64, months: u32) -> Option<i64> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(t_ms) * 1_000_000).ok()?;
    let total = i64::from(t.year()) * 12 + i64::from(u8::from(t.month())) - 1 + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
    let day = t.day().min(month.length(year));
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let out = t.replace_date(date);
    i64::try_from(out.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Pure rule for one list. `last`: the last list's thisUpdate and its serials; `pending`: each
/// certificate that must be listed now, with its revocation time.
pub fn list_due(
    kind: ListKind,
    last: Option<(i64, &[String])>,
    pending: &[(String, i64)],
    now_ms: i64,
) -> Option<ListDue> {
    let Some((this_update, listed)) = last else {
        return Some(ListDue::First);
    };
    let missing: Vec<&(String, i64)> = pending
        .iter()
        .filter(|(s, _)| !listed.contains(s))
        .collect();
    if !missing.is_empty() {
        let earliest = missing.iter().map(|(_, at)| *at).min().unwrap_or(now_ms);
        return Some(ListDue::Revocations {
            serials: missing.iter().map(|(s, _)| s.clone()).collect(),
            deadline: earliest.saturating_add(REVOCATION_PUBLISH_WITHIN_MS),
        });
    }
    let next = match kind {
        ListKind::Crl => this_update.checked_add(CRL_PERIOD_MS),
        ListKind::Arl => add_months(this_update, ARL_PERIOD_MONTHS),
    };
    match next {
        Some(n) if now_ms < n => None,
        _ => Some(ListDue::Periodic),
    }
}

/// Whether a `kind` list is due in `env` at `now_ms`, from the store.
pub fn list_due_now(
    tx: &mut dyn SmkiTx,
    kind: ListKind,
    env: Environment,
    now_ms: i64,
) -> Result<Option<ListDue>, PublishError> {
    let issuer = publication::issuer_ca(tx, kind, env)?;
    let pending: Vec<(String, i64)> = publication::certificates_to_list(tx, kind, &issuer, now_ms)?
        .into_iter()
        .map(|c| (c.serial, c.revoked_at.unwrap_or(now_ms)))
        .collect();
    let last = tx.latest_revocation_list(kind, env)?;
    let listed = last.as_ref().map(publication::listed_serials).transpose()?;
    Ok(list_due(
        kind,
        last.as_ref().map(|l| l.this_update).zip(listed.as_deref()),
        &pending,
        now_ms,
    ))
}

/// Everything due at `now_ms` in `env`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub crl: Option<ListDue>,
    pub arl: Option<ListDue>,
    /// The current DCA, when it is due for roll-over.
    pub rollover: Option<(CaRecord, RolloverReason)>,
}

///
/// A list whose issuer's key the DCC does not hold (a world built on another PKI, such as
/// DCC Boxed's ZAZ1) is never due: the DCC cannot publish it.
pub fn due(tx: &mut dyn SmkiTx, env: Environment, now_ms: i64) -> Result<Due, PublishError> {
    let mut list = |kind| match list_due_now(tx, kind, env, now_ms) {
        Err(PublishError::NoIssuer(_)) => Ok(None),
        r => r,
    };
    let crl = list(ListKind::Crl)?;
    let arl = list(ListKind::Arl)?;
    let rollover = rollover::current_dca(tx, env)
        .map_err(|e| PublishError::Smki(e.to_string()))?
        .and_then(|ca| rollover::rollover_due(&ca, now_ms).map(|r| (ca, r)));
    Ok(Due { crl, arl, rollover })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ms(t: OffsetDateTime) -> i64 {
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
    }

    #[test]
    fn months_are_calendar_months() {
        let t = ms(datetime!(2026-11-30 10:00 UTC));
        assert_eq!(add_months(t, 3), Some(ms(datetime!(2027-02-28 10:00 UTC))));
        let t = ms(datetime!(2026-01-15 00:00:00.5 UTC));
        assert_eq!(
            add_months(t, 12),
            Some(ms(datetime!(2027-01-15 00:00:00.5 UTC)))
        );
        assert_eq!(add_months(t, 0), Some(t));
    }

    #[test]
    fn crl_every_twelve_hours_even_if_nothing_changed() {
        let t0 = ms(datetime!(2026-03-01 00:00 UTC));
        let none: &[String] = &[];
        assert_eq!(list_due(ListKind::Crl, None, &[], t0), Some(ListDue::First));
        assert_eq!(list_due(ListKind::Crl, Some((t0, none)), &[], t0), None);
        assert_eq!(
            list_due(ListKind::Crl, Some((t0, none)), &[], t0 + CRL_PERIOD_MS - 1),
            None
        );
        assert_eq!(
            list_due(ListKind::Crl, Some((t0, none)), &[], t0 + CRL_PERIOD_MS),
            Some(ListDue::Periodic)
        );
    }

    #[test]
    fn crl_due_at_once_after_a_revocation() {
        let t0 = ms(datetime!(2026-03-01 00:00 UTC));
        let listed = vec!["AB".to_string()];
        let pending = vec![("AB".to_string(), t0 - 10), ("CD".to_string(), t0 + 5)];
        assert_eq!(
            list_due(ListKind::Crl, Some((t0, &listed)), &pending, t0 + 6),
            Some(ListDue::Revocations {
                serials: vec!["CD".into()],
                deadline: t0 + 5 + REVOCATION_PUBLISH_WITHIN_MS
            })
        );
        // Everything listed: not due until the period ends.
        assert_eq!(
            list_due(ListKind::Crl, Some((t0, &listed)), &pending[..1], t0 + 6),
            None
        );
    }

    #[test]
    fn arl_every_twelve_months() {
        let t0 = ms(datetime!(2026-03-01 00:00 UTC));
        let none: &[String] = &[];
        let year = ms(datetime!(2027-03-01 00:00 UTC));
        assert_eq!(
            list_due(ListKind::Arl, Some((t0, none)), &[], year - 1),
            None
        );
        assert_eq!(
            list_due(ListKind::Arl, Some((t0, none)), &[], year),
            Some(ListDue::Periodic)
        );
        assert!(matches!(
            list_due(ListKind::Arl, Some((t0, none)), &[("1".into(), t0)], t0 + 1),
            Some(ListDue::Revocations { .. })
        ));
    }
}
