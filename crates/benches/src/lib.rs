//! Fixtures for opendcc's micro-benchmarks (`benches/micro.rs`, run with `cargo bench -p
//! benches`): keys, a signed DUIS request, an emulated ESME with its trust anchors, protected
//! GBCS commands, and the public reference corpus (DUIS templates, RTDS GBCS messages) read from
//! `../shared/corpus` or `$OPENDCC_CORPUS`.
//!
//! Keys are generated with the operating system's random numbers: this is benchmark set-up, not
//! library code.

use std::path::{Path, PathBuf};

use devices::{
    DeviceIdentity, DeviceKind, DeviceState, EmulatedDevice, PublicKeyBytes, RemotePartyRole,
    TrustAnchor, TrustAnchors,
};
use eui::Eui64;
use gbcs::crypto::{KaPrivateKey, PublicKey};
use gbcs::usecases::{self, CommandHeader};

/// The demo's supplier (ZAZ1's import supplier EUI).
pub const SUPPLIER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
/// The DCC's Access Control Broker.
pub const ACB: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
/// An ESME (RTDS premises 1).
pub const ESME: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);
/// Its Communications Hub.
pub const CHF: Eui64 = Eui64([0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA2]);

/// Why a fixture could not be built.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("key: {0}")]
    Key(String),
    #[error("signing: {0}")]
    Signing(String),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
}

fn key(e: impl std::fmt::Display) -> FixtureError {
    FixtureError::Key(e.to_string())
}

/// A P-256 key pair.
pub struct Keys(smki::KeyPair);

impl Keys {
    pub fn generate() -> Result<Self, FixtureError> {
        smki::KeyPair::generate_with_os_rng().map(Self).map_err(key)
    }

    pub fn pkcs8(&self) -> Result<Vec<u8>, FixtureError> {
        self.0.to_pkcs8_der().map(|d| d.to_vec()).map_err(key)
    }

    pub fn sec1(&self) -> [u8; 65] {
        self.0.public_key().to_sec1_uncompressed()
    }
}

/// The reference corpus: `$OPENDCC_CORPUS`, else `shared/corpus` beside the repository.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("OPENDCC_CORPUS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        )),
    }
}

/// An unsigned DUIS request, the shape of the corpus's ECS52 template.
pub fn read_firmware_request(counter: u64) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:{counter}</sr:RequestID>",
            "<sr:CommandVariant>1</sr:CommandVariant><sr:ServiceReference>11.2</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>11.2</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:ReadFirmwareVersion/></sr:Body></sr:Request>"
        ),
        counter = counter
    )
}

/// A user's XML signer and its public key.
pub struct UserSigner {
    pub signer: xmldsig::XmlSigner,
    pub public_sec1: [u8; 65],
}

impl UserSigner {
    pub fn generate() -> Result<Self, FixtureError> {
        let k = Keys::generate()?;
        let is = xmldsig::IssuerSerial::new("CN=Z1,OU=07", "1").map_err(key)?;
        let signer = xmldsig::XmlSigner::from_pkcs8_der(&k.pkcs8()?, is).map_err(key)?;
        Ok(Self {
            signer,
            public_sec1: k.sec1(),
        })
    }

    pub fn sign(&self, xml: &str) -> Result<String, FixtureError> {
        self.signer
            .sign(xml)
            .map_err(|e| FixtureError::Signing(e.to_string()))
    }
}

/// An emulated ESME, the keys around it, and a protected ECS52 command it accepts.
pub struct DeviceFixture {
    pub identity: DeviceIdentity,
    pub state: DeviceState,
    pub acb_ka: KaPrivateKey,
    pub esme_ka: PublicKey,
    /// A MAC-protected ECS52 (read firmware version) from the supplier, counter 1.
    pub command: Vec<u8>,
    pub now: gbcs::UtcDateTime,
}

impl DeviceFixture {
    pub fn new() -> Result<Self, FixtureError> {
        let (sup_ds, sup_ka, acb_ds, acb_ka, esme_ds, esme_ka) = (
            Keys::generate()?,
            Keys::generate()?,
            Keys::generate()?,
            Keys::generate()?,
            Keys::generate()?,
            Keys::generate()?,
        );
        let anchor = |eui, ds: &Keys, ka: &Keys| -> Result<TrustAnchor, FixtureError> {
            Ok(TrustAnchor {
                eui,
                ds_public: PublicKeyBytes::from_sec1(&ds.sec1()).map_err(key)?,
                ka_public: PublicKeyBytes::from_sec1(&ka.sec1()).map_err(key)?,
            })
        };
        let anchors = TrustAnchors::new()
            .with(
                RemotePartyRole::Supplier,
                anchor(SUPPLIER, &sup_ds, &sup_ka)?,
            )
            .with(
                RemotePartyRole::AccessControlBroker,
                anchor(ACB, &acb_ds, &acb_ka)?,
            );
        let now = gbcs::UtcDateTime::from_unix(1_790_000_000)
            .ok_or_else(|| FixtureError::Key("time out of range".into()))?;
        let identity = DeviceIdentity {
            eui: ESME,
            kind: DeviceKind::Esme,
            ds_private_pkcs8: esme_ds.pkcs8()?,
            ka_private_pkcs8: esme_ka.pkcs8()?,
        };
        let acb_ka = KaPrivateKey::from_der(&acb_ka.pkcs8()?).map_err(key)?;
        let esme_ka = PublicKey::from_sec1(&esme_ka.sec1()).map_err(key)?;
        let command = gbcs::crypto::wrap_command(ecs52(1), &acb_ka, &esme_ka)
            .map_err(key)?
            .encode();
        Ok(Self {
            identity,
            state: DeviceState::new(DeviceKind::Esme, now, anchors),
            acb_ka,
            esme_ka,
            command,
            now,
        })
    }

