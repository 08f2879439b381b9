//! The roles over NATS JetStream (`queue-nats`), for a DCC whose roles run in several
//! processes: the database stays the truth (a WAN job or an outbox item commits with what made
//! it, as with the embedded runners), and JetStream carries notices of the rows between the
//! processes. The crate documentation of `queue-nats` is the protocol; this is its wiring:
//!
//! - the gateway ([`QueueAdmission`], and the DUIS handler with [`crate::Announcer::Queue`]):
//!   a request that sends a command over the SM WAN is refused as a DCC fault while NATS is
//!   down, before anything commits; after the commit each job it queued is announced
//!   ([`announce_jobs`]; a failed publish is logged, and the sweeper announces the job);
//! - the WAN runner ([`run_wan`]): notices of its partitions ([`PartitionedConsumer::wan`]),
//!   each attempt a compare-and-set on the job's attempt count for the device's oldest
//!   unfinished command (`Driver::attempt_noticed`), acknowledged after the commit; the outbox
//!   items it made, and a retry's successor notice, published before the acknowledgement; a
//!   notice taken before its job is due is handed back until then, or, if that is more than
//!   `HOLD_HORIZON` (10 min) away (a DSP future-dated command held for hours), dropped and left to
//!   the sweeper;
//! - the delivery worker ([`run_delivery`]): notices of the outbox, shared by every delivery
//!   worker, each delivery recorded as the embedded worker records it;
//! - the sweeper ([`run_sweeper`]): every open WAN job and undelivered outbox item due more than
//!   a bound ago is announced again (a producer that died between its commit and its publish,
//!   NATS down at that moment, a message past `max_deliver`, work another role made without a
//!   notice: the scheduler's runs, the operator's recovery commands). Re-announcing is
//!   harmless: within JetStream's duplicate window the repeat is dropped, after it the
//!   consumer finds the notice stale.
//!
//! - shutdown (both runners): the consumer is closed first, handing back the notices it had
//!   prefetched (the WAN runner also gives its partitions up), then every notice taken and not
//!   yet acted on (a WAN notice waiting for its transit time, an outbox notice not yet being
//!   POSTed, or whose POST has not finished within `POST_GRACE`, 2 s) is nak'ed without
//!   delay, so that another process, or this one restarted, takes it at once rather than after
//!   JetStream's `ack_wait`; WAN attempts under way (one short transaction) finish and settle
//!   as usual.
//!
//! Device responses and alerts: the emulated devices answer inside the WAN attempt's
//! transaction (their state commits with the DCC's record of the answer), so nothing travels
//! back on the device lane; the emulated WAN's hub reports are taken by the WAN runner as the
//! embedded runner takes them, and the alerts they make announced on the outbox. A real SM WAN's
//! responses would come through `Queue::publish_device` and `PartitionedConsumer::device`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dcc::DccError;
use dcc::dispatch::{Attempt, DeviceNetwork, Driver, Noticed, OutboxQueued};
use dcc::gateway::{Clock, QueuedJob, WanAdmission, unix_ms};
use dcc::store::Store;
use eui::Eui64;
use queue_nats::{Consumer, OutboxNotice, PartitionedConsumer, Queue, Taken, WanNotice};
use tokio::sync::watch;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::delivery::{DeliveryPolicy, post, record};
use crate::dispatch::RunnerConfig;

/// The gateway's question before a request that sends over the SM WAN: is NATS up?
#[derive(Debug, Clone)]
pub struct QueueAdmission(pub Queue);

impl WanAdmission for QueueAdmission {
    fn admit(&self) -> Result<(), String> {
        self.0.check_available().map_err(|e| e.to_string())
    }
}

/// The notice of a job the gateway queued.
pub fn job_notice(job: &QueuedJob) -> WanNotice {
    WanNotice {
        job: job.id,
        attempt: 0,
        chf: job.chf,
        target: job.target,
        due_at: job.due_at,
    }
}

/// The notice of an outbox item a step of the dispatcher made.
pub fn outbox_notice(item: &OutboxQueued) -> OutboxNotice {
    OutboxNotice {
        item: item.id,
        attempt: 0,
        recipient: item.recipient,
        next_at: item.next_at,
    }
}

