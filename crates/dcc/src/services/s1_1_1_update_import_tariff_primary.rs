//! 1.1.1 Update Import Tariff (Primary Element) (critical, device-future-dated): ECS01a on an
//! ESME, a pre-command the supplier signs. The DUIS-to-GBCS rules (selectors, dates, the price
//! matrix layout, the standing charge) are `gbcs::usecases::tariff`'s; this module, shared by
//! 1.1.2, 1.2.1 and 1.2.2, maps the body onto them:
//!
//! * `ExecutionDateTime` as for 1.6 ([`super::s1_6_update_payment_mode::device_activation`]):
//!   absent immediate, 3000-12-31T00:00:00Z cancel, else held by the meter until then (after
//!   the DCC's time, else E12);
//! * day profiles: `DayName` the id, the switching times in time order (`TOUTariffAction` n →
//!   selector n, `BlockTariffAction` n → 100 + n; secondary element 200 + n); week profiles: the name octet `WeekName`, the
//!   day ids Monday first; seasons: the name's octets, the start date at midnight, the week's
//!   name octet; special days: numbered from 1 in request order;
//! * `CurrencyUnits` GBP → the currency flag true (every RTDS vector: GBP, `FF`);
//! * thresholds as given; prices: the 48 TOU then the 32 block prices, what is not given 0.
//!
//! The gas form (GCS01a on a GSME) is not implemented: a GSME is refused with E11.

use duis::Srv;
use duis::bodies::{
    DayOfMonth, ElecPrices, SpecialDay, SwitchingTable, TariffAction, TariffDate,
    UpdateImportTariffPrimary,
};
use gbcs::MessageCode;
use gbcs::usecases::tariff::{self as t, Calendar, UnitCharge};
use gbcs::usecases::{self as uc, PrimaryTariff};

use super::s1_6_update_payment_mode::device_activation;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdateImportTariffPrimaryService;

fn date(d: &TariffDate) -> [u8; 5] {
    let day = match d.day_of_month {
        DayOfMonth::Day(n) => n,
        DayOfMonth::Last => 0xFE,
        DayOfMonth::SecondLast => 0xFD,
        DayOfMonth::Any => 0xFF,
    };
    t::cosem_date(d.year, d.month, day, d.day_of_week)
}

/// The GBCS calendar of a DUIS switching table and special days, of the primary or the
/// secondary (`secondary`: TOU action n → selector 200 + n) element.
pub fn calendar(table: &SwitchingTable, special: &[SpecialDay], secondary: bool) -> Calendar {
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
                        selector: match p.action {
                            TariffAction::Tou(n) if secondary => t::secondary_selector(n),
                            TariffAction::Tou(n) => t::tou_selector(n),
                            TariffAction::Block(n) => t::block_selector(n),
                        },
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

fn schema(why: &str) -> DccError {
    SchemaError::Invalid(why.to_owned()).into()
}

/// The standing charge and price matrix of primary price elements.
pub fn primary_prices(p: &ElecPrices) -> Result<(UnitCharge, UnitCharge), DccError> {
    let matrix = t::primary_price_matrix(p.price_scale, &p.tou, &p.blocks)
        .ok_or_else(|| schema("price index out of range"))?;
    Ok((
        t::standing_charge(p.standing_charge, p.standing_charge_scale),
        matrix,
    ))
}

impl Service for UpdateImportTariffPrimaryService {
    fn srv(&self) -> Srv {
        Srv::V1_1_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateImportTariffPrimaryService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let body = UpdateImportTariffPrimary::parse(&r.request.body).map_err(render::body_error)?;
        let activation =
            device_activation(Srv::V1_1_1, body.execution_date_time.as_deref(), r.now)?;
        let (standing_charge, prices) = primary_prices(&body.prices)?;
        let tariff = PrimaryTariff {
            calendar: calendar(&body.switching, &body.special_days, false),
            thresholds: body.thresholds.clone(),
            currency_flag: body.currency_gbp,
            standing_charge,
            prices,
            activation,
        };
        r.use_case_command(MessageCode::ECS01A, |h| {
            uc::ecs01a_update_import_tariff_primary(h, &tariff)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{Activation, DecodedCommand, decode_command};

    fn decoded(plan: &Plan) -> DecodedCommand {
        let Plan::PreCommand(c) = plan else {
            panic!("not a pre-command: {plan:?}")
        };
        decode_command(c).unwrap()
    }

    #[test]
    fn every_template_gives_the_rtds_precommand_parameters() {
        let t = Harness::new();
        for (stem, act) in [
            ("IMMEDIATE_TOU_SUCCESS", Activation::Now),
            ("IMMEDIATE_BLOCK_SUCCESS", Activation::Now),
            (
                "FUTURE_DATED_TOU_BLOCK_SUCCESS",
                Activation::At(gbcs::UtcDateTime::new(2030, 1, 15, 9, 0, 0).unwrap()),
            ),
            ("CANCELLATION_TOU_BLOCK_SUCCESS", Activation::Cancel),
        ] {
            let body = template_body(&format!("ECS01a_1.1.1_{stem}_REQUEST_DUIS.XML"));
            let plan = t
                .plan(
                    &UpdateImportTariffPrimaryService,
                    Srv::V1_1_1,
                    &body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap();
            assert_precommand(&plan, MessageCode::ECS01A, &t, DeviceType::Esme);
            let DecodedCommand::Ecs01a(ours) = decoded(&plan) else {
                panic!()
            };
            // The RTDS pre-command of the template carries the same parameters.
            let rtds = rtds_precommand("1.1.1_ECS01a", &format!("ECS01a_1.1.1_{stem}"));
            let DecodedCommand::Ecs01a(theirs) = rtds else {
                panic!()
            };
            assert_eq!(ours.activation, act, "{stem}");
            assert_eq!(ours, theirs, "{stem}");
        }
    }

    #[test]
    fn a_gsme_and_a_past_execution_time_are_refused() {
        let t = Harness::new();
        let body = template_body("ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML");
        assert_eq!(
            error_code(t.plan(
                &UpdateImportTariffPrimaryService,
                Srv::V1_1_1,
                &body,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )),
            Some(duis::ResponseCode::E11)
        );
        let past = body.replace(
            "<sr:ElecTariffElements>",
            "<sr:ExecutionDateTime>2020-01-01T00:00:00Z</sr:ExecutionDateTime><sr:ElecTariffElements>",
        );
        assert_eq!(
            error_code(t.plan(
                &UpdateImportTariffPrimaryService,
                Srv::V1_1_1,
                &past,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )),
            Some(duis::ResponseCode::E12)
        );
        // Two switching times of a day at the same time.
        let overlapping = body.replacen("07:00:00.00Z", "00:00:00.00Z", 1);
        assert!(
            t.plan(
                &UpdateImportTariffPrimaryService,
                Srv::V1_1_1,
                &overlapping,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .is_err()
        );
    }
}
