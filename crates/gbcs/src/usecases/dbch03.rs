//! DBCH03: read a dual-band CHF's sub-GHz configuration (DUIS 6.30). DCC-originated (ACB) on
//! the user's behalf. DLMS GET of class 1 `0-0:94.44.10.0` attribute 2, answered with the
//! configuration DBCH04 sets ([`SubGhzConfiguration`]).

use super::common::{self, CommandHeader};
use super::dbch04::{OBJECT, SubGhzConfiguration};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "DBCH03";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::DBCH03,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn dbch03_read_sub_ghz_configuration(h: &CommandHeader) -> GeneralSigning {
    common::dlms_get_command(h, MessageCode::DBCH03, OBJECT)
}

/// Decodes the command: the object read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &[OBJECT]).map(|_| DecodedCommand::Dbch03)
}

/// Decodes the response: the configuration, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_value_response(content, "not a sub-GHz configuration", |d| {
        SubGhzConfiguration::from_data(d).map(ResponseValue::SubGhzConfiguration)
    })
}
