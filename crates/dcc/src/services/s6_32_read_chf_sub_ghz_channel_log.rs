//! 6.32 Read CHF Sub GHz Channel Log: DBCH02 on a dual-band Communications Hub Function, which the DCC's Access Control
//! Broker originates on the user's behalf (the CHF holds no user trust anchor). A single-band
//! hub answers it as unsupported (`devices::dbch`). The period is the body's `ReadLogPeriod`, in
//! ZigBee UTC seconds; a period before 2000 or ending before it starts is refused.

use duis::Srv;
use duis::bodies::ReadLog;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::error::SchemaError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadChfSubGhzChannelLog;

impl Service for ReadChfSubGhzChannelLog {
    fn srv(&self) -> Srv {
        Srv::V6_32
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadChfSubGhzChannelLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Chf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = ReadLog::parse(&r.request.body, "ReadCHFSubGHzChannelLog", false)
            .map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Chf {
            return Err(r.wrong_type());
        }
        let t = |d: time::OffsetDateTime| gbcs::UtcDateTime::from_unix(d.unix_timestamp());
        let period = t(body.period.start)
            .zip(t(body.period.end))
            .and_then(|(from, to)| uc::ChannelLogPeriod::new(from, to))
            .ok_or_else(|| SchemaError::Invalid("ReadLogPeriod outside ZigBee UTC time".into()))?;
        r.try_use_case_command(MessageCode::DBCH02, |h| {
            uc::dbch02_read_sub_ghz_channel_log(h, period)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = "<sr:ReadCHFSubGHzChannelLog><sr:ReadLogPeriod><sr:StartDateTime>2014-12-20T00:00:00.00Z</sr:StartDateTime><sr:EndDateTime>2014-12-31T09:00:00.00Z</sr:EndDateTime></sr:ReadLogPeriod></sr:ReadCHFSubGHzChannelLog>";

    #[test]
    fn the_acb_sends_dbch02_on_the_users_behalf() {
        let t = Harness::new();
        for role in [
            UserRole::ImportSupplier,
            UserRole::GasSupplier,
            UserRole::RegisteredSupplierAgent,
        ] {
            let plan = t
                .plan(
                    &ReadChfSubGhzChannelLog,
                    Srv::V6_32,
                    BODY,
                    DeviceType::Chf,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::DBCH02, true, &t, DeviceType::Chf);
            let Plan::Command { command, .. } = &plan else {
                unreachable!()
            };
            assert_eq!(
                uc::decode_command(command).unwrap(),
                uc::DecodedCommand::Dbch02(uc::ChannelLogPeriod {
                    from: 472_348_800,
                    to: 473_331_600
                })
            );
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf] {
            let e = t
                .plan(
                    &ReadChfSubGhzChannelLog,
                    Srv::V6_32,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn a_period_before_2000_or_backwards_is_refused() {
        let t = Harness::new();
        for body in [
            BODY.replace("2014-12-20", "1999-12-20"),
            BODY.replace("2014-12-20", "2015-01-20"),
        ] {
            let e = t
                .plan(
                    &ReadChfSubGhzChannelLog,
                    Srv::V6_32,
                    &body,
                    DeviceType::Chf,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
