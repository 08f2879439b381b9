//! The instantaneous-read use cases (4.1.2, 4.1.3, 4.1.4, 4.2, 4.3, 4.12.1, 4.12.2, 4.15, 4.18)
//! against the RTDS 4.5.0 vectors: every builder reproduces every RTDS COMMAND byte for byte
//! (ACB MAC included), every COMMAND decodes to the use case's parameters, every RESPONSE
//! (SUCCESS and ERROR) decodes and classifies, and commands that are not exactly the use case's
//! are refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, rtds_dir, vector};
use gbcs::axdr::Data;
use gbcs::error::BuildError;
use gbcs::usecases::{
    self, ClusterReadValue, CommandDecodeError, CommandHeader, DecodedCommand, Failure,
    ResponseClass, ResponseOutcome, ResponseValue, classify_response, decode_command,
    decode_response,
};
use gbcs::{Eui64, Frame, GeneralSigning, wrap_command};

type Builder = fn(&CommandHeader) -> Result<GeneralSigning, BuildError>;
type Build = Box<dyn Fn(&CommandHeader) -> GeneralSigning>;

fn ok(b: fn(&CommandHeader) -> GeneralSigning) -> impl Fn(&CommandHeader) -> GeneralSigning {
    b
}

/// (RTDS directory, builder) of every use case of the family.
fn cases() -> Vec<(&'static str, Build)> {
    let fallible = |b: Builder| -> Build { Box::new(move |h| b(h).unwrap()) };
    vec![
        (
            "4.1.2_ECS17d",
            Box::new(ok(usecases::ecs17d_read_tou_registers)),
        ),
        (
            "4.1.3_ECS17e",
            Box::new(ok(usecases::ecs17e_read_tou_block_registers)),
        ),
        (
            "4.3_ECS19",
            Box::new(ok(usecases::ecs19_read_prepayment_registers)),
        ),
        (
            "4.2_ECS17a",
            Box::new(ok(usecases::ecs17a_read_export_energy_registers)),
        ),
        (
            "4.12.2_ECS18a",
            Box::new(ok(usecases::ecs18a_read_export_max_demand)),
        ),
        (
            "4.12.1_ECS18b",
            Box::new(ok(usecases::ecs18b_read_import_max_demand)),
        ),
        (
            "4.15_ECS27",
            Box::new(ok(usecases::ecs27_read_load_limit_data)),
        ),
        (
            "4.18_ECS82",
            Box::new(ok(usecases::ecs82_read_meter_balance)),
        ),
        (
            "4.1.2_GCS13c",
            fallible(usecases::gcs13c_read_tou_registers),
        ),
        (
            "4.1.4_GCS13b",
            fallible(usecases::gcs13b_read_block_counters),
        ),
        (
            "4.3_GCS14",
            fallible(usecases::gcs14_read_prepayment_registers),
        ),
        ("4.18_GCS60", fallible(usecases::gcs60_read_meter_balance)),
        ("4.18_GCS60a", fallible(usecases::gcs60a_read_meter_balance)),
    ]
}

fn files(dir: &str, kind: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(rtds_dir().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(&format!("_{kind}_GBCS.HEX")))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "{dir}: no {kind} vectors");
    v
}

fn apdu(dir: &str, file: &str) -> GeneralSigning {
    Frame::decode(&vector(dir, file)).unwrap().apdu().clone()
}

#[test]
fn builders_reproduce_every_rtds_command() {
    let ks = Keystore::load();
    let mut n = 0;
    for (dir, build) in cases() {
        for f in files(dir, "COMMAND") {
            let rtds = apdu(dir, &f);
            let h = CommandHeader::new(rtds.originator, rtds.recipient, rtds.counter);
            let built = build(&h);
            assert!(!built.is_precommand(), "{f}: a non-critical command");
            let peer = ks.ka_public.get(&built.recipient).unwrap();
            let wan = wrap_command(built, ks.acb_ka(), peer).unwrap().encode();
            assert_eq!(
                hex::encode_upper(wan),
                hex::encode_upper(vector(dir, &f)),
                "{f}"
            );
            n += 1;
        }
    }
    assert_eq!(n, 35);
}

