//! 4.3 Read Instantaneous Prepay Values.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS19 (a protected read: the prepayment registers) | the supplier |
//! | GSME, GPF | GCS14 (price plaintext, prepayment registers encrypted) | the gas supplier |
//!
//! The credit and debt registers are encrypted to the requester; the DCC passes them through unread.
//!
//! The body is `ReadInstantaneousPrepayValues` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadPrepayValues;

impl Service for ReadPrepayValues {
    fn srv(&self) -> Srv {
        Srv::V4_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadPrepayValues {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadInstantaneousPrepayValues")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(uc::ecs19::CODE, uc::ecs19_read_prepayment_registers)
            }
            DeviceType::Gsme | DeviceType::Gpf => {
                r.try_use_case_command(uc::gcs14::CODE, uc::gcs14_read_prepayment_registers)
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

    const BODY: &str = "<sr:ReadInstantaneousPrepayValues/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs19::CODE,
                false,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs14::CODE,
                false,
            ),
            (
                DeviceType::Gpf,
                UserRole::GasSupplier,
                uc::gcs14::CODE,
                false,
            ),
        ] {
            let plan = t
                .plan(&ReadPrepayValues, Srv::V4_3, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadInstantaneousPrepayValues><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadInstantaneousPrepayValues>";
        let plan = t
            .plan(
                &ReadPrepayValues,
                Srv::V4_3,
                body,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert!(
            matches!(plan, Plan::Held { .. }),
            "DSP future dated: {plan:?}"
        );
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Chf, DeviceType::Ppmid, DeviceType::Hcalcs] {
            let e = t
                .plan(
                    &ReadPrepayValues,
                    Srv::V4_3,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            "<sr:ReadInstantaneousPrepayValues>x</sr:ReadInstantaneousPrepayValues>",
            "<sr:ReadInstantaneousPrepayValues><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadInstantaneousPrepayValues>",
            "<sr:ReadInstantaneousPrepayValues><sr:Other/></sr:ReadInstantaneousPrepayValues>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadPrepayValues,
                    Srv::V4_3,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
