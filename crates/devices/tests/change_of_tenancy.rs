//! DUIS 3.2 Restrict Access for Change of Tenancy on the emulated devices: ECS12 sets the
//! ESME's restriction, GCS09 the GPF's, answered as the RTDS RESPONSE vectors and kept in the
//! stored form; an injected fault answers as the RTDS ERROR vector and changes nothing.
//! Afterwards an unknown remote party's log read (through the ACB) answers nothing from before
//! the restriction, while the supplier's own read still answers everything.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, EventLog, Outcome};
use gbcs::axdr::Data;
use gbcs::crypto::KdfContext;
use gbcs::usecases::{self, CommandHeader, LogPeriod};
use gbcs::{Eui64, Frame, KaPrivateKey, KdfMode, UtcDateTime};

const URP: u64 = 0x90b3_d51f_3003_0000;
const DAY: i64 = 86_400;

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

fn restriction() -> UtcDateTime {
    UtcDateTime::new(2014, 3, 27, 15, 45, 32).unwrap()
}

fn reloaded(dev: &EmulatedDevice) -> devices::DeviceState {
    let s = dev.state();
    let body = devices::stored::encode_body(s).unwrap();
    let counters = devices::stored::encode_counters(s).unwrap();
    devices::stored::decode_state(&body, &counters, EventLog::default()).unwrap()
}

/// Executes `wan` at `at` with outcome `success`; the response bytes.
fn run(dev: &mut EmulatedDevice, wan: &[u8], at: UtcDateTime, success: bool) -> Vec<u8> {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, at);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success
        }
    );
    reply.response.expect("a response")
}

#[test]
fn ecs12_sets_the_esme_restriction() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    assert_eq!(dev.state().tenancy_restriction, None);
    let wan = w.wan(
        usecases::ecs12_restrict_access(&header(&w.supplier, &dev, 1000), restriction()),
        &dev,
    );
    let bytes = run(&mut dev, &wan, w.now, true);
    let resp = open(&bytes, &dev, &w.supplier);
    assert_same_structure(
        &bytes,
        &rtds("3.2_ECS12", "ECS12_3.2_SUCCESS_RESPONSE_GBCS.HEX"),
        "ECS12",
    );
    let outcome = usecases::decode_response(resp.message_code(), &resp.content).unwrap();
    assert!(!outcome.is_failure());
    assert_eq!(
        reloaded(&dev).tenancy_restriction,
        Some(restriction().to_unix())
    );
}

#[test]
fn ecs12_fault_answers_as_the_rtds_error_and_changes_nothing() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let o = usecases::ecs12::RESTRICTION_DATE_TIME;
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    });
    let wan = w.wan(
        usecases::ecs12_restrict_access(&header(&w.supplier, &dev, 1002), restriction()),
        &dev,
    );
    let bytes = run(&mut dev, &wan, w.now, false);
    assert_failure_like_rtds(&bytes, "3.2_ECS12", "ECS12_3.2_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(dev.state().tenancy_restriction, None);
}

#[test]
fn gcs09_sets_the_gpf_restriction_and_fails_like_other_zse_commands() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gpf, GPF);
    let at = UtcDateTime::from_zigbee_utc(0x1FC6_6E20).unwrap();
    let cmd =
        usecases::gcs09_restrict_access(&header(&w.supplier, &dev, 1000), 0x1C37_4A80, at).unwrap();
    let wan = w.wan(cmd, &dev);
    let bytes = run(&mut dev, &wan, w.now, true);
    // The Default Response is the RTDS one, byte for byte, in its content.
    let ours = Frame::decode(&bytes).unwrap().apdu().content.clone();
    let theirs = Frame::decode(&rtds("3.2_GCS09", "GCS09_3.2_SUCCESS_RESPONSE_GBCS.HEX"))
        .unwrap()
        .apdu()
        .content
        .clone();
    assert_eq!(ours, theirs);
    assert_eq!(reloaded(&dev).tenancy_restriction, Some(at.to_unix()));

    let mut dev = w.device(DeviceKind::Gpf, GPF);
    dev.state_mut().faults.insert(DeviceFault::ZclCommand {
        cluster: 0x0708,
        command: usecases::gcs09::PUBLISH_CHANGE_OF_TENANCY,
    });
    let cmd =
        usecases::gcs09_restrict_access(&header(&w.supplier, &dev, 1001), 0x1C37_4A80, at).unwrap();
    let wan = w.wan(cmd, &dev);
    let bytes = run(&mut dev, &wan, w.now, false);
    let resp = open(&bytes, &dev, &w.supplier);
    assert_eq!(
        usecases::decode_response(resp.message_code(), &resp.content).unwrap(),
        usecases::ResponseOutcome::Failure(usecases::Failure::ZclDefaultResponse {
            command: 0x00,
            status: 0xC0
        })
    );
    assert_eq!(dev.state().tenancy_restriction, None);
}

