//! 6.2.10 Read Device Configuration (Event and Alert Behaviours): what 6.22 configured (the
//! GBCS defaults before).
//!
//! | device | user | GBCS use case | originator |
//! |---|---|---|---|
//! | ESME | import supplier | ECS25r1 (the supplier's WAN, HAN, audible alarm and logging filters) | the import supplier |
//! | ESME | electricity distributor | ECS25r2 (the network operator's WAN and logging filters) | the network operator |
//! | GSME | gas supplier | GCS20r (every `0x81xx` code's event configuration) | the gas supplier |
//!
//! Any other device type: E11. The body has no content.

use duis::Srv;
use duis::UserRole;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadEventAndAlertBehaviours;

impl Service for ReadEventAndAlertBehaviours {
    fn srv(&self) -> Srv {
        Srv::V6_2_10
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadEventAndAlertBehaviours {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(
            &r.request.body,
            "ReadDeviceConfigurationEventAndAlertBehaviours",
        )
        .map_err(render::body_error)?;
        match (r.device.device_type, r.acting_role) {
            (DeviceType::Esme, UserRole::ElectricityDistributor) => {
                r.use_case_command(uc::ecs25r2::CODE, uc::ecs25r2_read_alert_behaviours)
            }
            (DeviceType::Esme, _) => {
                r.use_case_command(uc::ecs25r1::CODE, uc::ecs25r1_read_alert_behaviours)
            }
            (DeviceType::Gsme, _) => {
                r.try_use_case_command(uc::gcs20r::CODE, uc::gcs20r_read_alert_behaviours)
            }
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;

    const BODY: &str = "<sr:ReadDeviceConfigurationEventAndAlertBehaviours/>";

    #[test]
    fn command_per_device_and_role() {
        let t = Harness::new();
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs25r1::CODE,
            ),
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                uc::ecs25r2::CODE,
            ),
            (DeviceType::Gsme, UserRole::GasSupplier, uc::gcs20r::CODE),
        ] {
            let plan = t
                .plan(&ReadEventAndAlertBehaviours, Srv::V6_2_10, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, false, &t, dt);
        }
    }

    #[test]
    fn other_devices_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf] {
            let e = t
                .plan(
                    &ReadEventAndAlertBehaviours,
                    Srv::V6_2_10,
                    BODY,
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let e = t
            .plan(
                &ReadEventAndAlertBehaviours,
                Srv::V6_2_10,
                "<sr:ReadDeviceConfigurationEventAndAlertBehaviours>x</sr:ReadDeviceConfigurationEventAndAlertBehaviours>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, crate::error::DccError::Schema(_)), "{e}");
    }
}
