//! End-to-end test harness: runs the real `opendcc demo` binary on a temporary data directory
//! and talks to it as a DCC User would (signed DUIS over mutually authenticated TLS).
//!
//! * [`Demo`] starts the binary (`--listen 127.0.0.1:0`), waits (bounded) for `demo.json`, and
//!   kills it on drop; [`Demo::stop`] sends SIGTERM, [`Demo::kill9`] SIGKILL, [`Demo::restart`]
//!   resumes the same world. With `OPENDCC_E2E_BACKEND=postgres` ([`e2e_on_postgres`]) the
//!   world is on PostgreSQL and served by several `opendcc serve` processes over NATS
//!   JetStream, and each of these acts on all of them.
//! * [`Demo::request`] builds an unsigned request from a corpus template with a fresh RequestID;
//!   [`Demo::sign`] signs it with a user's SMKI key; [`Demo::send`] posts it with a user's DCCKI
//!   certificate and returns the [`Reply`].
//! * [`Reply::duis`] insists on a DUIS response signed by the DCC (checked against the XML
//!   signing certificate named in `demo.json`) and valid against the DUIS schema.
//! * [`Demo::snapshot`] reads every table of the SQLite database read-only, to prove that a
//!   refused request changed nothing.
//! * [`Demo::tls_probe`] performs a raw TLS handshake and one HTTP exchange with arbitrary
//!   client credentials, reporting how the DCC's TLS layer answered.
//! * [`Demo::query`] runs a read-only SQL query; [`Demo::wait_until`] polls a condition, bounded.
//! * [`Demo::response_sink`] runs a Receive Response Service on 127.0.0.1 that records (or
//!   refuses, on demand) what the DCC delivers; [`Demo::set_response_url`] registers it.
//! * [`run_cli`] runs any `opendcc` command, bounded, capturing its output.
//!
//! A snapshot comparison proves "unchanged" only while no background work (WAN commands,
//! deliveries) is pending: send accepted device requests after such checks, not before.
//!
//! Every wait is bounded; ports are picked by the kernel; nothing is copied from the corpus.

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use duis::Endpoint;

pub mod critical;
pub mod load;
pub mod procs;
use serde::Deserialize;

/// The `opendcc` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_opendcc");

/// How long a demo may take to create its world and bind (debug build, 2 shared cores).
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a demo may take to shut down after SIGTERM.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one HTTP exchange may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

/// The DCC's EUI-64: the RequestID target of non-device requests.
pub const DCC_EUI: &str = "90-B3-D5-1F-30-00-00-02";

/// Premises 1 (UPRN 100000000001, M22 0RR, Central region) and its devices.
pub mod premises1 {
    pub const UPRN: &str = "100000000001";
    pub const POSTCODE: &str = "M22 0RR";
    pub const ADDRESS: &str = "Threapwood Road";
    pub const MPAN: &str = "1900000000018";
    pub const MPRN: &str = "1234567";
    pub const ESME: &str = "00-DB-12-34-56-78-90-A0";
    pub const GSME: &str = "00-DB-12-34-56-78-90-A1";
    pub const CHF: &str = "00-DB-12-34-56-78-90-A2";
    pub const GPF: &str = "00-DB-12-34-56-78-90-A3";
    pub const PPMID: &str = "00-DB-12-34-56-78-90-A4";
    pub const HCALCS: &str = "00-DB-12-34-56-78-90-A5";
    pub const IHD: &str = "00-DB-12-34-56-78-90-A6";
    /// Every device at the premises.
    pub const ALL: [&str; 7] = [ESME, GSME, CHF, GPF, PPMID, HCALCS, IHD];
}

/// Premises 2 (UPRN 100000000002, EH1 1YZ, North region).
pub mod premises2 {
    pub const UPRN: &str = "100000000002";
    pub const POSTCODE: &str = "EH1 1YZ";
    pub const ADDRESS: &str = "1 Castle Wynd";
}

/// Premises 3 (UPRN 100000000003, SW1A 2AA, South region).
pub mod premises3 {
    pub const UPRN: &str = "100000000003";
    pub const POSTCODE: &str = "SW1A 2AA";
}

/// Manufactured devices with SMKI certificates that are not in the inventory (for 12.2).
pub mod spare {
    pub const ESME: &str = "00-DB-12-34-56-78-99-A0";
    pub const GSME: &str = "00-DB-12-34-56-78-99-A1";
    pub const PPMID: &str = "00-DB-12-34-56-78-99-A4";
}

/// An EUI-64 that is not in the inventory and has no certificates.
pub const UNKNOWN_DEVICE: &str = "00-DB-12-34-56-78-55-55";

// ---------------------------------------------------------------------------------------------
// Corpus

/// The reference corpus: `$OPENDCC_CORPUS`, else `shared/corpus` beside the repository.
pub fn corpus() -> PathBuf {
    match std::env::var_os("OPENDCC_CORPUS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        )),
    }
}

/// A corpus file's text.
pub fn corpus_text(relative: &str) -> String {
    let path = corpus().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reading {} (set OPENDCC_CORPUS to the reference corpus): {e}",
            path.display()
        )
    })
}

/// A DUIS request template from the corpus with its placeholder signature removed.
pub fn template(name: &str) -> String {
    let text = corpus_text(&format!("duis-templates/{name}"));
    xmldsig::remove_enveloped_signature(&text)
        .unwrap_or_else(|e| panic!("template {name}: removing the placeholder signature: {e}"))
}

// ---------------------------------------------------------------------------------------------
// XML text helpers (for building requests; responses are parsed properly)

/// Replaces the text of the first `<prefix:local>` element (any prefix) with `value`.
pub fn set_text(xml: &str, local: &str, value: &str) -> String {
    let (start, end) = text_span(xml, local)
        .unwrap_or_else(|| panic!("no <{local}> element with text in the document"));
    format!("{}{}{}", &xml[..start], value, &xml[end..])
}

/// The byte span of the text of the first `<…:local>` element, if it has simple text content.
pub fn text_span(xml: &str, local: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(rel) = xml[from..].find('<') {
        let open = from + rel;
        let close = open + xml[open..].find('>')?;
        let tag = &xml[open + 1..close];
        let name = tag.split_whitespace().next().unwrap_or("");
        let bare = name.rsplit(':').next().unwrap_or(name);
        if bare == local && !tag.ends_with('/') && !name.starts_with('/') {
            let start = close + 1;
            let end = start + xml[start..].find('<')?;
            return Some((start, end));
        }
        from = close + 1;
    }
    None
}

/// The text of the first `<…:local>` element.
pub fn text_of(xml: &str, local: &str) -> Option<String> {
    text_span(xml, local).map(|(s, e)| xml[s..e].to_string())
}

/// Replaces everything between `<sr:Body>` and `</sr:Body>`.
pub fn set_body(xml: &str, inner: &str) -> String {
    let open = xml.find("<sr:Body>").expect("request has <sr:Body>") + "<sr:Body>".len();
    let close = xml.find("</sr:Body>").expect("request has </sr:Body>");
    format!("{}{}{}", &xml[..open], inner, &xml[close..])
}

/// A RequestID.
pub fn request_id(originator: &str, target: &str, counter: u64) -> String {
    format!("{originator}:{target}:{counter}")
}

// ---------------------------------------------------------------------------------------------
// Templates and request bodies

/// Corpus templates the gateway tests use.
pub mod tpl {
    pub const READ_INVENTORY: &str = "8.2_READ_INVENTORY_REQUEST_DUIS.XML";
    pub const DECOMMISSION: &str = "8.3_DECOMMISSION_DEVICE_REQUEST_DUIS.XML";
    pub const UPDATE_INVENTORY: &str = "8.4_UPDATE_INVENTORY_REQUEST_DUIS.XML";
    pub const WAN_MATRIX: &str = "12.1_REQUEST_WAN_MATRIX_ADDRESS_REQUEST_DUIS.XML";
    pub const PRE_NOTIFICATION: &str = "12.2_DEVICE_PRE_NOTIFICATION_REQUEST_DUIS.XML";
    /// 11.2 Read Firmware Version on an ESME (a device request, command variant 1).
    pub const READ_FIRMWARE_ESME: &str = "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML";
}

/// `sr:Body` contents for the non-device services.
pub mod body {
    /// 8.2 by `DeviceID`.
    pub fn read_inventory_device(id: &str) -> String {
        format!("<sr:ReadInventory><sr:DeviceID>{id}</sr:DeviceID></sr:ReadInventory>")
    }

    /// 8.2 by `UPRN`.
    pub fn read_inventory_uprn(uprn: &str) -> String {
        format!("<sr:ReadInventory><sr:UPRN>{uprn}</sr:UPRN></sr:ReadInventory>")
    }

    /// 8.2 by `MPxN`.
    pub fn read_inventory_mpxn(mpxn: &str) -> String {
        format!("<sr:ReadInventory><sr:MPxN>{mpxn}</sr:MPxN></sr:ReadInventory>")
    }

    /// 8.2 by `PropertyFilter`.
    pub fn read_inventory_address(postcode: &str, address: &str) -> String {
        format!(
            "<sr:ReadInventory><sr:PropertyFilter><sr:PostCode>{postcode}</sr:PostCode>\
             <sr:AddressIdentifier>{address}</sr:AddressIdentifier></sr:PropertyFilter>\
             </sr:ReadInventory>"
        )
    }

    /// 8.4 `UpdateDeviceStatusExceptCH`.
    pub fn update_status(id: &str, status: &str) -> String {
        format!(
            "<sr:UpdateInventory><sr:DeviceID>{id}</sr:DeviceID>\
             <sr:UpdateDeviceStatusExceptCH>{status}</sr:UpdateDeviceStatusExceptCH>\
             </sr:UpdateInventory>"
        )
    }

    /// 8.4 `UpdateDeviceStatusCH`.
    pub fn update_hub_status(id: &str, status: &str) -> String {
        format!(
            "<sr:UpdateInventory><sr:DeviceID>{id}</sr:DeviceID>\
             <sr:UpdateDeviceStatusCH>{status}</sr:UpdateDeviceStatusCH></sr:UpdateInventory>"
        )
    }

    /// 8.4 `DeleteDevice`.
    pub fn delete_device(id: &str) -> String {
        format!(
            "<sr:UpdateInventory><sr:DeviceID>{id}</sr:DeviceID><sr:DeleteDevice/></sr:UpdateInventory>"
        )
    }

    /// 12.1 by `UPRN`.
    pub fn wan_matrix_uprn(uprn: &str) -> String {
        format!("<sr:RequestWANMatrix><sr:UPRN>{uprn}</sr:UPRN></sr:RequestWANMatrix>")
    }

    /// 12.1 by `PartialAddress`.
    pub fn wan_matrix_address(postcode: &str, address: &str) -> String {
        format!(
            "<sr:RequestWANMatrix><sr:PartialAddress><sr:PostCode>{postcode}</sr:PostCode>\
             <sr:AddressIdentifier>{address}</sr:AddressIdentifier></sr:PartialAddress>\
             </sr:RequestWANMatrix>"
        )
    }

