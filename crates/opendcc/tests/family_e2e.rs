//! End-to-end tests of the tariff and prepayment (DUIS family 1), prepayment (2), customer
//! message (3) and supply and auxiliary load (7) services through the served demo, on real
//! sockets: each request signed by supplier-a and sent over mutually authenticated TLS, critical
//! ones answered with their pre-command and sent back signed (command variant 5,
//! `common::critical`), the emulated meter's signed answer delivered to a Receive Response
//! Service on loopback and decoded to MMC by `opendcc client decode --mmc`, and the write read
//! back with the matching read service. A body the DUIS schema or the service refuses is
//! answered HTTP 400 and changes nothing (the database is compared and the value read back).
//!
//! One demo per test (one per family), the families' tests running side by side.

mod common;

use common::critical::*;
use common::*;

mod t {
    pub const PAYMENT_MODE_PREPAY: &str = "ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML";
    pub const PAYMENT_MODE_CREDIT: &str = "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML";
    pub const RESET_BLOCK_COUNTERS: &str = "ECS05_1.7_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_BLOCK_COUNTERS: &str = "ECS17e_4.1.3_SUCCESS_REQUEST_DUIS.XML";
    pub const UPDATE_DEBT: &str = "ECS07_2.3_SUCCESS_REQUEST_DUIS.XML";
    pub const ACTIVATE_EMERGENCY_CREDIT: &str = "ECS09_2.5_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_PREPAY_VALUES: &str = "ECS19_4.3_SUCCESS_REQUEST_DUIS.XML";
    pub const UPDATE_PREPAY_CONFIG: &str = "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_PREPAY_CONFIG: &str = "ECS26a_4.13_SINGLE_SUCCESS_REQUEST_DUIS.XML";
    pub const DISPLAY_MESSAGE: &str = "ECS10_3.1_SUCCESS_REQUEST_DUIS.XML";
    pub const UPDATE_SUPPLIER_NAME: &str = "ECS16_3.4_SUCCESS_REQUEST_DUIS.XML";
    pub const CLEAR_EVENT_LOG: &str = "ECS15a_3.3_SUCCESS_REQUEST_DUIS.XML";
    pub const ACTIVATE_AUX_LOAD: &str = "ECS47Activate_7.5_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_AUX_LOAD: &str = "ECS61a_7.7_ALL_OPTIONALS_SUCCESS_REQUEST_DUIS.XML";
    pub const RANDOMISED_OFFSET: &str = "ECS38_7.12_SUCCESS_REQUEST_DUIS.XML";
    pub const GAS_TARIFF: &str = "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_GAS_TARIFF: &str = "GCS21f_4.11.1_SUCCESS_REQUEST_DUIS.XML";
}

const ESME: &str = premises1::ESME;

/// A demo whose supplier-a answers go to a fresh Receive Response Service.
fn demo_with_sink() -> (Demo, ResponseSink) {
    let demo = Demo::start_fast(&[]);
    let sink = demo.response_sink();
    demo.set_response_url(SUPPLIER, sink.url());
    (demo, sink)
}

/// A non-critical device request (a read, or a command variant 1 write) to the ESME answered
/// I0, with its MMC form.
fn answered_mmc(
    demo: &Demo,
    sink: &ResponseSink,
    template: &str,
    body: Option<&str>,
) -> (GbcsAnswer, String) {
    let (p, r) = demo.device_request(sink, SUPPLIER, template, ESME, body);
    r.assert_code("I0", &p.rid);
    let a = GbcsAnswer::of(&r);
    a.assert_mac_verifies(
        &demo.user_file(SUPPLIER, "ka.key"),
        &demo.device_cert_path(ESME, "ka"),
    );
    let mmc = demo.decode_mmc(SUPPLIER, &r);
    (a, mmc)
}

