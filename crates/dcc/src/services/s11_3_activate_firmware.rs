//! 11.3 Activate Firmware (critical, device-future-dated): the supplier has its ESME or GSME run
//! a firmware image the device already holds (distributed by 11.1, verified by the device),
//! named by its manufacturer image hash; CS06, a pre-command the supplier signs
//! (`gbcs::usecases::cs06`). The body (`sr:ActivateFirmware`) carries an optional
//! `ExecutionDateTime` (immediate, a future instant, or the 3000-12-31 cancellation:
//! `s1_6_update_payment_mode::device_activation`, E12 for an instant not after the DCC's time)
//! and the `FirmwareHash`, sent unchanged. Whether the device holds a verified image with that
//! hash is the device's check (it answers activation status non-zero and changes nothing);
//! any device type but the ESME and GSME is E11.

use duis::Srv;
use duis::bodies::ActivateFirmware;
use gbcs::usecases::{self as uc, cs06};

use super::s1_6_update_payment_mode::device_activation;
use super::s6_15_1_update_security_credentials_krp::gbcs_type;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct ActivateFirmwareService;

impl Service for ActivateFirmwareService {
    fn srv(&self) -> Srv {
        Srv::V11_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for ActivateFirmwareService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = ActivateFirmware::parse(&r.request.body).map_err(render::body_error)?;
        if !cs06::SPEC.supported_on(gbcs_type(r.device.device_type)) {
            return Err(r.wrong_type());
        }
        let activation = device_activation(Srv::V11_3, body.execution_date_time.as_deref(), r.now)?;
        r.try_use_case_command(cs06::CS06, |h| {
            uc::cs06_activate_firmware(h, &body.firmware_hash, activation)
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

    fn plan(body: &str, dt: DeviceType, role: UserRole) -> Result<Plan, DccError> {
        Harness::new().plan(&ActivateFirmwareService, Srv::V11_3, body, dt, role)
    }

    #[test]
    fn the_templates_plan_the_cs06_precommand() {
        let t = Harness::new();
        for (name, activation) in [
            ("IMMEDIATE", Activation::Now),
            ("CANCELLATION", Activation::Cancel),
            (
                "FUTURE_DATED",
                Activation::At(UtcDateTime::new(2030, 1, 15, 9, 0, 0).unwrap()),
            ),
        ] {
            let body = template_body(&format!("CS06_11.3_{name}_SUCCESS_REQUEST_DUIS.XML"));
            for (dt, role) in [
                (DeviceType::Esme, UserRole::ImportSupplier),
                (DeviceType::Gsme, UserRole::GasSupplier),
            ] {
                let p = plan(&body, dt, role).unwrap();
                assert_precommand(&p, cs06::CS06, &t, dt);
                let Plan::PreCommand(g) = &p else { panic!() };
                let DecodedCommand::Cs06(c) = uc::decode_command(g).unwrap() else {
                    panic!()
                };
                assert_eq!(c.activation, activation, "{name}");
                assert_eq!(c.image_hash[..4], [0xAA, 0x75, 0x86, 0x90]);
            }
        }
    }

    #[test]
    fn refusals() {
        let body = template_body("CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML");
        for dt in [
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = plan(&body, dt, UserRole::ImportSupplier).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
        // A hash that is not 32 octets: schema-invalid, nothing planned.
        let bad = body.replace("AA758690", "AA7586");
        assert!(matches!(
            plan(&bad, DeviceType::Esme, UserRole::ImportSupplier).unwrap_err(),
            DccError::Schema(_)
        ));
        // An execution time not after the DCC's: E12.
        let past = template_body("CS06_11.3_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML")
            .replace("2030-01-15T09:00:00.00Z", "2020-01-15T09:00:00.00Z");
        let e = plan(&past, DeviceType::Esme, UserRole::ImportSupplier).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E12), "{e}");
    }
}
