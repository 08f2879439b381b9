//! Setting the layout up when other processes may be doing the same at the same moment.
//!
//! Every process of a deployment runs [`crate::Queue::connect`], and several may start
//! together on a fresh prefix. Each step (a stream, a durable consumer, a bucket, the recorded
//! partition count) is create-or-get, and a step that met another process half-way (a stream or
//! bucket another process created between this one's look and its create, a key it wrote
//! first, a bucket whose stream does not answer for its subjects yet, a request that timed out
//! while the server was busy creating everyone's consumers) is tried again from the start —
//! reading what is there, then creating what is still missing — after a short pause with
//! jitter, a bounded number of times. What cannot be a race (the server holds another
//! configuration, the connection is down, JetStream is not enabled) fails at once.

use std::future::Future;
use std::time::Duration;

use tracing::debug;

use crate::QueueError;

/// How often one step is tried in all.
pub(crate) const ATTEMPTS: u32 = 8;

/// What one try of a step met.
#[derive(Debug)]
pub(crate) enum Step {
    /// Perhaps another process at work on the same layout, or a server slow to answer: read
    /// again and retry. The error is what the caller gets if the tries run out.
    Again(QueueError),
    /// Not a race: fail now.
    Fail(QueueError),
}

impl From<QueueError> for Step {
    fn from(e: QueueError) -> Self {
        Self::Fail(e)
    }
}

/// Runs `once` until it succeeds, fails for good, or has been tried [`ATTEMPTS`] times.
pub(crate) async fn retrying<T, F, Fut>(what: &str, mut once: F) -> Result<T, QueueError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Step>>,
{
    let mut attempt = 0;
    loop {
        match once().await {
            Ok(v) => return Ok(v),
            Err(Step::Fail(e)) => return Err(e),
            Err(Step::Again(e)) => {
                attempt += 1;
                if attempt >= ATTEMPTS {
                    return Err(e);
                }
                debug!(what, attempt, error = %e, "setting the layout up: trying again");
                tokio::time::sleep(pause(attempt)).await;
            }
        }
    }
}

/// The pause before the `attempt`th retry: 50 ms doubling up to 800 ms, plus up to as much
/// again at random so that processes that collided once do not collide again.
fn pause(attempt: u32) -> Duration {
    let base = 50u64 << attempt.saturating_sub(1).min(4);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // A cheap mix of the clock's nanoseconds and the process id (no generator needed here).
    let mix = u64::from(nanos ^ std::process::id().rotate_left(13)).wrapping_mul(0x9e37_79b9);
    Duration::from_millis(base + (mix >> 7) % (base + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_and_stay_short() {
        for attempt in 1..ATTEMPTS {
            let p = pause(attempt);
            let base = 50u64 << (attempt - 1).min(4);
            assert!(p >= Duration::from_millis(base), "{attempt}: {p:?}");
            assert!(p <= Duration::from_millis(2 * base), "{attempt}: {p:?}");
        }
    }

    #[tokio::test]
    async fn retries_a_race_and_stops_at_a_failure_or_the_bound() {
        let mut tries = 0;
        let got = retrying("t", || {
            tries += 1;
            let t = tries;
            async move {
                if t < 3 {
                    Err(Step::Again(QueueError::JetStream("race".into())))
                } else {
                    Ok(t)
                }
            }
        })
        .await;
        assert_eq!(got, Ok(3));
        let mut tries = 0;
        let got: Result<(), _> = retrying("t", || {
            tries += 1;
            async { Err(Step::Fail(QueueError::Config("no".into()))) }
        })
        .await;
        assert_eq!((got, tries), (Err(QueueError::Config("no".into())), 1));
        let mut tries = 0;
        let got: Result<(), _> = retrying("t", || {
            tries += 1;
            async { Err(Step::Again(QueueError::unavailable("u", "timed out"))) }
        })
        .await;
        assert!(got.is_err_and(|e| e.is_unavailable()));
        assert_eq!(tries, ATTEMPTS);
    }
}
