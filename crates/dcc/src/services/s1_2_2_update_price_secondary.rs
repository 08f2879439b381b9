//! 1.2.2 Update Price (Secondary Element) (critical, device-future-dated): ECS01d on a twin
//! element ESME (variant B…, or a variant the inventory does not hold; any other ESME E11), a
//! pre-command the supplier signs: the four secondary prices
//! (`gbcs::usecases::tariff::secondary_price_matrix`); `ExecutionDateTime` as for 1.6.

use duis::Srv;
use duis::bodies::UpdatePriceSecondary;
use gbcs::MessageCode;
use gbcs::usecases::tariff as t;
use gbcs::usecases::{self as uc, SecondaryPrices};

use super::s1_6_update_payment_mode::device_activation;
use super::s4_11_2_read_tariff_secondary_element::may_be_twin;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdatePriceSecondaryService;

impl Service for UpdatePriceSecondaryService {
    fn srv(&self) -> Srv {
        Srv::V1_2_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdatePriceSecondaryService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        if r.device.device_type != DeviceType::Esme || !may_be_twin(r.device.esme_variant) {
            return Err(r.wrong_type());
        }
        let body = UpdatePriceSecondary::parse(&r.request.body).map_err(render::body_error)?;
        let activation =
            device_activation(Srv::V1_2_2, body.execution_date_time.as_deref(), r.now)?;
        let prices = t::secondary_price_matrix(body.prices.price_scale, &body.prices.prices)
            .ok_or_else(|| DccError::from(SchemaError::Invalid("price index".into())))?;
        let p = SecondaryPrices { prices, activation };
        r.use_case_command(MessageCode::ECS01D, |h| {
            uc::ecs01d_update_price_secondary(h, &p)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::decode_command;

    #[test]
    fn every_template_gives_the_rtds_precommand_parameters() {
        let t = Harness::new();
        for stem in [
            "IMMEDIATE_SUCCESS",
            "FUTURE_DATED_SUCCESS",
            "CANCELLATION_SUCCESS",
        ] {
            let body = template_body(&format!("ECS01d_1.2.2_{stem}_REQUEST_DUIS.XML"));
            let plan = t
                .plan(
                    &UpdatePriceSecondaryService,
                    Srv::V1_2_2,
                    &body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap();
            assert_precommand(&plan, MessageCode::ECS01D, &t, DeviceType::Esme);
            let Plan::PreCommand(c) = &plan else { panic!() };
            let theirs = rtds_precommand("1.2.2_ECS01d", &format!("ECS01d_1.2.2_{stem}"));
            assert_eq!(decode_command(c).unwrap(), theirs, "{stem}");
        }
        // The past is refused.
        let body = template_body("ECS01d_1.2.2_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML").replace(
            "<sr:PriceElements>",
            "<sr:ExecutionDateTime>2020-01-01T00:00:00Z</sr:ExecutionDateTime><sr:PriceElements>",
        );
        assert_eq!(
            error_code(t.plan(
                &UpdatePriceSecondaryService,
                Srv::V1_2_2,
                &body,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )),
            Some(duis::ResponseCode::E12)
        );
    }
}
