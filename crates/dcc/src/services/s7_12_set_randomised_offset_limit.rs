//! 7.12 Set Randomised Offset Limit (critical): ECS38 on an ESME, a pre-command the import
//! supplier signs, setting the limit (0–1799 s) of the random offset the meter adds to its
//! auxiliary load switching.

use duis::Srv;
use duis::bodies::SetRandomisedOffsetLimit;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct SetRandomisedOffsetLimitService;

impl Service for SetRandomisedOffsetLimitService {
    fn srv(&self) -> Srv {
        Srv::V7_12
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for SetRandomisedOffsetLimitService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = SetRandomisedOffsetLimit::parse(&r.request.body).map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.try_use_case_command(MessageCode::ECS38, |h| {
                uc::ecs38_set_randomised_offset_limit(h, body.limit)
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

    fn body(limit: &str) -> String {
        format!(
            "<sr:SetRandomisedOffsetLimit><sr:RandomisedOffsetLimit>{limit}</sr:RandomisedOffsetLimit></sr:SetRandomisedOffsetLimit>"
        )
    }

    #[test]
    fn an_esme_gets_the_ecs38_precommand() {
        let t = Harness::new();
        let plan = t
            .plan(
                &SetRandomisedOffsetLimitService,
                Srv::V7_12,
                &body("900"),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_precommand(&plan, MessageCode::ECS38, &t, DeviceType::Esme);
        let Plan::PreCommand(g) = plan else {
            unreachable!()
        };
        assert_eq!(
            uc::decode_command(&g).unwrap(),
            uc::DecodedCommand::Ecs38(900)
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
                    &SetRandomisedOffsetLimitService,
                    Srv::V7_12,
                    &body("900"),
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
            body("1800"),
            body("-1"),
            body("x"),
            "<sr:SetRandomisedOffsetLimit/>".to_string(),
        ] {
            let e = t
                .plan(
                    &SetRandomisedOffsetLimitService,
                    Srv::V7_12,
                    &body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
