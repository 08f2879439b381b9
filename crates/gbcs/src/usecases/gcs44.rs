//! GCS44: update the supplier name and contact details a GSME shows (DUIS 3.4). ZSE Device
//! Management "Publish Change of Supplier" (`0x01`), as the RTDS vector: current provider id 0,
//! issuer event id, tariff type 0, proposed provider id 0, implementation date-time 0 (now),
//! provider change control `0x00001800`, the proposed provider name and contact details. The
//! GSME answers a ZCL Default Response.
//!
//! The issuer event id follows the rule of every ZSE command the DCC builds
//! ([`super::issuer_event_id`]: the DCC's time in ZigBee UTC seconds).

use super::common::CommandHeader;
use super::ecs16::{MAX_NAME, MAX_TELEPHONE, SupplierContact};
use super::settings_common::{self, CLUSTER_DEVICE_MANAGEMENT, ZclFields};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS44";
/// ZSE Device Management server→client command: Publish Change of Supplier.
pub const PUBLISH_CHANGE_OF_SUPPLIER: u8 = 0x01;
/// The provider change control GBCS sends (as the RTDS vector).
pub const PROVIDER_CHANGE_CONTROL: u32 = 0x0000_1800;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS44,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A decoded Publish Change of Supplier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SupplierChange {
    /// The issuer event id.
    pub issuer_event_id: u32,
    /// The name and contact details.
    pub contact: SupplierContact,
}

/// Builds the command.
pub fn gcs44_update_supplier_name(
    h: &CommandHeader,
    issuer_event_id: u32,
    c: &SupplierContact,
) -> Result<GeneralSigning, BuildError> {
    let mut p = Vec::with_capacity(21 + 2 + c.name.len() + c.telephone.len());
    p.extend_from_slice(&0u32.to_le_bytes()); // current provider id
    p.extend_from_slice(&issuer_event_id.to_le_bytes());
    p.push(0); // tariff type
    p.extend_from_slice(&0u32.to_le_bytes()); // proposed provider id
    p.extend_from_slice(&0u32.to_le_bytes()); // implementation date-time: now
    p.extend_from_slice(&PROVIDER_CHANGE_CONTROL.to_le_bytes());
    settings_common::zcl_octets(&mut p, &c.name, "supplier name")?;
    settings_common::zcl_octets(&mut p, &c.telephone, "supplier telephone number")?;
    settings_common::zse_command(
        h,
        MessageCode::GCS44,
        CLUSTER_DEVICE_MANAGEMENT,
        PUBLISH_CHANGE_OF_SUPPLIER,
        p,
    )
}

/// Decodes the command: the issuer event id, name and contact details; every other field must
/// be GBCS's constant.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let payload = settings_common::zse_payload(
        apdu,
        NAME,
        CLUSTER_DEVICE_MANAGEMENT,
        PUBLISH_CHANGE_OF_SUPPLIER,
    )?;
    let mut f = ZclFields::new(NAME, &payload);
    let current_provider = f.u32()?;
    let issuer_event_id = f.u32()?;
    let tariff_type = f.u8()?;
    let proposed_provider = f.u32()?;
    let implementation = f.u32()?;
    let control = f.u32()?;
    let name = f.octets(MAX_NAME)?;
    let telephone = f.octets(MAX_TELEPHONE)?;
    f.finish()?;
    if (
        current_provider,
        tariff_type,
        proposed_provider,
        implementation,
        control,
    ) != (0, 0, 0, 0, PROVIDER_CHANGE_CONTROL)
    {
        return Err(super::common::bad(
            NAME,
            "provider ids, tariff type, implementation time or control are not GBCS's",
        ));
    }
    Ok(DecodedCommand::Gcs44(SupplierChange {
        issuer_event_id,
        contact: SupplierContact { name, telephone },
    }))
}

/// Decodes the response: the Default Response, done or its status.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    settings_common::zse_default_response(
        content,
        CLUSTER_DEVICE_MANAGEMENT,
        PUBLISH_CHANGE_OF_SUPPLIER,
    )
}
