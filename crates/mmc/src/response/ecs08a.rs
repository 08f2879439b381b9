//! ECS08a update prepayment configuration → `UpdatePrepayConfigurationRsp` (no content; failures in
//! `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs08a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs08a::SPEC,
    service_reference: "2.1",
    service_reference_variant: "2.1",
    element: "UpdatePrepayConfigurationRsp",
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
