//! 7.8 Reset Auxiliary Load (critical): ECS47 on an ESME, a pre-command the import supplier signs, switching
//! auxiliary load switch `index` (1–5) back to its calendar.

use duis::Srv;
use duis::bodies::AuxiliaryLoad;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ResetAuxiliaryLoad;

impl Service for ResetAuxiliaryLoad {
    fn srv(&self) -> Srv {
        Srv::V7_8
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ResetAuxiliaryLoad {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = AuxiliaryLoad::parse_reset(&r.request.body).map_err(render::body_error)?;
        let command = uc::AuxLoadCommand {
            index: body.index,
            action: uc::AuxLoadAction::Reset,
        };
        match r.device.device_type {
            DeviceType::Esme => {
                r.try_use_case_command(MessageCode::ECS47, |h| uc::ecs47_auxiliary_load(h, command))
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

    const BODY: &str =
        r#"<sr:ResetAuxiliaryLoad><sr:ResetALCSHCALCS index="5"/></sr:ResetAuxiliaryLoad>"#;

    #[test]
    fn an_esme_gets_the_ecs47_precommand() {
        let t = Harness::new();
        let plan = t
            .plan(
                &ResetAuxiliaryLoad,
                Srv::V7_8,
                BODY,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_precommand(&plan, MessageCode::ECS47, &t, DeviceType::Esme);
        let Plan::PreCommand(g) = plan else {
            unreachable!()
        };
        assert_eq!(
            uc::decode_command(&g).unwrap(),
            uc::DecodedCommand::Ecs47(uc::AuxLoadCommand {
                index: 5,
                action: uc::AuxLoadAction::Reset,
            })
        );
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
                    &ResetAuxiliaryLoad,
                    Srv::V7_8,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            r#"<sr:ResetAuxiliaryLoad><sr:ResetALCSHCALCS index="9"/></sr:ResetAuxiliaryLoad>"#,
            r#"<sr:ResetAuxiliaryLoad><sr:ResetALCSHCALCS/></sr:ResetAuxiliaryLoad>"#,
            r#"<sr:ResetAuxiliaryLoad/>"#,
        ] {
            let e = t
                .plan(
                    &ResetAuxiliaryLoad,
                    Srv::V7_8,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
