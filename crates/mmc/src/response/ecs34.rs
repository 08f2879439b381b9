//! ECS34 → `UpdateDeviceConfigurationInstantaneousPowerThresholdRsp` (no content; see [`super::power_quality`]).

use gbcs::usecases::ecs34;

use super::ResponseMapping;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs34::SPEC,
    service_reference: "6.12",
    service_reference_variant: "6.12",
    element: "UpdateDeviceConfigurationInstantaneousPowerThresholdRsp",
    by_variant: &[],
    render: super::power_quality::done,
    failure: None,
};
