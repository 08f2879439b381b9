//! 4.11.1 Read Tariff (Primary Element).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS24 | the supplier; the ACB for Other Users |
//! | GSME | GCS21f (Price attributes, tariff calendar, current price) | the supplier; the ACB for Other Users |

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadTariffPrimaryElement;

impl Service for ReadTariffPrimaryElement {
    fn srv(&self) -> Srv {
        Srv::V4_11_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadTariffPrimaryElement {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadTariffPrimaryElement")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.try_use_case_command(uc::ecs24::MESSAGE_CODE, uc::ecs24_read_tariff_primary)
            }
            DeviceType::Gsme => {
                r.try_use_case_command(uc::gcs21f::MESSAGE_CODE, uc::gcs21f_read_tariff)
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

    const BODY: &str = "<sr:ReadTariffPrimaryElement/>";

    #[test]
    fn esme_gets_ecs24() {
        let t = Harness::new();
        for (role, by_acb) in [
            (UserRole::ImportSupplier, false),
            (UserRole::OtherUser, true),
        ] {
            let plan = t
                .plan(
                    &ReadTariffPrimaryElement,
                    Srv::V4_11_1,
                    BODY,
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(&plan, uc::ecs24::MESSAGE_CODE, by_acb, &t, DeviceType::Esme);
            let gas_role = match role {
                UserRole::ImportSupplier => UserRole::GasSupplier,
                other => other,
            };
            let plan = t
                .plan(
                    &ReadTariffPrimaryElement,
                    Srv::V4_11_1,
                    BODY,
                    DeviceType::Gsme,
                    gas_role,
                )
                .unwrap();
            assert_command(
                &plan,
                uc::gcs21f::MESSAGE_CODE,
                by_acb,
                &t,
                DeviceType::Gsme,
            );
        }
    }

    #[test]
    fn other_devices_get_e11_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Chf, DeviceType::Gpf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ReadTariffPrimaryElement,
                    Srv::V4_11_1,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for b in [
            "<sr:ReadTariffPrimaryElement>x</sr:ReadTariffPrimaryElement>",
            "<sr:ReadTariffSecondaryElement/>",
        ] {
            let e = t
                .plan(
                    &ReadTariffPrimaryElement,
                    Srv::V4_11_1,
                    b,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{b}: {e}");
        }
    }
}
