//! 6.30 Read CHF Sub GHz Configuration: DBCH03 on a dual-band Communications Hub Function, which the DCC's Access Control
//! Broker originates on the user's behalf (the CHF holds no user trust anchor). A single-band
//! hub answers it as unsupported (`devices::dbch`).

use duis::Srv;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct ReadChfSubGhzConfiguration;

impl Service for ReadChfSubGhzConfiguration {
    fn srv(&self) -> Srv {
        Srv::V6_30
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadChfSubGhzConfiguration {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Chf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        if r.device.device_type != DeviceType::Chf {
            return Err(r.wrong_type());
        }
        r.use_case_command(MessageCode::DBCH03, uc::dbch03_read_sub_ghz_configuration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = "<sr:ReadCHFSubGHzConfiguration/>";

    #[test]
    fn the_acb_sends_dbch03_on_the_users_behalf() {
        let t = Harness::new();
        for role in [
            UserRole::ImportSupplier,
            UserRole::GasSupplier,
            UserRole::RegisteredSupplierAgent,
        ] {
            let plan = t
                .plan(
                    &ReadChfSubGhzConfiguration,
                    Srv::V6_30,
                    BODY,
                    DeviceType::Chf,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::DBCH03, true, &t, DeviceType::Chf);
            let Plan::Command { command, .. } = &plan else {
                unreachable!()
            };
            assert_eq!(
                uc::decode_command(command).unwrap(),
                uc::DecodedCommand::Dbch03
            );
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf] {
            let e = t
                .plan(
                    &ReadChfSubGhzConfiguration,
                    Srv::V6_30,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
