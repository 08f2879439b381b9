//! GCS21f: read GSME tariff (primary element). One GBZ command of six components: Read
//! Attributes on the Price cluster (block thresholds, standing charge, price scaling, tariff
//! prices…), the tariff calendar's day profiles, week profiles, seasons and special days (ZSE
//! Calendar Get Day Profiles / Week Profiles / Seasons / Special Days, provider 0, any issuer
//! calendar id `FFFFFFFF`, calendar type 0), and Get Current Price. The GSME answers each with
//! its Read Attributes Response or Publish commands (one per day / week profile); a calendar or
//! price it does not hold answers NOT_FOUND (`0x8B`).

use super::common::CommandHeader;
use super::reads_common::{self, GbzRead};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS21f";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x009F);
/// ZSE Price cluster.
pub const CLUSTER_PRICE: u16 = 0x0700;
/// ZSE Calendar cluster.
pub const CLUSTER_CALENDAR: u16 = 0x0707;
/// The Price attributes read.
pub const PRICE_ATTRIBUTES: [u16; 17] = [
    0x0203, 0x0202, 0x0100, 0x0101, 0x0102, 0x0615, 0x0400, 0x0401, 0x0402, 0x0403, 0x0410, 0x0420,
    0x0430, 0x0440, 0x0616, 0x0617, 0x0301,
];
/// The requests, in order.
pub const READS: [GbzRead; 6] = [
    GbzRead::Attributes {
        cluster: CLUSTER_PRICE,
        attributes: &PRICE_ATTRIBUTES,
    },
    // Get Day Profiles: provider 0, issuer calendar id any, from day 1, all days.
    GbzRead::Command {
        cluster: CLUSTER_CALENDAR,
        command: 0x01,
        payload: &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0],
    },
    // Get Week Profiles: from week 1, all weeks.
    GbzRead::Command {
        cluster: CLUSTER_CALENDAR,
        command: 0x02,
        payload: &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0],
    },
    // Get Seasons.
    GbzRead::Command {
        cluster: CLUSTER_CALENDAR,
        command: 0x03,
        payload: &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF],
    },
    // Get Special Days: from now, all, calendar type 0 (delivered), provider 0, any calendar.
    GbzRead::Command {
        cluster: CLUSTER_CALENDAR,
        command: 0x04,
        payload: &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF],
    },
    // Get Current Price (command options 0).
    GbzRead::Command {
        cluster: CLUSTER_PRICE,
        command: 0x00,
        payload: &[0],
    },
];

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
pub fn gcs21f_read_tariff(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    reads_common::gbz_read_set_command(h, MESSAGE_CODE, &READS)
}

/// Decodes the command: exactly [`READS`].
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    reads_common::decode_gbz_read_set(apdu, NAME, &READS).map(DecodedCommand::Gcs21f)
}

/// Decodes the response: the components, or the first ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::gbz_read_set_response(content)
}
