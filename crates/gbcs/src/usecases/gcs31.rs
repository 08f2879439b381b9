//! GCS31: start recording gas network data. ZSE Metering Start Sampling (`0x07`): issuer event
//! id (the DCC's time, as GCS32), start now (0), consumption delivered, a sample every 6 minutes
//! (360 s), 41 samples (four hours inclusive). The DCC's ACB originates it on the gas
//! transporter's behalf. The GSME answers Start Sampling Response with the sample id of the log
//! (2, which GCS18 reads), or `FFFF` when it cannot sample.

use super::common::CommandHeader;
use super::reads_common::{self, SAMPLE_CONSUMPTION_DELIVERED, StartSampling};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS31";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0080);
/// Seconds between samples.
pub const SAMPLE_REQUEST_INTERVAL: u16 = 360;
/// How many samples one recording takes.
pub const MAX_NUMBER_OF_SAMPLES: u16 = 41;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// Builds the command with the given issuer event id (see [`super::issuer_event_id`]).
pub fn gcs31_start_network_data_sampling(
    h: &CommandHeader,
    issuer_event_id: u32,
) -> Result<GeneralSigning, BuildError> {
    reads_common::start_sampling_command(
        h,
        MESSAGE_CODE,
        &StartSampling {
            issuer_event_id,
            start_sampling_time: 0,
            sample_type: SAMPLE_CONSUMPTION_DELIVERED,
            sample_request_interval: SAMPLE_REQUEST_INTERVAL,
            max_number_of_samples: MAX_NUMBER_OF_SAMPLES,
        },
    )
}

/// Decodes the command: the Start Sampling parameters.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let s = reads_common::decode_start_sampling(apdu, NAME)?;
    if s.sample_request_interval == 0 || s.max_number_of_samples == 0 {
        return Err(super::common::bad(NAME, "no samples asked for"));
    }
    Ok(DecodedCommand::Gcs31(s))
}

/// Decodes the response: the sample id, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    reads_common::start_sampling_response(content)
}
