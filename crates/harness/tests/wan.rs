//! The core's dispatcher (`dcc::dispatch`) driving the emulated WAN, real emulated devices and a
//! real (in-memory) SQLite store, one attempt at a time on a test clock: answers,
//! retries after drops, time-outs, device refusals and their alerts, hub events, and the
//! all-or-nothing transaction around a device's execution.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use dcc::DccError;
use dcc::dispatch::{Attempt, DispatchConfig, Dispatcher, Driver};
use dcc::gateway::{Clock, ResponseSigner, unix_ms};
use dcc::model::{
    CspRegion, DeviceStatus, DeviceType, Premises, Registration, RegistrationRole, User,
};
use dcc::store::{InventoryTx as _, Store, UsersTx as _};
use devices::{DeviceKind, DeviceState, RemotePartyRole, TrustAnchors};
use duis::{ResponseCode, UserRole};
use eui::Eui64;
use gbcs::crypto::{KaPrivateKey, PublicKey};
use gbcs::usecases::{self, CommandHeader};
use harness::SimClock;
use harness::parts::{
    device, identity, key, pkcs8, response_signer, sec1, trust_anchor, wan_driver, wan_job,
};
use store::SqliteStore;
use time::OffsetDateTime;
use wan::{EmulatedWan, EmulatorTx as _, WanFault};

const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
const DISTRIBUTOR: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x02, 0x00, 0x00]);
const ACB: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);
const CHF: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA2]);
const MPAN: &str = "1900000000018";

struct World {
    store: Arc<SqliteStore>,
    /// Documents the DCC signed.
    signed: Arc<AtomicUsize>,
    clock: SimClock,
    wan: Driver<SqliteStore, EmulatedWan>,
    acb_ka: KaPrivateKey,
    esme_ka: PublicKey,
    next_counter: Mutex<u64>,
}

fn world_with(failing_signer: bool) -> World {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let clock = SimClock::starting_at(OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap());
    let (sup_ds, sup_ka, no_ds, no_ka, acb_ds, acb_ka) = (key(), key(), key(), key(), key(), key());
    let (esme_ds, esme_ka, chf_ds, chf_ka) = (key(), key(), key(), key());
    let anchors = TrustAnchors::new()
        .with(
            RemotePartyRole::Supplier,
            trust_anchor(SUPPLIER, &sup_ds, &sup_ka),
        )
        .with(
            RemotePartyRole::NetworkOperator,
            trust_anchor(DISTRIBUTOR, &no_ds, &no_ka),
        )
        .with(
            RemotePartyRole::AccessControlBroker,
            trust_anchor(ACB, &acb_ds, &acb_ka),
        );
    let installed = gbcs::UtcDateTime::from_unix(clock.now().unix_timestamp()).unwrap();
    let identities = vec![
        identity(ESME, DeviceKind::Esme, &esme_ds, &esme_ka),
        identity(CHF, DeviceKind::Chf, &chf_ds, &chf_ka),
    ];
    store
        .transaction_in(|tx| {
            for (eui, name, roles) in [
                (SUPPLIER, "supplier", vec![UserRole::ImportSupplier]),
                (
                    DISTRIBUTOR,
                    "distributor",
                    vec![UserRole::ElectricityDistributor],
                ),
            ] {
                tx.put_user(&User {
                    eui,
                    name: name.into(),
                    roles,
                    response_url: None,
                    suspended: false,
                })?;
            }
            tx.put_premises(&Premises {
                uprn: "1".into(),
                postcode: "M22 0RR".into(),
                address_identifier: "1".into(),
                region: CspRegion::Central,
                mpan: Some(MPAN.into()),
                mprn: None,
            })?;
            for (role, party) in [
                (RegistrationRole::ImportSupplier, SUPPLIER),
                (RegistrationRole::ElectricityDistributor, DISTRIBUTOR),
            ] {
                tx.put_registration(&Registration {
                    mpxn: MPAN.into(),
                    role,
                    party,
                    from: time::macros::date!(2020 - 01 - 01),
                    to: None,
                })?;
            }
            for (id, t, kind) in [
                (ESME, DeviceType::Esme, DeviceKind::Esme),
                (CHF, DeviceType::Chf, DeviceKind::Chf),
            ] {
                tx.put_device(&device(
                    id,
                    t,
                    DeviceStatus::Commissioned,
                    CHF,
                    Some("1"),
                    (t == DeviceType::Esme).then_some(MPAN),
                ))?;
                let state = DeviceState::new(kind, installed, anchors.clone());
                wan::emulated::put_state(tx, id, &state)?;
            }
            Ok(())
        })
        .unwrap();
    let signed = Arc::new(AtomicUsize::new(0));
    let signer: Arc<dyn ResponseSigner> = Arc::new(Counting {
        inner: if failing_signer {
            Arc::new(Failing)
        } else {
            response_signer()
        },
        signed: signed.clone(),
    });
    let wan = wan_driver(
        store.clone(),
        identities,
        Dispatcher::new(
            signer,
            ACB,
            DispatchConfig {
                retry_interval: std::time::Duration::from_millis(100),
                ..DispatchConfig::default()
            },
        ),
    );
    World {
        store,
        signed,
        clock,
        wan,
        acb_ka: KaPrivateKey::from_der(&pkcs8(&acb_ka)).unwrap(),
        esme_ka: PublicKey::from_sec1(&sec1(&esme_ka)).unwrap(),
        next_counter: Mutex::new(1000),
    }
}

