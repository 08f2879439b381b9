//! `opendcc dbch report` and `opendcc dbch reconfigure`: the DCC's duty to keep dual-band
//! Communications Hubs on the current DBCH Configuration Tables (`dcc::dbch_tables`).
//!
//! The report lists every dual-band hub in the inventory whose sub-GHz configuration is not its
//! CSP region's current table (the region is its premises'); the configuration is the one the
//! hub holds, read from the emulated devices' own state (as `smki recovery start` finds the
//! devices holding an anchor), in place of a DBCH03 survey over the WAN. Reconfiguring queues,
//! for each hub reported, the DCC's own DBCH04 (the ACB originates it, on its own behalf) with
//! the region's current table, as WAN jobs of kind `DBCH-RECONFIGURE` that the DCC's WAN worker
//! delivers; a hub that accepts it is no longer reported.

use dcc::catalogue::DccCrypto;
use dcc::dbch_tables;
use dcc::model::{CspRegion, DeviceType};
use dcc::store::{JobKind, StoreError, WanJob};
use eui::Eui64;
use gbcs::usecases::{CommandHeader, dbch04_set_sub_ghz_configuration};
use time::OffsetDateTime;

use crate::backend::ServedStore;
use crate::config::OperatorDcc;

/// How long the DCC keeps trying a reconfiguration.
const DEADLINE_MS: i64 = 24 * 3600 * 1000;

/// A dual-band hub not on its region's current table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behind {
    /// The hub (its CHF).
    pub hub: Eui64,
    /// Its premises' CSP region.
    pub region: CspRegion,
    /// The tables' version whose table it holds, if any (`None`: a configuration from no
    /// table, such as the manufacturer's).
    pub version: Option<u32>,
}

fn store_err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// The dual-band hubs not on the current table.
pub fn report_on<S>(store: &S) -> Result<Vec<Behind>, String>
where
    S: ServedStore,
    for<'t> S::Tx<'t>: wan::EmulatorTx,
{
    let tables = dbch_tables::compiled()?;
    store
        .transaction_in(|tx| {
            use dcc::store::InventoryTx as _;
            let mut out = Vec::new();
            for d in tx.devices()? {
                if d.device_type != DeviceType::Chf {
                    continue;
                }
                let Some(uprn) = d.uprn.as_deref() else {
                    continue;
                };
                let Some(p) = tx.premises(uprn)? else {
                    continue;
                };
                let Some(current) = tables.current().for_region(p.region) else {
                    continue;
                };
                let Ok(Some(state)) = wan::emulated::stored_state(tx, d.id) else {
                    continue;
                };
                let s = &state.config.sub_ghz;
                if !s.dual_band {
                    continue;
                }
                let held = s.configuration();
                if held != *current {
                    out.push(Behind {
                        hub: d.id,
                        region: p.region,
                        version: tables.version_of(&held).map(|(v, _)| v),
                    });
                }
            }
            Ok(out)
        })
        .map_err(|e| e.to_string())
}

/// Queues the DCC's DBCH04 for every hub [`report_on`] lists; returns them.
pub fn reconfigure_on<S>(
    store: &S,
    dcc: &DccCrypto,
    now: OffsetDateTime,
) -> Result<Vec<Behind>, String>
where
    S: ServedStore,
    for<'t> S::Tx<'t>: wan::EmulatorTx,
{
    let tables = dbch_tables::compiled()?;
    let behind = report_on(store)?;
    let now_ms = dcc::gateway::unix_ms(now);
    store
        .transaction(|tx| {
            for b in &behind {
                let table = tables
                    .current()
                    .for_region(b.region)
                    .ok_or_else(|| store_err("no table for the region"))?;
                let counter = tx.next_dcc_counter(dcc.acb)?;
                let h = CommandHeader::on_behalf_of(dcc.acb, b.hub, counter, dcc.acb, counter);
                let cmd = dbch04_set_sub_ghz_configuration(&h, table).map_err(store_err)?;
                let ka = tx
                    .device_cert(b.hub, "ka")?
                    .ok_or_else(|| store_err(format!("{}: no KA certificate", b.hub)))?;
                let ka = gbcs::PublicKey::from_certificate_der(&ka).map_err(store_err)?;
                let command = dcc::catalogue::protect(cmd, dcc, &ka).map_err(store_err)?;
                tx.enqueue_wan(&WanJob {
                    id: 0,
                    originator: dcc.acb,
                    counter,
                    target: b.hub,
                    chf: b.hub,
                    kind: JobKind::DbchReconfigure,
                    command,
                    attempts: 0,
                    due_at: now_ms,
                    deadline_at: now_ms.saturating_add(DEADLINE_MS),
                })?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    Ok(behind)
}

fn line(b: &Behind) -> String {
    let on = b
        .version
        .map_or("a configuration from no table".to_string(), |v| {
            format!("table version {v}")
        });
    format!(
        "{}: {} region, on {on}",
        b.hub,
        dbch_tables::region_name(b.region)
    )
}

/// `opendcc dbch report`.
pub fn report(dcc: &OperatorDcc) -> Result<(), String> {
    dcc.world()?;
    let behind = crate::on_store!(&dcc.store, |store| report_on(store))?;
    let version = dbch_tables::compiled()?.current().version;
    crate::out(&format!(
        "{} dual-band hub(s) not on the current DBCH Configuration Tables (version {version})",
        behind.len()
    ))?;
    for b in &behind {
        crate::out(&line(b))?;
    }
    Ok(())
}

/// `opendcc dbch reconfigure`.
pub fn reconfigure(dcc: &OperatorDcc) -> Result<(), String> {
    let world = dcc.world()?;
    let crypto = world.dcc_crypto()?;
    let now = OffsetDateTime::now_utc();
    let queued = crate::on_store!(&dcc.store, |store| reconfigure_on(store, &crypto, now))?;
    for b in &queued {
        crate::out(&format!("{} (DBCH04 queued)", line(b)))?;
    }
    crate::out(&format!("{} hub(s) to reconfigure", queued.len()))
}
