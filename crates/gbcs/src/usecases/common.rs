//! What the use-case modules share: the command header, APDU assembly, COSEM object names, and
//! the decoding helpers for commands and responses.

use eui::Eui64;

use crate::asn1::{TAG_INTEGER, Tlv, TlvValue};
use crate::axdr::Data;
use crate::codes::{Cra, MessageCode};
use crate::dlms::{AccessRequest, AccessResponse, CosemDescriptor, RequestSpec, long_invoke_id};
use crate::error::BuildError;
use crate::frame::{GeneralSigning, OtherInfo, OtherInfoExt, SignatureField};
use crate::gbz::{CONTROL_LAST, GBZ_PROFILE, GbzBody, GbzPayload, ZclFrame};

use super::{CommandDecodeError, Failure, ResponseDecodeError, ResponseOutcome, ResponseValue};

/// Who sends a command to whom, with which counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandHeader {
    /// Originator system title (the user, or a DCC role such as the ACB).
    pub originator: Eui64,
    /// Recipient device.
    pub recipient: Eui64,
    /// Originator counter (for user commands: the DUIS RequestID counter).
    pub counter: u64,
    /// For commands the DCC originates on behalf of a user: that user and their request counter
    /// (the 18-byte other-information form).
    pub on_behalf_of: Option<OnBehalfOf>,
}

/// The user a DCC-originated command is sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OnBehalfOf {
    /// The user's EUI-64 (supplementary remote party).
    pub remote_party: Eui64,
    /// The user's request counter (supplementary remote-party counter).
    pub remote_party_counter: u64,
}

impl CommandHeader {
    /// A user-originated command.
    pub const fn new(originator: Eui64, recipient: Eui64, counter: u64) -> Self {
        Self {
            originator,
            recipient,
            counter,
            on_behalf_of: None,
        }
    }

    /// A command the DCC (`originator`, e.g. the ACB) sends on behalf of `user`.
    pub const fn on_behalf_of(
        originator: Eui64,
        recipient: Eui64,
        counter: u64,
        user: Eui64,
        user_counter: u64,
    ) -> Self {
        Self {
            originator,
            recipient,
            counter,
            on_behalf_of: Some(OnBehalfOf {
                remote_party: user,
                remote_party_counter: user_counter,
            }),
        }
    }

    /// The header of a received command (originator, recipient, counter and the supplementary
    /// remote party of the 18-byte other-information form, or of the unknown-remote-party form
    /// that appends a certificate to it).
    pub fn of(apdu: &GeneralSigning) -> Self {
        let on_behalf_of = match apdu.other_info.ext {
            OtherInfoExt::RemotePartyCounter {
                remote_party,
                remote_party_counter,
            }
            | OtherInfoExt::Certificate {
                remote_party,
                remote_party_counter,
                ..
            } => Some(OnBehalfOf {
                remote_party,
                remote_party_counter,
            }),
            _ => None,
        };
        Self {
            originator: apdu.originator,
            recipient: apdu.recipient,
            counter: apdu.counter,
            on_behalf_of,
        }
    }

    fn other_info(&self, code: MessageCode) -> OtherInfo {
        OtherInfo {
            message_code: code,
            ext: match self.on_behalf_of {
                None => OtherInfoExt::None,
                Some(o) => OtherInfoExt::RemotePartyCounter {
                    remote_party: o.remote_party,
                    remote_party_counter: o.remote_party_counter,
                },
            },
        }
    }
}

