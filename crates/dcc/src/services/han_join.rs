//! What 8.7 Join Service and 8.8 Unjoin Service share (GBCS 13.7): the other device as the DCC
//! knows it ([`HanPeer`]: its type from the Smart Metering Inventory, its key-agreement
//! certificate from the SMKI repository, looked up by the gateway before planning), and the one
//! DUIS-to-GBCS rule that picks the use case from the target's type, the other device's type
//! and the variant (critical or not), each with the RTDS vectors it rests on:
//!
//! | variant | target | other device | use case |
//! |---|---|---|---|
//! | 8.7.1 | ESME | HCALCS, PPMID | CS03A1 (`8.7.1_CS03A1`) |
//! | 8.7.1 | HCALCS | ESME | CS03A2 (`8.7.1_CS03A2Critical`) |
//! | 8.7.1 | GSME | PPMID | CS03C, with the PPMID's KA certificate (`8.7.1_CS03CCritical`) |
//! | 8.7.2 | ESME, GSME | IHD, CAD (Type 2) | CS03B (`8.7.2_CS03B`) |
//! | 8.7.2 | PPMID | ESME | CS03A2, the ACB originates and signs (`8.7.2_CS03A2NonCritical`) |
//! | 8.7.2 | PPMID | GSME | CS03C, the GSME's KA certificate, ACB-signed (`8.7.2_CS03CNonCritical`) |
//! | 8.8.1 | ESME, GSME, HCALCS | any | CS04AC (`8.8.1_CS04ACCritical`) |
//! | 8.8.2 | ESME, GSME | any (a Type 2 device) | CS04B (`8.8.2_CS04B`) |
//! | 8.8.2 | PPMID | any | CS04AC, ACB-signed (`8.8.2_CS04ACNonCritical`) |
//!
//! A join's other device must be in the inventory (else E080702) and of a type the target
//! joins by the variant's method (else E080721); a Method C join needs its KA certificate
//! (else E120203, as any missing device certificate). An unjoin names any device (the RTDS
//! vectors unjoin devices the inventory does not hold). The critical variants are sent by the
//! target's supplier only (a user who is not its trust anchor is refused E2): the ACB never
//! originates a critical join or unjoin.

use duis::Srv;
use duis::bodies::JoinOrUnjoinDevice;
use eui::Eui64;
use gbcs::usecases::{self as uc, JoinDeviceType, han_join as g};

use super::{DeviceRequest, Originator, Plan};
use crate::error::{AuthzError, DccError, ServiceError};
use crate::model::DeviceType;
use crate::render;
use crate::store::Tx;

/// The other device of a join or unjoin, as the DCC knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HanPeer {
    /// `OtherDeviceID`.
    pub id: Eui64,
    /// Its type in the Smart Metering Inventory (`None`: not in it).
    pub device_type: Option<DeviceType>,
    /// Its SMKI key-agreement certificate (DER), when one was issued.
    pub ka_certificate: Option<Vec<u8>>,
}

/// The body element of a join or unjoin variant.
pub fn body_element(srv: Srv) -> Option<&'static str> {
    Some(match srv {
        Srv::V8_7_1 => "JoinServiceCritical",
        Srv::V8_7_2 => "JoinServiceNonCritical",
        Srv::V8_8_1 => "UnjoinServiceCritical",
        Srv::V8_8_2 => "UnjoinServiceNonCritical",
        _ => return None,
    })
}

/// The `OtherDeviceID` of a join or unjoin request.
pub fn other_device(request: &duis::Request) -> Result<Eui64, DccError> {
    let srv = request.header.service_reference_variant;
    let name = body_element(srv).ok_or_else(|| super::wrong_type(srv, DeviceType::Chf))?;
    JoinOrUnjoinDevice::parse(&request.body, name)
        .map(|b| b.other_device)
        .map_err(render::body_error)
}

/// The other device as the store knows it.
pub fn lookup(tx: &mut dyn Tx, id: Eui64) -> Result<HanPeer, DccError> {
    Ok(HanPeer {
        id,
        device_type: tx.device(id)?.map(|d| d.device_type),
        ka_certificate: tx.device_cert(id, "ka")?,
    })
}

/// The GBCS device type a join names for an inventory device type.
pub fn join_device_type(t: DeviceType) -> Option<JoinDeviceType> {
    Some(match t {
        DeviceType::Esme => JoinDeviceType::Esme,
        DeviceType::Gsme => JoinDeviceType::Gsme,
        DeviceType::Hcalcs => JoinDeviceType::Hcalcs,
        DeviceType::Ppmid => JoinDeviceType::Ppmid,
        DeviceType::Ihd | DeviceType::Cad => JoinDeviceType::Type2,
        DeviceType::Chf | DeviceType::Gpf => return None,
    })
}

