//! 4.1.4 Read Instantaneous Import Block Counters.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | GSME, GPF | GCS13b (answered encrypted) | the gas supplier |
//!
//! The device encrypts the counters to the requester; the DCC passes the block through unread.
//!
//! The body is `ReadInstantaneousImportBlockCounters` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadBlockCounters;

impl Service for ReadBlockCounters {
    fn srv(&self) -> Srv {
        Srv::V4_1_4
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadBlockCounters {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Gsme, DeviceType::Gpf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadInstantaneousImportBlockCounters")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Gsme | DeviceType::Gpf => {
                r.try_use_case_command(uc::gcs13b::CODE, uc::gcs13b_read_block_counters)
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

    const BODY: &str = "<sr:ReadInstantaneousImportBlockCounters/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs13b::CODE,
                false,
            ),
            (
                DeviceType::Gpf,
                UserRole::GasSupplier,
                uc::gcs13b::CODE,
                false,
            ),
        ] {
            let plan = t
                .plan(&ReadBlockCounters, Srv::V4_1_4, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadInstantaneousImportBlockCounters><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadInstantaneousImportBlockCounters>";
        let plan = t
            .plan(
                &ReadBlockCounters,
                Srv::V4_1_4,
                body,
                DeviceType::Gsme,
                UserRole::GasSupplier,
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
        for dt in [
            DeviceType::Esme,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &ReadBlockCounters,
                    Srv::V4_1_4,
                    BODY,
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            "<sr:ReadInstantaneousImportBlockCounters>x</sr:ReadInstantaneousImportBlockCounters>",
            "<sr:ReadInstantaneousImportBlockCounters><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadInstantaneousImportBlockCounters>",
            "<sr:ReadInstantaneousImportBlockCounters><sr:Other/></sr:ReadInstantaneousImportBlockCounters>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadBlockCounters,
                    Srv::V4_1_4,
                    body,
                    DeviceType::Gsme,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
