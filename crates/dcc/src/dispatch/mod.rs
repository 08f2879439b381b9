//! The life of a device request after the acknowledgement: which queued command goes on the SM
//! WAN next, what a transmission's outcome means (answered, lost, unreachable), retries and the
//! deadline, giving up with `E20`/`E21`, a device's failure answer, rendering and signing the
//! DUIS response, the outbox, SMKI recovery answers ([`recovery`]) and who is told of device and
//! DCC alerts ([`alerts`]).
//!
//! Time is passed in (quinn style): [`Dispatcher::poll_due`] picks the commands due at `now`,
//! [`Dispatcher::handle_attempt`] decides what one transmission's [`Transmission`] outcome means
//! at `now`. The SM WAN itself (emulated or real) is a [`DeviceNetwork`] the [`Driver`] calls
//! inside the same store transaction, so that a device's change of state commits with the DCC's
//! record of its answer. No sockets, no sleeps, no clock reads here: the runtime loop (in
//! `server`) and the deterministic test harness each drive the same [`Driver`].

pub mod alerts;
pub mod dbch;
mod device_credentials;
// future dating: DSP holds
pub mod hold;
mod lifecycle;
pub mod recovery;
pub mod verdict;

use std::sync::Arc;
use std::time::Duration;

use duis::ResponseCode;
use eui::Eui64;
use time::OffsetDateTime;

use crate::error::{DccError, DeviceError, InternalError};
use crate::gateway::{ResponseSigner, unix_ms};
use crate::store::{JobKind, OutboxItem, Store, Tx, WanJob, WanQueue as _};

/// What a device (or hub) sent back for one command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceAnswer {
    /// The device's response, if it sent one (a device that refuses a command answers nothing
    /// and raises an alert saying why).
    pub response: Option<Vec<u8>>,
    /// Alerts the device raised while handling the command.
    pub alerts: Vec<Vec<u8>>,
}

/// What became of one transmission on the SM WAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmission {
    /// The hub could not be reached (no WAN, or a device the network does not know).
    Unreachable,
    /// The transmission was lost on the way.
    Lost,
    /// The command reached the device, which answered this.
    Delivered(DeviceAnswer),
}

/// Something a hub reports that the DCC must turn into DUIS alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubReport {
    /// A GBCS alert frame from a device.
    DeviceAlert { device: Eui64, frame: Vec<u8> },
    /// The hub lost power (no GBCS alert exists; the DCC raises DCC alert AD1).
    PowerOutage { chf: Eui64, since: OffsetDateTime },
}

/// The SM WAN as the DCC sees it. Implementations get the store's own transaction type, so that
/// whatever they keep (an emulated device's state) commits with the DCC's record.
pub trait DeviceNetwork<S: Store>: Send + Sync + 'static {
    /// How long a transmission of this job takes to reach its hub and come back.
    fn transit_time(&self, tx: &mut S::Tx<'_>, job: &WanJob) -> Result<Duration, DccError>;
    /// Carries the job's command to its device once.
    fn transmit(
        &self,
        tx: &mut S::Tx<'_>,
        job: &WanJob,
        now: OffsetDateTime,
    ) -> Result<Transmission, DccError>;
    /// Out-of-band reports from hubs since the last call (power outage and restoration).
    fn hub_reports(
        &self,
        tx: &mut S::Tx<'_>,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError>;
    /// Works out a transmission of `job` at `now` ahead of the transaction that makes it, from
    /// what `store` has committed (a read, holding up no writer), so that the work (an emulated
    /// device's cryptography) is not done while the store is held. `None`: nothing worked out
    /// ahead (the default). The transaction then calls [`DeviceNetwork::transmit_prepared`].
    fn prepare(
        &self,
        store: &S,
        job: &WanJob,
        now: OffsetDateTime,
    ) -> Result<Option<Prepared>, DccError> {
        let _ = (store, job, now);
        Ok(None)
    }
    /// [`DeviceNetwork::transmit`], given what [`DeviceNetwork::prepare`] worked out for this
    /// job at this `now`: its outcome, if nothing it depends on changed since it was read;
    /// else the transmission is made afresh. By default made afresh.
    fn transmit_prepared(
        &self,
        tx: &mut S::Tx<'_>,
        job: &WanJob,
        now: OffsetDateTime,
        prepared: Prepared,
    ) -> Result<Transmission, DccError> {
        let _ = prepared;
        self.transmit(tx, job, now)
    }
    /// When [`DeviceNetwork::hub_reports`] will next have something of the network's own to
    /// report (unix milliseconds; at or before now: look now), as far as the network knows
    /// without a transaction; `None` if it knows of nothing. A runner that does not call
    /// `hub_reports` continuously calls it then, and on a safety tick for reports it cannot
    /// foresee (the default: it foresees none).
    fn next_report_at(&self) -> Option<i64> {
        None
    }
}

/// A transmission worked out ahead of its transaction ([`DeviceNetwork::prepare`]).
pub struct Prepared {
    /// What the transmission comes to if nothing it read changes before the transaction.
    pub outcome: Transmission,
    /// The network's own record of what it read and what it would write, handed back to
    /// [`DeviceNetwork::transmit_prepared`].
    pub state: Box<dyn std::any::Any + Send>,
}

/// What one transmission came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The device answered; the user is sent its response (`I0`).
    Answered,
    /// The device answered that it failed; the user is sent this failure code with the answer.
    Failed(ResponseCode),
    /// Lost or unreachable; tried again at `next_at` (unix milliseconds).
    Retry { next_at: i64 },
    /// Given up: the user was told this code.
    GaveUp(ResponseCode),
    /// Already finished by someone else.
    Gone,
}

