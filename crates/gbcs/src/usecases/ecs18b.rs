//! ECS18b: read maximum demand registers (import): the reset date-times, the import maximum demand and the configurable-period maximum demand (class 4, value, scaler-unit, capture time) and the configurable period's schedule (class 10). DLMS GETs.

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS18b";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x002C);

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

/// When the import maximum demand was last reset.
pub const RESET_TIME: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 5, 0], 2);
/// When the configurable-period maximum demand was last reset.
pub const CONFIGURABLE_RESET_TIME: CosemDescriptor =
    CosemDescriptor::new(1, [0, 0, 94, 44, 5, 1], 2);
/// Import maximum demand, value.
pub const MAX_DEMAND: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 1, 6, 0, 255], 2);
/// Its scaler and unit.
pub const MAX_DEMAND_SCALER: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 1, 6, 0, 255], 3);
/// When it was captured.
pub const MAX_DEMAND_TIME: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 1, 6, 0, 255], 5);
/// Import maximum demand in the configurable period, value.
pub const CONFIGURABLE_MAX_DEMAND: CosemDescriptor =
    CosemDescriptor::new(4, [1, 0, 1, 6, 1, 255], 2);
/// Its scaler and unit.
pub const CONFIGURABLE_MAX_DEMAND_SCALER: CosemDescriptor =
    CosemDescriptor::new(4, [1, 0, 1, 6, 1, 255], 3);
/// When it was captured.
pub const CONFIGURABLE_MAX_DEMAND_TIME: CosemDescriptor =
    CosemDescriptor::new(4, [1, 0, 1, 6, 1, 255], 5);
/// The schedule that opens and closes the configurable period.
pub const CONFIGURABLE_PERIOD: CosemDescriptor = CosemDescriptor::new(10, [0, 0, 12, 0, 0, 255], 2);

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 9] = [
    RESET_TIME,
    CONFIGURABLE_RESET_TIME,
    MAX_DEMAND,
    MAX_DEMAND_SCALER,
    MAX_DEMAND_TIME,
    CONFIGURABLE_MAX_DEMAND,
    CONFIGURABLE_MAX_DEMAND_SCALER,
    CONFIGURABLE_MAX_DEMAND_TIME,
    CONFIGURABLE_PERIOD,
];

/// Builds the command.
pub fn ecs18b_read_import_max_demand(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, CODE, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs18b)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
