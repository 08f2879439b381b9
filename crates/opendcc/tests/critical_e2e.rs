//! End-to-end tests of critical device services: the command variant 4 request answered with a
//! pre-command, the supplier's GBCS signature over it sent back as command variant 5, the meter's
//! signed answer delivered to the Receive Response Service, and the meter's state in the database.
//!
//! The first test follows the README's full session with the `opendcc` CLI alone (`client send`,
//! `client sign-precommand`, `client listen`, `client decode`); the others sign pre-commands with
//! this file's own GBCS code, so that they can also send the wrong signatures.

mod common;

use std::path::Path;
use std::time::Duration;

use common::critical::*;
use common::*;

mod t {
    pub const SUPPLY_ESME: &str = "ECS45_7.4_SUCCESS_REQUEST_DUIS.XML";
    pub const SUPPLY_GSME: &str = "GCS33_7.4_SUCCESS_REQUEST_DUIS.XML";
    pub const DISABLE_ESME: &str = "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML";
    pub const DISABLE_GSME: &str = "GCS32_7.2_SUCCESS_REQUEST_DUIS.XML";
    pub const ARM_GSME: &str = "GCS39_7.3_SUCCESS_REQUEST_DUIS.XML";
    pub const COMMISSION_ESME: &str = "ECS70Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML";
    pub const COMMISSION_GSME: &str = "GCS28Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML";
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

// ---------------------------------------------------------------------------------------------
// The README's full session, with the CLI

/// `opendcc client send --manifest M --user supplier-a [--sign] FILE`: the DCC's answer, checked.
fn cli_send(demo: &Demo, file: &Path, sign: bool) -> DuisResponse {
    let manifest = demo.manifest_path();
    let mut args = vec![
        "client",
        "send",
        "--manifest",
        path_str(&manifest),
        "--user",
        SUPPLIER,
    ];
    if sign {
        args.push("--sign");
    }
    args.push(path_str(file));
    let out = run_cli(&args, None);
    assert!(
        out.status.success(),
        "opendcc {args:?}: {}\n{}",
        stderr_of(&out),
        stdout_of(&out)
    );
    DuisResponse::checked(stdout_of(&out).trim_end(), &demo.dcc_signing_cert())
}

/// `opendcc client decode --manifest M --user supplier-a FILE`, with whitespace removed (the
/// payload is printed pretty).
fn cli_decode(demo: &Demo, file: &Path) -> String {
    let manifest = demo.manifest_path();
    let out = run_cli(
        &[
            "client",
            "decode",
            "--manifest",
            path_str(&manifest),
            "--user",
            SUPPLIER,
            path_str(file),
        ],
        None,
    );
    assert!(out.status.success(), "client decode: {}", stderr_of(&out));
    stdout_of(&out)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A request as the README writes it: RequestID, command variant, service reference, body.
fn readme_request(rid: &str, cv: u8, sr: &str, srv: &str, body: &str) -> String {
    format!(
        r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">
  <sr:Header>
    <sr:RequestID>{rid}</sr:RequestID>
    <sr:CommandVariant>{cv}</sr:CommandVariant>
    <sr:ServiceReference>{sr}</sr:ServiceReference>
    <sr:ServiceReferenceVariant>{srv}</sr:ServiceReferenceVariant>
  </sr:Header>
  <sr:Body>{body}</sr:Body>
</sr:Request>
"#
    )
}

/// Reads the ESME's supply status through the CLI: sends the request, waits for the listener's
/// verdict, decodes the saved answer both with `client decode` and here. Returns the DLMS
/// disconnect-control state.
fn cli_read_supply_status(demo: &Demo, listener: &mut CliListener) -> u8 {
    let rid = request_id(
        &demo.user_eui(SUPPLIER),
        premises1::ESME,
        demo.next_counter(),
    );
    let file = demo.scratch_file(
        &format!("read-{}.xml", rid.replace(':', "_")),
        &readme_request(&rid, 1, "7.4", "7.4", "<sr:ReadSupplyStatus/>"),
    );
    cli_send(demo, &file, true).assert_code("I99", &rid);
    listener.wait_for_line(DELIVERY_WAIT, |l| {
        l == format!("VERIFIED response I0 {rid}")
    });
    let saved = listener.saved(&rid);
    let decoded = cli_decode(demo, &saved);
    assert!(decoded.contains("MACverified"), "{decoded}");
    let r = DuisResponse::checked(
        &std::fs::read_to_string(&saved).expect("the saved answer"),
        &demo.dcc_signing_cert(),
    );
    r.assert_code("I0", &rid);
    let a = GbcsAnswer::of(&r);
    assert_eq!(a.use_case(), Some("ECS45"));
    a.assert_mac_verifies(
        &demo.user_file(SUPPLIER, "ka.key"),
        &demo.device_cert_path(premises1::ESME, "ka"),
    );
    let data = a.dlms_data();
    let [gbcs::axdr::Data::Enum(state)] = data.as_slice() else {
        panic!("ECS45 answers one enum: {data:?}");
    };
    assert!(
        decoded.contains(&format!("data:[Enum({state},),]")),
        "client decode shows the state {state}: {decoded}"
    );
    *state
}

#[test]
fn disable_supply_through_the_cli_as_the_readme_documents_survives_a_restart() {
    let mut demo = Demo::start_fast(&[]);
    let mut listener = demo.cli_listener();
    demo.set_response_url(SUPPLIER, listener.url());

    assert_eq!(cli_read_supply_status(&demo, &mut listener), 1, "connected");

    // 7.2 Disable Supply, command variant 4: answered at once with the pre-command.
    let rid = request_id(
        &demo.user_eui(SUPPLIER),
        premises1::ESME,
        demo.next_counter(),
    );
    let disable = demo.scratch_file(
        "disable-supply.xml",
        &readme_request(&rid, 4, "7.2", "7.2", "<sr:DisableSupply/>"),
    );
    let pre = cli_send(&demo, &disable, true);
    pre.assert_code("I0", &rid);
    assert!(
        pre.find_any("PreCommand").is_some(),
        "the answer holds a PreCommand: {}",
        pre.xml
    );
    let precommand = gbcs::GeneralSigning::decode(&gbcs_payload(&pre)).expect("a pre-command");
    assert!(precommand.is_precommand(), "{precommand:?}");
    assert_eq!(precommand.message_code().use_case(), Some("ECS43"));
    assert_eq!(precommand.originator, eui64(&demo.user_eui(SUPPLIER)));
    assert_eq!(precommand.recipient, eui64(premises1::ESME));
    // Nothing goes to the meter before the supplier signs.
    assert_eq!(demo.wan_job_count(), 1, "only the first read was queued");

    let precommand_file = demo.scratch_file("precommand.xml", &pre.xml);
    let manifest = demo.manifest_path();
    let out = run_cli(
        &[
            "client",
            "sign-precommand",
            "--manifest",
            path_str(&manifest),
            "--user",
            SUPPLIER,
            "--request",
            path_str(&disable),
            path_str(&precommand_file),
        ],
        None,
    );
    assert!(out.status.success(), "sign-precommand: {}", stderr_of(&out));
    let signed = demo.scratch_file("signed.xml", &stdout_of(&out));
    cli_send(&demo, &signed, false).assert_code("I99", &rid);

    // The meter's answer, signed by the meter.
    listener.wait_for_line(DELIVERY_WAIT, |l| {
        l == format!("VERIFIED response I0 {rid}")
    });
    let saved = listener.saved(&rid);
    let decoded = cli_decode(&demo, &saved);
    assert!(decoded.contains("devicesignatureverified"), "{decoded}");
    let r = DuisResponse::checked(
        &std::fs::read_to_string(&saved).expect("the saved answer"),
        &demo.dcc_signing_cert(),
    );
    r.assert_code("I0", &rid);
    assert_eq!(r.service_reference_variant(), Some("7.2"));
    let a = GbcsAnswer::of(&r);
    a.assert_signed_by(&demo.device_cert_path(premises1::ESME, "ds"));
    assert_eq!(a.use_case(), Some("ECS43"));
    assert_eq!(a.apdu().cra, gbcs::Cra::Response);
    assert_eq!(a.apdu().originator, eui64(premises1::ESME));
    assert_eq!(a.apdu().recipient, eui64(&demo.user_eui(SUPPLIER)));
    assert_eq!(a.dlms_results(), vec![0], "the disconnect action succeeded");

    assert_eq!(demo.device_state(premises1::ESME)["supply"], "Disabled");
    assert_eq!(
        cli_read_supply_status(&demo, &mut listener),
        0,
        "disconnected"
    );

    // The meter keeps its state across restarts of the demo.
    assert!(demo.stop().success());
    assert_eq!(demo.device_state(premises1::ESME)["supply"], "Disabled");
    demo.restart();
    assert_eq!(
        cli_read_supply_status(&demo, &mut listener),
        0,
        "still disconnected"
    );
    assert_eq!(demo.device_state(premises1::ESME)["supply"], "Disabled");

    // Every document the listener printed was verified.
    let lines = listener.lines();
    assert!(
        lines
            .iter()
            .skip(1)
            .all(|l| l.starts_with("VERIFIED response I0 ")),
        "{lines:#?}"
    );
    assert_eq!(lines.len(), 1 + 4, "{lines:#?}");
}

// ---------------------------------------------------------------------------------------------
// Critical requests with the harness (its helpers: `common::critical`)

/// 7.4 on the GSME: the ZSE supply status (2 open, 0 closed).
fn gsme_supply(demo: &Demo, sink: &ResponseSink) -> Vec<u8> {
    let (p, r) = demo.device_request(sink, SUPPLIER, t::SUPPLY_GSME, premises1::GSME, None);
    r.assert_code("I0", &p.rid);
    GbcsAnswer::of(&r)
        .zcl_attributes()
        .get(&0x0014)
        .cloned()
        .flatten()
        .expect("attribute 0x0014")
}

#[test]
fn disable_supply_on_the_gsme_closes_the_valve() {
    let demo = Demo::start_fast(&[]);
    let sink = demo.response_sink();
    demo.set_response_url(SUPPLIER, sink.url());
    assert_eq!(gsme_supply(&demo, &sink), vec![2], "valve open");

    let a = run_critical(&demo, &sink, t::DISABLE_GSME, premises1::GSME, "GCS32");
    assert_eq!(a.apdu().originator, eui64(premises1::GSME));
    // The ZSE Supply Status Response ends with the new status: 0, closed.
    let gbcs::Payload::Gbz(gbcs::gbz::GbzPayload::Components { components, .. }) =
        a.apdu().payload()
    else {
        panic!("GCS32 answers GBZ: {:?}", a.apdu().payload());
    };
    let [c] = components.as_slice() else {
        panic!("one component: {components:?}");
    };
    let gbcs::gbz::GbzBody::Plain { zcl, .. } = &c.body else {
        panic!("plaintext: {c:?}");
    };
    assert_eq!(zcl.payload.last(), Some(&0), "{zcl:?}");
    assert_eq!(demo.device_state(premises1::GSME)["supply"], "Disabled");
    assert_eq!(gsme_supply(&demo, &sink), vec![0], "valve closed");
    // The ESME at the same premises is untouched.
    assert_eq!(demo.device_state(premises1::ESME)["supply"], "Enabled");
}

#[test]
fn arm_supply_on_the_gsme_then_the_consumer_opens_the_valve_through_the_cli() {
    let demo = Demo::start_fast(&[]);
    let sink = demo.response_sink();
    demo.set_response_url(SUPPLIER, sink.url());
    // Not armed: the button does nothing; a device the demo does not emulate is refused.
    let out = demo.device_button(premises1::GSME).expect("pressed");
    assert!(out.contains("not armed"), "{out}");
    let err = demo
        .device_button("00-00-00-00-00-00-00-01")
        .expect_err("not an emulated device");
    assert!(err.contains("not an emulated device"), "{err}");

    let a = run_critical(&demo, &sink, t::ARM_GSME, premises1::GSME, "GCS39");
    assert_eq!(a.apdu().originator, eui64(premises1::GSME));
    assert_eq!(demo.device_state(premises1::GSME)["supply"], "Armed");
    assert_eq!(gsme_supply(&demo, &sink), vec![1], "valve armed");

    let out = demo.device_button(premises1::GSME).expect("pressed");
    assert!(out.contains("Enabled"), "{out}");
    assert_eq!(demo.device_state(premises1::GSME)["supply"], "Enabled");
    assert_eq!(gsme_supply(&demo, &sink), vec![2], "valve open");
}

#[test]
fn commission_device_marks_the_meters_commissioned() {
    let demo = Demo::start_fast(&[]);
    let sink = demo.response_sink();
    demo.set_response_url(SUPPLIER, sink.url());
    assert_eq!(demo.device_state(premises1::ESME)["commissioned"], false);
    assert_eq!(demo.device_state(premises1::GSME)["commissioned"], false);

    // The clock's validity interval is the request's (CurrentDateTime, TolerancePeriod): the
    // templates' 2014 interval would be refused by the meters, so the interval is now's.
    let start = time::OffsetDateTime::now_utc() - time::Duration::minutes(5);
    let body = format!(
        "<sr:CommissionDeviceSynchroniseClock><sr:CurrentDateTime>{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z</sr:CurrentDateTime><sr:TolerancePeriod>3600</sr:TolerancePeriod></sr:CommissionDeviceSynchroniseClock>",
        start.year(),
        u8::from(start.month()),
        start.day(),
        start.hour(),
        start.minute(),
        start.second(),
    );
    let a = run_critical_with(
        &demo,
        &sink,
        t::COMMISSION_ESME,
        premises1::ESME,
        "ECS70",
        Some(&body),
    );
    let results = a.dlms_results();
    assert!(
        !results.is_empty() && results.iter().all(|&r| r == 0),
        "{results:?}"
    );
    assert_eq!(demo.device_state(premises1::ESME)["commissioned"], true);
    assert_eq!(demo.device_state(premises1::ESME)["clock_offset_secs"], 0);

    run_critical_with(
        &demo,
        &sink,
        t::COMMISSION_GSME,
        premises1::GSME,
        "GCS28",
        Some(&body),
    );
    assert_eq!(demo.device_state(premises1::GSME)["commissioned"], true);

    // The templates' own interval (2014) is long past: the meter refuses to set its clock, and
    // the user is told E100 with the meter's answer.
    let stale = run_critical_to(
        &demo,
        &sink,
        t::COMMISSION_ESME,
        premises1::ESME,
        "ECS70",
        None,
        "E100",
    );
    assert!(
        stale.dlms_results().iter().any(|&r| r != 0),
        "{:?}",
        stale.dlms_results()
    );
}

// ---------------------------------------------------------------------------------------------
// Correlation of signed pre-commands with their critical requests

#[test]
fn signed_precommands_must_answer_a_pending_critical_request_once() {
    let demo = Demo::start_fast(&[]);
    let sink = demo.response_sink();
    demo.set_response_url(SUPPLIER, sink.url());
    let supplier = demo.user_eui(SUPPLIER);
    let good_key = demo.user_file(SUPPLIER, "signing.key");

    // A finished non-critical request: its counter is spent.
    let (read, _) = demo.device_request(&sink, SUPPLIER, t::SUPPLY_ESME, premises1::ESME, None);
    demo.wait_until(DELIVERY_WAIT, "the outbox is idle", || {
        demo.query("SELECT id FROM outbox WHERE delivered_at IS NULL", &[])
            .is_empty()
    });
    let c = request_precommand(&demo, t::DISABLE_ESME, premises1::ESME, "ECS43");
    let signed = sign_precommand(&c.precommand, &good_key);
    let quiet = demo.snapshot();
    let jobs = demo.wan_job_count();

    // A CV 5 whose RequestID matches no CV 4: the spent counter of the read is a replay.
    let replay = cv5(&demo, &c, &read.rid, &signed);
    demo.submit(SUPPLIER, &replay)
        .assert_refused(409, "counter");
    // The pending counter, but another device: it answers no request to that device (E12).
    let other_target = request_id(&supplier, premises1::GSME, c.cv4.counter);
    let r = demo
        .submit(SUPPLIER, &cv5(&demo, &c, &other_target, &signed))
        .duis();
    r.assert_code("E12", &other_target);
    // A fresh counter no CV 4 used: no pre-command awaits it.
    let fresh = request_id(&supplier, premises1::ESME, demo.next_counter());
    let r = demo
        .submit(SUPPLIER, &cv5(&demo, &c, &fresh, &signed))
        .duis();
    r.assert_code("E12", &fresh);
    // The right RequestID, but the pre-command signed by another key (supplier-b's), unsigned,
    // or another pre-command altogether.
    let by_other_key = sign_precommand(&c.precommand, &demo.user_file("supplier-b", "signing.key"));
    let r = demo
        .submit(SUPPLIER, &cv5(&demo, &c, &c.cv4.rid, &by_other_key))
        .duis();
    r.assert_code("E12", &c.cv4.rid);
    let r = demo
        .submit(SUPPLIER, &cv5(&demo, &c, &c.cv4.rid, &c.precommand))
        .duis();
    r.assert_code("E12", &c.cv4.rid);
    let mut altered = gbcs::GeneralSigning::decode(&c.precommand).expect("pre-command");
    altered.counter += 1;
    let altered = altered
        .sign(&gbcs_signing_key(&good_key))
        .expect("signing")
        .encode();
    let r = demo
        .submit(SUPPLIER, &cv5(&demo, &c, &c.cv4.rid, &altered))
        .duis();
    r.assert_code("E12", &c.cv4.rid);
    // None of them changed anything or queued anything for the meter.
    demo.snapshot()
        .assert_unchanged(&quiet, "refused signed pre-commands");
    assert_eq!(demo.wan_job_count(), jobs);

    // The right one still works: the refusals did not spend the pre-command.
    let good = cv5(&demo, &c, &c.cv4.rid, &signed);
    demo.submit(SUPPLIER, &good)
        .duis()
        .assert_code("I99", &good.rid);
    demo.delivered(&sink, &good.rid)
        .assert_code("I0", &good.rid);
    assert_eq!(demo.device_state(premises1::ESME)["supply"], "Disabled");
    assert_eq!(demo.wan_job_count(), jobs + 1);

    // Sending the same CV 5 again is a replay: refused, nothing queued, nothing delivered.
    demo.submit(SUPPLIER, &good).assert_refused(409, "counter");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(demo.wan_job_count(), jobs + 1);
    assert_eq!(
        sink.received()
            .iter()
            .filter(|d| is_for(d, &good.rid))
            .count(),
        1
    );
}

// ---------------------------------------------------------------------------------------------
// Property: a mutated signed pre-command never reaches the device

/// How a correctly signed pre-command is damaged.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte (at `index` modulo the length) with a non-zero mask.
    Flip { index: usize, mask: u8 },
    /// Keep only the first `1 + len % (length - 1)` bytes (at least one, at most all but one).
    Truncate { len: usize },
    /// Append bytes.
    Append(Vec<u8>),
}

impl Mutation {
    fn apply(&self, signed: &[u8]) -> Vec<u8> {
        let mut out = signed.to_vec();
        match self {
            Mutation::Flip { index, mask } => {
                let i = index % out.len();
                out[i] ^= mask;
            }
            Mutation::Truncate { len } => out.truncate(1 + len % (out.len() - 1)),
            Mutation::Append(extra) => out.extend_from_slice(extra),
        }
        out
    }
}

fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    prop_oneof![
        6 => (any::<usize>(), 1u8..=255).prop_map(|(index, mask)| Mutation::Flip { index, mask }),
        1 => any::<usize>().prop_map(|len| Mutation::Truncate { len }),
        1 => proptest::collection::vec(any::<u8>(), 1..8).prop_map(Mutation::Append),
    ]
}

