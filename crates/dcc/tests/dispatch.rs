//! The dispatcher's decisions on their own (`dcc::dispatch::Dispatcher::handle_attempt`), with
//! the transmission's outcome given and time passed in, over a real (in-memory) store: retries
//! and their cap at the deadline, E20/E21 at the deadline, a device's failure answer, and SMKI
//! recovery jobs that answer no user.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use dcc::dispatch::{Attempt, DeviceAnswer, DispatchConfig, Dispatcher, Transmission};
use dcc::gateway::{ResponseSigner, unix_ms};
use dcc::store::{JobKind, OutboxItem, Store, WanJob};
use duis::ResponseCode;
use eui::Eui64;
use gbcs::axdr::Data;
use gbcs::dlms::{AccessResponse, ResponseSpec};
use gbcs::frame::{GeneralSigning, OtherInfo, SignatureField};
use gbcs::{Cra, MessageCode};
use store::SqliteStore;
use time::OffsetDateTime;

const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
const DCC: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);
const CHF: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA2]);
const RETRY_MS: i64 = 500;

struct World {
    store: SqliteStore,
    dispatcher: Dispatcher,
    start: OffsetDateTime,
}

fn world() -> World {
    let key = smki::KeyPair::generate_with_os_rng().unwrap();
    let is = xmldsig::IssuerSerial::new("CN=TEST,OU=07", "1").unwrap();
    let signer: Arc<dyn ResponseSigner> =
        Arc::new(xmldsig::XmlSigner::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), is).unwrap());
    World {
        store: SqliteStore::in_memory().unwrap(),
        dispatcher: Dispatcher::new(
            signer,
            DCC,
            DispatchConfig {
                retry_interval: std::time::Duration::from_millis(500),
                ..DispatchConfig::default()
            },
        ),
        start: OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
    }
}

impl World {
    fn at(&self, ms: i64) -> OffsetDateTime {
        self.start + time::Duration::milliseconds(ms)
    }

    fn queue(&self, kind: JobKind, deadline_ms: i64) -> WanJob {
        let now = unix_ms(self.start);
        let mut job = WanJob {
            id: 0,
            originator: SUPPLIER,
            counter: 42,
            target: ESME,
            chf: CHF,
            kind,
            command: vec![0xDD, 0x00],
            attempts: 0,
            due_at: now,
            deadline_at: now + deadline_ms,
        };
        job.id = self
            .store
            .transaction(|tx| Ok(tx.enqueue_wan(&job)?))
            .unwrap();
        job
    }

    fn attempt(&self, job: &WanJob, outcome: Transmission, at_ms: i64) -> Attempt {
        let current = self
            .store
            .transaction(|tx| Ok(tx.wan_job(job.id)?))
            .unwrap()
            .unwrap();
        self.store
            .transaction(|tx| {
                self.dispatcher
                    .handle_attempt(tx, &current, outcome, self.at(at_ms))
            })
            .unwrap()
    }

    fn outbox(&self) -> Vec<OutboxItem> {
        self.store
            .transaction(|tx| Ok(tx.outbox_for(SUPPLIER, 10)?))
            .unwrap()
    }

    fn pending(&self) -> usize {
        self.store
            .transaction(|tx| Ok(tx.pending_wan_jobs()?))
            .unwrap()
    }
}

fn code_of(doc: &str) -> &str {
    let start = doc.find("<sr:ResponseCode>").unwrap() + "<sr:ResponseCode>".len();
    &doc[start..start + doc[start..].find('<').unwrap()]
}

fn answer(result: u8) -> Vec<u8> {
    GeneralSigning {
        cra: Cra::Response,
        counter: 42,
        originator: ESME,
        recipient: SUPPLIER,
        date_time: None,
        other_info: OtherInfo::code(MessageCode(0x0001)),
        content: AccessResponse {
            invoke_id: 42,
            date_time: Vec::new(),
            request_specs: None,
            data: vec![Data::Null],
            results: vec![ResponseSpec::Action(result)],
        }
        .encode(),
        signature: SignatureField::Unsigned,
    }
    .encode()
}

fn delivered(response: Option<Vec<u8>>) -> Transmission {
    Transmission::Delivered(DeviceAnswer {
        response,
        alerts: Vec::new(),
    })
}

