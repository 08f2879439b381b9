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
