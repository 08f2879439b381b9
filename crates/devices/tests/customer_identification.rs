//! DUIS 9.1 on the emulated meters: ECS50 (ESME) and GCS36 (GSME), sent by the Access Control
//! Broker on an Other User's behalf, leave the Customer Identification Number on the meter
//! (`DeviceState::config.local`), which keeps it through the stored form; the response is
//! shaped like the RTDS RESPONSE vector and decodes as a success. An injected fault answers as
//! the RTDS ERROR vector and leaves the CIN as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, EventLog, Outcome};
use gbcs::usecases::{self, Cin, CommandHeader};
use gbcs::{Cra, Frame};

const RTDS_EVENT_ID: u32 = 0x1C37_4A80;
const OTHER_USER: u64 = 0x90b3_d51f_3001_0000;

fn header(w: &World, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(
        w.acb.eui,
        dev.eui(),
        counter,
        gbcs::Eui64::from_u64(OTHER_USER),
        1000,
    )
}

fn cin(s: &[u8]) -> Cin {
    Cin::new(s).unwrap()
}

/// The device executes `wan` with outcome `success`; the response answers the ACB and has the
/// RTDS vector's structure.
fn exchange(
    w: &World,
    dev: &mut EmulatedDevice,
    wan: &[u8],
    dir: &str,
    file: &str,
    success: bool,
) -> Vec<u8> {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success
        },
        "{file}"
    );
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, w.party(cmd.originator));
    assert_eq!(resp.cra, Cra::Response);
    assert_eq!(resp.counter, cmd.counter);
    assert_eq!((resp.originator, resp.recipient), (dev.eui(), w.acb.eui));
    assert_same_structure(&bytes, &rtds(dir, file), file);
    let outcome = usecases::decode_response(cmd.message_code(), &resp.content).unwrap();
    assert_eq!(outcome.is_failure(), !success, "{file}: {outcome:?}");
    bytes
}

fn stored_cin(dev: &EmulatedDevice) -> Option<String> {
    let s = dev.state();
    let body = devices::stored::encode_body(s).unwrap();
    let counters = devices::stored::encode_counters(s).unwrap();
    devices::stored::decode_state(&body, &counters, EventLog::default())
        .unwrap()
        .config
        .local
        .customer_identification_number
}

#[test]
fn ecs50_and_gcs36_leave_the_cin_on_the_meter() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let wan = w.wan(
        usecases::ecs50_send_cin(&header(&w, &esme, 0x514), cin(b"1234")),
        &esme,
    );
    exchange(
        &w,
        &mut esme,
        &wan,
        "9.1_ECS50",
        "ECS50_9.1_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(stored_cin(&esme).as_deref(), Some("1234"));
    // A later CIN replaces it.
    let wan = w.wan(
        usecases::ecs50_send_cin(&header(&w, &esme, 0x515), cin(b"0042")),
        &esme,
    );
    exchange(
        &w,
        &mut esme,
        &wan,
        "9.1_ECS50",
        "ECS50_9.1_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(stored_cin(&esme).as_deref(), Some("0042"));

    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let cmd =
        usecases::gcs36_send_cin(&header(&w, &gsme, 0x514), RTDS_EVENT_ID, cin(b"1234")).unwrap();
    let wan = w.wan(cmd, &gsme);
    let bytes = exchange(
        &w,
        &mut gsme,
        &wan,
        "9.1_GCS36",
        "GCS36_9.1_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    // The Default Response is the RTDS one, byte for byte, in its content.
    let ours = Frame::decode(&bytes).unwrap().apdu().content.clone();
    let theirs = Frame::decode(&rtds("9.1_GCS36", "GCS36_9.1_SUCCESS_RESPONSE_GBCS.HEX"))
        .unwrap()
        .apdu()
        .content
        .clone();
    assert_eq!(ours, theirs);
    assert_eq!(stored_cin(&gsme).as_deref(), Some("1234"));
}

#[test]
fn faults_fail_as_the_rtds_error_vectors_and_keep_the_cin() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let o = usecases::ecs50::CIN_OBJECT;
    esme.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    });
    let wan = w.wan(
        usecases::ecs50_send_cin(&header(&w, &esme, 0x515), cin(b"1234")),
        &esme,
    );
    let file = "ECS50_9.1_ERROR_RESPONSE_GBCS.HEX";
    let bytes = exchange(&w, &mut esme, &wan, "9.1_ECS50", file, false);
    assert_failure_like_rtds(&bytes, "9.1_ECS50", file);
    assert_eq!(stored_cin(&esme), None);

    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    gsme.state_mut().faults.insert(DeviceFault::ZclCommand {
        cluster: 0x0708,
        command: usecases::gcs36::UPDATE_CIN,
    });
    let cmd =
        usecases::gcs36_send_cin(&header(&w, &gsme, 0x515), RTDS_EVENT_ID, cin(b"1234")).unwrap();
    let wan = w.wan(cmd, &gsme);
    let file = "GCS36_9.1_ERROR_RESPONSE_GBCS.HEX";
    let bytes = exchange(&w, &mut gsme, &wan, "9.1_GCS36", file, false);
    assert_failure_like_rtds(&bytes, "9.1_GCS36", file);
    assert_eq!(stored_cin(&gsme), None);
}

#[test]
fn only_the_acb_may_send_a_cin() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    // The supplier originating ECS50 itself: not a role the use case allows.
    let h = CommandHeader::new(w.supplier.eui, esme.eui(), 2000);
    let wan = w.wan(usecases::ecs50_send_cin(&h, cin(b"1234")), &esme);
    let reply = esme.handle(&wan, w.now);
    assert!(
        !matches!(reply.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        reply.outcome
    );
    assert_eq!(stored_cin(&esme), None);
}
