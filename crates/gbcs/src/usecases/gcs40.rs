//! 1.5 Update Meter Balance on the GSME: GCS40a (adjust the prepayment mode meter balance),
//! GCS40b (reset it), GCS40c (adjust the credit mode meter balance), GCS40d (reset it). All
//! critical: the builders return the pre-command. Each is one ZSE Prepayment "Credit
//! Adjustment" (`0x05`) command in one GBZ component: issuer event id, start time (ZigBee UTC,
//! `0`: now, as every RTDS 1.5 vector carries), credit adjustment type and the signed value.
//!
//! The adjustment types, from the RTDS 1.5 vectors against their DUIS templates: `0x00`
//! prepayment incremental (GCS40a, the template's `AdjustMeterBalance`), `0x01` prepayment
//! absolute (GCS40b, value 0), `0x02` credit mode absolute (GCS40d, value 0), `0x03` credit
//! mode incremental (GCS40c). The GSME answers a ZCL Default Response for the command: SUCCESS,
//! or the failure status (RTDS ERROR: HARDWARE_FAILURE `0xC0`).

use super::common::{self, CommandHeader, ZCL_DEFAULT_RESPONSE};
use super::reads_inst_common::CLUSTER_PREPAYMENT;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

/// ZSE Prepayment client→server command: Credit Adjustment.
pub const CREDIT_ADJUSTMENT: u8 = 0x05;

/// What one GCS40 command does to the GSME's meter balances (10⁻⁵ GBP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BalanceAdjustment {
    /// GCS40a: add to the prepayment mode meter balance (negative: take away).
    PrepaymentAdjust(i32),
    /// GCS40b: the prepayment mode meter balance to zero.
    PrepaymentReset,
    /// GCS40c: add to the credit mode meter balance (the GSME subtracts it from
    /// BillToDateDelivered).
    CreditModeAdjust(i32),
    /// GCS40d: the credit mode meter balance to zero.
    CreditModeReset,
}

impl BalanceAdjustment {
    /// The use case carrying it.
    pub fn spec(self) -> &'static UseCaseSpec {
        match self {
            BalanceAdjustment::PrepaymentAdjust(_) => &SPEC_A,
            BalanceAdjustment::PrepaymentReset => &SPEC_B,
            BalanceAdjustment::CreditModeAdjust(_) => &SPEC_C,
            BalanceAdjustment::CreditModeReset => &SPEC_D,
        }
    }

    /// The ZSE credit adjustment type and value.
    pub fn zse(self) -> (u8, i32) {
        match self {
            BalanceAdjustment::PrepaymentAdjust(v) => (0x00, v),
            BalanceAdjustment::PrepaymentReset => (0x01, 0),
            BalanceAdjustment::CreditModeReset => (0x02, 0),
            BalanceAdjustment::CreditModeAdjust(v) => (0x03, v),
        }
    }

    fn from_zse(kind: u8, value: i32) -> Option<Self> {
        Some(match (kind, value) {
            (0x00, v) => BalanceAdjustment::PrepaymentAdjust(v),
            (0x01, 0) => BalanceAdjustment::PrepaymentReset,
            (0x02, 0) => BalanceAdjustment::CreditModeReset,
            (0x03, v) => BalanceAdjustment::CreditModeAdjust(v),
            _ => return None,
        })
    }
}

/// The parameters of one GCS40 Credit Adjustment command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CreditAdjustment {
    /// Issuer event id.
    pub issuer_event_id: u32,
    /// The adjustment.
    pub adjustment: BalanceAdjustment,
}

const fn spec(
    name: &'static str,
    message_code: MessageCode,
    decode_command: fn(&GeneralSigning) -> Result<DecodedCommand, CommandDecodeError>,
) -> UseCaseSpec {
    UseCaseSpec {
        name,
        message_code,
        device_types: &[DeviceType::Gsme],
        originators: &[R::Supplier],
        critical: true,
        dcc_originated: false,
        dcc_signs: false,
        payload: PayloadKind::Gbz,
        decode_command,
        decode_response,
    }
}

