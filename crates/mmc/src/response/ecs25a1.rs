//! ECS25a1 → `ConfigureAlertBehaviourRsp` (DUIS 6.22; no content; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs25a1};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs25a1::SPEC,
    service_reference: "6.22",
    service_reference_variant: "6.22",
    element: "ConfigureAlertBehaviourRsp",
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
