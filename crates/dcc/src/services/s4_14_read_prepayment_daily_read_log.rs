//! 4.14 Read Prepayment Daily Read Log.
//!
//! | device | GBCS use case |
//! |---|---|
//! | ESME | ECS21B |
//! | GSME | GCS16B |
//! | GPF | GCS16B, for an unknown remote party only |
//!
//! The period is the body's `ReadLogPeriod` (see [`super::logs_common`]). The body may carry an
//! unknown remote party's `KAPublicSecurityCredentials`: the ACB then sends the command with the
//! requester's certificate ([`super::DeviceRequest::unknown_remote_party_command`]); for gas it
//! goes to the GPF, as the RTDS sends GCS16b URP (without credentials a GPF is E11).

use duis::Srv;
use gbcs::MessageCode;

use super::logs_common::LogRead;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;

pub struct ReadPrepaymentDailyReadLog;

/// The body and the use case per device type.
pub const READ: LogRead = LogRead {
    body: "ReadPrepaymentDailyReadLog",
    urp: true,
    use_cases: &[
        (DeviceType::Esme, MessageCode::ECS21B),
        (DeviceType::Gsme, MessageCode::GCS16B),
    ],
    urp_only: &[(DeviceType::Gpf, MessageCode::GCS16B)],
};

impl Service for ReadPrepaymentDailyReadLog {
    fn srv(&self) -> Srv {
        Srv::V4_14
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadPrepaymentDailyReadLog {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf]
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
            &ReadPrepaymentDailyReadLog,
            Srv::V4_14,
            &READ,
            &[
                (DeviceType::Esme, UserRole::ImportSupplier, false),
                (DeviceType::Gsme, UserRole::GasSupplier, false),
            ],
        );
    }
}
