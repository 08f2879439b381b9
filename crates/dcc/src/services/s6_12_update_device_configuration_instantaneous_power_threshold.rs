//! 6.12 Update Device Configuration (Instantaneous Power Threshold), the import supplier's:
//! ECS34 on an ESME, the low/medium and medium/high thresholds (W) an IHD shows consumption
//! against. Thresholds that break the one rule (`gbcs::usecases::PowerThresholds::check`:
//! 0 < low/medium < medium/high) are refused as an invalid body.

use duis::Srv;
use duis::bodies::UpdateDeviceConfigurationInstantaneousPowerThreshold as Body;
use gbcs::usecases::{self as uc, PowerThresholds};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdateDeviceConfigurationInstantaneousPowerThreshold;

impl Service for UpdateDeviceConfigurationInstantaneousPowerThreshold {
    fn srv(&self) -> Srv {
        Srv::V6_12
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateDeviceConfigurationInstantaneousPowerThreshold {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let t = PowerThresholds {
            low_medium: body.low_medium,
            medium_high: body.medium_high,
        };
        t.check()
            .map_err(|why| DccError::from(SchemaError::Invalid(why.to_string())))?;
        r.try_use_case_command(uc::ecs34::MESSAGE_CODE, |h| {
            uc::ecs34_set_power_thresholds(h, &t)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    fn body(low: &str, high: &str) -> String {
        format!(
            "<sr:UpdateDeviceConfigurationInstantaneousPowerThreshold><sr:LowMediumPowerThreshold>{low}</sr:LowMediumPowerThreshold><sr:MediumHighPowerThreshold>{high}</sr:MediumHighPowerThreshold></sr:UpdateDeviceConfigurationInstantaneousPowerThreshold>"
        )
    }

    #[test]
    fn an_esme_gets_ecs34_and_bad_values_are_refused() {
        let t = Harness::new();
        let s = &UpdateDeviceConfigurationInstantaneousPowerThreshold;
        let plan = t
            .plan(
                s,
                Srv::V6_12,
                &body("2300", "4600"),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&plan, uc::ecs34::MESSAGE_CODE, false, &t, DeviceType::Esme);
        let Plan::Command { command, .. } = plan else {
            unreachable!()
        };
        assert_eq!(
            uc::decode_command(&command).unwrap(),
            uc::DecodedCommand::Ecs34(PowerThresholds {
                low_medium: 2300,
                medium_high: 4600
            })
        );
        for (low, high) in [("4600", "2300"), ("0", "5"), ("7", "7"), ("x", "1")] {
            let e = t
                .plan(
                    s,
                    Srv::V6_12,
                    &body(low, high),
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{low} {high}: {e}");
        }
        let e = t
            .plan(
                s,
                Srv::V6_12,
                &body("1", "2"),
                DeviceType::Gsme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11));
    }
}
