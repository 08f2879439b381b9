//! 4.6.1 Retrieve Import Daily Read Log.
//!
//! | device | GBCS use case |
//! |---|---|
//! | ESME | ECS21A |
//! | GSME | GCS16A |
//!
//! The period is the body's `ReadLogPeriod` (see [`super::logs_common`]). The body may carry an
//! unknown remote party's `KAPublicSecurityCredentials`: the ACB then sends the command with the
//! requester's certificate ([`super::DeviceRequest::unknown_remote_party_command`]).

use duis::Srv;
use gbcs::MessageCode;

use super::logs_common::LogRead;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct RetrieveImportDailyReadLog;

/// The body and the use case per device type.
pub const READ: LogRead = LogRead {
    body: "RetrieveImportDailyReadLog",
    urp: true,
    use_cases: &[
        (DeviceType::Esme, MessageCode::ECS21A),
        (DeviceType::Gsme, MessageCode::GCS16A),
    ],
    urp_only: &[],
};

impl Service for RetrieveImportDailyReadLog {
    fn srv(&self) -> Srv {
        Srv::V4_6_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RetrieveImportDailyReadLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
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
            &RetrieveImportDailyReadLog,
            Srv::V4_6_1,
            &READ,
            &[
                (DeviceType::Esme, UserRole::ImportSupplier, false),
                (DeviceType::Gsme, UserRole::GasSupplier, false),
            ],
        );
    }
}
