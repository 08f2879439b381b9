//! 6.18.2 Reset Maximum Demand Registers (not critical, DSP future-dated): ECS57 on an ESME,
//! from the network operator: one reset per register the body names (import, export,
//! configurable-period import). A body naming none is refused (nothing to reset); any device
//! type but the ESME is E11.

use duis::Srv;
use duis::bodies::ResetMaximumDemandRegisters as Body;
use gbcs::usecases::{self as uc, MaxDemandResets};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ResetMaximumDemandRegisters;

impl Service for ResetMaximumDemandRegisters {
    fn srv(&self) -> Srv {
        Srv::V6_18_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ResetMaximumDemandRegisters {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let resets = MaxDemandResets {
            import: body.import,
            configurable: body.configurable,
            export: body.export,
        };
        r.try_use_case_command(uc::ecs57::MESSAGE_CODE, |h| {
            uc::ecs57_reset_max_demand(h, &resets)
        })
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
            &ResetMaximumDemandRegisters,
            Srv::V6_18_2,
            body,
            dt,
            UserRole::ElectricityDistributor,
        )
    }

    #[test]
    fn the_templates_plan_ecs57_and_refusals() {
        for (name, expected) in [
            (
                "ALL",
                MaxDemandResets {
                    import: true,
                    configurable: true,
                    export: true,
                },
            ),
            (
                "SOME",
                MaxDemandResets {
                    configurable: true,
                    ..Default::default()
                },
            ),
        ] {
            let body = template_body(&format!(
                "ECS57_6.18.2_{name}_OPTIONALS_SUCCESS_REQUEST_DUIS.XML"
            ));
            let p = plan(&body, DeviceType::Esme).unwrap();
            let Plan::Command { command, .. } = &p else {
                panic!("{p:?}")
            };
            assert_eq!(
                uc::decode_command(command).unwrap(),
                DecodedCommand::Ecs57(expected)
            );
            let e = plan(&body, DeviceType::Gsme).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        }
        assert!(matches!(
            plan("<sr:ResetMaximumDemandRegisters/>", DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
