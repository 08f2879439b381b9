//! What the log-read services share (4.4.2–4.4.5 billing data logs, 4.6.1/4.6.2 daily read
//! logs, 4.14 prepayment daily read log, 4.17 daily consumption log): the body (an optional
//! `ExecutionDateTime`, the `ReadLogPeriod`, and for some an unknown remote party's
//! `KAPublicSecurityCredentials`), the use case per device type, and the command for the period
//! built by `gbcs::usecases::logs_common::build_log_read`.
//!
//! A period whose end precedes its start is an invalid body (refused, nothing changes). An
//! empty period, or one outside what the device holds, is sent: the device answers with no
//! entries (an empty compact array, or NOT_FOUND), as GBCS says.
//!
//! A body with `KAPublicSecurityCredentials` (an unknown remote party, URP) is sent by the ACB
//! with the requester's certificate: the rule and its refusals are
//! [`DeviceRequest::unknown_remote_party_command`]'s. A service may serve a device type for URP
//! requests only (`urp_only`: 4.14 on a GPF).

use duis::bodies::ReadLog;
use gbcs::MessageCode;
use gbcs::UtcDateTime;
use gbcs::usecases::LogPeriod;
use gbcs::usecases::logs_common::build_log_read;
use time::OffsetDateTime;

use super::{DeviceRequest, Plan};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

/// One log-read service: its body element, whether its body type carries URP credentials, the
/// GBCS use case for each device type it serves, and the device types served only for an
/// unknown remote party (4.14 on a GPF: GCS16b; any other request there is E11).
pub struct LogRead {
    pub body: &'static str,
    pub urp: bool,
    pub use_cases: &'static [(DeviceType, MessageCode)],
    pub urp_only: &'static [(DeviceType, MessageCode)],
}

pub(crate) fn utc(t: OffsetDateTime, what: &str) -> Result<UtcDateTime, DccError> {
    UtcDateTime::from_unix(t.unix_timestamp()).ok_or_else(|| {
        SchemaError::Invalid(format!("{what} {t} is outside what a device can log")).into()
    })
}

impl LogRead {
    /// The device types served (for any remote party, then for unknown remote parties only).
    pub fn device_types(&self) -> Vec<DeviceType> {
        self.use_cases
            .iter()
            .chain(self.urp_only)
            .map(|(t, _)| *t)
            .collect()
    }

