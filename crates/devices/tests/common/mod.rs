//! Test fixtures: fresh parties and devices, command protection as the DCC does it, response
//! verification as the recipient does it, RTDS vectors and a structural comparison of payloads.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use devices::{
    DeviceIdentity, DeviceKind, DeviceState, EmulatedDevice, RemotePartyRole, TrustAnchor,
    TrustAnchors,
};
use gbcs::asn1::{Tlv, TlvValue};
use gbcs::axdr::Data;
use gbcs::crypto::KdfContext;
use gbcs::gbz::{GbzAlertBody, GbzBody, GbzPayload};
use gbcs::{
    Cra, Eui64, Frame, GeneralSigning, KaPrivateKey, OtherInfoExt, Payload, PublicKey,
    SignatureField, SigningKey, UtcDateTime, wrap_command,
};

pub const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
pub const NETWORK_OPERATOR: u64 = 0x90b3_d51f_3002_0000;
pub const ACB: u64 = 0x90b3_d51f_3000_0002;
pub const ROGUE: u64 = 0x90b3_d51f_3099_0000;
/// The load controller (RTDS 90-B3-D5-1F-30-01-00-08).
pub const LOAD_CONTROLLER: u64 = 0x90b3_d51f_3001_0008;
pub const ESME: u64 = 0x00db_1234_5678_90a0;
pub const GSME: u64 = 0x00db_1234_5678_90a1;
pub const CHF: u64 = 0x00db_1234_5678_90a2;
pub const GPF: u64 = 0x00db_1234_5678_90a3;
pub const PPMID: u64 = 0x00db_1234_5678_90a4;

pub fn pkcs8() -> Vec<u8> {
    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
        .expect("P-256 key generation")
        .as_ref()
        .to_vec()
}

/// A remote party (user or DCC role) with fresh keys.
pub struct Party {
    pub eui: Eui64,
    pub ds: SigningKey,
    pub ka: KaPrivateKey,
}

impl Party {
    pub fn new(eui: u64) -> Self {
        Self {
            eui: Eui64::from_u64(eui),
            ds: SigningKey::from_der(&pkcs8()).unwrap(),
            ka: KaPrivateKey::from_der(&pkcs8()).unwrap(),
        }
    }

    pub fn anchor(&self) -> TrustAnchor {
        TrustAnchor {
            eui: self.eui,
            ds_public: self.ds.public_key().unwrap().into(),
            ka_public: self.ka.public_key().unwrap().into(),
        }
    }
}

pub struct World {
    pub supplier: Party,
    pub network_operator: Party,
    pub acb: Party,
    pub rogue: Party,
    /// The load controller (ECS47e), an anchor of every device.
    pub load_controller: Party,
    pub now: UtcDateTime,
}

