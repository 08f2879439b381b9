//! 6.13 Read Event or Security Log (non-critical): the entries of one of the device's logs in
//! the `ReadLogPeriod`.
//!
//! | device | `LogToRead` | GBCS use case | log read |
//! |---|---|---|---|
//! | ESME | `Event` | ECS35a (plain range read of `7/0.0.99.98.0.255/2`) | the ESME's event log |
//! | ESME | `Security` | ECS35b (plain range read of `7/0.0.99.98.1.255/2`) | its security log |
//! | GSME | `Event` | CS10a (ZSE Get Event Log, log id 3) | the gas meter's event log |
//! | GSME | `Security` | CS10b (ZSE Get Event Log, log id 4) | its security log |
//!
//! The period is sent as asked (a period ending before it starts is an invalid body); the
//! device narrows it for a supplier after a change of tenancy as for every log read. Another
//! `LogToRead` (`ALCSEvent`, `PowerEvent`, the GPF's `GSMEEvent` / `GSMESecurity`) is an
//! invalid body; any other device type: E11 (the CHF and GPF logs, ECS35c–g, are not served
//! yet).

use duis::Srv;
use duis::bodies::{LogToRead, ReadEventOrSecurityLog as Body};
use gbcs::usecases::{self as uc, LogPeriod, cs10a, cs10b, ecs35a, ecs35b};

use super::logs_common::utc;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadEventOrSecurityLog;

impl Service for ReadEventOrSecurityLog {
    fn srv(&self) -> Srv {
        Srv::V6_13
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadEventOrSecurityLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        let esme = match r.device.device_type {
            DeviceType::Esme => true,
            DeviceType::Gsme => false,
            _ => return Err(r.wrong_type()),
        };
        let period = LogPeriod {
            start: utc(body.period.start, "StartDateTime")?,
            end: utc(body.period.end, "EndDateTime")?,
        };
        match (esme, body.log) {
            (false, LogToRead::Event) => {
                r.try_use_case_command(cs10a::CODE, |h| uc::cs10a_read_event_log(h, &period))
            }
            (false, LogToRead::Security) => {
                r.try_use_case_command(cs10b::CODE, |h| uc::cs10b_read_security_log(h, &period))
            }
            (true, LogToRead::Event) => {
                r.use_case_command(ecs35a::CODE, |h| uc::ecs35a_read_event_log(h, &period))
            }
            (true, LogToRead::Security) => {
                r.use_case_command(ecs35b::CODE, |h| uc::ecs35b_read_security_log(h, &period))
            }
            // The CHF's logs, the power event log and the ALCS log (ECS35c–g) are not
            // implemented yet: E12, as for a service the DCC does not offer.
            (_, log) => Err(crate::error::ServiceError::NotImplemented(format!(
                "6.13 Read Event or Security Log of {log:?}"
            ))
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::decode_command;
    use gbcs::usecases::logs_common::period_of;

    fn body(log: &str, start: &str, end: &str) -> String {
        format!(
            "<sr:ReadEventOrSecurityLog><sr:ReadLogPeriod><sr:StartDateTime>{start}</sr:StartDateTime><sr:EndDateTime>{end}</sr:EndDateTime></sr:ReadLogPeriod><sr:LogToRead>{log}</sr:LogToRead></sr:ReadEventOrSecurityLog>"
        )
    }

    #[test]
    fn command_per_log_for_the_period() {
        let t = Harness::new();
        for (log, code) in [("Event", ecs35a::CODE), ("Security", ecs35b::CODE)] {
            for role in [UserRole::ImportSupplier, UserRole::ElectricityDistributor] {
                let b = body(log, "2014-12-31T00:00:00Z", "2015-01-01T00:00:00Z");
                let plan = t
                    .plan(
                        &ReadEventOrSecurityLog,
                        Srv::V6_13,
                        &b,
                        DeviceType::Esme,
                        role,
                    )
                    .unwrap();
                assert_command(&plan, code, false, &t, DeviceType::Esme);
                let Plan::Command { command, .. } = &plan else {
                    unreachable!()
                };
                let p = period_of(&decode_command(command).unwrap()).unwrap();
                assert_eq!(p.start.to_unix(), 1_419_984_000);
                assert_eq!(p.end.to_unix(), 1_420_070_400);
            }
        }
        for (log, code) in [("Event", cs10a::CODE), ("Security", cs10b::CODE)] {
            let b = body(log, "2014-12-31T00:00:00Z", "2015-01-01T00:00:00Z");
            let plan = t
                .plan(
                    &ReadEventOrSecurityLog,
                    Srv::V6_13,
                    &b,
                    DeviceType::Gsme,
                    UserRole::GasSupplier,
                )
                .unwrap();
            assert_command(&plan, code, false, &t, DeviceType::Gsme);
        }
    }

    #[test]
    fn bad_bodies_and_other_devices_are_refused() {
        let t = Harness::new();
        let ok = body("Event", "2014-12-31T00:00:00Z", "2015-01-01T00:00:00Z");
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &ReadEventOrSecurityLog,
                    Srv::V6_13,
                    &ok,
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for bad in [
            body("ALCSEvent", "2014-12-31T00:00:00Z", "2015-01-01T00:00:00Z"),
            body("event", "2014-12-31T00:00:00Z", "2015-01-01T00:00:00Z"),
            body("Event", "2015-01-01T00:00:00Z", "2014-12-31T00:00:00Z"),
        ] {
            let e = t
                .plan(
                    &ReadEventOrSecurityLog,
                    Srv::V6_13,
                    &bad,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_ne!(e.outcome().code, Some(duis::ResponseCode::E11), "{bad}");
        }
    }
}
