//! Properties: `handle` never panics on arbitrary bytes, and a mutated valid command is never
//! executed (no response, no state change beyond the event log and alert counter, counter not
//! consumed, so the genuine command still executes afterwards).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::OnceLock;

use common::*;
use devices::{DeviceIdentity, DeviceKind, DeviceState, EmulatedDevice, Outcome};
use gbcs::usecases::{self, CommandHeader};
use proptest::prelude::*;

struct Fixture {
    world: World,
    devices: Vec<(DeviceIdentity, DeviceState)>,
    commands: Vec<(usize, Vec<u8>)>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let w = World::new();
        let esme = w.device(DeviceKind::Esme, ESME);
        let gsme = w.device(DeviceKind::Gsme, GSME);
        let chf = w.device(DeviceKind::Chf, CHF);
        let h = |d: &EmulatedDevice| CommandHeader::new(w.supplier.eui, d.eui(), 1000);
        let acb = |d: &EmulatedDevice| {
            CommandHeader::on_behalf_of(w.acb.eui, d.eui(), 1302, w.supplier.eui, 7)
        };
        let add = usecases::DeviceLogAddition::new(gbcs::Eui64::from_u64(ESME), vec![3; 16], 60);
        let commands = vec![
            (
                0,
                w.wan(usecases::ecs52_read_firmware_version(&h(&esme)), &esme),
            ),
            (
                0,
                w.critical(
                    usecases::ecs43_disable_supply(&h(&esme)),
                    &w.supplier,
                    &esme,
                ),
            ),
            (
                0,
                w.wan(
                    usecases::ecs17b_read_import_energy_registers(&h(&esme)),
                    &esme,
                ),
            ),
            (
                1,
                w.critical(
                    usecases::gcs32_disable_supply(&h(&gsme), 77).unwrap(),
                    &w.supplier,
                    &gsme,
                ),
            ),
            (
                1,
                w.critical(
                    usecases::gcs28_set_clock(&h(&gsme), w.now, 60).unwrap(),
                    &w.supplier,
                    &gsme,
                ),
            ),
            (
                2,
                w.wan(
                    usecases::ccs01_add_device_to_chf_device_log(&acb(&chf), &add),
                    &chf,
                ),
            ),
        ];
        let devices = [esme, gsme, chf]
            .into_iter()
            .map(|d| (d.identity().clone(), d.state().clone()))
            .collect();
        Fixture {
            world: w,
            devices,
            commands,
        }
    })
}

fn device(i: usize) -> EmulatedDevice {
    let (id, st) = &fixture().devices[i];
    EmulatedDevice::new(id.clone(), st.clone()).unwrap()
}

fn core(s: &DeviceState) -> DeviceState {
    let mut s = s.clone();
    s.event_log = Default::default();
    s.next_alert_counter = 0;
    s
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Truncate { at: usize },
    Insert { at: usize, byte: u8 },
    Remove { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        1 => any::<usize>().prop_map(|at| Mutation::Remove { at }),
    ]
}

fn apply(bytes: &[u8], m: &Mutation) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let n = b.len();
    match *m {
        Mutation::Flip { at, mask } => b[at % n] ^= mask,
        Mutation::Truncate { at } => b.truncate(at % n),
        Mutation::Insert { at, byte } => b.insert(at % (n + 1), byte),
        Mutation::Remove { at } => {
            b.remove(at % n);
        }
    }
    b
}

fn arbitrary_frame() -> impl Strategy<Value = Vec<u8>> {
    let tail = proptest::collection::vec(any::<u8>(), 0..300);
    prop_oneof![
        tail.clone(),
        tail.clone()
            .prop_map(|t| [&[0xDD, 0, 0, 0, 0, 0, 0][..], &t].concat()),
        tail.prop_map(|t| [&[0xDF, 0x09, 0x01][..], &t].concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_nor_execute(bytes in arbitrary_frame(), which in 0usize..3) {
        let w = &fixture().world;
        let mut dev = device(which);
        let before = dev.state().clone();
        let r = dev.handle(&bytes, w.now);
        prop_assert_eq!(r.response, None);
        prop_assert!(matches!(r.outcome, Outcome::Refused(_)));
        prop_assert_eq!(core(dev.state()), core(&before));
    }

    #[test]
    fn mutated_commands_are_never_executed(which in 0usize..6, m in mutation()) {
        let f = fixture();
        let (dev_index, good) = &f.commands[which];
        let bad = apply(good, &m);
        prop_assume!(&bad != good);
        let mut dev = device(*dev_index);
        let before = dev.state().clone();
        let r = dev.handle(&bad, f.world.now);
        prop_assert_eq!(r.response, None);
        prop_assert!(matches!(r.outcome, Outcome::Refused(_)), "{:?}", r.outcome);
        prop_assert_eq!(core(dev.state()), core(&before));
        // Each refusal is logged, and the genuine command is still fresh.
        prop_assert!(dev.state().event_log.len() > before.event_log.len());
        let ok = dev.handle(good, f.world.now);
        prop_assert!(matches!(ok.outcome, Outcome::Executed { success: true, .. }), "{:?}", ok.outcome);
    }
}