    /// Plans the read: checks the body, picks the use case for the device type (E11 for
    /// others), and builds the command for the period; with `KAPublicSecurityCredentials`, the
    /// unknown-remote-party form ([`DeviceRequest::unknown_remote_party_command`]).
    pub fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            ReadLog::parse(&r.request.body, self.body, self.urp).map_err(render::body_error)?;
        let urp = body.ka_public_security_credentials.as_deref();
        let served = |list: &[(DeviceType, MessageCode)]| {
            list.iter()
                .find(|(t, _)| *t == r.device.device_type)
                .map(|(_, c)| *c)
        };
        let code = served(self.use_cases).or_else(|| urp.and_then(|_| served(self.urp_only)));
        let Some(code) = code else {
            return Err(r.wrong_type());
        };
        let period = LogPeriod {
            start: utc(body.period.start, "StartDateTime")?,
            end: utc(body.period.end, "EndDateTime")?,
        };
        let build = |h: &gbcs::usecases::CommandHeader| {
            build_log_read(code, h, &period)
                .unwrap_or(Err(gbcs::BuildError::OutOfRange("not a log-read use case")))
        };
        match urp {
            Some(certificate) => r.unknown_remote_party_command(code, certificate, build),
            None => r.try_use_case_command(code, build),
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use duis::{Srv, UserRole};
    use gbcs::usecases::decode_command;
    use gbcs::usecases::logs_common::period_of;

    use gbcs::OtherInfoExt;

    use super::*;
    use crate::services::DeviceService;
    use crate::services::read_log::tests::body;
    use crate::services::testing::*;

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
            check_urp(service, srv, read, dt, role);
        }
    }

    fn urp_body(name: &str, der: &[u8]) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!(
            "<sr:{name}><sr:ReadLogPeriod><sr:StartDateTime>2014-12-01T00:00:00Z</sr:StartDateTime><sr:EndDateTime>2014-12-02T00:00:00Z</sr:EndDateTime></sr:ReadLogPeriod><sr:KAPublicSecurityCredentials>{b64}</sr:KAPublicSecurityCredentials></sr:{name}>"
        )
    }

    /// An organisation certificate for `eui` with `usage`, and its key.
    pub fn org_certificate(eui: eui::Eui64, usage: smki::KeyUsage) -> (smki::KeyPair, Vec<u8>) {
        let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let pki = smki::Pki::generate_with_os_rng(now, &smki::PkiNames::default()).unwrap();
        let key = smki::KeyPair::generate_with_os_rng().unwrap();
        let der = pki
            .oca
            .issue_organisation(&smki::OrgCertRequest {
                common_name: None,
                eui,
                role: smki::RemotePartyRole::Supplier,
                usage,
                public_key: key.public_key(),
                serial: smki::Serial::random_with_os_rng().unwrap(),
                not_before: now - time::Duration::days(1),
                not_after: now + time::Duration::days(365),
            })
            .unwrap();
        (key, der)
    }

    /// The unknown-remote-party form: with the requester's KA certificate the ACB sends the
    /// command (whoever asks), carrying the certificate; another party's certificate, a
    /// digital-signing certificate and bytes that are no certificate are invalid bodies.
    fn check_urp(
        service: &dyn DeviceService,
        srv: Srv,
        read: &LogRead,
        dt: DeviceType,
        role: UserRole,
    ) {
        let t = Harness::new();
        let (_, ka) = org_certificate(SUPPLIER, smki::KeyUsage::KeyAgreement);
        let plan = t
            .plan(service, srv, &urp_body(read.body, &ka), dt, role)
            .unwrap();
        let Plan::Command {
            command,
            dcc_originated,
            ..
        } = &plan
        else {
            panic!("a command expected: {plan:?}")
        };
        assert!(dcc_originated);
        assert_eq!(command.originator, ACB);
        assert_eq!(command.counter, ACB_COUNTER);
        assert_eq!(
            command.other_info.ext,
            OtherInfoExt::Certificate {
                remote_party: SUPPLIER,
                remote_party_counter: 77,
                certificate: ka.clone(),
            }
        );
        // The command survives framing: it decodes back to the certificate form.
        let back = gbcs::GeneralSigning::decode(&command.encode()).unwrap();
        assert_eq!(&back, command);
        assert!(decode_command(command).is_ok());

        let other = eui::Eui64::from_u64(0x90B3_D51F_3003_0000);
        let (_, others) = org_certificate(other, smki::KeyUsage::KeyAgreement);
        let (_, signing) = org_certificate(SUPPLIER, smki::KeyUsage::DigitalSignature);
        let mut trailing = ka.clone();
        trailing.push(0);
        for (what, der) in [
            ("another party's", others.as_slice()),
            ("a signing certificate", &signing),
            ("not DER", &[1, 2, 3][..]),
            ("trailing bytes", &trailing),
            ("truncated", &ka[..ka.len() - 1]),
        ] {
            let e = t
                .plan(service, srv, &urp_body(read.body, der), dt, role)
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{what}: {e}");
            assert!(e.to_string().contains("KAPublicSecurityCredentials"), "{e}");
        }
        // Not base64 at all: the body parser refuses it.
        let garbage = format!(
            "<sr:{0}><sr:ReadLogPeriod><sr:StartDateTime>2014-12-01T00:00:00Z</sr:StartDateTime><sr:EndDateTime>2014-12-02T00:00:00Z</sr:EndDateTime></sr:ReadLogPeriod><sr:KAPublicSecurityCredentials>%%%</sr:KAPublicSecurityCredentials></sr:{0}>",
            read.body
        );
        let e = t.plan(service, srv, &garbage, dt, role).unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
        // A device type served only for unknown remote parties is E11 without credentials.
        let ok = body(read.body, "2014-12-01T00:00:00Z", "2014-12-02T00:00:00Z");
        for &(dt, code) in read.urp_only {
            let e = t.plan(service, srv, &ok, dt, role).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
            let plan = t
                .plan(service, srv, &urp_body(read.body, &ka), dt, role)
                .unwrap();
            assert!(
                matches!(&plan, Plan::Command { use_case, dcc_originated: true, .. } if *use_case == code),
                "{plan:?}"
            );
        }
    }
}
