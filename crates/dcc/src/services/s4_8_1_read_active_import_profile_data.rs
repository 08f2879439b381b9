//! 4.8.1 Read Active Import Profile Data: the half-hourly import profile over the request's
//! `ReadLogPeriod`.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS22b (a protected read: the ESME encrypts the profile to the requester) | the supplier or distributor |
//! | GSME | GCS17 (Get Sampled Data of the consumption profile, encrypted to the requester) | the supplier or transporter |
//!
//! The answer is encrypted to the requester's KA key; the DCC passes it through unread. Other
//! Users (eligible in the matrix) would need the Unknown Remote Party mechanism
//! (`KAPublicSecurityCredentials`), which is not implemented: they are refused as non trust
//! anchors. A period ending before it starts is refused (body error) and nothing is sent.

use duis::Srv;
use duis::bodies::ReadLog;
use gbcs::usecases as uc;

use super::read_log::read_period;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadActiveImportProfileData;

impl Service for ReadActiveImportProfileData {
    fn srv(&self) -> Srv {
        Srv::V4_8_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadActiveImportProfileData {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = ReadLog::parse(&r.request.body, "ReadActiveImportProfileData", true)
            .map_err(render::body_error)?;
        let period = read_period(&body.period)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(uc::ecs22b::MESSAGE_CODE, |h| {
                uc::ecs22b_read_active_import_profile_data(h, period)
            }),
            DeviceType::Gsme => r.try_use_case_command(uc::gcs17::MESSAGE_CODE, |h| {
                uc::gcs17_read_profile_data(h, period)
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

    const NAME: &str = "ReadActiveImportProfileData";

    fn ok_body() -> String {
        body(NAME, "2014-12-31T00:00:00.00Z", "2015-01-01T00:00:00.00Z")
    }

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs22b::MESSAGE_CODE,
            ),
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                uc::ecs22b::MESSAGE_CODE,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs17::MESSAGE_CODE,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasTransporter,
                uc::gcs17::MESSAGE_CODE,
            ),
        ] {
            let plan = t
                .plan(
                    &ReadActiveImportProfileData,
                    Srv::V4_8_1,
                    &ok_body(),
                    dt,
                    role,
                )
                .unwrap();
            assert_command(&plan, code, false, &t, dt);
            let Plan::Command { command, .. } = plan else {
                unreachable!()
            };
            let period = match gbcs::usecases::decode_command(&command).unwrap() {
                uc::DecodedCommand::Ecs22b(p) => p,
                uc::DecodedCommand::Gcs17(g) => {
                    assert_eq!(
                        (g.earliest_sample_time, g.number_of_samples),
                        (473_299_200, 49)
                    );
                    continue;
                }
                d => panic!("{d:?}"),
            };
            assert_eq!(period.start.to_unix(), 1_419_984_000);
            assert_eq!(period.end.to_unix(), 1_420_070_400);
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Chf,
            DeviceType::Gpf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &ReadActiveImportProfileData,
                    Srv::V4_8_1,
                    &ok_body(),
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_and_reversed_periods_are_refused() {
        let t = Harness::new();
        for b in [
            body(NAME, "2015-01-01T00:00:00Z", "2014-12-31T00:00:00Z"),
            body(NAME, "1999-12-31T00:00:00Z", "2000-01-02T00:00:00Z"),
            format!("<sr:{NAME}/>"),
            body(
                "ReadNetworkData",
                "2014-12-31T00:00:00Z",
                "2015-01-01T00:00:00Z",
            ),
        ] {
            let e = t
                .plan(
                    &ReadActiveImportProfileData,
                    Srv::V4_8_1,
                    &b,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{b}: {e}");
        }
    }
}
