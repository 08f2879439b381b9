//! 6.2.1 Read Device Configuration (Voltage): an ESME's RMS voltage limiters and average RMS
//! voltage thresholds, ECS26k on a polyphase ESME (variant `C…`), ECS26b on any other. The
//! supplier and the electricity distributor originate it; a Registered Supplier Agent's goes
//! through the ACB.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::s6_5_update_device_configuration_voltage::poly_phase;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadDeviceConfigurationVoltage;

impl Service for ReadDeviceConfigurationVoltage {
    fn srv(&self) -> Srv {
        Srv::V6_2_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadDeviceConfigurationVoltage {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadDeviceConfigurationVoltage")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme if poly_phase(r.device.esme_variant) == Some(true) => r
                .try_use_case_command(
                    uc::ecs26k::MESSAGE_CODE,
                    uc::ecs26k_read_voltage_configuration,
                ),
            DeviceType::Esme => r.try_use_case_command(
                uc::ecs26b::MESSAGE_CODE,
                uc::ecs26b_read_voltage_configuration,
            ),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    #[test]
    fn an_esme_gets_ecs26b_and_others_e11() {
        let t = Harness::new();
        let body = "<sr:ReadDeviceConfigurationVoltage/>";
        let plan = t
            .plan(
                &ReadDeviceConfigurationVoltage,
                Srv::V6_2_1,
                body,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&plan, uc::ecs26b::MESSAGE_CODE, false, &t, DeviceType::Esme);
        let e = t
            .plan(
                &ReadDeviceConfigurationVoltage,
                Srv::V6_2_1,
                body,
                DeviceType::Gsme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11));
        assert!(
            t.plan(
                &ReadDeviceConfigurationVoltage,
                Srv::V6_2_1,
                "<sr:ReadDeviceConfigurationVoltage><sr:X/></sr:ReadDeviceConfigurationVoltage>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .is_err()
        );
    }
}
