//! GCS36: send a Customer Identification Number (CIN) to a GSME (DUIS 9.1). Only the DCC sends
//! it (the Access Control Broker on behalf of the Other User who asked, as ECS50). ZSE Device
//! Management "Update CIN" (`0x06`), as the RTDS vector: issuer event id, implementation
//! date-time 0 (now), provider id 0, the CIN as a ZCL octet string. The GSME answers a ZCL
//! Default Response.
//!
//! The issuer event id follows the rule of every ZSE command the DCC builds.

use super::common::{self, CommandHeader};
use super::ecs50::Cin;
use super::settings_common::{self, CLUSTER_DEVICE_MANAGEMENT, ZclFields};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS36";
/// ZSE Device Management server→client command: Update CIN.
pub const UPDATE_CIN: u8 = 0x06;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS36,
    device_types: &[DeviceType::Gsme],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A decoded GCS36.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CinUpdate {
    /// The issuer event id.
    pub issuer_event_id: u32,
    /// The CIN.
    pub cin: Cin,
}

/// Builds the command.
pub fn gcs36_send_cin(
    h: &CommandHeader,
    issuer_event_id: u32,
    cin: Cin,
) -> Result<GeneralSigning, BuildError> {
    let mut p = Vec::with_capacity(17);
    p.extend_from_slice(&issuer_event_id.to_le_bytes());
    p.extend_from_slice(&0u32.to_le_bytes()); // implementation date-time: now
    p.extend_from_slice(&0u32.to_le_bytes()); // provider id
    settings_common::zcl_octets(&mut p, cin.as_bytes(), "CIN")?;
    settings_common::zse_command(
        h,
        MessageCode::GCS36,
        CLUSTER_DEVICE_MANAGEMENT,
        UPDATE_CIN,
        p,
    )
}

/// Decodes the command: an immediate Update CIN of a four-digit CIN.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let payload = settings_common::zse_payload(apdu, NAME, CLUSTER_DEVICE_MANAGEMENT, UPDATE_CIN)?;
    let mut f = ZclFields::new(NAME, &payload);
    let issuer_event_id = f.u32()?;
    let implementation = f.u32()?;
    let provider = f.u32()?;
    let cin = f.octets(4)?;
    f.finish()?;
    if (implementation, provider) != (0, 0) {
        return Err(common::bad(NAME, "not an immediate Update CIN"));
    }
    let cin =
        Cin::new(&cin).ok_or_else(|| common::bad(NAME, "the CIN is not four decimal digits"))?;
    Ok(DecodedCommand::Gcs36(CinUpdate {
        issuer_event_id,
        cin,
    }))
}

/// Decodes the response: the Default Response, done or its status.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    settings_common::zse_default_response(content, CLUSTER_DEVICE_MANAGEMENT, UPDATE_CIN)
}
