//! CCS06: read the CHF device log and check HAN communications (DUIS 8.9 on a CHF of GBCS
//! 4.0, `dcc::services::s8_9_read_device_log`). The ACB originates it on the user's behalf, unsigned (RTDS
//! `8.9_CCS06`); the same GET as CCS04/CCS05. One DLMS GET of `active_devices`
//! ([`super::han_logs::ACTIVE_DEVICES`]).

use super::common::{self, CommandHeader};
use super::han_logs::ACTIVE_DEVICES;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::frame::GeneralSigning;

const NAME: &str = "CCS06";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CCS06,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ccs06_read_chf_device_log(h: &CommandHeader) -> GeneralSigning {
    common::dlms_get_command(h, MessageCode::CCS06, ACTIVE_DEVICES)
}

/// Decodes the command: exactly the GET of `active_devices`.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &[ACTIVE_DEVICES]).map(|_| DecodedCommand::Ccs06)
}

/// Decodes the response: the active devices, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::han_logs::decode_active_devices(content)
}
