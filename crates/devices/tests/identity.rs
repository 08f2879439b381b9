//! DUIS 6.20.1 / 6.20.2 / 6.2.7 / 6.2.9 on the emulated meters: ECS39a / ECS39b / GCS41 write
//! the MPxN, ECS40 / GCS46 read it back, ECS26j / GCS21j read the payment mode 1.6 set. Each
//! command built with its `gbcs` builder and protected as the DCC does (ACB MAC), the response
//! verified as its recipient would, shaped like the RTDS RESPONSE vector and decoded; the state
//! survives the stored form. Injected faults answer as the RTDS ERROR vectors and change
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::{DeviceFault, DeviceKind, EmulatedDevice, EventLog, Outcome};
use gbcs::axdr::Data;
use gbcs::usecases::{
    self, CommandHeader, Failure, ImportMpans, ResponseOutcome, ResponseValue, ecs26j, ecs39a,
};
use gbcs::{Cra, Frame};

const RTDS_EVENT_ID: u32 = 0x1C37_4A80;

thread_local! {
    static COUNTER: std::cell::Cell<u64> = const { std::cell::Cell::new(1000) };
}

/// A fresh, increasing originator counter.
fn next() -> u64 {
    COUNTER.with(|c| {
        c.set(c.get() + 1);
        c.get()
    })
}

/// A header with the next counter (`_rtds`: the RTDS vector's, for reference).
fn header(orig: &Party, dev: &EmulatedDevice, _rtds: u64) -> CommandHeader {
    CommandHeader::new(orig.eui, dev.eui(), next())
}

/// Feeds `wan`; the device executes it with outcome `success`; the response is checked against
/// the command and has the RTDS vector's structure. Returns the decoded outcome.
fn exchange(
    w: &World,
    dev: &mut EmulatedDevice,
    wan: &[u8],
    dir: &str,
    file: &str,
    success: bool,
) -> ResponseOutcome {
    let cmd = Frame::decode(wan).unwrap().apdu().clone();
    let reply = dev.handle(wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: cmd.message_code(),
            success
        },
        "{file}"
    );
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, w.party(cmd.originator));
    assert_eq!(resp.cra, Cra::Response);
    assert_eq!(resp.counter, cmd.counter, "counter echoes");
    assert_eq!(resp.other_info, cmd.other_info);
    assert_same_structure(&bytes, &rtds(dir, file), file);
    let outcome = usecases::decode_response(cmd.message_code(), &resp.content).unwrap();
    assert_eq!(outcome.is_failure(), !success, "{file}: {outcome:?}");
    outcome
}

fn reloaded(dev: &EmulatedDevice) -> devices::DeviceState {
    let s = dev.state();
    let body = devices::stored::encode_body(s).unwrap();
    let counters = devices::stored::encode_counters(s).unwrap();
    devices::stored::decode_state(&body, &counters, EventLog::default()).unwrap()
}

fn octets(b: &[u8]) -> Data {
    Data::OctetString(b.to_vec())
}

fn read_esme(w: &World, dev: &mut EmulatedDevice, file: &str) -> Vec<Data> {
    let cmd = usecases::ecs40_read_mpan(&header(&w.supplier, dev, 2000));
    let wan = w.wan(cmd, dev);
    match exchange(w, dev, &wan, "6.2.7_ECS40", file, true) {
        ResponseOutcome::Success(ResponseValue::DlmsValues(v)) => v,
        other => panic!("{other:?}"),
    }
}

fn read_gsme(w: &World, dev: &mut EmulatedDevice) -> Vec<u8> {
    let cmd = usecases::gcs46_read_mprn(&header(&w.supplier, dev, 2000)).unwrap();
    let wan = w.wan(cmd, dev);
    match exchange(
        w,
        dev,
        &wan,
        "6.2.7_GCS46",
        "GCS46_6.2.7_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    ) {
        ResponseOutcome::Success(ResponseValue::Attributes(r)) => {
            assert_eq!(r.len(), 1);
            assert_eq!((r[0].id, r[0].data_type), (0x0307, 0x41));
            r[0].value.clone()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ecs39a_and_ecs39b_write_what_ecs40_reads() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Esme, ESME);
    let single = ImportMpans::new(b"1312345678111", None).unwrap();
    let cmd = usecases::ecs39a_set_import_mpan(&header(&w.supplier, &dev, 1000), &single);
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.20.1_ECS39a",
        "ECS39a_6.20.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    // ECS39b from the ACB on the export supplier's behalf.
    let h = CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), next(), w.supplier.eui, 1000);
    let cmd = usecases::ecs39b_set_export_mpan(&h, b"1312345678333").unwrap();
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.20.2_ECS39b",
        "ECS39b_6.20.2_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(
        read_esme(&w, &mut dev, "ECS40_6.2.7_SINGLE_SUCCESS_RESPONSE_GBCS.HEX"),
        vec![octets(b"1312345678111"), octets(b"1312345678333")]
    );
    // A twin element meter's two MPANs.
    let twin = ImportMpans::new(b"1312345678111", Some(b"1312345678222")).unwrap();
    let cmd = usecases::ecs39a_set_import_mpan(&header(&w.supplier, &dev, 1001), &twin);
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.20.1_ECS39a",
        "ECS39a_6.20.1_TWIN_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(
        read_esme(&w, &mut dev, "ECS40_6.2.7_TWIN_SUCCESS_RESPONSE_GBCS.HEX"),
        vec![
            octets(b"13123456781111312345678222"),
            octets(b"1312345678333")
        ]
    );
    let back = reloaded(&dev).config.site.identity;
    assert_eq!(back.import_mpxn, b"13123456781111312345678222");
    assert_eq!(back.export_mpan, b"1312345678333");
}

