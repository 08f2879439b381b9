//! GCS20r: read the GSME's non-critical event and alert behaviours (DUIS 6.2.10): ZSE Get Event
//! Configuration of event group `0x81FF`, answered by a Report Event Configuration (see
//! [`super::alert_behaviour_common`]).

use super::alert_behaviour_common as ab;
use super::common::CommandHeader;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS20r";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x00F1);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn gcs20r_read_alert_behaviours(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    ab::gsme_read_command(h, CODE)
}

/// Decodes the command (no parameters).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ab::decode_gsme_read(apdu, NAME).map(|()| DecodedCommand::Gcs20r)
}

/// Decodes the response: each `0x81xx` code's configuration, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ab::gsme_read_response(content)
}
