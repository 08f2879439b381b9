//! `opendcc`: run a demo DCC, and the tools a DCC User needs to talk to it.

mod bench;
mod bench_schedules;
mod client;
mod conformance;
mod listen;
mod parse_correlate;
mod serve;
mod smki_ops;
mod smki_subscriber;
mod zaz1;

use opendcc::config::DccArg;
use opendcc::{manifest, out, recovery, smki_repo, world};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "opendcc",
    version,
    about = "An open implementation of GB's smart-metering DCC"
)]
struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a demo DCC: creates a demo world in DIR on first run, resumes it afterwards.
    Demo {
        /// Directory holding the demo world (database, keys, certificates, demo.json).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Address for the DUIS endpoints.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8079")]
        listen: SocketAddr,
        /// Address for the SMKI repository (DCC Boxed's port 8083 interface; plain HTTP on
        /// loopback, HTTPS elsewhere). Written to demo.json as `smki_url`.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8083")]
        smki_listen: SocketAddr,
        /// Address for the publication endpoint (GET /cpl, /cpl.csv, /dpl, /dpl.csv: the
        /// Certified and Deployed Products Lists); none unless given. Written to demo.json as
        /// `publication_url`.
        #[arg(long, value_name = "HOST:PORT")]
        publication_listen: Option<SocketAddr>,
        /// Serve plain HTTP instead of mutually authenticated TLS (loopback addresses only), for
        /// tools built for DCC Boxed.
        #[arg(long)]
        plain_http: bool,
        /// Build the world around DCC Boxed's ZAZ1 test PKI: KEYSTORE is the keystore.json of
        /// npm @smartdcc/dccboxed-keystore or a folder of ZAZ1 PEM files (read only when DIR holds
        /// no world yet).
        #[arg(long, value_name = "KEYSTORE")]
        zaz1: Option<PathBuf>,
        /// Build a large world of N premises (read only when DIR holds no world yet; an
        /// existing world of another size is refused): the 4 named demo premises and N − 4
        /// generated ones, each with a CHF, GPF, ESME and GSME, one in 4 also with a PPMID,
        /// HCALCS and IHD, over the three CSP regions, every device with SMKI certificates.
        #[arg(long, value_name = "N")]
        premises: Option<u64>,
        /// Registration data other than the world's default (repeatable; read only when DIR
        /// holds no world yet, and a world made with other changes is refused): the user EUI
        /// holds ROLE (IS, ES, GS, ED, GT) for MPXN, in place of the default party. Device trust
        /// anchors stay the default parties', so the party is an unknown remote party to them.
        #[arg(long = "registration", value_name = "MPXN:ROLE:EUI")]
        registrations: Vec<opendcc::registrations::RegistrationChange>,
        /// With --zaz1: a DCC-controlled device of the ZAZ1 premises (repeatable, read only when
        /// DIR holds no world yet): the DCC (its Access Control Broker's keys) holds the
        /// device's supplier and network operator trust anchor cells, for 6.21 Request Handover
        /// of DCC Controlled Device to hand them to the supplier and network operator.
        #[arg(long = "dcc-controlled", value_name = "DEVICE")]
        dcc_controlled: Vec<String>,
        /// A new world's devices are only pre-notified (SMI status Pending, read only when DIR
        /// holds no world yet): a user installs the hub (8.14.1), whitelists (8.11) and
        /// commissions (8.1.1) them through DUIS. Without it the world is ready to use.
        #[arg(long)]
        fresh_install: bool,
        #[command(flatten)]
        tuning: Tuning,
    },
    /// Run a DCC, or some of its roles, from a TOML configuration (README "Running a served
    /// DCC"): its store, queue, listeners, manifest and roles (`gateway`, `wan`, `devices`,
    /// `delivery`, `scheduler`, `smki`).
    Serve {
        /// The configuration file.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[command(flatten)]
        tuning: Tuning,
    },
    /// Move a world from its SQLite store into an empty PostgreSQL database (every table, in
    /// one transaction, or nothing); its keys and certificates stay in DIR, which a served DCC
    /// on PostgreSQL names as its `data`.
    Migrate {
        /// The world's store: sqlite:DIR.
        #[arg(long, value_name = "sqlite:DIR")]
        from: String,
        /// The PostgreSQL database: postgres://USER@HOST:PORT/DB (empty, or new).
        #[arg(long, value_name = "postgres://…")]
        to: String,
    },
    /// Administer DCC users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// The Smart Metering Inventory (SMI statuses and their history).
    Inventory {
        #[command(subcommand)]
        cmd: InventoryCmd,
    },
    /// The DCC User's side: sign and send DUIS requests, receive responses.
    Client {
        #[command(subcommand)]
        cmd: ClientCmd,
    },
    /// Dual-band Communications Hubs: the hubs not on the current DBCH Configuration Tables,
    /// and bringing them onto them.
    Dbch {
        #[command(subcommand)]
        cmd: DbchCmd,
    },
    /// The Certified Products List and the Deployed Products List: add models, firmware and
    /// hardware versions, certification status notices (`--as PARTY`), list, show, expire.
    Cpl {
        #[command(subcommand)]
        cmd: opendcc::products::CplCmd,
    },
    /// Control the emulated devices of a demo DCC (takes effect at once).
    Device {
        #[command(subcommand)]
        cmd: DeviceCmd,
    },
    /// Control the emulated SM WAN of a demo DCC (takes effect at once).
    Wan {
        #[command(subcommand)]
        cmd: WanCmd,
    },
    /// Measure a running demo DCC.
    Bench {
        #[command(subcommand)]
        cmd: BenchCmd,
    },
    /// SMKI: the Authorised Subscriber's tools (keys, CSRs, submit, batches, fetch, search,
    /// forecasts) and the operator's (entry step, revoke, publish CRL/ARL, roll over, PMA
    /// powers; take effect at once), the test service.
    Smki {
        #[command(subcommand)]
        cmd: SmkiCmd,
    },
    /// Run DCC's Reference Test Data Set (RTDS 4.5.0) row by row: one PASS/FAIL line per
    /// pre-command, command, response and alert vector, then `N passed, M failed`.
    Conformance(conformance::Args),
}

