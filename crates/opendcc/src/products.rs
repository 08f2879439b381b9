//! `opendcc cpl …`: the operators' and SEC Parties' tools for the Certified Products List and
//! the Deployed Products List (`cpl`, `dcc::products`), and the lists' published forms (JSON,
//! CSV) that the publication endpoint serves.
//!
//! Every change names who makes it (`--as PARTY`: a user's name or EUI-64, or `DCC`), so the
//! CPL's rules on who may change what apply; a refusal is an error and changes nothing.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use cpl::{
    Certificate, CertificateKind, Cpl, DeviceModel, ModelKey, NewModel, Party, StatusChange,
};
use dcc::products;
use dcc::store::Store;
use time::OffsetDateTime;

use crate::config::DccArg;

#[derive(Subcommand)]
pub enum CplCmd {
    /// Add a device model with its certificates and firmware versions (any SEC Party).
    Add {
        #[command(flatten)]
        dcc: DccArg,
        #[command(flatten)]
        who: AsParty,
        /// ESME, GSME, CHF, GPF, PPMID, HCALCS, IHD or Type1.
        #[arg(long = "type", value_name = "TYPE")]
        product_type: String,
        #[arg(long)]
        manufacturer: String,
        #[arg(long)]
        model: String,
        #[arg(long = "hardware", value_name = "VERSION")]
        hardware_version: String,
        /// KIND:REFERENCE:ISSUED:EXPIRES (KIND zigbee, dlms or cpa; dates YYYY-MM-DD),
        /// repeated for each certificate the type needs.
        #[arg(long = "cert", value_name = "KIND:REF:ISSUED:EXPIRES")]
        certificates: Vec<String>,
        /// VERSION:SHA256 (64 hex digits, the manufacturer's hash of image and identifier),
        /// or VERSION@FILE to hash the image FILE with VERSION as the identifier; repeatable.
        #[arg(long = "firmware", value_name = "VERSION:HASH")]
        firmware: Vec<String>,
    },
    /// Add a firmware version to a listed model (suppliers; the DCC for hubs).
    AddFirmware {
        #[command(flatten)]
        dcc: DccArg,
        #[command(flatten)]
        who: AsParty,
        /// The entry: TYPE/MANUFACTURER/MODEL/HARDWARE.
        #[arg(long)]
        entry: String,
        /// VERSION:SHA256 or VERSION@FILE.
        #[arg(long = "firmware", value_name = "VERSION:HASH")]
        firmware: String,
    },
    /// Add a hardware version of a listed model under its CPA certificate (suppliers; the DCC
    /// for hubs).
    AddHardware {
        #[command(flatten)]
        dcc: DccArg,
        #[command(flatten)]
        who: AsParty,
        /// The listed entry: TYPE/MANUFACTURER/MODEL/HARDWARE.
        #[arg(long)]
        entry: String,
        #[arg(long = "hardware", value_name = "VERSION")]
        hardware_version: String,
        #[arg(long = "firmware", value_name = "VERSION:HASH")]
        firmware: Vec<String>,
    },
    /// A supplier's notice of a change in certification status: a renewed CPA certificate,
    /// or the certification withdrawn.
    Status {
        #[command(flatten)]
        dcc: DccArg,
        #[command(flatten)]
        who: AsParty,
        #[arg(long)]
        entry: String,
        /// The new CPA certificate: cpa:REFERENCE:ISSUED:EXPIRES.
        #[arg(
            long,
            value_name = "cpa:REF:ISSUED:EXPIRES",
            conflicts_with = "withdraw"
        )]
        renew: Option<String>,
        /// Withdraw the certification, for this reason.
        #[arg(long, value_name = "REASON")]
        withdraw: Option<String>,
    },
    /// List the CPL's entries.
    List {
        #[command(flatten)]
        dcc: DccArg,
        /// As JSON (the published form).
        #[arg(long)]
        json: bool,
    },
    /// Show one entry, its certificates and firmware versions.
    Show {
        #[command(flatten)]
        dcc: DccArg,
        #[arg(long)]
        entry: String,
    },
    /// Take the entries whose CPA certificate has expired off the CPL: their devices and
    /// dependants are Suspended, their suppliers and network operators told.
    Expire {
        #[command(flatten)]
        dcc: DccArg,
        /// As if on this day (YYYY-MM-DD), instead of today.
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
    },
    /// The Deployed Products List: every combination of models in enrolled systems.
    Dpl {
        #[command(flatten)]
        dcc: DccArg,
        #[arg(long)]
        json: bool,
    },
    /// The CPL notices a SEC Party received.
    Notices {
        #[command(flatten)]
        dcc: DccArg,
        /// The party: a user's name or EUI-64.
        #[arg(long)]
        party: String,
    },
}

#[derive(Args)]
pub struct AsParty {
    /// Who makes the change: a user's name or EUI-64 (a supplier if it holds a supplier role),
    /// or DCC.
    #[arg(long = "as", value_name = "PARTY")]
    pub party: String,
}

