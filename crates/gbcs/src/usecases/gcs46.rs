//! GCS46: read the MPRN of a GSME (DUIS 6.2.7). GBZ Read Attributes on Metering: `0x0307`
//! (SiteID, an octet string), as the RTDS vectors.

use super::common::{self, CLUSTER_METERING, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS46";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0089);
/// The Metering cluster's SiteID attribute (the MPRN).
pub const SITE_ID: u16 = 0x0307;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier, R::NetworkOperator, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn gcs46_read_mprn(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    common::gbz_read_command(h, MESSAGE_CODE, CLUSTER_METERING, &[SITE_ID])
}

/// Decodes the command: the attribute read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::zcl_read(apdu, NAME, CLUSTER_METERING, &[SITE_ID]).map(DecodedCommand::Gcs46)
}

/// Decodes the response: the attribute record, or the ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::gbz_plain_read_response(content, |r| Ok(ResponseValue::Attributes(r)))
}
