//! Batched device CSRs (SEC L8: more than one and fewer than 50,000 in one submission).
//!
//! [`submit`] stores the batch and its CSRs durably and answers at once with the batch id; a
//! background worker calls [`process_chunk`] until [`BatchRecord::finished`], each chunk in its
//! own transaction, storing for every CSR either the serial issued or the rule that refused
//! it. Progress is `done / total`. A CSR that is malformed or ineligible does not stop the
//! others.

use eui::Eui64;
use smki::{CaKind, CertificationRequest, CsrSubject, Serial};
use time::OffsetDateTime;

use crate::eligibility::Refusal;
use crate::issuance::{self, IssueError, IssuingCa};
use crate::model::Environment;
use crate::store::{SmkiTx, StoreError};

/// The most CSRs one batch may hold.
pub const MAX_BATCH: usize = 49_999;

/// A stored batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    /// Row id; 0 before it is stored.
    pub id: i64,
    pub subscriber: Eui64,
    pub environment: Environment,
    pub submitted_at: i64,
    pub total: u32,
    pub done: u32,
    pub issued: u32,
    pub refused: u32,
    pub finished_at: Option<i64>,
}

impl BatchRecord {
    pub fn finished(&self) -> bool {
        self.finished_at.is_some()
    }
}

/// What became of one CSR of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Not processed yet.
    Pending,
    /// Issued: the certificate's serial (canonical hex).
    Issued(String),
    /// Refused: the rule, as text.
    Refused(String),
}

/// One CSR's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// Position in the submission, from 0.
    pub index: u32,
    pub outcome: ItemOutcome,
}

/// Why a batch was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("rule batch-size: a batch holds 1 to {MAX_BATCH} CSRs; this one holds {0}")]
    Size(usize),
    #[error("{0}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores a batch of DER CSRs for `subscriber`; returns its id.
pub fn submit(
    tx: &mut dyn SmkiTx,
    env: Environment,
    subscriber: Eui64,
    csrs: &[Vec<u8>],
    now_ms: i64,
) -> Result<BatchRecord, SubmitError> {
    if csrs.is_empty() || csrs.len() > MAX_BATCH {
        return Err(SubmitError::Size(csrs.len()));
    }
    if tx.subscriber(subscriber)?.is_none() {
        return Err(SubmitError::Refused(Refusal::NotAuthorisedSubscriber(
            subscriber,
        )));
    }
    let mut b = BatchRecord {
        id: 0,
        subscriber,
        environment: env,
        submitted_at: now_ms,
        total: u32::try_from(csrs.len()).map_err(|_| SubmitError::Size(csrs.len()))?,
        done: 0,
        issued: 0,
        refused: 0,
        finished_at: None,
    };
    b.id = tx.put_batch(&b, csrs)?;
    Ok(b)
}

/// Processes up to `limit` pending CSRs of batch `id`; returns the batch as it now stands.
/// `next_serial` draws certificate serials.
pub fn process_chunk(
    tx: &mut dyn SmkiTx,
    id: i64,
    limit: usize,
    next_serial: &mut dyn FnMut() -> Result<Serial, smki::SmkiError>,
    now: OffsetDateTime,
) -> Result<Option<BatchRecord>, StoreError> {
    let Some(mut b) = tx.batch(id)? else {
        return Ok(None);
    };
    if b.finished() {
        return Ok(Some(b));
    }
    let items = tx.pending_batch_items(id, limit)?;
    let mut ca: Option<Result<IssuingCa, IssueError>> = None;
    for (index, csr) in items {
        let outcome = match one(tx, &b, &csr, &mut ca, next_serial, now) {
            Ok(serial) => {
                b.issued += 1;
                ItemOutcome::Issued(serial)
            }
            Err(IssueError::Store(e)) => return Err(e),
            Err(e) => {
                b.refused += 1;
                ItemOutcome::Refused(e.to_string())
            }
        };
        tx.set_batch_item(id, index, &outcome)?;
        b.done += 1;
    }
    if let Some(Ok(ca)) = &ca {
        tx.update_ca(&ca.record)?;
    }
    if b.done >= b.total {
        b.finished_at =
            Some(i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX));
    }
    tx.update_batch(&b)?;
    Ok(Some(b))
}

fn one(
    tx: &mut dyn SmkiTx,
    b: &BatchRecord,
    csr: &[u8],
    ca: &mut Option<Result<IssuingCa, IssueError>>,
    next_serial: &mut dyn FnMut() -> Result<Serial, smki::SmkiError>,
    now: OffsetDateTime,
) -> Result<String, IssueError> {
    let req = CertificationRequest::from_der(csr).map_err(IssueError::Csr)?;
    if !matches!(req.subject, CsrSubject::Device { .. }) {
        return Err(IssueError::Profile(
            "batches are for device certificate requests only (send organisation CSRs singly)"
                .into(),
        ));
    }
    issuance::check_eligible(tx, b.subscriber, &req, now)?;
    let ca = match ca.get_or_insert_with(|| IssuingCa::load(tx, CaKind::Dca, b.environment, now)) {
        Ok(ca) => ca,
        Err(e) => return Err(e.clone()),
    };
    let serial = next_serial().map_err(|e| IssueError::Profile(e.to_string()))?;
    let issued = issuance::sign_and_lodge(tx, ca, b.environment, b.subscriber, &req, serial, now)?;
    Ok(issued.record.serial)
}
