//! ECS08a: update the ESME's prepayment configuration, the maximum meter balance written to
//! attribute 4 of `0-0:94.44.2.20` instead of ECS08's attribute 2 — otherwise ECS08 exactly
//! (see [`super::ecs08`]; the RTDS 4.5.0 2.1 ECS08 and ECS08a vectors differ in that one byte
//! and the message code, and their DUIS templates are the same).

use super::common::CommandHeader;
use super::ecs08::{self, EsmePrepayConfig, Variant};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

pub(crate) const NAME: &str = "ECS08a";
/// The ECS08a message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00DE);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the ECS08a pre-command.
pub fn ecs08a_update_prepay_configuration(
    h: &CommandHeader,
    c: &EsmePrepayConfig,
) -> Result<GeneralSigning, BuildError> {
    ecs08::build(Variant::Ecs08a, h, c)
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    Ok(DecodedCommand::Ecs08a(Box::new(ecs08::decode(
        Variant::Ecs08a,
        apdu,
    )?)))
}

/// Decodes the response: done, or the first failing SET's DLMS result.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ecs08::decode_response(content)
}
