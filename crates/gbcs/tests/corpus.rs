//! Every RTDS 4.5.0 vector: decodes with no leftover bytes, re-encodes to the identical bytes,
//! its payload decodes with a typed codec and re-encodes identically, every MAC the corpus keys
//! can check verifies (811), every signature verifies (472), and a one-byte change in the payload
//! breaks each of them.

#![allow(clippy::unwrap_used)]

mod common;

use common::Keystore;
use gbcs::crypto::KdfContext;
use gbcs::{Cra, CryptoError, Frame, GeneralCiphering, GeneralSigning, Payload, SignatureField};

/// Is the entity a device (EUI-64s under the `00-DB-12` test prefix)?
fn is_device(e: &gbcs::Eui64) -> bool {
    e.0[..3] == [0x00, 0xdb, 0x12]
}

/// `Ok(true)` verified, `Ok(false)` no key to check it, `Err` failed with every key tried.
fn check_mac(ks: &Keystore, c: &GeneralCiphering) -> Result<bool, CryptoError> {
    let a = &c.apdu;
    let ctx = KdfContext::for_mac(a);
    match a.cra {
        Cra::Command => {
            // The DCC (ACB) protects every command not originated by a device.
            if is_device(&a.originator) {
                return Ok(false);
            }
            let Some(peer) = ks.ka_public.get(&a.recipient) else {
                return Ok(false);
            };
            let key = ks.acb_ka().derive(peer, &ctx)?;
            c.verify_mac(&key).map(|()| true)
        }
        Cra::Response | Cra::Alert => {
            let (Some(privs), Some(peer)) = (
                ks.ka_private.get(&a.recipient),
                ks.ka_public.get(&a.originator),
            ) else {
                return Ok(false);
            };
            let mut last = Err(CryptoError::BadMac);
            for p in privs {
                let key = p.derive(peer, &ctx)?;
                last = c.verify_mac(&key);
                if last.is_ok() {
                    return Ok(true);
                }
            }
            last.map(|()| true)
        }
    }
}

fn check_sig(ks: &Keystore, a: &GeneralSigning) -> Result<bool, CryptoError> {
    if !matches!(a.signature, SignatureField::Signed(_)) {
        return Ok(false);
    }
    let key = ks
        .ds_public
        .get(&a.originator)
        .expect("DS certificate of every signer");
    a.verify_signature(key).map(|()| true)
}

fn tamper(frame: &Frame) -> Frame {
    let mut f = frame.clone();
    let apdu = match &mut f {
        Frame::Ciphered(c) => &mut c.apdu,
        Frame::Signing(s) => s,
    };
    let last = apdu.content.len() - 1;
    apdu.content[last] ^= 0x01;
    f
}

#[test]
fn every_rtds_vector_round_trips_and_verifies() {
    let ks = Keystore::load();
    let files = common::all_vectors();
    assert_eq!(files.len(), 1275, "RTDS 4.5.0 has 1,275 vectors");
    let (mut macs, mut sigs, mut raw_payloads) = (0usize, 0usize, Vec::new());
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let bytes = common::read_hex(path);
        let frame = Frame::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(frame.encode(), bytes, "{name}: re-encoding differs");
        let apdu = frame.apdu();
        let payload = apdu.payload();
        if matches!(payload, Payload::Raw(_)) {
            raw_payloads.push(name.to_string());
        }
        assert_eq!(
            payload.encode().unwrap(),
            apdu.content,
            "{name}: payload re-encoding differs"
        );

        let tampered = tamper(&frame);
        if let Frame::Ciphered(c) = &frame {
            match check_mac(&ks, c) {
                Ok(true) => {
                    macs += 1;
                    let Frame::Ciphered(t) = &tampered else {
                        unreachable!()
                    };
                    assert_eq!(
                        check_mac(&ks, t),
                        Err(CryptoError::BadMac),
                        "{name}: tampered MAC verified"
                    );
                }
                Ok(false) => {}
                Err(e) => panic!("{name}: MAC {e}"),
            }
        }
        match check_sig(&ks, apdu) {
            Ok(true) => {
                sigs += 1;
                assert_eq!(
                    check_sig(&ks, tampered.apdu()),
                    Err(CryptoError::BadSignature),
                    "{name}: tampered signature verified"
                );
            }
            Ok(false) => {}
            Err(e) => panic!("{name}: signature {e}"),
        }
    }
    println!(
        "{} vectors, {macs} MACs verified, {sigs} signatures verified",
        files.len()
    );
    assert!(
        raw_payloads.is_empty(),
        "payloads no codec accepted: {raw_payloads:?}"
    );
    assert_eq!(macs, 811, "verifiable MACs");
    assert_eq!(sigs, 472, "signatures");
}

#[test]
fn kinds_match_the_file_names() {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for path in common::all_vectors() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let frame = Frame::decode(&common::read_hex(&path)).unwrap();
        let a = frame.apdu();
        let kind = if name.contains("_PRECOMMAND_") {
            assert!(a.is_precommand(), "{name}");
            "precommand"
        } else if name.contains("_ALERT") {
            assert_eq!(a.cra, Cra::Alert, "{name}");
            "alert"
        } else if name.contains("_RESPONSE_") {
            assert_eq!(a.cra, Cra::Response, "{name}");
            "response"
        } else {
            assert_eq!(a.cra, Cra::Command, "{name}");
            assert!(!a.is_precommand(), "{name}");
            "command"
        };
        *counts.entry(kind).or_default() += 1;
    }
    assert_eq!(counts.get("precommand"), Some(&178));
    assert_eq!(counts.get("command"), Some(&501));
    assert_eq!(counts.get("response"), Some(&503));
    assert_eq!(counts.get("alert"), Some(&93));
}