#[test]
fn every_rtds_command_decodes_to_the_use_case() {
    for (dir, _) in cases() {
        for f in files(dir, "COMMAND") {
            let a = apdu(dir, &f);
            let d = decode_command(&a).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert_eq!(d.spec().message_code, a.message_code(), "{f}");
            match (dir, &d) {
                ("4.1.2_ECS17d", DecodedCommand::Ecs17d(r)) => {
                    assert_eq!(r.objects, [usecases::ecs17d::OBJECT])
                }
                ("4.1.3_ECS17e", DecodedCommand::Ecs17e(r)) => {
                    assert_eq!(r.objects, [usecases::ecs17e::OBJECT])
                }
                ("4.3_ECS19", DecodedCommand::Ecs19(r)) => {
                    assert_eq!(r.objects, [usecases::ecs19::OBJECT])
                }
                ("4.2_ECS17a", DecodedCommand::Ecs17a(r)) => {
                    assert_eq!(r.objects, usecases::ecs17a::OBJECTS)
                }
                ("4.12.2_ECS18a", DecodedCommand::Ecs18a(r)) => {
                    assert_eq!(r.objects, usecases::ecs18a::OBJECTS)
                }
                ("4.12.1_ECS18b", DecodedCommand::Ecs18b(r)) => {
                    assert_eq!(r.objects, usecases::ecs18b::OBJECTS)
                }
                ("4.15_ECS27", DecodedCommand::Ecs27(r)) => {
                    assert_eq!(r.objects, usecases::ecs27::OBJECTS)
                }
                ("4.18_ECS82", DecodedCommand::Ecs82(r)) => {
                    assert_eq!(r.objects, usecases::ecs82::OBJECTS)
                }
                ("4.1.2_GCS13c", DecodedCommand::Gcs13c(r)) => {
                    assert_eq!(r.attributes, usecases::gcs13c::ATTRIBUTES)
                }
                ("4.1.4_GCS13b", DecodedCommand::Gcs13b(r)) => {
                    assert_eq!(r.attributes, usecases::gcs13b::ATTRIBUTES)
                }
                ("4.3_GCS14", DecodedCommand::Gcs14(r))
                | ("4.18_GCS60", DecodedCommand::Gcs60(r))
                | ("4.18_GCS60a", DecodedCommand::Gcs60a(r)) => {
                    let reads = match dir {
                        "4.3_GCS14" => &usecases::gcs14::READS,
                        "4.18_GCS60" => &usecases::gcs60::READS,
                        _ => &usecases::gcs60a::READS,
                    };
                    assert_eq!(r.len(), 2);
                    for (got, (cluster, attrs)) in r.iter().zip(reads) {
                        assert_eq!((got.cluster, &got.attributes[..]), (*cluster, *attrs));
                    }
                }
                _ => panic!("{f}: decoded as {d:?}"),
            }
        }
    }
}

fn dlms_values(o: &ResponseOutcome) -> &[Data] {
    match o {
        ResponseOutcome::Success(ResponseValue::DlmsValues(v)) => v,
        other => panic!("not DLMS values: {other:?}"),
    }
}

