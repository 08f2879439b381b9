//! The instantaneous reads on the emulated devices (4.1.2, 4.1.3, 4.1.4, 4.2, 4.3, 4.12.1,
//! 4.12.2, 4.15, 4.18): every answer has the layout of its RTDS SUCCESS vector (the protected
//! ones after decryption, against the RTDS plaintext decrypted with the corpus keys), every
//! injected fault gives the layout of the RTDS ERROR vector and changes nothing, and the values
//! come from the device's state and advance with time (registers split by the tariff's bands and
//! blocks add up to the register, maximum demand and load limit events follow the load shape,
//! the prepayment balance falls with consumption and the standing charge).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{
    Channel, DeviceFault, DeviceKind, DeviceState, EmulatedDevice, Outcome, SupplyState,
};
use gbcs::axdr::Data;
use gbcs::gbz::{GbzBody, GbzPayload};
use gbcs::usecases::{self, CommandHeader};
use gbcs::{Cra, Frame, GeneralSigning, Payload, UtcDateTime};

const DAY: u32 = 86_400;

fn header(orig: &Party, dev: &EmulatedDevice, counter: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), counter)
}

/// The command of the use case of RTDS directory `dir` from `party`.
fn command(dir: &str, party: &Party, dev: &EmulatedDevice, counter: u64) -> GeneralSigning {
    let h = header(party, dev, counter);
    match dir {
        "4.1.2_ECS17d" => usecases::ecs17d_read_tou_registers(&h),
        "4.1.3_ECS17e" => usecases::ecs17e_read_tou_block_registers(&h),
        "4.3_ECS19" => usecases::ecs19_read_prepayment_registers(&h),
        "4.2_ECS17a" => usecases::ecs17a_read_export_energy_registers(&h),
        "4.12.2_ECS18a" => usecases::ecs18a_read_export_max_demand(&h),
        "4.12.1_ECS18b" => usecases::ecs18b_read_import_max_demand(&h),
        "4.15_ECS27" => usecases::ecs27_read_load_limit_data(&h),
        "4.18_ECS82" => usecases::ecs82_read_meter_balance(&h),
        "4.1.2_GCS13c" => usecases::gcs13c_read_tou_registers(&h).unwrap(),
        "4.1.4_GCS13b" => usecases::gcs13b_read_block_counters(&h).unwrap(),
        "4.3_GCS14" => usecases::gcs14_read_prepayment_registers(&h).unwrap(),
        "4.18_GCS60" => usecases::gcs60_read_meter_balance(&h).unwrap(),
        "4.18_GCS60a" => usecases::gcs60a_read_meter_balance(&h).unwrap(),
        other => panic!("{other}"),
    }
}

/// Sends the use case's command; returns whether the device reports success, the response
/// bytes and the opened response.
fn send(
    w: &World,
    dev: &mut EmulatedDevice,
    dir: &str,
    party: &Party,
    counter: u64,
) -> (bool, Vec<u8>, GeneralSigning) {
    let cmd = command(dir, party, dev, counter);
    let code = cmd.message_code();
    let wan = w.wan(cmd, dev);
    let reply = dev.handle(&wan, w.now);
    let Outcome::Executed {
        message_code,
        success,
    } = reply.outcome
    else {
        panic!("{dir}: not executed: {:?}", reply.outcome)
    };
    assert_eq!(message_code, code);
    assert!(reply.alerts.is_empty(), "{dir}: no alerts");
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, party);
    assert_eq!(resp.cra, Cra::Response);
    assert_eq!(resp.counter, counter);
    (success, bytes, resp)
}

/// A value-free description of an A-XDR value (types and nesting).
fn shape(d: &Data) -> String {
    match d {
        Data::Array(v) => format!("[{}]", v.iter().map(shape).collect::<Vec<_>>().join(",")),
        Data::Structure(v) => format!("({})", v.iter().map(shape).collect::<Vec<_>>().join(",")),
        Data::OctetString(b) => format!("os{}", b.len()),
        Data::DoubleLong(_) => "i32".into(),
        Data::DoubleLongUnsigned(_) => "u32".into(),
        other => format!("{other:?}"),
    }
}

/// The encrypted block of a response (DLMS protected attributes or the encrypted GBZ
/// component).
fn sealed(resp: &GeneralSigning) -> Vec<u8> {
    match resp.payload() {
        Payload::Gbz(GbzPayload::Components { components, .. }) => components
            .iter()
            .find_map(|c| match &c.body {
                GbzBody::Encrypted { protected, .. } => Some(protected.clone()),
                GbzBody::Plain { .. } => None,
            })
            .expect("an encrypted component"),
        _ => protected_block(resp),
    }
}