impl World {
    pub fn new() -> Self {
        Self {
            supplier: Party::new(SUPPLIER),
            network_operator: Party::new(NETWORK_OPERATOR),
            acb: Party::new(ACB),
            rogue: Party::new(ROGUE),
            load_controller: Party::new(LOAD_CONTROLLER),
            now: UtcDateTime::new(2015, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    pub fn anchors(&self) -> TrustAnchors {
        TrustAnchors::new()
            .with(RemotePartyRole::Supplier, self.supplier.anchor())
            .with(
                RemotePartyRole::NetworkOperator,
                self.network_operator.anchor(),
            )
            .with(RemotePartyRole::AccessControlBroker, self.acb.anchor())
            .with(
                RemotePartyRole::LoadController,
                self.load_controller.anchor(),
            )
    }

    pub fn device(&self, kind: DeviceKind, eui: u64) -> EmulatedDevice {
        let identity = DeviceIdentity {
            eui: Eui64::from_u64(eui),
            kind,
            ds_private_pkcs8: pkcs8(),
            ka_private_pkcs8: pkcs8(),
        };
        EmulatedDevice::new(identity, DeviceState::new(kind, self.now, self.anchors())).unwrap()
    }

    pub fn party(&self, eui: Eui64) -> &Party {
        [
            &self.supplier,
            &self.network_operator,
            &self.acb,
            &self.rogue,
            &self.load_controller,
        ]
        .into_iter()
        .find(|p| p.eui == eui)
        .expect("known party")
    }

    /// A non-critical command as the DCC sends it: ACB MAC (ACB KA × device KA).
    pub fn wan(&self, apdu: GeneralSigning, device: &EmulatedDevice) -> Vec<u8> {
        let peer = device.ka_public_key().unwrap();
        wrap_command(apdu, &self.acb.ka, peer.key())
            .unwrap()
            .encode()
    }

    /// A critical command: the pre-command signed by `signer`, then the ACB MAC.
    pub fn critical(
        &self,
        pre: GeneralSigning,
        signer: &Party,
        device: &EmulatedDevice,
    ) -> Vec<u8> {
        let signed = pre.sign(&signer.ds).unwrap();
        self.wan(signed, device)
    }
}

/// Opens a device response (or alert) as its recipient: checks the MAC (recipient KA private ×
/// device KA public) or the device signature, and returns the APDU.
pub fn open(bytes: &[u8], device: &EmulatedDevice, recipient: &Party) -> GeneralSigning {
    match Frame::decode(bytes).expect("device output decodes") {
        Frame::Ciphered(c) => {
            let key = recipient
                .ka
                .derive(
                    device.ka_public_key().unwrap().key(),
                    &KdfContext::for_mac(&c.apdu),
                )
                .unwrap();
            c.verify_mac(&key).expect("device MAC verifies");
            assert!(
                matches!(c.apdu.signature, SignatureField::Unsigned),
                "MAC'd message carries a null signature"
            );
            c.apdu
        }
        Frame::Signing(s) => {
            s.verify_signature(device.ds_public_key().unwrap().key())
                .expect("device signature verifies");
            s
        }
    }
}

pub fn corpus_root() -> PathBuf {
    match std::env::var_os("OPENDCC_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        )),
    }
}

/// The RTDS organisation root's public key (ZAZ1's `CN=ZA, OU=00`, the issuer of the RTDS
/// issuing CA `CN=Z1, OU=07` whose certificate the RTDS CS02b / CS02g commands carry as their
/// certification path). The corpus does not publish the root's certificate: this key was
/// recovered from the ECDSA signature of the Z1 certificate (of the two points public key
/// recovery yields, the one whose GBCS key identifier is Z1's authority key identifier,
/// `48CF1B32697C4669`; `credentials_krp::rtds_root` checks both facts).
pub const RTDS_ROOT_SEC1: &str = "040691e68b45c57e2ec7974ef6d1360a50da01576e0ee0b3b4c67f64127120e63f\
                              31771cc9dcbd5ae007d0c6170951d7035bcefc8b1f81805e0fd0f7a555dcca78";

/// The RTDS organisation root's Root cell ([`RTDS_ROOT_SEC1`]).
pub fn rtds_root_anchor() -> TrustAnchor {
    TrustAnchor::root(devices::PublicKeyBytes::from_sec1(&hex_decode(RTDS_ROOT_SEC1)).unwrap())
}

pub fn rtds(dir: &str, file: &str) -> Vec<u8> {
    let p = corpus_root().join("rtds/RTDS-4.5.0").join(dir).join(file);
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    hex_decode(s.trim())
}

pub fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// The DER of the PEM file `rtds/keystore/PATH` in the corpus.
pub fn pem(path: &str) -> Vec<u8> {
    let p = corpus_root().join("rtds/keystore").join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

/// Decrypts a protected block of an RTDS response with the corpus keys (recipient KA private
/// key × device KA certificate).
pub fn rtds_decrypt(apdu: &GeneralSigning, block: &[u8]) -> Vec<u8> {
    let ka = KaPrivateKey::from_der(&pem(&format!("{}-ka.key", apdu.recipient.to_hex()))).unwrap();
    let peer =
        PublicKey::from_certificate_der(&pem(&format!("{}-ka.pem", apdu.originator.to_hex())))
            .unwrap();
    decrypt_with(&ka, &peer, apdu, block)
}

pub fn decrypt_with(
    ka: &KaPrivateKey,
    peer: &PublicKey,
    apdu: &GeneralSigning,
    block: &[u8],
) -> Vec<u8> {
    let ctx = KdfContext {
        originator: apdu.originator,
        mode: gbcs::KdfMode::PayloadEncryption,
        counter: apdu.counter,
        recipient: apdu.recipient,
    };
    let key = ka.derive(peer, &ctx).unwrap();
    gbcs::decrypt_payload(&key, apdu.originator, block).expect("payload decrypts")
}

/// The protected block of an ECS17b or GCS13a response.
pub fn protected_block(apdu: &GeneralSigning) -> Vec<u8> {
    match apdu.payload() {
        Payload::AccessResponse(r) => match r.data.first() {
            Some(Data::Structure(v)) => match v.get(1) {
                Some(Data::OctetString(b)) => b.clone(),
                other => panic!("no protected block: {other:?}"),
            },
            other => panic!("no protected attributes: {other:?}"),
        },
        Payload::Gbz(GbzPayload::Components { components, .. }) => match &components[0].body {
            GbzBody::Encrypted { protected, .. } => protected.clone(),
            b => panic!("not encrypted: {b:?}"),
        },
        p => panic!("unexpected payload {p:?}"),
    }
}

/// A value-free description of an A-XDR value.
fn data_shape(d: &Data) -> String {
    match d {
        Data::Null => "null".into(),
        Data::Array(v) => format!(
            "[{}]",
            v.iter().map(data_shape).collect::<Vec<_>>().join(",")
        ),
        Data::Structure(v) => format!(
            "({})",
            v.iter().map(data_shape).collect::<Vec<_>>().join(",")
        ),
        Data::OctetString(b) => format!("os{}", b.len()),
        Data::Boolean(_) => "bool".into(),
        Data::DoubleLongUnsigned(_) => "u32".into(),
        Data::DoubleLong(_) => "i32".into(),
        Data::Enum(_) => "enum".into(),
        Data::Unsigned(_) => "u8".into(),
        Data::Integer(_) => "i8".into(),
        Data::LongUnsigned(_) => "u16".into(),
        // Profiles (reads): the columns, not the entries.
        Data::CompactArray { description, .. } => format!("compact{description:?}"),
        other => format!("{other:?}"),
    }
}

/// Records of a ZCL Read Attributes Response: (attribute id, status, type).
pub fn zcl_records(mut p: &[u8]) -> Vec<(u16, u8, Option<u8>)> {
    let mut out = Vec::new();
    while p.len() >= 3 {
        let id = u16::from_le_bytes([p[0], p[1]]);
        let status = p[2];
        p = &p[3..];
        if status != 0 {
            out.push((id, status, None));
            continue;
        }
        let ty = p[0];
        let len = match ty {
            0x21 | 0x19 => 2,
            0x22 => 3,
            0x25 => 6,
            0x30 => 1,
            // Price and Prepayment attributes (reads): bitmap8, uint32, int32, octet string.
            0x18 | 0x20 => 1,
            0x23 | 0x2B => 4,
            0x41 | 0x42 => 1 + usize::from(p[1]),
            t => panic!("type {t:#x}"),
        };
        p = &p[1 + len..];
        out.push((id, status, Some(ty)));
    }
    assert!(p.is_empty(), "trailing record bytes");
    out
}

fn tlv_shape(t: &Tlv) -> String {
    match &t.value {
        TlvValue::Primitive(v) => format!("{:02x?}:{}", t.tag, v.len()),
        TlvValue::Constructed(c) => format!(
            "{:02x?}{{{}}}",
            t.tag,
            c.iter().map(tlv_shape).collect::<Vec<_>>().join(",")
        ),
    }
}

/// A description of a payload's structure: everything but values that legitimately differ
/// (registers, times, ciphertexts, firmware bytes). Result codes and ZCL commands are kept.
pub fn payload_shape(cra: Cra, content: &[u8]) -> String {
    match Payload::decode(cra, content) {
        Payload::AccessResponse(r) => format!(
            "DA invoke={:02x} dt={} specs={:?} data=[{}] results={:?}",
            r.invoke_id >> 24,
            r.date_time.len(),
            r.request_specs,
            r.data.iter().map(data_shape).collect::<Vec<_>>().join(","),
            r.results
        ),
        Payload::DataNotification(n) => format!(
            "0F invoke={:02x} dt={} body={} code={:?}",
            n.invoke_id >> 24,
            n.date_time.len(),
            data_shape(&n.body),
            n.alert_code()
        ),
        Payload::Gbz(GbzPayload::Components { components, .. }) => {
            let comps: Vec<String> = components
                .iter()
                .map(|c| match &c.body {
                    GbzBody::Plain {
                        from_date_time,
                        zcl,
                    } => {
                        let payload = if zcl.command == 0x01 && zcl.frame_control & 0x03 == 0 {
                            format!("{:?}", zcl_records(&zcl.payload))
                        } else if zcl.command == 0x0B {
                            format!("{:02x?}", zcl.payload)
                        } else {
                            format!("len{}", zcl.payload.len())
                        };
                        format!(
                            "plain ctl={:02x} cl={:04x} fdt={} fc={:02x} seq={} cmd={:02x} {payload}",
                            c.control,
                            c.cluster,
                            from_date_time.is_some(),
                            zcl.frame_control,
                            zcl.sequence,
                            zcl.command
                        )
                    }
                    GbzBody::Encrypted {
                        additional_header_control,
                        additional_frame_counter,
                        frame_control,
                        sequence,
                        command,
                        protected,
                        ..
                    } => format!(
                        "enc ctl={:02x} cl={:04x} ahc={additional_header_control} afc={additional_frame_counter} fc={frame_control:02x} seq={sequence} cmd={command:02x} len{}",
                        c.control,
                        c.cluster,
                        protected.len()
                    ),
                })
                .collect();
            format!("GBZ {}", comps.join(" | "))
        }
        Payload::Gbz(GbzPayload::Alert {
            component_count,
            alert_code,
            body,
            ..
        }) => format!(
            "GBZ-alert n={component_count} code={alert_code:?} body={}",
            match body {
                GbzAlertBody::Raw(b) => format!("raw{}", b.len()),
                other => format!("{other:?}"),
            }
        ),
        Payload::Asn1(v) => format!(
            "ASN1 {}",
            v.iter().map(tlv_shape).collect::<Vec<_>>().join(",")
        ),
        other => format!("{other:?}"),
    }
}

/// Frame-level structure: wrapper, CRA, date-time presence, message code, other-info form,
/// signature kind.
pub fn frame_shape(bytes: &[u8]) -> String {
    let f = Frame::decode(bytes).unwrap();
    let a = f.apdu();
    let ext = match &a.other_info.ext {
        OtherInfoExt::None => "none",
        OtherInfoExt::RemoteParty { .. } => "rp",
        OtherInfoExt::RemotePartyCounter { .. } => "rp+counter",
        OtherInfoExt::OriginatorCounter { .. } => "rp+counters",
        OtherInfoExt::Certificate { .. } => "cert",
        OtherInfoExt::Unrecognised(_) => "other",
    };
    format!(
        "{} cra={:?} dt={} code={:?} oi={ext} sig={}",
        if matches!(f, Frame::Ciphered(_)) {
            "DD"
        } else {
            "DF"
        },
        a.cra,
        a.date_time.is_some(),
        a.message_code(),
        match a.signature {
            SignatureField::Absent => "absent",
            SignatureField::Unsigned => "00",
            SignatureField::Signed(_) => "signed",
        }
    )
}

/// Asserts our message has the RTDS vector's structure.
pub fn assert_same_structure(ours: &[u8], rtds_bytes: &[u8], what: &str) {
    assert_eq!(frame_shape(ours), frame_shape(rtds_bytes), "{what}: frame");
    let o = Frame::decode(ours).unwrap();
    let r = Frame::decode(rtds_bytes).unwrap();
    assert_eq!(
        payload_shape(o.apdu().cra, &o.apdu().content),
        payload_shape(r.apdu().cra, &r.apdu().content),
        "{what}: payload"
    );
}

/// Asserts a device's failure answer has the layout of the RTDS ERROR vector `dir/file`: same
/// frame (wrapper, date-time presence, message code, other-information form, signature kind),
/// same payload structure (DLMS result kinds and codes per request and data items; GBZ
/// components, ZCL commands and statuses; ASN.1 tags and lengths), and both decode with the
/// `gbcs` catalogue to the same [`gbcs::usecases::Failure`] and classify alike. Values that
/// legitimately differ (counters, dates, registers, ciphertext) are not compared.
pub fn assert_failure_like_rtds(ours: &[u8], dir: &str, file: &str) -> gbcs::usecases::Failure {
    let theirs = rtds(dir, file);
    assert_same_structure(ours, &theirs, file);
    let decode = |b: &[u8]| {
        let f = Frame::decode(b).unwrap();
        let a = f.apdu();
        let outcome = gbcs::usecases::decode_response(a.message_code(), &a.content)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let class = gbcs::usecases::classify_response(a.message_code(), &a.content);
        (outcome, class)
    };
    let (ours_outcome, ours_class) = decode(ours);
    let (rtds_outcome, rtds_class) = decode(&theirs);
    assert_eq!(ours_outcome, rtds_outcome, "{file}: decoded outcome");
    assert_eq!(ours_class, rtds_class, "{file}: classification");
    match ours_outcome {
        gbcs::usecases::ResponseOutcome::Failure(f) => f,
        other => panic!("{file}: RTDS ERROR vector decodes as {other:?}"),
    }
}
