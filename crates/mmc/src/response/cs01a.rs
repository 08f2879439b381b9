//! CS01a apply prepayment top-up → `TopUpDeviceRsp` (no content: the meter's acceptance is the
//! success; a refused UTRN is a failure, in `DebugInfo`, with the meter's alert).

use gbcs::usecases::{ResponseValue, cs01a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &cs01a::SPEC,
    service_reference: "2.2",
    service_reference_variant: "2.2",
    element: "TopUpDeviceRsp",
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
