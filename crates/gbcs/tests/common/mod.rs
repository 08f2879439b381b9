//! Helpers shared by the corpus-driven tests: locating the corpus and loading keystore files.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use gbcs::{
    Eui64, Frame, GeneralSigning, KaPrivateKey, PublicKey, SignatureField, SigningKey, wrap_command,
};

pub fn corpus_root() -> PathBuf {
    match std::env::var_os("OPENDCC_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        )),
    }
}

pub fn rtds_dir() -> PathBuf {
    corpus_root().join("rtds/RTDS-4.5.0")
}

pub fn keystore_dir() -> PathBuf {
    corpus_root().join("rtds/keystore")
}

pub fn pem_to_der(text: &str) -> Vec<u8> {
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64 in PEM")
}

pub fn read_hex(path: &Path) -> Vec<u8> {
    let s = std::fs::read_to_string(path).expect("read vector");
    hex::decode(s.trim()).expect("hex vector")
}

/// Every `*.HEX` vector, sorted by path.
pub fn all_vectors() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in std::fs::read_dir(rtds_dir()).expect("RTDS directory") {
        let dir = dir.expect("dir entry").path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).expect("use-case directory") {
            let f = f.expect("file entry").path();
            if f.extension().and_then(|e| e.to_str()) == Some("HEX") {
                v.push(f);
            }
        }
    }
    v.sort();
    v
}

pub fn vector(dir: &str, file: &str) -> Vec<u8> {
    read_hex(&rtds_dir().join(dir).join(file))
}

/// Keys from `rtds/keystore`, indexed by EUI-64.
pub struct Keystore {
    pub ka_public: BTreeMap<Eui64, PublicKey>,
    pub ds_public: BTreeMap<Eui64, PublicKey>,
    /// KA private keys: `<eui>-ka.key` first, then `<eui>-pp-ka.key`.
    pub ka_private: BTreeMap<Eui64, Vec<KaPrivateKey>>,
    pub ds_private: BTreeMap<Eui64, SigningKey>,
}

impl Keystore {
    pub fn load() -> Self {
        let mut ks = Keystore {
            ka_public: BTreeMap::new(),
            ds_public: BTreeMap::new(),
            ka_private: BTreeMap::new(),
            ds_private: BTreeMap::new(),
        };
        let mut names: Vec<PathBuf> = std::fs::read_dir(keystore_dir())
            .expect("keystore directory")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        for p in names {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let Some(eui) = name.get(..16).and_then(|h| h.parse::<Eui64>().ok()) else {
                continue;
            };
            let kind = &name[16..];
            let text = std::fs::read_to_string(&p).expect("read key file");
            let der = pem_to_der(&text);
            let public = |der: &[u8]| {
                if text.starts_with("-----BEGIN PUBLIC KEY") {
                    PublicKey::from_spki_der(der).expect("SPKI")
                } else {
                    PublicKey::from_certificate_der(der).expect("certificate")
                }
            };
            match kind {
                "-ka.pem" => {
                    ks.ka_public.insert(eui, public(&der));
                }
                "-ds.pem" => {
                    ks.ds_public.insert(eui, public(&der));
                }
                "-ka.key" | "-pp-ka.key" => {
                    let k = KaPrivateKey::from_der(&der).expect("KA key");
                    let v = ks.ka_private.entry(eui).or_default();
                    if kind == "-ka.key" {
                        v.insert(0, k)
                    } else {
                        v.push(k)
                    }
                }
                "-ds.key" => {
                    ks.ds_private
                        .insert(eui, SigningKey::from_der(&der).expect("DS key"));
                }
                _ => {}
            }
        }
        ks
    }

    pub fn acb_ka(&self) -> &KaPrivateKey {
        let acb = Eui64::from_u64(0x90b3_d51f_3000_0002);
        self.ka_private
            .get(&acb)
            .and_then(|v| v.first())
            .expect("ACB KA private key")
    }
}

/// The APDU of an RTDS vector, deciphered where it is ciphered.
pub fn apdu(dir: &str, file: &str) -> GeneralSigning {
    match Frame::decode(&vector(dir, file)).expect("a GBCS frame") {
        Frame::Ciphered(c) => c.apdu,
        Frame::Signing(a) => a,
    }
}

/// `built`, an unsigned ACB-originated command, wrapped with the ACB's MAC for its recipient,
/// is the RTDS vector byte for byte.
pub fn check_command(ks: &Keystore, dir: &str, file: &str, built: GeneralSigning) {
    assert_eq!(built.signature, SignatureField::Unsigned, "{file}");
    let peer = ks
        .ka_public
        .get(&built.recipient)
        .expect("the recipient's key-agreement key");
    let wrapped = wrap_command(built, ks.acb_ka(), peer)
        .expect("the ACB MAC")
        .encode();
    assert_eq!(
        hex::encode_upper(wrapped),
        hex::encode_upper(vector(dir, file)),
        "{file}"
    );
}
