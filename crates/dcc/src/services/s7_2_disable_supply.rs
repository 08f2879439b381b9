//! 7.2 Disable Supply (critical): ECS43 on an ESME, GCS32 on a GSME; pre-commands the supplier
//! signs.

use duis::Srv;
use duis::bodies::NoParameters;
use gbcs::MessageCode;
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, zse_issuer_event_id};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct DisableSupply;

impl Service for DisableSupply {
    fn srv(&self) -> Srv {
        Srv::V7_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for DisableSupply {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "DisableSupply").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.use_case_command(MessageCode::ECS43, uc::ecs43_disable_supply),
            DeviceType::Gsme => {
                let event = zse_issuer_event_id(r.now)?;
                r.try_use_case_command(MessageCode::GCS32, |h| uc::gcs32_disable_supply(h, event))
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
    use time::OffsetDateTime;

    #[test]
    fn precommand_per_device_type() {
        let t = Harness::new();
        for (dt, role, code) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS43,
            ),
            (DeviceType::Gsme, UserRole::GasSupplier, MessageCode::GCS32),
        ] {
            let plan = t
                .plan(&DisableSupply, Srv::V7_2, "<sr:DisableSupply/>", dt, role)
                .unwrap();
            assert_precommand(&plan, code, &t, dt);
        }
    }

    #[test]
    fn issuer_event_id_is_the_dcc_time_in_zigbee_seconds() {
        // The RTDS reference clock, 2015-01-01T00:00:00Z: 80 4A 37 1C in every RTDS GCS32.
        let rtds = OffsetDateTime::from_unix_timestamp(1_420_070_400).unwrap();
        assert_eq!(zse_issuer_event_id(rtds).unwrap(), 0x1C37_4A80);
        let before_2000 = OffsetDateTime::from_unix_timestamp(0).unwrap();
        assert!(zse_issuer_event_id(before_2000).is_err());
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Hcalcs] {
            let e = t
                .plan(
                    &DisableSupply,
                    Srv::V7_2,
                    "<sr:DisableSupply/>",
                    dt,
                    UserRole::GasSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
