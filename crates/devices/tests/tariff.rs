//! 1.1 / 1.2 tariffs and prices on the emulated ESME (`devices::tariff`): ECS01a, ECS01b, ECS01c
//! and ECS01d (their parameters taken from the RTDS pre-commands) write the tariff the ECS24 /
//! ECS24b reads answer from, answered like the RTDS RESPONSE vectors; a future-dated update is
//! held and applied at its time with one 8F66 alert per activation-time object, framed like the
//! RTDS 8F66 vectors; a cancellation drops it; a faulty meter, or a tariff it cannot run,
//! answers like the RTDS ERROR vectors and changes nothing; the TOU registers follow the written
//! calendar from the moment it is in force.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::metering::{Channel, Metering};
use devices::reads::InstantaneousConfig;
use devices::reads::tariff::ElectricityTariff;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::axdr::Data;
use gbcs::dlms::CosemDescriptor;
use gbcs::usecases::{
    self, Activation, CommandHeader, DecodedCommand, PrimaryTariff, ecs01a, ecs01b, ecs01c, ecs01d,
};
use gbcs::{Frame, GeneralSigning, MessageCode, UtcDateTime};

fn later(t: UtcDateTime, secs: i64) -> UtcDateTime {
    UtcDateTime::from_unix(t.to_unix() + secs).unwrap()
}

/// The RTDS pre-command's parameters.
fn rtds_params(dir: &str, file: &str) -> DecodedCommand {
    let a = GeneralSigning::decode(&rtds(dir, file)).unwrap();
    usecases::decode_command(&a).unwrap()
}

fn with_activation(mut d: DecodedCommand, act: Activation) -> DecodedCommand {
    match &mut d {
        DecodedCommand::Ecs01a(t) => t.activation = act,
        DecodedCommand::Ecs01b(p) => p.activation = act,
        DecodedCommand::Ecs01c(t) => t.activation = act,
        DecodedCommand::Ecs01d(p) => p.activation = act,
        _ => panic!(),
    }
    d
}

/// The command carrying `d`, from the supplier to `dev`.
fn command(w: &World, dev: &EmulatedDevice, counter: u64, d: &DecodedCommand) -> Vec<u8> {
    let h = CommandHeader::new(w.supplier.eui, dev.eui(), counter);
    let pre = match d {
        DecodedCommand::Ecs01a(t) => usecases::ecs01a_update_import_tariff_primary(&h, t),
        DecodedCommand::Ecs01b(p) => usecases::ecs01b_update_price_primary(&h, p),
        DecodedCommand::Ecs01c(t) => usecases::ecs01c_update_import_tariff_secondary(&h, t),
        DecodedCommand::Ecs01d(p) => usecases::ecs01d_update_price_secondary(&h, p),
        _ => panic!(),
    };
    w.critical(pre, &w.supplier, dev)
}

fn read(dev: &EmulatedDevice, class: u16, obis: [u8; 6], attr: u8) -> Data {
    dev.state()
        .reads
        .tariff
        .attribute(&CosemDescriptor::new(class, obis, attr))
        .unwrap()
}

fn prices(d: &Data) -> Vec<i16> {
    let Data::Structure(f) = d else { panic!() };
    let Data::Array(p) = &f[2] else { panic!() };
    p.iter()
        .map(|e| match e {
            Data::Structure(x) => match x[1] {
                Data::Long(v) => v,
                _ => panic!(),
            },
            _ => panic!(),
        })
        .collect()
}

const ESME_DIRS: [(&str, &str); 4] = [
    ("1.1.1_ECS01a", "ECS01a_1.1.1_IMMEDIATE_BLOCK_SUCCESS"),
    ("1.2.1_ECS01b", "ECS01b_1.2.1_IMMEDIATE_BLOCK_SUCCESS"),
    ("1.1.2_ECS01c", "ECS01c_1.1.2_IMMEDIATE_SUCCESS"),
    ("1.2.2_ECS01d", "ECS01d_1.2.2_IMMEDIATE_SUCCESS"),
];