    /// The device as the WAN loads it for each command (keys parsed from its vault).
    pub fn device(&self) -> Result<EmulatedDevice, FixtureError> {
        EmulatedDevice::new(self.identity.clone(), self.state.clone()).map_err(key)
    }
}

/// An ECS52 command from the supplier to the ESME.
pub fn ecs52(counter: u64) -> gbcs::frame::GeneralSigning {
    usecases::ecs52_read_firmware_version(&CommandHeader::new(SUPPLIER, ESME, counter))
}

/// Every `*.HEX` file under `dir`, recursively, sorted by path.
pub fn hex_files(dir: &Path) -> Result<Vec<PathBuf>, FixtureError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| FixtureError::File {
            path: d.clone(),
            message: e.to_string(),
        })?;
        for entry in entries {
            let path = entry
                .map_err(|e| FixtureError::File {
                    path: d.clone(),
                    message: e.to_string(),
                })?
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("hex"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The bytes of a hex file (whitespace ignored).
pub fn read_hex(path: &Path) -> Result<Vec<u8>, FixtureError> {
    let text = std::fs::read_to_string(path).map_err(|e| FixtureError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(compact).map_err(|e| FixtureError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The RTDS 4.5.0 GBCS messages of the corpus (empty if the corpus is absent).
pub fn rtds_messages() -> Result<Vec<(PathBuf, Vec<u8>)>, FixtureError> {
    let dir = corpus_dir().join("rtds/RTDS-4.5.0");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    hex_files(&dir)?
        .into_iter()
        .map(|p| read_hex(&p).map(|b| (p, b)))
        .collect()
}

/// The corpus's DUIS request templates with their placeholder signatures removed (empty if the
/// corpus is absent), by file name.
pub fn duis_templates() -> Result<Vec<(String, String)>, FixtureError> {
    let dir = corpus_dir().join("duis-templates");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| FixtureError::File {
            path: dir.clone(),
            message: e.to_string(),
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for p in names {
        let text = std::fs::read_to_string(&p).map_err(|e| FixtureError::File {
            path: p.clone(),
            message: e.to_string(),
        })?;
        let unsigned =
            xmldsig::remove_enveloped_signature(&text).map_err(|e| FixtureError::File {
                path: p.clone(),
                message: e.to_string(),
            })?;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((name, unsigned));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_signed_request_verifies_parses_and_validates() {
        let u = UserSigner::generate().unwrap();
        let signed = u.sign(&read_firmware_request(7)).unwrap();
        xmldsig::verify(signed.as_bytes(), &u.public_sec1).unwrap();
        duis_schema::validate_request(signed.as_bytes()).unwrap();
        let r = duis::parse_request(signed.as_bytes()).unwrap();
        assert_eq!(r.header.request_id.counter, 7);
        let tampered = signed.replace(":7<", ":8<");
        assert!(xmldsig::verify(tampered.as_bytes(), &u.public_sec1).is_err());
    }

    #[test]
    fn the_device_answers_the_fixture_command_once() {
        let f = DeviceFixture::new().unwrap();
        let mut d = f.device().unwrap();
        let first = d.handle(&f.command, f.now);
        assert!(first.response.is_some(), "{:?}", first.outcome);
        let replay = d.handle(&f.command, f.now);
        assert!(replay.response.is_none(), "a replay is refused");
    }

    #[test]
    fn hex_files_are_read_and_the_rtds_corpus_decodes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/A.HEX"), "0a 0B\n").unwrap();
        std::fs::write(dir.path().join("b.txt"), "zz").unwrap();
        let files = hex_files(dir.path()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(read_hex(&files[0]).unwrap(), vec![0x0a, 0x0b]);
        std::fs::write(dir.path().join("sub/A.HEX"), "0g").unwrap();
        assert!(read_hex(&files[0]).is_err());
        // Most RTDS messages are whole GBCS frames (a few are other APDUs).
        let msgs = rtds_messages().unwrap();
        if !msgs.is_empty() {
            let ok = msgs
                .iter()
                .filter(|(_, b)| gbcs::frame::Frame::decode(b).is_ok())
                .count();
            assert!(ok * 2 > msgs.len(), "{ok} of {} decode", msgs.len());
        }
    }
}
