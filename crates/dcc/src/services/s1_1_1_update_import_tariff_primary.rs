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
//! On a GSME, GCS01a: the `GasTariffElements` and `GasPriceElements` as the ZSE Calendar and
//! Price commands (`gbcs::usecases::gas_tariff::gas_tariff_from_duis`, the one rule, which
//! `mmc`'s correlation uses too), the issuer event id the ZigBee UTC time of the request, as for
//! 1.2.1 on a GSME.

use duis::Srv;
use duis::bodies::{
    DayOfMonth, ElecPrices, SpecialDay, SwitchingTable, TariffAction, TariffDate,
    UpdateImportTariffPrimary, UpdateImportTariffPrimaryGas,
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
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        if r.device.device_type == DeviceType::Gsme {
            return gas(r);
        }
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

/// The DUIS 1.1.1 gas body as `gbcs`'s input.
pub fn duis_gas_tariff(b: &UpdateImportTariffPrimaryGas) -> uc::gas_tariff::DuisGasTariff<'_> {
    uc::gas_tariff::DuisGasTariff {
        days: &b.tariff.days,
        weeks: &b.tariff.weeks,
        seasons: &b.tariff.seasons,
        special_days: &b.tariff.special_days,
        thresholds: &b.tariff.thresholds,
        currency_gbp: b.prices.currency_gbp,
        standing_charge: b.prices.standing_charge,
        tou: &b.prices.tou,
        blocks: &b.prices.blocks,
    }
}

/// GCS01a.
fn gas(r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
    let body = UpdateImportTariffPrimaryGas::parse(&r.request.body).map_err(render::body_error)?;
    let activation = device_activation(Srv::V1_1_1, body.execution_date_time.as_deref(), r.now)?;
    let issue = uc::gas_tariff::Issue {
        issuer_event_id: super::zse_issuer_event_id(r.now)?,
        activation,
    };
    let tariff = uc::gas_tariff::gas_tariff_from_duis(issue, &duis_gas_tariff(&body))
        .ok_or_else(|| schema("a date, the prices or the thresholds have no GBCS form"))?;
    r.try_use_case_command(MessageCode::GCS01A, |h| {
        uc::gcs01a_update_import_tariff(h, &tariff)
    })
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
    fn a_past_execution_time_and_overlapping_switching_times_are_refused() {
        let t = Harness::new();
        let body = template_body("ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML");
        // The electricity form to a GSME: not its body.
        assert!(
            t.plan(
                &UpdateImportTariffPrimaryService,
                Srv::V1_1_1,
                &body,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .is_err()
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

    fn gas_plan(t: &Harness, body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        t.plan(
            &UpdateImportTariffPrimaryService,
            Srv::V1_1_1,
            body,
            dt,
            UserRole::GasSupplier,
        )
    }

    #[test]
    fn every_gas_template_gives_the_rtds_precommand_parameters() {
        let t = Harness::new();
        for (stem, act) in [
            ("IMMEDIATE_TOU_SUCCESS", Activation::Now),
            (
                "FUTURE_DATED_BLOCK_SUCCESS",
                Activation::At(gbcs::UtcDateTime::new(2030, 1, 15, 9, 0, 0).unwrap()),
            ),
            ("CANCELLATION_BLOCK_SUCCESS", Activation::Cancel),
        ] {
            let body = template_body(&format!("GCS01a_1.1.1_{stem}_REQUEST_DUIS.XML"));
            let plan = gas_plan(&t, &body, DeviceType::Gsme).unwrap();
            assert_precommand(&plan, MessageCode::GCS01A, &t, DeviceType::Gsme);
            let DecodedCommand::Gcs01a(ours) = decoded(&plan) else {
                panic!()
            };
            let DecodedCommand::Gcs01a(theirs) =
                rtds_precommand("1.1.1_GCS01a", &format!("GCS01a_1.1.1_{stem}"))
            else {
                panic!()
            };
            // The issuer event and calendar ids are the DCC's time of the request.
            let now = super::super::zse_issuer_event_id(
                time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            )
            .unwrap();
            assert_eq!(ours.issue.issuer_event_id, now, "{stem}");
            assert_eq!(ours.calendar.issuer_calendar_id, now, "{stem}");
            assert_eq!(ours.issue.activation, act, "{stem}");
            assert_eq!(ours.issue.activation, theirs.issue.activation, "{stem}");
            let mut calendar = ours.calendar.clone();
            calendar.issuer_calendar_id = theirs.calendar.issuer_calendar_id;
            assert_eq!(calendar, theirs.calendar, "{stem}");
            assert_eq!(ours.prices, theirs.prices, "{stem}");
        }
    }

    #[test]
    fn bad_gas_tariffs_are_refused_with_nothing_planned() {
        let t = Harness::new();
        let tou = template_body("GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML");
        let block = template_body("GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_REQUEST_DUIS.XML");
        // The gas body is not the ESME's, nor is the service a PPMID's.
        assert!(gas_plan(&t, &tou, DeviceType::Esme).is_err());
        assert_eq!(
            error_code(gas_plan(&t, &tou, DeviceType::Ppmid)),
            Some(duis::ResponseCode::E11)
        );
        // Future-dated to a time already past: E12.
        let past = block.replace("2030-01-15T09:00:00.00Z", "2020-01-15T09:00:00.00Z");
        assert_eq!(
            error_code(gas_plan(&t, &past, DeviceType::Gsme)),
            Some(duis::ResponseCode::E12)
        );
        // A body DUIS does not allow is refused as invalid (HTTP 400, no DUIS response), as
        // every service's body refusals are.
        for (why, bad) in [
            // Two seasons from the same date: they overlap.
            (
                "overlapping seasons",
                tou.replacen(
                    "<sr:SpecifiedMonth>6</sr:SpecifiedMonth>",
                    "<sr:SpecifiedMonth>3</sr:SpecifiedMonth>",
                    1,
                )
                .replacen(
                    "<sr:SpecifiedDayOfMonth>21</sr:SpecifiedDayOfMonth>",
                    "<sr:SpecifiedDayOfMonth>20</sr:SpecifiedDayOfMonth>",
                    1,
                ),
            ),
            // A fifth TOU rate: GBCS's GSME has four price tiers.
            (
                "TOU rate 5",
                tou.replacen(
                    "<sr:TOUTariffAction>4</sr:TOUTariffAction>",
                    "<sr:TOUTariffAction>5</sr:TOUTariffAction>",
                    1,
                ),
            ),
            // Five block prices for three thresholds.
            (
                "too many blocks",
                block.replacen(
                    "<sr:NumberOfThresholds>",
                    "<sr:BlockPrice index=\"5\">1</sr:BlockPrice><sr:NumberOfThresholds>",
                    1,
                ),
            ),
            // A price beyond xs:unsignedInt.
            (
                "price out of range",
                tou.replacen(">9600<", ">4294967296<", 1),
            ),
            // Thresholds not rising.
            (
                "thresholds falling",
                block.replacen(">3000000<", ">1500000<", 1),
            ),
        ] {
            let e = gas_plan(&t, &bad, DeviceType::Gsme).unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{why}: {e:?}");
        }
    }
}
