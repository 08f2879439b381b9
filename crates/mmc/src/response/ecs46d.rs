//! ECS46d set the auxiliary controller calendar →
//! `UpdateDeviceConfigurationAuxiliaryControllerSchedulerRsp` (no content; failures in
//! `DebugInfo`). The calendar is read back by 7.14, the levels it sets by 7.15.

use gbcs::usecases::{ResponseValue, ecs46d};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs46d::SPEC,
    service_reference: "6.14",
    service_reference_variant: "6.14.3",
    element: "UpdateDeviceConfigurationAuxiliaryControllerSchedulerRsp",
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
