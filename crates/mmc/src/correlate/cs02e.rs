//! CS02e answers 6.24.2: the pre-command must ask for the certificate of the request's
//! `CredentialType` (digital signature or key agreement).

use duis::bodies::{CredentialType, RetrieveDeviceSecurityCredentialsDevice};
use duis::{Request, Srv};
use gbcs::credentials::{KEY_USAGE_DS, KEY_USAGE_KA};
use gbcs::usecases::{DecodedCommand, cs02e};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &cs02e::SPEC,
    services: &[Srv::V6_24_2],
    check,
};

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = RetrieveDeviceSecurityCredentialsDevice::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let expected = match b.0 {
        CredentialType::DigitalSignature => KEY_USAGE_DS,
        CredentialType::KeyAgreement => KEY_USAGE_KA,
    };
    match cmd {
        DecodedCommand::Cs02e(c) if c.key_usage == expected => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "CS02e",
            what: format!("the request asks for {:?}, the pre-command {other:?}", b.0),
        }),
    }
}
