//! 7.1 Enable Supply (critical): ECS42 on an ESME, a pre-command the import supplier signs.
//!
//! A GSME's valve is not opened remotely (GBCS has no remote "enable" for gas: the consumer
//! opens it locally once armed), so 7.1 serves an ESME only.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct EnableSupply;

impl Service for EnableSupply {
    fn srv(&self) -> Srv {
        Srv::V7_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for EnableSupply {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "EnableSupply").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(MessageCode::ECS42, uc::ecs42_enable_supply),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    #[test]
    fn an_esme_gets_the_ecs42_precommand() {
        let t = Harness::new();
        let plan = t
            .plan(
                &EnableSupply,
                Srv::V7_1,
                "<sr:EnableSupply/>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_precommand(&plan, MessageCode::ECS42, &t, DeviceType::Esme);
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Gsme, DeviceType::Gpf, DeviceType::Chf] {
            let e = t
                .plan(
                    &EnableSupply,
                    Srv::V7_1,
                    "<sr:EnableSupply/>",
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