/// A critical request to the ESME run to the meter's signed answer (I0, every DLMS result
/// success), with its MMC form, which must hold `element`.
fn critical_mmc(
    demo: &Demo,
    sink: &ResponseSink,
    template: &str,
    use_case: &str,
    body: Option<&str>,
    element: &str,
) -> String {
    let (r, a) = critical_response(demo, sink, template, ESME, use_case, body, "I0");
    assert_eq!(a.apdu().originator, eui64(ESME));
    let results = a.dlms_results();
    assert!(
        !results.is_empty() && results.iter().all(|&x| x == 0),
        "{use_case}: {results:?}"
    );
    let mmc = demo.decode_mmc(SUPPLIER, &r);
    assert!(mmc.contains(&format!("<ra:{element}")), "{element}:\n{mmc}");
    assert!(!mmc.contains("format=\"encrypted\""), "{mmc}");
    mmc
}

/// The text of the first `<ra:NAME>` (or `<ra:NAME attrs>`) element of an MMC document.
fn leaf<'a>(xml: &'a str, name: &str) -> &'a str {
    let start = [format!("<ra:{name}>"), format!("<ra:{name} ")]
        .iter()
        .find_map(|open| xml.find(open.as_str()))
        .unwrap_or_else(|| panic!("no {name} in {xml}"));
    let rest = &xml[start..];
    let value = &rest[rest.find('>').expect("a tag") + 1..];
    value[..value.find('<').expect("a closing tag")].trim()
}

fn leaf_i64(xml: &str, name: &str) -> i64 {
    let v = leaf(xml, name);
    v.parse()
        .unwrap_or_else(|e| panic!("{name} = {v:?}: {e}\n{xml}"))
}

/// Waits until nothing is left to deliver, so that a database snapshot is quiet.
fn wait_idle(demo: &Demo) {
    demo.wait_until(DELIVERY_WAIT, "the outbox is idle", || {
        demo.query("SELECT id FROM outbox WHERE delivered_at IS NULL", &[])
            .is_empty()
    });
}

/// Sends `template` with `body` (signed by supplier-a) and asserts it is refused before it
/// reaches the meter: HTTP 400 naming `reason`, and nothing in the database changed.
fn assert_bad_body_refused(demo: &Demo, template: &str, body: &str, reason: &str) {
    wait_idle(demo);
    let quiet = demo.snapshot();
    let jobs = demo.wan_job_count();
    let p = demo.signed_request(template, SUPPLIER, ESME, Some(body));
    demo.submit(SUPPLIER, &p).assert_refused(400, reason);
    demo.snapshot()
        .assert_unchanged(&quiet, &format!("a refused {template}"));
    assert_eq!(demo.wan_job_count(), jobs, "nothing queued for the meter");
}

// ---------------------------------------------------------------------------------------------
// Family 1: 1.6 Update Payment Mode, 1.7 Reset Tariff Block Counter Matrix

#[test]
fn family_1_payment_mode_switches_read_back_and_the_block_counters_reset() {
    let (demo, sink) = demo_with_sink();
    let payment_mode = |demo: &Demo| demo.device_state(ESME)["payment_mode"].clone();

    // 1.6 to prepayment (ECS03), with the template's disablement threshold.
    critical_mmc(
        &demo,
        &sink,
        t::PAYMENT_MODE_PREPAY,
        "ECS03",
        None,
        "UpdatePaymentModeRsp",
    );
    let pm = payment_mode(&demo);
    assert_eq!(pm["credit"], false, "{pm}");
    assert_eq!(pm["disablement_threshold"], 556_677, "{pm}");

    // 1.6 back to credit (ECS02).
    critical_mmc(
        &demo,
        &sink,
        t::PAYMENT_MODE_CREDIT,
        "ECS02",
        None,
        "UpdatePaymentModeRsp",
    );
    let pm = payment_mode(&demo);
    assert_eq!(pm["credit"], true, "{pm}");

    // 1.7 (ECS05): the meter records the reset now, and 4.1.3 reads the block counters from
    // then on (the few seconds of consumption since, Wh). No comparison with a read before the
    // reset: the demo's meters were installed seconds earlier, so the counters before the reset
    // are as small as after it, and which of the two reads is larger depends only on how long
    // each interval took on the machine (a loaded machine read 0 Wh before and 1 Wh after).
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    critical_mmc(
        &demo,
        &sink,
        t::RESET_BLOCK_COUNTERS,
        "ECS05",
        None,
        "ResetTariffBlockCounterMatrixRsp",
    );
    let at = demo.device_state(ESME)["payment"]["block_counters_reset_at"]
        .as_i64()
        .expect("the reset time");
    let after = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (before - 5..=after + 5).contains(&at),
        "{at} not in {before}..{after}"
    );
    let since = block_counters(&demo, &sink);
    assert!(since < 100, "{since} Wh within seconds of the reset");
}

