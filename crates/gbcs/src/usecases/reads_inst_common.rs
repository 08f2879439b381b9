//! What the instantaneous-read use cases share (4.1.x, 4.2, 4.3, 4.12.x, 4.15, 4.18): the
//! protected read (DLMS ACTION "get protected attributes" on a data-protection object, the
//! device answering with a block encrypted to the requester: ECS17b, ECS17d, ECS17e, ECS19),
//! plain multi-object DLMS GETs (ECS17a, ECS18a, ECS18b, ECS27, ECS82) and multi-component GBZ
//! Read Attributes (GCS14, GCS60, GCS60a).

use eui::Eui64;

use super::common::{self, AttributeRecord, CommandHeader, DlmsRead, ZclRead};
use super::{CommandDecodeError, Failure, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{CONTROL_LAST, GBZ_PROFILE, GbzBody, GbzPayload, ZclFrame};

/// ZCL Price cluster.
pub const CLUSTER_PRICE: u16 = 0x0700;
/// ZCL Prepayment cluster.
pub const CLUSTER_PREPAYMENT: u16 = 0x0705;

/// What a protected read asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProtectedRead {
    /// The protected objects (class, OBIS, attribute), in request order.
    pub objects: Vec<CosemDescriptor>,
}

/// The DLMS protection parameters of a "get protected attributes" request: authenticated
/// encryption, transaction id `04 ‖ counter`, originator and recipient titles, agreed key
/// (C(0e, 2s ECC CDH)).
pub fn protection_parameters(counter: u64, originator: Eui64, recipient: Eui64) -> Data {
    let mut tid = Vec::with_capacity(9);
    tid.push(0x04);
    tid.extend_from_slice(&counter.to_be_bytes());
    Data::Structure(vec![
        Data::Enum(2),
        Data::Structure(vec![
            Data::OctetString(tid),
            Data::OctetString(originator.0.to_vec()),
            Data::OctetString(recipient.0.to_vec()),
            Data::OctetString(Vec::new()),
            Data::Structure(vec![
                Data::Enum(2),
                Data::Structure(vec![
                    Data::OctetString(vec![0x02]),
                    Data::OctetString(Vec::new()),
                ]),
            ]),
        ]),
    ])
}

fn object_entry(o: &CosemDescriptor) -> Data {
    Data::Structure(vec![
        Data::LongUnsigned(o.class_id),
        Data::OctetString(o.instance.to_vec()),
        Data::Integer(i8::try_from(o.index).unwrap_or(i8::MAX)),
        Data::LongUnsigned(0),
        Data::Structure(vec![Data::Enum(0), Data::Null]),
    ])
}

/// A protected-read command of use case `code`: ACTION `method` (data protection, method 1)
/// with the `objects` and the protection parameters bound to the header.
pub(crate) fn protected_read_command(
    h: &CommandHeader,
    code: MessageCode,
    method: CosemDescriptor,
    objects: &[CosemDescriptor],
) -> GeneralSigning {
    let objects = Data::Array(objects.iter().map(object_entry).collect());
    let params = Data::Array(vec![protection_parameters(
        h.counter,
        h.originator,
        h.recipient,
    )]);
    let content = common::dlms(
        h,
        vec![RequestSpec::Action(method)],
        vec![Data::Structure(vec![objects, params])],
    );
    common::apdu(h, code, content, false)
}

