//! 8.2 Read Inventory: the devices matching one criterion, from the Smart Metering Inventory.

use duis::bodies::ReadInventory as Query;
use duis::{ResponseCode, Srv};

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, ServiceError};
use crate::model::{Device, Premises};
use crate::render;
use crate::store::Tx;

pub struct ReadInventory;

impl Service for ReadInventory {
    fn srv(&self) -> Srv {
        Srv::V8_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

impl NonDeviceService for ReadInventory {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let q = Query::parse(&r.request.body).map_err(render::body_error)?;
        let entries = read_inventory(r.tx, &q)?;
        Ok(Plan::Answer {
            code: ResponseCode::I0,
            document: render::inventory(r.request, &entries, r.now)?,
        })
    }
}

/// One device as Read Inventory reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryEntry {
    pub device: Device,
    pub premises: Option<Premises>,
    /// `CPLStatus` and `FirmwareVersionStatus`, from the Certified Products List
    /// ([`cpl::Cpl::statuses`]).
    pub cpl_status: Option<duis::ProductListStatus>,
    pub firmware_status: Option<duis::ProductListStatus>,
}

/// DUIS allows at most this many devices in one inventory response.
pub const MAX_INVENTORY_DEVICES: usize = 17;

/// 8.2 Read Inventory.
pub fn read_inventory(tx: &mut dyn Tx, q: &Query) -> Result<Vec<InventoryEntry>, DccError> {
    let devices: Vec<Device> = match q {
        Query::DeviceId(id) => tx.device(*id)?.into_iter().collect(),
        Query::Uprn(uprn) => tx.devices_at(&uprn.to_string())?,
        Query::Mpxn(mpxn) => {
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
        Query::PropertyFilter(f) => {
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
    let cpl = crate::products::load(tx)?;
    let mut out = Vec::with_capacity(devices.len().min(MAX_INVENTORY_DEVICES));
    for device in devices.into_iter().take(MAX_INVENTORY_DEVICES) {
        let premises = match &device.uprn {
            Some(u) => tx.premises(u)?,
            None => None,
        };
        let (cpl_status, firmware_status) = cpl.statuses(&device);
        out.push(InventoryEntry {
            device,
            premises,
            cpl_status,
            firmware_status,
        });
    }
    Ok(out)
}
