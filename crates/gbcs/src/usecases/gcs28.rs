//! GCS28: set the GSME clock (also commissioning). Critical: the builder returns the
//! pre-command. ASN.1 `SEQUENCE { start GeneralizedTime, end GeneralizedTime }`; the GSME answers
//! `SEQUENCE { deviceTime GeneralizedTime, result INTEGER }` (0 success, 2 outside the validity
//! interval).

use super::common::{self, ClockValidity, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::asn1::{TAG_GENERALIZED_TIME, TAG_SEQUENCE, Tlv, TlvValue};
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS28";
/// GCS28 result: the device's time is outside the validity interval.
pub const RESULT_OUTSIDE_VALIDITY: u8 = 2;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS28,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the pre-command: the validity interval runs from `current` to
/// `current + tolerance_secs`.
pub fn gcs28_set_clock(
    h: &CommandHeader,
    current: UtcDateTime,
    tolerance_secs: u32,
) -> Result<GeneralSigning, BuildError> {
    let ClockValidity { start, end } = ClockValidity::from_tolerance(current, tolerance_secs)?;
    let t = |u: UtcDateTime| {
        u.to_generalized_time()
            .to_tlv()
            .ok_or(BuildError::OutOfRange("date-time"))
    };
    let content = Tlv::constructed(TAG_SEQUENCE, vec![t(start)?, t(end)?]).encode();
    Ok(common::apdu(h, MessageCode::GCS28, content, true))
}

fn time(t: &Tlv) -> Option<UtcDateTime> {
    if t.long_length.is_some() {
        return None;
    }
    common::primitive(t, TAG_GENERALIZED_TIME).and_then(UtcDateTime::from_generalized_time)
}

/// Decodes the command: the validity interval (start not after end).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let t = Tlv::decode(&apdu.content)?;
    let (true, TlvValue::Constructed(times), None) =
        (t.tag == [TAG_SEQUENCE], &t.value, t.long_length)
    else {
        return Err(common::bad(NAME, "content is not a SEQUENCE"));
    };
    let [start, end] = &times[..] else {
        return Err(common::bad(NAME, "SEQUENCE does not hold two times"));
    };
    let (Some(start), Some(end)) = (time(start), time(end)) else {
        return Err(common::bad(NAME, "not GeneralizedTime YYYYMMDDHHMMSSZ"));
    };
    ClockValidity::checked(NAME, start, end).map(DecodedCommand::Gcs28)
}

/// Decodes the response: the device time on success, else the result code.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let children = common::asn1_sequence(content)?;
    let [device_time, result] = &children[..] else {
        return Err(ResponseDecodeError::Format(
            "GCS28 response has two members",
        ));
    };
    let device_time = time(device_time).ok_or(ResponseDecodeError::Format(
        "device time is not a GeneralizedTime",
    ))?;
    match common::small_integer(result) {
        Some(0) => Ok(ResponseOutcome::Success(ResponseValue::ClockSet {
            device_time,
        })),
        Some(code) => Ok(ResponseOutcome::Failure(Failure::Result { code })),
        None => Err(ResponseDecodeError::Format("result is not a small INTEGER")),
    }
}
