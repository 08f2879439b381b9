//! `opendcc smki …`: the Authorised Subscriber's tools (key, CSR, submit, batch, fetch,
//! search, forecasts) over the SMKI service interface of a running demo DCC, and the
//! operator's entry step (`subscriber admit|list`) on a demo world's database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use eui::Eui64;
use smki::{KeyPair, KeyUsage, RemotePartyRole};
use smki_service::subscribers::{self, Application, PartyKind};
use smki_service::{SmkiStore, SmkiTx};

use crate::manifest::Manifest;
use crate::world::{self, smki_err};
use opendcc::config::DccArg;

#[derive(Subcommand)]
pub enum Cmd {
    /// Make a P-256 key pair (PKCS#8 PEM, private: mode 0600).
    Keygen {
        #[arg(long, value_name = "KEY.pem")]
        out: PathBuf,
    },
    /// Make a PKCS#10 CSR signed with KEY: an organisation one (--org EUI --role CODE) or a
    /// device one (--device EUI).
    Csr(CsrArgs),
    /// Submit one CSR (PEM or DER) as USER over mutually authenticated TLS; print the certificate.
    Submit {
        #[command(flatten)]
        conn: Conn,
        /// Also write the certificate here.
        #[arg(long)]
        out: Option<PathBuf>,
        csr: PathBuf,
    },
    /// Batched device CSRs.
    Batch {
        #[command(subcommand)]
        cmd: BatchCmd,
    },
    /// Fetch a certificate by serial number (hex); print it (PEM).
    Fetch {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        serial: String,
    },
    /// List the certificates whose subject is EUI (JSON).
    Search {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        eui: String,
    },
    /// Device certificate demand forecasts.
    Forecast {
        #[command(subcommand)]
        cmd: ForecastCmd,
    },
    /// The operator's entry step: admit and list Authorised Subscribers.
    Subscriber {
        #[command(subcommand)]
        cmd: SubscriberCmd,
    },
}

#[derive(Args)]
pub struct CsrArgs {
    #[arg(long, value_name = "KEY.pem")]
    key: PathBuf,
    /// An organisation certificate for this EUI-64.
    #[arg(
        long,
        value_name = "EUI",
        conflicts_with = "device",
        required_unless_present = "device"
    )]
    org: Option<String>,
    /// A device certificate for this EUI-64.
    #[arg(long, value_name = "EUI")]
    device: Option<String>,
    /// Remote party role code for --org (two hex digits: 02 supplier, 03 network operator, 7F other user, 87 XML signing…).
    #[arg(long)]
    role: Option<String>,
    /// Organisation name (CN) for --org.
    #[arg(long)]
    cn: Option<String>,
    /// Key usage: ds (digital signature) or ka (key agreement).
    #[arg(long, default_value = "ds")]
    usage: String,
    #[arg(long, value_name = "CSR.pem")]
    out: PathBuf,
}

/// How to reach the SMKI service: the demo's manifest and the user whose DCCKI certificate
/// authenticates the connection.
#[derive(Args, Clone)]
pub struct Conn {
    #[arg(long)]
    manifest: PathBuf,
    #[arg(long)]
    user: String,
    /// Use the SMKI test service (test certificates, chaining to the test roots) instead of
    /// the live one.
    #[arg(long)]
    test: bool,
}

#[derive(Subcommand)]
pub enum BatchCmd {
    /// Submit device CSRs (a directory of .pem/.csr files, or one file of concatenated PEM),
    /// show progress on stderr until done, then write the per-CSR results.
    Submit {
        #[command(flatten)]
        conn: Conn,
        /// Where to write the results (JSON); default: print them.
        #[arg(long)]
        results: Option<PathBuf>,
        /// Print the batch id and return without waiting.
        #[arg(long)]
        no_wait: bool,
        path: PathBuf,
    },
    /// A batch's progress (JSON).
    Status {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        id: i64,
    },
    /// A batch's per-CSR results (JSON).
    Results {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        id: i64,
    },
}

#[derive(Subcommand)]
pub enum ForecastCmd {
    /// Submit a forecast: FILE is {"months":[{"month":"YYYY-MM","count":N}, … six months]}.
    Submit {
        #[command(flatten)]
        conn: Conn,
        file: PathBuf,
    },
    /// Demand against forecast for USER (JSON).
    Report {
        #[command(flatten)]
        conn: Conn,
    },
}

#[derive(Subcommand)]
pub enum SubscriberCmd {
    /// Record that a party passed the entry step and is an Authorised Subscriber.
    Admit {
        #[command(flatten)]
        dcc: DccArg,
        /// The party's EUI-64.
        #[arg(long)]
        party: String,
        /// sec-party, rdp, secco or dcc.
        #[arg(long)]
        kind: String,
        /// The party's name.
        #[arg(long)]
        name: String,
        /// What the verification relied on (e.g. the RA case reference).
        #[arg(long)]
        evidence: String,
        /// The operator completing the step (default: $USER).
        #[arg(long)]
        operator: Option<String>,
    },
    /// List Authorised Subscribers.
    List {
        #[command(flatten)]
        dcc: DccArg,
    },
}

