//! The renderer and the correlation never panic: arbitrary bytes, and arbitrary payloads under
//! every catalogued message code as responses and alerts (with and without keys).
#![allow(clippy::unwrap_used)]

use gbcs::frame::{GeneralSigning, OtherInfo, OtherInfoExt, SignatureField};
use gbcs::{Cra, Eui64, KaPrivateKey, MessageCode, PublicKey};
use proptest::prelude::*;

fn apdu(cra: Cra, code: u16, counter: u64, content: Vec<u8>) -> GeneralSigning {
    GeneralSigning {
        cra,
        counter,
        originator: Eui64::from_u64(0x00db_1234_5678_90a0),
        recipient: Eui64::from_u64(0x90b3_d51f_3001_0000),
        date_time: None,
        other_info: OtherInfo {
            message_code: MessageCode(code),
            ext: OtherInfoExt::None,
        },
        content,
        signature: SignatureField::Unsigned,
    }
}

/// A payload that starts like a real one of some family, then anything.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop_oneof![
        Just(vec![]),
        Just(vec![0xDA, 0x20, 0x00, 0x00, 0x00, 0x01]),
        Just(vec![0x0F, 0x00, 0x00, 0x00, 0x01, 0x00]),
        Just(vec![0x01, 0x09]),
        Just(vec![0x30]),
    ];
    (prefix, proptest::collection::vec(any::<u8>(), 0..200)).prop_map(|(mut p, t)| {
        p.extend(t);
        p
    })
}

fn keys() -> (KaPrivateKey, PublicKey) {
    // Any valid P-256 pair: the key will not open anything, which is the point.
    let der = hex::decode(concat!(
        "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420",
        "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721a14403420004",
        "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8",
        "bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
    ))
    .unwrap();
    let k = KaPrivateKey::from_der(&der).unwrap();
    let spki = hex::decode(concat!(
        "3059301306072a8648ce3d020106082a8648ce3d03010703420004",
        "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8",
        "bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
    ))
    .unwrap();
    (k, PublicKey::from_spki_der(&spki).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = mmc::render(&bytes, &mmc::Context::default());
    }

    #[test]
    fn arbitrary_payloads_of_every_use_case_never_panic(
        i in 0usize..64,
        alert in any::<bool>(),
        with_keys in any::<bool>(),
        counter in any::<u64>(),
        content in payload(),
    ) {
        let codes: Vec<u16> = gbcs::usecases::ALL
            .iter()
            .map(|s| s.message_code.0)
            .chain([0x1000, 0x1001, 0x00CC, 0x00CD, 0xFFFF])
            .collect();
        let code = codes[i % codes.len()];
        let a = apdu(if alert { Cra::Alert } else { Cra::Response }, code, counter, content);
        let (k, p) = keys();
        let ctx = mmc::Context {
            service_reference: None,
            service_reference_variant: Some("8.1.1"),
            keys: with_keys.then_some(mmc::Keys { requester_ka: &k, device_ka: &p }),
        };
        if let Ok(r) = mmc::render_apdu(&a, false, &ctx) {
            prop_assert!(r.xml.starts_with("<?xml"));
            prop_assert!(r.xml.trim_end().ends_with("</ra:GBCSResponse>"));
        }
        // Correlation of arbitrary commands against a request never panics either.
        let cmd = GeneralSigning { cra: Cra::Command, ..a };
        let req = duis::parse_request(REQUEST.as_bytes()).unwrap();
        let _ = mmc::correlate::correlate(&req, None, &cmd);
    }
}

const REQUEST: &str = concat!(
    r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
    "<sr:Header><sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000</sr:RequestID>",
    "<sr:CommandVariant>4</sr:CommandVariant><sr:ServiceReference>8.1</sr:ServiceReference>",
    "<sr:ServiceReferenceVariant>8.1.1</sr:ServiceReferenceVariant></sr:Header><sr:Body>",
    "<sr:CommissionDeviceSynchroniseClock><sr:CurrentDateTime>2014-12-31T23:30:00Z</sr:CurrentDateTime>",
    "<sr:TolerancePeriod>3600</sr:TolerancePeriod></sr:CommissionDeviceSynchroniseClock></sr:Body></sr:Request>"
);

