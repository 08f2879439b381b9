//! Refusals: every check of the pipeline, the alert it raises (verified as its recipient would,
//! and compared with the RTDS general-alert vectors), and the guarantee that a refused command
//! changes nothing but the event log and the alert counter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{
    DeviceKind, DeviceState, EmulatedDevice, EventKind, Outcome, Refusal, RemotePartyRole,
    SupplyState, TrustAnchors,
};
use gbcs::axdr::Data;
use gbcs::gbz::GbzPayload;
use gbcs::usecases::{self, CommandHeader};
use gbcs::{AlertCode, Cra, Frame, GeneralSigning, MessageCode, Payload, SignatureField};

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

/// The state without what a refusal may change.
fn core(s: &DeviceState) -> DeviceState {
    let mut s = s.clone();
    s.event_log = Default::default();
    s.next_alert_counter = 0;
    s
}

/// Feeds `wan`, expects `refusal` with no response and the given alert (checked as the
/// supplier / ACB receives it), and no change beyond the event log and alert counter.
fn refused(
    w: &World,
    wan: &[u8],
    dev: &mut EmulatedDevice,
    refusal: Refusal,
    alert: Option<u16>,
) -> Option<GeneralSigning> {
    let before = dev.state().clone();
    let reply = dev.handle(wan, w.now);
    assert_eq!(reply.outcome, Outcome::Refused(refusal));
    assert_eq!(reply.response, None);
    assert_eq!(core(dev.state()), core(&before), "nothing else changed");
    match dev
        .state()
        .event_log
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::CommandRefused { .. }))
    {
        Some(e) => {
            assert!(matches!(e.kind, EventKind::CommandRefused { refusal: r, .. } if r == refusal))
        }
        None => panic!("refusal not logged"),
    }
    match alert {
        None => {
            assert!(reply.alerts.is_empty());
            None
        }
        Some(code) => {
            assert_eq!(reply.alerts.len(), 1);
            let to = dev
                .state()
                .trust_anchors
                .get(RemotePartyRole::Supplier)
                .map_or(w.acb.eui, |a| a.eui);
            let a = open(&reply.alerts[0], dev, w.party(to));
            assert_eq!(a.cra, Cra::Alert);
            assert_eq!(a.recipient, to);
            assert_eq!(a.originator, dev.eui());
            assert_eq!(a.counter, before.next_alert_counter);
            assert_eq!(
                dev.state().next_alert_counter,
                before.next_alert_counter + 1
            );
            assert_eq!(
                a.message_code(),
                MessageCode(0x1000),
                "Generic Critical Alert"
            );
            let got = match a.payload() {
                Payload::DataNotification(n) => n.alert_code(),
                Payload::Gbz(GbzPayload::Alert { alert_code, .. }) => Some(alert_code),
                p => panic!("{p:?}"),
            };
            assert_eq!(got, Some(AlertCode(code)));
            Some(a)
        }
    }
}

fn ecs52(w: &World, dev: &EmulatedDevice, counter: u64) -> Vec<u8> {
    w.wan(
        usecases::ecs52_read_firmware_version(&header(&w.supplier, dev, counter)),
        dev,
    )
}

fn executes(w: &World, wan: &[u8], dev: &mut EmulatedDevice) {
    let r = dev.handle(wan, w.now);
    assert!(
        matches!(r.outcome, Outcome::Executed { success: true, .. }),
        "{:?}",
        r.outcome
    );
    assert!(r.response.is_some());
}

#[test]
fn tampered_mac_or_content_is_refused_with_an_authentication_alert() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let good = ecs52(&w, &dev, 1000);
    for i in [good.len() - 1, good.len() - 14, 30] {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        refused(&w, &bad, &mut dev, Refusal::MacInvalid, Some(0x8F3D));
    }
    // The counter was not consumed: the genuine command still executes.
    executes(&w, &good, &mut dev);
}

