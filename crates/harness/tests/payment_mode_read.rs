//! DUIS 6.2.9 Read Device Configuration (Payment Mode) end to end on a simulated clock: after
//! 1.6 Update Payment Mode (the critical flow: CV 4 pre-command, the supplier's signature, CV 5)
//! switches the meter, the read shows the mode it switched to, across a restart, rendered as
//! MMC `ReadDeviceConfigurationPaymentModeRsp`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gbcs::PublicKey;
use harness::{Harness, premises1};

const SUPPLIER: &str = "supplier-a";

/// 1.6 from `template`, through CV 4 and 5; answered I0.
fn update_payment_mode(h: &mut Harness, template: &str, device: &str) {
    let p = h.request(template, SUPPLIER, device);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    h.return_signed_precommand(SUPPLIER, &p.rid, "1.6", &a);
    h.run_until_idle();
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
}

/// 6.2.9 read, answered I0, rendered as MMC.
fn read_payment_mode(h: &mut Harness, template: &str, device: &str) -> String {
    let (p, a) = h.device_request(SUPPLIER, template, device);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let (_, ka) = h.user_ka(SUPPLIER);
    let device_ka = PublicKey::from_certificate_der(&h.device_cert(device, "ka")).unwrap();
    let x = mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: Some("6.2"),
            service_reference_variant: Some("6.2.9"),
            keys: Some(mmc::Keys {
                requester_ka: &ka,
                device_ka: &device_ka,
            }),
        },
    )
    .unwrap();
    assert!(
        x.xml.contains("ReadDeviceConfigurationPaymentModeRsp"),
        "{}",
        x.xml
    );
    x.xml
}

#[test]
fn the_read_shows_the_mode_1_6_switched_to_across_a_restart() {
    let mut h = Harness::new_world();
    for (device, read, prepay, credit) in [
        (
            premises1::ESME,
            "ECS26j_6.2.9_SUCCESS_REQUEST_DUIS.XML",
            "ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        ),
        (
            premises1::GSME,
            "GCS21j_6.2.9_SUCCESS_REQUEST_DUIS.XML",
            "GCS03_1.6_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
            "GCS02_1.6_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        ),
    ] {
        update_payment_mode(&mut h, credit, device);
        h.restart();
        let x = read_payment_mode(&mut h, read, device);
        assert!(
            x.contains("<ra:PaymentMode>Credit</ra:PaymentMode>"),
            "{device}: {x}"
        );
        update_payment_mode(&mut h, prepay, device);
        h.restart();
        let x = read_payment_mode(&mut h, read, device);
        assert!(
            x.contains("<ra:PaymentMode>Prepayment</ra:PaymentMode>"),
            "{device}: {x}"
        );
        let mode = h.device_state(device)["payment_mode"].clone();
        if device == premises1::GSME {
            // The settings the GCS03 template wrote read back.
            let b = |v: &serde_json::Value| if v == true { "true" } else { "false" };
            assert!(
                x.contains(&format!(
                    "<ra:SuspendDebtEmergency>{}</ra:SuspendDebtEmergency>",
                    b(&mode["suspend_debt_emergency"])
                )),
                "{x}"
            );
            assert!(
                x.contains(&format!(
                    "<ra:SuspendDebtDisabled>{}</ra:SuspendDebtDisabled>",
                    b(&mode["suspend_debt_disabled"])
                )),
                "{x}"
            );
        }
    }
}

#[test]
fn other_device_types_are_refused() {
    let mut h = Harness::new_world();
    for target in [premises1::CHF, premises1::GPF] {
        let before = h.pending_commands();
        let (_, a) = h.device_request(SUPPLIER, "ECS26j_6.2.9_SUCCESS_REQUEST_DUIS.XML", target);
        assert_eq!(a.code.map(|c| c.as_str()), Some("E11"), "{}", a.body);
        assert_eq!(h.pending_commands(), before);
    }
}