/// Announces the jobs a committed request queued. A failure is logged, not returned: the
/// request is acknowledged and durable, and the sweeper announces what was not.
pub async fn announce_jobs(queue: &Queue, jobs: &[QueuedJob]) {
    let notices: Vec<WanNotice> = jobs.iter().map(job_notice).collect();
    if let Err(e) = queue.publish_wan_all(&notices).await {
        warn!(error = %e, jobs = notices.len(), "announcing WAN jobs failed; the sweeper will");
    }
}

/// Announces outbox items (logged on failure, as [`announce_jobs`]).
pub async fn announce_outbox(queue: &Queue, items: &[OutboxQueued]) {
    if items.is_empty() {
        return;
    }
    let notices: Vec<OutboxNotice> = items.iter().map(outbox_notice).collect();
    if let Err(e) = queue.publish_outbox_all(&notices).await {
        warn!(error = %e, items = notices.len(), "announcing outbox items failed; the sweeper will");
    }
}

/// How long a consumer waits for messages before it looks at its other work.
const TAKE_WAIT: Duration = Duration::from_millis(250);
/// The delay of a notice handed back because its device (or item) is busy in this worker.
const BUSY_NAK: Duration = Duration::from_millis(100);
/// After a failure to reach NATS or the store: the pause before trying again.
const PAUSE: Duration = Duration::from_millis(500);

/// How long a POST under way at shutdown may still take before it is abandoned and its notice
/// handed back.
const POST_GRACE: Duration = Duration::from_secs(2);

/// The furthest ahead a WAN notice is kept waiting in JetStream for its due time (a retry, a
/// DSP future-dated command held until its execution time).
const HOLD_HORIZON: Duration = Duration::from_secs(600);

/// A WAN notice taken before its job is due: handed back until then; one due beyond
/// [`HOLD_HORIZON`] (a command held for hours or days) is dropped instead, since each hand-back
/// is a delivery and `max_deliver` bounds them: the sweeper announces the job once it is due.
async fn not_due(taken: Taken<WanNotice>, now_ms: i64, due_at: i64) {
    let left = ms_until(now_ms, due_at);
    if left <= HOLD_HORIZON {
        return settle(taken, Some(left)).await;
    }
    let subject = taken.subject().to_string();
    if let Err(e) = taken.term().await {
        warn!(subject, error = %e, "dropping a notice due later failed; it will come again");
    }
}

/// A device lane's first wait for an earlier command of its device whose notice is not here
/// (doubling, up to [`LANE_WAIT_MAX`]).
const LANE_WAIT_MIN: Duration = Duration::from_millis(50);
/// A device lane's longest wait before it asks the database again.
const LANE_WAIT_MAX: Duration = Duration::from_secs(1);

/// The WAN runner's device lanes: one command at a time per device, in the device's order,
/// without handing notices back to JetStream while they wait.
///
/// A worker gets every notice of the hubs in its partitions, so it can keep each device's
/// order itself: a notice whose device has a lane here waits in the lane, by job id, and the
/// lane takes the next one the moment its command is done. A lane whose oldest notice is not
/// its device's oldest open command (that command's notice is still to come: held by a worker
/// that died until `ack_wait` runs out, re-announced by the sweeper, or on its way) keeps the
/// notice and asks again after a short wait. Waiting here costs no delivery (a nak would count
/// against `max_deliver`, and a growing nak delay left a device idle for seconds between its
/// commands after a worker was killed); the waiting notices are kept alive with
/// [`Taken::in_progress`], and handed back at shutdown.
#[derive(Default)]
struct Lanes {
    /// The devices with a lane task running here.
    running: HashSet<Eui64>,
    /// Per device, the notices waiting for its lane, by (job, stream sequence).
    waiting: HashMap<Eui64, BTreeMap<(i64, u64), Waiting>>,
}

struct Waiting {
    taken: Taken<WanNotice>,
    /// When it was taken, or last reported in progress.
    alive_at: Instant,
}

