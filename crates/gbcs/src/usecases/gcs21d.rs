//! GCS21d: read the GSME's billing calendar (DUIS 6.2.3). ZSE Get Billing Period, answered by
//! a Publish Billing Period, see [`super::gas_billing_calendar`].

use super::common::CommandHeader;
use super::gas_billing_calendar;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS21d";
/// The GCS21d message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x009D);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn gcs21d_read_billing_calendar(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    gas_billing_calendar::read_command(h, MESSAGE_CODE)
}

/// Decodes the command (no parameters).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    gas_billing_calendar::decode_read(apdu, NAME).map(|()| DecodedCommand::Gcs21d)
}

/// Decodes the response: the billing period, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    gas_billing_calendar::decode_read_response(content)
}
