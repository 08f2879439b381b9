//! CS07: read device join details, the device log of a meter, a GPF or a HAN device (DUIS
//! 8.9). ASN.1: the command is a NULL; the response [`super::han_logs::decode_join_details`].
//! The supplier sends it itself (RTDS `8.9_CS07` SUCCESS); the ACB on behalf of anyone else
//! (the ERROR vector). Not signed.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::asn1::{TAG_NULL, Tlv, TlvValue};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "CS07";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CS07,
    device_types: &[
        DeviceType::Esme,
        DeviceType::Gsme,
        DeviceType::Gpf,
        DeviceType::Ppmid,
        DeviceType::Hcalcs,
    ],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn cs07_read_device_join_details(h: &CommandHeader) -> GeneralSigning {
    let content = Tlv::primitive(TAG_NULL, Vec::new()).encode();
    common::apdu(h, MessageCode::CS07, content, false)
}

/// Decodes the command: an ASN.1 NULL, nothing else.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let t = Tlv::decode(&apdu.content)?;
    match (t.tag.as_slice(), &t.value, t.long_length) {
        ([TAG_NULL], TlvValue::Primitive(v), None) if v.is_empty() => Ok(DecodedCommand::Cs07),
        _ => Err(common::bad(NAME, "content is not an ASN.1 NULL")),
    }
}

/// Decodes the response: the device log, or the failure code.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::han_logs::decode_join_details(content)
}