/// A command sent for an unknown remote party (URP): the ACB originates it on behalf of the
/// requester (`h`: the ACB's header with the requester and its request counter, as
/// [`CommandHeader::on_behalf_of`] makes it) and the other-information carries the requester's
/// key-agreement certificate after the 18-byte form (the 424/425-byte form,
/// [`OtherInfoExt::Certificate`]); the device encrypts its sensitive answer to that
/// certificate's key. `build` makes the payload as the requester would send it, bound to the
/// ACB's counter: a protected read's protection parameters name the requester, the party the
/// answer is encrypted for (as the RTDS URP vectors show).
///
/// `certificate` must pass [`crate::credentials::unknown_remote_party_certificate`]; a header
/// that is not on someone's behalf, or a certificate that is not one DER SEQUENCE, is out of
/// range.
pub fn for_unknown_remote_party(
    h: &CommandHeader,
    certificate: Vec<u8>,
    build: impl FnOnce(&CommandHeader) -> Result<GeneralSigning, BuildError>,
) -> Result<GeneralSigning, BuildError> {
    let Some(party) = h.on_behalf_of else {
        return Err(BuildError::OutOfRange(
            "an unknown remote party's command is sent by the ACB on the party's behalf",
        ));
    };
    if !crate::frame::is_single_der_sequence(&certificate) {
        return Err(BuildError::OutOfRange(
            "the unknown remote party's certificate (not one DER SEQUENCE)",
        ));
    }
    let mut command = build(&CommandHeader::new(
        party.remote_party,
        h.recipient,
        h.counter,
    ))?;
    command.originator = h.originator;
    command.other_info.ext = OtherInfoExt::Certificate {
        remote_party: party.remote_party,
        remote_party_counter: party.remote_party_counter,
        certificate,
    };
    Ok(command)
}

/// Assembles the General-Signing APDU of a command: the pre-command (no signature field) for
/// critical use cases, else the unsigned command (signature field `00`).
pub(crate) fn apdu(
    h: &CommandHeader,
    code: MessageCode,
    content: Vec<u8>,
    critical: bool,
) -> GeneralSigning {
    GeneralSigning {
        cra: Cra::Command,
        counter: h.counter,
        originator: h.originator,
        recipient: h.recipient,
        date_time: None,
        other_info: h.other_info(code),
        content,
        signature: if critical {
            SignatureField::Absent
        } else {
            SignatureField::Unsigned
        },
    }
}

/// A DLMS Access-Request bound to the header's counter.
pub(crate) fn dlms(h: &CommandHeader, specs: Vec<RequestSpec>, data: Vec<Data>) -> Vec<u8> {
    AccessRequest {
        invoke_id: long_invoke_id(h.counter),
        date_time: Vec::new(),
        specs,
        data,
    }
    .encode()
}

/// A (non-critical) one-component GBZ Read Attributes command of use case `code`.
pub(crate) fn gbz_read_command(
    h: &CommandHeader,
    code: MessageCode,
    cluster: u16,
    attributes: &[u16],
) -> Result<GeneralSigning, BuildError> {
    let content = GbzPayload::command(vec![(
        cluster,
        None,
        ZclFrame::read_attributes(0, attributes),
    )])
    .encode()?;
    Ok(apdu(h, code, content, false))
}

/// A (non-critical) DLMS command of use case `code` that GETs `object`.
pub(crate) fn dlms_get_command(
    h: &CommandHeader,
    code: MessageCode,
    object: CosemDescriptor,
) -> GeneralSigning {
    let content = dlms(h, vec![RequestSpec::Get(object)], vec![Data::Null]);
    apdu(h, code, content, false)
}

/// OBIS of the active firmware identifier (class 1).
pub const OBIS_FIRMWARE: [u8; 6] = [0, 0, 0, 2, 1, 0xFF];
/// OBIS of the disconnect control object (class 70).
pub const OBIS_DISCONNECT_CONTROL: [u8; 6] = [0, 0, 96, 3, 10, 0xFF];
/// OBIS of the disconnect script table (class 9).
pub const OBIS_DISCONNECT_SCRIPTS: [u8; 6] = [0, 0, 10, 0, 106, 0xFF];
/// OBIS of the clock (class 8).
pub const OBIS_CLOCK: [u8; 6] = [0, 0, 1, 0, 0, 0xFF];
/// OBIS of the data-protection object for energy registers (class 30).
pub const OBIS_DATA_PROTECTION: [u8; 6] = [0, 0, 43, 2, 8, 0xFF];
/// OBIS of the GBCS import energy register set read through data protection.
pub const OBIS_IMPORT_REGISTERS: [u8; 6] = [0, 0, 94, 44, 34, 10];
/// OBIS of the ZigBee network control object on the CHF (class 104).
pub const OBIS_ZIGBEE_NETWORK_CONTROL: [u8; 6] = [0, 0, 30, 3, 0, 0xFF];

