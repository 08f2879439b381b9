//! GCS23: update the GSME's gas conversion (DUIS 6.6). Critical: the builder returns the
//! pre-command. See [`super::gas_configuration`].

use super::common::CommandHeader;
use super::gas_configuration::{self, CLUSTER_PRICE, GasConversion};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS23";
/// The GCS23 message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x007C);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the pre-command.
pub fn gcs23_update_gas_conversion(
    h: &CommandHeader,
    c: &GasConversion,
) -> Result<GeneralSigning, BuildError> {
    gas_configuration::conversion_command(h, MESSAGE_CODE, c)
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    gas_configuration::decode_conversion(apdu, NAME).map(DecodedCommand::Gcs23)
}

/// Decodes the response: done, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    gas_configuration::decode_set_response(
        content,
        CLUSTER_PRICE,
        [
            gas_configuration::PUBLISH_CONVERSION_FACTOR,
            gas_configuration::PUBLISH_CALORIFIC_VALUE,
        ],
    )
}
