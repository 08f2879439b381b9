//! GCS41 → `SetDeviceConfigurationImportMPxNRsp` (no content in MMC 5.1; failures in `DebugInfo`).

use gbcs::usecases::{ResponseValue, gcs41};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs41::SPEC,
    service_reference: "6.20",
    service_reference_variant: "6.20.1",
    element: "SetDeviceConfigurationImportMPxNRsp",
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
