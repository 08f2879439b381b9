//! 8.1.1 Commission Device (critical): sets the meter's clock, ECS70 on an ESME and GCS28 on a
//! GSME; pre-commands the supplier signs.
//!
//! The clock's validity interval is the request's: from `CurrentDateTime` to `CurrentDateTime +
//! TolerancePeriod` (fractions of a second dropped, as GBCS date-times have none). The device
//! accepts the time only if its own clock is inside the interval when the command arrives, so
//! the supplier chooses both; the DCC's clock plays no part (and a pre-command is then the same
//! bytes whenever it is built, as the RTDS vectors are).

use duis::Srv;
use duis::bodies::SynchroniseClock;
use gbcs::usecases as uc;
use gbcs::{MessageCode, UtcDateTime};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct CommissionDevice;

impl Service for CommissionDevice {
    fn srv(&self) -> Srv {
        Srv::V8_1_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The start of the validity interval, in GBCS's date-time range.
pub fn interval_start(clock: &SynchroniseClock) -> Result<UtcDateTime, DccError> {
    UtcDateTime::from_unix(clock.current_date_time.unix_timestamp())
        .filter(|start| start.plus_seconds(clock.tolerance_period).is_some())
        .ok_or_else(|| {
            SchemaError::Invalid(format!(
                "CommissionDeviceSynchroniseClock: CurrentDateTime {} plus TolerancePeriod {} s \
                 is outside the dates GBCS can carry",
                clock.current_date_time, clock.tolerance_period
            ))
            .into()
        })
}

impl DeviceService for CommissionDevice {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let clock = SynchroniseClock::parse(&r.request.body).map_err(render::body_error)?;
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
            "<sr:CommissionDeviceSynchroniseClock><sr:CurrentDateTime>{current}</sr:CurrentDateTime><sr:TolerancePeriod>{tolerance}</sr:TolerancePeriod></sr:CommissionDeviceSynchroniseClock>"
        )
    }

    /// The pre-commands are the RTDS vectors, byte for byte, from the DUIS templates' bodies
    /// (template RequestID: supplier → ESME / GSME, counter 1000).
    #[test]
    fn precommands_reproduce_the_rtds_vectors() {
        let t = Harness::new();
        let cases = [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                body("2014-12-31T23:59:10.00Z", "60"),
                "DF090100000000000003E80890B3D51F300100000800DB1234567890A0000200626CD9200003E800050200080000010000FF090300080000010000FF050300080000010000FF040100080000010000FF020100080000010000FF040516050203090CFFFFFFFFFFFFFFFFFF8000FF090C07DE0C1FFF173B0A008000FF090C07DF0101FF00000A008000FF0F000000",
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                body("2014-12-31T23:30:00.00Z", "3600"),
                "DF090100000000000003E80890B3D51F300100000800DB1234567890A10002007F243022180F32303134313233313233333030305A180F32303135303130313030333030305A",
            ),
        ];
        for (dt, role, body, want) in cases {
            let plan = t
                .plan_rtds(&CommissionDevice, Srv::V8_1_1, &body, dt, role, 1000)
                .unwrap();
            let Plan::PreCommand(g) = plan else {
                panic!("{plan:?}")
            };
            assert_eq!(hex(&g.encode()), want, "{dt}");
        }
    }

    #[test]
    fn the_interval_is_the_requests_not_the_dcc_clock() {
        let t = Harness::new();
        let a = t
            .plan(
                &CommissionDevice,
                Srv::V8_1_1,
                &body("2030-01-01T00:00:00Z", "10"),
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap();
        let b = t
            .plan(
                &CommissionDevice,
                Srv::V8_1_1,
                &body("2030-01-01T00:00:00Z", "20"),
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap();
        let (Plan::PreCommand(a), Plan::PreCommand(b)) = (a, b) else {
            panic!("pre-commands expected")
        };
        assert_ne!(a.content, b.content);
        assert!(hex(&a.content).contains(&hex(b"20300101000000Z")));
        assert!(hex(&a.content).contains(&hex(b"20300101000010Z")));
    }

    #[test]
    fn refusals() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &CommissionDevice,
                    Srv::V8_1_1,
                    &body("2030-01-01T00:00:00Z", "10"),
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        let e = t
            .plan(
                &CommissionDevice,
                Srv::V8_1_1,
                &body("1969-12-31T23:59:59Z", "10"),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
        let e = t
            .plan(
                &CommissionDevice,
                Srv::V8_1_1,
                &body("2030-01-01T00:00:00Z", "86401"),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }
}
