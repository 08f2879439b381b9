//! 7.3 Arm Supply (critical): ECS44 on an ESME, GCS39 on a GSME; pre-commands the supplier
//! signs. An armed supply stays off until the consumer enables it at the meter (the emulated
//! devices' `DeviceState::press_supply_button`, `opendcc device button`); 7.4 reads it as armed.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ArmSupply;

impl Service for ArmSupply {
    fn srv(&self) -> Srv {
        Srv::V7_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ArmSupply {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ArmSupply").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(MessageCode::ECS44, uc::ecs44_arm_supply),
            DeviceType::Gsme => {
                // The same Issuer Event ID rule as GCS32 (the DCC's time in ZigBee seconds).
                let event = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(MessageCode::GCS39, |h| uc::gcs39_arm_supply(h, event))
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
    fn precommand_per_device_type() {
        let t = Harness::new();
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS44,
            ),
            (DeviceType::Gsme, UserRole::GasSupplier, MessageCode::GCS39),
        ] {
            let plan = t
                .plan(&ArmSupply, Srv::V7_3, "<sr:ArmSupply/>", dt, role)
                .unwrap();
            assert_precommand(&plan, code, &t, dt);
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Hcalcs] {
            let e = t
                .plan(
                    &ArmSupply,
                    Srv::V7_3,
                    "<sr:ArmSupply/>",
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn a_body_with_content_is_refused() {
        let t = Harness::new();
        for body in [
            "<sr:ArmSupply>now</sr:ArmSupply>",
            "<sr:ArmSupply><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ArmSupply>",
            "<sr:EnableSupply/>",
        ] {
            let e = t
                .plan(
                    &ArmSupply,
                    Srv::V7_3,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
