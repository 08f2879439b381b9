//! ECS46a update the auxiliary load switch descriptions →
//! `UpdateDeviceConfigurationALCDescriptionsRsp` (no content; failures in `DebugInfo`). The
//! descriptions are read back by 7.7.

use gbcs::usecases::{ResponseValue, ecs46a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs46a::SPEC,
    service_reference: "6.14",
    service_reference_variant: "6.14.1",
    element: "UpdateDeviceConfigurationALCDescriptionsRsp",
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
