//! CS11: clear the gas meter's event log (DUIS 3.3; the RTDS vector goes to the GSME). ZSE
//! Events cluster (`0x0709`) "Clear Event Log Request" (`0x01`, cluster-specific, client→server)
//! with Log ID 3 (the general event log), as the RTDS vector. The meter answers "Clear Event Log
//! Response" (`0x02`, server→client) with its Cleared Events Logs bitmap: bit 3 (`0x08`), the
//! general event log, when cleared (RTDS SUCCESS), `0x00` when nothing was (RTDS ERROR). The
//! security log is never cleared by a user.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

const NAME: &str = "CS11";
/// ZSE Events cluster.
pub const CLUSTER_EVENTS: u16 = 0x0709;
/// Events client→server command: Clear Event Log Request.
pub const CLEAR_EVENT_LOG_REQUEST: u8 = 0x01;
/// Events server→client command: Clear Event Log Response.
pub const CLEAR_EVENT_LOG_RESPONSE: u8 = 0x02;
/// The Log ID CS11 clears (as the RTDS vector): the general event log.
pub const LOG_ID: u8 = 0x03;
/// The Cleared Events Logs bit of the general event log.
pub const CLEARED_GENERAL_EVENT_LOG: u8 = 0x08;
/// ZCL frame control: cluster-specific, client→server.
const FC_CLIENT_TO_SERVER: u8 = 0x01;
/// ZCL frame control: cluster-specific, server→client.
const FC_SERVER_TO_CLIENT: u8 = 0x09;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CS11,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn cs11_clear_event_log(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    let zcl = ZclFrame {
        frame_control: FC_CLIENT_TO_SERVER,
        manufacturer_code: None,
        sequence: 0,
        command: CLEAR_EVENT_LOG_REQUEST,
        payload: vec![LOG_ID],
    };
    let content = GbzPayload::command(vec![(CLUSTER_EVENTS, None, zcl)]).encode()?;
    Ok(common::apdu(h, MessageCode::CS11, content, false))
}

/// Decodes the command: the clear of the general event log, nothing else.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let zcl = common::single_zcl(apdu, NAME, CLUSTER_EVENTS)?;
    if zcl.frame_control != FC_CLIENT_TO_SERVER || zcl.command != CLEAR_EVENT_LOG_REQUEST {
        return Err(common::bad(NAME, "not a Clear Event Log Request"));
    }
    if zcl.payload != [LOG_ID] {
        return Err(common::bad(NAME, "the Log ID is not the general event log"));
    }
    Ok(DecodedCommand::Cs11)
}

/// The Clear Event Log Response to a CS11 (its Cleared Events Logs bitmap).
pub fn clear_event_log_response(cleared: u8) -> ZclFrame {
    ZclFrame {
        frame_control: FC_SERVER_TO_CLIENT,
        manufacturer_code: None,
        sequence: 0,
        command: CLEAR_EVENT_LOG_RESPONSE,
        payload: vec![cleared],
    }
}

/// Decodes the response: done when the general event log was cleared; otherwise the failure
/// [`Failure::Result`] with the bitmap; a ZCL Default Response failure as such.
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
            if c.cluster == CLUSTER_EVENTS
                && zcl.frame_control == FC_SERVER_TO_CLIENT
                && zcl.command == CLEAR_EVENT_LOG_RESPONSE =>
        {
            match zcl.payload[..] {
                [b] if b & CLEARED_GENERAL_EVENT_LOG != 0 => {
                    Ok(ResponseOutcome::Success(ResponseValue::Done))
                }
                [b] => Ok(ResponseOutcome::Failure(Failure::Result { code: b })),
                _ => Err(ResponseDecodeError::Format(
                    "Clear Event Log Response is not one bitmap byte",
                )),
            }
        }
        _ => Err(ResponseDecodeError::Format(
            "not a Clear Event Log Response",
        )),
    }
}