/// Runs `opendcc cpl …`.
pub fn run(cmd: CplCmd) -> Result<(), String> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        CplCmd::Add {
            dcc,
            who,
            product_type,
            manufacturer,
            model,
            hardware_version,
            certificates,
            firmware,
        } => {
            let key = ModelKey {
                product_type: product_type
                    .parse()
                    .map_err(|e: cpl::CplError| e.to_string())?,
                manufacturer,
                model,
                hardware_version,
            };
            let certificates = certificates
                .iter()
                .map(|c| parse_certificate(c))
                .collect::<Result<Vec<_>, _>>()?;
            let firmware = firmware
                .iter()
                .map(|f| parse_firmware(f))
                .collect::<Result<Vec<_>, _>>()?;
            let new = NewModel {
                key,
                certificates,
                firmware,
            };
            change(&dcc, &who.party, now, move |cpl, by, at| {
                cpl.add_model(by, new, at)
            })
        }
        CplCmd::AddFirmware {
            dcc,
            who,
            entry,
            firmware,
        } => {
            let key = parse_key(&entry)?;
            let (version, hash) = parse_firmware(&firmware)?;
            change(&dcc, &who.party, now, move |cpl, by, at| {
                cpl.add_firmware(by, &key, &version, hash, at)
            })
        }
        CplCmd::AddHardware {
            dcc,
            who,
            entry,
            hardware_version,
            firmware,
        } => {
            let key = parse_key(&entry)?;
            let firmware = firmware
                .iter()
                .map(|f| parse_firmware(f))
                .collect::<Result<Vec<_>, _>>()?;
            change(&dcc, &who.party, now, move |cpl, by, at| {
                cpl.add_hardware_version(by, &key, &hardware_version, &firmware, at)
            })
        }
        CplCmd::Status {
            dcc,
            who,
            entry,
            renew,
            withdraw,
        } => {
            let key = parse_key(&entry)?;
            let status = match (renew, withdraw) {
                (Some(c), None) => StatusChange::Renewed(parse_certificate(&c)?),
                (None, Some(reason)) => StatusChange::Withdrawn { reason },
                _ => return Err("give --renew cpa:REF:ISSUED:EXPIRES or --withdraw REASON".into()),
            };
            change(&dcc, &who.party, now, move |cpl, by, at| {
                cpl.change_status(by, &key, status, at)
            })
        }
        CplCmd::List { dcc, json } => {
            let models = read(&dcc, |tx| products::entries(tx))?;
            if json {
                crate::out(&cpl_json(&models)?)
            } else {
                crate::out(&format!("{} entr(ies) on the CPL", models.len()))?;
                for m in &models {
                    crate::out(&summary(m))?;
                }
                Ok(())
            }
        }
        CplCmd::Show { dcc, entry } => {
            let key = parse_key(&entry)?;
            let cpl = Cpl::from_models(read(&dcc, |tx| products::entries(tx))?);
            let m = cpl
                .get(&key)
                .ok_or_else(|| format!("{key} is not on the CPL"))?;
            crate::out(&details(m))
        }
        CplCmd::Expire { dcc, at } => {
            let at = match at {
                Some(d) => cpl::parse_date(&d)
                    .map_err(|e| format!("--at {d}: {e} (YYYY-MM-DD)"))?
                    .midnight()
                    .assume_utc(),
                None => now,
            };
            let operator = dcc.operator()?;
            let world = operator.world()?;
            let scheduler = dcc::schedule::Scheduler::new(
                std::sync::Arc::new(world.xml_signer()?),
                std::sync::Arc::new(world.dcc_crypto()?),
                crate::world::DCC_EUI,
                0,
            );
            let out = crate::on_store!(&operator.store, |store| store
                .transaction(|tx| products::expire(tx, at, Some(&scheduler)))
                .map_err(|e| e.to_string()))?;
            for k in &out.expired {
                crate::out(&format!("{k}: expired, off the CPL"))?;
            }
            for d in &out.suspended {
                crate::out(&format!("{d}: Suspended"))?;
            }
            crate::out(&format!(
                "{} entr(ies) expired, {} device(s) suspended, {} notice(s) to suppliers and network operators, {} DCC schedule(s) withdrawn",
                out.expired.len(),
                out.suspended.len(),
                out.informed.len(),
                out.withdrawn_schedules.len()
            ))
        }
        CplCmd::Dpl { dcc, json } => {
            let dpl = read(&dcc, |tx| products::deployed(tx))?;
            if json {
                crate::out(&dpl_json(&dpl)?)
            } else {
                crate::out(&dpl_csv(&dpl))
            }
        }
        CplCmd::Notices { dcc, party } => {
            let notices = crate::on_store!(&dcc.store()?, |store| store
                .transaction(|tx| {
                    let user = match party.parse::<eui::Eui64>() {
                        Ok(eui) => tx.user(eui)?,
                        Err(_) => tx.user_by_name(&party)?,
                    };
                    match user {
                        Some(u) => Ok(Ok(tx.cpl_notices(u.eui)?)),
                        None => Ok(Err(format!("no user {party}"))),
                    }
                })
                .map_err(|e| e.to_string()))??;
            for n in &notices {
                crate::out(&format!("{} {} by {}: {}", n.at, n.model, n.by, n.change))?;
            }
            crate::out(&format!("{} notice(s)", notices.len()))
        }
    }
}

