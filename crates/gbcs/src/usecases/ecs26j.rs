//! ECS26j: read an ESME's payment mode (DUIS 6.2.9). DLMS GET of the Account (class 111
//! `0-0:19.0.0.255`) attribute 2, `account_mode_and_status`, as the RTDS vectors: a structure of
//! the payment mode (enum: 1 credit, 2 prepayment) and the account status (enum: 2 active).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS26j";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00BE);
/// The account's mode and status (class 111, attribute 2).
pub const ACCOUNT_MODE_AND_STATUS: CosemDescriptor =
    CosemDescriptor::new(111, [0, 0, 19, 0, 0, 0xFF], 2);
/// `payment_mode`: credit mode.
pub const MODE_CREDIT: u8 = 1;
/// `payment_mode`: prepayment mode.
pub const MODE_PREPAYMENT: u8 = 2;
/// `account_status`: active.
pub const STATUS_ACTIVE: u8 = 2;

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
pub fn ecs26j_read_payment_mode(h: &CommandHeader) -> GeneralSigning {
    common::dlms_get_command(h, MESSAGE_CODE, ACCOUNT_MODE_AND_STATUS)
}

/// Decodes the command: the object read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &[ACCOUNT_MODE_AND_STATUS]).map(DecodedCommand::Ecs26j)
}

/// Decodes the response: the mode-and-status structure, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::reads_inst_common::dlms_values_response(content, 1)
}
