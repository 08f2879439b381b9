//! DUIS 6.22 Configure Alert Behaviour (ECS25a, ECS25a1, ECS25a2, ECS25a3, ECS25b, ECS25b3,
//! GCS20) and 6.2.10 Read Event and Alert Behaviours (ECS25r1, ECS25r2, GCS20r): each builder
//! against the RTDS commands byte for byte (with the ACB MAC), every RTDS command decoding
//! strictly to its parameters, every RTDS response (SUCCESS and ERROR) decoding and
//! classifying, and commands outside the formats refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, check_command};
use gbcs::usecases::{
    self, AlertBehaviourChange, AlertFilter, CommandDecodeError, CommandHeader, DecodedCommand,
    EventConfiguration, Failure, GasAlertBehaviour, ResponseOutcome, ResponseValue,
    alert_behaviour_common::enabled_codes, classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, GeneralSigning, UtcDateTime};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const NETWORK_OPERATOR: u64 = 0x90b3_d51f_3002_0000;
const ESME: u64 = 0x00db_1234_5678_90a0;
const GSME: u64 = 0x00db_1234_5678_90a1;

fn h(from: u64, recip: u64, counter: u64) -> CommandHeader {
    CommandHeader::new(Eui64::from_u64(from), Eui64::from_u64(recip), counter)
}

/// The ESME write use cases: (RTDS folder stem, filter, originator, success counter).
const ESME_WRITES: [(&str, AlertFilter, u64, u64); 6] = [
    ("ECS25a", AlertFilter::SupplierWan, SUPPLIER, 1000),
    ("ECS25a1", AlertFilter::SupplierHan, SUPPLIER, 1000),
    ("ECS25a2", AlertFilter::SupplierAudible, SUPPLIER, 1000),
    ("ECS25a3", AlertFilter::SupplierLogging, SUPPLIER, 1000),
    ("ECS25b", AlertFilter::NetworkWan, NETWORK_OPERATOR, 1200),
    (
        "ECS25b3",
        AlertFilter::NetworkLogging,
        NETWORK_OPERATOR,
        1200,
    ),
];

fn build_esme(change: &AlertBehaviourChange, hd: &CommandHeader) -> GeneralSigning {
    match change.filter {
        AlertFilter::SupplierWan => usecases::ecs25a_set_alert_behaviour(hd, change),
        AlertFilter::SupplierHan => usecases::ecs25a1_set_alert_behaviour(hd, change),
        AlertFilter::SupplierAudible => usecases::ecs25a2_set_alert_behaviour(hd, change),
        AlertFilter::SupplierLogging => usecases::ecs25a3_set_alert_behaviour(hd, change),
        AlertFilter::NetworkWan => usecases::ecs25b_set_alert_behaviour(hd, change),
        AlertFilter::NetworkLogging => usecases::ecs25b3_set_alert_behaviour(hd, change),
    }
    .unwrap()
}

fn gas_success() -> GasAlertBehaviour {
    let c = EventConfiguration::new;
    GasAlertBehaviour {
        issuer_event_id: rtds_event_id(),
        groups: vec![
            (c(true, true, true, true), vec![0x81AA, 0x81AB, 0x81C4]),
            (c(true, false, false, false), vec![0x810E]),
            (
                c(true, false, true, true),
                vec![0x81BD, 0x81BE, 0x81BF, 0x81C0],
            ),
            (c(false, false, true, true), vec![0x8161, 0x8162, 0x81C6]),
        ],
    }
}

fn rtds_event_id() -> u32 {
    usecases::issuer_event_id(UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap()).unwrap()
}

