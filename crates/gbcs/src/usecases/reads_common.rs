//! What the read use cases of DUIS 4.8 (profile data), 4.10 (network data), 4.11 (tariff),
//! 4.13 (prepayment configuration) and 14.1 (record gas network data) share:
//!
//! * DLMS **GET lists**: a fixed list of attributes, some of them profile buffers read with
//!   selective access by range (selector 1: restricting object the UTC clock
//!   `0-0:94.44.100.255` (class 1, attribute 2), from and to as ZigBee UTC seconds
//!   (double-long-unsigned, seconds since 2000-01-01), no selected columns). Every range in one
//!   command is the same period. The response is the list of values, one per request
//!   ([`ResponseValue::DlmsValues`]).
//! * ZSE Metering **sampling**: Get Sampled Data (`0x08`) and Start Sampling (`0x07`).
//!
//! A period whose end precedes its start is not a command of these use cases: the decoders
//! refuse it (and the DCC refuses the DUIS request before building).

use super::common::{self, CLUSTER_METERING, CommandHeader};
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::dlms::{CosemDescriptor, RequestSpec, SelectiveAccess};
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

/// OBIS of the UTC clock value a profile range restricts on (class 1, attribute 2).
pub const OBIS_UTC_TIME: [u8; 6] = [0, 0, 94, 44, 100, 0xFF];
/// The restricting object of a profile range.
pub const RANGE_RESTRICTING_OBJECT: CosemDescriptor = CosemDescriptor::new(1, OBIS_UTC_TIME, 2);
/// DLMS selective access selector: range descriptor.
pub const SELECTOR_RANGE: u8 = 1;

/// A read period, both ends inclusive, never ending before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadPeriod {
    /// First instant.
    pub start: UtcDateTime,
    /// Last instant.
    pub end: UtcDateTime,
}

impl ReadPeriod {
    /// A period; `None` when `end` precedes `start`.
    pub fn new(start: UtcDateTime, end: UtcDateTime) -> Option<Self> {
        (end.to_unix() >= start.to_unix()).then_some(Self { start, end })
    }

    /// Start and end as ZigBee UTC seconds.
    pub fn zigbee(&self) -> Result<(u32, u32), BuildError> {
        match (self.start.to_zigbee_utc(), self.end.to_zigbee_utc()) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(BuildError::OutOfRange("read period")),
        }
    }

    fn from_zigbee(uc: &'static str, a: u32, b: u32) -> Result<Self, CommandDecodeError> {
        let (Some(s), Some(e)) = (
            UtcDateTime::from_zigbee_utc(a),
            UtcDateTime::from_zigbee_utc(b),
        ) else {
            return Err(common::bad(uc, "range time out of range"));
        };
        Self::new(s, e).ok_or(common::bad(uc, "range ends before it starts"))
    }
}

/// One request of a GET list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    /// A plain GET.
    Get(CosemDescriptor),
    /// A GET of a profile buffer with the command's range.
    Range(CosemDescriptor),
}

impl Item {
    /// The attribute read.
    pub const fn object(&self) -> CosemDescriptor {
        match self {
            Item::Get(o) | Item::Range(o) => *o,
        }
    }
}

/// What a DLMS GET-list read asks for: the attributes, and the period of its profile reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GetListRead {
    /// The requests, in order.
    pub items: Vec<Item>,
    /// The period of the range reads (`None` when there are none).
    pub period: Option<ReadPeriod>,
}

fn restricting() -> Data {
    let o = RANGE_RESTRICTING_OBJECT;
    Data::Structure(vec![
        Data::LongUnsigned(o.class_id),
        Data::OctetString(o.instance.to_vec()),
        Data::Integer(2),
        Data::LongUnsigned(0),
    ])
}

fn range_access(from: u32, to: u32) -> SelectiveAccess {
    SelectiveAccess {
        selector: SELECTOR_RANGE,
        parameters: Data::Structure(vec![
            restricting(),
            Data::DoubleLongUnsigned(from),
            Data::DoubleLongUnsigned(to),
            Data::Array(Vec::new()),
        ]),
    }
}