/// The DCC's policy after the acknowledgement.
#[derive(Debug, Clone, Copy)]
pub struct DispatchConfig {
    /// Wait before retransmitting a lost command.
    pub retry_interval: Duration,
    /// At most this many due commands per poll.
    pub batch: usize,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            retry_interval: Duration::from_millis(500),
            batch: 256,
        }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The decisions after the acknowledgement, over the core's storage traits.
pub struct Dispatcher {
    signer: Arc<dyn ResponseSigner>,
    /// The DCC's EUI: the originator of DCC alerts.
    dcc: Eui64,
    config: DispatchConfig,
}

impl Dispatcher {
    pub fn new(signer: Arc<dyn ResponseSigner>, dcc: Eui64, config: DispatchConfig) -> Self {
        Self {
            signer,
            dcc,
            config,
        }
    }

    pub fn config(&self) -> DispatchConfig {
        self.config
    }

    /// The commands due at `now`: each device's oldest unfinished command, oldest first, so that
    /// a device receives its commands in the order the DCC accepted them.
    pub fn poll_due(&self, tx: &mut dyn Tx, now: OffsetDateTime) -> Result<Vec<WanJob>, DccError> {
        Ok(tx.due_wan_jobs(unix_ms(now), self.config.batch)?)
    }

    /// What one transmission of `job` means at `now`: the response, a failure, a retry, or
    /// giving up at the deadline. Everything it records goes in `tx`.
    pub fn handle_attempt(
        &self,
        tx: &mut dyn Tx,
        job: &WanJob,
        outcome: Transmission,
        now: OffsetDateTime,
    ) -> Result<Attempt, DccError> {
        self.handle_attempt_presigned(tx, job, outcome, now, None)
    }

    /// [`Dispatcher::handle_attempt`] with the user's response perhaps signed already
    /// ([`Dispatcher::presign`]): used if it is exactly the document the answer comes to, else
    /// signed here.
    pub fn handle_attempt_presigned(
        &self,
        tx: &mut dyn Tx,
        job: &WanJob,
        outcome: Transmission,
        now: OffsetDateTime,
        presigned: Option<&Presigned>,
    ) -> Result<Attempt, DccError> {
        self.handle_attempt_into(tx, job, outcome, now, presigned, &mut Vec::new())
    }

