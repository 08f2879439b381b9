//! Property tests: decoders never panic on arbitrary bytes; whatever they accept re-encodes to the
//! same bytes; generated frames and values survive encode → decode.

#![allow(clippy::unwrap_used)]

use gbcs::asn1::{Tlv, TlvValue};
use gbcs::axdr::Data;
use gbcs::frame::{GeneralCiphering, GeneralSigning, OtherInfo, OtherInfoExt, SignatureField};
use gbcs::{Cra, Eui64, Frame, MessageCode, Payload};
use proptest::prelude::*;

const ECS52: &str = "DD000000000000471100000000DF090100000000000003E80890B3D51F300100000800DB1234567890A00002005913D9200003E800010100010000000201FF02010000A25A51A93BAFA5C9E2B224BD";

fn eui() -> impl Strategy<Value = Eui64> {
    any::<u64>().prop_map(Eui64::from_u64)
}

fn cra() -> impl Strategy<Value = Cra> {
    prop_oneof![Just(Cra::Command), Just(Cra::Response), Just(Cra::Alert)]
}

fn other_info_ext() -> impl Strategy<Value = OtherInfoExt> {
    prop_oneof![
        Just(OtherInfoExt::None),
        eui().prop_map(|remote_party| OtherInfoExt::RemoteParty { remote_party }),
        (eui(), any::<u64>()).prop_map(|(remote_party, remote_party_counter)| {
            OtherInfoExt::RemotePartyCounter {
                remote_party,
                remote_party_counter,
            }
        }),
        (eui(), any::<u64>(), any::<u64>()).prop_map(
            |(remote_party, remote_party_counter, originator_counter)| {
                OtherInfoExt::OriginatorCounter {
                    remote_party,
                    remote_party_counter,
                    originator_counter,
                }
            }
        ),
        // A DER SEQUENCE of 10..400 bytes (never the 8-byte size of the 26-byte layout).
        (
            eui(),
            any::<u64>(),
            proptest::collection::vec(any::<u8>(), 8..400)
        )
            .prop_map(|(remote_party, remote_party_counter, body)| {
                let certificate = Tlv::constructed(0x30, vec![Tlv::primitive(0x04, body)]).encode();
                OtherInfoExt::Certificate {
                    remote_party,
                    remote_party_counter,
                    certificate,
                }
            }),
        // Lengths that fit no known layout.
        proptest::collection::vec(any::<u8>(), 1..8).prop_map(OtherInfoExt::Unrecognised),
    ]
}

fn signature() -> impl Strategy<Value = SignatureField> {
    prop_oneof![
        Just(SignatureField::Absent),
        Just(SignatureField::Unsigned),
        proptest::array::uniform32(any::<u8>()).prop_map(|h| {
            let mut s = [0u8; 64];
            s[..32].copy_from_slice(&h);
            s[32..].copy_from_slice(&h);
            SignatureField::Signed(s)
        }),
    ]
}

prop_compose! {
    fn general_signing()(
        cra in cra(),
        counter in any::<u64>(),
        originator in eui(),
        recipient in eui(),
        date_time in proptest::option::of(proptest::array::uniform12(any::<u8>())),
        code in any::<u16>(),
        ext in other_info_ext(),
        content in proptest::collection::vec(any::<u8>(), 0..600),
        signature in signature(),
    ) -> GeneralSigning {
        GeneralSigning {
            cra, counter, originator, recipient, date_time,
            other_info: OtherInfo { message_code: MessageCode(code), ext },
            content, signature,
        }
    }
}

fn data() -> impl Strategy<Value = Data> {
    let leaf = prop_oneof![
        Just(Data::Null),
        any::<u8>().prop_map(Data::Boolean),
        any::<i32>().prop_map(Data::DoubleLong),
        any::<u32>().prop_map(Data::DoubleLongUnsigned),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Data::OctetString),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(Data::VisibleString),
        any::<i8>().prop_map(Data::Integer),
        any::<i16>().prop_map(Data::Long),
        any::<u8>().prop_map(Data::Unsigned),
        any::<u16>().prop_map(Data::LongUnsigned),
        any::<i64>().prop_map(Data::Long64),
        any::<u64>().prop_map(Data::Long64Unsigned),
        any::<u8>().prop_map(Data::Enum),
        proptest::array::uniform12(any::<u8>()).prop_map(Data::DateTime),
        (0usize..40).prop_flat_map(
            |bits| proptest::collection::vec(any::<u8>(), bits.div_ceil(8))
                .prop_map(move |bytes| Data::BitString { bits, bytes })
        ),
        Just(Data::DontCare),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Data::Array),
            proptest::collection::vec(inner, 0..8).prop_map(Data::Structure),
        ]
    })
}

