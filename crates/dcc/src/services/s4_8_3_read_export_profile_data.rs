//! 4.8.3 Read Export Profile Data: the half-hourly profile over the request's `ReadLogPeriod`.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS22a | the distributor; the ACB for the export supplier and Other Users |
//!
//! A period ending before it starts is refused (body error) and nothing is sent.

use duis::Srv;
use duis::bodies::ReadLog;
use gbcs::usecases as uc;

use super::read_log::read_period;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadExportProfileData;

impl Service for ReadExportProfileData {
    fn srv(&self) -> Srv {
        Srv::V4_8_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadExportProfileData {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = ReadLog::parse(&r.request.body, "ReadExportProfileData", false)
            .map_err(render::body_error)?;
        let period = read_period(&body.period)?;
        match r.device.device_type {
            DeviceType::Esme => r.try_use_case_command(uc::ecs22a::MESSAGE_CODE, |h| {
                uc::ecs22a_read_export_profile_data(h, period)
            }),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::read_log::tests::body;
    use crate::services::testing::*;
    use duis::UserRole;

    const NAME: &str = "ReadExportProfileData";

    fn ok_body() -> String {
        body(NAME, "2014-10-01T09:00:00.00Z", "2014-10-02T09:00:00.00Z")
    }

    #[test]
    fn esme_gets_the_use_case() {
        let t = Harness::new();
        for (role, by_acb) in [
            (UserRole::ElectricityDistributor, false),
            (UserRole::ExportSupplier, true),
            (UserRole::OtherUser, true),
        ] {
            let plan = t
                .plan(
                    &ReadExportProfileData,
                    Srv::V4_8_3,
                    &ok_body(),
                    DeviceType::Esme,
                    role,
                )
                .unwrap();
            assert_command(
                &plan,
                uc::ecs22a::MESSAGE_CODE,
                by_acb,
                &t,
                DeviceType::Esme,
            );
            let Plan::Command { command, .. } = plan else {
                unreachable!()
            };
            let uc::DecodedCommand::Ecs22a(read) =
                gbcs::usecases::decode_command(&command).unwrap()
            else {
                panic!("not ECS22a")
            };
            let p = read.period.unwrap();
            assert_eq!(
                (p.start.to_unix(), p.end.to_unix()),
                (1_412_154_000, 1_412_240_400)
            );
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gsme,
            DeviceType::Chf,
            DeviceType::Gpf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &ReadExportProfileData,
                    Srv::V4_8_3,
                    &ok_body(),
                    dt,
                    UserRole::ElectricityDistributor,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_and_reversed_periods_are_refused() {
        let t = Harness::new();
        for b in [
            body(NAME, "2014-10-02T09:00:00Z", "2014-10-01T09:00:00Z"),
            format!("<sr:{NAME}/>"),
            body(
                "ReadNetworkData",
                "2014-10-01T09:00:00Z",
                "2014-10-02T09:00:00Z",
            ),
        ] {
            let e = t
                .plan(
                    &ReadExportProfileData,
                    Srv::V4_8_3,
                    &b,
                    DeviceType::Esme,
                    UserRole::ElectricityDistributor,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{b}: {e}");
        }
    }
}
