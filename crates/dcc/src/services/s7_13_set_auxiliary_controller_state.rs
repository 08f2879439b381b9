//! 7.13 Set Auxiliary Controller State (critical): ECS47a on an ESME, a pre-command the import
//! supplier signs, commanding auxiliary controller `auxiliaryControllerN` (1–5) to a level for a
//! period (an ALCS or HCALCS is on at 100 only; an APC takes the level as a percentage).

use duis::Srv;
use duis::bodies::SetAuxiliaryControllerState;
use gbcs::usecases as uc;
use gbcs::{MessageCode, UtcDateTime};
use time::OffsetDateTime;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct SetAuxiliaryControllerStateService;

impl Service for SetAuxiliaryControllerStateService {
    fn srv(&self) -> Srv {
        Srv::V7_13
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// A DUIS time as the device's date-time (whole seconds); one a device cannot hold is an
/// invalid body.
pub(crate) fn device_time(t: OffsetDateTime, what: &str) -> Result<UtcDateTime, DccError> {
    UtcDateTime::from_unix(t.unix_timestamp()).ok_or_else(|| {
        SchemaError::Invalid(format!("{what} {t} is outside what a device can hold")).into()
    })
}

/// The controller command a 7.13 or 7.16 body asks for (ECS47a and ECS47e carry the same
/// parameters).
pub(crate) fn controller_state(
    body: &SetAuxiliaryControllerState,
) -> Result<uc::AuxControllerState, DccError> {
    Ok(uc::AuxControllerState {
        index: body.index,
        start: device_time(body.start, "StartDateTime")?,
        end: device_time(body.end, "EndDateTime")?,
        level: body.level,
        input_from_controlled_load: body.input_from_controlled_load,
    })
}

impl DeviceService for SetAuxiliaryControllerStateService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            SetAuxiliaryControllerState::parse(&r.request.body).map_err(render::body_error)?;
        let command = controller_state(&body)?;
        match r.device.device_type {
            DeviceType::Esme => r.try_use_case_command(MessageCode::ECS47A, |h| {
                uc::ecs47a_set_auxiliary_controller_state(h, command)
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
            r#"<sr:SetAuxiliaryControllerState auxiliaryControllerN="{n}"><sr:StartDateTime>{start}</sr:StartDateTime><sr:EndDateTime>2015-01-03T01:00:00.00Z</sr:EndDateTime><sr:CommandedStateLevel>{level}</sr:CommandedStateLevel><sr:InputFromControlledLoad/></sr:SetAuxiliaryControllerState>"#
        )
    }

    #[test]
    fn an_esme_gets_the_ecs47a_precommand() {
        let t = Harness::new();
        let plan = t
            .plan(
                &SetAuxiliaryControllerStateService,
                Srv::V7_13,
                &body("3", "2015-01-03T00:00:00.00Z", "50"),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_precommand(&plan, MessageCode::ECS47A, &t, DeviceType::Esme);
        let Plan::PreCommand(g) = plan else {
            unreachable!()
        };
        let uc::DecodedCommand::Ecs47a(c) = uc::decode_command(&g).unwrap() else {
            panic!("not ECS47a")
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
                    &SetAuxiliaryControllerStateService,
                    Srv::V7_13,
                    &body("3", "2015-01-03T00:00:00.00Z", "50"),
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
            body("6", "2015-01-03T00:00:00.00Z", "50"),
            body("1", "2015-01-03T00:00:00.00Z", "101"),
            body("1", "2015-01-03T02:00:00.00Z", "50"),
            body("1", "1800-01-03T00:00:00.00Z", "50"),
            "<sr:SetAuxiliaryControllerState/>".to_string(),
        ] {
            let e = t
                .plan(
                    &SetAuxiliaryControllerStateService,
                    Srv::V7_13,
                    &body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