#[test]
fn immediate_updates_change_what_the_reads_answer_like_the_rtds() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    for (i, (dir, stem)) in ESME_DIRS.iter().enumerate() {
        let d = rtds_params(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"));
        let wan = command(&w, &dev, 1000 + i as u64, &d);
        let cmd = Frame::decode(&wan).unwrap().apdu().clone();
        let reply = dev.handle(&wan, w.now);
        assert_eq!(
            reply.outcome,
            Outcome::Executed {
                message_code: cmd.message_code(),
                success: true
            },
            "{stem}"
        );
        assert!(reply.alerts.is_empty());
        let bytes = reply.response.unwrap();
        let file = format!("{stem}_RESPONSE_GBCS.HEX");
        assert_same_structure(&bytes, &rtds(dir, &file), &file);
        let resp = open(&bytes, &dev, &w.supplier);
        let outcome = usecases::decode_response(cmd.message_code(), &resp.content).unwrap();
        assert!(!outcome.is_failure(), "{stem}");
        // What the reads answer is what was written.
        match &d {
            DecodedCommand::Ecs01a(t) => {
                assert_eq!(
                    prices(&read(&dev, 113, [0, 0, 19, 20, 0, 0xFF], 5)),
                    t.prices.prices.iter().map(|p| p.1).collect::<Vec<_>>()
                );
                assert_eq!(
                    read(&dev, 21, [0, 0, 16, 0, 11, 0xFF], 2),
                    Data::Array(vec![
                        Data::DoubleLongUnsigned(10_000),
                        Data::DoubleLongUnsigned(20_000),
                        Data::DoubleLongUnsigned(u32::MAX)
                    ])
                );
                let Data::Array(seasons) = read(&dev, 20, [0, 0, 13, 0, 0, 0xFF], 3) else {
                    panic!()
                };
                assert_eq!(seasons.len(), t.calendar.seasons.len());
            }
            DecodedCommand::Ecs01b(p) => assert_eq!(
                prices(&read(&dev, 113, [0, 0, 19, 20, 4, 0xFF], 5)),
                p.standing_charge
                    .prices
                    .iter()
                    .map(|p| p.1)
                    .collect::<Vec<_>>()
            ),
            DecodedCommand::Ecs01c(t) => {
                let Data::Array(days) = read(&dev, 20, [0, 0, 13, 0, 1, 0xFF], 5) else {
                    panic!()
                };
                assert_eq!(days.len(), t.calendar.days.len());
            }
            DecodedCommand::Ecs01d(_) => assert_eq!(
                prices(&read(&dev, 113, [0, 0, 19, 20, 5, 0xFF], 5)),
                [1010, 1120, 1230, 1340]
            ),
            _ => panic!(),
        }
    }
}

