//! Unknown remote party (URP) log reads end to end on the simulated clock: a user sends a log
//! read carrying its own key-agreement certificate (`KAPublicSecurityCredentials`); the DCC's
//! ACB sends the command with the certificate; the meter encrypts its answer to that
//! certificate's key; the user receives I0 and opens the GBCS payload with its own
//! key-agreement private key (MMC rendering), while another user's key does not open it. A
//! certificate that is not the requester's is refused at once and nothing is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use base64::Engine;
use gbcs::{Frame, OtherInfoExt, PublicKey};
use harness::{Delivered, Harness, premises1, set_text};
use opendcc::world::WorldOptions;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const DAY: i64 = 86_400;

fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// `template` from `user` for `target` over the last ten days, with `certificate` as the URP
/// credentials (in place of the template's, or added after the period); the answer and RequestID.
fn send(
    h: &mut Harness,
    user: &str,
    template: &str,
    target: &str,
    certificate: &[u8],
) -> (dcc::gateway::Answer, String) {
    let now = h.now().unix_timestamp();
    let p = h.request(template, user, target);
    let xml = set_text(&p.xml, "StartDateTime", &rfc3339(now - 10 * DAY));
    let xml = set_text(&xml, "EndDateTime", &rfc3339(now));
    let b64 = base64::engine::general_purpose::STANDARD.encode(certificate);
    let xml = if xml.contains("KAPublicSecurityCredentials>") {
        set_text(&xml, "KAPublicSecurityCredentials", &b64)
    } else {
        xml.replacen(
            "</sr:ReadLogPeriod>",
            &format!(
                "</sr:ReadLogPeriod><sr:KAPublicSecurityCredentials>{b64}</sr:KAPublicSecurityCredentials>"
            ),
            1,
        )
    };
    let signed = h.sign(user, &xml);
    (h.send(&signed), p.rid)
}

/// The delivered GBCS payload of `device`'s answer rendered as MMC with `requester`'s KA key.
fn render(h: &Harness, r: &Delivered, requester: &str, srv: &str) -> mmc::Rendered {
    render_from(h, r, premises1::ESME, requester, srv)
}

fn render_from(
    h: &Harness,
    r: &Delivered,
    device: &str,
    requester: &str,
    srv: &str,
) -> mmc::Rendered {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(requester);
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
}

