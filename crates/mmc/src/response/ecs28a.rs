//! ECS28a update load limiting general settings → `UpdateDeviceConfigurationLoadLimitingGeneralSettingsRsp`
//! (no content; failures in `DebugInfo`). The settings themselves are read back by 4.15.

use gbcs::usecases::{ResponseValue, ecs28a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs28a::SPEC,
    service_reference: "6.4",
    service_reference_variant: "6.4.1",
    element: "UpdateDeviceConfigurationLoadLimitingGeneralSettingsRsp",
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
