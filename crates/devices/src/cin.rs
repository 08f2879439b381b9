//! DUIS 9.1's use cases on a meter: ECS50 (ESME, a DLMS SET) and GCS36 (GSME, ZSE Update CIN)
//! store the Customer Identification Number the DCC sent in `DeviceState::config.local`, where
//! the meter's display shows it ([`crate::config::local::LocalConfig`]); answered as the other
//! settings are (`settings`: the SET's results, the ZCL Default Response), a faulty object
//! leaving the stored CIN as it was.

use gbcs::GeneralSigning;
use gbcs::usecases::{Cin, ecs50, gcs36};

use crate::device::EmulatedDevice;
use crate::exec::Execution;
use crate::settings::CLUSTER_DEVICE_MANAGEMENT;

impl EmulatedDevice {
    /// ECS50: the CIN the ESME shows from now on.
    pub(crate) fn ecs50(&mut self, apdu: &GeneralSigning, cin: Cin) -> Option<Execution> {
        self.dlms_writes(apdu, &[ecs50::CIN_OBJECT], |s, _| {
            s.config.local.customer_identification_number = Some(cin.as_str().to_string());
        })
    }

    /// GCS36: the CIN the GSME shows from now on.
    pub(crate) fn gcs36(&mut self, cin: Cin) -> Option<Execution> {
        self.zse_setting(CLUSTER_DEVICE_MANAGEMENT, gcs36::UPDATE_CIN, |s| {
            s.config.local.customer_identification_number = Some(cin.as_str().to_string());
        })
    }
}
