//! What the event and security log reads share (DUIS 6.13: ECS35a ESME event log, ECS35b ESME
//! security log). Both are plain range reads (see [`super::logs_common`]): a GET-with-selection
//! of the log's profile buffer by range on the UTC clock value, from/to as seconds since 2000.
//! The device answers with a compact array of the entries in the period (empty when none):
//!
//! | log | buffer | entry |
//! |---|---|---|
//! | event log (ECS35a) | `0-0:99.98.0.255` | `{time: double-long-unsigned, event code: long-unsigned, event data: octet-string}` |
//! | security log (ECS35b) | `0-0:99.98.1.255` | `{time: double-long-unsigned, event code: long-unsigned}` |
//!
//! as the RTDS SUCCESS responses show (the event data of `8154` / `8155`, a command received
//! and actioned or not, is the command's message code).

use crate::axdr::{Data, TypeDescription};
use crate::codec::Reader;

use super::common;
use super::{ResponseDecodeError, ResponseOutcome, ResponseValue};

/// The ESME event log (profile generic buffer, ECS35a).
pub const OBIS_EVENT_LOG: [u8; 6] = [0, 0, 99, 98, 0, 0xFF];
/// The ESME security log (profile generic buffer, ECS35b).
pub const OBIS_SECURITY_LOG: [u8; 6] = [0, 0, 99, 98, 1, 0xFF];

/// One event or security log entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventLogEntry {
    /// When, seconds since 2000-01-01 UTC.
    pub time: u32,
    /// The GBCS event / alert code.
    pub code: u16,
    /// The event data (event log entries only; `None` in a security log).
    pub data: Option<Vec<u8>>,
}

const DOUBLE_LONG_UNSIGNED: u8 = 0x06;
const LONG_UNSIGNED: u8 = 0x12;
const OCTET_STRING: u8 = 0x09;

/// The compact array a device answers with: with event data (`with_data`, the event log) or
/// without (the security log). Event data longer than 127 bytes is cut to 127 (the entries are
/// a few bytes; the cut keeps the one-byte A-XDR length).
pub fn entries_compact_array(with_data: bool, entries: &[EventLogEntry]) -> Data {
    let mut contents = Vec::with_capacity(entries.len() * 8);
    for e in entries {
        contents.extend_from_slice(&e.time.to_be_bytes());
        contents.extend_from_slice(&e.code.to_be_bytes());
        if with_data {
            let d = e.data.as_deref().unwrap_or_default();
            let d = &d[..d.len().min(127)];
            contents.push(u8::try_from(d.len()).unwrap_or(127));
            contents.extend_from_slice(d);
        }
    }
    let mut cols = vec![
        TypeDescription::Simple(DOUBLE_LONG_UNSIGNED),
        TypeDescription::Simple(LONG_UNSIGNED),
    ];
    if with_data {
        cols.push(TypeDescription::Simple(OCTET_STRING));
    }
    Data::CompactArray {
        description: TypeDescription::Structure(cols),
        contents,
    }
}

fn parse_entries(with_data: bool, contents: &[u8]) -> Option<Vec<EventLogEntry>> {
    let mut out = Vec::new();
    let mut rest = contents;
    while !rest.is_empty() {
        let (head, tail) = rest.split_at_checked(6)?;
        let time = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let code = u16::from_be_bytes([head[4], head[5]]);
        rest = tail;
        let data = if with_data {
            let mut r = Reader::new(rest);
            let d = r.length_prefixed().ok()?.to_vec();
            rest = &rest[rest.len() - r.remaining()..];
            Some(d)
        } else {
            None
        };
        out.push(EventLogEntry { time, code, data });
    }
    Some(out)
}

/// Decodes the answer to an event or security log read: the entries, or the DLMS failure.
pub(crate) fn response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let r = match common::dlms_response(content, 1)? {
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
        Ok(r) => r,
    };
    let bad = ResponseDecodeError::Format("not a compact array of event log entries");
    let entries = match r.data.first() {
        Some(Data::CompactArray {
            description: TypeDescription::Structure(cols),
            contents,
        }) => {
            let with_data = match cols[..] {
                [
                    TypeDescription::Simple(DOUBLE_LONG_UNSIGNED),
                    TypeDescription::Simple(LONG_UNSIGNED),
                ] => false,
                [
                    TypeDescription::Simple(DOUBLE_LONG_UNSIGNED),
                    TypeDescription::Simple(LONG_UNSIGNED),
                    TypeDescription::Simple(OCTET_STRING),
                ] => true,
                _ => return Err(bad),
            };
            parse_entries(with_data, contents).ok_or(bad)?
        }
        Some(Data::Array(a)) if a.is_empty() => Vec::new(),
        _ => return Err(bad),
    };
    Ok(ResponseOutcome::Success(ResponseValue::EventLogEntries(
        entries,
    )))
}

