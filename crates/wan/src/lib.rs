//! The emulated SM WAN: three CSP regions (North, Central, South) carrying protected GBCS
//! commands to emulated Communications Hubs and the devices behind them.
//!
//! This crate is the far end only: per-region latency, the faults an operator injects for a hub
//! (lost transmissions, extra delay, no WAN at all), out-of-band hub events (power outage and
//! restoration) and the emulated devices themselves ([`emulated`]). What the DCC does with a
//! transmission's outcome (retries, the deadline, `E20`/`E21`, failure answers, rendering,
//! signing, the outbox, who gets which alert) is the core's: `dcc::dispatch`, whose `Driver`
//! calls [`EmulatedWan`] through `dcc::dispatch::DeviceNetwork`.
//!
//! The emulation keeps its own state (each device's state, compactly in parts written apart,
//! faults, queued hub events) through [`EmulatorTx`], implemented by the store's transaction type beside the core's traits: one
//! transaction carries a command to a device, persists the device's new state and records the
//! DCC's answer, so a crash leaves all of it or none.

use std::time::Duration;

use dcc::DccError;
use dcc::dispatch::{DeviceNetwork, HubReport, Prepared, Transmission};
use dcc::model::CspRegion;
use dcc::store::{Store, Tx, WanJob};
use eui::Eui64;
use time::OffsetDateTime;

pub mod emulated;
// future dating: devices executing held instructions as time passes
pub mod future;

use emulated::EmulatedDevices;

/// A failure of the emulation's storage is a failure of the store.
pub use dcc::store::StoreError;

/// A fault injected on the SM WAN path to one Communications Hub (emulation control).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WanFault {
    /// The next `n` transmissions to the hub are lost.
    Drop(u32),
    /// Every transmission to the hub takes this much longer (milliseconds).
    Delay(u32),
    /// The hub has no WAN connection: nothing reaches it.
    NoWan,
}

impl WanFault {
    pub fn to_parts(self) -> (&'static str, i64) {
        match self {
            Self::Drop(n) => ("drop", i64::from(n)),
            Self::Delay(ms) => ("delay", i64::from(ms)),
            Self::NoWan => ("no-wan", 0),
        }
    }

    pub fn from_parts(mode: &str, param: i64) -> Option<Self> {
        let p = u32::try_from(param).ok()?;
        match mode {
            "drop" => Some(Self::Drop(p)),
            "delay" => Some(Self::Delay(p)),
            "no-wan" => Some(Self::NoWan),
            _ => None,
        }
    }
}

/// An emulated device's state as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredDeviceState {
    /// The compact form (`devices::stored`): the body and the counters; the event log is read
    /// apart ([`EmulatorTx::device_events`]).
    Compact { body: Vec<u8>, counters: Vec<u8> },
    /// The whole state as JSON, as stored before the compact form (until its next write).
    Json(String),
}

/// What changed of an emulated device's state, to write (`devices::stored` encodings).
#[derive(Debug, Clone, Copy)]
pub struct DeviceStateWrite<'a> {
    /// The new body, if it changed (required when the device has no compact state yet).
    pub body: Option<&'a [u8]>,
    /// The new counters, if they changed (required when the device has no compact state yet).
    pub counters: Option<&'a [u8]>,
    /// Events to append, oldest first, each with the number of the log it goes to (a device
    /// keeps several logs apart: `devices::LogKind::id`).
    pub events: &'a [(u8, Vec<u8>)],
    /// How many of the newest events each log keeps.
    pub keep_events: usize,
    /// Whether `events` replace every stored event of the device (a device that cleared one of
    /// its logs: the events of its other logs are written again with the new ones), in the same
    /// transaction, rather than being appended.
    pub replace_events: bool,
}

/// The emulation's state, kept by the store in the same transaction as the DCC's records.
pub trait EmulatorTx {
    /// An emulated device's persistent state, if it has any.
    fn device_state(&mut self, id: Eui64) -> Result<Option<StoredDeviceState>, StoreError>;
    /// The events of a device's compact event log, oldest first.
    fn device_events(&mut self, id: Eui64) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Writes what changed of a device's state in the compact form (dropping any JSON row).
    fn write_device_state(
        &mut self,
        id: Eui64,
        write: &DeviceStateWrite<'_>,
    ) -> Result<(), StoreError>;
    /// The devices that have a stored state (those a command or event has changed), by EUI.
    fn device_state_ids(&mut self) -> Result<Vec<Eui64>, StoreError>;

