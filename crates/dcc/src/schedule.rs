//! DCC schedules: the timetable of a schedule (5.1 Create Schedule), and the DCC's own scheduler
//! that makes each run at its time, with time passed in like [`crate::dispatch`].
//!
//! A schedule's runs fall on `ScheduleStartDate` and every period after it (a day, a week, or 1,
//! 3, 6 or 12 calendar months; a monthly schedule started on the 31st runs on the last day of
//! shorter months and on the 31st again when the month has one), at `ScheduleExecutionStartTime`
//! (UTC; midnight when the schedule does not say), up to and including `ScheduleEndDate`. All
//! times are UTC: there is no daylight saving to skip or repeat.
//!
//! [`Scheduler::run_due`] makes the runs due at `now` in ONE store transaction: for each due
//! schedule, the owner's eligibility is checked again (a user no longer registered for the
//! device in an eligible role, or a device no longer known, ends the schedule: it is deleted and
//! the owner gets the DCC alert [`SCHEDULE_REMOVAL_ALERT`] with a `DSPScheduleRemoval` body);
//! otherwise the scheduled variant's own request is built (the `DSP…` element mapped onto the
//! variant's request body for the run's date) and planned through the catalogue exactly as a
//! user's request is, its command protected and queued on the SM WAN, the RequestID recorded as
//! this schedule's run, and the schedule's last and next run recorded. A crash anywhere leaves
//! all or nothing of a run; a restart makes a run that fell due while the DCC was down once (the
//! latest missed time: missed runs are not made several times over), and never makes one twice.
//!
//! Each run is a service request of its own, with a RequestID `owner:device:counter` whose
//! counter the DCC takes from the owner's counter space (the next after the last accepted from
//! them, which it records: the device checks the owner's counters, so the owner's next request
//! must carry a larger one). Its outcome reaches the owner through [`crate::dispatch`] as any
//! device response does, the body being a `DSPScheduledMessage` carrying the schedule's
//! `DSPScheduleID`.

use std::sync::Arc;

use duis::alert::{AlertHeader, DccAlert, DccAlertBody, DccAlertCode};
use duis::bodies::schedules::{DspSchedule, ScheduleFrequency};
use duis::{CommandVariant, Request, RequestHeader, RequestId, Srv};
use eui::Eui64;
use time::{Date, Duration, Month, OffsetDateTime, Time};

use crate::catalogue::{self, DccCrypto};
use crate::eligibility;
use crate::error::{AuthzError, DccError, InternalError, ServiceError};
use crate::gateway::{ResponseSigner, unix_ms};
use crate::model::{Device, User};
use crate::registration;
use crate::services::{DeviceRequest, Plan};
use crate::store::{JobKind, OutboxItem, ScheduleRecord, Store, Tx, WanJob};

/// The DCC alert telling a schedule's owner that the DCC removed it (body `DSPScheduleRemoval`).
///
/// The DUIS table of DCC alert codes is not in the reference corpus (only the XSD enumeration
/// `AD1`, `N1`–`N65`, `N999`); `N12` is the code DUIS gives the DSP schedule removal alert as far
/// as opendcc's authors know it, kept in this one place.
pub const SCHEDULE_REMOVAL_ALERT: DccAlertCode = DccAlertCode::N12;

/// How many runs [`Scheduler::run_due`] makes in one transaction.
pub const DEFAULT_BATCH: usize = 256;

/// The time of day runs are made (UTC).
pub fn execution_time(s: &DspSchedule) -> Time {
    s.execution_start_time.unwrap_or(Time::MIDNIGHT)
}

fn step_days(f: ScheduleFrequency) -> Option<i64> {
    match f {
        ScheduleFrequency::Daily => Some(1),
        ScheduleFrequency::Weekly => Some(7),
        _ => None,
    }
}

fn step_months(f: ScheduleFrequency) -> i64 {
    match f {
        ScheduleFrequency::Monthly => 1,
        ScheduleFrequency::Quarterly => 3,
        ScheduleFrequency::HalfYearly => 6,
        ScheduleFrequency::Yearly => 12,
        ScheduleFrequency::Daily | ScheduleFrequency::Weekly => 0,
    }
}

