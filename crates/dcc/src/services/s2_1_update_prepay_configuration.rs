//! 2.1 Update Prepay Configuration (critical, device-future-dated): ECS08 or ECS08a on an
//! ESME, GCS05 on a GSME; pre-commands the supplier signs. The body
//! (`sr:UpdatePrepayConfiguration`) carries an optional `ExecutionDateTime` (immediate, a future
//! instant, or the 3000-12-31 cancellation: `s1_6_update_payment_mode::device_activation`, E12
//! for an instant not after the DCC's time) and the configuration of one fuel.
//!
//! * The wrong fuel element for the device (`UpdatePrepayConfigGas` to an ESME,
//!   `UpdatePrepayConfigElectricity` to a GSME) is refused as a schema-invalid body
//!   (`SchemaError::Invalid`, as 2.3 Update Debt refuses its other fuel's form): nothing is sent.
//! * ECS08 and ECS08a differ only in the attribute the ESME's maximum meter balance is written to
//!   (`gbcs::usecases::ecs08`); the DUIS request is the same. The DCC sends ECS08a to an ESME
//!   whose Device Model is of GBCS [`ECS08A_SINCE`] or later and ECS08 to every other ESME
//!   (older, or of a version the inventory does not know), as it chooses GCS60a over GCS60
//!   (4.18). The version is this implementation's choice: the corpus says which use case the
//!   current UISS lists (ECS08a) but not since when.
//! * ESME: the amounts unchanged; special days (index, date; day id = index); one schedule entry
//!   per `ElectricityNonDisablementSchedule` (days of week Monday first, special days as a
//!   bit-string of one bit per special day of the request), dates with year 65535 as the COSEM
//!   every-year wildcard; the debt recovery rate cap period one week.
//! * GSME: the amounts unchanged; the friendly credit calendar from the day, week, season and
//!   special day profiles (start minutes, START 1 / STOP 0); issuer event and calendar id the
//!   DCC's time in ZigBee UTC.

use duis::Srv;
use duis::bodies::{
    DayOfMonth, ElecPrepayConfiguration, GasPrepayConfiguration, PrepayConfiguration, TariffDate,
    UpdatePrepayConfiguration as Body,
};
use gbcs::usecases::gas_tariff::{GasCalendarUpdate, GasDay, GasWeek, Issue};
use gbcs::usecases::tariff::SpecialDay;
use gbcs::usecases::{
    self as uc, Activation, EsmePrepayConfig, GasPrepayConfig, NonDisablementEntry,
};

