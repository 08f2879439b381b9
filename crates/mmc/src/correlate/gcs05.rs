//! GCS05 answers 2.1 Update Prepay Configuration with the gas form: the pre-command must carry,
//! at the request's time (none: now; 3000-12-31T00:00:00Z: cancel; else that instant), the
//! request's amounts and its friendly credit calendar: day profiles (start minute, START 1 /
//! STOP 0), week profiles, seasons and special days (ZCL dates: year − 1900, `FF` wildcards).
//! The issuer event and calendar ids are the DCC's.

use duis::bodies::{DayOfMonth, PrepayConfiguration, TariffDate, UpdatePrepayConfiguration};
use duis::{Request, Srv};
use gbcs::usecases::{DecodedCommand, gcs05};

use super::{Correlation, Mismatch};

/// The correlation.
pub static CORRELATION: Correlation = Correlation {
    use_case: &gcs05::SPEC,
    services: &[Srv::V2_1],
    check,
};

fn zcl_date(d: &TariffDate) -> [u8; 4] {
    let year = d.year.map_or(0xFF, |y| {
        u8::try_from(y.saturating_sub(1900)).unwrap_or(0xFF)
    });
    let day = match d.day_of_month {
        DayOfMonth::Day(x) => x,
        _ => 0xFF,
    };
    [
        year,
        d.month.unwrap_or(0xFF),
        day,
        d.day_of_week.unwrap_or(0xFF),
    ]
}

fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let body = UpdatePrepayConfiguration::parse(&request.body)
        .map_err(|e| Mismatch::RequestBody(e.to_string()))?;
    let mismatch = |what: String| Mismatch::Parameter {
        use_case: "GCS05",
        what,
    };
    let DecodedCommand::Gcs05(c) = cmd else {
        return Err(mismatch(format!("not a GCS05 command: {cmd:?}")));
    };
    let PrepayConfiguration::Gas(g) = &body.config else {
        return Err(Mismatch::RequestBody(
            "UpdatePrepayConfigElectricity for a GSME".to_owned(),
        ));
    };
    let act = super::ecs08::activation(body.execution_date_time.as_deref())?;
    if c.issue.activation != act {
        return Err(mismatch(format!(
            "activation {:?}, the request says {act:?}",
            c.issue.activation
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
        g.debt_recovery_rate_cap,
        g.emergency_credit_limit,
        g.emergency_credit_threshold,
        g.low_credit_threshold,
        g.max_meter_balance,
        g.max_credit_threshold,
    );
    if amounts != want {
        return Err(mismatch(format!(
            "amounts {amounts:?}, the request's {want:?}"
        )));
    }
    let cal = &c.calendar;
    let days: Vec<(u8, Vec<(u16, u8)>)> =
        cal.days.iter().map(|d| (d.id, d.entries.clone())).collect();
    let want_days: Vec<(u8, Vec<(u16, u8)>)> = g
        .days
        .iter()
        .map(|d| {
            let e = d
                .actions
                .iter()
                .map(|(t, start)| (u16::from(t[0]) * 60 + u16::from(t[1]), u8::from(*start)))
                .collect();
            (d.name, e)
        })
        .collect();
    let weeks: Vec<(u8, [u8; 7])> = cal.weeks.iter().map(|w| (w.id, w.days)).collect();
    let seasons: Vec<([u8; 4], u8)> = g.seasons.iter().map(|(d, w)| (zcl_date(d), *w)).collect();
    let special: Vec<([u8; 4], u8)> = g
        .special_days
        .iter()
        .map(|(d, n)| (zcl_date(d), *n))
        .collect();
    if days != want_days
        || weeks != g.weeks
        || cal.seasons != seasons
        || cal.special_days != special
    {
        return Err(mismatch(format!(
            "the calendar {cal:?} is not the request's"
        )));
    }
    Ok(())
}
