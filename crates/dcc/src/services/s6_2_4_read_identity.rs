//! 6.2.4 Read Device Configuration (Identity Exc. MPxN): the device's identifier, model,
//! manufacturer and (meters) variant and supply tamper / depletion states.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS26m (GBCS [`LATER_SINCE`] or later), else ECS26e | the supplier or distributor; the ACB on behalf of anyone else |
//! | GSME | GCS21m (likewise), else GCS21e | the supplier or transporter; the ACB on behalf of anyone else |
//! | CHF | ECS26n (likewise), else ECS26i | the ACB on the requester's behalf |
//!
//! The current UISS lists ECS26m, GCS21m and ECS26n; the RTDS also sends the earlier forms. As
//! 2.1 chooses ECS08a, the DCC sends the later form to a device whose Device Model is of GBCS
//! [`LATER_SINCE`] or later and the earlier one to every other (older, or of a version the
//! inventory does not know): this implementation's choice. Any other device type: E11.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

/// The GBCS version from which a device is sent the later forms (ECS26m, GCS21m, ECS26n).
pub const LATER_SINCE: (u16, u16) = (4, 0);

pub struct ReadIdentity;

impl Service for ReadIdentity {
    fn srv(&self) -> Srv {
        Srv::V6_2_4
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadIdentity {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Chf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadDeviceConfigurationIdentityExcMPxN")
            .map_err(render::body_error)?;
        let later = r.device.gbcs_version_at_least(LATER_SINCE.0, LATER_SINCE.1);
        match (r.device.device_type, later) {
            (DeviceType::Esme, true) => {
                r.use_case_command(uc::ecs26m::MESSAGE_CODE, uc::ecs26m_read_identity)
            }
            (DeviceType::Esme, false) => {
                r.use_case_command(uc::ecs26e::MESSAGE_CODE, uc::ecs26e_read_identity)
            }
            (DeviceType::Gsme, true) => {
                r.try_use_case_command(uc::gcs21m::MESSAGE_CODE, uc::gcs21m_read_identity)
            }
            (DeviceType::Gsme, false) => {
                r.try_use_case_command(uc::gcs21e::MESSAGE_CODE, uc::gcs21e_read_identity)
            }
            (DeviceType::Chf, true) => {
                r.use_case_command(uc::ecs26n::MESSAGE_CODE, uc::ecs26n_read_identity)
            }
            (DeviceType::Chf, false) => {
                r.use_case_command(uc::ecs26i::MESSAGE_CODE, uc::ecs26i_read_identity)
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
    use gbcs::MessageCode;

    const BODY: &str = "<sr:ReadDeviceConfigurationIdentityExcMPxN/>";

    fn plan_for(
        t: &Harness,
        dt: DeviceType,
        role: UserRole,
        version: Option<&str>,
    ) -> Result<Plan, DccError> {
        let req = request(Srv::V6_2_4, BODY, dt, 77);
        let mut d = device(dt);
        d.gbcs_version = version.map(Into::into);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &d,
            acting_role: role,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        crate::catalogue::plan_device(&ReadIdentity, &mut r)
    }

    #[test]
    fn use_case_per_device_type_and_version() {
        let t = Harness::new();
        let cases: [(DeviceType, UserRole, Option<&str>, MessageCode, bool); 7] = [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                None,
                uc::ecs26e::MESSAGE_CODE,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                Some("4.0"),
                uc::ecs26m::MESSAGE_CODE,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::OtherUser,
                Some("4.0"),
                uc::ecs26m::MESSAGE_CODE,
                true,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                Some("3.2"),
                uc::gcs21e::MESSAGE_CODE,
                false,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasTransporter,
                Some("4.1"),
                uc::gcs21m::MESSAGE_CODE,
                false,
            ),
            (
                DeviceType::Chf,
                UserRole::ImportSupplier,
                None,
                uc::ecs26i::MESSAGE_CODE,
                true,
            ),
            (
                DeviceType::Chf,
                UserRole::GasSupplier,
                Some("4.0"),
                uc::ecs26n::MESSAGE_CODE,
                true,
            ),
        ];
        for (dt, role, version, code, by_acb) in cases {
            let plan = plan_for(&t, dt, role, version).unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
        for dt in [DeviceType::Gpf, DeviceType::Ppmid] {
            let e = plan_for(&t, dt, UserRole::GasSupplier, None).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