use super::s1_6_update_payment_mode::device_activation;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, zse_issuer_event_id};
use crate::error::{DccError, ServiceError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdatePrepayConfiguration;

/// The first GBCS version whose ESMEs are sent ECS08a (major, minor).
pub const ECS08A_SINCE: (u16, u16) = (4, 0);

/// Whether an ESME is sent ECS08a rather than ECS08.
pub fn esme_takes_ecs08a(esme: &crate::model::Device) -> bool {
    esme.gbcs_version_at_least(ECS08A_SINCE.0, ECS08A_SINCE.1)
}

impl Service for UpdatePrepayConfiguration {
    fn srv(&self) -> Srv {
        Srv::V2_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn wrong_fuel(found: &str) -> DccError {
    render::body_error(duis::bodies::BodyError::Unexpected {
        parent: "UpdatePrepayConfiguration",
        found: found.to_owned(),
    })
}

/// A COSEM date of a DUIS `sr:Date` (wildcards `FF`/`FFFF`; last and second-last day of month
/// `FE`/`FD`).
fn cosem_date(d: &TariffDate) -> [u8; 5] {
    let day = match d.day_of_month {
        DayOfMonth::Day(x) => x,
        DayOfMonth::Last => 0xFE,
        DayOfMonth::SecondLast => 0xFD,
        DayOfMonth::Any => 0xFF,
    };
    uc::tariff::cosem_date(d.year, d.month, day, d.day_of_week)
}

/// A ZCL date of a DUIS gas date (year − 1900, `FF` wildcards).
fn zcl_date(d: &TariffDate) -> Result<[u8; 4], DccError> {
    let year = match d.year {
        Some(y) => u8::try_from(y.saturating_sub(1900))
            .ok()
            .filter(|v| *v < 0xFF)
            .ok_or_else(|| wrong_value(format!("year {y} cannot be carried by a ZCL date")))?,
        None => 0xFF,
    };
    let day = match d.day_of_month {
        DayOfMonth::Day(x) => x,
        _ => 0xFF,
    };
    Ok([
        year,
        d.month.unwrap_or(0xFF),
        day,
        d.day_of_week.unwrap_or(0xFF),
    ])
}

fn wrong_value(why: String) -> DccError {
    render::body_error(duis::bodies::BodyError::Unexpected {
        parent: "UpdatePrepayConfiguration",
        found: why,
    })
}

/// The ECS08/ECS08a configuration of an electricity body.
pub fn esme(e: &ElecPrepayConfiguration, activation: Activation) -> EsmePrepayConfig {
    let n = e.special_days.len();
    let special_days = e
        .special_days
        .iter()
        .map(|(i, d)| SpecialDay {
            index: u16::from(*i),
            date: cosem_date(d),
            day_id: *i,
        })
        .collect();
    let date = |d: duis::bodies::ScheduleDate| {
        let y = d.year.to_be_bytes();
        [y[0], y[1], d.month, d.day, 0xFF]
    };
    let schedule = e
        .schedule
        .iter()
        .map(|s| {
            let mut days_of_week = [false; 7];
            for d in &s.days_of_week {
                if let Some(x) = days_of_week.get_mut(usize::from(*d).wrapping_sub(1)) {
                    *x = true;
                }
            }
            let width = s
                .special_days
                .iter()
                .map(|d| usize::from(*d))
                .max()
                .unwrap_or(0)
                .max(n);
            let mut special_days = vec![false; width];
            for d in &s.special_days {
                if let Some(x) = special_days.get_mut(usize::from(*d).wrapping_sub(1)) {
                    *x = true;
                }
            }
            NonDisablementEntry {
                start: s.start,
                switch_time: s.switch_time,
                days_of_week,
                special_days,
                begin: date(s.start_date),
                end: date(s.end_date),
            }
        })
        .collect();
    EsmePrepayConfig {
        activation,
        debt_recovery_rate_cap: e.debt_recovery_rate_cap,
        debt_recovery_rate_cap_period: uc::ecs08::DEBT_RECOVERY_RATE_CAP_PERIOD,
        emergency_credit_limit: e.emergency_credit_limit,
        emergency_credit_threshold: e.emergency_credit_threshold,
        low_credit_threshold: e.low_credit_threshold,
        max_meter_balance: e.max_meter_balance,
        max_credit_threshold: e.max_credit_threshold,
        special_days,
        schedule,
    }
}

/// The GCS05 configuration of a gas body.
pub fn gsme(
    g: &GasPrepayConfiguration,
    activation: Activation,
    event: u32,
) -> Result<GasPrepayConfig, DccError> {
    let days = g
        .days
        .iter()
        .map(|d| GasDay {
            id: d.name,
            entries: d
                .actions
                .iter()
                .map(|(t, start)| (u16::from(t[0]) * 60 + u16::from(t[1]), u8::from(*start)))
                .collect(),
        })
        .collect();
    let weeks = g
        .weeks
        .iter()
        .map(|(id, days)| GasWeek {
            id: *id,
            days: *days,
        })
        .collect();
    let seasons = g
        .seasons
        .iter()
        .map(|(d, w)| Ok((zcl_date(d)?, *w)))
        .collect::<Result<_, DccError>>()?;
    let special_days = g
        .special_days
        .iter()
        .map(|(d, n)| Ok((zcl_date(d)?, *n)))
        .collect::<Result<_, DccError>>()?;
    Ok(GasPrepayConfig {
        issue: Issue {
            issuer_event_id: event,
            activation,
        },
        debt_recovery_rate_cap: g.debt_recovery_rate_cap,
        emergency_credit_limit: g.emergency_credit_limit,
        emergency_credit_threshold: g.emergency_credit_threshold,
        low_credit_threshold: g.low_credit_threshold,
        max_meter_balance: g.max_meter_balance,
        max_credit_threshold: g.max_credit_threshold,
        calendar: GasCalendarUpdate {
            issuer_calendar_id: event,
            days,
            weeks,
            seasons,
            special_days,
        },
    })
}

impl DeviceService for UpdatePrepayConfiguration {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        let dt = r.device.device_type;
        if !matches!(dt, DeviceType::Esme | DeviceType::Gsme) {
            return Err(r.wrong_type());
        }
        let act = device_activation(Srv::V2_1, body.execution_date_time.as_deref(), r.now)?;
        match (dt, &body.config) {
            (DeviceType::Esme, PrepayConfiguration::Electricity(e)) => {
                let c = esme(e, act);
                if esme_takes_ecs08a(r.device) {
                    r.try_use_case_command(uc::ecs08a::MESSAGE_CODE, |h| {
                        uc::ecs08a_update_prepay_configuration(h, &c)
                    })
                } else {
                    r.try_use_case_command(uc::ecs08::MESSAGE_CODE, |h| {
                        uc::ecs08_update_prepay_configuration(h, &c)
                    })
                }
            }
            (DeviceType::Gsme, PrepayConfiguration::Gas(g)) => {
                if act.to_zigbee().is_none() {
                    return Err(ServiceError::ExecutionDateTime {
                        srv: Srv::V2_1,
                        why: format!("{act:?} cannot be carried as a ZigBee time"),
                    }
                    .into());
                }
                let c = gsme(g, act, zse_issuer_event_id(r.now)?)?;
                r.try_use_case_command(uc::gcs05::MESSAGE_CODE, |h| {
                    uc::gcs05_update_prepay_configuration(h, &c)
                })
            }
            (DeviceType::Esme, _) => Err(wrong_fuel("UpdatePrepayConfigGas")),
            _ => Err(wrong_fuel("UpdatePrepayConfigElectricity")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::MessageCode;
    use gbcs::usecases::DecodedCommand;

    fn elec() -> String {
        template_body("ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML")
    }
    fn gas() -> String {
        template_body("GCS05_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML")
    }

    fn plan_for(
        t: &Harness,
        body: &str,
        dt: DeviceType,
        version: Option<&str>,
    ) -> Result<Plan, DccError> {
        let req = request(Srv::V2_1, body, dt, 77);
        let mut d = device(dt);
        d.gbcs_version = version.map(Into::into);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &d,
            acting_role: if dt == DeviceType::Esme {
                UserRole::ImportSupplier
            } else {
                UserRole::GasSupplier
            },
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        crate::catalogue::plan_device(&UpdatePrepayConfiguration, &mut r)
    }

    #[test]
    fn precommand_per_device_type_and_esme_version() {
        let t = Harness::new();
        for (dt, body, version, code) in [
            (DeviceType::Esme, elec(), None, uc::ecs08::MESSAGE_CODE),
            (
                DeviceType::Esme,
                elec(),
                Some("3.2"),
                uc::ecs08::MESSAGE_CODE,
            ),
            (
                DeviceType::Esme,
                elec(),
                Some("4.0"),
                uc::ecs08a::MESSAGE_CODE,
            ),
            (
                DeviceType::Esme,
                elec(),
                Some("5.1"),
                uc::ecs08a::MESSAGE_CODE,
            ),
            (DeviceType::Gsme, gas(), None, uc::gcs05::MESSAGE_CODE),
            (
                DeviceType::Gsme,
                gas(),
                Some("4.0"),
                uc::gcs05::MESSAGE_CODE,
            ),
        ] {
            let plan = plan_for(&t, &body, dt, version).unwrap();
            assert_precommand(&plan, code, &t, dt);
        }
    }

    /// The templates' bodies map onto the RTDS pre-commands' parameters.
    #[test]
    fn the_templates_map_onto_the_rtds_parameters() {
        for (stem, act) in [
            ("IMMEDIATE_SUCCESS", Activation::Now),
            ("CANCELLATION_SUCCESS", Activation::Cancel),
        ] {
            let b = Body::parse(
                &request(
                    Srv::V2_1,
                    &template_body(&format!("ECS08_2.1_{stem}_REQUEST_DUIS.XML")),
                    DeviceType::Esme,
                    1,
                )
                .body,
            )
            .unwrap();
            let now = time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
            assert_eq!(
                device_activation(Srv::V2_1, b.execution_date_time.as_deref(), now).unwrap(),
                act
            );
            let PrepayConfiguration::Electricity(e) = &b.config else {
                panic!()
            };
            let DecodedCommand::Ecs08(want) =
                rtds_precommand("2.1_ECS08", &format!("ECS08_2.1_{stem}"))
            else {
                panic!()
            };
            assert_eq!(esme(e, act), *want, "{stem}");
            let g = Body::parse(
                &request(
                    Srv::V2_1,
                    &template_body(&format!("GCS05_2.1_{stem}_REQUEST_DUIS.XML")),
                    DeviceType::Gsme,
                    1,
                )
                .body,
            )
            .unwrap();
            let PrepayConfiguration::Gas(g) = &g.config else {
                panic!()
            };
            let DecodedCommand::Gcs05(want) =
                rtds_precommand("2.1_GCS05", &format!("GCS05_2.1_{stem}"))
            else {
                panic!()
            };
            assert_eq!(gsme(g, act, 0x1C37_4A80).unwrap(), *want, "{stem}");
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &UpdatePrepayConfiguration,
                    Srv::V2_1,
                    &elec(),
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_and_the_wrong_fuel_are_refused() {
        let t = Harness::new();
        let (e, g) = (elec(), gas());
        for (body, dt) in [
            // The wrong fuel element for the device: schema-invalid.
            (g.clone(), DeviceType::Esme),
            (e.clone(), DeviceType::Gsme),
            (e.replace(">30<", ">70000<"), DeviceType::Esme),
            (
                g.replace("<sr:GasDayName>3<", "<sr:GasDayName>9<"),
                DeviceType::Gsme,
            ),
            ("<sr:UpdateDebt/>".to_string(), DeviceType::Esme),
        ] {
            let err = plan_for(&t, &body, dt, None).unwrap_err();
            assert!(matches!(err, DccError::Schema(_)), "{dt}: {err}");
        }
    }

    #[test]
    fn a_future_date_in_the_past_is_refused_with_e12() {
        let t = Harness::new();
        let past = elec().replace(
            "<sr:UpdatePrepayConfigElectricity>",
            "<sr:ExecutionDateTime>2020-01-01T00:00:00Z</sr:ExecutionDateTime><sr:UpdatePrepayConfigElectricity>",
        );
        assert_eq!(
            error_code(plan_for(&t, &past, DeviceType::Esme, None)),
            Some(duis::ResponseCode::E12)
        );
        let past_gas = gas().replace(
            "<sr:UpdatePrepayConfigGas>",
            "<sr:ExecutionDateTime>2020-01-01T00:00:00Z</sr:ExecutionDateTime><sr:UpdatePrepayConfigGas>",
        );
        assert_eq!(
            error_code(plan_for(&t, &past_gas, DeviceType::Gsme, None)),
            Some(duis::ResponseCode::E12)
        );
        // The future-dated templates (2030) are accepted.
        let fut = template_body("ECS08_2.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML");
        let plan = plan_for(&t, &fut, DeviceType::Esme, None).unwrap();
        assert_precommand(&plan, MessageCode(0x001F), &t, DeviceType::Esme);
    }
}
