//! The log reads end to end on emulated devices: daily logs grow with the simulated clock, a
//! read returns exactly the entries in the period asked for (their values the registers at the
//! capture times; the prepayment daily snapshots the balance model's values), an empty period
//! gets no entries as a success, the event logs this emulation does not fill are empty, and a
//! faulty log store fails like the RTDS ERROR vectors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::metering::Channel;
use devices::prepay::PrepayLimits;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::axdr::{Data, TypeDescription};
use gbcs::gbz::{GbzBody, GbzPayload};
use gbcs::usecases::logs_common::ZCL_NOT_FOUND;
use gbcs::usecases::{
    self, CommandHeader, GbzLogPart, LogEntry, LogPeriod, ResponseOutcome, ResponseValue,
};
use gbcs::{Frame, GeneralSigning, Payload, UtcDateTime};

const DAY: i64 = 86_400;

fn at(t: i64) -> UtcDateTime {
    UtcDateTime::from_unix(t).unwrap()
}

fn period(start: i64, end: i64) -> LogPeriod {
    LogPeriod {
        start: at(start),
        end: at(end),
    }
}

/// Sends `cmd` (MAC'd by the ACB) and opens the answer as its originator.
fn exchange(w: &World, dev: &mut EmulatedDevice, cmd: GeneralSigning) -> (GeneralSigning, bool) {
    let code = cmd.message_code();
    let wan = w.wan(cmd, dev);
    let originator = Frame::decode(&wan).unwrap().apdu().originator;
    let reply = dev.handle(&wan, w.now);
    let Outcome::Executed {
        message_code,
        success,
    } = reply.outcome
    else {
        panic!("not executed: {:?}", reply.outcome)
    };
    assert_eq!(message_code, code);
    let resp = open(
        &reply.response.expect("a response"),
        dev,
        w.party(originator),
    );
    (resp, success)
}

fn outcome(resp: &GeneralSigning) -> ResponseOutcome {
    usecases::decode_response(resp.message_code(), &resp.content).unwrap()
}

/// The protected plaintext of a DLMS protected log read, opened by `party`.
fn protected_plain(resp: &GeneralSigning, dev: &EmulatedDevice, party: &Party) -> Vec<Data> {
    let plain = decrypt_with(
        &party.ka,
        dev.ka_public_key().unwrap().key(),
        resp,
        &protected_block(resp),
    );
    let Data::Structure(arrays) = Data::decode(&plain).unwrap() else {
        panic!("not a structure")
    };
    arrays
}

/// (time, total) of each entry of a read-log compact array.
fn read_log_entries(d: &Data) -> Vec<(u32, u32)> {
    let Data::CompactArray {
        description: TypeDescription::Structure(cols),
        contents,
    } = d
    else {
        panic!("not a compact array: {d:?}")
    };
    assert_eq!(cols.len(), 7);
    let row = (2 + 48 + 32) * 4;
    assert!(contents.len().is_multiple_of(row));
    contents
        .chunks_exact(row)
        .map(|r| {
            let u = |i: usize| u32::from_be_bytes(r[i * 4..i * 4 + 4].try_into().unwrap());
            // TOU register 1 carries the total (no time-of-use tariff is modelled).
            assert_eq!(u(1), u(2));
            (u(0), u(1))
        })
        .collect()
}

fn zigbee(t: i64) -> u32 {
    u32::try_from(t - 946_684_800).unwrap()
}

#[test]
fn the_daily_read_log_grows_a_day_at_a_time_and_reads_exactly_the_period() {
    let mut w = World::new(); // installed 2015-01-01T00:00Z
    let t0 = w.now.to_unix();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    w.now = at(t0 + 3 * DAY + 6 * 3600);
    let read = |w: &World, dev: &mut EmulatedDevice, counter: u64, p: LogPeriod| {
        let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
        let (resp, success) = exchange(w, dev, usecases::ecs21a_read_daily_read_log(&h, &p));
        assert!(success);
        assert!(matches!(
            outcome(&resp),
            ResponseOutcome::Success(ResponseValue::Protected(_))
        ));
        let arrays = protected_plain(&resp, dev, &w.supplier);
        assert_eq!(arrays.len(), 1);
        read_log_entries(&arrays[0])
    };
    // Midnights after installation: 2, 3 and 4 January.
    let all = read(&w, &mut dev, 1000, period(t0 - 10 * DAY, t0 + 10 * DAY));
    let m = dev.state().metering.clone();
    let expect = |d: i64| {
        (
            zigbee(t0 + d * DAY),
            u32::try_from(m.register(Channel::ActiveImport, t0 + d * DAY)).unwrap(),
        )
    };
    assert_eq!(all, vec![expect(1), expect(2), expect(3)]);
    assert!(all[0].1 > 0 && all[0].1 < all[1].1);
    // Exactly the period: the 2nd and 3rd (bounds included).
    let some = read(&w, &mut dev, 1001, period(t0 + DAY, t0 + 2 * DAY));
    assert_eq!(some, vec![expect(1), expect(2)]);
    // A period with no midnight in it, and one before installation: no entries, a success.
    assert!(read(&w, &mut dev, 1002, period(t0 + DAY + 1, t0 + 2 * DAY - 1)).is_empty());
    assert!(read(&w, &mut dev, 1003, period(t0 - 5 * DAY, t0 - DAY)).is_empty());
    // A day later there is one entry more, and the earlier ones have not changed.
    w.now = at(w.now.to_unix() + DAY);
    let later = read(&w, &mut dev, 1004, period(t0 - 10 * DAY, t0 + 10 * DAY));
    assert_eq!(later.len(), 4);
    assert_eq!(later[..3], all[..]);
}

