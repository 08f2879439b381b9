//! GCS11: disable privacy PIN protection on a GSME (DUIS 3.5). ZSE Device Management "Request
//! New Password Response" (`0x02`), as the RTDS vector: issuer event id, implementation
//! date-time 0 (now), duration 0, password type 2 (the consumer's), an empty password. The GSME
//! answers a ZCL Default Response.
//!
//! The issuer event id follows the rule of every ZSE command the DCC builds
//! ([`super::issuer_event_id`]).

use super::common::{self, CommandHeader};
use super::settings_common::{self, CLUSTER_DEVICE_MANAGEMENT, ZclFields};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS11";
/// ZSE Device Management server→client command: Request New Password Response.
pub const REQUEST_NEW_PASSWORD_RESPONSE: u8 = 0x02;
/// The password type GCS11 clears (ZSE password 2, the consumer's).
pub const PASSWORD_TYPE: u8 = 0x02;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS11,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A decoded GCS11: the issuer event id (the rest is GBCS's constant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasswordCleared {
    /// The issuer event id.
    pub issuer_event_id: u32,
}

/// Builds the command.
pub fn gcs11_disable_privacy_pin(
    h: &CommandHeader,
    issuer_event_id: u32,
) -> Result<GeneralSigning, BuildError> {
    let mut p = Vec::with_capacity(12);
    p.extend_from_slice(&issuer_event_id.to_le_bytes());
    p.extend_from_slice(&0u32.to_le_bytes()); // implementation date-time: now
    p.extend_from_slice(&0u16.to_le_bytes()); // duration
    p.push(PASSWORD_TYPE);
    p.push(0); // the empty password
    settings_common::zse_command(
        h,
        MessageCode::GCS11,
        CLUSTER_DEVICE_MANAGEMENT,
        REQUEST_NEW_PASSWORD_RESPONSE,
        p,
    )
}

/// Decodes the command: an immediate clearing of password 2 (empty password).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let payload = settings_common::zse_payload(
        apdu,
        NAME,
        CLUSTER_DEVICE_MANAGEMENT,
        REQUEST_NEW_PASSWORD_RESPONSE,
    )?;
    let mut f = ZclFields::new(NAME, &payload);
    let issuer_event_id = f.u32()?;
    let implementation = f.u32()?;
    let duration = f.u16()?;
    let password_type = f.u8()?;
    let password = f.octets(0)?;
    f.finish()?;
    if (implementation, duration, password_type) != (0, 0, PASSWORD_TYPE) || !password.is_empty() {
        return Err(common::bad(
            NAME,
            "not an immediate clearing of the consumer password",
        ));
    }
    Ok(DecodedCommand::Gcs11(PasswordCleared { issuer_event_id }))
}

/// Decodes the response: the Default Response, done or its status.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    settings_common::zse_default_response(
        content,
        CLUSTER_DEVICE_MANAGEMENT,
        REQUEST_NEW_PASSWORD_RESPONSE,
    )
}
