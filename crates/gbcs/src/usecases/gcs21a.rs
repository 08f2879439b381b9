//! GCS21a: read the GSME's gas configuration (DUIS 6.2.8): a GBZ read set of the conversion
//! (Price cluster) and uncontrolled flow (Metering cluster) attributes, see
//! [`super::gas_configuration`].

use super::common::CommandHeader;
use super::gas_configuration::READS;
use super::reads_common;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS21a";
/// The GCS21a message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x007B);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn gcs21a_read_gas_configuration(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    reads_common::gbz_read_set_command(h, MESSAGE_CODE, &READS)
}

/// Decodes the command: exactly the read set.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_gbz_read_set(apdu, NAME, &READS).map(DecodedCommand::Gcs21a)
}

/// Decodes the response: the components, or the first ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::gbz_read_set_response(content)
}