/// The template's 1.1.1 gas body with `from` replaced by `to`.
fn gas_tariff_body(from: &str, to: &str) -> String {
    let xml = template(t::GAS_TARIFF);
    let open = "<sr:UpdateImportTariffPrimaryElement>";
    let close = "</sr:UpdateImportTariffPrimaryElement>";
    let start = xml.find(open).expect("the body");
    let end = xml.find(close).expect("the body's end") + close.len();
    let body = &xml[start..end];
    assert!(body.contains(from), "{from} in {body}");
    body.replacen(from, to, 1)
}

/// 4.11.1 on the GSME, as MMC.
fn gas_tariff_read(demo: &Demo, sink: &ResponseSink) -> String {
    let (p, r) = demo.device_request(sink, SUPPLIER, t::READ_GAS_TARIFF, premises1::GSME, None);
    r.assert_code("I0", &p.rid);
    demo.decode_mmc(SUPPLIER, &r)
}

#[test]
fn family_1_a_gas_tariff_written_to_the_gsme_reads_back() {
    let (demo, sink) = demo_with_sink();
    assert_ne!(
        leaf_i64(&gas_tariff_read(&demo, &sink), "StandingCharge"),
        23_456
    );
    // 1.1.1 (GCS01a) with another standing charge: the GSME's signed answer, then 4.11.1.
    let body = gas_tariff_body(">22465<", ">23456<");
    let (r, a) = critical_response(
        &demo,
        &sink,
        t::GAS_TARIFF,
        premises1::GSME,
        "GCS01a",
        Some(&body),
        "I0",
    );
    assert_eq!(a.apdu().originator, eui64(premises1::GSME));
    let mmc = demo.decode_mmc(SUPPLIER, &r);
    assert!(
        mmc.contains("<ra:UpdateImportTariffPrimaryElementRsp"),
        "{mmc}"
    );
    let read = gas_tariff_read(&demo, &sink);
    assert_eq!(leaf_i64(&read, "StandingCharge"), 23_456, "{read}");
    assert_eq!(leaf_i64(&read, "TariffTOUPrice"), 9_600, "{read}");
}

/// 4.1.3 Read TOU With Blocks: the sum of the block counter registers (the protected structure
/// opened with supplier-a's key).
fn block_counters(demo: &Demo, sink: &ResponseSink) -> u64 {
    let (_, mmc) = answered_mmc(demo, sink, t::READ_BLOCK_COUNTERS, None);
    let values: Vec<u64> = mmc
        .split("<ra:RegisterMatrixTOUValue ")
        .skip(1)
        .map(|part| {
            let v = &part[part.find('>').expect("a tag") + 1..];
            let v = v[..v.find('<').expect("a closing tag")].trim();
            v.parse()
                .unwrap_or_else(|e| panic!("RegisterMatrixTOUValue {v:?}: {e}\n{mmc}"))
        })
        .collect();
    assert!(!values.is_empty(), "{mmc}");
    values.iter().sum()
}

// ---------------------------------------------------------------------------------------------
// Family 2: 2.3 Update Debt, 2.5 Activate Emergency Credit, read by 4.3

