//! ECS17e: read ESME energy register (TOU with blocks): the TOU-with-blocks register matrix, a protected read: DLMS ACTION class 30 `0.0.43.2.10.255` method 1 (get protected
//! attributes) on class 1 `0.0.94.44.34.2` attribute 2, the protection parameters bound to
//! this command's counter and titles. The device answers with a block encrypted to the requester;
//! the DCC passes it through unread.

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS17e";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x002A);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Data protection, method 1 (get protected attributes).
pub const GET_PROTECTED: CosemDescriptor = CosemDescriptor::new(30, [0, 0, 43, 2, 10, 255], 1);
/// The protected object read, attribute 2.
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 34, 2], 2);

/// Builds the command.
pub fn ecs17e_read_tou_block_registers(h: &CommandHeader) -> GeneralSigning {
    ri::protected_read_command(h, CODE, GET_PROTECTED, &[OBJECT])
}

/// Decodes the command: the protected objects (only the use case's), bound to this command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_protected_read(apdu, NAME, GET_PROTECTED, &[OBJECT]).map(DecodedCommand::Ecs17e)
}

/// Decodes the response: the protected block, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::protected_read_response(content)
}
