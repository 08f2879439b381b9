//! 6.15.2 Update Security Credentials (Device) (critical): the supplier places on its ESME or
//! GSME the Device certificate the SMKI service issued for the key pair the device generated
//! (6.17, [`super::s6_17_issue_security_credentials`]); CS02d, a pre-command the supplier signs
//! (`gbcs::usecases::cs02d`). The body's `DeviceCertificate` must be a Device certificate
//! (`cs02d::DeviceCertificateFacts`: a hardwareModuleName) of the target device, else the body
//! is invalid and nothing is sent; that it certifies the key pair the device generated, for its
//! key usage and under the device's PKI, is the device's check (it answers with its response
//! code and changes nothing otherwise; the RTDS ERROR vector: a nonRepudiation certificate,
//! answered `invalidKeyUsage`).

use duis::Srv;
use duis::bodies::UpdateSecurityCredentialsDevice;
use gbcs::usecases::{self as uc, cs02d};

use super::s6_15_1_update_security_credentials_krp::gbcs_type;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdateSecurityCredentialsDeviceService;

impl Service for UpdateSecurityCredentialsDeviceService {
    fn srv(&self) -> Srv {
        Srv::V6_15_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn invalid(why: String) -> DccError {
    SchemaError::Invalid(format!("UpdateSecurityCredentialsDevice: {why}")).into()
}

/// The certificate of `body`, checked to be a Device certificate of `device`.
pub fn checked_certificate(
    body: &UpdateSecurityCredentialsDevice,
    device: eui::Eui64,
) -> Result<Vec<u8>, DccError> {
    let cert = cs02d::DeviceCertificateFacts::decode(&body.certificate).map_err(|e| {
        invalid(format!(
            "DeviceCertificate is not a Device certificate ({e})"
        ))
    })?;
    if cert.eui != device {
        return Err(invalid(format!(
            "DeviceCertificate is {}'s, not the device's ({device})",
            cert.eui
        )));
    }
    Ok(body.certificate.clone())
}

impl DeviceService for UpdateSecurityCredentialsDeviceService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            UpdateSecurityCredentialsDevice::parse(&r.request.body).map_err(render::body_error)?;
        if !cs02d::SPEC.supported_on(gbcs_type(r.device.device_type)) {
            return Err(r.wrong_type());
        }
        let certificate = checked_certificate(&body, r.device.id)?;
        r.try_use_case_command(cs02d::CS02D, |h| {
            uc::cs02d_update_device_certificate(h, &certificate)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    const TEMPLATE: &str = "CS02d_6.15.2_SUCCESS_REQUEST_DUIS.XML";

    #[test]
    fn the_template_plans_as_the_cs02d_precommand() {
        // The template's certificate is the ESME's (00-DB-12-34-56-78-90-A0).
        let t = Harness::new();
        let plan = t
            .plan(
                &UpdateSecurityCredentialsDeviceService,
                Srv::V6_15_2,
                &template_body(TEMPLATE),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert_precommand(&plan, cs02d::CS02D, &t, DeviceType::Esme);
        let Plan::PreCommand(g) = plan else { panic!() };
        assert!(matches!(
            uc::decode_command(&g).unwrap(),
            DecodedCommand::Cs02d(_)
        ));
        // To the GSME: not its certificate, refused before anything is sent.
        let e = t
            .plan(
                &UpdateSecurityCredentialsDeviceService,
                Srv::V6_15_2,
                &template_body(TEMPLATE),
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
    }

    #[test]
    fn certificates_not_the_devices_are_refused() {
        let req = request(Srv::V6_15_2, &template_body(TEMPLATE), DeviceType::Esme, 1);
        let body = UpdateSecurityCredentialsDevice::parse(&req.body).unwrap();
        let dev = req.header.request_id.target;
        assert!(checked_certificate(&body, dev).is_ok());
        assert!(checked_certificate(&body, eui::Eui64::from_u64(1)).is_err());
        let mut junk = body;
        junk.certificate = vec![0x30, 0x00];
        assert!(checked_certificate(&junk, dev).is_err());
        let t = Harness::new();
        for dt in [DeviceType::Gpf, DeviceType::Chf] {
            let e = t
                .plan(
                    &UpdateSecurityCredentialsDeviceService,
                    Srv::V6_15_2,
                    &template_body(TEMPLATE),
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
