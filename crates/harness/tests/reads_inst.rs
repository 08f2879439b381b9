//! The instantaneous reads end to end (4.1.2, 4.1.3, 4.1.4, 4.2, 4.3, 4.12.1, 4.12.2, 4.15,
//! 4.18): each RTDS request template, sent by a user eligible for it, is acknowledged, carried to
//! the emulated device as the service's GBCS use case, and the device's answer reaches the user
//! as a DCC-signed, schema-valid I0 response that the DCC classified as a success. An injected
//! fault gives E100.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gbcs::usecases::{ResponseClass, classify_response};
use gbcs::{Cra, Frame};
use harness::{Delivered, Harness, premises1};

fn answered(h: &mut Harness, user: &str, template: &str, target: &str) -> (u64, Delivered) {
    let (p, a) = h.device_request(user, template, target);
    assert_eq!(a.http_status, 200, "{template}: {}", a.body);
    assert_eq!(
        a.code.map(|c| c.as_str()),
        Some("I99"),
        "{template}: {}",
        a.body
    );
    h.run_until_idle();
    let r = h
        .response_for(user, &p.rid)
        .unwrap_or_else(|| panic!("{template}: no response delivered for {}", p.rid));
    (p.counter, r)
}

#[test]
fn every_instantaneous_read_is_answered_by_the_device() {
    let mut h = Harness::new_world();
    for (user, template, target, use_case) in [
        (
            "supplier-a",
            "ECS17d_4.1.2_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ECS17d",
        ),
        (
            "supplier-a",
            "GCS13c_4.1.2_SUCCESS_UNRELIABLE_REQUEST_DUIS.XML",
            premises1::GSME,
            "GCS13c",
        ),
        (
            "transporter",
            "GCS13c_4.1.2_SUCCESS_RELIABLE_GPF_REQUEST_DUIS.XML",
            premises1::GPF,
            "GCS13c",
        ),
        (
            "distributor",
            "ECS17e_4.1.3_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ECS17e",
        ),
        (
            "supplier-a",
            "GCS13b_4.1.4_SUCCESS_UNRELIABLE_REQUEST_DUIS.XML",
            premises1::GSME,
            "GCS13b",
        ),
        (
            "distributor",
            "ECS17a_4.2_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ECS17a",
        ),
        (
            "supplier-a",
            "ECS19_4.3_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ECS19",
        ),
        (
            "supplier-a",
            "GCS14_4.3_SUCCESS_UNRELIABLE_REQUEST_DUIS.XML",
            premises1::GSME,
            "GCS14",
        ),
        (
            "supplier-a",
            "ECS18b_4.12.1_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ECS18b",
        ),
        (
            "distributor",
            "ECS18a_4.12.2_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ECS18a",
        ),
        (
            "supplier-a",
            "ECS27_4.15_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ECS27",
        ),
        (
            "supplier-a",
            "ECS82_4.18_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ECS82",
        ),
        // The demo's GSME is of GBCS 4.0: the DCC sends it GCS60a (the request is GCS60's).
        (
            "supplier-a",
            "GCS60_4.18_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "GCS60a",
        ),
        (
            "supplier-a",
            "GCS60a_4.18_SUCCESS_RELIABLE_GPF_REQUEST_DUIS.XML",
            premises1::GPF,
            "GCS60a",
        ),
    ] {
        let (counter, r) = answered(&mut h, user, template, target);
        assert_eq!(r.code().as_deref(), Some("I0"), "{template}: {}", r.xml);
        h.check_signed(&r.xml);
        let bytes = r.gbcs_payload().expect("the device's answer");
        let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
        assert_eq!(apdu.cra, Cra::Response);
        assert_eq!(apdu.message_code().use_case(), Some(use_case), "{template}");
        assert_eq!(apdu.originator, target.parse().unwrap());
        assert_eq!(
            apdu.recipient,
            h.user_eui(user),
            "{template}: user-originated"
        );
        assert_eq!(apdu.counter, counter);
        assert_eq!(
            classify_response(apdu.message_code(), &apdu.content),
            ResponseClass::Success,
            "{template}"
        );
    }
}

/// A GSME the inventory holds no GBCS version for (stored before the DCC kept it) is sent GCS60,
/// which every version implements, and answers it.
#[test]
fn a_gsme_of_unknown_gbcs_version_is_sent_gcs60() {
    use dcc::store::{InventoryTx as _, Store as _};
    let mut h = Harness::new_world();
    let id: eui::Eui64 = premises1::GSME.parse().unwrap();
    h.store()
        .transaction_in(|tx| {
            let mut gsme = tx.device(id)?.expect("the demo's GSME");
            assert_eq!(gsme.gbcs_version.as_deref(), Some("4.0"));
            gsme.gbcs_version = None;
            tx.put_device(&gsme)?;
            Ok(())
        })
        .unwrap();
    let (counter, r) = answered(
        &mut h,
        "supplier-a",
        "GCS60_4.18_SUCCESS_REQUEST_DUIS.XML",
        premises1::GSME,
    );
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("the device's answer");
    let apdu = Frame::decode(&bytes).unwrap().apdu().clone();
    assert_eq!(apdu.message_code().use_case(), Some("GCS60"));
    assert_eq!(apdu.counter, counter);
    assert_eq!(
        classify_response(apdu.message_code(), &apdu.content),
        ResponseClass::Success
    );
}

