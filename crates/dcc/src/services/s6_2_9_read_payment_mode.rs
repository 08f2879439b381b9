//! 6.2.9 Read Device Configuration (Payment Mode): the mode 1.6 Update Payment Mode set.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS26j (the Account's mode and status) | the import supplier |
//! | GSME | GCS21j (Prepayment: Payment Control Configuration) | the gas supplier |
//!
//! Any other device type: E11.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadPaymentMode;

impl Service for ReadPaymentMode {
    fn srv(&self) -> Srv {
        Srv::V6_2_9
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadPaymentMode {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadDeviceConfigurationPaymentMode")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(uc::ecs26j::MESSAGE_CODE, uc::ecs26j_read_payment_mode)
            }
            DeviceType::Gsme => {
                r.try_use_case_command(uc::gcs21j::MESSAGE_CODE, uc::gcs21j_read_payment_mode)
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

    const BODY: &str = "<sr:ReadDeviceConfigurationPaymentMode/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs26j::MESSAGE_CODE,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs21j::MESSAGE_CODE,
            ),
        ] {
            let plan = t
                .plan(&ReadPaymentMode, Srv::V6_2_9, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, false, &t, dt);
        }
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ReadPaymentMode,
                    Srv::V6_2_9,
                    BODY,
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
