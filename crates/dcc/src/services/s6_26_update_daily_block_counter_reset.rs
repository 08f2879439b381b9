//! 6.26 Update Device Configuration (Daily Resetting of Tariff Block Counter Matrix)
//! (critical): ECS48 on an ESME, a pre-command the import supplier signs:
//! `DailyTariffBlockCounterMatrixReset` true resets the matrix every midnight, false stops it.
//! Any device type but the ESME is E11; a value that is not an xs:boolean a schema-invalid body.

use duis::Srv;
use duis::bodies::DailyBlockCounterReset;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateDailyBlockCounterReset;

impl Service for UpdateDailyBlockCounterReset {
    fn srv(&self) -> Srv {
        Srv::V6_26
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateDailyBlockCounterReset {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = DailyBlockCounterReset::parse(&r.request.body).map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(uc::ecs48::MESSAGE_CODE, |h| {
                uc::ecs48_set_daily_block_counter_reset(h, body.daily)
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
            &UpdateDailyBlockCounterReset,
            Srv::V6_26,
            body,
            dt,
            UserRole::ImportSupplier,
        )
    }

    #[test]
    fn the_template_plans_the_ecs48_precommand_and_refusals() {
        let t = Harness::new();
        let body = template_body("ECS48_6.26_SUCCESS_REQUEST_DUIS.XML");
        let p = plan(&body, DeviceType::Esme).unwrap();
        assert_precommand(&p, uc::ecs48::MESSAGE_CODE, &t, DeviceType::Esme);
        let Plan::PreCommand(g) = &p else { panic!() };
        assert_eq!(uc::decode_command(g).unwrap(), DecodedCommand::Ecs48(true));
        let e = plan(&body, DeviceType::Gsme).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let bad = body.replace(">true<", ">maybe<");
        assert!(matches!(
            plan(&bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
