//! 12.2 Device Pre-notification: a manufacturer's or supplier's notice that a device exists,
//! adding it to the inventory as Pending.

use duis::bodies::DevicePrenotification as Notice;
use duis::{ResponseCode, Srv};

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, ServiceError};
use crate::model::smi::{SmiActor, SmiCause};
use crate::model::{Device, DeviceStatus, DeviceType};
use crate::render;
use crate::store::Tx;
use time::OffsetDateTime;

pub struct DevicePrenotification;

impl Service for DevicePrenotification {
    fn srv(&self) -> Srv {
        Srv::V12_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

impl NonDeviceService for DevicePrenotification {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let n = Notice::parse(&r.request.body).map_err(render::body_error)?;
        pre_notify(r.tx, &n, SmiActor::User(r.user.eui), r.now)?;
        r.acknowledge(ResponseCode::I99)
    }
}

/// 12.2 Device Pre-notification: adds the device as Pending. Its SMKI device certificates must
/// already be in the repository (the manufacturer obtained them); they are what the DCC will
/// trust when the device joins. IHDs and CADs carry no SMKI certificates.
pub fn pre_notify(
    tx: &mut dyn Tx,
    n: &Notice,
    by: SmiActor,
    now: OffsetDateTime,
) -> Result<Device, DccError> {
    if tx.device(n.device_id)?.is_some() {
        return Err(ServiceError::AlreadyInInventory(n.device_id.to_string()).into());
    }
    if !matches!(n.device_type, DeviceType::Ihd | DeviceType::Cad)
        && tx.device_certs(n.device_id)?.is_empty()
    {
        return Err(ServiceError::NoDeviceCertificate(n.device_id.to_string()).into());
    }
    let device = Device {
        id: n.device_id,
        device_type: n.device_type,
        status: DeviceStatus::Pending,
        manufacturer: n.manufacturer.clone(),
        model: n.model.clone(),
        firmware_version: n.firmware_version.clone(),
        smets_chts_version: n.smets_chts_version.clone(),
        esme_variant: n.esme_variant,
        uprn: None,
        chf: None,
        mpxn: None,
        date_commissioned: None,
        gbcs_version: None,
    };
    // Only models on the Certified Products List are pre-notified (seed 003 para 292); a
    // CAD, which the CPL does not list, is let through.
    if device.device_type != DeviceType::Cad {
        crate::products::require_listed(tx, &device, Srv::V12_2)?;
    }
    crate::smi::enter(tx, &device, SmiCause::Service(Srv::V12_2), by, now)
}
