//! 6.6 Update Device Configuration (Gas Conversion) (critical): GCS23 on a GSME, a pre-command
//! the gas supplier signs: ZSE Publish Conversion Factor and Publish Calorific Value
//! (`gbcs::usecases::gas_configuration`), issuer event id the DCC's time in ZigBee UTC. Any
//! other device type: E11.

use duis::Srv;
use duis::bodies::UpdateGasConversion as Body;
use gbcs::usecases::gas_configuration::GasConversion;
use gbcs::usecases::gcs23;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, zse_issuer_event_id};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateGasConversion;

impl Service for UpdateGasConversion {
    fn srv(&self) -> Srv {
        Srv::V6_6
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateGasConversion {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Gsme => {
                let c = GasConversion {
                    issuer_event_id: zse_issuer_event_id(r.now)?,
                    conversion_factor: body.conversion_factor,
                    calorific_value: body.calorific_value,
                };
                r.try_use_case_command(gcs23::MESSAGE_CODE, |h| {
                    gcs23::gcs23_update_gas_conversion(h, &c)
                })
            }
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{self as uc, DecodedCommand};

    fn plan_for(body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        let t = Harness::new();
        let req = request(Srv::V6_6, body, dt, 77);
        let d = device(dt);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &d,
            acting_role: UserRole::GasSupplier,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        crate::catalogue::plan_device(&UpdateGasConversion, &mut r)
    }

    #[test]
    fn the_template_plans_the_rtds_precommand() {
        let body = template_body("GCS23_6.6_SUCCESS_REQUEST_DUIS.XML");
        let Plan::PreCommand(g) = plan_for(&body, DeviceType::Gsme).unwrap() else {
            panic!("not a pre-command")
        };
        let (DecodedCommand::Gcs23(a), DecodedCommand::Gcs23(b)) = (
            uc::decode_command(&g).unwrap(),
            rtds_precommand("6.6_GCS23", "GCS23_6.6_SUCCESS"),
        ) else {
            panic!()
        };
        // The issuer event id is the DCC's time.
        assert_eq!(
            (a.conversion_factor, a.calorific_value),
            (b.conversion_factor, b.calorific_value)
        );
        let e = plan_for(&body, DeviceType::Esme).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let bad = body.replace("1.02264", "1.022641");
        assert!(matches!(
            plan_for(&bad, DeviceType::Gsme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
