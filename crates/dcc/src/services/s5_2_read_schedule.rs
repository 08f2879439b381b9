//! 5.2 Read Schedule: the details of one of the user's own DCC schedules (`DSPSchedulesRead`).
//! A schedule that does not exist is `E050201`; another user's is `E050202` and tells nothing
//! of it.

use duis::bodies::schedules::ScheduleRef;
use duis::{ResponseCode, Srv};

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, InternalError, ServiceError};
use crate::render;
use crate::schedule;
use crate::store::ScheduleRecord;

pub struct ReadSchedule;

impl Service for ReadSchedule {
    fn srv(&self) -> Srv {
        Srv::V5_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

/// The user's own schedule `id`, or the refusal for `srv` (5.2 or 5.3).
pub(crate) fn own_schedule(
    r: &mut NonDeviceRequest<'_>,
    srv: Srv,
    id: u64,
) -> Result<ScheduleRecord, DccError> {
    let record =
        r.tx.schedule(id)?
            .ok_or(ServiceError::UnknownSchedule { srv, id })?;
    if record.owner != r.user.eui {
        return Err(ServiceError::NotScheduleOwner { srv, id }.into());
    }
    Ok(record)
}

impl NonDeviceService for ReadSchedule {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let q = ScheduleRef::parse(&r.request.body, "ReadSchedule").map_err(render::body_error)?;
        let record = own_schedule(r, Srv::V5_2, q.schedule_id)?;
        let details = schedule::details(&record)?;
        let header = duis::ResponseHeader::new(
            r.request.header.request_id,
            ResponseCode::I0,
            duis::ResponseDateTime::from_datetime(r.now)
                .map_err(|e| InternalError::Render(e.to_string()))?,
        );
        let document = duis::response::schedules::read_schedule_response(
            &header,
            r.request.variant(),
            &[(record.id, details)],
        )
        .map_err(|e| InternalError::Render(e.to_string()))?;
        Ok(Plan::Answer {
            code: ResponseCode::I0,
            document,
        })
    }
}
