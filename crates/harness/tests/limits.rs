//! Family 6 limits end to end on the simulated clock (DUIS in, the emulated ESME's behaviour
//! out): 6.4.1 (ECS28a, critical: CV 4, the signed pre-command in CV 5) writes the load limiting
//! settings that 4.15 reads back, across a restart, and the load limit counter follows the
//! written threshold; a future-dated 6.4.1 is held by the meter and written at its time with
//! 8F66 outcome alerts, a cancellation drops one still held; 6.4.2 (ECS28b) restarts the
//! counter; a value outside its type is refused and nothing changes. 6.18.1 (ECS37) sets the
//! configurable maximum demand period that 4.12.1 reads back, across a restart; 6.18.2 (ECS57)
//! resets the registers it names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dcc::gateway::Answer;
use gbcs::PublicKey;
use harness::{Delivered, Harness, premises1};

const SUPPLIER: &str = "supplier-a";
const HOUR: Duration = Duration::from_secs(3600);
const LL_IMMEDIATE: &str = "ECS28a_6.4.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML";
const LL_FUTURE: &str = "ECS28a_6.4.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML";
const LL_CANCEL: &str = "ECS28a_6.4.1_CANCELLATION_SUCCESS_REQUEST_DUIS.XML";

fn acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

/// The device's answer rendered as MMC (opened with the supplier's key).
fn render(h: &Harness, r: &Delivered, srv: &str, variant: &str) -> String {
    render_for(h, SUPPLIER, r, srv, variant)
}

fn render_for(h: &Harness, user: &str, r: &Delivered, srv: &str, variant: &str) -> String {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(user);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(premises1::ESME, "ka")).unwrap();
    let x = mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: Some(srv),
            service_reference_variant: Some(variant),
            keys: Some(mmc::Keys {
                requester_ka: &ka,
                device_ka: &device_ka,
            }),
        },
    )
    .unwrap();
    x.xml
}

fn leaf(xml: &str, name: &str) -> String {
    let open = format!("<ra:{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {name} in {xml}"))
        + open.len();
    let end = xml[start..].find('<').unwrap() + start;
    xml[start..end].to_owned()
}

/// 4.15 on the ESME, rendered: (counter, threshold, period, restoration period, supply state).
fn read_load_limit(h: &mut Harness) -> (u64, u32, u32, u32, String) {
    let (p, a) = h.device_request(
        SUPPLIER,
        "ECS27_4.15_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    acknowledged(&a);
    h.advance(Duration::from_secs(5));
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let xml = render(h, &r, "4.15", "4.15");
    (
        leaf(&xml, "LoadLimitCounterValue").parse().unwrap(),
        leaf(&xml, "LoadLimitPowerThreshold").parse().unwrap(),
        leaf(&xml, "LoadLimitPeriod").parse().unwrap(),
        leaf(&xml, "LoadLimitRestorationPeriod").parse().unwrap(),
        leaf(&xml, "LoadLimitSupplyState"),
    )
}

/// A 6.4.1 request from `template` with `edits` (element, text) through CV 4 and 5; the
/// request id, once the meter's answer (I0) is delivered and rendered.
fn update_load_limiting(h: &mut Harness, template: &str, edits: &[(&str, &str)]) -> String {
    let p = h.request(template, SUPPLIER, premises1::ESME);
    let mut xml = p.xml.clone();
    for (name, text) in edits {
        xml = harness::set_text(&xml, name, text);
    }
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, "6.4.1", &a);
    h.advance(Duration::from_secs(5));
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let rendered = render(h, &r, "6.4", "6.4.1");
    assert!(
        rendered.contains("UpdateDeviceConfigurationLoadLimitingGeneralSettingsRsp"),
        "{rendered}"
    );
    p.rid
}

fn future_dated_alerts(h: &Harness, rid: &str) -> Vec<String> {
    h.delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| {
            d.xml.contains("FutureDatedDeviceAlertMessage")
                && d.request_id().as_deref() == Some(rid)
        })
        .filter_map(|d| harness::element_text(&d.xml, "FutureDatedAlertCode"))
        .collect()
}

