//! What the log-read services share (4.4.2–4.4.5 billing data logs, 4.6.1/4.6.2 daily read
//! logs, 4.14 prepayment daily read log, 4.17 daily consumption log): the body (an optional
//! `ExecutionDateTime`, the `ReadLogPeriod`, and for some an unknown remote party's
//! `KAPublicSecurityCredentials`), the use case per device type, and the command for the period
//! built by `gbcs::usecases::logs_common::build_log_read`.
//!
//! A period whose end precedes its start is an invalid body (refused, nothing changes). An
//! empty period, or one outside what the device holds, is sent: the device answers with no
//! entries (an empty compact array, or NOT_FOUND), as GBCS says.

use duis::bodies::ReadLog;
use gbcs::MessageCode;
use gbcs::UtcDateTime;
use gbcs::usecases::LogPeriod;
use gbcs::usecases::logs_common::build_log_read;
use time::OffsetDateTime;

use super::{DeviceRequest, Plan};
use crate::error::{DccError, SchemaError, ServiceError};
use crate::model::DeviceType;
use crate::render;

/// One log-read service: its body element, whether its body type carries URP credentials, and
/// the GBCS use case for each device type it serves.
pub struct LogRead {
    pub body: &'static str,
    pub urp: bool,
    pub use_cases: &'static [(DeviceType, MessageCode)],
}

fn utc(t: OffsetDateTime, what: &str) -> Result<UtcDateTime, DccError> {
    UtcDateTime::from_unix(t.unix_timestamp()).ok_or_else(|| {
        SchemaError::Invalid(format!("{what} {t} is outside what a device can log")).into()
    })
}

impl LogRead {
    /// The device types served.
    pub fn device_types(&self) -> Vec<DeviceType> {
        self.use_cases.iter().map(|(t, _)| *t).collect()
    }

    /// Plans the read: checks the body, picks the use case for the device type (E11 for
    /// others), and builds the command for the period.
    pub fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            ReadLog::parse(&r.request.body, self.body, self.urp).map_err(render::body_error)?;
        let Some(&(_, code)) = self
            .use_cases
            .iter()
            .find(|(t, _)| *t == r.device.device_type)
        else {
            return Err(r.wrong_type());
        };
        if body.ka_public_security_credentials.is_some() {
            return Err(ServiceError::NotImplemented(format!(
                "{} for an unknown remote party (KAPublicSecurityCredentials)",
                r.srv()
            ))
            .into());
        }
        let period = LogPeriod {
            start: utc(body.period.start, "StartDateTime")?,
            end: utc(body.period.end, "EndDateTime")?,
        };
        r.try_use_case_command(code, |h| {
            build_log_read(code, h, &period)
                .unwrap_or(Err(gbcs::BuildError::OutOfRange("not a log-read use case")))
        })
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use duis::{Srv, UserRole};
    use gbcs::usecases::decode_command;
    use gbcs::usecases::logs_common::period_of;

    use super::*;
    use crate::services::DeviceService;
    use crate::services::testing::*;

    fn body(name: &str, start: &str, end: &str) -> String {
        format!(
            "<sr:{name}><sr:ReadLogPeriod><sr:StartDateTime>{start}</sr:StartDateTime><sr:EndDateTime>{end}</sr:EndDateTime></sr:ReadLogPeriod></sr:{name}>"
        )
    }

    /// Every device type the service serves gets its use case, originated as `by_acb` says, for
    /// exactly the period asked; other device types get E11; bad bodies and a period ending
    /// before it starts are refused as invalid.
    pub fn check(
        service: &dyn DeviceService,
        srv: Srv,
        read: &LogRead,
        cases: &[(DeviceType, UserRole, bool)],
    ) {
        let t = Harness::new();
        let ok = body(read.body, "2014-12-01T09:00:00Z", "2014-12-05T11:05:00.5Z");
        for &(dt, role, by_acb) in cases {
            let code = read.use_cases.iter().find(|(d, _)| *d == dt).unwrap().1;
            let plan = t.plan(service, srv, &ok, dt, role).unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
            let Plan::Command { command, .. } = &plan else {
                unreachable!()
            };
            let p = period_of(&decode_command(command).unwrap()).unwrap();
            assert_eq!(p.start.to_unix(), 1_417_424_400, "{dt}");
            assert!(p.end.to_unix() >= p.start.to_unix(), "{dt}");
        }
        for dt in [
            DeviceType::Esme,
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            if read.use_cases.iter().any(|(d, _)| *d == dt) {
                continue;
            }
            let e = t
                .plan(service, srv, &ok, dt, UserRole::ImportSupplier)
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let (dt, role, _) = cases[0];
        let bad_body = |b: &str| t.plan(service, srv, b, dt, role).unwrap_err();
        let invalid = bad_body(&body(
            read.body,
            "2014-12-05T00:00:00Z",
            "2014-12-01T00:00:00Z",
        ));
        let reference = bad_body(&format!("<sr:{}/>", read.body));
        assert_eq!(
            invalid.outcome().code,
            reference.outcome().code,
            "{invalid}"
        );
        assert!(
            invalid
                .to_string()
                .contains("EndDateTime before StartDateTime"),
            "{invalid}"
        );
        for b in [
            format!("<sr:{}/>", read.body),
            body(
                "ReadSupplyStatus",
                "2014-12-01T00:00:00Z",
                "2014-12-02T00:00:00Z",
            ),
            body(read.body, "yesterday", "2014-12-02T00:00:00Z"),
            body(read.body, "1969-12-01T00:00:00Z", "2014-12-02T00:00:00Z"),
        ] {
            let e = bad_body(&b);
            assert!(matches!(e, DccError::Schema(_)), "{b}: {e}");
        }
        // The same period for start and end is fine (one instant).
        let one = body(read.body, "2014-12-01T00:00:00Z", "2014-12-01T00:00:00Z");
        assert!(t.plan(service, srv, &one, dt, role).is_ok());
        if read.urp {
            let urp = format!(
                "<sr:{0}><sr:ReadLogPeriod><sr:StartDateTime>2014-12-01T00:00:00Z</sr:StartDateTime><sr:EndDateTime>2014-12-02T00:00:00Z</sr:EndDateTime></sr:ReadLogPeriod><sr:KAPublicSecurityCredentials>AQID</sr:KAPublicSecurityCredentials></sr:{0}>",
                read.body
            );
            let e = t.plan(service, srv, &urp, dt, role).unwrap_err();
            assert!(
                matches!(e, DccError::Service(ServiceError::NotImplemented(_))),
                "{e}"
            );
        }
    }
}