#[test]
fn lost_transmissions_are_retried_and_the_last_retry_is_at_the_deadline() {
    let w = world();
    let job = w.queue(JobKind::Service(duis::Srv::V11_2), 1_200);
    let base = unix_ms(w.start);
    assert_eq!(
        w.attempt(&job, Transmission::Lost, 0),
        Attempt::Retry {
            next_at: base + RETRY_MS
        }
    );
    assert_eq!(
        w.attempt(&job, Transmission::Lost, 1_000),
        Attempt::Retry {
            next_at: base + 1_200
        },
        "never later than the deadline"
    );
    assert!(w.outbox().is_empty(), "nothing for the user yet");
    assert_eq!(
        w.attempt(&job, Transmission::Lost, 1_200),
        Attempt::GaveUp(ResponseCode::E21)
    );
    let out = w.outbox();
    assert_eq!(out.len(), 1);
    assert_eq!(code_of(&out[0].document), "E21");
    duis_schema::validate_response(out[0].document.as_bytes()).unwrap();
    assert_eq!(w.pending(), 0);
}

#[test]
fn an_unreachable_hub_is_e20_at_the_deadline() {
    let w = world();
    let job = w.queue(JobKind::Service(duis::Srv::V11_2), 1_000);
    assert!(matches!(
        w.attempt(&job, Transmission::Unreachable, 10),
        Attempt::Retry { .. }
    ));
    assert_eq!(
        w.attempt(&job, Transmission::Unreachable, 1_000),
        Attempt::GaveUp(ResponseCode::E20)
    );
    assert_eq!(code_of(&w.outbox()[0].document), "E20");
}

#[test]
fn answers_are_i0_and_failure_answers_e100_with_the_devices_payload() {
    let w = world();
    let job = w.queue(JobKind::Service(duis::Srv::V11_2), 1_000);
    assert_eq!(
        w.attempt(&job, delivered(Some(answer(0))), 10),
        Attempt::Answered
    );
    let job = w.queue(JobKind::Service(duis::Srv::V11_2), 1_000);
    assert_eq!(
        w.attempt(&job, delivered(Some(answer(1))), 10),
        Attempt::Failed(ResponseCode::E100)
    );
    let mut out = w.outbox();
    out.sort_by_key(|o| o.id);
    assert_eq!(code_of(&out[0].document), "I0");
    assert_eq!(code_of(&out[1].document), "E100");
    for o in &out {
        assert!(o.document.contains("<sr:GBCSPayload>"), "{}", o.document);
        duis_schema::validate_response(o.document.as_bytes()).unwrap();
    }
    assert_eq!(w.pending(), 0);
}

#[test]
fn a_device_that_refuses_the_command_is_e21_at_once() {
    let w = world();
    let job = w.queue(JobKind::Service(duis::Srv::V11_2), 60_000);
    assert_eq!(
        w.attempt(&job, delivered(None), 10),
        Attempt::GaveUp(ResponseCode::E21)
    );
    assert_eq!(code_of(&w.outbox()[0].document), "E21");
}

#[test]
fn recovery_jobs_never_answer_a_user() {
    let w = world();
    let job = w.queue(JobKind::SmkiRecovery, 1_000);
    assert!(matches!(
        w.attempt(&job, Transmission::Unreachable, 1_000),
        Attempt::GaveUp(_)
    ));
    assert!(w.outbox().is_empty());
    assert_eq!(w.pending(), 0);
}

#[test]
fn every_device_outcome_maps_through_the_one_table() {
    use dcc::error::DeviceError;
    let code = |e: DeviceError| dcc::DccError::from(e).outcome().code;
    assert_eq!(code(DeviceError::Unreachable), Some(ResponseCode::E20));
    assert_eq!(code(DeviceError::NoResponse), Some(ResponseCode::E21));
    assert_eq!(
        code(DeviceError::CommandFailed(String::new())),
        Some(ResponseCode::E100)
    );
}

