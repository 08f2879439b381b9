//! 4.18 Read Meter Balance.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS82 | the supplier |
//! | GSME of GBCS v4.0 or later | GCS60a | the gas supplier |
//! | any other GSME | GCS60 | the gas supplier |
//! | GPF | GCS60a (the variant the GPF answers) | the gas supplier |
//!
//! GCS60 and GCS60a carry the same command payload; a GCS60a answer also carries the date-time
//! of the balance (from the GSME, or from the GPF's copy of it). The DUIS request is the same for
//! both: the DCC picks the use case the GSME's Device Model implements, by the GBCS version the
//! inventory holds for it ([`GCS60A_SINCE`]); a GSME whose version is unknown gets GCS60, which
//! every version implements. (GCS60a's message code, 0x012A, belongs to the GBCS 4 additions with
//! CS08/CS09; the RTDS sends both use cases to its GSME.)
//!
//! The body is `ReadMeterBalance` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadMeterBalance;

/// The first GBCS version whose GSMEs take GCS60a (major, minor).
pub const GCS60A_SINCE: (u16, u16) = (4, 0);

/// Whether a GSME is sent GCS60a rather than GCS60.
pub fn gsme_takes_gcs60a(gsme: &crate::model::Device) -> bool {
    gsme.gbcs_version_at_least(GCS60A_SINCE.0, GCS60A_SINCE.1)
}

impl Service for ReadMeterBalance {
    fn srv(&self) -> Srv {
        Srv::V4_18
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadMeterBalance {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadMeterBalance").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(uc::ecs82::CODE, uc::ecs82_read_meter_balance),
            DeviceType::Gsme if gsme_takes_gcs60a(r.device) => {
                r.try_use_case_command(uc::gcs60a::CODE, uc::gcs60a_read_meter_balance)
            }
            DeviceType::Gsme => {
                r.try_use_case_command(uc::gcs60::CODE, uc::gcs60_read_meter_balance)
            }
            DeviceType::Gpf => {
                r.try_use_case_command(uc::gcs60a::CODE, uc::gcs60a_read_meter_balance)
            }
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = "<sr:ReadMeterBalance/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                uc::ecs82::CODE,
                false,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                uc::gcs60::CODE,
                false,
            ),
            (
                DeviceType::Gpf,
                UserRole::GasSupplier,
                uc::gcs60a::CODE,
                false,
            ),
        ] {
            let plan = t
                .plan(&ReadMeterBalance, Srv::V4_18, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    /// The GSME's GBCS version picks GCS60 or GCS60a (the request is the same).
    #[test]
    fn a_gsme_gets_gcs60a_from_gbcs_4_0_and_gcs60_before_or_when_unknown() {
        let t = Harness::new();
        let req = request(Srv::V4_18, BODY, DeviceType::Gsme, 1001);
        for (version, code) in [
            (None, uc::gcs60::CODE),
            (Some("1.0"), uc::gcs60::CODE),
            (Some("3.2"), uc::gcs60::CODE),
            (Some("not a version"), uc::gcs60::CODE),
            (Some("4.0"), uc::gcs60a::CODE),
            (Some("4.2"), uc::gcs60a::CODE),
            (Some("5.0"), uc::gcs60a::CODE),
        ] {
            let mut gsme = device(DeviceType::Gsme);
            gsme.gbcs_version = version.map(Into::into);
            assert_eq!(
                gsme_takes_gcs60a(&gsme),
                code == uc::gcs60a::CODE,
                "{version:?}"
            );
            let mut counter = || Ok(ACB_COUNTER);
            let mut r = DeviceRequest {
                request: &req,
                device: &gsme,
                acting_role: UserRole::GasSupplier,
                dcc: &t.dcc,
                dcc_counter: &mut counter,
                now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
                han_peer: None,
            };
            let plan = crate::catalogue::plan_device(&ReadMeterBalance, &mut r).unwrap();
            assert_command(&plan, code, false, &t, DeviceType::Gsme);
        }
        // A GPF gets GCS60a whatever its version.
        let mut gpf = device(DeviceType::Gpf);
        gpf.gbcs_version = Some("1.0".into());
        let req = request(Srv::V4_18, BODY, DeviceType::Gpf, 1001);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &gpf,
            acting_role: UserRole::GasSupplier,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        let plan = crate::catalogue::plan_device(&ReadMeterBalance, &mut r).unwrap();
        assert_command(&plan, uc::gcs60a::CODE, false, &t, DeviceType::Gpf);
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadMeterBalance><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadMeterBalance>";
        let plan = t
            .plan(
                &ReadMeterBalance,
                Srv::V4_18,
                body,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert!(
            matches!(plan, Plan::Held { .. }),
            "DSP future dated: {plan:?}"
        );
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Chf, DeviceType::Ppmid, DeviceType::Hcalcs] {
            let e = t
                .plan(
                    &ReadMeterBalance,
                    Srv::V4_18,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            "<sr:ReadMeterBalance>x</sr:ReadMeterBalance>",
            "<sr:ReadMeterBalance><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadMeterBalance>",
            "<sr:ReadMeterBalance><sr:Other/></sr:ReadMeterBalance>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadMeterBalance,
                    Srv::V4_18,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