#[test]
fn replayed_counter_is_refused() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let first = ecs52(&w, &dev, 1000);
    executes(&w, &first, &mut dev);
    refused(
        &w,
        &first,
        &mut dev,
        Refusal::Replay {
            last_accepted: 1000,
        },
        Some(0x8F53),
    );
    refused(
        &w,
        &ecs52(&w, &dev, 999),
        &mut dev,
        Refusal::Replay {
            last_accepted: 1000,
        },
        Some(0x8F53),
    );
    executes(&w, &ecs52(&w, &dev, 1001), &mut dev);
    // Counters are per originator.
    let no = w.wan(
        usecases::ecs52_read_firmware_version(&header(&w.network_operator, &dev, 5)),
        &dev,
    );
    executes(&w, &no, &mut dev);
}

#[test]
fn critical_commands_need_the_suppliers_signature() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let eui = dev.eui();
    let pre = || usecases::ecs43_disable_supply(&CommandHeader::new(w.supplier.eui, eui, 1000));
    // Signed by someone else.
    let forged = w.critical(pre(), &w.rogue, &dev);
    refused(
        &w,
        &forged,
        &mut dev,
        Refusal::SignatureInvalid,
        Some(0x8F3D),
    );
    // Not signed at all (pre-command with no signature field, or a null signature).
    refused(
        &w,
        &w.wan(pre(), &dev),
        &mut dev,
        Refusal::SignatureMissing,
        Some(0x8F3D),
    );
    let mut unsigned = pre();
    unsigned.signature = SignatureField::Unsigned;
    refused(
        &w,
        &w.wan(unsigned, &dev),
        &mut dev,
        Refusal::SignatureMissing,
        Some(0x8F3D),
    );
    // Signature broken after signing (the ACB MAC is recomputed over it, so only the signature
    // check can catch it).
    let mut signed = pre().sign(&w.supplier.ds).unwrap();
    if let SignatureField::Signed(s) = &mut signed.signature {
        s[10] ^= 1;
    }
    refused(
        &w,
        &w.wan(signed, &dev),
        &mut dev,
        Refusal::SignatureInvalid,
        Some(0x8F3D),
    );
    // A network operator may not disable supply, even with its own valid signature.
    let by_no = usecases::ecs43_disable_supply(&header(&w.network_operator, &dev, 1000));
    let wan = w.critical(by_no, &w.network_operator, &dev);
    refused(
        &w,
        &wan,
        &mut dev,
        Refusal::OriginatorNotAuthorised,
        Some(0x8F30),
    );
    assert_eq!(dev.state().supply, SupplyState::Enabled);
    // The genuine command works.
    executes(&w, &w.critical(pre(), &w.supplier, &dev), &mut dev);
    assert_eq!(dev.state().supply, SupplyState::Disabled);
}

#[test]
fn unknown_originator_is_refused_with_no_authority_alert() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let wan = w.wan(
        usecases::ecs52_read_firmware_version(&header(&w.rogue, &esme, 1)),
        &esme,
    );
    let reply_alert = refused(
        &w,
        &wan,
        &mut esme,
        Refusal::UnknownOriginator,
        Some(0x8F30),
    );
    assert!(reply_alert.is_some());
    let mut dev2 = w.device(DeviceKind::Esme, ESME);
    let wan = w.wan(
        usecases::ecs52_read_firmware_version(&header(&w.rogue, &dev2, 1)),
        &dev2,
    );
    let r = dev2.handle(&wan, w.now);
    assert_same_structure(
        &r.alerts[0],
        &rtds("NA_GCA-DLMS", "GCA-DLMS_NA_8F30_ALERT_GBCS.HEX"),
        "GCA-DLMS",
    );

    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let wan = w.wan(
        usecases::gcs38_read_firmware_version(&header(&w.rogue, &gsme, 1)).unwrap(),
        &gsme,
    );
    let r = gsme.handle(&wan, w.now);
    assert_eq!(r.outcome, Outcome::Refused(Refusal::UnknownOriginator));
    open(&r.alerts[0], &gsme, &w.supplier);
    assert_same_structure(
        &r.alerts[0],
        &rtds("NA_GCA-ZigBee", "GCA-ZigBee_NA_8F30_ALERT_GBCS.HEX"),
        "GCA-ZigBee",
    );
}

