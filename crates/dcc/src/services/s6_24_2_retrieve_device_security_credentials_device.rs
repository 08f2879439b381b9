//! 6.24.2 Retrieve Device Security Credentials (Device) (critical): CS02e on an ESME or GSME, a
//! pre-command the supplier signs, asking for the device's own digital signing
//! (`CredentialType` `Digital Signature`) or key agreement (`Key Agreement`) certificate; the
//! device answers it, signed. Any other device type is E11; another `CredentialType` a
//! schema-invalid body.

use duis::Srv;
use duis::bodies::{CredentialType, RetrieveDeviceSecurityCredentialsDevice};
use gbcs::credentials::{KEY_USAGE_DS, KEY_USAGE_KA};
use gbcs::usecases::{self as uc, cs02e};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct RetrieveDeviceSecurityCredentialsDeviceService;

impl Service for RetrieveDeviceSecurityCredentialsDeviceService {
    fn srv(&self) -> Srv {
        Srv::V6_24_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for RetrieveDeviceSecurityCredentialsDeviceService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = RetrieveDeviceSecurityCredentialsDevice::parse(&r.request.body)
            .map_err(render::body_error)?;
        if !matches!(r.device.device_type, DeviceType::Esme | DeviceType::Gsme) {
            return Err(r.wrong_type());
        }
        let key_usage = match body.0 {
            CredentialType::DigitalSignature => KEY_USAGE_DS,
            CredentialType::KeyAgreement => KEY_USAGE_KA,
        };
        r.try_use_case_command(cs02e::MESSAGE_CODE, |h| {
            uc::cs02e_provide_device_certificate(h, key_usage)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    fn plan(body: &str, dt: DeviceType, role: UserRole) -> Result<Plan, DccError> {
        Harness::new().plan(
            &RetrieveDeviceSecurityCredentialsDeviceService,
            Srv::V6_24_2,
            body,
            dt,
            role,
        )
    }

    #[test]
    fn the_template_plans_the_suppliers_cs02e_precommand_and_refusals() {
        let t = Harness::new();
        let body = template_body("CS02e_6.24.2_SUCCESS_REQUEST_DUIS.XML");
        for (dt, role) in [
            (DeviceType::Esme, UserRole::ImportSupplier),
            (DeviceType::Gsme, UserRole::GasSupplier),
        ] {
            let p = plan(&body, dt, role).unwrap();
            assert_precommand(&p, cs02e::MESSAGE_CODE, &t, dt);
            let Plan::PreCommand(g) = &p else { panic!() };
            let DecodedCommand::Cs02e(c) = uc::decode_command(g).unwrap() else {
                panic!()
            };
            assert_eq!(c.key_usage, KEY_USAGE_DS);
        }
        let ka = body.replace("Digital Signature", "Key Agreement");
        let Plan::PreCommand(g) = plan(&ka, DeviceType::Esme, UserRole::ImportSupplier).unwrap()
        else {
            panic!()
        };
        let DecodedCommand::Cs02e(c) = uc::decode_command(&g).unwrap() else {
            panic!()
        };
        assert_eq!(c.key_usage, KEY_USAGE_KA);
        let e = plan(&body, DeviceType::Chf, UserRole::ImportSupplier).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let bad = body.replace("Digital Signature", "DigitalSignature");
        assert!(matches!(
            plan(&bad, DeviceType::Esme, UserRole::ImportSupplier).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
