//! CS08: read PPMID/HCALCS firmware version. ASN.1 NULL.
//!
//! The DCC (ACB) originates it on behalf of the user: the builder's header should carry
//! [`CommandHeader::on_behalf_of`] (18-byte other-information: the user as supplementary remote
//! party, the user's RequestID counter as supplementary counter, a DCC-chosen originator
//! counter). The RTDS vectors (`11.2_CS08`, counters 1300 and 1301) carry a `00` signature
//! field: the DCC does **not** sign CS08, it only MACs it as the ACB ([`SPEC`]`.dcc_signs` is
//! false).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::asn1::{TAG_NULL, TAG_OCTET_STRING, Tlv, TlvValue};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "CS08";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CS08,
    device_types: &[DeviceType::Ppmid, DeviceType::Hcalcs],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the command (unsigned: wrap it with the ACB MAC as it is).
pub fn cs08_read_firmware_version(h: &CommandHeader) -> GeneralSigning {
    let content = Tlv::primitive(TAG_NULL, Vec::new()).encode();
    common::apdu(h, MessageCode::CS08, content, false)
}

/// Decodes the command: an ASN.1 NULL, nothing else.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let t = Tlv::decode(&apdu.content)?;
    match (t.tag.as_slice(), &t.value, t.long_length) {
        ([TAG_NULL], TlvValue::Primitive(v), None) if v.is_empty() => Ok(DecodedCommand::Cs08),
        _ => Err(common::bad(NAME, "content is not an ASN.1 NULL")),
    }
}

/// Decodes the response `SEQUENCE { firmwareVersion OCTET STRING, result INTEGER }`: result 0
/// is success.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let children = common::asn1_sequence(content)?;
    let [fw, result] = &children[..] else {
        return Err(ResponseDecodeError::Format("CS08 response has two members"));
    };
    let fw = common::primitive(fw, TAG_OCTET_STRING).ok_or(ResponseDecodeError::Format(
        "firmware version is not an OCTET STRING",
    ))?;
    match common::small_integer(result) {
        Some(0) => Ok(ResponseOutcome::Success(ResponseValue::FirmwareVersion(
            fw.to_vec(),
        ))),
        Some(code) => Ok(ResponseOutcome::Failure(Failure::Result { code })),
        None => Err(ResponseDecodeError::Format("result is not a small INTEGER")),
    }
}
