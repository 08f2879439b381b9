//! What the log-read use cases share (billing data logs, daily read logs, daily consumption
//! logs: ECS20a–d, ECS21a–c, ECS66, GCS15b–e, GCS16a–b, GCS61): the period read, and one
//! builder/decoder pair per command form.
//!
//! DLMS forms:
//! * **protected range read** (ECS20b, ECS20c, ECS21a, ECS21b, ECS66): ACTION on a data
//!   protection object (class 30, method 1, get protected attributes) naming one or two profile
//!   buffers (class 7, attribute 2) with selective access by range (selector 1, from/to COSEM
//!   date-times), bound to the command's counter and titles as ECS17b; the device answers
//!   encrypted to the requester.
//! * **plain range read** (ECS20a, ECS20d, ECS21c): GET-with-selection of one profile buffer by
//!   range on the UTC clock value (class 1 `0-0:94.44.100.255` attribute 2), from/to as
//!   double-long-unsigned seconds since 2000; the device answers with a compact array of the
//!   entries in the period (empty when there are none).
//!
//! GBZ forms:
//! * **snapshot read** (GCS15b, GCS15c, GCS16a, GCS16b): one component per snapshot offset, Get
//!   Snapshot (Metering `0x06`) and/or Get Prepay Snapshot (Prepayment `0x07`), each with the
//!   period and the snapshot cause; the device answers each offset with an encrypted Publish
//!   Snapshot, or a Default Response NOT_FOUND (`0x8B`) when it holds no such snapshot.
//! * **log read** (GCS15d Get Debt Repayment Log, GCS15e Get Top Up Log): the period's start in
//!   the GBZ from-date-time, its end in the ZCL payload.
//! * **sampled data** (GCS61 Get Sampled Data): first day and number of daily samples.
//!
//! NOT_FOUND is how GBZ devices say "no entries in the period": it decodes as a success with no
//! entries, as an empty compact array does for DLMS.

use crate::axdr::{Data, TypeDescription};
use crate::datetime::UtcDateTime;
use crate::dlms::{CosemDescriptor, RequestSpec, SelectiveAccess};
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{CONTROL_LAST, GBZ_PROFILE, GbzBody, GbzComponent, GbzPayload, ZclFrame};

use super::common::{self, CommandHeader, ZCL_DEFAULT_RESPONSE};
use super::protection_parameters;
use super::{
    CommandDecodeError, DecodedCommand, Failure, ResponseDecodeError, ResponseOutcome,
    ResponseValue,
};
use crate::codes::MessageCode;

/// The period a log read asks for (inclusive bounds, as the DUIS `ReadLogPeriod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogPeriod {
    /// Start of the period.
    pub start: UtcDateTime,
    /// End of the period (a period whose end precedes its start holds no entries).
    pub end: UtcDateTime,
}

impl LogPeriod {
    /// Whether `t` lies in the period.
    pub fn contains(&self, t: UtcDateTime) -> bool {
        self.start <= t && t <= self.end
    }
}

/// ZigBee UTCTime for a command: seconds since 2000, clamped to `0..=0xFFFF_FFFE` (GBCS reserves
/// `0xFFFF_FFFF`; the RTDS GCS15e command carries `FFFFFFFE` for an end in the year 3000).
pub fn zigbee_time(t: UtcDateTime) -> u32 {
    t.to_zigbee_utc()
        .map_or(if t.to_unix() < 0 { 0 } else { 0xFFFF_FFFE }, |v| {
            v.min(0xFFFF_FFFE)
        })
}

fn from_zigbee(uc: &'static str, v: u32) -> Result<UtcDateTime, CommandDecodeError> {
    UtcDateTime::from_zigbee_utc(v).ok_or(common::bad(uc, "time out of range"))
}

// ---------------------------------------------------------------------------------------------
// DLMS protected range read.

