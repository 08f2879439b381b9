//! ECS50 → `RequestCustomerIdentificationNumberRsp` (the meter's acknowledgement of the CIN the
//! DCC sent it carries no content; the CIN itself is in the DUIS `CINMessage`; failures in
//! `DebugInfo`).

use gbcs::usecases::{ResponseValue, ecs50};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs50::SPEC,
    service_reference: "9.1",
    service_reference_variant: "9.1",
    element: "RequestCustomerIdentificationNumberRsp",
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