// ---------------------------------------------------------------------------------------------
// ZigBee devices (CS10a event log, CS10b security log): ZSE Events cluster.

/// ZSE Events cluster.
pub const CLUSTER_EVENTS: u16 = 0x0709;
/// Events client command Get Event Log.
pub const GET_EVENT_LOG: u8 = 0x00;
/// Events server command Publish Event Log.
pub const PUBLISH_EVENT_LOG: u8 = 0x01;
/// ZSE log id of the general event log.
pub const LOG_ID_GENERAL_EVENT: u8 = 3;
/// ZSE log id of the security event log.
pub const LOG_ID_SECURITY_EVENT: u8 = 4;

fn control_byte(log_id: u8) -> u8 {
    if log_id == LOG_ID_GENERAL_EVENT {
        0x10 | log_id
    } else {
        log_id
    }
}

/// The Get Event Log payload of a read of `log_id` over `period`: Event Control / Log ID
/// (event control 1, full information, on the general event log; 0 on the security log, as the
/// RTDS commands), Event ID 0 (all), start and end time, Number of Events 0 (all), Event
/// Offset 0.
pub(crate) fn get_event_log_payload(log_id: u8, period: &super::LogPeriod) -> Vec<u8> {
    let mut p = vec![control_byte(log_id), 0, 0];
    p.extend_from_slice(&super::logs_common::zigbee_time(period.start).to_le_bytes());
    p.extend_from_slice(&super::logs_common::zigbee_time(period.end).to_le_bytes());
    p.extend_from_slice(&[0, 0, 0]);
    p
}

/// Builds the Get Event Log command of `log_id` for the period.
pub(crate) fn gbz_command(
    h: &super::common::CommandHeader,
    code: crate::codes::MessageCode,
    log_id: u8,
    period: &super::LogPeriod,
) -> Result<crate::frame::GeneralSigning, crate::error::BuildError> {
    super::logs_common::immediate_command(
        h,
        code,
        CLUSTER_EVENTS,
        GET_EVENT_LOG,
        get_event_log_payload(log_id, period),
    )
}

/// Decodes a Get Event Log command of `log_id`: its period, strictly (the RTDS form only).
pub(crate) fn decode_gbz_command(
    apdu: &crate::frame::GeneralSigning,
    uc: &'static str,
    log_id: u8,
) -> Result<super::LogPeriod, super::CommandDecodeError> {
    let (_, p) = super::logs_common::decode_single(apdu, uc, CLUSTER_EVENTS, GET_EVENT_LOG, false)?;
    let [c, 0, 0, s0, s1, s2, s3, e0, e1, e2, e3, 0, 0, 0] = p[..] else {
        return Err(common::bad(uc, "not a Get Event Log of every event"));
    };
    if c != control_byte(log_id) {
        return Err(common::bad(uc, "not the use case's log"));
    }
    super::logs_common::zigbee_period(
        uc,
        u32::from_le_bytes([s0, s1, s2, s3]),
        u32::from_le_bytes([e0, e1, e2, e3]),
    )
}

/// The Publish Event Log payload of `entries` from log `log_id`, as the RTDS responses: Total
/// Number of Matching Events, Command Index 0, Total Commands 1, Number of Events / Log Payload
/// Control 0, then each event (Log ID, Event ID, Event Time, Event Data).
pub fn publish_event_log_payload(log_id: u8, entries: &[EventLogEntry]) -> Vec<u8> {
    let n = u16::try_from(entries.len()).unwrap_or(u16::MAX);
    let mut p = Vec::with_capacity(5 + entries.len() * 8);
    p.extend_from_slice(&n.to_le_bytes());
    p.extend_from_slice(&[0, 1, 0]);
    for e in entries {
        p.push(log_id);
        p.extend_from_slice(&e.code.to_le_bytes());
        p.extend_from_slice(&e.time.to_le_bytes());
        let d = e.data.as_deref().unwrap_or_default();
        let d = &d[..d.len().min(usize::from(u8::MAX) - 1)];
        p.push(u8::try_from(d.len()).unwrap_or(0));
        p.extend_from_slice(d);
    }
    p
}