    /// [`Dispatcher::handle_attempt_presigned`], adding the outbox items it creates to
    /// `created` (what a shared queue announces once the transaction committed).
    pub fn handle_attempt_into(
        &self,
        tx: &mut dyn Tx,
        job: &WanJob,
        outcome: Transmission,
        now: OffsetDateTime,
        presigned: Option<&Presigned>,
        created: &mut Vec<OutboxQueued>,
    ) -> Result<Attempt, DccError> {
        let now_ms = unix_ms(now);
        let answer = match outcome {
            Transmission::Delivered(answer) => answer,
            undelivered => {
                if now_ms >= job.deadline_at {
                    let error = if undelivered == Transmission::Unreachable {
                        DeviceError::Unreachable
                    } else {
                        DeviceError::NoResponse
                    };
                    return self.give_up(tx, job, &error, now, created);
                }
                let next_at = now_ms
                    .saturating_add(ms(self.config.retry_interval))
                    .min(job.deadline_at);
                tx.retry_wan_job(job.id, job.attempts.saturating_add(1), next_at)?;
                return Ok(Attempt::Retry { next_at });
            }
        };
        for frame in answer.alerts {
            self.route_into(
                tx,
                &HubReport::DeviceAlert {
                    device: job.target,
                    frame,
                },
                now,
                created,
            )?;
        }
        if job.kind == JobKind::SmkiRecovery {
            return recovery::finish(tx, job, answer.response.as_deref(), now);
        }
        if job.kind == JobKind::DbchReconfigure {
            return dbch::finish(tx, job, answer.response.as_deref());
        }
        let Some(bytes) = answer.response else {
            // The device refused the command (its alert says why): no response will come.
            return self.give_up(tx, job, &DeviceError::NoResponse, now, created);
        };
        // 6.15.2: a certificate the device placed becomes the DCC's copy of its DS certificate.
        device_credentials::record_placed(tx, job, &bytes)?;
        // A DCC-scheduled run's answer names its schedule (`DSPScheduledMessage`).
        let scheduled = tx.take_scheduled_run(job.originator, job.target, job.counter)?;
        let (doc, attempt) = answer_document(job, &bytes, scheduled, now)?;
        // 8.1.1 and 8.11: the SMI status change a success makes.
        if attempt == Attempt::Answered {
            lifecycle::answered(tx, job, now)?;
        }
        self.to_user(tx, job, &doc, now_ms, presigned, created)?;
        let finished = match &attempt {
            Attempt::Failed(code) => code.as_str(),
            _ => "answered",
        };
        tx.finish_wan_job(job.id, finished)?;
        Ok(attempt)
    }

    /// The user's response to a device's answer, signed ahead of the transaction that will
    /// record it ([`Driver::attempt`]): rendered as [`Dispatcher::handle_attempt`] will render
    /// it if the command's scheduled run is still `scheduled` then. `None` for what no user is
    /// told (an SMKI recovery).
    pub fn presign(
        &self,
        job: &WanJob,
        response: &[u8],
        scheduled: Option<u64>,
        now: OffsetDateTime,
    ) -> Result<Option<Presigned>, DccError> {
        if matches!(job.kind, JobKind::SmkiRecovery | JobKind::DbchReconfigure) {
            return Ok(None);
        }
        let (unsigned, _) = answer_document(job, response, scheduled, now)?;
        let signed = self.signer.sign(&unsigned)?;
        Ok(Some(Presigned { unsigned, signed }))
    }

    fn give_up(
        &self,
        tx: &mut dyn Tx,
        job: &WanJob,
        error: &DeviceError,
        now: OffsetDateTime,
        created: &mut Vec<OutboxQueued>,
    ) -> Result<Attempt, DccError> {
        let code = response_code(error)?;
        if job.kind == JobKind::SmkiRecovery {
            // No user waits: the device stays in Recovery and the operator starts again.
            tx.finish_wan_job(job.id, "recovery not answered")?;
            return Ok(Attempt::GaveUp(code));
        }
        if job.kind == JobKind::DbchReconfigure {
            // No user waits: the hub stays on its table and the next report lists it again.
            tx.finish_wan_job(job.id, "dbch reconfiguration not answered")?;
            return Ok(Attempt::GaveUp(code));
        }
        let doc = failure_response(job, code, None, now)?;
        // A scheduled run's record is no longer needed (its ID needs a GBCS payload to travel).
        tx.take_scheduled_run(job.originator, job.target, job.counter)?;
        self.to_user(tx, job, &doc, unix_ms(now), None, created)?;
        tx.finish_wan_job(job.id, code.as_str())?;
        Ok(Attempt::GaveUp(code))
    }

    fn to_user(
        &self,
        tx: &mut dyn Tx,
        job: &WanJob,
        unsigned: &str,
        now_ms: i64,
        presigned: Option<&Presigned>,
        created: &mut Vec<OutboxQueued>,
    ) -> Result<(), DccError> {
        let reference = format!("{}:{}:{}", job.originator, job.target, job.counter);
        let document = match presigned {
            Some(p) if p.unsigned == unsigned => p.signed.clone(),
            _ => self.signer.sign(unsigned)?,
        };
        self.put(
            tx,
            job.originator,
            "response",
            reference,
            document,
            now_ms,
            created,
        )
    }

