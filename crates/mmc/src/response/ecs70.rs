//! ECS70 set the ESME clock → `SynchroniseClockRsp/DeviceTime` (`CommissionDeviceSynchroniseClockRsp` when the request was 8.1.1).

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::time::xs_date_time;
use crate::xml::Xml;
use gbcs::usecases::{ResponseValue, ecs70};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs70::SPEC,
    service_reference: "6.11",
    service_reference_variant: "6.11",
    element: "SynchroniseClockRsp",
    by_variant: &[("8.1.1", "CommissionDeviceSynchroniseClockRsp")],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::ClockSet { device_time } = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    x.leaf("DeviceTime", &xs_date_time(*device_time));
    Ok(Rendering::Children(x))
}
