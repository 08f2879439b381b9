//! 6.18.1 Update Device Configuration (Maximum Demand Configurable Time Period) (not critical,
//! DSP future-dated): ECS37 on an ESME, from the network operator: the start and end times
//! (xs:time, converted to UTC) of the period the configurable maximum demand (4.12.1) covers.
//! A time that is not an xs:time is a schema-invalid body; any device type but the ESME is E11.

use duis::Srv;
use duis::bodies::SetMaximumDemandConfigurableTimePeriod as Body;
use gbcs::usecases::{self as uc, MaxDemandPeriod};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct SetMaximumDemandConfigurableTimePeriod;

impl Service for SetMaximumDemandConfigurableTimePeriod {
    fn srv(&self) -> Srv {
        Srv::V6_18_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for SetMaximumDemandConfigurableTimePeriod {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let p = MaxDemandPeriod {
            start: body.start,
            end: body.end,
        };
        r.use_case_command(uc::ecs37::MESSAGE_CODE, |h| {
            uc::ecs37_set_max_demand_period(h, &p)
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
            &SetMaximumDemandConfigurableTimePeriod,
            Srv::V6_18_1,
            body,
            dt,
            UserRole::ElectricityDistributor,
        )
    }

    #[test]
    fn the_template_plans_the_ecs37_command_and_other_devices_get_e11() {
        let body = template_body("ECS37_6.18.1_SUCCESS_REQUEST_DUIS.XML");
        let p = plan(&body, DeviceType::Esme).unwrap();
        let Plan::Command { command, .. } = &p else {
            panic!("{p:?}")
        };
        assert_eq!(
            uc::decode_command(command).unwrap(),
            DecodedCommand::Ecs37(MaxDemandPeriod {
                start: [17, 0, 0, 0],
                end: [22, 0, 0, 0]
            })
        );
        // A local offset is converted to UTC.
        let p = plan(
            &body.replace("17:00:00.00Z", "18:30:00+01:00"),
            DeviceType::Esme,
        )
        .unwrap();
        let Plan::Command { command, .. } = &p else {
            panic!("{p:?}")
        };
        assert!(matches!(
            uc::decode_command(command).unwrap(),
            DecodedCommand::Ecs37(MaxDemandPeriod {
                start: [17, 30, 0, 0],
                ..
            })
        ));
        let e = plan(&body, DeviceType::Gsme).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let bad = body.replace("22:00:00.00Z", "24:00:00Z");
        assert!(matches!(
            plan(&bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
