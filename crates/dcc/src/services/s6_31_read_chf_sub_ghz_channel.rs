//! 6.31 Read CHF Sub GHz Channel: DBCH01 on a dual-band Communications Hub Function, which the DCC's Access Control
//! Broker originates on the user's behalf (the CHF holds no user trust anchor). A single-band
//! hub answers it as unsupported (`devices::dbch`).

use duis::Srv;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct ReadChfSubGhzChannel;

impl Service for ReadChfSubGhzChannel {
    fn srv(&self) -> Srv {
        Srv::V6_31
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadChfSubGhzChannel {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Chf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        if r.device.device_type != DeviceType::Chf {
            return Err(r.wrong_type());
        }
        r.use_case_command(MessageCode::DBCH01, uc::dbch01_read_sub_ghz_channel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = "<sr:ReadCHFSubGHzChannel/>";

    #[test]
    fn the_acb_sends_dbch01_on_the_users_behalf() {
        let t = Harness::new();
        for role in [
            UserRole::ImportSupplier,
            UserRole::GasSupplier,
            UserRole::RegisteredSupplierAgent,
        ] {
            let plan = t
                .plan(
                    &ReadChfSubGhzChannel,
                    Srv::V6_31,
                    BODY,
                    DeviceType::Chf,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::DBCH01, true, &t, DeviceType::Chf);
            let Plan::Command { command, .. } = &plan else {
                unreachable!()
            };
            assert_eq!(
                uc::decode_command(command).unwrap(),
                uc::DecodedCommand::Dbch01
            );
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf] {
            let e = t
                .plan(
                    &ReadChfSubGhzChannel,
                    Srv::V6_31,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
