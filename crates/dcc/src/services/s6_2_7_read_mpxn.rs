//! 6.2.7 Read Device Configuration (MPxN): the MPxN a meter holds.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS40 (the import MPAN(s) and the export MPAN) | the supplier or distributor; the ACB on behalf of anyone else |
//! | GSME | GCS46 (Metering SiteID, the MPRN) | the supplier or transporter; the ACB on behalf of anyone else |
//!
//! Any other device type: E11.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadMpxn;

impl Service for ReadMpxn {
    fn srv(&self) -> Srv {
        Srv::V6_2_7
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadMpxn {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadDeviceConfigurationMPxN")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(uc::ecs40::MESSAGE_CODE, uc::ecs40_read_mpan),
            DeviceType::Gsme => {
                r.try_use_case_command(uc::gcs46::MESSAGE_CODE, uc::gcs46_read_mprn)
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

    const BODY: &str = "<sr:ReadDeviceConfigurationMPxN/>";

    #[test]
    fn use_case_and_originator_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs40::MESSAGE_CODE,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::OtherUser,
                uc::ecs40::MESSAGE_CODE,
                true,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasTransporter,
                uc::gcs46::MESSAGE_CODE,
                false,
            ),
        ] {
            let plan = t.plan(&ReadMpxn, Srv::V6_2_7, BODY, dt, role).unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
        for dt in [DeviceType::Gpf, DeviceType::Chf] {
            let e = t
                .plan(&ReadMpxn, Srv::V6_2_7, BODY, dt, UserRole::GasSupplier)
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