#[derive(Subcommand)]
enum SmkiCmd {
    /// Revocation, CRL/ARL, roll-over, PMA powers.
    #[command(flatten)]
    Ops(smki_ops::SmkiCmd),
    /// Repository and test service.
    #[command(flatten)]
    Repo(smki_repo::RepoCmd),
    /// Authorised Subscribers' tools and the entry step.
    #[command(flatten)]
    Subscriber(smki_subscriber::Cmd),
    /// The SMKI Recovery Procedure: replace a compromised party's trust anchors on devices.
    Recovery {
        #[command(subcommand)]
        cmd: recovery::RecoveryCmd,
    },
}

#[derive(Subcommand)]
enum BenchCmd {
    /// Bounded load from one user on loopback: throughput, latency, crypto ceiling.
    Load(bench::LoadArgs),
    /// A day of DCC schedules for a large world, in process: every meter's daily 4.16
    /// schedule created through 5.1, then the day's runs made by the scheduler.
    Schedules(bench_schedules::ScheduleArgs),
}

#[derive(Subcommand)]
enum DbchCmd {
    /// List the dual-band hubs whose sub-GHz configuration is not their CSP region's current
    /// DBCH Configuration Table.
    Report {
        #[command(flatten)]
        dcc: DccArg,
    },
    /// Queue the DCC's own DBCH04 (6.28) with the region's current table for every hub the
    /// report lists; the running DCC's WAN worker delivers them.
    Reconfigure {
        #[command(flatten)]
        dcc: DccArg,
    },
}