/// Data protection objects (class 30) of the protected log reads.
pub const OBIS_PROTECTION_BILLING_CALENDAR: [u8; 6] = [0, 0, 43, 2, 2, 0xFF];
/// Data protection for the change-of-mode/tariff billing data log (ECS20b).
pub const OBIS_PROTECTION_BILLING_TRIGGERED: [u8; 6] = [0, 0, 43, 2, 3, 0xFF];
/// Data protection for the daily consumption log (ECS66).
pub const OBIS_PROTECTION_DAILY_CONSUMPTION: [u8; 6] = [0, 0, 43, 2, 4, 0xFF];
/// Data protection for the daily read log (ECS21a).
pub const OBIS_PROTECTION_DAILY_READ: [u8; 6] = [0, 0, 43, 2, 5, 0xFF];
/// Data protection for the prepayment daily read log (ECS21b).
pub const OBIS_PROTECTION_PREPAYMENT_DAILY_READ: [u8; 6] = [0, 0, 43, 2, 6, 0xFF];

/// Profile generic (class 7) logical names of the logs.
pub const OBIS_BILLING_CALENDAR_LOG: [u8; 6] = [0, 0, 98, 1, 0, 0xFF];
/// Billing calendar triggered log of the secondary element (twin ESME).
pub const OBIS_BILLING_CALENDAR_LOG_TWIN: [u8; 6] = [0, 0, 98, 1, 1, 0xFF];
/// Change of mode / tariff triggered billing data log.
pub const OBIS_BILLING_TRIGGERED_LOG: [u8; 6] = [0, 0, 98, 1, 2, 0xFF];
/// Payment-based debt payments log.
pub const OBIS_DEBT_PAYMENTS_LOG: [u8; 6] = [0, 0, 98, 1, 4, 0xFF];
/// Prepayment credits log.
pub const OBIS_PREPAYMENT_CREDITS_LOG: [u8; 6] = [0, 0, 98, 1, 5, 0xFF];
/// Prepayment daily read log.
pub const OBIS_PREPAYMENT_DAILY_READ_LOG: [u8; 6] = [0, 0, 98, 1, 8, 0xFF];
/// Daily read log (import).
pub const OBIS_DAILY_READ_LOG: [u8; 6] = [0, 0, 98, 1, 9, 0xFF];
/// Daily read log (export).
pub const OBIS_EXPORT_DAILY_READ_LOG: [u8; 6] = [0, 0, 98, 1, 10, 0xFF];
/// Daily consumption log.
pub const OBIS_DAILY_CONSUMPTION_LOG: [u8; 6] = [0, 0, 99, 1, 3, 0xFF];
/// The UTC clock value the plain range reads restrict on (class 1, attribute 2).
pub const OBIS_UTC_CLOCK_VALUE: [u8; 6] = [0, 0, 94, 44, 100, 0xFF];

/// A profile buffer (class 7, attribute 2).
pub const fn buffer(obis: [u8; 6]) -> CosemDescriptor {
    CosemDescriptor::new(7, obis, 2)
}

/// What a protected range read asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProtectedRangeRead {
    /// The profile buffers read, in request order.
    pub objects: Vec<CosemDescriptor>,
    /// The period (the same for every buffer).
    pub period: LogPeriod,
}

fn range_access(period: &LogPeriod) -> Data {
    Data::Structure(vec![
        Data::Enum(1),
        Data::Structure(vec![
            period.start.to_cosem().to_octet_string(),
            period.end.to_cosem().to_octet_string(),
        ]),
    ])
}

/// Builds a protected range read of `buffers` through data protection object `protection`.
pub(crate) fn protected_range_command(
    h: &CommandHeader,
    code: MessageCode,
    protection: [u8; 6],
    buffers: &[[u8; 6]],
    period: &LogPeriod,
) -> GeneralSigning {
    let objects = buffers
        .iter()
        .map(|obis| {
            Data::Structure(vec![
                Data::LongUnsigned(7),
                Data::OctetString(obis.to_vec()),
                Data::Integer(2),
                Data::LongUnsigned(0),
                range_access(period),
            ])
        })
        .collect();
    let params = Data::Array(vec![protection_parameters(
        h.counter,
        h.originator,
        h.recipient,
    )]);
    let content = common::dlms(
        h,
        vec![RequestSpec::Action(CosemDescriptor::new(30, protection, 1))],
        vec![Data::Structure(vec![Data::Array(objects), params])],
    );
    common::apdu(h, code, content, false)
}

fn cosem_time(uc: &'static str, d: &Data) -> Result<UtcDateTime, CommandDecodeError> {
    match d {
        Data::OctetString(b) => {
            UtcDateTime::from_cosem(b).ok_or(common::bad(uc, "range bound is not a date-time"))
        }
        _ => Err(common::bad(uc, "range bound is not an octet string")),
    }
}

