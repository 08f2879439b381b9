//! ECS43: remotely open the load switch (disable supply). Critical: the builder returns the
//! pre-command. DLMS ACTION script table `0-0:10.0.106.255` execute, script 52.

use super::common::{self, CommandHeader};
use super::ecs42;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS43";
/// The script that opens the load switch.
pub const SCRIPT_DISABLE: u16 = 0x0034;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS43,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the pre-command.
pub fn ecs43_disable_supply(h: &CommandHeader) -> GeneralSigning {
    ecs42::build(h, MessageCode::ECS43, SCRIPT_DISABLE)
}

/// Decodes the command: the script executed.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ecs42::decode(apdu, NAME, SCRIPT_DISABLE).map(DecodedCommand::Ecs43)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
