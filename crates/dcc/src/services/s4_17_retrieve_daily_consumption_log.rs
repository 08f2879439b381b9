//! 4.17 Retrieve Daily Consumption Log.
//!
//! | device | GBCS use case |
//! |---|---|
//! | ESME | ECS66 |
//! | GPF | GCS61 |
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

pub struct RetrieveDailyConsumptionLog;

/// The body and the use case per device type.
pub const READ: LogRead = LogRead {
    body: "RetrieveDailyConsumptionLog",
    urp: true,
    use_cases: &[
        (DeviceType::Esme, MessageCode::ECS66),
        (DeviceType::Gpf, MessageCode::GCS61),
    ],
    urp_only: &[],
};

impl Service for RetrieveDailyConsumptionLog {
    fn srv(&self) -> Srv {
        Srv::V4_17
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RetrieveDailyConsumptionLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gpf]
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
            &RetrieveDailyConsumptionLog,
            Srv::V4_17,
            &READ,
            &[
                (DeviceType::Esme, UserRole::ImportSupplier, false),
                (DeviceType::Esme, UserRole::ElectricityDistributor, false),
                (DeviceType::Gpf, UserRole::GasSupplier, false),
                (DeviceType::Gpf, UserRole::GasTransporter, false),
                (DeviceType::Esme, UserRole::OtherUser, true),
            ],
        );
    }
}
