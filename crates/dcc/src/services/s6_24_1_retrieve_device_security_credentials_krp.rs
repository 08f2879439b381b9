//! 6.24.1 Retrieve Device Security Credentials (KRP): which parties' certificates a device holds
//! in its trust anchor cells (subject, key identifier, current seq number per cell).
//!
//! | device | GBCS use case | originator |
//! |---|---|---|
//! | ESME of GBCS [`CS02F_SINCE`] or later | CS02f | the ACB, for itself |
//! | any other ESME, GSME, CHF, GPF | CS02a | the ACB, for itself |
//!
//! The MAC'd form, as the RTDS `CS02aMAC` / `CS02fMAC` vectors: the ACB originates the command
//! with its own counter and the two-byte other-information (no user on whose behalf), MACs it
//! and signs nothing, whoever the (eligible) requester is; the device's answer reaches the
//! requester as any other. The `RemotePartyRole`s map to the GBCS roles in the body's order;
//! a load controller (role 8) is asked for only by CS02f, so asking an older ESME or another
//! device type for it is E11 (the device holds no such cell). As 6.2.4 chooses its later
//! forms, CS02f goes to an ESME whose Device Model is of GBCS 4.0 or later (this
//! implementation's choice: CS02f came with the load controller in GBCS 4.0).

use duis::Srv;
use duis::bodies::{CredentialsRole, RetrieveDeviceSecurityCredentialsKrp};
use gbcs::credentials::role;
use gbcs::usecases::{self as uc, cs02a};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

/// The GBCS version from which an ESME is sent CS02f.
pub const CS02F_SINCE: (u16, u16) = (4, 0);

pub struct RetrieveDeviceSecurityCredentialsKrpService;

impl Service for RetrieveDeviceSecurityCredentialsKrpService {
    fn srv(&self) -> Srv {
        Srv::V6_24_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The GBCS remote party role code of a DUIS `RemotePartyRole`.
pub fn gbcs_role(r: CredentialsRole) -> u8 {
    match r {
        CredentialsRole::Root => role::ROOT,
        CredentialsRole::Recovery => role::RECOVERY,
        CredentialsRole::Supplier => role::SUPPLIER,
        CredentialsRole::NetworkOperator => role::NETWORK_OPERATOR,
        CredentialsRole::Acb => role::ACCESS_CONTROL_BROKER,
        CredentialsRole::TransCos => role::TRANSITIONAL_COS,
        CredentialsRole::LoadController => role::LOAD_CONTROLLER,
    }
}

impl DeviceService for RetrieveDeviceSecurityCredentialsKrpService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[
            DeviceType::Esme,
            DeviceType::Gsme,
            DeviceType::Chf,
            DeviceType::Gpf,
        ]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = RetrieveDeviceSecurityCredentialsKrp::parse(&r.request.body)
            .map_err(render::body_error)?;
        let code = match r.device.device_type {
            DeviceType::Esme if r.device.gbcs_version_at_least(CS02F_SINCE.0, CS02F_SINCE.1) => {
                cs02a::CS02F
            }
            DeviceType::Esme | DeviceType::Gsme | DeviceType::Chf | DeviceType::Gpf => cs02a::CS02A,
            _ => return Err(r.wrong_type()),
        };
        let roles: Vec<u8> = body.0.iter().map(|&x| gbcs_role(x)).collect();
        if roles.iter().any(|&x| !cs02a::may_ask_for(code, x)) {
            return Err(r.wrong_type());
        }
        r.acb_command(|h| uc::cs02a_provide_security_credential_details(h, code, &roles))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::OtherInfoExt;
    use gbcs::usecases::DecodedCommand;

    fn plan(body: &str, dt: DeviceType, role: UserRole) -> Result<Plan, DccError> {
        Harness::new().plan(
            &RetrieveDeviceSecurityCredentialsKrpService,
            Srv::V6_24_1,
            body,
            dt,
            role,
        )
    }

    fn roles(p: &Plan) -> (gbcs::MessageCode, Vec<u8>) {
        let Plan::Command {
            command,
            dcc_originated: true,
            ..
        } = p
        else {
            panic!("{p:?}")
        };
        // The ACB's own: its counter, the two-byte other-information, not signed.
        assert_eq!(command.originator, ACB);
        assert_eq!(command.counter, ACB_COUNTER);
        assert!(matches!(command.other_info.ext, OtherInfoExt::None));
        assert!(matches!(command.signature, gbcs::SignatureField::Unsigned));
        match uc::decode_command(command).unwrap() {
            DecodedCommand::Cs02a(c) | DecodedCommand::Cs02f(c) => {
                (command.message_code(), c.roles)
            }
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn the_templates_plan_the_acbs_cs02a_and_refusals() {
        let body = template_body("CS02aMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML");
        for (dt, role) in [
            (DeviceType::Esme, UserRole::ImportSupplier),
            (DeviceType::Esme, UserRole::ElectricityDistributor),
            (DeviceType::Gsme, UserRole::GasTransporter),
            (DeviceType::Chf, UserRole::ImportSupplier),
        ] {
            let p = plan(&body, dt, role).unwrap();
            assert_eq!(roles(&p), (cs02a::CS02A, vec![2, 3]), "{dt}");
        }
        // The load controller: only an ESME of GBCS 4.0 holds its cells.
        let f = template_body("CS02fMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML");
        let e = plan(&f, DeviceType::Esme, UserRole::ImportSupplier).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        let e = plan(&body, DeviceType::Ppmid, UserRole::ImportSupplier).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        // Schema-invalid bodies: none, an unknown role, a role twice.
        for bad in [
            "<sr:RetrieveDeviceSecurityCredentialsKRP/>",
            "<sr:RetrieveDeviceSecurityCredentialsKRP><sr:RemotePartyRole>Other</sr:RemotePartyRole></sr:RetrieveDeviceSecurityCredentialsKRP>",
            "<sr:RetrieveDeviceSecurityCredentialsKRP><sr:RemotePartyRole>ACB</sr:RemotePartyRole><sr:RemotePartyRole>ACB</sr:RemotePartyRole></sr:RetrieveDeviceSecurityCredentialsKRP>",
        ] {
            assert!(matches!(
                plan(bad, DeviceType::Esme, UserRole::ImportSupplier).unwrap_err(),
                DccError::Schema(_)
            ));
        }
    }

    #[test]
    fn an_esme_of_gbcs_4_gets_cs02f() {
        let t = Harness::new();
        let body = template_body("CS02fMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML");
        let req = request(Srv::V6_24_1, &body, DeviceType::Esme, 1302);
        let mut d = device(DeviceType::Esme);
        d.gbcs_version = Some("4.0".into());
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &d,
            acting_role: UserRole::ImportSupplier,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        let p = crate::catalogue::plan_device(&RetrieveDeviceSecurityCredentialsKrpService, &mut r)
            .unwrap();
        assert_eq!(roles(&p), (cs02a::CS02F, vec![2, 8]));
    }
}