#[test]
fn a_6_4_1_write_reads_back_in_4_15_across_a_restart_and_the_counter_follows_it() {
    let mut h = Harness::new_world();
    h.advance(HOUR);
    let before = read_load_limit(&mut h);
    assert_eq!(before, (0, 6900, 300, 30, "Unchanged".into()));
    // Every demand is over 1 W: one event, running, once it lasted the period (the supply
    // left on: supply_events.rs shows `Disable`).
    update_load_limiting(
        &mut h,
        LL_IMMEDIATE,
        &[
            ("LoadLimitPowerThreshold", "1"),
            ("LoadLimitPeriod", "600"),
            ("LoadLimitSupplyState", "Unchanged"),
        ],
    );
    h.restart();
    let after = read_load_limit(&mut h);
    assert_eq!(after, (1, 1, 600, 30, "Unchanged".into()));

    // 6.4.2: the counter starts again, and counts the running event once it lasted 600 s.
    let (p, a) = h.device_request(
        SUPPLIER,
        "ECS28b_6.4.2_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    acknowledged(&a);
    h.advance(Duration::from_secs(5));
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert!(
        render(&h, &r, "6.4", "6.4.2")
            .contains("UpdateDeviceConfigurationLoadLimitingCounterResetRsp")
    );
    assert_eq!(read_load_limit(&mut h).0, 0);
    h.restart();
    h.advance(HOUR);
    assert_eq!(read_load_limit(&mut h).0, 1);
}

#[test]
fn a_future_dated_6_4_1_is_written_at_its_time_with_8f66_and_a_cancellation_drops_it() {
    use time::format_description::well_known::Rfc3339;
    let mut h = Harness::new_world();
    let at = (h.now() + HOUR).format(&Rfc3339).unwrap();
    let rid = update_load_limiting(
        &mut h,
        LL_FUTURE,
        &[
            ("ExecutionDateTime", &at),
            ("LoadLimitPowerThreshold", "5000"),
        ],
    );
    assert_eq!(read_load_limit(&mut h).1, 6900, "held");
    assert!(future_dated_alerts(&h, &rid).is_empty());
    h.restart();
    h.advance(HOUR + Duration::from_secs(100));
    assert_eq!(read_load_limit(&mut h).1, 5000, "written");
    let got = future_dated_alerts(&h, &rid);
    assert_eq!(got, vec!["8F66"; 4]);

    // Held then cancelled: nothing written at its time.
    let mut h = Harness::new_world();
    let at = (h.now() + HOUR).format(&Rfc3339).unwrap();
    update_load_limiting(
        &mut h,
        LL_FUTURE,
        &[
            ("ExecutionDateTime", &at),
            ("LoadLimitPowerThreshold", "5000"),
        ],
    );
    update_load_limiting(&mut h, LL_CANCEL, &[]);
    h.advance(2 * HOUR);
    assert_eq!(read_load_limit(&mut h).1, 6900, "cancelled");
}

#[test]
fn values_outside_their_types_are_refused_and_nothing_changes() {
    let mut h = Harness::new_world();
    for (name, text) in [
        ("LoadLimitPowerThreshold", "4294967296"),
        ("LoadLimitPeriod", "-1"),
        ("LoadLimitSupplyState", "Enable"),
    ] {
        let p = h.request(LL_IMMEDIATE, SUPPLIER, premises1::ESME);
        let xml = harness::set_text(&p.xml, name, text);
        let a = h.send(&h.sign(SUPPLIER, &xml));
        assert_ne!(a.http_status, 200, "{name}={text}: {}", a.body);
    }
    // An execution time in the past: E12.
    let p = h.request(LL_FUTURE, SUPPLIER, premises1::ESME);
    let xml = harness::set_text(&p.xml, "ExecutionDateTime", "2001-01-01T00:00:00Z");
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E12"), "{}", a.body);
    h.run_until_idle();
    assert_eq!(
        read_load_limit(&mut h),
        (0, 6900, 300, 30, "Unchanged".into())
    );
}

const DISTRIBUTOR: &str = "distributor";

/// A non-critical request of `user` from `template` (edited), answered I0: the rendered answer.
fn non_critical(
    h: &mut Harness,
    user: &str,
    template: &str,
    edits: &[(&str, &str)],
    srv: &str,
    variant: &str,
) -> String {
    let p = h.request(template, user, premises1::ESME);
    let mut xml = p.xml.clone();
    for (name, text) in edits {
        xml = harness::set_text(&xml, name, text);
    }
    let a = h.send(&h.sign(user, &xml));
    acknowledged(&a);
    h.advance(Duration::from_secs(5));
    let r = h.response_for(user, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    render_for(h, user, &r, srv, variant)
}

fn read_max_demand(h: &mut Harness) -> String {
    non_critical(
        h,
        DISTRIBUTOR,
        "ECS18b_4.12.1_SUCCESS_REQUEST_DUIS.XML",
        &[],
        "4.12",
        "4.12.1",
    )
}

#[test]
fn a_6_18_1_period_reads_back_in_4_12_1_across_a_restart_and_6_18_2_resets() {
    let mut h = Harness::new_world();
    h.advance(24 * HOUR);
    let before = read_max_demand(&mut h);
    assert!(!before.contains("<ra:StartTime>22:00"), "{before}");
    let x = non_critical(
        &mut h,
        DISTRIBUTOR,
        "ECS37_6.18.1_SUCCESS_REQUEST_DUIS.XML",
        &[("StartTime", "22:00:00.00Z"), ("EndTime", "06:00:00.00Z")],
        "6.18",
        "6.18.1",
    );
    assert!(
        x.contains("SetMaximumDemandConfigurableTimePeriodRsp"),
        "{x}"
    );
    h.restart();
    let after = read_max_demand(&mut h);
    assert!(after.contains("<ra:StartTime>22:00"), "{after}");
    assert!(after.contains("<ra:EndTime>06:00"), "{after}");
    // 6.18.2, the configurable register only (the SOME_OPTIONALS template).
    let x = non_critical(
        &mut h,
        DISTRIBUTOR,
        "ECS57_6.18.2_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
        &[],
        "6.18",
        "6.18.2",
    );
    assert!(x.contains("ResetMaximumDemandRegistersRsp"), "{x}");
    h.restart();
    let reset = read_max_demand(&mut h);
    assert_ne!(reset, after);
    // A time that is not an xs:time: refused, nothing changes.
    let p = h.request(
        "ECS37_6.18.1_SUCCESS_REQUEST_DUIS.XML",
        DISTRIBUTOR,
        premises1::ESME,
    );
    let xml = harness::set_text(&p.xml, "StartTime", "25:00:00Z");
    let a = h.send(&h.sign(DISTRIBUTOR, &xml));
    assert_ne!(a.http_status, 200, "{}", a.body);
    assert!(read_max_demand(&mut h).contains("<ra:StartTime>22:00"));
}

/// A critical request (CV 4, then the signed pre-command in CV 5) of `template`, answered I0;
/// the rendered answer.
fn critical(h: &mut Harness, template: &str, srv: &str, value: (&str, &str)) -> String {
    let p = h.request(template, SUPPLIER, premises1::ESME);
    let xml = harness::set_text(&p.xml, value.0, value.1);
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    let reference = harness::service_reference(srv);
    h.advance(Duration::from_secs(5));
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    render(h, &r, &reference, srv)
}

fn limits_state(h: &Harness) -> serde_json::Value {
    h.device_state(premises1::ESME)["config"]["limits"].clone()
}

#[test]
fn a_6_25_tamper_state_and_a_6_26_daily_reset_are_kept_across_a_restart() {
    let mut h = Harness::new_world();
    assert_eq!(limits_state(&h)["supply_tamper_locks"], false);
    let x = critical(
        &mut h,
        "ECS81_6.25_SUCCESS_REQUEST_DUIS.XML",
        "6.25",
        ("SupplyTamperState", "Locked"),
    );
    assert!(x.contains("SetElectricitySupplyTamperStateRsp"), "{x}");
    let x = critical(
        &mut h,
        "ECS48_6.26_SUCCESS_REQUEST_DUIS.XML",
        "6.26",
        ("DailyTariffBlockCounterMatrixReset", "true"),
    );
    assert!(
        x.contains("UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrixRsp"),
        "{x}"
    );
    h.restart();
    let l = limits_state(&h);
    assert_eq!(l["supply_tamper_locks"], true, "{l}");
    assert!(l["daily_block_counter_reset_since"].is_i64(), "{l}");
    // Back: Unchanged, and no daily reset.
    critical(
        &mut h,
        "ECS81_6.25_SUCCESS_REQUEST_DUIS.XML",
        "6.25",
        ("SupplyTamperState", "Unchanged"),
    );
    critical(
        &mut h,
        "ECS48_6.26_SUCCESS_REQUEST_DUIS.XML",
        "6.26",
        ("DailyTariffBlockCounterMatrixReset", "false"),
    );
    h.restart();
    let l = limits_state(&h);
    assert_eq!(l["supply_tamper_locks"], false, "{l}");
    assert!(l["daily_block_counter_reset_since"].is_null(), "{l}");
    // Values outside the enumeration: refused, nothing changes.
    let p = h.request(
        "ECS81_6.25_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::ESME,
    );
    let xml = harness::set_text(&p.xml, "SupplyTamperState", "Armed");
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_ne!(a.http_status, 200, "{}", a.body);
    assert_eq!(limits_state(&h)["supply_tamper_locks"], false);
}

#[test]
fn a_6_2_2_read_returns_the_7_12_limit_across_a_restart() {
    let mut h = Harness::new_world();
    let read = |h: &mut Harness| {
        non_critical(
            h,
            SUPPLIER,
            "ECS26c_6.2.2_SUCCESS_REQUEST_DUIS.XML",
            &[],
            "6.2",
            "6.2.2",
        )
    };
    let before = read(&mut h);
    assert_eq!(leaf(&before, "RandomisedOffsetLimit"), "1000", "{before}");
    critical(
        &mut h,
        "ECS38_7.12_SUCCESS_REQUEST_DUIS.XML",
        "7.12",
        ("RandomisedOffsetLimit", "600"),
    );
    h.restart();
    let after = read(&mut h);
    assert_eq!(leaf(&after, "RandomisedOffsetLimit"), "600", "{after}");
    assert_eq!(leaf(&after, "RandomisedOffsetNumber"), "200", "{after}");
}

#[test]
fn a_6_14_1_description_is_kept_across_a_restart_and_read_by_7_7() {
    let mut h = Harness::new_world();
    let x = critical(
        &mut h,
        "ECS46a_6.14.1_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
        "6.14.1",
        ("SwitchDescription", "Boiler"),
    );
    assert!(
        x.contains("UpdateDeviceConfigurationALCDescriptionsRsp"),
        "{x}"
    );
    h.restart();
    let l = limits_state(&h);
    // The first SwitchDescription (switch 2) edited, the template's others kept.
    assert_eq!(
        l["aux_descriptions"],
        serde_json::json!(["", "Boiler", "Label3", "Label4", ""]),
        "{l}"
    );
    // 7.7 reads them from the meter: its GBCS answer carries the text.
    let (p, a) = h.device_request(
        SUPPLIER,
        "ECS61a_7.7_ALL_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    acknowledged(&a);
    h.advance(Duration::from_secs(5));
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().unwrap();
    assert!(bytes.windows(6).any(|w| w == b"Boiler"));
    // An index outside 1–5: refused, nothing changes.
    let p = h.request(
        "ECS46a_6.14.1_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::ESME,
    );
    let xml = p.xml.replace("index=\"4\"", "index=\"6\"");
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_ne!(a.http_status, 200, "{}", a.body);
    assert_eq!(limits_state(&h)["aux_descriptions"][1], "Boiler");
}

/// The 7.7 read's GBCS answer (the meter's auxiliary load switch data).
fn read_aux_switch_data(h: &mut Harness) -> Vec<u8> {
    let (p, a) = h.device_request(
        SUPPLIER,
        "ECS61a_7.7_ALL_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    acknowledged(&a);
    h.advance(Duration::from_secs(5));
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    r.gbcs_payload().unwrap()
}

const HCALCS: [u8; 8] = [0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0x97];
/// A schedule entry's switch time 07:00:00.00 as COSEM data.
const SEVEN: [u8; 6] = [0x09, 0x04, 7, 0, 0, 0];

fn has(bytes: &[u8], part: &[u8]) -> bool {
    bytes.windows(part.len()).any(|w| w == part)
}

#[test]
fn a_6_14_2_scheduler_is_read_by_7_7_across_a_restart_and_a_future_dated_one_at_its_time() {
    use time::format_description::well_known::Rfc3339;
    let mut h = Harness::new_world();
    assert!(!has(&read_aux_switch_data(&mut h), &HCALCS));
    let x = critical(
        &mut h,
        "ECS46c_6.14.2_IMMEDIATE_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
        "6.14.2",
        ("SwitchTime", "07:00:00.00Z"),
    );
    assert!(
        x.contains("UpdateDeviceConfigurationALCSchedulerRsp"),
        "{x}"
    );
    h.restart();
    let l = limits_state(&h);
    assert_eq!(l["aux_hcalcs_ids"][1], serde_json::json!(HCALCS), "{l}");
    let read = read_aux_switch_data(&mut h);
    assert!(has(&read, &HCALCS) && has(&read, &SEVEN));
    // A switch time that is not an xs:time: refused, nothing changes.
    let p = h.request(
        "ECS46c_6.14.2_IMMEDIATE_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::ESME,
    );
    let xml = harness::set_text(&p.xml, "SwitchTime", "25:00:00.00Z");
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_ne!(a.http_status, 200, "{}", a.body);
    assert_eq!(limits_state(&h), l);

    // Future dated: held (across a restart), written at its time.
    let mut h = Harness::new_world();
    let at = (h.now() + HOUR).format(&Rfc3339).unwrap();
    critical(
        &mut h,
        "ECS46c_6.14.2_FUTURE_DATED_ALL_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
        "6.14.2",
        ("ExecutionDateTime", &at),
    );
    assert!(!has(&read_aux_switch_data(&mut h), &HCALCS), "held");
    h.restart();
    h.advance(HOUR + Duration::from_secs(100));
    assert!(has(&read_aux_switch_data(&mut h), &HCALCS), "written");
}

fn read_aux_configuration(h: &mut Harness) -> Vec<u8> {
    let (p, a) = h.device_request(
        SUPPLIER,
        "ECS61d_7.14_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    acknowledged(&a);
    h.advance(Duration::from_secs(5));
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    r.gbcs_payload().unwrap()
}

/// An ECS46d schedule entry's selector: APC 1's output at 50 % (`0x11`, `0x80 + 50`).
const APC1_AT_50: [u8; 3] = [0x12, 0x11, 0xB2];

#[test]
fn a_6_14_3_calendar_is_read_by_7_14_across_a_restart_and_a_future_dated_one_at_its_time() {
    use time::format_description::well_known::Rfc3339;
    let mut h = Harness::new_world();
    assert!(!has(&read_aux_configuration(&mut h), &SEVEN));
    let x = critical(
        &mut h,
        "ECS46d_6.14.3_IMMEDIATE_APC_OUTPUT_SUCCESS_REQUEST_DUIS.XML",
        "6.14.3",
        ("SwitchTime", "07:00:00.00Z"),
    );
    // MMC 5.1 has no element for 6.14.3's response: the schema's generic form.
    assert!(x.contains("GBCSData"), "{x}");
    h.restart();
    let l = limits_state(&h);
    let read = read_aux_configuration(&mut h);
    assert!(has(&read, &SEVEN) && has(&read, &APC1_AT_50));
    // A level above 100: refused, nothing changes.
    let p = h.request(
        "ECS46d_6.14.3_IMMEDIATE_APC_OUTPUT_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::ESME,
    );
    let xml = harness::set_text(&p.xml, "CommandedStateLevel", "101");
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_ne!(a.http_status, 200, "{}", a.body);
    assert_eq!(limits_state(&h), l);

    // Future dated: held (across a restart), written at its time.
    let mut h = Harness::new_world();
    let at = (h.now() + HOUR).format(&Rfc3339).unwrap();
    critical(
        &mut h,
        "ECS46d_6.14.3_FUTURE_DATED_APC_OUTPUT_SUCCESS_REQUEST_DUIS.XML",
        "6.14.3",
        ("ExecutionDateTime", &at),
    );
    assert!(!has(&read_aux_configuration(&mut h), &APC1_AT_50), "held");
    h.restart();
    h.advance(HOUR + Duration::from_secs(100));
    assert!(has(&read_aux_configuration(&mut h), &APC1_AT_50), "written");
}