#[derive(Subcommand)]
enum DeviceCmd {
    /// Inject a hardware fault into an emulated device (its answers then fail as the RTDS ERROR
    /// vectors show, and the user is told E100), or clear its faults.
    Fault {
        #[command(flatten)]
        dcc: DccArg,
        /// The device's EUI-64 (e.g. 00-DB-12-34-56-78-90-A0).
        #[arg(long)]
        device: String,
        /// `firmware-version`, `supply-status`, `supply-switch`, `import-registers`,
        /// `metering-attribute:ID` (a gas device's Metering attribute),
        /// `dlms-object:CLASS/A.B.C.D.E.F/ATTRIBUTE` (an ESME's DLMS attribute, e.g.
        /// `dlms-object:112/0.0.19.10.0.255/2` the meter balance),
        /// `zcl-attribute:CLUSTER/ID` (a gas device's attribute of any cluster),
        /// `zcl-command:CLUSTER/COMMAND` (a gas device's ZSE read command), `sampling` (gas
        /// network data sampling), or `clear`.
        fault: String,
    },
    /// The consumer presses the meter's button: an ESME or GSME whose supply was armed (7.3
    /// Arm Supply) enables it; any other device, or supply, is left as it is.
    Button {
        #[command(flatten)]
        dcc: DccArg,
        /// The device's EUI-64 (e.g. 00-DB-12-34-56-78-90-A0).
        #[arg(long)]
        device: String,
    },
    /// The consumer presses an ESME's boost button: the auxiliary controllers associated with
    /// it (7.9) are switched on for the boost period (four hours unless the state says
    /// otherwise), or the boost in force ends; 7.11 reads the boost and its log. Queued as an
    /// event at the meter's hub, for the WAN, which ends the boost at its time.
    Boost {
        #[command(flatten)]
        dcc: DccArg,
        /// The ESME's EUI-64 (e.g. 00-DB-12-34-56-78-90-A0).
        #[arg(long)]
        device: String,
    },
    /// The consumer types a UTRN at the meter's keypad (2.2's token, `opendcc client utrn`):
    /// the ESME or GSME credits it once, or refuses it, and alerts its supplier (0x810E Credit
    /// Added Locally, 0x8F51 Duplicate UTRN, 0x8F63 UTRN not Authentic).
    Utrn {
        #[command(flatten)]
        dcc: DccArg,
        /// The meter's EUI-64 (e.g. 00-DB-12-34-56-78-90-A0).
        #[arg(long)]
        device: String,
        /// The 20-digit UTRN.
        utrn: String,
    },
    /// Makes the site's RMS voltage at an ESME a value from now on, as a network fault would
    /// (`normal`: back to the metering simulation's, around 230 V): the meter checks it against
    /// its voltage thresholds (6.5) and alerts the network operator when one is crossed.
    /// Queued as an event at the meter's hub, for the WAN, which runs the meter's checks.
    Voltage {
        #[command(flatten)]
        dcc: DccArg,
        /// The ESME's EUI-64 (e.g. 00-DB-12-34-56-78-90-A0).
        #[arg(long)]
        device: String,
        /// The RMS voltage, V, or `normal`.
        volts: String,
    },
    /// Someone tampers with an ESME (unauthorised physical access): the meter alerts its
    /// supplier (0x8F3F) and, when its supply tamper state (6.25) is Locked, locks the supply
    /// (0x81BE; only a remote 7.x enable or arm restores it). Queued as an event at the
    /// meter's hub, for the WAN.
    Tamper {
        #[command(flatten)]
        dcc: DccArg,
        /// The ESME's EUI-64 (e.g. 00-DB-12-34-56-78-90-A0).
        #[arg(long)]
        device: String,
    },
}

#[derive(Subcommand)]
enum WanCmd {
    /// Inject a fault on the path to one Communications Hub.
    Fault {
        #[command(flatten)]
        dcc: DccArg,
        /// The hub's EUI-64 (e.g. 00-DB-12-34-56-78-90-A2).
        #[arg(long)]
        chf: String,
        /// `drop:N` (lose the next N transmissions), `delay:MS`, `no-wan`, or `clear`.
        fault: String,
    },
    /// Make something happen at a hub: `power-outage` or `power-restored`.
    Event {
        #[command(flatten)]
        dcc: DccArg,
        #[arg(long)]
        chf: String,
        kind: String,
    },
}

