//! ECS10 → `DisplayMessageRsp` (no content in MMC 5.1; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs10};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs10::SPEC,
    service_reference: "3.1",
    service_reference_variant: "3.1",
    element: "DisplayMessageRsp",
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
