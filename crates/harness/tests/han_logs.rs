//! DUIS 8.9 Read Device Log end to end on the deterministic harness: devices added to the
//! CHF's device log with 8.11 are read back with 8.9 (CCS04/CCS05: the whitelist; CCS07 with
//! `ReadSecurityDetails`: the current and historic logs with security details), a removal moves
//! a device to the historic log, a meter's own device log is read with CS07, and a request the
//! device cannot answer is refused with E11 and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::gateway::Answer;
use gbcs::usecases::{self, ResponseOutcome, ResponseValue};
use gbcs::{Eui64, Frame};
use harness::{Delivered, Harness, premises1, with_body};

const SUPPLIER: &str = "supplier-a";
const HAN_ADD: &str = "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML";
const HAN_REMOVE: &str = "CCS02_8.11_SUCCESS_REQUEST_DUIS.XML";
const READ_CHF: &str = "CCS05CCS04_8.9_SUCCESS_REQUEST_DUIS.XML";
const READ_CHF_SECURITY: &str = "CCS07_8.9_SUCCESS_REQUEST_DUIS.XML";
const READ_METER: &str = "CS07_8.9_SUCCESS_REQUEST_DUIS.XML";

/// Sends `template` (its body replaced by `body` when given) to `target` and runs the DCC until
/// it has answered: the acknowledgement and the delivered response.
fn send(
    h: &mut Harness,
    template: &str,
    target: &str,
    body: Option<&str>,
) -> (Answer, Option<Delivered>) {
    let mut p = h.request(template, SUPPLIER, target);
    if let Some(b) = body {
        p.xml = with_body(&p.xml, b);
    }
    let signed = h.sign(SUPPLIER, &p.xml);
    let a = h.send(&signed);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid);
    (a, r)
}

/// The request answered I0: the device's answer, decoded by the catalogue (as the user's
/// parse and correlate reads it).
fn answered(h: &mut Harness, template: &str, target: &str, body: Option<&str>) -> ResponseValue {
    let (a, r) = send(h, template, target, body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    let r = r.expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let apdu = Frame::decode(&bytes).expect("a GBCS frame").apdu().clone();
    match usecases::decode_response(apdu.message_code(), &apdu.content).unwrap() {
        ResponseOutcome::Success(v) => v,
        f => panic!("{f:?}"),
    }
}

fn eui(s: &str) -> Eui64 {
    s.parse().unwrap()
}

fn add_body(device: &str, install_code: &str) -> String {
    format!(
        "<sr:UpdateHANDeviceLog><sr:DeviceID>{device}</sr:DeviceID><sr:RequestType>Add</sr:RequestType><sr:AddDeviceToCHFWhitelist><sr:JoinTimePeriod>90</sr:JoinTimePeriod><sr:InstallCode>{install_code}</sr:InstallCode></sr:AddDeviceToCHFWhitelist></sr:UpdateHANDeviceLog>"
    )
}

#[test]
fn devices_added_with_8_11_are_read_with_8_9_and_a_removal_is_historic() {
    let mut h = Harness::new_world();
    answered(&mut h, HAN_ADD, premises1::CHF, None);
    answered(
        &mut h,
        HAN_ADD,
        premises1::CHF,
        Some(&add_body(
            premises1::PPMID,
            "30313233343536373839616263646566",
        )),
    );

    // The whitelist, with each device's last communication.
    let ResponseValue::ActiveDevices(devices) = answered(&mut h, READ_CHF, premises1::CHF, None)
    else {
        panic!()
    };
    let ids: Vec<Eui64> = devices.iter().map(|d| d.device).collect();
    assert_eq!(ids, [eui(premises1::ESME), eui(premises1::PPMID)]);
    assert!(devices.iter().all(|d| d.last_communication_at().is_some()));

    // The current log with security details; nothing historic yet.
    let ResponseValue::ChfDeviceLogs(logs) =
        answered(&mut h, READ_CHF_SECURITY, premises1::CHF, None)
    else {
        panic!()
    };
    assert_eq!(logs.current.entries.len(), 2);
    assert!(
        logs.current
            .entries
            .iter()
            .all(|e| e.security_details.len() == 16)
    );
    assert!(logs.historic.entries.is_empty());

    // The ESME leaves the whitelist: it is in the historic log.
    answered(&mut h, HAN_REMOVE, premises1::CHF, None);
    let ResponseValue::ActiveDevices(devices) = answered(&mut h, READ_CHF, premises1::CHF, None)
    else {
        panic!()
    };
    let ids: Vec<Eui64> = devices.iter().map(|d| d.device).collect();
    assert_eq!(ids, [eui(premises1::PPMID)]);
    let ResponseValue::ChfDeviceLogs(logs) =
        answered(&mut h, READ_CHF_SECURITY, premises1::CHF, None)
    else {
        panic!()
    };
    let current: Vec<Eui64> = logs.current.entries.iter().map(|e| e.device).collect();
    let historic: Vec<Eui64> = logs.historic.entries.iter().map(|e| e.device).collect();
    assert_eq!(current, [eui(premises1::PPMID)]);
    assert_eq!(historic, [eui(premises1::ESME)]);
}

#[test]
fn a_meters_device_log_is_read_with_cs07() {
    let mut h = Harness::new_world();
    let before = h.device_state(premises1::ESME)["device_log"].clone();
    let ResponseValue::HanJoinDetails(log) = answered(&mut h, READ_METER, premises1::ESME, None)
    else {
        panic!()
    };
    let ids: Vec<Eui64> = log.iter().map(|e| e.device).collect();
    let held: Vec<Eui64> = before
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| eui(e["device"].as_str().unwrap()))
        .collect();
    assert_eq!(ids, held);
}

#[test]
fn bad_requests_are_refused_and_change_nothing() {
    let mut h = Harness::new_world();
    answered(&mut h, HAN_ADD, premises1::CHF, None);
    let chf = h.device_state(premises1::CHF);
    let esme = h.device_state(premises1::ESME);
    // Security details are the CHF's: E11 on a meter.
    let (a, r) = send(&mut h, READ_CHF_SECURITY, premises1::ESME, None);
    assert_eq!(a.code.map(|c| c.as_str()), Some("E11"), "{}", a.body);
    assert!(r.is_none());
    // A body outside the schema.
    let (a, r) = send(
        &mut h,
        READ_CHF,
        premises1::CHF,
        Some(
            "<sr:ReadDeviceLog><sr:ReadSecurityDetails>x</sr:ReadSecurityDetails></sr:ReadDeviceLog>",
        ),
    );
    assert_ne!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    assert!(r.is_none());
    assert_eq!(h.device_state(premises1::CHF), chf);
    assert_eq!(h.device_state(premises1::ESME), esme);
}