impl World {
    /// Queues a protected ECS52 (read firmware version) from the supplier to the ESME.
    fn queue(&self, tamper: bool) -> (i64, Vec<u8>) {
        let counter = {
            let mut c = self.next_counter.lock().unwrap();
            *c += 1;
            *c
        };
        let cmd =
            usecases::ecs52_read_firmware_version(&CommandHeader::new(SUPPLIER, ESME, counter));
        let mut bytes = gbcs::crypto::wrap_command(cmd, &self.acb_ka, &self.esme_ka)
            .unwrap()
            .encode();
        if tamper {
            let last = bytes.len() - 1;
            bytes[last] ^= 0x01;
        }
        (self.queue_bytes(counter, bytes.clone()), bytes)
    }

    fn queue_bytes(&self, counter: u64, command: Vec<u8>) -> i64 {
        let now = unix_ms(self.clock.now());
        self.store
            .transaction(|tx| {
                Ok(tx.enqueue_wan(&wan_job(
                    SUPPLIER,
                    counter,
                    ESME,
                    CHF,
                    dcc::store::JobKind::Service(duis::Srv::V11_2),
                    command.clone(),
                    now,
                ))?)
            })
            .unwrap()
    }

    fn outbox(&self, who: Eui64) -> Vec<dcc::store::OutboxItem> {
        self.store
            .transaction(|tx| Ok(tx.outbox_for(who, 100)?))
            .unwrap()
    }

    fn esme_state(&self) -> DeviceState {
        self.store
            .transaction_in(|tx| wan::emulated::stored_state(tx, ESME))
            .unwrap()
            .unwrap()
    }

    fn set_fault(&self, f: Option<WanFault>) {
        self.store
            .transaction_in(|tx| Ok(tx.set_wan_fault(CHF, f)?))
            .unwrap();
    }

    fn attempt(&self, job: i64) -> Result<Attempt, DccError> {
        self.wan.attempt(job, self.clock.now())
    }

    fn job(&self, id: i64) -> dcc::store::WanJob {
        self.store.read(|tx| Ok(tx.wan_job(id)?)).unwrap().unwrap()
    }

    /// The transmission of `job` worked out ahead, from what is committed now.
    fn prepare(&self, job: i64) -> dcc::dispatch::Prepared {
        let job = self.job(job);
        self.wan
            .network()
            .prepare_carry(&*self.store, &job, self.clock.now())
            .unwrap()
            .expect("worked out ahead")
    }

    /// Carries `job` in a transaction, with what was worked out ahead.
    fn carry_prepared(
        &self,
        job: i64,
        prepared: dcc::dispatch::Prepared,
    ) -> dcc::dispatch::Transmission {
        let job = self.job(job);
        self.store
            .transaction_in(|tx| {
                self.wan
                    .network()
                    .carry_prepared(tx, &job, self.clock.now(), prepared)
            })
            .unwrap()
    }
}

