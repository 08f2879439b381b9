//! The anti-replay rule under concurrency (`dcc::gateway::check_counter`): RequestID counters
//! per (originator, target). Every order in which a user sending in parallel to two devices can
//! have its requests arrive, with every duplicate of one of them, is sent to the gateway over a
//! real (in-memory) SQLite store with real signatures and GBCS, against a model of the rule:
//! - requests to each target arriving in increasing counter order are all accepted, however
//!   the two targets' requests interleave;
//! - a counter at or below the last accepted for the same (originator, target) is refused
//!   (HTTP 409, as every replay) and changes nothing;
//! - a counter accepted for one target may still be used once for another (the documented
//!   consequence of the per-target scope);
//! - nothing reaches a device twice: one WAN command per accepted RequestID, none for a
//!   refused one, and each device's commands in increasing counter order (as the device, which
//!   checks GBCS counters per originator, requires).
//!
//! Non-device requests (CV 8, all to the DCC) are accepted once each in any order within
//! `NON_DEVICE_WINDOW` (`dcc::gateway::check_non_device_counter`): every order of a parallel
//! sender's requests, with every duplicate, is sent against that model too.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{
    ACB, CHF, ESME, FixedClock, GPF, GSME, MPAN, MPRN, SUPPLIER, device_cert, now_and_pki,
    org_cert, precommand_of, premises, record, registration, signed_precommand_body, signing_key,
    user, xml_signer,
};
use dcc::gateway::{Answer, Gateway, Inbound};
use dcc::model::{DeviceType, RegistrationRole};
use dcc::store::{RequestCounter, Store};
use duis::{Endpoint, ResponseCode, UserRole};
use eui::Eui64;
use gbcs::frame::GeneralSigning;
use smki::{KeyPair, RemotePartyRole};
use store::SqliteStore;

struct Fixture {
    gateway: Gateway<SqliteStore, FixedClock>,
    store: Arc<SqliteStore>,
    signer: xmldsig::XmlSigner,
    gbcs_key: KeyPair,
}

fn fixture() -> Fixture {
    let (now, pki) = now_and_pki();
    let (sup_key, sup) = org_cert(&pki, SUPPLIER, RemotePartyRole::Supplier, now);
    let (dcc_key, dcc_xml) = org_cert(&pki, ACB, RemotePartyRole::DspXmlSigning, now);
    let devices = [
        common::device(ESME, DeviceType::Esme, CHF, Some(MPAN)),
        common::device(GSME, DeviceType::Gsme, CHF, Some(MPRN)),
        common::device(CHF, DeviceType::Chf, CHF, None),
        common::device(GPF, DeviceType::Gpf, CHF, Some(MPRN)),
    ];
    let certs: Vec<_> = devices
        .iter()
        .map(|d| (d.id, device_cert(&pki, d.id, now).1))
        .collect();
    let acb_ka = KeyPair::generate_with_os_rng().unwrap();
    let acb_ds = KeyPair::generate_with_os_rng().unwrap();
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    store
        .transaction(|tx| {
            tx.put_user(&user(
                SUPPLIER,
                "supplier",
                vec![UserRole::ImportSupplier, UserRole::GasSupplier],
            ))?;
            for der in [&sup, &dcc_xml] {
                tx.put_org_cert(&record(der))?;
            }
            tx.put_premises(&premises(Some(MPAN), Some(MPRN)))?;
            tx.put_registration(&registration(
                MPAN,
                RegistrationRole::ImportSupplier,
                SUPPLIER,
            ))?;
            tx.put_registration(&registration(MPRN, RegistrationRole::GasSupplier, SUPPLIER))?;
            for d in &devices {
                tx.put_device(d)?;
            }
            for (id, der) in &certs {
                tx.put_device_cert(*id, "ka", der)?;
            }
            Ok(())
        })
        .unwrap();
    let gateway = common::gateway(
        store.clone(),
        now,
        xml_signer(&dcc_key, &dcc_xml),
        ACB,
        &acb_ka,
        &acb_ds,
    );
    Fixture {
        gateway,
        store,
        signer: xml_signer(&sup_key, &sup),
        gbcs_key: sup_key,
    }
}

/// 11.2 Read Firmware Version (CV 1): a device read for either meter.
fn read(target: Eui64, counter: u64) -> String {
    common::request(
        SUPPLIER,
        target,
        counter,
        1,
        "11.2",
        "11.2",
        "<sr:ReadFirmwareVersion/>",
    )
}

/// What a refusal must leave alone, and what an acceptance changes.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    counters: Vec<RequestCounter>,
    pending_jobs: usize,
}

