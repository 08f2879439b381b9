//! ECS39b → `SetDeviceConfigurationExportMPANRsp` (no content in MMC 5.1; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs39b};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs39b::SPEC,
    service_reference: "6.20",
    service_reference_variant: "6.20.2",
    element: "SetDeviceConfigurationExportMPANRsp",
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
