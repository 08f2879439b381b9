//! ECS40: read the MPANs of an ESME (DUIS 6.2.7). DLMS GET of the import MPAN (class 1
//! `0-0:94.44.34.11` attribute 2: one MPAN, or a twin element meter's two) and the export MPAN
//! (class 1 `1-0:0.0.2.255` attribute 2), as the RTDS vectors; the answer is both octet strings.

use super::common::{self, CommandHeader};
use super::ecs39a::{EXPORT_MPAN, IMPORT_MPAN};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS40";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x004E);
/// The objects read, in order.
pub const OBJECTS: [CosemDescriptor; 2] = [IMPORT_MPAN, EXPORT_MPAN];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs40_read_mpan(h: &CommandHeader) -> GeneralSigning {
    super::reads_inst_common::dlms_get_many(h, MESSAGE_CODE, &OBJECTS)
}

/// Decodes the command: the objects read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs40)
}

/// Decodes the response: the import and export MPAN octet strings, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::reads_inst_common::dlms_values_response(content, OBJECTS.len())
}
