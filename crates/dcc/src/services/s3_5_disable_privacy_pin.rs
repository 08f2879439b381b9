//! 3.5 Disable Privacy PIN: privacy PIN protection of the meter's display off.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS14 (DLMS SET of the privacy PIN to the empty string) | the import supplier |
//! | GSME | GCS11 (ZSE Request New Password Response, password 2 empty; issuer event id: the DCC time, as GCS32's) | the gas supplier |
//!
//! Any other device type: E11. The body has no content.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct DisablePrivacyPin;

impl Service for DisablePrivacyPin {
    fn srv(&self) -> Srv {
        Srv::V3_5
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for DisablePrivacyPin {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "DisablePrivacyPIN").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(MessageCode::ECS14, uc::ecs14_disable_privacy_pin)
            }
            DeviceType::Gsme => {
                let event = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(MessageCode::GCS11, |h| {
                    uc::gcs11_disable_privacy_pin(h, event)
                })
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
    fn command_per_device_type() {
        let t = Harness::new();
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS14,
            ),
            (DeviceType::Gsme, UserRole::GasSupplier, MessageCode::GCS11),
        ] {
            let plan = t
                .plan(
                    &DisablePrivacyPin,
                    Srv::V3_5,
                    "<sr:DisablePrivacyPIN/>",
                    dt,
                    role,
                )
                .unwrap();
            assert_command(&plan, code, false, &t, dt);
        }
    }

    #[test]
    fn other_devices_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &DisablePrivacyPin,
                    Srv::V3_5,
                    "<sr:DisablePrivacyPIN/>",
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for bad in [
            "<sr:DisablePrivacyPIN>1234</sr:DisablePrivacyPIN>",
            "<sr:DisablePrivacyPIN><sr:PIN/></sr:DisablePrivacyPIN>",
            "<sr:DisableSupply/>",
        ] {
            let e = t
                .plan(
                    &DisablePrivacyPin,
                    Srv::V3_5,
                    bad,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, crate::error::DccError::Schema(_)), "{bad}: {e}");
        }
    }
}