#[test]
fn every_rtds_response_decodes_and_classifies() {
    let mut n = 0;
    for (dir, _) in cases() {
        for f in files(dir, "RESPONSE") {
            let a = apdu(dir, &f);
            let o = decode_response(a.message_code(), &a.content)
                .unwrap_or_else(|e| panic!("{f}: {e}"));
            let class = classify_response(a.message_code(), &a.content);
            let error = f.contains("ERROR");
            // GCS13b/c answer encrypted even when a record failed: only the requester can see
            // the failure, the DCC passes the block through.
            let sealed = matches!(dir, "4.1.2_GCS13c" | "4.1.4_GCS13b");
            assert_eq!(class.is_failure(), error && !sealed, "{f}: {o:?}");
            assert_eq!(o.is_failure(), class.is_failure(), "{f}");
            n += 1;
            match (dir, error) {
                ("4.1.2_ECS17d" | "4.1.3_ECS17e" | "4.3_ECS19", true) => assert_eq!(
                    o,
                    ResponseOutcome::Failure(Failure::Dlms {
                        index: 0,
                        result: 1
                    })
                ),
                (
                    "4.1.2_ECS17d" | "4.1.3_ECS17e" | "4.3_ECS19" | "4.1.2_GCS13c" | "4.1.4_GCS13b",
                    _,
                ) => {
                    let ResponseOutcome::Success(ResponseValue::Protected(b)) = &o else {
                        panic!("{f}: {o:?}")
                    };
                    assert_eq!(b[0], 0x31, "{f}: security header");
                }
                ("4.2_ECS17a", false) => {
                    let v = dlms_values(&o);
                    assert_eq!(v[0], Data::DoubleLongUnsigned(10));
                    assert_eq!(v[2], Data::DoubleLongUnsigned(20));
                    assert_eq!(
                        v[3],
                        Data::Structure(vec![Data::Integer(0), Data::Enum(32)])
                    );
                }
                ("4.2_ECS17a" | "4.12.2_ECS18a", true) => assert_eq!(
                    class,
                    ResponseClass::Failure(Failure::Dlms {
                        index: 2,
                        result: 1
                    })
                ),
                ("4.12.2_ECS18a", false) => {
                    let v = dlms_values(&o);
                    assert_eq!(v.len(), 4);
                    assert_eq!(v[1], Data::DoubleLongUnsigned(4775));
                    assert_eq!(
                        v[2],
                        Data::Structure(vec![Data::Integer(0), Data::Enum(27)])
                    );
                }
                ("4.12.1_ECS18b", true) => assert_eq!(
                    class,
                    ResponseClass::Failure(Failure::Dlms {
                        index: 7,
                        result: 1
                    })
                ),
                ("4.12.1_ECS18b", false) => {
                    let v = dlms_values(&o);
                    assert_eq!(v.len(), 9);
                    assert_eq!(v[5], Data::DoubleLongUnsigned(12122));
                    assert!(matches!(&v[8], Data::Array(e) if e.len() == 2));
                }
                ("4.15_ECS27", true) => assert_eq!(
                    class,
                    ResponseClass::Failure(Failure::Dlms {
                        index: 4,
                        result: 1
                    })
                ),
                ("4.15_ECS27", false) => {
                    let v = dlms_values(&o);
                    assert_eq!(v[0], Data::Boolean(0));
                    assert_eq!(v[3], Data::DoubleLongUnsigned(6900));
                    assert_eq!(v[4], Data::DoubleLongUnsigned(300));
                }
                ("4.18_ECS82", true) => assert_eq!(
                    class,
                    ResponseClass::Failure(Failure::Dlms {
                        index: 0,
                        result: 1
                    })
                ),
                ("4.18_ECS82", false) => {
                    assert_eq!(dlms_values(&o), [Data::DoubleLong(250_000)])
                }
                ("4.3_GCS14", true) => assert_eq!(
                    o,
                    ResponseOutcome::Failure(Failure::ZclAttribute {
                        attribute: 0x0617,
                        status: 0xC0
                    })
                ),
                ("4.18_GCS60" | "4.18_GCS60a", true) => assert_eq!(
                    o,
                    ResponseOutcome::Failure(Failure::ZclAttribute {
                        attribute: 0x0A00,
                        status: 0xC0
                    })
                ),
                ("4.3_GCS14" | "4.18_GCS60" | "4.18_GCS60a", false) => {
                    let ResponseOutcome::Success(ResponseValue::ClusterReads(r)) = &o else {
                        panic!("{f}: {o:?}")
                    };
                    assert_eq!(r.len(), 2);
                    if dir == "4.3_GCS14" {
                        assert_eq!(r[0].cluster, 0x0700);
                        let ClusterReadValue::Records(p) = &r[0].value else {
                            panic!("{f}: price component not plaintext")
                        };
                        // Currency 826 (GBP).
                        assert_eq!((p[1].id, &p[1].value[..]), (0x0616, &[0x3A, 0x03][..]));
                        assert!(matches!(r[1].value, ClusterReadValue::Protected(_)));
                    } else {
                        let ClusterReadValue::Records(p) = &r[1].value else {
                            panic!("{f}")
                        };
                        assert_eq!(p[0].id, 0x0001);
                        assert_eq!(p[0].value, 2_500_000i32.to_le_bytes());
                    }
                }
                _ => panic!("{f}: unexpected {o:?}"),
            }
        }
    }
    assert_eq!(n, 35);
}

