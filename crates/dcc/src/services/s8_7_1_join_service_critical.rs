//! 8.7.1 Join Service (Critical): the supplier has its ESME join an HCALCS or a PPMID (CS03A1), its HCALCS join the ESME (CS03A2) or its GSME join a PPMID (CS03C); a pre-command for the supplier to sign. The rule and its vectors are [`super::han_join`]'s.

use duis::{Request, Srv};
use eui::Eui64;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, han_join};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct JoinServiceCritical;

impl Service for JoinServiceCritical {
    fn srv(&self) -> Srv {
        Srv::V8_7_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for JoinServiceCritical {
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
        han_join::plan_join(r, true)
    }
}