/// Decodes a protected range read: exactly `buffers` through `protection`, the protection
/// parameters bound to this command, one period for all.
pub(crate) fn decode_protected_range(
    apdu: &GeneralSigning,
    uc: &'static str,
    protection: [u8; 6],
    buffers: &[[u8; 6]],
) -> Result<ProtectedRangeRead, CommandDecodeError> {
    let req = common::dlms_request(
        apdu,
        uc,
        &[RequestSpec::Action(CosemDescriptor::new(30, protection, 1))],
    )?;
    let Some(Data::Structure(arg)) = req.data.first() else {
        return Err(common::bad(uc, "action argument is not a structure"));
    };
    let [Data::Array(entries), Data::Array(params)] = &arg[..] else {
        return Err(common::bad(
            uc,
            "argument is not (objects, protection parameters)",
        ));
    };
    // The requester the device encrypts to: the originator, or for an unknown remote party (the
    // ACB sending a user's KA certificate) that user.
    let requester = match &apdu.other_info.ext {
        crate::frame::OtherInfoExt::Certificate { remote_party, .. } => *remote_party,
        _ => apdu.originator,
    };
    let expected = protection_parameters(apdu.counter, requester, apdu.recipient);
    if params[..] != [expected] {
        return Err(common::bad(
            uc,
            "protection parameters are not bound to this command",
        ));
    }
    if entries.len() != buffers.len() {
        return Err(common::bad(uc, "protected objects are not the use case's"));
    }
    let mut period: Option<LogPeriod> = None;
    let mut objects = Vec::with_capacity(entries.len());
    for (e, obis) in entries.iter().zip(buffers) {
        let Data::Structure(m) = e else {
            return Err(common::bad(uc, "object entry is not a structure"));
        };
        let [
            Data::LongUnsigned(7),
            Data::OctetString(name),
            Data::Integer(2),
            Data::LongUnsigned(0),
            Data::Structure(access),
        ] = &m[..]
        else {
            return Err(common::bad(uc, "object entry is not a profile buffer read"));
        };
        if name[..] != obis[..] {
            return Err(common::bad(uc, "protected objects are not the use case's"));
        }
        let [Data::Enum(1), Data::Structure(range)] = &access[..] else {
            return Err(common::bad(uc, "selective access is not by range"));
        };
        let [from, to] = &range[..] else {
            return Err(common::bad(uc, "range is not (from, to)"));
        };
        let p = LogPeriod {
            start: cosem_time(uc, from)?,
            end: cosem_time(uc, to)?,
        };
        if period.is_some_and(|q| q != p) {
            return Err(common::bad(uc, "objects are read over different periods"));
        }
        period = Some(p);
        objects.push(buffer(*obis));
    }
    let period = period.ok_or(common::bad(uc, "no object read"))?;
    Ok(ProtectedRangeRead { objects, period })
}

/// Decodes the response of a protected read: the protected block, or the DLMS failure.
pub(crate) fn protected_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    match common::dlms_response(content, 1)? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(r) => match r.data.first() {
            Some(Data::Structure(m)) => match &m[..] {
                [Data::Array(_), Data::OctetString(block)] => Ok(ResponseOutcome::Success(
                    ResponseValue::Protected(block.clone()),
                )),
                _ => Err(ResponseDecodeError::Format(
                    "not (parameters, protected block)",
                )),
            },
            _ => Err(ResponseDecodeError::Format("no protected data")),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// DLMS plain range read.

/// What a plain range read asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RangeRead {
    /// The profile buffer read.
    pub object: CosemDescriptor,
    /// The period.
    pub period: LogPeriod,
}

fn restricting_object() -> Data {
    Data::Structure(vec![
        Data::LongUnsigned(1),
        Data::OctetString(OBIS_UTC_CLOCK_VALUE.to_vec()),
        Data::Integer(2),
        Data::LongUnsigned(0),
    ])
}

/// Builds a plain range read of the buffer `obis`.
pub(crate) fn range_command(
    h: &CommandHeader,
    code: MessageCode,
    obis: [u8; 6],
    period: &LogPeriod,
) -> GeneralSigning {
    let content = common::dlms(
        h,
        vec![RequestSpec::GetWithSelection(
            buffer(obis),
            utc_range_access(period),
        )],
        vec![Data::Null],
    );
    common::apdu(h, code, content, false)
}

