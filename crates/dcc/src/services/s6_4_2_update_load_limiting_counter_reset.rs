//! 6.4.2 Update Device Configuration (Load Limiting Counter Reset) (not critical, DSP
//! future-dated): ECS28b on an ESME, resetting the load limit counter. The body
//! (`sr:UpdateDeviceConfigurationLoadLimitingCounterReset`) holds at most an
//! `ExecutionDateTime` (the gateway's DSP hold). Any device type but the ESME is E11.

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateLoadLimitingCounterReset;

impl Service for UpdateLoadLimitingCounterReset {
    fn srv(&self) -> Srv {
        Srv::V6_4_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateLoadLimitingCounterReset {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(
            &r.request.body,
            "UpdateDeviceConfigurationLoadLimitingCounterReset",
        )
        .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(
                uc::ecs28b::MESSAGE_CODE,
                uc::ecs28b_reset_load_limit_counter,
            ),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    fn plan(body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        Harness::new().plan(
            &UpdateLoadLimitingCounterReset,
            Srv::V6_4_2,
            body,
            dt,
            UserRole::ImportSupplier,
        )
    }

    #[test]
    fn the_template_plans_the_ecs28b_command() {
        let t = Harness::new();
        let body = template_body("ECS28b_6.4.2_SUCCESS_REQUEST_DUIS.XML");
        let p = plan(&body, DeviceType::Esme).unwrap();
        assert_command(&p, uc::ecs28b::MESSAGE_CODE, false, &t, DeviceType::Esme);
    }

    #[test]
    fn refusals() {
        let body = template_body("ECS28b_6.4.2_SUCCESS_REQUEST_DUIS.XML");
        for dt in [DeviceType::Gsme, DeviceType::Gpf, DeviceType::Chf] {
            let e = plan(&body, dt).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let bad = "<sr:UpdateDeviceConfigurationLoadLimitingCounterReset><sr:X/></sr:UpdateDeviceConfigurationLoadLimitingCounterReset>";
        assert!(matches!(
            plan(bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
