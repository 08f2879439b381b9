//! 4.15 Read Load Limit Data.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS27 | the supplier or distributor |
//!
//! The body is `ReadLoadLimitData` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadLoadLimitData;

impl Service for ReadLoadLimitData {
    fn srv(&self) -> Srv {
        Srv::V4_15
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadLoadLimitData {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadLoadLimitData").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(uc::ecs27::CODE, uc::ecs27_read_load_limit_data),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = "<sr:ReadLoadLimitData/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs27::CODE,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                uc::ecs27::CODE,
                false,
            ),
        ] {
            let plan = t
                .plan(&ReadLoadLimitData, Srv::V4_15, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadLoadLimitData><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadLoadLimitData>";
        let plan = t
            .plan(
                &ReadLoadLimitData,
                Srv::V4_15,
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
                    &ReadLoadLimitData,
                    Srv::V4_15,
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
            "<sr:ReadLoadLimitData>x</sr:ReadLoadLimitData>",
            "<sr:ReadLoadLimitData><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadLoadLimitData>",
            "<sr:ReadLoadLimitData><sr:Other/></sr:ReadLoadLimitData>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadLoadLimitData,
                    Srv::V4_15,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
