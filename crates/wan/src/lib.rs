//! The emulated SM WAN.
//!
//! Commands the gateway queued (protected GBCS, one row per command in the store) are carried to
//! the Communications Hub that reaches their device, after the latency of the hub's CSP region
//! (North, Central, South) and any fault injected for that hub (drop, delay, no WAN). A lost
//! transmission is retried; when the DCC's time-out passes with no answer, the user is told E20
//! (the hub could not be reached) or E21 (no response from the device).
//!
//! Handing a command to an emulated device, persisting the device's new state, storing the
//! DUIS response for delivery and taking the command off the queue happen in ONE store
//! transaction: a crash at any point leaves either all of it or none of it, so a command is
//! executed at most once and answered exactly once.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dcc::DccError;
use dcc::gateway::{Clock, ResponseSigner, unix_ms};
use dcc::model::CspRegion;
use dcc::store::{JobKind, OutboxItem, Store, Tx, WanFault, WanJob};
use duis::ResponseCode;
use eui::Eui64;
use time::OffsetDateTime;
use tokio::sync::watch;
use tracing::{info, warn};

pub mod alerts;
pub mod emulated;
pub mod recovery;

/// What a device (or hub) sent back for one command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceAnswer {
    pub response: Option<Vec<u8>>,
    pub alerts: Vec<Vec<u8>>,
}

/// The far end of the WAN. Delivery happens inside the caller's store transaction, so that the
/// device's change of state commits with the DCC's record of its answer.
pub trait DeviceNetwork: Send + Sync + 'static {
    /// Whether the device is reachable at all (emulated and known).
    fn knows(&self, device: Eui64) -> bool;
    fn deliver(
        &self,
        tx: &mut dyn Tx,
        device: Eui64,
        frame: &[u8],
        now: OffsetDateTime,
    ) -> Result<DeviceAnswer, DccError>;
    /// An out-of-band event at a hub (`power-outage`, `power-restored`): returns what the hub and
    /// its devices raise.
    fn event(
        &self,
        tx: &mut dyn Tx,
        chf: Eui64,
        kind: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError>;
}

/// Something a hub reports that the DCC must turn into DUIS alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubReport {
    /// A GBCS alert frame from a device.
    DeviceAlert { device: Eui64, frame: Vec<u8> },
    /// The hub lost power (no GBCS alert exists; the DCC raises DCC alert AD1).
    PowerOutage { chf: Eui64, since: OffsetDateTime },
}

/// Turns device alerts and hub reports into signed DUIS alerts in the outbox.
pub trait AlertRouter: Send + Sync + 'static {
    fn route(
        &self,
        tx: &mut dyn Tx,
        report: &HubReport,
        now: OffsetDateTime,
    ) -> Result<(), DccError>;
}

/// Latency, retries and polling.
#[derive(Debug, Clone, Copy)]
pub struct WanConfig {
    /// One-way latency to a hub in each region (North, Central, South), milliseconds.
    pub latency_ms: [u64; 3],
    /// Wait before retransmitting a lost command.
    pub retry_interval: Duration,
    pub poll_interval: Duration,
    /// Commands on the air at once.
    pub concurrency: usize,
}

impl Default for WanConfig {
    fn default() -> Self {
        Self {
            latency_ms: [40, 25, 30],
            retry_interval: Duration::from_millis(500),
            poll_interval: Duration::from_millis(10),
            concurrency: 64,
        }
    }
}

/// The emulated WAN and its worker.
pub struct Wan<S: Store, C: Clock> {
    store: Arc<S>,
    clock: Arc<C>,
    network: Arc<dyn DeviceNetwork>,
    alerts: Arc<dyn AlertRouter>,
    signer: Arc<dyn ResponseSigner>,
    config: WanConfig,
}

/// What happened to one transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Answered,
    /// Lost or unreachable; retried later.
    Retry,
    /// Given up: the user was told this code.
    GaveUp(ResponseCode),
    /// Already finished by someone else.
    Gone,
}

impl<S: Store, C: Clock> Wan<S, C> {
    pub fn new(
        store: Arc<S>,
        clock: Arc<C>,
        network: Arc<dyn DeviceNetwork>,
        alerts: Arc<dyn AlertRouter>,
        signer: Arc<dyn ResponseSigner>,
        config: WanConfig,
    ) -> Self {
        Self {
            store,
            clock,
            network,
            alerts,
            signer,
            config,
        }
    }

