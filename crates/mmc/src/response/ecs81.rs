//! ECS81 set supply tamper state → `SetElectricitySupplyTamperStateRsp` (no content; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs81};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs81::SPEC,
    service_reference: "6.25",
    service_reference_variant: "6.25",
    element: "SetElectricitySupplyTamperStateRsp",
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
