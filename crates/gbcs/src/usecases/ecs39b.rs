//! ECS39b: set the export MPAN on an ESME (DUIS 6.20.2). The export supplier is no trust anchor
//! of the ESME: the DCC's ACB originates the command on its behalf (the 18-byte
//! other-information form, as the RTDS vectors). DLMS SET class 1 `1-0:0.0.2.255` attribute 2
//! ← the MPAN, an octet string of 13 ASCII digits. ECS40 reads it back.

use super::common::CommandHeader;
use super::ecs39a::{EXPORT_MPAN, is_mpan};
use super::settings_common;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS39b";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x004D);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command (`mpan`: 13 digits).
pub fn ecs39b_set_export_mpan(
    h: &CommandHeader,
    mpan: &[u8],
) -> Result<GeneralSigning, BuildError> {
    if !is_mpan(mpan) {
        return Err(BuildError::OutOfRange("export MPAN"));
    }
    Ok(settings_common::dlms_set_command(
        h,
        MESSAGE_CODE,
        vec![(EXPORT_MPAN, Data::OctetString(mpan.to_vec()))],
    ))
}

/// Decodes the command: the MPAN set.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let data = settings_common::dlms_set(apdu, NAME, &[EXPORT_MPAN])?;
    match &data[..] {
        [Data::OctetString(b)] if is_mpan(b) => Ok(DecodedCommand::Ecs39b(b.clone())),
        _ => Err(super::common::bad(NAME, "not one MPAN of 13 digits")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::common::dlms_done_response(content, 1)
}
