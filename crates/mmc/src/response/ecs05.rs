//! ECS05 reset tariff block counter matrix → `ResetTariffBlockCounterMatrixRsp` (no content;
//! failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs05};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs05::SPEC,
    service_reference: "1.7",
    service_reference_variant: "1.7",
    element: "ResetTariffBlockCounterMatrixRsp",
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