/// ZCL Metering cluster.
pub const CLUSTER_METERING: u16 = 0x0702;

/// ZCL global command: Read Attributes Response.
pub const ZCL_READ_ATTRIBUTES_RESPONSE: u8 = 0x01;
/// ZCL global command: Default Response.
pub const ZCL_DEFAULT_RESPONSE: u8 = 0x0B;

// ---------------------------------------------------------------------------------------------
// Command decoding helpers.

pub(crate) fn bad(use_case: &'static str, reason: &'static str) -> CommandDecodeError {
    CommandDecodeError::Format { use_case, reason }
}

/// A command that is one DLMS ACTION with one fixed parameter (ECS05, ECS09, ECS15a, ECS15c):
/// its APDU (the pre-command when `critical`).
pub(crate) fn fixed_action(
    h: &CommandHeader,
    code: MessageCode,
    method: CosemDescriptor,
    parameter: Data,
    critical: bool,
) -> GeneralSigning {
    let content = dlms(h, vec![RequestSpec::Action(method)], vec![parameter]);
    apdu(h, code, content, critical)
}

/// Decodes a [`fixed_action`] command: exactly the ACTION `method` with `parameter`, else the
/// error `why`.
pub(crate) fn decode_fixed_action(
    apdu: &GeneralSigning,
    uc: &'static str,
    method: CosemDescriptor,
    parameter: &Data,
    why: &'static str,
) -> Result<(), CommandDecodeError> {
    let req = dlms_request(apdu, uc, &[RequestSpec::Action(method)])?;
    match &req.data[..] {
        [p] if p == parameter => Ok(()),
        _ => Err(bad(uc, why)),
    }
}

/// The command's DLMS Access-Request, checked to be bound to its counter (invoke id), with no
/// date-time and exactly the request specifications `specs`.
pub(crate) fn dlms_request(
    apdu: &GeneralSigning,
    uc: &'static str,
    specs: &[RequestSpec],
) -> Result<AccessRequest, CommandDecodeError> {
    let req = AccessRequest::decode(&apdu.content)?;
    if req.invoke_id != long_invoke_id(apdu.counter) {
        return Err(bad(uc, "invoke-id does not carry the command counter"));
    }
    if !req.date_time.is_empty() {
        return Err(bad(uc, "access-request carries a date-time"));
    }
    if req.specs != specs {
        return Err(bad(uc, "request specifications are not the use case's"));
    }
    if req.data.len() != specs.len() {
        return Err(bad(uc, "one data item per request specification"));
    }
    Ok(req)
}

/// A DLMS read of exactly `objects`: plain GETs whose data are all null-data.
pub(crate) fn dlms_read(
    apdu: &GeneralSigning,
    uc: &'static str,
    objects: &[CosemDescriptor],
) -> Result<DlmsRead, CommandDecodeError> {
    let specs: Vec<RequestSpec> = objects.iter().map(|o| RequestSpec::Get(*o)).collect();
    let req = dlms_request(apdu, uc, &specs)?;
    if req.data.iter().any(|d| *d != Data::Null) {
        return Err(bad(uc, "GET data must be null-data"));
    }
    Ok(DlmsRead {
        objects: objects.to_vec(),
    })
}

