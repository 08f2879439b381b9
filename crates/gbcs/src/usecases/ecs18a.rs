//! ECS18a: read maximum demand registers (export): the reset date-time and the export maximum demand (class 4 `1.0.2.6.0.255`: value, scaler-unit, capture time). DLMS GETs.

use super::common::CommandHeader;
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS18a";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x002B);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// When the export maximum demand was last reset.
pub const RESET_TIME: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 5, 2], 2);
/// Export maximum demand, value.
pub const MAX_DEMAND: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 2, 6, 0, 255], 2);
/// Its scaler and unit.
pub const MAX_DEMAND_SCALER: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 2, 6, 0, 255], 3);
/// When it was captured.
pub const MAX_DEMAND_TIME: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 2, 6, 0, 255], 5);

/// The objects read, in request order.
pub const OBJECTS: [CosemDescriptor; 4] =
    [RESET_TIME, MAX_DEMAND, MAX_DEMAND_SCALER, MAX_DEMAND_TIME];

/// Builds the command.
pub fn ecs18a_read_export_max_demand(h: &CommandHeader) -> GeneralSigning {
    ri::dlms_get_many(h, CODE, &OBJECTS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &OBJECTS).map(DecodedCommand::Ecs18a)
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, OBJECTS.len())
}
