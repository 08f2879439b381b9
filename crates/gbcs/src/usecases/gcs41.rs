//! GCS41: set the MPRN on a GSME (DUIS 6.20.1). ZSE Device Management "Update SiteID"
//! (`0x03`), as the RTDS vectors: issuer event id ([`super::issuer_event_id`]), SiteID time 0
//! (now), provider id 0, the MPRN (a ZCL octet string of 1 to 10 ASCII digits). The GSME answers
//! a ZCL Default Response; GCS46 reads the MPRN back (Metering attribute SiteID, `0x0307`).

use super::common::CommandHeader;
use super::ecs39a::{MAX_MPRN, is_mprn};
use super::settings_common::{self, CLUSTER_DEVICE_MANAGEMENT, ZclFields};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS41";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0087);
/// ZSE Device Management server→client command: Update SiteID.
pub const UPDATE_SITE_ID: u8 = 0x03;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A decoded Update SiteID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SiteIdUpdate {
    /// The issuer event id.
    pub issuer_event_id: u32,
    /// The MPRN (1 to 10 ASCII digits).
    pub mprn: Vec<u8>,
}

/// Builds the command.
pub fn gcs41_set_mprn(
    h: &CommandHeader,
    issuer_event_id: u32,
    mprn: &[u8],
) -> Result<GeneralSigning, BuildError> {
    if !is_mprn(mprn) {
        return Err(BuildError::OutOfRange("MPRN"));
    }
    let mut p = Vec::with_capacity(13 + mprn.len());
    p.extend_from_slice(&issuer_event_id.to_le_bytes());
    p.extend_from_slice(&0u32.to_le_bytes()); // SiteID time: now
    p.extend_from_slice(&0u32.to_le_bytes()); // provider id
    settings_common::zcl_octets(&mut p, mprn, "MPRN")?;
    settings_common::zse_command(
        h,
        MESSAGE_CODE,
        CLUSTER_DEVICE_MANAGEMENT,
        UPDATE_SITE_ID,
        p,
    )
}

/// Decodes the command: the issuer event id and the MPRN; the SiteID time and provider id must
/// be GBCS's 0.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let payload =
        settings_common::zse_payload(apdu, NAME, CLUSTER_DEVICE_MANAGEMENT, UPDATE_SITE_ID)?;
    let mut f = ZclFields::new(NAME, &payload);
    let issuer_event_id = f.u32()?;
    let time = f.u32()?;
    let provider = f.u32()?;
    let mprn = f.octets(MAX_MPRN)?;
    f.finish()?;
    if (time, provider) != (0, 0) {
        return Err(super::common::bad(
            NAME,
            "SiteID time or provider id is not GBCS's",
        ));
    }
    if !is_mprn(&mprn) {
        return Err(super::common::bad(NAME, "not an MPRN of 1 to 10 digits"));
    }
    Ok(DecodedCommand::Gcs41(SiteIdUpdate {
        issuer_event_id,
        mprn,
    }))
}

/// Decodes the response: the Default Response, done or its status.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    settings_common::zse_default_response(content, CLUSTER_DEVICE_MANAGEMENT, UPDATE_SITE_ID)
}