#[test]
fn a_future_dated_update_is_held_applied_at_its_time_and_alerted_per_component() {
    let w = World::new();
    for (dir, stem, n) in [
        (
            "1.1.1_ECS01a",
            "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS",
            6,
        ),
        (
            "1.2.1_ECS01b",
            "ECS01b_1.2.1_FUTURE_DATED_TOU_BLOCK_SUCCESS",
            2,
        ),
        ("1.1.2_ECS01c", "ECS01c_1.1.2_FUTURE_DATED_SUCCESS", 3),
        ("1.2.2_ECS01d", "ECS01d_1.2.2_FUTURE_DATED_SUCCESS", 1),
    ] {
        let mut dev = w.device(DeviceKind::Esme, ESME);
        let at = later(w.now, 3600);
        let d = with_activation(
            rtds_params(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX")),
            Activation::At(at),
        );
        let before = dev.state().reads.tariff.clone();
        let wan = command(&w, &dev, 1001, &d);
        let reply = dev.handle(&wan, w.now);
        assert!(matches!(
            reply.outcome,
            Outcome::Executed { success: true, .. }
        ));
        assert_same_structure(
            &reply.response.unwrap(),
            &rtds(dir, &format!("{stem}_RESPONSE_GBCS.HEX")),
            stem,
        );
        assert_eq!(dev.state().reads.tariff, before, "held, not applied");
        assert_eq!(dev.next_future_action_at(), Some(at.to_unix()));
        assert!(dev.tick(later(at, -1)).unwrap().is_empty());
        let alerts = dev.tick(later(at, 5)).unwrap();
        assert_ne!(dev.state().reads.tariff, before, "{stem}: applied");
        assert_eq!(alerts.len(), n, "{stem}");
        let objects: &[CosemDescriptor] = match &d {
            DecodedCommand::Ecs01a(_) => &ecs01a::ACTIVATIONS,
            DecodedCommand::Ecs01b(_) => &ecs01b::ACTIVATIONS,
            DecodedCommand::Ecs01c(_) => &ecs01c::ACTIVATIONS,
            _ => &ecs01d::ACTIVATIONS,
        };
        let theirs = std::fs::read_dir(corpus_root().join("rtds/RTDS-4.5.0").join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .find(|f| f.contains("_ALERT_"))
            .unwrap();
        let theirs = rtds(dir, &theirs);
        for (ours, o) in alerts.iter().zip(objects) {
            assert_eq!(frame_shape(ours), frame_shape(&theirs), "{stem}");
            let a = open(ours, &dev, &w.supplier);
            let Frame::Signing(t) = Frame::decode(&theirs).unwrap() else {
                panic!()
            };
            assert_eq!(a.content.len(), t.content.len(), "{stem}: payload length");
            assert_eq!(a.other_info, t.other_info, "{stem}: message code");
            let decoded = gbcs::alerts::decode_alert(ours).unwrap();
            assert_eq!(decoded.alert_code, gbcs::AlertCode(0x8F66));
            let outcome = decoded.future_dated.expect("a future-dated outcome");
            assert_eq!(outcome.command.counter, 1001);
            // The component: the activation-time object, at the end of the outcome block.
            let n = gbcs::dlms::DataNotification::decode(&a.content).unwrap();
            let Data::Structure(items) = n.body else {
                panic!()
            };
            let Data::OctetString(block) = &items[2] else {
                panic!()
            };
            assert_eq!(&block[12..18], &o.instance, "{stem}");
            assert_eq!(block[18], o.index, "{stem}");
        }
        assert!(dev.tick(later(at, 7200)).unwrap().is_empty(), "once");
    }
}

/// The tariff and price updates the device holds (not its own prepayment events).
fn held_tariffs(dev: &EmulatedDevice) -> usize {
    dev.state()
        .future_actions
        .iter()
        .filter(|a| matches!(a.action, devices::future::FutureAction::Tariff(_)))
        .count()
}

#[test]
fn a_cancellation_drops_the_held_update_only() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let at = later(w.now, 3600);
    let tariff = rtds_params(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    let price = rtds_params(
        "1.2.2_ECS01d",
        "ECS01d_1.2.2_FUTURE_DATED_SUCCESS_PRECOMMAND_GBCS.HEX",
    );
    dev.handle(
        &command(
            &w,
            &dev,
            1000,
            &with_activation(tariff.clone(), Activation::At(at)),
        ),
        w.now,
    );
    dev.handle(
        &command(&w, &dev, 1001, &with_activation(price, Activation::At(at))),
        w.now,
    );
    assert_eq!(held_tariffs(&dev), 2);
    let reply = dev.handle(
        &command(&w, &dev, 1002, &with_activation(tariff, Activation::Cancel)),
        w.now,
    );
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert_eq!(held_tariffs(&dev), 1, "the price update stays");
    let alerts = dev.tick(later(at, 5)).unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        prices(&read(&dev, 113, [0, 0, 19, 20, 5, 0xFF], 5)),
        [1010, 1120, 1230, 1340]
    );
}

#[test]
fn a_faulty_meter_or_a_tariff_it_cannot_run_is_refused_like_the_rtds_error() {
    let w = World::new();
    for (dir, stem, fault) in [
        (
            "1.1.1_ECS01a",
            "ECS01a_1.1.1_IMMEDIATE_ERROR",
            Some(ecs01a::ACTIVATIONS[4]),
        ),
        (
            "1.2.1_ECS01b",
            "ECS01b_1.2.1_IMMEDIATE_ERROR",
            Some(ecs01b::ACTIVATIONS[0]),
        ),
        (
            "1.1.2_ECS01c",
            "ECS01c_1.1.2_IMMEDIATE_ERROR",
            Some(ecs01c::ACTIVATIONS[1]),
        ),
        (
            "1.2.2_ECS01d",
            "ECS01d_1.2.2_IMMEDIATE_ERROR",
            Some(ecs01d::OBJECTS[0]),
        ),
    ] {
        let mut dev = w.device(DeviceKind::Esme, ESME);
        if let Some(o) = fault {
            dev.state_mut().faults.insert(DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            });
        }
        let before = dev.state().reads.tariff.clone();
        let d = rtds_params(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"));
        let reply = dev.handle(&command(&w, &dev, 1000, &d), w.now);
        assert!(matches!(
            reply.outcome,
            Outcome::Executed { success: false, .. }
        ));
        let file = format!("{stem}_RESPONSE_GBCS.HEX");
        assert_failure_like_rtds(&reply.response.unwrap(), dir, &file);
        assert_eq!(dev.state().reads.tariff, before);
        assert!(dev.state().instantaneous.epochs.is_empty());
    }
    // Overlapping switching times: the day profiles SET fails, nothing changes.
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let DecodedCommand::Ecs01a(mut t) = rtds_params(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_PRECOMMAND_GBCS.HEX",
    ) else {
        panic!()
    };
    let first = t.calendar.days[0].actions[0].clone();
    t.calendar.days[0].actions.push(first);
    let before = dev.state().reads.tariff.clone();
    let reply = dev.handle(
        &command(&w, &dev, 1000, &DecodedCommand::Ecs01a(t.clone())),
        w.now,
    );
    let bytes = reply.response.unwrap();
    let resp = open(&bytes, &dev, &w.supplier);
    assert_eq!(
        usecases::decode_response(MessageCode::ECS01A, &resp.content).unwrap(),
        usecases::ResponseOutcome::Failure(usecases::Failure::Dlms {
            index: 2,
            result: 1
        })
    );
    assert_eq!(dev.state().reads.tariff, before);
    // A week naming a day profile that is not there.
    let mut t2: Box<PrimaryTariff> = t.clone();
    t2.calendar.days[0].actions.pop();
    t2.calendar.weeks[0].days[0] = 9;
    let reply = dev.handle(&command(&w, &dev, 1001, &DecodedCommand::Ecs01a(t2)), w.now);
    assert!(matches!(
        reply.outcome,
        Outcome::Executed { success: false, .. }
    ));
    assert_eq!(dev.state().reads.tariff, before);
}

#[test]
fn tou_registers_follow_the_written_calendar_from_its_activation() {
    const DAY: i64 = 86_400;
    let day = 1_800_000_000i64.div_euclid(DAY) * DAY;
    let m = Metering::new(day - 10 * DAY, Some(day - 10 * DAY));
    let mut c = InstantaneousConfig::default();
    let matrix = |c: &InstantaneousConfig, t| c.rate_block_matrix(&m, Channel::ActiveImport, t, 48);
    let before = matrix(&c, day + DAY);
    // A calendar with one day profile: rate 1 from midnight, rate 3 from 16:00, every day.
    let DecodedCommand::Ecs01a(t) = rtds_params(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_PRECOMMAND_GBCS.HEX",
    ) else {
        panic!()
    };
    let mut tariff = ElectricityTariff::default();
    let mut change = devices::tariff::TariffChange::default();
    let mut cal = t.calendar.clone();
    for d in &mut cal.days {
        d.actions = vec![
            usecases::tariff::DayAction {
                start_time: [0, 0, 0, 0],
                script: usecases::tariff::TARIFF_SCRIPT,
                selector: 1,
            },
            usecases::tariff::DayAction {
                start_time: [16, 0, 0, 0],
                script: usecases::tariff::TARIFF_SCRIPT,
                selector: 3,
            },
        ];
    }
    cal.special_days.clear();
    let cmd = devices::tariff::TariffCommand::PrimaryTariff(&PrimaryTariff {
        calendar: cal,
        ..(*t).clone()
    });
    change.primary_calendar = cmd.change().primary_calendar;
    tariff.apply(&change);
    // In force from 10:00 of `day`.
    c.follow_tariff(&tariff, day + 10 * 3600);
    let after = matrix(&c, day + DAY);
    let sum = |mx: &Vec<[u64; 4]>, r: usize| mx[r].iter().sum::<u64>();
    let used = |a, b| m.consumed(Channel::ActiveImport, a, b);
    // Until 10:00 nothing changed.
    assert_eq!(
        matrix(&c, day + 10 * 3600),
        matrix(&InstantaneousConfig::default(), day + 10 * 3600)
    );
    // Rate 3 holds exactly what was used from 16:00 to midnight.
    assert_eq!(sum(&before, 2), 0);
    assert_eq!(sum(&after, 2), used(day + 16 * 3600, day + DAY));
    // The default's rate 2 (00:30-07:30) stays with what it had on that day and before.
    assert_eq!(sum(&after, 1), sum(&matrix(&c, day + 10 * 3600), 1));
    // Everything is still counted once.
    let total: u64 = (0..48).map(|r| sum(&after, r)).sum();
    let total_before: u64 = (0..48).map(|r| sum(&before, r)).sum();
    assert_eq!(total, total_before);
}
