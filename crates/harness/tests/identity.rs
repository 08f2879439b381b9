//! DUIS 6.20.1 Set Device Configuration (Import MPxN), 6.20.2 (Export MPAN) and 6.2.7 Read
//! Device Configuration (MPxN) end to end in one process on a simulated clock: a demo meter
//! holds the MPxN it is registered at; a write is acknowledged, reaches the emulated meter, is
//! answered I0, and a read afterwards (and after a restart of the DCC) returns what was
//! written. Malformed MPxNs, the other fuel's element and other device types are refused and
//! change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::model::{Registration, RegistrationRole};
use dcc::store::Store as _;
use gbcs::Frame;
use gbcs::axdr::Data;
use gbcs::usecases::{ResponseOutcome, ResponseValue, decode_response};
use harness::{Harness, premises1, set_text};

const SUPPLIER: &str = "supplier-a";
const EXPORT_SUPPLIER: &str = "supplier-b";

mod t {
    pub const SET_SINGLE: &str = "ECS39a_6.20.1_SINGLE_SUCCESS_REQUEST_DUIS.XML";
    pub const SET_TWIN: &str = "ECS39a_6.20.1_TWIN_SUCCESS_REQUEST_DUIS.XML";
    pub const SET_MPRN: &str = "GCS41_6.20.1_SUCCESS_REQUEST_DUIS.XML";
    pub const SET_EXPORT: &str = "ECS39b_6.20.2_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_ESME: &str = "ECS40_6.2.7_SINGLE_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_GSME: &str = "GCS46_6.2.7_SUCCESS_REQUEST_DUIS.XML";
}

/// Sends the prepared request signed by `user`; runs the DCC until idle; the response
/// delivered (code, device answer).
fn send(
    h: &mut Harness,
    user: &str,
    rid: &str,
    xml: &str,
) -> (Option<String>, Option<ResponseOutcome>) {
    let a = h.send(&h.sign(user, xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(user, rid).expect("a response");
    let outcome = r.gbcs_payload().map(|b| {
        let apdu = Frame::decode(&b).expect("a GBCS frame").apdu().clone();
        decode_response(apdu.message_code(), &apdu.content).expect("a decodable answer")
    });
    (r.code(), outcome)
}

fn write(h: &mut Harness, user: &str, template: &str, device: &str, edit: impl Fn(&str) -> String) {
    let p = h.request(template, user, device);
    let (code, outcome) = send(h, user, &p.rid, &edit(&p.xml));
    assert_eq!(code.as_deref(), Some("I0"), "{template}");
    assert_eq!(outcome, Some(ResponseOutcome::Success(ResponseValue::Done)));
}

/// The ESME's (import, export) MPAN octet strings as ECS40 reads them.
fn read_esme(h: &mut Harness) -> (String, String) {
    let p = h.request(t::READ_ESME, SUPPLIER, premises1::ESME);
    let (code, outcome) = send(h, SUPPLIER, &p.rid, &p.xml);
    assert_eq!(code.as_deref(), Some("I0"));
    let Some(ResponseOutcome::Success(ResponseValue::DlmsValues(v))) = outcome else {
        panic!("not values: {outcome:?}")
    };
    let [Data::OctetString(i), Data::OctetString(e)] = &v[..] else {
        panic!("not two octet strings: {v:?}")
    };
    (
        String::from_utf8(i.clone()).unwrap(),
        String::from_utf8(e.clone()).unwrap(),
    )
}

/// The GSME's MPRN as GCS46 reads it.
fn read_gsme(h: &mut Harness) -> String {
    let p = h.request(t::READ_GSME, SUPPLIER, premises1::GSME);
    let (code, outcome) = send(h, SUPPLIER, &p.rid, &p.xml);
    assert_eq!(code.as_deref(), Some("I0"));
    let Some(ResponseOutcome::Success(ResponseValue::Attributes(r))) = outcome else {
        panic!("not attributes: {outcome:?}")
    };
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].id, 0x0307);
    String::from_utf8(r[0].value.clone()).unwrap()
}

