//! CS03A2 → `JoinServiceCriticalRsp` (DUIS 8.7.1; 8.7.2 `JoinServiceNonCriticalRsp`): the device's responseCode, [`super::han_join`].

use gbcs::usecases::{Failure, ResponseValue, cs03a2};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &cs03a2::SPEC,
    service_reference: "8.7",
    service_reference_variant: "8.7.1",
    element: "JoinServiceCriticalRsp",
    by_variant: &[("8.7.2", "JoinServiceNonCriticalRsp")],
    render,
    failure: Some(failure),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    super::han_join::done(false, v)
}

fn failure(f: &Failure) -> Xml {
    super::han_join::failed(false, f)
}
