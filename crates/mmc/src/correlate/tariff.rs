//! ECS01a, ECS01b, ECS01c and ECS01d answer 1.1.1, 1.2.1, 1.1.2 and 1.2.2 (GCS01a and GCS01b
//! 1.1.1 and 1.2.1 on a GSME, by `gbcs::usecases::gas_tariff`'s rules): the pre-command must
//! carry exactly the tariff or prices the request's body gives, by the rules of
//! `gbcs::usecases::tariff` (selectors, COSEM dates, the price matrix layout, the standing
//! charge), at the request's time (none: now; 3000-12-31T00:00:00Z: cancel; else that instant).

use duis::Request;
use duis::bodies::{
    DayOfMonth, SpecialDay, SwitchingTable, TariffAction, TariffDate, UpdateImportTariffPrimary,
    UpdateImportTariffPrimaryGas, UpdateImportTariffSecondary, UpdatePricePrimary,
    UpdatePricePrimaryGas, UpdatePriceSecondary,
};
use gbcs::UtcDateTime;
use gbcs::usecases::tariff::{self as t, Calendar, UnitCharge};
use gbcs::usecases::{
    Activation, DecodedCommand, PrimaryPrices, PrimaryTariff, SecondaryPrices, SecondaryTariff,
};

use super::Mismatch;

