//! ECS46c update the auxiliary load control scheduler →
//! `UpdateDeviceConfigurationALCSchedulerRsp` (no content; failures in `DebugInfo`). The
//! calendar is read back by 7.7.

use gbcs::usecases::{ResponseValue, ecs46c};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs46c::SPEC,
    service_reference: "6.14",
    service_reference_variant: "6.14.2",
    element: "UpdateDeviceConfigurationALCSchedulerRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done => Ok(Rendering::Children(Xml::new())),
        _ => Err(MappingError::unexpected(v)),
    }
}
