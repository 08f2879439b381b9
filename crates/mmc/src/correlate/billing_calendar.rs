//! ECS30 / ECS30a set billing calendar answer 6.8: the pre-command must set exactly the
//! entries the request's `ElectricityBillingCalendar` states
//! (`gbcs::usecases::billing_calendar::ElecBillingCalendar::entries`). GCS25 / GCS25a: the
//! billing period must start at the request's `GasBillingCalendar/BillingPeriodStart` with
//! its `Periodicity`'s duration (`GasBillingPeriod::from_duis`; the issuer event id is the
//! DCC's).

use duis::bodies::{
    ElecBillingPeriodicity as P, GasBillingPeriodicity as G, UpdateBillingCalendar,
};
use duis::{Request, Srv};
use gbcs::usecases::billing_calendar::{BillingTime, ElecBillingCalendar, ElecPeriodicity};
use gbcs::usecases::gas_billing_calendar::{GasBillingPeriod, GasPeriodicity};
use gbcs::usecases::{DecodedCommand, ecs30, ecs30a};
use gbcs::usecases::{gcs25, gcs25a};

use super::{Correlation, Mismatch};

/// ECS30.
pub static ECS30: Correlation = Correlation {
    use_case: &ecs30::SPEC,
    services: &[Srv::V6_8],
    check,
};
/// ECS30a.
pub static ECS30A: Correlation = Correlation {
    use_case: &ecs30a::SPEC,
    services: &[Srv::V6_8],
    check,
};

/// GCS25.
pub static GCS25: Correlation = Correlation {
    use_case: &gcs25::SPEC,
    services: &[Srv::V6_8],
    check,
};
/// GCS25a.
pub static GCS25A: Correlation = Correlation {
    use_case: &gcs25a::SPEC,
    services: &[Srv::V6_8],
    check,
};

fn check_gas(start: &str, periodicity: G, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let start = duis::parse_xs_datetime_utc(start)
        .and_then(|t| gbcs::UtcDateTime::from_unix(t.unix_timestamp()))
        .and_then(|t| t.to_zigbee_utc())
        .ok_or_else(|| Mismatch::RequestBody("BillingPeriodStart out of range".into()))?;
    let p = match periodicity {
        G::Daily => GasPeriodicity::Daily,
        G::Weekly => GasPeriodicity::Weekly,
        G::Monthly => GasPeriodicity::Monthly,
        G::Quarterly => GasPeriodicity::Quarterly,
        G::SixMonthly => GasPeriodicity::SixMonthly,
        G::Yearly => GasPeriodicity::Yearly,
    };
    match cmd {
        DecodedCommand::Gcs25(got) | DecodedCommand::Gcs25a(got)
            if *got == GasBillingPeriod::from_duis(got.issuer_event_id, start, p) =>
        {
            Ok(())
        }
        other => Err(Mismatch::Parameter {
            use_case: "GCS25/GCS25a",
            what: format!("the request starts {start} {p:?}, the pre-command {other:?}"),
        }),
    }
}

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = UpdateBillingCalendar::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let (time, periodicity) = match b {
        UpdateBillingCalendar::Electricity { time, periodicity } => (time, periodicity),
        UpdateBillingCalendar::Gas { start, periodicity } => {
            return check_gas(&start, periodicity, cmd);
        }
    };
    let [hour, minute, second, hundredths] = time;
    let cal = ElecBillingCalendar {
        time: BillingTime {
            hour,
            minute,
            second,
            hundredths,
        },
        periodicity: match periodicity {
            P::Daily => ElecPeriodicity::Daily,
            P::Weekly(d) => ElecPeriodicity::Weekly(d),
            P::Monthly(d) => ElecPeriodicity::Monthly(d),
            P::Quarterly { day, start_month } => ElecPeriodicity::Quarterly { day, start_month },
            P::SixMonthly { day, start_month } => ElecPeriodicity::SixMonthly { day, start_month },
            P::Yearly { day, month } => ElecPeriodicity::Yearly { day, month },
        },
    };
    let expected = cal
        .entries()
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    match cmd {
        DecodedCommand::Ecs30(e) | DecodedCommand::Ecs30a(e) if *e == expected => Ok(()),
        other => Err(Mismatch::Parameter {
            use_case: "ECS30/ECS30a",
            what: format!("the request sets {expected:?}, the pre-command {other:?}"),
        }),
    }
}
