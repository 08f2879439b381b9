//! 4.1.1 Read Instantaneous Import Registers.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS17b (a protected read) | the supplier or distributor |
//! | GSME, GPF | GCS13a | the supplier or transporter (the RTDS reads both) |
//!
//! The matrix lets only suppliers and network operators send it, and only they are trust
//! anchors of meters: the ACB never originates these reads.

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadImportRegisters;

impl Service for ReadImportRegisters {
    fn srv(&self) -> Srv {
        Srv::V4_1_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadImportRegisters {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadInstantaneousImportRegisters")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(MessageCode::ECS17B, uc::ecs17b_read_import_energy_registers)
            }
            DeviceType::Gsme | DeviceType::Gpf => {
                r.try_use_case_command(MessageCode::GCS13A, uc::gcs13a_read_import_register)
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
    fn use_case_per_device_type() {
        let t = Harness::new();
        let body = "<sr:ReadInstantaneousImportRegisters/>";
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS17B,
            ),
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                MessageCode::ECS17B,
            ),
            (DeviceType::Gsme, UserRole::GasSupplier, MessageCode::GCS13A),
            (
                DeviceType::Gpf,
                UserRole::GasTransporter,
                MessageCode::GCS13A,
            ),
        ] {
            let plan = t
                .plan(&ReadImportRegisters, Srv::V4_1_1, body, dt, role)
                .unwrap();
            assert_command(&plan, code, false, &t, dt);
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Chf, DeviceType::Ppmid, DeviceType::Hcalcs] {
            let e = t
                .plan(
                    &ReadImportRegisters,
                    Srv::V4_1_1,
                    "<sr:ReadInstantaneousImportRegisters/>",
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
