//! GCS39 arm gas supply → `ArmSupplyRsp` (the Supply Status Response carries nothing the
//! element has).

use gbcs::usecases::{ResponseValue, gcs39};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs39::SPEC,
    service_reference: "7.3",
    service_reference_variant: "7.3",
    element: "ArmSupplyRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::SupplyStatus(_) => Ok(Rendering::Children(Xml::new())),
        _ => Err(MappingError::unexpected(v)),
    }
}
