//! 4.16 Read Active Power Import.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS17c | the supplier or distributor |
//!
//! The matrix lets only the import supplier and the distributor send it, both trust anchors of
//! the ESME: the ACB never originates it (ECS17c does not allow it). DCC-schedulable (5.1 with
//! `DSPReadActivePowerImport`).

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadActivePowerImport;

impl Service for ReadActivePowerImport {
    fn srv(&self) -> Srv {
        Srv::V4_16
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadActivePowerImport {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadActivePowerImport")
            .map_err(render::body_error)?;
        r.use_case_command(MessageCode::ECS17C, uc::ecs17c_read_active_power_import)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = "<sr:ReadActivePowerImport/>";

    #[test]
    fn supplier_and_distributor_originate_ecs17c() {
        let t = Harness::new();
        for role in [UserRole::ImportSupplier, UserRole::ElectricityDistributor] {
            let plan = t
                .plan(
                    &ReadActivePowerImport,
                    Srv::V4_16,
                    BODY,
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::ECS17C, false, &t, DeviceType::Esme);
        }
    }

    #[test]
    fn other_devices_get_e11_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [DeviceType::Gsme, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ReadActivePowerImport,
                    Srv::V4_16,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let e = t
            .plan(
                &ReadActivePowerImport,
                Srv::V4_16,
                "<sr:ReadActivePowerImport><sr:X/></sr:ReadActivePowerImport>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }
}
