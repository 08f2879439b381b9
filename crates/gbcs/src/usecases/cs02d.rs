//! CS02d "Update Device Certificates on Device" (DUIS 6.15.2, GBCS 13.5; message code 0x000B):
//! the supplier places on the device the Device certificate the SMKI service issued for the key
//! pair the device generated (CS02c, [`super::cs02c`]); from then on the device signs with that
//! key. Critical: the builder returns the pre-command, which the supplier signs.
//!
//! As the RTDS vectors show them: the command content is the certificate itself (one DER
//! SEQUENCE); the response content is `INTEGER` responseCode, 0 success (RTDS SUCCESS),
//! otherwise a failure ([`super::cs02c::response_code`]: `invalidKeyUsage` in the RTDS ERROR
//! vector, whose certificate is for nonRepudiation).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::asn1::{TAG_INTEGER, Tlv};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "CS02d";

/// The message code of CS02d.
pub const CS02D: MessageCode = MessageCode(0x000B);

/// responseCode success.
pub const RESPONSE_CODE_SUCCESS: u8 = super::cs02c::response_code::SUCCESS;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CS02D,
    device_types: &[DeviceType::Esme, DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the pre-command placing `certificate` (DER; the supplier signs the pre-command).
pub fn cs02d_update_device_certificate(
    h: &CommandHeader,
    certificate: &[u8],
) -> Result<GeneralSigning, BuildError> {
    if !crate::frame::is_single_der_sequence(certificate) {
        return Err(BuildError::OutOfRange(
            "device certificate is not one DER SEQUENCE",
        ));
    }
    Ok(common::apdu(h, CS02D, certificate.to_vec(), true))
}

/// Decodes the command: the certificate (one DER SEQUENCE; what it certifies is the device's
/// check).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    if apdu.message_code() != CS02D {
        return Err(common::bad(NAME, "message code"));
    }
    if !crate::frame::is_single_der_sequence(&apdu.content) {
        return Err(common::bad(NAME, "not one DER certificate"));
    }
    Ok(DecodedCommand::Cs02d(apdu.content.clone()))
}

/// Decodes the response: `INTEGER` 0 done, any other code a failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let top = Tlv::decode(content)?;
    if top.tag.as_slice() != [TAG_INTEGER] {
        return Err(ResponseDecodeError::Format(
            "response code is not an INTEGER",
        ));
    }
    match common::small_integer(&top) {
        Some(RESPONSE_CODE_SUCCESS) => Ok(ResponseOutcome::Success(ResponseValue::Done)),
        Some(code) => Ok(ResponseOutcome::Failure(Failure::Result { code })),
        None => Err(ResponseDecodeError::Format("response code")),
    }
}

/// The response content: `INTEGER code`.
pub fn response_content(code: u8) -> Vec<u8> {
    Tlv::primitive(TAG_INTEGER, vec![code]).encode()
}