fn open_sealed(dev: &EmulatedDevice, party: &Party, resp: &GeneralSigning) -> Vec<u8> {
    decrypt_with(
        &party.ka,
        dev.ka_public_key().unwrap().key(),
        resp,
        &sealed(resp),
    )
}

fn rtds_plain(dir: &str, file: &str) -> Vec<u8> {
    let f = Frame::decode(&rtds(dir, file)).unwrap();
    rtds_decrypt(f.apdu(), &sealed(f.apdu()))
}

fn dlms_values(resp: &GeneralSigning) -> Vec<Data> {
    match resp.payload() {
        Payload::AccessResponse(r) => r.data,
        p => panic!("not DLMS: {p:?}"),
    }
}

/// The records of every plaintext Read Attributes Response component: (cluster, id, value).
fn plain_records(resp: &GeneralSigning) -> Vec<(u16, u16, Vec<u8>)> {
    let Payload::Gbz(GbzPayload::Components { components, .. }) = resp.payload() else {
        panic!("not GBZ")
    };
    let mut out = Vec::new();
    for c in components {
        if let GbzBody::Plain { zcl, .. } = &c.body
            && zcl.command == 0x01
        {
            for r in usecases::read_attribute_records(&zcl.payload)
                .unwrap()
                .unwrap()
            {
                out.push((c.cluster, r.id, r.value));
            }
        }
    }
    out
}

fn records(plain: &[u8]) -> Vec<(u16, Vec<u8>)> {
    usecases::read_attribute_records(plain)
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.value))
        .collect()
}

fn u48(v: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b[..6].copy_from_slice(v);
    u64::from_le_bytes(b)
}

fn i32le(v: &[u8]) -> i32 {
    i32::from_le_bytes(v.try_into().unwrap())
}

fn u32_of(d: &Data) -> u32 {
    match d {
        Data::DoubleLongUnsigned(v) => *v,
        other => panic!("not a u32: {other:?}"),
    }
}

/// (RTDS directory, SUCCESS vector, device kind, EUI, originator is the network operator).
const SUCCESSES: [(&str, &str, DeviceKind, u64, bool); 15] = [
    (
        "4.1.2_ECS17d",
        "ECS17d_4.1.2_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Esme,
        ESME,
        false,
    ),
    (
        "4.1.3_ECS17e",
        "ECS17e_4.1.3_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Esme,
        ESME,
        false,
    ),
    (
        "4.3_ECS19",
        "ECS19_4.3_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Esme,
        ESME,
        false,
    ),
    (
        "4.2_ECS17a",
        "ECS17a_4.2_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Esme,
        ESME,
        true,
    ),
    (
        "4.12.2_ECS18a",
        "ECS18a_4.12.2_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Esme,
        ESME,
        true,
    ),
    (
        "4.12.1_ECS18b",
        "ECS18b_4.12.1_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Esme,
        ESME,
        false,
    ),
    (
        "4.15_ECS27",
        "ECS27_4.15_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Esme,
        ESME,
        false,
    ),
    (
        "4.18_ECS82",
        "ECS82_4.18_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Esme,
        ESME,
        false,
    ),
    (
        "4.1.2_GCS13c",
        "GCS13c_4.1.2_SUCCESS_UNRELIABLE_RESPONSE_GBCS.HEX",
        DeviceKind::Gsme,
        GSME,
        false,
    ),
    (
        "4.1.2_GCS13c",
        "GCS13c_4.1.2_SUCCESS_RELIABLE_GPF_RESPONSE_GBCS.HEX",
        DeviceKind::Gpf,
        GPF,
        false,
    ),
    (
        "4.1.4_GCS13b",
        "GCS13b_4.1.4_SUCCESS_UNRELIABLE_RESPONSE_GBCS.HEX",
        DeviceKind::Gsme,
        GSME,
        false,
    ),
    (
        "4.3_GCS14",
        "GCS14_4.3_SUCCESS_UNRELIABLE_RESPONSE_GBCS.HEX",
        DeviceKind::Gsme,
        GSME,
        false,
    ),
    (
        "4.3_GCS14",
        "GCS14_4.3_SUCCESS_RELIABLE_GPF_RESPONSE_GBCS.HEX",
        DeviceKind::Gpf,
        GPF,
        false,
    ),
    (
        "4.18_GCS60",
        "GCS60_4.18_SUCCESS_RESPONSE_GBCS.HEX",
        DeviceKind::Gsme,
        GSME,
        false,
    ),
    (
        "4.18_GCS60a",
        "GCS60a_4.18_SUCCESS_RELIABLE_GPF_RESPONSE_GBCS.HEX",
        DeviceKind::Gpf,
        GPF,
        false,
    ),
];

