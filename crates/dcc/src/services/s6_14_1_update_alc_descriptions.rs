//! 6.14.1 Update Device Configuration (Auxiliary Load Control Descriptions) (critical): ECS46a
//! on an ESME, a pre-command the import supplier signs, setting the named switches'
//! descriptions (which 7.7 reads). Any device type but the ESME is E11; an index outside 1–5,
//! a description not of 1 to 22 printable characters, or a switch named twice or out of order
//! is a schema-invalid body.

use duis::Srv;
use duis::bodies::AlcDescriptions;
use gbcs::usecases::{self as uc, AuxDescriptions};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateAlcDescriptions;

impl Service for UpdateAlcDescriptions {
    fn srv(&self) -> Srv {
        Srv::V6_14_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdateAlcDescriptions {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = AlcDescriptions::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let d = AuxDescriptions(
            body.0
                .iter()
                .map(|(n, t)| (*n, t.as_bytes().to_vec()))
                .collect(),
        );
        r.try_use_case_command(uc::ecs46a::MESSAGE_CODE, |h| {
            uc::ecs46a_update_aux_descriptions(h, &d)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    fn plan(body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        Harness::new().plan(
            &UpdateAlcDescriptions,
            Srv::V6_14_1,
            body,
            dt,
            UserRole::ImportSupplier,
        )
    }

    #[test]
    fn the_templates_plan_ecs46a_and_refusals() {
        let t = Harness::new();
        let body = template_body("ECS46a_6.14.1_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML");
        let p = plan(&body, DeviceType::Esme).unwrap();
        assert_precommand(&p, uc::ecs46a::MESSAGE_CODE, &t, DeviceType::Esme);
        let Plan::PreCommand(g) = &p else { panic!() };
        let DecodedCommand::Ecs46a(d) = uc::decode_command(g).unwrap() else {
            panic!()
        };
        assert_eq!(d.0.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [2, 3, 4]);
        let e = plan(&body, DeviceType::Gsme).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let bad = body.replace("index=\"4\"", "index=\"6\"");
        assert!(matches!(
            plan(&bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
