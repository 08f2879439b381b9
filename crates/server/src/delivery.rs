//! Delivery of DUIS responses and alerts to users' Receive Response Services from the durable
//! outbox: POSTed until the user's service accepts them (2xx), with exponential backoff, each
//! accepted attempt recorded so that nothing is sent again after it, and everything kept for
//! inspection.
//!
//! The worker does not poll on a short tick: it looks at the outbox when it is woken
//! ([`Wakeups::outbox`](crate::wake::Wakeups): the dispatcher or the scheduler put a document
//! there), when a delivery fails (to learn when it is due again), when a delivery ends while
//! others waited for a free slot, when the earliest retry falls due
//! (`Outbox::next_outbox_after`), and at least once per [`DeliveryPolicy::safety_tick`].

use std::sync::Arc;
use std::time::Duration;

use dcc::DccError;
use dcc::gateway::{Clock, unix_ms};
use dcc::store::{OutboxItem, Store};
use tokio::sync::watch;
use tracing::{info, warn};

use crate::wake::{SAFETY_TICK, Wake, instant_at, worth_a_look};

/// How often and how patiently to deliver.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    /// Delay before the first retry; doubles each attempt up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// How long one POST may take.
    pub request_timeout: Duration,
    /// The longest the worker sleeps without looking at the outbox (documents no signal
    /// announces are delivered within it).
    pub safety_tick: Duration,
    /// How many deliveries run at once.
    pub concurrency: usize,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
            safety_tick: SAFETY_TICK,
            concurrency: 32,
        }
    }
}

/// The header that names a delivery, so that a Receive Response Service can recognise the same
/// document if a crash made the DCC send it again before recording the acceptance.
pub const DELIVERY_ID_HEADER: &str = "x-opendcc-delivery-id";

/// The backoff before attempt `attempts + 1`.
pub fn backoff(policy: &DeliveryPolicy, attempts: u32) -> Duration {
    let factor = 1u32.checked_shl(attempts.min(20)).unwrap_or(u32::MAX);
    policy
        .base_backoff
        .checked_mul(factor)
        .unwrap_or(policy.max_backoff)
        .min(policy.max_backoff)
}

/// How many due documents one look at the outbox takes.
const BATCH: usize = 256;

/// Runs the delivery loop until `shutdown` turns true, woken by `wake` (the outbox's).
pub async fn run<S: Store, C: Clock>(
    store: Arc<S>,
    clock: Arc<C>,
    http: reqwest::Client,
    policy: DeliveryPolicy,
    wake: Wake,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut in_flight = tokio::task::JoinSet::new();
    let busy = Arc::new(std::sync::Mutex::new(
        std::collections::HashSet::<i64>::new(),
    ));
    // The due documents each look takes: the ones in flight come back too (undelivered).
    let batch = BATCH.min(policy.concurrency.max(1));
    'look: loop {
        if *shutdown.borrow() {
            break;
        }
        // Under load, the outbox is read when a few deliveries have ended, not after each.
        if !worth_a_look(policy.concurrency, in_flight.len()) {
            tokio::select! {
                _ = shutdown.changed() => {}
                Some(r) = in_flight.join_next() => {
                    if let Err(e) = r {
                        warn!(error = %e, "delivery task failed");
                    }
                }
            }
            continue;
        }
        let now = unix_ms(clock.now());
        let st = store.clone();
        let due = tokio::task::spawn_blocking(move || {
            st.read(|tx| Ok((tx.due_outbox_ids(now, batch)?, tx.next_outbox_after(now)?)))
        })
        .await;
        let (due, next_at) = match due {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                warn!(error = %e, "reading the outbox failed");
                (Vec::new(), None)
            }
            Err(e) => {
                warn!(error = %e, "outbox reader failed");
                (Vec::new(), None)
            }
        };
        let truncated = due.len() >= batch;
        let mut started = 0;
        // Due documents left for want of a free slot: the next delivery to end makes room.
        let mut waiting = false;
        for id in due {
            if in_flight.len() >= policy.concurrency {
                waiting = true;
                break;
            }
            {
                let Ok(mut b) = busy.lock() else { break };
                if !b.insert(id) {
                    continue;
                }
            }
            started += 1;
            let (store, clock, http, busy) =
                (store.clone(), clock.clone(), http.clone(), busy.clone());
            in_flight.spawn(async move {
                let retry = deliver_one(store, clock, &http, &policy, id).await;
                if let Ok(mut b) = busy.lock() {
                    b.remove(&id);
                }
                retry
            });
        }
        while let Some(r) = in_flight.try_join_next() {
            if let Err(e) = r {
                warn!(error = %e, "delivery task failed");
            }
        }
        if started > 0 && truncated {
            continue;
        }
        let wake_at = match next_at {
            Some(t) => instant_at(unix_ms(clock.now()), t)
                .min(tokio::time::Instant::now() + policy.safety_tick),
            None => tokio::time::Instant::now() + policy.safety_tick,
        };
        // Sleep until woken, the next retry, the safety tick, or a delivery's end that
        // changes what is due (a failure, due again later; a slot for a waiting document).
        loop {
            tokio::select! {
                _ = shutdown.changed() => continue 'look,
                _ = wake.wait() => continue 'look,
                _ = tokio::time::sleep_until(wake_at) => continue 'look,
                Some(r) = in_flight.join_next(), if !in_flight.is_empty() => {
                    let retry = r.unwrap_or_else(|e| {
                        warn!(error = %e, "delivery task failed");
                        false
                    });
                    if waiting || retry {
                        continue 'look;
                    }
                }
            }
        }
    }
    while in_flight.join_next().await.is_some() {}
}

