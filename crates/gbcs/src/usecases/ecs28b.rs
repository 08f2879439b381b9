//! ECS28b: reset the ESME's load limit counter (DUIS 6.4.2
//! `UpdateDeviceConfigurationLoadLimitingCounterReset`). Not critical. DLMS ACTION on the load
//! limit counter (class 3 `0-0:94.44.42.255`) method 1 `reset`, parameter integer 0 (as every
//! RTDS 6.4.2 vector carries). The ESME answers the action's result.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS28b";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0044);
/// The load limit counter (class 3), method 1 `reset`.
pub const RESET_COUNTER: CosemDescriptor = CosemDescriptor::new(3, [0, 0, 94, 44, 42, 0xFF], 1);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs28b_reset_load_limit_counter(h: &CommandHeader) -> GeneralSigning {
    common::fixed_action(h, MESSAGE_CODE, RESET_COUNTER, Data::Integer(0), false)
}

/// Decodes the command: exactly the counter's reset.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::decode_fixed_action(
        apdu,
        NAME,
        RESET_COUNTER,
        &Data::Integer(0),
        "not the load limit counter reset",
    )?;
    Ok(DecodedCommand::Ecs28b)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
