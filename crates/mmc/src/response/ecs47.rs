//! ECS47 auxiliary load switch → `ActivateAuxiliaryLoadRsp` (7.5), `DeactivateAuxiliaryLoadRsp`
//! (7.6) or `ResetAuxiliaryLoadRsp` (7.8), by the request's service reference variant (the
//! response does not say which; 7.5 when it is not known); no content, failures in `DebugInfo`.

use gbcs::usecases::{ResponseValue, ecs47};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs47::SPEC,
    service_reference: "7.5",
    service_reference_variant: "7.5",
    element: "ActivateAuxiliaryLoadRsp",
    by_variant: &[
        ("7.6", "DeactivateAuxiliaryLoadRsp"),
        ("7.8", "ResetAuxiliaryLoadRsp"),
    ],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done => Ok(Rendering::Children(Xml::new())),
        _ => Err(MappingError::unexpected(v)),
    }
}