    /// Signs a document and puts it in the outbox for `recipient`.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        tx: &mut dyn Tx,
        recipient: Eui64,
        kind: &str,
        reference: String,
        unsigned: &str,
        now_ms: i64,
        created: &mut Vec<OutboxQueued>,
    ) -> Result<(), DccError> {
        let document = self.signer.sign(unsigned)?;
        self.put(tx, recipient, kind, reference, document, now_ms, created)
    }

    /// Puts a signed document in the outbox for `recipient`.
    #[allow(clippy::too_many_arguments)]
    fn put(
        &self,
        tx: &mut dyn Tx,
        recipient: Eui64,
        kind: &str,
        reference: String,
        document: String,
        now_ms: i64,
        created: &mut Vec<OutboxQueued>,
    ) -> Result<(), DccError> {
        let id = tx.push_outbox(&OutboxItem {
            id: 0,
            recipient,
            kind: kind.into(),
            reference,
            document,
            created_at: now_ms,
            attempts: 0,
            next_at: now_ms,
            delivered_at: None,
            last_error: None,
        })?;
        created.push(OutboxQueued {
            id,
            recipient,
            next_at: now_ms,
        });
        Ok(())
    }
}

/// An outbox item a step of the dispatcher created, as a notice of it names it (attempts 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxQueued {
    /// `OutboxItem::id`.
    pub id: i64,
    pub recipient: Eui64,
    /// When it is due (`OutboxItem::next_at`, unix milliseconds).
    pub next_at: i64,
}

/// What [`Driver::attempt_noticed`] came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Noticed {
    /// The transmission was made: what it came to, and the outbox items it created (the
    /// user's response, any alert the device raised). For [`Attempt::Retry`], the job's next
    /// attempt count is the notice's plus one.
    Made {
        attempt: Attempt,
        outbox: Vec<OutboxQueued>,
    },
    /// Nothing done: the job is finished, or its attempt count is no longer the notice's (it
    /// was attempted since, and the successor notice names the new count).
    Stale,
    /// Nothing done: an earlier command of the device is still unfinished (the device takes
    /// its commands in the order the DCC accepted them).
    NotOldest,
    /// Nothing done: the job is not due before `due_at` (unix milliseconds).
    NotDue { due_at: i64 },
}

/// A user's response signed ahead of the transaction that records it ([`Dispatcher::presign`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presigned {
    /// The document as rendered.
    pub unsigned: String,
    /// The same, signed by the DCC.
    pub signed: String,
}

/// The user's response to a device's answer `response` to `job` (the run's response if it was
/// made for the schedule `scheduled`), and what the attempt came to: answered, or failed with
/// the code the device's report of failure maps to.
pub(crate) fn answer_document(
    job: &WanJob,
    response: &[u8],
    scheduled: Option<u64>,
    now: OffsetDateTime,
) -> Result<(String, Attempt), DccError> {
    let code = match verdict::classify(response) {
        verdict::Verdict::Success => ResponseCode::I0,
        verdict::Verdict::Failure(why) => response_code(&DeviceError::CommandFailed(why))?,
    };
    let doc = match (scheduled, code) {
        (Some(id), code) => crate::schedule::run_response(job, id, code, response, now)?,
        (None, ResponseCode::I0) => crate::render::device_response(job, response, now)?,
        (None, code) => failure_response(job, code, Some(response), now)?,
    };
    let attempt = if code == ResponseCode::I0 {
        Attempt::Answered
    } else {
        Attempt::Failed(code)
    };
    Ok((doc, attempt))
}

/// The DUIS code for a device outcome, from the one mapping ([`DccError::outcome`]).
fn response_code(error: &DeviceError) -> Result<ResponseCode, DccError> {
    DccError::from(error.clone())
        .outcome()
        .code
        .ok_or_else(|| InternalError::Render(format!("no DUIS code for {error}")).into())
}

/// The DUIS response for a command that failed: the code, and the device's GBCS answer when it
/// sent one (the DUIS schema allows a `GBCSPayload` under any response code), else the header
/// only.
pub fn failure_response(
    job: &WanJob,
    code: ResponseCode,
    gbcs: Option<&[u8]>,
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let render = |e: String| DccError::from(InternalError::Render(e));
    let Some(bytes) = gbcs else {
        return crate::render::device_failure(job, code, now);
    };
    let variant = job
        .kind
        .srv()
        .map(duis::Srv::info)
        .ok_or_else(|| render(format!("WAN job {} answers no user request", job.id)))?;
    let rid = duis::RequestId {
        originator: job.originator,
        target: job.target,
        counter: job.counter,
    };
    let at = duis::ResponseDateTime::from_datetime(now).map_err(|e| render(e.to_string()))?;
    let header = duis::ResponseHeader::new(rid, code, at).with_response_id();
    duis::gbcs_payload_response(&header, variant, bytes).map_err(|e| render(e.to_string()))
}