/// Decodes a protected-read command of use case `uc`: ACTION `method`, protection parameters
/// bound to this command (its counter, originator and recipient), exactly the `expected`
/// objects.
pub(crate) fn decode_protected_read(
    apdu: &GeneralSigning,
    uc: &'static str,
    method: CosemDescriptor,
    expected: &[CosemDescriptor],
) -> Result<ProtectedRead, CommandDecodeError> {
    let req = common::dlms_request(apdu, uc, &[RequestSpec::Action(method)])?;
    let Some(Data::Structure(arg)) = req.data.first() else {
        return Err(common::bad(uc, "action argument is not a structure"));
    };
    let [Data::Array(entries), Data::Array(params)] = &arg[..] else {
        return Err(common::bad(
            uc,
            "argument is not (objects, protection parameters)",
        ));
    };
    let bound = protection_parameters(apdu.counter, apdu.originator, apdu.recipient);
    if params[..] != [bound] {
        return Err(common::bad(
            uc,
            "protection parameters are not bound to this command",
        ));
    }
    let mut objects = Vec::with_capacity(entries.len());
    for e in entries {
        let Data::Structure(m) = e else {
            return Err(common::bad(uc, "object entry is not a structure"));
        };
        let [
            Data::LongUnsigned(class_id),
            Data::OctetString(obis),
            Data::Integer(index),
            Data::LongUnsigned(0),
            Data::Structure(access),
        ] = &m[..]
        else {
            return Err(common::bad(
                uc,
                "object entry is not (class, OBIS, attribute, 0, access)",
            ));
        };
        if access[..] != [Data::Enum(0), Data::Null] {
            return Err(common::bad(uc, "selective access is not supported"));
        }
        let instance: [u8; 6] = obis[..]
            .try_into()
            .map_err(|_| common::bad(uc, "OBIS code is not six bytes"))?;
        let index = u8::try_from(*index).map_err(|_| common::bad(uc, "negative attribute"))?;
        objects.push(CosemDescriptor::new(*class_id, instance, index));
    }
    if objects[..] != *expected {
        return Err(common::bad(uc, "protected objects are not the use case's"));
    }
    Ok(ProtectedRead { objects })
}