/// The single plaintext, immediate ZCL frame of a one-component GBZ command on `cluster`.
pub(crate) fn single_zcl(
    apdu: &GeneralSigning,
    uc: &'static str,
    cluster: u16,
) -> Result<ZclFrame, CommandDecodeError> {
    let GbzPayload::Components {
        profile,
        mut components,
    } = GbzPayload::decode(&apdu.content)?
    else {
        return Err(bad(uc, "not a GBZ command"));
    };
    if profile != GBZ_PROFILE {
        return Err(bad(uc, "GBZ profile is not 0x0109"));
    }
    let (Some(c), true) = (components.pop(), components.is_empty()) else {
        return Err(bad(uc, "exactly one GBZ component"));
    };
    if c.control != CONTROL_LAST || c.cluster != cluster {
        return Err(bad(
            uc,
            "component control or cluster is not the use case's",
        ));
    }
    match c.body {
        GbzBody::Plain {
            from_date_time: None,
            zcl,
        } if zcl.sequence == 0 && zcl.manufacturer_code.is_none() => Ok(zcl),
        _ => Err(bad(uc, "component is not a plain immediate ZCL frame")),
    }
}

/// The attributes of a one-component Read Attributes command, which must be exactly `expected`.
pub(crate) fn zcl_read(
    apdu: &GeneralSigning,
    uc: &'static str,
    cluster: u16,
    expected: &[u16],
) -> Result<ZclRead, CommandDecodeError> {
    let zcl = single_zcl(apdu, uc, cluster)?;
    let ids = zcl
        .read_attribute_ids()
        .ok_or(bad(uc, "not a Read Attributes command"))?;
    if zcl.frame_control != 0x00 || ids != expected {
        return Err(bad(uc, "attributes are not the use case's"));
    }
    Ok(ZclRead {
        cluster,
        attributes: ids,
    })
}

/// A DLMS read: the objects (class, OBIS, attribute) the command asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DlmsRead {
    /// The requested attributes, in request order.
    pub objects: Vec<CosemDescriptor>,
}

/// A ZCL Read Attributes: the cluster and the attributes the command asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ZclRead {
    /// The cluster.
    pub cluster: u16,
    /// The attribute ids, in request order.
    pub attributes: Vec<u16>,
}

/// The clock validity interval of a set-clock command (ECS70, GCS28): the device sets its clock
/// only if its notion of now lies within `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClockValidity {
    /// Start of the interval (the DCC's current time).
    pub start: crate::datetime::UtcDateTime,
    /// End of the interval (start plus the tolerance).
    pub end: crate::datetime::UtcDateTime,
}

impl ClockValidity {
    /// The interval a set-clock builder sends: from `current` to `current + tolerance_secs`.
    pub(crate) fn from_tolerance(
        current: crate::datetime::UtcDateTime,
        tolerance_secs: u32,
    ) -> Result<Self, BuildError> {
        let end = current
            .plus_seconds(tolerance_secs)
            .ok_or(BuildError::OutOfRange("tolerance_secs"))?;
        Ok(Self {
            start: current,
            end,
        })
    }

    /// The interval of a received set-clock command of use case `uc`, which must not end before
    /// it starts.
    pub(crate) fn checked(
        uc: &'static str,
        start: crate::datetime::UtcDateTime,
        end: crate::datetime::UtcDateTime,
    ) -> Result<Self, CommandDecodeError> {
        if end.to_unix() < start.to_unix() {
            return Err(bad(uc, "validity interval ends before it starts"));
        }
        Ok(Self { start, end })
    }
}

// ---------------------------------------------------------------------------------------------
// Response decoding helpers.

/// A decoded DLMS Access-Response; the first non-success result is a [`Failure::Dlms`].
pub(crate) fn dlms_response(
    content: &[u8],
    expected: usize,
) -> Result<Result<AccessResponse, Failure>, ResponseDecodeError> {
    let r = AccessResponse::decode(content)?;
    if let Some((index, spec)) = r.results.iter().enumerate().find(|(_, s)| s.result() != 0) {
        return Ok(Err(Failure::Dlms {
            index,
            result: spec.result(),
        }));
    }
    if r.results.len() != expected || r.data.len() != expected {
        return Err(ResponseDecodeError::Format(
            "DLMS response does not answer every request",
        ));
    }
    Ok(Ok(r))
}