/// `d` plus `n` calendar months, the day clamped to the end of a shorter month.
pub fn add_months(d: Date, n: i64) -> Option<Date> {
    let m0 = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + n;
    let year = i32::try_from(m0.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(m0.rem_euclid(12) + 1).ok()?).ok()?;
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// The `k`-th run's date (`k = 0` is the start date), ignoring the end date.
fn run_date(s: &DspSchedule, k: i64) -> Option<Date> {
    match step_days(s.frequency) {
        Some(days) => s
            .start_date
            .checked_add(Duration::days(k.checked_mul(days)?)),
        None => add_months(s.start_date, k.checked_mul(step_months(s.frequency))?),
    }
}

/// The `k`-th run's time, `None` past the end date.
pub fn occurrence(s: &DspSchedule, k: i64) -> Option<OffsetDateTime> {
    if k < 0 {
        return None;
    }
    let date = run_date(s, k)?;
    if s.end_date.is_some_and(|end| date > end) {
        return None;
    }
    Some(date.with_time(execution_time(s)).assume_utc())
}

/// An index no later than that of the first run at or after `t`.
fn index_below(s: &DspSchedule, t: OffsetDateTime) -> i64 {
    let first = s.start_date.with_time(execution_time(s)).assume_utc();
    if t <= first {
        return 0;
    }
    let k = match step_days(s.frequency) {
        Some(days) => (t - first).whole_days() / days,
        None => {
            let months = (i64::from(t.year()) - i64::from(first.year())) * 12
                + i64::from(u8::from(t.month()))
                - i64::from(u8::from(first.month()));
            months / step_months(s.frequency)
        }
    };
    (k - 1).max(0)
}

/// The first run at or after `t` (`None`: the schedule has no more).
pub fn first_at_or_after(s: &DspSchedule, t: OffsetDateTime) -> Option<OffsetDateTime> {
    let mut k = index_below(s, t);
    loop {
        let o = occurrence(s, k)?;
        if o >= t {
            return Some(o);
        }
        k += 1;
    }
}

/// The first run strictly after `t`.
pub fn first_after(s: &DspSchedule, t: OffsetDateTime) -> Option<OffsetDateTime> {
    first_at_or_after(s, t + Duration::milliseconds(1))
}

/// The last run at or before `t`, if any.
pub fn last_at_or_before(s: &DspSchedule, t: OffsetDateTime) -> Option<OffsetDateTime> {
    // No run falls after the end date's last instant.
    let t = match s.end_date {
        Some(end) => t.min(end.with_time(Time::MAX).assume_utc()),
        None => t,
    };
    let mut k = index_below(s, t);
    let mut last = None;
    while let Some(o) = occurrence(s, k) {
        if o > t {
            break;
        }
        last = Some(o);
        k += 1;
    }
    last
}

/// For a schedule whose next run was due at `due` and is made at `now`: the scheduled time of
/// the run made now (the latest that fell due: runs missed while the DCC was down are made once,
/// not once each) and when the next is due (`None`: no more).
pub fn run_timing(
    s: &DspSchedule,
    due: OffsetDateTime,
    now: OffsetDateTime,
) -> (OffsetDateTime, Option<OffsetDateTime>) {
    let run_at = last_at_or_before(s, now).map_or(due, |t| t.max(due));
    (run_at, first_after(s, now))
}

fn from_ms(ms: i64) -> Result<OffsetDateTime, DccError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| InternalError::Render(format!("time {ms}: {e}")).into())
}

/// A stored schedule's details.
pub fn details(record: &ScheduleRecord) -> Result<DspSchedule, DccError> {
    DspSchedule::from_stored(&record.details)
        .map_err(|e| InternalError::Storage(format!("DCC schedule {}: {e}", record.id)).into())
}

/// The request a run sends: the scheduled variant's own body for `date`, with the RequestID
/// `owner:device:counter` (CV 1).
pub fn run_request(
    s: &DspSchedule,
    owner: Eui64,
    counter: u64,
    date: Date,
) -> Result<Request, DccError> {
    let body = s
        .request_body(date)
        .map_err(|e| ServiceError::NotSchedulable(e.to_string()))?;
    Ok(Request {
        schema_version: "5.4".into(),
        header: RequestHeader {
            request_id: RequestId::new(owner, s.device_id, counter),
            first_in_sequence: None,
            preceding_request_id: None,
            command_variant: CommandVariant::NonCritical,
            service_reference: s.srv.service_reference().into(),
            service_reference_variant: s.srv,
        },
        body,
        signature_present: false,
    })
}

