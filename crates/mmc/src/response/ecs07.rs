//! ECS07 update debt → `UpdateDebtRsp` (no content; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs07};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs07::SPEC,
    service_reference: "2.3",
    service_reference_variant: "2.3",
    element: "UpdateDebtRsp",
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