/// The outcome of a one-request DLMS response: `value` of its datum (`None` is the malformed
/// answer `what`), or the DLMS failure.
pub(crate) fn dlms_value_response(
    content: &[u8],
    what: &'static str,
    value: impl FnOnce(&Data) -> Option<ResponseValue>,
) -> Result<ResponseOutcome, ResponseDecodeError> {
    match dlms_response(content, 1)? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(r) => r
            .data
            .first()
            .and_then(value)
            .map(ResponseOutcome::Success)
            .ok_or(ResponseDecodeError::Format(what)),
    }
}

/// The outcome of a DLMS response answering `expected` requests with nothing to report: done,
/// or the DLMS failure.
pub(crate) fn dlms_done_response(
    content: &[u8],
    expected: usize,
) -> Result<ResponseOutcome, ResponseDecodeError> {
    Ok(match dlms_response(content, expected)? {
        Err(f) => ResponseOutcome::Failure(f),
        Ok(_) => ResponseOutcome::Success(ResponseValue::Done),
    })
}

/// One record of a ZCL Read Attributes Response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttributeRecord {
    /// Attribute id.
    pub id: u16,
    /// ZCL data type id.
    pub data_type: u8,
    /// The value bytes as sent (little-endian; octet strings without their length byte).
    pub value: Vec<u8>,
}

/// Size of a fixed-length ZCL type, `None` for string types and unknown ones.
fn zcl_fixed_size(t: u8) -> Option<usize> {
    Some(match t {
        0x08 | 0x10 | 0x18 | 0x20 | 0x28 | 0x30 => 1,
        0x09 | 0x19 | 0x21 | 0x29 | 0x31 => 2,
        0x0A | 0x1A | 0x22 | 0x2A => 3,
        0x0B | 0x1B | 0x23 | 0x2B | 0x39 | 0xE0 | 0xE1 | 0xE2 => 4,
        0x0C | 0x1C | 0x24 | 0x2C => 5,
        0x0D | 0x1D | 0x25 | 0x2D => 6,
        0x0E | 0x1E | 0x26 | 0x2E => 7,
        0x0F | 0x1F | 0x27 | 0x2F | 0x3A => 8,
        _ => return None,
    })
}

/// Parses Read Attributes Response records; the first record with a non-success status is a
/// [`Failure::ZclAttribute`].
pub fn read_attribute_records(
    mut p: &[u8],
) -> Result<Result<Vec<AttributeRecord>, Failure>, ResponseDecodeError> {
    let malformed = || ResponseDecodeError::Format("malformed Read Attributes Response record");
    let mut out = Vec::new();
    while !p.is_empty() {
        let [lo, hi, status, rest @ ..] = p else {
            return Err(malformed());
        };
        let id = u16::from_le_bytes([*lo, *hi]);
        if *status != 0 {
            return Ok(Err(Failure::ZclAttribute {
                attribute: id,
                status: *status,
            }));
        }
        let [data_type, rest @ ..] = rest else {
            return Err(malformed());
        };
        let (value, rest) = match (*data_type, zcl_fixed_size(*data_type)) {
            (_, Some(n)) => rest.split_at_checked(n).ok_or_else(malformed)?,
            (0x41 | 0x42, None) => {
                let [len, rest @ ..] = rest else {
                    return Err(malformed());
                };
                rest.split_at_checked(usize::from(*len))
                    .ok_or_else(malformed)?
            }
            _ => return Err(ResponseDecodeError::Format("unknown ZCL data type")),
        };
        out.push(AttributeRecord {
            id,
            data_type: *data_type,
            value: value.to_vec(),
        });
        p = rest;
    }
    Ok(Ok(out))
}

