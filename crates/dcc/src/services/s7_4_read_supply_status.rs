//! 7.4 Read Supply Status.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS45 | the supplier or distributor; the ACB on behalf of anyone else |
//! | GSME | GCS33 | the supplier or transporter; the ACB on behalf of anyone else |
//!
//! A GPF has no valve (GCS33 reads the GSME's supply status; the RTDS sends it to the GSME
//! only, and the GPF refuses it): E11, as for every other device type.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadSupplyStatus;

impl Service for ReadSupplyStatus {
    fn srv(&self) -> Srv {
        Srv::V7_4
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadSupplyStatus {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadSupplyStatus").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(MessageCode::ECS45, uc::ecs45_read_supply_status)
            }
            DeviceType::Gsme => {
                r.try_use_case_command(MessageCode::GCS33, uc::gcs33_read_supply_status)
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

    #[test]
    fn use_case_and_originator_per_device_type() {
        let t = Harness::new();
        let body = "<sr:ReadSupplyStatus/>";
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS45,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::ExportSupplier,
                MessageCode::ECS45,
                true,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasTransporter,
                MessageCode::GCS33,
                false,
            ),
            (
                DeviceType::Gsme,
                UserRole::RegisteredSupplierAgent,
                MessageCode::GCS33,
                true,
            ),
        ] {
            let plan = t
                .plan(&ReadSupplyStatus, Srv::V7_4, body, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_gpf_gets_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ReadSupplyStatus,
                    Srv::V7_4,
                    "<sr:ReadSupplyStatus/>",
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
