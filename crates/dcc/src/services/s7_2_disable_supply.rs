//! 7.2 Disable Supply (critical): ECS43 on an ESME, GCS32 on a GSME; pre-commands the supplier
//! signs.

use duis::bodies::NoParameters;
use duis::{RequestId, Srv};
use gbcs::usecases as uc;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind, build_err};
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

/// The Issuer Event ID GCS32 carries, tying the GSME's event log entry to the request: today
/// the RequestID counter's low 31 bits. The rule that reproduces the RTDS vectors replaces this
/// one function.
pub fn gcs32_issuer_event_id(rid: &RequestId) -> u32 {
    u32::try_from(rid.counter & 0x7FFF_FFFF).unwrap_or(0)
}

impl DeviceService for DisableSupply {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        NoParameters::parse(&r.request.body, "DisableSupply").map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => r.command(uc::ecs43_disable_supply(&r.user_header()?), false),
            DeviceType::Gsme => {
                let event = gcs32_issuer_event_id(&r.request.header.request_id);
                let g = uc::gcs32_disable_supply(&r.user_header()?, event).map_err(build_err)?;
                r.command(g, false)
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
    fn issuer_event_id_is_the_counter_low_bits() {
        let rid = |counter| RequestId {
            originator: eui::Eui64::from_u64(1),
            target: eui::Eui64::from_u64(2),
            counter,
        };
        assert_eq!(gcs32_issuer_event_id(&rid(1000)), 1000);
        assert_eq!(gcs32_issuer_event_id(&rid(0x8000_0001)), 1);
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
