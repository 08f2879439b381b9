//! Non-device services: answered from the DCC's own data, synchronously.

use duis::bodies::{
    DevicePrenotification, InventoryUpdate, MpxnUpdate, ReadInventory, RequestWanMatrix,
};
use time::OffsetDateTime;

use crate::error::{AuthzError, DccError, ServiceError};
use crate::model::{
    CspRegion, Device, DeviceStatus, DeviceType, Premises, is_hub, region_for_postcode,
};
use crate::store::Tx;

/// One device as Read Inventory reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryEntry {
    pub device: Device,
    pub premises: Option<Premises>,
}

/// DUIS allows at most this many devices in one inventory response.
pub const MAX_INVENTORY_DEVICES: usize = 17;

/// 8.2 Read Inventory.
pub fn read_inventory(tx: &mut dyn Tx, q: &ReadInventory) -> Result<Vec<InventoryEntry>, DccError> {
    let devices: Vec<Device> = match q {
        ReadInventory::DeviceId(id) => tx.device(*id)?.into_iter().collect(),
        ReadInventory::Uprn(uprn) => tx.devices_at(&uprn.to_string())?,
        ReadInventory::Mpxn(mpxn) => {
            // Everything installed at the premises the supply point belongs to.
            match tx
                .devices()?
                .into_iter()
                .find(|d| d.mpxn.as_deref() == Some(mpxn.as_str()))
            {
                Some(d) => match d.uprn.clone() {
                    Some(uprn) => tx.devices_at(&uprn)?,
                    None => vec![d],
                },
                None => Vec::new(),
            }
        }
        ReadInventory::PropertyFilter(f) => {
            let mut found = Vec::new();
            for p in tx.premises_by_postcode(&f.post_code)? {
                if p.address_identifier
                    .eq_ignore_ascii_case(f.address_identifier.trim())
                {
                    found.extend(tx.devices_at(&p.uprn)?);
                }
            }
            found
        }
    };
    if devices.is_empty() {
        return Err(ServiceError::InventoryNoMatch.into());
    }
    let mut out = Vec::with_capacity(devices.len().min(MAX_INVENTORY_DEVICES));
    for device in devices.into_iter().take(MAX_INVENTORY_DEVICES) {
        let premises = match &device.uprn {
            Some(u) => tx.premises(u)?,
            None => None,
        };
        out.push(InventoryEntry { device, premises });
    }
    Ok(out)
}

/// 12.2 Device Pre-notification: adds the device as Pending. Its SMKI device certificates must
/// already be in the repository (the manufacturer obtained them); they are what the DCC will
/// trust when the device joins. IHDs and CADs carry no SMKI certificates.
pub fn pre_notify(tx: &mut dyn Tx, n: &DevicePrenotification) -> Result<Device, DccError> {
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
    };
    tx.put_device(&device)?;
    Ok(device)
}

/// The SMI status changes 8.4 may make (SEC Section H6): a meter or HAN device may be set to
/// Pending or Installed Not Commissioned, never from Commissioned (that is 8.3's job); a
/// Communications Hub Function or GPF may be set to Installed Not Commissioned (from Pending),
/// Commissioned (from Installed Not Commissioned) or Withdrawn (from any status but
/// Decommissioned).
pub fn transition_allowed(t: DeviceType, from: DeviceStatus, to: DeviceStatus) -> bool {
    use DeviceStatus::*;
    if from == to {
        return false;
    }
    if is_hub(t) {
        match to {
            InstalledNotCommissioned => from == Pending,
            Commissioned => from == InstalledNotCommissioned,
            Withdrawn => from != Decommissioned,
            _ => false,
        }
    } else {
        match to {
            Pending => matches!(from, InstalledNotCommissioned | Whitelisted),
            InstalledNotCommissioned => matches!(from, Pending | Whitelisted),
            _ => false,
        }
    }
}

/// 8.4 Update Inventory.
pub fn update_inventory(
    tx: &mut dyn Tx,
    mut device: Device,
    update: &InventoryUpdate,
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
            srv: "8.4".into(),
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
            if !transition_allowed(device.device_type, device.status, *to) {
                return Err(deny(&device, to.as_str()));
            }
            device.status = *to;
            if *to == DeviceStatus::Commissioned {
                device.date_commissioned = Some(now.date());
            }
            tx.put_device(&device)?;
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

/// One CSP region's answer in the WAN matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WanCoverage {
    pub region: CspRegion,
    pub available: bool,
    pub technology: &'static str,
}

/// 12.1 Request WAN Matrix: the CSP region serving the property (from the premises if the DCC
/// knows it, else from the postcode) and its coverage. The emulated SM WAN covers every
/// premises in its three regions.
pub fn wan_matrix(tx: &mut dyn Tx, q: &RequestWanMatrix) -> Result<WanCoverage, DccError> {
    let region = match q {
        RequestWanMatrix::Uprn(u) => tx.premises(&u.to_string())?.map(|p| p.region),
        RequestWanMatrix::PartialAddress(a) => tx
            .premises_by_postcode(&a.post_code)?
            .first()
            .map(|p| p.region)
            .or_else(|| region_for_postcode(&a.post_code)),
    };
    let region = region.ok_or(ServiceError::AddressNotFound)?;
    Ok(WanCoverage {
        region,
        available: true,
        technology: match region {
            CspRegion::North | CspRegion::North4G => "Long Range Radio",
            _ => "Cellular",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeviceStatus::*;

    #[test]
    fn sec_transitions() {
        assert!(transition_allowed(
            DeviceType::Esme,
            Pending,
            InstalledNotCommissioned
        ));
        assert!(transition_allowed(
            DeviceType::Esme,
            InstalledNotCommissioned,
            Pending
        ));
        assert!(!transition_allowed(DeviceType::Esme, Commissioned, Pending));
        assert!(!transition_allowed(DeviceType::Esme, Pending, Commissioned));
        assert!(!transition_allowed(DeviceType::Gsme, Pending, Pending));
        assert!(transition_allowed(
            DeviceType::Chf,
            Pending,
            InstalledNotCommissioned
        ));
        assert!(transition_allowed(
            DeviceType::Chf,
            InstalledNotCommissioned,
            Commissioned
        ));
        assert!(transition_allowed(DeviceType::Gpf, Commissioned, Withdrawn));
        assert!(!transition_allowed(DeviceType::Chf, Pending, Commissioned));
        assert!(!transition_allowed(
            DeviceType::Chf,
            Decommissioned,
            Withdrawn
        ));
        assert!(!transition_allowed(DeviceType::Chf, Commissioned, Pending));
    }
}