#[test]
fn the_demo_meters_hold_their_registered_mpxn() {
    let mut h = Harness::new_world();
    assert_eq!(read_esme(&mut h), (premises1::MPAN.into(), String::new()));
    assert_eq!(read_gsme(&mut h), premises1::MPRN);
}

#[test]
fn set_import_mpxn_then_read_returns_it_across_a_restart() {
    let mut h = Harness::new_world();
    write(
        &mut h,
        SUPPLIER,
        t::SET_SINGLE,
        premises1::ESME,
        str::to_owned,
    );
    h.restart();
    assert_eq!(read_esme(&mut h).0, "1312345678333");
    // A twin element meter's two MPANs replace it.
    write(
        &mut h,
        SUPPLIER,
        t::SET_TWIN,
        premises1::ESME,
        str::to_owned,
    );
    h.restart();
    assert_eq!(read_esme(&mut h).0, "13123456781111312345678222");
    write(&mut h, SUPPLIER, t::SET_MPRN, premises1::GSME, |x| {
        set_text(x, "ImportMPRN", "987654")
    });
    h.restart();
    assert_eq!(read_gsme(&mut h), "987654");
}

#[test]
fn the_export_supplier_sets_the_export_mpan() {
    let mut h = Harness::new_world();
    let party = h.user_eui(EXPORT_SUPPLIER);
    let from = h.now().date().previous_day().unwrap();
    h.store()
        .transaction(|tx| {
            tx.put_registration(&Registration {
                mpxn: premises1::MPAN.into(),
                role: RegistrationRole::ExportSupplier,
                party,
                from,
                to: None,
            })?;
            Ok(())
        })
        .unwrap();
    write(
        &mut h,
        EXPORT_SUPPLIER,
        t::SET_EXPORT,
        premises1::ESME,
        str::to_owned,
    );
    h.restart();
    assert_eq!(
        read_esme(&mut h),
        (premises1::MPAN.into(), "1312345678333".into())
    );
}

#[test]
fn malformed_mpxns_wrong_fuels_and_devices_are_refused_and_nothing_changes() {
    let mut h = Harness::new_world();
    for (template, device, edit) in [
        // An MPAN with a letter, one too short, an MPRN of 11 digits.
        (
            t::SET_SINGLE,
            premises1::ESME,
            ("ImportMPAN", "131234567833A"),
        ),
        (
            t::SET_SINGLE,
            premises1::ESME,
            ("ImportMPAN", "13123456783"),
        ),
        (t::SET_MPRN, premises1::GSME, ("ImportMPRN", "12345678901")),
    ] {
        let before = h.pending_commands();
        let p = h.request(template, SUPPLIER, device);
        let a = h.send(&h.sign(SUPPLIER, &set_text(&p.xml, edit.0, edit.1)));
        assert_ne!(
            a.code.map(|c| c.as_str()),
            Some("I99"),
            "{edit:?}: {}",
            a.body
        );
        assert_eq!(h.pending_commands(), before);
    }
    // The other fuel's element: an MPRN to the ESME, MPANs to the GSME.
    for (template, device) in [
        (t::SET_MPRN, premises1::ESME),
        (t::SET_SINGLE, premises1::GSME),
        (t::SET_SINGLE, premises1::CHF),
    ] {
        let before = h.pending_commands();
        let p = h.request(template, SUPPLIER, device);
        let a = h.send(&h.sign(SUPPLIER, &p.xml));
        assert_ne!(
            a.code.map(|c| c.as_str()),
            Some("I99"),
            "{template} {device}: {}",
            a.body
        );
        assert_eq!(h.pending_commands(), before);
    }
    let p = h.request(t::SET_SINGLE, SUPPLIER, premises1::CHF);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E11"), "{}", a.body);
    h.run_until_idle();
    assert_eq!(read_esme(&mut h), (premises1::MPAN.into(), String::new()));
    assert_eq!(read_gsme(&mut h), premises1::MPRN);
}

