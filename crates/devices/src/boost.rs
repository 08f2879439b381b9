//! The ESME's boost function: the consumer's boost button (`EmulatedDevice::press_boost_button`,
//! which the WAN emulation's `boost:` hub event, the harness and `opendcc device boost` call).
//!
//! * **Which controllers**: those the boost function is associated with when the button is
//!   pressed (DUIS 7.9 / 7.10, ECS62, [`crate::AuxControllers::boost`]); a press with none
//!   associated starts no boost ([`BoostPress::NoController`]). A change of association during a
//!   boost does not change the boost in force.
//! * **How long**: [`BoostState::period_minutes`], [`DEFAULT_BOOST_PERIOD_MINUTES`] by default.
//!   GBCS as the project has it (the ECS61c and ECS62 use cases, their RTDS 4.5.0 vectors) names
//!   no boost period object, and no DUIS 5.4 service sets one (the schema's only boost elements
//!   are 7.9, 7.10 and 7.11's), so the period is the emulation's, held in state. The default is
//!   four hours: the RTDS ECS61c response's boost log holds six boosts of 15 to 223 minutes,
//!   which a fixed period produces only if it is at least 223 minutes (the shorter ones ended by
//!   a second press); four hours is the first whole hour that long.
//! * **While in force** (device clock, `start <= t < end`): each controller the boost controls
//!   is on, its ECS61a output state on and its ECS61e output level 100, whatever its ECS47
//!   override, ECS47a commanded level or calendar says; a load controller's ECS47e APC limit
//!   still caps the level ECS61e shows. A later ECS47 or ECS47a for a controller wins: the boost
//!   stops controlling it ([`BoostState::release`]) and it follows that command. ECS61c reads the
//!   boost as in force.
//! * **A second press** during a boost ends it then (the consumer cancels it; a boost never
//!   restarts), logged with that end.
//! * **At its end** the controllers return to what their overrides, commanded levels and
//!   calendars say then (nothing is copied aside: the boost is a layer over
//!   [`crate::AuxLoads`]). The end is a held device event, [`crate::future::FutureAction::BoostEnd`]
//!   on the device clock, that the WAN emulation ticks at its time like a future-dated
//!   instruction (no outcome alert).
//! * **The boost function log** (ECS61c, `0-0:99.98.20.255`): each boost, once ended, as its start
//!   and end (device clock); the newest [`BOOST_LOG_CAPACITY`] kept. ECS61c answers the entries
//!   whose start lies in the read's period, oldest first. A boost is not an event-log entry (the
//!   boost function log is its record).
//! * A meter whose power is out does not answer its button ([`BoostPress::NoPower`]).

use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::future::FutureAction;

/// The boost period of a device whose state sets none, minutes (see the module's notes).
pub const DEFAULT_BOOST_PERIOD_MINUTES: u16 = 240;

/// How many ended boosts the boost function log keeps (the oldest are dropped first); as many as
/// each of the event logs ([`crate::EVENT_LOG_CAPACITY`]).
pub const BOOST_LOG_CAPACITY: usize = 100;

/// A boost in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Boost {
    /// When it started (device clock, unix seconds).
    pub start: i64,
    /// When it ends (device clock, unix seconds), exclusive.
    pub end: i64,
    /// The controllers it switches on: `controllers[n - 1]` for controller `n` (those associated
    /// at the press, less those a later ECS47 or ECS47a took back).
    pub controllers: [bool; 5],
}

/// One entry of the boost function log: a boost that ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BoostLogEntry {
    /// When it started (device clock, unix seconds).
    pub start: i64,
    /// When it ended (device clock, unix seconds).
    pub end: i64,
}

/// The ESME's boost function: its period, the boost in force and its log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BoostState {
    /// How long a boost lasts, minutes.
    pub period_minutes: u16,
    /// The boost started by the last press, until it ends.
    pub active: Option<Boost>,
    /// The boost function log, oldest first, at most [`BOOST_LOG_CAPACITY`].
    pub log: Vec<BoostLogEntry>,
}

impl Default for BoostState {
    fn default() -> Self {
        Self {
            period_minutes: DEFAULT_BOOST_PERIOD_MINUTES,
            active: None,
            log: Vec::new(),
        }
    }
}

/// What a press of the boost button did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BoostPress {
    /// A boost started; it ends then (device clock, unix seconds).
    Started {
        /// Its end.
        until: i64,
    },
    /// The boost in force ended (device clock, unix seconds).
    Ended {
        /// When.
        at: i64,
    },
    /// No controller is associated with the boost function: nothing happened.
    NoController,
    /// The meter's power is out: nothing happened.
    NoPower,
}

