//! The real-time runner of the core's dispatcher (`dcc::dispatch::Driver`): takes the due WAN
//! commands, keeps one command per device on the air, waits each transmission's transit time
//! (the network's latency) and lets the driver make the attempt, and turns hub reports into
//! alerts. Every decision is the core's; this only supplies time and concurrency.
//!
//! It does not poll on a short tick: it looks at the queue when it is woken
//! ([`Wakeups::wan`](crate::wake::Wakeups): the gateway queued a command), when one of its
//! transmissions ends (the device's next command may be due), when the earliest queued command
//! not yet due falls due (a retry, a held command: `WanQueue::next_wan_due_after`), and at
//! least once per [`RunnerConfig::safety_tick`]. The hubs' reports are taken when the network
//! says it will have one (`DeviceNetwork::next_report_at`: an emulated device's future-dated
//! instruction) and on the safety tick (the operator's `wan event`, from another process).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dcc::dispatch::{Attempt, DeviceNetwork, Driver};
use dcc::gateway::{Clock, unix_ms};
use dcc::store::Store;
use eui::Eui64;
use tokio::sync::watch;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::wake::{SAFETY_TICK, Wakeups, instant_at, worth_a_look};

/// How much, and how long to sleep at most.
#[derive(Debug, Clone, Copy)]
pub struct RunnerConfig {
    /// The longest the runner sleeps without looking at the queue and the hubs' reports (work
    /// no signal announces, such as commands another process queued, is found within it).
    pub safety_tick: Duration,
    /// Commands on the air at once.
    pub concurrency: usize,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            safety_tick: SAFETY_TICK,
            concurrency: 64,
        }
    }
}

/// Takes the hubs' reports; if the network then still says it has one now (a scan that
/// executed a device's instruction leaves its hint unknown), takes them once more. Returns how
/// many there were, and whether the network's hint still says "now" (it is then not trusted
/// until the next safety tick, so that a hint that does not move cannot make the runner spin).
fn sweep_hubs<S, N, C>(driver: &Driver<S, N>, clock: &C) -> (usize, bool)
where
    S: Store,
    N: DeviceNetwork<S>,
    C: Clock,
{
    let mut reports = 0;
    for _ in 0..2 {
        let now = clock.now();
        match driver.hub_reports(now) {
            Ok(n) => reports += n,
            Err(e) => {
                warn!(error = %e, "hub reports failed");
                return (reports, true);
            }
        }
        let now_ms = unix_ms(clock.now());
        if driver.next_report_at().is_none_or(|t| t > now_ms) {
            return (reports, false);
        }
    }
    (reports, true)
}

/// `until`, or sooner when the network says it will have a report of its own (unless its hint
/// is `stuck`).
fn report_due<S, N, C>(driver: &Driver<S, N>, clock: &C, stuck: bool, until: Instant) -> Instant
where
    S: Store,
    N: DeviceNetwork<S>,
    C: Clock,
{
    match driver.next_report_at() {
        Some(t) if !stuck => until.min(instant_at(unix_ms(clock.now()), t)),
        _ => until,
    }
}

