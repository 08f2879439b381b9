//! 6.6 Update Device Configuration (Gas Conversion), 6.7 (Gas Flow) and 6.2.8 Read Device
//! Configuration (Gas) on the GSME end to end: the writes go through the critical flow (CV 4
//! pre-command, the supplier's signature, CV 5), the GSME keeps them, 6.2.8 returns what was
//! written, across a restart of the DCC. A value outside its DUIS/GBCS range is refused at
//! once; a zero conversion factor is refused by the GSME; neither changes anything.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::{Harness, premises1, set_text};

const SUPPLIER: &str = "supplier-a";
const CONVERSION: &str = "GCS23_6.6_SUCCESS_REQUEST_DUIS.XML";
const FLOW: &str = "GCS24a_6.7_SUCCESS_REQUEST_DUIS.XML";
const READ: &str = "GCS21a_6.2.8_SUCCESS_REQUEST_DUIS.XML";

/// A critical write from `template` with `edits` (element, text): the meter's answer code.
fn write(h: &mut Harness, template: &str, srv: &str, edits: &[(&str, &str)]) -> Option<String> {
    let p = h.request(template, SUPPLIER, premises1::GSME);
    let mut xml = p.xml.clone();
    for (name, text) in edits {
        xml = set_text(&xml, name, text);
    }
    let a = h.send(&h.sign(SUPPLIER, &xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, srv, &a);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer")
        .code()
}

/// The 6.2.8 answer's GBCS payload as the MMC renders it, namespace prefixes dropped.
fn read(h: &mut Harness) -> String {
    let (p, a) = h.device_request(SUPPLIER, READ, premises1::GSME);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let payload = r.gbcs_payload().expect("the GBCS response");
    let m = mmc::render(
        &payload,
        &mmc::Context {
            service_reference: None,
            service_reference_variant: None,
            keys: None,
        },
    )
    .unwrap();
    let x = m.xml.replace("ra:", "").replace("sr:", "");
    let start = x
        .find("<ReadDeviceConfigurationGasRsp")
        .expect("the rendering");
    let end = x.find("</ReadDeviceConfigurationGasRsp>").expect("its end");
    x[start..end].lines().map(str::trim).collect()
}

#[test]
fn what_6_6_and_6_7_write_6_2_8_reads_across_a_restart() {
    let mut h = Harness::new_world();
    let before = read(&mut h);
    assert!(
        before.contains("<CalorificValue>567</CalorificValue>"),
        "{before}"
    );
    assert!(
        before.contains("<UncontrolledGasFlowRate>200</UncontrolledGasFlowRate>"),
        "{before}"
    );
    assert_eq!(write(&mut h, CONVERSION, "6.6", &[]).as_deref(), Some("I0"));
    assert_eq!(
        write(&mut h, FLOW, "6.7", &[("StabilisationPeriod", "30")]).as_deref(),
        Some("I0")
    );
    let after = read(&mut h);
    for want in [
        "<CalorificValue>40</CalorificValue>",
        "<ConversionFactor>1.02264</ConversionFactor>",
        "<UncontrolledGasFlowRate>6.168</UncontrolledGasFlowRate>",
        "<FlowStabilisationPeriod>30</FlowStabilisationPeriod>",
        "<FlowMeasurementPeriod>300</FlowMeasurementPeriod>",
    ] {
        assert!(after.contains(want), "{want}: {after}");
    }
    h.restart();
    assert_eq!(read(&mut h), after, "after a restart");
}

#[test]
fn values_outside_their_range_are_refused_and_change_nothing() {
    let mut h = Harness::new_world();
    let before = read(&mut h);
    // A stabilisation period of 0 (DUIS positiveInteger), a conversion factor of six decimals:
    // refused by the DCC at once.
    for (template, name, text) in [
        (FLOW, "StabilisationPeriod", "0"),
        (CONVERSION, "ConversionFactor", "1.022641"),
    ] {
        let p = h.request(template, SUPPLIER, premises1::GSME);
        let xml = set_text(&p.xml, name, text);
        let a = h.send(&h.sign(SUPPLIER, &xml));
        assert_ne!(a.http_status, 200, "{name}: {}", a.body);
    }
    // A zero conversion factor: the GSME refuses it.
    assert_ne!(
        write(
            &mut h,
            CONVERSION,
            "6.6",
            &[("ConversionFactor", "0.00000")]
        )
        .as_deref(),
        Some("I0")
    );
    h.run_until_idle();
    assert_eq!(read(&mut h), before);
}