    fn wan_fault(&mut self, chf: Eui64) -> Result<Option<WanFault>, StoreError>;
    fn set_wan_fault(&mut self, chf: Eui64, fault: Option<WanFault>) -> Result<(), StoreError>;
    /// Queues an out-of-band event at a hub (e.g. `power-outage`) for the WAN emulation.
    fn push_wan_event(&mut self, chf: Eui64, kind: &str, at_ms: i64) -> Result<i64, StoreError>;
    /// Takes the queued events (each is returned once).
    fn take_wan_events(&mut self, limit: usize) -> Result<Vec<(i64, Eui64, String)>, StoreError>;
}

/// A transaction with both the core's records and the emulation's state.
pub trait WanTx: Tx + EmulatorTx {}

impl<T: Tx + EmulatorTx + ?Sized> WanTx for T {}

/// What [`EmulatedWan::prepare_carry`] read and worked out.
struct Carried {
    target: Eui64,
    command: Vec<u8>,
    /// The hub's fault as read.
    fault: Option<WanFault>,
    /// The device's stored state as read (`None`: it had none, and was as installed).
    before: Option<StoredDeviceState>,
    /// What the device's handling changed of its state.
    changes: emulated::Changes,
    /// When the device's earliest held instruction is due afterwards.
    next_action: Option<i64>,
}

/// Latency per CSP region.
#[derive(Debug, Clone, Copy)]
pub struct WanConfig {
    /// Round-trip time to a hub in each region (North, Central, South), milliseconds.
    pub latency_ms: [u64; 3],
}

impl Default for WanConfig {
    fn default() -> Self {
        Self {
            latency_ms: [40, 25, 30],
        }
    }
}

/// The emulated SM WAN: regions, faults, hub events and the devices behind the hubs.
pub struct EmulatedWan {
    devices: EmulatedDevices,
    config: WanConfig,
    /// When a device's held future-dated instruction is next due (see [`future`]).
    hint: future::ActionHint,
}

impl EmulatedWan {
    pub fn new(devices: EmulatedDevices, config: WanConfig) -> Self {
        Self {
            devices,
            config,
            hint: future::ActionHint::default(),
        }
    }

    pub fn devices(&self) -> &EmulatedDevices {
        &self.devices
    }

    /// The region a hub is in (its premises'), for latency.
    fn region(tx: &mut (impl WanTx + ?Sized), chf: Eui64) -> Result<CspRegion, DccError> {
        let uprn = tx.device(chf)?.and_then(|d| d.uprn);
        Ok(match uprn {
            Some(u) => tx.premises(&u)?.map_or(CspRegion::Central, |p| p.region),
            None => CspRegion::Central,
        })
    }

    fn latency(&self, region: CspRegion) -> Duration {
        let i = match region {
            CspRegion::North | CspRegion::North4G => 0,
            CspRegion::South | CspRegion::South4G => 2,
            _ => 1,
        };
        Duration::from_millis(self.config.latency_ms.get(i).copied().unwrap_or(0))
    }

    /// Region latency plus any injected delay.
    pub fn transit(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        chf: Eui64,
    ) -> Result<Duration, DccError> {
        let region = Self::region(tx, chf)?;
        let extra = match tx.wan_fault(chf)? {
            Some(WanFault::Delay(ms)) => Duration::from_millis(u64::from(ms)),
            _ => Duration::ZERO,
        };
        Ok(self.latency(region) + extra)
    }

    /// One transmission: faults first (a lost transmission uses up one of a `Drop` fault's
    /// count), then the device.
    pub fn carry(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        job: &WanJob,
        now: OffsetDateTime,
    ) -> Result<Transmission, DccError> {
        let fault = tx.wan_fault(job.chf)?;
        if fault == Some(WanFault::NoWan) || !self.devices.knows(job.target) {
            return Ok(Transmission::Unreachable);
        }
        if let Some(WanFault::Drop(n)) = fault
            && n > 0
        {
            let left = n - 1;
            tx.set_wan_fault(job.chf, (left > 0).then_some(WanFault::Drop(left)))?;
            return Ok(Transmission::Lost);
        }
        let (answer, next_action) =
            self.devices
                .deliver_noting(tx, job.target, &job.command, now)?;
        self.note_device(next_action);
        Ok(Transmission::Delivered(answer))
    }