impl Fixture {
    fn send(&self, endpoint: Endpoint, signed: &str) -> Answer {
        self.gateway.handle(Inbound {
            endpoint,
            tls_identity: None,
            body: signed.as_bytes(),
        })
    }

    fn snapshot(&self) -> Snapshot {
        self.store
            .transaction(|tx| {
                Ok(Snapshot {
                    counters: vec![
                        tx.request_counter(SUPPLIER, ESME)?,
                        tx.request_counter(SUPPLIER, GSME)?,
                    ],
                    pending_jobs: tx.pending_wan_jobs()?,
                })
            })
            .unwrap()
    }

    /// Whether a WAN command was queued for RequestID `SUPPLIER:target:counter`.
    fn command_for(&self, target: Eui64, counter: u64) -> bool {
        self.store
            .transaction(|tx| Ok(tx.sent_command(SUPPLIER, target, counter)?.is_some()))
            .unwrap()
    }

    /// The counters of the user's WAN commands to `target`, in the order they were queued
    /// (the order the device receives them in).
    fn jobs_of(&self, target: Eui64) -> Vec<u64> {
        let mut out = Vec::new();
        self.store
            .transaction(|tx| {
                let mut id = 1;
                let mut misses = 0;
                // Job ids are allocated in queuing order; walk them all.
                while misses < 64 {
                    match tx.wan_job(id)? {
                        Some(j) => {
                            misses = 0;
                            if j.target == target && j.originator == SUPPLIER {
                                out.push(j.counter);
                            }
                        }
                        None => misses += 1,
                    }
                    id += 1;
                }
                Ok(())
            })
            .unwrap();
        out
    }
}

