//! 2.5 Activate Emergency Credit (critical): ECS09 on an ESME, GCS06 on a GSME; pre-commands the
//! supplier signs. The body (`sr:ActivateEmergencyCredit`) has no content.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ActivateEmergencyCredit;

impl Service for ActivateEmergencyCredit {
    fn srv(&self) -> Srv {
        Srv::V2_5
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ActivateEmergencyCredit {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ActivateEmergencyCredit")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(MessageCode::ECS09, uc::ecs09_activate_emergency_credit)
            }
            DeviceType::Gsme => {
                r.try_use_case_command(MessageCode::GCS06, uc::gcs06_activate_emergency_credit)
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

    const BODY: &str = "<sr:ActivateEmergencyCredit/>";

    #[test]
    fn precommand_per_device_type() {
        let t = Harness::new();
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS09,
            ),
            (DeviceType::Gsme, UserRole::GasSupplier, MessageCode::GCS06),
        ] {
            let plan = t
                .plan(&ActivateEmergencyCredit, Srv::V2_5, BODY, dt, role)
                .unwrap();
            assert_precommand(&plan, code, &t, dt);
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &ActivateEmergencyCredit,
                    Srv::V2_5,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn a_body_with_content_is_refused() {
        let t = Harness::new();
        for body in [
            "<sr:ActivateEmergencyCredit><sr:X/></sr:ActivateEmergencyCredit>",
            "<sr:ActivateEmergencyCredit>1</sr:ActivateEmergencyCredit>",
            "<sr:DisableSupply/>",
        ] {
            let e = t
                .plan(
                    &ActivateEmergencyCredit,
                    Srv::V2_5,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