/// What [`Driver::poll`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    /// The commands due now ([`Dispatcher::poll_due`]).
    pub jobs: Vec<WanJob>,
    /// The earliest due time later than now of a command still queued (unix milliseconds).
    pub next_at: Option<i64>,
}

/// A transmission worked out ahead of its transaction ([`Driver::ahead`]).
struct Ahead {
    /// The job as read.
    job: WanJob,
    prepared: Prepared,
    /// The user's response to the prepared answer, signed.
    presigned: Option<Presigned>,
}

/// The dispatcher with its store and its SM WAN: each step in one store transaction.
pub struct Driver<S: Store, N: DeviceNetwork<S>> {
    store: Arc<S>,
    network: Arc<N>,
    dispatcher: Dispatcher,
}

impl<S: Store, N: DeviceNetwork<S>> Driver<S, N> {
    pub fn new(store: Arc<S>, network: Arc<N>, dispatcher: Dispatcher) -> Self {
        Self {
            store,
            network,
            dispatcher,
        }
    }

    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    pub fn network(&self) -> &N {
        &self.network
    }

    /// The commands due at `now` ([`Dispatcher::poll_due`]).
    pub fn poll_due(&self, now: OffsetDateTime) -> Result<Vec<WanJob>, DccError> {
        self.store.read(|tx| self.dispatcher.poll_due(tx, now))
    }

    /// The commands due at `now` ([`Dispatcher::poll_due`]) and, in the same transaction, when
    /// the next command not yet due falls due ([`crate::store::WanQueue::next_wan_due_after`]): what a
    /// runner that sleeps between polls needs.
    /// Read on a snapshot of what was committed ([`Store::read`]): a command is attempted
    /// only if [`Driver::attempt`] still finds it unfinished.
    ///
    /// At most `limit` commands (and never more than the dispatcher's batch): a runner with
    /// `k` commands on the air and room for `n` more asks for `k + n`, since each command on
    /// the air is its device's oldest unfinished one and comes back too.
    pub fn poll(&self, now: OffsetDateTime, limit: usize) -> Result<Due, DccError> {
        let limit = limit.min(self.dispatcher.config.batch);
        self.store.read(|tx| {
            let jobs = tx.due_wan_jobs(unix_ms(now), limit)?;
            let next_at = tx.next_wan_due_after(unix_ms(now))?;
            Ok(Due { jobs, next_at })
        })
    }

    /// When the network next has a report of its own ([`DeviceNetwork::next_report_at`]).
    pub fn next_report_at(&self) -> Option<i64> {
        self.network.next_report_at()
    }

    /// The job, if it is still on the queue (read from what was committed).
    pub fn queued(&self, job_id: i64) -> Result<Option<WanJob>, DccError> {
        self.store.read(|tx| Ok(tx.wan_job(job_id)?))
    }

    /// How long the job's next transmission takes (the network's latency and injected delay).
    pub fn transit_time(&self, job: &WanJob) -> Result<Duration, DccError> {
        self.store.read_in(|tx| self.network.transit_time(tx, job))
    }

    /// One transmission of a queued command at `now`, start to finish, in one transaction: the
    /// network carries it (the device verifies, executes and persists its state), and the
    /// dispatcher records what it means.
    ///
    /// The work is done ahead where it can be, from a read of what was committed
    /// ([`Driver::ahead`]): the network's ([`DeviceNetwork::prepare`]) and the signature of the
    /// user's response ([`Dispatcher::presign`]). The transaction uses it only if the job is
    /// unchanged, the network finds its inputs unchanged, and the response is exactly the
    /// document signed; otherwise it does the work itself, as if nothing had been done ahead.
    pub fn attempt(&self, job_id: i64, now: OffsetDateTime) -> Result<Attempt, DccError> {
        // Work done ahead is an optimisation: if it fails, the transaction does it all.
        let ahead = self.ahead(job_id, now).ok().flatten();
        self.store.transaction_in(|tx| {
            let Some(job) = tx.wan_job(job_id)? else {
                return Ok(Attempt::Gone);
            };
            let (outcome, presigned) = match ahead {
                Some(a) if a.job == job => (
                    self.network.transmit_prepared(tx, &job, now, a.prepared)?,
                    a.presigned,
                ),
                _ => (self.network.transmit(tx, &job, now)?, None),
            };
            self.dispatcher
                .handle_attempt_presigned(tx, &job, outcome, now, presigned.as_ref())
        })
    }

