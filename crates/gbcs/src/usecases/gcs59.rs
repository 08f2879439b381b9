//! GCS59: restore the GPF device log (DUIS 8.12.2). The DCC's ACB sends it on its own account
//! (other-information: the message code alone), unsigned (RTDS `8.12.2_GCS59`). ASN.1: the
//! command `SEQUENCE { deviceLog SEQUENCE OF SEQUENCE { deviceId OCTET STRING (8), deviceType
//! INTEGER } }` ([`super::han_logs::HanLogEntry`]); the response `SEQUENCE { restoreOutcomes
//! SEQUENCE OF SEQUENCE { entry, joinResponseCode INTEGER } }`, one outcome per entry in command
//! order (0 success; the join codes, e.g. 4 device log full).

use super::common::{self, CommandHeader};
use super::han_logs::{HanLogEntry, decode_log_entries, encode_log_entries, entry_tlv};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::asn1::{TAG_INTEGER, TAG_SEQUENCE, Tlv, TlvValue};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS59";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS59,
    device_types: &[DeviceType::Gpf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// The most entries a GPF device log holds.
pub const MAX_ENTRIES: usize = 16;

/// Builds the command.
pub fn gcs59_restore_gpf_device_log(h: &CommandHeader, log: &[HanLogEntry]) -> GeneralSigning {
    let content = Tlv::constructed(TAG_SEQUENCE, vec![encode_log_entries(log)]).encode();
    common::apdu(h, MessageCode::GCS59, content, false)
}

/// Decodes the command: the entries to restore (at most [`MAX_ENTRIES`], each device once).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let t = Tlv::decode(&apdu.content)?;
    let (TlvValue::Constructed(members), [TAG_SEQUENCE]) = (&t.value, t.tag.as_slice()) else {
        return Err(common::bad(NAME, "content is not a SEQUENCE"));
    };
    let [log] = &members[..] else {
        return Err(common::bad(NAME, "the SEQUENCE holds the device log alone"));
    };
    let entries =
        decode_log_entries(log).map_err(|_| common::bad(NAME, "device log entries malformed"))?;
    if entries.len() > MAX_ENTRIES {
        return Err(common::bad(
            NAME,
            "more entries than a GPF device log holds",
        ));
    }
    if entries
        .iter()
        .enumerate()
        .any(|(i, e)| entries[..i].iter().any(|o| o.device == e.device))
    {
        return Err(common::bad(NAME, "a device named twice"));
    }
    Ok(DecodedCommand::Gcs59(entries))
}

/// The response content: each entry with its join response code.
pub fn encode_response(outcomes: &[(HanLogEntry, u8)]) -> Vec<u8> {
    let items = outcomes
        .iter()
        .map(|(e, code)| {
            Tlv::constructed(
                TAG_SEQUENCE,
                vec![entry_tlv(e), Tlv::primitive(TAG_INTEGER, vec![code & 0x7F])],
            )
        })
        .collect();
    Tlv::constructed(TAG_SEQUENCE, vec![Tlv::constructed(TAG_SEQUENCE, items)]).encode()
}

/// Decodes the response: success when every entry was restored, else the first entry's
/// failure code.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let bad = ResponseDecodeError::Format("GCS59 response is not the restore outcomes");
    let children = common::asn1_sequence(content)?;
    let [outcomes] = &children[..] else {
        return Err(bad);
    };
    let (TlvValue::Constructed(items), [TAG_SEQUENCE]) = (&outcomes.value, outcomes.tag.as_slice())
    else {
        return Err(bad);
    };
    let mut restored = Vec::new();
    for item in items {
        let (TlvValue::Constructed(m), [TAG_SEQUENCE]) = (&item.value, item.tag.as_slice()) else {
            return Err(bad);
        };
        let [entry, code] = &m[..] else {
            return Err(bad);
        };
        let wrapped = Tlv::constructed(TAG_SEQUENCE, vec![entry.clone()]);
        let e = decode_log_entries(&wrapped)?;
        let code = common::small_integer(code).ok_or(bad.clone())?;
        restored.push((e.into_iter().next().ok_or(bad.clone())?, code));
    }
    match restored.iter().find(|(_, c)| *c != 0) {
        Some((_, code)) => Ok(ResponseOutcome::Failure(Failure::Result { code: *code })),
        None => Ok(ResponseOutcome::Success(ResponseValue::DeviceLogRestored(
            restored.into_iter().map(|(e, _)| e).collect(),
        ))),
    }
}