fn activation(text: Option<&str>) -> Result<Activation, Mismatch> {
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

fn date(d: &TariffDate) -> [u8; 5] {
    let day = match d.day_of_month {
        DayOfMonth::Day(n) => n,
        DayOfMonth::Last => 0xFE,
        DayOfMonth::SecondLast => 0xFD,
        DayOfMonth::Any => 0xFF,
    };
    t::cosem_date(d.year, d.month, day, d.day_of_week)
}

fn calendar(table: &SwitchingTable, special: &[SpecialDay], secondary: bool) -> Calendar {
    let selector = |a: TariffAction| match a {
        TariffAction::Tou(n) if secondary => t::secondary_selector(n),
        TariffAction::Tou(n) => t::tou_selector(n),
        TariffAction::Block(n) => t::block_selector(n),
    };
    Calendar {
        seasons: table
            .seasons
            .iter()
            .map(|s| t::Season {
                name: s.name.as_bytes().to_vec(),
                start: t::season_start(date(&s.start)),
                week: vec![s.week],
            })
            .collect(),
        weeks: table
            .weeks
            .iter()
            .map(|w| t::WeekProfile {
                name: vec![w.name],
                days: w.days,
            })
            .collect(),
        days: table
            .days
            .iter()
            .map(|d| {
                let mut actions: Vec<t::DayAction> = d
                    .schedule
                    .iter()
                    .map(|p| t::DayAction {
                        start_time: p.start,
                        script: t::TARIFF_SCRIPT,
                        selector: selector(p.action),
                    })
                    .collect();
                actions.sort_by_key(|a| a.start_time);
                t::DayProfile {
                    id: d.name,
                    actions,
                }
            })
            .collect(),
        special_days: special
            .iter()
            .zip(1u16..)
            .map(|(s, index)| t::SpecialDay {
                index,
                date: date(&s.date),
                day_id: s.day,
            })
            .collect(),
    }
}

fn body<T>(r: Result<T, duis::bodies::BodyError>) -> Result<T, Mismatch> {
    r.map_err(|e| Mismatch::RequestBody(e.to_string()))
}

fn same<T: PartialEq + std::fmt::Debug>(
    use_case: &'static str,
    ours: &T,
    theirs: &T,
) -> Result<(), Mismatch> {
    if ours == theirs {
        Ok(())
    } else {
        Err(Mismatch::Parameter {
            use_case,
            what: format!("the pre-command carries {theirs:?}, the request asks for {ours:?}"),
        })
    }
}

fn primary(p: &duis::bodies::ElecPrices) -> Result<(UnitCharge, UnitCharge), Mismatch> {
    let m = t::primary_price_matrix(p.price_scale, &p.tou, &p.blocks)
        .ok_or_else(|| Mismatch::RequestBody("price index out of range".into()))?;
    Ok((
        t::standing_charge(p.standing_charge, p.standing_charge_scale),
        m,
    ))
}

fn secondary(p: &duis::bodies::SecondaryPrices) -> Result<UnitCharge, Mismatch> {
    t::secondary_price_matrix(p.price_scale, &p.prices)
        .ok_or_else(|| Mismatch::RequestBody("price index out of range".into()))
}

pub(super) fn check(request: &Request, cmd: &DecodedCommand) -> Result<(), Mismatch> {
    let b = &request.body;
    match cmd {
        DecodedCommand::Ecs01a(c) => {
            let r = body(UpdateImportTariffPrimary::parse(b))?;
            let (standing_charge, prices) = primary(&r.prices)?;
            let expected = PrimaryTariff {
                calendar: calendar(&r.switching, &r.special_days, false),
                thresholds: r.thresholds.clone(),
                currency_flag: r.currency_gbp,
                standing_charge,
                prices,
                activation: activation(r.execution_date_time.as_deref())?,
            };
            same("ECS01a", &expected, c.as_ref())
        }
        DecodedCommand::Ecs01b(c) => {
            let r = body(UpdatePricePrimary::parse(b))?;
            let (standing_charge, prices) = primary(&r.prices)?;
            let expected = PrimaryPrices {
                standing_charge,
                prices,
                activation: activation(r.execution_date_time.as_deref())?,
            };
            same("ECS01b", &expected, c)
        }
        DecodedCommand::Ecs01c(c) => {
            let r = body(UpdateImportTariffSecondary::parse(b))?;
            let expected = SecondaryTariff {
                prices: secondary(&r.prices)?,
                calendar: calendar(&r.switching, &r.special_days, true),
                activation: activation(r.execution_date_time.as_deref())?,
            };
            same("ECS01c", &expected, c.as_ref())
        }
        DecodedCommand::Ecs01d(c) => {
            let r = body(UpdatePriceSecondary::parse(b))?;
            let expected = SecondaryPrices {
                prices: secondary(&r.prices)?,
                activation: activation(r.execution_date_time.as_deref())?,
            };
            same("ECS01d", &expected, c)
        }
        DecodedCommand::Gcs01a(c) => {
            // The issuer event (and calendar) id is the DCC's time of the request: not in the
            // body; the rest follows from it by the one rule.
            let r = body(UpdateImportTariffPrimaryGas::parse(b))?;
            let issue = gbcs::usecases::gas_tariff::Issue {
                issuer_event_id: c.issue.issuer_event_id,
                activation: activation(r.execution_date_time.as_deref())?,
            };
            let input = gbcs::usecases::gas_tariff::DuisGasTariff {
                days: &r.tariff.days,
                weeks: &r.tariff.weeks,
                seasons: &r.tariff.seasons,
                special_days: &r.tariff.special_days,
                thresholds: &r.tariff.thresholds,
                currency_gbp: r.prices.currency_gbp,
                standing_charge: r.prices.standing_charge,
                tou: &r.prices.tou,
                blocks: &r.prices.blocks,
            };
            let expected = gbcs::usecases::gas_tariff::gas_tariff_from_duis(issue, &input)
                .ok_or_else(|| Mismatch::RequestBody("gas tariff has no GBCS form".into()))?;
            same("GCS01a", &expected, c.as_ref())
        }
        DecodedCommand::Gcs01b(c) => {
            // The issuer event id is the DCC's time of the request: not in the body.
            let r = body(UpdatePricePrimaryGas::parse(b))?;
            let g = &r.prices;
            let prices = gbcs::usecases::gas_tariff::gas_prices_from_duis(
                g.currency_gbp,
                g.standing_charge,
                &g.tou,
                &g.blocks,
                g.number_of_thresholds,
            )
            .ok_or_else(|| Mismatch::RequestBody("gas prices neither TOU nor block".into()))?;
            if activation(r.execution_date_time.as_deref())? != c.issue.activation {
                return Err(Mismatch::Parameter {
                    use_case: "GCS01b",
                    what: "execution date-time".into(),
                });
            }
            same("GCS01b", &prices, &c.prices)
        }
        other => Err(Mismatch::Parameter {
            use_case: "1.1/1.2",
            what: format!("not a tariff or price update: {other:?}"),
        }),
    }
}
