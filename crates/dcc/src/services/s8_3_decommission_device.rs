//! 8.3 Decommission Device: the supplier tells the DCC a meter or HAN device has been removed
//! from its premises; the DCC sets its SMI status to Decommissioned (`crate::smi`, cause 8.3,
//! made by the supplier), recorded in the device's status history. Communications Hubs are
//! taken off a premises with 8.14.3/8.14.4 instead.

use duis::bodies::DecommissionDevice as Body;
use duis::{ResponseCode, Srv};

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::eligibility;
use crate::error::{AuthzError, DccError};
use crate::model::smi::{SmiActor, SmiCause};
use crate::model::{DeviceStatus, is_hub};
use crate::registration;
use crate::render;
use crate::smi;

pub struct DecommissionDevice;

impl Service for DecommissionDevice {
    fn srv(&self) -> Srv {
        Srv::V8_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

impl NonDeviceService for DecommissionDevice {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let b = Body::parse(&r.request.body).map_err(render::body_error)?;
        let device =
            r.tx.device(b.device_id)?
                .ok_or_else(|| AuthzError::UnknownDevice(b.device_id.to_string()))?;
        if is_hub(device.device_type) {
            return Err(AuthzError::DeviceType {
                srv: Srv::V8_3,
                device_type: device.device_type.to_string(),
            }
            .into());
        }
        // Only the device's supplier: an installed device follows registration.
        if device.uprn.is_some() {
            let day = r.now.date();
            let parties = registration::load(r.tx, &device, day)?;
            eligibility::check_registration(r.user, r.roles, &device, &parties, day)?;
        }
        smi::apply(
            r.tx,
            &device,
            DeviceStatus::Decommissioned,
            SmiCause::Service(Srv::V8_3),
            SmiActor::User(r.user.eui),
            r.now,
        )?;
        r.acknowledge(ResponseCode::I99)
    }
}
