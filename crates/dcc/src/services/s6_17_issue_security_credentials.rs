//! 6.17 Issue Security Credentials (critical): the supplier asks its ESME or GSME to generate a
//! new key pair and answer with its certificate signing request (CS02c, a pre-command the
//! supplier signs; the mapping is `gbcs::usecases::cs02c`'s). The device's answer carries the
//! PKCS#10 request, which the supplier takes to the SMKI service to have the Device
//! certificate issued (and lodged in the SMKI repository), then places on the device with
//! 6.15.2 ([`super::s6_15_2_update_security_credentials_device`]).
//!
//! `CredentialType` `Digital Signature` asks for a digital signing pair, `Key Agreement` for a
//! key agreement pair (the device decides whether it can).

use duis::Srv;
use duis::bodies::{CredentialType, IssueSecurityCredentials};
use gbcs::credentials::{KEY_USAGE_DS, KEY_USAGE_KA};
use gbcs::usecases::{self as uc, cs02c};

use super::s6_15_1_update_security_credentials_krp::gbcs_type;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct IssueSecurityCredentialsService;

impl Service for IssueSecurityCredentialsService {
    fn srv(&self) -> Srv {
        Srv::V6_17
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The GBCS key usage of a DUIS `CredentialType`.
pub fn key_usage(t: CredentialType) -> u8 {
    match t {
        CredentialType::DigitalSignature => KEY_USAGE_DS,
        CredentialType::KeyAgreement => KEY_USAGE_KA,
    }
}

impl DeviceService for IssueSecurityCredentialsService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = IssueSecurityCredentials::parse(&r.request.body).map_err(render::body_error)?;
        if !cs02c::SPEC.supported_on(gbcs_type(r.device.device_type)) {
            return Err(r.wrong_type());
        }
        let usage = key_usage(body.credential_type);
        r.try_use_case_command(cs02c::CS02C, |h| {
            uc::cs02c_issue_security_credentials(h, usage)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    const TEMPLATE: &str = "CS02c_6.17_SUCCESS_REQUEST_DUIS.XML";

    #[test]
    fn the_template_plans_as_the_cs02c_precommand() {
        let t = Harness::new();
        for (dt, role) in [
            (DeviceType::Esme, UserRole::ImportSupplier),
            (DeviceType::Gsme, UserRole::GasSupplier),
        ] {
            let plan = t
                .plan(
                    &IssueSecurityCredentialsService,
                    Srv::V6_17,
                    &template_body(TEMPLATE),
                    dt,
                    role,
                )
                .unwrap();
            assert_precommand(&plan, cs02c::CS02C, &t, dt);
            let Plan::PreCommand(g) = plan else { panic!() };
            assert_eq!(
                uc::decode_command(&g).unwrap(),
                DecodedCommand::Cs02c(KEY_USAGE_DS)
            );
        }
    }

    #[test]
    fn bad_requests_are_refused() {
        let t = Harness::new();
        let bad = template_body(TEMPLATE).replace("Digital Signature", "Signature");
        let e = t
            .plan(
                &IssueSecurityCredentialsService,
                Srv::V6_17,
                &bad,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &IssueSecurityCredentialsService,
                    Srv::V6_17,
                    &template_body(TEMPLATE),
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
