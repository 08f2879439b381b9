//! 4.10 Read Network Data: voltage quality data over the request's `ReadLogPeriod`.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME, polyphase (variant C…) | ECS23b (each phase) | the supplier or distributor |
//! | other ESME (variant unknown too) | ECS23 | the supplier or distributor |
//! | GSME | GCS18 (the network data log GCS31 records, encrypted to the requester) | the supplier or transporter |
//!
//! A period ending before it starts is refused (body error) and nothing is sent.

use duis::bodies::ReadLog;
use duis::{EsmeVariant, Srv};
use gbcs::usecases as uc;

use super::read_log::read_period;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadNetworkData;

impl Service for ReadNetworkData {
    fn srv(&self) -> Srv {
        Srv::V4_10
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// Whether an ESME of variant `v` is polyphase (SMETS2 variant C, with or without its options).
pub fn is_polyphase(v: Option<EsmeVariant>) -> bool {
    v.is_some_and(|v| v.as_str().starts_with('C'))
}

impl DeviceService for ReadNetworkData {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            ReadLog::parse(&r.request.body, "ReadNetworkData", true).map_err(render::body_error)?;
        let period = read_period(&body.period)?;
        match r.device.device_type {
            DeviceType::Esme if is_polyphase(r.device.esme_variant) => r
                .try_use_case_command(uc::ecs23b::MESSAGE_CODE, |h| {
                    uc::ecs23b_read_network_data(h, period)
                }),
            DeviceType::Esme => r.try_use_case_command(uc::ecs23::MESSAGE_CODE, |h| {
                uc::ecs23_read_network_data(h, period)
            }),
            DeviceType::Gsme => r.try_use_case_command(uc::gcs18::MESSAGE_CODE, |h| {
                uc::gcs18_read_network_data(h, period)
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

    fn ok_body() -> String {
        body(
            "ReadNetworkData",
            "2014-12-31T20:00:00Z",
            "2015-01-01T00:00:00Z",
        )
    }

    #[test]
    fn use_case_per_device_type_and_variant() {
        let t = Harness::new();
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs23::MESSAGE_CODE,
            ),
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                uc::ecs23::MESSAGE_CODE,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs18::MESSAGE_CODE,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasTransporter,
                uc::gcs18::MESSAGE_CODE,
            ),
        ] {
            let plan = t
                .plan(&ReadNetworkData, Srv::V4_10, &ok_body(), dt, role)
                .unwrap();
            assert_command(&plan, code, false, &t, dt);
        }
        assert!(is_polyphase(Some(EsmeVariant::C)));
        assert!(is_polyphase(Some(EsmeVariant::Cdf)));
        assert!(!is_polyphase(Some(EsmeVariant::A)));
        assert!(!is_polyphase(Some(EsmeVariant::B)));
        assert!(!is_polyphase(None));
    }

    #[test]
    fn polyphase_esme_gets_ecs23b() {
        let t = Harness::new();
        let req = request(Srv::V4_10, &ok_body(), DeviceType::Esme, 5);
        let mut device = device(DeviceType::Esme);
        device.esme_variant = Some(EsmeVariant::C);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &device,
            acting_role: UserRole::ElectricityDistributor,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        let plan = crate::catalogue::plan_device(&ReadNetworkData, &mut r).unwrap();
        assert_command(&plan, uc::ecs23b::MESSAGE_CODE, false, &t, DeviceType::Esme);
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
                    &ReadNetworkData,
                    Srv::V4_10,
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
            body(
                "ReadNetworkData",
                "2015-01-01T00:00:00Z",
                "2014-12-31T20:00:00Z",
            ),
            "<sr:ReadNetworkData/>".to_string(),
        ] {
            for dt in [DeviceType::Esme, DeviceType::Gsme] {
                let e = t
                    .plan(
                        &ReadNetworkData,
                        Srv::V4_10,
                        &b,
                        dt,
                        UserRole::ImportSupplier,
                    )
                    .unwrap_err();
                assert!(matches!(e, DccError::Schema(_)), "{b}: {e}");
            }
        }
    }
}
