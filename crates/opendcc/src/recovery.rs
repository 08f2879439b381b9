//! `opendcc smki recovery`: the SMKI Recovery Procedure on the demo's emulated devices.
//!
//! After a compromise of an organisation's private key held as a trust anchor on devices, the
//! DCC places every device holding that party's anchor in SMI status `Recovery` (the gateway
//! then refuses normal traffic to it with E5), sends each a CS02b command signed by the DCC's
//! Recovery private key that replaces the party's digital-signing anchor with a replacement
//! certificate, and sets the device `Recovered` when it answers success (the core's dispatcher does
//! that: see `dcc::dispatch::recovery`).
//!
//! The CLI only writes to the database, like `opendcc user response-url`: it sets the statuses
//! and queues the signed commands on the WAN queue (`wan_jobs`, service reference
//! [`dcc::store::JobKind::SmkiRecovery`]); the running demo's WAN worker delivers them. If no demo is
//! running, the devices stay in Recovery and the commands wait on the queue until the next
//! `opendcc demo` on the same data directory picks them up.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use dcc::model::DeviceStatus;
use dcc::store::{Store, WanJob};
use eui::Eui64;
use gbcs::credentials::{self, KEY_USAGE_DS, RecoveryCommand, Replacement, TrustAnchorCell};
use smki::{Ca, CaKind, KeyPair, KeyUsage, OrgCertRequest, RemotePartyRole};
use time::{Duration, OffsetDateTime};

use crate::backend::ServedStore;
use crate::config::{DccArg, OperatorDcc};
use crate::world::{self, World};

/// The DCC's Recovery party: the EUI-64 the ZAZ1 Recovery certificate (`Z1-recovery-ds.pem`,
/// OU 01) and the RTDS vectors use.
pub const RECOVERY_EUI: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x01]);

/// How long the WAN keeps trying to deliver a recovery command.
const DEADLINE: Duration = Duration::minutes(10);

#[derive(Subcommand)]
pub enum RecoveryCmd {
    /// Place every device holding PARTY's trust anchor in Recovery and queue the CS02b command,
    /// signed by the DCC's Recovery key, that replaces the anchor.
    Start {
        #[command(flatten)]
        dcc: DccArg,
        /// The compromised party's EUI-64 (e.g. 90-B3-D5-1F-30-01-00-00).
        #[arg(long, value_name = "EUI")]
        party: String,
        /// The replacement digital-signing certificate (PEM), issued by the world's OCA for PARTY.
        /// Without it, a new key and certificate are made and written to
        /// DIR/pki/recovery/<EUI>-ds.pem and DIR/pki/private/recovery/<EUI>-ds.key.
        #[arg(long, value_name = "PEM")]
        replacement_cert: Option<PathBuf>,
    },
    /// List the devices in Recovery or Recovered.
    Status {
        #[command(flatten)]
        dcc: DccArg,
    },
}

pub fn run(cmd: RecoveryCmd) -> Result<(), String> {
    match cmd {
        RecoveryCmd::Start {
            dcc,
            party,
            replacement_cert,
        } => dcc
            .operator()
            .and_then(|dcc| start(&dcc, &party, replacement_cert.as_deref())),
        RecoveryCmd::Status { dcc } => dcc.operator().and_then(|dcc| status(&dcc)),
    }
}

