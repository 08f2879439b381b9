//! ECS29f → `UpdateDeviceConfigurationRMSVoltageCounterResetRsp` (no content; see [`super::power_quality`]).

use gbcs::usecases::ecs29f;

use super::ResponseMapping;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs29f::SPEC,
    service_reference: "6.27",
    service_reference_variant: "6.27",
    element: "UpdateDeviceConfigurationRMSVoltageCounterResetRsp",
    by_variant: &[],
    render: super::power_quality::done,
    failure: None,
};