#[test]
fn esme_writes_decode_to_the_duis_settings_and_rebuild_byte_exact() {
    let ks = Keystore::load();
    for (stem, filter, from, counter) in ESME_WRITES {
        for (kind, n) in [("SUCCESS", counter), ("ERROR", counter + 1)] {
            let dir = format!("6.22_{stem}");
            let file = format!("{stem}_6.22_{kind}_COMMAND_GBCS.HEX");
            let a = apdu(&dir, &file);
            let DecodedCommand::AlertBehaviour(change) = decode_command(&a).unwrap() else {
                panic!("{file}");
            };
            assert_eq!(change.filter, filter, "{file}");
            assert_eq!(
                decode_command(&a).unwrap().spec().message_code,
                a.message_code()
            );
            check_command(&ks, &dir, &file, build_esme(&change, &h(from, ESME, n)));
        }
    }
    // The settings the success vectors carry (the DUIS templates' where they agree).
    let settings = |stem: &str| {
        let a = apdu(
            &format!("6.22_{stem}"),
            &format!("{stem}_6.22_SUCCESS_COMMAND_GBCS.HEX"),
        );
        match decode_command(&a).unwrap() {
            DecodedCommand::AlertBehaviour(c) => c.settings,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        settings("ECS25a1"),
        vec![(0x810D, true), (0x8119, false), (0x8168, false)]
    );
    assert_eq!(
        settings("ECS25a3"),
        vec![
            (0x8145, true),
            (0x8154, false),
            (0x8155, false),
            (0x8161, true),
            (0x8162, true),
            (0x81C6, true)
        ]
    );
    assert_eq!(settings("ECS25b"), vec![(0x8014, true), (0x8015, false)]);
}

#[test]
fn gsme_write_decodes_and_rebuilds_byte_exact() {
    let ks = Keystore::load();
    let a = apdu("6.22_GCS20", "GCS20_6.22_SUCCESS_COMMAND_GBCS.HEX");
    assert_eq!(
        decode_command(&a).unwrap(),
        DecodedCommand::Gcs20(gas_success())
    );
    let built = usecases::gcs20_set_alert_behaviour(&h(SUPPLIER, GSME, 1000), &gas_success());
    check_command(
        &ks,
        "6.22_GCS20",
        "GCS20_6.22_SUCCESS_COMMAND_GBCS.HEX",
        built.unwrap(),
    );
    let a = apdu("6.22_GCS20", "GCS20_6.22_ERROR_COMMAND_GBCS.HEX");
    let DecodedCommand::Gcs20(b) = decode_command(&a).unwrap() else {
        panic!()
    };
    assert_eq!(b.groups[3].1, vec![0x8161, 0x8162]);
    let built = usecases::gcs20_set_alert_behaviour(&h(SUPPLIER, GSME, 1001), &b).unwrap();
    check_command(
        &ks,
        "6.22_GCS20",
        "GCS20_6.22_ERROR_COMMAND_GBCS.HEX",
        built,
    );
    // The DUIS template's settings (in its order) group as the RTDS sends them: HAN-alerting
    // configurations first, then WAN-alerting ones, each class in order of first appearance.
    let c = EventConfiguration::new;
    let template = [
        (0x810E, c(true, false, false, false)),
        (0x8161, c(false, false, true, true)),
        (0x8162, c(false, false, true, true)),
        (0x81AA, c(true, true, true, true)),
        (0x81AB, c(true, true, true, true)),
        (0x81BD, c(true, false, true, true)),
        (0x81BE, c(true, false, true, true)),
        (0x81BF, c(true, false, true, true)),
        (0x81C0, c(true, false, true, true)),
        (0x81C4, c(true, true, true, true)),
        (0x81C6, c(false, false, true, true)),
    ];
    let g = GasAlertBehaviour::from_settings(rtds_event_id(), &template);
    assert_eq!(g, gas_success());
    let built = usecases::gcs20_set_alert_behaviour(&h(SUPPLIER, GSME, 1000), &g).unwrap();
    check_command(
        &ks,
        "6.22_GCS20",
        "GCS20_6.22_SUCCESS_COMMAND_GBCS.HEX",
        built,
    );
    // The ERROR scenario's settings: the template's without 0x81C6.
    let g = GasAlertBehaviour::from_settings(rtds_event_id(), &template[..10]);
    let built = usecases::gcs20_set_alert_behaviour(&h(SUPPLIER, GSME, 1001), &g).unwrap();
    check_command(
        &ks,
        "6.22_GCS20",
        "GCS20_6.22_ERROR_COMMAND_GBCS.HEX",
        built,
    );
    // Ties keep their order of first appearance: the HAN-alerting, then the WAN-alerting, then
    // the rest.
    let g = GasAlertBehaviour::from_settings(
        7,
        &[
            (0x810D, c(false, false, false, true)),
            (0x810E, c(false, false, true, false)),
            (0x8119, c(true, false, true, false)),
            (0x8145, c(false, true, false, false)),
            (0x8154, c(true, false, false, false)),
            (0x8155, c(false, false, false, true)),
            (0x8161, c(true, true, false, false)),
        ],
    );
    assert_eq!(
        g.groups,
        vec![
            (c(false, true, false, false), vec![0x8145]),
            (c(true, true, false, false), vec![0x8161]),
            (c(true, false, true, false), vec![0x8119]),
            (c(true, false, false, false), vec![0x8154]),
            (c(false, false, false, true), vec![0x810D, 0x8155]),
            (c(false, false, true, false), vec![0x810E]),
        ]
    );
}

#[test]
fn reads_rebuild_byte_exact_and_decode() {
    let ks = Keystore::load();
    for (kind, n) in [("SUCCESS", 1000), ("ERROR", 1002)] {
        let file = format!("ECS25r1_6.2.10_{kind}_COMMAND_GBCS.HEX");
        let a = apdu("6.2.10_ECS25r1", &file);
        assert!(matches!(
            decode_command(&a).unwrap(),
            DecodedCommand::Ecs25r1(_)
        ));
        let b = usecases::ecs25r1_read_alert_behaviours(&h(SUPPLIER, ESME, n));
        check_command(&ks, "6.2.10_ECS25r1", &file, b);
    }
    for (kind, n) in [("SUCCESS", 1200), ("ERROR", 1201)] {
        let file = format!("ECS25r2_6.2.10_{kind}_COMMAND_GBCS.HEX");
        let a = apdu("6.2.10_ECS25r2", &file);
        assert!(matches!(
            decode_command(&a).unwrap(),
            DecodedCommand::Ecs25r2(_)
        ));
        let b = usecases::ecs25r2_read_alert_behaviours(&h(NETWORK_OPERATOR, ESME, n));
        check_command(&ks, "6.2.10_ECS25r2", &file, b);
    }
    for (kind, n) in [("SUCCESS", 1000), ("ERROR", 1001)] {
        let file = format!("GCS20r_6.2.10_{kind}_COMMAND_GBCS.HEX");
        let a = apdu("6.2.10_GCS20r", &file);
        assert_eq!(decode_command(&a).unwrap(), DecodedCommand::Gcs20r);
        let b = usecases::gcs20r_read_alert_behaviours(&h(SUPPLIER, GSME, n)).unwrap();
        check_command(&ks, "6.2.10_GCS20r", &file, b);
    }
}

#[test]
fn rtds_responses_decode_and_classify() {
    let writes = ESME_WRITES.map(|(stem, ..)| (format!("6.22_{stem}"), format!("{stem}_6.22")));
    for (dir, stem) in &writes {
        let a = apdu(dir, &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX"));
        let code = a.message_code();
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            ResponseOutcome::Success(ResponseValue::Done),
            "{stem}"
        );
        let a = apdu(dir, &format!("{stem}_ERROR_RESPONSE_GBCS.HEX"));
        assert_eq!(
            decode_response(code, &a.content).unwrap(),
            ResponseOutcome::Failure(Failure::Dlms {
                index: 0,
                result: 1
            }),
            "{stem}"
        );
        assert!(classify_response(code, &a.content).is_failure(), "{stem}");
    }
    // GCS20.
    let a = apdu("6.22_GCS20", "GCS20_6.22_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Success(ResponseValue::Done)
    );
    let a = apdu("6.22_GCS20", "GCS20_6.22_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Failure(Failure::ZclDefaultResponse {
            command: 0x04,
            status: 0xC0
        })
    );
    // ECS25r1: the four supplier filters.
    let a = apdu("6.2.10_ECS25r1", "ECS25r1_6.2.10_SUCCESS_RESPONSE_GBCS.HEX");
    let ResponseOutcome::Success(ResponseValue::DlmsValues(v)) =
        decode_response(a.message_code(), &a.content).unwrap()
    else {
        panic!()
    };
    assert_eq!(v.len(), 4);
    assert_eq!(
        enabled_codes(AlertFilter::SupplierHan, &v[1]).unwrap(),
        vec![0x810D, 0x8119, 0x8168, 0x81AA, 0x81AB, 0x81C4]
    );
    assert_eq!(
        enabled_codes(AlertFilter::SupplierAudible, &v[2]).unwrap(),
        Vec::<u16>::new()
    );
    let a = apdu("6.2.10_ECS25r1", "ECS25r1_6.2.10_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Failure(Failure::Dlms {
            index: 2,
            result: 1
        })
    );
    // ECS25r2.
    let a = apdu("6.2.10_ECS25r2", "ECS25r2_6.2.10_SUCCESS_RESPONSE_GBCS.HEX");
    let ResponseOutcome::Success(ResponseValue::DlmsValues(v)) =
        decode_response(a.message_code(), &a.content).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        enabled_codes(AlertFilter::NetworkWan, &v[0]).unwrap(),
        vec![0x8014, 0x8015]
    );
    let a = apdu("6.2.10_ECS25r2", "ECS25r2_6.2.10_ERROR_RESPONSE_GBCS.HEX");
    assert!(classify_response(a.message_code(), &a.content).is_failure());
    // GCS20r.
    let a = apdu("6.2.10_GCS20r", "GCS20r_6.2.10_SUCCESS_RESPONSE_GBCS.HEX");
    let ResponseOutcome::Success(ResponseValue::EventConfigurations(v)) =
        decode_response(a.message_code(), &a.content).unwrap()
    else {
        panic!()
    };
    assert_eq!(v.len(), 44);
    assert_eq!(v[0], (0x810D, 0x18));
    let a = apdu("6.2.10_GCS20r", "GCS20r_6.2.10_ERROR_RESPONSE_GBCS.HEX");
    assert_eq!(
        decode_response(a.message_code(), &a.content).unwrap(),
        ResponseOutcome::Failure(Failure::ZclDefaultResponse {
            command: 0x05,
            status: 0xC0
        })
    );
}

