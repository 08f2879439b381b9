//! ECS38: set the ESME's randomised offset limit (seconds, 0–1799: the bound of the random
//! offset the meter adds to its auxiliary load switching). Critical: the builder returns the
//! pre-command. DLMS SET of class 1 `0-0:94.44.0.1` attribute 2, long-unsigned.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS38";
/// The randomised offset limit.
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 0, 1], 2);
/// The highest limit (DUIS `RandomisedOffsetLimit`, seconds).
pub const MAX_LIMIT: u16 = 1799;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS38,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the pre-command; a limit over [`MAX_LIMIT`] is out of range.
pub fn ecs38_set_randomised_offset_limit(
    h: &CommandHeader,
    limit: u16,
) -> Result<GeneralSigning, BuildError> {
    if limit > MAX_LIMIT {
        return Err(BuildError::OutOfRange("randomised offset limit"));
    }
    let content = common::dlms(
        h,
        vec![RequestSpec::Set(OBJECT)],
        vec![Data::LongUnsigned(limit)],
    );
    Ok(common::apdu(h, MessageCode::ECS38, content, true))
}

/// Decodes the command: the limit set (at most [`MAX_LIMIT`]).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Set(OBJECT)])?;
    match req.data[..] {
        [Data::LongUnsigned(v)] if v <= MAX_LIMIT => Ok(DecodedCommand::Ecs38(v)),
        _ => Err(common::bad(NAME, "not a limit of 0 to 1799 seconds")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
