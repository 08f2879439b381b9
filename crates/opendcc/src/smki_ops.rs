//! `opendcc smki ...`: the SMKI operator's commands (revoke, publish the CRL/ARL now, roll the
//! DCA over, PMA suspension, the audit log), working on the DCC's store directly, SQLite
//! (`--data DIR`) or whichever the manifest records (`--manifest FILE`; a running DCC sees the
//! change at once), and the background SMKI worker that publishes the CRL/ARL and rolls the DCA
//! over when due.
//!
//! Published lists are also written to `DIR/smki/crl.pem` and `DIR/smki/arl.pem` (for
//! `openssl verify -crl_check`); a roll-over writes the new DCA certificate to
//! `DIR/smki/dca.pem` and destroys the old DCA key file `DIR/pki/private/device-issuing.key`
//! if it holds the destroyed key.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Subcommand;
use dcc::gateway::Clock;
use eui::Eui64;
use opendcc::backend::ServedStore;
use opendcc::config::DccArg;
use smki_service::audit::ACTOR_PMA;
use smki_service::pma::{self, PmaAction};
use smki_service::publication::{self, ListKind, Published};
use smki_service::revocation::{self, Reason, Requester};
use smki_service::rollover::{self, Fresh, Rollover, RolloverError, RolloverReason};
use smki_service::schedule;
use smki_service::{Environment, SmkiTx};

use crate::world::write_file;

const ENV: Environment = Environment::Live;

#[derive(Subcommand)]
pub enum SmkiCmd {
    /// Revoke an organisation certificate (or, as the PMA, an OCA certificate). The gateway
    /// refuses it once a CRL listing it is published (by `publish-crl` or the demo's worker).
    Revoke {
        #[command(flatten)]
        dcc: DccArg,
        /// The certificate serial number, hex.
        #[arg(long)]
        serial: String,
        /// `key-compromise` or `unreliable-module`.
        #[arg(long)]
        reason: String,
        /// The PMA asks (may revoke any organisation or OCA certificate).
        #[arg(long, conflicts_with = "by", required_unless_present = "by")]
        as_pma: bool,
        /// The subscriber asking, by EUI-64: must hold the certificate.
        #[arg(long, value_name = "EUI")]
        by: Option<String>,
    },
    /// Publish the CRL now (or, with --arl, the ARL), and write it to DIR/smki/.
    PublishCrl {
        #[command(flatten)]
        dcc: DccArg,
        /// Publish the ARL (revoked OCA certificates, signed by the Organisation Root).
        #[arg(long)]
        arl: bool,
    },
    /// Roll the issuing device CA over if it is due (3 months or 100,000 certificates), or now
    /// with --force; the old DCA key is destroyed.
    Rollover {
        #[command(flatten)]
        dcc: DccArg,
        #[arg(long)]
        force: bool,
    },
    /// PMA: suspend an SMKI participant (the gateway refuses its requests, DUIS E3).
    Suspend {
        #[command(flatten)]
        dcc: DccArg,
        #[arg(long, value_name = "EUI")]
        participant: String,
    },
    /// PMA: lift a participant's suspension.
    Unsuspend {
        #[command(flatten)]
        dcc: DccArg,
        #[arg(long, value_name = "EUI")]
        participant: String,
    },
    /// Print the SMKI audit log (PMA actions, revocations, publications, roll-overs).
    Audit {
        #[command(flatten)]
        dcc: DccArg,
    },
    /// One pass of the demo's SMKI worker as if the time were AT (RFC 3339): publish what is
    /// due, roll over if due. For testing the schedule without waiting months.
    #[command(hide = true)]
    Tick {
        #[command(flatten)]
        dcc: DccArg,
        #[arg(long, value_name = "RFC3339")]
        at: String,
    },
}

fn now_ms() -> i64 {
    ms_of(time::OffsetDateTime::now_utc())
}

