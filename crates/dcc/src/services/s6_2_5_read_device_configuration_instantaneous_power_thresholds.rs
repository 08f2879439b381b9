//! 6.2.5 Read Device Configuration (Instantaneous Power Thresholds): ECS26f on an ESME. The
//! supplier originates it; a Registered Supplier Agent's goes through the ACB.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadDeviceConfigurationInstantaneousPowerThresholds;

impl Service for ReadDeviceConfigurationInstantaneousPowerThresholds {
    fn srv(&self) -> Srv {
        Srv::V6_2_5
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadDeviceConfigurationInstantaneousPowerThresholds {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(
            &r.request.body,
            "ReadDeviceConfigurationInstantaneousPowerThresholds",
        )
        .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.try_use_case_command(uc::ecs26f::MESSAGE_CODE, uc::ecs26f_read_power_thresholds)
            }
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
    fn an_esme_gets_ecs26f_and_others_e11() {
        let t = Harness::new();
        let s = &ReadDeviceConfigurationInstantaneousPowerThresholds;
        let body = "<sr:ReadDeviceConfigurationInstantaneousPowerThresholds/>";
        let plan = t
            .plan(
                s,
                Srv::V6_2_5,
                body,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&plan, uc::ecs26f::MESSAGE_CODE, false, &t, DeviceType::Esme);
        let e = t
            .plan(
                s,
                Srv::V6_2_5,
                body,
                DeviceType::Gsme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11));
    }
}
