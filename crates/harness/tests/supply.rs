//! Family 7 (supply) end to end in one process on a simulated clock: each write goes through
//! the critical flow (CV 4 pre-command, the supplier's signature, CV 5), the emulated meter
//! verifies and acts, and a 7.4 read afterwards shows what the write did, across a restart of
//! the DCC (the meters' state saved to and loaded from the store between requests).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::gateway::Answer;
use gbcs::axdr::Data;
use gbcs::usecases::{ResponseOutcome, ResponseValue};
use gbcs::{Frame, MessageCode, Payload};
use harness::{Delivered, Harness, premises1};

const SUPPLIER: &str = "supplier-a";

mod t {
    pub const ARM_ESME: &str = "ECS44_7.3_SUCCESS_REQUEST_DUIS.XML";
    pub const ARM_GSME: &str = "GCS39_7.3_SUCCESS_REQUEST_DUIS.XML";
    pub const SUPPLY_ESME: &str = "ECS45_7.4_SUCCESS_REQUEST_DUIS.XML";
    pub const SUPPLY_GSME: &str = "GCS33_7.4_SUCCESS_REQUEST_DUIS.XML";
    pub const AUX_ACTIVATE: &str = "ECS47Activate_7.5_SUCCESS_REQUEST_DUIS.XML";
    pub const AUX_DEACTIVATE: &str = "ECS47Deactivate_7.6_SUCCESS_REQUEST_DUIS.XML";
    pub const AUX_RESET: &str = "ECS47Reset_7.8_SUCCESS_REQUEST_DUIS.XML";
    pub const AUX_READ: &str = "ECS61a_7.7_ALL_OPTIONALS_SUCCESS_REQUEST_DUIS.XML";
    pub const AUX_CONTROLLER: &str = "ECS47a_7.13_ALCS_ACTIVATE_SUCCESS_REQUEST_DUIS.XML";
    pub const RANDOMISED_OFFSET: &str = "ECS38_7.12_SUCCESS_REQUEST_DUIS.XML";
}

fn assert_acknowledged(a: &Answer) {
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
}

fn device_answer(r: &Delivered) -> gbcs::GeneralSigning {
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    Frame::decode(&bytes).expect("a GBCS frame").apdu().clone()
}

/// A critical request: CV 4 (pre-command, I0), the supplier's signature, CV 5 (I99), the
/// meter's answer delivered.
fn critical(h: &mut Harness, template: &str, srv: &str, target: &str) -> Delivered {
    critical_edited(h, template, srv, target, |x| x.to_string())
}

/// [`critical`] with the request's XML edited before it is signed.
fn critical_edited(
    h: &mut Harness,
    template: &str,
    srv: &str,
    target: &str,
    edit: impl Fn(&str) -> String,
) -> Delivered {
    let p = h.request(template, SUPPLIER, target);
    let a = h.send(&h.sign(SUPPLIER, &edit(&p.xml)));
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    r
}

fn read(h: &mut Harness, template: &str, target: &str) -> gbcs::GeneralSigning {
    let (p, a) = h.device_request(SUPPLIER, template, target);
    assert_acknowledged(&a);
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .unwrap_or_else(|| panic!("no response delivered for {}", p.rid));
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    device_answer(&r)
}

/// 7.4 on the ESME: the DLMS disconnect-control state.
fn esme_state(h: &mut Harness) -> Vec<Data> {
    match read(h, t::SUPPLY_ESME, premises1::ESME).payload() {
        Payload::AccessResponse(r) => r.data,
        other => panic!("not DLMS: {other:?}"),
    }
}