fn range_of(a: &SelectiveAccess) -> Option<(u32, u32)> {
    let Data::Structure(m) = &a.parameters else {
        return None;
    };
    match &m[..] {
        [
            object,
            Data::DoubleLongUnsigned(from),
            Data::DoubleLongUnsigned(to),
            Data::Array(cols),
        ] if a.selector == SELECTOR_RANGE && cols.is_empty() && *object == restricting() => {
            Some((*from, *to))
        }
        _ => None,
    }
}

/// Builds a GET-list command of use case `code`: `items` in order, ranges over `period`.
pub(crate) fn get_list_command(
    h: &CommandHeader,
    code: MessageCode,
    items: &[Item],
    period: Option<ReadPeriod>,
) -> Result<GeneralSigning, BuildError> {
    let range = match period {
        Some(p) => Some(p.zigbee()?),
        None => None,
    };
    let mut specs = Vec::with_capacity(items.len());
    for i in items {
        specs.push(match (i, range) {
            (Item::Get(o), _) => RequestSpec::Get(*o),
            (Item::Range(o), Some((a, b))) => RequestSpec::GetWithSelection(*o, range_access(a, b)),
            (Item::Range(_), None) => return Err(BuildError::OutOfRange("read period missing")),
        });
    }
    let data = vec![Data::Null; specs.len()];
    Ok(common::apdu(h, code, common::dlms(h, specs, data), false))
}

/// Decodes a GET-list command of use case `uc` that must be exactly `items` (ranges all over one
/// period that does not end before it starts).
pub(crate) fn decode_get_list(
    apdu: &GeneralSigning,
    uc: &'static str,
    items: &[Item],
) -> Result<GetListRead, CommandDecodeError> {
    let req = crate::dlms::AccessRequest::decode(&apdu.content)?;
    if req.invoke_id != crate::dlms::long_invoke_id(apdu.counter) {
        return Err(common::bad(
            uc,
            "invoke-id does not carry the command counter",
        ));
    }
    if !req.date_time.is_empty() {
        return Err(common::bad(uc, "access-request carries a date-time"));
    }
    if req.specs.len() != items.len() || req.data.len() != items.len() {
        return Err(common::bad(
            uc,
            "request specifications are not the use case's",
        ));
    }
    if req.data.iter().any(|d| *d != Data::Null) {
        return Err(common::bad(uc, "GET data must be null-data"));
    }
    let mut range: Option<(u32, u32)> = None;
    for (spec, item) in req.specs.iter().zip(items) {
        match (spec, item) {
            (RequestSpec::Get(o), Item::Get(e)) if o == e => {}
            (RequestSpec::GetWithSelection(o, access), Item::Range(e)) if o == e => {
                let r = range_of(access).ok_or(common::bad(uc, "not a range selective access"))?;
                if range.is_some_and(|x| x != r) {
                    return Err(common::bad(uc, "profile ranges differ"));
                }
                range = Some(r);
            }
            _ => {
                return Err(common::bad(
                    uc,
                    "request specifications are not the use case's",
                ));
            }
        }
    }
    let period = match range {
        Some((a, b)) => Some(ReadPeriod::from_zigbee(uc, a, b)?),
        None => None,
    };
    Ok(GetListRead {
        items: items.to_vec(),
        period,
    })
}

/// Decodes the response to a GET list of `n` requests: the values, or the DLMS failure.
pub(crate) fn get_list_response(
    content: &[u8],
    n: usize,
) -> Result<ResponseOutcome, ResponseDecodeError> {
    Ok(match common::dlms_response(content, n)? {
        Err(f) => ResponseOutcome::Failure(f),
        Ok(r) => ResponseOutcome::Success(ResponseValue::DlmsValues(r.data)),
    })
}

// ---------------------------------------------------------------------------------------------
// ZSE sampling.

/// ZSE Metering client→server: Start Sampling.
pub const START_SAMPLING: u8 = 0x07;
/// ZSE Metering client→server: Get Sampled Data.
pub const GET_SAMPLED_DATA: u8 = 0x08;
/// ZSE Metering server→client: Get Sampled Data Response.
pub const GET_SAMPLED_DATA_RESPONSE: u8 = 0x07;
/// ZSE Metering server→client: Start Sampling Response.
pub const START_SAMPLING_RESPONSE: u8 = 0x0D;
/// ZSE sample type: consumption delivered.
pub const SAMPLE_CONSUMPTION_DELIVERED: u8 = 0x00;
/// The sample id a GSME gives its half-hour consumption profile (GCS17).
pub const SAMPLE_ID_PROFILE: u16 = 0x0000;
/// The sample id of the gas network data log (GCS31 answers it, GCS18 reads it; RTDS: 2).
pub const SAMPLE_ID_NETWORK_DATA: u16 = 0x0002;
/// The sample id a Start Sampling Response carries when sampling could not start.
pub const SAMPLE_ID_REFUSED: u16 = 0xFFFF;

