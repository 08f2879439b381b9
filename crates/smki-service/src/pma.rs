//! The SMKI Policy Management Authority's powers (SEC L): suspend an SMKI participant (the
//! gateway then refuses its requests: `users.suspended`, checked by the DCC's eligibility
//! rules, DUIS response E3), lift a suspension, and force the revocation of a certificate.
//! Every action is recorded in the audit log, with the PMA as actor.

use std::fmt;

use eui::Eui64;

use crate::audit::{ACTOR_PMA, AuditEntry};
use crate::revocation::{self, Reason, Requester, RevocationError};
use crate::store::{SmkiTx, StoreError};

/// One PMA action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PmaAction {
    Suspend { participant: Eui64 },
    Unsuspend { participant: Eui64 },
    ForceRevoke { serial: String, reason: Reason },
}

impl fmt::Display for PmaAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Suspend { participant } => write!(f, "suspended {participant}"),
            Self::Unsuspend { participant } => write!(f, "lifted the suspension of {participant}"),
            Self::ForceRevoke { serial, reason } => write!(f, "revoked {serial} ({reason})"),
        }
    }
}

/// Why a PMA action was refused (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PmaError {
    #[error("{0} is not an SMKI participant (no DCC user with that EUI-64)")]
    UnknownParticipant(Eui64),
    #[error("{0} is already suspended")]
    AlreadySuspended(Eui64),
    #[error("{0} is not suspended")]
    NotSuspended(Eui64),
    #[error(transparent)]
    Revocation(#[from] RevocationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Performs `action` at `now_ms`, recording it.
pub fn perform(tx: &mut dyn SmkiTx, action: &PmaAction, now_ms: i64) -> Result<(), PmaError> {
    match action {
        PmaAction::Suspend { participant } | PmaAction::Unsuspend { participant } => {
            let suspend = matches!(action, PmaAction::Suspend { .. });
            match tx.set_participant_suspended(*participant, suspend)? {
                None => return Err(PmaError::UnknownParticipant(*participant)),
                Some(was) if was == suspend => {
                    return Err(if suspend {
                        PmaError::AlreadySuspended(*participant)
                    } else {
                        PmaError::NotSuspended(*participant)
                    });
                }
                Some(_) => {}
            }
            tx.append_audit(&AuditEntry::new(
                now_ms,
                ACTOR_PMA,
                if suspend { "suspend" } else { "unsuspend" },
                participant.to_string(),
            ))?;
            Ok(())
        }
        PmaAction::ForceRevoke { serial, reason } => {
            revocation::revoke(tx, serial, *reason, Requester::Pma, now_ms)?;
            Ok(())
        }
    }
}