/// Runs the dispatcher until `shutdown` turns true: woken by `wakeups.wan`, it signals
/// `wakeups.outbox` when an attempt or a hub report put something in the outbox.
pub async fn run<S, N, C>(
    driver: Arc<Driver<S, N>>,
    clock: Arc<C>,
    config: RunnerConfig,
    wakeups: Wakeups,
    mut shutdown: watch::Receiver<bool>,
) where
    S: Store,
    N: DeviceNetwork<S>,
    C: Clock,
{
    let busy: Arc<Mutex<HashSet<Eui64>>> = Arc::new(Mutex::new(HashSet::new()));
    let mut tasks = tokio::task::JoinSet::new();
    // Commands on the air come back from a poll too: a poll asks for at most a full runner's
    // worth.
    let batch = driver.dispatcher().config().batch.min(config.concurrency);
    // The hubs' reports are taken at start, then at least once per safety tick.
    let mut sweep_at = Instant::now();
    let mut hint_stuck = false;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let hint_due = !hint_stuck
            && driver
                .next_report_at()
                .is_some_and(|t| t <= unix_ms(clock.now()));
        let sweep = hint_due || Instant::now() >= sweep_at;
        let look = worth_a_look(config.concurrency, tasks.len());
        if !look && !sweep {
            let wake_at = report_due(&*driver, &*clock, hint_stuck, sweep_at);
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep_until(wake_at) => {}
                Some(r) = tasks.join_next() => {
                    if let Err(e) = r {
                        warn!(error = %e, "WAN task panicked");
                    }
                }
            }
            continue;
        }
        let (d, c) = (driver.clone(), clock.clone());
        let limit = batch;
        let polled = tokio::task::spawn_blocking(move || {
            let swept = sweep.then(|| sweep_hubs(&*d, &*c));
            let due = if look {
                d.poll(c.now(), limit)
            } else {
                Ok(Default::default())
            };
            (swept, due)
        })
        .await;
        let (swept, due) = match polled {
            Ok((swept, Ok(d))) => (swept, d),
            Ok((swept, Err(e))) => {
                warn!(error = %e, "reading the WAN queue failed");
                (swept, Default::default())
            }
            Err(e) => {
                warn!(error = %e, "WAN queue reader failed");
                // As if the sweep failed: the hint waits for the safety tick.
                (sweep.then_some((0, true)), Default::default())
            }
        };
        if let Some((reports, stuck)) = swept {
            sweep_at = Instant::now() + config.safety_tick;
            hint_stuck = stuck;
            if reports > 0 {
                wakeups.outbox.signal();
            }
        }
        let truncated = due.jobs.len() >= batch;
        let mut started = 0;
        for job in due.jobs {
            if tasks.len() >= config.concurrency {
                break;
            }
            // One command at a time per device keeps each device's commands in order.
            {
                let Ok(mut b) = busy.lock() else { break };
                if !b.insert(job.target) {
                    continue;
                }
            }
            started += 1;
            let (d, c, busy) = (driver.clone(), clock.clone(), busy.clone());
            let outbox = wakeups.outbox.clone();
            tasks.spawn(async move {
                let target = job.target;
                let d2 = d.clone();
                let j2 = job.clone();
                let transit = tokio::task::spawn_blocking(move || d2.transit_time(&j2))
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .unwrap_or_default();
                tokio::time::sleep(transit).await;
                let id = job.id;
                match tokio::task::spawn_blocking(move || d.attempt(id, c.now())).await {
                    Ok(Ok(a)) => {
                        info!(job = id, device = %target, outcome = ?a, "WAN transmission");
                        // Answered or given up: the user's response (and any alert the device
                        // raised) is in the outbox.
                        if !matches!(a, Attempt::Retry { .. } | Attempt::Gone) {
                            outbox.signal();
                        }
                    }
                    Ok(Err(e)) => warn!(job = id, error = %e, "WAN transmission failed"),
                    Err(e) => warn!(job = id, error = %e, "WAN task failed"),
                }
                if let Ok(mut b) = busy.lock() {
                    b.remove(&target);
                }
            });
        }
        while let Some(r) = tasks.try_join_next() {
            if let Err(e) = r {
                warn!(error = %e, "WAN task panicked");
            }
        }
        if started > 0 && truncated {
            // More may be due than one poll returns.
            continue;
        }
        // Sleep until woken, a transmission ends, the next command falls due, the network
        // has a report, or the safety tick.
        let mut wake_at = report_due(&*driver, &*clock, hint_stuck, sweep_at);
        if let Some(t) = due.next_at {
            wake_at = wake_at.min(instant_at(unix_ms(clock.now()), t));
        }
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = wakeups.wan.wait() => {}
            _ = tokio::time::sleep_until(wake_at) => {}
            Some(r) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(e) = r {
                    warn!(error = %e, "WAN task panicked");
                }
            }
        }
    }
    while tasks.join_next().await.is_some() {}
}
