//! World-building shared by the dcc integration tests: a fixed clock, SMKI organisation and
//! device certificates, the store records made from them, the DCC's keys and gateway, DUIS
//! requests, and reading back what the gateway answered and queued.

// Each test target uses a part of this module.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use dcc::catalogue::DccCrypto;
use dcc::gateway::{Clock, Gateway, Limits};
use dcc::model::{
    CspRegion, Device, DeviceStatus, DeviceType, OrgCertRecord, Premises, Registration,
    RegistrationRole, User,
};
use duis::UserRole;
use eui::Eui64;
use gbcs::frame::{Frame, GeneralSigning};
use smki::{KeyPair, KeyUsage, OrgCertRequest, Pki, PkiNames, RemotePartyRole, Serial};
use store::SqliteStore;
use time::{Duration, OffsetDateTime};

/// The RTDS entity map (gbcs-notes §1.7): the ACB, the users, and the devices.
pub const ACB: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
pub const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
pub const TRANSPORTER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x05, 0x00, 0x00]);
pub const OTHER_USER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x07, 0x00, 0x00]);
pub const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);
pub const GSME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA1]);
pub const CHF: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA2]);
pub const GPF: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA3]);
pub const MPAN: &str = "1900000000018";
pub const MPRN: &str = "7000000001";

pub struct FixedClock(pub Mutex<OffsetDateTime>);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// The instant every world starts at, and a fresh SMKI hierarchy valid then.
pub fn now_and_pki() -> (OffsetDateTime, Pki) {
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    (now, pki(now))
}

pub fn pki(now: OffsetDateTime) -> Pki {
    Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap()
}

/// A digital-signing organisation certificate for `eui` in `role`, valid around `now`, and its key.
pub fn org_cert(
    pki: &Pki,
    eui: Eui64,
    role: RemotePartyRole,
    now: OffsetDateTime,
) -> (KeyPair, Vec<u8>) {
    let key = KeyPair::generate_with_os_rng().unwrap();
    let der = pki
        .oca
        .issue_organisation(&OrgCertRequest {
            common_name: Some("TEST".into()),
            eui,
            role,
            usage: KeyUsage::DigitalSignature,
            public_key: key.public_key(),
            serial: Serial::random_with_os_rng().unwrap(),
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(365),
        })
        .unwrap();
    (key, der)
}

/// A device's key-agreement key and its device certificate.
pub fn device_cert(pki: &Pki, eui: Eui64, now: OffsetDateTime) -> (KeyPair, Vec<u8>) {
    let ka = KeyPair::generate_with_os_rng().unwrap();
    let der = pki
        .dca
        .issue_device(&smki::DeviceCertRequest {
            eui,
            usage: KeyUsage::KeyAgreement,
            public_key: ka.public_key(),
            serial: Serial::random_with_os_rng().unwrap(),
            not_before: now,
        })
        .unwrap();
    (ka, der)
}

/// The store's record of an organisation certificate.
pub fn record(der: &[u8]) -> OrgCertRecord {
    let c = smki::OrgCertificate::from_der(der).unwrap();
    OrgCertRecord {
        serial: c.serial_decimal().to_string(),
        issuer: c.issuer().to_string(),
        subject_eui: c.eui(),
        role: c.role().code(),
        public_key: c.public_key_sec1().to_vec(),
        der: der.to_vec(),
        revoked: false,
    }
}

pub fn xml_signer(key: &KeyPair, der: &[u8]) -> xmldsig::XmlSigner {
    let (is, _) = xmldsig::issuer_serial_of_cert(der).unwrap();
    xmldsig::XmlSigner::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), is).unwrap()
}

/// A commissioned device at premises "1".
pub fn device(id: Eui64, t: DeviceType, chf: Eui64, mpxn: Option<&str>) -> Device {
    Device {
        id,
        device_type: t,
        status: DeviceStatus::Commissioned,
        manufacturer: "m".into(),
        model: "m".into(),
        firmware_version: None,
        smets_chts_version: None,
        esme_variant: None,
        uprn: Some("1".into()),
        chf: Some(chf),
        mpxn: mpxn.map(Into::into),
        date_commissioned: None,
        gbcs_version: None,
    }
}

/// An active user with no response URL.
pub fn user(eui: Eui64, name: &str, roles: Vec<UserRole>) -> User {
    User {
        eui,
        name: name.into(),
        roles,
        response_url: None,
        suspended: false,
    }
}

/// Premises "1" in the Central region, with the meters' MPAN and MPRN.
pub fn premises(mpan: Option<&str>, mprn: Option<&str>) -> Premises {
    Premises {
        uprn: "1".into(),
        postcode: "M22 0RR".into(),
        address_identifier: "1".into(),
        region: CspRegion::Central,
        mpan: mpan.map(Into::into),
        mprn: mprn.map(Into::into),
    }
}

