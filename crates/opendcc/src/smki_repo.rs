//! The SMKI repository of a demo world, and the SMKI test service.
//!
//! * [`populate`]: at world creation, lodges what the repository must also hold (each user's
//!   key-agreement certificate), marks the certificates of devices not yet in the inventory
//!   pending (`P`; in use once the device is added), and creates the **test PKI** (its own roots and issuing CAs,
//!   `TEST` in their names, the test certificate policy), lodged with `Environment::Test`,
//!   with one test organisation certificate per demo user (a key of its own) in the test
//!   repository.
//! * `opendcc smki test-certificate`: the SMKI test service issues a test organisation
//!   certificate for a user, lodged in the test repository (this is the PMA's command-line
//!   lodging on the DCC's host; the repository itself has no lodging endpoint).
//! * [`bind`] / [`serve`]: the repository listener (`--smki-listen`, DCC Boxed's port 8083).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Subcommand;
use dcc::model::User;
use server::Transport;
use smki::{CaKind, KeyPair, KeyUsage, OrgCertRequest, OrgCertificate, Serial};
use smki_service::test_service::{self, TestPki};
use smki_service::{
    CaRecord, CertKind, CertRecord, CertStatus, Environment, SmkiStore, SmkiTx, StoreError,
};
use store::SqliteStore;
use time::{Duration, OffsetDateTime};

use crate::world::{cert_pem, key_pem, smki_err, user_dir, write_file, write_secret};

/// `opendcc smki ...` (the repository and test-service part).
#[derive(Subcommand)]
pub enum RepoCmd {
    /// SMKI test service: issue a test organisation certificate (digital signing) for a demo
    /// user, lodged in the test repository; prints its serial.
    TestCertificate {
        /// The DCC: its data directory, or its manifest (the store it records, SQLite or
        /// PostgreSQL, and the world's directory).
        #[command(flatten)]
        dcc: crate::config::DccArg,
        /// The demo user (by name).
        #[arg(long)]
        user: String,
        /// The private key (PKCS#8 PEM) whose public key the certificate certifies; a new key
        /// is made (and saved next to the certificate) when omitted.
        #[arg(long, value_name = "PEM")]
        key: Option<PathBuf>,
        /// Where to write the certificate (PEM); default `users/<name>/test-signing-<serial>.pem`.
        #[arg(long, value_name = "PEM")]
        out: Option<PathBuf>,
    },
}

fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn draw() -> Result<(KeyPair, Serial), smki::SmkiError> {
    Ok((
        KeyPair::generate_with_os_rng()?,
        Serial::random_with_os_rng()?,
    ))
}

const TEST_CA_FILES: [(CaKind, &str); 4] = [
    (CaKind::OrganisationRoot, "org-root"),
    (CaKind::Oca, "org-issuing"),
    (CaKind::DeviceRoot, "device-root"),
    (CaKind::Dca, "device-issuing"),
];

/// What a new world adds to the SMKI repositories beyond `world::populate_smki`.
pub fn populate(
    store: &SqliteStore,
    dir: &Path,
    users: &[User],
    now: OffsetDateTime,
) -> Result<(), String> {
    let at = ms(now);
    // Live: each user's key-agreement certificate (the signing one is already lodged).
    let mut live = Vec::new();
    for u in users {
        let p = user_dir(dir, &u.name).join("ka.pem");
        if p.exists() {
            let der = smki::cert_from_pem(&read(&p)?).map_err(smki_err)?;
            live.push(CertRecord::organisation(&der, Environment::Live, at).map_err(|e| e.0)?);
        }
    }
    // Test: the test PKI.
    let pki = test_service::generate_test_pki(now, &mut draw).map_err(|e| e.to_string())?;
    let test_dir = dir.join("pki").join("test");
    for (kind, name) in TEST_CA_FILES {
        write_file(
            &test_dir.join(format!("{name}.pem")),
            test_ca(&pki, kind).cert_pem().map_err(smki_err)?.as_bytes(),
        )?;
    }
    store
        .smki_transaction(|tx: &mut dyn SmkiTx| -> Result<(), StoreError> {
            let live_oca = tx.cas(CaKind::Oca, Environment::Live)?;
            // The live issuing CAs carry the live policy, never the test one.
            for ca in live_oca
                .iter()
                .chain(&tx.cas(CaKind::Dca, Environment::Live)?)
            {
                test_service::check_live_issuer(ca).map_err(fail)?;
            }
            // Devices manufactured but not yet in the inventory: their certificates are
            // pending until the device is added (the store promotes them to in use then).
            for &(id, _) in crate::world::SPARE_DEVICES {
                for c in tx.certificates_of(eui::Eui64::from_u64(id), Environment::Live, None)? {
                    if c.kind == CertKind::Device {
                        tx.set_certificate_status(&c.serial, CertStatus::Pending)?;
                    }
                }
            }
            for mut c in live {
                c.issuer_ca = live_oca
                    .iter()
                    .find(|ca| smki::verify_issued_by(&c.der, &ca.cert_der).is_ok())
                    .map(|ca| ca.id);
                tx.put_certificate(&c)?;
            }
            for (kind, _) in TEST_CA_FILES {
                let ca = test_ca(&pki, kind);
                tx.put_ca(&CaRecord::new(ca, Environment::Test, at).map_err(fail)?)?;
                tx.put_certificate(
                    &CertRecord::authority(
                        ca.cert_der(),
                        CertKind::Authority,
                        Environment::Test,
                        at,
                    )
                    .map_err(fail)?,
                )?;
            }
            Ok(())
        })
        .map_err(se)?;
    // One test certificate per user, on a key of its own.
    for u in users {
        let udir = user_dir(dir, &u.name);
        if !udir.join("signing.pem").exists() {
            continue;
        }
        let key = KeyPair::generate_with_os_rng().map_err(smki_err)?;
        let rec = issue_for_user(store, dir, &u.name, &key, now)?;
        write_file(
            &udir.join("test-signing.pem"),
            cert_pem(&rec.der)?.as_bytes(),
        )?;
        write_secret(&udir.join("test-signing.key"), &key_pem(&key)?)?;
    }
    Ok(())
}

