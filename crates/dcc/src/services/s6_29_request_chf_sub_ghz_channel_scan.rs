//! 6.29 Request CHF Sub GHz Channel Scan: DBCH05 on a dual-band Communications Hub Function, which the DCC's Access Control
//! Broker originates on the user's behalf (the CHF holds no user trust anchor). A single-band
//! hub answers it as unsupported (`devices::dbch`).

use duis::Srv;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct RequestChfSubGhzChannelScan;

impl Service for RequestChfSubGhzChannelScan {
    fn srv(&self) -> Srv {
        Srv::V6_29
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RequestChfSubGhzChannelScan {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Chf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        if r.device.device_type != DeviceType::Chf {
            return Err(r.wrong_type());
        }
        r.use_case_command(MessageCode::DBCH05, uc::dbch05_request_sub_ghz_channel_scan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = "<sr:RequestCHFSubGHzChannelScan/>";

    #[test]
    fn the_acb_sends_dbch05_on_the_users_behalf() {
        let t = Harness::new();
        for role in [UserRole::ImportSupplier, UserRole::GasSupplier] {
            let plan = t
                .plan(
                    &RequestChfSubGhzChannelScan,
                    Srv::V6_29,
                    BODY,
                    DeviceType::Chf,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::DBCH05, true, &t, DeviceType::Chf);
            let Plan::Command { command, .. } = &plan else {
                unreachable!()
            };
            assert_eq!(
                uc::decode_command(command).unwrap(),
                uc::DecodedCommand::Dbch05
            );
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf] {
            let e = t
                .plan(
                    &RequestChfSubGhzChannelScan,
                    Srv::V6_29,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
