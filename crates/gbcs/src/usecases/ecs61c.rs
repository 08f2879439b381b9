//! ECS61c: read the ESME's boost function data (DUIS 7.11 Read Boost Button Details): whether
//! a boost is in force (class 1 `0-0:94.44.7.255` attribute 2, a boolean), the boost function
//! log over the request's `ReadLogPeriod` (class 7 `0-0:99.98.20.255` attribute 2, read by range
//! on the UTC clock as the plain log reads of [`super::logs_common`]; entries of two
//! double-long-unsigned: a boost's start and end, seconds since 2000) and each auxiliary
//! controller's boost function association ([`super::ecs62::association`]), in that order, as
//! the RTDS 4.5.0 vector.

use super::common::{self, CommandHeader};
use super::ecs62::{CONTROLLERS, association};
use super::logs_common::{self, LogPeriod};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec, reads_inst_common as ri,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{AccessRequest, CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS61c";
/// Whether a boost is in force.
pub const BOOST_ACTIVE: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 7, 0xFF], 2);
/// The boost function log (profile buffer).
pub const LOG: [u8; 6] = [0, 0, 99, 98, 20, 0xFF];
/// The number of values the device answers.
pub const VALUES: usize = 2 + CONTROLLERS as usize;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS61C,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::AccessControlBroker],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

fn specs(period: &LogPeriod) -> Vec<RequestSpec> {
    let mut v = vec![
        RequestSpec::Get(BOOST_ACTIVE),
        RequestSpec::GetWithSelection(
            logs_common::buffer(LOG),
            logs_common::utc_range_access(period),
        ),
    ];
    v.extend((1..=CONTROLLERS).map(|n| RequestSpec::Get(association(n))));
    v
}

/// Builds the command for the log period.
pub fn ecs61c_read_boost_function_data(h: &CommandHeader, period: &LogPeriod) -> GeneralSigning {
    let specs = specs(period);
    let data = vec![Data::Null; specs.len()];
    common::apdu(h, MessageCode::ECS61C, common::dlms(h, specs, data), false)
}

/// Decodes the command: the log period; the objects must be exactly the use case's.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = AccessRequest::decode(&apdu.content)?;
    let Some(RequestSpec::GetWithSelection(_, access)) = req.specs.get(1) else {
        return Err(common::bad(NAME, "no boost function log range read"));
    };
    let period = logs_common::decode_range_access(NAME, access)?;
    let req = common::dlms_request(apdu, NAME, &specs(&period))?;
    if req.data.iter().any(|d| *d != Data::Null) {
        return Err(common::bad(NAME, "GET data are not null"));
    }
    Ok(DecodedCommand::Ecs61c(period))
}

/// Decodes the response: the values in request order, or the first DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    ri::dlms_values_response(content, VALUES)
}
