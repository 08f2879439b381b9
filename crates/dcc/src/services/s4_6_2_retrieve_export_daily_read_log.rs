//! 4.6.2 Retrieve Export Daily Read Log.
//!
//! | device | GBCS use case |
//! |---|---|
//! | ESME | ECS21C |
//!
//! The period is the body's `ReadLogPeriod` (see [`super::logs_common`]). The body type carries no URP credentials.

use duis::Srv;
use gbcs::MessageCode;

use super::logs_common::LogRead;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct RetrieveExportDailyReadLog;

/// The body and the use case per device type.
pub const READ: LogRead = LogRead {
    body: "RetrieveExportDailyReadLog",
    urp: false,
    use_cases: &[(DeviceType::Esme, MessageCode::ECS21C)],
    urp_only: &[],
};

impl Service for RetrieveExportDailyReadLog {
    fn srv(&self) -> Srv {
        Srv::V4_6_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RetrieveExportDailyReadLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        READ.plan(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duis::UserRole;

    #[test]
    fn plan_per_device_type_e11_for_others_and_bad_bodies_refused() {
        super::super::logs_common::testing::check(
            &RetrieveExportDailyReadLog,
            Srv::V4_6_2,
            &READ,
            &[
                (DeviceType::Esme, UserRole::ExportSupplier, true),
                (DeviceType::Esme, UserRole::ImportSupplier, true),
            ],
        );
    }
}