/// Whether `user` may still have the scheduled request made for them on `day`: the matrix roles,
/// the device, the service's device types, registration and SMI status, as the gateway checks
/// a request. Returns the device and the role the user acts in.
pub fn check_eligible(
    tx: &mut dyn Tx,
    user: &User,
    srv: Srv,
    device_id: Eui64,
    day: Date,
) -> Result<(Device, duis::UserRole), DccError> {
    let variant = srv.info();
    let roles = eligibility::eligible_roles(user, variant)?;
    let device = tx
        .device(device_id)?
        .ok_or_else(|| AuthzError::UnknownDevice(device_id.to_string()))?;
    let service = catalogue::device_service(srv)?;
    if !service.device_types().contains(&device.device_type) {
        return Err(crate::services::wrong_type(srv, device.device_type));
    }
    let parties = registration::load(tx, &device, day)?;
    let role = eligibility::check_registration(user, &roles, &device, &parties, day)?;
    crate::smi::check_addressable(variant.id, &device)?;
    Ok((device, role))
}

/// Plans a run's command through the catalogue, as the gateway plans a user's request.
pub fn plan_run(
    request: &Request,
    device: &Device,
    role: duis::UserRole,
    dcc: &DccCrypto,
    dcc_counter: &mut dyn FnMut() -> Result<u64, DccError>,
    now: OffsetDateTime,
) -> Result<Plan, DccError> {
    let service = catalogue::device_service(request.header.service_reference_variant)?;
    catalogue::plan_device(
        service,
        &mut DeviceRequest {
            request,
            device,
            acting_role: role,
            dcc,
            dcc_counter,
            now,
            han_peer: None,
        },
    )
}

/// Whether an eligibility refusal means the owner may no longer have the schedule (it is then
/// removed), rather than that this run cannot be made (SMI status, a service the DCC lacks).
fn ends_schedule(e: &DccError) -> bool {
    matches!(
        e,
        DccError::Authorisation(
            AuthzError::UnknownUser(_)
                | AuthzError::RoleNotEligible { .. }
                | AuthzError::UserSuspended(_)
                | AuthzError::NotRegistered { .. }
                | AuthzError::UnknownDevice(_)
                | AuthzError::DeviceType { .. }
                | AuthzError::NotTrustAnchor { .. }
        )
    )
}

/// What one pass of the scheduler did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Runs whose command was queued.
    pub runs: usize,
    /// Schedules removed (the owner no longer eligible), each with its alert.
    pub removed: usize,
    /// Runs that fell due but could not be made (recorded as made; the next is due as usual).
    pub skipped: usize,
    /// Schedules that had their last run.
    pub finished: usize,
}

impl RunReport {
    fn add(&mut self, o: &RunReport) {
        self.runs += o.runs;
        self.removed += o.removed;
        self.skipped += o.skipped;
        self.finished += o.finished;
    }

    /// Schedules handled.
    pub fn handled(&self) -> usize {
        self.runs + self.removed + self.skipped
    }
}

/// The DCC's scheduler.
pub struct Scheduler {
    signer: Arc<dyn ResponseSigner>,
    dcc: Arc<DccCrypto>,
    /// The DCC's EUI: the originator of its alerts.
    dcc_eui: Eui64,
    /// How long a run's command may wait for the device (the gateway's `Limits`).
    device_response_timeout_ms: i64,
    batch: usize,
}

impl Scheduler {
    pub fn new(
        signer: Arc<dyn ResponseSigner>,
        dcc: Arc<DccCrypto>,
        dcc_eui: Eui64,
        device_response_timeout_ms: i64,
    ) -> Self {
        Self {
            signer,
            dcc,
            dcc_eui,
            device_response_timeout_ms,
            batch: DEFAULT_BATCH,
        }
    }

    /// At most `batch` runs per transaction.
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Makes up to one batch of the runs due at `now`, in `tx`.
    pub fn run_due(&self, tx: &mut dyn Tx, now: OffsetDateTime) -> Result<RunReport, DccError> {
        let mut report = RunReport::default();
        for record in tx.due_schedules(unix_ms(now), self.batch)? {
            let one = self.run_one(tx, &record, now)?;
            report.add(&one);
        }
        Ok(report)
    }

    /// Makes every run due at `now`, a batch per transaction.
    pub fn run_all_due<S: Store>(
        &self,
        store: &S,
        now: OffsetDateTime,
    ) -> Result<RunReport, DccError> {
        let mut total = RunReport::default();
        loop {
            let r = store.transaction(|tx| self.run_due(tx, now))?;
            total.add(&r);
            if r.handled() < self.batch {
                return Ok(total);
            }
        }
    }