fn read<T>(
    dcc: &DccArg,
    f: impl FnOnce(&mut dyn dcc::store::Tx) -> Result<T, dcc::DccError>,
) -> Result<T, String> {
    crate::on_store!(&dcc.store()?, |store| store
        .read(f)
        .map_err(|e| e.to_string()))
}

/// One change made as `who`; refused (nothing written) with the rule's error.
fn change(
    dcc: &DccArg,
    who: &str,
    now: OffsetDateTime,
    f: impl FnOnce(&mut Cpl, &Party, i64) -> Result<cpl::Notice, cpl::CplError>,
) -> Result<(), String> {
    let at = now.unix_timestamp();
    let outcome = crate::on_store!(&dcc.store()?, |store| store
        .transaction(|tx| {
            let Some(by) = products::party_of(tx, who)? else {
                return Ok(Err(format!(
                    "--as {who}: no such user (a user's name or EUI-64, or DCC)"
                )));
            };
            let users = tx.users()?.len();
            let r = products::change(tx, |cpl| {
                let n = f(cpl, &by, at)?;
                Ok((n.clone(), vec![n]))
            })?;
            Ok(r.map(|n| (n, users)).map_err(|e| format!("refused: {e}")))
        })
        .map_err(|e| e.to_string()))??;
    let (n, users) = outcome;
    crate::out(&format!(
        "{}: {} (by {}); notified to {users} SEC part(ies)",
        n.model, n.change, n.by
    ))
}

fn parse_key(s: &str) -> Result<ModelKey, String> {
    ModelKey::parse(s).map_err(|e| format!("--entry: {e}"))
}

/// `KIND:REFERENCE:ISSUED:EXPIRES`.
pub fn parse_certificate(s: &str) -> Result<Certificate, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let [kind, reference, issued, expires] = parts[..] else {
        return Err(format!(
            "--cert {s:?}: KIND:REFERENCE:ISSUED:EXPIRES (KIND zigbee, dlms or cpa; dates YYYY-MM-DD)"
        ));
    };
    let date = |d: &str| cpl::parse_date(d).map_err(|e| format!("--cert {s:?}: date {d:?}: {e}"));
    Ok(Certificate {
        kind: kind
            .parse::<CertificateKind>()
            .map_err(|e| format!("--cert {s:?}: {e}"))?,
        reference: reference.to_string(),
        issued: date(issued)?,
        expires: date(expires)?,
    })
}

/// `VERSION:SHA256` or `VERSION@FILE` (the file's image hashed with the version as the
/// firmware identifier).
pub fn parse_firmware(s: &str) -> Result<(String, [u8; 32]), String> {
    if let Some((version, file)) = s.split_once('@') {
        let path = PathBuf::from(file);
        let image = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok((
            version.to_string(),
            cpl::firmware_hash(&image, version.as_bytes()),
        ));
    }
    let (version, hash) = s
        .split_once(':')
        .ok_or_else(|| format!("--firmware {s:?}: VERSION:SHA256 or VERSION@FILE"))?;
    Ok((
        version.to_string(),
        cpl::parse_hash(hash).map_err(|e| format!("--firmware {s:?}: {e}"))?,
    ))
}

fn summary(m: &DeviceModel) -> String {
    let expires = m
        .cpa_expires()
        .map(|d| format!(", CPA until {d}"))
        .unwrap_or_default();
    let firmware: Vec<&str> = m.firmware.iter().map(|f| f.version.as_str()).collect();
    format!(
        "{}: {}{expires}, firmware {}",
        m.key,
        m.status,
        if firmware.is_empty() {
            "none".to_string()
        } else {
            firmware.join(", ")
        }
    )
}

fn details(m: &DeviceModel) -> String {
    let mut out = vec![summary(m)];
    out.push(format!("  added by {} at {}", m.added_by, m.added_at));
    if let Some(c) = &m.cites_cpa {
        out.push(format!("  listed under the original CPA certificate {c}"));
    }
    if let Some(r) = &m.status_reason {
        out.push(format!("  status: {r}"));
    }
    for c in &m.certificates {
        out.push(format!(
            "  {} certificate {}: {} to {}",
            c.kind, c.reference, c.issued, c.expires
        ));
    }
    for f in &m.firmware {
        out.push(format!(
            "  firmware {} sha256 {} (added by {}{})",
            f.version,
            hex::encode(f.hash),
            f.added_by,
            f.cites_cpa
                .as_deref()
                .map(|c| format!(", under CPA {c}"))
                .unwrap_or_default()
        ));
    }
    out.join("\n")
}

pub use cpl::publish::{cpl_csv, cpl_json, dpl_csv, dpl_json};