fn urp_read(h: &mut Harness, user: &str, template: &str, srv: &str, opens: &str) {
    let (cert, _) = h.user_ka(user);
    let (a, rid) = send(h, user, template, premises1::ESME, &cert);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(user, &rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    // The device answered the ACB for the user, with the 26-byte other-information.
    let bytes = r.gbcs_payload().unwrap();
    let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
    assert!(
        matches!(
            apdu.other_info.ext,
            OtherInfoExt::OriginatorCounter { remote_party, .. } if remote_party == h.user_eui(user)
        ),
        "{:?}",
        apdu.other_info
    );
    let mine = render(h, &r, user, srv);
    assert!(!mine.sealed, "{:?}\n{}", mine.notes, mine.xml);
    assert!(mine.xml.contains(opens), "{}", mine.xml);
    let theirs = render(h, &r, "supplier-b", srv);
    assert!(
        theirs.sealed,
        "another user's key opened it: {}",
        theirs.xml
    );
}

#[test]
fn a_supplier_reads_the_prepayment_log_encrypted_to_its_own_certificate() {
    let mut h = Harness::new_world();
    h.advance(Duration::from_secs(3 * 86_400));
    urp_read(
        &mut h,
        "supplier-a",
        "ECS21b_4.14_URP_SUCCESS_REQUEST_DUIS.XML",
        "4.14",
        "<ra:MeterBalance>",
    );
}

#[test]
fn an_other_user_reads_the_daily_consumption_log_encrypted_to_its_own_certificate() {
    let mut h = Harness::new_world();
    h.advance(Duration::from_secs(3 * 86_400));
    urp_read(
        &mut h,
        "other-user",
        "ECS66_4.17_SUCCESS_REQUEST_DUIS.XML",
        "4.17",
        "<ra:LogEntry>",
    );
}

#[test]
fn another_partys_certificate_is_refused_and_nothing_is_sent() {
    let mut h = Harness::new_world();
    let before = h.device_state(premises1::ESME);
    let (theirs, _) = h.user_ka("supplier-b");
    let (a, rid) = send(
        &mut h,
        "supplier-a",
        "ECS21b_4.14_URP_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
        &theirs,
    );
    assert_eq!(a.http_status, 400, "{}", a.body);
    assert!(a.body.contains("KAPublicSecurityCredentials"), "{}", a.body);
    h.run_until_idle();
    assert!(h.response_for("supplier-a", &rid).is_none());
    assert_eq!(
        h.device_state(premises1::ESME),
        before,
        "the meter saw nothing"
    );
}

/// The case the URP form of a read is for: a registered supplier whose keys the device does not
/// hold as its supplier anchor — the gaining supplier after a change of supplier, before the
/// device's anchors are replaced. supplier-b is made the gas supplier of premises 1 (the GPF and
/// GSME trust supplier-a) and reads the GPF's prepayment daily read log (GCS16b; 4.14 on a GPF
/// is served only for an unknown remote party) with its own certificate: the ACB sends it and
/// the GPF answers for supplier-b (the response's remote party). supplier-a, no longer
/// registered, is refused (E4) and nothing reaches the GPF. The GPF's snapshots of the last
/// three midnights open with supplier-b's key only: supplier-a's does not open them.
#[test]
fn a_gaining_supplier_the_gpf_does_not_trust_reads_its_prepayment_log() {
    let gaining = "supplier-b";
    let mut h = Harness::new_world_as(&WorldOptions {
        premises: None,
        registrations: vec![
            format!("{}:GS:{}", premises1::MPRN, "90-B3-D5-1F-30-03-00-00")
                .parse()
                .unwrap(),
        ],
    });
    h.advance(Duration::from_secs(3 * 86_400));
    let template = "GCS16b_4.14_URP_SUCCESS_REQUEST_DUIS.XML";

    // The losing supplier is no longer the GPF's registered gas supplier.
    let before = h.device_state(premises1::GPF);
    let (losing_cert, _) = h.user_ka("supplier-a");
    let (a, _) = send(&mut h, "supplier-a", template, premises1::GPF, &losing_cert);
    assert_eq!(a.code.map(|c| c.as_str()), Some("E4"), "{}", a.body);
    h.run_until_idle();
    assert_eq!(
        h.device_state(premises1::GPF),
        before,
        "the GPF saw nothing"
    );

    let (cert, _) = h.user_ka(gaining);
    let (a, rid) = send(&mut h, gaining, template, premises1::GPF, &cert);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(gaining, &rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().unwrap();
    let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
    assert!(
        matches!(
            apdu.other_info.ext,
            OtherInfoExt::OriginatorCounter { remote_party, .. } if remote_party == h.user_eui(gaining)
        ),
        "{:?}",
        apdu.other_info
    );
    let mine = render_from(&h, &r, premises1::GPF, gaining, "4.14");
    assert!(!mine.sealed, "{:?}\n{}", mine.notes, mine.xml);
    assert!(
        mine.xml
            .contains("ReadPrepaymentDailyReadLogRsp MessageSuccess=\"true\""),
        "{}",
        mine.xml
    );
    // One snapshot per midnight of the period asked for (the last ten days), each with the
    // GPF's meter balance then.
    let now = h.now().unix_timestamp();
    let state: devices::DeviceState =
        serde_json::from_value(h.device_state(premises1::GPF)).unwrap();
    let captures = devices::reads::logs::daily_captures(
        state.metering.installed_at,
        now,
        now - 10 * DAY,
        now,
        731,
    );
    assert!(captures.len() >= 3, "{captures:?}");
    assert_eq!(
        mine.xml.matches("<ra:LogEntry>").count(),
        captures.len(),
        "{}",
        mine.xml
    );
    for m in captures {
        let b = state
            .instantaneous
            .meter_balance(&state.metering, devices::Channel::GasVolume, m);
        assert!(
            mine.xml
                .contains(&format!("<ra:MeterBalance>{b}</ra:MeterBalance>")),
            "{b}\n{}",
            mine.xml
        );
    }
    let theirs = render_from(&h, &r, premises1::GPF, "supplier-a", "4.14");
    assert!(
        theirs.sealed,
        "another user's key opened it: {}",
        theirs.xml
    );
    assert!(
        h.response_for("supplier-a", &rid).is_none(),
        "only the requester is answered"
    );
}