fn code_of(doc: &str) -> &str {
    let start = doc.find("<sr:ResponseCode>").unwrap() + "<sr:ResponseCode>".len();
    &doc[start..start + doc[start..].find('<').unwrap()]
}

#[test]
fn a_command_is_answered_once_and_the_response_verifies_against_the_schema() {
    let w = world_with(false);
    let (job, _) = w.queue(false);
    assert_eq!(w.attempt(job).unwrap(), Attempt::Answered);
    assert_eq!(
        w.attempt(job).unwrap(),
        Attempt::Gone,
        "answered exactly once"
    );
    let out = w.outbox(SUPPLIER);
    assert_eq!(out.len(), 1);
    assert_eq!(code_of(&out[0].document), "I0");
    assert!(out[0].document.contains("<sr:GBCSPayload>"));
    duis_schema::validate_response(out[0].document.as_bytes()).unwrap();
}

#[test]
fn dropped_transmissions_are_retried_until_they_get_through() {
    let w = world_with(false);
    w.set_fault(Some(WanFault::Drop(2)));
    let (job, _) = w.queue(false);
    assert!(matches!(w.attempt(job).unwrap(), Attempt::Retry { .. }));
    assert!(matches!(w.attempt(job).unwrap(), Attempt::Retry { .. }));
    assert!(
        w.outbox(SUPPLIER).is_empty(),
        "nothing reached the user while lost"
    );
    assert_eq!(w.attempt(job).unwrap(), Attempt::Answered);
    assert_eq!(code_of(&w.outbox(SUPPLIER)[0].document), "I0");
}

#[test]
fn an_unreachable_hub_times_out_with_e20() {
    let w = world_with(false);
    w.set_fault(Some(WanFault::NoWan));
    let (job, _) = w.queue(false);
    let before = w.esme_state();
    assert!(matches!(w.attempt(job).unwrap(), Attempt::Retry { .. }));
    w.clock.advance(std::time::Duration::from_secs(6));
    assert_eq!(w.attempt(job).unwrap(), Attempt::GaveUp(ResponseCode::E20));
    assert_eq!(code_of(&w.outbox(SUPPLIER)[0].document), "E20");
    assert_eq!(w.esme_state(), before, "the device never saw the command");
}

#[test]
fn lost_until_the_deadline_is_e21() {
    let w = world_with(false);
    w.set_fault(Some(WanFault::Drop(100)));
    let (job, _) = w.queue(false);
    w.clock.advance(std::time::Duration::from_secs(6));
    assert_eq!(w.attempt(job).unwrap(), Attempt::GaveUp(ResponseCode::E21));
}

#[test]
fn a_tampered_mac_is_refused_by_the_device_which_raises_an_alert() {
    let w = world_with(false);
    let (job, _) = w.queue(true);
    assert_eq!(w.attempt(job).unwrap(), Attempt::GaveUp(ResponseCode::E21));
    let out = w.outbox(SUPPLIER);
    let alert = out.iter().find(|o| o.kind == "alert").expect("an alert");
    assert!(
        alert.document.contains("<sr:AlertCode>8F3D</sr:AlertCode>"),
        "{}",
        alert.document
    );
    duis_schema::validate_response(alert.document.as_bytes()).unwrap();
    let response = out.iter().find(|o| o.kind == "response").unwrap();
    assert_eq!(code_of(&response.document), "E21");
}

#[test]
fn a_replayed_command_is_refused_by_the_device() {
    let w = world_with(false);
    let (job, bytes) = w.queue(false);
    assert_eq!(w.attempt(job).unwrap(), Attempt::Answered);
    // The same protected command again (as an attacker on the WAN would send it).
    let again = w.queue_bytes(1001, bytes);
    assert_eq!(
        w.attempt(again).unwrap(),
        Attempt::GaveUp(ResponseCode::E21)
    );
    let alerts: Vec<_> = w
        .outbox(SUPPLIER)
        .into_iter()
        .filter(|o| o.kind == "alert")
        .collect();
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0]
            .document
            .contains("<sr:AlertCode>8F53</sr:AlertCode>")
    );
}