/// The events of a Publish Event Log payload (`None` if it is not one).
pub fn parse_publish_event_log(p: &[u8]) -> Option<Vec<EventLogEntry>> {
    let (head, mut rest) = p.split_at_checked(5)?;
    let n = usize::from(u16::from_le_bytes([head[0], head[1]]));
    let mut out = Vec::with_capacity(n.min(256));
    while !rest.is_empty() {
        let (e, tail) = rest.split_at_checked(8)?;
        let len = usize::from(e[7]);
        let (data, tail) = tail.split_at_checked(len)?;
        out.push(EventLogEntry {
            time: u32::from_le_bytes([e[3], e[4], e[5], e[6]]),
            code: u16::from_le_bytes([e[1], e[2]]),
            data: Some(data.to_vec()),
        });
        rest = tail;
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// The ESME's power event log (ECS35e) and ALCS / auxiliary controller event log (ECS35f,
// ECS35g): plain range reads too, answered with compact arrays of their own entry forms.
//
// | log | buffer | entry |
// |---|---|---|
// | power event log (ECS35e) | `0-0:99.98.4.255` | `{time: double-long-unsigned, event code: long-unsigned, event value: double-long-unsigned}` |
// | ALCS event log (ECS35f, ECS35g) | `0-17:99.98.2.255` | `{time: double-long-unsigned, switch and action: long-unsigned, outcome: enum, HAN command id: double-long-unsigned}` |

/// The ESME power event log (profile generic buffer, ECS35e).
pub const OBIS_POWER_EVENT_LOG: [u8; 6] = [0, 0, 99, 98, 4, 0xFF];
/// The ESME ALCS / auxiliary controller event log (profile generic buffer, ECS35f, ECS35g;
/// ECS15c clears it).
pub const OBIS_ALCS_EVENT_LOG: [u8; 6] = [0, 17, 99, 98, 2, 0xFF];

const ENUM: u8 = 0x16;

/// One power event log entry (ECS35e).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PowerEventLogEntry {
    /// When, seconds since 2000-01-01 UTC.
    pub time: u32,
    /// The GBCS event code (supply outage, restoration, voltage quality).
    pub code: u16,
    /// The event's value (this emulation: the outage's length in seconds for a restoration,
    /// 0 otherwise).
    pub value: u32,
}

/// ALCS switch action "On" (the low byte of an ALCS event log entry's second column).
pub const ALCS_ACTION_ON: u8 = 0x11;
/// ALCS switch action "Off".
pub const ALCS_ACTION_OFF: u8 = 0x12;
/// ALCS switch action "Revert to calendar control".
pub const ALCS_ACTION_REVERT: u8 = 0x20;
/// "Entry relates to a Message from an HC ALCS" (its outcome for an earlier entry's command).
pub const ALCS_ACTION_HCALCS_MESSAGE: u8 = 0x00;
/// ALCS outcome "Outcome not known".
pub const ALCS_OUTCOME_UNKNOWN: u8 = 0;
/// ALCS outcome "Success".
pub const ALCS_OUTCOME_SUCCESS: u8 = 1;
/// ALCS outcome "Failure".
pub const ALCS_OUTCOME_FAILURE: u8 = 2;

/// One ALCS event log entry (ECS35f, ECS35g), as the MMC `ALCSEventLogEntry`: the switch
/// (1–5, the long-unsigned's high byte) and its action (its low byte, `ALCS_ACTION_*`), the
/// outcome (`ALCS_OUTCOME_*`) and the HAN command id (0 for the ESME's own switches).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlcsEventLogEntry {
    /// When, seconds since 2000-01-01 UTC.
    pub time: u32,
    /// The switch, 1–5.
    pub switch: u8,
    /// The switch action (`ALCS_ACTION_*`).
    pub action: u8,
    /// The outcome (`ALCS_OUTCOME_*`).
    pub outcome: u8,
    /// The HAN command id (0: none).
    pub han_command_id: u32,
}

