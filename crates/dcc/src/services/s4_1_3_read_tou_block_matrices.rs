//! 4.1.3 Read Instantaneous Import TOU With Blocks Matrices.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS17e (a protected read: the TOU-with-blocks register matrix) | the supplier or distributor |
//!
//! The device encrypts the registers to the requester; the DCC passes the block through unread.
//!
//! The body is `ReadInstantaneousImportTOUWithBlocksMatrices` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadTouBlockMatrices;

impl Service for ReadTouBlockMatrices {
    fn srv(&self) -> Srv {
        Srv::V4_1_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadTouBlockMatrices {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(
            &r.request.body,
            "ReadInstantaneousImportTOUWithBlocksMatrices",
        )
        .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(uc::ecs17e::CODE, uc::ecs17e_read_tou_block_registers)
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

    const BODY: &str = "<sr:ReadInstantaneousImportTOUWithBlocksMatrices/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs17e::CODE,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                uc::ecs17e::CODE,
                false,
            ),
        ] {
            let plan = t
                .plan(&ReadTouBlockMatrices, Srv::V4_1_3, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadInstantaneousImportTOUWithBlocksMatrices><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadInstantaneousImportTOUWithBlocksMatrices>";
        let plan = t
            .plan(
                &ReadTouBlockMatrices,
                Srv::V4_1_3,
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
        for dt in [
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &ReadTouBlockMatrices,
                    Srv::V4_1_3,
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
            "<sr:ReadInstantaneousImportTOUWithBlocksMatrices>x</sr:ReadInstantaneousImportTOUWithBlocksMatrices>",
            "<sr:ReadInstantaneousImportTOUWithBlocksMatrices><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadInstantaneousImportTOUWithBlocksMatrices>",
            "<sr:ReadInstantaneousImportTOUWithBlocksMatrices><sr:Other/></sr:ReadInstantaneousImportTOUWithBlocksMatrices>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadTouBlockMatrices,
                    Srv::V4_1_3,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