/// Delivers one document; whether a retry was recorded (the worker looks again, to learn when
/// it is due). A delivery whose outcome could not be recorded is due as it was: it is tried
/// again on the next look, not at once.
async fn deliver_one<S: Store, C: Clock>(
    store: Arc<S>,
    clock: Arc<C>,
    http: &reqwest::Client,
    policy: &DeliveryPolicy,
    id: i64,
) -> bool {
    let st = store.clone();
    // The item is read now, not with the due list (which may be older than this item's last
    // delivery, and carries ids only); the URL is read at delivery time too, so that a change
    // takes effect without a restart. Both on a snapshot of what was committed: an earlier
    // delivery of this item was recorded (committed) before the item left `busy`, so the
    // snapshot sees it.
    let current = tokio::task::spawn_blocking(move || {
        st.read(|tx| {
            let Some(item) = tx.outbox_item(id)?.filter(|o| o.delivered_at.is_none()) else {
                return Ok(None);
            };
            let url = tx.user(item.recipient)?.and_then(|u| u.response_url);
            Ok(Some((item, url)))
        })
    })
    .await;
    let (item, url) = match current {
        Ok(Ok(Some(found))) => found,
        Ok(Ok(None)) => return false,
        Ok(Err(e)) => {
            // Due as it was: tried again on the next look.
            warn!(id, error = %e, "reading an outbox item failed");
            return false;
        }
        Err(e) => {
            warn!(id, error = %e, "outbox item reader failed");
            return false;
        }
    };
    let result = match &url {
        None => Err("the user has no Receive Response Service URL".to_string()),
        Some(url) => post(http, url, &item, policy).await,
    };
    let now = unix_ms(clock.now());
    let failed = result.is_err();
    // Recording waits for the store (and its commit): on a blocking thread, not the runtime's.
    let policy = *policy;
    let recorded =
        tokio::task::spawn_blocking(move || record(&*store, &item, &result, now, &policy)).await;
    match recorded {
        Ok(Ok(_)) => failed,
        Ok(Err(e)) => {
            warn!(id, error = %e, "recording a delivery attempt failed");
            false
        }
        Err(e) => {
            warn!(id, error = %e, "delivery recorder failed");
            false
        }
    }
}

/// Records one delivery attempt: accepted (`None`), or failed and due again after the backoff
/// (when: `Some`, unix milliseconds).
pub(crate) fn record<S: Store>(
    store: &S,
    item: &OutboxItem,
    result: &Result<(), String>,
    now: i64,
    policy: &DeliveryPolicy,
) -> Result<Option<i64>, DccError> {
    let id = item.id;
    let attempts = item.attempts.saturating_add(1);
    match result {
        Ok(()) => {
            info!(id, recipient = %item.recipient, kind = item.kind, reference = item.reference, "delivered");
            store.transaction(move |tx| Ok(tx.outbox_delivered(id, now)?))?;
            Ok(None)
        }
        Err(e) => {
            let wait =
                i64::try_from(backoff(policy, item.attempts).as_millis()).unwrap_or(i64::MAX);
            info!(id, recipient = %item.recipient, attempts, error = %e, "delivery failed; will retry");
            let next_at = now.saturating_add(wait);
            store.transaction(move |tx| Ok(tx.outbox_retry(id, attempts, next_at, e)?))?;
            Ok(Some(next_at))
        }
    }
}

/// A Receive Response Service reached in process (the deterministic test harness): handed each
/// document with the URL the user registered, it accepts (`Ok`) or refuses it.
pub trait Recipient {
    fn receive(&mut self, url: Option<&str>, item: &OutboxItem) -> Result<(), String>;
}

/// One delivery pass at `now_ms` through an in-process [`Recipient`]: every document due is
/// offered once, and the outcome recorded exactly as the HTTP worker records it (acceptance, or
/// a retry after the backoff). Returns how many were offered.
pub fn deliver_due<S: Store>(
    store: &S,
    now_ms: i64,
    policy: &DeliveryPolicy,
    recipient: &mut dyn Recipient,
) -> Result<usize, DccError> {
    let due = store.read(|tx| Ok(tx.due_outbox(now_ms, 256)?))?;
    for item in &due {
        let url = store.read(|tx| Ok(tx.user(item.recipient)?.and_then(|u| u.response_url)))?;
        let result = recipient.receive(url.as_deref(), item);
        record(store, item, &result, now_ms, policy)?;
    }
    Ok(due.len())
}

pub(crate) async fn post(
    http: &reqwest::Client,
    url: &str,
    item: &OutboxItem,
    policy: &DeliveryPolicy,
) -> Result<(), String> {
    let resp = http
        .post(url)
        .header("content-type", "application/xml")
        .header(DELIVERY_ID_HEADER, item.id.to_string())
        .timeout(policy.request_timeout)
        .body(item.document.clone())
        .send()
        .await
        .map_err(|e| format!("POST {url}: {e}"))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("POST {url}: HTTP {}", resp.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = DeliveryPolicy {
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..DeliveryPolicy::default()
        };
        assert_eq!(backoff(&p, 0), Duration::from_millis(100));
        assert_eq!(backoff(&p, 1), Duration::from_millis(200));
        assert_eq!(backoff(&p, 3), Duration::from_millis(800));
        assert_eq!(backoff(&p, 4), Duration::from_secs(1));
        assert_eq!(backoff(&p, 1000), Duration::from_secs(1));
    }
}