    /// The region a hub is in (its premises'), for latency.
    fn region(tx: &mut dyn Tx, chf: Eui64) -> Result<CspRegion, DccError> {
        let uprn = tx.device(chf)?.and_then(|d| d.uprn);
        Ok(match uprn {
            Some(u) => tx.premises(&u)?.map_or(CspRegion::Central, |p| p.region),
            None => CspRegion::Central,
        })
    }

    fn latency(&self, region: CspRegion) -> Duration {
        let i = match region {
            CspRegion::North | CspRegion::North4G => 0,
            CspRegion::South | CspRegion::South4G => 2,
            _ => 1,
        };
        Duration::from_millis(self.config.latency_ms.get(i).copied().unwrap_or(0))
    }

    /// The time a transmission to this job's hub takes: region latency plus any injected delay.
    pub fn transit_time(&self, job: &WanJob) -> Result<Duration, DccError> {
        let chf = job.chf;
        let (region, fault) = self
            .store
            .transaction(|tx| Ok((Self::region(tx, chf)?, tx.wan_fault(chf)?)))?;
        let extra = match fault {
            Some(WanFault::Delay(ms)) => Duration::from_millis(u64::from(ms)),
            _ => Duration::ZERO,
        };
        Ok(self.latency(region) + extra)
    }

    /// One transmission of a queued command, start to finish, in one transaction.
    pub fn attempt(&self, job_id: i64) -> Result<Attempt, DccError> {
        let now = self.clock.now();
        let now_ms = unix_ms(now);
        self.store.transaction(|tx| {
            let Some(job) = tx.wan_job(job_id)? else {
                return Ok(Attempt::Gone);
            };
            let fault = tx.wan_fault(job.chf)?;
            let reachable = self.network.knows(job.target) && fault != Some(WanFault::NoWan);
            let lost = match fault {
                Some(WanFault::Drop(n)) if n > 0 => {
                    let left = n - 1;
                    tx.set_wan_fault(job.chf, (left > 0).then_some(WanFault::Drop(left)))?;
                    true
                }
                _ => false,
            };
            if !reachable || lost {
                if now_ms >= job.deadline_at && job.kind == JobKind::SmkiRecovery {
                    warn!(device = %job.target, "recovery command not delivered in time");
                    tx.finish_wan_job(job.id, "recovery timed out")?;
                    return Ok(Attempt::GaveUp(ResponseCode::E20));
                }
                if now_ms >= job.deadline_at {
                    let code = if reachable {
                        ResponseCode::E21
                    } else {
                        ResponseCode::E20
                    };
                    self.give_up(tx, &job, code, now)?;
                    return Ok(Attempt::GaveUp(code));
                }
                let next = now_ms
                    .saturating_add(
                        i64::try_from(self.config.retry_interval.as_millis()).unwrap_or(i64::MAX),
                    )
                    .min(job.deadline_at);
                tx.retry_wan_job(job.id, job.attempts.saturating_add(1), next)?;
                return Ok(Attempt::Retry);
            }
            let answer = self.network.deliver(tx, job.target, &job.command, now)?;
            for frame in &answer.alerts {
                self.alerts.route(
                    tx,
                    &HubReport::DeviceAlert {
                        device: job.target,
                        frame: frame.clone(),
                    },
                    now,
                )?;
            }
            if job.kind == JobKind::SmkiRecovery {
                return self.recovery_answered(tx, &job, answer.response.as_deref());
            }
            match &answer.response {
                Some(bytes) => {
                    let doc = dcc::render::device_response(&job, bytes, now)?;
                    self.to_user(tx, &job, doc, now_ms)?;
                    tx.finish_wan_job(job.id, "answered")?;
                    Ok(Attempt::Answered)
                }
                None => {
                    // The device refused the command (its alert says why): no response will come.
                    self.give_up(tx, &job, ResponseCode::E21, now)?;
                    Ok(Attempt::GaveUp(ResponseCode::E21))
                }
            }
        })
    }