/// 4.3 Read Prepay Values as MMC (the protected structure opened with supplier-a's key).
fn prepay_values(demo: &Demo, sink: &ResponseSink) -> String {
    let (_, mmc) = answered_mmc(demo, sink, t::READ_PREPAY_VALUES, None);
    assert!(
        mmc.contains("<ra:ReadInstantaneousPrepayValuesRsp"),
        "{mmc}"
    );
    assert!(!mmc.contains("format=\"encrypted\""), "{mmc}");
    mmc
}

fn debts(mmc: &str) -> [i64; 3] {
    [
        leaf_i64(mmc, "TimeDebtRegister1"),
        leaf_i64(mmc, "TimeDebtRegister2"),
        leaf_i64(mmc, "PaymentDebtRegister"),
    ]
}

/// The template's 2.3 body with `from` replaced by `to`.
fn update_debt_body(from: &str, to: &str) -> String {
    let xml = template(t::UPDATE_DEBT);
    let start = xml.find("<sr:UpdateDebt>").expect("the body");
    let end = xml.find("</sr:UpdateDebt>").expect("the body's end") + "</sr:UpdateDebt>".len();
    let body = &xml[start..end];
    assert!(body.contains(from), "{from} in {body}");
    body.replacen(from, to, 1)
}

#[test]
fn family_2_debt_and_emergency_credit_show_in_the_prepay_values() {
    let (demo, sink) = demo_with_sink();
    let start = prepay_values(&demo, &sink);
    assert_eq!(debts(&start), [0, 0, 0], "no debt yet");
    assert_eq!(leaf_i64(&start, "EmergencyCreditBalance"), 0, "not in use");

    // A recovery rate beyond the schema's range: refused, nothing changed, still no debt.
    let bad = update_debt_body("<sr:DebtRecoveryRate>3<", "<sr:DebtRecoveryRate>40000<");
    assert_bad_body_refused(&demo, t::UPDATE_DEBT, &bad, "DebtRecoveryRate");
    assert_eq!(debts(&prepay_values(&demo, &sink)), [0, 0, 0]);

    // 2.3 (ECS07): the template's debts, read back by 4.3 (the time-based debts recover at 30p
    // and £1.50 a day: a few units in the seconds between).
    critical_mmc(&demo, &sink, t::UPDATE_DEBT, "ECS07", None, "UpdateDebtRsp");
    let registers = demo.device_state(ESME)["debt"]["registers"].clone();
    assert_eq!(registers, serde_json::json!([30_000, 15_000, 50_000]));
    let now = debts(&prepay_values(&demo, &sink));
    for (got, want) in now.iter().zip([30_000, 15_000, 50_000]) {
        assert!((want - got).abs() < 100, "{now:?}");
    }

    // 2.5 (ECS09): the whole emergency credit limit, £25 (the ESME's ECS26a configuration),
    // becomes available.
    assert!(demo.device_state(ESME)["payment"]["emergency_credit_activated_at"].is_null());
    critical_mmc(
        &demo,
        &sink,
        t::ACTIVATE_EMERGENCY_CREDIT,
        "ECS09",
        None,
        "ActivateEmergencyCreditRsp",
    );
    assert!(
        demo.device_state(ESME)["payment"]["emergency_credit_activated_at"].is_i64(),
        "activated"
    );
    let after = prepay_values(&demo, &sink);
    assert_eq!(leaf_i64(&after, "EmergencyCreditBalance"), 2_500_000);
}

// ---------------------------------------------------------------------------------------------
// Family 3: 3.4 Update Supplier Name, 3.1 Display Message, 3.3 Clear Event Log

