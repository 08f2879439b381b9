//! Time passing at the devices: emulated devices that hold future-dated instructions
//! (`devices::future`) execute them when their time comes, and the outcome alerts (8F66/8F67)
//! they raise reach the DCC as hub reports, through the same path as any device alert.
//!
//! [`EmulatedWan::reports`] (the core's `DeviceNetwork::hub_reports`, called by the real-time
//! runner in `server::dispatch` when the hint below says an instruction is due and on its
//! safety tick, and by the test harness at each simulated due time) ticks every device whose time has come, in the caller's transaction: the device's new
//! state and the DCC's routing of its alerts commit together, so each instruction is executed
//! and reported exactly once, a crash before the commit leaving it held.
//!
//! Scanning every device's state on each look would cost a read per device; the WAN keeps a
//! hint of the earliest held instruction instead ([`Hint`], which the runner sleeps until,
//! `DeviceNetwork::next_report_at`):
//! unknown after a start (one scan), lowered whenever a delivered command leaves an instruction
//! held, and set after each scan. A scan that executed something leaves it unknown, so that the
//! next poll scans again: if the transaction was rolled back the instruction is found again.

use std::sync::Mutex;

use dcc::DccError;
use dcc::dispatch::HubReport;
use dcc::error::InternalError;
use time::OffsetDateTime;

use crate::emulated::utc;
use crate::{EmulatedWan, WanTx};

/// The earliest time (unix ms) a device holds an instruction for, as far as the WAN knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Not known: scan.
    Unknown,
    /// No device holds any.
    Nothing,
    /// The earliest is due then.
    At(i64),
}

/// The hint, shared by the WAN's workers.
#[derive(Debug)]
pub(crate) struct ActionHint(Mutex<Hint>);

impl Default for ActionHint {
    fn default() -> Self {
        Self(Mutex::new(Hint::Unknown))
    }
}

impl ActionHint {
    fn get(&self) -> Hint {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set(&self, h: Hint) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = h;
    }

    /// A device holds an instruction due at `at_ms`.
    fn lower(&self, at_ms: i64) {
        let mut h = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *h = match *h {
            Hint::Unknown => Hint::Unknown,
            Hint::Nothing => Hint::At(at_ms),
            Hint::At(t) => Hint::At(t.min(at_ms)),
        };
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> DccError {
    InternalError::Storage(format!("{what}: {e}")).into()
}

/// When the earliest instruction any device in the inventory holds falls due (unix ms), read
/// from the stored states (for a driver on a simulated clock that needs to know when to look
/// again, such as the test harness).
pub fn next_device_action_ms(tx: &mut (impl WanTx + ?Sized)) -> Result<Option<i64>, DccError> {
    let mut next: Option<i64> = None;
    // A device with no stored state holds its installed state: no future-dated instruction.
    for id in tx.device_state_ids()? {
        if let Some(t) = crate::emulated::held_instructions_due_ms(tx, id)? {
            next = Some(next.map_or(t, |n| n.min(t)));
        }
    }
    Ok(next)
}

impl EmulatedWan {
    /// When a device's held instruction is next due (unix ms), as far as the hint knows:
    /// `i64::MIN` (look now) when it is unknown, `None` when no device holds one. Operator
    /// events (`wan event`) are not foreseen.
    pub(crate) fn next_action_hint(&self) -> Option<i64> {
        match self.hint.get() {
            Hint::Unknown => Some(i64::MIN),
            Hint::Nothing => None,
            Hint::At(t) => Some(t),
        }
    }

    /// Forgets the hint, so that the next look scans every device (after hub events, which may
    /// leave a device holding an instruction).
    pub(crate) fn forget_next_action(&self) {
        self.hint.set(Hint::Unknown);
    }

    /// After a command was delivered to a device: lowers the hint if the device now holds an
    /// instruction, due at `next_action` (unix ms).
    pub(crate) fn note_device(&self, next_action: Option<i64>) {
        if self.hint.get() == Hint::Unknown {
            return;
        }
        if let Some(t) = next_action {
            self.hint.lower(t);
        }
    }

    /// Ticks every emulated device whose held instruction is due at `now`; returns the alerts
    /// they raised as hub reports.
    pub(crate) fn tick_devices(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        let now_ms = dcc::gateway::unix_ms(now);
        match self.hint.get() {
            Hint::Nothing => return Ok(Vec::new()),
            Hint::At(t) if now_ms < t => return Ok(Vec::new()),
            _ => {}
        }
        let at = utc(now)?;
        let mut reports = Vec::new();
        let mut next: Option<i64> = None;
        let mut executed = false;
        // A device with no stored state holds its installed state: no future-dated instruction.
        for id in tx.device_state_ids()? {
            if !self.devices.knows(id) {
                continue;
            }
            let Some(due) = crate::emulated::held_instructions_due_ms(tx, id)? else {
                continue;
            };
            if due > now_ms {
                next = Some(next.map_or(due, |n| n.min(due)));
                continue;
            }
            let mut loaded = self.devices.load(tx, id)?;
            let dev = &mut loaded.dev;
            let alerts = dev
                .tick(at)
                .map_err(|e| internal("device future-dated action", e))?;
            crate::emulated::EmulatedDevices::save(tx, &loaded)?;
            executed = true;
            reports.extend(
                alerts
                    .into_iter()
                    .map(|frame| HubReport::DeviceAlert { device: id, frame }),
            );
            if let Some(t) = loaded.dev.next_future_action_at() {
                let t = t.saturating_mul(1000);
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        }
        self.hint.set(match (executed, next) {
            (true, _) => Hint::Unknown,
            (false, Some(t)) => Hint::At(t),
            (false, None) => Hint::Nothing,
        });
        Ok(reports)
    }
}
