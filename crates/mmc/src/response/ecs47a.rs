//! ECS47a set auxiliary controller state → `SetAuxiliaryControllerStateRsp` (no content;
//! failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs47a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs47a::SPEC,
    service_reference: "7.13",
    service_reference_variant: "7.13",
    element: "SetAuxiliaryControllerStateRsp",
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