#[test]
fn a_power_outage_at_a_hub_alerts_the_distributor_and_the_import_supplier() {
    let w = world_with(false);
    let now = unix_ms(w.clock.now());
    w.store
        .transaction_in(|tx| Ok(tx.push_wan_event(CHF, "power-outage", now)?))
        .unwrap();
    assert_eq!(w.wan.hub_reports(w.clock.now()).unwrap(), 1);
    for who in [DISTRIBUTOR, SUPPLIER] {
        let out = w.outbox(who);
        assert_eq!(out.len(), 1, "{who}");
        assert!(
            out[0]
                .document
                .contains("<sr:DCCAlertCode>AD1</sr:DCCAlertCode>")
        );
        assert!(out[0].document.contains(MPAN));
        duis_schema::validate_response(out[0].document.as_bytes()).unwrap();
    }
    assert_eq!(
        w.wan.hub_reports(w.clock.now()).unwrap(),
        0,
        "each event is handled once"
    );
}

/// A signer that always fails (as an HSM that is down would): the whole transmission, the
/// device's execution included, must then leave no trace.
struct Failing;

/// Counts the documents signed.
struct Counting {
    inner: Arc<dyn ResponseSigner>,
    signed: Arc<AtomicUsize>,
}

impl ResponseSigner for Counting {
    fn sign(&self, unsigned: &str) -> Result<String, DccError> {
        self.signed.fetch_add(1, Ordering::SeqCst);
        self.inner.sign(unsigned)
    }
}

impl ResponseSigner for Failing {
    fn sign(&self, _: &str) -> Result<String, DccError> {
        Err(dcc::error::InternalError::Signing("HSM unavailable".into()).into())
    }
}

#[test]
fn execution_and_answer_commit_together_or_not_at_all() {
    let w = world_with(true);
    // The device executes the command (its state changes), then signing the answer fails.
    let (job, _) = w.queue(false);
    let before = w.esme_state();
    assert!(w.attempt(job).is_err());
    assert_eq!(
        w.esme_state(),
        before,
        "the device's state change was rolled back"
    );
    assert!(w.outbox(SUPPLIER).is_empty());
    let still_queued = w.store.transaction(|tx| Ok(tx.wan_job(job)?)).unwrap();
    assert!(
        still_queued.is_some(),
        "the command is still on the queue, to be tried again"
    );
}

#[test]
fn the_device_s_work_and_the_response_s_signature_are_done_ahead_of_the_transaction() {
    let w = world_with(false);
    let (job, _) = w.queue(false);
    assert_eq!(w.attempt(job).unwrap(), Attempt::Answered);
    assert_eq!(
        w.signed.load(Ordering::SeqCst),
        1,
        "signed once, ahead, and that signature used"
    );
    let out = w.outbox(SUPPLIER);
    assert_eq!(out.len(), 1);
    assert_eq!(code_of(&out[0].document), "I0");
    duis_schema::validate_response(out[0].document.as_bytes()).unwrap();
    assert_eq!(
        w.esme_state().last_counters.get(&SUPPLIER),
        Some(&1001),
        "the device's change of state written"
    );
}

#[test]
fn work_done_ahead_is_used_when_nothing_it_read_has_changed() {
    let w = world_with(false);
    let (job, _) = w.queue(false);
    let before = w.esme_state();
    let prepared = w.prepare(job);
    assert_eq!(w.esme_state(), before, "working out ahead writes nothing");
    let expected = prepared.outcome.clone();
    assert!(matches!(
        &expected,
        dcc::dispatch::Transmission::Delivered(a) if a.response.is_some()
    ));
    assert_eq!(w.carry_prepared(job, prepared), expected);
    assert_eq!(w.esme_state().last_counters.get(&SUPPLIER), Some(&1001));
}

