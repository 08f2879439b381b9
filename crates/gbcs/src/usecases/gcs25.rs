//! GCS25: set the GSME's billing calendar (DUIS 6.8). Critical: the builder returns the
//! pre-command. ZSE Publish Billing Period and Publish Block Period, see
//! [`super::gas_billing_calendar`].

use super::common::CommandHeader;
use super::gas_billing_calendar::{self, GasBillingPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS25";
/// The GCS25 message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x007E);

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
pub fn gcs25_set_billing_calendar(
    h: &CommandHeader,
    period: &GasBillingPeriod,
) -> Result<GeneralSigning, BuildError> {
    gas_billing_calendar::set_command(h, MESSAGE_CODE, period)
}

/// Decodes the command: the billing period.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    gas_billing_calendar::decode_set(apdu, NAME).map(DecodedCommand::Gcs25)
}

/// Decodes the response: done, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    gas_billing_calendar::decode_set_response(content)
}
