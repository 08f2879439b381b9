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
/// `next_serial` draws certificate serials. The cryptography (parsing with proof of
/// possession, and signing) runs on up to `threads` threads; look-ups and writes stay in `tx`.
pub fn process_chunk(
    tx: &mut dyn SmkiTx,
    id: i64,
    limit: usize,
    threads: usize,
    next_serial: &mut dyn FnMut() -> Result<Serial, smki::SmkiError>,
    now: OffsetDateTime,
) -> Result<Option<BatchRecord>, StoreError> {
    let Some(mut b) = tx.batch(id)? else {
        return Ok(None);
    };
    if b.finished() {
        return Ok(Some(b));
    }
    // A chunk never takes the DCA past its 100,000-certificate roll-over limit: it signs at
    // most what the current DCA has room for (a DCA already at the limit is rolled over when
    // the chunk loads it, and then has the full room).
    let room = tx.current_ca(CaKind::Dca, b.environment)?.map_or(0, |dca| {
        crate::rollover::MAX_ISSUED.saturating_sub(dca.issued_count)
    });
    let limit = match usize::try_from(room) {
        Ok(0) => limit,
        Ok(room) => limit.min(room),
        Err(_) => limit,
    };
    let items = tx.pending_batch_items(id, limit)?;
    // 1. Parse and check proof of possession, in parallel.
    let parsed = par_map(&items, threads, |(_, csr)| parse_device_csr(csr));
    // 2. Eligibility, serially against the store; draw serials for the eligible.
    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; items.len()];
    let mut to_sign: Vec<(usize, CertificationRequest, Serial)> = Vec::new();
    for (i, p) in parsed.into_iter().enumerate() {
        let checked = p.and_then(|req| {
            issuance::check_eligible(tx, b.subscriber, &req, now)?;
            let serial = next_serial().map_err(|e| IssueError::Profile(e.to_string()))?;
            Ok((req, serial))
        });
        match checked {
            Ok((req, serial)) => to_sign.push((i, req, serial)),
            Err(IssueError::Store(e)) => return Err(e),
            Err(e) => outcomes[i] = Some(ItemOutcome::Refused(e.to_string())),
        }
    }
    // 3. Sign in parallel with the current DCA, then lodge serially.
    if !to_sign.is_empty() {
        match IssuingCa::load(tx, CaKind::Dca, b.environment, now) {
            Ok(mut ca) => {
                let signed = par_map(&to_sign, threads, |(_, req, serial)| {
                    issuance::sign(&ca, req, *serial, now)
                });
                for ((i, req, _), der) in to_sign.iter().zip(signed) {
                    let r = der.and_then(|der| {
                        issuance::lodge(tx, &mut ca, b.environment, b.subscriber, req, &der, now)
                    });
                    outcomes[*i] = Some(match r {
                        Ok(issued) => ItemOutcome::Issued(issued.record.serial),
                        Err(IssueError::Store(e)) => return Err(e),
                        Err(e) => ItemOutcome::Refused(e.to_string()),
                    });
                }
                tx.update_ca(&ca.record)?;
            }
            Err(IssueError::Store(e)) => return Err(e),
            Err(e) => {
                for (i, _, _) in &to_sign {
                    outcomes[*i] = Some(ItemOutcome::Refused(e.to_string()));
                }
            }
        }
    }
    for ((index, _), outcome) in items.iter().zip(outcomes) {
        let outcome = outcome.unwrap_or(ItemOutcome::Refused(
            "rule internal: not processed".to_owned(),
        ));
        match &outcome {
            ItemOutcome::Issued(_) => b.issued += 1,
            ItemOutcome::Refused(_) | ItemOutcome::Pending => b.refused += 1,
        }
        tx.set_batch_item(id, *index, &outcome)?;
        b.done += 1;
    }
    if b.done >= b.total {
        b.finished_at =
            Some(i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX));
    }
    tx.update_batch(&b)?;
    Ok(Some(b))
}

fn parse_device_csr(csr: &[u8]) -> Result<CertificationRequest, IssueError> {
    let req = CertificationRequest::from_der(csr).map_err(IssueError::Csr)?;
    if !matches!(req.subject, CsrSubject::Device { .. }) {
        return Err(IssueError::Profile(
            "batches are for device certificate requests only (send organisation CSRs singly)"
                .into(),
        ));
    }
    Ok(req)
}

/// `f` over `items` on up to `threads` scoped threads, results in order.
fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, 64);
    if threads == 1 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let per = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(v) => out.extend(v),
                // A panicking worker is a bug; re-raise it rather than lose results.
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        out
    })
}
