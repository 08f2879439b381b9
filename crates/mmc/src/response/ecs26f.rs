//! ECS26f → `ReadDeviceConfigurationInstantaneousPowerThresholdsRsp` (the thresholds read back; see [`super::power_quality`]).

use gbcs::usecases::ecs26f;

use super::ResponseMapping;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs26f::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.5",
    element: "ReadDeviceConfigurationInstantaneousPowerThresholdsRsp",
    by_variant: &[],
    render: super::power_quality::power_thresholds,
    failure: None,
};
