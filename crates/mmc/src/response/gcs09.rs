//! GCS09 → `RestrictAccessForChangeOfTenancyRsp` (no content in MMC 5.1; failures in
//! `DebugInfo`).

use gbcs::usecases::{ResponseValue, gcs09};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs09::SPEC,
    service_reference: "3.2",
    service_reference_variant: "3.2",
    element: "RestrictAccessForChangeOfTenancyRsp",
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
