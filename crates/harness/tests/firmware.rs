//! 11.3 Activate Firmware end to end on the simulated clock (DUIS in, the emulated meters'
//! behaviour out): a meter holding a verified image activates it through 11.3 (CV 4 and 5), and
//! 11.2 then reads the new version; a future-dated activation is held by the meter, run at its
//! time with the 8F66 outcome alert to the supplier; an image the meter does not hold is
//! refused (E100, `hashMismatch`) and the version read stays.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::PublicKey;
use harness::{Delivered, Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const GAS_SUPPLIER: &str = "supplier-a";
const HOUR: Duration = Duration::from_secs(3600);
const HASH: &str = "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A";
const NEW_VERSION: [u8; 4] = [0x02, 0x00, 0x00, 0x07];

fn acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// Gives the meter a verified image (as its distribution would leave it) in its stored state.
fn hold_image(h: &Harness, device: &str) {
    use dcc::store::Store as _;
    let id: eui::Eui64 = device.parse().unwrap();
    h.store()
        .transaction_in(|tx| {
            let mut state = wan::emulated::stored_state(tx, id)?.expect("an emulated device");
            state.firmware.hold(devices::firmware::HeldImage {
                hash: [0x5A; 32],
                version: NEW_VERSION.to_vec(),
            });
            wan::emulated::put_state(tx, id, &state)?;
            Ok(())
        })
        .unwrap();
}

/// The device's answer rendered as MMC.
fn render(h: &Harness, r: &Delivered, device: &str, srv: &str) -> String {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(device, "ka")).unwrap();
    mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: Some(srv),
            service_reference_variant: Some(srv),
            keys: Some(mmc::Keys {
                requester_ka: &ka,
                device_ka: &device_ka,
            }),
        },
    )
    .unwrap()
    .xml
}

/// 11.2 on `device`: the firmware version as MMC renders it.
fn read_version(h: &mut Harness, user: &str, template: &str, device: &str) -> String {
    let (p, a) = h.device_request(user, template, device);
    acknowledged(&a);
    h.run_until_idle();
    let r = h.response_for(user, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let xml = render(h, &r, device, "11.2");
    let open = "<ra:FirmwareVersion>";
    let start = xml.find(open).unwrap_or_else(|| panic!("{xml}")) + open.len();
    let end = xml[start..].find('<').unwrap() + start;
    xml[start..end].to_string()
}

/// An 11.3 request from `template` with the hash `hash` (and `ExecutionDateTime` `at`) through
/// CV 4 and 5; the request id and the meter's answer.
fn activate(
    h: &mut Harness,
    user: &str,
    template: &str,
    device: &str,
    hash: &str,
    at: Option<&str>,
) -> (String, Delivered) {
    let p = h.request(template, user, device);
    let mut xml = harness::set_text(&p.xml, "FirmwareHash", hash);
    if let Some(t) = at {
        xml = harness::set_text(&xml, "ExecutionDateTime", t);
    }
    let a = h.send(&h.sign(user, &xml));
    h.return_signed_precommand(user, &p.rid, "11.3", &a);
    // Not until idle: that would run the clock on to a held activation's time.
    h.advance(Duration::from_secs(5));
    let r = h.response_for(user, &p.rid).expect("the meter's answer");
    h.check_signed(&r.xml);
    (p.rid, r)
}

const IMMEDIATE: &str = "CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML";
const FUTURE_DATED: &str = "CS06_11.3_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML";
const READ_ESME: &str = "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML";
const READ_GSME: &str = "GCS38_11.2_SUCCESS_REQUEST_DUIS.XML";

#[test]
fn activate_then_read_reports_the_new_version() {
    let mut h = Harness::new_world();
    let esme = premises1::ESME;
    let before = read_version(&mut h, SUPPLIER, READ_ESME, esme);
    assert_ne!(before, "02000007");
    // Not held yet: refused by the meter (E100), nothing changes.
    let (_, r) = activate(&mut h, SUPPLIER, IMMEDIATE, esme, HASH, None);
    assert_eq!(r.code().as_deref(), Some("E100"), "{}", r.xml);
    let xml = render(&h, &r, esme, "11.3");
    assert!(xml.contains("noImageHeld"), "{xml}");
    assert_eq!(read_version(&mut h, SUPPLIER, READ_ESME, esme), before);

    hold_image(&h, esme);
    let (_, r) = activate(&mut h, SUPPLIER, IMMEDIATE, esme, HASH, None);
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let xml = render(&h, &r, esme, "11.3");
    assert!(
        xml.contains("<ra:FirmwareVersion>02000007</ra:FirmwareVersion>"),
        "{xml}"
    );
    assert_eq!(read_version(&mut h, SUPPLIER, READ_ESME, esme), "02000007");
    // Another hash: hashMismatch, the version stays.
    let other = "11".repeat(32);
    let (_, r) = activate(&mut h, SUPPLIER, IMMEDIATE, esme, &other, None);
    assert_eq!(r.code().as_deref(), Some("E100"), "{}", r.xml);
    assert!(render(&h, &r, esme, "11.3").contains("hashMismatch"));
    assert_eq!(read_version(&mut h, SUPPLIER, READ_ESME, esme), "02000007");
}

#[test]
fn a_future_dated_activation_runs_at_its_time_with_8f66() {
    use time::format_description::well_known::Rfc3339;
    let mut h = Harness::new_world();
    let gsme = premises1::GSME;
    hold_image(&h, gsme);
    let before = read_version(&mut h, GAS_SUPPLIER, READ_GSME, gsme);
    let at = (h.now() + HOUR).format(&Rfc3339).unwrap();
    let (rid, r) = activate(&mut h, GAS_SUPPLIER, FUTURE_DATED, gsme, HASH, Some(&at));
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(read_version(&mut h, GAS_SUPPLIER, READ_GSME, gsme), before);
    h.advance(HOUR + Duration::from_secs(100));
    let alerts: Vec<String> = h
        .delivered_to(GAS_SUPPLIER)
        .into_iter()
        .filter(|d| {
            d.xml.contains("FutureDatedDeviceAlertMessage")
                && d.request_id().as_deref() == Some(rid.as_str())
        })
        .filter_map(|d| harness::element_text(&d.xml, "FutureDatedAlertCode"))
        .collect();
    assert_eq!(alerts, ["8F66"]);
    assert_eq!(
        read_version(&mut h, GAS_SUPPLIER, READ_GSME, gsme),
        "02000007"
    );
}
