//! GCS39: arm the gas valve (arm supply): the valve stays closed until the consumer opens it at
//! the meter. Critical: the builder returns the pre-command. ZSE Metering "Change Supply"
//! (`0x0B`) as GCS32 (see [`super::gcs32`] for the Issuer Event ID), proposing ARMED; the GSME
//! answers with a Supply Status Response. The use case is not future dated (DUIS 7.3 carries no
//! execution time): the implementation date-time is 0 (now).

use super::common::CommandHeader;
use super::gcs32::{self, ChangeSupply};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS39";
/// ZSE proposed supply status: ARMED.
pub const SUPPLY_ARMED: u8 = 0x01;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS39,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the pre-command with the given issuer event id ([`gcs32::issuer_event_id`]).
pub fn gcs39_arm_supply(
    h: &CommandHeader,
    issuer_event_id: u32,
) -> Result<GeneralSigning, BuildError> {
    gcs32::build_change_supply(h, MessageCode::GCS39, issuer_event_id, 0, SUPPLY_ARMED)
}

/// Decodes the command: the Change Supply parameters; the proposed status must be ARMED and the
/// implementation date-time 0.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let change: ChangeSupply = gcs32::decode_change_supply(apdu, NAME, SUPPLY_ARMED)?;
    if change.implementation_date_time != 0 {
        return Err(super::common::bad(NAME, "GCS39 is not future dated"));
    }
    Ok(DecodedCommand::Gcs39(change))
}

/// Decodes the response: the Supply Status Response, or the ZCL Default Response failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    gcs32::decode_response(content)
}