#[test]
fn role_is_checked_per_use_case() {
    let w = World::new();
    // ECS17b: the ACB may not read registers on anyone's behalf.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let wan = w.wan(
        usecases::ecs17b_read_import_energy_registers(&header(&w.acb, &dev, 1)),
        &dev,
    );
    refused(
        &w,
        &wan,
        &mut dev,
        Refusal::OriginatorNotAuthorised,
        Some(0x8F30),
    );
    // CCS01 comes from the ACB only.
    let mut chf = w.device(DeviceKind::Chf, CHF);
    let add = usecases::DeviceLogAddition::new(gbcs::Eui64::from_u64(ESME), vec![1; 16], 60);
    let wan = w.wan(
        usecases::ccs01_add_device_to_chf_device_log(&header(&w.supplier, &chf, 1), &add),
        &chf,
    );
    refused(
        &w,
        &wan,
        &mut chf,
        Refusal::OriginatorNotAuthorised,
        Some(0x8F30),
    );
    assert!(chf.state().device_log.is_empty());
}

#[test]
fn without_an_acb_anchor_nothing_verifies() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let wan = ecs52(&w, &dev, 1);
    let acb = dev
        .remove_trust_anchor(RemotePartyRole::AccessControlBroker)
        .unwrap();
    refused(&w, &wan, &mut dev, Refusal::MacInvalid, Some(0x8F3D));
    dev.set_trust_anchor(RemotePartyRole::AccessControlBroker, acb);
    executes(&w, &wan, &mut dev);
}

#[test]
fn anchors_can_be_replaced() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    // A new supplier takes over: the old one is no longer obeyed, and alerts go to the new one.
    let new_supplier = Party::new(SUPPLIER + 0x1_0000);
    dev.set_trust_anchor(RemotePartyRole::Supplier, new_supplier.anchor());
    let r = dev.handle(&ecs52(&w, &dev, 1), w.now);
    assert_eq!(r.outcome, Outcome::Refused(Refusal::UnknownOriginator));
    assert_eq!(
        open(&r.alerts[0], &dev, &new_supplier).recipient,
        new_supplier.eui
    );
    let wan = w.wan(
        usecases::ecs52_read_firmware_version(&header(&new_supplier, &dev, 1)),
        &dev,
    );
    let r = dev.handle(&wan, w.now);
    assert!(matches!(r.outcome, Outcome::Executed { success: true, .. }));
    open(&r.response.unwrap(), &dev, &new_supplier);
}

#[test]
fn messages_not_for_this_device_or_not_commands_are_dropped_silently() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let other = w.device(DeviceKind::Esme, GSME);
    let wan = ecs52(&w, &other, 1);
    refused(&w, &wan, &mut dev, Refusal::NotForThisDevice, None);
    // A device response addressed to this device.
    let mut apdu = usecases::ecs52_read_firmware_version(&header(&w.supplier, &dev, 1));
    apdu.cra = Cra::Response;
    refused(&w, &w.wan(apdu, &dev), &mut dev, Refusal::NotACommand, None);
}

#[test]
fn commands_without_the_acb_mac_are_refused() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let bare = usecases::ecs52_read_firmware_version(&header(&w.supplier, &dev, 1)).encode();
    refused(&w, &bare, &mut dev, Refusal::NotMacProtected, Some(0x8F3D));
    // Signed but not MAC'd.
    let pre = usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 2));
    let signed = pre.sign(&w.supplier.ds).unwrap().encode();
    refused(
        &w,
        &signed,
        &mut dev,
        Refusal::NotMacProtected,
        Some(0x8F3D),
    );
}

#[test]
fn malformed_bytes_raise_the_format_alert() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    for bytes in [&b""[..], &[0xDD][..], &[0x00, 0x01, 0x02][..]] {
        refused(&w, bytes, &mut dev, Refusal::Malformed, Some(0x8F1E));
    }
    let good = w.wan(
        usecases::gcs38_read_firmware_version(&header(&w.supplier, &dev, 1)).unwrap(),
        &dev,
    );
    refused(
        &w,
        &good[..good.len() - 1],
        &mut dev,
        Refusal::Malformed,
        Some(0x8F1E),
    );
}

