//! 4.12.2 Read Maximum Demand Export Registers.
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME | ECS18a | the distributor; the export supplier through the ACB |
//!
//! Export suppliers are not trust anchors of the meter: the ACB originates the read on their
//! behalf (ECS18a allows it).
//!
//! The body is `ReadMaximumDemandExportRegisters` with an optional `ExecutionDateTime` (DSP future dating).

use duis::Srv;
use duis::bodies::FutureDatedOnly;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ReadMaxDemandExport;

impl Service for ReadMaxDemandExport {
    fn srv(&self) -> Srv {
        Srv::V4_12_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ReadMaxDemandExport {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        FutureDatedOnly::parse(&r.request.body, "ReadMaximumDemandExportRegisters")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                r.use_case_command(uc::ecs18a::CODE, uc::ecs18a_read_export_max_demand)
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

    const BODY: &str = "<sr:ReadMaximumDemandExportRegisters/>";

    #[test]
    fn use_case_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, by_acb) in [
            (
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
                uc::ecs18a::CODE,
                false,
            ),
            (
                DeviceType::Esme,
                UserRole::ExportSupplier,
                uc::ecs18a::CODE,
                true,
            ),
        ] {
            let plan = t
                .plan(&ReadMaxDemandExport, Srv::V4_12_2, BODY, dt, role)
                .unwrap();
            assert_command(&plan, code, by_acb, &t, dt);
        }
    }

    #[test]
    fn a_future_dated_request_is_held_by_the_dcc() {
        let t = Harness::new();
        let body = "<sr:ReadMaximumDemandExportRegisters><sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime></sr:ReadMaximumDemandExportRegisters>";
        let plan = t
            .plan(
                &ReadMaxDemandExport,
                Srv::V4_12_2,
                body,
                DeviceType::Esme,
                UserRole::ElectricityDistributor,
            )
            .unwrap();
        assert!(
            matches!(plan, Plan::Held { .. }),
            "DSP future dated: {plan:?}"
        );
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &ReadMaxDemandExport,
                    Srv::V4_12_2,
                    BODY,
                    dt,
                    UserRole::ElectricityDistributor,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            "<sr:ReadMaximumDemandExportRegisters>x</sr:ReadMaximumDemandExportRegisters>",
            "<sr:ReadMaximumDemandExportRegisters><sr:ExecutionDateTime>soon</sr:ExecutionDateTime></sr:ReadMaximumDemandExportRegisters>",
            "<sr:ReadMaximumDemandExportRegisters><sr:Other/></sr:ReadMaximumDemandExportRegisters>",
            "<sr:ReadSupplyStatus/>",
        ] {
            let e = t
                .plan(
                    &ReadMaxDemandExport,
                    Srv::V4_12_2,
                    body,
                    DeviceType::Esme,
                    UserRole::ElectricityDistributor,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
