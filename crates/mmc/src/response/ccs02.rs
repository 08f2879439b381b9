//! CCS02 remove a device from the CHF device log → `UpdateHANDeviceLogRsp`.

use gbcs::usecases::{ResponseValue, ccs02};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ccs02::SPEC,
    service_reference: "8.11",
    service_reference_variant: "8.11",
    element: "UpdateHANDeviceLogRsp",
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