/// A 6.2.4 read from `template` of `device`: the values its answer carries, rendered as MMC.
fn read_identity(h: &mut Harness, template: &str, device: &str) -> String {
    let p = h.request(template, SUPPLIER, device);
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, &p.rid).expect("a response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    let bytes = r.gbcs_payload().expect("a GBCS payload");
    let x = mmc::render(
        &bytes,
        &mmc::Context {
            service_reference: Some("6.2"),
            service_reference_variant: Some("6.2.4"),
            keys: None,
        },
    )
    .unwrap();
    assert!(
        x.xml.contains("ReadDeviceConfigurationIdentityExcMPxNRsp"),
        "{}",
        x.xml
    );
    x.xml
}

#[test]
fn identity_reads_answer_the_inventorys_identity() {
    let mut h = Harness::new_world();
    h.restart();
    let x = read_identity(
        &mut h,
        "ECS26m_6.2.4_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    for leaf in [
        "<ra:ModelType>010A030B</ra:ModelType>",
        "<ra:ManufacturerIdentifier>AB01</ra:ManufacturerIdentifier>",
        "<ra:SupplyTamperState>Unchanged</ra:SupplyTamperState>",
        "<ra:MeterVariant>A</ra:MeterVariant>",
    ] {
        assert!(x.contains(leaf), "{leaf}: {x}");
    }
    let x = read_identity(
        &mut h,
        "GCS21m_6.2.4_SUCCESS_REQUEST_DUIS.XML",
        premises1::GSME,
    );
    for leaf in [
        "<ra:ModelType>020B0401</ra:ModelType>",
        "<ra:ManufacturerIdentifier>AB02</ra:ManufacturerIdentifier>",
        "<ra:SupplyDepletionState>Unchanged</ra:SupplyDepletionState>",
    ] {
        assert!(x.contains(leaf), "{leaf}: {x}");
    }
    let x = read_identity(
        &mut h,
        "ECS26n_6.2.4_SUCCESS_REQUEST_DUIS.XML",
        premises1::CHF,
    );
    for leaf in [
        "<ra:ModelType>433100AC</ra:ModelType>",
        "<ra:ManufacturerIdentifier>106C</ra:ManufacturerIdentifier>",
    ] {
        assert!(x.contains(leaf), "{leaf}: {x}");
    }
    // Not a device type 6.2.4 serves.
    let p = h.request(
        "ECS26m_6.2.4_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::PPMID,
    );
    let a = h.send(&h.sign(SUPPLIER, &p.xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("E11"), "{}", a.body);
}

#[test]
fn a_dsp_future_dated_set_is_made_at_its_time() {
    let mut h = Harness::new_world();
    let at = h.now() + std::time::Duration::from_secs(3600);
    let at = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let p = h.request(t::SET_SINGLE, SUPPLIER, premises1::ESME);
    let xml = p.xml.replace(
        "<sr:SetDeviceConfigurationImportMPxN>",
        &format!(
            "<sr:SetDeviceConfigurationImportMPxN><sr:ExecutionDateTime>{at}</sr:ExecutionDateTime>"
        ),
    );
    let a = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.advance(std::time::Duration::from_secs(3000));
    assert!(h.response_for(SUPPLIER, &p.rid).is_none());
    // Not yet made: the meter still holds the registered MPAN.
    let state: devices::DeviceState =
        serde_json::from_value(h.device_state(premises1::ESME)).unwrap();
    assert_eq!(
        state.config.site.identity.import_mpxn,
        premises1::MPAN.as_bytes()
    );
    h.advance(std::time::Duration::from_secs(700));
    let r = h
        .response_for(SUPPLIER, &p.rid)
        .expect("the meter's answer");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    assert_eq!(read_esme(&mut h).0, "1312345678333");
}