impl Lanes {
    /// Queues `taken` in its device's lane; if the device has no lane here, `taken` comes
    /// back, and the caller starts the lane with it.
    fn join(&mut self, taken: Taken<WanNotice>) -> Option<Taken<WanNotice>> {
        let device = taken.notice().target;
        if self.running.insert(device) {
            return Some(taken);
        }
        let key = (taken.notice().job, taken.sequence());
        self.waiting.entry(device).or_default().insert(
            key,
            Waiting {
                taken,
                alive_at: Instant::now(),
            },
        );
        None
    }

    /// The device's next notice (lowest job id), or the lane ends (None).
    fn next(&mut self, device: Eui64) -> Option<Taken<WanNotice>> {
        let next = self.waiting.get_mut(&device).and_then(|w| w.pop_first());
        if self.waiting.get(&device).is_some_and(BTreeMap::is_empty) {
            self.waiting.remove(&device);
        }
        match next {
            Some((_, w)) => Some(w.taken),
            None => {
                self.running.remove(&device);
                None
            }
        }
    }

    /// Puts back a notice its lane could not act on yet.
    fn put_back(&mut self, taken: Taken<WanNotice>) {
        let device = taken.notice().target;
        let key = (taken.notice().job, taken.sequence());
        self.waiting.entry(device).or_default().insert(
            key,
            Waiting {
                taken,
                alive_at: Instant::now(),
            },
        );
    }

    /// Every waiting notice, for the hand-back at shutdown.
    fn drain(&mut self) -> Vec<Taken<WanNotice>> {
        self.running.clear();
        self.waiting
            .drain()
            .flat_map(|(_, w)| w.into_values().map(|w| w.taken))
            .collect()
    }
}

/// Reports every notice that has waited in a lane for longer than `every` as in progress, so
/// that JetStream's `ack_wait` does not run out on it.
async fn keep_alive(lanes: &tokio::sync::Mutex<Lanes>, every: Duration) {
    let mut lanes = lanes.lock().await;
    let now = Instant::now();
    for w in lanes.waiting.values_mut().flat_map(BTreeMap::values_mut) {
        if now.duration_since(w.alive_at) < every {
            continue;
        }
        match w.taken.in_progress().await {
            Ok(()) => w.alive_at = now,
            Err(e) => {
                warn!(subject = w.taken.subject(), error = %e, "reporting a waiting notice in progress failed; it may come again (and is then found done or stale)");
            }
        }
    }
}

fn ms_until(now_ms: i64, at_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(at_ms.saturating_sub(now_ms)).unwrap_or(0))
}

/// Settles a message, logging a failure (the message then comes again, and is found done).
async fn settle<T>(taken: Taken<T>, nak: Option<Duration>) {
    let subject = taken.subject().to_string();
    let result = match nak {
        None => taken.ack().await,
        Some(d) => taken.nak(d).await,
    };
    if let Err(e) = result {
        warn!(subject, error = %e, "settling a message failed; it will come again");
    }
}

/// Sleeps `d`, or less if `shutdown` turns true; whether to go on.
async fn pause(d: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = shutdown.changed() => {}
        _ = tokio::time::sleep(d) => {}
    }
    !*shutdown.borrow()
}

