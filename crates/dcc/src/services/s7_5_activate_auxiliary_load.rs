//! 7.5 Activate Auxiliary Load (critical): ECS47 on an ESME, a pre-command the import supplier signs, switching
//! auxiliary load switch `index` (1–5) on for `Duration` minutes.

use duis::Srv;
use duis::bodies::AuxiliaryLoad;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ActivateAuxiliaryLoad;

impl Service for ActivateAuxiliaryLoad {
    fn srv(&self) -> Srv {
        Srv::V7_5
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ActivateAuxiliaryLoad {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = AuxiliaryLoad::parse_activate(&r.request.body).map_err(render::body_error)?;
        let command = uc::AuxLoadCommand {
            index: body.index,
            action: uc::AuxLoadAction::Activate {
                duration: body.duration.unwrap_or_default(),
            },
        };
        plan_ecs47(r, command)
    }
}

/// The plan of 7.5, 7.6 and 7.8: `command` as the ECS47 pre-command on an ESME (E11 on any
/// other device).
pub(super) fn plan_ecs47(
    r: &mut DeviceRequest<'_>,
    command: uc::AuxLoadCommand,
) -> Result<Plan, DccError> {
    match r.device.device_type {
        DeviceType::Esme => {
            r.try_use_case_command(MessageCode::ECS47, |h| uc::ecs47_auxiliary_load(h, command))
        }
        _ => Err(r.wrong_type()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS index="1"><sr:Duration>30</sr:Duration></sr:ActivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#;

    #[test]
    fn an_esme_gets_the_ecs47_precommand_and_other_devices_e11() {
        assert_ecs47_service(
            &ActivateAuxiliaryLoad,
            Srv::V7_5,
            BODY,
            uc::AuxLoadCommand {
                index: 1,
                action: uc::AuxLoadAction::Activate { duration: 30 },
            },
        );
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS index="6"><sr:Duration>30</sr:Duration></sr:ActivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#,
            r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS index="1"><sr:Duration>70000</sr:Duration></sr:ActivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#,
            r#"<sr:ActivateAuxiliaryLoad/>"#,
        ] {
            let e = t
                .plan(
                    &ActivateAuxiliaryLoad,
                    Srv::V7_5,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
