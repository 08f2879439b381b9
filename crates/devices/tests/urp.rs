//! Unknown remote party (URP) log reads on emulated devices: the ACB sends the command with the
//! requester's key-agreement certificate in the other-information; the device answers the ACB
//! (MAC'd to it) with the 26-byte other-information (requester, its counter, and the device's
//! supplementary originator counter) and encrypts the sensitive blocks to the certificate's key,
//! so that the requester opens them and the ACB does not. A certificate form from anyone but the
//! ACB, or a certificate that is no key-agreement certificate, is refused and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceKind, EmulatedDevice, Outcome, Refusal};
use gbcs::crypto::KdfContext;
use gbcs::usecases::{self, CommandHeader, GbzLogPart, LogPeriod};
use gbcs::{Eui64, GeneralSigning, KaPrivateKey, KdfMode, OtherInfoExt, UtcDateTime};

const URP: u64 = 0x90b3_d51f_3003_0000;
const DAY: i64 = 86_400;

/// A key-agreement (or, with `usage`, another) organisation certificate for `party`'s KA key.
fn certificate(party: &Party, usage: smki::KeyUsage) -> Vec<u8> {
    let now = time::OffsetDateTime::from_unix_timestamp(1_420_070_400).unwrap();
    let pki = smki::Pki::generate_with_os_rng(now, &smki::PkiNames::default()).unwrap();
    let public = smki::PublicKey::from_sec1(party.ka.public_key().unwrap().as_sec1()).unwrap();
    pki.oca
        .issue_organisation(&smki::OrgCertRequest {
            common_name: None,
            eui: party.eui,
            role: smki::RemotePartyRole::NetworkOperator,
            usage,
            public_key: public,
            serial: smki::Serial::random_with_os_rng().unwrap(),
            not_before: now,
            not_after: now + time::Duration::days(365),
        })
        .unwrap()
}

fn period(w: &World) -> LogPeriod {
    let t0 = w.now.to_unix();
    LogPeriod {
        start: UtcDateTime::from_unix(t0 - 3 * DAY).unwrap(),
        end: w.now,
    }
}

/// The ACB's command for `party` (request counter `party_counter`), ACB counter `counter`.
fn urp_command(
    w: &World,
    dev: &EmulatedDevice,
    party: Eui64,
    party_counter: u64,
    counter: u64,
    certificate: Vec<u8>,
) -> GeneralSigning {
    let h = CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), counter, party, party_counter);
    let p = period(w);
    let code = match dev.kind() {
        DeviceKind::Esme => gbcs::MessageCode::ECS21B,
        _ => gbcs::MessageCode::GCS16B,
    };
    usecases::for_unknown_remote_party(&h, certificate, |h| {
        usecases::logs_common::build_log_read(code, h, &p).unwrap()
    })
    .unwrap()
}

fn decrypt(
    ka: &KaPrivateKey,
    dev: &EmulatedDevice,
    counter: u64,
    recipient: Eui64,
    block: &[u8],
) -> Result<Vec<u8>, gbcs::CryptoError> {
    let ctx = KdfContext {
        originator: dev.eui(),
        mode: KdfMode::PayloadEncryption,
        counter,
        recipient,
    };
    let key = ka.derive(dev.ka_public_key().unwrap().key(), &ctx).unwrap();
    gbcs::decrypt_payload(&key, dev.eui(), block)
}

