//! CS02e "Provide Device Certificates from Device" (DUIS 6.24.2 Retrieve Device Security
//! Credentials (Device)): critical, the supplier signs the pre-command. The content asks for
//! the device's digital signing or key agreement certificate
//! ([`crate::credentials::DeviceCertificateRequest`]); the device answers the certificate it
//! holds, or a response code ([`crate::credentials::device_certificate_code`]: 1 invalid key
//! usage, 2 no certificate held, 3 retrieval failure), signed.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, Failure, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::credentials::{
    DeviceCertificateRequest, DeviceCertificateResponse, KEY_USAGE_DS, KEY_USAGE_KA,
};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

/// CS02e's message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x000C);

/// CS02e.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: "CS02e",
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme, DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Asn1,
    decode_command,
    decode_response,
};

/// Builds the pre-command asking for the certificate of `key_usage` ([`KEY_USAGE_DS`] or
/// [`KEY_USAGE_KA`]).
pub fn cs02e_provide_device_certificate(
    h: &CommandHeader,
    key_usage: u8,
) -> Result<GeneralSigning, BuildError> {
    if key_usage != KEY_USAGE_DS && key_usage != KEY_USAGE_KA {
        return Err(BuildError::OutOfRange("key usage"));
    }
    let content = DeviceCertificateRequest { key_usage }.encode();
    Ok(common::apdu(h, MESSAGE_CODE, content, true))
}

/// Decodes the command: the key usage asked for (any one-octet value: a device answers one it
/// has no key of with response code 1).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    Ok(DecodedCommand::Cs02e(DeviceCertificateRequest::decode(
        &apdu.content,
    )?))
}

/// Decodes the response: the certificate, or the response code as the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    match DeviceCertificateResponse::decode(content)? {
        DeviceCertificateResponse::Certificate(der) => Ok(ResponseOutcome::Success(
            ResponseValue::DeviceCertificate(der),
        )),
        DeviceCertificateResponse::Code(code) => {
            Ok(ResponseOutcome::Failure(Failure::Result { code }))
        }
    }
}
