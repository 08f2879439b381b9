//! 8.8.2 Unjoin Service (Non-Critical): a meter unjoins a Type 2 device (CS04B), or the DCC's ACB has a PPMID unjoin a device (CS04AC, signed by the ACB). The rule and its vectors are [`super::han_join`]'s.

use duis::{Request, Srv};
use eui::Eui64;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, han_join};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct UnjoinServiceNonCritical;

impl Service for UnjoinServiceNonCritical {
    fn srv(&self) -> Srv {
        Srv::V8_8_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UnjoinServiceNonCritical {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Ppmid]
    }

    fn han_peer_id(&self, request: &Request) -> Result<Option<Eui64>, DccError> {
        han_join::other_device(request).map(Some)
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        if !self.device_types().contains(&r.device.device_type) {
            return Err(r.wrong_type());
        }
        han_join::plan_unjoin(r, false)
    }
}
