//! ECS57 reset maximum demand registers → `ResetMaximumDemandRegistersRsp` (no content;
//! failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs57};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs57::SPEC,
    service_reference: "6.18",
    service_reference_variant: "6.18.2",
    element: "ResetMaximumDemandRegistersRsp",
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
