//! GCS21b: read GSME prepayment configuration. One GBZ command of six components: Read
//! Attributes on the Prepayment cluster (debt recovery, emergency credit, thresholds…) and on
//! the Price cluster (`0x0617`), and the friendly credit calendar's day profiles, week profiles,
//! seasons and special days (ZSE Calendar, issuer calendar id `FFFFFFFE`, calendar type 3). A
//! calendar the GSME does not hold answers NOT_FOUND (`0x8B`).

use super::common::CommandHeader;
use super::gcs21f::{CLUSTER_CALENDAR, CLUSTER_PRICE};
use super::reads_common::{self, GbzRead};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS21b";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00B5);
/// ZSE Prepayment cluster.
pub const CLUSTER_PREPAYMENT: u16 = 0x0705;
/// The Prepayment attributes read.
pub const PREPAYMENT_ATTRIBUTES: [u16; 12] = [
    0x0239, 0x0006, 0x0216, 0x0226, 0x0040, 0x0010, 0x0011, 0x0031, 0x0021, 0x0022, 0x0217, 0x0227,
];
/// The Price attributes read.
pub const PRICE_ATTRIBUTES: [u16; 1] = [0x0617];
/// The requests, in order.
pub const READS: [GbzRead; 6] = [
    GbzRead::Attributes {
        cluster: CLUSTER_PREPAYMENT,
        attributes: &PREPAYMENT_ATTRIBUTES,
    },
    GbzRead::Attributes {
        cluster: CLUSTER_PRICE,
        attributes: &PRICE_ATTRIBUTES,
    },
    GbzRead::Command {
        cluster: CLUSTER_CALENDAR,
        command: 0x01,
        payload: &[0, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 1, 0],
    },
    GbzRead::Command {
        cluster: CLUSTER_CALENDAR,
        command: 0x02,
        payload: &[0, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 1, 0],
    },
    GbzRead::Command {
        cluster: CLUSTER_CALENDAR,
        command: 0x03,
        payload: &[0, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF],
    },
    GbzRead::Command {
        cluster: CLUSTER_CALENDAR,
        command: 0x04,
        payload: &[0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF],
    },
];

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
pub fn gcs21b_read_prepayment_configuration(
    h: &CommandHeader,
) -> Result<GeneralSigning, BuildError> {
    reads_common::gbz_read_set_command(h, MESSAGE_CODE, &READS)
}

/// Decodes the command: exactly [`READS`].
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_gbz_read_set(apdu, NAME, &READS).map(DecodedCommand::Gcs21b)
}

/// Decodes the response: the components, or the first ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::gbz_read_set_response(content)
}