impl BoostState {
    /// The boost in force at `device_now` (device clock), if any.
    pub fn in_force(&self, device_now: i64) -> Option<&Boost> {
        self.active
            .as_ref()
            .filter(|b| b.start <= device_now && device_now < b.end)
    }

    /// Whether the boost in force at `device_now` switches controller `index` (1–5) on.
    pub fn controls(&self, index: u8, device_now: i64) -> bool {
        let Some(i) = usize::from(index).checked_sub(1) else {
            return false;
        };
        self.in_force(device_now)
            .is_some_and(|b| b.controllers.get(i).copied().unwrap_or(false))
    }

    /// A later ECS47 or ECS47a for controller `index` (1–5) at `device_now`: the boost in force
    /// no longer controls it.
    pub fn release(&mut self, index: u8, device_now: i64) {
        let Some(i) = usize::from(index).checked_sub(1) else {
            return;
        };
        if let Some(b) = self
            .active
            .as_mut()
            .filter(|b| b.start <= device_now && device_now < b.end)
            && let Some(c) = b.controllers.get_mut(i)
        {
            *c = false;
        }
    }

    /// The log's entries whose start lies in `period`, oldest first.
    pub fn entries_in(&self, period: &gbcs::usecases::LogPeriod) -> Vec<BoostLogEntry> {
        self.log
            .iter()
            .filter(|e| gbcs::UtcDateTime::from_unix(e.start).is_some_and(|t| period.contains(t)))
            .copied()
            .collect()
    }

    /// Ends the boost held, if it has, at `at` (device clock; its own end if that is earlier)
    /// and logs it. Returns whether one ended.
    fn end(&mut self, at: i64) -> bool {
        let Some(b) = self.active.take() else {
            return false;
        };
        while self.log.len() >= BOOST_LOG_CAPACITY {
            self.log.remove(0);
        }
        self.log.push(BoostLogEntry {
            start: b.start,
            end: at.min(b.end),
        });
        true
    }
}

use gbcs::usecases::event_logs_common::{ALCS_ACTION_ON, ALCS_ACTION_REVERT};

impl EmulatedDevice {
    /// The consumer presses the ESME's boost button at true time `now`: starts a boost of the
    /// associated controllers for the boost period, or ends the boost in force (see
    /// [`crate::boost`]).
    pub fn press_boost_button(&mut self, now: gbcs::UtcDateTime) -> BoostPress {
        let device_now = self.device_time(now).to_unix();
        if self.state.power_outage_since.is_some() {
            return BoostPress::NoPower;
        }
        // A boost whose end the WAN has not ticked yet ended at its time.
        self.boost_due(device_now);
        if let Some(b) = self.state.boost.in_force(device_now).copied() {
            self.state.boost.end(device_now);
            self.log_boost(device_now, &b.controllers, ALCS_ACTION_REVERT);
            self.forget_boost_end();
            return BoostPress::Ended { at: device_now };
        }
        let controllers = self.state.aux_controllers.boost;
        if !controllers.contains(&true) {
            return BoostPress::NoController;
        }
        let minutes = i64::from(self.state.boost.period_minutes.max(1));
        let end = device_now.saturating_add(minutes * 60);
        self.state.boost.active = Some(Boost {
            start: device_now,
            end,
            controllers,
        });
        self.log_boost(device_now, &controllers, ALCS_ACTION_ON);
        self.forget_boost_end();
        self.hold_own(end, FutureAction::BoostEnd);
        BoostPress::Started { until: end }
    }

    /// The held boost end falls due at `device_now` (device clock): a boost whose end it
    /// reached is logged and over. Returns whether one ended.
    pub(crate) fn boost_due(&mut self, device_now: i64) -> bool {
        let ended = match self.state.boost.active {
            Some(b) if b.end <= device_now => {
                self.log_boost(b.end, &b.controllers, ALCS_ACTION_REVERT);
                self.state.boost.end(b.end)
            }
            _ => false,
        };
        if ended {
            self.forget_boost_end();
        }
        ended
    }

    /// The ALCS event log records a boost's switching at `at` (device clock): each controller
    /// it holds switched on at its start, back to its calendar control at its end.
    fn log_boost(&mut self, at: i64, controllers: &[bool], action: u8) {
        for (i, _) in controllers.iter().enumerate().filter(|(_, on)| **on) {
            let switch = u8::try_from(i + 1).unwrap_or(u8::MAX);
            self.log_aux_switched(at, switch, action, true);
        }
    }

    fn forget_boost_end(&mut self) {
        self.state
            .future_actions
            .retain(|a| a.action != FutureAction::BoostEnd);
    }
}
