//! DUIS 6.5 / 6.27 / 6.2.1 / 6.12 / 6.2.5 end to end in one process on a simulated clock: the
//! distributor writes the ESME's voltage configuration and resets its counters, the supplier
//! writes the instantaneous power thresholds; the reads (the supplier's) answer the defaults
//! before any write and what was written after, also after the DCC restarts. Values outside
//! the rule, or a device type the service does not serve, are refused at once and change
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::store::Store as _;
use gbcs::Frame;
use gbcs::axdr::Data;
use gbcs::usecases::{ResponseOutcome, ResponseValue};
use harness::{Harness, premises1, set_text};

const SUPPLIER: &str = "supplier-a";
const DISTRIBUTOR: &str = "distributor";

mod t {
    pub const VOLTAGE: &str = "ECS29a_6.5_SUCCESS_REQUEST_DUIS.XML";
    pub const VOLTAGE_POLY: &str = "ECS29b_6.5_SUCCESS_REQUEST_DUIS.XML";
    pub const COUNTER_RESET: &str = "ECS29e_6.27_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_VOLTAGE: &str = "ECS26b_6.2.1_SUCCESS_REQUEST_DUIS.XML";
    pub const POWER: &str = "ECS34_6.12_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_POWER: &str = "ECS26f_6.2.5_SUCCESS_REQUEST_DUIS.XML";
    pub const ALERTS_NO_WAN: &str = "ECS25b_6.22_SUCCESS_REQUEST_DUIS.XML";
    pub const ALERTS_NO_LOG: &str = "ECS25b3_6.22_SUCCESS_REQUEST_DUIS.XML";
}

/// `template`, edited, from `user` to `target`: acknowledged (I99) and answered (I0); the
/// device's answer and the delivered document.
fn answered(
    h: &mut Harness,
    user: &str,
    template: &str,
    target: &str,
    edit: impl Fn(&str) -> String,
) -> (gbcs::GeneralSigning, String) {
    let p = h.request(template, user, target);
    let a = h.send(&h.sign(user, &edit(&p.xml)));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h
        .response_for(user, &p.rid)
        .unwrap_or_else(|| panic!("no response delivered for {}", p.rid));
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    (Frame::decode(&bytes).unwrap().apdu().clone(), r.xml)
}

/// `template`, edited, refused at once: an E code, or a 400 without one (a body outside the
/// schema's rules). Returns the code, empty when none.
fn refused(
    h: &mut Harness,
    user: &str,
    template: &str,
    target: &str,
    edit: impl Fn(&str) -> String,
) -> String {
    let p = h.request(template, user, target);
    let a = h.send(&h.sign(user, &edit(&p.xml)));
    let code = a.code.map(|c| c.as_str().to_string()).unwrap_or_default();
    assert!(
        code.starts_with('E') || (code.is_empty() && a.http_status == 400),
        "{code} {}: {}",
        a.http_status,
        a.body
    );
    h.run_until_idle();
    assert!(
        h.response_for(user, &p.rid).is_none(),
        "nothing reached the meter"
    );
    code
}

fn values(a: &gbcs::GeneralSigning) -> Vec<u32> {
    match gbcs::usecases::decode_response(a.message_code(), &a.content).unwrap() {
        ResponseOutcome::Success(ResponseValue::DlmsValues(v)) => v
            .iter()
            .flat_map(|d| match d {
                Data::DoubleLongUnsigned(x) => vec![*x],
                Data::Array(a) => a
                    .iter()
                    .map(|d| match d {
                        Data::DoubleLongUnsigned(x) => *x,
                        other => panic!("{other:?}"),
                    })
                    .collect(),
                other => panic!("{other:?}"),
            })
            .collect(),
        other => panic!("{other:?}"),
    }
}

/// 6.2.1 on the ESME: the limiters (threshold, period ×4), then L1's over and under.
fn voltage(h: &mut Harness) -> Vec<u32> {
    let (a, xml) = answered(h, SUPPLIER, t::READ_VOLTAGE, premises1::ESME, |x| {
        x.to_string()
    });
    assert_eq!(a.message_code().use_case(), Some("ECS26b"));
    assert!(
        xml.contains("<sr:ServiceReferenceVariant>6.2.1</sr:ServiceReferenceVariant>"),
        "{xml}"
    );
    values(&a)
}

