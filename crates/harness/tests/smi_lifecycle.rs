//! The Smart Metering Inventory status machine end to end (`dcc::smi`): a meter only
//! pre-notified (Pending, as `opendcc demo --fresh-install` leaves the world's devices) is added
//! to its hub's device log (8.11 → Whitelisted once the CHF answers), commissioned (8.1.1 →
//! Commissioned once the meter answers) and decommissioned (8.3), its history checked at each
//! step; a request the status does not allow is refused with E5 and a transition the SEC forbids
//! with the service's code, nothing changed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::model::smi::{SmiActor, SmiCause, StatusChange};
use dcc::model::{Device, DeviceStatus};
use dcc::store::Store;
use duis::Srv;
use eui::Eui64;
use harness::{Harness, premises1, set_text};
use time::format_description::well_known::Rfc3339;

const SUPPLIER: &str = "supplier-a";

fn eui(s: &str) -> Eui64 {
    s.parse().unwrap()
}

fn device(h: &Harness, id: &str) -> Device {
    h.store()
        .transaction(|tx| Ok(tx.device(eui(id))?))
        .unwrap()
        .unwrap()
}

fn history(h: &Harness, id: &str) -> Vec<StatusChange> {
    h.store()
        .transaction(|tx| Ok(tx.status_history(eui(id))?))
        .unwrap()
}

fn enrolled(h: &Harness) -> bool {
    h.store()
        .transaction(|tx| dcc::smi::premises_enrolled(tx, premises1::UPRN))
        .unwrap()
}

/// What `opendcc demo --fresh-install` does to a device: back to Pending, as 12.2 left it.
fn pre_notified(h: &Harness, id: &str) {
    let by = h.user_eui(SUPPLIER);
    let now = h.now();
    h.store()
        .transaction(|tx| {
            let mut d = tx.device(eui(id))?.unwrap();
            d.status = DeviceStatus::Pending;
            d.date_commissioned = None;
            tx.delete_device(d.id)?;
            dcc::smi::enter(
                tx,
                &d,
                SmiCause::Service(Srv::V12_2),
                SmiActor::User(by),
                now,
            )?;
            Ok(())
        })
        .unwrap();
}

fn commission(h: &mut Harness) -> Option<String> {
    let p = h.request(
        "ECS70Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::ESME,
    );
    let start = h.now() - time::Duration::seconds(60);
    let xml = set_text(&p.xml, "CurrentDateTime", &start.format(&Rfc3339).unwrap());
    let xml = set_text(&xml, "TolerancePeriod", "3600");
    let a = h.send(&h.sign(SUPPLIER, &xml));
    if a.code.map(|c| c.as_str()) != Some("I0") {
        return a.code.map(|c| c.as_str().to_string());
    }
    h.return_signed_precommand(SUPPLIER, &p.rid, "8.1.1", &a);
    h.run_until_idle();
    h.response_for(SUPPLIER, &p.rid).and_then(|r| r.code())
}

fn last(h: &Harness, id: &str) -> StatusChange {
    history(h, id).last().cloned().expect("a history entry")
}

#[test]
fn pre_notified_whitelisted_commissioned_decommissioned_with_its_history() {
    let mut h = Harness::new_world();
    let supplier = SmiActor::User(h.user_eui(SUPPLIER));
    assert!(enrolled(&h), "the default world is ready to use");
    pre_notified(&h, premises1::ESME);
    assert_eq!(device(&h, premises1::ESME).status, DeviceStatus::Pending);
    assert!(!enrolled(&h));
    let first = history(&h, premises1::ESME);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].from, None);
    assert_eq!(first[0].to, DeviceStatus::Pending);
    assert_eq!(first[0].cause, SmiCause::Service(Srv::V12_2));

    // A Pending meter cannot be commissioned, nor read: E5, nothing queued, nothing changed.
    assert_eq!(commission(&mut h).as_deref(), Some("E5"));
    let (_, a) = h.device_request(
        SUPPLIER,
        "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    assert_eq!(a.code.map(|c| c.as_str()), Some("E5"), "{}", a.body);
    assert_eq!(h.pending_commands(), 0);
    assert_eq!(history(&h, premises1::ESME), first);

    // 8.11: the CHF adds it to its device log; once it answers, the meter is Whitelisted.
    let (p, a) = h.device_request(
        SUPPLIER,
        "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML",
        premises1::CHF,
    );
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).unwrap();
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(
        device(&h, premises1::ESME).status,
        DeviceStatus::Whitelisted
    );
    let l = last(&h, premises1::ESME);
    assert_eq!(
        (l.from, l.to, l.cause, l.by),
        (
            Some(DeviceStatus::Pending),
            DeviceStatus::Whitelisted,
            SmiCause::Service(Srv::V8_11),
            supplier
        )
    );

    // 8.1.1: the meter answers, and it is Commissioned; the system is Enrolled again.
    assert_eq!(commission(&mut h).as_deref(), Some("I0"));
    let d = device(&h, premises1::ESME);
    assert_eq!(d.status, DeviceStatus::Commissioned);
    assert_eq!(d.date_commissioned, Some(h.now().date()));
    let l = last(&h, premises1::ESME);
    assert_eq!(
        (l.from, l.to, l.cause, l.by),
        (
            Some(DeviceStatus::Whitelisted),
            DeviceStatus::Commissioned,
            SmiCause::Service(Srv::V8_1_1),
            supplier
        )
    );
    assert_eq!(history(&h, premises1::ESME).len(), 3);
    assert!(enrolled(&h));

    // A transition the SEC forbids (8.4: a commissioned meter back to Pending): E080405,
    // nothing changed.
    let p = h.request(
        "8.4_UPDATE_INVENTORY_REQUEST_DUIS.XML",
        SUPPLIER,
        &harness::DCC_EUI.to_string(),
    );
    let xml = p.xml.replace(
        "<sr:DeleteDevice/>",
        "<sr:UpdateDeviceStatusExceptCH>Pending</sr:UpdateDeviceStatusExceptCH>",
    );
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E080405"), "{}", a.body);
    assert_eq!(
        device(&h, premises1::ESME).status,
        DeviceStatus::Commissioned
    );
    assert_eq!(history(&h, premises1::ESME).len(), 3);

    // 8.3: decommissioned; then nothing addresses it.
    let p = h.request(
        "8.3_DECOMMISSION_DEVICE_REQUEST_DUIS.XML",
        SUPPLIER,
        &harness::DCC_EUI.to_string(),
    );
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    assert_eq!(
        device(&h, premises1::ESME).status,
        DeviceStatus::Decommissioned
    );
    let l = last(&h, premises1::ESME);
    assert_eq!(
        (l.to, l.cause, l.by),
        (
            DeviceStatus::Decommissioned,
            SmiCause::Service(Srv::V8_3),
            supplier
        )
    );
    // Decommissioning it again: the SEC has no such transition (E080301), nothing changed.
    let p = h.request(
        "8.3_DECOMMISSION_DEVICE_REQUEST_DUIS.XML",
        SUPPLIER,
        &harness::DCC_EUI.to_string(),
    );
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E080301"), "{}", a.body);
    assert_eq!(history(&h, premises1::ESME).len(), 4);
    let (_, a) = h.device_request(
        SUPPLIER,
        "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    assert_eq!(a.code.map(|c| c.as_str()), Some("E5"), "{}", a.body);
}

