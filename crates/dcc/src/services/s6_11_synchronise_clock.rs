//! 6.11 Synchronise Clock (critical): sets a meter's clock, ECS70 on an ESME and GCS28 on a
//! GSME, pre-commands the supplier signs; the same use cases and validity-interval rule as 8.1.1
//! Commission Device ([`super::s8_1_1_commission_device`]), from 6.11's own `SynchroniseClock`
//! body. The device sets its clock (a drifted clock, `DeviceState::clock_offset_secs`, becomes
//! exact) only if its own clock lies inside the interval when the command arrives.

use duis::Srv;
use duis::bodies::SynchroniseClock;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::s8_1_1_commission_device::interval_start;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct SynchroniseClockService;

impl Service for SynchroniseClockService {
    fn srv(&self) -> Srv {
        Srv::V6_11
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for SynchroniseClockService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let clock = SynchroniseClock::parse_synchronise_clock(&r.request.body)
            .map_err(render::body_error)?;
        let start = interval_start(&clock)?;
        let tolerance = clock.tolerance_period;
        match r.device.device_type {
            DeviceType::Esme => r.try_use_case_command(MessageCode::ECS70, |h| {
                uc::ecs70_set_clock(h, start, tolerance)
            }),
            DeviceType::Gsme => r.try_use_case_command(MessageCode::GCS28, |h| {
                uc::gcs28_set_clock(h, start, tolerance)
            }),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    fn body(current: &str, tolerance: &str) -> String {
        format!(
            "<sr:SynchroniseClock><sr:CurrentDateTime>{current}</sr:CurrentDateTime><sr:TolerancePeriod>{tolerance}</sr:TolerancePeriod></sr:SynchroniseClock>"
        )
    }

    /// The pre-commands are the RTDS 6.11 vectors (6.11_ECS70, 6.11_GCS28), byte for byte, from
    /// the DUIS templates' bodies (template RequestID: supplier → ESME / GSME, counter 1000).
    #[test]
    fn precommands_reproduce_the_rtds_vectors() {
        let t = Harness::new();
        let cases = [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                body("2014-12-31T23:59:10.00Z", "60"),
                ("6.11_ECS70", "ECS70_6.11_SUCCESS"),
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                body("2014-12-31T23:30:00.00Z", "3600"),
                ("6.11_GCS28", "GCS28_6.11_SUCCESS"),
            ),
        ];
        let root = std::env::var("OPENDCC_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
        for (dt, role, body, (dir, stem)) in cases {
            let want = std::fs::read_to_string(format!(
                "{root}/rtds/RTDS-4.5.0/{dir}/{stem}_PRECOMMAND_GBCS.HEX"
            ))
            .unwrap();
            let plan = t
                .plan_rtds(&SynchroniseClockService, Srv::V6_11, &body, dt, role, 1000)
                .unwrap();
            let Plan::PreCommand(g) = plan else {
                panic!("{plan:?}")
            };
            assert_eq!(hex(&g.encode()), want.trim(), "{dir}");
        }
    }

    #[test]
    fn refusals() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &SynchroniseClockService,
                    Srv::V6_11,
                    &body("2030-01-01T00:00:00Z", "10"),
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        for (current, tolerance) in [
            ("1969-12-31T23:59:59Z", "10"),
            ("2030-01-01T00:00:00Z", "86401"),
            ("2030-01-01T00:00:00Z", "-1"),
        ] {
            let e = t
                .plan(
                    &SynchroniseClockService,
                    Srv::V6_11,
                    &body(current, tolerance),
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{e}");
        }
        // 8.1.1's body element is not 6.11's.
        let e = t
            .plan(
                &SynchroniseClockService,
                Srv::V6_11,
                "<sr:CommissionDeviceSynchroniseClock><sr:CurrentDateTime>2030-01-01T00:00:00Z</sr:CurrentDateTime><sr:TolerancePeriod>10</sr:TolerancePeriod></sr:CommissionDeviceSynchroniseClock>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }
}
