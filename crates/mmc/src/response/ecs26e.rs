//! ECS26e → `ReadDeviceConfigurationIdentityExcMPxNRsp` ([`super::identity`]).

use gbcs::usecases::{ResponseValue, ecs26e};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs26e::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.4",
    element: "ReadDeviceConfigurationIdentityExcMPxNRsp",
    by_variant: &[],
    render,
    failure: None,
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    super::identity::dlms(&ecs26e::OBJECTS, v)
}