    fn run_one(
        &self,
        tx: &mut dyn Tx,
        record: &ScheduleRecord,
        now: OffsetDateTime,
    ) -> Result<RunReport, DccError> {
        let mut report = RunReport::default();
        let s = details(record)?;
        let due = match record.next_run_at {
            Some(ms) => from_ms(ms)?,
            None => return Ok(report),
        };
        let (run_at, next) = run_timing(&s, due, now);
        let next_ms = next.map(unix_ms);
        if next.is_none() {
            report.finished = 1;
        }
        let user = tx.user(record.owner)?;
        let eligible = match &user {
            Some(u) => check_eligible(tx, u, record.srv, record.device, now.date()),
            None => Err(AuthzError::UnknownUser(record.owner.to_string()).into()),
        };
        let (device, role) = match eligible {
            Ok(ok) => ok,
            Err(e) if ends_schedule(&e) => {
                tx.delete_schedule(record.id)?;
                self.removal_alert(tx, record, now)?;
                report.removed = 1;
                report.finished = 0;
                return Ok(report);
            }
            Err(DccError::Internal(e)) => return Err(e.into()),
            Err(_) => {
                tx.schedule_ran(record.id, unix_ms(run_at), next_ms)?;
                report.skipped = 1;
                return Ok(report);
            }
        };
        // The run's RequestID counter: the next in the owner's counter space for the device
        // (above what the owner has used for it and its floor). The device receives it as the
        // owner's GBCS counter, and it has seen the owner's counters for it alone (devices
        // check them per originator; `gateway::check_counter`).
        let counter = tx
            .request_counter(record.owner, record.device)?
            .highest()
            .map_or(1, |c| c.saturating_add(1));
        let request = run_request(&s, record.owner, counter, run_at.date())?;
        let acb = self.dcc.acb;
        let planned = {
            let mut dcc_counter = || -> Result<u64, DccError> { Ok(tx.next_dcc_counter(acb)?) };
            plan_run(&request, &device, role, &self.dcc, &mut dcc_counter, now)
        };
        let command = match planned {
            Ok(Plan::Command { command, .. }) => command,
            Err(DccError::Internal(e)) => return Err(e.into()),
            // A critical or non-device plan cannot be scheduled (the matrix rules them out);
            // a refusal of the body is the DCC's own mapping's fault: the run is not made.
            Ok(_) | Err(_) => {
                tx.schedule_ran(record.id, unix_ms(run_at), next_ms)?;
                report.skipped = 1;
                return Ok(report);
            }
        };
        let der = tx
            .device_cert(device.id, "ka")?
            .ok_or_else(|| ServiceError::NoDeviceCertificate(device.id.to_string()))?;
        let ka = gbcs::crypto::PublicKey::from_certificate_der(&der).map_err(|e| {
            InternalError::Signing(format!("device {} KA certificate: {e}", device.id))
        })?;
        let wan_command = catalogue::protect(command, &self.dcc, &ka)?;
        tx.set_request_counter(record.owner, device.id, counter)?;
        let now_ms = unix_ms(now);
        tx.enqueue_wan(&WanJob {
            id: 0,
            originator: record.owner,
            counter,
            target: device.id,
            chf: device.chf.unwrap_or(device.id),
            kind: JobKind::Service(record.srv),
            command: wan_command,
            attempts: 0,
            due_at: now_ms,
            deadline_at: now_ms.saturating_add(self.device_response_timeout_ms),
        })?;
        tx.record_scheduled_run(record.owner, device.id, counter, record.id)?;
        tx.schedule_ran(record.id, unix_ms(run_at), next_ms)?;
        report.runs = 1;
        Ok(report)
    }

    /// Withdraws every DCC schedule for `devices`, each with the removal alert to its owner:
    /// what the DCC does for the devices it suspends when their model leaves the Certified
    /// Products List (seed 003 para 292, `crate::products::expire`). Returns the schedules'
    /// ids.
    pub fn withdraw_for_devices(
        &self,
        tx: &mut dyn Tx,
        devices: &[Eui64],
        now: OffsetDateTime,
    ) -> Result<Vec<u64>, DccError> {
        let mut withdrawn = Vec::new();
        // Every schedule with a run still to come (none is due later than the end of time).
        for record in tx.due_schedules(i64::MAX, usize::MAX)? {
            if devices.contains(&record.device) && tx.delete_schedule(record.id)? {
                self.removal_alert(tx, &record, now)?;
                withdrawn.push(record.id);
            }
        }
        Ok(withdrawn)
    }