    /// 12.2 for a device (the template's ESME details, or the GSME / PPMID ones).
    pub fn pre_notification(id: &str, device_type: &str) -> String {
        let (manufacturer, model, extra) = match device_type {
            "ESME" => (
                "AB01",
                "010A030B",
                "<sr:SMETSCHTSVersion>SMETS V5.0</sr:SMETSCHTSVersion>\
                 <sr:FirmwareVersion>0002012F</sr:FirmwareVersion><sr:ESMEVariant>A</sr:ESMEVariant>",
            ),
            "GSME" => (
                "AB02",
                "020B0401",
                "<sr:SMETSCHTSVersion>SMETS V5.0</sr:SMETSCHTSVersion>\
                 <sr:FirmwareVersion>00020130</sr:FirmwareVersion>",
            ),
            _ => ("AB03", "03000001", ""),
        };
        format!(
            "<sr:DevicePrenotification><sr:DeviceID>{id}</sr:DeviceID>\
             <sr:DeviceManufacturer>{manufacturer}</sr:DeviceManufacturer>\
             <sr:DeviceModel>{model}</sr:DeviceModel><sr:DeviceType>{device_type}</sr:DeviceType>\
             {extra}</sr:DevicePrenotification>"
        )
    }
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Its RequestID.
    pub rid: String,
    pub counter: u64,
    pub xml: String,
}

impl Prepared {
    /// The endpoint its command variant calls for.
    pub fn endpoint(&self) -> Endpoint {
        endpoint_of(&self.xml)
    }
}

/// The endpoint a (valid) request's command variant calls for.
pub fn endpoint_of(xml: &str) -> Endpoint {
    duis::parse_request(xml.as_bytes())
        .unwrap_or_else(|e| panic!("not a DUIS request: {e}\n{xml}"))
        .header
        .command_variant
        .endpoint()
}

// ---------------------------------------------------------------------------------------------
// demo.json

