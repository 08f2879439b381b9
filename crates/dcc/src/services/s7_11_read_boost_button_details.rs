//! 7.11 Read Boost Button Details.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS61c | the import supplier; an Other User through the ACB |
//!
//! The body is `ReadBoostButtonDetails` (`sr:ReadLogFutureDatable`): an optional
//! `ExecutionDateTime` and the `ReadLogPeriod` of the boost log read.

use duis::Srv;
use duis::bodies::ReadLog;
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, LogPeriod};

use super::logs_common::utc;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadBoostButtonDetails;

impl Service for ReadBoostButtonDetails {
    fn srv(&self) -> Srv {
        Srv::V7_11
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadBoostButtonDetails {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = ReadLog::parse(&r.request.body, "ReadBoostButtonDetails", false)
            .map_err(render::body_error)?;
        let period = LogPeriod {
            start: utc(body.period.start, "StartDateTime")?,
            end: utc(body.period.end, "EndDateTime")?,
        };
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(MessageCode::ECS61C, |h| {
                uc::ecs61c_read_boost_function_data(h, &period)
            }),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::read_log::tests::body;
    use crate::services::testing::*;
    use duis::UserRole;

    const S: &str = "2014-12-25T23:00:00.00Z";
    const E: &str = "2015-01-01T00:00:00.00Z";

    #[test]
    fn an_esme_gets_ecs61c_for_the_period_per_role() {
        let t = Harness::new();
        for (role, by_acb) in [
            (UserRole::ImportSupplier, false),
            (UserRole::OtherUser, true),
        ] {
            let plan = t
                .plan(
                    &ReadBoostButtonDetails,
                    Srv::V7_11,
                    &body("ReadBoostButtonDetails", S, E),
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(&plan, MessageCode::ECS61C, by_acb, &t, DeviceType::Esme);
            let Plan::Command { command, .. } = plan else {
                unreachable!()
            };
            let uc::DecodedCommand::Ecs61c(p) = uc::decode_command(&command).unwrap() else {
                panic!("not ECS61c")
            };
            assert_eq!(
                (p.start.to_unix(), p.end.to_unix()),
                (1_419_548_400, 1_420_070_400)
            );
        }
    }

    #[test]
    fn other_devices_get_e11_and_bad_bodies_are_refused() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
        ] {
            let e = t
                .plan(
                    &ReadBoostButtonDetails,
                    Srv::V7_11,
                    &body("ReadBoostButtonDetails", S, E),
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for bad in [
            body("ReadBoostButtonDetails", E, S),
            body("ReadBoostButtonDetails", "soon", E),
            "<sr:ReadBoostButtonDetails/>".to_string(),
            body("ReadALCSData", S, E),
        ] {
            let e = t
                .plan(
                    &ReadBoostButtonDetails,
                    Srv::V7_11,
                    &bad,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{bad}: {e}");
        }
    }
}
