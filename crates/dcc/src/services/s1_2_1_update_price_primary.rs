//! 1.2.1 Update Price (Primary Element) (critical, device-future-dated): ECS01b on an ESME, a
//! pre-command the supplier signs: the standing charge and the price matrix, mapped as for 1.1.1
//! ([`super::s1_1_1_update_import_tariff_primary::primary_prices`]); `ExecutionDateTime` as for
//! 1.6. On a GSME, GCS01b: the `GasPriceElements` as ZSE Publish Tariff Information and Publish
//! Price Matrix (`gbcs::usecases::gas_tariff::gas_prices_from_duis`), the issuer event id the
//! ZigBee UTC time of the request.

use duis::Srv;
use duis::bodies::{UpdatePricePrimary, UpdatePricePrimaryGas};
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, PrimaryPrices};

use super::s1_1_1_update_import_tariff_primary::primary_prices;
use super::s1_6_update_payment_mode::device_activation;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdatePricePrimaryService;

impl Service for UpdatePricePrimaryService {
    fn srv(&self) -> Srv {
        Srv::V1_2_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdatePricePrimaryService {
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
        let body = UpdatePricePrimary::parse(&r.request.body).map_err(render::body_error)?;
        let activation =
            device_activation(Srv::V1_2_1, body.execution_date_time.as_deref(), r.now)?;
        let (standing_charge, prices) = primary_prices(&body.prices)?;
        let p = PrimaryPrices {
            standing_charge,
            prices,
            activation,
        };
        r.use_case_command(MessageCode::ECS01B, |h| {
            uc::ecs01b_update_price_primary(h, &p)
        })
    }
}

/// GCS01b.
fn gas(r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
    let body = UpdatePricePrimaryGas::parse(&r.request.body).map_err(render::body_error)?;
    let activation = device_activation(Srv::V1_2_1, body.execution_date_time.as_deref(), r.now)?;
    let g = &body.prices;
    let prices = uc::gas_tariff::gas_prices_from_duis(
        g.currency_gbp,
        g.standing_charge,
        &g.tou,
        &g.blocks,
        g.number_of_thresholds,
    )
    .ok_or_else(|| super::build_err("gas prices neither TOU nor block"))?;
    let p = uc::GasPriceUpdate {
        issue: uc::gas_tariff::Issue {
            issuer_event_id: super::zse_issuer_event_id(r.now)?,
            activation,
        },
        prices,
    };
    r.try_use_case_command(MessageCode::GCS01B, |h| uc::gcs01b_update_price(h, &p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{DecodedCommand, decode_command};

    #[test]
    fn every_template_gives_the_rtds_precommand_parameters() {
        let t = Harness::new();
        for stem in [
            "IMMEDIATE_TOU_SUCCESS",
            "IMMEDIATE_BLOCK_SUCCESS",
            "FUTURE_DATED_TOU_BLOCK_SUCCESS",
            "CANCELLATION_TOU_BLOCK_SUCCESS",
        ] {
            let body = template_body(&format!("ECS01b_1.2.1_{stem}_REQUEST_DUIS.XML"));
            let plan = t
                .plan(
                    &UpdatePricePrimaryService,
                    Srv::V1_2_1,
                    &body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap();
            assert_precommand(&plan, MessageCode::ECS01B, &t, DeviceType::Esme);
            let Plan::PreCommand(c) = &plan else { panic!() };
            let ours = decode_command(c).unwrap();
            let theirs = rtds_precommand("1.2.1_ECS01b", &format!("ECS01b_1.2.1_{stem}"));
            assert!(matches!(ours, DecodedCommand::Ecs01b(_)));
            assert_eq!(ours, theirs, "{stem}");
        }
        let body = template_body("ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML");
        // The electricity form to a GSME: not its body.
        assert!(
            t.plan(
                &UpdatePricePrimaryService,
                Srv::V1_2_1,
                &body,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .is_err()
        );
        // A price beyond xs:short.
        let bad = body.replacen(">3221<", ">40000<", 1);
        assert!(
            t.plan(
                &UpdatePricePrimaryService,
                Srv::V1_2_1,
                &bad,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .is_err()
        );
    }

    #[test]
    fn every_gas_template_gives_the_rtds_precommand_parameters() {
        let t = Harness::new();
        for stem in [
            "IMMEDIATE_TOU_SUCCESS",
            "FUTURE_DATED_BLOCK_SUCCESS",
            "CANCELLATION_BLOCK_SUCCESS",
        ] {
            let body = template_body(&format!("GCS01b_1.2.1_{stem}_REQUEST_DUIS.XML"));
            let plan = t
                .plan(
                    &UpdatePricePrimaryService,
                    Srv::V1_2_1,
                    &body,
                    DeviceType::Gsme,
                    UserRole::GasSupplier,
                )
                .unwrap();
            assert_precommand(&plan, MessageCode::GCS01B, &t, DeviceType::Gsme);
            let Plan::PreCommand(c) = &plan else { panic!() };
            let DecodedCommand::Gcs01b(ours) = decode_command(c).unwrap() else {
                panic!()
            };
            let DecodedCommand::Gcs01b(theirs) =
                rtds_precommand("1.2.1_GCS01b", &format!("GCS01b_1.2.1_{stem}"))
            else {
                panic!()
            };
            assert_eq!(ours.prices, theirs.prices, "{stem}");
            assert_eq!(ours.issue.activation, theirs.issue.activation, "{stem}");
        }
        // A TOU price index beyond 4.
        let body = template_body("GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML").replacen(
            "index=\"4\"",
            "index=\"5\"",
            1,
        );
        assert!(
            t.plan(
                &UpdatePricePrimaryService,
                Srv::V1_2_1,
                &body,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .is_err()
        );
    }
}