/// What `demo.json` tells a client (the fields the tests use).
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub duis_url: String,
    /// The SMKI repository (DCC Boxed's port-8083 interface) and the test repository.
    #[serde(default)]
    pub smki_url: Option<String>,
    #[serde(default)]
    pub smki_test_url: Option<String>,
    #[serde(default)]
    pub plain_http: bool,
    pub tls_ca: PathBuf,
    pub dcc: DccEntry,
    pub users: Vec<UserEntry>,
    pub devices: Vec<DeviceEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DccEntry {
    pub eui: String,
    pub xml_signing_cert: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserEntry {
    pub name: String,
    pub eui: String,
    pub roles: Vec<String>,
    pub signing_cert: PathBuf,
    pub signing_key: PathBuf,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    pub response_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DeviceEntry {
    pub id: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub status: String,
    pub mpxn: Option<String>,
    pub chf: Option<String>,
    pub uprn: Option<String>,
}

impl Manifest {
    pub fn load(path: &Path) -> Manifest {
        let text = read(path);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn user(&self, name: &str) -> &UserEntry {
        self.users
            .iter()
            .find(|u| u.name == name)
            .unwrap_or_else(|| panic!("no user {name:?} in demo.json"))
    }

    pub fn device(&self, id: &str) -> Option<&DeviceEntry> {
        self.devices.iter().find(|d| d.id == id)
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The DER of the first certificate in a PEM file.
pub fn cert_der(path: &Path) -> Vec<u8> {
    let pem = read(path);
    let first = rustls_pemfile::certs(&mut pem.as_bytes())
        .next()
        .unwrap_or_else(|| panic!("no certificate in {}", path.display()));
    first
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .as_ref()
        .to_vec()
}

/// A signer for a key (PKCS#8 PEM) and the certificate that names it.
pub fn signer(key_pem: &str, cert_der: &[u8]) -> xmldsig::XmlSigner {
    let (issuer_serial, _) =
        xmldsig::issuer_serial_of_cert(cert_der).expect("signing certificate parses");
    xmldsig::XmlSigner::from_pkcs8_pem(key_pem, issuer_serial).expect("signing key parses")
}

/// TLS client credentials: a certificate chain and its key, PEM.
#[derive(Debug, Clone)]
pub struct TlsIdentity {
    pub chain_pem: String,
    pub key_pem: String,
}

impl TlsIdentity {
    pub fn of(user: &UserEntry) -> TlsIdentity {
        TlsIdentity {
            chain_pem: read(&user.tls_cert),
            key_pem: read(&user.tls_key),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The demo process

/// How to start a demo.
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    pub plain_http: bool,
    /// Further arguments for `opendcc demo`.
    pub extra_args: Vec<String>,
}

/// A running `opendcc demo` on its own temporary data directory (or, on PostgreSQL, the
/// `opendcc serve` processes of [`PgServed`]).
pub struct Demo {
    /// Holds `data/` (the world) and `logs/`; removed on drop.
    root: tempfile::TempDir,
    options: DemoOptions,
    child: Option<Child>,
    runs: u32,
    manifest: Manifest,
    counter: AtomicU64,
    rt: tokio::runtime::Runtime,
    clients: Mutex<HashMap<String, reqwest::Client>>,
    /// With `OPENDCC_E2E_BACKEND=postgres`: the world's PostgreSQL database, its NATS streams
    /// and the `serve` configurations of its processes.
    pg: Option<PgServed>,
    /// With `OPENDCC_E2E_BACKEND=postgres`: the processes other than `child` (which runs the
    /// gateway and writes the manifest), in [`PgServed::processes`]' order after the first.
    others: Vec<Child>,
}

impl Demo {
    /// A fresh demo world served over mutually authenticated TLS.
    pub fn start() -> Demo {
        Demo::start_with(DemoOptions::default())
    }

    pub fn start_plain_http() -> Demo {
        Demo::start_with(DemoOptions {
            plain_http: true,
            ..DemoOptions::default()
        })
    }

    pub fn start_with(options: DemoOptions) -> Demo {
        let root = tempfile::Builder::new()
            .prefix("opendcc-e2e-")
            .tempdir()
            .expect("creating a temporary directory");
        std::fs::create_dir_all(root.path().join("logs")).expect("creating the log directory");
        // One worker thread, so that connection tasks run (and close) between requests too.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("building a tokio runtime");
        let pg = e2e_on_postgres().then(|| PgServed::prepare(root.path(), &options));
        let (child, others, manifest) = launch(
            &root.path().join("data"),
            root.path(),
            1,
            &options,
            pg.as_ref(),
        );
        Demo {
            root,
            options,
            child: Some(child),
            runs: 1,
            manifest,
            counter: AtomicU64::new(1),
            rt,
            clients: Mutex::new(HashMap::new()),
            pg,
            others,
        }
    }

    /// Runs `opendcc ARGS` as [`run_cli`] does. On PostgreSQL, `--data DIR` naming this demo's
    /// data directory is given as `--manifest FILE` instead, so that an operator's command
    /// works on the store the manifest records (the SQLite file the world was made in stays in
    /// the directory, and is not the DCC's any more).
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let data = self.data_dir().display().to_string();
        let mut out: Vec<String> = Vec::with_capacity(args.len());
        let mut i = 0;
        while i < args.len() {
            if self.pg.is_some() && args[i] == "--data" && args.get(i + 1) == Some(&data.as_str()) {
                out.extend(self.dcc_args());
                i += 2;
            } else {
                out.push(args[i].to_string());
                i += 1;
            }
        }
        run_cli(&out.iter().map(String::as_str).collect::<Vec<_>>(), stdin)
    }

    /// `true` when this demo runs on PostgreSQL and NATS JetStream in several processes
    /// (`OPENDCC_E2E_BACKEND=postgres`).
    pub fn on_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// The arguments that name this demo's DCC to an operator's command: `--data DIR` on the
    /// embedded store, `--manifest FILE` (the store and the world's directory it records) on
    /// PostgreSQL.
    pub fn dcc_args(&self) -> Vec<String> {
        if self.pg.is_some() {
            vec![
                "--manifest".into(),
                self.manifest_path().display().to_string(),
            ]
        } else {
            vec!["--data".into(), self.data_dir().display().to_string()]
        }
    }

    /// The world's data directory (`--data`).
    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// The PostgreSQL database the DCC is served from (`OPENDCC_E2E_BACKEND=postgres`), or
    /// `None` on the embedded store (the SQLite file in [`Demo::data_dir`]).
    pub fn pg_url(&self) -> Option<String> {
        self.pg.as_ref().map(|pg| pg.db.url())
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.data_dir().join("demo.json")
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir().join("opendcc.sqlite")
    }

    /// `demo.json` as it was when the current run started.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn user(&self, name: &str) -> &UserEntry {
        self.manifest.user(name)
    }

    pub fn user_eui(&self, name: &str) -> String {
        self.user(name).eui.clone()
    }

    /// The process id of the current run (on PostgreSQL, of the process that runs the gateway).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Everything the demo has logged (all runs; on PostgreSQL, every process of each run).
    pub fn log(&self) -> String {
        let mut out = String::new();
        let names: Vec<&str> = match &self.pg {
            Some(pg) => pg.processes.iter().map(|(name, _)| name.as_str()).collect(),
            None => vec![""],
        };
        for n in 1..=self.runs {
            for (i, name) in names.iter().enumerate() {
                let p = log_path(self.root.path(), n, name);
                if i == 0 {
                    out.push_str(&format!("--- run {n} ---\n"));
                } else {
                    out.push_str(&format!("--- run {n}, {name} ---\n"));
                }
                out.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
        out
    }

    /// A RequestID counter greater than every one handed out before (also across restarts).
    pub fn next_counter(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A template with a fresh RequestID `user:target:counter` (unsigned).
    pub fn request(&self, template_name: &str, user: &str, target: &str) -> String {
        let rid = request_id(&self.user_eui(user), target, self.next_counter());
        set_text(&template(template_name), "RequestID", &rid)
    }

    /// `template` with RequestID `user:target:counter` and, if given, `body` as its `sr:Body`
    /// contents (unsigned).
    pub fn prepare_with_counter(
        &self,
        template_name: &str,
        user: &str,
        target: &str,
        body: Option<&str>,
        counter: u64,
    ) -> Prepared {
        let rid = request_id(&self.user_eui(user), target, counter);
        let mut xml = set_text(&template(template_name), "RequestID", &rid);
        if let Some(b) = body {
            xml = set_body(&xml, b);
        }
        Prepared { rid, counter, xml }
    }

    /// Like [`Demo::prepare_with_counter`] with a fresh counter.
    pub fn prepare(
        &self,
        template_name: &str,
        user: &str,
        target: &str,
        body: Option<&str>,
    ) -> Prepared {
        self.prepare_with_counter(template_name, user, target, body, self.next_counter())
    }

    /// A prepared request signed by `user`.
    pub fn signed_request(
        &self,
        template_name: &str,
        user: &str,
        target: &str,
        body: Option<&str>,
    ) -> Prepared {
        let mut p = self.prepare(template_name, user, target, body);
        p.xml = self.sign(user, &p.xml);
        p
    }

    /// Sends a prepared request to the endpoint its command variant calls for, over `user`'s
    /// TLS identity.
    pub fn submit(&self, user: &str, p: &Prepared) -> Reply {
        self.send(user, p.endpoint(), p.xml.clone())
    }

    /// Signs, sends and checks a non-device request from `user`: the DUIS response, signature
    /// and schema checked, RequestID echoed.
    pub fn non_device(&self, user: &str, template_name: &str, body: Option<&str>) -> DuisResponse {
        let p = self.signed_request(template_name, user, DCC_EUI, body);
        let r = self.submit(user, &p).duis();
        assert_eq!(r.request_id(), p.rid, "RequestID echoed");
        r
    }

    /// 8.2 Read Inventory by `DeviceID`, as `user`.
    pub fn read_device(&self, user: &str, id: &str) -> DuisResponse {
        self.non_device(
            user,
            tpl::READ_INVENTORY,
            Some(&body::read_inventory_device(id)),
        )
    }

    /// Signs an unsigned request with `user`'s SMKI organisation key.
    pub fn sign(&self, user: &str, unsigned: &str) -> String {
        let u = self.user(user);
        signer(&read(&u.signing_key), &cert_der(&u.signing_cert))
            .sign(unsigned)
            .expect("signing the request")
    }

    /// A template, with a fresh RequestID, signed by `user`.
    pub fn signed(&self, template_name: &str, user: &str, target: &str) -> String {
        self.sign(user, &self.request(template_name, user, target))
    }

    /// Posts `body` to `endpoint`, authenticated (over TLS) with `tls_user`'s DCCKI certificate.
    pub fn send(&self, tls_user: &str, endpoint: Endpoint, body: impl Into<Vec<u8>>) -> Reply {
        self.post(tls_user, endpoint.path(), body.into())
    }

    /// Posts to an arbitrary path.
    pub fn post(&self, tls_user: &str, path: &str, body: Vec<u8>) -> Reply {
        let client = self.client(tls_user);
        let url = format!("{}{}", self.manifest.duis_url.trim_end_matches('/'), path);
        self.rt.block_on(async {
            let resp = client
                .post(&url)
                .header("content-type", "application/xml")
                .body(body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("POST {url}: {}", error_chain(&e)));
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = resp
                .text()
                .await
                .unwrap_or_else(|e| panic!("reading the answer to POST {url}: {e}"));
            Reply {
                status,
                content_type,
                body,
                dcc_signing_cert: self.manifest.dcc.xml_signing_cert.clone(),
            }
        })
    }

    /// Posts every body at once (each on its own connection if need be) and returns the replies
    /// in the order of `bodies`.
    pub fn send_concurrently(
        &self,
        tls_user: &str,
        endpoint: Endpoint,
        bodies: Vec<Vec<u8>>,
    ) -> Vec<Reply> {
        let client = self.client(tls_user);
        let url = format!(
            "{}{}",
            self.manifest.duis_url.trim_end_matches('/'),
            endpoint.path()
        );
        let cert = self.manifest.dcc.xml_signing_cert.clone();
        self.rt.block_on(async move {
            let mut set = tokio::task::JoinSet::new();
            for (i, body) in bodies.into_iter().enumerate() {
                let request = client
                    .post(&url)
                    .header("content-type", "application/xml")
                    .body(body);
                set.spawn(async move {
                    let resp = request.send().await.map_err(|e| error_chain(&e))?;
                    let status = resp.status().as_u16();
                    let content_type = resp
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let body = resp.text().await.map_err(|e| error_chain(&e))?;
                    Ok::<_, String>((i, status, content_type, body))
                });
            }
            let mut out: Vec<Option<Reply>> = Vec::new();
            while let Some(joined) = set.join_next().await {
                let (i, status, content_type, body) = joined
                    .expect("request task")
                    .unwrap_or_else(|e| panic!("POST {url}: {e}"));
                if out.len() <= i {
                    out.resize(i + 1, None);
                }
                out[i] = Some(Reply {
                    status,
                    content_type,
                    body,
                    dcc_signing_cert: cert.clone(),
                });
            }
            out.into_iter()
                .map(|r| r.expect("every request answered"))
                .collect()
        })
    }

    /// A request with any method and headers, for checks on the HTTP layer itself.
    pub fn raw(
        &self,
        tls_user: &str,
        method: reqwest::Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let client = self.client(tls_user);
        let url = format!("{}{}", self.manifest.duis_url.trim_end_matches('/'), path);
        self.rt.block_on(async {
            let mut req = client.request(method, &url).body(body);
            if let Some(ct) = content_type {
                req = req.header("content-type", ct);
            }
            let resp = req
                .send()
                .await
                .unwrap_or_else(|e| panic!("{url}: {}", error_chain(&e)));
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = resp.text().await.unwrap_or_default();
            Reply {
                status,
                content_type,
                body,
                dcc_signing_cert: self.manifest.dcc.xml_signing_cert.clone(),
            }
        })
    }

    fn client(&self, tls_user: &str) -> reqwest::Client {
        let mut clients = self.clients.lock().expect("client cache lock");
        if let Some(c) = clients.get(tls_user) {
            return c.clone();
        }
        let identity = if self.manifest.plain_http {
            None
        } else {
            Some(TlsIdentity::of(self.user(tls_user)))
        };
        let config = client_config(&self.manifest, identity.as_ref());
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(config)
            .timeout(HTTP_TIMEOUT)
            .build()
            .expect("building the HTTP client");
        clients.insert(tls_user.to_string(), client.clone());
        client
    }

    /// One TLS handshake and HTTP exchange with arbitrary client credentials, by hand.
    pub fn tls_probe(&self, identity: Option<&TlsIdentity>, body: &[u8]) -> TlsProbe {
        let config = Arc::new(client_config(&self.manifest, identity));
        let addr = self
            .manifest
            .duis_url
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_string();
        let request = [
            format!(
                "POST /api/v1/serviceD HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes(),
            body.to_vec(),
        ]
        .concat();
        self.rt.block_on(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let run = async {
                let tcp = tokio::net::TcpStream::connect(&addr).await?;
                let connector = tokio_rustls::TlsConnector::from(config);
                let name = rustls::pki_types::ServerName::try_from("localhost")
                    .map_err(std::io::Error::other)?;
                let mut tls = connector.connect(name, tcp).await?;
                tls.write_all(&request).await?;
                tls.flush().await?;
                let mut answer = Vec::new();
                tls.read_to_end(&mut answer).await?;
                Ok::<_, std::io::Error>(answer)
            };
            match tokio::time::timeout(HTTP_TIMEOUT, run).await {
                Err(_) => TlsProbe::TimedOut,
                Ok(Ok(answer)) if answer.is_empty() => TlsProbe::ClosedWithoutAnswer,
                Ok(Ok(answer)) => TlsProbe::Answered(String::from_utf8_lossy(&answer).into_owned()),
                Ok(Err(e)) => {
                    let tls = e
                        .get_ref()
                        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                        .cloned();
                    TlsProbe::Failed {
                        tls,
                        message: e.to_string(),
                    }
                }
            }
        })
    }

    /// Runs `f` on the harness's runtime (for tests driving sockets by hand).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The DUIS listener's address (`host:port`).
    pub fn duis_addr(&self) -> String {
        self.manifest
            .duis_url
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    }

    /// A TLS connection to the DUIS listener with `user`'s DCCKI certificate, handshake done.
    pub async fn tls_connect(
        &self,
        user: &str,
    ) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
        let identity = TlsIdentity::of(self.user(user));
        let config = Arc::new(client_config(&self.manifest, Some(&identity)));
        let tcp = tokio::net::TcpStream::connect(self.duis_addr())
            .await
            .expect("connecting to the DUIS listener");
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("server name");
        tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .expect("TLS handshake with the DUIS listener")
    }

    /// Polls `condition` every 10 ms until it holds; fails the test after `limit`.
    pub fn wait_until(&self, limit: Duration, what: &str, condition: impl Fn() -> bool) {
        let deadline = Instant::now() + limit;
        while !condition() {
            assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Every table of the database, read-only.
    pub fn snapshot(&self) -> DbSnapshot {
        match &self.pg {
            Some(pg) => DbSnapshot::read_pg(&pg.db.url()),
            None => DbSnapshot::read(&self.db_path()),
        }
    }

    /// Runs a read-only query (`?1`, `?2`… bound to `params`); every cell as text (`NULL` for
    /// null, blobs in hex), the same on SQLite and PostgreSQL (booleans as 1 and 0).
    pub fn query(&self, sql: &str, params: &[&str]) -> Vec<Vec<String>> {
        if let Some(pg) = &self.pg {
            return pg_query(&pg.db.url(), sql, params);
        }
        let conn = open_read_only(&self.db_path());
        let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let columns = st.column_count();
        st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            (0..columns)
                .map(|i| r.get_ref(i).map(|v| cell_text(v, false)))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs a writing statement (`?1`, `?2`… bound to `params`) on the DCC's database, SQLite
    /// or PostgreSQL, as an operator with direct access would; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[&str]) -> u64 {
        if let Some(pg) = &self.pg {
            return pg_execute(&pg.db.url(), sql, params);
        }
        let conn = rusqlite::Connection::open(self.db_path())
            .unwrap_or_else(|e| panic!("{}: {e}", self.db_path().display()));
        conn.busy_timeout(Duration::from_secs(10))
            .expect("setting a busy timeout");
        let n = conn
            .execute(sql, rusqlite::params_from_iter(params.iter()))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        u64::try_from(n).expect("a row count")
    }

    /// A directory for the test's own files (requests to hand to the CLI, …).
    pub fn scratch_dir(&self) -> PathBuf {
        let dir = self.root.path().join("scratch");
        std::fs::create_dir_all(&dir).expect("creating the scratch directory");
        dir
    }

    /// Writes `contents` to a file in the scratch directory and returns its path.
    pub fn scratch_file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.scratch_dir().join(name);
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// The DCC's XML signing certificate (DER), from the current `demo.json`.
    pub fn dcc_signing_cert(&self) -> Vec<u8> {
        cert_der(&self.manifest.dcc.xml_signing_cert)
    }

    /// Closes the harness's HTTP connections, sends SIGTERM and waits (bounded) for the demo
    /// (every process of it) to exit.
    pub fn stop(&mut self) -> ExitStatus {
        self.close_connections();
        match self.terminate_within(STOP_TIMEOUT) {
            Some(status) => status,
            None => panic!(
                "the demo did not exit within {STOP_TIMEOUT:?} of SIGTERM\n{}",
                self.log()
            ),
        }
    }

    /// Drops the cached HTTP clients and lets their connection tasks close the sockets.
    pub fn close_connections(&self) {
        let clients: Vec<reqwest::Client> = self
            .clients
            .lock()
            .expect("client cache lock")
            .drain()
            .map(|(_, c)| c)
            .collect();
        drop(clients);
        self.rt
            .block_on(async { tokio::time::sleep(Duration::from_millis(50)).await });
    }

    /// Sends SIGTERM (keeping any open HTTP connections) to every process of the demo and waits
    /// up to `limit` for them all to exit. The first unsuccessful status, else the gateway
    /// process's; `None` if one is still running then (it is killed when the [`Demo`] is
    /// dropped).
    pub fn terminate_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        assert!(self.child.is_some(), "the demo is running");
        for child in self.child.iter().chain(self.others.iter()) {
            signal(child, rustix::process::Signal::TERM);
        }
        let deadline = Instant::now() + limit;
        let mut front: Option<ExitStatus> = None;
        let mut failed: Option<ExitStatus> = None;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait().expect("waiting for the demo")
            {
                self.child = None;
                front = Some(status);
                if !status.success() {
                    failed.get_or_insert(status);
                }
            }
            // Those that exited (reaped by `try_wait`) leave the list.
            self.others
                .retain_mut(|c| match c.try_wait().expect("waiting for the demo") {
                    Some(status) => {
                        if !status.success() {
                            failed.get_or_insert(status);
                        }
                        false
                    }
                    None => true,
                });
            if self.child.is_none() && self.others.is_empty() {
                return failed.or(front);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL to every process of the demo (`kill -9`: nothing is shut down cleanly), reaped.
    pub fn kill9(&mut self) {
        for mut child in self.child.take().into_iter().chain(self.others.drain(..)) {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaping the killed process");
        }
    }

    /// Starts the demo again on the same world (after [`Demo::stop`] or [`Demo::kill9`]): every
    /// process; waits for the new `demo.json`.
    pub fn restart(&mut self) {
        assert!(
            self.child.is_none() && self.others.is_empty(),
            "stop the demo before restarting it"
        );
        self.runs += 1;
        let (child, others, manifest) = launch(
            &self.data_dir(),
            self.root.path(),
            self.runs,
            &self.options,
            self.pg.as_ref(),
        );
        self.child = Some(child);
        self.others = others;
        self.manifest = manifest;
    }
}

/// Sends `sig` to a child process.
fn signal(child: &Child, sig: rustix::process::Signal) {
    let pid =
        rustix::process::Pid::from_raw(i32::try_from(child.id()).expect("process ids fit in i32"))
            .expect("a child's pid is positive");
    // An error is a process already gone (reaped later).
    let _ = rustix::process::kill_process(pid, sig);
}

/// `root/logs/demo-N.log` (the embedded demo, or the process that runs the gateway), or
/// `root/logs/demo-N-NAME.log` for the other processes on PostgreSQL.
fn log_path(root: &Path, run: u32, name: &str) -> PathBuf {
    if name.is_empty() || name == "front" {
        root.join(format!("logs/demo-{run}.log"))
    } else {
        root.join(format!("logs/demo-{run}-{name}.log"))
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        for mut child in self.child.take().into_iter().chain(self.others.drain(..)) {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("demo log:\n{}", self.log());
        }
    }
}

/// Starts `opendcc demo` on `data` (or, with `pg`, an `opendcc serve` process for each of
/// [`PgServed::processes`] on its PostgreSQL database and NATS streams, the keys in `data`) and
/// waits for the `demo.json` the gateway writes after binding (and, on PostgreSQL, for every
/// other process to run its roles). Run `run`'s logs go to [`log_path`]. The gateway's process
/// first, then the others.
fn launch(
    data: &Path,
    root: &Path,
    run: u32,
    options: &DemoOptions,
    pg: Option<&PgServed>,
) -> (Child, Vec<Child>, Manifest) {
    let manifest_path = data.join("demo.json");
    // A previous run's manifest would name a dead port.
    match std::fs::remove_file(&manifest_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => panic!("removing {}: {e}", manifest_path.display()),
    }
    let mut extra: Vec<&String> = options.extra_args.iter().collect();
    if pg.is_some() {
        // `serve` takes the world's size from its configuration, and a ZAZ1 world is made
        // before it runs ([`PgServed::prepare`]).
        for flag in ["--premises", "--zaz1"] {
            if let Some(i) = extra.iter().position(|a| *a == flag) {
                extra.drain(i..(i + 2).min(extra.len()));
            }
        }
    }
    let spawn = |cmd: &mut Command, log: &Path| -> Child {
        let log_file = std::fs::File::create(log).expect("creating the demo log");
        cmd.args(&extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("cloning the log handle"))
            .stderr(log_file)
            .spawn()
            .expect("starting opendcc")
    };
    // (child, its log, what it has written once it runs)
    let mut started: Vec<(Child, PathBuf, Option<&str>)> = Vec::new();
    match pg {
        Some(pg) => {
            for (i, (name, config)) in pg.processes.iter().enumerate() {
                if let Some((first, first_log, _)) = started.first_mut() {
                    // One process sets the JetStream layout up before the others connect: two
                    // at once can fail on the layout bucket (queue-nats' `ensure_leases`:
                    // "bucket …_layout: failed getting entry: no stream found for given
                    // subject").
                    wait_for_line(first, first_log, "NATS JetStream connected");
                }
                let log = log_path(root, run, name);
                let mut cmd = Command::new(BIN);
                cmd.arg("serve").arg("--config").arg(config);
                let child = spawn(&mut cmd, &log);
                started.push((child, log, (i > 0).then_some("roles running")));
            }
        }
        None => {
            let log = log_path(root, run, "");
            let mut cmd = Command::new(BIN);
            cmd.arg("demo")
                .arg("--data")
                .arg(data)
                .args(["--listen", "127.0.0.1:0"])
                // Parallel tests must not collide on the SMKI repository's default port 8083.
                .args(["--smki-listen", "127.0.0.1:0"]);
            if options.plain_http {
                cmd.arg("--plain-http");
            }
            let child = spawn(&mut cmd, &log);
            started.push((child, log, None));
        }
    }
    let kill_all = |started: &mut Vec<(Child, PathBuf, Option<&str>)>| {
        for (child, _, _) in started.iter_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    };
    let logs = |started: &Vec<(Child, PathBuf, Option<&str>)>| -> String {
        started
            .iter()
            .map(|(_, log, _)| {
                format!(
                    "--- {} ---\n{}",
                    log.display(),
                    std::fs::read_to_string(log).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let ready = manifest_path.exists()
            && started.iter().all(|(_, log, line)| {
                line.is_none_or(|l| std::fs::read_to_string(log).unwrap_or_default().contains(l))
            });
        if ready {
            let manifest = Manifest::load(&manifest_path);
            let mut children = started.into_iter().map(|(c, _, _)| c);
            let front = children.next().expect("one process at least");
            return (front, children.collect(), manifest);
        }
        for i in 0..started.len() {
            if let Some(status) = started[i].0.try_wait().expect("waiting for the demo") {
                let text = logs(&started);
                kill_all(&mut started);
                panic!(
                    "opendcc ({}) exited ({status}) before the demo was ready:\n{text}",
                    started[i].1.display()
                );
            }
        }
        if Instant::now() > deadline {
            let text = logs(&started);
            kill_all(&mut started);
            panic!("the demo was not ready (demo.json written) within {START_TIMEOUT:?}:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits (bounded) until `log` holds `line`; fails the test, with the log, if `child` exits
/// first.
fn wait_for_line(child: &mut Child, log: &Path, line: &str) {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(line) {
            return;
        }
        if let Some(status) = child.try_wait().expect("waiting for opendcc") {
            panic!(
                "opendcc exited ({status}) before logging {line:?}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "no {line:?} within {START_TIMEOUT:?}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `opendcc ARGS` (with `stdin` as standard input) to completion, bounded.
pub fn run_cli(args: &[&str], stdin: Option<&str>) -> Output {
    run_cli_within(args, stdin, START_TIMEOUT)
}

/// [`run_cli`] with a time limit: past it the process is killed and the test fails.
pub fn run_cli_within(args: &[&str], stdin: Option<&str>, limit: Duration) -> Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting opendcc");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())
            .expect("writing to opendcc's stdin");
    }
    // Read the pipes on threads so that a chatty child cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut v);
        v
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().expect("waiting for opendcc") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("opendcc {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// A rustls client configuration trusting the DCC's TLS CA, with optional client credentials.
pub fn client_config(manifest: &Manifest, identity: Option<&TlsIdentity>) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let ca = read(&manifest.tls_ca);
    for c in rustls_pemfile::certs(&mut ca.as_bytes()) {
        roots
            .add(c.expect("TLS CA PEM"))
            .expect("TLS CA certificate");
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots);
    match identity {
        None => builder.with_no_client_auth(),
        Some(id) => {
            let certs = rustls_pemfile::certs(&mut id.chain_pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .expect("client certificate PEM");
            let key = rustls_pemfile::private_key(&mut id.key_pem.as_bytes())
                .expect("client key PEM")
                .expect("a private key in the client key PEM");
            builder
                .with_client_auth_cert(certs, key)
                .expect("client credentials")
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}

/// How a raw TLS exchange ended.
#[derive(Debug)]
pub enum TlsProbe {
    /// The server answered (the raw HTTP response).
    Answered(String),
    /// The handshake or the exchange failed.
    Failed {
        /// The TLS error, when the failure was one.
        tls: Option<rustls::Error>,
        message: String,
    },
    /// The server closed the connection without a byte of answer.
    ClosedWithoutAnswer,
    TimedOut,
}

impl TlsProbe {
    /// The HTTP status line's code, if the server answered.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            TlsProbe::Answered(text) => text.split_whitespace().nth(1)?.parse().ok(),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A Receive Response Service

/// One document the DCC POSTed to a [`ResponseSink`].
#[derive(Debug, Clone)]
pub struct Delivered {
    pub path: String,
    pub content_type: String,
    /// The `x-opendcc-delivery-id` header.
    pub delivery_id: Option<String>,
    pub body: String,
}

struct SinkState {
    received: Mutex<Vec<Delivered>>,
    /// How many of the next deliveries to refuse with HTTP 503.
    refuse: AtomicU64,
    refused: AtomicU64,
}

/// A plain-HTTP Receive Response Service on 127.0.0.1 that records every delivery.
pub struct ResponseSink {
    url: String,
    state: Arc<SinkState>,
    task: tokio::task::JoinHandle<()>,
}

impl ResponseSink {
    /// The URL to register with `opendcc user response-url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Everything accepted so far.
    pub fn received(&self) -> Vec<Delivered> {
        self.state.received.lock().expect("sink lock").clone()
    }

    /// Refuses the next `n` deliveries with HTTP 503 (they are not recorded).
    pub fn refuse_next(&self, n: u64) {
        self.state.refuse.store(n, Ordering::SeqCst);
    }

    /// How many deliveries were refused.
    pub fn refused(&self) -> u64 {
        self.state.refused.load(Ordering::SeqCst)
    }

    /// Waits (bounded) for an accepted delivery that `pred` picks.
    pub fn wait_for(&self, limit: Duration, pred: impl Fn(&Delivered) -> bool) -> Delivered {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(d) = self.received().into_iter().find(|d| pred(d)) {
                return d;
            }
            assert!(
                Instant::now() < deadline,
                "no matching delivery within {limit:?}; received: {:#?}",
                self.received()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for ResponseSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn sink_receive(
    state: Arc<SinkState>,
    req: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<http_body_util::Full<bytes::Bytes>> {
    use http_body_util::BodyExt;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let path = req.uri().path().to_string();
    let content_type = header("content-type").unwrap_or_default();
    let delivery_id = header("x-opendcc-delivery-id");
    let refuse = state
        .refuse
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let body = match req.into_body().collect().await {
        Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
        Err(_) => String::new(),
    };
    let mut resp = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::new()));
    if refuse {
        state.refused.fetch_add(1, Ordering::SeqCst);
        *resp.status_mut() = hyper::StatusCode::SERVICE_UNAVAILABLE;
    } else {
        state.received.lock().expect("sink lock").push(Delivered {
            path,
            content_type,
            delivery_id,
            body,
        });
    }
    resp
}

/// Starts a Receive Response Service on 127.0.0.1 (port picked by the kernel), on the runtime
/// this is awaited on.
pub async fn start_response_sink() -> ResponseSink {
    let state = Arc::new(SinkState {
        received: Mutex::new(Vec::new()),
        refuse: AtomicU64::new(0),
        refused: AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding the response sink");
    let addr = listener.local_addr().expect("sink address");
    let st = state.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let st = st.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    let st = st.clone();
                    async move { Ok::<_, std::convert::Infallible>(sink_receive(st, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    ResponseSink {
        url: format!("http://{addr}/rrs"),
        state,
        task,
    }
}

impl Demo {
    /// Starts a Receive Response Service on 127.0.0.1 (port picked by the kernel).
    pub fn response_sink(&self) -> ResponseSink {
        self.rt.block_on(start_response_sink())
    }

    /// Registers `url` as `user`'s Receive Response Service through the CLI (which finds the
    /// store by the manifest: SQLite or PostgreSQL).
    pub fn set_response_url(&self, user: &str, url: &str) {
        let manifest = self.manifest_path();
        let out = run_cli(
            &[
                "user",
                "response-url",
                "--manifest",
                manifest.to_str().expect("UTF-8 path"),
                "--user",
                user,
                url,
            ],
            None,
        );
        assert!(
            out.status.success(),
            "opendcc user response-url: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Replies

/// The DCC's synchronous answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    dcc_signing_cert: PathBuf,
}

impl Reply {
    /// The answer as a DUIS response: HTTP 200, `application/xml`, signed by the DCC's XML
    /// signing key, valid against the DUIS schema. Panics (failing the test) otherwise.
    pub fn duis(&self) -> DuisResponse {
        assert_eq!(
            self.status, 200,
            "expected HTTP 200 with a DUIS response, got {}: {}",
            self.status, self.body
        );
        assert!(
            self.content_type.starts_with("application/xml"),
            "content type {:?}",
            self.content_type
        );
        DuisResponse::checked(&self.body, &cert_der(&self.dcc_signing_cert))
    }

    /// Asserts a pre-authentication refusal: `status`, a plain-text body, and no DUIS document.
    pub fn assert_refused(&self, status: u16, reason: &str) {
        assert_eq!(
            self.status, status,
            "expected HTTP {status} ({reason}), got {}: {}",
            self.status, self.body
        );
        assert!(
            self.content_type.starts_with("text/plain"),
            "a refusal before authentication is plain text, got {:?}: {}",
            self.content_type,
            self.body
        );
        assert!(
            self.body.contains(reason),
            "expected the refusal to say {reason:?}, it says {:?}",
            self.body
        );
        assert!(
            !self.body.contains("<sr:Response") && !self.body.contains("<ds:Signature"),
            "a pre-authentication refusal carries no DUIS response: {}",
            self.body
        );
    }
}

/// A DUIS response whose signature and schema validity have been checked.
#[derive(Debug, Clone)]
pub struct DuisResponse {
    pub xml: String,
    pub root: duis::Element,
}

impl DuisResponse {
    /// Verifies `xml` against the DCC's XML signing certificate and the DUIS response schema.
    pub fn checked(xml: &str, dcc_cert_der: &[u8]) -> DuisResponse {
        let (issuer_serial, dcc_key) =
            xmldsig::issuer_serial_of_cert(dcc_cert_der).expect("DCC signing certificate parses");
        let info = xmldsig::verify(xml.as_bytes(), &dcc_key)
            .unwrap_or_else(|e| panic!("DUIS response signature does not verify: {e}\n{xml}"));
        assert_eq!(
            info.issuer_serial.serial, issuer_serial.serial,
            "the response names another certificate than the DCC's XML signing certificate"
        );
        duis_schema::validate_response(xml.as_bytes())
            .unwrap_or_else(|e| panic!("DUIS response is not schema-valid: {e}\n{xml}"));
        let root = duis::xml::parse_element(xml.as_bytes(), &duis::ParseLimits::default())
            .unwrap_or_else(|e| panic!("DUIS response does not parse: {e}\n{xml}"));
        assert_eq!(root.name, "Response", "root element");
        DuisResponse {
            xml: xml.to_string(),
            root,
        }
    }

    pub fn code(&self) -> &str {
        self.root
            .text_of(&["Header", "ResponseCode"])
            .expect("Header/ResponseCode")
    }

    pub fn request_id(&self) -> &str {
        self.root
            .text_of(&["Header", "RequestID"])
            .expect("Header/RequestID")
    }

    pub fn service_reference_variant(&self) -> Option<&str> {
        self.root
            .text_of(&["Body", "ResponseMessage", "ServiceReferenceVariant"])
    }

    /// Asserts the response code and the echoed RequestID.
    pub fn assert_code(&self, code: &str, rid: &str) -> &Self {
        assert_eq!(self.code(), code, "response code; response:\n{}", self.xml);
        assert_eq!(self.request_id(), rid, "RequestID echoed");
        self
    }

    /// `Body/ResponseMessage/DSPInventory/Device` entries.
    pub fn inventory(&self) -> Vec<InventoryDevice> {
        let Some(inv) = self.root.find(&["Body", "ResponseMessage", "DSPInventory"]) else {
            return Vec::new();
        };
        inv.children_named("Device")
            .map(|d| InventoryDevice {
                fields: d
                    .children
                    .iter()
                    .map(|c| (c.name.clone(), leaf_text(c)))
                    .collect(),
            })
            .collect()
    }

    /// The first element named `local` anywhere in the document.
    pub fn find_any(&self, local: &str) -> Option<&duis::Element> {
        fn walk<'a>(e: &'a duis::Element, local: &str) -> Option<&'a duis::Element> {
            if e.name == local {
                return Some(e);
            }
            e.children.iter().find_map(|c| walk(c, local))
        }
        walk(&self.root, local)
    }
}

fn leaf_text(e: &duis::Element) -> String {
    if e.children.is_empty() {
        e.trimmed_text().to_string()
    } else {
        e.children
            .iter()
            .map(|c| format!("{}={}", c.name, leaf_text(c)))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// One device of a Read Inventory response: child element name → text.
#[derive(Debug, Clone)]
pub struct InventoryDevice {
    pub fields: Vec<(String, String)>,
}

impl InventoryDevice {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn id(&self) -> &str {
        self.get("DeviceID").expect("Device/DeviceID")
    }
}

// ---------------------------------------------------------------------------------------------
// The database, read-only

/// Text of a finished CLI run, for assertions.
pub fn stdout_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every row of every table, as text, sorted: equal snapshots mean nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbSnapshot {
    pub tables: BTreeMap<String, Vec<String>>,
}

impl DbSnapshot {
    pub fn read(path: &Path) -> DbSnapshot {
        let conn = open_read_only(path);
        let names: Vec<String> = {
            let mut st = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .expect("listing tables");
            st.query_map([], |r| r.get::<_, String>(0))
                .expect("listing tables")
                .collect::<Result<_, _>>()
                .expect("reading table names")
        };
        let mut tables = BTreeMap::new();
        for name in names {
            let mut st = conn
                .prepare(&format!("SELECT * FROM \"{name}\""))
                .expect("selecting a table");
            let columns = st.column_count();
            let mut rows: Vec<String> = st
                .query_map([], |r| {
                    let mut cells = Vec::with_capacity(columns);
                    for i in 0..columns {
                        cells.push(cell_text(r.get_ref(i)?, true));
                    }
                    Ok(cells.join(" | "))
                })
                .expect("reading rows")
                .collect::<Result<_, _>>()
                .expect("reading rows");
            rows.sort();
            tables.insert(name, rows);
        }
        DbSnapshot { tables }
    }

    /// [`DbSnapshot::read`] of a PostgreSQL database (its tables in its current schema).
    pub fn read_pg(url: &str) -> DbSnapshot {
        let names: Vec<Vec<String>> = pg_query(
            url,
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> 'schema_migrations' ORDER BY table_name",
            &[],
        );
        let mut tables = BTreeMap::new();
        for name in names.into_iter().filter_map(|r| r.into_iter().next()) {
            let mut client = postgres::Client::connect(url, postgres::NoTls)
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            let mut rows: Vec<String> = client
                .query(&format!("SELECT * FROM \"{name}\""), &[])
                .unwrap_or_else(|e| panic!("reading {name}: {e}"))
                .iter()
                .map(|r| pg_row_text(r, true).join(" | "))
                .collect();
            rows.sort();
            tables.insert(name, rows);
        }
        DbSnapshot { tables }
    }

    /// The rows of one table.
    pub fn table(&self, name: &str) -> &[String] {
        self.tables
            .get(name)
            .unwrap_or_else(|| panic!("no table {name:?} in the database"))
    }

    /// The rows of `table` whose text contains `needle` (e.g. a quoted key).
    pub fn rows_with(&self, table: &str, needle: &str) -> Vec<&str> {
        self.table(table)
            .iter()
            .filter(|r| r.contains(needle))
            .map(String::as_str)
            .collect()
    }

    /// The names of the tables whose rows differ.
    pub fn changed_tables(&self, other: &DbSnapshot) -> Vec<String> {
        let mut names: Vec<String> = self
            .tables
            .keys()
            .chain(other.tables.keys())
            .filter(|n| self.tables.get(*n) != other.tables.get(*n))
            .cloned()
            .collect();
        names.dedup();
        names
    }

    /// Asserts that nothing changed, naming the tables that did and their differing rows.
    pub fn assert_unchanged(&self, after: &DbSnapshot, what: &str) {
        let changed = self.changed_tables(after);
        if changed.is_empty() {
            return;
        }
        let mut report = String::new();
        for t in &changed {
            let before = self.tables.get(t).map(Vec::as_slice).unwrap_or_default();
            let now = after.tables.get(t).map(Vec::as_slice).unwrap_or_default();
            for r in before.iter().filter(|r| !now.contains(r)) {
                report.push_str(&format!("  {t}: - {}\n", clip(r)));
            }
            for r in now.iter().filter(|r| !before.contains(r)) {
                report.push_str(&format!("  {t}: + {}\n", clip(r)));
            }
        }
        panic!("{what} changed the database (tables {changed:?}):\n{report}");
    }

    /// The highest counter of an originator's `counters` rows (originator | target | last:
    /// one per target, and its floor), if any.
    pub fn counter_of(&self, originator: &str) -> Option<u64> {
        let quoted = format!("{originator:?}");
        self.table("counters")
            .iter()
            .filter_map(|row| {
                let mut cells = row.split(" | ");
                let who = cells.next()?;
                let last = cells.last()?;
                // Stored bit for bit as i64.
                (who == quoted).then(|| last.parse::<i64>().ok().map(|v| v as u64))?
            })
            .max()
    }
}

/// A blob cell as [`cell_text`] writes it (`x'…'`), back to its bytes.
fn unhex_cell(cell: &str) -> Vec<u8> {
    let hex = cell
        .strip_prefix("x'")
        .and_then(|h| h.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not a blob cell: {cell}"));
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// [`Demo::query`] on PostgreSQL: `?N` becomes `$N`, each parameter is converted to the type
/// the server infers for it, and each cell is written as SQLite's would be.
fn pg_query(url: &str, sql: &str, params: &[&str]) -> Vec<Vec<String>> {
    pg_run(url, sql, params, |client, st, refs| {
        client
            .query(st, refs)
            .map(|rows| rows.iter().map(|r| pg_row_text(r, false)).collect())
    })
}

/// Runs a writing statement on PostgreSQL; the number of rows it changed.
fn pg_execute(url: &str, sql: &str, params: &[&str]) -> u64 {
    pg_run(url, sql, params, |client, st, refs| {
        client.execute(st, refs)
    })
}

/// Prepares `sql` (`?N` placeholders as `$N`), binds `params` by the statement's types and runs
/// `f` on them.
fn pg_run<T>(
    url: &str,
    sql: &str,
    params: &[&str],
    f: impl FnOnce(
        &mut postgres::Client,
        &postgres::Statement,
        &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<T, postgres::Error>,
) -> T {
    use postgres::types::{ToSql, Type};
    let mut client =
        postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| panic!("{url}: {e}"));
    let mut pg_sql = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            pg_sql.push('$');
        } else {
            pg_sql.push(c);
        }
    }
    let st = client
        .prepare(&pg_sql)
        .unwrap_or_else(|e| panic!("{pg_sql}: {e}"));
    let values: Vec<Box<dyn ToSql + Sync>> = st
        .params()
        .iter()
        .zip(params)
        .map(|(t, p)| -> Box<dyn ToSql + Sync> {
            match *t {
                Type::INT8 => Box::new(p.parse::<i64>().expect("an integer parameter")),
                Type::INT4 => Box::new(p.parse::<i32>().expect("an integer parameter")),
                Type::BOOL => Box::new(matches!(*p, "1" | "true")),
                _ => Box::new(p.to_string()),
            }
        })
        .collect();
    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| &**v).collect();
    f(&mut client, &st, &refs).unwrap_or_else(|e| panic!("{pg_sql}: {e}"))
}

/// A PostgreSQL row's cells as [`cell_text`] writes SQLite's (text quoted if `quote_text`).
fn pg_row_text(row: &postgres::Row, quote_text: bool) -> Vec<String> {
    use postgres::types::Type;
    (0..row.len())
        .map(|i| {
            let t = row.columns()[i].type_().clone();
            let cell = |v: Option<String>| v.unwrap_or_else(|| "NULL".into());
            match t {
                Type::INT8 => cell(row.get::<_, Option<i64>>(i).map(|v| v.to_string())),
                Type::INT4 => cell(row.get::<_, Option<i32>>(i).map(|v| v.to_string())),
                Type::INT2 => cell(row.get::<_, Option<i16>>(i).map(|v| v.to_string())),
                Type::BOOL => cell(
                    row.get::<_, Option<bool>>(i)
                        .map(|v| u8::from(v).to_string()),
                ),
                Type::FLOAT8 => cell(row.get::<_, Option<f64>>(i).map(|v| v.to_string())),
                Type::BYTEA => cell(
                    row.get::<_, Option<Vec<u8>>>(i)
                        .map(|v| format!("x'{}'", hex(&v))),
                ),
                _ if quote_text => cell(row.get::<_, Option<String>>(i).map(|v| format!("{v:?}"))),
                _ => cell(row.get::<_, Option<String>>(i)),
            }
        })
        .collect()
}

fn open_read_only(path: &Path) -> rusqlite::Connection {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap_or_else(|e| panic!("opening {} read-only: {e}", path.display()));
    conn.busy_timeout(Duration::from_secs(10))
        .expect("setting a busy timeout");
    conn
}

/// A cell as text: text quoted (for snapshots) or raw, blobs in hex, `NULL` for null.
fn cell_text(v: rusqlite::types::ValueRef<'_>, quote_text: bool) -> String {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Text(t) if quote_text => format!("{:?}", String::from_utf8_lossy(t)),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => format!("x'{}'", hex(b)),
    }
}

fn clip(s: &str) -> String {
    if s.len() <= 300 {
        s.to_string()
    } else {
        let mut end = 300;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// Credentials the DCC does not know

/// A signing key and organisation certificate for `eui` from a freshly generated SMKI that the
/// DCC has never seen (same issuer name as the demo's OCA, different keys and serial).
pub fn foreign_signer(eui: &str) -> xmldsig::XmlSigner {
    let now = time::OffsetDateTime::now_utc();
    let pki = smki::Pki::generate_with_os_rng(now, &smki::PkiNames::default())
        .expect("generating a foreign SMKI");
    let key = smki::KeyPair::generate_with_os_rng().expect("key");
    let der = pki
        .oca
        .issue_organisation(&smki::OrgCertRequest {
            common_name: Some("INTRUDER".into()),
            eui: eui.parse().expect("EUI"),
            role: smki::RemotePartyRole::Supplier,
            usage: smki::KeyUsage::DigitalSignature,
            public_key: key.public_key(),
            serial: smki::Serial::random_with_os_rng().expect("serial"),
            not_before: now - time::Duration::days(1),
            not_after: now + time::Duration::days(365),
        })
        .expect("issuing a foreign organisation certificate");
    let pem = key.to_pkcs8_pem().expect("PKCS#8");
    signer(&pem, &der)
}

/// A DCCKI-style TLS client certificate for `eui` from a CA the DCC does not trust.
pub fn foreign_tls_identity(eui: &str, organisation: &str) -> TlsIdentity {
    let now = time::OffsetDateTime::now_utc();
    let pki = smki::Pki::generate_with_os_rng(now, &smki::PkiNames::default())
        .expect("generating a foreign DCCKI");
    let key = smki::KeyPair::generate_with_os_rng().expect("key");
    let der = pki
        .dccki_issuing
        .issue_tls_client(&smki::TlsClientCertRequest {
            eui: eui.parse().expect("EUI"),
            organisation: organisation.into(),
            public_key: key.public_key(),
            serial: smki::Serial::random_with_os_rng().expect("serial"),
            not_before: now - time::Duration::days(1),
            not_after: now + time::Duration::days(365),
        })
        .expect("issuing a foreign TLS client certificate");
    TlsIdentity {
        chain_pem: format!(
            "{}{}",
            smki::cert_to_pem(&der).expect("PEM"),
            pki.dccki_issuing.cert_pem().expect("PEM")
        ),
        key_pem: key.to_pkcs8_pem().expect("PKCS#8").to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Device services: fast demos, the WAN's controls, device state, GBCS answers

/// Options for a demo whose emulated WAN and deliveries are fast (no latency, 50 ms WAN retries,
/// 20 ms first delivery backoff), with `more` arguments for `opendcc demo`.
pub fn fast_options(more: &[&str]) -> DemoOptions {
    let mut extra_args: Vec<String> = [
        "--wan-latency-ms",
        "0,0,0",
        "--wan-retry-ms",
        "50",
        "--delivery-backoff-ms",
        "20",
    ]
    .map(String::from)
    .to_vec();
    extra_args.extend(more.iter().map(|a| a.to_string()));
    DemoOptions {
        extra_args,
        ..DemoOptions::default()
    }
}

impl Demo {
    /// A demo with [`fast_options`].
    pub fn start_fast(more: &[&str]) -> Demo {
        Demo::start_with(fast_options(more))
    }

    /// `opendcc wan fault --data DIR --chf CHF FAULT` (`--manifest FILE` on PostgreSQL); fails
    /// the test if the CLI fails.
    pub fn wan_fault(&self, chf: &str, fault: &str) {
        self.wan_cli("fault", chf, fault);
    }

    /// `opendcc device fault --data DIR --device DEVICE FAULT` (`--manifest FILE` on
    /// PostgreSQL); the CLI's output, or its error.
    pub fn device_fault(&self, device: &str, fault: &str) -> Result<String, String> {
        let mut args: Vec<String> = vec!["device".into(), "fault".into()];
        args.extend(self.dcc_args());
        args.extend(["--device".into(), device.into(), fault.into()]);
        let out = run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(stderr_of(&out))
        }
    }

    /// `opendcc device button --data DIR --device DEVICE` (`--manifest FILE` on PostgreSQL):
    /// the consumer presses the meter's button; the CLI's output, or its error.
    pub fn device_button(&self, device: &str) -> Result<String, String> {
        let mut args: Vec<String> = vec!["device".into(), "button".into()];
        args.extend(self.dcc_args());
        args.extend(["--device".into(), device.into()]);
        let out = run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(stderr_of(&out))
        }
    }

    /// `opendcc device boost --data DIR --device DEVICE` (`--manifest FILE` on PostgreSQL): the
    /// consumer presses an ESME's boost button; the CLI's output, or its error.
    pub fn device_boost(&self, device: &str) -> Result<String, String> {
        let mut args: Vec<String> = vec!["device".into(), "boost".into()];
        args.extend(self.dcc_args());
        args.extend(["--device".into(), device.into()]);
        let out = run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(stderr_of(&out))
        }
    }

    /// `opendcc device voltage --data DIR --device EUI VOLTS` (`--manifest FILE` on
    /// PostgreSQL): stdout, or stderr on failure.
    pub fn device_voltage(&self, device: &str, volts: &str) -> Result<String, String> {
        let mut args: Vec<String> = vec!["device".into(), "voltage".into()];
        args.extend(self.dcc_args());
        args.extend(["--device".into(), device.into(), volts.into()]);
        let out = run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(stderr_of(&out))
        }
    }

    /// `opendcc wan event --data DIR --chf CHF KIND` (`--manifest FILE` on PostgreSQL); fails
    /// the test if the CLI fails.
    pub fn wan_event(&self, chf: &str, kind: &str) {
        self.wan_cli("event", chf, kind);
    }

    fn wan_cli(&self, verb: &str, chf: &str, what: &str) {
        let mut args: Vec<String> = vec!["wan".into(), verb.into()];
        args.extend(self.dcc_args());
        args.extend(["--chf".into(), chf.into(), what.into()]);
        let out = run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert!(
            out.status.success(),
            "opendcc wan {verb} {what}: {}",
            stderr_of(&out)
        );
    }

    /// An emulated device's persistent state (its compact rows, `devices::stored`, or a
    /// `device_state` JSON row stored before them), as JSON.
    pub fn device_state(&self, id: &str) -> serde_json::Value {
        let compact = self
            .query(
                "SELECT b.body, c.counters FROM device_body b
                     JOIN device_counters c ON c.id = b.id WHERE b.id = ?1",
                &[id],
            )
            .into_iter()
            .next()
            .map(|row| (unhex_cell(&row[0]), unhex_cell(&row[1])));
        let Some((body, counters)) = compact else {
            let rows = self.query("SELECT state FROM device_state WHERE id = ?1", &[id]);
            let row = rows
                .first()
                .unwrap_or_else(|| panic!("no device state for {id}"));
            return serde_json::from_str(&row[0])
                .unwrap_or_else(|e| panic!("device state of {id}: {e}"));
        };
        let events: Vec<Vec<u8>> = self
            .query(
                "SELECT event FROM device_events WHERE id = ?1 ORDER BY seq",
                &[id],
            )
            .iter()
            .map(|row| unhex_cell(&row[0]))
            .collect();
        let events = events
            .iter()
            .map(|e| devices::stored::decode_event(e))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("device events of {id}: {e}"));
        let state =
            devices::stored::decode_state(&body, &counters, devices::EventLog::from_events(events))
                .unwrap_or_else(|e| panic!("device state of {id}: {e}"));
        serde_json::to_value(&state).unwrap_or_else(|e| panic!("device state of {id}: {e}"))
    }

    /// `DIR/devices/<hex>/<usage>.pem`: a device's SMKI certificate (`ds` or `ka`).
    pub fn device_cert_path(&self, id: &str, usage: &str) -> PathBuf {
        let hex: String = id
            .chars()
            .filter(|c| *c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        self.data_dir()
            .join("devices")
            .join(hex)
            .join(format!("{usage}.pem"))
    }

    /// `DIR/users/<name>/<file>`: a user's credential file (`ka.key`, `signing.key`, …).
    pub fn user_file(&self, user: &str, file: &str) -> PathBuf {
        self.data_dir().join("users").join(user).join(file)
    }

    /// The number of rows in the WAN queue (finished or not).
    pub fn wan_job_count(&self) -> usize {
        self.query("SELECT id FROM wan_jobs", &[]).len()
    }

    /// A Receive Response Service bound to `addr` (for example a port that was refused before).
    pub fn response_sink_at(&self, addr: std::net::SocketAddr) -> ResponseSink {
        let state = Arc::new(SinkState {
            received: Mutex::new(Vec::new()),
            refuse: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        });
        let listener = self.rt.block_on(async {
            tokio::net::TcpListener::bind(addr)
                .await
                .unwrap_or_else(|e| panic!("binding the response sink to {addr}: {e}"))
        });
        let st = state.clone();
        let task = self.rt.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let st = st.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        let st = st.clone();
                        async move { Ok::<_, std::convert::Infallible>(sink_receive(st, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                        .await;
                });
            }
        });
        ResponseSink {
            url: format!("http://{addr}/rrs"),
            state,
            task,
        }
    }

    /// Runs `opendcc client listen --manifest M --listen 127.0.0.1:0 --out DIR` in the background
    /// (the Receive Response Service of the README's full session).
    pub fn cli_listener(&self) -> CliListener {
        CliListener::start(&self.manifest_path(), &self.scratch_dir().join("responses"))
    }
}

/// A free loopback address: bound, then released (nothing listens there until a test binds it).
pub fn unused_loopback_addr() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
    l.local_addr().expect("local address")
}

/// `opendcc client listen` running in the background; killed on drop.
pub struct CliListener {
    child: Child,
    url: String,
    out: PathBuf,
    lines: Arc<Mutex<Vec<String>>>,
}

impl CliListener {
    pub fn start(manifest: &Path, out: &Path) -> CliListener {
        use std::io::BufRead;
        let mut child = Command::new(BIN)
            .args(["client", "listen", "--manifest"])
            .arg(manifest)
            .args(["--listen", "127.0.0.1:0", "--out"])
            .arg(out)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting opendcc client listen");
        let stdout = child.stdout.take().expect("stdout is piped");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                sink.lock().expect("listener lines").push(line);
            }
        });
        let mut listener = CliListener {
            child,
            url: String::new(),
            out: out.to_path_buf(),
            lines,
        };
        let first = listener.wait_for_line(START_TIMEOUT, |l| l.starts_with("listening on "));
        listener.url = first.trim_start_matches("listening on ").trim().to_string();
        listener
    }

    /// The URL it prints (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Everything it printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("listener lines").clone()
    }

    /// Waits (bounded) for a printed line that `pred` picks.
    pub fn wait_for_line(&mut self, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(l) = self.lines().into_iter().find(|l| pred(l)) {
                return l;
            }
            if let Some(status) = self.child.try_wait().expect("waiting for the listener") {
                panic!(
                    "opendcc client listen exited ({status}); it printed {:#?}",
                    self.lines()
                );
            }
            assert!(
                Instant::now() < deadline,
                "opendcc client listen printed no matching line within {limit:?}: {:#?}",
                self.lines()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The file it saved for the document whose RequestID (or ResponseID) is `rid`.
    pub fn saved(&self, rid: &str) -> PathBuf {
        let suffix = format!("-{}.xml", rid.replace(':', "_"));
        let found: Vec<PathBuf> = std::fs::read_dir(&self.out)
            .unwrap_or_else(|e| panic!("{}: {e}", self.out.display()))
            .map(|e| e.expect("directory entry").path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(&suffix))
            })
            .collect();
        assert_eq!(found.len(), 1, "one saved file for {rid}: {found:?}");
        found.into_iter().next().expect("one file")
    }
}

impl Drop for CliListener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A DUIS alert's `Header/ResponseID`.
pub fn response_id(r: &DuisResponse) -> &str {
    r.root
        .text_of(&["Header", "ResponseID"])
        .expect("Header/ResponseID")
}

/// The bytes of the first `GBCSPayload` in a DUIS document (base64, whitespace allowed).
pub fn gbcs_payload(r: &DuisResponse) -> Vec<u8> {
    use base64::Engine as _;
    let text = r
        .find_any("GBCSPayload")
        .unwrap_or_else(|| panic!("no GBCSPayload in\n{}", r.xml))
        .trimmed_text();
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .unwrap_or_else(|e| panic!("GBCSPayload is not base64: {e}\n{}", r.xml))
}

/// The EUI-64 of a device or user id such as `00-DB-12-34-56-78-90-A0`.
pub fn eui64(id: &str) -> eui::Eui64 {
    id.parse()
        .unwrap_or_else(|e| panic!("{id:?} is not an EUI-64: {e:?}"))
}

/// A PKCS#8 PEM key file as DER.
fn pkcs8_der(path: &Path) -> Vec<u8> {
    smki::KeyPair::from_pkcs8_pem(&read(path))
        .and_then(|k| k.to_pkcs8_der().map(|d| d.to_vec()))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A GBCS key-agreement private key from a PKCS#8 PEM file.
pub fn ka_private_key(path: &Path) -> gbcs::crypto::KaPrivateKey {
    gbcs::crypto::KaPrivateKey::from_der(&pkcs8_der(path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A GBCS signing key from a PKCS#8 PEM file.
pub fn gbcs_signing_key(path: &Path) -> gbcs::crypto::SigningKey {
    gbcs::crypto::SigningKey::from_der(&pkcs8_der(path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A pre-command signed with the GBCS signing key in `key_file` (PKCS#8 PEM).
pub fn sign_precommand(precommand: &[u8], key_file: &Path) -> Vec<u8> {
    gbcs::GeneralSigning::decode(precommand)
        .expect("pre-command")
        .sign(&gbcs_signing_key(key_file))
        .expect("signing the pre-command")
        .encode()
}

/// The unsigned command variant 5 request `rid` for a critical service (`service_reference`,
/// `srv` as in its command variant 4 request), carrying `payload` as its GBCS payload.
pub fn cv5_request_xml(rid: &str, service_reference: &str, srv: &str, payload: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        concat!(
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{}</sr:RequestID><sr:CommandVariant>5</sr:CommandVariant>",
            "<sr:ServiceReference>{}</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>{}</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:SignedPreCommand><sr:GBCSPayload>{}</sr:GBCSPayload></sr:SignedPreCommand>",
            "</sr:Body></sr:Request>"
        ),
        rid,
        service_reference,
        srv,
        base64::engine::general_purpose::STANDARD.encode(payload)
    )
}

/// The public key of the certificate in a PEM file.
pub fn cert_public_key(path: &Path) -> gbcs::crypto::PublicKey {
    gbcs::crypto::PublicKey::from_certificate_der(&cert_der(path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A device's GBCS answer as the DCC delivered it.
#[derive(Debug, Clone)]
pub struct GbcsAnswer {
    pub frame: gbcs::Frame,
}

impl GbcsAnswer {
    /// Decodes the `GBCSPayload` of a delivered DUIS response.
    pub fn of(r: &DuisResponse) -> GbcsAnswer {
        let bytes = gbcs_payload(r);
        let frame = gbcs::Frame::decode(&bytes)
            .unwrap_or_else(|e| panic!("the GBCSPayload is no GBCS message: {e}\n{}", r.xml));
        GbcsAnswer { frame }
    }

    pub fn apdu(&self) -> &gbcs::GeneralSigning {
        self.frame.apdu()
    }

    /// The use case named by the message code (`ECS52`, …).
    pub fn use_case(&self) -> Option<&'static str> {
        self.apdu().message_code().use_case()
    }

    /// Asserts a MAC'd (`DD`) answer whose MAC verifies with `recipient_ka` (the recipient's
    /// key-agreement private key) and `sender_ka_cert` (the device's key-agreement certificate).
    pub fn assert_mac_verifies(&self, recipient_ka: &Path, sender_ka_cert: &Path) {
        let gbcs::Frame::Ciphered(c) = &self.frame else {
            panic!("expected a MAC'd (DD) answer, got {:?}", self.frame);
        };
        let key = ka_private_key(recipient_ka)
            .derive(
                &cert_public_key(sender_ka_cert),
                &gbcs::KdfContext::for_mac(&c.apdu),
            )
            .expect("deriving the MAC key");
        c.verify_mac(&key)
            .unwrap_or_else(|e| panic!("the answer's MAC does not verify: {e}"));
    }

    /// Asserts a signed (`DF`) answer whose signature verifies with the device's `ds.pem`.
    pub fn assert_signed_by(&self, device_ds_cert: &Path) {
        let gbcs::Frame::Signing(s) = &self.frame else {
            panic!(
                "expected a signed (DF) answer, got a MAC'd one: {:?}",
                self.frame
            );
        };
        assert!(
            matches!(s.signature, gbcs::SignatureField::Signed(_)),
            "the answer carries no signature: {s:?}"
        );
        s.verify_signature(&cert_public_key(device_ds_cert))
            .unwrap_or_else(|e| panic!("the device's signature does not verify: {e}"));
    }

    /// The data of a DLMS Access-Response payload.
    pub fn dlms_data(&self) -> Vec<gbcs::axdr::Data> {
        match self.apdu().payload() {
            gbcs::Payload::AccessResponse(a) => a.data,
            other => panic!("expected a DLMS Access-Response, got {other:?}"),
        }
    }

    /// The DLMS results of an Access-Response payload (0 = success).
    pub fn dlms_results(&self) -> Vec<u8> {
        match self.apdu().payload() {
            gbcs::Payload::AccessResponse(a) => a.results.iter().map(|r| r.result()).collect(),
            other => panic!("expected a DLMS Access-Response, got {other:?}"),
        }
    }

    /// The attributes of the ZCL Read Attributes Responses in a GBZ payload: id → value bytes
    /// (`None` when the device reported a failure status for the attribute).
    pub fn zcl_attributes(&self) -> BTreeMap<u16, Option<Vec<u8>>> {
        let gbcs::Payload::Gbz(gbcs::gbz::GbzPayload::Components { components, .. }) =
            self.apdu().payload()
        else {
            panic!("expected a GBZ payload, got {:?}", self.apdu().payload());
        };
        let mut out = BTreeMap::new();
        for c in components {
            let gbcs::gbz::GbzBody::Plain { zcl, .. } = c.body else {
                panic!("expected plaintext GBZ components: {c:?}");
            };
            assert_eq!(zcl.command, 0x01, "a ZCL Read Attributes Response");
            out.extend(zcl_records(&zcl.payload));
        }
        out
    }
}

/// Parses ZCL Read Attributes Response records: id (LE), status, then type and value on success.
pub fn zcl_records(mut b: &[u8]) -> Vec<(u16, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    while !b.is_empty() {
        assert!(b.len() >= 3, "truncated ZCL attribute record: {b:02X?}");
        let id = u16::from_le_bytes([b[0], b[1]]);
        let status = b[2];
        b = &b[3..];
        if status != 0 {
            out.push((id, None));
            continue;
        }
        let ty = b[0];
        let len = match ty {
            0x20 | 0x30 | 0x18 | 0x08 => 1,
            0x21 => 2,
            0x22 => 3,
            0x23 => 4,
            0x25 => 6,
            0x41 => 1 + usize::from(b[1]),
            other => panic!("ZCL type {other:#04x} is not one this test reads"),
        };
        let value = b[1..1 + len].to_vec();
        let value = if ty == 0x41 {
            value[1..].to_vec()
        } else {
            value
        };
        out.push((id, Some(value)));
        b = &b[1 + len..];
    }
    out
}

/// How long a device's answer may take to reach a Receive Response Service (debug build, 2
/// shared cores, other tests running).
pub const DELIVERY_WAIT: Duration = Duration::from_secs(60);

/// Whether a delivered document is the one for RequestID (or ResponseID) `rid`, exactly.
pub fn is_for(d: &Delivered, rid: &str) -> bool {
    d.body.contains(&format!(">{rid}<"))
}

impl Demo {
    /// Waits for the document for `rid` at `sink` and checks it (DCC signature, schema).
    pub fn delivered(&self, sink: &ResponseSink, rid: &str) -> DuisResponse {
        let d = sink.wait_for(DELIVERY_WAIT, |d| is_for(d, rid));
        DuisResponse::checked(&d.body, &self.dcc_signing_cert())
    }

    /// Signs and submits a device request from `user` (acknowledged with I99) and returns it
    /// with the DUIS response delivered to `sink`.
    pub fn device_request(
        &self,
        sink: &ResponseSink,
        user: &str,
        template_name: &str,
        target: &str,
        body: Option<&str>,
    ) -> (Prepared, DuisResponse) {
        let p = self.signed_request(template_name, user, target, body);
        self.submit(user, &p).duis().assert_code("I99", &p.rid);
        let r = self.delivered(sink, &p.rid);
        (p, r)
    }

    /// The MMC form of a delivered device answer, as `opendcc client decode --mmc --manifest M
    /// --user USER` prints it (sensitive data opened with the user's key).
    pub fn decode_mmc(&self, user: &str, r: &DuisResponse) -> String {
        let name = format!("mmc-{}.xml", r.request_id().replace(':', "_"));
        let file = self.scratch_file(&name, &r.xml);
        let manifest = self.manifest_path();
        let args = [
            "client",
            "decode",
            "--mmc",
            "--manifest",
            manifest.to_str().expect("UTF-8 path"),
            "--user",
            user,
            file.to_str().expect("UTF-8 path"),
        ];
        let out = run_cli(&args, None);
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        stdout_of(&out)
    }
}

// ---------------------------------------------------------------------------------------------
// `openssl` as the independent judge of certificates and revocation lists

/// The demo's `demo.json` as JSON, for the paths it names (`smki.org_root`, `users[i].ka_cert`, ...).
pub fn manifest_json(demo: &Demo) -> serde_json::Value {
    let text = std::fs::read_to_string(demo.manifest_path()).expect("read demo.json");
    serde_json::from_str(&text).expect("demo.json is JSON")
}

/// A path named in `demo.json`.
pub fn json_path(v: &serde_json::Value) -> PathBuf {
    PathBuf::from(v.as_str().expect("a path"))
}

pub fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// True when a test that needs `openssl` must skip because it is not installed (never under CI).
pub fn skip_without_openssl() -> bool {
    if openssl_available() {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "openssl is required under CI"
    );
    eprintln!("SKIPPED: openssl not installed");
    true
}

/// `openssl ARGS FILES...`: its stdout and stderr, `Err` when it fails.
pub fn openssl(args: &[&str], files: &[&Path]) -> Result<String, String> {
    let out = Command::new("openssl")
        .args(args)
        .args(files)
        .output()
        .expect("run openssl");
    let text = stdout_of(&out) + &stderr_of(&out);
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// `openssl verify -x509_strict`: `leaf` chains through `issuing` to the trusted `root`, and,
/// when `lists` are given (CRL, ARL), with `-crl_check_all` against them. `Err` names the leaf
/// and carries openssl's words.
pub fn openssl_verify(
    root: &Path,
    issuing: &Path,
    lists: &[&Path],
    leaf: &Path,
) -> Result<(), String> {
    let mut cmd = Command::new("openssl");
    cmd.arg("verify").arg("-x509_strict");
    if !lists.is_empty() {
        cmd.arg("-crl_check_all");
    }
    cmd.arg("-CAfile").arg(root).arg("-untrusted").arg(issuing);
    for list in lists {
        cmd.arg("-CRLfile").arg(list);
    }
    let out = cmd.arg(leaf).output().expect("run openssl");
    let text = stdout_of(&out) + &stderr_of(&out);
    if out.status.success() && text.contains(": OK") {
        Ok(())
    } else {
        Err(format!("{}: {text}", leaf.display()))
    }
}

// ---------------------------------------------------------------------------------------------
// The suite on PostgreSQL

/// `OPENDCC_E2E_BACKEND=postgres`: the scale-out shape of issue 14. Each [`Demo`] makes its
/// world on SQLite, moves it into a PostgreSQL database of its own (`opendcc migrate`) and
/// serves it from there in several `opendcc serve` processes that pass their work through NATS
/// JetStream (`OPENDCC_TEST_NATS`, default `nats://127.0.0.1:4222`, with a stream prefix of the
/// test's own, deleted at the end): a front (`gateway`, `scheduler`, `smki`; it writes
/// `demo.json`) and a back (`wan` + `devices`, `delivery`). [`Demo::stop`], [`Demo::kill9`]
/// and [`Demo::restart`] act on every process; [`Demo::log`] has each one's log. The operator's
/// commands are given the manifest ([`Demo::dcc_args`]) rather than the SQLite directory.
/// `test.sh` runs the end-to-end files both ways. Default (unset or `sqlite`): one `opendcc
/// demo` on the embedded store.
pub fn e2e_on_postgres() -> bool {
    match std::env::var("OPENDCC_E2E_BACKEND").as_deref() {
        Ok("postgres") => true,
        Ok("") | Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("OPENDCC_E2E_BACKEND={other:?}: the backends are sqlite and postgres"),
    }
}

/// A database of its own on the test PostgreSQL server (`OPENDCC_TEST_PG`, default the local
/// one), dropped at the end.
pub struct PgDatabase {
    admin: String,
    name: String,
}

impl PgDatabase {
    pub fn new() -> PgDatabase {
        let admin = std::env::var("OPENDCC_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "opendcc_e2e_{}_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() % 1_000_000_000_000)
                .unwrap_or(0),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap_or_else(|e| {
            panic!(
                "this test needs PostgreSQL: ./test.sh starts it on 127.0.0.1:5432 \
                 (scripts/services.sh), or set OPENDCC_TEST_PG ({admin}): {e}"
            )
        });
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creating the test database");
        PgDatabase { admin, name }
    }

    /// The URL of the test's database.
    pub fn url(&self) -> String {
        match self.admin.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{}", self.name),
            None => panic!("OPENDCC_TEST_PG is a postgres:// URL with a database"),
        }
    }
}

impl Default for PgDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The value of `--premises N` in a demo's arguments.
fn premises_arg(args: &[String]) -> Option<&str> {
    flag_value(args, "--premises")
}

/// The value of `FLAG VALUE` in a demo's arguments.
fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let i = args.iter().position(|a| a == flag)?;
    args.get(i + 1).map(String::as_str)
}

/// A [`Demo`]'s world on PostgreSQL and NATS: its database, its streams, and the
/// configurations of the processes that serve it.
pub struct PgServed {
    pub db: PgDatabase,
    pub nats: NatsPrefix,
    /// Each process's name and `serve` configuration; the first runs the gateway.
    pub processes: Vec<(String, PathBuf)>,
}

/// The NATS server the PostgreSQL mode uses: `OPENDCC_TEST_NATS`, else 127.0.0.1:4222
/// (test.sh starts it through scripts/services.sh).
pub fn nats_url() -> String {
    std::env::var("OPENDCC_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A test's NATS stream prefix, its streams and buckets deleted from the server when dropped
/// (whether the test passed or not).
pub struct NatsPrefix {
    pub url: String,
    pub prefix: String,
}

impl NatsPrefix {
    /// A prefix no other test (or test process) uses.
    pub fn unique(url: &str) -> NatsPrefix {
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        NatsPrefix {
            url: url.to_string(),
            prefix: format!(
                "e2e_{}_{nanos}_{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ),
        }
    }
}

impl Drop for NatsPrefix {
    fn drop(&mut self) {
        let (url, prefix) = (self.url.clone(), self.prefix.clone());
        // On a thread of its own: the drop may run inside a test's runtime, or while it panics.
        let deleted = std::thread::spawn(move || delete_nats_prefix(&url, &prefix)).join();
        if deleted.is_err() && !std::thread::panicking() {
            panic!("deleting the NATS streams of prefix {}", self.prefix);
        }
    }
}

/// Runs `f` with a queue handle on `prefix` at the NATS server `url` (on a runtime of its own),
/// saying why if NATS does not answer.
pub fn with_nats_queue<T, F: std::future::Future<Output = T>>(
    url: &str,
    prefix: &str,
    f: impl FnOnce(queue_nats::Queue) -> F,
) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let q = queue_nats::Queue::connect(queue_nats::QueueConfig {
            url: url.to_string(),
            prefix: prefix.to_string(),
            ..queue_nats::QueueConfig::default()
        })
        .await
        .unwrap_or_else(|e| {
            panic!(
                "NATS with JetStream must answer at {url} (test.sh starts it through \
                 scripts/services.sh; OPENDCC_TEST_NATS sets another address): {e}"
            )
        });
        f(q).await
    })
}

/// Deletes a prefix's streams and buckets from the NATS server, saying why if it cannot.
fn delete_nats_prefix(url: &str, prefix: &str) {
    with_nats_queue(url, prefix, |q| async move {
        q.delete_layout()
            .await
            .expect("deleting the test's streams");
    });
}

impl PgServed {
    /// Makes the world in `root/data` (`opendcc serve` on the empty `sqlite:` directory, one
    /// role, stopped once it runs), moves it into a new database, and writes the configurations
    /// of the front and the back (`root/serve-front.toml`, `root/serve-back.toml`).
    fn prepare(root: &Path, options: &DemoOptions) -> PgServed {
        let data = root.join("data");
        let maker_config = root.join("make-world.toml");
        // A world's size is the world maker's (`demo --premises N` is `premises = N`).
        let premises = premises_arg(&options.extra_args)
            .map(|n| format!("premises = {n}\n"))
            .unwrap_or_default();
        std::fs::write(
            &maker_config,
            format!(
                "store = \"sqlite:{}\"\n{premises}roles = [\"delivery\"]\n",
                data.display()
            ),
        )
        .expect("writing the world maker's configuration");
        let log = root.join("logs/make-world.log");
        let mut maker = Command::new(BIN);
        match flag_value(&options.extra_args, "--zaz1") {
            // A ZAZ1 world is made by `demo --zaz1` (`serve` has no such key).
            Some(keystore) => maker
                .arg("demo")
                .arg("--data")
                .arg(&data)
                .args(["--zaz1", keystore])
                .args(["--listen", "127.0.0.1:0", "--smki-listen", "127.0.0.1:0"]),
            None => maker.args(["serve", "--config"]).arg(&maker_config),
        };
        let mut maker = maker
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("creating the log"))
            .spawn()
            .expect("starting opendcc serve");
        let deadline = Instant::now() + START_TIMEOUT;
        while !std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("roles running")
        {
            if let Some(status) = maker.try_wait().expect("waiting for serve") {
                panic!("making the world: serve exited ({status})");
            }
            assert!(
                Instant::now() < deadline,
                "no world within {START_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let pid = rustix::process::Pid::from_raw(
            i32::try_from(maker.id()).expect("process ids fit in i32"),
        )
        .expect("a child's pid is positive");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
        let status = maker.wait().expect("waiting for serve");
        assert!(status.success(), "the world maker's shutdown: {status}");

        let db = PgDatabase::new();
        let from = format!("sqlite:{}", data.display());
        let moved = run_cli(&["migrate", "--from", &from, "--to", &db.url()], None);
        assert!(moved.status.success(), "migrate: {}", stderr_of(&moved));
        let nats = NatsPrefix::unique(&nats_url());
        // The front runs what runs once (scheduler, SMKI) with the gateway; the back carries the
        // commands and delivers the answers. Every process names the same database and streams.
        let shared = format!(
            "store = {:?}\ndata = {:?}\nqueue = {:?}\nqueue_prefix = {:?}\n",
            db.url(),
            data.display().to_string(),
            nats.url,
            nats.prefix,
        );
        let front = format!(
            "{shared}listen = \"127.0.0.1:0\"\nsmki_listen = \"127.0.0.1:0\"\n\
             manifest = {:?}\nplain_http = {}\n\
             roles = [\"gateway\", \"scheduler\", \"smki\"]\n",
            data.join("demo.json").display().to_string(),
            options.plain_http
        );
        let back = format!("{shared}roles = [\"wan\", \"devices\", \"delivery\"]\n");
        let mut processes = Vec::new();
        for (name, config) in [("front", front), ("back", back)] {
            let file = root.join(format!("serve-{name}.toml"));
            std::fs::write(&file, config).expect("writing a serve configuration");
            processes.push((name.to_string(), file));
        }
        PgServed {
            db,
            nats,
            processes,
        }
    }
}