/// 6.2.5 on the ESME.
fn power(h: &mut Harness) -> Vec<u32> {
    let (a, _) = answered(h, SUPPLIER, t::READ_POWER, premises1::ESME, |x| {
        x.to_string()
    });
    assert_eq!(a.message_code().use_case(), Some("ECS26f"));
    values(&a)
}

const DEFAULTS: [u32; 10] = [287, 30, 180, 30, 216, 30, 253, 30, 264, 200];

#[test]
fn the_voltage_configuration_is_written_read_back_and_kept_across_a_restart() {
    let mut h = Harness::new_world();
    assert_eq!(voltage(&mut h), DEFAULTS);
    let edit = |x: &str| {
        let x = set_text(x, "RMSVoltageSagThreshold", "210");
        let x = set_text(&x, "RMSVoltageSagMeasurementPeriod", "60");
        let x = set_text(&x, "AverageRMSOverVoltageThreshold", "258");
        set_text(&x, "AverageRMSUnderVoltageThreshold", "207")
    };
    let (a, xml) = answered(&mut h, DISTRIBUTOR, t::VOLTAGE, premises1::ESME, edit);
    assert_eq!(a.message_code().use_case(), Some("ECS29a"));
    assert!(
        xml.contains("<sr:ServiceReferenceVariant>6.5</sr:ServiceReferenceVariant>"),
        "{xml}"
    );
    let written = [287, 30, 180, 30, 210, 60, 253, 30, 258, 207];
    assert_eq!(voltage(&mut h), written);
    h.restart();
    assert_eq!(voltage(&mut h), written);
    let pq = &h.device_state(premises1::ESME)["config"]["power_quality"];
    assert_eq!(pq["phases"][0]["period"], 30);

    // Outside the rule (under not below over; sag below the extreme under-voltage; a zero
    // period): refused at once, nothing changes.
    for edit in [
        |x: &str| set_text(x, "AverageRMSUnderVoltageThreshold", "300"),
        |x: &str| set_text(x, "RMSVoltageSagThreshold", "100"),
        |x: &str| set_text(x, "AverageRMSVoltageMeasurementPeriod", "0"),
    ] {
        refused(&mut h, DISTRIBUTOR, t::VOLTAGE, premises1::ESME, edit);
    }
    // Not for a GSME (E11); not the supplier's to send.
    assert_eq!(
        refused(&mut h, DISTRIBUTOR, t::VOLTAGE, premises1::GSME, |x| x
            .to_string()),
        "E11"
    );
    refused(&mut h, SUPPLIER, t::VOLTAGE, premises1::ESME, |x| {
        x.to_string()
    });
    assert_eq!(voltage(&mut h), written);

    // The world's ESME is of variant A, single phase: the polyphase form is refused.
    refused(&mut h, DISTRIBUTOR, t::VOLTAGE_POLY, premises1::ESME, |x| {
        x.to_string()
    });
    assert_eq!(voltage(&mut h), written);
}

fn counters(h: &Harness) -> (serde_json::Value, serde_json::Value) {
    let n = &h.device_state(premises1::ESME)["reads"]["network"];
    (n["sags"].clone(), n["swells"].clone())
}

