//! GCS32: remotely close the gas valve (disable supply). Critical: the builder returns the
//! pre-command. ZSE Metering "Change Supply" (`0x0B`): provider id, issuer event id, request
//! date-time, implementation date-time (0 = now), proposed supply status OFF, supply control
//! bits (acknowledge required). The GSME answers with a Supply Status Response (`0x0C`) echoing
//! provider id, issuer event id and implementation date-time.
//!
//! **Issuer Event ID.** ZSE leaves it to the issuer ("a unique number managed by upstream
//! servers; typically a UTC time stamp"). Every RTDS 4.5.0 GBZ command that carries one (GCS32
//! SUCCESS with RequestID counter 1000, GCS32 ERROR with counter 1005, GCS20, GCS23, GCS24,
//! GCS36, GCS40b/c, GCS09, GCS16b …) carries `80 4A 37 1C` = `0x1C374A80` = 473,385,600 = the
//! ZigBee UTC time (seconds since 2000-01-01T00:00:00Z) of 2015-01-01T00:00:00Z, the RTDS
//! reference clock, whatever the RequestID counter and whatever dates the DUIS request holds. So
//! the rule is [`issuer_event_id`]: the DCC's current UTC time when it builds the command, in
//! ZigBee UTC seconds; the RequestID counter plays no part.

use super::common::{self, CLUSTER_METERING, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

const NAME: &str = "GCS32";
/// ZSE Metering client→server command: Change Supply.
pub const CHANGE_SUPPLY: u8 = 0x0B;
/// ZSE Metering server→client command: Supply Status Response.
pub const SUPPLY_STATUS_RESPONSE: u8 = 0x0C;
/// ZSE proposed supply status: OFF (valve closed).
pub const SUPPLY_OFF: u8 = 0x00;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS32,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// The Issuer Event ID the DCC puts in a GCS32 (and any ZSE command it builds) at UTC time
/// `now`: ZigBee UTC seconds since 2000-01-01T00:00:00Z. `None` before 2000 or after 2136.
pub fn issuer_event_id(now: UtcDateTime) -> Option<u32> {
    now.to_zigbee_utc()
}

/// The parameters of a ZSE Change Supply command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeSupply {
    /// Provider id (GBCS: 0).
    pub provider_id: u32,
    /// Issuer event id (see [`issuer_event_id`]).
    pub issuer_event_id: u32,
    /// Request date-time, ZigBee UTC (GBCS: 0).
    pub request_date_time: u32,
    /// Implementation date-time, ZigBee UTC (0 = now).
    pub implementation_date_time: u32,
    /// Proposed supply status (GCS32: OFF).
    pub proposed_supply_status: u8,
    /// Supply control bits (bit 0: acknowledge required).
    pub supply_control_bits: u8,
}

/// A ZSE Supply Status Response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SupplyStatusResponse {
    /// Provider id, echoing the command.
    pub provider_id: u32,
    /// Issuer event id, echoing the command.
    pub issuer_event_id: u32,
    /// Implementation date-time, echoing the command.
    pub implementation_date_time: u32,
    /// The supply status now (0 OFF, 1 ARMED, 2 ON).
    pub supply_status: u8,
}

/// Builds the pre-command with the given issuer event id (see [`issuer_event_id`]).
pub fn gcs32_disable_supply(
    h: &CommandHeader,
    issuer_event_id: u32,
) -> Result<GeneralSigning, BuildError> {
    gcs32_disable_supply_at(h, issuer_event_id, 0)
}

/// [`gcs32_disable_supply`] with an implementation date-time (ZigBee UTC seconds; 0 = now): a
/// device-future-dated valve closure, executed by the GSME at that time (alert 8F66/8F67).
pub fn gcs32_disable_supply_at(
    h: &CommandHeader,
    issuer_event_id: u32,
    implementation_date_time: u32,
) -> Result<GeneralSigning, BuildError> {
    build_change_supply(
        h,
        MessageCode::GCS32,
        issuer_event_id,
        implementation_date_time,
        SUPPLY_OFF,
    )
}

/// A ZSE Change Supply command (GCS32, GCS39) proposing `status`, acknowledgement required.
pub(crate) fn build_change_supply(
    h: &CommandHeader,
    code: MessageCode,
    issuer_event_id: u32,
    implementation_date_time: u32,
    status: u8,
) -> Result<GeneralSigning, BuildError> {
    let mut payload = Vec::with_capacity(18);
    payload.extend_from_slice(&0u32.to_le_bytes()); // provider id
    payload.extend_from_slice(&issuer_event_id.to_le_bytes());
    payload.extend_from_slice(&0u32.to_le_bytes()); // request date-time
    payload.extend_from_slice(&implementation_date_time.to_le_bytes());
    payload.push(status);
    payload.push(0x01); // supply control bits: acknowledge required
    let zcl = ZclFrame {
        frame_control: 0x01,
        manufacturer_code: None,
        sequence: 0,
        command: CHANGE_SUPPLY,
        payload,
    };
    let content = GbzPayload::command(vec![(CLUSTER_METERING, None, zcl)]).encode()?;
    Ok(common::apdu(h, code, content, true))
}

fn u32_at(p: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(p.get(at..at + 4)?.try_into().ok()?))
}

/// Decodes the command: the Change Supply parameters; the proposed status must be OFF.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode_change_supply(apdu, NAME, SUPPLY_OFF).map(DecodedCommand::Gcs32)
}

/// Decodes a ZSE Change Supply command of use case `name` that must propose `status`.
pub(crate) fn decode_change_supply(
    apdu: &GeneralSigning,
    name: &'static str,
    status: u8,
) -> Result<ChangeSupply, CommandDecodeError> {
    let zcl = common::single_zcl(apdu, name, CLUSTER_METERING)?;
    if zcl.frame_control != 0x01 || zcl.command != CHANGE_SUPPLY {
        return Err(common::bad(name, "not a ZSE Change Supply command"));
    }
    let p = &zcl.payload;
    let (
        18,
        Some(provider_id),
        Some(issuer_event_id),
        Some(request_date_time),
        Some(implementation_date_time),
        Some(&proposed_supply_status),
        Some(&supply_control_bits),
    ) = (
        p.len(),
        u32_at(p, 0),
        u32_at(p, 4),
        u32_at(p, 8),
        u32_at(p, 12),
        p.get(16),
        p.get(17),
    )
    else {
        return Err(common::bad(name, "Change Supply payload is not 18 bytes"));
    };
    if proposed_supply_status != status {
        return Err(common::bad(
            name,
            "not the use case's proposed supply status",
        ));
    }
    Ok(ChangeSupply {
        provider_id,
        issuer_event_id,
        request_date_time,
        implementation_date_time,
        proposed_supply_status,
        supply_control_bits,
    })
}

/// Decodes the response: the Supply Status Response, or the ZCL Default Response failure.
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
        return Err(ResponseDecodeError::Format("encrypted supply status"));
    };
    let p = &zcl.payload;
    match (zcl.frame_control & 0x03, zcl.command, p.len()) {
        (0x01, SUPPLY_STATUS_RESPONSE, 13) => {
            let field = |at| u32_at(p, at).ok_or(ResponseDecodeError::Format("short payload"));
            Ok(ResponseOutcome::Success(ResponseValue::SupplyStatus(
                SupplyStatusResponse {
                    provider_id: field(0)?,
                    issuer_event_id: field(4)?,
                    implementation_date_time: field(8)?,
                    supply_status: p.get(12).copied().unwrap_or_default(),
                },
            )))
        }
        _ => Err(ResponseDecodeError::Format("not a Supply Status Response")),
    }
}
