//! 4.1.2 Read Instantaneous Import TOU Matrices.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS17d (a protected read: the TOU register matrix) | the supplier or distributor |
//! | GSME, GPF | GCS13c (answered encrypted) | the supplier or transporter |
//!
//! The device encrypts the registers to the requester; the DCC passes the block through unread.
//!
//! The body is `ReadInstantaneousImportTOUMatrices` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadTouMatrices;

impl Service for ReadTouMatrices {
    fn srv(&self) -> Srv {
        Srv::V4_1_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadTouMatrices {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadInstantaneousImportTOUMatrices")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(uc::ecs17d::CODE, uc::ecs17d_read_tou_registers),
            DeviceType::Gsme | DeviceType::Gpf => {
                r.try_use_case_command(uc::gcs13c::CODE, uc::gcs13c_read_tou_registers)
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

    const BODY: &str = "<sr:ReadInstantaneousImportTOUMatrices/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs17d::CODE,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                uc::ecs17d::CODE,
                false,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs13c::CODE,
                false,
            ),
            (
                DeviceType::Gpf,
                UserRole::GasTransporter,
                uc::gcs13c::CODE,
                false,
            ),
        ] {
            let plan = t
                .plan(&ReadTouMatrices, Srv::V4_1_2, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadInstantaneousImportTOUMatrices><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadInstantaneousImportTOUMatrices>";
        let plan = t
            .plan(
                &ReadTouMatrices,
                Srv::V4_1_2,
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
                    &ReadTouMatrices,
                    Srv::V4_1_2,
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
            "<sr:ReadInstantaneousImportTOUMatrices>x</sr:ReadInstantaneousImportTOUMatrices>",
            "<sr:ReadInstantaneousImportTOUMatrices><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadInstantaneousImportTOUMatrices>",
            "<sr:ReadInstantaneousImportTOUMatrices><sr:Other/></sr:ReadInstantaneousImportTOUMatrices>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadTouMatrices,
                    Srv::V4_1_2,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
