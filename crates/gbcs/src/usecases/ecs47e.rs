//! ECS47e: limit auxiliary proportional controller (APC) `n` (1–5) to a level between two times
//! (DUIS 7.16 Limit APC Level). Critical, and the load controller's (remote party role 8, RTDS
//! `90-B3-D5-1F-30-01-00-08`): the builder returns the pre-command the load controller signs.
//! The layout of [`super::ecs47a`] on the APC's limit objects: DLMS SET of the limit's start
//! (class 1 `0-0:94.44.(116+n).3` attribute 2) and end (`…(116+n).4`), COSEM date-times, then
//! ACTION execute of the APC limit script table `0-0:10.0.107.255` with script
//! `(k·16 + n)·256 + level`, `k` = 2 when the APC takes its input from the controlled load, else 1.
//!
//! The RTDS 4.5.0 vectors (controller 3 at 50 from its input, controller 5 at 100) follow this
//! one rule.

use super::common::{self, CommandHeader};
use super::ecs47::SWITCHES;
use super::ecs47a::{AuxControllerState, MAX_LEVEL, decode_on};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS47e";

/// The APC limit script table's execute method.
pub const EXECUTE_LIMIT_SCRIPT: CosemDescriptor =
    CosemDescriptor::new(9, [0, 0, 10, 0, 107, 0xFF], 1);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS47E,
    device_types: &[DeviceType::Esme],
    originators: &[R::LoadController],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// APC `n`'s limit start and end objects.
pub const fn objects(n: u8) -> [CosemDescriptor; 2] {
    [
        CosemDescriptor::new(1, [0, 0, 94, 44, 116 + n, 3], 2),
        CosemDescriptor::new(1, [0, 0, 94, 44, 116 + n, 4], 2),
    ]
}

/// Builds the pre-command; a controller outside 1–5 or a level over 100 is out of range.
pub fn ecs47e_limit_apc_level(
    h: &CommandHeader,
    c: AuxControllerState,
) -> Result<GeneralSigning, BuildError> {
    if !(1..=SWITCHES).contains(&c.index) {
        return Err(BuildError::OutOfRange("auxiliary controller index"));
    }
    if c.level > MAX_LEVEL {
        return Err(BuildError::OutOfRange("APC level limit"));
    }
    let (specs, data) = c.specs_and_data_on(objects(c.index), EXECUTE_LIMIT_SCRIPT);
    Ok(common::apdu(
        h,
        MessageCode::ECS47E,
        common::dlms(h, specs, data),
        true,
    ))
}

/// Decodes the command: the controller, the limit's times and level; the script, the objects
/// and the times must agree.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode_on(apdu, NAME, objects, EXECUTE_LIMIT_SCRIPT).map(DecodedCommand::Ecs47e)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 3)
}