/// The selective access of a plain range read: by range (selector 1) on the UTC clock value,
/// from/to as double-long-unsigned seconds since 2000, all columns.
pub(crate) fn utc_range_access(period: &LogPeriod) -> SelectiveAccess {
    SelectiveAccess {
        selector: 1,
        parameters: Data::Structure(vec![
            restricting_object(),
            Data::DoubleLongUnsigned(zigbee_time(period.start)),
            Data::DoubleLongUnsigned(zigbee_time(period.end)),
            Data::Array(Vec::new()),
        ]),
    }
}

/// The period of a [`utc_range_access`], strictly: anything else is refused.
pub(crate) fn decode_range_access(
    uc: &'static str,
    access: &SelectiveAccess,
) -> Result<LogPeriod, CommandDecodeError> {
    if access.selector != 1 {
        return Err(common::bad(uc, "not a range read of the use case's log"));
    }
    let Data::Structure(p) = &access.parameters else {
        return Err(common::bad(uc, "range descriptor is not a structure"));
    };
    let [
        restricting,
        Data::DoubleLongUnsigned(from),
        Data::DoubleLongUnsigned(to),
        Data::Array(columns),
    ] = &p[..]
    else {
        return Err(common::bad(
            uc,
            "range descriptor is not (object, from, to, columns)",
        ));
    };
    if *restricting != restricting_object() || !columns.is_empty() {
        return Err(common::bad(
            uc,
            "range is not on the UTC clock over all columns",
        ));
    }
    Ok(LogPeriod {
        start: from_zigbee(uc, *from)?,
        end: from_zigbee(uc, *to)?,
    })
}

/// Decodes a plain range read of the buffer `obis` (all columns, by UTC time).
pub(crate) fn decode_range(
    apdu: &GeneralSigning,
    uc: &'static str,
    obis: [u8; 6],
) -> Result<RangeRead, CommandDecodeError> {
    let req = crate::dlms::AccessRequest::decode(&apdu.content)?;
    if req.invoke_id != crate::dlms::long_invoke_id(apdu.counter) {
        return Err(common::bad(
            uc,
            "invoke-id does not carry the command counter",
        ));
    }
    if !req.date_time.is_empty() || req.data[..] != [Data::Null] {
        return Err(common::bad(uc, "not a single GET with null data"));
    }
    let [RequestSpec::GetWithSelection(object, access)] = &req.specs[..] else {
        return Err(common::bad(uc, "not a GET with selective access"));
    };
    if *object != buffer(obis) {
        return Err(common::bad(uc, "not a range read of the use case's log"));
    }
    Ok(RangeRead {
        object: *object,
        period: decode_range_access(uc, access)?,
    })
}

/// One entry of a log read in the clear: its time (ZigBee UTCTime) and values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogEntry {
    /// Capture time, seconds since 2000-01-01 UTC.
    pub time: u32,
    /// The captured values, in column order.
    pub values: Vec<u32>,
}

/// The compact array a device answers a plain range read with: structures of `columns`
/// double-long-unsigned values (time first).
pub fn entries_compact_array(columns: usize, entries: &[LogEntry]) -> Data {
    let mut contents = Vec::with_capacity(entries.len() * columns * 4);
    for e in entries {
        contents.extend_from_slice(&e.time.to_be_bytes());
        for v in e.values.iter().take(columns.saturating_sub(1)) {
            contents.extend_from_slice(&v.to_be_bytes());
        }
    }
    Data::CompactArray {
        description: TypeDescription::Structure(vec![TypeDescription::Simple(0x06); columns]),
        contents,
    }
}

/// Decodes the response of a plain range read: the entries, or the DLMS failure.
pub(crate) fn range_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let r = match common::dlms_response(content, 1)? {
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
        Ok(r) => r,
    };
    let bad = ResponseDecodeError::Format("not a compact array of double-long-unsigned entries");
    let entries = match r.data.first() {
        Some(Data::CompactArray {
            description: TypeDescription::Structure(cols),
            contents,
        }) if !cols.is_empty()
            && cols.iter().all(|c| *c == TypeDescription::Simple(0x06))
            && contents.len().is_multiple_of(cols.len() * 4) =>
        {
            contents
                .chunks_exact(cols.len() * 4)
                .map(|row| {
                    let mut v = row
                        .chunks_exact(4)
                        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                    LogEntry {
                        time: v.next().unwrap_or(0),
                        values: v.collect(),
                    }
                })
                .collect()
        }
        Some(Data::Array(a)) if a.is_empty() => Vec::new(),
        _ => return Err(bad),
    };
    Ok(ResponseOutcome::Success(ResponseValue::LogEntries(entries)))
}