/// A key-agreement certificate for `party`'s KA key.
fn certificate(party: &Party) -> Vec<u8> {
    let now = time::OffsetDateTime::from_unix_timestamp(1_420_070_400).unwrap();
    let pki = smki::Pki::generate_with_os_rng(now, &smki::PkiNames::default()).unwrap();
    let public = smki::PublicKey::from_sec1(party.ka.public_key().unwrap().as_sec1()).unwrap();
    pki.oca
        .issue_organisation(&smki::OrgCertRequest {
            common_name: None,
            eui: party.eui,
            role: smki::RemotePartyRole::NetworkOperator,
            usage: smki::KeyUsage::KeyAgreement,
            public_key: public,
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: now,
            not_after: now + time::Duration::days(365),
        })
        .unwrap()
}

fn decrypt(
    ka: &KaPrivateKey,
    dev: &EmulatedDevice,
    counter: u64,
    recipient: Eui64,
    block: &[u8],
) -> Vec<u8> {
    let ctx = KdfContext {
        originator: dev.eui(),
        mode: KdfMode::PayloadEncryption,
        counter,
        recipient,
    };
    let key = ka.derive(dev.ka_public_key().unwrap().key(), &ctx).unwrap();
    gbcs::decrypt_payload(&key, dev.eui(), block).unwrap()
}

/// The capture times (unix seconds; the log holds ZigBee UTC seconds) of the prepayment daily
/// read log entries in a decrypted ECS21b answer.
fn entry_times(plain: &[u8]) -> Vec<i64> {
    let Data::Structure(arrays) = Data::decode(plain).unwrap() else {
        panic!("a structure")
    };
    let Some(Data::CompactArray { contents, .. }) = arrays.first() else {
        panic!("a compact array")
    };
    contents
        .chunks(28)
        .map(|e| i64::from(u32::from_be_bytes([e[0], e[1], e[2], e[3]])) + 946_684_800)
        .collect()
}

#[test]
fn other_parties_get_nothing_from_before_the_restriction_the_supplier_everything() {
    let w = World::new();
    let urp = Party::new(URP);
    let cert = certificate(&urp);
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t0 = w.now.to_unix();
    let later = UtcDateTime::from_unix(t0 + 6 * DAY).unwrap();
    let period = LogPeriod {
        start: w.now,
        end: later,
    };
    let cut = t0 + 3 * DAY;

    // An unknown remote party's read through the ACB.
    let urp_read = |dev: &mut EmulatedDevice, acb_counter: u64, urp_counter: u64| {
        let h =
            CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), acb_counter, urp.eui, urp_counter);
        let cmd = usecases::for_unknown_remote_party(&h, cert.clone(), |h| {
            usecases::logs_common::build_log_read(gbcs::MessageCode::ECS21B, h, &period).unwrap()
        })
        .unwrap();
        let wan = w.wan(cmd, dev);
        let bytes = run(dev, &wan, later, true);
        let resp = open(&bytes, dev, &w.acb);
        let gbcs::OtherInfoExt::OriginatorCounter {
            originator_counter, ..
        } = resp.other_info.ext
        else {
            panic!("26-byte other-information expected")
        };
        entry_times(&decrypt(
            &urp.ka,
            dev,
            originator_counter,
            urp.eui,
            &protected_block(&resp),
        ))
    };
    // The supplier's own read.
    let supplier_read = |dev: &mut EmulatedDevice, counter: u64| {
        let cmd = usecases::logs_common::build_log_read(
            gbcs::MessageCode::ECS21B,
            &header(&w.supplier, dev, counter),
            &period,
        )
        .unwrap()
        .unwrap();
        let wan = w.wan(cmd, dev);
        let bytes = run(dev, &wan, later, true);
        let resp = open(&bytes, dev, &w.supplier);
        entry_times(&decrypt(
            &w.supplier.ka,
            dev,
            resp.counter,
            w.supplier.eui,
            &protected_block(&resp),
        ))
    };

    let all = urp_read(&mut dev, 1300, 1000);
    assert!(
        all.iter().any(|t| *t < cut),
        "history before the cut: {all:?}"
    );
    assert_eq!(supplier_read(&mut dev, 1400), all);

    let wan = w.wan(
        usecases::ecs12_restrict_access(
            &header(&w.supplier, &dev, 1401),
            UtcDateTime::from_unix(cut).unwrap(),
        ),
        &dev,
    );
    run(&mut dev, &wan, later, true);

    let restricted = urp_read(&mut dev, 1301, 1001);
    let expected: Vec<i64> = all.iter().copied().filter(|t| *t >= cut).collect();
    assert!(!expected.is_empty(), "{all:?} cut {cut}");
    assert_eq!(restricted, expected);
    assert_eq!(supplier_read(&mut dev, 1402), all);
}