#[test]
fn the_daily_read_log_has_the_rtds_layout() {
    let mut w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let t0 = w.now.to_unix();
    w.now = at(t0 + 2 * DAY);
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 7);
    let p = period(t0, w.now.to_unix());
    let (resp, _) = exchange(&w, &mut dev, usecases::ecs21a_read_daily_read_log(&h, &p));
    // No device time in the header, as the RTDS responses.
    assert_eq!(resp.date_time, None);
    let ours = protected_plain(&resp, &dev, &w.supplier);
    let r = Frame::decode(&rtds(
        "4.6.1_ECS21a",
        "ECS21a_4.6.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
    ))
    .unwrap();
    let theirs = Data::decode(&rtds_decrypt(r.apdu(), &protected_block(r.apdu()))).unwrap();
    let (Data::CompactArray { description: a, .. }, Data::Structure(t)) = (&ours[0], &theirs)
    else {
        panic!()
    };
    let Data::CompactArray { description: b, .. } = &t[0] else {
        panic!()
    };
    assert_eq!(a, b, "same columns as the RTDS single-element ESME");
}

#[test]
fn export_daily_reads_and_daily_consumption() {
    let mut w = World::new();
    let t0 = w.now.to_unix();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    w.now = at(t0 + 2 * DAY + 3600);
    // ECS21c, through the ACB for the export supplier.
    let h = CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), 5000, w.supplier.eui, 12);
    let (resp, success) = exchange(
        &w,
        &mut dev,
        usecases::ecs21c_read_export_daily_read_log(&h, &period(t0, t0 + 5 * DAY)),
    );
    assert!(success);
    let m = dev.state().metering.clone();
    let ResponseOutcome::Success(ResponseValue::LogEntries(e)) = outcome(&resp) else {
        panic!()
    };
    let reg = |d: i64| u32::try_from(m.register(Channel::ActiveExport, t0 + d * DAY)).unwrap();
    assert_eq!(
        e,
        vec![
            LogEntry {
                time: zigbee(t0 + DAY),
                values: vec![reg(1)]
            },
            LogEntry {
                time: zigbee(t0 + 2 * DAY),
                values: vec![reg(2)]
            },
        ]
    );
    assert!(reg(1) > 0);
    // An empty period: an empty compact array, a success.
    let h = CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), 5001, w.supplier.eui, 13);
    let (resp, _) = exchange(
        &w,
        &mut dev,
        usecases::ecs21c_read_export_daily_read_log(&h, &period(t0 + 3 * DAY, t0 + 9 * DAY)),
    );
    assert_eq!(
        outcome(&resp),
        ResponseOutcome::Success(ResponseValue::LogEntries(Vec::new()))
    );
    // ECS66: each day's consumption, register difference between midnights.
    let h = CommandHeader::new(w.network_operator.eui, dev.eui(), 77);
    let (resp, _) = exchange(
        &w,
        &mut dev,
        usecases::ecs66_read_daily_consumption_log(&h, &period(t0, t0 + 5 * DAY)),
    );
    let arrays = protected_plain(&resp, &dev, &w.network_operator);
    let Data::CompactArray { contents, .. } = &arrays[0] else {
        panic!()
    };
    let imp = |d: i64| m.register(Channel::ActiveImport, t0 + d * DAY);
    let mut expect = Vec::new();
    for d in 1..=2 {
        expect.extend_from_slice(&zigbee(t0 + d * DAY).to_be_bytes());
        expect.extend_from_slice(&u32::try_from(imp(d) - imp(d - 1)).unwrap().to_be_bytes());
    }
    assert_eq!(contents, &expect);
    // A whole day at 500 Wh/h.
    assert_eq!(imp(1) - imp(0), 12_000);
}

