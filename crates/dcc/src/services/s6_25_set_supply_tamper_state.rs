//! 6.25 Set Electricity Supply Tamper State (critical): ECS81 on an ESME, a pre-command the
//! import supplier signs: `Locked`, a supply tamper event locks the supply; `Unchanged`, it does
//! not. Any device type but the ESME is E11; another value a schema-invalid body.

use duis::Srv;
use duis::bodies::SetElectricitySupplyTamperState;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct SetSupplyTamperState;

impl Service for SetSupplyTamperState {
    fn srv(&self) -> Srv {
        Srv::V6_25
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for SetSupplyTamperState {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            SetElectricitySupplyTamperState::parse(&r.request.body).map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(uc::ecs81::MESSAGE_CODE, |h| {
                uc::ecs81_set_supply_tamper_state(h, body.locked)
            }),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    fn plan(body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        Harness::new().plan(
            &SetSupplyTamperState,
            Srv::V6_25,
            body,
            dt,
            UserRole::ImportSupplier,
        )
    }

    #[test]
    fn the_template_plans_the_ecs81_precommand_and_refusals() {
        let t = Harness::new();
        let body = template_body("ECS81_6.25_SUCCESS_REQUEST_DUIS.XML");
        let p = plan(&body, DeviceType::Esme).unwrap();
        assert_precommand(&p, uc::ecs81::MESSAGE_CODE, &t, DeviceType::Esme);
        let Plan::PreCommand(g) = &p else { panic!() };
        assert_eq!(uc::decode_command(g).unwrap(), DecodedCommand::Ecs81(true));
        let e = plan(&body, DeviceType::Gsme).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let bad = body.replace(">Locked<", ">Armed<");
        assert!(matches!(
            plan(&bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
