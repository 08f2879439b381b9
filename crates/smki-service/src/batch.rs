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
use crate::model::{CertRecord, Environment};
use crate::store::{SmkiTx, StoreError};

/// The most CSRs one batch may hold.
pub const MAX_BATCH: usize = 49_999;

/// CSRs the background worker processes per transaction ([`process_chunk`]'s `limit`).
///
/// Each transaction ends with a durable commit (an `fsync` of about 5 ms on the project's
/// machine) that no CPU work overlaps, so small chunks pay it often: 250 commits for 50,000
/// CSRs in chunks of 200 (about 1.3 s), 50 in chunks of 1,000. A chunk holds the database for
/// its whole length, about 60 ms at 1,000 (20,000 CSRs a second on two cores): the cost other
/// requests waiting for the store may see while a batch runs.
pub const CHUNK: usize = 1_000;

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
    // Each CSR's outcome is stored as soon as it is known, while the workers go on.
    let mut recorded = vec![false; items.len()];
    if items.is_empty() {
        return finish_chunk(tx, b, &items, &recorded, now).map(Some);
    }
    // Serials are drawn here, in submission order, one for each CSR (a refused CSR's is never
    // used), so that the workers can sign without coming back to this thread.
    let serials: Vec<Result<Serial, String>> = items
        .iter()
        .map(|_| next_serial().map_err(|e| e.to_string()))
        .collect();
    // The current DCA (rolled over first if it is due); if there is none, every CSR that parses
    // and is eligible is refused with the reason.
    let (mut ca, signer) = match IssuingCa::load(tx, CaKind::Dca, b.environment, now) {
        Ok(IssuingCa {
            record,
            ca,
            not_after,
        }) => (Ok(record), Some((ca, not_after))),
        Err(IssueError::Store(e)) => return Err(e),
        Err(e) => (Err(e.to_string()), None),
    };
    // One pass, with no barrier inside the chunk: worker threads parse each CSR, check its
    // proof of possession and sign its certificate, while this thread, in submission order as
    // results arrive, checks each CSR's eligibility against the store (the subscriber is read
    // once, at the first) and lodges the certificate of an eligible one. The certificate of an
    // ineligible CSR is signed but dropped here: it is never stored or sent.
    let work: Vec<(&Vec<u8>, &Result<Serial, String>)> =
        items.iter().map(|(_, csr)| csr).zip(&serials).collect();
    let signer = signer.as_ref().map(|(ca, not_after)| (ca, *not_after));
    let env = b.environment;
    let mut who: Option<issuance::Subscriber> = None;
    par_for_each_ordered(
        &work,
        threads,
        |(csr, serial)| -> Result<Parsed, IssueError> {
            let req = parse_device_csr(csr)?;
            let cert = signer.map(|(ca, not_after)| {
                let serial = Result::clone(serial).map_err(IssueError::Profile)?;
                issuance::sign_record_with(ca, not_after, &req, serial, env, now)
            });
            Ok((req, cert))
        },
        |i, parsed| {
            let eligible = parsed.and_then(|(req, cert)| {
                let who = match &mut who {
                    Some(w) => w,
                    None => who.insert(issuance::Subscriber::load(tx, b.subscriber)?),
                };
                issuance::check_eligible_as(tx, who, &req, now)?;
                Ok(cert)
            });
            let outcome = match (eligible, &mut ca) {
                (Err(IssueError::Store(e)), _) => return Err(e),
                (Err(e), _) => ItemOutcome::Refused(e.to_string()),
                (Ok(_), Err(no_ca)) => ItemOutcome::Refused(no_ca.clone()),
                (Ok(None), Ok(_)) => ItemOutcome::Refused("rule internal: not signed".into()),
                (Ok(Some(cert)), Ok(ca)) => {
                    match cert.and_then(|c| issuance::lodge_record(tx, ca, b.subscriber, c)) {
                        Ok(issued) => ItemOutcome::Issued(issued.record.serial),
                        Err(IssueError::Store(e)) => return Err(e),
                        Err(e) => ItemOutcome::Refused(e.to_string()),
                    }
                }
            };
            if let (Some((index, _)), Some(done)) = (items.get(i), recorded.get_mut(i)) {
                record(tx, &mut b, *index, &outcome)?;
                *done = true;
            }
            Ok(())
        },
    )?;
    if let Ok(ca) = &ca {
        tx.update_ca(ca)?;
    }
    finish_chunk(tx, b, &items, &recorded, now).map(Some)
}

