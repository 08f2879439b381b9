//! 6.21 Request Handover of DCC Controlled Device: the supplier (or network operator) takes
//! over the cells the DCC holds on a DCC-controlled device. The DCC, holder of the cells,
//! originates the command as its ACB and signs it (CS02bSupplierBySupplier /
//! CS02bNOByNO, the `gbcs::usecases::cs02b` mapping, [`KrpCredentials::content`]) with a DCC
//! counter, as the RTDS 6.21 commands show. The body is
//! [`UpdateSecurityCredentialsKrp::parse_handover`] (6.15.1's elements); it is checked as
//! 6.15.1's (`s6_15_1_update_security_credentials_krp::krp_credentials`: role Supplier or
//! NetworkOperator, each certificate an organisation certificate of that role with the slot's
//! key usage), except that the subject is not bound to the requester (the RTDS templates
//! name another organisation).

use duis::Srv;
use duis::bodies::{CredentialsRole, UpdateSecurityCredentialsKrp};
use gbcs::usecases::{self as uc, KrpCredentials, KrpParty};

use super::s1_6_update_payment_mode::device_activation;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct RequestHandoverService;

impl Service for RequestHandoverService {
    fn srv(&self) -> Srv {
        Srv::V6_21
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn invalid(why: String) -> DccError {
    SchemaError::Invalid(format!("RequestHandoverOfDCCControlledDevice: {why}")).into()
}

/// The typed request (module documentation).
pub fn handover_credentials(
    body: &UpdateSecurityCredentialsKrp,
    activation: uc::Activation,
) -> Result<KrpCredentials, DccError> {
    let party = match body.role {
        CredentialsRole::Supplier => KrpParty::Supplier,
        CredentialsRole::NetworkOperator => KrpParty::NetworkOperator,
        other => return Err(invalid(format!("{other:?} is not handed over by 6.21"))),
    };
    super::s6_15_1_update_security_credentials_krp::checked_certificates(body, party, invalid)?;
    Ok(super::s6_15_1_update_security_credentials_krp::credentials_of(body, party, activation))
}

impl DeviceService for RequestHandoverService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[
            DeviceType::Esme,
            DeviceType::Gsme,
            DeviceType::Gpf,
            DeviceType::Chf,
        ]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = UpdateSecurityCredentialsKrp::parse_handover(&r.request.body)
            .map_err(render::body_error)?;
        let activation = device_activation(Srv::V6_21, body.execution_date_time.as_deref(), r.now)?;
        let creds = handover_credentials(&body, activation)?;
        let dcc = r.dcc;
        r.dcc_signed_command(dcc.acb, &dcc.acb_ds, |h| {
            uc::cs02b_update_security_credentials(h, &creds)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    const SUPPLIER: &str = "CS02bSupplierBySupplierHandover_6.21_SUCCESS_REQUEST_DUIS.XML";

    #[test]
    fn templates_plan_as_commands_the_acb_signs() {
        let t = Harness::new();
        for (name, role, code) in [
            (SUPPLIER, UserRole::ImportSupplier, 0x0102),
            (
                "CS02bNOByNOHandover_6.21_SUCCESS_REQUEST_DUIS.XML",
                UserRole::ElectricityDistributor,
                0x0103,
            ),
        ] {
            let plan = t
                .plan(
                    &RequestHandoverService,
                    Srv::V6_21,
                    &template_body(name),
                    DeviceType::Gpf,
                    role,
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
            assert_eq!(command.originator, t.dcc.acb);
            assert_eq!(command.message_code(), gbcs::MessageCode(code));
            command
                .verify_signature(&t.dcc.acb_ds.public_key().unwrap())
                .unwrap();
            assert!(matches!(
                uc::decode_command(&command).unwrap(),
                DecodedCommand::Cs02b(_)
            ));
        }
    }

    #[test]
    fn bad_requests_are_refused() {
        let t = Harness::new();
        let body = template_body(SUPPLIER);
        let plan = |b: &str| {
            t.plan(
                &RequestHandoverService,
                Srv::V6_21,
                b,
                DeviceType::Gpf,
                UserRole::ImportSupplier,
            )
        };
        // Another role's cells.
        let b = body.replace(
            "<sr:RemotePartyRole>Supplier<",
            "<sr:RemotePartyRole>NetworkOperator<",
        );
        assert!(plan(&b).is_err());
        // The CA certificate of the path in the DS slot (not a supplier's).
        let cut = |tag: &str| {
            body.split(&format!("<sr:{tag}>"))
                .nth(1)
                .and_then(|r| r.split('<').next())
                .unwrap()
                .to_owned()
        };
        let ds = cut("DigitalSigningCertificate");
        assert!(plan(&body.replace(&ds, &cut("Certificate"))).is_err());
        // The DS certificate in the KA slot.
        assert!(plan(&body.replace(&cut("KeyAgreementCertificate"), &ds)).is_err());
        // Not a certificate.
        assert!(plan(&body.replace(&ds, "MAA=")).is_err());
    }
}