/// The device's answer, opened as the ACB (the MAC is the ACB's), and the 26-byte
/// other-information's supplementary originator counter.
fn answer(w: &World, dev: &mut EmulatedDevice, cmd: GeneralSigning) -> (GeneralSigning, u64) {
    let (party, party_counter) = match &cmd.other_info.ext {
        OtherInfoExt::Certificate {
            remote_party,
            remote_party_counter,
            ..
        } => (*remote_party, *remote_party_counter),
        e => panic!("{e:?}"),
    };
    let reply = dev.handle(&w.wan(cmd, dev), w.now);
    assert!(
        matches!(reply.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        reply.outcome
    );
    let resp = open(&reply.response.unwrap(), dev, &w.acb);
    let OtherInfoExt::OriginatorCounter {
        remote_party,
        remote_party_counter,
        originator_counter,
    } = resp.other_info.ext
    else {
        panic!("26-byte other-information expected: {:?}", resp.other_info)
    };
    assert_eq!((remote_party, remote_party_counter), (party, party_counter));
    (resp, originator_counter)
}

#[test]
fn the_esme_encrypts_its_answer_to_the_certificates_key_not_the_acbs() {
    let w = World::new();
    let urp = Party::new(URP);
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let cert = certificate(&urp, smki::KeyUsage::KeyAgreement);
    let first = dev.state().next_alert_counter;
    let (resp, oc) = {
        let cmd = urp_command(&w, &dev, urp.eui, 1004, 1302, cert.clone());
        answer(&w, &mut dev, cmd)
    };
    assert_eq!(oc, first, "the device's next originator counter");
    assert_eq!(dev.state().next_alert_counter, first + 1);
    let block = protected_block(&resp);
    let plain = decrypt(&urp.ka, &dev, oc, urp.eui, &block).expect("the URP opens it");
    assert!(gbcs::axdr::Data::decode(&plain).is_ok());
    // Neither the ACB (the command's originator) nor the URP with the header's counter can.
    assert!(decrypt(&w.acb.ka, &dev, oc, urp.eui, &block).is_err());
    assert!(decrypt(&w.acb.ka, &dev, resp.counter, w.acb.eui, &block).is_err());
    assert!(decrypt(&urp.ka, &dev, resp.counter, urp.eui, &block).is_err());

    // The next URP answer has a greater supplementary originator counter.
    let (_, oc2) = {
        let cmd = urp_command(&w, &dev, urp.eui, 1005, 1303, cert);
        answer(&w, &mut dev, cmd)
    };
    assert!(oc2 > oc);
}

#[test]
fn the_gpf_answers_gcs16b_for_an_unknown_remote_party() {
    let w = World::new();
    let urp = Party::new(URP);
    let mut dev = w.device(DeviceKind::Gpf, GPF);
    let cert = certificate(&urp, smki::KeyUsage::KeyAgreement);
    let (resp, oc) = {
        let cmd = urp_command(&w, &dev, urp.eui, 1100, 1300, cert);
        answer(&w, &mut dev, cmd)
    };
    let usecases::ResponseOutcome::Success(usecases::ResponseValue::GbzLog(parts)) =
        usecases::decode_response(resp.message_code(), &resp.content).unwrap()
    else {
        panic!("a GBZ log expected")
    };
    // Any snapshot the GPF holds opens with the URP's key (a fresh one may hold none).
    for p in parts {
        if let GbzLogPart::Protected { block, .. } = p {
            assert!(decrypt(&urp.ka, &dev, oc, urp.eui, &block).is_ok());
        }
    }
}

#[test]
fn certificate_forms_the_device_refuses_change_nothing() {
    let w = World::new();
    let urp = Party::new(URP);
    let ka = certificate(&urp, smki::KeyUsage::KeyAgreement);
    let ds = certificate(&urp, smki::KeyUsage::DigitalSignature);
    for (what, cert, from_acb, refusal) in [
        (
            "from the supplier",
            ka.clone(),
            false,
            Refusal::OriginatorNotAuthorised,
        ),
        ("a signing certificate", ds, true, Refusal::Malformed),
        (
            "a SEQUENCE that is no certificate",
            vec![0x30, 0x03, 0x02, 0x01, 0x01],
            true,
            Refusal::Malformed,
        ),
    ] {
        let mut dev = w.device(DeviceKind::Esme, ESME);
        let mut cmd = urp_command(&w, &dev, urp.eui, 7, 1302, ka.clone());
        cmd.other_info.ext = match cmd.other_info.ext {
            OtherInfoExt::Certificate {
                remote_party,
                remote_party_counter,
                ..
            } => OtherInfoExt::Certificate {
                remote_party,
                remote_party_counter,
                certificate: cert,
            },
            e => e,
        };
        if !from_acb {
            cmd.originator = w.supplier.eui;
        }
        let before = dev.state().clone();
        let reply = dev.handle(&w.wan(cmd, &dev), w.now);
        assert_eq!(reply.outcome, Outcome::Refused(refusal), "{what}");
        assert!(reply.response.is_none(), "{what}");
        assert_eq!(
            dev.state().last_counters,
            before.last_counters,
            "{what}: no counter stored"
        );
    }
}