fn se(e: StoreError) -> String {
    e.0
}

fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

fn test_ca(pki: &TestPki, kind: CaKind) -> &smki::Ca {
    match kind {
        CaKind::OrganisationRoot => &pki.org_root,
        CaKind::DeviceRoot => &pki.device_root,
        CaKind::Dca => &pki.dca,
        _ => &pki.oca,
    }
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// The test service: a test DS organisation certificate for user `name` (EUI and role from
/// its live signing certificate) on `key`, from the current test OCA, lodged in the test
/// repository.
fn issue_for_user<S: smki_service::SmkiStore>(
    store: &S,
    dir: &Path,
    name: &str,
    key: &KeyPair,
    now: OffsetDateTime,
) -> Result<CertRecord, String> {
    let live = OrgCertificate::from_pem(&read(&user_dir(dir, name).join("signing.pem"))?)
        .map_err(smki_err)?;
    let req = OrgCertRequest {
        common_name: Some(format!("TEST {}", name.to_uppercase())),
        eui: live.eui(),
        role: live.role(),
        usage: KeyUsage::DigitalSignature,
        public_key: key.public_key(),
        serial: Serial::random_with_os_rng().map_err(smki_err)?,
        not_before: now - Duration::days(1),
        not_after: now + Duration::days(365 * 2),
    };
    store
        .smki_transaction(|tx: &mut dyn SmkiTx| -> Result<CertRecord, StoreError> {
            let mut ca = tx
                .current_ca(CaKind::Oca, Environment::Test)?
                .ok_or_else(|| fail("the SMKI test service has no current test OCA"))?;
            let rec = test_service::issue_test_organisation(&ca, &req, ms(now)).map_err(fail)?;
            tx.put_certificate(&rec)?;
            ca.issued_count += 1;
            tx.update_ca(&ca)?;
            Ok(rec)
        })
        .map_err(se)
}

/// `opendcc smki test-certificate`.
pub fn run(cmd: RepoCmd) -> Result<(), String> {
    match cmd {
        RepoCmd::TestCertificate {
            dcc,
            user,
            key,
            out,
        } => {
            let dcc = dcc.operator()?;
            let data = dcc.data.clone();
            if !user_dir(&data, &user).join("signing.pem").exists() {
                return Err(format!(
                    "no demo user {user:?} in {} (no users/{user}/signing.pem)",
                    data.display()
                ));
            }
            let (key, fresh) = match &key {
                Some(p) => (KeyPair::from_pkcs8_pem(&read(p)?).map_err(smki_err)?, false),
                None => (KeyPair::generate_with_os_rng().map_err(smki_err)?, true),
            };
            let rec = crate::on_store!(&dcc.store, |store| issue_for_user(
                store,
                &data,
                &user,
                &key,
                OffsetDateTime::now_utc()
            ))?;
            let out = out.unwrap_or_else(|| {
                user_dir(&data, &user).join(format!("test-signing-{}.pem", rec.serial))
            });
            write_file(&out, cert_pem(&rec.der)?.as_bytes())?;
            if fresh {
                write_secret(&out.with_extension("key"), &key_pem(&key)?)?;
            }
            println!("{}", rec.serial);
            Ok(())
        }
    }
}

/// Binds the repository listener: plain HTTP on loopback (as DCC Boxed's port 8083), HTTPS
/// with the DCC's TLS server certificate (server authentication only) anywhere else.
pub async fn bind(
    addr: SocketAddr,
    dir: &Path,
) -> Result<(tokio::net::TcpListener, Transport, String), String> {
    let transport = if addr.ip().is_loopback() {
        Transport::PlainHttp
    } else {
        let pki = dir.join("pki");
        let private = pki.join("private");
        Transport::Tls(
            server::repository::server_only_tls_config(
                &read(&pki.join("server-tls.pem"))?,
                &read(&private.join("server-tls.key"))?,
            )
            .map_err(|e| e.to_string())?,
        )
    };
    let listener = server::bind(addr, &transport)
        .await
        .map_err(|e| format!("SMKI repository on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = match transport {
        Transport::PlainHttp => "http",
        Transport::Tls(_) => "https",
    };
    Ok((listener, transport, format!("{scheme}://{bound}/")))
}

/// Serves the repository until shutdown.
pub async fn serve<S: smki_service::SmkiStore>(
    store: Arc<S>,
    listener: tokio::net::TcpListener,
    transport: Transport,
    limits: server::ListenerLimits,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String> {
    server::repository::serve(
        store,
        listener,
        transport,
        server::repository::system_now_ms,
        limits,
        shutdown,
    )
    .await
    .map_err(|e| e.to_string())
}