/// Stores one CSR's outcome and counts it.
fn record(
    tx: &mut dyn SmkiTx,
    b: &mut BatchRecord,
    index: u32,
    outcome: &ItemOutcome,
) -> Result<(), StoreError> {
    match outcome {
        ItemOutcome::Issued(_) => b.issued += 1,
        ItemOutcome::Refused(_) | ItemOutcome::Pending => b.refused += 1,
    }
    tx.set_batch_item(b.id, index, outcome)?;
    b.done += 1;
    Ok(())
}

/// A CSR parsed with its proof of possession checked, and its certificate signed (`None`
/// when there is no issuing CA).
type Parsed = (CertificationRequest, Option<Result<CertRecord, IssueError>>);

/// Stores the outcome of any CSR not yet recorded (none, unless a worker failed to return
/// one) and the batch's progress.
fn finish_chunk(
    tx: &mut dyn SmkiTx,
    mut b: BatchRecord,
    items: &[(u32, Vec<u8>)],
    recorded: &[bool],
    now: OffsetDateTime,
) -> Result<BatchRecord, StoreError> {
    let not_processed = ItemOutcome::Refused("rule internal: not processed".to_owned());
    for ((index, _), done) in items.iter().zip(recorded) {
        if !done {
            record(tx, &mut b, *index, &not_processed)?;
        }
    }
    if b.done >= b.total {
        b.finished_at =
            Some(i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX));
    }
    tx.update_batch(&b)?;
    Ok(b)
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

/// `f` over `items` on `threads` scoped worker threads, while the calling thread hands each
/// result to `sink` in the order of `items` as soon as it and all before it are ready: the
/// calling thread's work (look-ups and writes in the transaction) overlaps the workers'
/// (cryptography). Stops at the first error `sink` returns. One thread, or one item: all on
/// the calling thread.
fn par_for_each_ordered<T: Sync, R: Send, E>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(usize, R) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let threads = threads.clamp(1, 64);
    if threads == 1 || items.len() < 2 {
        for (i, t) in items.iter().enumerate() {
            sink(i, f(t))?;
        }
        return Ok(());
    }
    // Workers take runs of `RUN` consecutive items and send each run's results at once, so the
    // calling thread is woken once a run rather than once an item.
    const RUN: usize = 8;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (send, results) = std::sync::mpsc::channel::<(usize, Vec<R>)>();
        for _ in 0..threads.min(items.len()) {
            let send = send.clone();
            let (next, stop, f) = (&next, &stop, &f);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let start = next.fetch_add(RUN, Ordering::Relaxed);
                    let Some(run) = items.get(start..(start + RUN).min(items.len())) else {
                        break;
                    };
                    if run.is_empty() || send.send((start, run.iter().map(f).collect())).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        // Results that arrived before an earlier one, by position.
        let mut early: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
        let mut want = 0usize;
        for (start, run) in results {
            for (slot, r) in early.iter_mut().skip(start).zip(run) {
                *slot = Some(r);
            }
            while let Some(r) = early.get_mut(want).and_then(Option::take) {
                if let Err(e) = sink(want, r) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                want += 1;
            }
        }
        // Every worker has finished; a worker that panicked is re-raised when the scope ends.
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::par_for_each_ordered;

    #[test]
    fn results_reach_the_sink_in_order_on_any_number_of_threads() {
        let items: Vec<u32> = (0..1_003).collect();
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            let r: Result<(), ()> = par_for_each_ordered(
                &items,
                threads,
                |x| x * 2,
                |i, v| {
                    seen.push((i, v));
                    Ok(())
                },
            );
            assert_eq!(r, Ok(()));
            let want: Vec<(usize, u32)> = items.iter().map(|&x| (x as usize, x * 2)).collect();
            assert_eq!(seen, want, "{threads} threads");
        }
    }

    #[test]
    fn the_first_sink_error_stops_the_run() {
        let items: Vec<u32> = (0..500).collect();
        for threads in [1, 2] {
            let mut last = None;
            let r = par_for_each_ordered(
                &items,
                threads,
                |x| *x,
                |i, _| {
                    last = Some(i);
                    if i == 37 { Err("stop") } else { Ok(()) }
                },
            );
            assert_eq!(r, Err("stop"));
            assert_eq!(last, Some(37), "nothing is handed on after the error");
        }
    }

    #[test]
    fn empty_and_single_inputs() {
        let mut n = 0;
        let r: Result<(), ()> = par_for_each_ordered(
            &[] as &[u8],
            2,
            |_| (),
            |_, ()| {
                n += 1;
                Ok(())
            },
        );
        assert_eq!((r, n), (Ok(()), 0));
        let r: Result<(), ()> = par_for_each_ordered(
            &[5u8],
            2,
            |x| *x,
            |i, v| {
                assert_eq!((i, v), (0, 5));
                n += 1;
                Ok(())
            },
        );
        assert_eq!((r, n), (Ok(()), 1));
    }
}
