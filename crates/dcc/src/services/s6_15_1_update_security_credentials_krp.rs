//! 6.15.1 Update Security Credentials (KRP) (critical, device-future-dated): the supplier
//! replaces its own trust anchor cells on an ESME or GSME (CS02bSupplierBySupplier), the network
//! operator its own (CS02bNOByNO), the supplier the load controller's on an ESME
//! (CS02gLoadControllerBySupplier); pre-commands the authorising party signs. The DUIS-to-GBCS
//! mapping is `gbcs::usecases::cs02b`'s ([`KrpCredentials::content`]); this module checks the
//! body and maps it onto it:
//!
//! * `RemotePartyRole` Supplier, NetworkOperator or LoadController (any other role is not a
//!   KRP's, refused); the requester must be the authorising party, a trust anchor of the device
//!   in the use case's role (else refused as no trust anchor, nothing sent);
//! * each replacement certificate must be an SMKI organisation certificate with the slot's key
//!   usage (DS, KA), and — for the supplier and the network operator replacing their own — of
//!   the replaced role and naming the requester as its subject (else the body is invalid,
//!   nothing sent). Which organisation's certificate the load controller's cells may take
//!   (CS02g) is the device's check, as is that a certificate was issued under the
//!   certification path (GBCS): the device refuses the command otherwise, nothing changes.
//!   RTDS sends CS02g with the supplier's own certificates (role 2) for the load controller's
//!   cells, SUCCESS and ERROR alike (the ERROR scenario differs only in a corrupted
//!   certification path certificate), so the DCC passes them through;
//! * a prepayment top-up floor or certificate only for the supplier;
//! * `ExecutionDateTime`: as 1.6 (`s1_6_update_payment_mode::device_activation`).

use duis::Srv;
use duis::bodies::{CredentialsRole, UpdateSecurityCredentialsKrp};
use gbcs::credentials::{CertificateFacts, KEY_USAGE_DS, KEY_USAGE_KA, certificate_facts};
use gbcs::usecases::{self as uc, KrpCredentials, KrpParty};

use super::s1_6_update_payment_mode::device_activation;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, SchemaError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdateSecurityCredentialsKrpService;

impl Service for UpdateSecurityCredentialsKrpService {
    fn srv(&self) -> Srv {
        Srv::V6_15_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn invalid(why: String) -> DccError {
    SchemaError::Invalid(format!("UpdateSecurityCredentialsKRP: {why}")).into()
}

/// The typed request (module documentation), checked against the requester `requester`.
pub fn krp_credentials(
    body: &UpdateSecurityCredentialsKrp,
    requester: eui::Eui64,
    activation: uc::Activation,
) -> Result<KrpCredentials, DccError> {
    let party = match body.role {
        CredentialsRole::Supplier => KrpParty::Supplier,
        CredentialsRole::NetworkOperator => KrpParty::NetworkOperator,
        CredentialsRole::LoadController => KrpParty::LoadController,
        other => return Err(invalid(format!("{other:?} is not replaced by 6.15.1"))),
    };
    for (name, f) in checked_certificates(body, party, invalid)? {
        if party != KrpParty::LoadController && f.subject_eui != requester {
            return Err(invalid(format!(
                "{name} is {}'s, not the requester's ({requester})",
                f.subject_eui
            )));
        }
    }
    Ok(credentials_of(body, party, activation))
}

/// The certificates `body` carries, each an organisation certificate of the role `party`'s cells
/// hold with its slot's key usage (else `invalid`'s refusal): their names and facts. Shared by
/// 6.15.1 and 6.21.
pub(crate) fn checked_certificates(
    body: &UpdateSecurityCredentialsKrp,
    party: KrpParty,
    invalid: fn(String) -> DccError,
) -> Result<Vec<(&'static str, CertificateFacts)>, DccError> {
    let mut out = Vec::new();
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
        // The load controller's cells: whose certificate they take is the device's check
        // (GBCS; the RTDS CS02g commands carry the supplier's, and the device takes them).
        if party != KrpParty::LoadController && f.role != Some(party.target_role()) {
            return Err(invalid(format!(
                "{name} is for role {:?}, not {:?}",
                f.role, body.role
            )));
        }
        if f.key_usage != Some(usage) {
            return Err(invalid(format!("{name} has the wrong key usage")));
        }
        out.push((name, f));
    }
    Ok(out)
}

/// The use case's credentials from a checked `body`.
pub(crate) fn credentials_of(
    body: &UpdateSecurityCredentialsKrp,
    party: KrpParty,
    activation: uc::Activation,
) -> KrpCredentials {
    KrpCredentials {
        party,
        floor: body.floor,
        top_up_floor: body.top_up_floor,
        ds: body.ds.clone(),
        ka: body.ka.clone(),
        ka_top_up: body.ka_top_up.clone(),
        certification_path: body.certification_path.clone(),
        apply_time_based_cpv_checks: body.apply_time_based_cpv_checks,
        activation,
    }
}

impl DeviceService for UpdateSecurityCredentialsKrpService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body =
            UpdateSecurityCredentialsKrp::parse(&r.request.body).map_err(render::body_error)?;
        let activation =
            device_activation(Srv::V6_15_1, body.execution_date_time.as_deref(), r.now)?;
        let creds = krp_credentials(&body, r.request.header.request_id.originator, activation)?;
        if !creds
            .party
            .spec()
            .supported_on(gbcs_type(r.device.device_type))
        {
            return Err(r.wrong_type());
        }
        r.try_use_case_command(creds.party.message_code(), |h| {
            uc::cs02b_update_security_credentials(h, &creds)
        })
    }
}

