//! The service catalogue at the gateway: the defects of issue 11 (8.1.1's validity interval from
//! the request, 7.4 and 11.2 to a GPF, users that are not trust anchors reaching devices through
//! the ACB, the ZAZ1 key arrangement for signed pre-commands), the correlation of signed
//! pre-commands with their request, and that every refusal changes nothing — over a real
//! in-memory SQLite store, real SMKI certificates, XML signatures and GBCS.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::{
    ACB, CHF, ESME, FixedClock, GPF, GSME, MPAN, MPRN, OTHER_USER, SUPPLIER, device_cert,
    mac_checked_command, now_and_pki, org_cert, precommand_of, premises, record, registration,
    signed_precommand_body, signing_key, user, xml_signer,
};
use dcc::gateway::{Answer, Gateway, Inbound};
use dcc::model::{DeviceStatus, DeviceType, RegistrationRole};
use dcc::store::{Store, WanJob};
use duis::{Endpoint, ResponseCode, UserRole};
use eui::Eui64;
use gbcs::frame::{GeneralSigning, OtherInfoExt};
use smki::{KeyPair, RemotePartyRole};
use store::SqliteStore;

/// The RTDS 8.1.1 pre-commands (ECS70 to the ESME, GCS28 to the GSME, counter 1000).
const ECS70_PRECOMMAND: &str = "DF090100000000000003E80890B3D51F300100000800DB1234567890A0000200626CD9200003E800050200080000010000FF090300080000010000FF050300080000010000FF040100080000010000FF020100080000010000FF040516050203090CFFFFFFFFFFFFFFFFFF8000FF090C07DE0C1FFF173B0A008000FF090C07DF0101FF00000A008000FF0F000000";
const GCS28_PRECOMMAND: &str = "DF090100000000000003E80890B3D51F300100000800DB1234567890A10002007F243022180F32303134313233313233333030305A180F32303135303130313030333030305A";

/// A user: XML signer, and the key it signs GBCS pre-commands with (ZAZ1 users have two).
struct Party {
    signer: xmldsig::XmlSigner,
    gbcs_key: KeyPair,
}

struct Fixture {
    gateway: Gateway<SqliteStore, FixedClock>,
    store: Arc<SqliteStore>,
    /// The supplier, ZAZ1-style: one certificate for XML, another for GBCS.
    supplier: Party,
    other_user: Party,
    device_ka: Vec<(Eui64, KeyPair)>,
    acb_ka: KeyPair,
}

fn device(id: Eui64, t: DeviceType, mpxn: Option<&str>) -> dcc::model::Device {
    common::device(id, t, CHF, mpxn)
}

