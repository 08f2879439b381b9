//! The request life cycle without sockets: the gateway over a real (in-memory) SQLite store,
//! real SMKI certificates, real XML signatures and real GBCS — every check, the critical flow
//! and its correlation rules, and that refusals change nothing.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::{
    ESME, FixedClock, MPAN, SUPPLIER, TRANSPORTER, device_cert, mac_checked_command, now_and_pki,
    org_cert, precommand_of, premises, record, registration, request, signed_precommand_body,
    signing_key, user,
};
use dcc::gateway::{Answer, Gateway, Inbound};
use dcc::model::{DeviceType, RegistrationRole};
use dcc::store::Store;
use duis::{Endpoint, ResponseCode, UserRole};
use eui::Eui64;
use smki::{KeyPair, RemotePartyRole};
use store::SqliteStore;

/// The DCC is the RTDS ACB.
const DCC: Eui64 = common::ACB;

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

fn party(key: KeyPair, der: &[u8]) -> Party {
    let (is, _) = xmldsig::issuer_serial_of_cert(der).unwrap();
    let signer = xmldsig::XmlSigner::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), is).unwrap();
    Party { key, signer }
}

fn fixture() -> Fixture {
    let (now, pki) = now_and_pki();
    let other_pki = common::pki(now);
    let (sk, sder) = org_cert(&pki, SUPPLIER, RemotePartyRole::Supplier, now);
    let (tk, tder) = org_cert(&pki, TRANSPORTER, RemotePartyRole::NetworkOperator, now);
    let (xk, xder) = org_cert(&pki, DCC, RemotePartyRole::DspXmlSigning, now);
    let (ok, oder) = org_cert(&other_pki, SUPPLIER, RemotePartyRole::Supplier, now);
    let (device_ka, device_cert) = device_cert(&pki, ESME, now);
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
                tx.put_user(&user(eui, name, roles))?;
            }
            for der in [&sder, &tder, &xder] {
                tx.put_org_cert(&record(der))?;
            }
            tx.put_premises(&premises(Some(MPAN), None))?;
            tx.put_registration(&registration(
                MPAN,
                RegistrationRole::ImportSupplier,
                SUPPLIER,
            ))?;
            tx.put_device(&common::device(ESME, DeviceType::Esme, ESME, Some(MPAN)))?;
            tx.put_device_cert(ESME, "ka", &device_cert)?;
            Ok(())
        })
        .unwrap();
    let dcc_signer = party(xk, &xder);
    let dcc_xml_key = dcc_signer.key.public_key().to_sec1_uncompressed().to_vec();
    let gateway = common::gateway(store.clone(), now, dcc_signer.signer, DCC, &acb_ka, &acb_ds);
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
                    tx.highest_counter(SUPPLIER)?,
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
fn replay_and_too_old_counters_are_refused_and_change_nothing() {
    let f = fixture();
    let high = 10 + dcc::gateway::NON_DEVICE_WINDOW;
    let signed = f.supplier.signer.sign(&read_inventory(high)).unwrap();
    assert_eq!(
        f.send(Endpoint::NonDevice, &signed).code,
        Some(ResponseCode::I0)
    );
    let before = f.snapshot();
    let again = f.send(Endpoint::NonDevice, &signed);
    assert_eq!((again.http_status, again.code), (409, None));
    // A non-device counter may be lower than the last, but not by the window or more.
    let too_old = f.send(
        Endpoint::NonDevice,
        &f.supplier.signer.sign(&read_inventory(10)).unwrap(),
    );
    assert_eq!(too_old.http_status, 409);
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
    // The device derives the same key: its KA private key × the ACB's KA public key.
    let apdu = mac_checked_command(&job.command, &f.device_ka, &f.acb_ka);
    assert_eq!(apdu.counter, 30);
}

fn signed_precommand(counter: u64, payload: &[u8]) -> String {
    request(
        SUPPLIER,
        ESME,
        counter,
        5,
        "7.2",
        "7.2",
        &signed_precommand_body(payload),
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
    let user_key = signing_key(&f.supplier.key);
    let signed = pre.clone().sign(&user_key).unwrap().encode();

    // A pre-command signed by someone else, or changed, is refused and changes nothing.
    let other = signing_key(&f.transporter.key);
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

/// A shared queue's broker, up or down.
struct Broker(std::sync::atomic::AtomicBool);

impl dcc::gateway::WanAdmission for Broker {
    fn admit(&self) -> Result<(), String> {
        if self.0.load(std::sync::atomic::Ordering::SeqCst) {
            Ok(())
        } else {
            Err("NATS unavailable at nats://127.0.0.1:4222: connection Disconnected".into())
        }
    }
}

#[test]
fn the_answer_names_the_queued_command_and_a_broker_down_refuses_it_as_a_dcc_fault() {
    let mut f = fixture();
    let broker = Arc::new(Broker(std::sync::atomic::AtomicBool::new(false)));
    f.gateway = f.gateway.with_wan_admission(broker.clone());
    let fw = |counter| {
        f.supplier
            .signer
            .sign(&request(
                SUPPLIER,
                ESME,
                counter,
                1,
                "11.2",
                "11.2",
                "<sr:ReadFirmwareVersion/>",
            ))
            .unwrap()
    };
    let signed = fw(40);
    let before = f.snapshot();
    let down = f.send(Endpoint::SendCommand, &signed);
    // The one mapping's answer for a fault of the DCC's own: 503, retryable, no DUIS code.
    let fault = dcc::DccError::from(dcc::error::InternalError::QueueUnavailable(String::new()));
    assert_eq!(down.http_status, fault.outcome().http_status);
    assert_eq!((down.http_status, down.code), (503, None), "{}", down.body);
    assert!(fault.outcome().retryable);
    assert!(down.body.contains("queue is unavailable"), "{}", down.body);
    assert!(down.wan_jobs.is_empty());
    assert_eq!(
        f.snapshot(),
        before,
        "nothing committed, the counter not used"
    );
    // Requests that send nothing over the SM WAN do not need the broker.
    let inv = f.send(
        Endpoint::NonDevice,
        &f.supplier.signer.sign(&read_inventory(41)).unwrap(),
    );
    assert_eq!(inv.code, Some(ResponseCode::I0), "{}", inv.body);
    assert!(inv.wan_jobs.is_empty());

    // Up again: the same request (its counter unused) is accepted, and the answer names the
    // command it queued, as a notice of it will.
    broker.0.store(true, std::sync::atomic::Ordering::SeqCst);
    let up = f.send(Endpoint::SendCommand, &signed);
    assert_eq!(up.code, Some(ResponseCode::I99), "{}", up.body);
    let job = f
        .store
        .transaction(|tx| Ok(tx.due_wan_jobs(i64::MAX, 10)?))
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        up.wan_jobs,
        vec![dcc::gateway::QueuedJob {
            id: job.id,
            chf: job.chf,
            target: ESME,
            due_at: job.due_at,
        }]
    );
    assert!(up.wan_queued());
}
