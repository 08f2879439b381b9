//! 6.2.8 Read Device Configuration (Gas): GCS21a on a GSME, a GBZ read set of the conversion
//! and uncontrolled flow attributes (`gbcs::usecases::gas_configuration`). Any other device
//! type: E11.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::usecases::gcs21a;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadDeviceConfigurationGas;

impl Service for ReadDeviceConfigurationGas {
    fn srv(&self) -> Srv {
        Srv::V6_2_8
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadDeviceConfigurationGas {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ReadDeviceConfigurationGas")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Gsme => {
                r.try_use_case_command(gcs21a::MESSAGE_CODE, gcs21a::gcs21a_read_gas_configuration)
            }
            _ => Err(r.wrong_type()),
        }
    }
}
