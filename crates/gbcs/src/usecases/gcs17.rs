//! GCS17: read GSME profile data (half-hourly consumption). ZSE Metering Get Sampled Data
//! (`0x08`) of sample id 0 (the consumption profile) from the period's start, as many samples
//! as half-hours from start to end inclusive. The GSME answers with the Get Sampled Data
//! Response encrypted to the requester, or a Default Response NOT_FOUND (`0x8B`) when it holds
//! no sample in the period.

use super::common::CommandHeader;
use super::reads_common::{
    self, GetSampledData, ReadPeriod, SAMPLE_CONSUMPTION_DELIVERED, SAMPLE_ID_PROFILE,
};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS17";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0078);
/// Seconds between profile samples (half an hour).
pub const PROFILE_INTERVAL: u32 = 1800;

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

/// The Get Sampled Data the DCC sends for `period`: from the start, one sample per half-hour
/// boundary in the period (RTDS: 2014-12-30T00:00 to 2015-01-01T00:00 asks for 97).
pub fn request_for(period: ReadPeriod) -> Result<GetSampledData, BuildError> {
    let (a, b) = period.zigbee()?;
    let n = (b - a) / PROFILE_INTERVAL + 1;
    Ok(GetSampledData {
        sample_id: SAMPLE_ID_PROFILE,
        earliest_sample_time: a,
        sample_type: SAMPLE_CONSUMPTION_DELIVERED,
        number_of_samples: u16::try_from(n).unwrap_or(u16::MAX),
    })
}

/// Builds the command for `period`.
pub fn gcs17_read_profile_data(
    h: &CommandHeader,
    period: ReadPeriod,
) -> Result<GeneralSigning, BuildError> {
    reads_common::get_sampled_data_command(h, MESSAGE_CODE, &request_for(period)?)
}

/// Decodes the command: the Get Sampled Data of the consumption profile.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let g = reads_common::decode_get_sampled_data(apdu, NAME)?;
    if g.sample_id != SAMPLE_ID_PROFILE || g.sample_type != SAMPLE_CONSUMPTION_DELIVERED {
        return Err(super::common::bad(NAME, "not the consumption profile"));
    }
    Ok(DecodedCommand::Gcs17(g))
}

/// Decodes the response: the protected block, or the ZCL failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::sampled_data_response(content)
}
