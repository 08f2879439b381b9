//! The request life cycle without sockets: the gateway over a real (in-memory) SQLite store,
//! real SMKI certificates, real XML signatures and real GBCS — every check, the critical flow
//! and its correlation rules, and that refusals change nothing.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use dcc::gateway::{Answer, Clock, Gateway, Inbound, Limits};
use dcc::model::{
    CspRegion, Device, DeviceStatus, DeviceType, OrgCertRecord, Premises, Registration,
    RegistrationRole, User,
};
use dcc::store::Store;
use dcc::transform::DccCrypto;
use duis::{Endpoint, ResponseCode, UserRole};
use eui::Eui64;
use smki::{KeyPair, KeyUsage, OrgCertRequest, Pki, PkiNames, RemotePartyRole, Serial};
use store::SqliteStore;
use time::{Duration, OffsetDateTime};

const DCC: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
const TRANSPORTER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x05, 0x00, 0x00]);
const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);
const MPAN: &str = "1900000000018";

struct FixedClock(Mutex<OffsetDateTime>);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

struct Party {
    key: KeyPair,
    signer: xmldsig::XmlSigner,
}

struct Fixture {
    gateway: Gateway<SqliteStore, FixedClock>,
    store: Arc<SqliteStore>,
    supplier: Party,
    transporter: Party,
    stranger: Party,
    dcc_xml_key: Vec<u8>,
    device_ka: KeyPair,
    acb_ka: KeyPair,
}

fn org(pki: &Pki, eui: Eui64, role: RemotePartyRole, now: OffsetDateTime) -> (KeyPair, Vec<u8>) {
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

fn party(key: KeyPair, der: &[u8]) -> Party {
    let (is, _) = xmldsig::issuer_serial_of_cert(der).unwrap();
    let signer = xmldsig::XmlSigner::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), is).unwrap();
    Party { key, signer }
}

