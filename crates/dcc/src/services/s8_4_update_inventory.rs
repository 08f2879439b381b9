//! 8.4 Update Inventory: SMI status transitions the SEC allows, details of a pending device,
//! deleting a pending device, and a meter's import MPxN.

use duis::bodies::{InventoryUpdate, MpxnUpdate, UpdateInventory as Update};
use duis::{ResponseCode, Srv};
use time::OffsetDateTime;

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::eligibility;
use crate::error::{AuthzError, DccError, ServiceError};
use crate::model::smi::{SmiActor, SmiCause};
use crate::model::{Device, DeviceStatus, DeviceType, is_hub};
use crate::registration;
use crate::render;
use crate::smi;
use crate::store::Tx;

pub struct UpdateInventory;

impl Service for UpdateInventory {
    fn srv(&self) -> Srv {
        Srv::V8_4
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

impl NonDeviceService for UpdateInventory {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let u = Update::parse(&r.request.body).map_err(render::body_error)?;
        let device =
            r.tx.device(u.device_id)?
                .ok_or_else(|| AuthzError::UnknownDevice(u.device_id.to_string()))?;
        // Installed devices follow registration; pending ones belong to no premises yet.
        if device.uprn.is_some() {
            let day = r.now.date();
            let parties = registration::load(r.tx, &device, day)?;
            eligibility::check_registration(r.user, r.roles, &device, &parties, day)?;
        }
        update_inventory(r.tx, device, &u.update, SmiActor::User(r.user.eui), r.now)?;
        r.acknowledge(ResponseCode::I99)
    }
}

/// 8.4 Update Inventory.
pub fn update_inventory(
    tx: &mut dyn Tx,
    mut device: Device,
    update: &InventoryUpdate,
    by: SmiActor,
    now: OffsetDateTime,
) -> Result<(), DccError> {
    let deny = |d: &Device, to: &str| -> DccError {
        ServiceError::TransitionNotAllowed {
            device_type: d.device_type.to_string(),
            from: d.status.to_string(),
            to: to.to_string(),
        }
        .into()
    };
    let wrong_type = |d: &Device| -> DccError {
        AuthzError::DeviceType {
            srv: Srv::V8_4,
            device_type: d.device_type.to_string(),
        }
        .into()
    };
    match update {
        InventoryUpdate::DeviceStatus(to) | InventoryUpdate::CommsHubStatus(to) => {
            let hub_form = matches!(update, InventoryUpdate::CommsHubStatus(_));
            if hub_form != is_hub(device.device_type) {
                return Err(wrong_type(&device));
            }
            // The SEC's rules for 8.4 (SEC Section H6) are `crate::smi`'s: a meter or HAN device
            // to Pending or Installed Not Commissioned, never from Commissioned (that is 8.3's);
            // a hub to Installed Not Commissioned, Commissioned or Withdrawn.
            let t = smi::transition(&device, *to, SmiCause::Service(Srv::V8_4), by, now)
                .map_err(|_| deny(&device, to.as_str()))?;
            smi::record(tx, &t)?;
        }
        InventoryUpdate::DeviceDetails(d) => {
            if device.status != DeviceStatus::Pending {
                return Err(deny(&device, "updated details"));
            }
            if let Some(m) = &d.manufacturer {
                device.manufacturer.clone_from(m);
            }
            if let Some(m) = &d.model {
                device.model.clone_from(m);
            }
            if d.smets_chts_version.is_some() {
                device.smets_chts_version.clone_from(&d.smets_chts_version);
            }
            if d.firmware_version.is_some() {
                device.firmware_version.clone_from(&d.firmware_version);
            }
            if d.esme_variant.is_some() {
                device.esme_variant = d.esme_variant;
            }
            tx.put_device(&device)?;
        }
        InventoryUpdate::DeleteDevice => {
            if device.status != DeviceStatus::Pending {
                return Err(deny(&device, "deleted"));
            }
            tx.delete_device(device.id)?;
        }
        InventoryUpdate::Mpxn(MpxnUpdate::Import(mpxn)) => {
            if !matches!(device.device_type, DeviceType::Esme | DeviceType::Gsme) {
                return Err(wrong_type(&device));
            }
            device.mpxn = Some(mpxn.clone());
            tx.put_device(&device)?;
        }
        InventoryUpdate::Mpxn(MpxnUpdate::SecondaryImport(m) | MpxnUpdate::Export(m)) => {
            return Err(ServiceError::UpdateNotSupported(format!(
                "secondary import or export MPAN {m} (registration data holds it, not the inventory)"
            ))
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smi::transition;
    use DeviceStatus::*;

    fn allowed(t: DeviceType, from: DeviceStatus, to: DeviceStatus) -> bool {
        let d = Device {
            status: from,
            ..crate::services::testing::device(t)
        };
        let at = time::macros::datetime!(2026-12-07 12:00 UTC);
        transition(&d, to, SmiCause::Service(Srv::V8_4), SmiActor::Dcc, at).is_ok()
    }

    #[test]
    fn sec_transitions() {
        assert!(allowed(DeviceType::Esme, Pending, InstalledNotCommissioned));
        assert!(allowed(DeviceType::Esme, InstalledNotCommissioned, Pending));
        assert!(!allowed(DeviceType::Esme, Commissioned, Pending));
        assert!(!allowed(DeviceType::Esme, Pending, Commissioned));
        assert!(!allowed(DeviceType::Gsme, Pending, Pending));
        assert!(allowed(DeviceType::Chf, Pending, InstalledNotCommissioned));
        assert!(allowed(
            DeviceType::Chf,
            InstalledNotCommissioned,
            Commissioned
        ));
        assert!(allowed(DeviceType::Gpf, Commissioned, Withdrawn));
        assert!(!allowed(DeviceType::Chf, Pending, Commissioned));
        assert!(!allowed(DeviceType::Chf, Decommissioned, Withdrawn));
        assert!(!allowed(DeviceType::Chf, Commissioned, Pending));
    }
}
