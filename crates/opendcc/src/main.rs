//! `opendcc`: run a demo DCC, and the tools a DCC User needs to talk to it.

mod client;
mod manifest;
mod world;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use dcc::gateway::{Gateway, Limits, SystemClock};
use server::Transport;

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
        /// Serve plain HTTP instead of mutually authenticated TLS (loopback addresses only), for
        /// tools built for DCC Boxed.
        #[arg(long)]
        plain_http: bool,
    },
    /// Administer DCC users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// The DCC User's side: sign and send DUIS requests.
    Client {
        #[command(subcommand)]
        cmd: ClientCmd,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Set a user's Receive Response Service URL (takes effect at once, no restart).
    ResponseUrl {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// The user's name, as in demo.json.
        #[arg(long)]
        user: String,
        /// An http:// or https:// URL.
        url: String,
    },
}

#[derive(Subcommand)]
enum ClientCmd {
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
            plain_http,
        } => run_demo(&data, listen, plain_http),
        Cmd::User {
            cmd: UserCmd::ResponseUrl { data, user, url },
        } => world::set_response_url(&data, &user, &url),
        Cmd::Client { cmd } => run_client(cmd),
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

fn run_demo(data: &Path, listen: SocketAddr, plain_http: bool) -> Result<(), String> {
    let world = world::World::open_or_create(data)?;
    let store = Arc::new(world.open_store()?);
    let signer = world.xml_signer()?;
    let gateway = Arc::new(Gateway::new(
        store,
        SystemClock,
        Arc::new(signer),
        Arc::new(world.dcc_crypto()?),
        Limits::default(),
    ));
    let transport = if plain_http {
        Transport::PlainHttp
    } else {
        Transport::Tls(server::tls_config(&world.tls_material()?).map_err(|e| e.to_string())?)
    };
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = server::bind(listen, &transport)
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let scheme = if plain_http { "http" } else { "https" };
        let manifest = world.manifest(&format!("{scheme}://{addr}"), plain_http)?;
        let manifest_path = data.join("demo.json");
        manifest.write(&manifest_path)?;
        tracing::info!(%addr, manifest = %manifest_path.display(), plain_http, "demo DCC serving DUIS");
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            let _ = tx.send(true);
        });
        server::serve(gateway, listener, transport, rx)
            .await
            .map_err(|e| e.to_string())
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
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

fn run_client(cmd: ClientCmd) -> Result<(), String> {
    match cmd {
        ClientCmd::Sign {
            manifest,
            user,
            file,
        } => {
            let m = manifest::Manifest::load(&manifest)?;
            let u = m.user(&user)?;
            let signed = client::sign_as(u, &read_input(&file)?)?;
            println!("{signed}");
            Ok(())
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
            println!("{text}");
            if (200..300).contains(&status) {
                Ok(())
            } else {
                Err(format!("the DCC answered HTTP {status}"))
            }
        }
    }
}
