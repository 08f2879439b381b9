//! 6.8 Update Device Configuration (Billing Calendar) and 6.2.3 Read Device Configuration
//! (Billing Calendar) on the ESME:
//!
//! * ECS30, ECS30a → `UpdateDeviceConfigurationBillingCalendarRsp` (no content; failures in
//!   `DebugInfo`).
//! * ECS26d, ECS26l → `ReadDeviceConfigurationBillingCalendarRsp/ElectricityBillingCalendar`:
//!   the calendar in the form 6.8 writes it (`BillingTime`, then `Daily`, `Weekly`, `Monthly`,
//!   `Quarterly`, `SixMonthly` or `Yearly`), or, for entries DUIS cannot state, one
//!   `ExecutionTime` per entry (`Time` and `Date`, the COSEM octets in hexadecimal).

use gbcs::usecases::billing_calendar::{ElecBillingCalendar, ElecPeriodicity};
use gbcs::usecases::{ResponseValue, ecs26d, ecs26l, ecs30, ecs30a};

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
        element: "ReadDeviceConfigurationBillingCalendarRsp",
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

fn upper_hex(b: &[u8]) -> String {
    b.iter().map(|v| format!("{v:02X}")).collect()
}

fn qsmy(x: &mut Xml, name: &str, day: u8, month: u8) {
    x.open(name, &[]);
    x.leaf("DayOfMonth", &day.to_string());
    x.leaf("BillingPeriodStartMonth", &month.to_string());
    x.close(name);
}

fn render_calendar(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::BillingCalendar(entries) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut x = Xml::new();
    x.open("ElectricityBillingCalendar", &[]);
    match ElecBillingCalendar::from_entries(entries) {
        Some(c) => {
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
        }
        None => {
            for e in entries {
                x.open("ExecutionTime", &[]);
                x.leaf("Time", &upper_hex(&e.time));
                x.leaf("Date", &upper_hex(&e.date));
                x.close("ExecutionTime");
            }
        }
    }
    x.close("ElectricityBillingCalendar");
    Ok(Rendering::Children(x))
}