#[test]
fn gcs41_writes_what_gcs46_reads() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Gsme, GSME);
    assert_eq!(read_gsme(&w, &mut dev), b"");
    let cmd = usecases::gcs41_set_mprn(
        &header(&w.supplier, &dev, 1001),
        RTDS_EVENT_ID,
        b"1000999888",
    )
    .unwrap();
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.20.1_GCS41",
        "GCS41_6.20.1_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(read_gsme(&w, &mut dev), b"1000999888");
    assert_eq!(
        reloaded(&dev).config.site.identity.import_mpxn,
        b"1000999888"
    );
}

#[test]
fn payment_mode_reads_show_the_mode() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    for (credit, mode, config) in [(false, 2, 0x0897u16), (true, 1, 0x0C94)] {
        esme.state_mut().payment_mode.credit = credit;
        gsme.state_mut().payment_mode.credit = credit;
        let cmd = usecases::ecs26j_read_payment_mode(&header(&w.supplier, &esme, 1001));
        let wan = w.wan(cmd, &esme);
        assert_eq!(
            exchange(
                &w,
                &mut esme,
                &wan,
                "6.2.9_ECS26j",
                "ECS26j_6.2.9_SUCCESS_RESPONSE_GBCS.HEX",
                true
            ),
            ResponseOutcome::Success(ResponseValue::DlmsValues(vec![Data::Structure(vec![
                Data::Enum(mode),
                Data::Enum(ecs26j::STATUS_ACTIVE)
            ])]))
        );
        let cmd = usecases::gcs21j_read_payment_mode(&header(&w.supplier, &gsme, 1000)).unwrap();
        let wan = w.wan(cmd, &gsme);
        let ResponseOutcome::Success(ResponseValue::Attributes(r)) = exchange(
            &w,
            &mut gsme,
            &wan,
            "6.2.9_GCS21j",
            "GCS21j_6.2.9_SUCCESS_RESPONSE_GBCS.HEX",
            true,
        ) else {
            panic!("not attributes")
        };
        assert_eq!(r[0].value, config.to_le_bytes());
    }
    // The RTDS settings: prepayment, debt suspended while disabled, not on emergency credit.
    gsme.state_mut().payment_mode.credit = false;
    gsme.state_mut().payment_mode.suspend_debt_disabled = true;
    let cmd = usecases::gcs21j_read_payment_mode(&header(&w.supplier, &gsme, 1000)).unwrap();
    let wan = w.wan(cmd, &gsme);
    let reply = gsme.handle(&wan, w.now);
    let resp = open(&reply.response.unwrap(), &gsme, &w.supplier);
    let theirs = Frame::decode(&rtds(
        "6.2.9_GCS21j",
        "GCS21j_6.2.9_SUCCESS_RESPONSE_GBCS.HEX",
    ))
    .unwrap()
    .apdu()
    .content
    .clone();
    assert_eq!(resp.content, theirs);
}

