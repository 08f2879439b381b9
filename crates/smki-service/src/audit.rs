//! The SMKI audit log: every PMA action, every revocation, every CRL/ARL publication and
//! every issuing-CA roll-over, with when, who, what and why.

use std::fmt;

/// Who acted: the Policy Management Authority, a subscriber (by EUI-64), or the DCC's own
/// scheduled service.
pub const ACTOR_PMA: &str = "PMA";
/// The DCC's own SMKI service (scheduled publication, automatic roll-over).
pub const ACTOR_DCC: &str = "DCC";

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Unix milliseconds.
    pub at: i64,
    pub actor: String,
    /// `suspend`, `unsuspend`, `revoke`, `force-revoke`, `publish-crl`, `publish-arl`,
    /// `rollover`.
    pub action: String,
    /// What it was done to: a participant EUI, a certificate serial, a list, a CA.
    pub target: String,
    pub reason: Option<String>,
    pub detail: Option<String>,
}

impl AuditEntry {
    pub fn new(at: i64, actor: &str, action: &str, target: impl Into<String>) -> Self {
        Self {
            at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.into(),
            reason: None,
            detail: None,
        }
    }

    pub fn reason(mut self, r: impl Into<String>) -> Self {
        self.reason = Some(r.into());
        self
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }
}

/// RFC 3339 text of unix milliseconds (or the number itself when out of range).
pub fn rfc3339_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

impl fmt::Display for AuditEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            rfc3339_ms(self.at),
            self.actor,
            self.action,
            self.target
        )?;
        if let Some(r) = &self.reason {
            write!(f, " reason={r}")?;
        }
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}
