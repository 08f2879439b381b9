//! ECS25a2: Set Event Behaviours - ESME audible alarm - Supplier: which `0x81xx` events sound the audible alarm (DUIS 6.22). One DLMS SET of the
//! [`AlertFilter::SupplierAudible`] object with mask and values (see [`super::alert_behaviour_common`]).

use super::alert_behaviour_common::{self as ab, AlertBehaviourChange, AlertFilter};
use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS25a2";
/// The filter written.
pub const FILTER: AlertFilter = AlertFilter::SupplierAudible;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: FILTER.message_code(),
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command; `change.filter` must be [`FILTER`].
pub fn ecs25a2_set_alert_behaviour(
    h: &CommandHeader,
    change: &AlertBehaviourChange,
) -> Result<GeneralSigning, BuildError> {
    if change.filter != FILTER {
        return Err(BuildError::OutOfRange("not the use case's alert filter"));
    }
    ab::esme_write_command(h, change)
}

/// Decodes the command: the codes it changes.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    ab::decode_esme_write(apdu, NAME, FILTER).map(DecodedCommand::AlertBehaviour)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
