//! 6.27 Update Device Configuration (RMS Voltage Counter Reset), the electricity distributor's:
//! resets an ESME's average RMS voltage event counters, ECS29f on a polyphase ESME (variant
//! `C…`), ECS29e on any other.

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::s6_5_update_device_configuration_voltage::poly_phase;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateDeviceConfigurationRmsVoltageCounterReset;

impl Service for UpdateDeviceConfigurationRmsVoltageCounterReset {
    fn srv(&self) -> Srv {
        Srv::V6_27
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateDeviceConfigurationRmsVoltageCounterReset {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(
            &r.request.body,
            "UpdateDeviceConfigurationRMSVoltageCounterReset",
        )
        .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme if poly_phase(r.device.esme_variant) == Some(true) => r
                .use_case_command(
                    uc::ecs29f::MESSAGE_CODE,
                    uc::ecs29f_reset_rms_voltage_counters,
                ),
            DeviceType::Esme => r.use_case_command(
                uc::ecs29e::MESSAGE_CODE,
                uc::ecs29e_reset_rms_voltage_counters,
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
    fn an_esme_gets_ecs29e_and_others_e11() {
        let t = Harness::new();
        let body = "<sr:UpdateDeviceConfigurationRMSVoltageCounterReset/>";
        let plan = t
            .plan(
                &UpdateDeviceConfigurationRmsVoltageCounterReset,
                Srv::V6_27,
                body,
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
            )
            .unwrap();
        assert_command(&plan, uc::ecs29e::MESSAGE_CODE, false, &t, DeviceType::Esme);
        let e = t
            .plan(
                &UpdateDeviceConfigurationRmsVoltageCounterReset,
                Srv::V6_27,
                body,
                DeviceType::Gsme,
                UserRole::ElectricityDistributor,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11));
        assert!(
            t.plan(
                &UpdateDeviceConfigurationRmsVoltageCounterReset,
                Srv::V6_27,
                "<sr:UpdateDeviceConfigurationRMSVoltageCounterReset>x</sr:UpdateDeviceConfigurationRMSVoltageCounterReset>",
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
            )
            .is_err()
        );
    }
}