fn eui(s: &str) -> Result<Eui64, String> {
    s.parse::<Eui64>().map_err(|e| format!("{s:?}: {e}"))
}

fn read_bytes(p: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("reading {}: {e}", p.display()))
}

fn print(s: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut o = std::io::stdout().lock();
    match writeln!(o, "{}", s.trim_end()).and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing to standard output: {e}")),
    }
}

pub fn run(cmd: Cmd) -> Result<(), String> {
    match cmd {
        Cmd::Keygen { out } => {
            let k = KeyPair::generate_with_os_rng().map_err(smki_err)?;
            world::write_secret(&out, &world::key_pem(&k)?)
        }
        Cmd::Csr(a) => csr(&a),
        Cmd::Submit { conn, out, csr } => {
            let body = read_bytes(&csr)?;
            let text = call(&conn, "POST", "csr", None, body)?;
            if let Some(p) = out {
                world::write_file(&p, text.as_bytes())?;
            }
            print(&text)
        }
        Cmd::Batch { cmd } => batch(cmd),
        Cmd::Fetch { conn, serial } => print(&call(
            &conn,
            "GET",
            &format!("certificate/{serial}"),
            None,
            Vec::new(),
        )?),
        Cmd::Search { conn, eui: e } => {
            let e = eui(&e)?;
            print(&call(
                &conn,
                "GET",
                "search",
                Some(&format!("eui={e}")),
                Vec::new(),
            )?)
        }
        Cmd::Forecast { cmd } => match cmd {
            ForecastCmd::Submit { conn, file } => {
                call(&conn, "POST", "forecast", None, read_bytes(&file)?)?;
                print("forecast recorded")
            }
            ForecastCmd::Report { conn } => {
                print(&call(&conn, "GET", "forecast/report", None, Vec::new())?)
            }
        },
        Cmd::Subscriber { cmd } => subscriber(cmd),
    }
}

fn csr(a: &CsrArgs) -> Result<(), String> {
    let pem =
        std::fs::read_to_string(&a.key).map_err(|e| format!("reading {}: {e}", a.key.display()))?;
    let key = KeyPair::from_pkcs8_pem(&pem).map_err(smki_err)?;
    let usage = match a.usage.as_str() {
        "ds" => KeyUsage::DigitalSignature,
        "ka" => KeyUsage::KeyAgreement,
        u => return Err(format!("--usage {u:?}: give ds or ka")),
    };
    let der = match (&a.org, &a.device) {
        (Some(org), None) => {
            let role = a
                .role
                .as_deref()
                .ok_or("--org needs --role (two hex digits)")?;
            let role = RemotePartyRole::from_ou(role).map_err(smki_err)?;
            smki::csr::build_organisation_csr(&key, a.cn.as_deref(), eui(org)?, role, usage)
        }
        (None, Some(dev)) => smki::csr::build_device_csr(&key, eui(dev)?, usage),
        _ => return Err("give exactly one of --org EUI and --device EUI".into()),
    }
    .map_err(smki_err)?;
    let pem = smki::csr::csr_to_pem(&der).map_err(smki_err)?;
    world::write_file(&a.out, pem.as_bytes())
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))
}

struct Client {
    http: reqwest::Client,
    base: String,
    rt: tokio::runtime::Runtime,
}

impl Client {
    fn new(conn: &Conn) -> Result<Self, String> {
        let m = Manifest::load(&conn.manifest)?;
        let u = m.user(&conn.user)?;
        if m.plain_http {
            return Err(
                "the SMKI service interface needs mutually authenticated TLS; this demo \
                        serves plain HTTP (--plain-http)"
                    .into(),
            );
        }
        let http = crate::client::http_client(&m, Some(u))?;
        Ok(Self {
            http,
            base: format!(
                "{}{}",
                m.duis_url.trim_end_matches('/'),
                if conn.test {
                    server::smki_api::TEST_PREFIX
                } else {
                    server::smki_api::LIVE_PREFIX
                }
            ),
            rt: runtime()?,
        })
    }

    /// One request; the answer's text on 2xx, an error naming the status and rule otherwise.
    fn call(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: Vec<u8>,
    ) -> Result<String, String> {
        let url = match query {
            Some(q) => format!("{}{path}?{q}", self.base),
            None => format!("{}{path}", self.base),
        };
        self.rt.block_on(async {
            let req = match method {
                "POST" => self.http.post(&url).body(body),
                _ => self.http.get(&url),
            };
            let resp = req
                .send()
                .await
                .map_err(|e| format!("{method} {url}: {e}"))?;
            let status = resp.status().as_u16();
            let text = resp
                .text()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?;
            if (200..300).contains(&status) {
                Ok(text)
            } else {
                Err(format!(
                    "the SMKI service answered HTTP {status}: {}",
                    text.trim()
                ))
            }
        })
    }
}

