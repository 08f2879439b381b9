//! GCS01a (1.1.1) → `UpdateImportTariffPrimaryElementRsp` (no content; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, gcs01a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs01a::SPEC,
    service_reference: "1.1",
    service_reference_variant: "1.1.1",
    element: "UpdateImportTariffPrimaryElementRsp",
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