/// Adds a hardware fault to a device's stored state (as `opendcc device fault` does).
fn inject_fault(h: &Harness, device: &str, fault: devices::DeviceFault) {
    use dcc::store::Store as _;
    let id: eui::Eui64 = device.parse().unwrap();
    h.store()
        .transaction_in(|tx| {
            let mut state = wan::emulated::stored_state(tx, id)?.expect("an emulated device");
            state.faults.insert(fault);
            wan::emulated::put_state(tx, id, &state)?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_faulty_register_is_reported_as_e100() {
    let mut h = Harness::new_world();
    // The meter balance object cannot be read (as RTDS ECS82 ERROR).
    let fault = devices::DeviceFault::parse("dlms-object:112/0.0.19.10.0.255/2").unwrap();
    inject_fault(&h, premises1::ESME, fault);
    let (_, r) = answered(
        &mut h,
        "supplier-a",
        "ECS82_4.18_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    assert_eq!(r.code().as_deref(), Some("E100"), "{}", r.xml);
    h.check_signed(&r.xml);
}

fn balance(r: &Delivered) -> i32 {
    let bytes = r.gbcs_payload().expect("the device's answer");
    match Frame::decode(&bytes).unwrap().apdu().payload() {
        gbcs::Payload::AccessResponse(a) => match a.data[..] {
            [gbcs::axdr::Data::DoubleLong(v)] => v,
            ref other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// A DSP future-dated 4.18 is held until its time, and the meter answers with the balance of
/// that time: lower than the balance read now (a day of consumption and standing charge).
#[test]
fn a_future_dated_meter_balance_is_read_at_its_time() {
    let mut h = Harness::new_world();
    let template = "ECS82_4.18_SUCCESS_REQUEST_DUIS.XML";
    let (_, now_read) = answered(&mut h, "supplier-a", template, premises1::ESME);
    let at = h.now() + std::time::Duration::from_secs(86_400);
    let p = h.request(template, "supplier-a", premises1::ESME);
    let stamp = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let xml = p.xml.replace(
        "<sr:ReadMeterBalance/>",
        &format!(
            "<sr:ReadMeterBalance><sr:ExecutionDateTime>{stamp}</sr:ExecutionDateTime></sr:ReadMeterBalance>"
        ),
    );
    assert_ne!(xml, p.xml, "the template's body element");
    let a = h.send(&h.sign("supplier-a", &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.advance(std::time::Duration::from_secs(86_399));
    assert!(h.response_for("supplier-a", &p.rid).is_none(), "held");
    h.advance(std::time::Duration::from_secs(2));
    let later = h
        .response_for("supplier-a", &p.rid)
        .expect("answered at its time");
    assert_eq!(later.code().as_deref(), Some("I0"));
    h.check_signed(&later.xml);
    let spent = i64::from(balance(&now_read)) - i64::from(balance(&later));
    // 50p standing charge and a day at 25p/kWh of a ~12 kWh/day home (10⁻⁵ GBP).
    assert!(
        (50_000 + 100_000..=50_000 + 600_000).contains(&spent),
        "{spent}"
    );
}

/// A read of a device whose SMI status does not allow it (decommissioned, suspended, withdrawn,
/// pending, whitelisted, in recovery) is refused with E5; nothing is queued and the RequestID stays free, so
/// the same request is carried once the device is back in service.
#[test]
fn a_read_of_a_device_in_the_wrong_smi_status_is_refused_and_changes_nothing() {
    use dcc::model::DeviceStatus;
    use dcc::store::Store as _;
    let mut h = Harness::new_world();
    let id: eui::Eui64 = premises1::ESME.parse().unwrap();
    let set_status = |h: &Harness, status: DeviceStatus| {
        h.store()
            .transaction(|tx| {
                let mut d = tx.device(id)?.expect("the ESME");
                d.status = status;
                tx.put_device(&d)?;
                Ok(())
            })
            .unwrap();
    };
    let template = "ECS17d_4.1.2_SINGLE_SUCCESS_REQUEST_DUIS.XML";
    let p = h.request(template, "supplier-a", premises1::ESME);
    let signed = h.sign("supplier-a", &p.xml);
    for status in [
        DeviceStatus::Decommissioned,
        DeviceStatus::Suspended,
        DeviceStatus::Withdrawn,
        DeviceStatus::Pending,
        DeviceStatus::Whitelisted,
        DeviceStatus::Recovery,
    ] {
        set_status(&h, status);
        let a = h.send(&signed);
        assert_eq!(
            a.code.map(|c| c.as_str()),
            Some("E5"),
            "{status}: {}",
            a.body
        );
        assert_eq!(h.pending_commands(), 0, "{status}");
    }
    h.run_until_idle();
    assert!(h.response_for("supplier-a", &p.rid).is_none());
    set_status(&h, DeviceStatus::Commissioned);
    let a = h.send(&signed);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    assert_eq!(
        h.response_for("supplier-a", &p.rid).and_then(|r| r.code()),
        Some("I0".into())
    );
}