#[test]
fn work_done_ahead_is_redone_when_the_device_has_handled_another_command_meanwhile() {
    let w = world_with(false);
    let (first, _) = w.queue(false);
    let prepared = w.prepare(first);
    // Before the first command's transaction, a later one (counter 1002) reaches the device.
    let (second, _) = w.queue(false);
    w.store
        .transaction_in(|tx| {
            let job = dcc::store::WanQueue::wan_job(tx, second)?.unwrap();
            w.wan.network().carry(tx, &job, w.clock.now())
        })
        .unwrap();
    assert_eq!(w.esme_state().last_counters.get(&SUPPLIER), Some(&1002));
    // Worked out against the older state, the first command was answered; carried against
    // the device as it is, it is a replay the device refuses.
    let outcome = w.carry_prepared(first, prepared);
    let dcc::dispatch::Transmission::Delivered(answer) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(answer.response, None, "refused");
    assert_eq!(answer.alerts.len(), 1);
    assert_eq!(
        w.esme_state().last_counters.get(&SUPPLIER),
        Some(&1002),
        "the stale change of state was not written over the newer one"
    );
}

#[test]
fn work_done_ahead_is_redone_when_the_hub_s_fault_changed_meanwhile() {
    let w = world_with(false);
    let (job, _) = w.queue(false);
    let before = w.esme_state();
    let prepared = w.prepare(job);
    w.set_fault(Some(WanFault::NoWan));
    assert_eq!(
        w.carry_prepared(job, prepared),
        dcc::dispatch::Transmission::Unreachable
    );
    assert_eq!(
        w.esme_state(),
        before,
        "the command never reached the device"
    );
}

#[test]
fn nothing_is_worked_out_ahead_for_a_transmission_a_fault_loses() {
    let w = world_with(false);
    let (job, _) = w.queue(false);
    for fault in [WanFault::NoWan, WanFault::Drop(1)] {
        w.set_fault(Some(fault));
        let j = w.job(job);
        let ahead = w
            .wan
            .network()
            .prepare_carry(&*w.store, &j, w.clock.now())
            .unwrap();
        assert!(ahead.is_none(), "{fault:?}");
    }
}

#[test]
fn a_response_signed_ahead_is_used_only_if_it_is_the_document_the_answer_comes_to() {
    let w = world_with(false);
    for (matching, job) in [(false, w.queue(false).0), (true, w.queue(false).0)] {
        let job = w.job(job);
        let outcome = w.prepare(job.id).outcome;
        let dcc::dispatch::Transmission::Delivered(answer) = &outcome else {
            panic!("{outcome:?}")
        };
        let now = w.clock.now();
        let mut presigned = w
            .wan
            .dispatcher()
            .presign(&job, answer.response.as_deref().unwrap(), None, now)
            .unwrap()
            .unwrap();
        presigned.signed = "<signed ahead/>".into();
        if !matching {
            presigned.unsigned.push(' ');
        }
        let signed_before = w.signed.load(Ordering::SeqCst);
        w.store
            .transaction_in(|tx| {
                let transmission = w.wan.network().carry(tx, &job, now)?;
                w.wan.dispatcher().handle_attempt_presigned(
                    tx,
                    &job,
                    transmission,
                    now,
                    Some(&presigned),
                )
            })
            .unwrap();
        let response = w
            .outbox(SUPPLIER)
            .into_iter()
            .find(|o| o.reference.ends_with(&format!(":{}", job.counter)))
            .unwrap();
        if matching {
            assert_eq!(response.document, "<signed ahead/>");
            assert_eq!(w.signed.load(Ordering::SeqCst), signed_before);
        } else {
            assert_eq!(code_of(&response.document), "I0");
            duis_schema::validate_response(response.document.as_bytes()).unwrap();
            assert_eq!(w.signed.load(Ordering::SeqCst), signed_before + 1);
        }
    }
}

// A consumer handed jobs by notices (`Driver::attempt_noticed`): it acts only on the job's
// current attempt, only on its device's oldest unfinished command, and reports the outbox items
// it created.

impl World {
    fn noticed(&self, job: i64, attempts: u32) -> dcc::dispatch::Noticed {
        self.wan
            .attempt_noticed(job, attempts, self.clock.now())
            .unwrap()
    }
}

