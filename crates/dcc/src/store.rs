//! What the core needs from storage. Implementations live in the `store` crate (SQLite embedded by
//! default); the core never sees SQL.
//!
//! Every change a request makes happens inside one [`Store::transaction`]: either all of it is
//! durable when the closure returns `Ok`, or none of it happened. The gateway acknowledges a
//! request only after its transaction has committed.
//!
//! The storage contract is split by aggregate, so that each can move to the backend that suits
//! it: [`UsersTx`] (users, organisation certificates, anti-replay counters), [`InventoryTx`]
//! (devices, device certificates, premises, registration data), [`RequestsTx`] (request records,
//! pre-commands), and the two queues, [`WanQueue`] (commands for the SM WAN) and [`Outbox`]
//! (documents for users). [`Tx`] is all of them. Emulation state (emulated devices, injected WAN
//! faults, hub events) is not the core's: the `wan` crate owns its trait (`wan::EmulatorTx`).
//!
//! One SQLite database (`store::SqliteStore`) or one PostgreSQL database (`store_pg::PgStore`,
//! for several gateway processes) implements every trait in one transaction; their behaviour is
//! tested once, against both (`store-tests`). The two queues' rows stay in the database, committed
//! with the request that made them; between processes, NATS JetStream carries notices naming
//! them (`queue-nats`). Nothing in the core assumes SQLite.

use duis::Srv;
use eui::Eui64;
use time::OffsetDateTime;

use crate::error::{DccError, InternalError};
use crate::model::smi::StatusChange;
use crate::model::{Device, OrgCertRecord, Premises, Registration, User};

/// A failure of the storage layer itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

impl From<StoreError> for DccError {
    fn from(e: StoreError) -> Self {
        DccError::Internal(InternalError::Storage(e.0))
    }
}

/// The record of one service request the DCC accepted or refused after authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub originator: Eui64,
    pub target: Eui64,
    pub counter: u64,
    pub srv: Srv,
    pub command_variant: u8,
    pub received_at: OffsetDateTime,
    /// The DUIS response code the user was given.
    pub response_code: String,
    /// The signed DUIS response the user was given, if any.
    pub response: Option<String>,
}

/// What a WAN command is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// A user's service request: its outcome goes to the user as a DUIS response.
    Service(Srv),
    /// SMKI recovery (CS02b authorised by Recovery): no user waits; the answer sets the device's
    /// SMI status.
    SmkiRecovery,
    /// The DCC's own DBCH04 bringing a dual-band hub onto the current DBCH Configuration Table
    /// (`opendcc dbch reconfigure`): no user waits; the job's recorded outcome says what
    /// happened ([`crate::dispatch::dbch`]).
    DbchReconfigure,
}

impl JobKind {
    const SMKI_RECOVERY: &'static str = "SMKI-RECOVERY";
    const DBCH_RECONFIGURE: &'static str = "DBCH-RECONFIGURE";

    /// How the kind is stored: the service reference variant, or `SMKI-RECOVERY`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service(srv) => srv.as_str(),
            Self::SmkiRecovery => Self::SMKI_RECOVERY,
            Self::DbchReconfigure => Self::DBCH_RECONFIGURE,
        }
    }

    /// The kind for its stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            Self::SMKI_RECOVERY => Some(Self::SmkiRecovery),
            Self::DBCH_RECONFIGURE => Some(Self::DbchReconfigure),
            other => Srv::parse(other).map(Self::Service),
        }
    }

    /// The service request it serves, if a user's.
    pub fn srv(self) -> Option<Srv> {
        match self {
            Self::Service(srv) => Some(srv),
            Self::SmkiRecovery | Self::DbchReconfigure => None,
        }
    }
}

/// A command waiting for, or on, the SM WAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WanJob {
    pub id: i64,
    /// The service request it serves (originator and counter of the RequestID).
    pub originator: Eui64,
    pub counter: u64,
    /// The device it is for, and the Communications Hub Function that reaches it.
    pub target: Eui64,
    pub chf: Eui64,
    /// What the command is for: a user's service request, or the DCC's own work.
    pub kind: JobKind,
    /// The protected GBCS command as it goes on the WAN.
    pub command: Vec<u8>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// When the next attempt is due, and when the DCC gives up (unix milliseconds).
    pub due_at: i64,
    pub deadline_at: i64,
}

