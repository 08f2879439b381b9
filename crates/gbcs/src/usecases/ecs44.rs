//! ECS44: arm the ESME load switch (arm supply): the supply stays off until the consumer
//! enables it at the meter. Critical: the builder returns the pre-command. DLMS ACTION script
//! table `0-0:10.0.106.255` execute, script 54.

use super::common::{self, CommandHeader};
use super::ecs42;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS44";
/// The script that arms the load switch.
pub const SCRIPT_ARM: u16 = 0x0036;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS44,
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
pub fn ecs44_arm_supply(h: &CommandHeader) -> GeneralSigning {
    ecs42::build(h, MessageCode::ECS44, SCRIPT_ARM)
}

/// Decodes the command: the script executed.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ecs42::decode(apdu, NAME, SCRIPT_ARM).map(DecodedCommand::Ecs44)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