#[test]
fn billing_data_logs() {
    let mut w = World::new(); // 2015-01-01
    let t0 = w.now.to_unix();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    w.now = at(UtcDateTime::new(2015, 3, 10, 0, 0, 0).unwrap().to_unix());
    let feb = UtcDateTime::new(2015, 2, 1, 0, 0, 0).unwrap().to_unix();
    let mar = UtcDateTime::new(2015, 3, 1, 0, 0, 0).unwrap().to_unix();
    // Billing calendar: the snapshots of 1 February and 1 March (not 1 January: installed
    // then), on the primary element; a single-element meter's secondary log is empty.
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 40);
    let (resp, _) = exchange(
        &w,
        &mut dev,
        usecases::ecs20c_read_billing_data_log_calendar(&h, &period(t0 - DAY, mar)),
    );
    let arrays = protected_plain(&resp, &dev, &w.supplier);
    let m = dev.state().metering.clone();
    let reg = |t: i64| u32::try_from(m.register(Channel::ActiveImport, t)).unwrap();
    assert_eq!(
        read_log_entries(&arrays[0]),
        vec![(zigbee(feb), reg(feb)), (zigbee(mar), reg(mar))]
    );
    assert!(read_log_entries(&arrays[1]).is_empty());
    // Change of mode / tariff: no such event has happened, the log is empty.
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 41);
    let (resp, _) = exchange(
        &w,
        &mut dev,
        usecases::ecs20b_read_billing_data_log_triggered(&h, &period(t0, mar)),
    );
    let arrays = protected_plain(&resp, &dev, &w.supplier);
    assert!(matches!(&arrays[0], Data::CompactArray { contents, .. } if contents.is_empty()));
    // Debt payments and prepayment credits: none.
    for (code, cmd) in [
        (
            1,
            usecases::ecs20a_read_debt_payments_log(
                &CommandHeader::new(w.supplier.eui, dev.eui(), 42),
                &period(t0, mar),
            ),
        ),
        (
            2,
            usecases::ecs20d_read_prepayment_credits_log(
                &CommandHeader::new(w.supplier.eui, dev.eui(), 43),
                &period(t0, mar),
            ),
        ),
    ] {
        let (resp, success) = exchange(&w, &mut dev, cmd);
        assert!(success, "{code}");
        assert_eq!(
            outcome(&resp),
            ResponseOutcome::Success(ResponseValue::LogEntries(Vec::new()))
        );
    }
}

fn gbz_parts(resp: &GeneralSigning) -> Vec<GbzLogPart> {
    let ResponseOutcome::Success(ResponseValue::GbzLog(parts)) = outcome(resp) else {
        panic!("{:?}", outcome(resp))
    };
    parts
}

#[test]
fn gas_daily_read_snapshots_newest_first_then_not_found() {
    let mut w = World::new();
    let t0 = w.now.to_unix();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    w.now = at(t0 + 3 * DAY + 60);
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 900);
    let (resp, success) = exchange(
        &w,
        &mut dev,
        usecases::gcs16a_read_daily_read_log(&h, &period(t0, t0 + 30 * DAY)).unwrap(),
    );
    assert!(success);
    let parts = gbz_parts(&resp);
    assert_eq!(parts.len(), 31);
    assert!(
        parts[3..]
            .iter()
            .all(|p| matches!(p, GbzLogPart::NotFound { command: 0x06, .. }))
    );
    let m = dev.state().metering.clone();
    for (offset, part) in parts[..3].iter().enumerate() {
        let GbzLogPart::Protected {
            block,
            command: 0x06,
            ..
        } = part
        else {
            panic!("{part:?}")
        };
        let plain = decrypt_with(
            &w.supplier.ka,
            dev.ka_public_key().unwrap().key(),
            &resp,
            block,
        );
        // Offset 0 is the newest snapshot (4 January), then 3 and 2 January.
        let capture = t0 + (3 - i64::try_from(offset).unwrap()) * DAY;
        assert_eq!(plain[..4], u32::try_from(offset).unwrap().to_le_bytes());
        assert_eq!(plain[4..8], zigbee(capture).to_le_bytes());
        assert_eq!(plain[8], 3, "snapshots found");
        assert_eq!(plain[11..15], 1u32.to_le_bytes(), "cause");
        let mut vol = [0u8; 8];
        vol[..6].copy_from_slice(&plain[16..22]);
        assert_eq!(
            u64::from_le_bytes(vol),
            m.register(Channel::GasVolume, capture)
        );
    }
    // Logs this emulation does not fill: one-component logs NOT_FOUND.
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 902);
    let (resp, success) = exchange(
        &w,
        &mut dev,
        usecases::gcs15e_read_prepayment_credits_log(&h, &period(t0, t0 + 30 * DAY)).unwrap(),
    );
    assert!(success);
    assert_eq!(
        gbz_parts(&resp),
        vec![GbzLogPart::NotFound {
            cluster: 0x0705,
            command: 0x08
        }]
    );
    assert_eq!(
        resp.content,
        rtds_content("4.4.5_GCS15e", "GCS15e_4.4.5_NOT_FOUND_RESPONSE_GBCS.HEX")
    );
    let _ = ZCL_NOT_FOUND;
}