/// 2.1 (ECS08a, the DCC's choice for the demo ESME's GBCS version) through the real
/// sockets: CV 4, the supplier's signature, CV 5, every SET a success on the meter; then 4.13
/// reads the template's configuration back.
#[test]
fn family_2_prepay_configuration_written_reads_back_in_4_13() {
    let (demo, sink) = demo_with_sink();
    let read = |demo: &Demo| {
        let (_, mmc) = answered_mmc(demo, &sink, t::READ_PREPAY_CONFIG, None);
        assert!(mmc.contains("<ra:ReadPrepaymentConfigurationRsp"), "{mmc}");
        mmc
    };
    assert_eq!(leaf_i64(&read(&demo), "LowCreditThreshold"), 500_000);
    // The demo's ESME is of GBCS 4.0: the DCC sends it ECS08a.
    let use_case = "ECS08a";
    let (_, a) = critical_response(
        &demo,
        &sink,
        t::UPDATE_PREPAY_CONFIG,
        ESME,
        use_case,
        None,
        "I0",
    );
    assert_eq!(a.apdu().originator, eui64(ESME));
    let results = a.dlms_results();
    assert!(
        results.len() == 18 && results.iter().all(|&x| x == 0),
        "{results:?}"
    );
    let mmc = read(&demo);
    assert_eq!(leaf_i64(&mmc, "LowCreditThreshold"), 200_000, "{mmc}");
    assert_eq!(leaf_i64(&mmc, "EmergencyCreditLimit"), 300_000, "{mmc}");
    assert_eq!(leaf_i64(&mmc, "EmergencyCreditThreshold"), 100_000, "{mmc}");
    assert_eq!(
        leaf_i64(&mmc, "CreditMaxCreditThreshold"),
        1_000_000,
        "{mmc}"
    );
}

fn hex(s: &str) -> serde_json::Value {
    serde_json::Value::String(s.bytes().map(|b| format!("{b:02x}")).collect())
}

fn supplier_settings(demo: &Demo) -> serde_json::Value {
    demo.device_state(ESME)["supplier_settings"].clone()
}

fn event_log(demo: &Demo) -> devices::EventLog {
    serde_json::from_value(demo.device_state(ESME)["event_log"].clone()).expect("the event log")
}

