//! 6.4.1 Update Device Configuration (Load Limiting General Settings) (critical,
//! device-future-dated): ECS28a on an ESME, a pre-command the import supplier signs. The body
//! (`sr:UpdateDeviceConfigurationLoadLimitingGeneralSettings`) carries an optional
//! `ExecutionDateTime` (immediate, a future instant, or the 3000-12-31 cancellation:
//! `s1_6_update_payment_mode::device_activation`, E12 for an instant not after the DCC's time)
//! and the period, power threshold and restoration period (xs:unsignedInt, sent unchanged as
//! double-long-unsigned) and the supply state (`Disable` true, `Unchanged` false). A value
//! outside its type is a schema-invalid body; any device type but the ESME is E11.

use duis::Srv;
use duis::bodies::LoadLimitingGeneralSettings;
use gbcs::usecases::{self as uc, LoadLimitSettings};

use super::s1_6_update_payment_mode::device_activation;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateLoadLimitingGeneralSettings;

impl Service for UpdateLoadLimitingGeneralSettings {
    fn srv(&self) -> Srv {
        Srv::V6_4_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateLoadLimitingGeneralSettings {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            LoadLimitingGeneralSettings::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let activation =
            device_activation(Srv::V6_4_1, body.execution_date_time.as_deref(), r.now)?;
        let s = LoadLimitSettings {
            activation,
            disable_supply: body.disable_supply,
            power_threshold: body.power_threshold,
            period: body.period,
            restoration_period: body.restoration_period,
        };
        r.use_case_command(uc::ecs28a::MESSAGE_CODE, |h| {
            uc::ecs28a_update_load_limiting_settings(h, &s)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::UtcDateTime;
    use gbcs::usecases::{Activation, DecodedCommand};

    fn plan(body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        Harness::new().plan(
            &UpdateLoadLimitingGeneralSettings,
            Srv::V6_4_1,
            body,
            dt,
            UserRole::ImportSupplier,
        )
    }

    fn decoded(p: &Plan) -> LoadLimitSettings {
        let Plan::PreCommand(g) = p else {
            panic!("a pre-command expected: {p:?}")
        };
        match uc::decode_command(g).unwrap() {
            DecodedCommand::Ecs28a(s) => s,
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn the_templates_plan_the_ecs28a_precommand() {
        let t = Harness::new();
        for (name, activation, disable) in [
            ("IMMEDIATE", Activation::Now, true),
            ("CANCELLATION", Activation::Cancel, true),
            (
                "FUTURE_DATED",
                Activation::At(UtcDateTime::new(2030, 1, 15, 9, 0, 0).unwrap()),
                false,
            ),
        ] {
            let body = template_body(&format!("ECS28a_6.4.1_{name}_SUCCESS_REQUEST_DUIS.XML"));
            let p = plan(&body, DeviceType::Esme).unwrap();
            assert_precommand(&p, uc::ecs28a::MESSAGE_CODE, &t, DeviceType::Esme);
            assert_eq!(
                decoded(&p),
                LoadLimitSettings {
                    activation,
                    disable_supply: disable,
                    power_threshold: 6900,
                    period: 300,
                    restoration_period: 30,
                },
                "{name}"
            );
        }
    }

    #[test]
    fn refusals() {
        let body = template_body("ECS28a_6.4.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML");
        for dt in [
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = plan(&body, dt).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        // Outside xs:unsignedInt: schema-invalid, nothing planned.
        let bad = body.replace(">6900<", ">4294967296<");
        assert!(matches!(
            plan(&bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
        let bad = body.replace(">Disable<", ">Enable<");
        assert!(matches!(
            plan(&bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
        // An execution time not after the DCC's: E12.
        let past = template_body("ECS28a_6.4.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML")
            .replace("2030-01-15T09:00:00.00Z", "2020-01-15T09:00:00.00Z");
        let e = plan(&past, DeviceType::Esme).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E12), "{e}");
    }
}
