//! ECS25r2: read the network operator's two filters (WAN alerts, logging) of an ESME (DUIS 6.2.10). DLMS GETs of the filters'
//! read objects (see [`super::alert_behaviour_common`]); the answer is one 256-bit bit-string
//! per filter.

use super::alert_behaviour_common::{self as ab, AlertFilter};
use super::common::{CommandHeader, DlmsRead};
use super::reads_inst_common as ri;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS25r2";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x00EF);
/// The filters read, in request order.
pub const FILTERS: &[AlertFilter] = &AlertFilter::NETWORK_OPERATOR;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ecs25r2_read_alert_behaviours(h: &CommandHeader) -> GeneralSigning {
    ab::esme_read_command(h, CODE, FILTERS)
}

/// Decodes the command: the objects read (exactly the use case's).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ri::decode_dlms_get_many(apdu, NAME, &ab::read_objects(FILTERS))
        .map(|r: DlmsRead| DecodedCommand::Ecs25r2(r))
}

/// Decodes the response: each filter's bit-string in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ab::esme_read_response(content, FILTERS)
}
