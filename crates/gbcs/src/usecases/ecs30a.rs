//! ECS30a: set the ESME's billing calendar (all periodicities, up to four entries). Critical: the builder returns the pre-command.
//! DLMS SET of class 22 `0-0:15.0.0.255` attribute 4 (`execution_time`), see
//! [`super::billing_calendar`].

use super::billing_calendar::{self, ExecutionTime};
use super::common::CommandHeader;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec, common,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS30a";
/// The ECS30a message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00D7);
/// The most entries ECS30a carries.
pub const MAX_ENTRIES: usize = 4;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the pre-command; more than [`MAX_ENTRIES`] entries, none, or an invalid one is
/// out of range.
pub fn ecs30a_set_billing_calendar(
    h: &CommandHeader,
    entries: &[ExecutionTime],
) -> Result<GeneralSigning, BuildError> {
    billing_calendar::set_command(h, MESSAGE_CODE, entries, MAX_ENTRIES)
}

/// Decodes the command: the entries set.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    billing_calendar::decode_set(apdu, NAME, MAX_ENTRIES).map(DecodedCommand::Ecs30a)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