/// The plaintext components of a GBZ response; a ZCL Default Response with a non-success status
/// is a [`Failure::ZclDefaultResponse`].
pub(crate) fn gbz_response(
    content: &[u8],
) -> Result<Result<Vec<crate::gbz::GbzComponent>, Failure>, ResponseDecodeError> {
    let GbzPayload::Components { components, .. } = GbzPayload::decode(content)? else {
        return Err(ResponseDecodeError::Format("not a GBZ response"));
    };
    if components.is_empty() {
        return Err(ResponseDecodeError::Format(
            "GBZ response without components",
        ));
    }
    for c in &components {
        if let GbzBody::Plain { zcl, .. } = &c.body
            && zcl.frame_control & 0x03 == 0
            && zcl.command == ZCL_DEFAULT_RESPONSE
            && let [command, status] = zcl.payload[..]
            && status != 0
        {
            return Ok(Err(Failure::ZclDefaultResponse { command, status }));
        }
    }
    Ok(Ok(components))
}

/// The records of a plaintext one-component Read Attributes Response (or the protected block of
/// an encrypted one).
pub(crate) fn gbz_read_response(content: &[u8]) -> Result<ReadOutcome, ResponseDecodeError> {
    let components = match gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ReadOutcome::Failed(f)),
    };
    let [c] = &components[..] else {
        return Err(ResponseDecodeError::Format(
            "one response component expected",
        ));
    };
    match &c.body {
        GbzBody::Encrypted {
            command: ZCL_READ_ATTRIBUTES_RESPONSE,
            protected,
            ..
        } => Ok(ReadOutcome::Protected(protected.clone())),
        GbzBody::Plain { zcl, .. } if zcl.command == ZCL_READ_ATTRIBUTES_RESPONSE => {
            Ok(match read_attribute_records(&zcl.payload)? {
                Ok(r) => ReadOutcome::Records(r),
                Err(f) => ReadOutcome::Failed(f),
            })
        }
        _ => Err(ResponseDecodeError::Format(
            "not a Read Attributes Response",
        )),
    }
}

/// The outcome of a plaintext Read Attributes response: `value` of its records, or the ZCL
/// failure; an encrypted answer is malformed.
pub(crate) fn gbz_plain_read_response(
    content: &[u8],
    value: impl FnOnce(Vec<AttributeRecord>) -> Result<ResponseValue, ResponseDecodeError>,
) -> Result<ResponseOutcome, ResponseDecodeError> {
    match gbz_read_response(content)? {
        ReadOutcome::Failed(f) => Ok(ResponseOutcome::Failure(f)),
        ReadOutcome::Records(r) => value(r).map(ResponseOutcome::Success),
        ReadOutcome::Protected(_) => Err(ResponseDecodeError::Format("unexpectedly encrypted")),
    }
}

pub(crate) enum ReadOutcome {
    Records(Vec<AttributeRecord>),
    Protected(Vec<u8>),
    Failed(Failure),
}

/// A SEQUENCE's children.
pub(crate) fn asn1_sequence(content: &[u8]) -> Result<Vec<Tlv>, ResponseDecodeError> {
    let t = Tlv::decode(content)?;
    match (t.tag.as_slice(), t.value) {
        ([crate::asn1::TAG_SEQUENCE], TlvValue::Constructed(children)) => Ok(children),
        _ => Err(ResponseDecodeError::Format("not an ASN.1 SEQUENCE")),
    }
}

/// The content of a primitive with tag `tag`.
pub(crate) fn primitive(t: &Tlv, tag: u8) -> Option<&[u8]> {
    match (&t.value, t.tag.as_slice()) {
        (TlvValue::Primitive(v), [x]) if *x == tag => Some(v),
        _ => None,
    }
}

/// A small non-negative DER INTEGER (a use-case result code).
pub(crate) fn small_integer(t: &Tlv) -> Option<u8> {
    match primitive(t, TAG_INTEGER)? {
        [v] if *v < 0x80 => Some(*v),
        _ => None,
    }
}