/// A Get Sampled Data command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetSampledData {
    /// Sample id (0: the consumption profile; 2: network data).
    pub sample_id: u16,
    /// Earliest sample time, ZigBee UTC.
    pub earliest_sample_time: u32,
    /// Sample type (0 consumption delivered).
    pub sample_type: u8,
    /// Number of samples asked for.
    pub number_of_samples: u16,
}

/// A Start Sampling command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StartSampling {
    /// Issuer event id (the DCC's time, as GCS32).
    pub issuer_event_id: u32,
    /// Start sampling time, ZigBee UTC (0: now).
    pub start_sampling_time: u32,
    /// Sample type (0 consumption delivered).
    pub sample_type: u8,
    /// Seconds between samples.
    pub sample_request_interval: u16,
    /// How many samples to take.
    pub max_number_of_samples: u16,
}

/// A Get Sampled Data Response (the plaintext of GCS17/GCS18's encrypted answer).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SampledData {
    /// Sample id.
    pub sample_id: u16,
    /// Time of the first sample, ZigBee UTC.
    pub sample_start_time: u32,
    /// Sample type.
    pub sample_type: u8,
    /// Seconds between samples.
    pub sample_request_interval: u16,
    /// The samples (24-bit unsigned each).
    pub samples: Vec<u32>,
}

impl SampledData {
    /// The ZCL payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(11 + 3 * self.samples.len());
        p.extend_from_slice(&self.sample_id.to_le_bytes());
        p.extend_from_slice(&self.sample_start_time.to_le_bytes());
        p.push(self.sample_type);
        p.extend_from_slice(&self.sample_request_interval.to_le_bytes());
        let n = u16::try_from(self.samples.len()).unwrap_or(u16::MAX);
        p.extend_from_slice(&n.to_le_bytes());
        for s in self.samples.iter().take(usize::from(n)) {
            p.extend_from_slice(&s.min(&0x00FF_FFFF).to_le_bytes()[..3]);
        }
        p
    }

    /// Parses the ZCL payload.
    pub fn decode(p: &[u8]) -> Result<Self, ResponseDecodeError> {
        let bad = || ResponseDecodeError::Format("malformed Get Sampled Data Response");
        let [a, b, t0, t1, t2, t3, ty, i0, i1, n0, n1, rest @ ..] = p else {
            return Err(bad());
        };
        let n = usize::from(u16::from_le_bytes([*n0, *n1]));
        if rest.len() != 3 * n {
            return Err(bad());
        }
        Ok(Self {
            sample_id: u16::from_le_bytes([*a, *b]),
            sample_start_time: u32::from_le_bytes([*t0, *t1, *t2, *t3]),
            sample_type: *ty,
            sample_request_interval: u16::from_le_bytes([*i0, *i1]),
            samples: rest
                .chunks_exact(3)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], 0]))
                .collect(),
        })
    }
}

fn metering_command(
    h: &CommandHeader,
    code: MessageCode,
    command: u8,
    payload: Vec<u8>,
) -> Result<GeneralSigning, BuildError> {
    let zcl = ZclFrame {
        frame_control: 0x01,
        manufacturer_code: None,
        sequence: 0,
        command,
        payload,
    };
    let content = GbzPayload::command(vec![(CLUSTER_METERING, None, zcl)]).encode()?;
    Ok(common::apdu(h, code, content, false))
}

/// Builds a Get Sampled Data command of use case `code`.
pub(crate) fn get_sampled_data_command(
    h: &CommandHeader,
    code: MessageCode,
    g: &GetSampledData,
) -> Result<GeneralSigning, BuildError> {
    let mut p = Vec::with_capacity(9);
    p.extend_from_slice(&g.sample_id.to_le_bytes());
    p.extend_from_slice(&g.earliest_sample_time.to_le_bytes());
    p.push(g.sample_type);
    p.extend_from_slice(&g.number_of_samples.to_le_bytes());
    metering_command(h, code, GET_SAMPLED_DATA, p)
}

