//! ECS29d: set the voltage configuration on a polyphase ESME, counters kept. DLMS SETs in the RTDS order; the shapes, objects and value rules
//! are [`super::voltage`]'s.

use super::common::CommandHeader;
use super::voltage::{self, Variant, VoltageConfig};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const VARIANT: Variant = Variant::Ecs29d;
/// The message code.
pub const MESSAGE_CODE: MessageCode = VARIANT.message_code();

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: VARIANT.name(),
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command (three phases).
pub fn ecs29d_set_voltage_configuration(
    h: &CommandHeader,
    c: &VoltageConfig,
) -> Result<GeneralSigning, BuildError> {
    voltage::set_voltage_command(h, VARIANT, c)
}

/// Decodes the command: the settings written.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    voltage::decode_set_voltage(apdu, VARIANT).map(|c| DecodedCommand::Ecs29d(Box::new(c)))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    voltage::done_response(content, VARIANT.slots().len())
}