/// Arbitrary decoded values, of every kind the `gbcs` decoders produce.
fn value() -> impl Strategy<Value = gbcs::usecases::ResponseValue> {
    use gbcs::usecases::{AttributeRecord, ResponseValue, SupplyStatusResponse};
    let bytes = proptest::collection::vec(any::<u8>(), 0..80);
    prop_oneof![
        Just(ResponseValue::Done),
        bytes.clone().prop_map(ResponseValue::FirmwareVersion),
        any::<u8>().prop_map(ResponseValue::ControlState),
        proptest::collection::vec(
            (
                any::<u16>(),
                any::<u8>(),
                proptest::collection::vec(any::<u8>(), 0..10)
            ),
            0..6
        )
        .prop_map(|v| ResponseValue::Attributes(
            v.into_iter()
                .map(|(id, data_type, value)| AttributeRecord {
                    id,
                    data_type,
                    value
                })
                .collect()
        )),
        bytes.prop_map(ResponseValue::Protected),
        (0i64..8_000_000_000).prop_map(|s| ResponseValue::ClockSet {
            device_time: gbcs::UtcDateTime::from_unix(s)
                .unwrap_or_else(|| gbcs::UtcDateTime::from_unix(0).unwrap()),
        }),
        proptest::collection::vec(dlms_data(), 0..10).prop_map(ResponseValue::DlmsValues),
        proptest::collection::vec(cluster_read(), 0..4).prop_map(ResponseValue::ClusterReads),
        (any::<u32>(), any::<i8>(), any::<u8>(), any::<u32>()).prop_map(
            |(power, scaler, unit, second)| {
                ResponseValue::ActivePowerImport(gbcs::usecases::ActivePowerImport {
                    power,
                    scaler,
                    unit,
                    second,
                })
            }
        ),
        (any::<u16>()).prop_map(ResponseValue::SampleId),
        proptest::collection::vec((any::<u16>(), any::<u8>()), 0..50)
            .prop_map(ResponseValue::EventConfigurations),
        proptest::collection::vec(
            (
                any::<u32>(),
                any::<u16>(),
                proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8))
            ),
            0..6
        )
        .prop_map(|v| ResponseValue::EventLogEntries(
            v.into_iter()
                .map(|(time, code, data)| gbcs::usecases::EventLogEntry { time, code, data })
                .collect()
        )),
        proptest::collection::vec(
            (any::<u32>(), proptest::collection::vec(any::<u32>(), 0..4)),
            0..6
        )
        .prop_map(|v| ResponseValue::LogEntries(
            v.into_iter()
                .map(|(time, values)| gbcs::usecases::LogEntry { time, values })
                .collect()
        )),
        proptest::collection::vec(
            (
                prop_oneof![Just(0x0702u16), Just(0x0705), any::<u16>()],
                any::<u8>(),
                proptest::collection::vec(any::<u8>(), 0..60),
                0u8..3
            ),
            0..5
        )
        .prop_map(|v| ResponseValue::GbzLog(
            v.into_iter()
                .map(|(cluster, command, bytes, kind)| {
                    use gbcs::usecases::GbzLogPart;
                    match kind {
                        0 => GbzLogPart::Protected {
                            cluster,
                            command,
                            block: bytes,
                        },
                        1 => GbzLogPart::Plain {
                            cluster,
                            command,
                            payload: bytes,
                        },
                        _ => GbzLogPart::NotFound { cluster, command },
                    }
                })
                .collect()
        )),
        (
            any::<u16>(),
            any::<u32>(),
            any::<u16>(),
            proptest::collection::vec(0u32..0x0100_0000, 0..50)
        )
            .prop_map(|(sample_id, start, interval, samples)| {
                ResponseValue::SampledData(gbcs::usecases::SampledData {
                    sample_id,
                    sample_start_time: start,
                    sample_type: 0,
                    sample_request_interval: interval,
                    samples,
                })
            }),
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<u8>()).prop_map(|(p, e, t, s)| {
            ResponseValue::SupplyStatus(SupplyStatusResponse {
                provider_id: p,
                issuer_event_id: e,
                implementation_date_time: t,
                supply_status: s,
            })
        }),
        (any::<u8>(), any::<i32>(), any::<u8>(), any::<i32>()).prop_map(|(r, v, s, c)| {
            ResponseValue::TopUp(gbcs::usecases::TopUpResponse {
                result: r,
                value: v,
                source: s,
                credit_remaining: c,
            })
        }),
    ]
}

/// Arbitrary DLMS data: integers, scaler-units, date-times, times, booleans, nested.
fn dlms_data() -> impl Strategy<Value = gbcs::axdr::Data> {
    use gbcs::axdr::Data;
    let leaf = prop_oneof![
        Just(Data::Null),
        any::<u32>().prop_map(Data::DoubleLongUnsigned),
        any::<i32>().prop_map(Data::DoubleLong),
        any::<u16>().prop_map(Data::LongUnsigned),
        any::<i64>().prop_map(Data::Long64),
        any::<u8>().prop_map(Data::Boolean),
        any::<u8>().prop_map(Data::Enum),
        (any::<i8>(), any::<u8>())
            .prop_map(|(s, u)| Data::Structure(vec![Data::Integer(s), Data::Enum(u)])),
        proptest::collection::vec(any::<u8>(), 0..14).prop_map(Data::OctetString),
    ];
    leaf.prop_recursive(3, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Data::Array),
            proptest::collection::vec(inner, 0..8).prop_map(Data::Structure),
        ]
    })
}

