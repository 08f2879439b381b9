//! GCS24a: update the GSME's gas flow configuration (DUIS 6.7). Critical: the builder returns the
//! pre-command. See [`super::gas_configuration`].

use super::common::CommandHeader;
use super::gas_configuration::{self, CLUSTER_METERING, GasFlow};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS24a";
/// The GCS24a message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00FC);
/// The threshold divisor of this use case.
pub const DIVISOR: u16 = gas_configuration::DECIMAL_DIVISOR;

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

/// Builds the pre-command (the flow's divisor must be [`DIVISOR`]).
pub fn gcs24a_update_gas_flow(
    h: &CommandHeader,
    f: &GasFlow,
) -> Result<GeneralSigning, BuildError> {
    if f.divisor != DIVISOR {
        return Err(BuildError::OutOfRange("gas flow divisor"));
    }
    gas_configuration::flow_command(h, MESSAGE_CODE, f)
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    gas_configuration::decode_flow(apdu, NAME, DIVISOR).map(DecodedCommand::Gcs24a)
}

/// Decodes the response: done, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    gas_configuration::decode_set_response(
        content,
        CLUSTER_METERING,
        [
            gas_configuration::SET_UNCONTROLLED_FLOW_THRESHOLD,
            gas_configuration::SET_SUPPLY_STATUS,
        ],
    )
}
