//! GCS03: switch the GSME to prepayment mode (DUIS 1.6 Update Payment Mode, `Prepayment`).
//! Critical: the builder returns the pre-command. ZSE Prepayment Change Payment Mode (`0x06`)
//! with the prepayment configuration (`0x0097` and the suspend-debt bits) and the disablement
//! threshold as cut-off value ([`super::payment_mode`]). The GSME answers as to GCS02.

use super::common::{self, CommandHeader};
use super::payment_mode::{self, Activation, ChangePaymentMode};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS03";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS03,
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
pub fn gcs03_update_payment_mode_prepayment(
    h: &CommandHeader,
    issuer_event_id: u32,
    activation: Activation,
    suspend_debt_disabled: bool,
    suspend_debt_emergency: bool,
    disablement_threshold: u32,
) -> Result<GeneralSigning, BuildError> {
    super::gcs02::build(
        h,
        MessageCode::GCS03,
        &ChangePaymentMode {
            provider_id: 0,
            issuer_event_id,
            activation,
            configuration: ChangePaymentMode::prepayment_configuration(
                suspend_debt_disabled,
                suspend_debt_emergency,
            ),
            cut_off: disablement_threshold,
        },
    )
}

/// Decodes the command: a Change Payment Mode to a prepayment configuration.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let c = super::gcs02::decode(apdu, NAME)?;
    if !c.is_prepayment() {
        return Err(common::bad(NAME, "not a prepayment mode configuration"));
    }
    Ok(DecodedCommand::Gcs03(c))
}

/// Decodes the response: the Change Payment Mode Response, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    payment_mode::gsme_response(content)
}
