//! CS04B → `UnjoinServiceNonCriticalRsp` (DUIS 8.8.2): the device's responseCode, [`super::han_join`].

use gbcs::usecases::{Failure, ResponseValue, cs04b};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &cs04b::SPEC,
    service_reference: "8.8",
    service_reference_variant: "8.8.2",
    element: "UnjoinServiceNonCriticalRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    super::han_join::done(true, v)
}

fn failure(f: &Failure) -> Xml {
    super::han_join::failed(true, f)
}
