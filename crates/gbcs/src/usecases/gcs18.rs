//! GCS18: read GSME network data (the gas network sampling log GCS31 starts). ZSE Metering Get
//! Sampled Data (`0x08`) of sample id 2 from the start of the log (earliest sample time 1, as
//! every RTDS GCS18 carries) for as many samples as sampling intervals (6 minutes) fit in the
//! DUIS period, inclusive (RTDS: four hours ask for 41). The GSME answers with the Get Sampled
//! Data Response encrypted to the requester, or NOT_FOUND (`0x8B`) when no sampling has run.

use super::common::CommandHeader;
use super::reads_common::{
    self, GetSampledData, ReadPeriod, SAMPLE_CONSUMPTION_DELIVERED, SAMPLE_ID_NETWORK_DATA,
};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS18";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0079);
/// Seconds between network data samples (GCS31's sample request interval).
pub const SAMPLE_INTERVAL: u32 = 360;
/// The earliest sample time GCS18 asks from: the start of the log.
pub const FROM_LOG_START: u32 = 1;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// The Get Sampled Data the DCC sends for `period`.
pub fn request_for(period: ReadPeriod) -> Result<GetSampledData, BuildError> {
    let (a, b) = period.zigbee()?;
    let n = (b - a) / SAMPLE_INTERVAL + 1;
    Ok(GetSampledData {
        sample_id: SAMPLE_ID_NETWORK_DATA,
        earliest_sample_time: FROM_LOG_START,
        sample_type: SAMPLE_CONSUMPTION_DELIVERED,
        number_of_samples: u16::try_from(n).unwrap_or(u16::MAX),
    })
}

/// Builds the command for `period`.
pub fn gcs18_read_network_data(
    h: &CommandHeader,
    period: ReadPeriod,
) -> Result<GeneralSigning, BuildError> {
    reads_common::get_sampled_data_command(h, MESSAGE_CODE, &request_for(period)?)
}

/// Decodes the command: the Get Sampled Data of the network data log.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let g = reads_common::decode_get_sampled_data(apdu, NAME)?;
    if g.sample_id != SAMPLE_ID_NETWORK_DATA {
        return Err(super::common::bad(NAME, "not the network data log"));
    }
    Ok(DecodedCommand::Gcs18(g))
}

/// Decodes the response: the protected block, or the ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::sampled_data_response(content)
}
