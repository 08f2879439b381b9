//! 6.8 Update Device Configuration (Billing Calendar) (critical): ECS30 or ECS30a on an ESME, a
//! pre-command the import supplier signs, setting the calendar's `execution_time` entries
//! (`gbcs::usecases::billing_calendar`, the one DUIS-to-GBCS rule).
//!
//! * The DCC sends ECS30a (all periodicities, up to four entries) to an ESME whose Device Model
//!   is of GBCS 4.0 or later, as it chooses ECS08a for 2.1
//!   (`s2_1_update_prepay_configuration::esme_takes_ecs08a`), and ECS30 (one entry) to every
//!   other ESME; a quarterly or six-monthly calendar, which ECS30 cannot carry, is refused for
//!   those as an invalid body: nothing is sent.
//! * GSME: GCS25a to a GSME of GBCS 4.0 or later
//!   (`s4_18_read_meter_balance::gsme_takes_gcs60a`), else GCS25: a Publish Billing Period and
//!   a Publish Block Period (`gbcs::usecases::gas_billing_calendar`) from the
//!   `BillingPeriodStart` (in ZigBee UTC; a start the ZigBee time cannot carry is an invalid
//!   body) with the periodicity's duration; issuer event id the DCC's time in ZigBee UTC.
//! * The other fuel's calendar (`GasBillingCalendar` to an ESME, `ElectricityBillingCalendar`
//!   to a GSME) is refused as an invalid body: nothing is sent.

use duis::Srv;
use duis::bodies::{
    ElecBillingPeriodicity as P, GasBillingPeriodicity as G, UpdateBillingCalendar,
};
use gbcs::usecases::billing_calendar::{BillingTime, ElecBillingCalendar, ElecPeriodicity};
use gbcs::usecases::gas_billing_calendar::{GasBillingPeriod, GasPeriodicity};
use gbcs::usecases::{ecs30, ecs30a};
use gbcs::usecases::{gcs25, gcs25a};

use super::s2_1_update_prepay_configuration::esme_takes_ecs08a;
use super::s4_18_read_meter_balance::gsme_takes_gcs60a;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, zse_issuer_event_id};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateBillingCalendarService;