/// An arbitrary component of a multi-component GBZ read.
fn cluster_read() -> impl Strategy<Value = gbcs::usecases::ClusterRead> {
    use gbcs::usecases::{AttributeRecord, ClusterRead, ClusterReadValue};
    let records = proptest::collection::vec(
        (
            prop_oneof![Just(0x0001u16), Just(0x0A00), Just(0x0005), any::<u16>()],
            prop_oneof![Just(0x23u8), Just(0x2B), any::<u8>()],
            proptest::collection::vec(any::<u8>(), 0..9),
        ),
        0..6,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(id, data_type, value)| AttributeRecord {
                id,
                data_type,
                value,
            })
            .collect()
    });
    (
        prop_oneof![Just(0x0702u16), Just(0x0705), Just(0x0700), any::<u16>()],
        prop_oneof![
            records.prop_map(ClusterReadValue::Records),
            proptest::collection::vec(any::<u8>(), 0..60).prop_map(ClusterReadValue::Protected),
        ],
    )
        .prop_map(|(cluster, value)| ClusterRead { cluster, value })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn every_mapping_takes_any_decoded_value(v in value(), with_keys in any::<bool>()) {
        let (k, p) = keys();
        let a = apdu(Cra::Response, 0x0027, 1, vec![]);
        let ctx = mmc::response::ResponseCtx {
            apdu: &a,
            keys: with_keys.then_some(mmc::Keys { requester_ka: &k, device_ka: &p }),
        };
        for m in mmc::response::MAPPINGS {
            let _ = (m.render)(&ctx, &v);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The sensitive mappings open the block (the same key pair on both sides) and then face
    /// arbitrary plaintext: they never panic on it.
    #[test]
    fn opened_blocks_with_any_plaintext_never_panic(
        prefix in prop_oneof![
            Just(vec![]),
            Just(vec![0x02, 0x04, 0x06]),
            Just(vec![0x01, 0x01, 0x02, 0x04]),
            Just(vec![0x00, 0x00, 0x00, 0x25]),
            // A snapshot header (payload types 0 and 6) and a debt log.
            Just(vec![0, 0, 0, 0, 0x10, 0x26, 0x35, 0x1C, 1, 0, 1, 1, 0, 0, 0, 6]),
            Just(vec![0, 0, 0, 0, 0x10, 0x26, 0x35, 0x1C, 1, 0, 1, 1, 0, 0, 0, 0]),
            Just(vec![0, 1]),
        ],
        tail in proptest::collection::vec(any::<u8>(), 0..60),
    ) {
        let (k, p) = keys();
        let mut plain = prefix;
        plain.extend(tail);
        let a = apdu(Cra::Response, 0x0027, 7, vec![]);
        let key = k
            .derive(
                &p,
                &gbcs::KdfContext {
                    originator: a.originator,
                    mode: gbcs::KdfMode::PayloadEncryption,
                    counter: a.counter,
                    recipient: a.recipient,
                },
            )
            .unwrap();
        let block = gbcs::encrypt_payload(&key, a.originator, 0, &plain).unwrap();
        let ctx = mmc::response::ResponseCtx {
            apdu: &a,
            keys: Some(mmc::Keys { requester_ka: &k, device_ka: &p }),
        };
        prop_assert_eq!(ctx.open(&block).unwrap(), plain);
        use gbcs::usecases::{ClusterRead, ClusterReadValue, GbzLogPart, ResponseValue};
        let values = [
            ResponseValue::GbzLog(
                [(0x0702, 0x06), (0x0705, 0x01), (0x0705, 0x06), (0x0702, 0x07)]
                    .into_iter()
                    .map(|(cluster, command)| GbzLogPart::Protected {
                        cluster,
                        command,
                        block: block.clone(),
                    })
                    .collect(),
            ),
            ResponseValue::ClusterReads(vec![ClusterRead {
                cluster: 0x0705,
                value: ClusterReadValue::Protected(block.clone()),
            }]),
            ResponseValue::Protected(block),
        ];
        for v in &values {
            for m in mmc::response::MAPPINGS {
                let _ = (m.render)(&ctx, v);
            }
        }
    }
}
