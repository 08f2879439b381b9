//! 6.2.3 Read Device Configuration (Billing Calendar).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS26l (GBCS 4.0 or later, as 6.8 chooses ECS30a), else ECS26d | the import supplier; the ACB on behalf of anyone else |
//! | GSME | GCS21k (GBCS 4.0 or later, as 4.18 chooses GCS60a), else GCS21d | the gas supplier; the ACB on behalf of anyone else |

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases::{ecs26d, ecs26l, gcs21d, gcs21k};

use super::s2_1_update_prepay_configuration::esme_takes_ecs08a;
use super::s4_18_read_meter_balance::gsme_takes_gcs60a;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadBillingCalendar;

impl Service for ReadBillingCalendar {
    fn srv(&self) -> Srv {
        Srv::V6_2_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadBillingCalendar {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadDeviceConfigurationBillingCalendar")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme if esme_takes_ecs08a(r.device) => {
                r.use_case_command(ecs26l::MESSAGE_CODE, ecs26l::ecs26l_read_billing_calendar)
            }
            DeviceType::Esme => {
                r.use_case_command(ecs26d::MESSAGE_CODE, ecs26d::ecs26d_read_billing_calendar)
            }
            DeviceType::Gsme if gsme_takes_gcs60a(r.device) => {
                r.try_use_case_command(gcs21k::MESSAGE_CODE, gcs21k::gcs21k_read_billing_calendar)
            }
            DeviceType::Gsme => {
                r.try_use_case_command(gcs21d::MESSAGE_CODE, gcs21d::gcs21d_read_billing_calendar)
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
    fn an_esme_gets_ecs26d_and_others_through_the_acb() {
        let t = Harness::new();
        let body = template_body("ECS26d_6.2.3_SUCCESS_REQUEST_DUIS.XML");
        for (role, by_acb) in [
            (UserRole::ImportSupplier, false),
            (UserRole::RegisteredSupplierAgent, true),
        ] {
            let plan = t
                .plan(
                    &ReadBillingCalendar,
                    Srv::V6_2_3,
                    &body,
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(&plan, ecs26d::MESSAGE_CODE, by_acb, &t, DeviceType::Esme);
        }
        let plan = t
            .plan(
                &ReadBillingCalendar,
                Srv::V6_2_3,
                &body,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap();
        assert_command(&plan, gcs21d::MESSAGE_CODE, false, &t, DeviceType::Gsme);
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ReadBillingCalendar,
                    Srv::V6_2_3,
                    &body,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
