//! ECS28b reset the load limit counter → `UpdateDeviceConfigurationLoadLimitingCounterResetRsp`
//! (no content; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs28b};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs28b::SPEC,
    service_reference: "6.4",
    service_reference_variant: "6.4.2",
    element: "UpdateDeviceConfigurationLoadLimitingCounterResetRsp",
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