#[test]
fn a_notice_is_acted_on_once_and_reports_the_outbox_items_it_made() {
    use dcc::dispatch::Noticed;
    let w = world_with(false);
    let (job, _) = w.queue(false);
    let Noticed::Made { attempt, outbox } = w.noticed(job, 0) else {
        panic!("the notice of a due, open, oldest job is acted on");
    };
    assert_eq!(attempt, Attempt::Answered);
    let out = w.outbox(SUPPLIER);
    assert_eq!(out.len(), 1);
    assert_eq!(
        outbox,
        vec![dcc::dispatch::OutboxQueued {
            id: out[0].id,
            recipient: SUPPLIER,
            next_at: out[0].next_at,
        }],
        "the response the attempt put in the outbox, by id"
    );
    // The same notice again (a redelivery, a sweeper's re-announcement): stale, nothing done.
    let signed = w.signed.load(Ordering::SeqCst);
    assert_eq!(w.noticed(job, 0), Noticed::Stale);
    assert_eq!(w.outbox(SUPPLIER).len(), 1, "answered exactly once");
    assert_eq!(w.signed.load(Ordering::SeqCst), signed);
}

#[test]
fn a_notice_of_an_earlier_attempt_is_stale_and_the_retry_has_the_next_count() {
    use dcc::dispatch::Noticed;
    let w = world_with(false);
    w.set_fault(Some(WanFault::Drop(1)));
    let (job, _) = w.queue(false);
    let before = w.esme_state();
    let Noticed::Made {
        attempt: Attempt::Retry { next_at },
        outbox,
    } = w.noticed(job, 0)
    else {
        panic!("a lost transmission is a retry");
    };
    assert!(outbox.is_empty());
    assert_eq!(w.job(job).attempts, 1);
    assert_eq!(
        w.job(job).due_at,
        next_at,
        "the successor notice's due time"
    );
    // Not due yet: nothing done, and when it falls due.
    assert_eq!(w.noticed(job, 1), Noticed::NotDue { due_at: next_at });
    w.clock.advance(std::time::Duration::from_millis(200));
    // The first notice again: the job was attempted since.
    assert_eq!(w.noticed(job, 0), Noticed::Stale);
    assert_eq!(w.noticed(job, 7), Noticed::Stale, "a count it never had");
    assert_eq!(
        w.esme_state(),
        before,
        "the device saw nothing of the stale notices"
    );
    assert!(matches!(
        w.noticed(job, 1),
        Noticed::Made {
            attempt: Attempt::Answered,
            ..
        }
    ));
    assert_eq!(w.noticed(job, 1), Noticed::Stale);
    assert_eq!(w.outbox(SUPPLIER).len(), 1);
}

#[test]
fn a_notice_of_a_later_command_waits_for_the_devices_oldest() {
    use dcc::dispatch::Noticed;
    let w = world_with(false);
    let (first, _) = w.queue(false);
    let (second, _) = w.queue(false);
    // The second command's notice came first (a redelivery, a partition moving): not before
    // the device's earlier command, which it would make the device refuse as a replay.
    assert_eq!(w.noticed(second, 0), Noticed::NotOldest);
    assert!(w.outbox(SUPPLIER).is_empty());
    assert!(matches!(
        w.noticed(first, 0),
        Noticed::Made {
            attempt: Attempt::Answered,
            ..
        }
    ));
    assert!(matches!(
        w.noticed(second, 0),
        Noticed::Made {
            attempt: Attempt::Answered,
            ..
        }
    ));
    let codes: Vec<String> = w
        .outbox(SUPPLIER)
        .iter()
        .map(|o| code_of(&o.document).to_string())
        .collect();
    assert_eq!(
        codes,
        ["I0", "I0"],
        "both answered, neither refused as a replay"
    );
}

#[test]
fn a_refused_command_reports_its_alert_and_its_failure_response() {
    use dcc::dispatch::Noticed;
    let w = world_with(false);
    let (job, _) = w.queue(true);
    let Noticed::Made { attempt, outbox } = w.noticed(job, 0) else {
        panic!("made");
    };
    assert_eq!(attempt, Attempt::GaveUp(ResponseCode::E21));
    let mut ids: Vec<i64> = outbox.iter().map(|o| o.id).collect();
    ids.sort_unstable();
    let mut expected: Vec<i64> = w.outbox(SUPPLIER).iter().map(|o| o.id).collect();
    expected.sort_unstable();
    assert_eq!(ids.len(), 2, "the alert and the E21 response");
    assert_eq!(ids, expected);
}