#[test]
fn unsupported_use_cases_get_a_not_supported_answer() {
    let w = World::new();
    // GBZ command to an ESME-less device kind: GCS33 to a PPMID.
    let mut ppmid = w.device(DeviceKind::Ppmid, PPMID);
    let wan = w.wan(
        usecases::gcs33_read_supply_status(&header(&w.supplier, &ppmid, 10)).unwrap(),
        &ppmid,
    );
    let r = ppmid.handle(&wan, w.now);
    assert_eq!(
        r.outcome,
        Outcome::NotSupported {
            message_code: MessageCode::GCS33
        }
    );
    assert!(r.alerts.is_empty());
    let resp = open(&r.response.unwrap(), &ppmid, &w.supplier);
    assert_eq!(resp.counter, 10);
    assert_eq!(
        payload_shape(Cra::Response, &resp.content),
        "GBZ plain ctl=01 cl=0702 fdt=false fc=08 seq=0 cmd=0b [00, 82]"
    );
    assert_eq!(ppmid.state().last_counters.get(&w.supplier.eui), Some(&10));

    // DLMS command the CHF does not implement (ECS45).
    let mut chf = w.device(DeviceKind::Chf, CHF);
    let wan = w.wan(
        usecases::ecs45_read_supply_status(&header(&w.network_operator, &chf, 3)),
        &chf,
    );
    let r = chf.handle(&wan, w.now);
    assert_eq!(
        r.outcome,
        Outcome::NotSupported {
            message_code: MessageCode::ECS45
        }
    );
    let resp = open(&r.response.unwrap(), &chf, &w.network_operator);
    assert_eq!(
        payload_shape(Cra::Response, &resp.content),
        "DA invoke=20 dt=0 specs=None data=[null] results=[Get(4)]"
    );

    // ECS70 (critical, signed) to a GSME: the answer is signed too.
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let pre = usecases::ecs70_set_clock(&header(&w.supplier, &gsme, 4), w.now, 10).unwrap();
    let r = gsme.handle(&w.critical(pre, &w.supplier, &gsme), w.now);
    let bytes = r.response.unwrap();
    assert!(matches!(Frame::decode(&bytes).unwrap(), Frame::Signing(_)));
    let resp = open(&bytes, &gsme, &w.supplier);
    assert_eq!(
        payload_shape(Cra::Response, &resp.content),
        "DA invoke=20 dt=0 specs=None data=[null,null,null,null,null] results=[Set(4), Action(250), Action(250), Get(250), Get(250)]"
    );
    assert!(!gsme.state().commissioned);

    // ASN.1 use cases have no generic answer: CS08 to an ESME gets none, and raises 0x8F1E.
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let h = CommandHeader::on_behalf_of(w.acb.eui, esme.eui(), 1300, w.supplier.eui, 1);
    let r = esme.handle(
        &w.wan(usecases::cs08_read_firmware_version(&h), &esme),
        w.now,
    );
    assert_eq!(
        r.outcome,
        Outcome::NotSupported {
            message_code: MessageCode::CS08
        }
    );
    assert_eq!(r.response, None);
    assert!(r.state_changed);
    assert_eq!(r.alerts.len(), 1);
    assert!(matches!(
        Frame::decode(&r.alerts[0]).unwrap(),
        Frame::Signing(_)
    ));
    let alert = open(&r.alerts[0], &esme, &w.supplier);
    assert_eq!(alert.cra, Cra::Alert);
    assert!(
        matches!(alert.payload(), Payload::DataNotification(n) if n.alert_code() == Some(AlertCode(0x8F1E)))
    );
}