fn peer<'r>(r: &'r DeviceRequest<'_>) -> Result<&'r HanPeer, DccError> {
    let want = other_device(r.request)?;
    match &r.han_peer {
        Some(p) if p.id == want => Ok(p),
        _ => Err(crate::error::InternalError::Render(format!(
            "{}: the other device {want} was not looked up",
            r.srv()
        ))
        .into()),
    }
}

/// A critical variant is sent by the target's trust anchor itself.
fn require_user(r: &DeviceRequest<'_>, spec: &uc::UseCaseSpec) -> Result<(), DccError> {
    if super::originator(r.device.device_type, r.acting_role, spec) == Some(Originator::User) {
        return Ok(());
    }
    Err(AuthzError::NotTrustAnchor {
        srv: r.srv(),
        role: r.acting_role.as_code().to_string(),
        device_type: r.device.device_type.to_string(),
    }
    .into())
}

fn incompatible(r: &DeviceRequest<'_>, other: Option<DeviceType>) -> DccError {
    ServiceError::HanJoinIncompatible {
        srv: r.srv(),
        target: r.device.device_type.to_string(),
        other: other.map_or_else(|| "unknown".to_string(), |t| t.to_string()),
    }
    .into()
}

/// 8.7.1 and 8.7.2: the join command.
pub fn plan_join(r: &mut DeviceRequest<'_>, critical: bool) -> Result<Plan, DccError> {
    let p = peer(r)?.clone();
    let Some(other_type) = p.device_type else {
        return Err(ServiceError::HanJoinUnknownDevice(p.id.to_string()).into());
    };
    let target = r.device.device_type;
    let jt = join_device_type(other_type);
    let certificate = || {
        p.ka_certificate
            .clone()
            .ok_or_else(|| DccError::from(ServiceError::NoDeviceCertificate(p.id.to_string())))
    };
    match (critical, target, jt) {
        (true, DeviceType::Esme, Some(t @ (JoinDeviceType::Hcalcs | JoinDeviceType::Ppmid))) => {
            require_user(r, &uc::cs03a1::SPEC)?;
            r.try_use_case_command(g::CS03A1, |h| uc::cs03a1_join_meter(h, p.id, t))
        }
        (true, DeviceType::Hcalcs, Some(JoinDeviceType::Esme))
        | (false, DeviceType::Ppmid, Some(JoinDeviceType::Esme)) => {
            if critical {
                require_user(r, &uc::cs03a2::SPEC)?;
            }
            r.try_use_case_command(g::CS03A2, |h| uc::cs03a2_join_non_meter(h, p.id))
        }
        (true, DeviceType::Gsme, Some(t @ JoinDeviceType::Ppmid))
        | (false, DeviceType::Ppmid, Some(t @ JoinDeviceType::Gsme)) => {
            if critical {
                require_user(r, &uc::cs03c::SPEC)?;
            }
            let cert = certificate()?;
            r.try_use_case_command(g::CS03C, |h| uc::cs03c_join_method_c(h, p.id, t, &cert))
        }
        (false, DeviceType::Esme | DeviceType::Gsme, Some(JoinDeviceType::Type2)) => {
            r.try_use_case_command(g::CS03B, |h| uc::cs03b_join_type2(h, p.id))
        }
        _ => Err(incompatible(r, Some(other_type))),
    }
}