/// Decodes a protected-read response: the protected block, or the DLMS failure.
pub(crate) fn protected_read_response(
    content: &[u8],
) -> Result<ResponseOutcome, ResponseDecodeError> {
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

/// A (non-critical) DLMS command of use case `code` that GETs each of `objects`.
pub(crate) fn dlms_get_many(
    h: &CommandHeader,
    code: MessageCode,
    objects: &[CosemDescriptor],
) -> GeneralSigning {
    let content = common::dlms(
        h,
        objects.iter().map(|o| RequestSpec::Get(*o)).collect(),
        vec![Data::Null; objects.len()],
    );
    common::apdu(h, code, content, false)
}

/// Decodes a multi-object DLMS GET command: exactly `objects`.
pub(crate) fn decode_dlms_get_many(
    apdu: &GeneralSigning,
    uc: &'static str,
    objects: &[CosemDescriptor],
) -> Result<DlmsRead, CommandDecodeError> {
    common::dlms_read(apdu, uc, objects)
}

/// Decodes the response to a GET of `n` objects: their values in request order, or the first
/// DLMS failure.
pub(crate) fn dlms_values_response(
    content: &[u8],
    n: usize,
) -> Result<ResponseOutcome, ResponseDecodeError> {
    Ok(match common::dlms_response(content, n)? {
        Err(f) => ResponseOutcome::Failure(f),
        Ok(r) => ResponseOutcome::Success(ResponseValue::DlmsValues(r.data)),
    })
}

/// One component of a multi-component GBZ read: a cluster and its attributes.
pub type ClusterAttributes = (u16, &'static [u16]);

/// A (non-critical) GBZ command of use case `code` with one Read Attributes component per
/// entry of `reads` (ZCL sequence number = component index).
pub(crate) fn gbz_multi_read_command(
    h: &CommandHeader,
    code: MessageCode,
    reads: &[ClusterAttributes],
) -> Result<GeneralSigning, BuildError> {
    let frames = reads
        .iter()
        .enumerate()
        .map(|(i, (cluster, attrs))| {
            let seq = u8::try_from(i).map_err(|_| BuildError::OutOfRange("GBZ components"))?;
            Ok((*cluster, None, ZclFrame::read_attributes(seq, attrs)))
        })
        .collect::<Result<Vec<_>, BuildError>>()?;
    let content = GbzPayload::command(frames).encode()?;
    Ok(common::apdu(h, code, content, false))
}

/// Decodes a multi-component GBZ Read Attributes command: exactly `reads`, plain immediate
/// frames, sequence numbers counting from 0.
pub(crate) fn decode_gbz_multi_read(
    apdu: &GeneralSigning,
    uc: &'static str,
    reads: &[ClusterAttributes],
) -> Result<Vec<ZclRead>, CommandDecodeError> {
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
    if components.len() != reads.len() {
        return Err(common::bad(uc, "component count is not the use case's"));
    }
    let mut out = Vec::with_capacity(reads.len());
    for (i, (c, (cluster, attrs))) in components.iter().zip(reads).enumerate() {
        let last = if i + 1 == reads.len() {
            CONTROL_LAST
        } else {
            0
        };
        if c.control != last || c.cluster != *cluster {
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
        if usize::from(zcl.sequence) != i || zcl.manufacturer_code.is_some() {
            return Err(common::bad(
                uc,
                "ZCL sequence number is not the component index",
            ));
        }
        let ids = zcl
            .read_attribute_ids()
            .ok_or(common::bad(uc, "not a Read Attributes command"))?;
        if zcl.frame_control != 0x00 || ids[..] != **attrs {
            return Err(common::bad(uc, "attributes are not the use case's"));
        }
        out.push(ZclRead {
            cluster: *cluster,
            attributes: ids,
        });
    }
    Ok(out)
}

/// What one component of a multi-component read answered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClusterReadValue {
    /// Plaintext Read Attributes Response records.
    Records(Vec<AttributeRecord>),
    /// An encrypted Read Attributes Response only the requester can open.
    Protected(Vec<u8>),
}

/// One cluster's answer in a multi-component read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClusterRead {
    /// The cluster.
    pub cluster: u16,
    /// Its records or protected block.
    pub value: ClusterReadValue,
}

/// Decodes the response to a multi-component read of `n` clusters: each component's records
/// (or protected block), or the first failure (a Default Response with a non-success status,
/// or a record with one), in component order.
pub(crate) fn gbz_multi_read_response(
    content: &[u8],
    n: usize,
) -> Result<ResponseOutcome, ResponseDecodeError> {
    let GbzPayload::Components { components, .. } = GbzPayload::decode(content)? else {
        return Err(ResponseDecodeError::Format("not a GBZ response"));
    };
    if components.len() != n {
        return Err(ResponseDecodeError::Format(
            "response does not answer every component",
        ));
    }
    let mut out = Vec::with_capacity(n);
    for c in components {
        let value = match c.body {
            GbzBody::Encrypted {
                command: common::ZCL_READ_ATTRIBUTES_RESPONSE,
                protected,
                ..
            } => ClusterReadValue::Protected(protected),
            GbzBody::Plain { zcl, .. } if zcl.command == common::ZCL_READ_ATTRIBUTES_RESPONSE => {
                match common::read_attribute_records(&zcl.payload)? {
                    Ok(r) => ClusterReadValue::Records(r),
                    Err(f) => return Ok(ResponseOutcome::Failure(f)),
                }
            }
            GbzBody::Plain { zcl, .. }
                if zcl.frame_control & 0x03 == 0 && zcl.command == common::ZCL_DEFAULT_RESPONSE =>
            {
                match zcl.payload[..] {
                    [command, status] if status != 0 => {
                        return Ok(ResponseOutcome::Failure(Failure::ZclDefaultResponse {
                            command,
                            status,
                        }));
                    }
                    _ => {
                        return Err(ResponseDecodeError::Format(
                            "a successful Default Response answers no read",
                        ));
                    }
                }
            }
            _ => {
                return Err(ResponseDecodeError::Format(
                    "not a Read Attributes Response",
                ));
            }
        };
        out.push(ClusterRead {
            cluster: c.cluster,
            value,
        });
    }
    Ok(ResponseOutcome::Success(ResponseValue::ClusterReads(out)))
}
