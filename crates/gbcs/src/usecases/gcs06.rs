//! GCS06: activate emergency credit remotely on the GSME. Critical: the builder returns the
//! pre-command. ZSE Prepayment "Select Available Emergency Credit" (`0x00`): command issue
//! date-time (ZigBee UTC; 0, as every RTDS 2.5 vector carries) and originating device (0). The
//! GSME answers a ZCL Default Response for the command: SUCCESS, or the failure status (RTDS
//! ERROR: HARDWARE_FAILURE `0xC0`).

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

const NAME: &str = "GCS06";
/// ZSE Prepayment client→server command: Select Available Emergency Credit.
pub const SELECT_AVAILABLE_EMERGENCY_CREDIT: u8 = 0x00;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS06,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// The parameters of a ZSE Select Available Emergency Credit command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SelectEmergencyCredit {
    /// Command issue date-time, ZigBee UTC (GBCS: 0).
    pub issue_date_time: u32,
    /// Originating device (GBCS: 0).
    pub originating_device: u8,
}

/// Builds the pre-command.
pub fn gcs06_activate_emergency_credit(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    let mut payload = Vec::with_capacity(5);
    payload.extend_from_slice(&0u32.to_le_bytes()); // command issue date-time
    payload.push(0); // originating device
    let zcl = ZclFrame {
        frame_control: 0x01,
        manufacturer_code: None,
        sequence: 0,
        command: SELECT_AVAILABLE_EMERGENCY_CREDIT,
        payload,
    };
    let content = GbzPayload::command(vec![(CLUSTER_PREPAYMENT, None, zcl)]).encode()?;
    Ok(common::apdu(h, MessageCode::GCS06, content, true))
}

/// Decodes the command: the Select Available Emergency Credit parameters.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let zcl = common::single_zcl(apdu, NAME, CLUSTER_PREPAYMENT)?;
    if zcl.frame_control != 0x01 || zcl.command != SELECT_AVAILABLE_EMERGENCY_CREDIT {
        return Err(common::bad(
            NAME,
            "not a ZSE Select Available Emergency Credit command",
        ));
    }
    match zcl.payload[..] {
        [a, b, c, d, originating_device] => Ok(DecodedCommand::Gcs06(SelectEmergencyCredit {
            issue_date_time: u32::from_le_bytes([a, b, c, d]),
            originating_device,
        })),
        _ => Err(common::bad(NAME, "payload is not 5 bytes")),
    }
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
                && zcl.payload[..] == [SELECT_AVAILABLE_EMERGENCY_CREDIT, 0] =>
        {
            Ok(ResponseOutcome::Success(ResponseValue::Done))
        }
        _ => Err(ResponseDecodeError::Format(
            "not a Default Response to Select Available Emergency Credit",
        )),
    }
}