/// Timings of the emulated WAN and of response delivery; limits of the listeners.
#[derive(clap::Args, Clone, Copy)]
struct Tuning {
    /// How long the DCC waits for a device's answer before telling the user E20/E21.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    device_timeout_ms: u32,
    /// One-way SM WAN latency in each CSP region.
    #[arg(long, default_value = "40,25,30", value_name = "NORTH,CENTRAL,SOUTH")]
    wan_latency_ms: LatencyTriple,
    /// Wait before retransmitting a command lost on the WAN.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    wan_retry_ms: u32,
    /// Commands on the air at once over the whole SM WAN (one per device at most).
    #[arg(long, default_value_t = 64, value_name = "N")]
    wan_concurrency: usize,
    /// First delay before re-delivering a response the user's service did not accept; doubles
    /// on each attempt up to a minute.
    #[arg(long, default_value_t = 1_000, value_name = "MS")]
    delivery_backoff_ms: u32,
    /// How often the SMKI worker checks whether a CRL/ARL is due or the DCA must roll over.
    #[arg(long, default_value_t = 30_000, value_name = "MS", hide = true)]
    smki_tick_ms: u32,
    /// Both listeners (DUIS, SMKI repository): time allowed for a TLS handshake.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    handshake_timeout_ms: u64,
    /// Both listeners: time allowed for a request's headers (from the connection's start, or
    /// from the first byte of a later request).
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    header_timeout_ms: u64,
    /// Both listeners: time allowed for a request's body, from the end of its headers (408).
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    body_timeout_ms: u64,
    /// Both listeners: a keep-alive connection with no request for this long is closed.
    #[arg(long, default_value_t = 60_000, value_name = "MS")]
    idle_timeout_ms: u64,
    /// Each listener: open connections at most; beyond, new connections are closed at once.
    #[arg(long, default_value_t = 4096, value_name = "N")]
    max_connections: usize,
}

