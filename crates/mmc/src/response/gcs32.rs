//! GCS32 disable gas supply → `DisableSupplyRsp` (the Supply Status Response carries nothing the element has).

use gbcs::usecases::{ResponseValue, gcs32};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs32::SPEC,
    service_reference: "7.2",
    service_reference_variant: "7.2",
    element: "DisableSupplyRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::SupplyStatus(_) | ResponseValue::Done => Ok(Rendering::Children(Xml::new())),
        _ => Err(MappingError::unexpected(v)),
    }
}