// ---------------------------------------------------------------------------------------------
// GBZ.

/// ZSE Prepayment cluster.
pub const CLUSTER_PREPAYMENT: u16 = 0x0705;
/// Metering client command Get Snapshot.
pub const GET_SNAPSHOT: u8 = 0x06;
/// Metering server command Publish Snapshot.
pub const PUBLISH_SNAPSHOT: u8 = 0x06;
/// Prepayment client command Get Prepay Snapshot.
pub const GET_PREPAY_SNAPSHOT: u8 = 0x07;
/// Prepayment server command Publish Prepay Snapshot.
pub const PUBLISH_PREPAY_SNAPSHOT: u8 = 0x01;
/// Prepayment client command Get Top Up Log.
pub const GET_TOP_UP_LOG: u8 = 0x08;
/// Prepayment server command Publish Top Up Log.
pub const PUBLISH_TOP_UP_LOG: u8 = 0x05;
/// Prepayment client command Get Debt Repayment Log.
pub const GET_DEBT_REPAYMENT_LOG: u8 = 0x0A;
/// Prepayment server command Publish Debt Log.
pub const PUBLISH_DEBT_LOG: u8 = 0x06;
/// Metering client command Get Sampled Data.
pub const GET_SAMPLED_DATA: u8 = 0x08;
/// Metering server command Get Sampled Data Response.
pub const GET_SAMPLED_DATA_RESPONSE: u8 = 0x07;
/// ZCL status NOT_FOUND: no entry for the request.
pub const ZCL_NOT_FOUND: u8 = 0x8B;
/// ZCL frame control of the client commands: cluster specific, client to server.
const FC_CLUSTER_TO_SERVER: u8 = 0x01;

/// Snapshot causes (ZSE SnapshotCause bitmap).
pub const SNAPSHOT_CAUSE_GENERAL: u32 = 0x0000_0001;
/// End of billing period (billing calendar).
pub const SNAPSHOT_CAUSE_BILLING_PERIOD: u32 = 0x0000_0002;
/// Change of tariff information, change of mode (credit/prepayment) and change of debt.
pub const SNAPSHOT_CAUSE_TARIFF_OR_MODE: u32 = 0x0000_6008;

/// One snapshot request of a snapshot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SnapshotRequest {
    /// Cluster (Metering or Prepayment).
    pub cluster: u16,
    /// The snapshot offset (0 = the latest in the period).
    pub offset: u8,
}

/// What a snapshot read asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SnapshotRead {
    /// The requests, one per component, in order.
    pub requests: Vec<SnapshotRequest>,
    /// The period.
    pub period: LogPeriod,
    /// The snapshot cause asked for.
    pub cause: u32,
}

fn snapshot_command_id(cluster: u16) -> u8 {
    if cluster == CLUSTER_PREPAYMENT {
        GET_PREPAY_SNAPSHOT
    } else {
        GET_SNAPSHOT
    }
}

fn snapshot_payload(period: &LogPeriod, offset: u8, cause: u32) -> Vec<u8> {
    let mut p = Vec::with_capacity(13);
    p.extend_from_slice(&zigbee_time(period.start).to_le_bytes());
    p.extend_from_slice(&zigbee_time(period.end).to_le_bytes());
    p.push(offset);
    p.extend_from_slice(&cause.to_le_bytes());
    p
}

/// The requests of a snapshot read: for each cluster in `clusters`, offsets `0..count`.
fn snapshot_requests(clusters: &[u16], count: u8) -> Vec<SnapshotRequest> {
    clusters
        .iter()
        .flat_map(|&cluster| (0..count).map(move |offset| SnapshotRequest { cluster, offset }))
        .collect()
}