    /// [`EmulatedWan::carry`] worked out from what `store` has committed, holding no writer:
    /// the fault and the device's stored state read, the device's handling of the command
    /// (its cryptography, the larger part of a transmission's work) done. `None` where there is
    /// nothing worth doing ahead (a fault that loses or blocks the transmission, a device not
    /// emulated). [`EmulatedWan::carry_prepared`] uses it if what it read is unchanged.
    pub fn prepare_carry<S>(
        &self,
        store: &S,
        job: &WanJob,
        now: OffsetDateTime,
    ) -> Result<Option<Prepared>, DccError>
    where
        S: Store,
        for<'t> S::Tx<'t>: EmulatorTx,
    {
        // A log read needs the stored events, a CS02e the device's certificates, read with the
        // writer's transaction: done there.
        if !self.devices.knows(job.target)
            || emulated::reads_event_log(&job.command)
            || emulated::reads_own_certificates(&job.command)
        {
            return Ok(None);
        }
        let (fault, before) =
            store.read_in(|tx| Ok((tx.wan_fault(job.chf)?, tx.device_state(job.target)?)))?;
        if matches!(fault, Some(WanFault::NoWan | WanFault::Drop(_))) {
            return Ok(None);
        }
        let mut loaded = self.devices.load_from(job.target, before.clone())?;
        let (answer, next_action) = EmulatedDevices::handle(&mut loaded, &job.command, now)?;
        Ok(Some(Prepared {
            outcome: Transmission::Delivered(answer),
            state: Box::new(Carried {
                target: job.target,
                command: job.command.clone(),
                fault,
                before,
                changes: loaded.changes()?,
                next_action,
            }),
        }))
    }

    /// [`EmulatedWan::carry`], given what [`EmulatedWan::prepare_carry`] worked out for this
    /// job at this `now`: if the hub's fault and the device's stored state are still what it
    /// read, its outcome, with the device's changes written; else carried afresh.
    pub fn carry_prepared(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        job: &WanJob,
        now: OffsetDateTime,
        prepared: Prepared,
    ) -> Result<Transmission, DccError> {
        let Ok(carried) = prepared.state.downcast::<Carried>() else {
            return self.carry(tx, job, now);
        };
        if carried.target != job.target
            || carried.command != job.command
            || tx.wan_fault(job.chf)? != carried.fault
            || tx.device_state(job.target)? != carried.before
        {
            return self.carry(tx, job, now);
        }
        emulated::apply(tx, job.target, &carried.changes)?;
        self.note_device(carried.next_action);
        Ok(prepared.outcome)
    }

    /// The hub events queued since the last call, as what the hubs report.
    pub fn reports(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        let mut out = Vec::new();
        let events = tx.take_wan_events(64)?;
        if !events.is_empty() {
            // An event may leave a device holding an instruction (a boost's end, the next
            // prepayment event after keypad credit) that the hint does not know of: look again.
            self.forget_next_action();
        }
        for (_, chf, kind) in events {
            out.extend(self.devices.event(tx, chf, &kind, now)?);
        }
        // Devices holding future-dated instructions whose time has come.
        out.extend(self.tick_devices(tx, now)?);
        Ok(out)
    }
}

impl<S> DeviceNetwork<S> for EmulatedWan
where
    S: Store,
    for<'t> S::Tx<'t>: EmulatorTx,
{
    fn transit_time(&self, tx: &mut S::Tx<'_>, job: &WanJob) -> Result<Duration, DccError> {
        self.transit(tx, job.chf)
    }

    fn transmit(
        &self,
        tx: &mut S::Tx<'_>,
        job: &WanJob,
        now: OffsetDateTime,
    ) -> Result<Transmission, DccError> {
        self.carry(tx, job, now)
    }

    fn prepare(
        &self,
        store: &S,
        job: &WanJob,
        now: OffsetDateTime,
    ) -> Result<Option<Prepared>, DccError> {
        self.prepare_carry(store, job, now)
    }

    fn transmit_prepared(
        &self,
        tx: &mut S::Tx<'_>,
        job: &WanJob,
        now: OffsetDateTime,
        prepared: Prepared,
    ) -> Result<Transmission, DccError> {
        self.carry_prepared(tx, job, now, prepared)
    }

    fn hub_reports(
        &self,
        tx: &mut S::Tx<'_>,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        self.reports(tx, now)
    }

    fn next_report_at(&self) -> Option<i64> {
        self.next_action_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_round_trip_through_their_stored_form() {
        for f in [WanFault::Drop(3), WanFault::Delay(250), WanFault::NoWan] {
            let (mode, param) = f.to_parts();
            assert_eq!(WanFault::from_parts(mode, param), Some(f));
        }
        assert_eq!(WanFault::from_parts("drop", -1), None);
        assert_eq!(WanFault::from_parts("jam", 1), None);
    }

    #[test]
    fn latency_follows_the_region() {
        let wan = EmulatedWan::new(
            EmulatedDevices::new(Vec::new()),
            WanConfig {
                latency_ms: [40, 25, 30],
            },
        );
        let ms = |r| wan.latency(r).as_millis();
        assert_eq!(ms(CspRegion::North), 40);
        assert_eq!(ms(CspRegion::North4G), 40);
        assert_eq!(ms(CspRegion::Central), 25);
        assert_eq!(ms(CspRegion::South), 30);
        assert_eq!(ms(CspRegion::South4G), 30);
    }
}