fn call(
    conn: &Conn,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: Vec<u8>,
) -> Result<String, String> {
    Client::new(conn)?.call(method, path, query, body)
}

/// Concatenated PEM of every CSR at `path` (a file, or a directory's .pem/.csr files in name
/// order).
fn batch_body(path: &Path) -> Result<(Vec<u8>, usize), String> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem" || x == "csr"))
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    let mut body = Vec::new();
    for f in &files {
        let b = read_bytes(f)?;
        if b.trim_ascii_start().starts_with(b"-----BEGIN") {
            body.extend_from_slice(&b);
        } else {
            let pem = smki::csr::csr_to_pem(&b).map_err(smki_err)?;
            body.extend_from_slice(pem.as_bytes());
        }
        body.push(b'\n');
    }
    let n = std::str::from_utf8(&body)
        .map(|t| t.matches("-----BEGIN").count())
        .unwrap_or(0);
    if n == 0 {
        return Err(format!("no CSRs at {}", path.display()));
    }
    if n > smki_service::batch::MAX_BATCH {
        return Err(format!(
            "rule batch-size: a batch holds 1 to {} CSRs; {} holds {n}",
            smki_service::batch::MAX_BATCH,
            path.display()
        ));
    }
    Ok((body, n))
}

fn batch(cmd: BatchCmd) -> Result<(), String> {
    match cmd {
        BatchCmd::Submit {
            conn,
            results,
            no_wait,
            path,
        } => {
            let (body, n) = batch_body(&path)?;
            let c = Client::new(&conn)?;
            let answer = c.call("POST", "batch", None, body)?;
            let v: serde_json::Value =
                serde_json::from_str(&answer).map_err(|e| format!("answer: {e}"))?;
            let id = v
                .get("batch")
                .and_then(serde_json::Value::as_i64)
                .ok_or("answer names no batch")?;
            eprintln!("batch {id}: {n} CSRs submitted");
            if no_wait {
                return print(&answer);
            }
            let bar = indicatif::ProgressBar::new(u64::try_from(n).unwrap_or(0));
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} CSRs {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            loop {
                let s = c.call("GET", &format!("batch/{id}"), None, Vec::new())?;
                let v: serde_json::Value =
                    serde_json::from_str(&s).map_err(|e| format!("answer: {e}"))?;
                let done = v
                    .get("done")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0);
                let refused = v
                    .get("refused")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0);
                bar.set_position(done);
                bar.set_message(format!("({refused} refused)"));
                // A plain line too, for logs (the bar is invisible when stderr is no terminal).
                if bar.is_hidden() {
                    eprintln!("progress {done}/{n}");
                }
                if v.get("finished").and_then(serde_json::Value::as_bool) == Some(true) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            bar.finish();
            let r = c.call("GET", &format!("batch/{id}/results"), None, Vec::new())?;
            match results {
                Some(p) => {
                    world::write_file(&p, r.as_bytes())?;
                    eprintln!("results written to {}", p.display());
                    Ok(())
                }
                None => print(&r),
            }
        }
        BatchCmd::Status { conn, id } => print(&call(
            &conn,
            "GET",
            &format!("batch/{id}"),
            None,
            Vec::new(),
        )?),
        BatchCmd::Results { conn, id } => print(&call(
            &conn,
            "GET",
            &format!("batch/{id}/results"),
            None,
            Vec::new(),
        )?),
    }
}

fn subscriber(cmd: SubscriberCmd) -> Result<(), String> {
    match cmd {
        SubscriberCmd::Admit {
            dcc,
            party,
            kind,
            name,
            evidence,
            operator,
        } => {
            let dcc = dcc.operator()?;
            dcc.world()?;
            let app = Application {
                eui: eui(&party)?,
                kind: kind.parse::<PartyKind>()?,
                name,
                operator: operator
                    .or_else(|| std::env::var("USER").ok())
                    .unwrap_or_else(|| "operator".into()),
                evidence,
            };
            let s = opendcc::on_store!(&dcc.store, |store| store
                .smki_transaction(|tx| subscribers::admit(tx, &app, now_ms()))
                .map_err(|e| e.to_string()))?;
            print(&format!(
                "{} admitted as an Authorised Subscriber ({}) by {}",
                s.eui, s.kind, s.admitted_by
            ))
        }
        SubscriberCmd::List { dcc } => {
            let dcc = dcc.operator()?;
            dcc.world()?;
            let list = opendcc::on_store!(&dcc.store, |store| store
                .smki_transaction(|tx: &mut dyn SmkiTx| tx.subscribers())
                .map_err(|e| e.to_string()))?;
            for s in list {
                print(&format!(
                    "{}\t{}\t{}\tadmitted {} by {} ({})",
                    s.eui, s.kind, s.name, s.admitted_at, s.admitted_by, s.evidence
                ))?;
            }
            Ok(())
        }
    }
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}
