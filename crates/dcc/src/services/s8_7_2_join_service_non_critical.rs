//! 8.7.2 Join Service (Non-Critical): a meter joins a Type 2 device (IHD, CAD: CS03B), or the DCC's ACB has a PPMID join the ESME (CS03A2) or the GSME (CS03C), signing it itself. The rule and its vectors are [`super::han_join`]'s.

use duis::{Request, Srv};
use eui::Eui64;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, han_join};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct JoinServiceNonCritical;

impl Service for JoinServiceNonCritical {
    fn srv(&self) -> Srv {
        Srv::V8_7_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for JoinServiceNonCritical {
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
        han_join::plan_join(r, false)
    }
}