/// The ESME's prepayment daily read log rows: (time, six amounts).
fn prepay_rows(d: &Data) -> Vec<(u32, [i32; 6])> {
    let Data::CompactArray { contents, .. } = d else {
        panic!("not a compact array: {d:?}")
    };
    assert!(contents.len().is_multiple_of(28));
    contents
        .chunks_exact(28)
        .map(|r| {
            let be = |i: usize| r[i * 4..i * 4 + 4].try_into().unwrap();
            (
                u32::from_be_bytes(be(0)),
                std::array::from_fn(|k| i32::from_be_bytes(be(k + 1))),
            )
        })
        .collect()
}

#[test]
fn the_prepayment_daily_read_log_snapshots_the_balance_at_each_midnight() {
    let mut w = World::new(); // installed 2015-01-01T00:00Z, £100 credit
    let t0 = w.now.to_unix();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    w.now = at(t0 + 3 * DAY + 6 * 3600);
    let read = |w: &World, dev: &mut EmulatedDevice, counter: u64, p: LogPeriod| {
        let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
        let cmd = usecases::ecs21b_read_prepayment_daily_read_log(&h, &p);
        let (resp, success) = exchange(w, dev, cmd);
        assert!(success);
        assert_eq!(resp.date_time, None);
        let arrays = protected_plain(&resp, dev, &w.supplier);
        assert_eq!(arrays.len(), 1);
        arrays.into_iter().next().unwrap()
    };
    let all = read(&w, &mut dev, 2000, period(t0 - 10 * DAY, t0 + 10 * DAY));
    // The RTDS ECS21b columns.
    let r = Frame::decode(&rtds(
        "4.14_ECS21b",
        "ECS21b_4.14_KRP_SUCCESS_RESPONSE_GBCS.HEX",
    ))
    .unwrap();
    let theirs = Data::decode(&rtds_decrypt(r.apdu(), &protected_block(r.apdu()))).unwrap();
    let (Data::CompactArray { description: a, .. }, Data::Structure(t)) = (&all, &theirs) else {
        panic!()
    };
    let Data::CompactArray { description: b, .. } = &t[0] else {
        panic!()
    };
    assert_eq!(a, b, "the RTDS ECS21b columns");
    // One snapshot per midnight since installation: 2, 3 and 4 January, each the balance
    // model's values at that midnight.
    let state = dev.state().clone();
    let c = &state.instantaneous;
    let balance = |d: i64| c.meter_balance(&state.metering, Channel::ActiveImport, t0 + d * DAY);
    let expect = |d: i64| {
        let b = balance(d);
        (
            zigbee(t0 + d * DAY),
            [
                i32::try_from(b).unwrap(),
                i32::try_from(
                    c.credits(
                        &state.metering,
                        Channel::ActiveImport,
                        t0 + d * DAY,
                        None,
                        PrepayLimits::of(&state, DeviceKind::Esme).emergency_credit_limit,
                    )
                    .1,
                )
                .unwrap(),
                0,
                0,
                0,
                0,
            ],
        )
    };
    let rows = prepay_rows(&all);
    assert_eq!(rows, vec![expect(1), expect(2), expect(3)]);
    // The balance falls by each day's standing charge (50p) and consumption at 25p/kWh (12
    // kWh a day): £3.50.
    let reg = |d: i64| {
        i64::try_from(state.metering.register(Channel::ActiveImport, t0 + d * DAY)).unwrap()
    };
    for d in 1..=3 {
        let fell = balance(d - 1) - balance(d);
        assert_eq!(fell, 50_000 + (reg(d) - reg(d - 1)) * 25, "day {d}");
        assert_eq!(fell, 350_000, "day {d}");
    }
    assert_eq!(rows[0].1[0], 10_000_000 - 350_000);
    assert_eq!(rows[0].1[1], 0, "no emergency credit: not activated");
    // Exactly the period, bounds included; a period without a midnight, and one before
    // installation, an empty array (a success).
    let some = read(&w, &mut dev, 2001, period(t0 + DAY, t0 + 2 * DAY));
    assert_eq!(prepay_rows(&some), vec![expect(1), expect(2)]);
    let none = read(&w, &mut dev, 2002, period(t0 + DAY + 1, t0 + 2 * DAY - 1));
    assert!(
        matches!(&none, Data::CompactArray { description, contents } if description == b && contents.is_empty())
    );
    assert!(prepay_rows(&read(&w, &mut dev, 2003, period(t0 - 5 * DAY, t0 - DAY))).is_empty());
    // The snapshot of a midnight is what 4.18 (ECS82) reads at that instant.
    w.now = at(t0 + 4 * DAY);
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 2004);
    let (resp, _) = exchange(&w, &mut dev, usecases::ecs82_read_meter_balance(&h));
    let Payload::AccessResponse(a) = resp.payload() else {
        panic!()
    };
    let [Data::DoubleLong(now_balance)] = a.data[..] else {
        panic!("{:?}", a.data)
    };
    let later = read(&w, &mut dev, 2005, period(t0, t0 + 10 * DAY));
    let rows = prepay_rows(&later);
    assert_eq!(rows.len(), 4, "a day later, one snapshot more");
    assert_eq!(
        rows[..3],
        prepay_rows(&all)[..],
        "earlier snapshots unchanged"
    );
    assert_eq!(rows[3], (zigbee(t0 + 4 * DAY), expect(4).1));
    assert_eq!(rows[3].1[0], now_balance);
}