/// A document for a user's Receive Response Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub recipient: Eui64,
    /// What it is (`response`, `alert`), and the RequestID or alert reference it carries.
    pub kind: String,
    pub reference: String,
    pub document: String,
    pub created_at: i64,
    pub attempts: u32,
    pub next_at: i64,
    pub delivered_at: Option<i64>,
    pub last_error: Option<String>,
}

/// A pre-command returned for a critical request (CV 4), awaiting the user's signature (CV 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPreCommand {
    pub originator: Eui64,
    pub counter: u64,
    pub target: Eui64,
    pub srv: Srv,
    pub precommand: Vec<u8>,
    pub created_at: i64,
    pub used: bool,
}

/// Users, their organisation certificates and their anti-replay counters.
pub trait UsersTx {
    fn user(&mut self, eui: Eui64) -> Result<Option<User>, StoreError>;
    fn user_by_name(&mut self, name: &str) -> Result<Option<User>, StoreError>;
    fn users(&mut self) -> Result<Vec<User>, StoreError>;
    fn put_user(&mut self, user: &User) -> Result<(), StoreError>;

    fn org_cert(&mut self, serial: &str) -> Result<Option<OrgCertRecord>, StoreError>;
    fn put_org_cert(&mut self, cert: &OrgCertRecord) -> Result<(), StoreError>;
    /// Every digital-signing organisation certificate of one party (it may hold one for XML and
    /// another for GBCS, as ZAZ1 does).
    fn org_certs_of(&mut self, eui: Eui64) -> Result<Vec<OrgCertRecord>, StoreError>;
    /// Whether `public_key` (SEC1) is the subject key of any certificate of the SMKI *test*
    /// service (SEC H4: test keys are never used in live).
    fn is_test_certificate_key(&mut self, public_key: &[u8]) -> Result<bool, StoreError>;

    /// The anti-replay state of RequestIDs `originator:target:…`: the last counter accepted
    /// from `originator` for `target`, and the originator's floor over every target (the rule
    /// that reads it is written once, `gateway::check_counter`).
    fn request_counter(
        &mut self,
        originator: Eui64,
        target: Eui64,
    ) -> Result<RequestCounter, StoreError>;
    /// Records `counter` as the last accepted from `originator` for `target` (only that pair).
    fn set_request_counter(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<(), StoreError>;
    /// The highest counter recorded for `originator`, for any target or as its floor (for tools
    /// that choose counters above anything used before).
    fn highest_counter(&mut self, originator: Eui64) -> Result<Option<u64>, StoreError>;
    /// The operator's reset of a user's counters (`opendcc user counter`): every counter of
    /// `originator`, for every target, and its floor are set to `value`, down as well as up.
    fn reset_counter_floor(&mut self, originator: Eui64, value: u64) -> Result<(), StoreError>;
    /// Takes the next of the DCC's own originator counters (the ACB's GBCS originator counter,
    /// the DCC's alert counter) and returns it: one counter per originator over every target,
    /// because devices check GBCS counters per originator. It is kept as that originator's
    /// floor; it stops at 2⁶⁴−1.
    fn next_dcc_counter(&mut self, originator: Eui64) -> Result<u64, StoreError>;
}

/// The anti-replay counters of one originator for one target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCounter {
    /// The last RequestID counter accepted from the originator for this target.
    pub last: Option<u64>,
    /// The originator's floor over every target: counters at or below it are refused for any
    /// target (the per-originator counter of databases from before per-target counters, and
    /// the operator's reset).
    pub floor: Option<u64>,
}

impl RequestCounter {
    /// The highest counter already used: a RequestID at or below it is a replay.
    pub fn highest(self) -> Option<u64> {
        self.last.max(self.floor)
    }
}

