//! What the service modules' unit tests share: a DCC with fresh keys, requests built from a
//! body, and checks of a plan's command.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use duis::{Srv, UserRole};
use eui::Eui64;
use gbcs::frame::{OtherInfoExt, SignatureField};
use time::OffsetDateTime;

pub use gbcs::MessageCode;

use super::{DeviceRequest, DeviceService, Plan};
use crate::catalogue::{self, DccCrypto};
use crate::error::DccError;
use crate::model::{Device, DeviceStatus, DeviceType};

/// The RTDS entity map: the supplier, the ACB, and one device per type.
pub const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
pub const ACB: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
/// The ACB counter the harness hands out.
pub const ACB_COUNTER: u64 = 1302;

pub fn device_id(t: DeviceType) -> Eui64 {
    let last = match t {
        DeviceType::Esme => 0xA0,
        DeviceType::Gsme => 0xA1,
        DeviceType::Chf => 0xA2,
        DeviceType::Gpf => 0xA3,
        DeviceType::Ppmid => 0xA4,
        DeviceType::Hcalcs => 0xA5,
        DeviceType::Ihd => 0xA7,
        DeviceType::Cad => 0xA8,
    };
    Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, last])
}

pub fn device(t: DeviceType) -> Device {
    Device {
        id: device_id(t),
        device_type: t,
        status: DeviceStatus::Commissioned,
        manufacturer: "m".into(),
        model: "m".into(),
        firmware_version: None,
        smets_chts_version: None,
        esme_variant: None,
        uprn: Some("1".into()),
        chf: None,
        mpxn: None,
        date_commissioned: None,
        gbcs_version: None,
    }
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

pub struct Harness {
    pub dcc: DccCrypto,
}

impl Harness {
    pub fn new() -> Self {
        let ka = smki::KeyPair::generate_with_os_rng().unwrap();
        let ds = smki::KeyPair::generate_with_os_rng().unwrap();
        Self {
            dcc: DccCrypto {
                acb: ACB,
                acb_ka: gbcs::crypto::KaPrivateKey::from_der(&ka.to_pkcs8_der().unwrap()).unwrap(),
                acb_ds: gbcs::crypto::SigningKey::from_der(&ds.to_pkcs8_der().unwrap()).unwrap(),
                trans_cos: None,
            },
        }
    }

    /// Plans `body` as service `srv` from the supplier to the device of type `dt`, the
    /// requester acting in `role`, counter 77.
    pub fn plan(
        &self,
        service: &dyn DeviceService,
        srv: Srv,
        body: &str,
        dt: DeviceType,
        role: UserRole,
    ) -> Result<Plan, DccError> {
        self.plan_rtds(service, srv, body, dt, role, 77)
    }

    /// As [`Self::plan`] with the RequestID counter `counter`.
    pub fn plan_rtds(
        &self,
        service: &dyn DeviceService,
        srv: Srv,
        body: &str,
        dt: DeviceType,
        role: UserRole,
        counter: u64,
    ) -> Result<Plan, DccError> {
        let req = request(srv, body, dt, counter);
        let device = device(dt);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &device,
            acting_role: role,
            dcc: &self.dcc,
            dcc_counter: &mut counter,
            now: OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        catalogue::plan_device(service, &mut r)
    }

    /// The gateway's path for a request: service acceptance ([`DeviceService::accept`]), then
    /// the plan.
    pub fn accept_and_plan(
        &self,
        service: &dyn DeviceService,
        srv: Srv,
        body: &str,
        dt: DeviceType,
        role: UserRole,
    ) -> Result<Plan, DccError> {
        let req = request(srv, body, dt, 77);
        let device = device(dt);
        let mut counter = || Ok(ACB_COUNTER);
        let mut r = DeviceRequest {
            request: &req,
            device: &device,
            acting_role: role,
            dcc: &self.dcc,
            dcc_counter: &mut counter,
            now: OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
            han_peer: None,
        };
        service.accept(&r)?;
        catalogue::plan_device(service, &mut r)
    }
}

/// A request for `srv` from the supplier to the device of type `dt` (CV 4 for a critical
/// service, else 1).
pub fn request(srv: Srv, body: &str, dt: DeviceType, counter: u64) -> duis::Request {
    let cv = if srv.info().critical { 4 } else { 1 };
    let xml = format!(
        r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4"><sr:Header><sr:RequestID>{SUPPLIER}:{}:{counter}</sr:RequestID><sr:CommandVariant>{cv}</sr:CommandVariant><sr:ServiceReference>{}</sr:ServiceReference><sr:ServiceReferenceVariant>{srv}</sr:ServiceReferenceVariant></sr:Header><sr:Body>{body}</sr:Body></sr:Request>"#,
        device_id(dt),
        srv.service_reference(),
    );
    duis::parse_request(xml.as_bytes()).unwrap()
}

/// `plan` is a command of use case `code` for the device of type `dt`, originated by the ACB on
/// the supplier's behalf (`by_acb`) or by the supplier, ready to send (not a pre-command).
pub fn assert_command(plan: &Plan, code: MessageCode, by_acb: bool, _t: &Harness, dt: DeviceType) {
    let Plan::Command {
        use_case,
        command,
        dcc_originated,
    } = plan
    else {
        panic!("a command expected: {plan:?}")
    };
    assert_eq!(*use_case, code);
    assert_eq!(command.message_code(), code);
    assert_eq!(*dcc_originated, by_acb, "{code:?} {dt}");
    assert_eq!(command.recipient, device_id(dt));
    assert!(
        !matches!(command.signature, SignatureField::Absent),
        "{code:?}"
    );
    if by_acb {
        assert_eq!(command.originator, ACB);
        assert_eq!(command.counter, ACB_COUNTER);
        assert!(
            matches!(command.other_info.ext, OtherInfoExt::RemotePartyCounter { remote_party, .. } if remote_party == SUPPLIER),
            "{:?}",
            command.other_info
        );
    } else {
        assert_eq!(command.originator, SUPPLIER);
        assert!(matches!(command.other_info.ext, OtherInfoExt::None));
    }
}

/// `plan` is the supplier's pre-command of use case `code` for the device of type `dt`.
pub fn assert_precommand(plan: &Plan, code: MessageCode, _t: &Harness, dt: DeviceType) {
    let Plan::PreCommand(g) = plan else {
        panic!("a pre-command expected: {plan:?}")
    };
    assert_eq!(g.message_code(), code);
    assert!(g.is_precommand());
    assert_eq!(g.originator, SUPPLIER);
    assert_eq!(g.recipient, device_id(dt));
}

/// 7.5, 7.6 and 7.8 (ECS47, critical, ESME only): `body` plans as the ECS47 pre-command that
/// decodes to `expected` on an ESME, and E11 on every other device type.
pub fn assert_ecs47_service(
    service: &dyn DeviceService,
    srv: Srv,
    body: &str,
    expected: gbcs::usecases::AuxLoadCommand,
) {
    let t = Harness::new();
    let plan = t
        .plan(
            service,
            srv,
            body,
            DeviceType::Esme,
            UserRole::ImportSupplier,
        )
        .unwrap();
    assert_precommand(&plan, MessageCode::ECS47, &t, DeviceType::Esme);
    let Plan::PreCommand(g) = plan else {
        unreachable!()
    };
    assert_eq!(
        gbcs::usecases::decode_command(&g).unwrap(),
        gbcs::usecases::DecodedCommand::Ecs47(expected)
    );
    for dt in [
        DeviceType::Gsme,
        DeviceType::Gpf,
        DeviceType::Chf,
        DeviceType::Hcalcs,
    ] {
        let e = t
            .plan(service, srv, body, dt, UserRole::ImportSupplier)
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
    }
}

/// The `sr:Body` content of the DUIS template `name` (from the corpus).
pub fn template_body(name: &str) -> String {
    let dir = std::env::var("OPENDCC_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
    let xml = std::fs::read_to_string(format!("{dir}/duis-templates/{name}")).unwrap();
    let a = xml.find("<sr:Body>").unwrap() + "<sr:Body>".len();
    let b = xml.find("</sr:Body>").unwrap();
    xml[a..b].to_owned()
}

/// The decoded RTDS 4.5.0 pre-command `{stem}_PRECOMMAND_GBCS.HEX` in `dir`.
pub fn rtds_precommand(dir: &str, stem: &str) -> gbcs::usecases::DecodedCommand {
    let root = std::env::var("OPENDCC_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
    let hex = std::fs::read_to_string(format!(
        "{root}/rtds/RTDS-4.5.0/{dir}/{stem}_PRECOMMAND_GBCS.HEX"
    ))
    .unwrap();
    let bytes: Vec<u8> = (0..hex.trim().len() / 2)
        .map(|i| u8::from_str_radix(&hex.trim()[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    gbcs::usecases::decode_command(&gbcs::GeneralSigning::decode(&bytes).unwrap()).unwrap()
}

/// The DUIS response code `r` fails with.
pub fn error_code(r: Result<Plan, DccError>) -> Option<duis::ResponseCode> {
    r.err().and_then(|e| e.outcome().code)
}
