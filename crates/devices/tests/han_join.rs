//! 8.7 Join Service and 8.8 Unjoin Service on emulated devices (CS03A1, CS03A2, CS03B, CS03C,
//! CS04AC, CS04B): a join records the other device in the device log, an unjoin removes it; the
//! answers are shaped like the RTDS vectors (signed `INTEGER` responseCode); a join naming a
//! device of a type the device does not join, an unjoin of a device not joined, an unsigned
//! critical join or a join signed by no anchor are refused and change nothing.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use devices::{DeviceKind, EmulatedDevice, Outcome};
use gbcs::usecases::{
    self, CommandHeader, Failure, JoinDeviceType as T, ResponseOutcome, ResponseValue, han_join,
};
use gbcs::{Eui64, MessageCode};

const HCALCS: u64 = 0x00db_1234_5678_90a5;
const IHD: u64 = 0x00db_1234_5678_90a6;

fn outcome(
    w: &World,
    dev: &EmulatedDevice,
    reply: &devices::Reply,
    code: MessageCode,
) -> ResponseOutcome {
    let apdu = open(reply.response.as_ref().unwrap(), dev, &w.supplier);
    usecases::decode_response(code, &apdu.content).unwrap()
}

fn logged(dev: &EmulatedDevice) -> Vec<(Eui64, u8, u8)> {
    dev.state()
        .device_log
        .iter()
        .map(|e| (e.device, e.key_type, e.entry_flags))
        .collect()
}

#[test]
fn an_esme_joins_and_unjoins_a_ppmid_and_a_type_2_device() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let m = esme.eui();
    let h = |c| CommandHeader::new(w.supplier.eui, m, c);
    let pre = usecases::cs03a1_join_meter(&h(1), Eui64::from_u64(PPMID), T::Ppmid).unwrap();
    let bytes = w.critical(pre, &w.supplier, &esme);
    let r = esme.handle(&bytes, w.now);
    assert_eq!(
        outcome(&w, &esme, &r, han_join::CS03A1),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    // The response is signed by the device, as the RTDS CS03A1 response (DF… 40 sig).
    assert_eq!(r.response.as_ref().unwrap()[0], 0xDF);
    assert_eq!(logged(&esme), vec![(Eui64::from_u64(PPMID), 5, 0)]);
    // The same device again as an HCALCS: incompatible with the entry (as the RTDS CS03A1 ERROR).
    let pre = usecases::cs03a1_join_meter(&h(2), Eui64::from_u64(PPMID), T::Hcalcs).unwrap();
    let r = esme.handle(&w.critical(pre, &w.supplier, &esme), w.now);
    assert_eq!(
        outcome(&w, &esme, &r, han_join::CS03A1),
        ResponseOutcome::Failure(Failure::Result {
            code: han_join::RESPONSE_INCOMPATIBLE_WITH_EXISTING_ENTRY
        })
    );
    assert_eq!(logged(&esme), vec![(Eui64::from_u64(PPMID), 5, 0)]);
    // Method B: an IHD (MAC only).
    let cmd = usecases::cs03b_join_type2(&h(3), Eui64::from_u64(IHD)).unwrap();
    let r = esme.handle(&w.wan(cmd, &esme), w.now);
    assert!(!outcome(&w, &esme, &r, han_join::CS03B).is_failure());
    assert_eq!(logged(&esme).len(), 2);
    // Unjoin the PPMID (CS04AC, critical), then the IHD (CS04B).
    let pre = usecases::cs04ac_unjoin(&h(4), Eui64::from_u64(PPMID));
    let r = esme.handle(&w.critical(pre, &w.supplier, &esme), w.now);
    assert!(!outcome(&w, &esme, &r, han_join::CS04AC).is_failure());
    assert_eq!(logged(&esme), vec![(Eui64::from_u64(IHD), 3, 2)]);
    let r = esme.handle(
        &w.wan(usecases::cs04b_unjoin(&h(5), Eui64::from_u64(IHD)), &esme),
        w.now,
    );
    assert!(!outcome(&w, &esme, &r, han_join::CS04B).is_failure());
    assert!(logged(&esme).is_empty());
    // Unjoining it again: not joined (responseCode 1), nothing changes.
    let r = esme.handle(
        &w.wan(usecases::cs04b_unjoin(&h(6), Eui64::from_u64(IHD)), &esme),
        w.now,
    );
    assert_eq!(
        outcome(&w, &esme, &r, han_join::CS04B),
        ResponseOutcome::Failure(Failure::Result {
            code: han_join::RESPONSE_NOT_IN_DEVICE_LOG
        })
    );
}