#[test]
fn every_answer_has_the_rtds_success_layout() {
    for (dir, file, kind, eui, by_no) in SUCCESSES {
        let mut w = World::new();
        let mut dev = w.device(kind, eui);
        w.now = w.now.plus_seconds(3 * DAY + 3600).unwrap();
        let party = if by_no {
            &w.network_operator
        } else {
            &w.supplier
        };
        let (success, bytes, resp) = send(&w, &mut dev, dir, party, 1000);
        assert!(success, "{file}");
        assert_same_structure(&bytes, &rtds(dir, file), file);
        let r = Frame::decode(&rtds(dir, file)).unwrap();
        // The decoded answer classifies as the RTDS one does.
        assert_eq!(
            usecases::classify_response(resp.message_code(), &resp.content),
            usecases::classify_response(r.apdu().message_code(), &r.apdu().content),
            "{file}"
        );
        match dir {
            "4.1.2_ECS17d" | "4.1.3_ECS17e" | "4.3_ECS19" => {
                let ours = Data::decode(&open_sealed(&dev, party, &resp)).unwrap();
                let theirs = Data::decode(&rtds_plain(dir, file)).unwrap();
                assert_eq!(shape(&ours), shape(&theirs), "{file}: protected plaintext");
            }
            "4.1.2_GCS13c" | "4.1.4_GCS13b" | "4.3_GCS14" => {
                let ours = open_sealed(&dev, party, &resp);
                assert_eq!(
                    zcl_records(&ours),
                    zcl_records(&rtds_plain(dir, file)),
                    "{file}"
                );
            }
            "4.18_GCS60" | "4.18_GCS60a" => {
                let theirs: Vec<_> = plain_records(r.apdu())
                    .into_iter()
                    .map(|(c, i, v)| (c, i, v.len()))
                    .collect();
                let ours: Vec<_> = plain_records(&resp)
                    .into_iter()
                    .map(|(c, i, v)| (c, i, v.len()))
                    .collect();
                assert_eq!(ours, theirs, "{file}");
            }
            _ => {
                let ours: Vec<String> = dlms_values(&resp).iter().map(shape).collect();
                let theirs: Vec<String> = dlms_values(r.apdu()).iter().map(shape).collect();
                assert_eq!(ours, theirs, "{file}: values");
            }
        }
    }
}

/// What an accepted command may change even when it fails.
fn core(s: &DeviceState) -> DeviceState {
    let mut s = s.clone();
    s.last_counters.clear();
    s.event_log = Default::default();
    s
}

fn dlms_fault(o: gbcs::dlms::CosemDescriptor) -> DeviceFault {
    DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    }
}

