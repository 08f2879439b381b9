//! ECS15c → `ClearEventLogRsp` (DUIS 3.3; no content in MMC 5.1; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs15c};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs15c::SPEC,
    service_reference: "3.3",
    service_reference_variant: "3.3",
    element: "ClearEventLogRsp",
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