/// The ZSE Publish Prepay Snapshot payloads of a GCS16b answer, opened by the supplier: for each
/// offset, `Some((id, time, found, [accumulated, debt 1, debt 2, debt 3, emergency, credit]))`
/// or `None` (NOT_FOUND).
#[allow(clippy::type_complexity)]
fn prepay_snapshots(
    w: &World,
    dev: &EmulatedDevice,
    resp: &GeneralSigning,
) -> Vec<Option<(u32, u32, u8, [i64; 6])>> {
    gbz_parts(resp)
        .iter()
        .map(|part| match part {
            GbzLogPart::NotFound {
                cluster: 0x0705,
                command: 0x07,
            } => None,
            GbzLogPart::Protected {
                cluster: 0x0705,
                command: 0x01,
                block,
            } => {
                let p = decrypt_with(
                    &w.supplier.ka,
                    dev.ka_public_key().unwrap().key(),
                    resp,
                    block,
                );
                assert_eq!(p.len(), 40);
                let le = |i: usize| <[u8; 4]>::try_from(&p[i..i + 4]).unwrap();
                assert_eq!(p[9..11], [0, 1], "command 0 of 1");
                assert_eq!(u32::from_le_bytes(le(11)), 1, "cause: general");
                assert_eq!(p[15], 0, "payload type: debt/credit status");
                let signed = |i: usize| i64::from(i32::from_le_bytes(le(i)));
                let unsigned = |i: usize| i64::from(u32::from_le_bytes(le(i)));
                Some((
                    u32::from_le_bytes(le(0)),
                    u32::from_le_bytes(le(4)),
                    p[8],
                    [
                        signed(16),
                        unsigned(20),
                        unsigned(24),
                        unsigned(28),
                        signed(32),
                        signed(36),
                    ],
                ))
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn gas_prepayment_snapshots_newest_first_then_not_found() {
    let mut w = World::new();
    let t0 = w.now.to_unix();
    for (kind, eui) in [(DeviceKind::Gsme, GSME), (DeviceKind::Gpf, GPF)] {
        let mut dev = w.device(kind, eui);
        w.now = at(t0 + 3 * DAY + 60);
        let read = |w: &World, dev: &mut EmulatedDevice, counter: u64, p: LogPeriod| {
            let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
            let cmd = usecases::gcs16b_read_prepayment_daily_read_log(&h, &p).unwrap();
            let (resp, success) = exchange(w, dev, cmd);
            assert!(success);
            let snaps = prepay_snapshots(w, dev, &resp);
            assert_eq!(snaps.len(), 31);
            snaps
        };
        let state = dev.state().clone();
        let c = &state.instantaneous;
        let balance = |d: i64| c.meter_balance(&state.metering, Channel::GasVolume, t0 + d * DAY);
        let ec = |d: i64| {
            c.credits(
                &state.metering,
                Channel::GasVolume,
                t0 + d * DAY,
                None,
                PrepayLimits::of(&state, DeviceKind::Gsme).emergency_credit_limit,
            )
            .1
        };
        let values = |d: i64| [0, 0, 0, 0, ec(d), balance(d)];
        let snaps = read(&w, &mut dev, 950, period(t0, t0 + 30 * DAY));
        // Offset 0 is the newest (4 January), then 3 and 2 January; the offsets beyond the log
        // NOT_FOUND.
        for (offset, s) in snaps.iter().enumerate() {
            let o = i64::try_from(offset).unwrap();
            if offset < 3 {
                assert_eq!(
                    *s,
                    Some((
                        u32::try_from(offset).unwrap(),
                        zigbee(t0 + (3 - o) * DAY),
                        3,
                        values(3 - o)
                    )),
                    "{kind:?} offset {offset}"
                );
            } else {
                assert_eq!(*s, None, "{kind:?} offset {offset}");
            }
        }
        // The RTDS GCS16b answer's layout: the same encrypted components (frame control,
        // command, additional frame counter = sequence) around a payload of the same length,
        // header and payload type.
        if kind == DeviceKind::Gsme {
            let h = CommandHeader::new(w.supplier.eui, dev.eui(), 953);
            let cmd =
                usecases::gcs16b_read_prepayment_daily_read_log(&h, &period(t0, t0 + 30 * DAY))
                    .unwrap();
            let (ours, _) = exchange(&w, &mut dev, cmd);
            let theirs = Frame::decode(&rtds(
                "4.14_GCS16b",
                "GCS16b_4.14_KRP_SUCCESS_RESPONSE_GBCS.HEX",
            ))
            .unwrap();
            let theirs = theirs.apdu();
            let (
                Payload::Gbz(GbzPayload::Components { components: a, .. }),
                Payload::Gbz(GbzPayload::Components { components: b, .. }),
            ) = (ours.payload(), theirs.payload())
            else {
                panic!()
            };
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b).take(2) {
                let (
                    GbzBody::Encrypted {
                        frame_control: f1,
                        additional_frame_counter: c1,
                        sequence: s1,
                        command: k1,
                        ..
                    },
                    GbzBody::Encrypted {
                        frame_control: f2,
                        additional_frame_counter: c2,
                        sequence: s2,
                        command: k2,
                        protected,
                        ..
                    },
                ) = (&x.body, &y.body)
                else {
                    panic!("{x:?} {y:?}")
                };
                assert_eq!((x.control, x.cluster), (y.control, y.cluster));
                assert_eq!((f1, c1, s1, k1), (f2, c2, s2, k2));
                let p = rtds_decrypt(theirs, protected);
                assert_eq!((p.len(), &p[9..11], p[15]), (40, &[0u8, 1][..], 0));
            }
        }
        // 50p a day and 2.4 m³ a day at 80p/m³: £2.42.
        assert_eq!(balance(1), 10_000_000 - 242_000, "{kind:?}");
        assert_eq!(balance(2) - balance(3), 242_000, "{kind:?}");
        // Exactly the period: 2 and 3 January, the newest first.
        let some = read(&w, &mut dev, 954, period(t0 + DAY, t0 + 2 * DAY));
        assert_eq!(some[0], Some((0, zigbee(t0 + 2 * DAY), 2, values(2))));
        assert_eq!(some[1], Some((1, zigbee(t0 + DAY), 2, values(1))));
        assert!(some[2..].iter().all(Option::is_none));
        // No midnight in the period: NOT_FOUND for every offset.
        let none = read(&w, &mut dev, 955, period(t0 + DAY + 1, t0 + 2 * DAY - 1));
        assert!(none.iter().all(Option::is_none), "{kind:?}");
        w.now = at(t0);
    }
}

/// GCS15d has two originators: the gas supplier, and the ACB on a user's behalf (as the RTDS
/// SUCCESS command, where its ERROR and NOT_FOUND commands are the supplier's). The GSME answers
/// either, to the command's originator; with no debt payment logged, NOT_FOUND as the RTDS.
#[test]
fn gas_debt_payments_log_is_answered_to_the_supplier_and_to_the_acb_on_its_behalf() {
    let mut w = World::new();
    let t0 = w.now.to_unix();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    w.now = at(t0 + 3 * DAY);
    for h in [
        CommandHeader::new(w.supplier.eui, dev.eui(), 910),
        CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), 1300, w.supplier.eui, 911),
    ] {
        let cmd = usecases::gcs15d_read_debt_payments_log(&h, &period(t0, t0 + 30 * DAY)).unwrap();
        let (resp, success) = exchange(&w, &mut dev, cmd);
        assert!(success, "{h:?}");
        assert_eq!(resp.recipient, h.originator, "{h:?}");
        assert_eq!(resp.counter, h.counter, "{h:?}");
        assert_eq!(
            resp.content,
            rtds_content("4.4.4_GCS15d", "GCS15d_4.4.4_NOT_FOUND_RESPONSE_GBCS.HEX"),
            "{h:?}"
        );
    }
}

fn rtds_content(dir: &str, file: &str) -> Vec<u8> {
    Frame::decode(&rtds(dir, file))
        .unwrap()
        .apdu()
        .content
        .clone()
}

#[test]
fn gas_daily_consumption_samples() {
    let mut w = World::new();
    let t0 = w.now.to_unix();
    let mut dev = w.device(DeviceKind::Gpf, GPF);
    w.now = at(t0 + 3 * DAY + 60);
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 3);
    // Ten days asked from installation: three have ended.
    let (resp, success) = exchange(
        &w,
        &mut dev,
        usecases::gcs61_read_daily_consumption_log(&h, &period(t0, t0 + 9 * DAY)).unwrap(),
    );
    assert!(success);
    let parts = gbz_parts(&resp);
    let [
        GbzLogPart::Protected {
            block,
            command: 0x07,
            ..
        },
    ] = &parts[..]
    else {
        panic!("{parts:?}")
    };
    let plain = decrypt_with(
        &w.supplier.ka,
        dev.ka_public_key().unwrap().key(),
        &resp,
        block,
    );
    assert_eq!(plain[..2], [1, 0]);
    assert_eq!(plain[2..6], zigbee(t0).to_le_bytes());
    assert_eq!(plain[9..11], 3u16.to_le_bytes());
    // 100 l/h: 2,400 litres a day.
    assert_eq!(plain[11..], [0x60, 0x09, 0, 0x60, 0x09, 0, 0x60, 0x09, 0]);
    // Days that have not ended yet: NOT_FOUND, exactly as RTDS.
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), 4);
    let (resp, success) = exchange(
        &w,
        &mut dev,
        usecases::gcs61_read_daily_consumption_log(&h, &period(t0 + 5 * DAY, t0 + 9 * DAY))
            .unwrap(),
    );
    assert!(success);
    assert_eq!(
        resp.content,
        rtds_content("4.17_GCS61", "GCS61_4.17_NOT_FOUND_RESPONSE_GBCS.HEX")
    );
}

