//! 8.9 Read Device Log: the device log of the target, the use case chosen by its type and the
//! request's body.
//!
//! | device | body | GBCS use case | originator |
//! |---|---|---|---|
//! | ESME, GSME, GPF, PPMID, HCALCS | `ReadDeviceLog` | CS07 (the devices it has joined) | the supplier; the ACB on behalf of anyone else |
//! | CHF | `ReadDeviceLog` | CCS06 to a CHF of GBCS 4.0 or later ([`CCS06_SINCE`]), else CCS04/CCS05 (its device log, with each device's last communication) | the ACB on the user's behalf |
//! | CHF | `ReadDeviceLog` with `ReadSecurityDetails` | CCS07 (current and historic device logs with security details) | the ACB on the user's behalf |
//!
//! `ReadSecurityDetails` names the CHF's logs: on any other device it is E11 (the request
//! asks for what the device does not have).

use duis::Srv;
use duis::bodies::ReadDeviceLog as Body;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::{Device, DeviceType};
use crate::render;

pub struct ReadDeviceLog;

/// The first GBCS version whose CHFs are sent CCS06 rather than CCS04/CCS05 (major, minor).
pub const CCS06_SINCE: (u16, u16) = (4, 0);

/// Whether a CHF is sent CCS06 rather than CCS04/CCS05: a CHF whose model's GBCS version the
/// inventory knows to be [`CCS06_SINCE`] or later; any other gets what every version
/// implements.
pub fn chf_takes_ccs06(chf: &Device) -> bool {
    chf.gbcs_version_at_least(CCS06_SINCE.0, CCS06_SINCE.1)
}

impl Service for ReadDeviceLog {
    fn srv(&self) -> Srv {
        Srv::V8_9
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadDeviceLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[
            DeviceType::Esme,
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        match (r.device.device_type, body.read_security_details) {
            (DeviceType::Chf, true) => {
                r.use_case_command(MessageCode::CCS07, uc::ccs07_read_chf_device_logs)
            }
            (DeviceType::Chf, false) if chf_takes_ccs06(r.device) => {
                r.use_case_command(MessageCode::CCS06, uc::ccs06_read_chf_device_log)
            }
            (DeviceType::Chf, false) => {
                r.use_case_command(MessageCode::CCS05, uc::ccs05_read_chf_device_log)
            }
            (
                DeviceType::Esme
                | DeviceType::Gsme
                | DeviceType::Gpf
                | DeviceType::Ppmid
                | DeviceType::Hcalcs,
                false,
            ) => r.use_case_command(MessageCode::CS07, uc::cs07_read_device_join_details),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const PLAIN: &str = "<sr:ReadDeviceLog/>";
    const SECURITY: &str = "<sr:ReadDeviceLog><sr:ReadSecurityDetails/></sr:ReadDeviceLog>";

    #[test]
    fn use_case_and_originator_per_device_type() {
        let t = Harness::new();
        for dt in [
            DeviceType::Esme,
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let role = if dt == DeviceType::Gsme || dt == DeviceType::Gpf {
                UserRole::GasSupplier
            } else {
                UserRole::ImportSupplier
            };
            let plan = t.plan(&ReadDeviceLog, Srv::V8_9, PLAIN, dt, role).unwrap();
            let direct = crate::services::originator(dt, role, &uc::cs07::SPEC)
                == Some(crate::services::Originator::User);
            // The supplier sends it to the meters itself.
            assert!(direct || !matches!(dt, DeviceType::Esme | DeviceType::Gsme));
            assert_command(&plan, MessageCode::CS07, !direct, &t, dt);
            // Anyone else: the ACB on their behalf.
            let plan = t
                .plan(&ReadDeviceLog, Srv::V8_9, PLAIN, dt, UserRole::OtherUser)
                .unwrap();
            assert_command(&plan, MessageCode::CS07, true, &t, dt);
        }
        for (body, code) in [(PLAIN, MessageCode::CCS05), (SECURITY, MessageCode::CCS07)] {
            let plan = t
                .plan(
                    &ReadDeviceLog,
                    Srv::V8_9,
                    body,
                    DeviceType::Chf,
                    UserRole::ImportSupplier,
                )
                .unwrap();
            assert_command(&plan, code, true, &t, DeviceType::Chf);
        }
    }

    #[test]
    fn a_chf_of_gbcs_4_is_sent_ccs06() {
        let mut chf = crate::services::testing::device(DeviceType::Chf);
        assert!(!chf_takes_ccs06(&chf));
        chf.gbcs_version = Some("4.0".into());
        assert!(chf_takes_ccs06(&chf));
        chf.gbcs_version = Some("3.2".into());
        assert!(!chf_takes_ccs06(&chf));
    }

    #[test]
    fn refusals() {
        let t = Harness::new();
        let e = t
            .plan(
                &ReadDeviceLog,
                Srv::V8_9,
                SECURITY,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let e = t
            .plan(
                &ReadDeviceLog,
                Srv::V8_9,
                "<sr:ReadDeviceLog><sr:Other/></sr:ReadDeviceLog>",
                DeviceType::Chf,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }
}
