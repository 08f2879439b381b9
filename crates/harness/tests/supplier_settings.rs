//! DUIS 3.1 Display Message, 3.4 Update Supplier Name and 3.5 Disable Privacy PIN end to end in one process on a
//! simulated clock: the supplier's signed request is acknowledged, the command reaches the
//! emulated meter over the emulated WAN, the meter's answer reaches the supplier as I0, and the
//! meter's stored state shows the change after the DCC restarts (the state is read back from
//! its stored form). A request for a device type the service does not serve changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::store::Store as _;
use harness::{Harness, premises1, set_text};

const SUPPLIER: &str = "supplier-a";

mod t {
    pub const NAME_ESME: &str = "ECS16_3.4_SUCCESS_REQUEST_DUIS.XML";
    pub const NAME_GSME: &str = "GCS44_3.4_SUCCESS_REQUEST_DUIS.XML";
    pub const PIN_ESME: &str = "ECS14_3.5_SUCCESS_REQUEST_DUIS.XML";
    pub const PIN_GSME: &str = "GCS11_3.5_SUCCESS_REQUEST_DUIS.XML";
    pub const MESSAGE_ESME: &str = "ECS10_3.1_SUCCESS_REQUEST_DUIS.XML";
    pub const MESSAGE_GSME: &str = "GCS07_3.1_SUCCESS_REQUEST_DUIS.XML";
}

/// Sends `xml` (unsigned, RequestID set) signed by the supplier; runs the DCC until idle; the
/// response code delivered.
fn answered(h: &mut Harness, rid: &str, xml: &str) -> Option<String> {
    let a = h.send(&h.sign(SUPPLIER, xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    h.response_for(SUPPLIER, rid).and_then(|r| r.code())
}

fn settings(h: &Harness, device: &str) -> serde_json::Value {
    h.device_state(device)["supplier_settings"].clone()
}

fn hex(s: &str) -> serde_json::Value {
    serde_json::Value::String(s.bytes().map(|b| format!("{b:02x}")).collect())
}

/// Turns a meter's privacy PIN protection on, as a consumer does at the meter.
fn set_pin(h: &Harness, device: &str) {
    let id: eui::Eui64 = device.parse().unwrap();
    h.store()
        .transaction_in(|tx| {
            let mut state = wan::emulated::stored_state(tx, id)?.expect("an emulated device");
            state.supplier_settings.privacy_pin_protection = true;
            wan::emulated::put_state(tx, id, &state)?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn update_supplier_name_shows_on_the_esme_and_the_gsme_across_a_restart() {
    let mut h = Harness::new_world();
    for (template, device) in [
        (t::NAME_ESME, premises1::ESME),
        (t::NAME_GSME, premises1::GSME),
    ] {
        assert_eq!(settings(&h, device)["supplier_name"], hex(""));
        let p = h.request(template, SUPPLIER, device);
        assert_eq!(answered(&mut h, &p.rid, &p.xml).as_deref(), Some("I0"));
        h.restart();
        let s = settings(&h, device);
        assert_eq!(s["supplier_name"], hex("E-ON"), "{device}");
        assert_eq!(s["supplier_telephone"], hex("0333 202 4650"), "{device}");
        // A second update replaces the first.
        let p = h.request(template, SUPPLIER, device);
        let xml = set_text(&p.xml, "SupplierName", "Another Energy");
        let xml = set_text(&xml, "SupplierTelephoneNumber", "0800 000 000");
        assert_eq!(answered(&mut h, &p.rid, &xml).as_deref(), Some("I0"));
        h.restart();
        let s = settings(&h, device);
        assert_eq!(s["supplier_name"], hex("Another Energy"), "{device}");
        assert_eq!(s["supplier_telephone"], hex("0800 000 000"), "{device}");
    }
}

#[test]
fn disable_privacy_pin_turns_protection_off_on_the_esme_and_the_gsme() {
    let mut h = Harness::new_world();
    for (template, device) in [
        (t::PIN_ESME, premises1::ESME),
        (t::PIN_GSME, premises1::GSME),
    ] {
        set_pin(&h, device);
        assert_eq!(settings(&h, device)["privacy_pin_protection"], true);
        let p = h.request(template, SUPPLIER, device);
        assert_eq!(answered(&mut h, &p.rid, &p.xml).as_deref(), Some("I0"));
        h.restart();
        assert_eq!(
            settings(&h, device)["privacy_pin_protection"],
            false,
            "{device}"
        );
    }
}

/// What the meter's IHD shows: the stored state read back and displayed.
fn ihd(h: &Harness, device: &str) -> devices::SupplierDisplay {
    let id: eui::Eui64 = device.parse().unwrap();
    h.store()
        .transaction_in(|tx| wan::emulated::stored_state(tx, id))
        .unwrap()
        .expect("an emulated device")
        .supplier_settings
        .display()
}

#[test]
fn display_message_shows_on_the_meter_and_its_ihd_until_the_next_one() {
    let mut h = Harness::new_world();
    for (template, name_template, device) in [
        (t::MESSAGE_ESME, t::NAME_ESME, premises1::ESME),
        (t::MESSAGE_GSME, t::NAME_GSME, premises1::GSME),
    ] {
        assert_eq!(ihd(&h, device).message, None);
        let p = h.request(template, SUPPLIER, device);
        assert_eq!(answered(&mut h, &p.rid, &p.xml).as_deref(), Some("I0"));
        h.restart();
        assert_eq!(settings(&h, device)["supplier_message"], hex("Reset"));
        assert_eq!(ihd(&h, device).message.as_deref(), Some("Reset"));
        // The next message replaces it; the supplier's name shows beside it.
        let p = h.request(name_template, SUPPLIER, device);
        assert_eq!(answered(&mut h, &p.rid, &p.xml).as_deref(), Some("I0"));
        let p = h.request(template, SUPPLIER, device);
        let xml = set_text(&p.xml, "SupplierMessage", "Meter reading due 1 May");
        assert_eq!(answered(&mut h, &p.rid, &xml).as_deref(), Some("I0"));
        h.restart();
        assert_eq!(
            ihd(&h, device),
            devices::SupplierDisplay {
                supplier_name: Some("E-ON".into()),
                supplier_telephone: Some("0333 202 4650".into()),
                message: Some("Meter reading due 1 May".into()),
            },
            "{device}"
        );
    }
}

#[test]
fn other_device_types_are_refused_and_nothing_changes() {
    let mut h = Harness::new_world();
    for (template, target) in [
        (t::NAME_ESME, premises1::CHF),
        (t::PIN_ESME, premises1::PPMID),
    ] {
        let before = h.pending_commands();
        let p = h.request(template, SUPPLIER, target);
        let a = h.send(&h.sign(SUPPLIER, &p.xml));
        assert_eq!(a.code.map(|c| c.as_str()), Some("E11"), "{}", a.body);
        assert_eq!(h.pending_commands(), before);
    }
    h.run_until_idle();
    assert_eq!(settings(&h, premises1::ESME)["supplier_name"], hex(""));
}