    /// [`Driver::attempt`] for a consumer handed the job by a notice that says the job had
    /// `attempts` attempts when it was published (a shared queue's consumer, which may be
    /// handed a notice twice, late, or out of its device's order). In the same transaction it
    /// first checks that the job is still open with exactly that attempt count (else
    /// [`Noticed::Stale`]: finished, or attempted since), that it is due
    /// ([`Noticed::NotDue`]), and that it is its device's oldest unfinished command
    /// ([`Noticed::NotOldest`]); only then is the transmission made, and the outbox items it
    /// created are reported so that they can be announced.
    pub fn attempt_noticed(
        &self,
        job_id: i64,
        attempts: u32,
        now: OffsetDateTime,
    ) -> Result<Noticed, DccError> {
        let ahead = self
            .ahead(job_id, now)
            .ok()
            .flatten()
            .filter(|a| a.job.attempts == attempts);
        let now_ms = unix_ms(now);
        self.store.transaction_in(|tx| {
            let Some(job) = tx.wan_job(job_id)? else {
                return Ok(Noticed::Stale);
            };
            if job.attempts != attempts {
                return Ok(Noticed::Stale);
            }
            if job.due_at > now_ms {
                return Ok(Noticed::NotDue { due_at: job.due_at });
            }
            if tx.oldest_open_wan_job(job.target, now_ms)? != Some(job.id) {
                return Ok(Noticed::NotOldest);
            }
            let (outcome, presigned) = match ahead {
                Some(a) if a.job == job => (
                    self.network.transmit_prepared(tx, &job, now, a.prepared)?,
                    a.presigned,
                ),
                _ => (self.network.transmit(tx, &job, now)?, None),
            };
            let mut outbox = Vec::new();
            let attempt = self.dispatcher.handle_attempt_into(
                tx,
                &job,
                outcome,
                now,
                presigned.as_ref(),
                &mut outbox,
            )?;
            Ok(Noticed::Made { attempt, outbox })
        })
    }

    /// The transmission of `job_id` at `now` worked out from a read ([`Driver::attempt`]).
    fn ahead(&self, job_id: i64, now: OffsetDateTime) -> Result<Option<Ahead>, DccError> {
        let Some((job, scheduled)) = self.store.read(|tx| {
            let Some(job) = tx.wan_job(job_id)? else {
                return Ok(None);
            };
            let scheduled = tx.scheduled_run(job.originator, job.target, job.counter)?;
            Ok(Some((job, scheduled)))
        })?
        else {
            return Ok(None);
        };
        let Some(prepared) = self.network.prepare(&self.store, &job, now)? else {
            return Ok(None);
        };
        let presigned = match &prepared.outcome {
            Transmission::Delivered(DeviceAnswer {
                response: Some(bytes),
                ..
            }) => self.dispatcher.presign(&job, bytes, scheduled, now)?,
            _ => None,
        };
        Ok(Some(Ahead {
            job,
            prepared,
            presigned,
        }))
    }

    /// Turns the hubs' reports since the last call into alerts; returns how many there were.
    pub fn hub_reports(&self, now: OffsetDateTime) -> Result<usize, DccError> {
        Ok(self.hub_reports_queued(now)?.0)
    }

    /// [`Driver::hub_reports`], with the outbox items the alerts were put in.
    pub fn hub_reports_queued(
        &self,
        now: OffsetDateTime,
    ) -> Result<(usize, Vec<OutboxQueued>), DccError> {
        self.store.transaction_in(|tx| {
            let reports = self.network.hub_reports(tx, now)?;
            let mut created = Vec::new();
            for r in &reports {
                self.dispatcher.route_into(tx, r, now, &mut created)?;
            }
            Ok((reports.len(), created))
        })
    }

    /// Commands not finished yet.
    pub fn pending(&self) -> Result<usize, DccError> {
        self.store.read(|tx| Ok(tx.pending_wan_jobs()?))
    }
}