#[test]
fn family_3_supplier_name_message_and_event_log_clear_on_the_meter() {
    let (demo, sink) = demo_with_sink();
    assert_eq!(supplier_settings(&demo)["supplier_name"], hex(""));

    // 3.4 (ECS16, command variant 1): the template's name and number.
    let (a, mmc) = answered_mmc(&demo, &sink, t::UPDATE_SUPPLIER_NAME, None);
    assert_eq!(a.use_case(), Some("ECS16"));
    assert!(mmc.contains("<ra:UpdateSupplierNameRsp"), "{mmc}");
    let s = supplier_settings(&demo);
    assert_eq!(s["supplier_name"], hex("E-ON"), "{s}");
    assert_eq!(s["supplier_telephone"], hex("0333 202 4650"), "{s}");

    // A name longer than 15 characters: refused, the meter keeps its name.
    assert_bad_body_refused(
        &demo,
        t::UPDATE_SUPPLIER_NAME,
        "<sr:UpdateSupplierName><sr:SupplierName>Sixteen chars ok</sr:SupplierName><sr:SupplierTelephoneNumber>0800 000 000</sr:SupplierTelephoneNumber></sr:UpdateSupplierName>",
        "SupplierName",
    );
    assert_eq!(supplier_settings(&demo)["supplier_name"], hex("E-ON"));

    // 3.1 (ECS10): the message the meter shows.
    let message = "Meter reading due 1 May";
    let (a, mmc) = answered_mmc(
        &demo,
        &sink,
        t::DISPLAY_MESSAGE,
        Some(&format!(
            "<sr:DisplayMessage><sr:SupplierMessage>{message}</sr:SupplierMessage></sr:DisplayMessage>"
        )),
    );
    assert_eq!(a.use_case(), Some("ECS10"));
    assert!(mmc.contains("<ra:DisplayMessageRsp"), "{mmc}");
    assert_eq!(supplier_settings(&demo)["supplier_message"], hex(message));

    // 3.3 (ECS15a): the meter's event log, holding the commands above, is emptied; the
    // security log records the clear.
    let before = event_log(&demo);
    assert!(
        before.log(devices::LogKind::Event).count() > 0,
        "{before:?}"
    );
    let (a, mmc) = answered_mmc(&demo, &sink, t::CLEAR_EVENT_LOG, None);
    assert_eq!(a.use_case(), Some("ECS15a"));
    assert!(mmc.contains("<ra:ClearEventLogRsp"), "{mmc}");
    let after = event_log(&demo);
    assert_eq!(after.log(devices::LogKind::Event).count(), 0, "{after:?}");
    assert!(
        after.log(devices::LogKind::Security).any(|e| matches!(
            e.kind,
            devices::EventKind::LogCleared {
                log: devices::LogKind::Event,
                ..
            }
        )),
        "{after:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Family 7: 7.5 Activate Auxiliary Load read by 7.7, 7.12 Set Randomised Offset Limit

/// 7.7 on the ESME: the five switches' output states (true: on).
fn aux_switches(demo: &Demo, sink: &ResponseSink) -> Vec<bool> {
    let (a, _) = answered_mmc(demo, sink, t::READ_AUX_LOAD, None);
    let v = a.dlms_data();
    assert_eq!(v.len(), 17, "{v:?}");
    v[12..]
        .iter()
        .map(|d| match d {
            gbcs::axdr::Data::Boolean(b) => *b != 0,
            other => panic!("output state {other:?}"),
        })
        .collect()
}

fn offset_limit(demo: &Demo) -> serde_json::Value {
    demo.device_state(ESME)["aux_loads"]["randomised_offset_limit"].clone()
}

#[test]
fn family_7_auxiliary_load_switches_on_and_the_randomised_offset_limit_is_kept() {
    let (demo, sink) = demo_with_sink();
    assert_eq!(aux_switches(&demo, &sink), [false; 5]);

    // 7.5 (ECS47): switch 1 on for 30 minutes; 7.7 shows it.
    let t0 = time::OffsetDateTime::now_utc().unix_timestamp();
    critical_mmc(
        &demo,
        &sink,
        t::ACTIVATE_AUX_LOAD,
        "ECS47",
        None,
        "ActivateAuxiliaryLoadRsp",
    );
    let o = demo.device_state(ESME)["aux_loads"]["overrides"].clone();
    assert_eq!(o[0]["on"], true, "{o}");
    let until = o[0]["until"].as_i64().expect("an end");
    assert!((t0 + 1790..t0 + 1900).contains(&until), "{o}");
    assert_eq!(
        aux_switches(&demo, &sink),
        [true, false, false, false, false]
    );

    // 7.12 (ECS38): the template's 900 seconds; then 1799, the largest.
    assert_eq!(offset_limit(&demo), serde_json::Value::Null);
    critical_mmc(
        &demo,
        &sink,
        t::RANDOMISED_OFFSET,
        "ECS38",
        None,
        "SetRandomisedOffsetLimitRsp",
    );
    assert_eq!(offset_limit(&demo), 900);
    let body = |limit: u32| {
        format!(
            "<sr:SetRandomisedOffsetLimit><sr:RandomisedOffsetLimit>{limit}</sr:RandomisedOffsetLimit></sr:SetRandomisedOffsetLimit>"
        )
    };
    critical_mmc(
        &demo,
        &sink,
        t::RANDOMISED_OFFSET,
        "ECS38",
        Some(&body(1799)),
        "SetRandomisedOffsetLimitRsp",
    );
    assert_eq!(offset_limit(&demo), 1799);

    // 1800 is beyond the range: refused at once, the meter keeps 1799.
    assert_bad_body_refused(
        &demo,
        t::RANDOMISED_OFFSET,
        &body(1800),
        "RandomisedOffsetLimit",
    );
    assert_eq!(offset_limit(&demo), 1799);
}
