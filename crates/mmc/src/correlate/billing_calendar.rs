//! ECS30 / ECS30a set billing calendar answer 6.8: the pre-command must set exactly the
//! entries the request's `ElectricityBillingCalendar` states
//! (`gbcs::usecases::billing_calendar::ElecBillingCalendar::entries`).

use duis::bodies::{ElecBillingPeriodicity as P, UpdateBillingCalendar};
use duis::{Request, Srv};
use gbcs::usecases::billing_calendar::{BillingTime, ElecBillingCalendar, ElecPeriodicity};
use gbcs::usecases::{DecodedCommand, ecs30, ecs30a};

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

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = UpdateBillingCalendar::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let UpdateBillingCalendar::Electricity { time, periodicity } = b else {
        return Err(Mismatch::RequestBody(
            "a gas billing calendar for an ESME use case".into(),
        ));
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
