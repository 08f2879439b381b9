//! Wake-ups for the shell's workers: instead of polling the store on a short fixed tick, a
//! worker sleeps until it is signalled that work appeared, until the earliest due time the
//! store reports (a retry, a held command, a delivery's backoff), or until its safety tick.
//!
//! Who signals what:
//!
//! | signal | raised by |
//! |---|---|
//! | [`Wakeups::wan`] | the DUIS handler, after the gateway committed a request that queued a WAN command (`Answer::wan_jobs`); the scheduler's runner, after a run queued requests |
//! | [`Wakeups::outbox`] | the dispatcher's runner, after an attempt answered or gave up (its response is in the outbox) and after hub reports were routed as alerts; the scheduler's runner, after a run |
//!
//! A signal is sent after the transaction that made the work has committed. No wake-up is
//! lost: a [`Wake`] keeps one permit ([`tokio::sync::Notify::notify_one`]), so a signal sent
//! while its worker is busy reading the store makes the worker's next wait return at once, and
//! the worker reads the store again after every wake-up, whatever woke it.
//!
//! What no signal reaches: work another process puts in the database (the operator's
//! `opendcc recovery …` queues WAN commands, `opendcc wan event …` queues hub events), and any
//! signal a future code path forgets to send. The [`SAFETY_TICK`] picks those up: each worker
//! looks at the store at least that often even when nothing woke it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// The longest a worker sleeps without looking at the store (see the module documentation).
pub const SAFETY_TICK: Duration = Duration::from_secs(1);

/// A wake-up for one worker. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn new() -> Self {
        Self::default()
    }

    /// There is work: wakes the worker if it waits, or else makes its next wait return at once.
    /// Any number of signals before the worker waits again make one wake-up.
    pub fn signal(&self) {
        self.0.notify_one();
    }

    /// Waits for a signal (returns at once if one came since the last wait returned). For the
    /// one worker that owns this wake-up.
    pub async fn wait(&self) {
        self.0.notified().await;
    }
}

/// The wake-ups of the DCC's workers, shared by everything that signals them.
#[derive(Debug, Clone, Default)]
pub struct Wakeups {
    /// The dispatcher (`dispatch::run`): a command was queued for the SM WAN.
    pub wan: Wake,
    /// The delivery worker (`delivery::run`): a document was put in the outbox.
    pub outbox: Wake,
}

impl Wakeups {
    pub fn new() -> Self {
        Self::default()
    }
}

/// Whether a runner with `capacity` slots, `busy` of them taken, should read its queue now:
/// when none is busy, or when an eighth of its slots (at least one) are free. Under load one
/// read then starts several pieces of work, instead of one read after each that ends (the WAN
/// runner and the delivery worker both follow this).
pub(crate) fn worth_a_look(capacity: usize, busy: usize) -> bool {
    busy == 0 || capacity.saturating_sub(busy) >= (capacity / 8).max(1)
}

/// The instant at unix time `at_ms` for a clock that reads `now_ms` now: never before now, and
/// never more than a day ahead (callers wait at most a [`SAFETY_TICK`] anyway).
pub(crate) fn instant_at(now_ms: i64, at_ms: i64) -> tokio::time::Instant {
    const DAY_MS: u64 = 86_400_000;
    let ahead = u64::try_from(at_ms.saturating_sub(now_ms)).unwrap_or(0);
    tokio::time::Instant::now() + Duration::from_millis(ahead.min(DAY_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_signal_before_the_wait_is_kept() {
        let w = Wake::new();
        w.signal();
        w.signal();
        let start = tokio::time::Instant::now();
        // The permit makes the wait return at once, without time passing.
        tokio::time::timeout(Duration::from_millis(1), w.wait())
            .await
            .expect("the kept signal wakes the waiter");
        assert_eq!(tokio::time::Instant::now(), start);
        // Two signals made one permit: the next wait waits.
        assert!(
            tokio::time::timeout(Duration::from_millis(1), w.wait())
                .await
                .is_err()
        );
    }

    #[test]
    fn instants_are_never_in_the_past() {
        let now = tokio::time::Instant::now();
        assert!(instant_at(1_000, 0) >= now);
        assert!(instant_at(1_000, 1_500) >= now + Duration::from_millis(500));
        assert!(instant_at(i64::MIN, i64::MAX) > now);
    }
}

#[cfg(test)]
mod look_tests {
    use super::worth_a_look;

    #[test]
    fn a_queue_is_read_when_an_eighth_of_the_slots_are_free_or_none_is_busy() {
        assert!(worth_a_look(64, 0));
        assert!(worth_a_look(64, 56), "8 of 64 free");
        assert!(!worth_a_look(64, 57), "7 of 64 free");
        assert!(worth_a_look(4, 3), "at least one slot");
        assert!(!worth_a_look(4, 4));
        assert!(worth_a_look(0, 0), "nothing busy");
    }
}