/// Runs the WAN runner over NATS as `worker` (a name unique to this process) until `shutdown`
/// turns true: takes the WAN notices of the partitions it holds, at most `config.concurrency`
/// commands on the air and one per device, and the hubs' reports as the embedded runner does.
pub async fn run_wan<S, N, C>(
    driver: Arc<Driver<S, N>>,
    clock: Arc<C>,
    queue: Queue,
    worker: String,
    config: RunnerConfig,
    mut shutdown: watch::Receiver<bool>,
) where
    S: Store,
    N: DeviceNetwork<S>,
    C: Clock,
{
    let mut consumer = loop {
        match PartitionedConsumer::wan(&queue, worker.clone()).await {
            Ok(c) => break c,
            Err(e) => {
                warn!(worker, error = %e, "joining the WAN partitions failed; retrying");
                if !pause(PAUSE, &mut shutdown).await {
                    return;
                }
            }
        }
    };
    info!(worker, "WAN runner taking notices from NATS JetStream");
    // Turns true at shutdown once the consumer is closed: a notice still waiting for its
    // transit time is then handed back (see `hand_back_at_shutdown`).
    let (closed_tx, closed) = watch::channel(false);
    let lanes = Arc::new(tokio::sync::Mutex::new(Lanes::default()));
    // Waiting notices are reported in progress well within `ack_wait`.
    let alive_every = queue.config().ack_wait / 3;
    let mut alive_at = Instant::now() + alive_every;
    let mut tasks = tokio::task::JoinSet::new();
    let mut sweep_at = Instant::now();
    // The network's hint that it has a report now, still "now" after the reports were taken:
    // not trusted again before the next safety tick (as the embedded runner does).
    let mut hint_stuck = false;
    let mut failing = false;
    while !*shutdown.borrow() {
        while let Some(r) = tasks.try_join_next() {
            if let Err(e) = r {
                warn!(error = %e, "WAN task panicked");
            }
        }
        if Instant::now() >= alive_at {
            keep_alive(&lanes, alive_every).await;
            alive_at = Instant::now() + alive_every;
        }
        let now_ms = unix_ms(clock.now());
        let hint_due = !hint_stuck && driver.next_report_at().is_some_and(|t| t <= now_ms);
        if hint_due || Instant::now() >= sweep_at {
            sweep_at = Instant::now() + config.safety_tick;
            let (d, c) = (driver.clone(), clock.clone());
            match tokio::task::spawn_blocking(move || d.hub_reports_queued(c.now())).await {
                Ok(Ok((_, created))) => announce_outbox(&queue, &created).await,
                Ok(Err(e)) => warn!(error = %e, "hub reports failed"),
                Err(e) => warn!(error = %e, "hub reports task failed"),
            }
            hint_stuck = driver
                .next_report_at()
                .is_some_and(|t| t <= unix_ms(clock.now()));
        }
        let free = config.concurrency.saturating_sub(tasks.len());
        if free == 0 {
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep_until(alive_at) => {}
                Some(r) = tasks.join_next() => {
                    if let Err(e) = r {
                        warn!(error = %e, "WAN task panicked");
                    }
                }
            }
            continue;
        }
        let taken = match consumer.take(free, TAKE_WAIT).await {
            Ok(t) => {
                if failing {
                    info!(worker, "WAN notices flowing again");
                    failing = false;
                }
                t
            }
            Err(e) => {
                if !failing {
                    warn!(worker, error = %e, "taking WAN notices failed; retrying (logged again when it recovers)");
                    failing = true;
                }
                if !pause(PAUSE, &mut shutdown).await {
                    break;
                }
                continue;
            }
        };
        for t in taken {
            let notice = t.notice().clone();
            let now_ms = unix_ms(clock.now());
            if notice.due_at > now_ms {
                not_due(t, now_ms, notice.due_at).await;
                continue;
            }
            // One command at a time per device, in the device's order: its lane.
            let Some(first) = lanes.lock().await.join(t) else {
                continue;
            };
            let lane = Lane {
                device: notice.target,
                lanes: lanes.clone(),
                driver: driver.clone(),
                clock: clock.clone(),
                queue: queue.clone(),
                closed: closed.clone(),
            };
            tasks.spawn(lane.run(first));
        }
    }
    // Shutdown: the prefetched notices handed back and the partitions given up, then the
    // notices still waiting for their transit time or in a lane handed back too; attempts
    // under way finish (their transactions are short) and settle as usual.
    if let Err(e) = consumer.leave().await {
        warn!(worker, error = %e, "leaving the WAN partitions failed (they expire)");
    }
    let _ = closed_tx.send(true);
    while tasks.join_next().await.is_some() {}
    let waiting = lanes.lock().await.drain();
    for taken in waiting {
        hand_back_at_shutdown(taken).await;
    }
}

/// One device's lane (see [`Lanes`]): its notices one at a time, lowest job first.
struct Lane<S: Store, N: DeviceNetwork<S>, C> {
    device: Eui64,
    lanes: Arc<tokio::sync::Mutex<Lanes>>,
    driver: Arc<Driver<S, N>>,
    clock: Arc<C>,
    queue: Queue,
    closed: watch::Receiver<bool>,
}