#[test]
fn a_hub_returned_is_decommissioned_with_its_gpf() {
    let mut h = Harness::new_world();
    let p = h.request(
        "8.14.4_COMMUNICATIONS_HUB_STATUS_UPDATE_NO_FAULT_RETURN_REQUEST_DUIS.XML",
        SUPPLIER,
        &harness::DCC_EUI.to_string(),
    );
    let xml = set_text(&p.xml, "DeviceID", premises1::CHF);
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    for id in [premises1::CHF, premises1::GPF] {
        assert_eq!(device(&h, id).status, DeviceStatus::Decommissioned, "{id}");
        assert_eq!(last(&h, id).cause, SmiCause::Service(Srv::V8_14_4));
    }
    // Installing a decommissioned hub: refused (E081401), nothing changed.
    let p = h.request(
        "8.14.1_COMMUNICATIONS_HUB_STATUS_UPDATE_INSTALL_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        &harness::DCC_EUI.to_string(),
    );
    let xml = set_text(&p.xml, "DeviceID", premises1::CHF);
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E081401"), "{}", a.body);
    assert_eq!(history(&h, premises1::CHF).len(), 1);
}

/// `opendcc demo --fresh-install`'s world: every device Pending. The supplier installs the hub
/// (8.14.1: CHF Commissioned, GPF Installed Not Commissioned), whitelists the meter (8.11) and
/// commissions it (8.1.1), all through DUIS.
#[test]
fn a_fresh_install_is_installed_and_commissioned_through_duis() {
    let mut h = Harness::new_world();
    let n = opendcc::inventory::fresh_install(&**h.store(), h.now()).unwrap();
    assert!(n >= 4, "{n}");
    for id in [
        premises1::CHF,
        premises1::GPF,
        premises1::ESME,
        premises1::GSME,
    ] {
        assert_eq!(device(&h, id).status, DeviceStatus::Pending, "{id}");
        assert_eq!(history(&h, id).len(), 1, "{id}");
    }
    // The hub cannot be addressed before it is installed.
    let (_, a) = h.device_request(
        SUPPLIER,
        "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML",
        premises1::CHF,
    );
    assert_eq!(a.code.map(|c| c.as_str()), Some("E5"), "{}", a.body);

    let p = h.request(
        "8.14.1_COMMUNICATIONS_HUB_STATUS_UPDATE_INSTALL_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        &harness::DCC_EUI.to_string(),
    );
    let xml = set_text(&p.xml, "DeviceID", premises1::CHF);
    let xml = set_text(&xml, "MPxN", premises1::MPAN);
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    assert_eq!(
        device(&h, premises1::CHF).status,
        DeviceStatus::Commissioned
    );
    assert_eq!(
        device(&h, premises1::GPF).status,
        DeviceStatus::InstalledNotCommissioned
    );
    assert_eq!(
        last(&h, premises1::CHF).cause,
        SmiCause::Service(Srv::V8_14_1)
    );

    let (p, a) = h.device_request(
        SUPPLIER,
        "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML",
        premises1::CHF,
    );
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    assert_eq!(
        h.response_for(SUPPLIER, &p.rid)
            .and_then(|r| r.code())
            .as_deref(),
        Some("I0")
    );
    assert_eq!(
        device(&h, premises1::ESME).status,
        DeviceStatus::Whitelisted
    );
    assert_eq!(commission(&mut h).as_deref(), Some("I0"));
    assert_eq!(
        device(&h, premises1::ESME).status,
        DeviceStatus::Commissioned
    );
    let causes: Vec<SmiCause> = history(&h, premises1::ESME)
        .iter()
        .map(|c| c.cause)
        .collect();
    assert_eq!(
        causes,
        [
            SmiCause::Service(Srv::V12_2),
            SmiCause::Service(Srv::V8_11),
            SmiCause::Service(Srv::V8_1_1)
        ]
    );
    // The GSME, GPF and the rest are not commissioned yet: the system is not Enrolled.
    assert!(!enrolled(&h));
}