#[test]
fn every_fault_answers_with_the_rtds_error_layout_and_changes_nothing() {
    let cases: [(&str, &str, DeviceKind, u64, DeviceFault, bool); 13] = [
        (
            "4.1.2_ECS17d",
            "ECS17d_4.1.2_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Esme,
            ESME,
            dlms_fault(usecases::ecs17d::OBJECT),
            false,
        ),
        (
            "4.1.3_ECS17e",
            "ECS17e_4.1.3_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Esme,
            ESME,
            dlms_fault(usecases::ecs17e::OBJECT),
            false,
        ),
        (
            "4.3_ECS19",
            "ECS19_4.3_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Esme,
            ESME,
            dlms_fault(usecases::ecs19::OBJECT),
            false,
        ),
        (
            "4.2_ECS17a",
            "ECS17a_4.2_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Esme,
            ESME,
            dlms_fault(usecases::ecs17a::REACTIVE_EXPORT),
            true,
        ),
        (
            "4.12.2_ECS18a",
            "ECS18a_4.12.2_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Esme,
            ESME,
            dlms_fault(usecases::ecs18a::MAX_DEMAND_SCALER),
            true,
        ),
        (
            "4.12.1_ECS18b",
            "ECS18b_4.12.1_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Esme,
            ESME,
            dlms_fault(usecases::ecs18b::CONFIGURABLE_MAX_DEMAND_TIME),
            false,
        ),
        (
            "4.15_ECS27",
            "ECS27_4.15_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Esme,
            ESME,
            dlms_fault(usecases::ecs27::MIN_OVER_THRESHOLD),
            false,
        ),
        (
            "4.18_ECS82",
            "ECS82_4.18_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Esme,
            ESME,
            dlms_fault(usecases::ecs82::METER_BALANCE),
            false,
        ),
        (
            "4.3_GCS14",
            "GCS14_4.3_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Gsme,
            GSME,
            DeviceFault::parse("zcl-attribute:0x0700/0x0617").unwrap(),
            false,
        ),
        (
            "4.18_GCS60",
            "GCS60_4.18_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Gsme,
            GSME,
            DeviceFault::MeteringAttribute(0x0A00),
            false,
        ),
        (
            "4.18_GCS60a",
            "GCS60a_4.18_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Gsme,
            GSME,
            DeviceFault::MeteringAttribute(0x0A00),
            false,
        ),
        // The encrypted answers carry the failed record inside (compared after decryption).
        (
            "4.1.2_GCS13c",
            "GCS13c_4.1.2_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Gsme,
            GSME,
            DeviceFault::MeteringAttribute(0x0301),
            false,
        ),
        (
            "4.1.4_GCS13b",
            "GCS13b_4.1.4_ERROR_RESPONSE_GBCS.HEX",
            DeviceKind::Gsme,
            GSME,
            DeviceFault::MeteringAttribute(0x0301),
            false,
        ),
    ];
    for (dir, file, kind, eui, fault, by_no) in cases {
        let mut w = World::new();
        let mut dev = w.device(kind, eui);
        dev.state_mut().faults.insert(fault);
        w.now = w.now.plus_seconds(DAY).unwrap();
        let before = core(dev.state());
        let party = if by_no {
            &w.network_operator
        } else {
            &w.supplier
        };
        let (success, bytes, resp) = send(&w, &mut dev, dir, party, 1001);
        assert!(!success, "{file}: the device reports failure");
        assert_eq!(core(dev.state()), before, "{file}: nothing changed");
        if matches!(dir, "4.1.2_GCS13c" | "4.1.4_GCS13b") {
            assert_same_structure(&bytes, &rtds(dir, file), file);
            assert_eq!(
                zcl_records(&open_sealed(&dev, party, &resp)),
                zcl_records(&rtds_plain(dir, file)),
                "{file}: records"
            );
        } else {
            assert_failure_like_rtds(&bytes, dir, file);
        }
    }
}

fn new_esme(w: &World) -> EmulatedDevice {
    w.device(DeviceKind::Esme, ESME)
}

fn read_values(w: &World, dev: &mut EmulatedDevice, dir: &str, counter: u64) -> Vec<Data> {
    let (ok, _, resp) = send(w, dev, dir, &w.supplier, counter);
    assert!(ok, "{dir}");
    dlms_values(&resp)
}

fn protected(w: &World, dev: &mut EmulatedDevice, dir: &str, counter: u64) -> Vec<Data> {
    let (ok, _, resp) = send(w, dev, dir, &w.supplier, counter);
    assert!(ok, "{dir}");
    let Data::Structure(v) = Data::decode(&open_sealed(dev, &w.supplier, &resp)).unwrap() else {
        panic!()
    };
    let [Data::Structure(inner)] = &v[..] else {
        panic!("{v:?}")
    };
    match &inner[..] {
        [Data::Array(a)] => a.clone(),
        other => other.to_vec(),
    }
}

