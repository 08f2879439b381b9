//! ECS37 set the maximum demand configurable time period →
//! `SetMaximumDemandConfigurableTimePeriodRsp` (no content; failures in `DebugInfo`). The period
//! is read back by 4.12.1.

use gbcs::usecases::{ResponseValue, ecs37};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs37::SPEC,
    service_reference: "6.18",
    service_reference_variant: "6.18.1",
    element: "SetMaximumDemandConfigurableTimePeriodRsp",
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