/// The compact array of power event log entries a device answers with.
pub fn power_entries_compact_array(entries: &[PowerEventLogEntry]) -> Data {
    let mut contents = Vec::with_capacity(entries.len() * 10);
    for e in entries {
        contents.extend_from_slice(&e.time.to_be_bytes());
        contents.extend_from_slice(&e.code.to_be_bytes());
        contents.extend_from_slice(&e.value.to_be_bytes());
    }
    Data::CompactArray {
        description: TypeDescription::Structure(power_columns()),
        contents,
    }
}

/// The compact array of ALCS event log entries a device answers with.
pub fn alcs_entries_compact_array(entries: &[AlcsEventLogEntry]) -> Data {
    let mut contents = Vec::with_capacity(entries.len() * 11);
    for e in entries {
        contents.extend_from_slice(&e.time.to_be_bytes());
        contents.extend_from_slice(&[e.switch, e.action, e.outcome]);
        contents.extend_from_slice(&e.han_command_id.to_be_bytes());
    }
    Data::CompactArray {
        description: TypeDescription::Structure(alcs_columns()),
        contents,
    }
}

fn power_columns() -> Vec<TypeDescription> {
    [DOUBLE_LONG_UNSIGNED, LONG_UNSIGNED, DOUBLE_LONG_UNSIGNED]
        .map(TypeDescription::Simple)
        .to_vec()
}

fn alcs_columns() -> Vec<TypeDescription> {
    [
        DOUBLE_LONG_UNSIGNED,
        LONG_UNSIGNED,
        ENUM,
        DOUBLE_LONG_UNSIGNED,
    ]
    .map(TypeDescription::Simple)
    .to_vec()
}

/// The fixed-size records of a compact array answer with `columns`, strictly: the DLMS failure,
/// or the contents cut into `size`-byte records (an empty array: none).
fn fixed_records(
    content: &[u8],
    columns: &[TypeDescription],
    size: usize,
) -> Result<Result<Vec<Vec<u8>>, super::Failure>, ResponseDecodeError> {
    let r = match common::dlms_response(content, 1)? {
        Err(f) => return Ok(Err(f)),
        Ok(r) => r,
    };
    let bad = ResponseDecodeError::Format("not a compact array of the log's entries");
    match r.data.first() {
        Some(Data::CompactArray {
            description: TypeDescription::Structure(cols),
            contents,
        }) if cols[..] == columns[..] && contents.len() % size == 0 => Ok(Ok(contents
            .chunks_exact(size)
            .map(<[u8]>::to_vec)
            .collect())),
        Some(Data::Array(a)) if a.is_empty() => Ok(Ok(Vec::new())),
        _ => Err(bad),
    }
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Decodes the answer to a power event log read (ECS35e): the entries, or the DLMS failure.
pub(crate) fn power_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    Ok(match fixed_records(content, &power_columns(), 10)? {
        Err(f) => ResponseOutcome::Failure(f),
        Ok(records) => ResponseOutcome::Success(ResponseValue::PowerEventLogEntries(
            records
                .iter()
                .map(|r| PowerEventLogEntry {
                    time: be32(&r[0..4]),
                    code: u16::from_be_bytes([r[4], r[5]]),
                    value: be32(&r[6..10]),
                })
                .collect(),
        )),
    })
}

/// Decodes the answer to an ALCS event log read (ECS35f, ECS35g): the entries, or the DLMS
/// failure. A switch outside 1–5, an unknown action or outcome is refused.
pub(crate) fn alcs_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let records = match fixed_records(content, &alcs_columns(), 11)? {
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
        Ok(r) => r,
    };
    let mut entries = Vec::with_capacity(records.len());
    for r in records {
        let e = AlcsEventLogEntry {
            time: be32(&r[0..4]),
            switch: r[4],
            action: r[5],
            outcome: r[6],
            han_command_id: be32(&r[7..11]),
        };
        let known_action = [
            ALCS_ACTION_ON,
            ALCS_ACTION_OFF,
            ALCS_ACTION_REVERT,
            ALCS_ACTION_HCALCS_MESSAGE,
        ]
        .contains(&e.action);
        if !(1..=5).contains(&e.switch) || !known_action || e.outcome > ALCS_OUTCOME_FAILURE {
            return Err(ResponseDecodeError::Format(
                "ALCS event log entry: switch, action or outcome out of range",
            ));
        }
        entries.push(e);
    }
    Ok(ResponseOutcome::Success(
        ResponseValue::AlcsEventLogEntries(entries),
    ))
}