/// The Smart Metering Inventory, device certificates, premises and registration data.
pub trait InventoryTx {
    fn device(&mut self, id: Eui64) -> Result<Option<Device>, StoreError>;
    fn devices_at(&mut self, uprn: &str) -> Result<Vec<Device>, StoreError>;
    fn devices(&mut self) -> Result<Vec<Device>, StoreError>;
    fn put_device(&mut self, device: &Device) -> Result<(), StoreError>;
    fn delete_device(&mut self, id: Eui64) -> Result<bool, StoreError>;

    /// Device certificates (DER) the SMKI repository holds for a device.
    fn device_certs(&mut self, id: Eui64) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The device certificate for one usage (`ds` or `ka`).
    fn device_cert(&mut self, id: Eui64, usage: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn put_device_cert(&mut self, id: Eui64, usage: &str, der: &[u8]) -> Result<(), StoreError>;

    fn premises(&mut self, uprn: &str) -> Result<Option<Premises>, StoreError>;
    fn premises_by_postcode(&mut self, postcode: &str) -> Result<Vec<Premises>, StoreError>;
    fn put_premises(&mut self, premises: &Premises) -> Result<(), StoreError>;

    fn registrations(&mut self, mpxn: &str) -> Result<Vec<Registration>, StoreError>;
    fn put_registration(&mut self, registration: &Registration) -> Result<(), StoreError>;

    /// Appends an entry to a device's SMI status history (`crate::smi::record` writes it with
    /// the status change, in the same transaction).
    fn push_status_change(&mut self, change: &StatusChange) -> Result<(), StoreError>;
    /// A device's SMI status history, oldest first.
    fn status_history(&mut self, id: Eui64) -> Result<Vec<StatusChange>, StoreError>;
}

/// The record of every service request, and the pre-commands of critical requests.
pub trait RequestsTx {
    fn record_request(&mut self, record: &RequestRecord) -> Result<(), StoreError>;
    /// The record of RequestID `originator:target:counter` (its last command variant).
    fn request(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<RequestRecord>, StoreError>;

    fn put_precommand(&mut self, p: &PendingPreCommand) -> Result<(), StoreError>;
    /// The pre-command returned for RequestID `originator:target:counter`.
    fn precommand(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<PendingPreCommand>, StoreError>;
    fn use_precommand(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<(), StoreError>;
}

/// The queue of commands for the SM WAN.
pub trait WanQueue {
    /// Queues a command for the SM WAN; returns its id.
    fn enqueue_wan(&mut self, job: &WanJob) -> Result<i64, StoreError>;
    /// Queues a DSP future-dated command held until its `due_at` (`dispatch::hold`); returns
    /// its id. Until then it is not due and takes no part in its device's order (it blocks none
    /// of the device's other commands); from then on it is an ordinary job.
    fn hold_wan(&mut self, job: &WanJob) -> Result<i64, StoreError>;
    /// Queued commands due at `now_ms`, oldest first, at most one per device: each device's
    /// oldest unfinished command, so that a device always receives its commands in the order
    /// the DCC accepted them (a later command overtaking an earlier one would make the device
    /// refuse the earlier one as a replay). A held job ([`WanQueue::hold_wan`]) counts in that
    /// order only from its due time.
    fn due_wan_jobs(&mut self, now_ms: i64, limit: usize) -> Result<Vec<WanJob>, StoreError>;
    /// The job, if it is still on the queue.
    fn wan_job(&mut self, id: i64) -> Result<Option<WanJob>, StoreError>;
    /// The id of the device's oldest unfinished command at `now_ms` (a held job counts from its
    /// due time, as in [`WanQueue::due_wan_jobs`]), due or not: the one command of the device
    /// that may go on the SM WAN next. For a consumer that is handed a job by a notice rather
    /// than a poll.
    fn oldest_open_wan_job(
        &mut self,
        target: Eui64,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError>;
    /// Records another attempt and when the next is due.
    fn retry_wan_job(&mut self, id: i64, attempts: u32, due_at: i64) -> Result<(), StoreError>;
    /// Takes a job off the queue for good (answered, or given up).
    fn finish_wan_job(&mut self, id: i64, outcome: &str) -> Result<(), StoreError>;
    /// Jobs not finished yet.
    fn pending_wan_jobs(&mut self) -> Result<usize, StoreError>;
    /// The earliest due time later than `now_ms` of an unfinished job (a retry, a held
    /// command), if any: when a runner that has nothing due now must look again.
    fn next_wan_due_after(&mut self, now_ms: i64) -> Result<Option<i64>, StoreError>;
    /// The last command the DCC put on the WAN, finished or not, with this GBCS originator,
    /// recipient and originator counter (a device's later report on it, such as a future-dated
    /// outcome alert, names it so).
    fn sent_command(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<WanJob>, StoreError>;
}

/// Documents waiting for (or delivered to) users' Receive Response Services.
pub trait Outbox {
    fn push_outbox(&mut self, item: &OutboxItem) -> Result<i64, StoreError>;
    fn due_outbox(&mut self, now_ms: i64, limit: usize) -> Result<Vec<OutboxItem>, StoreError>;
    /// The ids of [`Outbox::due_outbox`]'s items, in the same order, without reading the
    /// documents (a worker that reads each item when it starts to deliver it).
    fn due_outbox_ids(&mut self, now_ms: i64, limit: usize) -> Result<Vec<i64>, StoreError>;
    /// The earliest time later than `now_ms` at which an undelivered document is due again (a
    /// retry after its backoff), if any.
    fn next_outbox_after(&mut self, now_ms: i64) -> Result<Option<i64>, StoreError>;
    fn outbox_item(&mut self, id: i64) -> Result<Option<OutboxItem>, StoreError>;
    fn outbox_delivered(&mut self, id: i64, at_ms: i64) -> Result<(), StoreError>;
    fn outbox_retry(
        &mut self,
        id: i64,
        attempts: u32,
        next_at: i64,
        error: &str,
    ) -> Result<(), StoreError>;
    /// Everything kept for inspection for one recipient, newest first.
    fn outbox_for(&mut self, recipient: Eui64, limit: usize)
    -> Result<Vec<OutboxItem>, StoreError>;
}

/// A DCC schedule (5.1 Create Schedule) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRecord {
    /// The `DSPScheduleID` (allocated by the store on insert; 1 to 10^12).
    pub id: u64,
    /// The user who created it (only they may read or delete it; its runs answer them).
    pub owner: Eui64,
    pub device: Eui64,
    /// The scheduled service reference variant.
    pub srv: Srv,
    /// The `sr:DSPSchedule` as created (`duis::bodies::schedules::DspSchedule::to_stored`).
    pub details: String,
    /// The counter of the RequestID that created it.
    pub created_counter: u64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// When the next run is due (unix milliseconds); `None` once the schedule has no more runs.
    pub next_run_at: Option<i64>,
    /// The scheduled time of the last run made (unix milliseconds).
    pub last_run_at: Option<i64>,
}

/// DCC schedules and the runs made for them.
pub trait SchedulesTx {
    /// Stores a new schedule; returns its `DSPScheduleID` (the `id` passed is ignored).
    fn insert_schedule(&mut self, s: &ScheduleRecord) -> Result<u64, StoreError>;
    fn schedule(&mut self, id: u64) -> Result<Option<ScheduleRecord>, StoreError>;
    /// Removes a schedule; `false` if there was none.
    fn delete_schedule(&mut self, id: u64) -> Result<bool, StoreError>;
    /// Schedules with a run due at `now_ms`, earliest first.
    fn due_schedules(
        &mut self,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<ScheduleRecord>, StoreError>;
    /// Records a run (its scheduled time) and when the next is due.
    fn schedule_ran(
        &mut self,
        id: u64,
        run_at: i64,
        next_run_at: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Records that the run with RequestID `originator:target:counter` was made for
    /// `schedule_id`.
    fn record_scheduled_run(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
        schedule_id: u64,
    ) -> Result<(), StoreError>;
    /// The schedule a RequestID's run was made for, if it was a scheduled run, leaving the
    /// record where it is (a look ahead of the transaction that takes it).
    fn scheduled_run(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<u64>, StoreError>;
    /// The schedule a RequestID's run was made for, if it was a scheduled run; the record is
    /// removed (it is asked once, when the run's outcome is told to its owner).
    fn take_scheduled_run(
        &mut self,
        originator: Eui64,
        target: Eui64,
        counter: u64,
    ) -> Result<Option<u64>, StoreError>;
}

/// One line of the operator's audit log: an operator's action on the DCC's own records (such as
/// resetting a user's RequestID counter floor), written in the transaction that makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorAuditEntry {
    /// Unix milliseconds.
    pub at: i64,
    /// Who acted (the operator's name as given, or the OS user).
    pub actor: String,
    /// What was done, e.g. `counter-floor-reset`.
    pub action: String,
    /// On what, e.g. the user's EUI-64.
    pub target: String,
    /// The change, e.g. `old=18446744073709551615 new=1000`.
    pub detail: String,
}

/// The operator's audit log (not one of the core's aggregates: the operator's tools write it,
/// in the same transaction as the change they record).
pub trait OperatorAuditTx {
    /// Appends to the operator's audit log.
    fn append_operator_audit(&mut self, e: &OperatorAuditEntry) -> Result<(), StoreError>;
    /// The operator's audit log, oldest first.
    fn operator_audit_log(&mut self) -> Result<Vec<OperatorAuditEntry>, StoreError>;
}

/// The Certified Products List (`cpl`) and the notices of its changes to the SEC Parties.
pub trait CplTx {
    /// Every CPL entry, in key order.
    fn cpl_models(&mut self) -> Result<Vec<cpl::DeviceModel>, StoreError>;
    /// Stores an entry, replacing the one with the same key.
    fn put_cpl_model(&mut self, model: &cpl::DeviceModel) -> Result<(), StoreError>;
    /// Records a change's notice for one SEC Party (a user's EUI-64).
    fn put_cpl_notice(&mut self, party: Eui64, notice: &cpl::Notice) -> Result<(), StoreError>;
    /// The notices for one party, oldest first.
    fn cpl_notices(&mut self, party: Eui64) -> Result<Vec<cpl::Notice>, StoreError>;
}

/// Reads and writes inside one transaction: every aggregate of the core. Implemented for
/// anything that implements the parts, so code written against `&mut dyn Tx` calls any of
/// their methods.
pub trait Tx: UsersTx + InventoryTx + RequestsTx + WanQueue + Outbox + SchedulesTx + CplTx {}

impl<T: UsersTx + InventoryTx + RequestsTx + WanQueue + Outbox + SchedulesTx + CplTx + ?Sized> Tx
    for T
{
}

/// A store: hands out transactions.
pub trait Store: Send + Sync + 'static {
    /// The store's own transaction type: the core's aggregates ([`Tx`]) and whatever else the
    /// store keeps in the same database (the SQLite store also keeps the WAN emulation's state,
    /// `wan::EmulatorTx`, so that a device's change of state commits with the DCC's record of
    /// its answer).
    type Tx<'t>: Tx;

    /// Runs `f` in one serialisable transaction, committed (durably) if `f` returns `Ok`, rolled
    /// back otherwise. (`track_caller`: a store may account its transactions to their call
    /// sites.)
    #[track_caller]
    fn transaction<T>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, DccError>,
    ) -> Result<T, DccError> {
        self.transaction_in(|tx| f(tx))
    }

    /// [`Store::transaction`] with the store's own transaction type, for code that needs more of
    /// it than the core's aggregates (the device network behind the WAN).
    #[track_caller]
    fn transaction_in<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, DccError>,
    ) -> Result<T, DccError>;

    /// Runs `f`, which only reads, on a snapshot of what was committed when it began, without
    /// holding up the store's writers where the store can (SQLite: a read-only connection of its
    /// own beside the writer's). A change `f` tries to make fails. For lookups that need
    /// neither uncommitted changes nor a change that depends on what they read. By default a
    /// transaction like any other.
    #[track_caller]
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, DccError>) -> Result<T, DccError> {
        self.read_in(|tx| f(tx))
    }

    /// [`Store::read`] with the store's own transaction type.
    #[track_caller]
    fn read_in<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, DccError>,
    ) -> Result<T, DccError> {
        self.transaction_in(f)
    }
}