/// Every distinct order of the multiset `items` (each permutation once).
fn orders(items: &[usize]) -> Vec<Vec<usize>> {
    if items.is_empty() {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (i, x) in items.iter().enumerate() {
        if seen.contains(x) {
            continue;
        }
        seen.push(*x);
        let mut rest = items.to_vec();
        rest.remove(i);
        for mut tail in orders(&rest) {
            tail.insert(0, *x);
            out.push(tail);
        }
    }
    out
}

/// Everything a parallel sender of two requests to each of two devices can have arrive: every
/// order of the four, and every order of the four with one of them sent twice (a duplicate, or
/// a replay by someone who captured it).
fn arrivals() -> Vec<Vec<usize>> {
    let mut all = orders(&[0, 1, 2, 3]);
    for dup in 0..4 {
        all.extend(orders(&[0, 1, 2, 3, dup]));
    }
    all
}

#[test]
fn every_interleaving_replay_and_duplicate_of_a_parallel_sender() {
    let f = fixture();
    let cases = arrivals();
    assert_eq!(cases.len(), 24 + 4 * 60);
    // Two layouts of the sender's counters: the same counters for both devices (which a
    // per-originator rule would refuse), and interleaved ones.
    let layouts: [[u64; 4]; 2] = [[1, 2, 1, 2], [1, 3, 2, 4]];
    let mut base = 1_000;
    let mut accepted_total = 0;
    for layout in layouts {
        for case in &cases {
            // The sender's four requests: two to the ESME, two to the GSME, each pair in
            // increasing counter order, pre-signed (a duplicate is the same bytes again).
            let messages: Vec<(Eui64, u64, String)> = [ESME, ESME, GSME, GSME]
                .into_iter()
                .zip(layout)
                .map(|(t, c)| {
                    let counter = base + c;
                    (t, counter, f.signer.sign(&read(t, counter)).unwrap())
                })
                .collect();
            let mut model: BTreeMap<Eui64, u64> = BTreeMap::new();
            let mut accepted = Vec::new();
            for &m in case {
                let (target, counter, signed) = &messages[m];
                let fresh = model.get(target).is_none_or(|last| counter > last);
                let before = f.snapshot();
                let a = f.send(Endpoint::SendCommand, signed);
                if fresh {
                    assert_eq!(
                        a.code,
                        Some(ResponseCode::I99),
                        "{case:?} {layout:?}: {target}:{counter} must be accepted: {:?}",
                        a.error
                    );
                    model.insert(*target, *counter);
                    accepted.push((*target, *counter));
                    let after = f.snapshot();
                    assert_eq!(after.pending_jobs, before.pending_jobs + 1);
                } else {
                    assert_eq!(
                        (a.http_status, a.code),
                        (409, None),
                        "{case:?} {layout:?}: {target}:{counter} is a replay: {}",
                        a.body
                    );
                    assert_eq!(f.snapshot(), before, "{case:?}: a refusal changes nothing");
                }
            }
            // What the store holds is the model: the last accepted per target.
            let s = f.snapshot();
            assert_eq!(s.counters[0].last, model.get(&ESME).copied());
            assert_eq!(s.counters[1].last, model.get(&GSME).copied());
            // A command for each accepted RequestID (exactly one: each acceptance queued one
            // job, each refusal none), none for the others.
            for (target, counter, _) in &messages {
                assert_eq!(
                    f.command_for(*target, *counter),
                    accepted.contains(&(*target, *counter)),
                    "{case:?} {layout:?}: command for {target}:{counter}"
                );
            }
            accepted_total += accepted.len();
            base += 10;
        }
    }
    // Each device receives the user's commands in strictly increasing counter order.
    for target in [ESME, GSME] {
        let sent = f.jobs_of(target);
        assert!(sent.windows(2).all(|w| w[0] < w[1]), "{target}: {sent:?}");
    }
    assert_eq!(
        f.jobs_of(ESME).len() + f.jobs_of(GSME).len(),
        accepted_total
    );
}

/// A counter below the originator's floor is refused for every target, one never used before
/// included; above it each target goes on on its own.
#[test]
fn the_floor_holds_for_every_target() {
    let f = fixture();
    let ok = |t, c| f.send(Endpoint::SendCommand, &f.signer.sign(&read(t, c)).unwrap());
    assert_eq!(ok(ESME, 500).code, Some(ResponseCode::I99));
    f.store
        .transaction(|tx| Ok(tx.reset_counter_floor(SUPPLIER, 400)?))
        .unwrap();
    for (t, c) in [(ESME, 400), (GSME, 400), (GSME, 7)] {
        let before = f.snapshot();
        let a = ok(t, c);
        assert_eq!(a.http_status, 409, "{t}:{c}");
        assert_eq!(f.snapshot(), before);
    }
    // The reset lowered the ESME's counter too: 401 is fresh for both.
    assert_eq!(ok(ESME, 401).code, Some(ResponseCode::I99));
    assert_eq!(ok(GSME, 401).code, Some(ResponseCode::I99));
    assert_eq!(ok(GSME, 401).http_status, 409);
}

/// A signed pre-command reuses the counter of its CV 4 request, per target: the same counter's
/// critical flows to two devices both go through, each once.
#[test]
fn signed_precommands_reuse_their_counter_once_per_target() {
    let f = fixture();
    let counter = 77;
    let key = signing_key(&f.gbcs_key);
    let mut cv5 = Vec::new();
    for (target, srv, body) in [
        (ESME, "7.2", "<sr:DisableSupply/>"),
        (GSME, "7.2", "<sr:DisableSupply/>"),
    ] {
        let sr = duis::Srv::parse(srv).unwrap().service_reference();
        let cv4 = common::request(SUPPLIER, target, counter, 4, srv, sr, body);
        let a = f.send(Endpoint::Transform, &f.signer.sign(&cv4).unwrap());
        assert_eq!(a.code, Some(ResponseCode::I0), "{target}: {:?}", a.error);
        let pre = GeneralSigning::decode(&precommand_of(&a.body)).unwrap();
        let signed = signed_precommand_body(&pre.sign(&key).unwrap().encode());
        let req = common::request(SUPPLIER, target, counter, 5, srv, sr, &signed);
        cv5.push((target, f.signer.sign(&req).unwrap()));
    }
    // The CV 4 again is a replay for either device.
    for target in [ESME, GSME] {
        let sr = duis::Srv::V7_2.service_reference();
        let cv4 = common::request(
            SUPPLIER,
            target,
            counter,
            4,
            "7.2",
            sr,
            "<sr:DisableSupply/>",
        );
        let a = f.send(Endpoint::Transform, &f.signer.sign(&cv4).unwrap());
        assert_eq!(a.http_status, 409, "{target}");
    }
    // Each pre-command is signed and sent once, in either order; the second sending of either
    // is a replay and changes nothing.
    for (target, signed) in cv5.iter().rev() {
        let a = f.send(Endpoint::SendCommand, signed);
        assert_eq!(a.code, Some(ResponseCode::I99), "{target}: {:?}", a.error);
    }
    for (target, signed) in &cv5 {
        let before = f.snapshot();
        let a = f.send(Endpoint::SendCommand, signed);
        assert_eq!(a.http_status, 409, "{target}: {}", a.body);
        assert_eq!(f.snapshot(), before);
        assert_eq!(
            f.jobs_of(*target).iter().filter(|c| **c == counter).count(),
            1
        );
    }
}

/// 8.2 Read Inventory (CV 8): a non-device request, to the DCC.
fn read_inventory(counter: u64) -> String {
    common::request(
        SUPPLIER,
        ACB,
        counter,
        8,
        "8.2",
        "8.2",
        &format!("<sr:ReadInventory><sr:DeviceID>{ESME}</sr:DeviceID></sr:ReadInventory>"),
    )
}

impl Fixture {
    /// The user's counters for the DCC, and how many requests the DCC has recorded of it.
    fn non_device_snapshot(&self, counters: &[u64]) -> (RequestCounter, usize) {
        self.store
            .transaction(|tx| {
                let mut recorded = 0;
                for c in counters {
                    recorded += usize::from(tx.request(SUPPLIER, ACB, *c)?.is_some());
                }
                Ok((tx.request_counter(SUPPLIER, ACB)?, recorded))
            })
            .unwrap()
    }
}

/// A parallel sender's non-device requests arrive in every order, with every duplicate: each
/// RequestID is answered once, whatever overtook it, and every second arrival is a replay that
/// changes nothing.
#[test]
fn every_order_and_duplicate_of_parallel_non_device_requests() {
    let f = fixture();
    let cases = arrivals();
    let mut base = 10_000;
    for case in &cases {
        let counters: Vec<u64> = (1..=4).map(|c| base + c).collect();
        let messages: Vec<String> = counters
            .iter()
            .map(|c| f.signer.sign(&read_inventory(*c)).unwrap())
            .collect();
        let mut answered = Vec::new();
        for &m in case {
            let counter = counters[m];
            let before = f.non_device_snapshot(&counters);
            let a = f.send(Endpoint::NonDevice, &messages[m]);
            if answered.contains(&counter) {
                assert_eq!((a.http_status, a.code), (409, None), "{case:?}: {counter}");
                assert!(
                    matches!(
                        &a.error,
                        Some(dcc::DccError::Authentication(
                            dcc::error::AuthError::CounterReused { counter: c, .. }
                        )) if *c == counter
                    ),
                    "told it was used before: {:?}",
                    a.error
                );
                assert_eq!(f.non_device_snapshot(&counters), before, "{case:?}");
            } else {
                assert_eq!(
                    a.code,
                    Some(ResponseCode::I0),
                    "{case:?}: {counter} must be answered: {:?}",
                    a.error
                );
                answered.push(counter);
                let (after, recorded) = f.non_device_snapshot(&counters);
                assert_eq!(recorded, before.1 + 1);
                assert_eq!(after.last, answered.iter().max().copied());
            }
        }
        assert_eq!(answered.len(), 4, "{case:?}");
        base += 10;
    }
}

/// Below the window, or at or below the floor, a non-device counter is refused even if it was
/// never used; within the window an unused one is accepted once.
#[test]
fn non_device_counters_hold_to_the_window_and_the_floor() {
    let f = fixture();
    let send = |c: u64| {
        f.send(
            Endpoint::NonDevice,
            &f.signer.sign(&read_inventory(c)).unwrap(),
        )
    };
    let high = dcc::gateway::NON_DEVICE_WINDOW + 100_000;
    assert_eq!(send(high).code, Some(ResponseCode::I0));
    let oldest_refused = high - dcc::gateway::NON_DEVICE_WINDOW;
    for c in [oldest_refused, oldest_refused - 1, 5] {
        let before = f.non_device_snapshot(&[c]);
        let a = send(c);
        assert_eq!(a.http_status, 409, "{c}");
        assert!(
            matches!(
                a.error,
                Some(dcc::DccError::Authentication(
                    dcc::error::AuthError::Replay { last, .. }
                )) if last == high
            ),
            "{c}: {:?}",
            a.error
        );
        assert_eq!(f.non_device_snapshot(&[c]), before);
    }
    assert_eq!(send(oldest_refused + 1).code, Some(ResponseCode::I0));
    assert_eq!(send(oldest_refused + 1).http_status, 409);
    assert_eq!(send(high).http_status, 409);
    f.store
        .transaction(|tx| Ok(tx.reset_counter_floor(SUPPLIER, high + 10)?))
        .unwrap();
    assert_eq!(send(high + 5).http_status, 409, "at or below the floor");
    assert_eq!(send(high + 11).code, Some(ResponseCode::I0));
    assert_eq!(send(high + 10 + 2).code, Some(ResponseCode::I0));
}