fn eui(v: u64) -> Eui64 {
    Eui64::from_u64(v)
}

#[test]
fn commands_not_exactly_the_use_cases_are_refused() {
    let supplier = eui(0x90b3_d51f_3001_0000);
    let esme = eui(0x00db_1234_5678_90a0);
    let gsme = eui(0x00db_1234_5678_90a1);
    let h = CommandHeader::new(supplier, esme, 77);

    // A protected read whose protection parameters name another device.
    let mut a = usecases::ecs17d_read_tou_registers(&h);
    a.recipient = gsme;
    assert!(matches!(
        decode_command(&a),
        Err(CommandDecodeError::Format {
            use_case: "ECS17d",
            ..
        })
    ));
    // ECS19's object under ECS17e's message code.
    let mut a = usecases::ecs19_read_prepayment_registers(&h);
    a.other_info.message_code = usecases::ecs17e::CODE;
    assert!(decode_command(&a).is_err());
    // ECS17a's GETs under ECS18a's code.
    let mut a = usecases::ecs17a_read_export_energy_registers(&h);
    a.other_info.message_code = usecases::ecs18a::CODE;
    assert!(decode_command(&a).is_err());
    // GCS60's components under GCS14's code, and GCS14 with its components swapped.
    let g = CommandHeader::new(supplier, gsme, 78);
    let mut a = usecases::gcs60_read_meter_balance(&g).unwrap();
    a.other_info.message_code = usecases::gcs14::CODE;
    assert!(decode_command(&a).is_err());
    let mut a = usecases::gcs60a_read_meter_balance(&g).unwrap();
    a.other_info.message_code = usecases::gcs60::CODE;
    assert!(matches!(decode_command(&a), Ok(DecodedCommand::Gcs60(_))));
    // A truncated payload.
    let mut a = usecases::gcs14_read_prepayment_registers(&g).unwrap();
    a.content.truncate(a.content.len() - 3);
    assert!(decode_command(&a).is_err());
    // GCS13c's attributes under GCS13b's code.
    let mut a = usecases::gcs13c_read_tou_registers(&g).unwrap();
    a.other_info.message_code = usecases::gcs13b::CODE;
    assert!(decode_command(&a).is_err());
}

#[test]
fn device_types_and_originators() {
    use usecases::{DeviceType as D, RemotePartyRole as R};
    for spec in [
        &usecases::ecs17a::SPEC,
        &usecases::ecs17d::SPEC,
        &usecases::ecs17e::SPEC,
        &usecases::ecs18a::SPEC,
        &usecases::ecs18b::SPEC,
        &usecases::ecs19::SPEC,
        &usecases::ecs27::SPEC,
        &usecases::ecs82::SPEC,
    ] {
        assert_eq!(spec.device_types, [D::Esme], "{}", spec.name);
        assert!(spec.allows(R::Supplier));
        assert!(!spec.critical);
    }
    for spec in [
        &usecases::gcs13b::SPEC,
        &usecases::gcs13c::SPEC,
        &usecases::gcs14::SPEC,
        &usecases::gcs60a::SPEC,
    ] {
        assert_eq!(spec.device_types, [D::Gsme, D::Gpf], "{}", spec.name);
    }
    assert_eq!(usecases::gcs60::SPEC.device_types, [D::Gsme]);
    // Export reads reach export suppliers through the ACB; sensitive reads do not.
    assert!(usecases::ecs17a::SPEC.allows(R::AccessControlBroker));
    assert!(usecases::ecs18a::SPEC.allows(R::AccessControlBroker));
    assert!(!usecases::ecs19::SPEC.allows(R::AccessControlBroker));
    assert!(!usecases::ecs17d::SPEC.allows(R::AccessControlBroker));
}
