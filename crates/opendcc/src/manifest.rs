//! `demo.json`: what a client needs to talk to a running demo DCC.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Base URL of the DUIS endpoints (`/api/v1/serviceS|T|D` below it).
    pub duis_url: String,
    /// Base URL of the SMKI repository (DCC Boxed's port-8083 interface: `services/
    /// certificatesearch`, `services/retrievecertificate`; `ca/`, `crl`, `arl`, `documents/`,
    /// `certificates/<serial>`), with a trailing slash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smki_url: Option<String>,
    /// The publication endpoint (`/cpl`, `/dpl`), when the DCC serves one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication_url: Option<String>,
    /// The test repository (the SMKI test service's certificates), same interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smki_test_url: Option<String>,
    /// `true` when the listener is plain HTTP (loopback only); client certificates are then unused.
    #[serde(default)]
    pub plain_http: bool,
    /// CA certificate (PEM) that issued the server's TLS certificate.
    pub tls_ca: PathBuf,
    pub dcc: DccEntry,
    /// SMKI CA certificates, PEM.
    pub smki: SmkiEntry,
    pub users: Vec<UserEntry>,
    /// The named devices and, in a large world, those of the first generated premises only.
    pub devices: Vec<DeviceEntry>,
    /// How many generated premises the world has (`opendcc demo --premises N`: N − 4; 0 for the
    /// demo world alone; absent in manifests written before it was recorded). Their devices
    /// follow from the index (`world_gen::premises`), so `bench load` needs only this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_premises: Option<u64>,
    /// The DCC's store, as its configuration names it (`sqlite:` and an absolute directory,
    /// or a `postgres://` URL): the client tools that need the DCC's records (`user
    /// response-url --manifest`, `bench load`) open it from here. Absent in manifests written
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// The world's directory: its keys and certificates, and the SMKI's published lists (on
    /// `sqlite:DIR`, DIR; on PostgreSQL, the configuration's `data`). The operator's commands
    /// given `--manifest` work there. Absent in manifests written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DccEntry {
    /// The DCC's EUI-64: the RequestID target of non-device requests.
    pub eui: String,
    /// The certificate whose key signs every DUIS response.
    pub xml_signing_cert: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmkiEntry {
    pub org_root: PathBuf,
    pub org_issuing: PathBuf,
    pub device_root: PathBuf,
    pub device_issuing: PathBuf,
    pub dccki_root: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserEntry {
    pub name: String,
    pub eui: String,
    /// DUIS user role codes: IS ES GS ED GT OU RSA.
    pub roles: Vec<String>,
    /// SMKI organisation certificate (digital signing), PEM.
    pub signing_cert: PathBuf,
    /// Its private key, PKCS#8 PEM (EC P-256).
    pub signing_key: PathBuf,
    /// DCCKI client certificate for the TLS connection, PEM.
    pub tls_cert: PathBuf,
    /// Its private key, PKCS#8 PEM.
    pub tls_key: PathBuf,
    /// SMKI organisation key-agreement certificate (devices protect what they send this user
    /// with it) and its private key.
    pub ka_cert: PathBuf,
    pub ka_key: PathBuf,
    /// The user's Receive Response Service, if set.
    pub response_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceEntry {
    pub id: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub status: String,
    pub mpxn: Option<String>,
    pub chf: Option<String>,
    pub uprn: Option<String>,
    /// The device's SMKI certificates (digital signing, key agreement), if it has them.
    pub ds_cert: Option<PathBuf>,
    pub ka_cert: Option<PathBuf>,
}

impl Manifest {
    pub fn device(&self, id: &str) -> Option<&DeviceEntry> {
        self.devices.iter().find(|d| d.id.eq_ignore_ascii_case(id))
    }

    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading manifest {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("manifest {}: {e}", path.display()))
    }

    /// Writes atomically (temporary file, then rename) so that a reader never sees half of it.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text.as_bytes())
            .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("renaming to {}: {e}", path.display()))
    }

    pub fn user(&self, name: &str) -> Result<&UserEntry, String> {
        self.users.iter().find(|u| u.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.users.iter().map(|u| u.name.as_str()).collect();
            format!(
                "no user {name:?} in the manifest (users: {})",
                names.join(", ")
            )
        })
    }
}
