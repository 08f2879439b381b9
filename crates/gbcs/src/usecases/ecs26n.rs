//! ECS26n: read a Communications Hub's identity (the form for hubs of GBCS 4.0 and later); the ACB sends it, on the requester's behalf (DUIS 6.2.4). DLMS GET of class 1 attribute 2 of the model and the manufacturer ([`super::ecs26e`]'s
//! objects), as the RTDS vectors.

use super::common::{self, CommandHeader};
use super::ecs26e::{MANUFACTURER, MODEL};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS26n";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00FA);
/// The objects read, in order.
pub const OBJECTS: [CosemDescriptor; 2] = [MODEL, MANUFACTURER];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs26n_read_identity(h: &CommandHeader) -> GeneralSigning {
    super::reads_inst_common::dlms_get_many(h, MESSAGE_CODE, &OBJECTS)
}

/// Decodes the command: the objects read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs26n)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::reads_inst_common::dlms_values_response(content, OBJECTS.len())
}
