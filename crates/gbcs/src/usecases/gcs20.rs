//! GCS20: Set Alert Behaviours - GSME (DUIS 6.22 `GasSupplierAlertEventSettings`): each code's
//! WAN alert, HAN alert, logging and audible alarm, one ZSE Set Event Configuration component
//! per distinct configuration (see [`super::alert_behaviour_common`]).

use super::alert_behaviour_common::{self as ab, GasAlertBehaviour};
use super::common::CommandHeader;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS20";
/// The message code.
pub const CODE: MessageCode = MessageCode(0x00AD);

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
pub fn gcs20_set_alert_behaviour(
    h: &CommandHeader,
    b: &GasAlertBehaviour,
) -> Result<GeneralSigning, BuildError> {
    ab::gsme_write_command(h, CODE, b)
}

/// Decodes the command: the configurations it sets.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ab::decode_gsme_write(apdu, NAME).map(DecodedCommand::Gcs20)
}

/// Decodes the response: done (every component's Default Response success), or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ab::gsme_write_response(content)
}