fn set_counters(h: &Harness) {
    let id: eui::Eui64 = premises1::ESME.parse().unwrap();
    h.store()
        .transaction_in(|tx| {
            let mut state = wan::emulated::stored_state(tx, id)?.expect("an emulated device");
            state.reads.network.sags = [3, 4, 5];
            state.reads.network.swells = [6, 7, 8];
            wan::emulated::put_state(tx, id, &state)?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_counters_are_reset_by_6_27_and_by_6_5_unless_kept() {
    let mut h = Harness::new_world();
    let j = |v: [u32; 3]| serde_json::json!(v);
    set_counters(&h);
    // 6.5 with RMSVoltageCountersNotReset: ECS29c, the counters kept.
    let (a, _) = answered(&mut h, DISTRIBUTOR, t::VOLTAGE, premises1::ESME, |x| {
        x.replace(
            "</sr:SinglePhaseVoltageSettings>",
            "</sr:SinglePhaseVoltageSettings><sr:RMSVoltageCountersNotReset/>",
        )
    });
    assert_eq!(a.message_code().use_case(), Some("ECS29c"));
    assert_eq!(counters(&h), (j([3, 4, 5]), j([6, 7, 8])));
    // 6.27: ECS29e resets L1's.
    let (a, _) = answered(
        &mut h,
        DISTRIBUTOR,
        t::COUNTER_RESET,
        premises1::ESME,
        |x| x.to_string(),
    );
    assert_eq!(a.message_code().use_case(), Some("ECS29e"));
    h.restart();
    assert_eq!(counters(&h), (j([0, 4, 5]), j([0, 7, 8])));
    // 6.5 without it: ECS29a, L1's reset too.
    set_counters(&h);
    answered(&mut h, DISTRIBUTOR, t::VOLTAGE, premises1::ESME, |x| {
        x.to_string()
    });
    assert_eq!(counters(&h), (j([0, 4, 5]), j([0, 7, 8])));
}

#[test]
fn the_power_thresholds_are_written_read_back_and_kept_across_a_restart() {
    let mut h = Harness::new_world();
    assert_eq!(power(&mut h), [2300, 4600]);
    let (a, xml) = answered(&mut h, SUPPLIER, t::POWER, premises1::ESME, |x| {
        let x = set_text(x, "LowMediumPowerThreshold", "1500");
        set_text(&x, "MediumHighPowerThreshold", "6000")
    });
    assert_eq!(a.message_code().use_case(), Some("ECS34"));
    assert!(
        xml.contains("<sr:ServiceReferenceVariant>6.12</sr:ServiceReferenceVariant>"),
        "{xml}"
    );
    assert_eq!(power(&mut h), [1500, 6000]);
    h.restart();
    assert_eq!(power(&mut h), [1500, 6000]);
    for (low, high) in [("6000", "1500"), ("0", "10"), ("2000", "2000")] {
        refused(&mut h, SUPPLIER, t::POWER, premises1::ESME, |x| {
            let x = set_text(x, "LowMediumPowerThreshold", low);
            set_text(&x, "MediumHighPowerThreshold", high)
        });
    }
    assert_eq!(
        refused(&mut h, SUPPLIER, t::POWER, premises1::GSME, |x| x
            .to_string()),
        "E11"
    );
    assert_eq!(power(&mut h), [1500, 6000]);
}

/// The single-phase voltage alert codes, which are off for the WAN by default (the RTDS ECS25r2
/// answer 6.2.10 reads before any 6.22).
const VOLTAGE_ALERTS: [&str; 12] = [
    "8002", "8006", "8020", "8024", "8028", "802C", "8085", "8089", "808D", "8091", "8095", "8099",
];

/// 6.22 from the distributor: every single-phase voltage alert on, for the WAN (ECS25b) and
/// for logging (ECS25b3).
fn enable_voltage_alerts(h: &mut Harness) {
    let codes: String = VOLTAGE_ALERTS
        .iter()
        .map(|c| format!("<sr:x{c}>Enable</sr:x{c}>"))
        .collect();
    for (template, group) in [
        (t::ALERTS_NO_WAN, "ElectricityNetworkOperatorAlerts"),
        (
            t::ALERTS_NO_LOG,
            "ElectricityNetworkOperatorLoggingSettings",
        ),
    ] {
        answered(h, DISTRIBUTOR, template, premises1::ESME, |x| {
            let start = x.find("<sr:ConfigureAlertBehaviour>").unwrap();
            let end_tag = "</sr:ConfigureAlertBehaviour>";
            let end = x.find(end_tag).unwrap() + end_tag.len();
            format!(
                "{}<sr:ConfigureAlertBehaviour><sr:{group}><sr:NetworkOperatorESMESinglePhase>\
                 {codes}</sr:NetworkOperatorESMESinglePhase></sr:{group}>\
                 </sr:ConfigureAlertBehaviour>{}",
                &x[..start],
                &x[end..]
            )
        });
    }
}

#[test]
fn a_voltage_alert_configured_off_is_not_raised_but_still_counted() {
    let mut h = Harness::new_world();
    let half_hour = std::time::Duration::from_secs(1800);
    answered(&mut h, DISTRIBUTOR, t::VOLTAGE, premises1::ESME, |x| {
        set_text(x, "AverageRMSOverVoltageThreshold", "245")
    });
    h.set_simulated_voltage(premises1::ESME, Some(250));
    h.advance(half_hour * 2);
    h.run_until_idle();
    // 0x8002 is off for the WAN by default (DUIS 6.22): no alert, but the swell is counted.
    assert_eq!(distributor_alerts(&h), Vec::<String>::new());
    assert_eq!(
        h.device_state(premises1::ESME)["reads"]["network"]["swells"][0],
        1
    );
}

/// The GBCS alert codes the distributor has been sent, in order.
fn distributor_alerts(h: &Harness) -> Vec<String> {
    h.delivered_to(DISTRIBUTOR)
        .into_iter()
        .filter(|d| d.kind == "alert")
        .filter_map(|d| harness::element_text(&d.xml, "AlertCode"))
        .collect()
}

#[test]
fn a_voltage_beyond_the_thresholds_alerts_the_distributor_and_a_write_moves_the_threshold() {
    let mut h = Harness::new_world();
    let half_hour = std::time::Duration::from_secs(1800);
    enable_voltage_alerts(&mut h);
    // 250 V: inside the default thresholds (over-voltage 264 V, swell 253 V).
    h.set_simulated_voltage(premises1::ESME, Some(250));
    h.advance(half_hour * 2);
    h.run_until_idle();
    assert_eq!(distributor_alerts(&h), Vec::<String>::new());

    // The distributor lowers the average RMS over-voltage threshold to 245 V: the next
    // measurement period's average, 250 V, is above it.
    answered(&mut h, DISTRIBUTOR, t::VOLTAGE, premises1::ESME, |x| {
        set_text(x, "AverageRMSOverVoltageThreshold", "245")
    });
    h.advance(half_hour);
    h.run_until_idle();
    assert_eq!(distributor_alerts(&h), ["8002"]);
    // Logged, and counted in L1's swell counter (which 4.10 reads and 6.27 resets).
    let state = h.device_state(premises1::ESME);
    assert!(
        state["event_log"].to_string().contains("32770"),
        "{}",
        state["event_log"]
    );
    assert_eq!(state["reads"]["network"]["swells"][0], 1);
    // A lasting excursion is one alert, not one per period; across a restart too.
    h.restart();
    h.advance(half_hour * 2);
    h.run_until_idle();
    assert_eq!(distributor_alerts(&h), ["8002"]);

    // Back to the metering simulation's voltage (around 230 V): the excursion ends.
    h.set_simulated_voltage(premises1::ESME, None);
    h.advance(half_hour * 2);
    h.run_until_idle();
    assert_eq!(distributor_alerts(&h), ["8002", "8085"]);

    // 290 V for longer than the limiters' 30 s: extreme over-voltage and swell, then (the
    // average following) over-voltage again.
    h.set_simulated_voltage(premises1::ESME, Some(290));
    h.advance(std::time::Duration::from_secs(60));
    h.run_until_idle();
    let a = distributor_alerts(&h);
    assert!(
        a[2..].contains(&"8020".to_string()) && a[2..].contains(&"8024".to_string()),
        "{a:?}"
    );
    // An under-voltage: 150 V, below the extreme under-voltage and sag thresholds and, over a
    // period, the average under-voltage threshold.
    h.set_simulated_voltage(premises1::ESME, Some(150));
    h.advance(half_hour * 2);
    h.run_until_idle();
    let a = distributor_alerts(&h);
    for code in ["808D", "8091", "8028", "802C", "8006"] {
        assert!(a.contains(&code.to_string()), "{code}: {a:?}");
    }
    assert_eq!(
        h.device_state(premises1::ESME)["reads"]["network"]["sags"][0],
        1
    );
}

#[test]
fn a_dsp_future_dated_threshold_write_applies_at_its_time() {
    let mut h = Harness::new_world();
    let at = h.now() + std::time::Duration::from_secs(3600);
    let at_text = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let p = h.request(t::POWER, SUPPLIER, premises1::ESME);
    let xml = p.xml.replace(
        "<sr:UpdateDeviceConfigurationInstantaneousPowerThreshold>",
        &format!(
            "<sr:UpdateDeviceConfigurationInstantaneousPowerThreshold><sr:ExecutionDateTime>{at_text}</sr:ExecutionDateTime>"
        ),
    );
    let xml = set_text(&xml, "LowMediumPowerThreshold", "1000");
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    let thresholds = |h: &Harness| {
        h.device_state(premises1::ESME)["config"]["power_quality"]["power_thresholds"]["low_medium"]
            .clone()
    };
    h.advance(std::time::Duration::from_secs(3599));
    assert_eq!(thresholds(&h), 2300, "held until its time");
    h.advance(std::time::Duration::from_secs(2));
    h.run_until_idle();
    assert_eq!(thresholds(&h), 1000);
    let r = h.response_for(SUPPLIER, &p.rid).expect("answered");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
}
