//! What the supplier-settings use cases (DUIS 3.x: ECS16, GCS44, ECS14, GCS11) share: a
//! non-critical DLMS SET of attributes with its "done" response, and a non-critical ZSE command
//! (cluster-specific, server→client: the DCC side is the server of the Device Management and
//! Messaging clusters) whose answer is a ZCL Default Response.

use super::common::{self, CommandHeader};
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

/// ZCL frame control of the ZSE commands these use cases send: cluster-specific, server→client.
pub const FC_SERVER_TO_CLIENT: u8 = 0x09;
/// ZSE Device Management cluster.
pub const CLUSTER_DEVICE_MANAGEMENT: u16 = 0x0708;

/// A (non-critical) DLMS command of use case `code` that SETs each object to its value.
pub(crate) fn dlms_set_command(
    h: &CommandHeader,
    code: MessageCode,
    sets: Vec<(CosemDescriptor, Data)>,
) -> GeneralSigning {
    let (specs, data) = sets
        .into_iter()
        .map(|(o, d)| (RequestSpec::Set(o), d))
        .unzip();
    common::apdu(h, code, common::dlms(h, specs, data), false)
}

/// The values of a DLMS SET of exactly `objects` (bound to the command's counter).
pub(crate) fn dlms_set(
    apdu: &GeneralSigning,
    uc: &'static str,
    objects: &[CosemDescriptor],
) -> Result<Vec<Data>, CommandDecodeError> {
    let specs: Vec<RequestSpec> = objects.iter().map(|o| RequestSpec::Set(*o)).collect();
    Ok(common::dlms_request(apdu, uc, &specs)?.data)
}

/// The bytes of an octet-string datum of at most `max` bytes.
pub(crate) fn octets(
    d: &Data,
    uc: &'static str,
    max: usize,
    what: &'static str,
) -> Result<Vec<u8>, CommandDecodeError> {
    match d {
        Data::OctetString(b) if b.len() <= max => Ok(b.clone()),
        _ => Err(common::bad(uc, what)),
    }
}

/// A (non-critical) one-component GBZ command of use case `code`: ZSE command `command` on
/// `cluster` with `payload`.
pub(crate) fn zse_command(
    h: &CommandHeader,
    code: MessageCode,
    cluster: u16,
    command: u8,
    payload: Vec<u8>,
) -> Result<GeneralSigning, BuildError> {
    let zcl = ZclFrame {
        frame_control: FC_SERVER_TO_CLIENT,
        manufacturer_code: None,
        sequence: 0,
        command,
        payload,
    };
    let content = GbzPayload::command(vec![(cluster, None, zcl)]).encode()?;
    Ok(common::apdu(h, code, content, false))
}

/// The payload of a one-component GBZ command that is ZSE command `command` on `cluster`.
pub(crate) fn zse_payload(
    apdu: &GeneralSigning,
    uc: &'static str,
    cluster: u16,
    command: u8,
) -> Result<Vec<u8>, CommandDecodeError> {
    let zcl = common::single_zcl(apdu, uc, cluster)?;
    if zcl.frame_control != FC_SERVER_TO_CLIENT || zcl.command != command {
        return Err(common::bad(uc, "not the use case's ZSE command"));
    }
    Ok(zcl.payload)
}

/// Reads a GBZ/ZCL payload field by field (little-endian integers, octet strings with a
/// one-byte length), failing with the use case's format error.
pub(crate) struct ZclFields<'a> {
    uc: &'static str,
    rest: &'a [u8],
}

impl<'a> ZclFields<'a> {
    pub(crate) fn new(uc: &'static str, payload: &'a [u8]) -> Self {
        Self { uc, rest: payload }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CommandDecodeError> {
        if self.rest.len() < n {
            return Err(common::bad(self.uc, "ZSE payload too short"));
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, CommandDecodeError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, CommandDecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, CommandDecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An octet string of at most `max` bytes.
    pub(crate) fn octets(&mut self, max: usize) -> Result<Vec<u8>, CommandDecodeError> {
        let n = usize::from(self.u8()?);
        if n > max {
            return Err(common::bad(self.uc, "ZSE octet string too long"));
        }
        Ok(self.take(n)?.to_vec())
    }

    /// Nothing may follow.
    pub(crate) fn finish(self) -> Result<(), CommandDecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(common::bad(self.uc, "bytes after the ZSE payload"))
        }
    }
}

/// A ZCL octet string: a length byte (at most 254) and the bytes.
pub(crate) fn zcl_octets(
    out: &mut Vec<u8>,
    b: &[u8],
    what: &'static str,
) -> Result<(), BuildError> {
    let n = u8::try_from(b.len())
        .ok()
        .filter(|n| *n < 0xFF)
        .ok_or(BuildError::OutOfRange(what))?;
    out.push(n);
    out.extend_from_slice(b);
    Ok(())
}

/// The outcome of the answer to a one-component ZSE command `command` on `cluster`: a ZCL
/// Default Response, success (done) or the status it reports.
pub(crate) fn zse_default_response(
    content: &[u8],
    cluster: u16,
    command: u8,
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
            if c.cluster == cluster
                && zcl.frame_control & 0x03 == 0
                && zcl.command == common::ZCL_DEFAULT_RESPONSE
                && zcl.payload == [command, 0] =>
        {
            Ok(ResponseOutcome::Success(ResponseValue::Done))
        }
        _ => Err(ResponseDecodeError::Format(
            "not a Default Response to the use case's command",
        )),
    }
}
