//! 4.18 Read Meter Balance.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS82 | the supplier |
//! | GSME | GCS60 | the gas supplier |
//! | GPF | GCS60a (the variant the GPF answers) | the gas supplier |
//!
//! GCS60 and GCS60a carry the same payload; the RTDS also sends GCS60a to a GSME, which the DCC
//! cannot tell apart from GCS60 by the DUIS request alone: it sends GCS60 to a GSME.
//!
//! The body is `ReadMeterBalance` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadMeterBalance;

impl Service for ReadMeterBalance {
    fn srv(&self) -> Srv {
        Srv::V4_18
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadMeterBalance {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadMeterBalance").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(uc::ecs82::CODE, uc::ecs82_read_meter_balance),
            DeviceType::Gsme => {
                r.try_use_case_command(uc::gcs60::CODE, uc::gcs60_read_meter_balance)
            }
            DeviceType::Gpf => {
                r.try_use_case_command(uc::gcs60a::CODE, uc::gcs60a_read_meter_balance)
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

    const BODY: &str = "<sr:ReadMeterBalance/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs82::CODE,
                false,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs60::CODE,
                false,
            ),
            (
                DeviceType::Gpf,
                UserRole::GasSupplier,
                uc::gcs60a::CODE,
                false,
            ),
        ] {
            let plan = t
                .plan(&ReadMeterBalance, Srv::V4_18, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadMeterBalance><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadMeterBalance>";
        let plan = t
            .plan(
                &ReadMeterBalance,
                Srv::V4_18,
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
                    &ReadMeterBalance,
                    Srv::V4_18,
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
            "<sr:ReadMeterBalance>x</sr:ReadMeterBalance>",
            "<sr:ReadMeterBalance><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadMeterBalance>",
            "<sr:ReadMeterBalance><sr:Other/></sr:ReadMeterBalance>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadMeterBalance,
                    Srv::V4_18,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