impl Service for UpdateBillingCalendarService {
    fn srv(&self) -> Srv {
        Srv::V6_8
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The GBCS calendar of a DUIS electricity calendar.
pub fn elec_calendar(time: [u8; 4], p: P) -> ElecBillingCalendar {
    let [hour, minute, second, hundredths] = time;
    ElecBillingCalendar {
        time: BillingTime {
            hour,
            minute,
            second,
            hundredths,
        },
        periodicity: match p {
            P::Daily => ElecPeriodicity::Daily,
            P::Weekly(d) => ElecPeriodicity::Weekly(d),
            P::Monthly(d) => ElecPeriodicity::Monthly(d),
            P::Quarterly { day, start_month } => ElecPeriodicity::Quarterly { day, start_month },
            P::SixMonthly { day, start_month } => ElecPeriodicity::SixMonthly { day, start_month },
            P::Yearly { day, month } => ElecPeriodicity::Yearly { day, month },
        },
    }
}

/// The GBCS periodicity of a DUIS gas periodicity.
pub fn gas_periodicity(p: G) -> GasPeriodicity {
    match p {
        G::Daily => GasPeriodicity::Daily,
        G::Weekly => GasPeriodicity::Weekly,
        G::Monthly => GasPeriodicity::Monthly,
        G::Quarterly => GasPeriodicity::Quarterly,
        G::SixMonthly => GasPeriodicity::SixMonthly,
        G::Yearly => GasPeriodicity::Yearly,
    }
}

fn invalid(why: &str) -> DccError {
    render::body_error(duis::bodies::BodyError::Unexpected {
        parent: "UpdateDeviceConfigurationBillingCalendar",
        found: why.to_owned(),
    })
}

impl DeviceService for UpdateBillingCalendarService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = UpdateBillingCalendar::parse(&r.request.body).map_err(render::body_error)?;
        match (r.device.device_type, body) {
            (DeviceType::Esme, UpdateBillingCalendar::Electricity { time, periodicity }) => {
                let entries = elec_calendar(time, periodicity)
                    .entries()
                    .map_err(|e| invalid(&e.to_string()))?;
                if esme_takes_ecs08a(r.device) {
                    r.try_use_case_command(ecs30a::MESSAGE_CODE, |h| {
                        ecs30a::ecs30a_set_billing_calendar(h, &entries)
                    })
                } else if entries.len() > ecs30::MAX_ENTRIES {
                    Err(invalid(
                        "a calendar of more than one entry, which ECS30 cannot carry",
                    ))
                } else {
                    r.try_use_case_command(ecs30::MESSAGE_CODE, |h| {
                        ecs30::ecs30_set_billing_calendar(h, &entries)
                    })
                }
            }
            (DeviceType::Esme, UpdateBillingCalendar::Gas { .. }) => {
                Err(invalid("GasBillingCalendar"))
            }
            (DeviceType::Gsme, UpdateBillingCalendar::Electricity { .. }) => {
                Err(invalid("ElectricityBillingCalendar"))
            }
            (DeviceType::Gsme, UpdateBillingCalendar::Gas { start, periodicity }) => {
                let start = duis::parse_xs_datetime_utc(&start)
                    .and_then(|t| gbcs::UtcDateTime::from_unix(t.unix_timestamp()))
                    .and_then(gbcs::usecases::issuer_event_id)
                    .ok_or_else(|| invalid("a BillingPeriodStart ZigBee time cannot carry"))?;
                let period = GasBillingPeriod::from_duis(
                    zse_issuer_event_id(r.now)?,
                    start,
                    gas_periodicity(periodicity),
                );
                if gsme_takes_gcs60a(r.device) {
                    r.try_use_case_command(gcs25a::MESSAGE_CODE, |h| {
                        gcs25a::gcs25a_set_billing_calendar(h, &period)
                    })
                } else {
                    r.try_use_case_command(gcs25::MESSAGE_CODE, |h| {
                        gcs25::gcs25_set_billing_calendar(h, &period)
                    })
                }
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
    use gbcs::usecases::{self as uc, DecodedCommand};

    fn plan_for(body: &str, dt: DeviceType, version: Option<&str>) -> Result<Plan, DccError> {
        let t = Harness::new();
        let req = request(Srv::V6_8, body, dt, 77);
        let mut d = device(dt);
        d.gbcs_version = version.map(Into::into);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &d,
            acting_role: if dt == DeviceType::Gsme {
                UserRole::GasSupplier
            } else {
                UserRole::ImportSupplier
            },
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        crate::catalogue::plan_device(&UpdateBillingCalendarService, &mut r)
    }

    #[test]
    fn the_templates_plan_the_rtds_precommands() {
        for (template, version, dir, stem) in [
            (
                "ECS30_6.8_SUCCESS_REQUEST_DUIS.XML",
                None,
                "6.8_ECS30",
                "ECS30_6.8_SUCCESS",
            ),
            (
                "ECS30a_6.8_SUCCESS_REQUEST_DUIS.XML",
                Some("4.0"),
                "6.8_ECS30a",
                "ECS30a_6.8_SUCCESS",
            ),
        ] {
            let plan = plan_for(&template_body(template), DeviceType::Esme, version).unwrap();
            let Plan::PreCommand(g) = plan else {
                panic!("{template}: not a pre-command")
            };
            assert_eq!(
                uc::decode_command(&g).unwrap(),
                rtds_precommand(dir, stem),
                "{template}"
            );
        }
        // A monthly calendar to a GBCS 4.0 ESME goes as ECS30a.
        let plan = plan_for(
            &template_body("ECS30_6.8_SUCCESS_REQUEST_DUIS.XML"),
            DeviceType::Esme,
            Some("4.1"),
        )
        .unwrap();
        let Plan::PreCommand(g) = plan else { panic!() };
        assert!(matches!(
            uc::decode_command(&g).unwrap(),
            DecodedCommand::Ecs30a(e) if e.len() == 1
        ));
    }

    #[test]
    fn the_gas_templates_plan_the_rtds_billing_periods() {
        for (template, version, dir, stem) in [
            (
                "GCS25_6.8_SUCCESS_REQUEST_DUIS.XML",
                None,
                "6.8_GCS25",
                "GCS25_6.8_SUCCESS",
            ),
            (
                "GCS25a_6.8_SUCCESS_REQUEST_DUIS.XML",
                Some("4.0"),
                "6.8_GCS25a",
                "GCS25a_6.8_SUCCESS",
            ),
        ] {
            let plan = plan_for(&template_body(template), DeviceType::Gsme, version).unwrap();
            let Plan::PreCommand(g) = plan else {
                panic!("{template}: not a pre-command")
            };
            // The issuer event id is the DCC's time, the RTDS's 2015-01-01.
            let ours = uc::decode_command(&g).unwrap();
            let rtds = rtds_precommand(dir, stem);
            let (DecodedCommand::Gcs25(a) | DecodedCommand::Gcs25a(a)) = ours else {
                panic!("{ours:?}")
            };
            let (DecodedCommand::Gcs25(b) | DecodedCommand::Gcs25a(b)) = rtds else {
                panic!("{rtds:?}")
            };
            assert_eq!(
                (a.start, a.duration, a.duration_type),
                (b.start, b.duration, b.duration_type),
                "{template}"
            );
            assert_eq!(std::mem::discriminant(&ours), std::mem::discriminant(&rtds));
        }
    }

    #[test]
    fn what_cannot_be_sent_is_refused() {
        // A quarterly calendar to an ESME older than GBCS 4.0, the other fuel's calendar.
        let quarterly = template_body("ECS30a_6.8_SUCCESS_REQUEST_DUIS.XML");
        let gas = template_body("GCS25_6.8_SUCCESS_REQUEST_DUIS.XML");
        for (body, dt, version) in [
            (&quarterly, DeviceType::Esme, Some("3.2")),
            (&gas, DeviceType::Esme, Some("4.0")),
            (&quarterly, DeviceType::Gsme, None),
        ] {
            let e = plan_for(body, dt, version).unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{dt}: {e}");
        }
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Hcalcs] {
            let e = plan_for(&quarterly, dt, None).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
