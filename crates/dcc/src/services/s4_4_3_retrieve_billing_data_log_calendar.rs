//! 4.4.3 Retrieve Billing Calendar Triggered Billing Data Log.
//!
//! | device | GBCS use case |
//! |---|---|
//! | ESME | ECS20C |
//! | GSME | GCS15C |
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

pub struct RetrieveBillingDataLogCalendar;

/// The body and the use case per device type.
pub const READ: LogRead = LogRead {
    body: "RetrieveBillingCalendarTriggeredBillingDataLog",
    urp: true,
    use_cases: &[
        (DeviceType::Esme, MessageCode::ECS20C),
        (DeviceType::Gsme, MessageCode::GCS15C),
    ],
    urp_only: &[],
};

impl Service for RetrieveBillingDataLogCalendar {
    fn srv(&self) -> Srv {
        Srv::V4_4_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RetrieveBillingDataLogCalendar {
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
            &RetrieveBillingDataLogCalendar,
            Srv::V4_4_3,
            &READ,
            &[
                (DeviceType::Esme, UserRole::ImportSupplier, false),
                (DeviceType::Gsme, UserRole::GasSupplier, false),
            ],
        );
    }
}