fn fixture() -> Fixture {
    let (now, pki) = now_and_pki();
    let (sup_xml_key, sup_xml) = org_cert(&pki, SUPPLIER, RemotePartyRole::Supplier, now);
    let (sup_gbcs_key, sup_gbcs) = org_cert(&pki, SUPPLIER, RemotePartyRole::Supplier, now);
    let (ou_key, ou) = org_cert(&pki, OTHER_USER, RemotePartyRole::OtherUser, now);
    let (dcc_key, dcc_xml) = org_cert(&pki, ACB, RemotePartyRole::DspXmlSigning, now);
    let devices = [
        device(ESME, DeviceType::Esme, Some(MPAN)),
        device(GSME, DeviceType::Gsme, Some(MPRN)),
        device(CHF, DeviceType::Chf, None),
        device(GPF, DeviceType::Gpf, Some(MPRN)),
    ];
    let mut device_ka = Vec::new();
    let mut device_certs = Vec::new();
    for d in &devices {
        let (ka, der) = device_cert(&pki, d.id, now);
        device_ka.push((d.id, ka));
        device_certs.push((d.id, der));
    }
    let acb_ka = KeyPair::generate_with_os_rng().unwrap();
    let acb_ds = KeyPair::generate_with_os_rng().unwrap();
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    store
        .transaction(|tx| {
            tx.put_user(&user(
                SUPPLIER,
                "supplier",
                vec![UserRole::ImportSupplier, UserRole::GasSupplier],
            ))?;
            tx.put_user(&user(OTHER_USER, "other", vec![UserRole::OtherUser]))?;
            for der in [&sup_xml, &sup_gbcs, &ou, &dcc_xml] {
                tx.put_org_cert(&record(der))?;
            }
            tx.put_premises(&premises(Some(MPAN), Some(MPRN)))?;
            for (mpxn, role) in [
                (MPAN, RegistrationRole::ImportSupplier),
                (MPRN, RegistrationRole::GasSupplier),
            ] {
                tx.put_registration(&registration(mpxn, role, SUPPLIER))?;
            }
            for d in &devices {
                tx.put_device(d)?;
            }
            // The CPL lists the fixture's models and the one 12.2 pre-notifies.
            common::list_on_cpl(
                tx,
                &[
                    (DeviceType::Esme, "m", "m"),
                    (DeviceType::Gsme, "m", "m"),
                    (DeviceType::Chf, "m", "m"),
                    (DeviceType::Gpf, "m", "m"),
                    (DeviceType::Esme, "AB01", "010A030B"),
                ],
                now,
            )?;
            for (id, der) in &device_certs {
                tx.put_device_cert(*id, "ka", der)?;
            }
            Ok(())
        })
        .unwrap();
    let gateway = common::gateway(
        store.clone(),
        now,
        xml_signer(&dcc_key, &dcc_xml),
        ACB,
        &acb_ka,
        &acb_ds,
    );
    Fixture {
        gateway,
        store,
        supplier: Party {
            signer: xml_signer(&sup_xml_key, &sup_xml),
            gbcs_key: sup_gbcs_key,
        },
        other_user: Party {
            signer: xml_signer(&ou_key, &ou),
            gbcs_key: KeyPair::generate_with_os_rng().unwrap(),
        },
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
    body: &str,
) -> String {
    let sr = duis::Srv::parse(srv).unwrap().service_reference();
    common::request(originator, target, counter, cv, srv, sr, body)
}

const COMMISSION_ESME: &str = "<sr:CommissionDeviceSynchroniseClock><sr:CurrentDateTime>2014-12-31T23:59:10.00Z</sr:CurrentDateTime><sr:TolerancePeriod>60</sr:TolerancePeriod></sr:CommissionDeviceSynchroniseClock>";
const COMMISSION_GSME: &str = "<sr:CommissionDeviceSynchroniseClock><sr:CurrentDateTime>2014-12-31T23:30:00.00Z</sr:CurrentDateTime><sr:TolerancePeriod>3600</sr:TolerancePeriod></sr:CommissionDeviceSynchroniseClock>";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Everything a refusal must leave alone.
#[derive(Debug, PartialEq)]
struct Snapshot {
    counters: Vec<dcc::store::RequestCounter>,
    jobs: Vec<WanJob>,
    records: Vec<Option<String>>,
}

impl Fixture {
    fn send(&self, endpoint: Endpoint, party: &Party, unsigned: &str) -> Answer {
        let signed = party.signer.sign(unsigned).unwrap();
        self.gateway.handle(Inbound {
            endpoint,
            tls_identity: None,
            body: signed.as_bytes(),
        })
    }

    /// The supplier's CV 5: `payload` as the signed pre-command of `srv` to `target`.
    fn send_cv5(&self, target: Eui64, counter: u64, srv: &str, payload: &[u8]) -> Answer {
        self.send(
            Endpoint::SendCommand,
            &self.supplier,
            &request(
                SUPPLIER,
                target,
                counter,
                5,
                srv,
                &signed_precommand_body(payload),
            ),
        )
    }

    fn snapshot(&self, requests: &[(Eui64, u64)]) -> Snapshot {
        self.store
            .transaction(|tx| {
                // Every target a request of these tests may name.
                let targets = [ESME, GSME, CHF, GPF, ACB];
                let mut records = Vec::new();
                let mut counters = Vec::new();
                for t in targets {
                    for (o, c) in requests {
                        records.push(tx.request(*o, t, *c)?.map(|r| r.response_code));
                    }
                    for o in [SUPPLIER, OTHER_USER, ACB] {
                        counters.push(tx.request_counter(o, t)?);
                    }
                }
                Ok(Snapshot {
                    counters,
                    jobs: tx.due_wan_jobs(i64::MAX, 100)?,
                    records,
                })
            })
            .unwrap()
    }

    fn jobs(&self) -> Vec<WanJob> {
        self.store
            .transaction(|tx| Ok(tx.due_wan_jobs(i64::MAX, 100)?))
            .unwrap()
    }

    /// The command a job carries, after checking the ACB MAC with the device's key.
    fn command_of(&self, job: &WanJob) -> GeneralSigning {
        let ka = &self
            .device_ka
            .iter()
            .find(|(id, _)| *id == job.target)
            .unwrap()
            .1;
        mac_checked_command(&job.command, ka, &self.acb_ka)
    }
}

fn refusal_says(a: &Answer, code: ResponseCode, words: &str) {
    assert_eq!(a.code, Some(code), "{:?} {}", a.error, a.body);
    let e = a
        .error
        .as_ref()
        .expect("a refusal carries its error")
        .to_string();
    assert!(e.contains(words), "{code:?}: {e:?} should say {words:?}");
}

/// (a) The ECS70 / GCS28 validity interval is the request's CurrentDateTime and
/// TolerancePeriod: the pre-commands are the RTDS vectors byte for byte, whatever the DCC clock.
#[test]
fn commissioning_precommands_come_from_the_request_body() {
    for (target, body, want) in [
        (ESME, COMMISSION_ESME, ECS70_PRECOMMAND),
        (GSME, COMMISSION_GSME, GCS28_PRECOMMAND),
    ] {
        // The templates' counter, 1000, for both: a world each.
        let f = fixture();
        let a = f.send(
            Endpoint::Transform,
            &f.supplier,
            &request(SUPPLIER, target, 1000, 4, "8.1.1", body),
        );
        assert_eq!(a.code, Some(ResponseCode::I0), "{:?} {}", a.error, a.body);
        assert_eq!(hex(&precommand_of(&a.body)), want);
    }
}

/// (d) The ZAZ1 arrangement: the supplier XML-signs with one certificate and GBCS-signs the
/// pre-command with another; the DCC Boxed 8.1.1 template sent as CV 4, then at once as CV 5
/// with its signed pre-command, is accepted and queued. A CV 5 signed with a key that is not the
/// user's is refused with E12 and says why.
#[test]
fn zaz1_commissioning_cv4_then_cv5_is_accepted() {
    let f = fixture();
    let counter = 1_796_516_296_548;
    let a = f.send(
        Endpoint::Transform,
        &f.supplier,
        &request(SUPPLIER, ESME, counter, 4, "8.1.1", COMMISSION_ESME),
    );
    assert_eq!(a.code, Some(ResponseCode::I0), "{:?}", a.error);
    let pre = GeneralSigning::decode(&precommand_of(&a.body)).unwrap();

    let stranger = signing_key(&KeyPair::generate_with_os_rng().unwrap());
    let forged = pre.clone().sign(&stranger).unwrap().encode();
    let before = f.snapshot(&[(SUPPLIER, counter)]);
    let r = f.send_cv5(ESME, counter, "8.1.1", &forged);
    refusal_says(&r, ResponseCode::E12, "signature does not verify");
    assert_eq!(f.snapshot(&[(SUPPLIER, counter)]), before);

    let gbcs_key = signing_key(&f.supplier.gbcs_key);
    let signed = pre.clone().sign(&gbcs_key).unwrap().encode();
    let ok = f.send_cv5(ESME, counter, "8.1.1", &signed);
    assert_eq!(ok.code, Some(ResponseCode::I99), "{:?}", ok.error);
    let jobs = f.jobs();
    assert_eq!(jobs.len(), 1);
    let cmd = f.command_of(&jobs[0]);
    assert_eq!(hex(&cmd.signed_bytes()), hex(&pre.signed_bytes()));
    assert_eq!(cmd.message_code(), gbcs::MessageCode::ECS70);
}

/// (b) 7.4 and 11.2 have no use case a GPF accepts: E11, and nothing changes. 4.1.1 does (GCS13a).
#[test]
fn a_gpf_gets_e11_for_supply_status_and_firmware_but_its_registers_are_read() {
    let f = fixture();
    let before = f.snapshot(&[(SUPPLIER, 10), (SUPPLIER, 11)]);
    for (counter, srv, body) in [
        (10, "7.4", "<sr:ReadSupplyStatus/>"),
        (11, "11.2", "<sr:ReadFirmwareVersion/>"),
    ] {
        let a = f.send(
            Endpoint::SendCommand,
            &f.supplier,
            &request(SUPPLIER, GPF, counter, 1, srv, body),
        );
        refusal_says(&a, ResponseCode::E11, "GPF");
    }
    assert_eq!(f.snapshot(&[(SUPPLIER, 10), (SUPPLIER, 11)]), before);
    let a = f.send(
        Endpoint::SendCommand,
        &f.supplier,
        &request(
            SUPPLIER,
            GPF,
            12,
            1,
            "4.1.1",
            "<sr:ReadInstantaneousImportRegisters/>",
        ),
    );
    assert_eq!(a.code, Some(ResponseCode::I99), "{:?}", a.error);
    let cmd = f.command_of(&f.jobs()[0]);
    assert_eq!(cmd.message_code(), gbcs::MessageCode::GCS13A);
    assert_eq!((cmd.originator, cmd.recipient), (SUPPLIER, GPF));
}

/// A device request whose service does not serve that device type: E11, nothing changes.
#[test]
fn a_service_not_implemented_for_the_device_type_is_e11() {
    let f = fixture();
    let before = f.snapshot(&[(SUPPLIER, 20)]);
    let a = f.send(
        Endpoint::Transform,
        &f.supplier,
        &request(SUPPLIER, GSME, 20, 4, "7.1", "<sr:EnableSupply/>"),
    );
    refusal_says(&a, ResponseCode::E11, "7.1");
    assert_eq!(f.snapshot(&[(SUPPLIER, 20)]), before);
}

/// (c) An Other User reaches a CHF (which holds no user trust anchor) and an ESME (whose trust
/// anchors are its supplier and distributor) through the ACB, which originates on their behalf;
/// the supplier reaches its ESME itself, and the CHF through the ACB too.
#[test]
fn users_that_are_not_trust_anchors_go_through_the_acb() {
    let f = fixture();
    let fw = "<sr:ReadFirmwareVersion/>";
    let send = |party: &Party, from: Eui64, to: Eui64, counter: u64| {
        let a = f.send(
            Endpoint::SendCommand,
            party,
            &request(from, to, counter, 1, "11.2", fw),
        );
        assert_eq!(a.code, Some(ResponseCode::I99), "{:?}", a.error);
        // The queue hands out one job per device at a time: take each off once read.
        let job = f
            .jobs()
            .into_iter()
            .find(|j| j.originator == from && j.counter == counter)
            .unwrap();
        f.store
            .transaction(|tx| Ok(tx.finish_wan_job(job.id, "read by the test")?))
            .unwrap();
        (job.clone(), f.command_of(&job))
    };
    let (job, cmd) = send(&f.other_user, OTHER_USER, CHF, 30);
    assert_eq!((job.target, job.chf), (CHF, CHF));
    assert_eq!(cmd.message_code(), gbcs::MessageCode::ECS52);
    assert_eq!((cmd.originator, cmd.recipient), (ACB, CHF));
    assert_eq!(
        cmd.other_info.ext,
        OtherInfoExt::RemotePartyCounter {
            remote_party: OTHER_USER,
            remote_party_counter: 30
        }
    );
    let acb_first = cmd.counter;

    let (_, cmd) = send(&f.other_user, OTHER_USER, ESME, 31);
    assert_eq!((cmd.originator, cmd.recipient), (ACB, ESME));
    assert!(cmd.counter > acb_first, "the ACB's counter advances");

    let (_, cmd) = send(&f.supplier, SUPPLIER, ESME, 32);
    assert_eq!((cmd.originator, cmd.counter), (SUPPLIER, 32));
    assert_eq!(cmd.other_info.ext, OtherInfoExt::None);

    let (_, cmd) = send(&f.supplier, SUPPLIER, CHF, 33);
    assert_eq!(cmd.originator, ACB);
}

/// A CV 5 whose RequestID counter matches a pending pre-command for another request (another
/// device, another service) does not correlate: E12 saying so, nothing changes, and the pending
/// pre-command still works for its own request.
#[test]
fn a_signed_precommand_for_another_request_is_refused() {
    let f = fixture();
    let counter = 40;
    let a = f.send(
        Endpoint::Transform,
        &f.supplier,
        &request(SUPPLIER, ESME, counter, 4, "7.2", "<sr:DisableSupply/>"),
    );
    assert_eq!(a.code, Some(ResponseCode::I0), "{:?}", a.error);
    let pre = GeneralSigning::decode(&precommand_of(&a.body)).unwrap();
    let key = signing_key(&f.supplier.gbcs_key);
    let body = signed_precommand_body(&pre.sign(&key).unwrap().encode());
    let before = f.snapshot(&[(SUPPLIER, counter)]);
    // Counters are per target: for the GSME, no pre-command awaits that RequestID at all.
    for (target, srv, why) in [
        (GSME, "7.2", "no pre-command awaits"),
        (ESME, "7.1", "pending pre-command"),
        (ESME, "8.1.1", "pending pre-command"),
    ] {
        let r = f.send(
            Endpoint::SendCommand,
            &f.supplier,
            &request(SUPPLIER, target, counter, 5, srv, &body),
        );
        refusal_says(&r, ResponseCode::E12, why);
        assert_eq!(
            f.snapshot(&[(SUPPLIER, counter)]),
            before,
            "{srv} to {target}"
        );
    }
    // A counter no pre-command awaits.
    let r = f.send(
        Endpoint::SendCommand,
        &f.supplier,
        &request(SUPPLIER, ESME, counter + 1, 5, "7.2", &body),
    );
    refusal_says(&r, ResponseCode::E12, "no pre-command awaits");
    assert_eq!(f.snapshot(&[(SUPPLIER, counter)]), before);

    let ok = f.send(
        Endpoint::SendCommand,
        &f.supplier,
        &request(SUPPLIER, ESME, counter, 5, "7.2", &body),
    );
    assert_eq!(ok.code, Some(ResponseCode::I99), "{:?}", ok.error);
    assert_eq!(f.jobs().len(), 1);
}

/// A variant the catalogue does not implement: E12 naming it, nothing changes.
#[test]
fn an_unimplemented_variant_is_e12() {
    let f = fixture();
    let before = f.snapshot(&[(SUPPLIER, 50)]);
    // 11.1 Update Firmware: the DCC's check is there (`dcc::firmware`), the service not yet.
    let a = f.send(
        Endpoint::NonDevice,
        &f.supplier,
        &request(
            SUPPLIER,
            ACB,
            50,
            8,
            "11.1",
            "<sr:UpdateFirmware><sr:FirmwareImage>AAAA</sr:FirmwareImage>\
             <sr:FirmwareVersion>00000000</sr:FirmwareVersion>\
             <sr:DeviceIDList>00-DB-12-34-56-78-90-A0</sr:DeviceIDList></sr:UpdateFirmware>",
        ),
    );
    assert_eq!(a.code, Some(ResponseCode::E12), "{:?} {}", a.error, a.body);
    assert!(a.error.unwrap().to_string().contains("11.1"));
    assert_eq!(f.snapshot(&[(SUPPLIER, 50)]), before);
}

/// The non-device services through the catalogue: 8.2 answers from the inventory, 12.1 from the
/// premises, 12.2 adds a Pending device, 8.4 moves it on as the SEC allows; refusals get their
/// service's code and change nothing.
#[test]
fn non_device_services_answer_from_the_dcc_data() {
    let f = fixture();
    let nd = |counter: u64, srv: &str, body: &str| {
        f.send(
            Endpoint::NonDevice,
            &f.supplier,
            &request(SUPPLIER, ACB, counter, 8, srv, body),
        )
    };
    // Each device's own GBCS version, where the inventory knows it (here the GSME's only).
    f.store
        .transaction(|tx| {
            let mut gsme = tx.device(GSME)?.unwrap();
            gsme.gbcs_version = Some("4.2".into());
            Ok(tx.put_device(&gsme)?)
        })
        .unwrap();
    let a = nd(
        60,
        "8.2",
        "<sr:ReadInventory><sr:UPRN>1</sr:UPRN></sr:ReadInventory>",
    );
    assert_eq!(a.code, Some(ResponseCode::I0), "{:?}", a.error);
    duis_schema::validate_response(a.body.as_bytes()).unwrap();
    for id in [ESME, GSME, CHF, GPF] {
        assert!(a.body.contains(&id.to_string()), "{id}");
    }
    assert_eq!(
        a.body.matches("DeviceGBCSVersion>4.2</").count(),
        1,
        "{}",
        a.body
    );
    assert_eq!(
        a.body.matches("DeviceGBCSVersion>").count(),
        2,
        "{}",
        a.body
    );
    let a = nd(
        61,
        "12.1",
        "<sr:RequestWANMatrix><sr:UPRN>1</sr:UPRN></sr:RequestWANMatrix>",
    );
    assert_eq!(a.code, Some(ResponseCode::I0), "{:?}", a.error);
    assert!(a.body.contains("Central"), "{}", a.body);

    // 12.2 for a device with no SMKI certificate: E120203, nothing added.
    let new = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xB0]);
    let prenotify = format!(
        "<sr:DevicePrenotification><sr:DeviceID>{new}</sr:DeviceID><sr:DeviceManufacturer>AB01</sr:DeviceManufacturer><sr:DeviceModel>010A030B</sr:DeviceModel><sr:DeviceType>ESME</sr:DeviceType></sr:DevicePrenotification>"
    );
    let before = f.snapshot(&[(SUPPLIER, 62)]);
    let a = nd(62, "12.2", &prenotify);
    refusal_says(&a, ResponseCode::E120203, &new.to_string());
    assert_eq!(f.snapshot(&[(SUPPLIER, 62)]), before);
    // With its certificate lodged it is added as Pending.
    let cert = f
        .store
        .transaction(|tx| Ok(tx.device_cert(ESME, "ka")?))
        .unwrap()
        .unwrap();
    f.store
        .transaction(|tx| Ok(tx.put_device_cert(new, "ka", &cert)?))
        .unwrap();
    let a = nd(63, "12.2", &prenotify);
    assert_eq!(a.code, Some(ResponseCode::I99), "{:?}", a.error);
    let added = f
        .store
        .transaction(|tx| Ok(tx.device(new)?))
        .unwrap()
        .unwrap();
    assert_eq!(added.status, DeviceStatus::Pending);

    // 8.4: a commissioned meter cannot go back to Pending (E080405, nothing changes); the new
    // device may become Installed Not Commissioned.
    let status = |id: Eui64, to: &str| {
        format!(
            "<sr:UpdateInventory><sr:DeviceID>{id}</sr:DeviceID><sr:UpdateDeviceStatusExceptCH>{to}</sr:UpdateDeviceStatusExceptCH></sr:UpdateInventory>"
        )
    };
    let before = f.snapshot(&[(SUPPLIER, 64)]);
    let a = nd(64, "8.4", &status(ESME, "Pending"));
    refusal_says(&a, ResponseCode::E080405, "Commissioned");
    assert_eq!(f.snapshot(&[(SUPPLIER, 64)]), before);
    let a = nd(65, "8.4", &status(new, "InstalledNotCommissioned"));
    assert_eq!(a.code, Some(ResponseCode::I99), "{:?}", a.error);
    let moved = f
        .store
        .transaction(|tx| Ok(tx.device(new)?))
        .unwrap()
        .unwrap();
    assert_eq!(moved.status, DeviceStatus::InstalledNotCommissioned);
}
