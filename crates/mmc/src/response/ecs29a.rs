//! ECS29a → `UpdateDeviceConfigurationVoltageRsp` (no content; see [`super::power_quality`]).

use gbcs::usecases::ecs29a;

use super::ResponseMapping;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs29a::SPEC,
    service_reference: "6.5",
    service_reference_variant: "6.5",
    element: "UpdateDeviceConfigurationVoltageRsp",
    by_variant: &[],
    render: super::power_quality::done,
    failure: None,
};
