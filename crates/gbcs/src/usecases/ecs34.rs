//! ECS34: set the ESME's instantaneous power thresholds (low/medium and medium/high, W: the
//! levels an IHD shows as green, amber, red). DLMS SET of class 21 `0-0:16.0.0.255` attribute 2,
//! an array of two double-long-unsigned; [`super::voltage::PowerThresholds::check`] is the rule.

use super::common::{self, CommandHeader};
use super::voltage::{POWER_THRESHOLDS, PowerThresholds};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::RequestSpec;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS34";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0047);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// The thresholds as the attribute holds them.
pub fn thresholds_value(t: &PowerThresholds) -> Data {
    Data::Array(vec![
        Data::DoubleLongUnsigned(t.low_medium),
        Data::DoubleLongUnsigned(t.medium_high),
    ])
}

/// Builds the command; thresholds that fail [`PowerThresholds::check`] are out of range.
pub fn ecs34_set_power_thresholds(
    h: &CommandHeader,
    t: &PowerThresholds,
) -> Result<GeneralSigning, BuildError> {
    t.check()
        .map_err(|_| BuildError::OutOfRange("instantaneous power thresholds"))?;
    let content = common::dlms(
        h,
        vec![RequestSpec::Set(POWER_THRESHOLDS)],
        vec![thresholds_value(t)],
    );
    Ok(common::apdu(h, MESSAGE_CODE, content, false))
}

/// Decodes the command: the two thresholds.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Set(POWER_THRESHOLDS)])?;
    let t = match &req.data[..] {
        [Data::Array(a)] => match a[..] {
            [
                Data::DoubleLongUnsigned(low_medium),
                Data::DoubleLongUnsigned(medium_high),
            ] => PowerThresholds {
                low_medium,
                medium_high,
            },
            _ => return Err(common::bad(NAME, "not two double-long-unsigned thresholds")),
        },
        _ => return Err(common::bad(NAME, "not an array of thresholds")),
    };
    t.check().map_err(|why| common::bad(NAME, why))?;
    Ok(DecodedCommand::Ecs34(t))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
