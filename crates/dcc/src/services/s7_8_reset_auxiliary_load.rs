//! 7.8 Reset Auxiliary Load (critical): ECS47 on an ESME, a pre-command the import supplier signs, switching
//! auxiliary load switch `index` (1–5) back to its calendar.

use duis::Srv;
use duis::bodies::AuxiliaryLoad;
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
        super::s7_5_activate_auxiliary_load::plan_ecs47(r, command)
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
    fn an_esme_gets_the_ecs47_precommand_and_other_devices_e11() {
        assert_ecs47_service(
            &ResetAuxiliaryLoad,
            Srv::V7_8,
            BODY,
            uc::AuxLoadCommand {
                index: 5,
                action: uc::AuxLoadAction::Reset,
            },
        );
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