fn tlv() -> impl Strategy<Value = Tlv> {
    let leaf = (
        prop_oneof![Just(0x02u8), Just(0x04), Just(0x05), Just(0x18), Just(0x80)],
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(|(t, v)| Tlv::primitive(t, v));
    leaf.prop_recursive(4, 32, 6, |inner| {
        (
            prop_oneof![Just(0x30u8), Just(0x31), Just(0xA0)],
            proptest::collection::vec(inner, 0..6),
        )
            .prop_map(|(t, c)| Tlv::constructed(t, c))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn frame_decoder_never_panics_and_accepts_only_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(f) = Frame::decode(&bytes) {
            prop_assert_eq!(f.encode(), bytes);
        }
    }

    #[test]
    fn frame_decoder_survives_mutations_of_a_real_vector(pos in 0usize..79, val in any::<u8>(), cut in 0usize..80) {
        let mut bytes = hex::decode(ECS52).unwrap();
        bytes[pos] = val;
        bytes.truncate(cut.max(1));
        if let Ok(f) = Frame::decode(&bytes) {
            prop_assert_eq!(f.encode(), bytes);
        }
    }

    #[test]
    fn payload_decode_then_encode_is_identity(cra in cra(), bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let p = Payload::decode(cra, &bytes);
        prop_assert_eq!(p.encode().unwrap(), bytes);
    }

    #[test]
    fn payload_prefixed_bytes_round_trip(tag in prop_oneof![Just(vec![0xD9u8]), Just(vec![0xDA]), Just(vec![0x0F]), Just(vec![0x01, 0x09]), Just(vec![0x30])],
                                         cra in cra(),
                                         rest in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = tag;
        bytes.extend(rest);
        let p = Payload::decode(cra, &bytes);
        prop_assert_eq!(p.encode().unwrap(), bytes);
    }

    #[test]
    fn generated_general_signing_round_trips(apdu in general_signing()) {
        let bytes = apdu.encode();
        let back = GeneralSigning::decode(&bytes).unwrap();
        prop_assert_eq!(&back, &apdu);
        prop_assert_eq!(back.encode(), bytes);
    }

    #[test]
    fn generated_general_ciphering_round_trips(apdu in general_signing(), sc in any::<u8>(), ic in any::<u32>(), mac in proptest::array::uniform12(any::<u8>())) {
        let c = GeneralCiphering { security_control: sc, invocation_counter: ic, apdu, mac };
        let bytes = c.encode();
        prop_assert_eq!(Frame::decode(&bytes).unwrap(), Frame::Ciphered(c));
    }

    #[test]
    fn generated_axdr_round_trips(d in data()) {
        let bytes = d.encode();
        prop_assert_eq!(Data::decode(&bytes).unwrap(), d);
    }

    #[test]
    fn generated_der_round_trips(t in tlv()) {
        let bytes = t.encode();
        let back = Tlv::decode(&bytes).unwrap();
        prop_assert_eq!(&back, &t);
        if let TlvValue::Constructed(c) = &back.value {
            prop_assert!(c.len() <= 6);
        }
    }
}

/// A catalogued command built by its builder, for mutation.
fn catalogued_command(i: usize, counter: u64) -> GeneralSigning {
    use gbcs::usecases::{self as uc, CommandHeader, DeviceLogAddition};
    let h = CommandHeader::new(Eui64::from_u64(1), Eui64::from_u64(2), counter);
    let now = gbcs::UtcDateTime::new(2020, 1, 1, 0, 0, 0).unwrap();
    match i % 14 {
        0 => uc::ecs52_read_firmware_version(&h),
        1 => uc::gcs38_read_firmware_version(&h).unwrap(),
        2 => uc::cs08_read_firmware_version(&h),
        3 => uc::ecs45_read_supply_status(&h),
        4 => uc::gcs33_read_supply_status(&h).unwrap(),
        5 => uc::ecs17b_read_import_energy_registers(&h),
        6 => uc::gcs13a_read_import_register(&h).unwrap(),
        7 => uc::ecs42_enable_supply(&h),
        8 => uc::ecs43_disable_supply(&h),
        9 => uc::gcs32_disable_supply(&h, 5).unwrap(),
        10 => uc::ecs70_set_clock(&h, now, 60).unwrap(),
        11 => uc::gcs28_set_clock(&h, now, 60).unwrap(),
        12 => uc::ccs01_add_device_to_chf_device_log(
            &h,
            &DeviceLogAddition::new(Eui64::from_u64(3), vec![1; 16], 60),
        ),
        _ => uc::ccs02_remove_device_from_chf_device_log(&h, Eui64::from_u64(3)),
    }
}

proptest! {
    #[test]
    fn decode_command_never_panics_on_arbitrary_content(
        i in 0usize..14,
        counter in any::<u64>(),
        content in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut apdu = catalogued_command(i, counter);
        apdu.content = content;
        let _ = gbcs::decode_command(&apdu);
        let _ = gbcs::usecases::decode_response(apdu.message_code(), &apdu.content);
        let _ = gbcs::classify_response(apdu.message_code(), &apdu.content);
    }

    #[test]
    fn decode_command_never_panics_on_mutated_commands(
        i in 0usize..14,
        counter in any::<u64>(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        let mut apdu = catalogued_command(i, counter);
        prop_assert!(gbcs::decode_command(&apdu).is_ok());
        for (at, x) in flips {
            let n = apdu.content.len();
            if let Some(b) = apdu.content.get_mut(at % n) {
                *b ^= x;
            }
        }
        let _ = gbcs::decode_command(&apdu);
        let n = apdu.content.len();
        apdu.content.truncate(cut % (n + 1));
        let _ = gbcs::decode_command(&apdu);
        let _ = gbcs::classify_response(apdu.message_code(), &apdu.content);
    }

    #[test]
    fn decode_command_never_panics_on_arbitrary_frames(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(f) = Frame::decode(&bytes) {
            let _ = gbcs::decode_command(f.apdu());
        }
        let _ = gbcs::classify_response(MessageCode::CS08, &bytes);
    }
}