/// `party` registered for `mpxn` in `role` since 2020, open-ended.
pub fn registration(mpxn: &str, role: RegistrationRole, party: Eui64) -> Registration {
    Registration {
        mpxn: mpxn.into(),
        role,
        party,
        from: time::macros::date!(2020 - 01 - 01),
        to: None,
    }
}

/// A key as GBCS signs with it.
pub fn signing_key(key: &KeyPair) -> gbcs::crypto::SigningKey {
    gbcs::crypto::SigningKey::from_der(&key.to_pkcs8_der().unwrap()).unwrap()
}

/// The gateway of a world: the DCC's XML signer and the ACB's key-agreement and signing keys.
pub fn gateway(
    store: Arc<SqliteStore>,
    now: OffsetDateTime,
    dcc_signer: xmldsig::XmlSigner,
    acb: Eui64,
    acb_ka: &KeyPair,
    acb_ds: &KeyPair,
) -> Gateway<SqliteStore, FixedClock> {
    let dcc = DccCrypto {
        acb,
        acb_ka: gbcs::crypto::KaPrivateKey::from_der(&acb_ka.to_pkcs8_der().unwrap()).unwrap(),
        acb_ds: signing_key(acb_ds),
        trans_cos: None,
    };
    Gateway::new(
        store,
        FixedClock(Mutex::new(now)),
        Arc::new(dcc_signer),
        Arc::new(dcc),
        Limits::default(),
    )
}

/// An unsigned DUIS request, its ServiceReference given as is.
pub fn request(
    originator: Eui64,
    target: Eui64,
    counter: u64,
    cv: u8,
    srv: &str,
    sr: &str,
    body: &str,
) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4"><sr:Header><sr:RequestID>{originator}:{target}:{counter}</sr:RequestID><sr:CommandVariant>{cv}</sr:CommandVariant><sr:ServiceReference>{sr}</sr:ServiceReference><sr:ServiceReferenceVariant>{srv}</sr:ServiceReferenceVariant></sr:Header><sr:Body>{body}</sr:Body></sr:Request>"#
    )
}

/// The pre-command a CV 4 answer carries.
pub fn precommand_of(response: &str) -> Vec<u8> {
    use base64::Engine as _;
    let start = response.find("<sr:GBCSPayload>").unwrap() + "<sr:GBCSPayload>".len();
    let end = start + response[start..].find('<').unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(&response[start..end])
        .unwrap()
}

/// A CV 5 body carrying a signed pre-command.
pub fn signed_precommand_body(payload: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "<sr:SignedPreCommand><sr:GBCSPayload>{}</sr:GBCSPayload></sr:SignedPreCommand>",
        base64::engine::general_purpose::STANDARD.encode(payload)
    )
}

/// The command a WAN job carries, after checking its MAC as the device does: the device's KA
/// private key × the ACB's KA public key.
pub fn mac_checked_command(
    command: &[u8],
    device_ka: &KeyPair,
    acb_ka: &KeyPair,
) -> GeneralSigning {
    let Frame::Ciphered(c) = Frame::decode(command).unwrap() else {
        panic!("a WAN command is MAC'd");
    };
    let device = gbcs::crypto::KaPrivateKey::from_der(&device_ka.to_pkcs8_der().unwrap()).unwrap();
    let acb =
        gbcs::crypto::PublicKey::from_sec1(&acb_ka.public_key().to_sec1_uncompressed()).unwrap();
    let key = device
        .derive(&acb, &gbcs::crypto::KdfContext::for_mac(&c.apdu))
        .unwrap();
    c.verify_mac(&key).unwrap();
    c.apdu.clone()
}

/// Lists `models` (device type, manufacturer, model) on the store's Certified Products List,
/// each with the certificates its type needs, valid from a year before `now`: 12.2 pre-notifies
/// and 8.1.1 commissions only listed models.
pub fn list_on_cpl(
    tx: &mut dyn dcc::store::Tx,
    models: &[(DeviceType, &str, &str)],
    now: OffsetDateTime,
) -> Result<(), dcc::store::StoreError> {
    let issued = now.date() - Duration::days(365);
    let expires = issued + Duration::days(365 * 6);
    let mut list = cpl::Cpl::new();
    for &(t, manufacturer, model) in models {
        let Some(pt) = cpl::ProductType::of(t) else {
            continue;
        };
        let certificates = cpl::required_certificates(pt)
            .iter()
            .map(|&kind| cpl::Certificate {
                kind,
                reference: format!("TEST-{kind}-{manufacturer}-{model}"),
                issued,
                expires,
            })
            .collect();
        list.add_model(
            &cpl::Party::Dcc,
            cpl::NewModel {
                key: cpl::ModelKey {
                    product_type: pt,
                    manufacturer: manufacturer.into(),
                    model: model.into(),
                    hardware_version: "1".into(),
                },
                certificates,
                firmware: Vec::new(),
            },
            now.unix_timestamp(),
        )
        .expect("a valid test model");
    }
    for m in list.models() {
        tx.put_cpl_model(m)?;
    }
    Ok(())
}