/// Builds a Start Sampling command of use case `code`.
pub(crate) fn start_sampling_command(
    h: &CommandHeader,
    code: MessageCode,
    s: &StartSampling,
) -> Result<GeneralSigning, BuildError> {
    let mut p = Vec::with_capacity(13);
    p.extend_from_slice(&s.issuer_event_id.to_le_bytes());
    p.extend_from_slice(&s.start_sampling_time.to_le_bytes());
    p.push(s.sample_type);
    p.extend_from_slice(&s.sample_request_interval.to_le_bytes());
    p.extend_from_slice(&s.max_number_of_samples.to_le_bytes());
    metering_command(h, code, START_SAMPLING, p)
}

fn metering_payload(
    apdu: &GeneralSigning,
    uc: &'static str,
    command: u8,
    len: usize,
) -> Result<Vec<u8>, CommandDecodeError> {
    let zcl = common::single_zcl(apdu, uc, CLUSTER_METERING)?;
    if zcl.frame_control != 0x01 || zcl.command != command {
        return Err(common::bad(uc, "not the use case's ZSE Metering command"));
    }
    if zcl.payload.len() != len {
        return Err(common::bad(uc, "ZSE payload has the wrong length"));
    }
    Ok(zcl.payload)
}

/// Decodes a Get Sampled Data command of use case `uc`.
pub(crate) fn decode_get_sampled_data(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<GetSampledData, CommandDecodeError> {
    let p = metering_payload(apdu, uc, GET_SAMPLED_DATA, 9)?;
    Ok(GetSampledData {
        sample_id: u16::from_le_bytes([p[0], p[1]]),
        earliest_sample_time: u32::from_le_bytes([p[2], p[3], p[4], p[5]]),
        sample_type: p[6],
        number_of_samples: u16::from_le_bytes([p[7], p[8]]),
    })
}

/// Decodes a Start Sampling command of use case `uc`.
pub(crate) fn decode_start_sampling(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<StartSampling, CommandDecodeError> {
    let p = metering_payload(apdu, uc, START_SAMPLING, 13)?;
    Ok(StartSampling {
        issuer_event_id: u32::from_le_bytes([p[0], p[1], p[2], p[3]]),
        start_sampling_time: u32::from_le_bytes([p[4], p[5], p[6], p[7]]),
        sample_type: p[8],
        sample_request_interval: u16::from_le_bytes([p[9], p[10]]),
        max_number_of_samples: u16::from_le_bytes([p[11], p[12]]),
    })
}

/// Decodes a Get Sampled Data response: the encrypted block (only the requester can open it), a
/// plaintext response, or the ZCL Default Response failure (`0x8B` NOT_FOUND: no samples in the
/// period; `0xC0` HARDWARE_FAILURE).
pub(crate) fn sampled_data_response(
    content: &[u8],
) -> Result<ResponseOutcome, ResponseDecodeError> {
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
        GbzBody::Encrypted {
            command: GET_SAMPLED_DATA_RESPONSE,
            protected,
            ..
        } => Ok(ResponseOutcome::Success(ResponseValue::Protected(
            protected.clone(),
        ))),
        GbzBody::Plain { zcl, .. } if zcl.command == GET_SAMPLED_DATA_RESPONSE => {
            Ok(ResponseOutcome::Success(ResponseValue::SampledData(
                SampledData::decode(&zcl.payload)?,
            )))
        }
        _ => Err(ResponseDecodeError::Format(
            "not a Get Sampled Data Response",
        )),
    }
}

/// Decodes a Start Sampling response: the sample id, or failure (`FFFF`: sampling refused,
/// reported as [`super::Failure::Result`] with code `0xFF`; or a ZCL Default Response).
pub(crate) fn start_sampling_response(
    content: &[u8],
) -> Result<ResponseOutcome, ResponseDecodeError> {
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
            if zcl.frame_control & 0x03 == 0x01 && zcl.command == START_SAMPLING_RESPONSE =>
        {
            match zcl.payload[..] {
                [a, b] => match u16::from_le_bytes([a, b]) {
                    SAMPLE_ID_REFUSED => Ok(ResponseOutcome::Failure(super::Failure::Result {
                        code: 0xFF,
                    })),
                    id => Ok(ResponseOutcome::Success(ResponseValue::SampleId(id))),
                },
                _ => Err(ResponseDecodeError::Format(
                    "malformed Start Sampling Response",
                )),
            }
        }
        _ => Err(ResponseDecodeError::Format("not a Start Sampling Response")),
    }
}

