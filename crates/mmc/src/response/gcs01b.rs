//! GCS01b (1.2.1) → `UpdatePricePrimaryElementRsp` (no content; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, gcs01b};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs01b::SPEC,
    service_reference: "1.2",
    service_reference_variant: "1.2.1",
    element: "UpdatePricePrimaryElementRsp",
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
