//! 8.11 Update HAN Device Log: the DCC's Access Control Broker adds (CCS01) or removes (CCS02) a
//! device on a Communications Hub Function's device log, on the user's behalf (the CHF holds no
//! user trust anchor).

use duis::Srv;
use duis::bodies::{HanDeviceLogChange, UpdateHanDeviceLog as Body};
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, DeviceLogAddition};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateHanDeviceLog;

impl Service for UpdateHanDeviceLog {
    fn srv(&self) -> Srv {
        Srv::V8_11
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateHanDeviceLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Chf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Chf {
            return Err(r.wrong_type());
        }
        match body.change {
            HanDeviceLogChange::Add(add) => {
                let addition =
                    DeviceLogAddition::new(body.device_id, add.install_code, add.join_time_period);
                r.use_case_command(MessageCode::CCS01, |h| {
                    uc::ccs01_add_device_to_chf_device_log(h, &addition)
                })
            }
            HanDeviceLogChange::Remove => r.use_case_command(MessageCode::CCS02, |h| {
                uc::ccs02_remove_device_from_chf_device_log(h, body.device_id)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const ADD: &str = "<sr:UpdateHANDeviceLog><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID><sr:RequestType>Add</sr:RequestType><sr:AddDeviceToCHFWhitelist><sr:JoinTimePeriod>90</sr:JoinTimePeriod><sr:InstallCode>30313233343536373839414243444546</sr:InstallCode></sr:AddDeviceToCHFWhitelist></sr:UpdateHANDeviceLog>";
    const REMOVE: &str = "<sr:UpdateHANDeviceLog><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID><sr:RequestType>Remove</sr:RequestType></sr:UpdateHANDeviceLog>";

    #[test]
    fn the_acb_adds_and_removes_on_the_users_behalf() {
        let t = Harness::new();
        for role in [
            UserRole::ImportSupplier,
            UserRole::GasSupplier,
            UserRole::OtherUser,
        ] {
            let plan = t
                .plan(&UpdateHanDeviceLog, Srv::V8_11, ADD, DeviceType::Chf, role)
                .unwrap();
            assert_command(&plan, MessageCode::CCS01, true, &t, DeviceType::Chf);
            let plan = t
                .plan(
                    &UpdateHanDeviceLog,
                    Srv::V8_11,
                    REMOVE,
                    DeviceType::Chf,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::CCS02, true, &t, DeviceType::Chf);
        }
    }

    #[test]
    fn refusals() {
        let t = Harness::new();
        let e = t
            .plan(
                &UpdateHanDeviceLog,
                Srv::V8_11,
                REMOVE,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let no_whitelist = "<sr:UpdateHANDeviceLog><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID><sr:RequestType>Add</sr:RequestType></sr:UpdateHANDeviceLog>";
        let e = t
            .plan(
                &UpdateHanDeviceLog,
                Srv::V8_11,
                no_whitelist,
                DeviceType::Chf,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }
}
