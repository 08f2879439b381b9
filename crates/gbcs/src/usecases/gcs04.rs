//! GCS04: update the GSME's debt. Critical: the builder returns the pre-command. Three ZSE
//! Prepayment "Change Debt" (`0x02`) commands, one GBZ component each (ZCL sequence 0, 1, 2):
//! as every RTDS 2.3 vector carries, time-based debt 1, time-based debt 2 and the
//! payment-based debt. Each carries the issuer event id, debt label, debt amount, recovery
//! method, amount type, recovery start time, collection time, frequency, recovery amount and
//! recovery balance percentage. The GSME answers a ZCL Default Response per command: SUCCESS,
//! or the failure status (RTDS ERROR: the second HARDWARE_FAILURE `0xC0`, the third
//! not executed).

use super::common::{self, CommandHeader, ZCL_DEFAULT_RESPONSE};
use super::reads_inst_common::CLUSTER_PREPAYMENT;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{CONTROL_LAST, GBZ_PROFILE, GbzBody, GbzPayload, ZclFrame};

const NAME: &str = "GCS04";
/// ZSE Prepayment client→server command: Change Debt.
pub const CHANGE_DEBT: u8 = 0x02;
/// The number of Change Debt commands (time-based debts 1 and 2, payment-based debt).
pub const DEBTS: usize = 3;
/// The longest debt label (ZSE: an octet string of up to 12 octets).
pub const MAX_LABEL: usize = 12;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS04,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// The parameters of one ZSE Change Debt command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChangeDebt {
    /// Issuer event id.
    pub issuer_event_id: u32,
    /// Debt label (at most [`MAX_LABEL`] octets).
    pub label: Vec<u8>,
    /// Debt amount.
    pub amount: u32,
    /// Debt recovery method (0 time-based, 1 percentage-based).
    pub recovery_method: u8,
    /// Debt amount type (absolute or incremental, positive or negative).
    pub amount_type: u8,
    /// Debt recovery start time (ZigBee UTC).
    pub start_time: u32,
    /// Debt recovery collection time (minutes past midnight).
    pub collection_time: u16,
    /// Debt recovery frequency (0 hourly, 1 daily, ...).
    pub frequency: u8,
    /// Debt recovery amount per period.
    pub recovery_amount: u32,
    /// Debt recovery balance percentage (×100).
    pub balance_percentage: u16,
}

impl ChangeDebt {
    fn encode(&self) -> Result<Vec<u8>, BuildError> {
        let len = u8::try_from(self.label.len())
            .ok()
            .filter(|l| usize::from(*l) <= MAX_LABEL)
            .ok_or(BuildError::OutOfRange("debt label"))?;
        let mut p = Vec::with_capacity(24 + self.label.len());
        p.extend_from_slice(&self.issuer_event_id.to_le_bytes());
        p.push(len);
        p.extend_from_slice(&self.label);
        p.extend_from_slice(&self.amount.to_le_bytes());
        p.push(self.recovery_method);
        p.push(self.amount_type);
        p.extend_from_slice(&self.start_time.to_le_bytes());
        p.extend_from_slice(&self.collection_time.to_le_bytes());
        p.push(self.frequency);
        p.extend_from_slice(&self.recovery_amount.to_le_bytes());
        p.extend_from_slice(&self.balance_percentage.to_le_bytes());
        Ok(p)
    }

