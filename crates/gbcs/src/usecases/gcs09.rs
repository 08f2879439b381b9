//! GCS09: restrict access for change of tenancy on the gas side (DUIS 3.2). The command goes to
//! the GPF (as the RTDS vector and the service matrix: the GPF holds the gas consumption logs it
//! serves to other parties). ZSE Device Management "Publish Change of Tenancy" (`0x00`), as the
//! RTDS vector: provider id 0, issuer event id, tariff type 0, implementation date-time (the
//! restriction instant, ZigBee UTC), proposed tenancy change control `0x00000200`. The GPF
//! answers a ZCL Default Response.
//!
//! The issuer event id follows the rule of every ZSE command the DCC builds
//! ([`super::issuer_event_id`]).

use super::common::{self, CommandHeader};
use super::settings_common::{self, CLUSTER_DEVICE_MANAGEMENT, ZclFields};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS09";
/// ZSE Device Management server→client command: Publish Change of Tenancy.
pub const PUBLISH_CHANGE_OF_TENANCY: u8 = 0x00;
/// The proposed tenancy change control GBCS sends (as the RTDS vector).
pub const TENANCY_CHANGE_CONTROL: u32 = 0x0000_0200;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS09,
    device_types: &[DeviceType::Gpf],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A decoded Publish Change of Tenancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TenancyChange {
    /// The issuer event id.
    pub issuer_event_id: u32,
    /// The restriction instant (the implementation date-time).
    pub restriction: UtcDateTime,
}

/// Builds the command.
pub fn gcs09_restrict_access(
    h: &CommandHeader,
    issuer_event_id: u32,
    restriction: UtcDateTime,
) -> Result<GeneralSigning, BuildError> {
    let at = restriction
        .to_zigbee_utc()
        .filter(|s| *s != 0 && *s != u32::MAX)
        .ok_or(BuildError::OutOfRange("restriction date-time"))?;
    let mut p = Vec::with_capacity(17);
    p.extend_from_slice(&0u32.to_le_bytes()); // provider id
    p.extend_from_slice(&issuer_event_id.to_le_bytes());
    p.push(0); // tariff type
    p.extend_from_slice(&at.to_le_bytes());
    p.extend_from_slice(&TENANCY_CHANGE_CONTROL.to_le_bytes());
    settings_common::zse_command(
        h,
        MessageCode::GCS09,
        CLUSTER_DEVICE_MANAGEMENT,
        PUBLISH_CHANGE_OF_TENANCY,
        p,
    )
}

/// Decodes the command: the issuer event id and the restriction instant; every other field must
/// be GBCS's constant.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let payload = settings_common::zse_payload(
        apdu,
        NAME,
        CLUSTER_DEVICE_MANAGEMENT,
        PUBLISH_CHANGE_OF_TENANCY,
    )?;
    let mut f = ZclFields::new(NAME, &payload);
    let provider = f.u32()?;
    let issuer_event_id = f.u32()?;
    let tariff_type = f.u8()?;
    let at = f.u32()?;
    let control = f.u32()?;
    f.finish()?;
    if (provider, tariff_type, control) != (0, 0, TENANCY_CHANGE_CONTROL) {
        return Err(common::bad(
            NAME,
            "provider id, tariff type or change control are not GBCS's",
        ));
    }
    let restriction = Some(at)
        .filter(|s| *s != 0 && *s != u32::MAX)
        .and_then(UtcDateTime::from_zigbee_utc)
        .ok_or_else(|| common::bad(NAME, "the implementation date-time is not an instant"))?;
    Ok(DecodedCommand::Gcs09(TenancyChange {
        issuer_event_id,
        restriction,
    }))
}

/// Decodes the response: the Default Response, done or its status.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    settings_common::zse_default_response(
        content,
        CLUSTER_DEVICE_MANAGEMENT,
        PUBLISH_CHANGE_OF_TENANCY,
    )
}
