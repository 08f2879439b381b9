//! 6.8 Update Device Configuration (Billing Calendar) and 6.2.3 Read Device Configuration
//! (Billing Calendar) on the ESME:
//!
//! * ECS30, ECS30a → `UpdateDeviceConfigurationBillingCalendarRsp` (no content; failures in
//!   `DebugInfo`).
//! * ECS26d, ECS26l →
//!   `ReadDeviceConfigurationDataBillingCalendarRsp/BillingCalendar/ElectricityBillingCalendar`:
//!   the calendar in the form 6.8 writes it (`BillingTime`, then `Daily`, `Weekly`, `Monthly`,
//!   `Quarterly`, `SixMonthly` or `Yearly`); entries the MMC schema cannot state are given as
//!   GBCSData.
//! * GCS25, GCS25a → `UpdateDeviceConfigurationBillingCalendarRsp` (no content).
//! * GCS21d, GCS21k →
//!   `ReadDeviceConfigurationDataBillingCalendarRsp/BillingCalendar/GasBillingCalendar`:
//!   `BillingPeriodStart` (the published start, UTC) and `Periodicity`.

use gbcs::usecases::billing_calendar::{ElecBillingCalendar, ElecPeriodicity};
use gbcs::usecases::gas_billing_calendar::GasPeriodicity;
use gbcs::usecases::{ResponseValue, ecs26d, ecs26l, ecs30, ecs30a, gcs21d, gcs21k, gcs25, gcs25a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// ECS30.
pub static ECS30: ResponseMapping = update(&ecs30::SPEC);
/// ECS30a.
pub static ECS30A: ResponseMapping = update(&ecs30a::SPEC);
/// ECS26d.
pub static ECS26D: ResponseMapping = read(&ecs26d::SPEC);
/// ECS26l.
pub static ECS26L: ResponseMapping = read(&ecs26l::SPEC);
/// GCS25.
pub static GCS25: ResponseMapping = update(&gcs25::SPEC);
/// GCS25a.
pub static GCS25A: ResponseMapping = update(&gcs25a::SPEC);
/// GCS21d.
pub static GCS21D: ResponseMapping = read(&gcs21d::SPEC);
/// GCS21k.
pub static GCS21K: ResponseMapping = read(&gcs21k::SPEC);

const fn update(spec: &'static gbcs::usecases::UseCaseSpec) -> ResponseMapping {
    ResponseMapping {
        use_case: spec,
        service_reference: "6.8",
        service_reference_variant: "6.8",
        element: "UpdateDeviceConfigurationBillingCalendarRsp",
        by_variant: &[],
        render: render_done,
        failure: None,
    }
}

const fn read(spec: &'static gbcs::usecases::UseCaseSpec) -> ResponseMapping {
    ResponseMapping {
        use_case: spec,
        service_reference: "6.2",
        service_reference_variant: "6.2.3",
        element: "ReadDeviceConfigurationDataBillingCalendarRsp",
        by_variant: &[],
        render: render_calendar,
        failure: None,
    }
}

fn render_done(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    match v {
        ResponseValue::Done => Ok(Rendering::Children(Xml::new())),
        _ => Err(MappingError::unexpected(v)),
    }
}

fn qsmy(x: &mut Xml, name: &str, day: u8, month: u8) {
    x.open(name, &[]);
    x.leaf("DayOfMonth", &day.to_string());
    x.leaf("BillingPeriodStartMonth", &month.to_string());
    x.close(name);
}

fn render_gas(
    p: &gbcs::usecases::gas_billing_calendar::GasBillingPeriod,
) -> Result<Xml, MappingError> {
    let start = gbcs::UtcDateTime::from_zigbee_utc(p.start)
        .ok_or_else(|| MappingError(format!("billing period start {} is not a time", p.start)))?;
    let periodicity = match p.periodicity() {
        Some(GasPeriodicity::Daily) => "Daily",
        Some(GasPeriodicity::Weekly) => "Weekly",
        Some(GasPeriodicity::Monthly) => "Monthly",
        Some(GasPeriodicity::Quarterly) => "Quarterly",
        Some(GasPeriodicity::SixMonthly) => "SixMonthly",
        Some(GasPeriodicity::Yearly) => "Yearly",
        None => {
            return Err(MappingError(format!(
                "billing period of {} (type {:#04x}) is no DUIS periodicity",
                p.duration, p.duration_type
            )));
        }
    };
    let mut x = Xml::new();
    x.open("GasBillingCalendar", &[]);
    x.leaf("BillingPeriodStart", &crate::time::xs_date_time(start));
    x.leaf("Periodicity", periodicity);
    x.close("GasBillingCalendar");
    Ok(x)
}

fn render_calendar(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let entries = match v {
        ResponseValue::BillingCalendar(entries) => entries,
        ResponseValue::GasBillingPeriod(p) => {
            let mut x = Xml::new();
            x.open("BillingCalendar", &[]);
            x.append(&render_gas(p)?);
            x.close("BillingCalendar");
            return Ok(Rendering::Children(x));
        }
        _ => return Err(MappingError::unexpected(v)),
    };
    let c = ElecBillingCalendar::from_entries(entries).ok_or_else(|| {
        MappingError(format!(
            "{} billing calendar entries the MMC schema cannot state",
            entries.len()
        ))
    })?;
    let mut x = Xml::new();
    x.open("BillingCalendar", &[]);
    x.open("ElectricityBillingCalendar", &[]);
    let t = c.time;
    x.leaf(
        "BillingTime",
        &format!(
            "{:02}:{:02}:{:02}.{:02}Z",
            t.hour, t.minute, t.second, t.hundredths
        ),
    );
    match c.periodicity {
        ElecPeriodicity::Daily => x.empty("Daily", &[]),
        ElecPeriodicity::Weekly(d) => x.leaf("Weekly", &d.to_string()),
        ElecPeriodicity::Monthly(d) => x.leaf("Monthly", &d.to_string()),
        ElecPeriodicity::Quarterly { day, start_month } => {
            qsmy(&mut x, "Quarterly", day, start_month)
        }
        ElecPeriodicity::SixMonthly { day, start_month } => {
            qsmy(&mut x, "SixMonthly", day, start_month)
        }
        ElecPeriodicity::Yearly { day, month } => qsmy(&mut x, "Yearly", day, month),
    }
    x.close("ElectricityBillingCalendar");
    x.close("BillingCalendar");
    Ok(Rendering::Children(x))
}