fn ms_of(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn parse_eui(s: &str) -> Result<Eui64, String> {
    s.parse()
        .map_err(|e| format!("{s:?} is not an EUI-64 (like 90-B3-D5-1F-30-01-00-00): {e}"))
}

impl SmkiCmd {
    fn dcc(&self) -> &DccArg {
        match self {
            SmkiCmd::Revoke { dcc, .. }
            | SmkiCmd::PublishCrl { dcc, .. }
            | SmkiCmd::Rollover { dcc, .. }
            | SmkiCmd::Suspend { dcc, .. }
            | SmkiCmd::Unsuspend { dcc, .. }
            | SmkiCmd::Audit { dcc }
            | SmkiCmd::Tick { dcc, .. } => dcc,
        }
    }
}

/// Runs one `opendcc smki` command on the DCC's store, whichever backend (`--data DIR`, or the
/// store `--manifest FILE` records; published lists and the DCA's files are written to the
/// world's directory); returns what to print.
pub fn run(cmd: SmkiCmd) -> Result<String, String> {
    let dcc = cmd.dcc().operator()?;
    dcc.world()?;
    opendcc::on_store!(&dcc.store, |store| run_on(cmd, &dcc.data, store))
}

fn run_on<S: ServedStore>(cmd: SmkiCmd, data: &Path, store: &S) -> Result<String, String> {
    match cmd {
        SmkiCmd::Revoke {
            dcc: _,
            serial,
            reason,
            as_pma,
            by,
        } => {
            let reason: Reason = reason.parse().map_err(|e| format!("{e}"))?;
            let at = now_ms();
            let cert = match (as_pma, by) {
                (true, _) => store
                    .smki_transaction(|tx| {
                        pma::perform(
                            tx,
                            &PmaAction::ForceRevoke {
                                serial: serial.clone(),
                                reason,
                            },
                            at,
                        )?;
                        Ok::<_, pma::PmaError>(())
                    })
                    .map_err(|e| e.to_string())
                    .map(|()| serial.clone())?,
                (false, Some(by)) => {
                    let who = parse_eui(&by)?;
                    store
                        .smki_transaction(|tx| {
                            revocation::revoke(tx, &serial, reason, Requester::Subscriber(who), at)
                        })
                        .map_err(|e| e.to_string())?
                        .serial
                }
                (false, None) => return Err("give --as-pma or --by EUI".into()),
            };
            Ok(format!(
                "revoked {cert} ({reason}); the gateway refuses it once the next CRL is published"
            ))
        }
        SmkiCmd::PublishCrl { arl, .. } => {
            let kind = if arl { ListKind::Arl } else { ListKind::Crl };
            let p = store
                .smki_transaction(|tx| publication::publish(tx, kind, ENV, now_ms(), ACTOR_PMA))
                .map_err(|e| e.to_string())?;
            let path = write_list(data, &p)?;
            Ok(describe(&p, &path))
        }
        SmkiCmd::Rollover { force, .. } => {
            let at = now_ms();
            let done = store
                .smki_transaction(|tx| -> Result<Option<Rollover>, RolloverError> {
                    let dca = rollover::current_dca(tx, ENV)?.ok_or(RolloverError::NoDca(ENV))?;
                    let reason = match rollover::rollover_due(&dca, at) {
                        Some(r) => r,
                        None if force => RolloverReason::Forced,
                        None => return Ok(None),
                    };
                    rollover::roll_over(tx, ENV, at, reason, fresh()?).map(Some)
                })
                .map_err(|e| e.to_string())?;
            match done {
                None => {
                    Ok("the DCA is not due for roll-over (use --force to roll over now)".into())
                }
                Some(r) => {
                    after_rollover(data, store, &r.old, &r.new)?;
                    Ok(format!(
                        "rolled over ({}): DCA #{} retired, DCA #{} issuing; {}",
                        r.reason,
                        r.old.id,
                        r.new.id,
                        r.old.destruction_record.as_deref().unwrap_or("")
                    ))
                }
            }
        }
        SmkiCmd::Suspend { participant, .. } => suspension(store, &participant, true),
        SmkiCmd::Unsuspend { participant, .. } => suspension(store, &participant, false),
        SmkiCmd::Tick { at, .. } => {
            let t =
                time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| format!("--at {at:?} is not an RFC 3339 time: {e}"))?;
            let did = tick(data, store, ms_of(t))?;
            Ok(if did.is_empty() {
                "nothing due".into()
            } else {
                did.join("\n")
            })
        }
        SmkiCmd::Audit { .. } => {
            let log = store
                .smki_transaction(|tx| tx.audit_log())
                .map_err(|e| e.to_string())?;
            Ok(log
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"))
        }
    }
}

/// `opendcc smki suspend|unsuspend`.
fn suspension<S: ServedStore>(
    store: &S,
    participant: &str,
    suspend: bool,
) -> Result<String, String> {
    let eui = parse_eui(participant)?;
    let action = if suspend {
        PmaAction::Suspend { participant: eui }
    } else {
        PmaAction::Unsuspend { participant: eui }
    };
    store
        .smki_transaction(|tx| pma::perform(tx, &action, now_ms()))
        .map_err(|e| e.to_string())?;
    Ok(format!("PMA {action}"))
}

fn fresh() -> Result<Fresh, smki::SmkiError> {
    Ok(Fresh {
        key: smki::KeyPair::generate_with_os_rng()?,
        serial: smki::Serial::random_with_os_rng()?,
    })
}

fn describe(p: &Published, path: &Path) -> String {
    format!(
        "published {} #{} ({} revoked certificate(s) listed, {} newly refused by the gateway) to {}",
        p.list.kind,
        p.list.number,
        p.listed.len(),
        p.newly_refused.len(),
        path.display()
    )
}

/// Writes a published list to `DIR/smki/{crl,arl}.pem`.
fn write_list(dir: &Path, p: &Published) -> Result<PathBuf, String> {
    let path = dir
        .join("smki")
        .join(format!("{}.pem", p.list.kind.as_str()));
    let pem = smki::crl_to_pem(&p.list.der).map_err(|e| e.to_string())?;
    // Written beside and renamed, so a reader never sees half a list.
    let tmp = path.with_extension("pem.tmp");
    write_file(&tmp, pem.as_bytes())?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// After a roll-over: checkpoint the WAL so no page image of the old key remains, write the
/// new DCA certificate, destroy the world's copy of the old DCA key.
fn after_rollover<S: ServedStore>(
    dir: &Path,
    store: &S,
    old: &smki_service::CaRecord,
    new: &smki_service::CaRecord,
) -> Result<(), String> {
    if !store.purge_destroyed_keys()? {
        tracing::warn!(
            "WAL checkpoint incomplete (a reader was active); it completes on the next one"
        );
    }
    let pem = smki::cert_to_pem(&new.cert_der).map_err(|e| e.to_string())?;
    write_file(&dir.join("smki").join("dca.pem"), pem.as_bytes())?;
    let key_file = dir.join("pki").join("private").join("device-issuing.key");
    if let Ok(text) = std::fs::read_to_string(&key_file)
        && let Ok(k) = smki::KeyPair::from_pkcs8_pem(&text)
    {
        let old = smki_service::CertRecord::authority(
            &old.cert_der,
            smki_service::CertKind::Authority,
            ENV,
            0,
        )
        .map_err(|e| e.to_string())?;
        if k.public_key().to_sec1_uncompressed()[..] == old.public_key[..] {
            destroy_file(&key_file)?;
        }
    }
    Ok(())
}

/// Overwrites a file with zeros, syncs it, and removes it.
fn destroy_file(path: &Path) -> Result<(), String> {
    use std::io::Write;
    let e = |e: std::io::Error| format!("destroying {}: {e}", path.display());
    let len = std::fs::metadata(path).map_err(e)?.len();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(e)?;
    f.write_all(&vec![0u8; usize::try_from(len).unwrap_or(0)])
        .map_err(e)?;
    f.sync_all().map_err(e)?;
    drop(f);
    std::fs::remove_file(path).map_err(e)
}

/// One pass of the worker at `now`: publishes whatever list is due, rolls the DCA over if due.
pub fn tick<S: ServedStore>(dir: &Path, store: &S, now_ms: i64) -> Result<Vec<String>, String> {
    let due = store
        .smki_transaction(|tx: &mut dyn SmkiTx| schedule::due(tx, ENV, now_ms))
        .map_err(|e| e.to_string())?;
    let mut did = Vec::new();
    for (kind, d) in [(ListKind::Crl, &due.crl), (ListKind::Arl, &due.arl)] {
        if d.is_some() {
            let p = store
                .smki_transaction(|tx| {
                    publication::publish(tx, kind, ENV, now_ms, smki_service::audit::ACTOR_DCC)
                })
                .map_err(|e| e.to_string())?;
            let path = write_list(dir, &p)?;
            did.push(describe(&p, &path));
        }
    }
    if let Some((_, reason)) = due.rollover {
        let fresh = fresh().map_err(|e| e.to_string())?;
        let r = store
            .smki_transaction(|tx| rollover::roll_over(tx, ENV, now_ms, reason, fresh))
            .map_err(|e| e.to_string())?;
        after_rollover(dir, store, &r.old, &r.new)?;
        did.push(format!(
            "rolled the DCA over ({reason}): #{} -> #{}",
            r.old.id, r.new.id
        ));
    }
    if let Some(d) = finish_issuance_rollover(dir, store)? {
        did.push(d);
    }
    Ok(did)
}

/// Issuance rolls the DCA over itself when the next certificate would pass a limit (in the
/// issuing transaction, so no certificate is ever issued past one); what lies outside the
/// database is finished here, on the worker's next pass: the WAL checkpoint, `smki/dca.pem`,
/// and the world's copy of the old key, destroyed. Nothing to do (`None`) unless the world's
/// key file still holds the key of a DCA whose key the database has destroyed.
fn finish_issuance_rollover<S: ServedStore>(
    dir: &Path,
    store: &S,
) -> Result<Option<String>, String> {
    let key_file = dir.join("pki").join("private").join("device-issuing.key");
    let Ok(text) = std::fs::read_to_string(&key_file) else {
        return Ok(None);
    };
    let Ok(key) = smki::KeyPair::from_pkcs8_pem(&text) else {
        return Ok(None);
    };
    let public = key.public_key().to_sec1_uncompressed();
    let cas = store
        .smki_transaction(|tx: &mut dyn SmkiTx| tx.cas(smki::CaKind::Dca, ENV))
        .map_err(|e| e.to_string())?;
    let destroyed = cas.iter().find(|c| {
        c.destroyed_at.is_some()
            && smki_service::CertRecord::authority(
                &c.cert_der,
                smki_service::CertKind::Authority,
                ENV,
                0,
            )
            .is_ok_and(|r| r.public_key[..] == public[..])
    });
    let (Some(old), Some(new)) = (destroyed, cas.iter().rev().find(|c| c.is_current())) else {
        return Ok(None);
    };
    after_rollover(dir, store, old, new)?;
    Ok(Some(format!(
        "finished the roll-over of DCA #{} (made while issuing): its key file destroyed",
        old.id
    )))
}

/// The worker's first pass, before the demo serves: whatever is due now is done now.
/// A failure is logged, not fatal: the gateway serves without it, and the worker retries.
pub fn startup<S: ServedStore, C: Clock>(dir: &Path, store: &S, clock: &C) {
    match tick(dir, store, ms_of(clock.now())) {
        Ok(did) => {
            for d in did {
                tracing::info!(what = %d, "SMKI");
            }
        }
        Err(e) => tracing::warn!(error = %e, "SMKI worker"),
    }
}

/// The demo's SMKI worker: every `period` (after the first, [`startup`]'s), [`tick`] at the
/// clock's time.
pub async fn run_worker<S: ServedStore, C: Clock>(
    dir: PathBuf,
    store: Arc<S>,
    clock: Arc<C>,
    period: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The immediate first tick: `startup` has done it.
    interval.tick().await;
    loop {
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = interval.tick() => {
                let (dir, store, now) = (dir.clone(), store.clone(), ms_of(clock.now()));
                match tokio::task::spawn_blocking(move || tick(&dir, &*store, now)).await {
                    Ok(Ok(did)) => {
                        for d in did {
                            tracing::info!(what = %d, "SMKI");
                        }
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "SMKI worker"),
                    Err(e) => tracing::warn!(error = %e, "SMKI worker task"),
                }
            }
        }
        if *shutdown.borrow() {
            break;
        }
    }
}