#[test]
fn mutated_signed_precommands_never_reach_the_device() {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let demo = Demo::start_fast(&[]);
    let sink = demo.response_sink();
    demo.set_response_url(SUPPLIER, sink.url());
    let c = request_precommand(&demo, t::DISABLE_ESME, premises1::ESME, "ECS43");
    let signed = sign_precommand(&c.precommand, &demo.user_file(SUPPLIER, "signing.key"));
    let esme = demo.device_state(premises1::ESME);
    let jobs = demo.wan_job_count();

    let mut runner = TestRunner::new(Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&mutation(), |m| {
        let payload = m.apply(&signed);
        proptest::prop_assume!(payload != signed);
        let reply = demo.submit(SUPPLIER, &cv5(&demo, &c, &c.cv4.rid, &payload));
        let r = reply.duis();
        if r.code() != "E12" || r.request_id() != c.cv4.rid {
            return Err(TestCaseError::fail(format!(
                "{m:?} answered {}: {}",
                r.code(),
                r.xml
            )));
        }
        if demo.wan_job_count() != jobs {
            return Err(TestCaseError::fail(format!("{m:?} queued a WAN command")));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Nothing reached the meter.
    assert_eq!(demo.device_state(premises1::ESME), esme);
    assert!(sink.received().is_empty(), "{:#?}", sink.received());

    // The untouched signed pre-command is still accepted afterwards.
    let good = cv5(&demo, &c, &c.cv4.rid, &signed);
    demo.submit(SUPPLIER, &good)
        .duis()
        .assert_code("I99", &good.rid);
    demo.delivered(&sink, &good.rid)
        .assert_code("I0", &good.rid);
    assert_eq!(demo.device_state(premises1::ESME)["supply"], "Disabled");
}