/// Builds a snapshot read: `count` offsets for each cluster of `clusters`, in that order.
pub(crate) fn snapshot_command(
    h: &CommandHeader,
    code: MessageCode,
    clusters: &[u16],
    count: u8,
    period: &LogPeriod,
    cause: u32,
) -> Result<GeneralSigning, BuildError> {
    let frames = snapshot_requests(clusters, count)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let zcl = ZclFrame {
                frame_control: FC_CLUSTER_TO_SERVER,
                manufacturer_code: None,
                sequence: u8::try_from(i).unwrap_or(u8::MAX),
                command: snapshot_command_id(r.cluster),
                payload: snapshot_payload(period, r.offset, cause),
            };
            (r.cluster, None, zcl)
        })
        .collect();
    let content = GbzPayload::command(frames).encode()?;
    Ok(common::apdu(h, code, content, false))
}

fn gbz_components(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<Vec<GbzComponent>, CommandDecodeError> {
    let GbzPayload::Components {
        profile,
        components,
    } = GbzPayload::decode(&apdu.content)?
    else {
        return Err(common::bad(uc, "not a GBZ command"));
    };
    if profile != GBZ_PROFILE {
        return Err(common::bad(uc, "GBZ profile is not 0x0109"));
    }
    Ok(components)
}

/// Decodes a snapshot read of exactly `count` offsets for each of `clusters` with `cause`.
pub(crate) fn decode_snapshot(
    apdu: &GeneralSigning,
    uc: &'static str,
    clusters: &[u16],
    count: u8,
    cause: u32,
) -> Result<SnapshotRead, CommandDecodeError> {
    let components = gbz_components(apdu, uc)?;
    let requests = snapshot_requests(clusters, count);
    if components.len() != requests.len() {
        return Err(common::bad(
            uc,
            "not the use case's number of snapshot requests",
        ));
    }
    let mut period = None;
    for (i, (c, r)) in components.iter().zip(&requests).enumerate() {
        let last = i + 1 == requests.len();
        if c.control != if last { CONTROL_LAST } else { 0 } || c.cluster != r.cluster {
            return Err(common::bad(
                uc,
                "component control or cluster is not the use case's",
            ));
        }
        let GbzBody::Plain {
            from_date_time: None,
            zcl,
        } = &c.body
        else {
            return Err(common::bad(
                uc,
                "component is not a plain immediate ZCL frame",
            ));
        };
        if zcl.frame_control != FC_CLUSTER_TO_SERVER
            || zcl.manufacturer_code.is_some()
            || usize::from(zcl.sequence) != i
            || zcl.command != snapshot_command_id(r.cluster)
        {
            return Err(common::bad(uc, "not a Get (Prepay) Snapshot command"));
        }
        let [s0, s1, s2, s3, e0, e1, e2, e3, offset, c0, c1, c2, c3] = zcl.payload[..] else {
            return Err(common::bad(uc, "snapshot request is not 13 bytes"));
        };
        if offset != r.offset || u32::from_le_bytes([c0, c1, c2, c3]) != cause {
            return Err(common::bad(
                uc,
                "snapshot offset or cause is not the use case's",
            ));
        }
        let p = LogPeriod {
            start: from_zigbee(uc, u32::from_le_bytes([s0, s1, s2, s3]))?,
            end: from_zigbee(uc, u32::from_le_bytes([e0, e1, e2, e3]))?,
        };
        if period.is_some_and(|q| q != p) {
            return Err(common::bad(uc, "snapshot requests over different periods"));
        }
        period = Some(p);
    }
    Ok(SnapshotRead {
        requests,
        period: period.ok_or(common::bad(uc, "no snapshot request"))?,
        cause,
    })
}

/// Builds a one-component GBZ command with a from-date-time (the period's start).
pub(crate) fn from_dated_command(
    h: &CommandHeader,
    code: MessageCode,
    cluster: u16,
    start: UtcDateTime,
    command: u8,
    payload: Vec<u8>,
) -> Result<GeneralSigning, BuildError> {
    let zcl = ZclFrame {
        frame_control: FC_CLUSTER_TO_SERVER,
        manufacturer_code: None,
        sequence: 0,
        command,
        payload,
    };
    let content = GbzPayload::command(vec![(cluster, Some(zigbee_time(start)), zcl)]).encode()?;
    Ok(common::apdu(h, code, content, false))
}

/// Builds a one-component immediate GBZ command.
pub(crate) fn immediate_command(
    h: &CommandHeader,
    code: MessageCode,
    cluster: u16,
    command: u8,
    payload: Vec<u8>,
) -> Result<GeneralSigning, BuildError> {
    let zcl = ZclFrame {
        frame_control: FC_CLUSTER_TO_SERVER,
        manufacturer_code: None,
        sequence: 0,
        command,
        payload,
    };
    let content = GbzPayload::command(vec![(cluster, None, zcl)]).encode()?;
    Ok(common::apdu(h, code, content, false))
}

/// The single component of a one-component GBZ command on `cluster` with client command
/// `command`: its from-date-time (required iff `dated`) and ZCL payload.
pub(crate) fn decode_single(
    apdu: &GeneralSigning,
    uc: &'static str,
    cluster: u16,
    command: u8,
    dated: bool,
) -> Result<(Option<u32>, Vec<u8>), CommandDecodeError> {
    let mut components = gbz_components(apdu, uc)?;
    let (Some(c), true) = (components.pop(), components.is_empty()) else {
        return Err(common::bad(uc, "exactly one GBZ component"));
    };
    let control = if dated {
        CONTROL_LAST | crate::gbz::CONTROL_FROM_DATE_TIME
    } else {
        CONTROL_LAST
    };
    if c.control != control || c.cluster != cluster {
        return Err(common::bad(
            uc,
            "component control or cluster is not the use case's",
        ));
    }
    let GbzBody::Plain {
        from_date_time,
        zcl,
    } = c.body
    else {
        return Err(common::bad(uc, "component is encrypted"));
    };
    if zcl.frame_control != FC_CLUSTER_TO_SERVER
        || zcl.manufacturer_code.is_some()
        || zcl.sequence != 0
        || zcl.command != command
    {
        return Err(common::bad(uc, "not the use case's ZCL command"));
    }
    Ok((from_date_time, zcl.payload))
}

pub(crate) fn zigbee_period(
    uc: &'static str,
    start: u32,
    end: u32,
) -> Result<LogPeriod, CommandDecodeError> {
    Ok(LogPeriod {
        start: from_zigbee(uc, start)?,
        end: from_zigbee(uc, end)?,
    })
}

/// One component of a GBZ log response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GbzLogPart {
    /// An encrypted response only the requester can open.
    Protected {
        /// Cluster.
        cluster: u16,
        /// ZCL command id of the encrypted response.
        command: u8,
        /// Security header, ciphertext and tag.
        block: Vec<u8>,
    },
    /// A plaintext cluster-specific response (GCS15e Publish Top Up Log).
    Plain {
        /// Cluster.
        cluster: u16,
        /// ZCL command id.
        command: u8,
        /// ZCL payload.
        payload: Vec<u8>,
    },
    /// No entry for that request (Default Response NOT_FOUND).
    NotFound {
        /// Cluster.
        cluster: u16,
        /// The command answered.
        command: u8,
    },
}

