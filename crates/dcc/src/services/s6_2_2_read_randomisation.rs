//! 6.2.2 Read Device Configuration (Randomisation) (not critical): ECS26c on an ESME, reading
//! the randomised offset limit 7.12 sets and the device's randomised offset number and
//! randomisation offset period. The body (`sr:ReadDeviceConfigurationRandomisation`) has no
//! content; any device type but the ESME is E11.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadRandomisation;

impl Service for ReadRandomisation {
    fn srv(&self) -> Srv {
        Srv::V6_2_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadRandomisation {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadDeviceConfigurationRandomisation")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(uc::ecs26c::MESSAGE_CODE, uc::ecs26c_read_randomisation)
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

    #[test]
    fn the_template_plans_ecs26c_and_other_devices_get_e11() {
        let t = Harness::new();
        let body = template_body("ECS26c_6.2.2_SUCCESS_REQUEST_DUIS.XML");
        let p = t
            .plan(
                &ReadRandomisation,
                Srv::V6_2_2,
                &body,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&p, uc::ecs26c::MESSAGE_CODE, false, &t, DeviceType::Esme);
        let e = t
            .plan(
                &ReadRandomisation,
                Srv::V6_2_2,
                &body,
                DeviceType::Gsme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
    }
}
