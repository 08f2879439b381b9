//! ECS27: read ESME load limit data: the load limit supply state flag, the load limit counter (class 3, value and scaler-unit) and the limiter's threshold and minimum over- and under-threshold durations (class 71 `0.0.17.0.0.255`). DLMS GETs.

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS27";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x0042);

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

/// Whether a load limit event is in progress (boolean).
pub const SUPPLY_STATE_FLAG: CosemDescriptor = CosemDescriptor::new(9000, [0, 0, 94, 44, 0, 3], 2);
/// Load limit counter, value.
pub const COUNTER: CosemDescriptor = CosemDescriptor::new(3, [0, 0, 94, 44, 42, 255], 2);
/// Its scaler and unit.
pub const COUNTER_SCALER: CosemDescriptor = CosemDescriptor::new(3, [0, 0, 94, 44, 42, 255], 3);
/// Limiter: active threshold (W).
pub const THRESHOLD: CosemDescriptor = CosemDescriptor::new(71, [0, 0, 17, 0, 0, 255], 4);
/// Limiter: minimum over-threshold duration (s).
pub const MIN_OVER_THRESHOLD: CosemDescriptor = CosemDescriptor::new(71, [0, 0, 17, 0, 0, 255], 6);
/// Limiter: minimum under-threshold duration (s).
pub const MIN_UNDER_THRESHOLD: CosemDescriptor = CosemDescriptor::new(71, [0, 0, 17, 0, 0, 255], 7);

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 6] = [
    SUPPLY_STATE_FLAG,
    COUNTER,
    COUNTER_SCALER,
    THRESHOLD,
    MIN_OVER_THRESHOLD,
    MIN_UNDER_THRESHOLD,
];

/// Builds the command.
pub fn ecs27_read_load_limit_data(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, CODE, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs27)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