pub(crate) fn gbcs_type(t: DeviceType) -> uc::DeviceType {
    match t {
        DeviceType::Esme => uc::DeviceType::Esme,
        DeviceType::Gsme => uc::DeviceType::Gsme,
        DeviceType::Gpf => uc::DeviceType::Gpf,
        DeviceType::Chf => uc::DeviceType::Chf,
        DeviceType::Ppmid => uc::DeviceType::Ppmid,
        DeviceType::Hcalcs => uc::DeviceType::Hcalcs,
        _ => uc::DeviceType::Ihd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    const IMMEDIATE: &str = "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML";

    #[test]
    fn rtds_templates_plan_as_precommands_of_their_use_case() {
        let t = Harness::new();
        for (name, dt, code) in [
            (IMMEDIATE, DeviceType::Esme, 0x0102),
            (
                "CS02bSupplierBySupplier_6.15.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
                DeviceType::Gsme,
                0x0102,
            ),
            (
                "CS02bSupplierBySupplier_6.15.1_CANCELLATION_SUCCESS_REQUEST_DUIS.XML",
                DeviceType::Esme,
                0x0102,
            ),
            (
                "CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
                DeviceType::Esme,
                0x0126,
            ),
        ] {
            let plan = t
                .plan(
                    &UpdateSecurityCredentialsKrpService,
                    Srv::V6_15_1,
                    &template_body(name),
                    dt,
                    if dt == DeviceType::Gsme {
                        UserRole::GasSupplier
                    } else {
                        UserRole::ImportSupplier
                    },
                )
                .unwrap();
            assert_precommand(&plan, gbcs::MessageCode(code), &t, dt);
            let Plan::PreCommand(g) = plan else { panic!() };
            assert!(matches!(
                uc::decode_command(&g).unwrap(),
                DecodedCommand::Cs02b(_)
            ));
        }
    }

    #[test]
    fn bad_requests_are_refused() {
        let t = Harness::new();
        let body = template_body(IMMEDIATE);
        // Not a trust anchor in the use case's role: the network operator's mode by a supplier.
        let no = body.replace(
            "<sr:RemotePartyRole>Supplier</sr:RemotePartyRole>",
            "<sr:RemotePartyRole>NetworkOperator</sr:RemotePartyRole>",
        );
        let no = no.replace(
            "<sr:RemotePartyPrepaymentTopUpFloorSeqNumber>0</sr:RemotePartyPrepaymentTopUpFloorSeqNumber>",
            "",
        );
        assert!(
            t.plan(
                &UpdateSecurityCredentialsKrpService,
                Srv::V6_15_1,
                &no,
                DeviceType::Esme,
                UserRole::ImportSupplier
            )
            .is_err()
        );
        // A role 6.15.1 does not replace.
        let root = body.replace(
            "<sr:RemotePartyRole>Supplier</sr:RemotePartyRole>",
            "<sr:RemotePartyRole>Root</sr:RemotePartyRole>",
        );
        let e = t
            .plan(
                &UpdateSecurityCredentialsKrpService,
                Srv::V6_15_1,
                &root,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert!(matches!(e, DccError::Schema(_)), "{e}");
        // CS02g is the ESME's only.
        let lc = template_body(
            "CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        );
        let e = t
            .plan(
                &UpdateSecurityCredentialsKrpService,
                Srv::V6_15_1,
                &lc,
                DeviceType::Gsme,
                UserRole::GasSupplier,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        // Other devices.
        for dt in [DeviceType::Gpf, DeviceType::Chf, DeviceType::Ppmid] {
            let e = t
                .plan(
                    &UpdateSecurityCredentialsKrpService,
                    Srv::V6_15_1,
                    &body,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn certificates_of_the_wrong_role_usage_or_party_are_refused() {
        let req = request(Srv::V6_15_1, &template_body(IMMEDIATE), DeviceType::Esme, 1);
        let body = UpdateSecurityCredentialsKrp::parse(&req.body).unwrap();
        let me = req.header.request_id.originator;
        assert!(krp_credentials(&body, me, uc::Activation::Now).is_ok());
        // Another party's certificate.
        assert!(krp_credentials(&body, eui::Eui64::from_u64(1), uc::Activation::Now).is_err());
        // The KA certificate in the DS slot.
        let mut swapped = body.clone();
        swapped.ds = body.ka.clone();
        assert!(krp_credentials(&swapped, me, uc::Activation::Now).is_err());
        // Not a certificate.
        let mut junk = body.clone();
        junk.ka = Some(vec![0x30, 0x00]);
        assert!(krp_credentials(&junk, me, uc::Activation::Now).is_err());
        // The supplier's certificates for the load controller's cells (as the RTDS CS02g
        // commands): passed through, the device decides whose certificates the cells take.
        let mut lc = body;
        lc.role = CredentialsRole::LoadController;
        lc.ka_top_up = None;
        lc.top_up_floor = None;
        let c = krp_credentials(&lc, me, uc::Activation::Now).unwrap();
        assert_eq!(c.party, KrpParty::LoadController);
        // ... nor the requester's: a load controller's certificates name the load controller.
        assert!(krp_credentials(&lc, eui::Eui64::from_u64(1), uc::Activation::Now).is_ok());
        // The DCC's own checks still hold for them: the slot's key usage, a certificate.
        let mut swapped = lc.clone();
        swapped.ds = lc.ka.clone();
        assert!(krp_credentials(&swapped, me, uc::Activation::Now).is_err());
        let mut junk = lc;
        junk.ds = Some(vec![0x30, 0x00]);
        assert!(krp_credentials(&junk, me, uc::Activation::Now).is_err());
    }
}