/// A new world's Recovery credentials: a DS key and certificate (role 01, from the OCA) that
/// sign recovery commands, and a KA key and certificate so that the device trust anchor is whole
/// (devices sign, not MAC, their answers to the Recovery party, so the KA key is not used).
/// Writes `pki/recovery-{ds,ka}.pem` and their keys; returns the anchor and the certificates.
pub fn issue_credentials(
    world: &World,
    oca: &Ca,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<(devices::TrustAnchor, Vec<Vec<u8>>), String> {
    let mut keys = [[0u8; 65]; 2];
    let mut certs = Vec::new();
    for (i, (usage, name)) in [
        (KeyUsage::DigitalSignature, "recovery-ds"),
        (KeyUsage::KeyAgreement, "recovery-ka"),
    ]
    .into_iter()
    .enumerate()
    {
        let (key, cert) = issue_credential(
            oca,
            usage,
            (not_before, not_after),
            &world.pki_path(&format!("{name}.pem")),
            &world.private_path(&format!("{name}.key")),
        )?;
        keys[i] = key.public_key().to_sec1_uncompressed();
        certs.push(cert);
    }
    Ok((
        world::trust_anchor(RECOVERY_EUI, &keys[0], &keys[1])?,
        certs,
    ))
}

/// A ZAZ1 world's Recovery anchor: ZAZ1's Recovery DS key (`Z1-recovery-ds`, already copied to
/// `pki/recovery-ds.pem` and its key) and a KA key certified by opendcc's own OCA (ZAZ1 publishes
/// no Recovery KA credential; the anchor model holds both keys, and devices sign rather than MAC
/// their answers to the Recovery party, so the KA key is never used).
pub fn zaz1_anchor(
    dir: &Path,
    oca: &Ca,
    ds_public: &[u8; 65],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<devices::TrustAnchor, String> {
    let (key, _cert) = issue_credential(
        oca,
        KeyUsage::KeyAgreement,
        (not_before, not_after),
        &dir.join("pki/recovery-ka.pem"),
        &dir.join("pki/private/recovery-ka.key"),
    )?;
    world::trust_anchor(
        RECOVERY_EUI,
        ds_public,
        &key.public_key().to_sec1_uncompressed(),
    )
}

/// One Recovery credential: a fresh key of `usage` and its Recovery (role 01) certificate from
/// `oca`, valid over `validity`; writes the certificate (PEM) to `cert_path` and the key to
/// `key_path` (as a secret). Returns the key and the certificate (DER).
fn issue_credential(
    oca: &Ca,
    usage: KeyUsage,
    (not_before, not_after): (OffsetDateTime, OffsetDateTime),
    cert_path: &Path,
    key_path: &Path,
) -> Result<(KeyPair, Vec<u8>), String> {
    let key = KeyPair::generate_with_os_rng().map_err(world::smki_err)?;
    let cert = oca
        .issue_organisation(&OrgCertRequest {
            common_name: Some("OPENDCC RECOVERY".into()),
            eui: RECOVERY_EUI,
            role: RemotePartyRole::Recovery,
            usage,
            public_key: key.public_key(),
            serial: smki::Serial::random_with_os_rng().map_err(world::smki_err)?,
            not_before,
            not_after,
        })
        .map_err(world::smki_err)?;
    world::write_file(cert_path, world::cert_pem(&cert)?.as_bytes())?;
    world::write_secret(key_path, &world::key_pem(&key)?)?;
    Ok((key, cert))
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn recovery_key(world: &World) -> Result<gbcs::SigningKey, String> {
    let path = world.private_path("recovery-ds.key");
    if !path.exists() {
        return Err(format!(
            "{} holds no Recovery key (the world predates SMKI recovery): make a new world",
            world.dir().display()
        ));
    }
    let k = KeyPair::from_pkcs8_pem(&read(&path)?).map_err(world::smki_err)?;
    gbcs::SigningKey::from_der(&k.to_pkcs8_der().map_err(world::smki_err)?)
        .map_err(|e| format!("Recovery key: {e}"))
}

fn oca(world: &World) -> Result<Ca, String> {
    let cert =
        smki::cert_from_pem(&read(&world.pki_path("org-issuing.pem"))?).map_err(world::smki_err)?;
    let key = KeyPair::from_pkcs8_pem(&read(&world.private_path("org-issuing.key"))?)
        .map_err(world::smki_err)?;
    Ca::from_parts(CaKind::Oca, key, cert).map_err(world::smki_err)
}

/// The role code a device anchor role carries in GBCS.
fn role_code(r: devices::RemotePartyRole) -> u8 {
    use credentials::role;
    match r {
        devices::RemotePartyRole::Recovery => role::RECOVERY,
        devices::RemotePartyRole::Supplier => role::SUPPLIER,
        devices::RemotePartyRole::NetworkOperator => role::NETWORK_OPERATOR,
        devices::RemotePartyRole::AccessControlBroker => role::ACCESS_CONTROL_BROKER,
        devices::RemotePartyRole::WanProvider => role::WAN_PROVIDER,
        devices::RemotePartyRole::TransitionalCos => role::TRANSITIONAL_COS,
        devices::RemotePartyRole::LoadController => role::LOAD_CONTROLLER,
        devices::RemotePartyRole::Root => role::ROOT,
    }
}

/// The replacement certificate: the one given (checked: PARTY's, DS, issued by the world's OCA),
/// or a new one for `role`.
fn replacement(
    world: &World,
    party: Eui64,
    role: u8,
    given: Option<&Path>,
) -> Result<Vec<u8>, String> {
    let oca = oca(world)?;
    let der = match given {
        Some(path) => smki::cert_from_pem(&read(path)?)
            .map_err(|e| format!("{}: {}", path.display(), world::smki_err(e)))?,
        None => {
            let key = KeyPair::generate_with_os_rng().map_err(world::smki_err)?;
            let now = OffsetDateTime::now_utc();
            let der = oca
                .issue_organisation(&OrgCertRequest {
                    common_name: None,
                    eui: party,
                    role: RemotePartyRole::from_code(role),
                    usage: KeyUsage::DigitalSignature,
                    public_key: key.public_key(),
                    serial: smki::Serial::random_with_os_rng().map_err(world::smki_err)?,
                    not_before: now - Duration::days(1),
                    not_after: now + Duration::days(365 * 10),
                })
                .map_err(world::smki_err)?;
            let hex = hex::encode(party.0);
            let cert_path = world
                .dir()
                .join("pki/recovery")
                .join(format!("{hex}-ds.pem"));
            let key_path = world.private_path("recovery").join(format!("{hex}-ds.key"));
            world::write_file(&cert_path, world::cert_pem(&der)?.as_bytes())?;
            world::write_secret(&key_path, &world::key_pem(&key)?)?;
            crate::out(&format!(
                "replacement certificate {} (key {})",
                cert_path.display(),
                key_path.display()
            ))?;
            der
        }
    };
    let facts = credentials::certificate_facts(&der)
        .map_err(|e| format!("replacement certificate: {e}"))?;
    if facts.subject_eui != party {
        return Err(format!(
            "the replacement certificate is for {}, not {party}",
            facts.subject_eui
        ));
    }
    if facts.key_usage != Some(KEY_USAGE_DS) {
        return Err("the replacement certificate is not a digital-signing certificate".into());
    }
    if facts.role != Some(role) {
        return Err(format!(
            "the replacement certificate's role is {:?}, the party's anchor role is {role:02}",
            facts.role
        ));
    }
    smki::verify_issued_by(&der, oca.cert_der()).map_err(|e| {
        format!(
            "the replacement certificate was not issued by this DCC's OCA: {}",
            world::smki_err(e)
        )
    })?;
    Ok(der)
}

/// `opendcc smki recovery start`, on the DCC's store, whichever backend (the WAN runner finds
/// the queued commands there; over NATS, its sweeper announces them within seconds).
pub fn start(dcc: &OperatorDcc, party: &str, given: Option<&Path>) -> Result<(), String> {
    let party: Eui64 = party
        .parse()
        .map_err(|e| format!("--party {party:?}: {e}"))?;
    let world = dcc.world()?;
    let key = recovery_key(&world)?;
    crate::on_store!(&dcc.store, |store| start_on(
        store, &world, &key, party, given
    ))
}

fn start_on<S>(
    store: &S,
    world: &World,
    key: &gbcs::SigningKey,
    party: Eui64,
    given: Option<&Path>,
) -> Result<(), String>
where
    S: ServedStore,
    for<'t> S::Tx<'t>: wan::EmulatorTx,
{
    // Devices holding the party's anchor, by the emulated devices' own state.
    let holders: Vec<(dcc::model::Device, devices::RemotePartyRole)> = store
        .transaction_in(|tx| {
            use dcc::store::InventoryTx as _;
            let mut out = Vec::new();
            for d in tx.devices()? {
                let Ok(Some(state)) = wan::emulated::stored_state(tx, d.id) else {
                    continue;
                };
                let role = state
                    .trust_anchors
                    .roles_of(party)
                    .find(|r| *r != devices::RemotePartyRole::Recovery);
                if let Some(role) = role {
                    out.push((d, role));
                }
            }
            Ok(out)
        })
        .map_err(|e| e.to_string())?;
    if holders.is_empty() {
        return Err(format!("no device holds a trust anchor for {party}"));
    }
    let roles: std::collections::BTreeSet<u8> =
        holders.iter().map(|(_, r)| role_code(*r)).collect();
    let [role] = roles.iter().copied().collect::<Vec<_>>()[..] else {
        return Err(format!(
            "{party} holds anchors in several roles ({roles:?}); recover one role at a time"
        ));
    };
    let cert = replacement(world, party, role, given)?;
    let path = oca(world)?.cert_der().to_vec();
    let now = OffsetDateTime::now_utc();
    let now_ms = dcc::gateway::unix_ms(now);
    let counter = u64::try_from(now_ms).map_err(|_| "the clock is before 1970")?;
    let mut jobs = Vec::new();
    for (d, _) in &holders {
        if !matches!(
            d.status,
            DeviceStatus::Commissioned
                | DeviceStatus::InstalledNotCommissioned
                | DeviceStatus::Recovery
                | DeviceStatus::Recovered
        ) {
            crate::out(&format!("{}: {} (left alone)", d.id, d.status))?;
            continue;
        }
        let command = RecoveryCommand {
            recovery: RECOVERY_EUI,
            device: d.id,
            counter,
            replacements: vec![Replacement {
                certificate: cert.clone(),
                target: TrustAnchorCell::new(role, KEY_USAGE_DS),
            }],
            other_changes: None,
            new_floor: None,
            apply_time_based_cpv_checks: None,
            // The world's OCA certificate: the device checks that it issued the replacement
            // and that the SMKI Organisation root (the device's Root cell) issued it.
            certification_path: vec![path.clone()],
        }
        .build(key)
        .map_err(|e| format!("recovery command for {}: {e}", d.id))?
        .encode();
        jobs.push((
            d.clone(),
            WanJob {
                id: 0,
                originator: RECOVERY_EUI,
                counter,
                target: d.id,
                chf: d.chf.unwrap_or(d.id),
                kind: dcc::store::JobKind::SmkiRecovery,
                command,
                attempts: 0,
                due_at: now_ms,
                deadline_at: now_ms + DEADLINE.whole_milliseconds() as i64,
            },
        ));
    }
    lodge(store, &cert, &oca(world)?, now)?;
    store
        .transaction(|tx| {
            for (d, job) in &jobs {
                // A device already in Recovery (a second run) stays there.
                if d.status != DeviceStatus::Recovery {
                    dcc::smi::apply(
                        tx,
                        d,
                        DeviceStatus::Recovery,
                        dcc::smi::smi::SmiCause::Process(dcc::smi::smi::DccProcess::SmkiRecovery),
                        dcc::smi::smi::SmiActor::Dcc,
                        now,
                    )?;
                }
                tx.enqueue_wan(job)?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    for (d, _) in &jobs {
        crate::out(&format!(
            "{}: Recovery (anchor replacement queued, counter {counter})",
            d.id
        ))?;
    }
    Ok(())
}

/// Lodges the replacement certificate with the SMKI repository (`smki_certificates`, issued by
/// the live OCA) and the gateway's copy of organisation certificates (`org_certs`), so that the
/// party's pre-commands signed with the replacement key pass the gateway as the devices will
/// now accept them. Lodging a certificate already lodged changes nothing.
fn lodge<S: ServedStore>(
    store: &S,
    der: &[u8],
    oca: &Ca,
    now: OffsetDateTime,
) -> Result<(), String> {
    use smki_service::{CertRecord, Environment, SmkiTx};
    let record = world::org_record(der)?;
    store
        .transaction(|tx| {
            if tx.org_cert(&record.serial)?.is_none() {
                tx.put_org_cert(&record)?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    let at = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).map_err(|e| e.to_string())?;
    let mut cert =
        CertRecord::organisation(der, Environment::Live, at).map_err(|e| e.to_string())?;
    store
        .smki_transaction(
            |tx: &mut dyn SmkiTx| -> Result<(), smki_service::StoreError> {
                if tx.certificate(&cert.serial)?.is_some() {
                    return Ok(());
                }
                cert.issuer_ca = tx
                    .cas(CaKind::Oca, Environment::Live)?
                    .into_iter()
                    .find(|c| c.cert_der == oca.cert_der())
                    .map(|c| c.id);
                tx.put_certificate(&cert)
            },
        )
        .map_err(|e| e.to_string())
}

/// `opendcc smki recovery status`, on the DCC's store, whichever backend.
pub fn status(dcc: &OperatorDcc) -> Result<(), String> {
    dcc.world()?;
    let devices = crate::on_store!(&dcc.store, |store| store
        .transaction(|tx| Ok(tx.devices()?))
        .map_err(|e| e.to_string()))?;
    let mut any = false;
    for d in devices {
        if matches!(d.status, DeviceStatus::Recovery | DeviceStatus::Recovered) {
            any = true;
            crate::out(&format!("{} {} {}", d.id, d.device_type, d.status))?;
        }
    }
    if !any {
        crate::out("no device is in Recovery or Recovered")?;
    }
    Ok(())
}
