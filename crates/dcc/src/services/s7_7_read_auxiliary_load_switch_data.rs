//! 7.7 Read Auxiliary Load Switch Data.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS61a | the import supplier or distributor; an Other User through the ACB |
//!
//! The body is `ReadALCSData` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadAuxiliaryLoadSwitchData;

impl Service for ReadAuxiliaryLoadSwitchData {
    fn srv(&self) -> Srv {
        Srv::V7_7
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadAuxiliaryLoadSwitchData {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadALCSData").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(
                MessageCode::ECS61A,
                uc::ecs61a_read_auxiliary_load_switch_data,
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

    const BODY: &str = "<sr:ReadALCSData/>";

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
                    &ReadAuxiliaryLoadSwitchData,
                    Srv::V7_7,
                    BODY,
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::ECS61A, by_acb, &t, DeviceType::Esme);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadALCSData><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadALCSData>";
        let plan = t
            .plan(
                &ReadAuxiliaryLoadSwitchData,
                Srv::V7_7,
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
                    &ReadAuxiliaryLoadSwitchData,
                    Srv::V7_7,
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
            "<sr:ReadALCSData>x</sr:ReadALCSData>",
            "<sr:ReadALCSData><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadALCSData>",
            "<sr:ReadALCSData><sr:Other/></sr:ReadALCSData>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadAuxiliaryLoadSwitchData,
                    Srv::V7_7,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
