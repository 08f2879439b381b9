//! 1.7 Reset Tariff Block Counter Matrix (critical): ECS05 on an ESME; a pre-command the import
//! supplier signs. The body (`sr:ResetTariffBlockCounterMatrix`) has no content. GBCS has no
//! gas use case for it: any other device type is E11.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ResetTariffBlockCounterMatrix;

impl Service for ResetTariffBlockCounterMatrix {
    fn srv(&self) -> Srv {
        Srv::V1_7
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ResetTariffBlockCounterMatrix {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "ResetTariffBlockCounterMatrix")
            .map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(
                MessageCode::ECS05,
                uc::ecs05_reset_tariff_block_counter_matrix,
            ),
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    const BODY: &str = "<sr:ResetTariffBlockCounterMatrix/>";

    #[test]
    fn precommand_on_the_esme() {
        let t = Harness::new();
        let plan = t
            .plan(
                &ResetTariffBlockCounterMatrix,
                Srv::V1_7,
                BODY,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_precommand(&plan, MessageCode::ECS05, &t, DeviceType::Esme);
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
                    &ResetTariffBlockCounterMatrix,
                    Srv::V1_7,
                    BODY,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn a_body_with_content_is_refused() {
        let t = Harness::new();
        for body in [
            "<sr:ResetTariffBlockCounterMatrix><sr:X/></sr:ResetTariffBlockCounterMatrix>",
            "<sr:ResetTariffBlockCounterMatrix>1</sr:ResetTariffBlockCounterMatrix>",
            "<sr:ActivateEmergencyCredit/>",
        ] {
            let e = t
                .plan(
                    &ResetTariffBlockCounterMatrix,
                    Srv::V1_7,
                    body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
