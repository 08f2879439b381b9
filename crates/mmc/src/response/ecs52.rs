//! ECS52 read ESME/CHF firmware version → `ReadFirmwareVersionRsp/FirmwareVersion`.

use gbcs::usecases::{ResponseValue, ecs52};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs52::SPEC,
    service_reference: "11.2",
    service_reference_variant: "11.2",
    element: "ReadFirmwareVersionRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::FirmwareVersion(b) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    x.leaf("FirmwareVersion", &super::version_text(b));
    Ok(Rendering::Children(x))
}