impl<S, N, C> Lane<S, N, C>
where
    S: Store,
    N: DeviceNetwork<S>,
    C: Clock,
{
    async fn run(mut self, first: Taken<WanNotice>) {
        let mut taken = first;
        let mut wait = LANE_WAIT_MIN;
        loop {
            let back = attempt_one(
                &self.driver,
                &*self.clock,
                &self.queue,
                taken,
                self.closed.clone(),
            )
            .await;
            if let Some(back) = back {
                // The device's earlier command is open and its notice is not here yet.
                self.lanes.lock().await.put_back(back);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = closing(&mut self.closed) => {}
                }
                wait = (wait * 2).min(LANE_WAIT_MAX);
            } else {
                wait = LANE_WAIT_MIN;
            }
            let mut lanes = self.lanes.lock().await;
            if *self.closed.borrow() {
                // Shutdown: what waits is handed back by the runner.
                lanes.running.remove(&self.device);
                return;
            }
            match lanes.next(self.device) {
                Some(next) => taken = next,
                None => return,
            }
        }
    }
}

/// Waits until the runner's consumer has been closed for shutdown.
async fn closing(closed: &mut watch::Receiver<bool>) {
    // An error means the runner is gone: close as well.
    let _ = closed.wait_for(|c| *c).await;
}

/// At shutdown, a notice taken and not acted on is nak'ed without delay (after the consumer
/// closed, so that it does not come back here): another worker, or this one after its restart,
/// takes it at once instead of after JetStream's `ack_wait`.
async fn hand_back_at_shutdown<T>(taken: Taken<T>) {
    let subject = taken.subject().to_string();
    match taken.nak(Duration::ZERO).await {
        Ok(()) => info!(subject, "handed back at shutdown"),
        Err(e) => {
            warn!(subject, error = %e, "handing a notice back at shutdown failed; it comes again after ack_wait");
        }
    }
}

/// One notice: the transit time, the attempt in one transaction, then what the crate
/// documentation of `queue-nats` says to publish and how to settle. The notice comes back,
/// unsettled, when its job is not its device's oldest open command.
async fn attempt_one<S, N, C>(
    driver: &Arc<Driver<S, N>>,
    clock: &C,
    queue: &Queue,
    taken: Taken<WanNotice>,
    mut closed: watch::Receiver<bool>,
) -> Option<Taken<WanNotice>>
where
    S: Store,
    N: DeviceNetwork<S>,
    C: Clock,
{
    let notice = taken.notice().clone();
    let job = notice.job;
    let d = driver.clone();
    let transit = tokio::task::spawn_blocking(move || {
        d.queued(job)
            .and_then(|j| j.map(|j| d.transit_time(&j)).transpose())
    })
    .await
    .ok()
    .and_then(Result::ok)
    .flatten()
    .unwrap_or_default();
    tokio::select! {
        _ = tokio::time::sleep(transit) => {}
        _ = closing(&mut closed) => {
            hand_back_at_shutdown(taken).await;
            return None;
        }
    }
    let d = driver.clone();
    let now = clock.now();
    let attempts = notice.attempt;
    let outcome: Result<Result<Noticed, DccError>, _> =
        tokio::task::spawn_blocking(move || d.attempt_noticed(job, attempts, now)).await;
    match outcome {
        Ok(Ok(Noticed::Made { attempt, outbox })) => {
            info!(job, device = %notice.target, outcome = ?attempt, "WAN transmission");
            announce_outbox(queue, &outbox).await;
            if let Attempt::Retry { next_at } = attempt {
                // Committed: announce the next attempt, then let this one go. If the publish
                // fails, the sweeper announces the retry.
                if let Err(e) = queue.publish_wan(&notice.next_attempt(next_at)).await {
                    warn!(job, error = %e, "announcing a retry failed; the sweeper will");
                }
            }
            settle(taken, None).await;
        }
        Ok(Ok(Noticed::Stale)) => settle(taken, None).await,
        Ok(Ok(Noticed::NotDue { due_at })) => not_due(taken, unix_ms(clock.now()), due_at).await,
        Ok(Ok(Noticed::NotOldest)) => {
            // The device's earlier command is still open (on the air elsewhere, or its notice
            // still to come): the lane keeps this one and asks again.
            return Some(taken);
        }
        Ok(Err(e)) => {
            warn!(job, error = %e, "WAN transmission failed");
            settle(taken, Some(PAUSE)).await;
        }
        Err(e) => {
            warn!(job, error = %e, "WAN task failed");
            settle(taken, Some(PAUSE)).await;
        }
    }
    None
}

