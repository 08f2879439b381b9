//! 6.23 Update Security Credentials (CoS): the incoming supplier asks the DCC to replace the
//! outgoing supplier's trust anchor cells on an ESME or GSME with its own certificates. The
//! DCC's transitional change-of-supplier party originates and signs the command
//! (CS02bSupplierByTransCoS, [`KrpParty::SupplierByTransCoS`]; the DUIS-to-GBCS mapping is
//! `gbcs::usecases::cs02b`'s), with a DCC counter, and the ACB MACs it as for any
//! DCC-originated command. The body is checked before anything is sent:
//!
//! * each replacement certificate must be an SMKI organisation certificate of the supplier
//!   role, with the slot's key usage (DS, KA) (else the body is invalid, nothing sent); its
//!   subject is the incoming supplier's organisation, not bound to the RequestID (the RTDS
//!   templates differ); that it was issued under the certification path is the device's
//!   check, which refuses the command otherwise;
//! * `ExecutionDateTime`: as 1.6 (`s1_6_update_payment_mode::device_activation`).

use duis::Srv;
use duis::bodies::UpdateSecurityCredentialsCos;
use gbcs::credentials::{KEY_USAGE_DS, KEY_USAGE_KA, certificate_facts, role};
use gbcs::usecases::{self as uc, KrpCredentials, KrpParty};

use super::s1_6_update_payment_mode::device_activation;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdateSecurityCredentialsCosService;

impl Service for UpdateSecurityCredentialsCosService {
    fn srv(&self) -> Srv {
        Srv::V6_23
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn invalid(why: String) -> DccError {
    SchemaError::Invalid(format!("UpdateSecurityCredentialsCoS: {why}")).into()
}

/// The typed request (module documentation), checked against the requester `requester`.
pub fn cos_credentials(
    body: &UpdateSecurityCredentialsCos,
    requester: eui::Eui64,
    activation: uc::Activation,
) -> Result<KrpCredentials, DccError> {
    for (name, cert, usage) in [
        ("DigitalSigningCertificate", &body.ds, KEY_USAGE_DS),
        ("KeyAgreementCertificate", &body.ka, KEY_USAGE_KA),
        (
            "KeyAgreementTopUpCertificate",
            &body.ka_top_up,
            KEY_USAGE_KA,
        ),
    ] {
        let Some(der) = cert else { continue };
        let f = certificate_facts(der)
            .map_err(|e| invalid(format!("{name} is not an organisation certificate ({e})")))?;
        if f.role != Some(role::SUPPLIER) {
            return Err(invalid(format!(
                "{name} is for role {:?}, not the supplier's",
                f.role
            )));
        }
        if f.key_usage != Some(usage) {
            return Err(invalid(format!("{name} has the wrong key usage")));
        }
        // The RTDS templates carry another supplier's certificates (the incoming supplier's
        // organisation) than the RequestID's: the subject is not bound to the requester.
        let _ = requester;
    }
    Ok(KrpCredentials {
        party: KrpParty::SupplierByTransCoS,
        floor: Some(body.floor),
        top_up_floor: body.top_up_floor,
        ds: body.ds.clone(),
        ka: body.ka.clone(),
        ka_top_up: body.ka_top_up.clone(),
        certification_path: body.certification_path.clone(),
        apply_time_based_cpv_checks: body.apply_time_based_cpv_checks,
        activation,
    })
}

impl DeviceService for UpdateSecurityCredentialsCosService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            UpdateSecurityCredentialsCos::parse(&r.request.body).map_err(render::body_error)?;
        let activation = device_activation(Srv::V6_23, body.execution_date_time.as_deref(), r.now)?;
        let creds = cos_credentials(&body, r.request.header.request_id.originator, activation)?;
        r.trans_cos_command(|h| uc::cs02b_update_security_credentials(h, &creds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    const IMMEDIATE: &str = "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML";
    const TRANS_COS: u64 = 0x90b3_d51f_3000_0004;

    fn with_trans_cos() -> (Harness, gbcs::crypto::SigningKey) {
        let mut t = Harness::new();
        let k = smki::KeyPair::generate_with_os_rng().unwrap();
        let der = k.to_pkcs8_der().unwrap();
        t.dcc.trans_cos = Some((
            eui::Eui64::from_u64(TRANS_COS),
            gbcs::crypto::SigningKey::from_der(&der).unwrap(),
        ));
        (t, gbcs::crypto::SigningKey::from_der(&der).unwrap())
    }

    #[test]
    fn templates_plan_as_commands_the_transitional_cos_party_signs() {
        let (t, key) = with_trans_cos();
        for name in [
            IMMEDIATE,
            "CS02bSupplierByTransCoS_6.23_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
            "CS02bSupplierByTransCoS_6.23_CANCELLATION_SUCCESS_REQUEST_DUIS.XML",
        ] {
            let plan = t
                .plan(
                    &UpdateSecurityCredentialsCosService,
                    Srv::V6_23,
                    &template_body(name),
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap();
            let Plan::Command {
                command,
                dcc_originated: true,
                ..
            } = plan
            else {
                panic!("{name}: {plan:?}");
            };
            assert_eq!(command.originator, eui::Eui64::from_u64(TRANS_COS));
            assert_eq!(command.message_code(), gbcs::MessageCode(0x0107));
            command
                .verify_signature(&key.public_key().unwrap())
                .unwrap();
            let DecodedCommand::Cs02b(u) = uc::decode_command(&command).unwrap() else {
                panic!()
            };
            assert_eq!(u.party, KrpParty::SupplierByTransCoS);
        }
    }

    #[test]
    fn bad_requests_are_refused() {
        let (t, _) = with_trans_cos();
        let body = template_body(IMMEDIATE);
        let plan = |b: &str| {
            t.plan(
                &UpdateSecurityCredentialsCosService,
                Srv::V6_23,
                b,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
        };
        // The DS certificate in the KA slot (wrong key usage).
        let ds = body
            .split("<sr:DigitalSigningCertificate>")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_owned();
        let ka = body
            .split("<sr:KeyAgreementCertificate>")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_owned();
        assert!(plan(&body.replace(&ka, &ds)).is_err());
        // Not a certificate.
        assert!(plan(&body.replace(&ds, "MAA=")).is_err());
        // A certificate of another role: the CA certificate of the path.
        let ca = body
            .split("<sr:Certificate>")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_owned();
        assert!(plan(&body.replace(&ds, &ca)).is_err());
        // No transitional CoS key: refused, nothing planned.
        assert!(
            Harness::new()
                .plan(
                    &UpdateSecurityCredentialsCosService,
                    Srv::V6_23,
                    &body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .is_err()
        );
    }
}