#[test]
fn a_faulty_log_store_fails_like_the_rtds_error_vectors() {
    let w = World::new();
    let t0 = w.now.to_unix();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    esme.state_mut().faults.insert(DeviceFault::Logs);
    let p = period(t0, t0 + DAY);
    let h = |c| CommandHeader::new(w.supplier.eui, esme.eui(), c);
    let cases: Vec<(GeneralSigning, &str, &str)> = vec![
        (
            usecases::ecs21a_read_daily_read_log(&h(1), &p),
            "4.6.1_ECS21a",
            "ECS21a_4.6.1_ERROR_RESPONSE_GBCS.HEX",
        ),
        (
            usecases::ecs20a_read_debt_payments_log(&h(2), &p),
            "4.4.4_ECS20a",
            "ECS20a_4.4.4_ERROR_RESPONSE_GBCS.HEX",
        ),
    ];
    for (cmd, dir, file) in cases {
        let wan = w.wan(cmd, &esme);
        let reply = esme.handle(&wan, w.now);
        assert!(
            matches!(reply.outcome, Outcome::Executed { success: false, .. }),
            "{file}"
        );
        let bytes = reply.response.unwrap();
        assert_failure_like_rtds(&bytes, dir, file);
    }
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    gsme.state_mut().faults.insert(DeviceFault::Logs);
    let cmd = usecases::gcs15d_read_debt_payments_log(
        &CommandHeader::new(w.supplier.eui, gsme.eui(), 9),
        &p,
    )
    .unwrap();
    let wan = w.wan(cmd, &gsme);
    let reply = gsme.handle(&wan, w.now);
    let resp = open(&reply.response.unwrap(), &gsme, &w.supplier);
    assert_eq!(
        resp.content,
        rtds_content("4.4.4_GCS15d", "GCS15d_4.4.4_ERROR_RESPONSE_GBCS.HEX")
    );
    let Payload::Gbz(GbzPayload::Components { components, .. }) = resp.payload() else {
        panic!()
    };
    assert!(matches!(components[0].body, GbzBody::Plain { .. }));
}

