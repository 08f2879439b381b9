//! 3.2 Restrict Access for Change of Tenancy: from the `RestrictionDateTime` on, the meter gives
//! no consumption data from before it to parties other than its supplier and network operator
//! (the device rule: `devices::tenancy::visible_period`).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS12 (DLMS SET of the restriction date-time) | the import supplier |
//! | GPF | GCS09 (ZSE Publish Change of Tenancy; implementation date-time: the restriction; issuer event id: the DCC time, as GCS32's) | the gas supplier |
//!
//! The gas command goes to the GPF, which holds the gas logs other parties read (the RTDS GCS09
//! vector and the DUIS template target it). Any other device type: E11. The body's
//! `ExecutionDateTime` (DSP future dating) is the gateway's (`dispatch::hold`).

use duis::Srv;
use duis::bodies::RestrictAccessForChangeOfTenancy as Body;
use gbcs::usecases as uc;
use gbcs::{MessageCode, UtcDateTime};

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct RestrictAccessForChangeOfTenancy;

impl Service for RestrictAccessForChangeOfTenancy {
    fn srv(&self) -> Srv {
        Srv::V3_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RestrictAccessForChangeOfTenancy {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gpf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        // Whole seconds (GBCS carries no fractions); an instant GBCS cannot carry (before
        // 2000-01-01 or after 2136, ZigBee UTC's range) is a body error.
        let restriction = UtcDateTime::from_unix(body.restriction_date_time.unix_timestamp())
            .filter(|u| u.to_zigbee_utc().is_some_and(|s| s != 0 && s != u32::MAX))
            .ok_or_else(|| -> DccError {
                SchemaError::Invalid("RestrictionDateTime: outside 2000 to 2136".into()).into()
            })?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(MessageCode::ECS12, |h| {
                uc::ecs12_restrict_access(h, restriction)
            }),
            DeviceType::Gpf => {
                let event = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(MessageCode::GCS09, |h| {
                    uc::gcs09_restrict_access(h, event, restriction)
                })
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
    use gbcs::usecases::{DecodedCommand, TenancyChange, decode_command};

    const BODY: &str = "<sr:RestrictAccessForChangeOfTenancy><sr:RestrictionDateTime>2015-02-01T00:00:00.00Z</sr:RestrictionDateTime></sr:RestrictAccessForChangeOfTenancy>";

    fn command(plan: &Plan) -> DecodedCommand {
        let Plan::Command { command, .. } = plan else {
            panic!("not a command: {plan:?}")
        };
        decode_command(command).unwrap()
    }

    fn restriction() -> UtcDateTime {
        UtcDateTime::new(2015, 2, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn command_per_device_type() {
        let t = Harness::new();
        let plan = t
            .plan(
                &RestrictAccessForChangeOfTenancy,
                Srv::V3_2,
                BODY,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_command(&plan, MessageCode::ECS12, false, &t, DeviceType::Esme);
        assert_eq!(command(&plan), DecodedCommand::Ecs12(restriction()));
        let plan = t
            .plan(
                &RestrictAccessForChangeOfTenancy,
                Srv::V3_2,
                BODY,
                DeviceType::Gpf,
                UserRole::GasSupplier,
            )
            .unwrap();
        assert_command(&plan, MessageCode::GCS09, false, &t, DeviceType::Gpf);
        // The harness's DCC time, 1 790 000 000 s after 1970, in ZigBee seconds since 2000.
        assert_eq!(
            command(&plan),
            DecodedCommand::Gcs09(TenancyChange {
                issuer_event_id: 1_790_000_000 - 946_684_800,
                restriction: restriction(),
            })
        );
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gsme,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &RestrictAccessForChangeOfTenancy,
                    Srv::V3_2,
                    BODY,
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for bad in [
            "<sr:RestrictAccessForChangeOfTenancy/>",
            "<sr:RestrictAccessForChangeOfTenancy><sr:RestrictionDateTime>soon</sr:RestrictionDateTime></sr:RestrictAccessForChangeOfTenancy>",
            "<sr:RestrictAccessForChangeOfTenancy><sr:RestrictionDateTime>1999-12-31T23:59:59Z</sr:RestrictionDateTime></sr:RestrictAccessForChangeOfTenancy>",
            "<sr:RestrictAccessForChangeOfTenancy><sr:RestrictionDateTime>2000-01-01T00:00:00Z</sr:RestrictionDateTime></sr:RestrictAccessForChangeOfTenancy>",
            "<sr:DisablePrivacyPIN/>",
        ] {
            let e = t
                .plan(
                    &RestrictAccessForChangeOfTenancy,
                    Srv::V3_2,
                    bad,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, crate::error::DccError::Schema(_)), "{bad}: {e}");
        }
    }
}
