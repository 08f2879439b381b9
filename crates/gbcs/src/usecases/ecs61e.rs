//! ECS61e: read the ESME's auxiliary controller operational data (DUIS 7.15): each controller's
//! HCALCS identity ([`super::ecs61a::hcalcs_id`], an octet string) and its operational state
//! (class 1 `0-0:94.44.0.(30+n)` attribute 2, a UTF-8 string holding a JSON object such as
//! `{"outputState": 100, "inputState": 0}`, the output and input levels in percent). DLMS GETs of
//! attribute 2, in that order, as the RTDS 4.5.0 vectors.

use super::common::CommandHeader;
use super::ecs61a::hcalcs_id;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS61e";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS61E,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Controller `n`'s operational state (UTF-8 JSON).
pub const fn operational_state(n: u8) -> CosemDescriptor {
    CosemDescriptor::new(1, [0, 0, 94, 44, 0, 30 + n], 2)
}

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 10] = [
    hcalcs_id(1),
    hcalcs_id(2),
    hcalcs_id(3),
    hcalcs_id(4),
    hcalcs_id(5),
    operational_state(1),
    operational_state(2),
    operational_state(3),
    operational_state(4),
    operational_state(5),
];

/// The operational state a device answers: `{"outputState": <output>, "inputState": <input>}`
/// (the RTDS layout).
pub fn operational_state_json(output: u8, input: u8) -> Vec<u8> {
    format!("{{\"outputState\": {output}, \"inputState\": {input}}}").into_bytes()
}

/// Builds the command.
pub fn ecs61e_read_auxiliary_controller_operational(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, MessageCode::ECS61E, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs61e)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
