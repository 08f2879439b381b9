//! ECS38 set randomised offset limit → `SetRandomisedOffsetLimitRsp` (no content; failures in
//! `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs38};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs38::SPEC,
    service_reference: "7.12",
    service_reference_variant: "7.12",
    element: "SetRandomisedOffsetLimitRsp",
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
