//! CS02a "Provide Security Credentials Details" and CS02f "Provide Security Credential Details
//! (ESME and SAPC)" (DUIS 6.24.1 Retrieve Device Security Credentials (KRP)), in their MAC'd
//! form: the DCC's Access Control Broker originates the command itself (its own counter, the
//! two-byte other-information: no user on whose behalf, as the RTDS `CS02aMAC` / `CS02fMAC`
//! vectors) and MACs it; nobody signs it. The content
//! ([`crate::credentials::CredentialDetailsRequest`]) names the ACB's key-agreement cell as the
//! authorising cell and the remote party roles asked for; the device answers, per role, its
//! status and, when it holds the party's cells, the party's current seq number and each cell's
//! key usage, cell usage, subject and subject key identifier
//! ([`crate::credentials::CredentialDetailsResponse`]).
//!
//! CS02f is CS02a's form for an ESME of GBCS 4.0 or later, which may also hold a load
//! controller's cells (role 8); the two share the content and the response.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::credentials::{
    CredentialDetailsRequest, CredentialDetailsResponse, KEY_USAGE_KA, STATUS_SUCCESS,
    TrustAnchorCell, role,
};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

/// CS02a's message code.
pub const CS02A: MessageCode = MessageCode(0x0008);
/// CS02f's message code.
pub const CS02F: MessageCode = MessageCode(0x011B);

/// CS02a.
pub static SPEC_CS02A: UseCaseSpec = UseCaseSpec {
    name: "CS02a",
    message_code: CS02A,
    device_types: &[
        DeviceType::Esme,
        DeviceType::Gsme,
        DeviceType::Chf,
        DeviceType::Gpf,
    ],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// CS02f (an ESME's).
pub static SPEC_CS02F: UseCaseSpec = UseCaseSpec {
    name: "CS02f",
    message_code: CS02F,
    device_types: &[DeviceType::Esme],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// The roles CS02a may ask for: root, recovery, supplier, network operator, ACB, transitional
/// CoS, WAN provider (GBCS RemotePartyRole 0–6).
pub const CS02A_ROLES: &[u8] = &[
    role::ROOT,
    role::RECOVERY,
    role::SUPPLIER,
    role::NETWORK_OPERATOR,
    role::ACCESS_CONTROL_BROKER,
    role::TRANSITIONAL_COS,
    role::WAN_PROVIDER,
];

/// Whether `code` is CS02f's (else CS02a's).
fn is_cs02f(code: MessageCode) -> bool {
    code == CS02F
}

/// Whether a command of use case `code` may ask for `r`: CS02a the roles 0–6, CS02f also the
/// load controller.
pub fn may_ask_for(code: MessageCode, r: u8) -> bool {
    CS02A_ROLES.contains(&r) || (is_cs02f(code) && r == role::LOAD_CONTROLLER)
}

/// The command content the ACB sends for `roles`.
pub fn content(roles: &[u8]) -> CredentialDetailsRequest {
    CredentialDetailsRequest {
        authorising_cell: TrustAnchorCell::new(role::ACCESS_CONTROL_BROKER, KEY_USAGE_KA),
        roles: roles.to_vec(),
    }
}

/// Builds the command (`code` [`CS02A`] or [`CS02F`]; `h` the ACB's header, no one on whose
/// behalf): unsigned, to be MAC'd. At least one role, none twice, each one the use case may ask
/// for.
pub fn cs02a_provide_security_credential_details(
    h: &CommandHeader,
    code: MessageCode,
    roles: &[u8],
) -> Result<GeneralSigning, BuildError> {
    if code != CS02A && code != CS02F {
        return Err(BuildError::OutOfRange("not CS02a or CS02f"));
    }
    if roles.is_empty() {
        return Err(BuildError::OutOfRange("no remote party role"));
    }
    if roles
        .iter()
        .enumerate()
        .any(|(i, r)| roles[..i].contains(r) || !may_ask_for(code, *r))
    {
        return Err(BuildError::OutOfRange("remote party roles"));
    }
    Ok(common::apdu(h, code, content(roles).encode(), false))
}

/// Decodes a CS02a / CS02f command: the content, its authorising cell the ACB's key-agreement
/// cell, every role one the use case may ask for.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let code = apdu.message_code();
    let name = if is_cs02f(code) { "CS02f" } else { "CS02a" };
    let c = CredentialDetailsRequest::decode(&apdu.content)?;
    if c.authorising_cell != TrustAnchorCell::new(role::ACCESS_CONTROL_BROKER, KEY_USAGE_KA) {
        return Err(common::bad(
            name,
            "authorising cell is not the ACB's KA cell",
        ));
    }
    if c.roles.iter().any(|&r| !may_ask_for(code, r)) {
        return Err(common::bad(name, "remote party role"));
    }
    Ok(if is_cs02f(code) {
        DecodedCommand::Cs02f(c)
    } else {
        DecodedCommand::Cs02a(c)
    })
}

/// Decodes the response: every party's details given (success), or the first status that is
/// not success (25 trust anchor not found, 127 other …).
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let r = CredentialDetailsResponse::decode(content)?;
    match r.0.iter().find(|p| p.status != STATUS_SUCCESS) {
        Some(p) => Ok(ResponseOutcome::Failure(Failure::Result { code: p.status })),
        None => Ok(ResponseOutcome::Success(ResponseValue::CredentialDetails(
            Box::new(r),
        ))),
    }
}
