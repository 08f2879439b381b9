//! 7.14 Read Auxiliary Controller Configuration Data.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS61d | the import supplier or distributor; an Other User through the ACB |
//!
//! The body is `ReadAuxiliaryControllerConfigurationData` with an optional `ExecutionDateTime` (DSP future dating); the
//! ESME answers each controller's description and the auxiliary load calendar.

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadAuxiliaryControllerConfigurationData;

impl Service for ReadAuxiliaryControllerConfigurationData {
    fn srv(&self) -> Srv {
        Srv::V7_14
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadAuxiliaryControllerConfigurationData {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadAuxiliaryControllerConfigurationData")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(
                MessageCode::ECS61D,
                uc::ecs61d_read_auxiliary_controller_configuration,
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

    const BODY: &str = "<sr:ReadAuxiliaryControllerConfigurationData/>";

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
                    &ReadAuxiliaryControllerConfigurationData,
                    Srv::V7_14,
                    BODY,
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::ECS61D, by_acb, &t, DeviceType::Esme);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadAuxiliaryControllerConfigurationData><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadAuxiliaryControllerConfigurationData>";
        let plan = t
            .plan(
                &ReadAuxiliaryControllerConfigurationData,
                Srv::V7_14,
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
                    &ReadAuxiliaryControllerConfigurationData,
                    Srv::V7_14,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for body in [
            "<sr:ReadAuxiliaryControllerConfigurationData>x</sr:ReadAuxiliaryControllerConfigurationData>",
            "<sr:ReadAuxiliaryControllerConfigurationData><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadAuxiliaryControllerConfigurationData>",
            "<sr:ReadAuxiliaryControllerConfigurationData><sr:Other/></sr:ReadAuxiliaryControllerConfigurationData>",
            "<sr:ReadALCSData/>",
        ] {
            let e = t
                .plan(
                    &ReadAuxiliaryControllerConfigurationData,
                    Srv::V7_14,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
