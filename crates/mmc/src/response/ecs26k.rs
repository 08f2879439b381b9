//! ECS26k → `ReadDeviceConfigurationVoltageRsp` (the polyphase voltage configuration read back; see [`super::power_quality`]).

use gbcs::usecases::ecs26k;

use super::ResponseMapping;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs26k::SPEC,
    service_reference: "6.2",
    service_reference_variant: "6.2.1",
    element: "ReadDeviceConfigurationVoltageRsp",
    by_variant: &[],
    render: super::power_quality::poly_phase,
    failure: None,
};