/// 7.4 on the GSME: the ZSE supply status (0 OFF, 1 ARMED, 2 ON).
fn gsme_state(h: &mut Harness) -> Vec<u8> {
    let a = read(h, t::SUPPLY_GSME, premises1::GSME);
    match gbcs::usecases::decode_response(MessageCode::GCS33, &a.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::Attributes(r)) => r
            .into_iter()
            .find(|r| r.id == 0x0014)
            .expect("supply status")
            .value
            .to_vec(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn arm_supply_then_the_consumer_enables_it_across_a_restart() {
    let mut h = Harness::new_world();
    assert_eq!(esme_state(&mut h), vec![Data::Enum(1)], "connected");
    assert!(!h.press_supply_button(premises1::ESME), "not armed");

    let r = critical(&mut h, t::ARM_ESME, "7.3", premises1::ESME);
    assert_eq!(device_answer(&r).message_code().use_case(), Some("ECS44"));
    assert_eq!(h.device_state(premises1::ESME)["supply"], "Armed");
    assert_eq!(
        esme_state(&mut h),
        vec![Data::Enum(2)],
        "ready for reconnection"
    );

    // The DCC restarts; the meter's state is what the store holds.
    h.restart();
    assert_eq!(esme_state(&mut h), vec![Data::Enum(2)], "still armed");
    assert!(h.press_supply_button(premises1::ESME));
    assert_eq!(
        esme_state(&mut h),
        vec![Data::Enum(1)],
        "connected by the consumer"
    );
    let log = h.device_state(premises1::ESME)["event_log"].to_string();
    assert!(
        log.contains(r#"{"SupplyChanged":{"from":"Enabled","to":"Armed"}}"#),
        "{log}"
    );
    assert!(
        log.contains(r#"{"SupplyChanged":{"from":"Armed","to":"Enabled"}}"#),
        "{log}"
    );

    // The gas meter: armed, read as armed after a restart, opened by the consumer.
    assert_eq!(gsme_state(&mut h), vec![0x02], "on");
    let r = critical(&mut h, t::ARM_GSME, "7.3", premises1::GSME);
    assert_eq!(device_answer(&r).message_code().use_case(), Some("GCS39"));
    h.restart();
    assert_eq!(gsme_state(&mut h), vec![0x01], "armed");
    assert!(h.press_supply_button(premises1::GSME));
    assert_eq!(gsme_state(&mut h), vec![0x02], "on again");
}

/// 7.7 on the ESME: the five switches' output states (true: on).
fn aux_switches(h: &mut Harness) -> Vec<bool> {
    let v = match read(h, t::AUX_READ, premises1::ESME).payload() {
        Payload::AccessResponse(r) => r.data,
        other => panic!("not DLMS: {other:?}"),
    };
    assert_eq!(v.len(), 17);
    v[12..]
        .iter()
        .map(|d| match d {
            Data::Boolean(b) => *b != 0,
            other => panic!("output state {other:?}"),
        })
        .collect()
}

/// The ESME's auxiliary load switch overrides, as its stored state holds them.
fn aux_overrides(h: &Harness) -> serde_json::Value {
    h.device_state(premises1::ESME)["aux_loads"]["overrides"].clone()
}

#[test]
fn auxiliary_load_switches_activate_deactivate_reset_and_7_7_shows_them() {
    let mut h = Harness::new_world();
    assert_eq!(
        aux_overrides(&h),
        serde_json::json!([null, null, null, null, null])
    );
    let t0 = h.now().unix_timestamp();
    // 7.5: switch 1 on for 30 minutes.
    let r = critical(&mut h, t::AUX_ACTIVATE, "7.5", premises1::ESME);
    assert_eq!(device_answer(&r).message_code().use_case(), Some("ECS47"));
    let o = aux_overrides(&h);
    assert_eq!(o[0]["on"], true);
    let until = o[0]["until"].as_i64().unwrap();
    assert!((t0 + 1800..t0 + 1900).contains(&until), "{o}");
    assert_eq!(aux_switches(&mut h), [true, false, false, false, false]);
    h.restart();
    assert_eq!(
        aux_switches(&mut h),
        [true, false, false, false, false],
        "after a restart"
    );
    // 7.6: switch 3 off for 60 minutes; switch 1 still overridden.
    critical(&mut h, t::AUX_DEACTIVATE, "7.6", premises1::ESME);
    let o = aux_overrides(&h);
    assert_eq!(
        (o[0]["on"].clone(), o[2]["on"].clone()),
        (true.into(), false.into())
    );
    // 7.8: switch 1 reset (the template's switch 5 made 1): back to its calendar.
    critical_edited(&mut h, t::AUX_RESET, "7.8", premises1::ESME, |x| {
        x.replace(r#"index="5""#, r#"index="1""#)
    });
    let o = aux_overrides(&h);
    assert_eq!(
        (o[0].clone(), o[2]["on"].clone()),
        (serde_json::Value::Null, false.into())
    );
}

#[test]
fn an_auxiliary_controller_state_holds_for_its_period_and_7_7_shows_it() {
    use time::format_description::well_known::Rfc3339;
    let mut h = Harness::new_world();
    let at = |h: &Harness, mins: i64| {
        (h.now() + time::Duration::minutes(mins))
            .format(&Rfc3339)
            .unwrap()
    };
    let (start, end) = (at(&h, 10), at(&h, 70));
    // 7.13 (the template: controller 5 at 100), from 10 minutes on for an hour.
    let r = critical_edited(&mut h, t::AUX_CONTROLLER, "7.13", premises1::ESME, |x| {
        x.replace("2015-01-03T00:00:00.00Z", &start)
            .replace("2015-01-03T01:00:00.00Z", &end)
    });
    assert_eq!(device_answer(&r).message_code().use_case(), Some("ECS47a"));
    assert_eq!(aux_switches(&mut h), [false; 5], "not yet");
    h.advance(std::time::Duration::from_secs(600));
    h.restart();
    assert_eq!(aux_switches(&mut h), [false, false, false, false, true]);
    h.advance(std::time::Duration::from_secs(3600));
    assert_eq!(aux_switches(&mut h), [false; 5], "period over");
}

#[test]
fn the_randomised_offset_limit_is_set_and_kept_across_a_restart() {
    let mut h = Harness::new_world();
    let limit = |h: &Harness| {
        h.device_state(premises1::ESME)["aux_loads"]["randomised_offset_limit"].clone()
    };
    assert_eq!(limit(&h), serde_json::Value::Null);
    let r = critical(&mut h, t::RANDOMISED_OFFSET, "7.12", premises1::ESME);
    assert_eq!(device_answer(&r).message_code().use_case(), Some("ECS38"));
    assert_eq!(limit(&h), 900);
    h.restart();
    assert_eq!(limit(&h), 900);
    critical_edited(&mut h, t::RANDOMISED_OFFSET, "7.12", premises1::ESME, |x| {
        x.replace(">900<", ">1799<")
    });
    assert_eq!(limit(&h), 1799);
}

mod boost {
    pub const ADD: &str = "ECS62Add_7.9_SUCCESS_REQUEST_DUIS.XML";
    pub const REMOVE: &str = "ECS62Remove_7.10_SUCCESS_REQUEST_DUIS.XML";
    pub const READ: &str = "ECS61c_7.11_SUCCESS_REQUEST_DUIS.XML";
    pub const CONFIG: &str = "ECS61d_7.14_SUCCESS_REQUEST_DUIS.XML";
    pub const OPERATIONAL: &str = "ECS61e_7.15_SUCCESS_REQUEST_DUIS.XML";
}

/// A non-critical request from the template, edited, acknowledged (I99) and answered (I0).
fn non_critical_edited(
    h: &mut Harness,
    template: &str,
    target: &str,
    edit: impl Fn(&str) -> String,
) -> gbcs::GeneralSigning {
    let p = h.request(template, SUPPLIER, target);
    assert_acknowledged(&h.send(&h.sign(SUPPLIER, &edit(&p.xml))));
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .unwrap_or_else(|| panic!("no response delivered for {}", p.rid));
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    device_answer(&r)
}

fn dlms_values(a: &gbcs::GeneralSigning) -> Vec<Data> {
    match gbcs::usecases::decode_response(a.message_code(), &a.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::DlmsValues(v)) => v,
        other => panic!("{other:?}"),
    }
}

/// 7.11 on the ESME: whether the boost button controls each of the five controllers.
fn boost_button(h: &mut Harness) -> Vec<bool> {
    let v = dlms_values(&read(h, boost::READ, premises1::ESME));
    assert_eq!(v.len(), 7);
    v[2..]
        .iter()
        .map(|d| match d {
            Data::Boolean(b) => *b != 0,
            other => panic!("association {other:?}"),
        })
        .collect()
}

#[test]
fn boost_button_controllers_are_added_removed_and_7_11_shows_them_across_a_restart() {
    let mut h = Harness::new_world();
    assert_eq!(boost_button(&mut h), [false; 5]);
    // 7.9 as the template: all five.
    let a = non_critical_edited(&mut h, boost::ADD, premises1::ESME, |x| x.to_string());
    assert_eq!(a.message_code().use_case(), Some("ECS62"));
    assert_eq!(boost_button(&mut h), [true; 5]);
    h.restart();
    assert_eq!(boost_button(&mut h), [true; 5], "after a restart");
    // 7.10 of controllers 2 and 4: the others keep theirs.
    non_critical_edited(&mut h, boost::REMOVE, premises1::ESME, |x| {
        x.replace(r#"index="1">true"#, r#"index="1">false"#)
            .replace(r#"index="3">true"#, r#"index="3">false"#)
            .replace(r#"index="5">true"#, r#"index="5">false"#)
    });
    h.restart();
    assert_eq!(boost_button(&mut h), [true, false, true, false, true]);
    // Bad input: nothing named, a controller twice, not a boolean. Refused as not conforming
    // (HTTP 400, the DCC's answer to a body it cannot take), nothing changes.
    for bad in [
        |x: &str| x.replace(">true<", ">false<"),
        |x: &str| x.replace(r#"index="5""#, r#"index="2""#),
        |x: &str| x.replacen(">true<", ">yes<", 1),
    ] {
        let p = h.request(boost::ADD, SUPPLIER, premises1::ESME);
        let a = h.send(&h.sign(SUPPLIER, &bad(&p.xml)));
        assert_eq!((a.http_status, a.code), (400, None), "{}", a.body);
        h.run_until_idle();
    }
    assert_eq!(boost_button(&mut h), [true, false, true, false, true]);
}

#[test]
fn seven_fifteen_shows_the_level_7_13_commands_and_7_14_the_configuration() {
    use time::format_description::well_known::Rfc3339;
    let mut h = Harness::new_world();
    let at = |h: &Harness, mins: i64| {
        (h.now() + time::Duration::minutes(mins))
            .format(&Rfc3339)
            .unwrap()
    };
    let json =
        |o: u8, i: u8| Data::Utf8String(gbcs::usecases::ecs61e::operational_state_json(o, i));
    let operational = |h: &mut Harness| dlms_values(&read(h, boost::OPERATIONAL, premises1::ESME));
    assert_eq!(operational(&mut h)[5..], vec![json(0, 0); 5][..]);
    let config = dlms_values(&read(&mut h, boost::CONFIG, premises1::ESME));
    assert_eq!(config.len(), 7);
    assert_eq!(config[5..], [Data::Array(vec![]), Data::Array(vec![])][..]);
    // 7.13: controller 3 at 50 from its input (the APC_INPUT template), from 10 minutes on.
    let (start, end) = (at(&h, 10), at(&h, 70));
    critical_edited(
        &mut h,
        "ECS47a_7.13_APC_INPUT_SUCCESS_REQUEST_DUIS.XML",
        "7.13",
        premises1::ESME,
        |x| {
            x.replace("2015-01-03T00:00:00.00Z", &start)
                .replace("2015-01-03T01:00:00.00Z", &end)
        },
    );
    assert_eq!(operational(&mut h)[7], json(0, 0), "not yet");
    h.advance(std::time::Duration::from_secs(600));
    h.restart();
    let v = operational(&mut h);
    assert_eq!(v[7], json(50, 50), "after a restart, in the period");
    assert_eq!(v[5], json(0, 0));
    h.advance(std::time::Duration::from_secs(3600));
    assert_eq!(operational(&mut h)[7], json(0, 0), "period over");
}

#[test]
fn the_load_controller_limits_an_apc_and_7_15_shows_it_across_a_restart() {
    use time::format_description::well_known::Rfc3339;
    const LOAD_CONTROLLER: &str = "load-controller";
    let mut h = Harness::new_world();
    let at = |h: &Harness, mins: i64| {
        (h.now() + time::Duration::minutes(mins))
            .format(&Rfc3339)
            .unwrap()
    };
    let json =
        |o: u8, i: u8| Data::Utf8String(gbcs::usecases::ecs61e::operational_state_json(o, i));
    let operational = |h: &mut Harness| dlms_values(&read(h, boost::OPERATIONAL, premises1::ESME));
    // 7.13 (the supplier): controller 5 at 100 for two hours.
    let (start, end) = (at(&h, 0), at(&h, 120));
    critical_edited(
        &mut h,
        "ECS47a_7.13_APC_OUTPUT_SUCCESS_REQUEST_DUIS.XML",
        "7.13",
        premises1::ESME,
        |x| {
            x.replace("2015-01-03T00:00:00.00Z", &start)
                .replace("2015-01-03T01:00:00.00Z", &end)
        },
    );
    h.advance(std::time::Duration::from_secs(60));
    assert_eq!(operational(&mut h)[9], json(100, 0));
    // The supplier may not send 7.16 (E2); the load controller may.
    let t16 = "ECS47e_7.16_APC_OUTPUT_SUCCESS_REQUEST_DUIS.XML";
    let p = h.request(t16, SUPPLIER, premises1::ESME);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E2"), "{}", a.body);
    // 7.16: controller 5 limited to 40 for the next hour (the template's 100 made 40).
    let (start, end) = (at(&h, 0), at(&h, 60));
    let p = h.request(t16, LOAD_CONTROLLER, premises1::ESME);
    let xml = p
        .xml
        .replace("2015-01-03T00:00:00.00Z", &start)
        .replace("2015-01-03T01:00:00.00Z", &end)
        .replace(">100<", ">40<");
    let a = h.send(&h.sign(LOAD_CONTROLLER, &xml));
    h.return_signed_precommand(LOAD_CONTROLLER, &p.rid, "7.16", &a);
    h.run_until_idle();
    let r = h
        .response_for(LOAD_CONTROLLER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(device_answer(&r).message_code().use_case(), Some("ECS47e"));
    h.advance(std::time::Duration::from_secs(60));
    h.restart();
    assert_eq!(
        operational(&mut h)[9],
        json(40, 0),
        "limited, after a restart"
    );
    h.advance(std::time::Duration::from_secs(3600));
    assert_eq!(operational(&mut h)[9], json(100, 0), "the limit is over");
}

/// 7.11 on the ESME over the day either side of now: whether a boost is in force and the boost
/// function log's entries (start, end; seconds since 2000).
fn boost_details(h: &mut Harness) -> (bool, Vec<(u32, u32)>) {
    use time::format_description::well_known::Rfc3339;
    let day = time::Duration::days(1);
    let from = (h.now() - day).format(&Rfc3339).unwrap();
    let to = (h.now() + day).format(&Rfc3339).unwrap();
    let a = non_critical_edited(h, boost::READ, premises1::ESME, |x| {
        x.replace("2014-12-25T23:00:00.00Z", &from)
            .replace("2015-01-01T00:00:00.00Z", &to)
    });
    let v = dlms_values(&a);
    let active = match &v[0] {
        Data::Boolean(b) => *b != 0,
        other => panic!("boost active {other:?}"),
    };
    let log = match &v[1] {
        Data::CompactArray { contents, .. } => contents
            .chunks_exact(8)
            .map(|r| {
                (
                    u32::from_be_bytes([r[0], r[1], r[2], r[3]]),
                    u32::from_be_bytes([r[4], r[5], r[6], r[7]]),
                )
            })
            .collect(),
        other => panic!("boost log {other:?}"),
    };
    (active, log)
}

#[test]
fn the_boost_button_switches_the_associated_controllers_on_for_its_period_and_7_11_logs_it() {
    let mut h = Harness::new_world();
    let json =
        |o: u8, i: u8| Data::Utf8String(gbcs::usecases::ecs61e::operational_state_json(o, i));
    let operational = |h: &mut Harness| dlms_values(&read(h, boost::OPERATIONAL, premises1::ESME));
    // Nothing associated: a press starts no boost.
    h.press_boost_button(premises1::ESME);
    assert_eq!(boost_details(&mut h), (false, vec![]));
    // 7.9 of controllers 2 and 4.
    non_critical_edited(&mut h, boost::ADD, premises1::ESME, |x| {
        x.replace(r#"index="1">true"#, r#"index="1">false"#)
            .replace(r#"index="3">true"#, r#"index="3">false"#)
            .replace(r#"index="5">true"#, r#"index="5">false"#)
    });
    assert_eq!(boost_button(&mut h), [false, true, false, true, false]);
    let pressed = gbcs::UtcDateTime::from_unix(h.now().unix_timestamp()).unwrap();
    h.press_boost_button(premises1::ESME);
    // In force, across a restart: 7.11 says so, 7.7 and 7.15 show controllers 2 and 4 on.
    h.restart();
    assert_eq!(boost_details(&mut h), (true, vec![]));
    assert_eq!(aux_switches(&mut h), [false, true, false, true, false]);
    let v = operational(&mut h);
    assert_eq!(
        v[5..],
        [
            json(0, 0),
            json(100, 0),
            json(0, 0),
            json(100, 0),
            json(0, 0)
        ]
    );
    // The boost period (four hours by default) passes: the WAN runs the held end at its time.
    let period = u32::from(devices::boost::DEFAULT_BOOST_PERIOD_MINUTES) * 60;
    h.advance(std::time::Duration::from_secs(u64::from(period) + 60));
    let start = pressed.to_zigbee_utc().unwrap();
    assert_eq!(
        boost_details(&mut h),
        (false, vec![(start, start + period)])
    );
    assert_eq!(aux_switches(&mut h), [false; 5]);
    assert_eq!(operational(&mut h)[5..], vec![json(0, 0); 5][..]);
    // A second press ends a boost early, logged with that end.
    h.press_boost_button(premises1::ESME);
    let second = h.now().unix_timestamp();
    h.advance(std::time::Duration::from_secs(600));
    let ended = h.now().unix_timestamp();
    h.press_boost_button(premises1::ESME);
    let (active, log) = boost_details(&mut h);
    assert!(!active);
    let secs = |t: i64| {
        gbcs::UtcDateTime::from_unix(t)
            .unwrap()
            .to_zigbee_utc()
            .unwrap()
    };
    assert_eq!(log, [(start, start + period), (secs(second), secs(ended))]);
    // With no command to the meter meanwhile, the WAN still ends the boost at its time: the
    // stored state holds none in force and the boost in the log.
    h.press_boost_button(premises1::ESME);
    let third = h.now().unix_timestamp();
    let boost = |h: &Harness| h.device_state(premises1::ESME)["boost"].clone();
    assert!(!boost(&h)["active"].is_null());
    h.advance(std::time::Duration::from_secs(u64::from(period) + 60));
    let b = boost(&h);
    assert!(b["active"].is_null(), "{b}");
    assert_eq!(b["log"].as_array().map(Vec::len), Some(3), "{b}");
    assert_eq!(b["log"][2]["end"], third + i64::from(period), "{b}");
}