    fn decode(p: &[u8]) -> Option<Self> {
        let (id, rest) = p.split_first_chunk::<4>()?;
        let (len, rest) = rest.split_first()?;
        let len = usize::from(*len);
        if len > MAX_LABEL || rest.len() < len {
            return None;
        }
        let (label, rest) = rest.split_at(len);
        let (amount, rest) = rest.split_first_chunk::<4>()?;
        let [
            method,
            amount_type,
            s0,
            s1,
            s2,
            s3,
            c0,
            c1,
            freq,
            r0,
            r1,
            r2,
            r3,
            b0,
            b1,
        ] = *rest
        else {
            return None;
        };
        Some(Self {
            issuer_event_id: u32::from_le_bytes(*id),
            label: label.to_vec(),
            amount: u32::from_le_bytes(*amount),
            recovery_method: method,
            amount_type,
            start_time: u32::from_le_bytes([s0, s1, s2, s3]),
            collection_time: u16::from_le_bytes([c0, c1]),
            frequency: freq,
            recovery_amount: u32::from_le_bytes([r0, r1, r2, r3]),
            balance_percentage: u16::from_le_bytes([b0, b1]),
        })
    }
}

/// Builds the pre-command: one Change Debt per debt, in order.
pub fn gcs04_update_debt(
    h: &CommandHeader,
    debts: &[ChangeDebt; DEBTS],
) -> Result<GeneralSigning, BuildError> {
    let mut frames = Vec::with_capacity(DEBTS);
    for (seq, d) in (0u8..).zip(debts) {
        let zcl = ZclFrame {
            frame_control: 0x01,
            manufacturer_code: None,
            sequence: seq,
            command: CHANGE_DEBT,
            payload: d.encode()?,
        };
        frames.push((CLUSTER_PREPAYMENT, None, zcl));
    }
    let content = GbzPayload::command(frames).encode()?;
    Ok(common::apdu(h, MessageCode::GCS04, content, true))
}

/// Decodes the command: exactly three immediate Change Debt commands, sequenced 0, 1, 2.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let GbzPayload::Components {
        profile,
        components,
    } = GbzPayload::decode(&apdu.content)?
    else {
        return Err(common::bad(NAME, "not a GBZ command"));
    };
    if profile != GBZ_PROFILE {
        return Err(common::bad(NAME, "GBZ profile is not 0x0109"));
    }
    if components.len() != DEBTS {
        return Err(common::bad(NAME, "not three GBZ components"));
    }
    let mut debts = Vec::with_capacity(DEBTS);
    for (i, c) in components.into_iter().enumerate() {
        let control = if i + 1 == DEBTS { CONTROL_LAST } else { 0 };
        if c.control != control || c.cluster != CLUSTER_PREPAYMENT {
            return Err(common::bad(
                NAME,
                "component control or cluster is not the use case's",
            ));
        }
        let GbzBody::Plain {
            from_date_time: None,
            zcl,
        } = c.body
        else {
            return Err(common::bad(
                NAME,
                "component is not a plain immediate ZCL frame",
            ));
        };
        if zcl.frame_control != 0x01
            || zcl.manufacturer_code.is_some()
            || usize::from(zcl.sequence) != i
            || zcl.command != CHANGE_DEBT
        {
            return Err(common::bad(NAME, "not a ZSE Change Debt command"));
        }
        debts.push(
            ChangeDebt::decode(&zcl.payload)
                .ok_or(common::bad(NAME, "Change Debt payload malformed"))?,
        );
    }
    let debts: [ChangeDebt; DEBTS] = debts
        .try_into()
        .map_err(|_| common::bad(NAME, "not three GBZ components"))?;
    Ok(DecodedCommand::Gcs04(Box::new(debts)))
}

/// Decodes the response: a Default Response SUCCESS to each Change Debt, or the first failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    if components.len() != DEBTS {
        return Err(ResponseDecodeError::Format(
            "three response components expected",
        ));
    }
    for c in &components {
        match &c.body {
            GbzBody::Plain { zcl, .. }
                if c.cluster == CLUSTER_PREPAYMENT
                    && zcl.frame_control & 0x03 == 0
                    && zcl.command == ZCL_DEFAULT_RESPONSE
                    && zcl.payload[..] == [CHANGE_DEBT, 0] => {}
            _ => {
                return Err(ResponseDecodeError::Format(
                    "not a Default Response to Change Debt",
                ));
            }
        }
    }
    Ok(ResponseOutcome::Success(ResponseValue::Done))
}
