//! 4.4.4 Retrieve Billing Data Log (Payment Based Debt Payments).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS20A | the supplier |
//! | GSME | GCS15D | the supplier; the ACB for a user who is not the GSME's trust anchor |
//!
//! The period is the body's `ReadLogPeriod` (see [`super::logs_common`]). The body type carries no URP credentials.

use duis::Srv;
use gbcs::MessageCode;

use super::logs_common::LogRead;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct RetrieveBillingDataLogDebtPayments;

/// The body and the use case per device type.
pub const READ: LogRead = LogRead {
    body: "RetrieveBillingDataLogDebtPayments",
    urp: false,
    use_cases: &[
        (DeviceType::Esme, MessageCode::ECS20A),
        (DeviceType::Gsme, MessageCode::GCS15D),
    ],
    urp_only: &[],
};

impl Service for RetrieveBillingDataLogDebtPayments {
    fn srv(&self) -> Srv {
        Srv::V4_4_4
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RetrieveBillingDataLogDebtPayments {
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
            &RetrieveBillingDataLogDebtPayments,
            Srv::V4_4_4,
            &READ,
            &[
                (DeviceType::Esme, UserRole::ImportSupplier, false),
                (DeviceType::Gsme, UserRole::GasSupplier, false),
                // GCS15d allows the supplier and the ACB: a user not acting as the GSME's trust
                // anchor has the ACB originate it on their behalf (as the RTDS SUCCESS command).
                (DeviceType::Gsme, UserRole::ImportSupplier, true),
            ],
        );
    }
}
