//! CS02c answers 6.17 Issue Security Credentials, CS02d 6.15.2 Update Security Credentials
//! (Device): the CS02c pre-command must ask for the key usage of the request's
//! `CredentialType`; the CS02d pre-command must carry exactly the request's
//! `DeviceCertificate`.

use duis::bodies::{CredentialType, IssueSecurityCredentials, UpdateSecurityCredentialsDevice};
use duis::{Request, Srv};
use gbcs::credentials::{KEY_USAGE_DS, KEY_USAGE_KA};
use gbcs::usecases::{DecodedCommand, cs02c, cs02d};

use super::{Correlation, Mismatch};

/// CS02c.
pub static CS02C: Correlation = Correlation {
    use_case: &cs02c::SPEC,
    services: &[Srv::V6_17],
    check: check_cs02c,
};

/// CS02d.
pub static CS02D: Correlation = Correlation {
    use_case: &cs02d::SPEC,
    services: &[Srv::V6_15_2],
    check: check_cs02d,
};

fn check_cs02c(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = IssueSecurityCredentials::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let expected = match b.credential_type {
        CredentialType::DigitalSignature => KEY_USAGE_DS,
        CredentialType::KeyAgreement => KEY_USAGE_KA,
    };
    match cmd {
        DecodedCommand::Cs02c(u) if *u == expected => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "CS02c",
            what: format!(
                "the request asks for {:?}, the pre-command {other:?}",
                b.credential_type
            ),
        }),
    }
}

fn check_cs02d(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = UpdateSecurityCredentialsDevice::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Cs02d(c) if *c == b.certificate => Ok(()),
        _ => Err(Mismatch::Parameter {
            use_case: "CS02d",
            what: "the pre-command does not carry the request's DeviceCertificate".into(),
        }),
    }
}
