//! CS01b: apply a prepayment top-up to a GSME (DUIS 2.2). Non-critical (GBCS: SME.C.NC, with
//! the UTRN's own protection, [`crate::utrn`]). ZSE Prepayment "Consumer Top Up" (`0x04`):
//! originating device (0, the ESI, as the RTDS vectors carry) and the UTRN's 20 ASCII digits as
//! a ZCL octet string. The GSME answers a Consumer Top Up Response (`0x03`): the result type
//! (0 accepted, 1 rejected as invalid, 2 rejected as a duplicate, …), the value added and the
//! credit remaining (both `0xFFFFFFFF` on a refusal, as in the RTDS ERROR vector), and the
//! source (the originating device).

use super::common::{self, CommandHeader};
use super::cs01a::TopUp;
use super::reads_inst_common::CLUSTER_PREPAYMENT;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

const NAME: &str = "CS01b";
/// ZSE Prepayment client→server command: Consumer Top Up.
pub const CONSUMER_TOP_UP: u8 = 0x04;
/// ZSE Prepayment server→client command: Consumer Top Up Response.
pub const CONSUMER_TOP_UP_RESPONSE: u8 = 0x03;
/// Result type: accepted.
pub const RESULT_ACCEPTED: u8 = 0x00;
/// Result type: rejected, invalid top up.
pub const RESULT_INVALID: u8 = 0x01;
/// Result type: rejected, duplicate top up.
pub const RESULT_DUPLICATE: u8 = 0x02;
/// Value and credit remaining of a refused top-up.
pub const NOT_APPLIED: i32 = -1;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CS01B,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A ZSE Consumer Top Up Response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TopUpResponse {
    /// Result type (0 accepted).
    pub result: u8,
    /// The value added (ZSE currency units), `-1` when refused.
    pub value: i32,
    /// Source of the top-up (the originating device of the command).
    pub source: u8,
    /// The credit remaining after it, `-1` when refused.
    pub credit_remaining: i32,
}

impl TopUpResponse {
    /// The 10-byte ZCL payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(10);
        p.push(self.result);
        p.extend_from_slice(&self.value.to_le_bytes());
        p.push(self.source);
        p.extend_from_slice(&self.credit_remaining.to_le_bytes());
        p
    }

    fn decode(p: &[u8]) -> Option<Self> {
        match *p {
            [result, a, b, c, d, source, e, f, g, h] => Some(Self {
                result,
                value: i32::from_le_bytes([a, b, c, d]),
                source,
                credit_remaining: i32::from_le_bytes([e, f, g, h]),
            }),
            _ => None,
        }
    }
}

/// Builds the command.
pub fn cs01b_apply_prepayment_top_up(
    h: &CommandHeader,
    top_up: &TopUp,
) -> Result<GeneralSigning, BuildError> {
    let mut payload = Vec::with_capacity(22);
    payload.push(0); // originating device: the ESI
    payload.push(top_up.utrn.len() as u8);
    payload.extend_from_slice(top_up.utrn.as_bytes());
    let zcl = ZclFrame {
        frame_control: 0x01,
        manufacturer_code: None,
        sequence: 0,
        command: CONSUMER_TOP_UP,
        payload,
    };
    let content = GbzPayload::command(vec![(CLUSTER_PREPAYMENT, None, zcl)]).encode()?;
    Ok(common::apdu(h, MessageCode::CS01B, content, false))
}

/// Decodes the command: a Consumer Top Up from the ESI with a 20-digit UTRN.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let zcl = common::single_zcl(apdu, NAME, CLUSTER_PREPAYMENT)?;
    if zcl.frame_control != 0x01 || zcl.command != CONSUMER_TOP_UP {
        return Err(common::bad(NAME, "not a ZSE Consumer Top Up command"));
    }
    match &zcl.payload[..] {
        [0, len, code @ ..] if usize::from(*len) == code.len() => TopUp::from_bytes(code)
            .map(DecodedCommand::Cs01b)
            .ok_or_else(|| common::bad(NAME, "the top-up code is not 20 decimal digits")),
        [0, ..] => Err(common::bad(NAME, "the top-up code's length is wrong")),
        _ => Err(common::bad(NAME, "the originating device is not the ESI")),
    }
}

/// Decodes the response: the Consumer Top Up Response (accepted: success with its values;
/// rejected: [`Failure::Result`] with the result type), or a Default Response failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    let [c] = &components[..] else {
        return Err(ResponseDecodeError::Format(
            "one response component expected",
        ));
    };
    let GbzBody::Plain { zcl, .. } = &c.body else {
        return Err(ResponseDecodeError::Format("an encrypted top-up response"));
    };
    if c.cluster != CLUSTER_PREPAYMENT
        || zcl.frame_control != 0x09
        || zcl.command != CONSUMER_TOP_UP_RESPONSE
    {
        return Err(ResponseDecodeError::Format(
            "not a ZSE Consumer Top Up Response",
        ));
    }
    let r = TopUpResponse::decode(&zcl.payload).ok_or(ResponseDecodeError::Format(
        "a Consumer Top Up Response is 10 bytes",
    ))?;
    Ok(if r.result == RESULT_ACCEPTED {
        ResponseOutcome::Success(ResponseValue::TopUp(r))
    } else {
        ResponseOutcome::Failure(Failure::Result { code: r.result })
    })
}
