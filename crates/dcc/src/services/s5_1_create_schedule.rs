//! 5.1 Create Schedule: the DCC stores a DCC-scheduled request and makes it on its own timetable
//! ([`crate::schedule`]).
//!
//! The request is refused, changing nothing, when: its body does not describe a request the DCC
//! may schedule (a variant the service matrix does not mark DCC-scheduled, or a service
//! reference, variant and `DSP…` element that disagree: `E050101`); it would never run (a start
//! date before today, an end date before the start: `E050102`); the DCC does not implement the
//! scheduled variant (E12); or the scheduled request itself would be refused now, as the gateway
//! would refuse it (the user's roles for the variant E2, the device E19, its type E11,
//! registration E4, SMI status E5), including the plan of its first run (the body mapped onto
//! the variant's request). Accepted, it is answered `I0` with the new `DSPScheduleID`.
//!
//! The meanings of the service's six-digit codes are not in the reference corpus (only the XSD
//! enumeration): `E050101` and `E050102` are the first two 5.1 codes, used for the two refusals
//! specific to schedules.

use duis::bodies::schedules::DspSchedule;
use duis::{ResponseCode, Srv};

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, InternalError, ServiceError};
use crate::gateway::unix_ms;
use crate::render;
use crate::schedule;
use crate::store::ScheduleRecord;

pub struct CreateSchedule;

impl Service for CreateSchedule {
    fn srv(&self) -> Srv {
        Srv::V5_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

impl NonDeviceService for CreateSchedule {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let s = DspSchedule::parse(&r.request.body).map_err(render::body_error)?;
        if !s.schedulable() {
            return Err(ServiceError::NotSchedulable(format!(
                "{} is not a DCC-scheduled service request",
                s.srv
            ))
            .into());
        }
        s.check_consistent()
            .map_err(|e| ServiceError::NotSchedulable(e.to_string()))?;
        let today = r.now.date();
        if s.start_date < today {
            return Err(ServiceError::ScheduleNeverRuns(format!(
                "ScheduleStartDate {} is before today ({today})",
                s.start_date
            ))
            .into());
        }
        if let Some(end) = s.end_date
            && end < s.start_date
        {
            return Err(ServiceError::ScheduleNeverRuns(format!(
                "ScheduleEndDate {end} is before ScheduleStartDate {}",
                s.start_date
            ))
            .into());
        }
        let first = schedule::first_at_or_after(&s, r.now).ok_or_else(|| {
            ServiceError::ScheduleNeverRuns("no run falls between now and the end date".into())
        })?;
        // The scheduled request must be one the gateway would accept from this user now, and
        // its first run must plan (nothing is kept of this trial: the ACB counter is not taken).
        let (device, role) = schedule::check_eligible(r.tx, r.user, s.srv, s.device_id, today)?;
        let rid = r.request.header.request_id;
        let trial = schedule::run_request(&s, rid.originator, rid.counter, first.date())?;
        let mut no_counter = || Ok(0);
        match schedule::plan_run(&trial, &device, role, r.dcc, &mut no_counter, r.now)? {
            Plan::Command { .. } => {}
            other => {
                return Err(ServiceError::NotSchedulable(format!(
                    "{} plans no command to schedule: {other:?}",
                    s.srv
                ))
                .into());
            }
        }
        let details = s
            .to_stored()
            .map_err(|e| InternalError::Render(e.to_string()))?;
        let id = r.tx.insert_schedule(&ScheduleRecord {
            id: 0,
            owner: rid.originator,
            device: s.device_id,
            srv: s.srv,
            details,
            created_counter: rid.counter,
            created_at: unix_ms(r.now),
            next_run_at: Some(unix_ms(first)),
            last_run_at: None,
        })?;
        let header = duis::ResponseHeader::new(
            rid,
            ResponseCode::I0,
            duis::ResponseDateTime::from_datetime(r.now)
                .map_err(|e| InternalError::Render(e.to_string()))?,
        );
        let document =
            duis::response::schedules::create_schedule_response(&header, r.request.variant(), id)
                .map_err(|e| InternalError::Render(e.to_string()))?;
        Ok(Plan::Answer {
            code: ResponseCode::I0,
            document,
        })
    }
}