#[test]
fn a_ppmid_and_an_hcalcs_join_the_meters_the_acb_or_supplier_signing() {
    let w = World::new();
    let mut ppmid = w.device(DeviceKind::Ppmid, PPMID);
    // 8.7.2: the ACB originates and signs on the supplier's behalf.
    let h = CommandHeader::on_behalf_of(w.acb.eui, ppmid.eui(), 1300, w.supplier.eui, 1000);
    let pre = usecases::cs03a2_join_non_meter(&h, Eui64::from_u64(ESME)).unwrap();
    let r = ppmid.handle(&w.critical(pre, &w.acb, &ppmid), w.now);
    let apdu = open(r.response.as_ref().unwrap(), &ppmid, &w.acb);
    assert_eq!(
        usecases::decode_response(han_join::CS03A2, &apdu.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    assert_eq!(logged(&ppmid), vec![(Eui64::from_u64(ESME), 1, 1)]);
    let mut hcalcs = w.device(DeviceKind::Hcalcs, HCALCS);
    let h = CommandHeader::new(w.supplier.eui, hcalcs.eui(), 7);
    let pre = usecases::cs03a2_join_non_meter(&h, Eui64::from_u64(ESME)).unwrap();
    let r = hcalcs.handle(&w.critical(pre, &w.supplier, &hcalcs), w.now);
    assert!(!outcome(&w, &hcalcs, &r, han_join::CS03A2).is_failure());
    assert_eq!(logged(&hcalcs).len(), 1);
}

#[test]
fn bad_joins_change_nothing() {
    let w = World::new();
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let g = gsme.eui();
    let h = |c| CommandHeader::new(w.supplier.eui, g, c);
    // Method C with an ESME named as a PPMID's peer on a GSME: the type is not a PPMID.
    let cert = [0x30u8, 0x03, 0x02, 0x01, 0x00];
    let pre = usecases::cs03c_join_method_c(&h(1), Eui64::from_u64(ESME), T::Gsme, &cert).unwrap();
    let r = gsme.handle(&w.critical(pre, &w.supplier, &gsme), w.now);
    assert_eq!(
        outcome(&w, &gsme, &r, han_join::CS03C),
        ResponseOutcome::Failure(Failure::Result {
            code: han_join::RESPONSE_INVALID_JOIN_METHOD_AND_ROLE
        })
    );
    assert!(logged(&gsme).is_empty());
    // Method C without the other device's certificate (as the RTDS CS03CNonCritical ERROR).
    let mut pre =
        usecases::cs03c_join_method_c(&h(3), Eui64::from_u64(PPMID), T::Ppmid, &cert).unwrap();
    pre.content = vec![
        0x30, 0x10, 0x02, 0x01, 0x03, 0x04, 0x08, 0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa4,
        0x02, 0x01, 0x05,
    ];
    let r = gsme.handle(&w.critical(pre, &w.supplier, &gsme), w.now);
    assert_eq!(
        outcome(&w, &gsme, &r, han_join::CS03C),
        ResponseOutcome::Failure(Failure::Result {
            code: han_join::RESPONSE_INVALID_OR_MISSING_CERTIFICATE
        })
    );
    assert!(logged(&gsme).is_empty());
    // An unsigned critical join is refused (no response, nothing changes).
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let pre = usecases::cs03a1_join_meter(
        &CommandHeader::new(w.supplier.eui, esme.eui(), 1),
        Eui64::from_u64(HCALCS),
        T::Hcalcs,
    )
    .unwrap();
    let unsigned = w.wan(pre.clone(), &esme);
    let r = esme.handle(&unsigned, w.now);
    assert!(
        matches!(r.outcome, Outcome::Refused { .. }),
        "{:?}",
        r.outcome
    );
    // Signed by a party that is no anchor.
    let r = esme.handle(&w.critical(pre, &w.rogue, &esme), w.now);
    assert!(
        matches!(r.outcome, Outcome::Refused { .. }),
        "{:?}",
        r.outcome
    );
    assert!(logged(&esme).is_empty());
    // A GSME is not sent Method A (CS03A1 is the ESME's): not supported.
    let pre = usecases::cs03a1_join_meter(&h(4), Eui64::from_u64(PPMID), T::Ppmid).unwrap();
    let r = gsme.handle(&w.critical(pre, &w.supplier, &gsme), w.now);
    assert!(
        matches!(r.outcome, Outcome::NotSupported { .. }),
        "{:?}",
        r.outcome
    );
    assert!(logged(&gsme).is_empty());
}