/// The RTDS vector `file` of row `dir`, as bytes (the corpus lives outside the repository).
fn rtds(dir: &str, file: &str) -> Option<Vec<u8>> {
    let corpus = std::env::var_os("OPENDCC_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
        });
    let path = corpus.join("rtds/RTDS-4.5.0").join(dir).join(file);
    let text = std::fs::read_to_string(&path).ok()?;
    let hex: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    Some(
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect(),
    )
}

#[test]
fn future_dated_outcome_alerts_answer_the_request_with_their_instruction() {
    const DIR: &str = "1.1.1_ECS01a";
    let Some(command) = rtds(
        DIR,
        "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX",
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the RTDS corpus is missing"
        );
        eprintln!("skipped: no RTDS corpus");
        return;
    };
    let suffixes = [
        "CURRENCY_UNIT",
        "PRICE_MATRIX",
        "SPECIAL_DAYS",
        "STANDING_CHARGE",
        "SWITCHING_TABLE",
        "THRESHOLD_MATRIX",
    ];
    let w = world();
    let apdu = match gbcs::Frame::decode(&command).unwrap() {
        gbcs::Frame::Ciphered(c) => c.apdu,
        gbcs::Frame::Signing(s) => s,
    };
    // The command the DCC sent for the supplier's 1.1.1 request, answered and off the queue.
    let mut job = w.queue(JobKind::Service(duis::Srv::V1_1_1), 30_000);
    job.counter = apdu.counter;
    job.command = command.clone();
    w.store
        .transaction(|tx| {
            tx.finish_wan_job(job.id, "answered")?;
            job.id = tx.enqueue_wan(&job)?;
            tx.finish_wan_job(job.id, "answered")?;
            Ok(())
        })
        .unwrap();
    let mut seen = Vec::new();
    for s in suffixes {
        let frame = rtds(
            DIR,
            &format!("ECS01a_1.1.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_{s}_GBCS.HEX"),
        )
        .unwrap();
        w.store
            .transaction(|tx| {
                w.dispatcher.route(
                    tx,
                    &dcc::dispatch::HubReport::DeviceAlert {
                        device: ESME,
                        frame,
                    },
                    w.at(1_000),
                )
            })
            .unwrap();
    }
    for item in w.outbox() {
        let doc = &item.document;
        duis_schema::validate_response(doc.as_bytes()).unwrap();
        assert!(doc.contains("<sr:FutureDatedDeviceAlertMessage>"), "{doc}");
        assert!(doc.contains("<sr:FutureDatedAlertCode>8F66</sr:FutureDatedAlertCode>"));
        assert!(doc.contains(&format!(
            "<sr:RequestID>{SUPPLIER}:{ESME}:{}</sr:RequestID>",
            apdu.counter
        )));
        assert!(doc.contains("<sr:ServiceReferenceVariant>1.1.1</sr:ServiceReferenceVariant>"));
        assert!(doc.contains("<sr:TotalCommandInstructions>6</sr:TotalCommandInstructions>"));
        let start = doc.find("<sr:InstructionNumber>").unwrap() + "<sr:InstructionNumber>".len();
        seen.push(doc[start..start + doc[start..].find('<').unwrap()].to_string());
    }
    seen.sort();
    assert_eq!(seen, ["1", "2", "3", "4", "5", "6"]);
}

#[test]
fn a_future_dated_outcome_for_no_command_the_dcc_sent_is_a_device_alert() {
    let Some(frame) = rtds(
        "1.1.1_ECS01a",
        "ECS01a_1.1.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_PRICE_MATRIX_GBCS.HEX",
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the RTDS corpus is missing"
        );
        return;
    };
    let w = world();
    w.store
        .transaction(|tx| {
            tx.put_user(&dcc::model::User {
                eui: SUPPLIER,
                name: "supplier".into(),
                roles: vec![duis::UserRole::ImportSupplier],
                response_url: None,
                suspended: false,
            })?;
            w.dispatcher.route(
                tx,
                &dcc::dispatch::HubReport::DeviceAlert {
                    device: ESME,
                    frame,
                },
                w.at(0),
            )
        })
        .unwrap();
    let out = w.outbox();
    assert_eq!(out.len(), 1);
    assert!(out[0].document.contains("<sr:DeviceAlertMessage>"));
    assert!(
        out[0]
            .document
            .contains("<sr:AlertCode>8F66</sr:AlertCode>")
    );
}