// ---------------------------------------------------------------------------------------------
// GBZ read sets (GCS21f, GCS21b): several plaintext components, each a Read Attributes or a
// cluster command with fixed parameters, sequence numbers 0, 1, 2… in order.

/// One request of a GBZ read set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GbzRead {
    /// A Read Attributes of `attributes` on `cluster`.
    Attributes {
        /// The cluster.
        cluster: u16,
        /// The attribute ids.
        attributes: &'static [u16],
    },
    /// A cluster-specific client→server command with a fixed payload.
    Command {
        /// The cluster.
        cluster: u16,
        /// The command id.
        command: u8,
        /// Its payload (ZCL, little-endian).
        payload: &'static [u8],
    },
}

impl GbzRead {
    fn frame(&self, sequence: u8) -> (u16, ZclFrame) {
        match *self {
            GbzRead::Attributes {
                cluster,
                attributes,
            } => (cluster, ZclFrame::read_attributes(sequence, attributes)),
            GbzRead::Command {
                cluster,
                command,
                payload,
            } => (
                cluster,
                ZclFrame {
                    frame_control: 0x01,
                    manufacturer_code: None,
                    sequence,
                    command,
                    payload: payload.to_vec(),
                },
            ),
        }
    }
}

/// What a GBZ read set asks for: its requests, in order (component `i` has sequence `i`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GbzReadSet {
    /// The requests.
    pub reads: Vec<GbzRead>,
}

/// Builds the GBZ read set `reads` as use case `code`.
pub(crate) fn gbz_read_set_command(
    h: &CommandHeader,
    code: MessageCode,
    reads: &[GbzRead],
) -> Result<GeneralSigning, BuildError> {
    let frames = reads
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (cluster, zcl) = r.frame(u8::try_from(i).unwrap_or(u8::MAX));
            (cluster, None, zcl)
        })
        .collect();
    let content = GbzPayload::command(frames).encode()?;
    Ok(common::apdu(h, code, content, false))
}

/// Decodes a GBZ read set of use case `uc`: exactly `reads`, immediate, plaintext, in order.
pub(crate) fn decode_gbz_read_set(
    apdu: &GeneralSigning,
    uc: &'static str,
    reads: &[GbzRead],
) -> Result<GbzReadSet, CommandDecodeError> {
    let GbzPayload::Components {
        profile,
        components,
    } = GbzPayload::decode(&apdu.content)?
    else {
        return Err(common::bad(uc, "not a GBZ command"));
    };
    if profile != crate::gbz::GBZ_PROFILE || components.len() != reads.len() {
        return Err(common::bad(uc, "not the use case's components"));
    }
    let n = components.len();
    for (i, (c, r)) in components.iter().zip(reads).enumerate() {
        let last = if i + 1 == n {
            crate::gbz::CONTROL_LAST
        } else {
            0
        };
        let (cluster, expected) = r.frame(u8::try_from(i).unwrap_or(u8::MAX));
        match &c.body {
            GbzBody::Plain {
                from_date_time: None,
                zcl,
            } if c.control == last && c.cluster == cluster && *zcl == expected => {}
            _ => return Err(common::bad(uc, "a component is not the use case's")),
        }
    }
    Ok(GbzReadSet {
        reads: reads.to_vec(),
    })
}

/// Decodes the response to a GBZ read set: the components, or the first ZCL failure (a Default
/// Response with a non-success status: `0x8B` NOT_FOUND when the meter holds no such
/// calendar or price, `0xC0` HARDWARE_FAILURE; or a failed attribute record).
pub(crate) fn gbz_read_set_response(
    content: &[u8],
) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    for c in &components {
        if let GbzBody::Plain { zcl, .. } = &c.body
            && zcl.frame_control & 0x03 == 0
            && zcl.command == common::ZCL_READ_ATTRIBUTES_RESPONSE
            && let Err(f) = common::read_attribute_records(&zcl.payload)?
        {
            return Ok(ResponseOutcome::Failure(f));
        }
    }
    Ok(ResponseOutcome::Success(ResponseValue::Components(
        components,
    )))
}