    /// The DCC alert telling the owner their schedule was removed.
    fn removal_alert(
        &self,
        tx: &mut dyn Tx,
        record: &ScheduleRecord,
        now: OffsetDateTime,
    ) -> Result<(), DccError> {
        let counter = tx.next_dcc_counter(self.dcc_eui)?;
        let doc = removal_alert_document(self.dcc_eui, record, counter, now)?;
        let document = self.signer.sign(&doc)?;
        let now_ms = unix_ms(now);
        tx.push_outbox(&OutboxItem {
            id: 0,
            recipient: record.owner,
            kind: "dcc-alert".into(),
            reference: format!(
                "{}:{}:{}",
                SCHEDULE_REMOVAL_ALERT.as_str(),
                record.id,
                counter
            ),
            document,
            created_at: now_ms,
            attempts: 0,
            next_at: now_ms,
            delivered_at: None,
            last_error: None,
        })?;
        Ok(())
    }
}

/// The (unsigned) DCC alert [`SCHEDULE_REMOVAL_ALERT`] for a removed schedule.
pub fn removal_alert_document(
    dcc: Eui64,
    record: &ScheduleRecord,
    counter: u64,
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let render = |e: String| DccError::from(InternalError::Render(e));
    let at = duis::ResponseDateTime::from_datetime(now).map_err(|e| render(e.to_string()))?;
    let header = AlertHeader::dcc(dcc, record.owner, counter, at);
    let alert = DccAlert::new(
        SCHEDULE_REMOVAL_ALERT,
        DccAlertBody::DspScheduleRemoval {
            device_id: record.device,
            dsp_schedule_id: record.id,
        },
    );
    duis::alert::dcc_alert(&header, &alert).map_err(|e| render(e.to_string()))
}