#[test]
fn content_not_matching_the_use_case_is_not_executed() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    // An ECS45 read relabelled as ECS43 (critical), properly signed and MAC'd.
    let mut apdu = usecases::ecs45_read_supply_status(&header(&w.supplier, &dev, 1));
    apdu.other_info = gbcs::OtherInfo::code(MessageCode::ECS43);
    let wan = w.critical(apdu, &w.supplier, &dev);
    let r = dev.handle(&wan, w.now);
    assert_eq!(
        r.outcome,
        Outcome::NotSupported {
            message_code: MessageCode::ECS43
        }
    );
    assert_eq!(dev.state().supply, SupplyState::Enabled);
    let resp = open(&r.response.unwrap(), &dev, &w.supplier);
    assert!(matches!(resp.payload(), Payload::AccessResponse(a) if a.data == vec![Data::Null]));
    assert_eq!(r.alerts.len(), 1);
    let a = open(&r.alerts[0], &dev, &w.supplier);
    assert!(
        matches!(a.payload(), Payload::DataNotification(n) if n.alert_code() == Some(AlertCode(0x8F1E)))
    );

    // ECS17b whose protection parameters name another device.
    let mut apdu = usecases::ecs17b_read_import_energy_registers(&header(&w.supplier, &dev, 2));
    let other = usecases::ecs17b_read_import_energy_registers(&CommandHeader::new(
        w.supplier.eui,
        gbcs::Eui64::from_u64(GSME),
        2,
    ));
    apdu.content = other.content;
    let r = dev.handle(&w.wan(apdu, &dev), w.now);
    assert!(matches!(r.outcome, Outcome::NotSupported { .. }));
    assert_eq!(r.alerts.len(), 1);
}

#[test]
fn devices_without_a_supplier_alert_the_acb() {
    let w = World::new();
    let identity_anchors = TrustAnchors::new()
        .with(RemotePartyRole::AccessControlBroker, w.acb.anchor())
        .with(RemotePartyRole::WanProvider, w.network_operator.anchor());
    let mut chf = w.device(DeviceKind::Chf, CHF);
    chf.state_mut().trust_anchors = identity_anchors;
    let wan = w.wan(
        usecases::ecs52_read_firmware_version(&header(&w.supplier, &chf, 1)),
        &chf,
    );
    let a = refused(&w, &wan, &mut chf, Refusal::UnknownOriginator, Some(0x8F30)).unwrap();
    assert_eq!(a.recipient, w.acb.eui);
}

#[test]
fn raised_alerts_are_critical_signed_or_non_critical_maced() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let bytes = esme.raise_alert(AlertCode(0x810E), w.now).unwrap();
    assert!(matches!(Frame::decode(&bytes).unwrap(), Frame::Ciphered(_)));
    let a = open(&bytes, &esme, &w.supplier);
    assert_eq!(a.message_code(), MessageCode(0x1001));
    assert_same_structure(
        &bytes,
        &rtds("NA_GNCA-DLMS", "GNCA-DLMS_NA_810E_ALERT_GBCS.HEX"),
        "GNCA-DLMS",
    );
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let bytes = gsme.raise_alert(AlertCode(0x810E), w.now).unwrap();
    open(&bytes, &gsme, &w.supplier);
    assert_same_structure(
        &bytes,
        &rtds("NA_GNCA-ZigBee", "GNCA-ZigBee_NA_810E_ALERT_GBCS.HEX"),
        "GNCA-ZigBee",
    );
    let bytes = gsme.raise_alert(AlertCode(0x8F30), w.now).unwrap();
    assert!(matches!(Frame::decode(&bytes).unwrap(), Frame::Signing(_)));
    // Alert counters increase.
    let c1 = Frame::decode(&bytes).unwrap().apdu().counter;
    let c2 = Frame::decode(&gsme.raise_alert(AlertCode(0x8F3F), w.now).unwrap())
        .unwrap()
        .apdu()
        .counter;
    assert!(c2 > c1);
    // No anchors: no alert.
    gsme.state_mut().trust_anchors = TrustAnchors::new();
    assert!(gsme.raise_alert(AlertCode(0x8F3F), w.now).is_err());
}
