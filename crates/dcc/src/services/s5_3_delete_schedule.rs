//! 5.3 Delete Schedule: removes one of the user's own DCC schedules (no further runs; runs
//! already queued are answered as usual). A schedule that does not exist is `E050301`; another
//! user's is `E050302` and stays.

use duis::bodies::schedules::ScheduleRef;
use duis::{ResponseCode, Srv};

use super::s5_2_read_schedule::own_schedule;
use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::render;

pub struct DeleteSchedule;

impl Service for DeleteSchedule {
    fn srv(&self) -> Srv {
        Srv::V5_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

impl NonDeviceService for DeleteSchedule {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let q =
            ScheduleRef::parse(&r.request.body, "DeleteSchedule").map_err(render::body_error)?;
        let record = own_schedule(r, Srv::V5_3, q.schedule_id)?;
        r.tx.delete_schedule(record.id)?;
        r.acknowledge(ResponseCode::I0)
    }
}
