//! 7.16 Limit APC Level (critical): ECS47e on an ESME, a pre-command the load controller signs
//! (user role `LC`, the only one eligible: see `duis::UserRole::LoadController`), limiting
//! auxiliary proportional controller `auxiliaryControllerN` (1–5) to a level for a period. The
//! ESME must hold the load controller's trust anchor; the pre-command names the load controller
//! as originator.

use duis::Srv;
use duis::bodies::SetAuxiliaryControllerState;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::s7_13_set_auxiliary_controller_state::controller_state;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct LimitApcLevelService;

impl Service for LimitApcLevelService {
    fn srv(&self) -> Srv {
        Srv::V7_16
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for LimitApcLevelService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = SetAuxiliaryControllerState::parse_limit_apc_level(&r.request.body)
            .map_err(render::body_error)?;
        let command = controller_state(&body)?;
        match r.device.device_type {
            DeviceType::Esme => r.try_use_case_command(MessageCode::ECS47E, |h| {
                uc::ecs47e_limit_apc_level(h, command)
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

    fn body(n: &str, start: &str, level: &str) -> String {
        format!(
            r#"<sr:LimitAPCLevel auxiliaryControllerN="{n}"><sr:StartDateTime>{start}</sr:StartDateTime><sr:EndDateTime>2015-01-03T01:00:00.00Z</sr:EndDateTime><sr:CommandedStateLevel>{level}</sr:CommandedStateLevel><sr:InputFromControlledLoad/></sr:LimitAPCLevel>"#
        )
    }

    #[test]
    fn an_esme_gets_the_ecs47e_precommand_from_the_load_controller() {
        let t = Harness::new();
        let plan = t
            .plan(
                &LimitApcLevelService,
                Srv::V7_16,
                &body("3", "2015-01-03T00:00:00.00Z", "50"),
                DeviceType::Esme,
                UserRole::LoadController,
            )
            .unwrap();
        assert_precommand(&plan, MessageCode::ECS47E, &t, DeviceType::Esme);
        let Plan::PreCommand(g) = plan else {
            unreachable!()
        };
        let uc::DecodedCommand::Ecs47e(c) = uc::decode_command(&g).unwrap() else {
            panic!("not ECS47e")
        };
        assert_eq!(
            (c.index, c.level, c.input_from_controlled_load),
            (3, 50, true)
        );
        assert_eq!(c.end.to_unix() - c.start.to_unix(), 3600);
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &LimitApcLevelService,
                    Srv::V7_16,
                    &body("3", "2015-01-03T00:00:00.00Z", "50"),
                    dt,
                    UserRole::LoadController,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            body("6", "2015-01-03T00:00:00.00Z", "50"),
            body("1", "2015-01-03T00:00:00.00Z", "101"),
            body("1", "2015-01-03T02:00:00.00Z", "50"),
            body("1", "1800-01-03T00:00:00.00Z", "50"),
            "<sr:LimitAPCLevel/>".to_string(),
        ] {
            let e = t
                .plan(
                    &LimitApcLevelService,
                    Srv::V7_16,
                    &body,
                    DeviceType::Esme,
                    UserRole::LoadController,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