#[test]
fn tou_and_block_registers_split_the_import_register() {
    let mut w = World::new();
    let t0 = w.now; // 2015-01-01 00:00 UTC, the installation
    let mut dev = new_esme(&w);
    w.now = t0.plus_seconds(DAY).unwrap();
    let m = dev.state().metering.clone();
    let (a, b) = (t0.to_unix(), w.now.to_unix());
    let total = m.register(Channel::ActiveImport, b);
    let night = m.consumed(Channel::ActiveImport, a + 1800, a + 27_000);
    let tou: Vec<u32> = protected(&w, &mut dev, "4.1.2_ECS17d", 1)
        .iter()
        .map(u32_of)
        .collect();
    assert_eq!(tou.len(), 48);
    assert_eq!(u64::from(tou[1]), night, "rate 2: 00:30-07:30");
    assert_eq!(
        u64::from(tou[0]),
        total - night,
        "rate 1: the rest of the day"
    );
    assert!(tou[2..].iter().all(|v| *v == 0));

    // The day's consumption filled blocks 1 (2 kWh), 2 (3 kWh), 3 (5 kWh) and block 4.
    let cells: Vec<u32> = protected(&w, &mut dev, "4.1.3_ECS17e", 2)
        .iter()
        .map(u32_of)
        .collect();
    assert_eq!(cells.len(), 64);
    let block = |k: usize| -> u64 { (0..8).map(|r| u64::from(cells[r * 8 + k])).sum() };
    assert!(total > 10_000, "{total} Wh in a day");
    assert_eq!((block(0), block(1), block(2)), (2000, 3000, 5000));
    assert_eq!(block(3), total - 10_000);
    assert_eq!(cells.iter().map(|v| u64::from(*v)).sum::<u64>(), total);
    // 00:00-00:30 (rate 1) came first in the day, then the night (rate 2) filled block 1.
    assert_eq!(u64::from(cells[0] + cells[8]), 2000);
    assert_eq!(u64::from(cells[8] + cells[9]), night);

    // A day later the registers advanced; with the supply off they stop.
    w.now = t0.plus_seconds(2 * DAY).unwrap();
    let later: Vec<u32> = protected(&w, &mut dev, "4.1.2_ECS17d", 3)
        .iter()
        .map(u32_of)
        .collect();
    assert!(later[0] > tou[0] && later[1] > tou[1]);
    let pre = usecases::ecs43_disable_supply(&header(&w.supplier, &dev, 100));
    let wan = w.critical(pre, &w.supplier, &dev);
    assert!(matches!(
        dev.handle(&wan, w.now).outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert_eq!(dev.state().supply, SupplyState::Disabled);
    w.now = t0.plus_seconds(3 * DAY).unwrap();
    let off: Vec<u32> = protected(&w, &mut dev, "4.1.2_ECS17d", 101)
        .iter()
        .map(u32_of)
        .collect();
    assert_eq!(off, later);
}

/// 1.7 (ECS05): the block counter matrix (4.1.3) restarts from zero at the reset and counts the
/// consumption since, in its rate and block; the TOU registers (4.1.2) are not reset.
#[test]
fn a_block_counter_reset_restarts_the_block_counters_only() {
    let mut w = World::new();
    let t0 = w.now;
    let mut dev = new_esme(&w);
    w.now = t0.plus_seconds(DAY).unwrap();
    let cells = |w: &World, dev: &mut EmulatedDevice, counter| -> Vec<u64> {
        protected(w, dev, "4.1.3_ECS17e", counter)
            .iter()
            .map(|d| u64::from(u32_of(d)))
            .collect()
    };
    let tou_total = |w: &World, dev: &mut EmulatedDevice, counter| -> u64 {
        protected(w, dev, "4.1.2_ECS17d", counter)
            .iter()
            .map(|d| u64::from(u32_of(d)))
            .sum()
    };
    assert!(cells(&w, &mut dev, 1).iter().sum::<u64>() > 10_000);
    let pre = usecases::ecs05_reset_tariff_block_counter_matrix(&header(&w.supplier, &dev, 2));
    let wan = w.critical(pre, &w.supplier, &dev);
    assert!(matches!(
        dev.handle(&wan, w.now).outcome,
        Outcome::Executed { success: true, .. }
    ));
    let at = w.now.to_unix();
    assert_eq!(dev.state().payment.block_counters_reset_at, Some(at));
    assert!(
        cells(&w, &mut dev, 3).iter().all(|c| *c == 0),
        "zero at the reset"
    );
    let register =
        |dev: &EmulatedDevice, t: i64| dev.state().metering.register(Channel::ActiveImport, t);
    assert_eq!(
        tou_total(&w, &mut dev, 4),
        register(&dev, at),
        "TOU untouched"
    );
    // Three hours on (00:00 to 03:00 UTC: rate 1 until 00:30, then rate 2), the day's first
    // units, in block 1.
    w.now = w.now.plus_seconds(3 * 3600).unwrap();
    let since = dev
        .state()
        .metering
        .consumed(Channel::ActiveImport, at, w.now.to_unix());
    let c = cells(&w, &mut dev, 5);
    assert_eq!(c.iter().sum::<u64>(), since);
    assert!(since > 0);
    assert!(since < 2000, "{since}");
    assert_eq!(c[0] + c[8], since, "block 1 of rates 1 and 2");
    assert!(c[0] > 0 && c[8] > c[0], "{c:?}");
}

#[test]
fn gas_tiers_and_block_counters_add_up_to_the_gas_register() {
    for (kind, eui) in [(DeviceKind::Gsme, GSME), (DeviceKind::Gpf, GPF)] {
        let mut w = World::new();
        let t0 = w.now;
        let mut dev = w.device(kind, eui);
        w.now = t0.plus_seconds(DAY + 7200).unwrap();
        let litres = dev.state().metering.gas_import_litres(w.now.to_unix());
        let (_, _, resp) = send(&w, &mut dev, "4.1.2_GCS13c", &w.supplier, 1);
        let r = records(&open_sealed(&dev, &w.supplier, &resp));
        let tiers: Vec<u64> = r[3..].iter().map(|(_, v)| u48(v)).collect();
        assert_eq!(tiers.iter().sum::<u64>(), litres);
        assert!(tiers[0] > 0 && tiers[1] > 0 && tiers[2] == 0);
        let (_, _, resp) = send(&w, &mut dev, "4.1.4_GCS13b", &w.supplier, 2);
        let r = records(&open_sealed(&dev, &w.supplier, &resp));
        let blocks: Vec<u64> = r[..4].iter().map(|(_, v)| u48(v)).collect();
        assert_eq!(blocks.iter().sum::<u64>(), litres);
        // 2,400 litres a day: the first day filled block 1 (2,000) and part of block 2.
        let day1 = dev
            .state()
            .metering
            .gas_import_litres(t0.to_unix() + i64::from(DAY));
        assert_eq!(blocks[1], day1 - 2000);
        assert_eq!(blocks[0], 2000 + (litres - day1));
    }
}

#[test]
fn export_registers_follow_generation() {
    let mut w = World::new();
    let t0 = w.now;
    let mut dev = new_esme(&w);
    w.now = t0.plus_seconds(12 * 3600).unwrap();
    let v = read_values(&w, &mut dev, "4.2_ECS17a", 1);
    let m = dev.state().metering.clone();
    assert_eq!(
        u64::from(u32_of(&v[0])),
        m.register(Channel::ActiveExport, w.now.to_unix())
    );
    assert_eq!(
        u64::from(u32_of(&v[2])),
        m.register(Channel::ReactiveExport, w.now.to_unix())
    );
    w.now = t0.plus_seconds(15 * 3600).unwrap();
    let later = read_values(&w, &mut dev, "4.2_ECS17a", 2);
    assert!(u32_of(&later[0]) > u32_of(&v[0]), "midday generation");
}

#[test]
fn maximum_demand_is_the_largest_half_hour_since_the_reset() {
    let mut w = World::new();
    let t0 = w.now;
    let mut dev = new_esme(&w);
    w.now = t0.plus_seconds(2 * DAY + 600).unwrap();
    let m = dev.state().metering.clone();
    let (mut best, mut at) = (0u64, 0i64);
    let (mut cfg_best, mut cfg_at) = (0u64, 0i64);
    let mut s = t0.to_unix();
    while s + 1800 <= w.now.to_unix() {
        let d = m.consumed(Channel::ActiveImport, s, s + 1800) * 2;
        if d > best {
            (best, at) = (d, s + 1800);
        }
        let sod = s.rem_euclid(86_400);
        if (16 * 3600..19 * 3600).contains(&sod) && d > cfg_best {
            (cfg_best, cfg_at) = (d, s + 1800);
        }
        s += 1800;
    }
    let v = read_values(&w, &mut dev, "4.12.1_ECS18b", 1);
    let time = |t: i64| Data::OctetString(UtcDateTime::from_unix(t).unwrap().to_cosem().0.to_vec());
    assert_eq!(v[0], time(t0.to_unix()), "reset at installation");
    assert_eq!(u64::from(u32_of(&v[2])), best);
    assert!(
        (800..=1200).contains(&best),
        "{best} W: the evening peak of a 500 W home"
    );
    assert_eq!(v[4], time(at));
    assert_eq!(u64::from(u32_of(&v[5])), cfg_best);
    assert_eq!(v[7], time(cfg_at));
    let Data::Array(entries) = &v[8] else {
        panic!()
    };
    assert_eq!(entries.len(), 2, "the configurable period opens and closes");
    // Export: the midday generation peak.
    let e = read_values(&w, &mut dev, "4.12.2_ECS18a", 2);
    assert!(u32_of(&e[1]) > 0);
    // After a reset, only later half hours count.
    dev.state_mut().instantaneous.max_demand_reset_at = Some(w.now.to_unix());
    w.now = w.now.plus_seconds(3 * 3600).unwrap(); // 03:10: the night
    let v = read_values(&w, &mut dev, "4.12.1_ECS18b", 3);
    assert!(u64::from(u32_of(&v[2])) < best);
}

#[test]
fn load_limit_events_are_counted_from_the_demand() {
    let mut w = World::new();
    let t0 = w.now;
    let mut dev = new_esme(&w);
    w.now = t0.plus_seconds(2 * DAY).unwrap();
    let v = read_values(&w, &mut dev, "4.15_ECS27", 1);
    assert_eq!(v[0], Data::Boolean(0));
    assert_eq!(u32_of(&v[1]), 0, "6.9 kW is never reached");
    assert_eq!(
        (u32_of(&v[3]), u32_of(&v[4]), u32_of(&v[5])),
        (6900, 300, 30)
    );
    // At 900 W the evening peak (17:30-18:30, 950 W) is an event every day.
    dev.state_mut().instantaneous.load_limit.threshold_w = 900;
    let v = read_values(&w, &mut dev, "4.15_ECS27", 2);
    assert_eq!(u32_of(&v[1]), 2);
    w.now = t0.plus_seconds(2 * DAY + 17 * 3600 + 2700).unwrap();
    // The meter held the event (devices::load_limit) and raises 0x8F01 at its time.
    assert_eq!(dev.tick(w.now).unwrap().len(), 1, "the load limit alert");
    let v = read_values(&w, &mut dev, "4.15_ECS27", 3);
    // The supply state flag is the configured load limit supply state (6.4.1 ECS28a),
    // `Unchanged` by default, whatever the demand.
    assert_eq!(v[0], Data::Boolean(0), "the configured supply state");
    assert_eq!(
        u32_of(&v[1]),
        3,
        "the running event counts once it lasted 5 minutes"
    );
}

#[test]
fn the_prepayment_balance_falls_with_consumption_and_the_standing_charge() {
    let mut w = World::new();
    let t0 = w.now;
    let mut dev = new_esme(&w);
    w.now = t0.plus_seconds(DAY).unwrap();
    let used = dev
        .state()
        .metering
        .consumed(Channel::ActiveImport, t0.to_unix(), w.now.to_unix());
    let expected = 10_000_000 - i64::try_from(used * 25).unwrap() - 50_000;
    let v = read_values(&w, &mut dev, "4.18_ECS82", 1);
    assert_eq!(v, [Data::DoubleLong(i32::try_from(expected).unwrap())]);
    let p = protected(&w, &mut dev, "4.3_ECS19", 2);
    assert_eq!(
        p[0],
        Data::DoubleLong(i32::try_from(expected).unwrap()),
        "credit remaining"
    );
    assert_eq!(
        p[1],
        Data::DoubleLong(0),
        "no emergency credit: not activated"
    );
    // In debt: no credit, and no emergency credit until it is activated (2.5, ECS09). (A
    // credit mode meter: the reads are the same, and its supply is not disabled for want of
    // credit, devices::prepay.)
    dev.state_mut().payment_mode.credit = true;
    dev.state_mut().instantaneous.prepayment.credit = 0;
    let p = protected(&w, &mut dev, "4.3_ECS19", 3);
    assert_eq!(p[0], Data::DoubleLong(0));
    assert_eq!(p[1], Data::DoubleLong(0));
    // Activated now: the whole limit (£25, the ECS26a configuration's) remains; a day later,
    // the day's cost has been drawn.
    let pre = usecases::ecs09_activate_emergency_credit(&header(&w.supplier, &dev, 4));
    let wan = w.critical(pre, &w.supplier, &dev);
    let reply = dev.handle(&wan, w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    let p = protected(&w, &mut dev, "4.3_ECS19", 5);
    assert_eq!(
        (&p[0], &p[1]),
        (&Data::DoubleLong(0), &Data::DoubleLong(2_500_000))
    );
    let before = dev.state().instantaneous.meter_balance(
        &dev.state().metering,
        Channel::ActiveImport,
        w.now.to_unix(),
    );
    w.now = w.now.plus_seconds(DAY).unwrap();
    let after = dev.state().instantaneous.meter_balance(
        &dev.state().metering,
        Channel::ActiveImport,
        w.now.to_unix(),
    );
    let p = protected(&w, &mut dev, "4.3_ECS19", 6);
    assert_eq!(
        p[1],
        Data::DoubleLong(i32::try_from(2_500_000 - (before - after)).unwrap()),
        "emergency credit drawn by the day's cost"
    );

    // Gas: GCS60 and GCS14 read the same balance.
    let mut w = World::new();
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    w.now = t0.plus_seconds(DAY).unwrap();
    let litres = gsme.state().metering.gas_import_litres(w.now.to_unix());
    let expected = 10_000_000 - i64::try_from(litres * 80).unwrap() - 50_000;
    let (_, _, resp) = send(&w, &mut gsme, "4.18_GCS60", &w.supplier, 1);
    let r = plain_records(&resp);
    assert_eq!(
        u32::from_le_bytes(r[0].2[..].try_into().unwrap()),
        u32::try_from(expected).unwrap()
    );
    assert_eq!(i64::from(i32le(&r[1].2)), expected);
    let (_, _, resp) = send(&w, &mut gsme, "4.3_GCS14", &w.supplier, 2);
    assert_eq!(
        plain_records(&resp)[1].2,
        826u16.to_le_bytes(),
        "currency GBP"
    );
    let sealed = records(&open_sealed(&gsme, &w.supplier, &resp));
    assert_eq!(i64::from(i32le(&sealed[2].1)), expected, "credit remaining");
    w.now = w.now.plus_seconds(DAY).unwrap();
    let (_, _, resp) = send(&w, &mut gsme, "4.18_GCS60", &w.supplier, 3);
    assert!(
        i64::from(i32le(&plain_records(&resp)[1].2)) < expected,
        "the balance falls"
    );
}

#[test]
fn fault_names() {
    assert_eq!(
        DeviceFault::parse("dlms-object:3/1.0.4.8.0.255/2"),
        Some(dlms_fault(usecases::ecs17a::REACTIVE_EXPORT))
    );
    assert_eq!(
        DeviceFault::parse("zcl-attribute:0x0705/1"),
        Some(DeviceFault::ClusterAttribute {
            cluster: 0x0705,
            attribute: 1
        })
    );
    for bad in [
        "dlms-object:3/1.0.4.8.0/2",
        "dlms-object:3/1.0.4.8.0.256/2",
        "dlms-object:3/1.0.4.8.0.255",
        "zcl-attribute:0x0705",
        "zcl-attribute:x/1",
    ] {
        assert_eq!(DeviceFault::parse(bad), None, "{bad}");
    }
}

/// The export reads (ECS17a, ECS18a) reach a user who is not a trust anchor (an export supplier)
/// through the ACB; the sensitive reads do not accept the ACB as originator.
#[test]
fn only_the_export_reads_accept_the_acb() {
    let mut w = World::new();
    let mut dev = new_esme(&w);
    w.now = w.now.plus_seconds(DAY).unwrap();
    let esme = dev.eui();
    let on_behalf =
        |counter| CommandHeader::on_behalf_of(w.acb.eui, esme, counter, w.rogue.eui, 77);
    for (i, cmd) in [
        usecases::ecs17a_read_export_energy_registers(&on_behalf(1300)),
        usecases::ecs18a_read_export_max_demand(&on_behalf(1301)),
    ]
    .into_iter()
    .enumerate()
    {
        let reply = dev.handle(&w.wan(cmd, &dev), w.now);
        assert!(
            matches!(reply.outcome, Outcome::Executed { success: true, .. }),
            "{i}: {:?}",
            reply.outcome
        );
        let resp = open(&reply.response.unwrap(), &dev, &w.acb);
        assert_eq!(resp.recipient, w.acb.eui, "answered to the ACB");
    }
    for cmd in [
        usecases::ecs19_read_prepayment_registers(&on_behalf(1302)),
        usecases::ecs17d_read_tou_registers(&on_behalf(1303)),
        usecases::ecs82_read_meter_balance(&on_behalf(1304)),
    ] {
        let reply = dev.handle(&w.wan(cmd, &dev), w.now);
        assert!(
            matches!(reply.outcome, Outcome::Refused(_)),
            "{:?}",
            reply.outcome
        );
    }
}