/// The DUIS response of a scheduled run's device answer: the run's RequestID, `code` (`I0`, or
/// the failure code when the device reports failure), and a `DSPScheduledMessage` with the
/// device's GBCS payload and the schedule's ID.
pub fn run_response(
    job: &WanJob,
    schedule_id: u64,
    code: duis::ResponseCode,
    gbcs: &[u8],
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let render = |e: String| DccError::from(InternalError::Render(e));
    let srv = job
        .kind
        .srv()
        .ok_or_else(|| render(format!("WAN job {} answers no user request", job.id)))?;
    let rid = RequestId::new(job.originator, job.target, job.counter);
    let at = duis::ResponseDateTime::from_datetime(now).map_err(|e| render(e.to_string()))?;
    let header = duis::ResponseHeader::new(rid, code, at).with_response_id();
    duis::response::schedules::scheduled_message_response(&header, srv.info(), gbcs, schedule_id)
        .map_err(|e| render(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn sched(
        f: ScheduleFrequency,
        start: Date,
        end: Option<Date>,
        at: Option<Time>,
    ) -> DspSchedule {
        DspSchedule {
            frequency: f,
            start_date: start,
            end_date: end,
            execution_start_time: at,
            ka_credential: None,
            service_reference: "4.16".into(),
            srv: Srv::V4_16,
            device_id: Eui64::from_u64(1),
            element: duis::bodies::schedules::DspElement::for_srv(Srv::V4_16).unwrap(),
            period: None,
        }
    }

    #[test]
    fn daily_runs_at_the_execution_time_in_utc() {
        let s = sched(
            ScheduleFrequency::Daily,
            date!(2026 - 03 - 28),
            None,
            Some(time!(01:30)),
        );
        // Across the UK's spring-forward night: still 01:30 UTC every day.
        assert_eq!(
            first_at_or_after(&s, datetime!(2026-03-01 0:00 UTC)),
            Some(datetime!(2026-03-28 1:30 UTC))
        );
        assert_eq!(
            first_after(&s, datetime!(2026-03-28 1:30 UTC)),
            Some(datetime!(2026-03-29 1:30 UTC))
        );
        assert_eq!(
            first_at_or_after(&s, datetime!(2026-03-29 1:30:00.001 UTC)),
            Some(datetime!(2026-03-30 1:30 UTC))
        );
        assert_eq!(
            last_at_or_before(&s, datetime!(2026-04-02 0:00 UTC)),
            Some(datetime!(2026-04-01 1:30 UTC))
        );
        assert_eq!(last_at_or_before(&s, datetime!(2026-03-28 1:29 UTC)), None);
    }

    #[test]
    fn monthly_runs_clamp_to_month_ends_and_come_back() {
        let s = sched(
            ScheduleFrequency::Monthly,
            date!(2024 - 01 - 31),
            None,
            None,
        );
        let runs: Vec<Date> = (0..5).map(|k| occurrence(&s, k).unwrap().date()).collect();
        assert_eq!(
            runs,
            [
                date!(2024 - 01 - 31),
                date!(2024 - 02 - 29),
                date!(2024 - 03 - 31),
                date!(2024 - 04 - 30),
                date!(2024 - 05 - 31)
            ]
        );
        assert_eq!(
            first_after(&s, datetime!(2024-02-29 0:00 UTC))
                .unwrap()
                .date(),
            date!(2024 - 03 - 31)
        );
        let y = sched(ScheduleFrequency::Yearly, date!(2024 - 02 - 29), None, None);
        assert_eq!(occurrence(&y, 1).unwrap().date(), date!(2025 - 02 - 28));
        assert_eq!(occurrence(&y, 4).unwrap().date(), date!(2028 - 02 - 29));
        let q = sched(
            ScheduleFrequency::Quarterly,
            date!(2025 - 11 - 30),
            None,
            None,
        );
        assert_eq!(occurrence(&q, 1).unwrap().date(), date!(2026 - 02 - 28));
        let h = sched(
            ScheduleFrequency::HalfYearly,
            date!(2025 - 08 - 31),
            None,
            None,
        );
        assert_eq!(occurrence(&h, 1).unwrap().date(), date!(2026 - 02 - 28));
    }

    #[test]
    fn end_date_is_the_last_day_a_run_may_fall_on() {
        let s = sched(
            ScheduleFrequency::Weekly,
            date!(2026 - 01 - 01),
            Some(date!(2026 - 01 - 15)),
            None,
        );
        assert_eq!(occurrence(&s, 2).unwrap().date(), date!(2026 - 01 - 15));
        assert_eq!(occurrence(&s, 3), None);
        assert_eq!(first_after(&s, datetime!(2026-01-15 0:00 UTC)), None);
        assert_eq!(
            last_at_or_before(&s, datetime!(2027-01-01 0:00 UTC))
                .unwrap()
                .date(),
            date!(2026 - 01 - 15)
        );
    }

    #[test]
    fn missed_runs_are_made_once_at_the_latest_time_and_the_timetable_carries_on() {
        let s = sched(
            ScheduleFrequency::Daily,
            date!(2026 - 01 - 01),
            Some(date!(2026 - 01 - 10)),
            Some(time!(02:00)),
        );
        // On time.
        let due = datetime!(2026-01-01 2:00 UTC);
        assert_eq!(
            run_timing(&s, due, due),
            (due, Some(datetime!(2026-01-02 2:00 UTC)))
        );
        // Down from the 2nd to noon on the 5th: one run, for the 5th's time; next on the 6th.
        let (run_at, next) = run_timing(
            &s,
            datetime!(2026-01-02 2:00 UTC),
            datetime!(2026-01-05 12:00 UTC),
        );
        assert_eq!(run_at, datetime!(2026-01-05 2:00 UTC));
        assert_eq!(next, Some(datetime!(2026-01-06 2:00 UTC)));
        // Restarted long after the end: the last run once, then no more.
        let (run_at, next) = run_timing(
            &s,
            datetime!(2026-01-07 2:00 UTC),
            datetime!(2026-03-01 0:00 UTC),
        );
        assert_eq!(run_at, datetime!(2026-01-10 2:00 UTC));
        assert_eq!(next, None);
    }

    #[test]
    fn far_future_lookups_are_direct() {
        let s = sched(ScheduleFrequency::Daily, date!(2000 - 01 - 01), None, None);
        assert_eq!(
            first_at_or_after(&s, datetime!(2100-06-15 12:00 UTC)),
            Some(datetime!(2100-06-16 0:00 UTC))
        );
        let m = sched(
            ScheduleFrequency::Monthly,
            date!(2000 - 01 - 31),
            None,
            None,
        );
        assert_eq!(
            first_at_or_after(&m, datetime!(2100-06-15 12:00 UTC)),
            Some(datetime!(2100-06-30 0:00 UTC))
        );
    }
}