/// Decodes a GBZ log response: a Default Response other than SUCCESS or NOT_FOUND is the
/// failure; otherwise each component's part.
pub(crate) fn gbz_log_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let GbzPayload::Components { components, .. } = GbzPayload::decode(content)? else {
        return Err(ResponseDecodeError::Format("not a GBZ response"));
    };
    if components.is_empty() {
        return Err(ResponseDecodeError::Format(
            "GBZ response without components",
        ));
    }
    let mut parts = Vec::with_capacity(components.len());
    for c in components {
        match c.body {
            GbzBody::Encrypted {
                command, protected, ..
            } => parts.push(GbzLogPart::Protected {
                cluster: c.cluster,
                command,
                block: protected,
            }),
            GbzBody::Plain { zcl, .. } if zcl.frame_control & 0x03 == 0 => {
                match (zcl.command, &zcl.payload[..]) {
                    (ZCL_DEFAULT_RESPONSE, [command, status]) => match *status {
                        0 | ZCL_NOT_FOUND => parts.push(GbzLogPart::NotFound {
                            cluster: c.cluster,
                            command: *command,
                        }),
                        status => {
                            return Ok(ResponseOutcome::Failure(Failure::ZclDefaultResponse {
                                command: *command,
                                status,
                            }));
                        }
                    },
                    _ => return Err(ResponseDecodeError::Format("unexpected global ZCL command")),
                }
            }
            GbzBody::Plain { zcl, .. } => parts.push(GbzLogPart::Plain {
                cluster: c.cluster,
                command: zcl.command,
                payload: zcl.payload,
            }),
        }
    }
    Ok(ResponseOutcome::Success(ResponseValue::GbzLog(parts)))
}

