//! GCS07: display a supplier message on a GSME (and the IHD that shows the meter's messages;
//! DUIS 3.1). ZSE Messaging "Display Message" (`0x00`), as the RTDS vector: message id, message
//! control 0, start time 0 (now), duration `FFFF` (until replaced), the message. The GSME
//! answers a ZCL Default Response.
//!
//! The message id follows the rule of every ZSE command the DCC builds
//! ([`super::issuer_event_id`]: the DCC's time in ZigBee UTC seconds).

use super::common::{self, CommandHeader};
use super::ecs10::{MAX_MESSAGE, SupplierMessage};
use super::settings_common::{self, ZclFields};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS07";
/// ZSE Messaging cluster.
pub const CLUSTER_MESSAGING: u16 = 0x0703;
/// ZSE Messaging server→client command: Display Message.
pub const DISPLAY_MESSAGE: u8 = 0x00;
/// Duration in minutes meaning "until changed".
pub const UNTIL_CHANGED: u16 = 0xFFFF;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS07,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A decoded Display Message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageDisplay {
    /// The message id.
    pub message_id: u32,
    /// The message.
    pub message: SupplierMessage,
}

/// Builds the command.
pub fn gcs07_display_message(
    h: &CommandHeader,
    message_id: u32,
    m: &SupplierMessage,
) -> Result<GeneralSigning, BuildError> {
    let mut p = Vec::with_capacity(12 + m.as_bytes().len());
    p.extend_from_slice(&message_id.to_le_bytes());
    p.push(0); // message control
    p.extend_from_slice(&0u32.to_le_bytes()); // start time: now
    p.extend_from_slice(&UNTIL_CHANGED.to_le_bytes());
    settings_common::zcl_octets(&mut p, m.as_bytes(), "supplier message")?;
    settings_common::zse_command(h, MessageCode::GCS07, CLUSTER_MESSAGING, DISPLAY_MESSAGE, p)
}

/// Decodes the command: the message id and the message, shown now until changed.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let payload = settings_common::zse_payload(apdu, NAME, CLUSTER_MESSAGING, DISPLAY_MESSAGE)?;
    let mut f = ZclFields::new(NAME, &payload);
    let message_id = f.u32()?;
    let control = f.u8()?;
    let start = f.u32()?;
    let duration = f.u16()?;
    let message = f.octets(MAX_MESSAGE)?;
    f.finish()?;
    if (control, start, duration) != (0, 0, UNTIL_CHANGED) {
        return Err(common::bad(
            NAME,
            "message control, start time or duration are not GBCS's",
        ));
    }
    Ok(DecodedCommand::Gcs07(MessageDisplay {
        message_id,
        message: SupplierMessage::decoded(NAME, message)?,
    }))
}

/// Decodes the response: the Default Response, done or its status.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    settings_common::zse_default_response(content, CLUSTER_MESSAGING, DISPLAY_MESSAGE)
}
