//! 4.4.5 Retrieve Billing Data Log (Prepayment Credits).
//!
//! | device | GBCS use case |
//! |---|---|
//! | ESME | ECS20D |
//! | GSME | GCS15E |
//!
//! The period is the body's `ReadLogPeriod` (see [`super::logs_common`]). The body type carries no URP credentials.

use duis::Srv;
use gbcs::MessageCode;

use super::logs_common::LogRead;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct RetrieveBillingDataLogPrepaymentCredits;

/// The body and the use case per device type.
pub const READ: LogRead = LogRead {
    body: "RetrieveBillingDataLogPrepaymentCredits",
    urp: false,
    use_cases: &[
        (DeviceType::Esme, MessageCode::ECS20D),
        (DeviceType::Gsme, MessageCode::GCS15E),
    ],
    urp_only: &[],
};

impl Service for RetrieveBillingDataLogPrepaymentCredits {
    fn srv(&self) -> Srv {
        Srv::V4_4_5
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RetrieveBillingDataLogPrepaymentCredits {
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
            &RetrieveBillingDataLogPrepaymentCredits,
            Srv::V4_4_5,
            &READ,
            &[
                (DeviceType::Esme, UserRole::ImportSupplier, false),
                (DeviceType::Gsme, UserRole::GasSupplier, false),
            ],
        );
    }
}
