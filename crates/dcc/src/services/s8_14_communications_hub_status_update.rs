//! 8.14.1–8.14.4 Communications Hub Status Update (one DUIS service reference, four variants):
//! the supplier reports a hub installed (8.14.1 on the SM WAN, 8.14.2 without it) or returned
//! (8.14.3 with a fault, 8.14.4 without). The DCC changes the SMI statuses of the hub's
//! Communications Hub Function and its Gas Proxy Function through `crate::smi` (cause the
//! variant, made by the supplier):
//!
//! - 8.14.1: the CHF Commissioned, its GPF (if Pending) Installed Not Commissioned;
//! - 8.14.2: the CHF and its GPF (if Pending) Installed Not Commissioned;
//! - 8.14.3 / 8.14.4: a hub never installed (Pending) Withdrawn, an installed one Decommissioned.
//!
//! The GPF is the hub's other device: 8.14.3's `OtherDeviceID`, else the GPF the inventory
//! records behind the CHF at its premises. An installation names its supply point (`MPxN`):
//! the requester must be its registered supplier, or, for a hub already at a premises, the
//! premises' supplier.

use duis::bodies::{CommsHubStatusUpdate as Body, HubStatusUpdate};
use duis::{ResponseCode, Srv};

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::eligibility;
use crate::error::{AuthzError, DccError};
use crate::model::smi::{SmiActor, SmiCause};
use crate::model::{Device, DeviceStatus, DeviceType, RegistrationRole};
use crate::registration;
use crate::render;
use crate::smi;

/// One of the four variants (`Srv::V8_14_1` … `Srv::V8_14_4`).
pub struct CommsHubStatusUpdate(pub Srv);

impl Service for CommsHubStatusUpdate {
    fn srv(&self) -> Srv {
        self.0
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

impl NonDeviceService for CommsHubStatusUpdate {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let srv = self.0;
        let b = Body::parse(&r.request.body).map_err(render::body_error)?;
        let chf =
            r.tx.device(b.device_id)?
                .ok_or_else(|| AuthzError::UnknownDevice(b.device_id.to_string()))?;
        if chf.device_type != DeviceType::Chf {
            return Err(AuthzError::DeviceType {
                srv,
                device_type: chf.device_type.to_string(),
            }
            .into());
        }
        let day = r.now.date();
        if chf.uprn.is_some() {
            let parties = registration::load(r.tx, &chf, day)?;
            eligibility::check_registration(r.user, r.roles, &chf, &parties, day)?;
        } else if let HubStatusUpdate::InstallSuccess { mpxn }
        | HubStatusUpdate::InstallNoSmWan { mpxn } = &b.update
        {
            let registered = r.tx.registrations(mpxn)?.iter().any(|g| {
                g.party == r.user.eui
                    && matches!(
                        g.role,
                        RegistrationRole::ImportSupplier | RegistrationRole::GasSupplier
                    )
                    && r.roles.contains(&g.role.user_role())
                    && g.from <= day
                    && g.to.is_none_or(|to| day < to)
            });
            if !registered {
                return Err(AuthzError::NotRegistered {
                    user: r.user.eui.to_string(),
                    device: format!("{} (MPxN {mpxn})", chf.id),
                    date: day.to_string(),
                }
                .into());
            }
        }
        let gpf = gpf_of(r, &chf, &b.update)?;
        let by = SmiActor::User(r.user.eui);
        let cause = SmiCause::Service(srv);
        let returned = |d: &Device| {
            if d.status == DeviceStatus::Pending {
                DeviceStatus::Withdrawn
            } else {
                DeviceStatus::Decommissioned
            }
        };
        let (chf_to, gpf_to) = match (&b.update, srv) {
            (HubStatusUpdate::InstallSuccess { .. }, Srv::V8_14_1) => (
                DeviceStatus::Commissioned,
                Some(DeviceStatus::InstalledNotCommissioned),
            ),
            (HubStatusUpdate::InstallNoSmWan { .. }, Srv::V8_14_2) => (
                DeviceStatus::InstalledNotCommissioned,
                Some(DeviceStatus::InstalledNotCommissioned),
            ),
            (HubStatusUpdate::FaultReturn { .. }, Srv::V8_14_3)
            | (HubStatusUpdate::NoFaultReturn, Srv::V8_14_4) => (returned(&chf), None),
            _ => {
                return Err(AuthzError::BodyMismatch {
                    srv,
                    found: r.request.body.name.clone(),
                }
                .into());
            }
        };
        // The GPF first, so that a refused CHF change (checked after) rolls it back with the rest.
        if let Some(gpf) = gpf {
            let to = gpf_to.unwrap_or_else(|| returned(&gpf));
            // An installation leaves a GPF that is past Pending as it is.
            if gpf_to.is_none() || gpf.status == DeviceStatus::Pending {
                smi::apply(r.tx, &gpf, to, cause, by, r.now)?;
            }
        }
        smi::apply(r.tx, &chf, chf_to, cause, by, r.now)?;
        r.acknowledge(ResponseCode::I99)
    }
}

/// The hub's Gas Proxy Function, if the inventory holds it.
fn gpf_of(
    r: &mut NonDeviceRequest<'_>,
    chf: &Device,
    update: &HubStatusUpdate,
) -> Result<Option<Device>, DccError> {
    if let HubStatusUpdate::FaultReturn { other_device } = update
        && let Some(d) = r.tx.device(*other_device)?
        && d.device_type == DeviceType::Gpf
    {
        return Ok(Some(d));
    }
    let Some(uprn) = &chf.uprn else {
        return Ok(None);
    };
    Ok(r.tx
        .devices_at(uprn)?
        .into_iter()
        .find(|d| d.device_type == DeviceType::Gpf && d.chf == Some(chf.id)))
}
