//! ECS61d: read the ESME's auxiliary controller configuration data (DUIS 7.14): each
//! controller's description ([`super::ecs61a::description`]) and the auxiliary load calendar's
//! special days table and schedule ([`super::ecs61a::SPECIAL_DAYS`], [`super::ecs61a::SCHEDULE`]).
//! DLMS GETs of attribute 2, in that order, as the RTDS 4.5.0 vectors (the SUCCESS one carried
//! by the ACB on the supplier's behalf, the ERROR one sent by the supplier).

use super::common::CommandHeader;
use super::ecs61a::{SCHEDULE, SPECIAL_DAYS, description};
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS61d";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS61D,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 7] = [
    description(1),
    description(2),
    description(3),
    description(4),
    description(5),
    SPECIAL_DAYS,
    SCHEDULE,
];

/// Builds the command.
pub fn ecs61d_read_auxiliary_controller_configuration(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, MessageCode::ECS61D, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs61d)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
