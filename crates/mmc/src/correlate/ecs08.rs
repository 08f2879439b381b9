//! ECS08 (and ECS08a) answer 2.1 Update Prepay Configuration with the electricity form: the
//! pre-command must carry, at the request's time (none: now; 3000-12-31T00:00:00Z: cancel; else
//! that instant), the request's amounts, its special days (index, COSEM date, day id = index)
//! and one schedule entry per `ElectricityNonDisablementSchedule` in order (START/STOP, switch
//! time, days of week, the special days it applies to, start and end dates — year 65535 the
//! every-year `FFFF`). The debt recovery rate cap period and the special-day bit-string's
//! length are the DCC's.

use duis::bodies::{
    DayOfMonth, PrepayConfiguration, ScheduleDate, TariffDate, UpdatePrepayConfiguration,
};
use duis::{Request, Srv};
use gbcs::UtcDateTime;
use gbcs::usecases::{Activation, DecodedCommand, ecs08};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &ecs08::SPEC,
    services: &[Srv::V2_1],
    check,
};

/// The activation a 2.1 request asks for.
pub(super) fn activation(text: Option<&str>) -> Result<Activation, Mismatch> {
    let Some(text) = text else {
        return Ok(Activation::Now);
    };
    let at = duis::parse_xs_datetime_utc(text)
        .and_then(|t| UtcDateTime::from_unix(t.unix_timestamp()))
        .ok_or_else(|| Mismatch::RequestBody(format!("ExecutionDateTime {text:?}")))?;
    Ok(if UtcDateTime::new(3000, 12, 31, 0, 0, 0) == Some(at) {
        Activation::Cancel
    } else {
        Activation::At(at)
    })
}

fn cosem_date(d: &TariffDate) -> [u8; 5] {
    let y = d.year.unwrap_or(0xFFFF).to_be_bytes();
    let day = match d.day_of_month {
        DayOfMonth::Day(x) => x,
        DayOfMonth::Last => 0xFE,
        DayOfMonth::SecondLast => 0xFD,
        DayOfMonth::Any => 0xFF,
    };
    [
        y[0],
        y[1],
        d.month.unwrap_or(0xFF),
        day,
        d.day_of_week.unwrap_or(0xFF),
    ]
}

fn schedule_date(d: ScheduleDate) -> [u8; 5] {
    let y = d.year.to_be_bytes();
    [y[0], y[1], d.month, d.day, 0xFF]
}

pub(super) fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let body = UpdatePrepayConfiguration::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let (uc, c) = match cmd {
        DecodedCommand::Ecs08(c) => ("ECS08", c),
        DecodedCommand::Ecs08a(c) => ("ECS08a", c),
        other => {
            return Err(Mismatch::Parameter {
                use_case: "ECS08",
                what: format!("not an ECS08/ECS08a command: {other:?}"),
            });
        }
    };
    let mismatch = |what: String| Mismatch::Parameter { use_case: uc, what };
    let PrepayConfiguration::Electricity(e) = &body.config else {
        return Err(Mismatch::RequestBody(
            "UpdatePrepayConfigGas for an ESME".to_owned(),
        ));
    };
    let act = activation(body.execution_date_time.as_deref())?;
    if c.activation != act {
        return Err(mismatch(format!(
            "activation {:?}, the request says {act:?}",
            c.activation
        )));
    }
    let amounts = (
        c.debt_recovery_rate_cap,
        c.emergency_credit_limit,
        c.emergency_credit_threshold,
        c.low_credit_threshold,
        c.max_meter_balance,
        c.max_credit_threshold,
    );
    let want = (
        e.debt_recovery_rate_cap,
        e.emergency_credit_limit,
        e.emergency_credit_threshold,
        e.low_credit_threshold,
        e.max_meter_balance,
        e.max_credit_threshold,
    );
    if amounts != want {
        return Err(mismatch(format!(
            "amounts {amounts:?}, the request's {want:?}"
        )));
    }
    let days: Vec<(u16, [u8; 5], u8)> = c
        .special_days
        .iter()
        .map(|d| (d.index, d.date, d.day_id))
        .collect();
    let want_days: Vec<(u16, [u8; 5], u8)> = e
        .special_days
        .iter()
        .map(|(i, d)| (u16::from(*i), cosem_date(d), *i))
        .collect();
    if days != want_days {
        return Err(mismatch(format!(
            "special days {days:?}, the request's {want_days:?}"
        )));
    }
    if c.schedule.len() != e.schedule.len() {
        return Err(mismatch(format!(
            "{} schedule entries, the request has {}",
            c.schedule.len(),
            e.schedule.len()
        )));
    }
    for (i, (got, s)) in c.schedule.iter().zip(&e.schedule).enumerate() {
        let dow: Vec<u8> = (1u8..)
            .zip(got.days_of_week)
            .filter_map(|(d, on)| on.then_some(d))
            .collect();
        let sd: Vec<u8> = (1u8..)
            .zip(&got.special_days)
            .filter_map(|(d, on)| on.then_some(d))
            .collect();
        let mut want_dow = s.days_of_week.clone();
        want_dow.sort_unstable();
        want_dow.dedup();
        let mut want_sd = s.special_days.clone();
        want_sd.sort_unstable();
        want_sd.dedup();
        if got.start != s.start
            || got.switch_time != s.switch_time
            || dow != want_dow
            || sd != want_sd
            || got.begin != schedule_date(s.start_date)
            || got.end != schedule_date(s.end_date)
        {
            return Err(mismatch(format!(
                "schedule entry {} {got:?} is not the request's {s:?}",
                i + 1
            )));
        }
    }
    Ok(())
}
