//! 4.13 Read Prepayment Configuration.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS26a | the supplier |
//! | GSME | GCS21b (Prepayment and Price attributes, friendly credit calendar) | the supplier |
//!
//! A future-dated request is sent at once (as every service until future-dated holds exist).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadPrepaymentConfiguration;

impl Service for ReadPrepaymentConfiguration {
    fn srv(&self) -> Srv {
        Srv::V4_13
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadPrepaymentConfiguration {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadPrepaymentConfiguration")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.try_use_case_command(
                uc::ecs26a::MESSAGE_CODE,
                uc::ecs26a_read_prepayment_configuration,
            ),
            DeviceType::Gsme => r.try_use_case_command(
                uc::gcs21b::MESSAGE_CODE,
                uc::gcs21b_read_prepayment_configuration,
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

    const BODY: &str = "<sr:ReadPrepaymentConfiguration/>";

    #[test]
    fn esme_gets_ecs26a() {
        let t = Harness::new();
        let plan = t
            .plan(
                &ReadPrepaymentConfiguration,
                Srv::V4_13,
                BODY,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&plan, uc::ecs26a::MESSAGE_CODE, false, &t, DeviceType::Esme);
        let plan = t
            .plan(
                &ReadPrepaymentConfiguration,
                Srv::V4_13,
                BODY,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap();
        assert_command(&plan, uc::gcs21b::MESSAGE_CODE, false, &t, DeviceType::Gsme);
        let fd = "<sr:ReadPrepaymentConfiguration><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadPrepaymentConfiguration>";
        assert!(
            t.plan(
                &ReadPrepaymentConfiguration,
                Srv::V4_13,
                fd,
                DeviceType::Esme,
                UserRole::ImportSupplier
            )
            .is_ok()
        );
    }

    #[test]
    fn other_devices_get_e11_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Chf, DeviceType::Gpf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ReadPrepaymentConfiguration,
                    Srv::V4_13,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for b in [
            "<sr:ReadPrepaymentConfiguration><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadPrepaymentConfiguration>",
            "<sr:ReadTariffPrimaryElement/>",
        ] {
            let e = t
                .plan(
                    &ReadPrepaymentConfiguration,
                    Srv::V4_13,
                    b,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{b}: {e}");
        }
    }
}