// ---------------------------------------------------------------------------------------------
// The family as a whole.

/// The period a decoded log-read command asks for (`None` for other use cases).
pub fn period_of(cmd: &DecodedCommand) -> Option<LogPeriod> {
    Some(match cmd {
        DecodedCommand::Ecs20b(r)
        | DecodedCommand::Ecs20c(r)
        | DecodedCommand::Ecs21a(r)
        | DecodedCommand::Ecs21b(r)
        | DecodedCommand::Ecs66(r) => r.period,
        DecodedCommand::Ecs20a(r)
        | DecodedCommand::Ecs20d(r)
        | DecodedCommand::Ecs21c(r)
        | DecodedCommand::Ecs35a(r)
        | DecodedCommand::Ecs35b(r)
        | DecodedCommand::Ecs35c(r)
        | DecodedCommand::Ecs35d(r)
        | DecodedCommand::Ecs35e(r)
        | DecodedCommand::Ecs35f(r)
        | DecodedCommand::Ecs35g(r) => r.period,
        DecodedCommand::Gcs15b(r)
        | DecodedCommand::Gcs15c(r)
        | DecodedCommand::Gcs16a(r)
        | DecodedCommand::Gcs16b(r) => r.period,
        DecodedCommand::Gcs15d(p)
        | DecodedCommand::Gcs15e(p)
        | DecodedCommand::Gcs61(p)
        | DecodedCommand::Cs10a(p)
        | DecodedCommand::Cs10b(p) => *p,
        _ => return None,
    })
}

/// Builds the log-read command of use case `code` for `period` (`None` if `code` is not a log
/// read).
pub fn build_log_read(
    code: MessageCode,
    h: &CommandHeader,
    period: &LogPeriod,
) -> Option<Result<GeneralSigning, BuildError>> {
    use super::*;
    Some(match code {
        MessageCode::ECS20A => Ok(ecs20a_read_debt_payments_log(h, period)),
        MessageCode::ECS20B => Ok(ecs20b_read_billing_data_log_triggered(h, period)),
        MessageCode::ECS20C => Ok(ecs20c_read_billing_data_log_calendar(h, period)),
        MessageCode::ECS20D => Ok(ecs20d_read_prepayment_credits_log(h, period)),
        MessageCode::ECS21A => Ok(ecs21a_read_daily_read_log(h, period)),
        MessageCode::ECS21B => Ok(ecs21b_read_prepayment_daily_read_log(h, period)),
        MessageCode::ECS21C => Ok(ecs21c_read_export_daily_read_log(h, period)),
        MessageCode::ECS66 => Ok(ecs66_read_daily_consumption_log(h, period)),
        ecs35a::CODE => Ok(ecs35a_read_event_log(h, period)),
        cs10a::CODE => cs10a_read_event_log(h, period),
        cs10b::CODE => cs10b_read_security_log(h, period),
        ecs35b::CODE => Ok(ecs35b_read_security_log(h, period)),
        ecs35c::CODE => Ok(ecs35c_read_chf_event_log(h, period)),
        ecs35d::CODE => Ok(ecs35d_read_chf_security_log(h, period)),
        ecs35e::CODE => Ok(ecs35e_read_power_event_log(h, period)),
        ecs35f::CODE => Ok(ecs35f_read_alcs_event_log(h, period)),
        ecs35g::CODE => Ok(ecs35g_read_auxiliary_controller_event_log(h, period)),
        MessageCode::GCS15B => gcs15b_read_billing_data_log_triggered(h, period),
        MessageCode::GCS15C => gcs15c_read_billing_data_log_calendar(h, period),
        MessageCode::GCS15D => gcs15d_read_debt_payments_log(h, period),
        MessageCode::GCS15E => gcs15e_read_prepayment_credits_log(h, period),
        MessageCode::GCS16A => gcs16a_read_daily_read_log(h, period),
        MessageCode::GCS16B => gcs16b_read_prepayment_daily_read_log(h, period),
        MessageCode::GCS61 => gcs61_read_daily_consumption_log(h, period),
        _ => return None,
    })
}