    /// A recovery job's answer: no user waits for it; the device's SMI status records it.
    fn recovery_answered(
        &self,
        tx: &mut dyn Tx,
        job: &WanJob,
        response: Option<&[u8]>,
    ) -> Result<Attempt, DccError> {
        let Some(bytes) = response else {
            warn!(device = %job.target, "the device refused the recovery command");
            tx.finish_wan_job(job.id, "recovery refused")?;
            return Ok(Attempt::GaveUp(ResponseCode::E21));
        };
        match recovery::answered(tx, job, bytes)? {
            recovery::RecoveryAnswer::Recovered => {
                info!(device = %job.target, "trust anchors replaced: device Recovered");
                tx.finish_wan_job(job.id, "recovered")?;
            }
            recovery::RecoveryAnswer::Failed(why) => {
                warn!(device = %job.target, %why, "recovery failed: device stays in Recovery");
                tx.finish_wan_job(job.id, "recovery failed")?;
            }
        }
        Ok(Attempt::Answered)
    }

    fn give_up(
        &self,
        tx: &mut dyn Tx,
        job: &WanJob,
        code: ResponseCode,
        now: OffsetDateTime,
    ) -> Result<(), DccError> {
        let doc = dcc::render::device_failure(job, code, now)?;
        self.to_user(tx, job, doc, unix_ms(now))?;
        tx.finish_wan_job(job.id, code.as_str())?;
        Ok(())
    }

    fn to_user(
        &self,
        tx: &mut dyn Tx,
        job: &WanJob,
        unsigned: String,
        now_ms: i64,
    ) -> Result<(), DccError> {
        let document = self.signer.sign(&unsigned)?;
        tx.push_outbox(&OutboxItem {
            id: 0,
            recipient: job.originator,
            kind: "response".into(),
            reference: format!("{}:{}:{}", job.originator, job.target, job.counter),
            document,
            created_at: now_ms,
            attempts: 0,
            next_at: now_ms,
            delivered_at: None,
            last_error: None,
        })?;
        Ok(())
    }

    /// Handles queued hub events (power outage and restoration).
    pub fn events(&self) -> Result<usize, DccError> {
        let now = self.clock.now();
        self.store.transaction(|tx| {
            let events = tx.take_wan_events(64)?;
            let n = events.len();
            for (_, chf, kind) in events {
                for report in self.network.event(tx, chf, &kind, now)? {
                    self.alerts.route(tx, &report, now)?;
                }
            }
            Ok(n)
        })
    }

    /// Runs the WAN until `shutdown` turns true.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let busy: Arc<Mutex<HashSet<Eui64>>> = Arc::new(Mutex::new(HashSet::new()));
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            if *shutdown.borrow() {
                break;
            }
            let me = self.clone();
            let now_ms = unix_ms(self.clock.now());
            let limit = self.config.concurrency;
            let due = tokio::task::spawn_blocking(move || {
                let _ = me
                    .events()
                    .map_err(|e| warn!(error = %e, "WAN events failed"));
                me.store
                    .transaction(|tx| Ok(tx.due_wan_jobs(now_ms, limit * 4)?))
            })
            .await;
            let due = match due {
                Ok(Ok(d)) => d,
                Ok(Err(e)) => {
                    warn!(error = %e, "reading the WAN queue failed");
                    Vec::new()
                }
                Err(e) => {
                    warn!(error = %e, "WAN queue reader failed");
                    Vec::new()
                }
            };
            let mut started = 0;
            for job in due {
                if tasks.len() >= self.config.concurrency {
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
                let me = self.clone();
                let busy = busy.clone();
                tasks.spawn(async move {
                    let target = job.target;
                    let transit = me.transit_time(&job).unwrap_or_default();
                    tokio::time::sleep(transit).await;
                    let id = job.id;
                    let me2 = me.clone();
                    match tokio::task::spawn_blocking(move || me2.attempt(id)).await {
                        Ok(Ok(a)) => {
                            info!(job = id, device = %target, outcome = ?a, "WAN transmission")
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
            if started == 0 {
                tokio::select! {
                    _ = shutdown.changed() => {}
                    _ = tokio::time::sleep(self.config.poll_interval) => {}
                    Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                }
            }
        }
        while tasks.join_next().await.is_some() {}
    }
}