/// GCS40a's catalogue entry.
pub static SPEC_A: UseCaseSpec = spec("GCS40a", MessageCode::GCS40A, decode_command_a);
/// GCS40b's catalogue entry.
pub static SPEC_B: UseCaseSpec = spec("GCS40b", MessageCode::GCS40B, decode_command_b);
/// GCS40c's catalogue entry.
pub static SPEC_C: UseCaseSpec = spec("GCS40c", MessageCode::GCS40C, decode_command_c);
/// GCS40d's catalogue entry.
pub static SPEC_D: UseCaseSpec = spec("GCS40d", MessageCode::GCS40D, decode_command_d);

/// Builds the pre-command of the use case `c.adjustment` needs.
pub fn gcs40_update_meter_balance(
    h: &CommandHeader,
    c: &CreditAdjustment,
) -> Result<GeneralSigning, BuildError> {
    let (kind, value) = c.adjustment.zse();
    let mut payload = Vec::with_capacity(13);
    payload.extend_from_slice(&c.issuer_event_id.to_le_bytes());
    payload.extend_from_slice(&0u32.to_le_bytes()); // start time: now
    payload.push(kind);
    payload.extend_from_slice(&value.to_le_bytes());
    let zcl = ZclFrame {
        frame_control: 0x01,
        manufacturer_code: None,
        sequence: 0,
        command: CREDIT_ADJUSTMENT,
        payload,
    };
    let content = GbzPayload::command(vec![(CLUSTER_PREPAYMENT, None, zcl)]).encode()?;
    Ok(common::apdu(
        h,
        c.adjustment.spec().message_code,
        content,
        true,
    ))
}

/// Decodes a GCS40 command of `spec`: one Credit Adjustment, immediate, whose type is the use
/// case's.
fn decode(
    apdu: &GeneralSigning,
    spec: &'static UseCaseSpec,
) -> Result<DecodedCommand, CommandDecodeError> {
    let name = spec.name;
    let zcl = common::single_zcl(apdu, name, CLUSTER_PREPAYMENT)?;
    if zcl.frame_control != 0x01 || zcl.command != CREDIT_ADJUSTMENT {
        return Err(common::bad(name, "not a ZSE Credit Adjustment command"));
    }
    let [i0, i1, i2, i3, s0, s1, s2, s3, kind, v0, v1, v2, v3] = zcl.payload[..] else {
        return Err(common::bad(name, "payload is not 13 bytes"));
    };
    if [s0, s1, s2, s3] != [0; 4] {
        return Err(common::bad(name, "start time is not now"));
    }
    let value = i32::from_le_bytes([v0, v1, v2, v3]);
    match BalanceAdjustment::from_zse(kind, value) {
        Some(adjustment) if std::ptr::eq(adjustment.spec(), spec) => {
            Ok(DecodedCommand::Gcs40(CreditAdjustment {
                issuer_event_id: u32::from_le_bytes([i0, i1, i2, i3]),
                adjustment,
            }))
        }
        _ => Err(common::bad(
            name,
            "credit adjustment type or value is not the use case's",
        )),
    }
}

/// Decodes GCS40a.
pub fn decode_command_a(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu, &SPEC_A)
}
/// Decodes GCS40b.
pub fn decode_command_b(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu, &SPEC_B)
}
/// Decodes GCS40c.
pub fn decode_command_c(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu, &SPEC_C)
}
/// Decodes GCS40d.
pub fn decode_command_d(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu, &SPEC_D)
}

/// Decodes the response: the Default Response SUCCESS for the command, or its failure.
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
    match &c.body {
        GbzBody::Plain { zcl, .. }
            if c.cluster == CLUSTER_PREPAYMENT
                && zcl.frame_control & 0x03 == 0
                && zcl.command == ZCL_DEFAULT_RESPONSE
                && zcl.payload[..] == [CREDIT_ADJUSTMENT, 0] =>
        {
            Ok(ResponseOutcome::Success(ResponseValue::Done))
        }
        _ => Err(ResponseDecodeError::Format(
            "not a Default Response to Credit Adjustment",
        )),
    }
}