#[test]
fn faults_fail_as_the_rtds_error_vectors_and_change_nothing() {
    let w = World::new();
    let object = |d: gbcs::dlms::CosemDescriptor| DeviceFault::DlmsObject {
        class: d.class_id,
        obis: d.instance,
        attribute: d.index,
    };
    let mut dev = w.device(DeviceKind::Esme, ESME);
    dev.state_mut().faults.insert(object(ecs39a::IMPORT_MPAN));
    dev.state_mut().faults.insert(object(ecs39a::EXPORT_MPAN));
    dev.state_mut()
        .faults
        .insert(object(ecs26j::ACCOUNT_MODE_AND_STATUS));
    let mpans = ImportMpans::new(b"1312345678333", None).unwrap();
    let cmd = usecases::ecs39a_set_import_mpan(&header(&w.supplier, &dev, 1002), &mpans);
    let wan = w.wan(cmd, &dev);
    let file = "ECS39a_6.20.1_SINGLE_ERROR_RESPONSE_GBCS.HEX";
    exchange(&w, &mut dev, &wan, "6.20.1_ECS39a", file, false);
    assert!(dev.state().config.site.identity.import_mpxn.is_empty());
    let h = CommandHeader::on_behalf_of(w.acb.eui, dev.eui(), next(), w.supplier.eui, 1001);
    let cmd = usecases::ecs39b_set_export_mpan(&h, b"1312345678333").unwrap();
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.20.2_ECS39b",
        "ECS39b_6.20.2_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    let cmd = usecases::ecs40_read_mpan(&header(&w.supplier, &dev, 1003));
    let wan = w.wan(cmd, &dev);
    let file = "ECS40_6.2.7_SINGLE_ERROR_RESPONSE_GBCS.HEX";
    let reply = dev.handle(&wan, w.now);
    assert_eq!(
        assert_failure_like_rtds(&reply.response.unwrap(), "6.2.7_ECS40", file),
        Failure::Dlms {
            index: 0,
            result: 1
        }
    );
    let cmd = usecases::ecs26j_read_payment_mode(&header(&w.supplier, &dev, 1002));
    let wan = w.wan(cmd, &dev);
    exchange(
        &w,
        &mut dev,
        &wan,
        "6.2.9_ECS26j",
        "ECS26j_6.2.9_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    assert_eq!(dev.state().config.site.identity, Default::default());

    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    gsme.state_mut().faults.insert(DeviceFault::ZclCommand {
        cluster: 0x0708,
        command: 0x03,
    });
    gsme.state_mut()
        .faults
        .insert(DeviceFault::MeteringAttribute(0x0307));
    gsme.state_mut()
        .faults
        .insert(DeviceFault::ClusterAttribute {
            cluster: 0x0705,
            attribute: 0,
        });
    let cmd = usecases::gcs41_set_mprn(
        &header(&w.supplier, &gsme, 1002),
        RTDS_EVENT_ID,
        b"1234567890",
    )
    .unwrap();
    let wan = w.wan(cmd, &gsme);
    exchange(
        &w,
        &mut gsme,
        &wan,
        "6.20.1_GCS41",
        "GCS41_6.20.1_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    let cmd = usecases::gcs46_read_mprn(&header(&w.supplier, &gsme, 1002)).unwrap();
    let wan = w.wan(cmd, &gsme);
    exchange(
        &w,
        &mut gsme,
        &wan,
        "6.2.7_GCS46",
        "GCS46_6.2.7_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    let cmd = usecases::gcs21j_read_payment_mode(&header(&w.supplier, &gsme, 1002)).unwrap();
    let wan = w.wan(cmd, &gsme);
    exchange(
        &w,
        &mut gsme,
        &wan,
        "6.2.9_GCS21j",
        "GCS21j_6.2.9_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    assert_eq!(gsme.state().config.site.identity, Default::default());
}

#[test]
fn other_device_kinds_do_not_implement_them() {
    let w = World::new();
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let mpans = ImportMpans::new(b"1312345678333", None).unwrap();
    let cmd = usecases::ecs39a_set_import_mpan(&header(&w.supplier, &gsme, 5), &mpans);
    let reply = gsme.handle(&w.wan(cmd, &gsme), w.now);
    assert!(!matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    let mut esme = w.device(DeviceKind::Esme, ESME);
    let cmd = usecases::gcs41_set_mprn(&header(&w.supplier, &esme, 5), 1, b"1234").unwrap();
    let reply = esme.handle(&w.wan(cmd, &esme), w.now);
    assert!(!matches!(
        reply.outcome,
        Outcome::Executed { success: true, .. }
    ));
    assert_eq!(gsme.state().config.site.identity, Default::default());
    assert_eq!(esme.state().config.site.identity, Default::default());
}

#[test]
fn identity_reads_answer_the_devices_identity() {
    let w = World::new();
    let mut esme = w.device(DeviceKind::Esme, ESME);
    {
        let i = &mut esme.state_mut().config.site.identity;
        // The RTDS vector's identity (the structure check compares string lengths).
        i.manufacturer = b"CSW".to_vec();
        i.model = b"ATGTypeX".to_vec();
        i.variant = b"B".to_vec();
    }
    let cmd = usecases::ecs26e_read_identity(&header(&w.supplier, &esme, 0));
    let wan = w.wan(cmd, &esme);
    assert_eq!(
        exchange(
            &w,
            &mut esme,
            &wan,
            "6.2.4_ECS26e",
            "ECS26e_6.2.4_SUCCESS_RESPONSE_GBCS.HEX",
            true
        ),
        ResponseOutcome::Success(ResponseValue::DlmsValues(vec![
            octets(&esme.eui().bytes()),
            octets(b"B"),
            octets(b"ATGTypeX"),
            octets(b"CSW"),
            Data::Boolean(0)
        ]))
    );
    esme.state_mut().config.site.identity.manufacturer = b"CSW ".to_vec();
    let cmd = usecases::ecs26m_read_identity(&header(&w.supplier, &esme, 0));
    let wan = w.wan(cmd, &esme);
    exchange(
        &w,
        &mut esme,
        &wan,
        "6.2.4_ECS26m",
        "ECS26m_6.2.4_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    // A fault on the model: Get(1) and the ones after it 250, as the RTDS ERROR vector.
    esme.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: 1,
        obis: usecases::ecs26e::MODEL.instance,
        attribute: 2,
    });
    let cmd = usecases::ecs26m_read_identity(&header(&w.supplier, &esme, 0));
    let reply = esme.handle(&w.wan(cmd, &esme), w.now);
    assert_eq!(
        assert_failure_like_rtds(
            &reply.response.unwrap(),
            "6.2.4_ECS26m",
            "ECS26m_6.2.4_ERROR_RESPONSE_GBCS.HEX"
        ),
        Failure::Dlms {
            index: 1,
            result: 1
        }
    );

    // The CHF, from the ACB on the supplier's behalf.
    let mut chf = w.device(DeviceKind::Chf, CHF);
    chf.state_mut().config.site.identity.model = b"ATGTypeY".to_vec();
    for (n, manufacturer, dir, file) in [
        (
            3,
            &b"CSW"[..],
            "6.2.4_ECS26i",
            "ECS26i_6.2.4_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        (
            2,
            &b"CSW "[..],
            "6.2.4_ECS26n",
            "ECS26n_6.2.4_SUCCESS_RESPONSE_GBCS.HEX",
        ),
    ] {
        chf.state_mut().config.site.identity.manufacturer = manufacturer.to_vec();
        let h = CommandHeader::on_behalf_of(w.acb.eui, chf.eui(), next(), w.supplier.eui, 1000);
        let cmd = if n == 3 {
            usecases::ecs26i_read_identity(&h)
        } else {
            usecases::ecs26n_read_identity(&h)
        };
        let wan = w.wan(cmd, &chf);
        let ResponseOutcome::Success(ResponseValue::DlmsValues(v)) =
            exchange(&w, &mut chf, &wan, dir, file, true)
        else {
            panic!("{file}")
        };
        assert_eq!(v[n - 2..], [octets(b"ATGTypeY"), octets(manufacturer)]);
    }

    // The GSME.
    let mut gsme = w.device(DeviceKind::Gsme, GSME);
    let gfi = [&b"GFI     "[..], &gsme.eui().bytes()].concat();
    for (manufacturer, model, dir, file) in [
        (
            &b"Critical Software"[..],
            &gfi[..],
            "6.2.4_GCS21e",
            "GCS21e_6.2.4_SUCCESS_RESPONSE_GBCS.HEX",
        ),
        (
            &b"1234"[..],
            &b"12345678"[..],
            "6.2.4_GCS21m",
            "GCS21m_6.2.4_SUCCESS_RESPONSE_GBCS.HEX",
        ),
    ] {
        gsme.state_mut().config.site.identity.manufacturer = manufacturer.to_vec();
        gsme.state_mut().config.site.identity.model = model.to_vec();
        let cmd = if dir.ends_with('e') {
            usecases::gcs21e_read_identity(&header(&w.supplier, &gsme, 0)).unwrap()
        } else {
            usecases::gcs21m_read_identity(&header(&w.supplier, &gsme, 0)).unwrap()
        };
        let wan = w.wan(cmd, &gsme);
        let ResponseOutcome::Success(ResponseValue::ClusterReads(r)) =
            exchange(&w, &mut gsme, &wan, dir, file, true)
        else {
            panic!("{file}")
        };
        let usecases::ClusterReadValue::Records(basic) = &r[0].value else {
            panic!("{file}")
        };
        assert_eq!(basic[0].value, manufacturer);
        assert_eq!(basic[1].value, model);
    }
    gsme.state_mut()
        .faults
        .insert(DeviceFault::ClusterAttribute {
            cluster: 0x0000,
            attribute: 0x0004,
        });
    let cmd = usecases::gcs21e_read_identity(&header(&w.supplier, &gsme, 0)).unwrap();
    let wan = w.wan(cmd, &gsme);
    exchange(
        &w,
        &mut gsme,
        &wan,
        "6.2.4_GCS21e",
        "GCS21e_6.2.4_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
}