fn record(der: &[u8]) -> OrgCertRecord {
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

fn fixture() -> Fixture {
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let pki = Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
    let other_pki = Pki::generate_with_os_rng(now, &PkiNames::default()).unwrap();
    let (sk, sder) = org(&pki, SUPPLIER, RemotePartyRole::Supplier, now);
    let (tk, tder) = org(&pki, TRANSPORTER, RemotePartyRole::NetworkOperator, now);
    let (xk, xder) = org(&pki, DCC, RemotePartyRole::DspXmlSigning, now);
    let (ok, oder) = org(&other_pki, SUPPLIER, RemotePartyRole::Supplier, now);
    let device_ka = KeyPair::generate_with_os_rng().unwrap();
    let device_cert = pki
        .dca
        .issue_device(&smki::DeviceCertRequest {
            eui: ESME,
            usage: KeyUsage::KeyAgreement,
            public_key: device_ka.public_key(),
            serial: Serial::random_with_os_rng().unwrap(),
            not_before: now,
        })
        .unwrap();
    let acb_ka = KeyPair::generate_with_os_rng().unwrap();
    let acb_ds = KeyPair::generate_with_os_rng().unwrap();
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    store
        .transaction(|tx| {
            for (eui, name, roles) in [
                (
                    SUPPLIER,
                    "supplier",
                    vec![UserRole::ImportSupplier, UserRole::GasSupplier],
                ),
                (TRANSPORTER, "transporter", vec![UserRole::GasTransporter]),
            ] {
                tx.put_user(&User {
                    eui,
                    name: name.into(),
                    roles,
                    response_url: None,
                    suspended: false,
                })?;
            }
            for der in [&sder, &tder, &xder] {
                tx.put_org_cert(&record(der))?;
            }
            tx.put_premises(&Premises {
                uprn: "1".into(),
                postcode: "M22 0RR".into(),
                address_identifier: "1".into(),
                region: CspRegion::Central,
                mpan: Some(MPAN.into()),
                mprn: None,
            })?;
            tx.put_registration(&Registration {
                mpxn: MPAN.into(),
                role: RegistrationRole::ImportSupplier,
                party: SUPPLIER,
                from: time::macros::date!(2020 - 01 - 01),
                to: None,
            })?;
            tx.put_device(&Device {
                id: ESME,
                device_type: DeviceType::Esme,
                status: DeviceStatus::Commissioned,
                manufacturer: "m".into(),
                model: "m".into(),
                firmware_version: None,
                smets_chts_version: None,
                esme_variant: None,
                uprn: Some("1".into()),
                chf: Some(ESME),
                mpxn: Some(MPAN.into()),
                date_commissioned: None,
            })?;
            tx.put_device_cert(ESME, "ka", &device_cert)?;
            Ok(())
        })
        .unwrap();
    let dcc_signer = party(xk, &xder);
    let dcc_xml_key = dcc_signer.key.public_key().to_sec1_uncompressed().to_vec();
    let dcc = DccCrypto {
        acb: DCC,
        acb_ka: gbcs::crypto::KaPrivateKey::from_der(&acb_ka.to_pkcs8_der().unwrap()).unwrap(),
        acb_ds: gbcs::crypto::SigningKey::from_der(&acb_ds.to_pkcs8_der().unwrap()).unwrap(),
    };
    let gateway = Gateway::new(
        store.clone(),
        FixedClock(Mutex::new(now)),
        Arc::new(dcc_signer.signer),
        Arc::new(dcc),
        Limits::default(),
    );
    Fixture {
        gateway,
        store,
        supplier: party(sk, &sder),
        transporter: party(tk, &tder),
        stranger: party(ok, &oder),
        dcc_xml_key,
        device_ka,
        acb_ka,
    }
}

fn request(
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

fn read_inventory(counter: u64) -> String {
    request(
        SUPPLIER,
        DCC,
        counter,
        8,
        "8.2",
        "8.2",
        &format!("<sr:ReadInventory><sr:DeviceID>{ESME}</sr:DeviceID></sr:ReadInventory>"),
    )
}

impl Fixture {
    fn send(&self, endpoint: Endpoint, signed: &str) -> Answer {
        self.gateway.handle(Inbound {
            endpoint,
            tls_identity: None,
            body: signed.as_bytes(),
        })
    }

    /// Everything a refusal must leave alone.
    fn snapshot(&self) -> (Option<u64>, usize, Option<String>) {
        self.store
            .transaction(|tx| {
                Ok((
                    tx.last_counter(SUPPLIER)?,
                    tx.pending_wan_jobs()?,
                    tx.device(ESME)?.map(|d| format!("{d:?}")),
                ))
            })
            .unwrap()
    }
}

#[test]
fn signed_request_is_answered_with_a_dcc_signed_schema_valid_response() {
    let f = fixture();
    let a = f.send(
        Endpoint::NonDevice,
        &f.supplier.signer.sign(&read_inventory(10)).unwrap(),
    );
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code, Some(ResponseCode::I0));
    xmldsig::verify(a.body.as_bytes(), &f.dcc_xml_key).unwrap();
    duis_schema::validate_response(a.body.as_bytes()).unwrap();
    assert!(a.body.contains(&ESME.to_string()));
}

#[test]
fn replay_and_lower_counters_are_refused_and_change_nothing() {
    let f = fixture();
    let signed = f.supplier.signer.sign(&read_inventory(10)).unwrap();
    assert_eq!(
        f.send(Endpoint::NonDevice, &signed).code,
        Some(ResponseCode::I0)
    );
    let before = f.snapshot();
    let again = f.send(Endpoint::NonDevice, &signed);
    assert_eq!((again.http_status, again.code), (409, None));
    let lower = f.send(
        Endpoint::NonDevice,
        &f.supplier.signer.sign(&read_inventory(9)).unwrap(),
    );
    assert_eq!(lower.http_status, 409);
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_signature_from_a_foreign_ca_or_a_tampered_document_is_refused() {
    let f = fixture();
    let before = f.snapshot();
    let foreign = f.send(
        Endpoint::NonDevice,
        &f.stranger.signer.sign(&read_inventory(10)).unwrap(),
    );
    assert_eq!(foreign.http_status, 401, "{}", foreign.body);
    let tampered = f
        .supplier
        .signer
        .sign(&read_inventory(11))
        .unwrap()
        .replace("90-A0</sr:DeviceID>", "90-A1</sr:DeviceID>");
    assert_eq!(f.send(Endpoint::NonDevice, &tampered).http_status, 401);
    let mismatch = f.transporter.signer.sign(&read_inventory(12)).unwrap();
    assert_eq!(
        f.send(Endpoint::NonDevice, &mismatch).http_status,
        401,
        "signer is not the originator"
    );
    assert_eq!(f.snapshot(), before);
}

#[test]
fn eligibility_failures_get_their_duis_codes() {
    let f = fixture();
    let before = f.snapshot();
    // 8.3 is not for gas transporters.
    let decommission = request(
        TRANSPORTER,
        DCC,
        1,
        8,
        "8.3",
        "8.3",
        &format!(
            "<sr:DecommissionDevice><sr:DeviceID>{ESME}</sr:DeviceID></sr:DecommissionDevice>"
        ),
    );
    let a = f.send(
        Endpoint::NonDevice,
        &f.transporter.signer.sign(&decommission).unwrap(),
    );
    assert_eq!(a.code, Some(ResponseCode::E2), "{}", a.body);
    xmldsig::verify(a.body.as_bytes(), &f.dcc_xml_key).unwrap();
    // A non-device request to the send-command endpoint.
    let a = f.send(
        Endpoint::SendCommand,
        &f.supplier.signer.sign(&read_inventory(20)).unwrap(),
    );
    assert_eq!(a.code, Some(ResponseCode::E13));
    // A device not in the inventory.
    let ghost = Eui64::from_u64(0x00DB_1234_5678_FFFF);
    let fw = request(
        SUPPLIER,
        ghost,
        21,
        1,
        "11.2",
        "11.2",
        "<sr:ReadFirmwareVersion/>",
    );
    assert_eq!(
        f.send(Endpoint::SendCommand, &f.supplier.signer.sign(&fw).unwrap())
            .code,
        Some(ResponseCode::E19)
    );
    assert_eq!(f.snapshot(), before);
}

#[test]
fn a_device_read_is_acknowledged_and_queued_with_a_mac_the_device_can_check() {
    let f = fixture();
    let fw = request(
        SUPPLIER,
        ESME,
        30,
        1,
        "11.2",
        "11.2",
        "<sr:ReadFirmwareVersion/>",
    );
    let a = f.send(Endpoint::SendCommand, &f.supplier.signer.sign(&fw).unwrap());
    assert_eq!(a.code, Some(ResponseCode::I99), "{}", a.body);
    let job = f
        .store
        .transaction(|tx| Ok(tx.due_wan_jobs(i64::MAX, 10)?))
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (job.originator, job.counter, job.target),
        (SUPPLIER, 30, ESME)
    );
    let gbcs::frame::Frame::Ciphered(c) = gbcs::frame::Frame::decode(&job.command).unwrap() else {
        panic!("a WAN command is MAC'd");
    };
    assert_eq!(c.apdu.counter, 30);
    // The device derives the same key: its KA private key × the ACB's KA public key.
    let device =
        gbcs::crypto::KaPrivateKey::from_der(&f.device_ka.to_pkcs8_der().unwrap()).unwrap();
    let acb =
        gbcs::crypto::PublicKey::from_sec1(&f.acb_ka.public_key().to_sec1_uncompressed()).unwrap();
    let key = device
        .derive(&acb, &gbcs::crypto::KdfContext::for_mac(&c.apdu))
        .unwrap();
    c.verify_mac(&key).unwrap();
}

fn precommand_of(response: &str) -> Vec<u8> {
    use base64::Engine as _;
    let start = response.find("<sr:GBCSPayload>").unwrap() + "<sr:GBCSPayload>".len();
    let end = start + response[start..].find('<').unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(&response[start..end])
        .unwrap()
}

fn signed_precommand(counter: u64, payload: &[u8]) -> String {
    use base64::Engine as _;
    request(
        SUPPLIER,
        ESME,
        counter,
        5,
        "7.2",
        "7.2",
        &format!(
            "<sr:SignedPreCommand><sr:GBCSPayload>{}</sr:GBCSPayload></sr:SignedPreCommand>",
            base64::engine::general_purpose::STANDARD.encode(payload)
        ),
    )
}

#[test]
fn the_critical_flow_correlates_the_signed_precommand_with_its_request() {
    let f = fixture();
    let cv4 = request(SUPPLIER, ESME, 40, 4, "7.2", "7.2", "<sr:DisableSupply/>");
    let a = f.send(Endpoint::Transform, &f.supplier.signer.sign(&cv4).unwrap());
    assert_eq!(a.code, Some(ResponseCode::I0), "{}", a.body);
    duis_schema::validate_response(a.body.as_bytes()).unwrap();
    let pre = gbcs::frame::GeneralSigning::decode(&precommand_of(&a.body)).unwrap();
    assert!(pre.is_precommand());
    let user_key =
        gbcs::crypto::SigningKey::from_der(&f.supplier.key.to_pkcs8_der().unwrap()).unwrap();
    let signed = pre.clone().sign(&user_key).unwrap().encode();

    // A pre-command signed by someone else, or changed, is refused and changes nothing.
    let other =
        gbcs::crypto::SigningKey::from_der(&f.transporter.key.to_pkcs8_der().unwrap()).unwrap();
    let forged = pre.clone().sign(&other).unwrap().encode();
    let before = f.snapshot();
    let r = f.send(
        Endpoint::SendCommand,
        &f.supplier
            .signer
            .sign(&signed_precommand(40, &forged))
            .unwrap(),
    );
    assert_eq!(r.code, Some(ResponseCode::E12), "{}", r.body);
    assert_eq!(f.snapshot(), before);

    // The real one, with the CV 4 request's RequestID, is accepted and queued.
    let ok = f.send(
        Endpoint::SendCommand,
        &f.supplier
            .signer
            .sign(&signed_precommand(40, &signed))
            .unwrap(),
    );
    assert_eq!(ok.code, Some(ResponseCode::I99), "{}", ok.body);
    assert_eq!(f.snapshot().1, 1);

    // Using the same RequestID again is a replay.
    let again = f.send(
        Endpoint::SendCommand,
        &f.supplier
            .signer
            .sign(&signed_precommand(40, &signed))
            .unwrap(),
    );
    assert_eq!(again.http_status, 409);
    // So is any other reuse of a counter for a signed pre-command.
    let unmatched = f.send(
        Endpoint::SendCommand,
        &f.supplier
            .signer
            .sign(&signed_precommand(39, &signed))
            .unwrap(),
    );
    assert_eq!(unmatched.http_status, 409);
}

#[test]
fn a_device_of_the_wrong_type_gets_e11() {
    let f = fixture();
    // 8.11 Update HAN Device Log is for a Communications Hub Function, not a meter.
    let body = format!(
        "<sr:UpdateHANDeviceLog><sr:DeviceID>{ESME}</sr:DeviceID><sr:RequestType>Remove</sr:RequestType></sr:UpdateHANDeviceLog>"
    );
    let log = request(SUPPLIER, ESME, 50, 1, "8.11", "8.11", &body);
    let a = f.send(
        Endpoint::SendCommand,
        &f.supplier.signer.sign(&log).unwrap(),
    );
    assert_eq!(a.code, Some(ResponseCode::E11), "{}", a.body);
}
