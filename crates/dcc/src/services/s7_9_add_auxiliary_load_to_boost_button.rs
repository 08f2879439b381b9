//! 7.9 Add Auxiliary Load to Boost Button.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS62 | the import supplier |
//!
//! The body is `AddAuxiliaryLoadToBoostButton`: an optional `ExecutionDateTime` (DSP future
//! dating) and five `AddToBoostButton index="n"` booleans; the command adds the controllers
//! given true to the boost function (those given false keep their association). A body naming
//! no controller is refused.

use duis::Srv;
use duis::bodies::BoostButtonChange;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct AddAuxiliaryLoadToBoostButton;

impl Service for AddAuxiliaryLoadToBoostButton {
    fn srv(&self) -> Srv {
        Srv::V7_9
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// Plans an ECS62 for a parsed 7.9 / 7.10 body (the one rule of both services).
pub(crate) fn plan_ecs62(
    r: &mut DeviceRequest<'_>,
    body: &BoostButtonChange,
) -> Result<Plan, DccError> {
    let command = uc::BoostAssociation {
        add: body.add,
        controllers: body.controllers,
    };
    match r.device.device_type {
        DeviceType::Esme => r.try_use_case_command(MessageCode::ECS62, |h| {
            uc::ecs62_set_boost_association(h, command)
        }),
        _ => Err(r.wrong_type()),
    }
}

impl DeviceService for AddAuxiliaryLoadToBoostButton {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = BoostButtonChange::parse_add(&r.request.body).map_err(render::body_error)?;
        plan_ecs62(r, &body)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    /// A body `name` with `child` elements valued `values` for controllers 1 to 5.
    pub fn body(name: &str, child: &str, values: [&str; 5]) -> String {
        let children: String = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!(r#"<sr:{child} index="{}">{v}</sr:{child}>"#, i + 1))
            .collect();
        format!("<sr:{name}>{children}</sr:{name}>")
    }

    /// The service plans, for an ESME, the ECS62 of `add` over the true controllers; E11 for
    /// other devices; bad bodies refused.
    pub fn check(service: &dyn DeviceService, srv: Srv, name: &str, child: &str, add: bool) {
        let t = Harness::new();
        let plan = t
            .plan(
                service,
                srv,
                &body(name, child, ["true", "false", "1", "0", "true"]),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&plan, MessageCode::ECS62, false, &t, DeviceType::Esme);
        let Plan::Command { command, .. } = plan else {
            unreachable!()
        };
        assert_eq!(
            uc::decode_command(&command).unwrap(),
            uc::DecodedCommand::Ecs62(uc::BoostAssociation {
                add,
                controllers: [true, false, true, false, true],
            })
        );
        let ok = body(name, child, ["true"; 5]);
        for dt in [
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(service, srv, &ok, dt, UserRole::ImportSupplier)
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for bad in [
            body(name, child, ["false"; 5]),
            body(name, child, ["true", "true", "true", "true", "maybe"]),
            format!("<sr:{name}/>"),
            ok.replace(r#"index="5""#, r#"index="6""#),
            ok.replace(r#"index="5""#, r#"index="1""#),
        ] {
            let e = t
                .plan(
                    service,
                    srv,
                    &bad,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{bad}: {e}");
        }
    }

    #[test]
    fn an_esme_gets_ecs62_adding_the_named_controllers() {
        check(
            &AddAuxiliaryLoadToBoostButton,
            Srv::V7_9,
            "AddAuxiliaryLoadToBoostButton",
            "AddToBoostButton",
            true,
        );
    }
}
