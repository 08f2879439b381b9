//! ECS12: restrict access for change of tenancy on an ESME (DUIS 3.2). DLMS SET, as the RTDS
//! vector: class 1 `0-0:94.44.3.2` attribute 2 (the change of tenancy restriction date-time) ←
//! a COSEM date-time (octet string of 12). The ESME answers the SET.
//!
//! Afterwards the ESME gives no consumption data from before that instant to anyone but its
//! supplier and network operator (the rule: `devices::restriction`).

use super::common::{self, CommandHeader};
use super::settings_common;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS12";
/// The change of tenancy restriction date-time (class 1, attribute 2).
pub const RESTRICTION_DATE_TIME: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 3, 2], 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS12,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command: consumption data before `restriction` is withheld from other parties.
pub fn ecs12_restrict_access(h: &CommandHeader, restriction: UtcDateTime) -> GeneralSigning {
    settings_common::dlms_set_command(
        h,
        MessageCode::ECS12,
        vec![(
            RESTRICTION_DATE_TIME,
            restriction.to_cosem().to_octet_string(),
        )],
    )
}

/// Decodes the command: the restriction date-time (a fully specified instant).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    match settings_common::dlms_set(apdu, NAME, &[RESTRICTION_DATE_TIME])?
        .into_iter()
        .next()
    {
        Some(Data::OctetString(b)) => UtcDateTime::from_cosem(&b)
            .map(DecodedCommand::Ecs12)
            .ok_or_else(|| common::bad(NAME, "the restriction is not a COSEM date-time")),
        _ => Err(common::bad(NAME, "the restriction is not an octet string")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
