//! ECS48 daily tariff block counter matrix reset → `UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrixRsp` (no content; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs48};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs48::SPEC,
    service_reference: "6.26",
    service_reference_variant: "6.26",
    element: "UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrixRsp",
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