#[test]
fn commands_outside_the_formats_do_not_decode() {
    let bad = |a: &GeneralSigning, uc: &str| match decode_command(a) {
        Err(CommandDecodeError::Format { use_case, .. }) if use_case == uc => {}
        Err(CommandDecodeError::Payload(_)) => {}
        other => panic!("{uc}: {other:?}"),
    };
    let change = AlertBehaviourChange {
        filter: AlertFilter::SupplierWan,
        settings: vec![(0x810D, true)],
    };
    // A value bit outside the mask.
    let mut a = usecases::ecs25a_set_alert_behaviour(&h(SUPPLIER, ESME, 9), &change).unwrap();
    let n = a.content.len();
    a.content[n - 1] |= 0x01;
    bad(&a, "ECS25a");
    // ECS25a's content relabelled ECS25b (another object).
    let mut a = usecases::ecs25a_set_alert_behaviour(&h(SUPPLIER, ESME, 9), &change).unwrap();
    a.other_info = gbcs::OtherInfo::code(AlertFilter::NetworkWan.message_code());
    bad(&a, "ECS25b");
    // A code off the filter's page, or another filter, cannot be built.
    let off = AlertBehaviourChange {
        filter: AlertFilter::SupplierWan,
        settings: vec![(0x8014, true)],
    };
    assert!(usecases::ecs25a_set_alert_behaviour(&h(SUPPLIER, ESME, 9), &off).is_err());
    assert!(usecases::ecs25b_set_alert_behaviour(&h(SUPPLIER, ESME, 9), &change).is_err());
    // GCS20 with a ZigBee-alarm bit.
    let c = EventConfiguration(0x20);
    let g = GasAlertBehaviour {
        issuer_event_id: 1,
        groups: vec![(c, vec![0x810E])],
    };
    assert!(usecases::gcs20_set_alert_behaviour(&h(SUPPLIER, GSME, 9), &g).is_err());
    let mut a = usecases::gcs20_set_alert_behaviour(&h(SUPPLIER, GSME, 9), &gas_success()).unwrap();
    // First component's configuration byte: GBZ header 3, component header 5, ZCL header 3,
    // issuer event id 4, start time 4.
    a.content[3 + 5 + 3 + 8] = 0x20;
    bad(&a, "GCS20");
    // GCS20 with a critical code.
    let mut a = usecases::gcs20_set_alert_behaviour(&h(SUPPLIER, GSME, 9), &gas_success()).unwrap();
    a.content[3 + 5 + 3 + 8 + 3 + 1] = 0x8F;
    bad(&a, "GCS20");
    // GCS20r of another event group.
    let mut a = usecases::gcs20r_read_alert_behaviours(&h(SUPPLIER, GSME, 9)).unwrap();
    let n = a.content.len();
    a.content[n - 1] = 0x80;
    bad(&a, "GCS20r");
}
