//! ECS17b: read ESME energy registers (import), a protected read: DLMS ACTION class 30 method 1
//! (get protected attributes) with the protection parameters bound to this command's counter and
//! titles. The device answers with a block encrypted to the requester.

use super::common::{CommandHeader, OBIS_DATA_PROTECTION, OBIS_IMPORT_REGISTERS};
use super::reads_inst_common;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS17b";
/// Data protection, method 1 (get protected attributes).
pub const GET_PROTECTED: CosemDescriptor = CosemDescriptor::new(30, OBIS_DATA_PROTECTION, 1);
/// The protected object the use case reads: the import energy register set, attribute 2.
pub const IMPORT_REGISTERS: CosemDescriptor = CosemDescriptor::new(1, OBIS_IMPORT_REGISTERS, 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS17B,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs17b_read_import_energy_registers(h: &CommandHeader) -> GeneralSigning {
    reads_inst_common::protected_read_command(
        h,
        MessageCode::ECS17B,
        GET_PROTECTED,
        &[IMPORT_REGISTERS],
    )
}

/// Decodes the command: the protected objects. The protection parameters must be bound to this
/// command (its counter, originator and recipient); only the use case's object is accepted.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_inst_common::decode_protected_read(apdu, NAME, GET_PROTECTED, &[IMPORT_REGISTERS])
        .map(DecodedCommand::Ecs17b)
}

/// Decodes the response: the protected block, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_inst_common::protected_read_response(content)
}
