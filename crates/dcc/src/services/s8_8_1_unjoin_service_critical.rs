//! 8.8.1 Unjoin Service (Critical): the supplier has its ESME, GSME or HCALCS unjoin a device joined by Method A or C (CS04AC); a pre-command for the supplier to sign. The rule and its vectors are [`super::han_join`]'s.

use duis::{Request, Srv};
use eui::Eui64;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, han_join};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct UnjoinServiceCritical;

impl Service for UnjoinServiceCritical {
    fn srv(&self) -> Srv {
        Srv::V8_8_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UnjoinServiceCritical {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Hcalcs]
    }

    fn han_peer_id(&self, request: &Request) -> Result<Option<Eui64>, DccError> {
        han_join::other_device(request).map(Some)
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        if !self.device_types().contains(&r.device.device_type) {
            return Err(r.wrong_type());
        }
        han_join::plan_unjoin(r, true)
    }
}
