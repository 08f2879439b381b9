//! ECS02 update payment mode → `UpdatePaymentModeRsp` (no content in the MMC schema; failures in
//! `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs02};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs02::SPEC,
    service_reference: "1.6",
    service_reference_variant: "1.6",
    element: "UpdatePaymentModeRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done | ResponseValue::PaymentModeChanged(_) => {
            Ok(Rendering::Children(Xml::new()))
        }
        _ => Err(MappingError::unexpected(v)),
    }
}
