//! ECS26c: read the ESME's randomisation configuration (DUIS 6.2.2
//! `ReadDeviceConfigurationRandomisation`). Not critical. DLMS GETs of attribute 2 of three
//! class 1 objects, in the order every RTDS 6.2.2 vector carries: `0-0:94.44.0.0`,
//! `0-0:94.44.0.2` and `0-0:94.44.0.1` (the randomised offset limit 7.12 ECS38 sets), each
//! long-unsigned seconds.

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS26c";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x003D);

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

/// `0-0:94.44.0.0`: the randomised offset number (seconds; this implementation's reading of
/// the object the RTDS reads first).
pub const OFFSET_NUMBER: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 0, 0], 2);
/// `0-0:94.44.0.2`: the randomisation offset period (seconds; this implementation's reading).
pub const OFFSET_PERIOD: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 0, 2], 2);
/// `0-0:94.44.0.1`: the randomised offset limit (ECS38).
pub const OFFSET_LIMIT: CosemDescriptor = super::ecs38::OBJECT;

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 3] = [OFFSET_NUMBER, OFFSET_PERIOD, OFFSET_LIMIT];

/// Builds the command.
pub fn ecs26c_read_randomisation(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, MESSAGE_CODE, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs26c)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
