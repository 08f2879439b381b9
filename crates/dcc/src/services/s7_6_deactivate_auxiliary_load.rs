//! 7.6 Deactivate Auxiliary Load (critical): ECS47 on an ESME, a pre-command the import supplier signs, switching
//! auxiliary load switch `index` (1–5) off for `Duration` minutes.

use duis::Srv;
use duis::bodies::AuxiliaryLoad;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct DeactivateAuxiliaryLoad;

impl Service for DeactivateAuxiliaryLoad {
    fn srv(&self) -> Srv {
        Srv::V7_6
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for DeactivateAuxiliaryLoad {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = AuxiliaryLoad::parse_deactivate(&r.request.body).map_err(render::body_error)?;
        let command = uc::AuxLoadCommand {
            index: body.index,
            action: uc::AuxLoadAction::Deactivate {
                duration: body.duration.unwrap_or_default(),
            },
        };
        super::s7_5_activate_auxiliary_load::plan_ecs47(r, command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = r#"<sr:DeactivateAuxiliaryLoad><sr:DeactivateALCSHCALCS index="3"><sr:Duration>60</sr:Duration></sr:DeactivateALCSHCALCS></sr:DeactivateAuxiliaryLoad>"#;

    #[test]
    fn an_esme_gets_the_ecs47_precommand_and_other_devices_e11() {
        assert_ecs47_service(
            &DeactivateAuxiliaryLoad,
            Srv::V7_6,
            BODY,
            uc::AuxLoadCommand {
                index: 3,
                action: uc::AuxLoadAction::Deactivate { duration: 60 },
            },
        );
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            r#"<sr:DeactivateAuxiliaryLoad><sr:DeactivateALCSHCALCS index="0"><sr:Duration>30</sr:Duration></sr:DeactivateALCSHCALCS></sr:DeactivateAuxiliaryLoad>"#,
            r#"<sr:DeactivateAuxiliaryLoad><sr:DeactivateALCSHCALCS index="1"/></sr:DeactivateAuxiliaryLoad>"#,
            r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS index="1"><sr:Duration>30</sr:Duration></sr:ActivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#,
        ] {
            let e = t
                .plan(
                    &DeactivateAuxiliaryLoad,
                    Srv::V7_6,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
