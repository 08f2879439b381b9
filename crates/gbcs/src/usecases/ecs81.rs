//! ECS81: set the ESME's supply tamper state (DUIS 6.25 `SetElectricitySupplyTamperState`).
//! Critical: the builder returns the pre-command. DLMS SET of class 1 `0-0:94.44.0.4`
//! attribute 2, boolean: `Locked` (true, `FF` as every RTDS 6.25 vector carries it: a supply
//! tamper event locks the supply) or `Unchanged` (false).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS81";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0068);
/// The supply tamper state.
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 0, 4], 2);

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

/// Builds the pre-command: `locked`, a supply tamper event locks the supply.
pub fn ecs81_set_supply_tamper_state(h: &CommandHeader, locked: bool) -> GeneralSigning {
    let v = Data::Boolean(if locked { 0xFF } else { 0x00 });
    let content = common::dlms(h, vec![RequestSpec::Set(OBJECT)], vec![v]);
    common::apdu(h, MESSAGE_CODE, content, true)
}

/// Decodes the command: locked (`FF`) or unchanged (`00`).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Set(OBJECT)])?;
    match req.data[..] {
        [Data::Boolean(0xFF)] => Ok(DecodedCommand::Ecs81(true)),
        [Data::Boolean(0x00)] => Ok(DecodedCommand::Ecs81(false)),
        _ => Err(common::bad(
            NAME,
            "supply tamper state is neither 00 nor FF",
        )),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