/// Runs the delivery worker over NATS until `shutdown` turns true: takes the outbox's notices
/// (one consumer shared by every delivery worker), at most `policy.concurrency` deliveries at
/// once, each recorded as the embedded worker records it.
pub async fn run_delivery<S: Store, C: Clock>(
    store: Arc<S>,
    clock: Arc<C>,
    http: reqwest::Client,
    policy: DeliveryPolicy,
    queue: Queue,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut consumer: Consumer<OutboxNotice> = loop {
        match queue.outbox().await {
            Ok(c) => break c,
            Err(e) => {
                warn!(error = %e, "opening the outbox consumer failed; retrying");
                if !pause(PAUSE, &mut shutdown).await {
                    return;
                }
            }
        }
    };
    info!("delivery worker taking notices from NATS JetStream");
    // Turns true at shutdown once the consumer is closed (see `run_wan`).
    let (closed_tx, closed) = watch::channel(false);
    let busy: Arc<Mutex<HashSet<i64>>> = Arc::new(Mutex::new(HashSet::new()));
    let mut in_flight = tokio::task::JoinSet::new();
    let mut failing = false;
    while !*shutdown.borrow() {
        while let Some(r) = in_flight.try_join_next() {
            if let Err(e) = r {
                warn!(error = %e, "delivery task failed");
            }
        }
        let free = policy.concurrency.max(1).saturating_sub(in_flight.len());
        if free == 0 {
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
        let taken = match consumer.take(free, TAKE_WAIT).await {
            Ok(t) => {
                if failing {
                    info!("outbox notices flowing again");
                    failing = false;
                }
                t
            }
            Err(e) => {
                if !failing {
                    warn!(error = %e, "taking outbox notices failed; retrying (logged again when it recovers)");
                    failing = true;
                }
                if !pause(PAUSE, &mut shutdown).await {
                    break;
                }
                continue;
            }
        };
        for t in taken {
            let notice = t.notice().clone();
            let now_ms = unix_ms(clock.now());
            if notice.next_at > now_ms {
                settle(t, Some(ms_until(now_ms, notice.next_at))).await;
                continue;
            }
            let claimed = busy
                .lock()
                .map(|mut b| b.insert(notice.item))
                .unwrap_or(false);
            if !claimed {
                settle(t, Some(BUSY_NAK)).await;
                continue;
            }
            let (store, clock, http, queue, busy, closed) = (
                store.clone(),
                clock.clone(),
                http.clone(),
                queue.clone(),
                busy.clone(),
                closed.clone(),
            );
            in_flight.spawn(async move {
                deliver_noticed(store, &*clock, &http, &policy, &queue, t, closed).await;
                if let Ok(mut b) = busy.lock() {
                    b.remove(&notice.item);
                }
            });
        }
    }
    // Shutdown: the prefetched notices handed back, then those not yet being POSTed; a POST
    // under way has `POST_GRACE` to finish (and is recorded as usual), then it is abandoned and
    // its notice handed back too.
    consumer.hand_back().await;
    let _ = closed_tx.send(true);
    while in_flight.join_next().await.is_some() {}
}

/// One outbox notice: stale (delivered, or attempted since) → ack; else POST, record, and ack
/// (a failed delivery's next attempt announced first).
async fn deliver_noticed<S: Store, C: Clock>(
    store: Arc<S>,
    clock: &C,
    http: &reqwest::Client,
    policy: &DeliveryPolicy,
    queue: &Queue,
    taken: Taken<OutboxNotice>,
    mut closed: watch::Receiver<bool>,
) {
    let notice = taken.notice().clone();
    let id = notice.item;
    let st = store.clone();
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
        Ok(Ok(Some((item, url)))) if item.attempts == notice.attempt => (item, url),
        Ok(Ok(_)) => return settle(taken, None).await,
        Ok(Err(e)) => {
            warn!(id, error = %e, "reading an outbox item failed");
            return settle(taken, Some(PAUSE)).await;
        }
        Err(e) => {
            warn!(id, error = %e, "outbox item reader failed");
            return settle(taken, Some(PAUSE)).await;
        }
    };
    if *closed.borrow() {
        return hand_back_at_shutdown(taken).await;
    }
    let result = match &url {
        None => Err("the user has no Receive Response Service URL".to_string()),
        Some(url) => tokio::select! {
            r = post(http, url, &item, policy) => r,
            _ = async {
                closing(&mut closed).await;
                tokio::time::sleep(POST_GRACE).await;
            } => {
                // Past the grace: abandoned and handed back. The recipient may have it already
                // and be sent it again (the delivery id says it is the same document), as
                // after a worker killed mid-POST; the item's row records one outcome.
                return hand_back_at_shutdown(taken).await;
            }
        },
    };
    let now = unix_ms(clock.now());
    let policy = *policy;
    let recorded =
        tokio::task::spawn_blocking(move || record(&*store, &item, &result, now, &policy)).await;
    match recorded {
        Ok(Ok(None)) => settle(taken, None).await,
        Ok(Ok(Some(next_at))) => {
            if let Err(e) = queue.publish_outbox(&notice.next_attempt(next_at)).await {
                warn!(id, error = %e, "announcing a delivery retry failed; the sweeper will");
            }
            settle(taken, None).await;
        }
        Ok(Err(e)) => {
            warn!(id, error = %e, "recording a delivery attempt failed");
            settle(taken, Some(PAUSE)).await;
        }
        Err(e) => {
            warn!(id, error = %e, "delivery recorder failed");
            settle(taken, Some(PAUSE)).await;
        }
    }
}

