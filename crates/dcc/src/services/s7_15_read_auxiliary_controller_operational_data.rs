//! 7.15 Read Auxiliary Controller Operational Data.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS61e | the import supplier or distributor; an Other User through the ACB |
//!
//! The body is `ReadAuxiliaryControllerOperationalData` with an optional `ExecutionDateTime` (DSP future dating); the
//! ESME answers each controller's HCALCS identity and its output and input levels.

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadAuxiliaryControllerOperationalData;

impl Service for ReadAuxiliaryControllerOperationalData {
    fn srv(&self) -> Srv {
        Srv::V7_15
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadAuxiliaryControllerOperationalData {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadAuxiliaryControllerOperationalData")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(
                MessageCode::ECS61E,
                uc::ecs61e_read_auxiliary_controller_operational,
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

    const BODY: &str = "<sr:ReadAuxiliaryControllerOperationalData/>";

    #[test]
    fn use_case_and_originator_per_role() {
        let t = Harness::new();
        for (role, by_acb) in [
            (UserRole::ImportSupplier, false),
            (UserRole::ElectricityDistributor, false),
            (UserRole::OtherUser, true),
        ] {
            let plan = t
                .plan(
                    &ReadAuxiliaryControllerOperationalData,
                    Srv::V7_15,
                    BODY,
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::ECS61E, by_acb, &t, DeviceType::Esme);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadAuxiliaryControllerOperationalData><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadAuxiliaryControllerOperationalData>";
        let plan = t
            .plan(
                &ReadAuxiliaryControllerOperationalData,
                Srv::V7_15,
                body,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert!(matches!(plan, Plan::Held { .. }), "{plan:?}");
    }

    #[test]
    fn other_devices_get_e11_and_bad_bodies_are_refused() {
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
                    &ReadAuxiliaryControllerOperationalData,
                    Srv::V7_15,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for body in [
            "<sr:ReadAuxiliaryControllerOperationalData>x</sr:ReadAuxiliaryControllerOperationalData>",
            "<sr:ReadAuxiliaryControllerOperationalData><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadAuxiliaryControllerOperationalData>",
            "<sr:ReadAuxiliaryControllerOperationalData><sr:Other/></sr:ReadAuxiliaryControllerOperationalData>",
            "<sr:ReadALCSData/>",
        ] {
            let e = t
                .plan(
                    &ReadAuxiliaryControllerOperationalData,
                    Srv::V7_15,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
