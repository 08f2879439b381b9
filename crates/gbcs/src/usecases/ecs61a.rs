//! ECS61a: read the ESME's auxiliary load switch data: each switch's description (class 1
//! `0-0:94.44.0.(10+n)`) and HCALCS identity (class 1 `0-0:94.44.0.(20+n)`, an EUI-64), the
//! auxiliary load calendar's special days table (class 11 `0-0:11.0.3.255`) and schedule
//! (class 10 `0-0:12.0.2.255`), and each switch's output state (class 70
//! `0-n:96.3.10.255` attribute 2, a boolean: on). DLMS GETs of attribute 2, in that order, as the
//! RTDS 4.5.0 vector (`ALL_OPTIONALS`).

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS61a";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS61A,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Switch `n`'s description (visible string).
pub const fn description(n: u8) -> CosemDescriptor {
    CosemDescriptor::new(1, [0, 0, 94, 44, 0, 10 + n], 2)
}

/// Switch `n`'s HCALCS identity (octet string, an EUI-64; zero for a switch in the ESME).
pub const fn hcalcs_id(n: u8) -> CosemDescriptor {
    CosemDescriptor::new(1, [0, 0, 94, 44, 0, 20 + n], 2)
}

/// The auxiliary load calendar's special days table (class 11, entries).
pub const SPECIAL_DAYS: CosemDescriptor = CosemDescriptor::new(11, [0, 0, 11, 0, 3, 0xFF], 2);
/// The auxiliary load calendar's schedule (class 10, entries).
pub const SCHEDULE: CosemDescriptor = CosemDescriptor::new(10, [0, 0, 12, 0, 2, 0xFF], 2);

/// Switch `n`'s output state (class 70 disconnect control, attribute 2: true on).
pub const fn output_state(n: u8) -> CosemDescriptor {
    CosemDescriptor::new(70, [0, n, 96, 3, 10, 0xFF], 2)
}

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 17] = [
    description(1),
    description(2),
    description(3),
    description(4),
    description(5),
    hcalcs_id(1),
    hcalcs_id(2),
    hcalcs_id(3),
    hcalcs_id(4),
    hcalcs_id(5),
    SPECIAL_DAYS,
    SCHEDULE,
    output_state(1),
    output_state(2),
    output_state(3),
    output_state(4),
    output_state(5),
];

/// Builds the command.
pub fn ecs61a_read_auxiliary_load_switch_data(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, MessageCode::ECS61A, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs61a)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