/// 8.8.1 and 8.8.2: the unjoin command.
pub fn plan_unjoin(r: &mut DeviceRequest<'_>, critical: bool) -> Result<Plan, DccError> {
    let other = other_device(r.request)?;
    match (critical, r.device.device_type) {
        (true, DeviceType::Esme | DeviceType::Gsme | DeviceType::Hcalcs) => {
            require_user(r, &uc::cs04ac::SPEC)?;
            r.use_case_command(g::CS04AC, |h| uc::cs04ac_unjoin(h, other))
        }
        (false, DeviceType::Ppmid) => {
            r.use_case_command(g::CS04AC, |h| uc::cs04ac_unjoin(h, other))
        }
        (false, DeviceType::Esme | DeviceType::Gsme) => {
            r.use_case_command(g::CS04B, |h| uc::cs04b_unjoin(h, other))
        }
        _ => Err(r.wrong_type()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue;
    use crate::services::testing::*;
    use duis::UserRole;
    use time::OffsetDateTime;

    const OTHER: u64 = 0x00db_1234_5678_90ee;

    fn body(element: &str) -> String {
        format!(
            "<sr:{element}><sr:OtherDeviceID>{}</sr:OtherDeviceID></sr:{element}>",
            Eui64::from_u64(OTHER)
        )
    }

    fn plan(
        srv: Srv,
        target: DeviceType,
        role: UserRole,
        other: Option<DeviceType>,
        cert: bool,
    ) -> Result<Plan, DccError> {
        let t = Harness::new();
        let req = request(srv, &body(body_element(srv).unwrap()), target, 77);
        let device = device(target);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &device,
            acting_role: role,
            dcc: &t.dcc,
            dcc_counter: &mut counter,
            now: OffsetDateTime::UNIX_EPOCH,
            han_peer: Some(HanPeer {
                id: Eui64::from_u64(OTHER),
                device_type: other,
                ka_certificate: cert.then(|| vec![0x30, 0x03, 0x02, 0x01, 0x00]),
            }),
        };
        let service = catalogue::device_service(srv).unwrap();
        catalogue::plan_device(service, &mut r)
    }

    fn code(p: &Plan) -> (gbcs::MessageCode, &'static str) {
        match p {
            Plan::PreCommand(g) => (g.message_code(), "pre"),
            Plan::Command {
                command,
                dcc_originated: true,
                ..
            } if matches!(command.signature, gbcs::SignatureField::Signed(_)) => {
                (command.message_code(), "acb-signed")
            }
            Plan::Command { command, .. } => (command.message_code(), "command"),
            _ => panic!("{p:?}"),
        }
    }

    #[test]
    fn the_use_case_follows_the_target_the_other_device_and_the_variant() {
        use DeviceType as D;
        use UserRole as R;
        let ok = |srv, t, role, other, cert| code(&plan(srv, t, role, Some(other), cert).unwrap());
        assert_eq!(
            ok(Srv::V8_7_1, D::Esme, R::ImportSupplier, D::Hcalcs, false),
            (g::CS03A1, "pre")
        );
        assert_eq!(
            ok(Srv::V8_7_1, D::Esme, R::ImportSupplier, D::Ppmid, false),
            (g::CS03A1, "pre")
        );
        assert_eq!(
            ok(Srv::V8_7_1, D::Hcalcs, R::ImportSupplier, D::Esme, false),
            (g::CS03A2, "pre")
        );
        assert_eq!(
            ok(Srv::V8_7_1, D::Gsme, R::GasSupplier, D::Ppmid, true),
            (g::CS03C, "pre")
        );
        assert_eq!(
            ok(Srv::V8_7_2, D::Ppmid, R::ImportSupplier, D::Esme, false),
            (g::CS03A2, "acb-signed")
        );
        assert_eq!(
            ok(Srv::V8_7_2, D::Ppmid, R::GasSupplier, D::Gsme, true),
            (g::CS03C, "acb-signed")
        );
        assert_eq!(
            ok(Srv::V8_7_2, D::Esme, R::ImportSupplier, D::Ihd, false),
            (g::CS03B, "command")
        );
        let unjoin = |srv, t, role| code(&plan(srv, t, role, None, false).unwrap());
        assert_eq!(
            unjoin(Srv::V8_8_1, D::Esme, R::ImportSupplier),
            (g::CS04AC, "pre")
        );
        assert_eq!(
            unjoin(Srv::V8_8_2, D::Ppmid, R::ImportSupplier),
            (g::CS04AC, "acb-signed")
        );
        assert_eq!(
            unjoin(Srv::V8_8_2, D::Gsme, R::GasSupplier),
            (g::CS04B, "command")
        );
    }

    #[test]
    fn refusals() {
        use DeviceType as D;
        use UserRole as R;
        let code_of = |e: DccError| e.outcome().code;
        // Not in the inventory.
        let e = plan(Srv::V8_7_1, D::Esme, R::ImportSupplier, None, false).unwrap_err();
        assert_eq!(code_of(e), Some(duis::ResponseCode::E080702));
        // A type the target does not join by the variant.
        for (srv, t, role, other) in [
            (Srv::V8_7_1, D::Esme, R::ImportSupplier, D::Chf),
            (Srv::V8_7_1, D::Esme, R::ImportSupplier, D::Ihd),
            (Srv::V8_7_2, D::Esme, R::ImportSupplier, D::Ppmid),
            (Srv::V8_7_2, D::Ppmid, R::ImportSupplier, D::Hcalcs),
        ] {
            let e = plan(srv, t, role, Some(other), true).unwrap_err();
            assert_eq!(
                code_of(e),
                Some(duis::ResponseCode::E080721),
                "{srv} {t} {other}"
            );
        }
        // Method C without the other device's KA certificate.
        let e = plan(Srv::V8_7_1, D::Gsme, R::GasSupplier, Some(D::Ppmid), false).unwrap_err();
        assert_eq!(code_of(e), Some(duis::ResponseCode::E120203));
        // A critical join by a user who is not the target's trust anchor.
        let e = plan(Srv::V8_7_1, D::Esme, R::GasSupplier, Some(D::Hcalcs), false).unwrap_err();
        assert_eq!(code_of(e), Some(duis::ResponseCode::E2));
    }
}
