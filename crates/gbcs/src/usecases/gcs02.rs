//! GCS02: switch the GSME to credit mode (DUIS 1.6 Update Payment Mode, `Credit`). Critical:
//! the builder returns the pre-command. ZSE Prepayment Change Payment Mode (`0x06`) with the
//! credit mode configuration `0x0C94` and no cut-off (`FFFFFFFF`), immediate, device-future-dated
//! or cancelling a pending change ([`super::payment_mode`]). The GSME answers a Change Payment
//! Mode Response (its emergency credit limit and threshold), or a Default Response failure
//! (RTDS ERROR: HARDWARE_FAILURE `0xC0`).

use super::common::{self, CommandHeader};
use super::payment_mode::{
    self, Activation, CHANGE_PAYMENT_MODE, CONFIG_CREDIT, CUT_OFF_NONE, ChangePaymentMode,
};
use super::reads_inst_common::CLUSTER_PREPAYMENT;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzPayload, ZclFrame};

const NAME: &str = "GCS02";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS02,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A Change Payment Mode pre-command (GCS02 and GCS03).
pub(crate) fn build(
    h: &CommandHeader,
    code: MessageCode,
    c: &ChangePaymentMode,
) -> Result<GeneralSigning, BuildError> {
    let zcl = ZclFrame {
        frame_control: 0x01,
        manufacturer_code: None,
        sequence: 0,
        command: CHANGE_PAYMENT_MODE,
        payload: c.encode()?,
    };
    let content = GbzPayload::command(vec![(CLUSTER_PREPAYMENT, None, zcl)]).encode()?;
    Ok(common::apdu(h, code, content, true))
}

/// The Change Payment Mode parameters of a GCS02 or GCS03 command.
pub(crate) fn decode(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<ChangePaymentMode, CommandDecodeError> {
    let zcl = common::single_zcl(apdu, uc, CLUSTER_PREPAYMENT)?;
    if zcl.frame_control != 0x01 || zcl.command != CHANGE_PAYMENT_MODE {
        return Err(common::bad(uc, "not a ZSE Change Payment Mode command"));
    }
    ChangePaymentMode::decode(uc, &zcl.payload)
}

/// Builds the pre-command.
pub fn gcs02_update_payment_mode_credit(
    h: &CommandHeader,
    issuer_event_id: u32,
    activation: Activation,
) -> Result<GeneralSigning, BuildError> {
    build(
        h,
        MessageCode::GCS02,
        &ChangePaymentMode {
            provider_id: 0,
            issuer_event_id,
            activation,
            configuration: CONFIG_CREDIT,
            cut_off: CUT_OFF_NONE,
        },
    )
}

/// Decodes the command: a Change Payment Mode to exactly the credit configuration.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let c = decode(apdu, NAME)?;
    if c.configuration != CONFIG_CREDIT || c.cut_off != CUT_OFF_NONE {
        return Err(common::bad(
            NAME,
            "not the credit mode configuration and cut-off",
        ));
    }
    Ok(DecodedCommand::Gcs02(c))
}

/// Decodes the response: the Change Payment Mode Response, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    payment_mode::gsme_response(content)
}
