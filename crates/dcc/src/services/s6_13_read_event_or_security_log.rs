//! 6.13 Read Event or Security Log (non-critical): the entries of one of the device's logs in
//! the `ReadLogPeriod`.
//!
//! | device | `LogToRead` | GBCS use case | log read |
//! |---|---|---|---|
//! | ESME | `Event` | ECS35a (plain range read of `7/0.0.99.98.0.255/2`) | the ESME's event log |
//! | ESME | `Security` | ECS35b (plain range read of `7/0.0.99.98.1.255/2`) | its security log |
//! | ESME | `PowerEvent` | ECS35e (plain range read of `7/0.0.99.98.4.255/2`) | its power event log |
//! | ESME | `ALCSEvent` | ECS35g (GBCS [`LATER_SINCE`] or later), else ECS35f (both a plain range read of `7/0.17.99.98.2.255/2`) | its ALCS / auxiliary controller event log |
//! | CHF | `Event` | ECS35c (as ECS35a; the ACB on the requester's behalf) | the hub's event log |
//! | CHF | `Security` | ECS35d (as ECS35b; likewise) | the hub's security log |
//! | GSME | `Event` | CS10a (ZSE Get Event Log, log id 3) | the gas meter's event log |
//! | GSME | `Security` | CS10b (ZSE Get Event Log, log id 4) | its security log |
//!
//! The period is sent as asked (a period ending before it starts is an invalid body); the
//! device narrows it for a supplier after a change of tenancy as for every log read. The
//! current UISS lists ECS35g; the RTDS also sends ECS35f, the earlier form of the same read:
//! as 6.2.4 chooses ECS26m, the DCC sends ECS35g to an ESME whose Device Model is of GBCS
//! [`LATER_SINCE`] or later and ECS35f to every other. A `LogToRead` the device does not keep
//! (`ALCSEvent` or `PowerEvent` on a GSME or CHF, the GPF's `GSMEEvent` / `GSMESecurity`
//! anywhere) is an invalid body; any other device type (the GPF, a PPMID): E11.

use duis::Srv;
use duis::bodies::{LogToRead, ReadEventOrSecurityLog as Body};
use gbcs::usecases::{
    self as uc, LogPeriod, cs10a, cs10b, ecs35a, ecs35b, ecs35c, ecs35d, ecs35e, ecs35f, ecs35g,
};

use super::logs_common::utc;
use super::s6_2_4_read_identity::LATER_SINCE;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
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
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Chf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        let period = LogPeriod {
            start: utc(body.period.start, "StartDateTime")?,
            end: utc(body.period.end, "EndDateTime")?,
        };
        let later = r.device.gbcs_version_at_least(LATER_SINCE.0, LATER_SINCE.1);
        match (r.device.device_type, body.log) {
            (DeviceType::Gsme, LogToRead::Event) => {
                r.try_use_case_command(cs10a::CODE, |h| uc::cs10a_read_event_log(h, &period))
            }
            (DeviceType::Gsme, LogToRead::Security) => {
                r.try_use_case_command(cs10b::CODE, |h| uc::cs10b_read_security_log(h, &period))
            }
            (DeviceType::Esme, LogToRead::Event) => {
                r.use_case_command(ecs35a::CODE, |h| uc::ecs35a_read_event_log(h, &period))
            }
            (DeviceType::Esme, LogToRead::Security) => {
                r.use_case_command(ecs35b::CODE, |h| uc::ecs35b_read_security_log(h, &period))
            }
            (DeviceType::Esme, LogToRead::PowerEvent) => r.use_case_command(ecs35e::CODE, |h| {
                uc::ecs35e_read_power_event_log(h, &period)
            }),
            (DeviceType::Esme, LogToRead::AlcsEvent) if later => r
                .use_case_command(ecs35g::CODE, |h| {
                    uc::ecs35g_read_auxiliary_controller_event_log(h, &period)
                }),
            (DeviceType::Esme, LogToRead::AlcsEvent) => {
                r.use_case_command(ecs35f::CODE, |h| uc::ecs35f_read_alcs_event_log(h, &period))
            }
            (DeviceType::Chf, LogToRead::Event) => {
                r.use_case_command(ecs35c::CODE, |h| uc::ecs35c_read_chf_event_log(h, &period))
            }
            (DeviceType::Chf, LogToRead::Security) => r.use_case_command(ecs35d::CODE, |h| {
                uc::ecs35d_read_chf_security_log(h, &period)
            }),
            (DeviceType::Esme | DeviceType::Gsme | DeviceType::Chf, log) => {
                Err(SchemaError::Invalid(format!(
                    "LogToRead {log:?} is not a log a {} keeps",
                    r.device.device_type
                ))
                .into())
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
        // The CHF's logs: the ACB sends them on the requester's behalf.
        for (log, code) in [("Event", ecs35c::CODE), ("Security", ecs35d::CODE)] {
            let b = body(log, "2014-12-31T00:00:00Z", "2014-12-31T09:00:00Z");
            let plan = t
                .plan(
                    &ReadEventOrSecurityLog,
                    Srv::V6_13,
                    &b,
                    DeviceType::Chf,
                    UserRole::ImportSupplier,
                )
                .unwrap();
            assert_command(&plan, code, true, &t, DeviceType::Chf);
        }
        // The ESME's power event log, and its ALCS log by the version of its model.
        for (log, version, code) in [
            ("PowerEvent", None, ecs35e::CODE),
            ("ALCSEvent", None, ecs35f::CODE),
            ("ALCSEvent", Some("3.2"), ecs35f::CODE),
            ("ALCSEvent", Some("4.0"), ecs35g::CODE),
        ] {
            let b = body(log, "2014-12-15T00:00:00Z", "2015-01-01T00:00:00Z");
            let plan = plan_esme(&t, &b, version).unwrap();
            assert_command(&plan, code, false, &t, DeviceType::Esme);
            let Plan::Command { command, .. } = &plan else {
                unreachable!()
            };
            let p = period_of(&decode_command(command).unwrap()).unwrap();
            assert_eq!(p.start.to_unix(), 1_418_601_600);
        }
    }

    fn plan_esme(t: &Harness, b: &str, version: Option<&str>) -> Result<Plan, DccError> {
        let req = request(Srv::V6_13, b, DeviceType::Esme, 77);
        let mut d = device(DeviceType::Esme);
        d.gbcs_version = version.map(Into::into);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &d,
            acting_role: UserRole::ElectricityDistributor,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        crate::catalogue::plan_device(&ReadEventOrSecurityLog, &mut r)
    }

    #[test]
    fn bad_bodies_and_other_devices_are_refused() {
        let t = Harness::new();
        let ok = body("Event", "2014-12-31T00:00:00Z", "2015-01-01T00:00:00Z");
        for dt in [DeviceType::Gpf, DeviceType::Ppmid] {
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
        // Logs the device does not keep: invalid bodies.
        for (dt, log) in [
            (DeviceType::Gsme, "ALCSEvent"),
            (DeviceType::Gsme, "PowerEvent"),
            (DeviceType::Chf, "ALCSEvent"),
            (DeviceType::Chf, "PowerEvent"),
            (DeviceType::Esme, "GSMEEvent"),
        ] {
            let b = body(log, "2014-12-31T00:00:00Z", "2015-01-01T00:00:00Z");
            let e = t
                .plan(
                    &ReadEventOrSecurityLog,
                    Srv::V6_13,
                    &b,
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            let code = e.outcome().code;
            assert!(
                code != Some(duis::ResponseCode::E11) && code != Some(duis::ResponseCode::E12),
                "{dt} {log}: {e}"
            );
        }
        for bad in [
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
