//! ECS29f: reset the RMS voltage event counters of a polyphase ESME (DLMS ACTION method 1 of each
//! phase's under- and over-voltage counter, `integer 0`; [`super::voltage`]).

use super::common::CommandHeader;
use super::voltage::{self, RESET_POLY_PHASE};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS29f";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00D4);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs29f_reset_rms_voltage_counters(h: &CommandHeader) -> GeneralSigning {
    voltage::reset_counters_command(h, MESSAGE_CODE, &RESET_POLY_PHASE)
}

/// Decodes the command (no parameters).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    voltage::decode_reset_counters(apdu, NAME, &RESET_POLY_PHASE).map(|()| DecodedCommand::Ecs29f)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    voltage::done_response(content, RESET_POLY_PHASE.len())
}
