//! CCS07: read the CHF device logs, current and historic, with the hash of each device's
//! security credentials (DUIS 8.9 with `ReadSecurityDetails`). The ACB originates it on the
//! user's behalf, unsigned (RTDS `8.9_CCS07`). Two DLMS ACTIONs `backup_PAN`
//! ([`super::han_logs::BACKUP_CURRENT`], [`super::han_logs::BACKUP_HISTORIC`]), null
//! parameters.

use super::common::{self, CommandHeader};
use super::han_logs::{BACKUP_CURRENT, BACKUP_HISTORIC};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::RequestSpec;
use crate::frame::GeneralSigning;

const NAME: &str = "CCS07";

/// The request specifications: `backup_PAN` of the current log, then of the historic log.
pub const SPECS: [RequestSpec; 2] = [
    RequestSpec::Action(BACKUP_CURRENT),
    RequestSpec::Action(BACKUP_HISTORIC),
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CCS07,
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
pub fn ccs07_read_chf_device_logs(h: &CommandHeader) -> GeneralSigning {
    let content = common::dlms(h, SPECS.to_vec(), vec![Data::Null, Data::Null]);
    common::apdu(h, MessageCode::CCS07, content, false)
}

/// Decodes the command: exactly the two `backup_PAN` ACTIONs with null parameters.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &SPECS)?;
    if req.data.iter().any(|d| *d != Data::Null) {
        return Err(common::bad(NAME, "backup_PAN takes no parameter"));
    }
    Ok(DecodedCommand::Ccs07)
}

/// Decodes the response: both logs, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::han_logs::decode_chf_device_logs(content)
}