impl Tuning {
    /// The limits both listeners apply to their connections.
    fn listener_limits(&self) -> server::ListenerLimits {
        let ms = std::time::Duration::from_millis;
        server::ListenerLimits {
            handshake_timeout: ms(self.handshake_timeout_ms),
            header_timeout: ms(self.header_timeout_ms),
            body_timeout: ms(self.body_timeout_ms),
            idle_timeout: ms(self.idle_timeout_ms),
            max_connections: self.max_connections.max(1),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct LatencyTriple([u64; 3]);

impl std::str::FromStr for LatencyTriple {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<u64> = s
            .split(',')
            .map(|p| {
                p.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{p:?} is not a number of milliseconds"))
            })
            .collect::<Result<_, _>>()?;
        match parts.as_slice() {
            [a, b, c] => Ok(Self([*a, *b, *c])),
            _ => Err("give three latencies: NORTH,CENTRAL,SOUTH".into()),
        }
    }
}

#[derive(Subcommand)]
enum InventoryCmd {
    /// A device's SMI status and every change of it (when, from, to, cause, by whom), and
    /// whether its premises' Smart Metering System is Enrolled.
    History {
        #[command(flatten)]
        dcc: DccArg,
        /// The device's EUI-64.
        #[arg(long, value_name = "EUI")]
        device: String,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Set a user's Receive Response Service URL (takes effect at once, no restart).
    ResponseUrl {
        #[command(flatten)]
        dcc: DccArg,
        /// The user's name, as in demo.json.
        #[arg(long)]
        user: String,
        /// An http:// or https:// URL.
        url: String,
    },
    /// Show a user's RequestID counter floor (the highest counter accepted from them), or reset
    /// it with --set (takes effect at once; recorded with who, when, old and new floor in the
    /// operator audit log). For a user locked out by a counter of 2^64-1. Lowering the floor lets
    /// counters between the new and the old floor be accepted again: set it no lower than the
    /// user needs.
    Counter {
        #[command(flatten)]
        dcc: DccArg,
        /// The user's name, as in demo.json.
        #[arg(long)]
        user: String,
        /// The new floor: the user's next request must carry a greater counter.
        #[arg(long, value_name = "N")]
        set: Option<u64>,
        /// Who makes the change, for the audit log (default: $USER).
        #[arg(long, value_name = "NAME", requires = "set")]
        by: Option<String>,
    },
}

#[derive(Subcommand)]
enum ClientCmd {
    /// Build the UTRN (2.2 Top Up Device, GBCS section 14) the user issues for a meter, from the
    /// user's key-agreement key and the meter's key-agreement certificate, and print it with
    /// its counter (N × 2³², the RequestID counter to send it with).
    Utrn {
        #[arg(long)]
        manifest: PathBuf,
        /// The supplier (as in demo.json).
        #[arg(long)]
        user: String,
        /// The meter's EUI-64.
        #[arg(long)]
        device: String,
        /// The UTRN's sequence number N (its counter is N × 2³²; only N's low 10 bits travel,
        /// so issue them in order).
        #[arg(long)]
        number: u32,
        /// The value, 0 to 8191.
        #[arg(long)]
        value: u16,
        /// The value counts pounds (else pennies).
        #[arg(long)]
        pounds: bool,
    },
    /// The installer's hand-held terminal (local delivery, command variants 2, 3, 6, 7): hands
    /// the command of a `LocalCommand` response to the emulated device on site, now, and prints
    /// the device's GBCS response in base64, or with `--return-request-id` the unsigned 8.13
    /// Return Local Command Response request that returns it (sign it with `client sign`).
    LocalDeliver {
        #[command(flatten)]
        dcc: DccArg,
        /// The device handed the command (default: the command's recipient; a command for
        /// another device is refused by the device).
        #[arg(long)]
        device: Option<String>,
        /// The RequestID for the 8.13 request (the user's EUI, the DCC's, a fresh counter).
        #[arg(long)]
        return_request_id: Option<String>,
        /// The LocalCommand response the DCC returned, or `-` for standard input.
        file: PathBuf,
    },
    /// Sign a DUIS request (XML-DSig, exclusive c14n, ECDSA P-256) and print it.
    Sign {
        /// demo.json of the DCC.
        #[arg(long)]
        manifest: PathBuf,
        /// The user (as in demo.json) whose SMKI key signs.
        #[arg(long)]
        user: String,
        /// The unsigned request, or `-` for standard input.
        file: PathBuf,
    },
    /// Sign a critical request's pre-command with the user's key and print the Signed
    /// Pre-Command request (command variant 5), XML-signed, ready to send. The pre-command is
    /// first correlated with the original request (use case, device, originator, counter,
    /// parameters); on any mismatch nothing is signed and the command fails.
    SignPrecommand {
        #[arg(long)]
        manifest: PathBuf,
        #[arg(long)]
        user: String,
        /// The original command variant 4 request the pre-command answers (signed or not).
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
        /// The DCC's answer to the command variant 4 request (holding the PreCommand), or `-`.
        file: PathBuf,
    },
    /// Decode the device answer in a DUIS response: use case, MAC or signature check with the
    /// user's and the device's keys, and the payload. With `--mmc`, parse it instead into MMC
    /// XML (the ResponseAndAlert schema's GBCSResponse) for every response and device alert;
    /// sensitive responses are opened with the user's key-agreement key.
    Decode {
        /// demo.json: the user's keys and the DCC's record of the devices' certificates
        /// (required without `--mmc`).
        #[arg(long)]
        manifest: Option<PathBuf>,
        /// The user, as in demo.json (required without `--mmc`).
        #[arg(long)]
        user: Option<String>,
        /// Print MMC XML (parse and correlate) instead of the GBCS dump.
        #[arg(long)]
        mmc: bool,
        /// With `--mmc`: the user's key-agreement private key (PKCS#8 PEM) to open sensitive
        /// responses (else the manifest user's).
        #[arg(long, value_name = "PEM")]
        ka_key: Option<PathBuf>,
        /// With `--mmc`: the device's key-agreement certificate (PEM) (else the manifest's).
        #[arg(long, value_name = "PEM")]
        device_ka_cert: Option<PathBuf>,
        /// A DUIS response or alert carrying a GBCSPayload, `-`, or (with `--mmc`) a directory
        /// of them, as `client listen --out` saves them.
        file: PathBuf,
    },
    /// Run a Receive Response Service: verify and print what the DCC delivers.
    Listen {
        #[arg(long)]
        manifest: PathBuf,
        /// Loopback address to listen on (port 0 picks one; the URL is printed).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// Also save every document in this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Send a DUIS request to the endpoint its command variant calls for, and print the answer.
    Send {
        #[arg(long)]
        manifest: PathBuf,
        /// The user (as in demo.json) whose DCCKI certificate authenticates the connection.
        #[arg(long)]
        user: String,
        /// Sign the request with the user's SMKI key first.
        #[arg(long)]
        sign: bool,
        /// The request, or `-` for standard input.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    let result = match cli.cmd {
        Cmd::Demo {
            data,
            listen,
            smki_listen,
            publication_listen,
            plain_http,
            zaz1,
            premises,
            registrations,
            dcc_controlled,
            fresh_install,
            tuning,
        } => {
            let new_world = !data.join(opendcc::world::MARKER).exists();
            zaz1.as_ref()
                .map_or_else(
                    || match dcc_controlled.is_empty() {
                        true => Ok(()),
                        false => Err("--dcc-controlled needs --zaz1".to_string()),
                    },
                    |keystore| zaz1::ensure_world(&data, keystore, &registrations, &dcc_controlled),
                )
                .and_then(|()| {
                    if !(fresh_install && new_world) {
                        return Ok(());
                    }
                    if zaz1.is_none() {
                        world::World::open_or_create_as(
                            &data,
                            &world::WorldOptions {
                                premises,
                                registrations: registrations.clone(),
                            },
                        )?;
                    }
                    opendcc::inventory::fresh_install_world(&data)
                })
                .and_then(|()| {
                    serve::run(
                        &serve::demo_config(
                            &data,
                            listen,
                            smki_listen,
                            publication_listen,
                            plain_http,
                            premises,
                            registrations,
                        ),
                        tuning,
                    )
                })
        }
        Cmd::Serve { config, tuning } => {
            opendcc::config::ServeConfig::load(&config).and_then(|c| serve::run(&c, tuning))
        }
        Cmd::Migrate { from, to } => opendcc::migrate::run(&from, &to),
        Cmd::User {
            cmd: UserCmd::ResponseUrl { dcc, user, url },
        } => dcc
            .store()
            .and_then(|store| world::set_response_url(&store, &user, &url)),
        Cmd::User {
            cmd: UserCmd::Counter { dcc, user, set, by },
        } => dcc
            .store()
            .and_then(|store| world::user_counter(&store, &user, set, by)),
        Cmd::Inventory {
            cmd: InventoryCmd::History { dcc, device },
        } => dcc
            .store()
            .and_then(|store| opendcc::inventory::history(&store, &device)),
        Cmd::Client { cmd } => run_client(cmd),
        Cmd::Dbch {
            cmd: DbchCmd::Report { dcc },
        } => dcc.operator().and_then(|dcc| opendcc::dbch::report(&dcc)),
        Cmd::Dbch {
            cmd: DbchCmd::Reconfigure { dcc },
        } => dcc
            .operator()
            .and_then(|dcc| opendcc::dbch::reconfigure(&dcc)),
        Cmd::Cpl { cmd } => opendcc::products::run(cmd),
        Cmd::Device {
            cmd: DeviceCmd::Fault { dcc, device, fault },
        } => dcc
            .operator()
            .and_then(|dcc| world::set_device_fault(&dcc, &device, &fault)),
        Cmd::Device {
            cmd: DeviceCmd::Button { dcc, device },
        } => dcc
            .operator()
            .and_then(|dcc| world::press_supply_button(&dcc, &device)),
        Cmd::Device {
            cmd: DeviceCmd::Boost { dcc, device },
        } => dcc
            .operator()
            .and_then(|dcc| world::press_boost_button(&dcc, &device)),
        Cmd::Device {
            cmd: DeviceCmd::Utrn { dcc, device, utrn },
        } => dcc
            .operator()
            .and_then(|dcc| world::enter_utrn(&dcc, &device, &utrn)),
        Cmd::Device {
            cmd: DeviceCmd::Voltage { dcc, device, volts },
        } => dcc
            .operator()
            .and_then(|dcc| world::set_simulated_voltage(&dcc, &device, &volts)),
        Cmd::Device {
            cmd: DeviceCmd::Tamper { dcc, device },
        } => dcc.operator().and_then(|dcc| world::tamper(&dcc, &device)),
        Cmd::Wan { cmd } => match cmd {
            WanCmd::Fault { dcc, chf, fault } => dcc
                .operator()
                .and_then(|dcc| world::set_wan_fault(&dcc, &chf, &fault)),
            WanCmd::Event { dcc, chf, kind } => dcc
                .operator()
                .and_then(|dcc| world::wan_event(&dcc, &chf, &kind)),
        },
        Cmd::Smki {
            cmd: SmkiCmd::Ops(cmd),
        } => smki_ops::run(cmd).and_then(|text| out(&text)),
        Cmd::Smki {
            cmd: SmkiCmd::Recovery { cmd },
        } => recovery::run(cmd),
        Cmd::Bench {
            cmd: BenchCmd::Load(args),
        } => bench::run(&args),
        Cmd::Bench {
            cmd: BenchCmd::Schedules(args),
        } => bench_schedules::run(&args).and_then(|text| out(&text)),
        Cmd::Smki {
            cmd: SmkiCmd::Repo(cmd),
        } => smki_repo::run(cmd),
        Cmd::Smki {
            cmd: SmkiCmd::Subscriber(cmd),
        } => smki_subscriber::run(cmd),
        Cmd::Conformance(args) => return conformance::main(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("opendcc: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))
}

/// File descriptors the DCC keeps for itself beside its listeners' connections (database, WAL,
/// outgoing deliveries, logs).
const FD_RESERVE: u64 = 256;

/// Raises the soft file-descriptor limit to the hard one, so that both listeners can hold
/// `max_connections` each, and warns if even that is too few (`accept` then fails with EMFILE
/// and backs off instead of the connection limit closing new connections cleanly).
fn check_fd_limit(limits: &server::ListenerLimits) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let wanted = u64::try_from(limits.max_connections)
        .unwrap_or(u64::MAX)
        .saturating_mul(2)
        .saturating_add(FD_RESERVE);
    let now = getrlimit(Resource::Nofile);
    let soft = match (now.current, now.maximum) {
        (Some(cur), max) if cur < wanted => {
            let raised = max.map_or(wanted, |m| m.min(wanted));
            match setrlimit(
                Resource::Nofile,
                Rlimit {
                    current: Some(raised),
                    maximum: now.maximum,
                },
            ) {
                Ok(()) => Some(raised),
                Err(_) => Some(cur),
            }
        }
        (cur, _) => cur,
    };
    if let Some(soft) = soft
        && soft < wanted
    {
        tracing::warn!(
            fd_limit = soft,
            max_connections = limits.max_connections,
            "the file-descriptor limit is below what both listeners' connection limits need; \
             lower --max-connections or raise `ulimit -n`"
        );
    }
}

/// The client the DCC delivers with: trusts the DCCKI root (users' Receive Response Services
/// on HTTPS present DCCKI certificates) and plain HTTP.
fn delivery_client(world: &world::World) -> Result<reqwest::Client, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let pem = world.dccki_root_pem()?;
    for c in rustls_pemfile::certs(&mut pem.as_bytes()) {
        let c = c.map_err(|e| format!("DCCKI root: {e}"))?;
        roots.add(c).map_err(|e| format!("DCCKI root: {e}"))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .build()
        .map_err(|e| e.to_string())
}

fn read_input(file: &Path) -> Result<String, String> {
    if file == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("reading standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("reading {}: {e}", file.display()))
    }
}

/// `client decode --mmc`: every document's MMC on standard output, what could not be opened
/// or mapped on standard error. Fails if a document cannot be parsed at all.
fn decode_mmc_files(keys: &parse_correlate::KeySources<'_>, file: &Path) -> Result<(), String> {
    let docs = if file == Path::new("-") {
        vec![file.to_path_buf()]
    } else {
        parse_correlate::documents(file)?
    };
    let mut failed = Vec::new();
    for doc in &docs {
        let text = read_input(doc)?;
        match parse_correlate::decode_mmc(keys, &text) {
            Ok(d) => {
                for n in &d.notes {
                    eprintln!("{}: {n}", doc.display());
                }
                if let Some(x) = d.xml {
                    out(x.trim_end())?;
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", doc.display());
                failed.push(doc.display().to_string());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("could not parse {}", failed.join(", ")))
    }
}

fn run_client(cmd: ClientCmd) -> Result<(), String> {
    match cmd {
        ClientCmd::Utrn {
            manifest,
            user,
            device,
            number,
            value,
            pounds,
        } => {
            let m = manifest::Manifest::load(&manifest)?;
            let u = m.user(&user)?;
            let (utrn, counter) = client::utrn(&m, u, &device, number, value, pounds)?;
            out(&format!("{utrn} counter {counter}"))?;
            Ok(())
        }
        ClientCmd::LocalDeliver {
            dcc,
            device,
            return_request_id,
            file,
        } => {
            let document = read_input(&file)?;
            let operator = dcc.operator()?;
            let delivery = world::local_deliver(&operator, &document, device.as_deref())?;
            eprintln!(
                "{} answered the command of {}",
                delivery.device,
                delivery
                    .original_request_id
                    .as_deref()
                    .unwrap_or("(no RequestID)")
            );
            match return_request_id {
                Some(rid) => out(&world::return_local_command_request(&delivery, &rid)?),
                None => {
                    use base64::Engine as _;
                    out(&base64::engine::general_purpose::STANDARD.encode(&delivery.response))
                }
            }
        }
        ClientCmd::Sign {
            manifest,
            user,
            file,
        } => {
            let m = manifest::Manifest::load(&manifest)?;
            let u = m.user(&user)?;
            let signed = client::sign_as(u, &read_input(&file)?)?;
            out(&signed)?;
            Ok(())
        }
        ClientCmd::SignPrecommand {
            manifest,
            user,
            request,
            file,
        } => {
            let m = manifest::Manifest::load(&manifest)?;
            let u = m.user(&user)?;
            let precommand = read_input(&file)?;
            let original = std::fs::read_to_string(&request)
                .map_err(|e| format!("reading {}: {e}", request.display()))?;
            let use_case = parse_correlate::check_precommand(&original, &precommand)?;
            eprintln!("the {use_case} pre-command matches the request; signing");
            let key = std::fs::read_to_string(&u.signing_key)
                .map_err(|e| format!("{}: {e}", u.signing_key.display()))?;
            let request = client::signed_precommand_request(&precommand, &key)?;
            out(&client::sign_as(u, &request)?)?;
            Ok(())
        }
        ClientCmd::Decode {
            manifest,
            user,
            mmc,
            ka_key,
            device_ka_cert,
            file,
        } => {
            let m = manifest
                .as_deref()
                .map(manifest::Manifest::load)
                .transpose()?;
            let u = match (&m, &user) {
                (Some(m), Some(user)) => Some(m.user(user)?),
                (None, Some(_)) => return Err("--user needs --manifest".into()),
                _ => None,
            };
            if !mmc {
                let (Some(m), Some(u)) = (&m, u) else {
                    return Err("decode needs --manifest and --user (or --mmc)".into());
                };
                return out(client::decode_device_payload(m, u, &read_input(&file)?)?.trim_end());
            }
            let keys = parse_correlate::KeySources {
                manifest: m.as_ref(),
                user: u,
                ka_key,
                device_ka_cert,
            };
            decode_mmc_files(&keys, &file)
        }
        ClientCmd::Listen {
            manifest,
            listen,
            out,
        } => {
            let m = manifest::Manifest::load(&manifest)?;
            let pem = std::fs::read_to_string(&m.dcc.xml_signing_cert)
                .map_err(|e| format!("{}: {e}", m.dcc.xml_signing_cert.display()))?;
            runtime()?.block_on(listen::run(listen, &pem, out))
        }
        ClientCmd::Send {
            manifest,
            user,
            sign,
            file,
        } => {
            let m = manifest::Manifest::load(&manifest)?;
            let u = m.user(&user)?;
            let mut body = read_input(&file)?;
            if sign {
                body = client::sign_as(u, &body)?;
            }
            let endpoint = client::endpoint_for(body.as_bytes())?;
            let http = client::http_client(&m, (!m.plain_http).then_some(u))?;
            let (status, text) =
                runtime()?.block_on(client::send(&http, &m.duis_url, endpoint, body))?;
            out(&text)?;
            if (200..300).contains(&status) {
                Ok(())
            } else {
                Err(format!("the DCC answered HTTP {status}"))
            }
        }
    }
}