/// Six UTRNs typed at the keypad an hour apart, then the last typed again (refused): the
/// prepayment credits log (4.4.5) holds the last five accepted, with the time the meter took
/// each and its credit; the ESME answers ECS20d with (time, credit) entries, the GSME GCS15e
/// with a Publish Top Up Log (UTRN, credit, time; newest first) of the RTDS response's size.
#[test]
fn the_prepayment_credits_log_keeps_the_last_five_top_ups_as_rtds_lays_them_out() {
    use devices::top_up::TopUpOutcome;
    use gbcs::utrn::{self, ValueClass};
    for kind in [DeviceKind::Esme, DeviceKind::Gsme] {
        let w = World::new();
        let mut dev = w.device(kind, if kind == DeviceKind::Esme { ESME } else { GSME });
        // Room for £21 of top-ups below the maximum meter balance (£100, as much as a fresh
        // meter holds).
        devices::prepay_config::PrepayConfigChange {
            max_meter_balance: Some(25_000_000),
            ..Default::default()
        }
        .apply_to(dev.state_mut(), kind);
        let t0 = w.now.to_unix() - 7 * 3600;
        let mut accepted = Vec::new();
        for n in 1..=6u16 {
            let u = utrn::build(
                &w.supplier.ka,
                dev.ka_public_key().unwrap().key(),
                w.supplier.eui,
                dev.eui(),
                u64::from(n) << 32,
                ValueClass::Pennies,
                100 * n,
            )
            .unwrap();
            let t = t0 + i64::from(n) * 3600;
            let (o, _) = dev.enter_utrn(&u, at(t)).unwrap();
            assert!(matches!(o, TopUpOutcome::Accepted { .. }), "{o:?}");
            accepted.push((u, t, i64::from(n) * 100_000));
        }
        let (last, t, _) = accepted.last().unwrap().clone();
        let (o, _) = dev.enter_utrn(&last, at(t + 60)).unwrap();
        assert!(matches!(o, TopUpOutcome::Refused(_)), "{o:?}");
        let kept = &accepted[1..];
        let h = CommandHeader::new(w.supplier.eui, dev.eui(), 44);
        if kind == DeviceKind::Esme {
            let cmd =
                usecases::ecs20d_read_prepayment_credits_log(&h, &period(t0, w.now.to_unix()));
            let (resp, success) = exchange(&w, &mut dev, cmd);
            assert!(success);
            let expected: Vec<LogEntry> = kept
                .iter()
                .map(|(_, t, amount)| LogEntry {
                    time: zigbee(*t),
                    values: vec![u32::try_from(*amount).unwrap()],
                })
                .collect();
            assert_eq!(
                outcome(&resp),
                ResponseOutcome::Success(ResponseValue::LogEntries(expected))
            );
            let rtds = rtds_content("4.4.5_ECS20d", "ECS20d_4.4.5_SUCCESS_RESPONSE_GBCS.HEX");
            let ResponseOutcome::Success(ResponseValue::LogEntries(r)) =
                usecases::decode_response(resp.message_code(), &rtds).unwrap()
            else {
                panic!("the RTDS response")
            };
            assert_eq!(r.len(), kept.len(), "the RTDS log holds five");
            // A period after the third: the last two only.
            let h = CommandHeader::new(w.supplier.eui, dev.eui(), 45);
            let cmd = usecases::ecs20d_read_prepayment_credits_log(
                &h,
                &period(kept[2].1 + 1, w.now.to_unix()),
            );
            let (resp, _) = exchange(&w, &mut dev, cmd);
            let ResponseOutcome::Success(ResponseValue::LogEntries(e)) = outcome(&resp) else {
                panic!()
            };
            assert_eq!(
                e.iter().map(|e| e.time).collect::<Vec<_>>(),
                [zigbee(kept[3].1), zigbee(kept[4].1)]
            );
        } else {
            let cmd =
                usecases::gcs15e_read_prepayment_credits_log(&h, &period(t0, w.now.to_unix()))
                    .unwrap();
            let (resp, success) = exchange(&w, &mut dev, cmd);
            assert!(success);
            let [
                GbzLogPart::Plain {
                    cluster: 0x0705,
                    command: 0x05,
                    payload,
                },
            ] = &gbz_parts(&resp)[..]
            else {
                panic!("{:?}", gbz_parts(&resp))
            };
            let mut p = vec![0u8, 1];
            for (u, t, amount) in kept.iter().rev() {
                p.push(20);
                p.extend_from_slice(u.as_bytes());
                p.extend_from_slice(&i32::try_from(*amount).unwrap().to_le_bytes());
                p.extend_from_slice(&zigbee(*t).to_le_bytes());
            }
            assert_eq!(payload, &p);
            let rtds = rtds_content("4.4.5_GCS15e", "GCS15e_4.4.5_SUCCESS_RESPONSE_GBCS.HEX");
            let ResponseOutcome::Success(ResponseValue::GbzLog(r)) =
                usecases::decode_response(resp.message_code(), &rtds).unwrap()
            else {
                panic!("the RTDS response")
            };
            let [GbzLogPart::Plain { payload: r, .. }] = &r[..] else {
                panic!("{r:?}")
            };
            assert_eq!(r.len(), p.len(), "the RTDS log: five top-ups");
            // A period before any top-up: NOT_FOUND.
            let h = CommandHeader::new(w.supplier.eui, dev.eui(), 45);
            let cmd =
                usecases::gcs15e_read_prepayment_credits_log(&h, &period(t0 - 3600, t0)).unwrap();
            let (resp, _) = exchange(&w, &mut dev, cmd);
            assert!(matches!(
                gbz_parts(&resp)[..],
                [GbzLogPart::NotFound { .. }]
            ));
        }
    }
}
