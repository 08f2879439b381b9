//! GCS21j: read a GSME's payment mode (DUIS 6.2.9). GBZ Read Attributes on Prepayment (`0x0705`):
//! `0x0000`, Payment Control Configuration (bitmap16), as the RTDS vectors; its values are 1.6's
//! ([`super::payment_mode`]: credit `0x0C94`, prepayment `0x0097` with the suspend-debt bits).

use super::common::{self, CommandHeader};
use super::reads_inst_common::CLUSTER_PREPAYMENT;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS21j";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00BF);
/// The Prepayment cluster's Payment Control Configuration attribute.
pub const PAYMENT_CONTROL_CONFIGURATION: u16 = 0x0000;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
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
pub fn gcs21j_read_payment_mode(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    common::gbz_read_command(
        h,
        MESSAGE_CODE,
        CLUSTER_PREPAYMENT,
        &[PAYMENT_CONTROL_CONFIGURATION],
    )
}

/// Decodes the command: the attribute read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::zcl_read(
        apdu,
        NAME,
        CLUSTER_PREPAYMENT,
        &[PAYMENT_CONTROL_CONFIGURATION],
    )
    .map(DecodedCommand::Gcs21j)
}

/// Decodes the response: the attribute record, or the ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::gbz_plain_read_response(content, |r| Ok(ResponseValue::Attributes(r)))
}
