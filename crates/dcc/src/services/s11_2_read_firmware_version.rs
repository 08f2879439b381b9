//! 11.2 Read Firmware Version.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS52 | the supplier or distributor; the ACB on behalf of anyone else |
//! | CHF | ECS52 | the ACB on behalf of the user (the CHF holds no supplier or network operator trust anchor) |
//! | GSME | GCS38 | the supplier or transporter; the ACB on behalf of anyone else |
//! | PPMID, HCALCS | CS08 | the ACB on behalf of the user (unsigned, MAC'd, as the RTDS vector; `cs08::SPEC.dcc_signs`) |
//!
//! A GPF has no firmware version of its own to read (the Communications Hub's firmware is read
//! at its CHF with ECS52; GCS38 reads the GSME's metering cluster, which the GPF refuses): E11.

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadFirmwareVersion;

impl Service for ReadFirmwareVersion {
    fn srv(&self) -> Srv {
        Srv::V11_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadFirmwareVersion {
    fn device_types(&self) -> &'static [DeviceType] {
        &[
            DeviceType::Esme,
            DeviceType::Chf,
            DeviceType::Gsme,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadFirmwareVersion")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme | DeviceType::Chf => {
                r.use_case_command(MessageCode::ECS52, uc::ecs52_read_firmware_version)
            }
            DeviceType::Gsme => {
                r.try_use_case_command(MessageCode::GCS38, uc::gcs38_read_firmware_version)
            }
            // The ACB originates CS08 and signs it only where the use case says so (CS08: no; the
            // RTDS command carries signature field `00`): `DeviceRequest::command` decides.
            DeviceType::Ppmid | DeviceType::Hcalcs => {
                r.use_case_command(MessageCode::CS08, uc::cs08_read_firmware_version)
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
        let body = "<sr:ReadFirmwareVersion/>";
        let cases = [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS52,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                MessageCode::ECS52,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::ExportSupplier,
                MessageCode::ECS52,
                true,
            ),
            (
                DeviceType::Esme,
                UserRole::OtherUser,
                MessageCode::ECS52,
                true,
            ),
            (
                DeviceType::Chf,
                UserRole::ImportSupplier,
                MessageCode::ECS52,
                true,
            ),
            (
                DeviceType::Chf,
                UserRole::OtherUser,
                MessageCode::ECS52,
                true,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                MessageCode::GCS38,
                false,
            ),
            (
                DeviceType::Gsme,
                UserRole::RegisteredSupplierAgent,
                MessageCode::GCS38,
                true,
            ),
            (
                DeviceType::Ppmid,
                UserRole::ImportSupplier,
                MessageCode::CS08,
                true,
            ),
            (
                DeviceType::Hcalcs,
                UserRole::GasSupplier,
                MessageCode::CS08,
                true,
            ),
        ];
        for (dt, role, code, by_acb) in cases {
            let plan = t
                .plan(&ReadFirmwareVersion, Srv::V11_2, body, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_gpf_and_han_display_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Ihd, DeviceType::Cad] {
            assert!(!ReadFirmwareVersion.device_types().contains(&dt));
            let e = t
                .plan(
                    &ReadFirmwareVersion,
                    Srv::V11_2,
                    "<sr:ReadFirmwareVersion/>",
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn a_bad_body_is_refused() {
        let t = Harness::new();
        let e = t
            .plan(
                &ReadFirmwareVersion,
                Srv::V11_2,
                "<sr:ReadFirmwareVersion>x</sr:ReadFirmwareVersion>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }
}
