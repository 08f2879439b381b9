//! DBCH05: request a dual-band CHF's sub-GHz channel scan (DUIS 6.29). DCC-originated (ACB) on
//! the user's behalf. DLMS SET of class 1 `0-0:94.44.10.1` attribute 2 to unsigned 0 (RTDS
//! `6.29_DBCH05`); the hub answers the SET and assesses the request itself.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "DBCH05";
/// The channel scan request.
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 10, 1], 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::DBCH05,
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
pub fn dbch05_request_sub_ghz_channel_scan(h: &CommandHeader) -> GeneralSigning {
    let content = common::dlms(h, vec![RequestSpec::Set(OBJECT)], vec![Data::Unsigned(0)]);
    common::apdu(h, MessageCode::DBCH05, content, false)
}

/// Decodes the command (no parameters: the value set must be unsigned 0).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Set(OBJECT)])?;
    match req.data[..] {
        [Data::Unsigned(0)] => Ok(DecodedCommand::Dbch05),
        _ => Err(common::bad(NAME, "the scan request is not unsigned 0")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