/// How the sweeper sweeps.
#[derive(Debug, Clone, Copy)]
pub struct SweepConfig {
    /// How often it looks.
    pub every: Duration,
    /// It announces what has been due for longer than this (longer than a notice normally
    /// takes to be acted on).
    pub older_than: Duration,
    /// At most this many jobs and this many items per look.
    pub batch: usize,
}

impl Default for SweepConfig {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(2),
            older_than: Duration::from_secs(2),
            batch: 1024,
        }
    }
}

/// Re-announces, until `shutdown` turns true, every open WAN job (each device's oldest) and
/// undelivered outbox item due more than `config.older_than` ago.
pub async fn run_sweeper<S: Store, C: Clock>(
    store: Arc<S>,
    clock: Arc<C>,
    queue: Queue,
    config: SweepConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let bound = i64::try_from(config.older_than.as_millis()).unwrap_or(i64::MAX);
    let batch = config.batch.max(1);
    while pause(config.every.max(Duration::from_millis(10)), &mut shutdown).await {
        if queue.check_available().is_err() {
            continue;
        }
        let cutoff = unix_ms(clock.now()).saturating_sub(bound);
        let st = store.clone();
        let open = tokio::task::spawn_blocking(move || {
            st.read(|tx| {
                Ok((
                    tx.due_wan_jobs(cutoff, batch)?,
                    tx.due_outbox(cutoff, batch)?,
                ))
            })
        })
        .await;
        let (jobs, items) = match open {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                warn!(error = %e, "the sweeper's read failed");
                continue;
            }
            Err(e) => {
                warn!(error = %e, "the sweeper's reader failed");
                continue;
            }
        };
        let wan: Vec<WanNotice> = jobs
            .iter()
            .map(|j| WanNotice {
                job: j.id,
                attempt: j.attempts,
                chf: j.chf,
                target: j.target,
                due_at: j.due_at,
            })
            .collect();
        let outbox: Vec<OutboxNotice> = items
            .iter()
            .map(|o| OutboxNotice {
                item: o.id,
                attempt: o.attempts,
                recipient: o.recipient,
                next_at: o.next_at,
            })
            .collect();
        for result in [
            queue.publish_wan_all(&wan).await,
            queue.publish_outbox_all(&outbox).await,
        ] {
            match result {
                Ok(a) if a.stored > 0 => info!(stored = a.stored, "the sweeper announced work"),
                Ok(_) => {}
                Err(e) => warn!(error = %e, "the sweeper's announcement failed"),
            }
        }
    }
}
