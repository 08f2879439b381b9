//! Load limiting, maximum demand, randomisation, daily reset, supply tamper and auxiliary
//! controller settings (DUIS 6.4, 6.18, 6.2.2, 6.26, 6.25, 6.14).
//!
//! Implemented: 6.4.1 ECS28a (the load limiting general settings: the limiter's power
//! threshold, period and restoration period are written into
//! [`crate::reads::InstantaneousConfig::load_limit`], which 4.15 ECS27 reads and the load limit
//! counter follows; the load limit supply state is held here, [`LimitsConfig`], and ECS27's
//! supply state flag reads it), at once, held until its activation time
//! ([`crate::future::FutureAction::LoadLimit`], one 8F66 per activation-time object), or the
//! held one cancelled; 6.4.2 ECS28b (the load limit counter counts from the reset); 6.18.1
//! ECS37 (the configurable maximum demand period,
//! [`crate::reads::InstantaneousConfig::configurable_period`], which 4.12.1 ECS18b reads and its
//! configurable maximum demand follows; a period may run over midnight); 6.18.2 ECS57 (the
//! import, configurable-period and export maximum demand registers reset apart: the
//! configurable one's reset time is held here); 6.26 ECS48 (the tariff block counter matrix,
//! 4.1.3 ECS17e, reset at every local midnight from the change on,
//! [`LimitsConfig::block_counters_reset_at`]); 6.25 ECS81 (whether a supply tamper event locks
//! the supply, [`EmulatedDevice::supply_tamper`]).

use gbcs::UtcDateTime;
use gbcs::dlms::ResponseSpec;
use gbcs::usecases::{Activation, LoadLimitSettings, ecs28a};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, dlms_response};
use crate::future::{FutureAction, PendingAction};
use crate::state::DeviceFault;

/// The randomised offset limit 6.2.2 ECS26c reads before 7.12 ECS38 sets one (seconds; the
/// RTDS 6.2.2 response's).
pub const DEFAULT_RANDOMISED_OFFSET_LIMIT: u16 = 1000;
/// GBCS alert: Unauthorised Physical Access - Tamper Detect (a supply tamper event,
/// [`EmulatedDevice::tamper`]).
pub const ALERT_TAMPER_DETECT: gbcs::AlertCode = gbcs::AlertCode(0x8F3F);
/// GBCS alert: Supply Disabled Then Locked - Supply Tamper State Cause.
pub const ALERT_SUPPLY_LOCKED_TAMPER: gbcs::AlertCode = gbcs::AlertCode(0x81BE);
/// The randomised offset number ECS26c reads (`0-0:94.44.0.0`, seconds; the RTDS value): no
/// DUIS service sets it.
pub const RANDOMISED_OFFSET_NUMBER: u16 = 200;
/// The randomisation offset period ECS26c reads (`0-0:94.44.0.2`, seconds; the RTDS value): no
/// DUIS service sets it.
pub const RANDOMISATION_OFFSET_PERIOD: u16 = 2000;

/// Load limiting, maximum demand, randomisation, daily reset, supply tamper and auxiliary
/// controller settings (DUIS 6.4, 6.18, 6.2.2, 6.26, 6.25, 6.14).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitsConfig {
    /// ECS28a `LoadLimitSupplyState` (class 9000 `0-0:94.44.0.3`): `true` (`Disable`), a load
    /// limit event disables the supply; `false` (`Unchanged`, the default) it does not.
    #[serde(default)]
    pub load_limit_disables_supply: bool,
    /// When ECS57 last reset the configurable-period import maximum demand (true time); `None`:
    /// as the import maximum demand ([`crate::reads::InstantaneousConfig::max_demand_reset_at`]).
    #[serde(default)]
    pub configurable_max_demand_reset_at: Option<i64>,
    /// ECS48: since when (true time) the tariff block counter matrix is reset every local
    /// midnight; `None`: not reset daily (the default).
    #[serde(default)]
    pub daily_block_counter_reset_since: Option<i64>,
    /// ECS81 supply tamper state: `true` (`Locked`), a supply tamper event locks (disables)
    /// the supply, [`EmulatedDevice::supply_tamper`]; `false` (`Unchanged`, the default) it does
    /// not.
    #[serde(default)]
    pub supply_tamper_locks: bool,
    /// ECS46a: the auxiliary load switches' descriptions (switch `n` at `n − 1`; empty until
    /// set), which 7.7 ECS61a reads.
    #[serde(default)]
    pub aux_descriptions: [String; 5],
    /// ECS46c: each switch's HCALCS identity (switch `n` at `n − 1`; zero: an ALCS, the
    /// default), which 7.7 ECS61a reads.
    #[serde(default)]
    pub aux_hcalcs_ids: [[u8; 8]; 5],
    /// ECS46c: the auxiliary load calendar's special days table, its COSEM array as encoded
    /// (empty until written: an empty array), which 7.7 ECS61a reads.
    #[serde(default)]
    pub aux_special_days: Vec<u8>,
    /// ECS46c: the auxiliary load calendar's schedule, its COSEM array as encoded (empty until
    /// written: an empty array), which 7.7 ECS61a reads.
    #[serde(default)]
    pub aux_schedule: Vec<u8>,
}

impl LimitsConfig {
    /// When the tariff block counter matrix was last reset at or before `t`: the later of the
    /// explicit reset (1.7 ECS05, `reset`) and, when reset daily (6.26 ECS48), the local
    /// midnight starting `t`'s day if the daily reset was on by then.
    pub fn block_counters_reset_at(&self, reset: Option<i64>, t: i64) -> Option<i64> {
        let daily = self.daily_block_counter_reset_since.and_then(|since| {
            let m = crate::reads::logs::local_midnight_at_or_before(t);
            (m >= since).then_some(m)
        });
        match (reset, daily) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The load limiting settings an ECS28a writes, applied at once or when held
/// ([`FutureAction::LoadLimit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadLimitChange {
    /// The load limit supply state: `Disable`.
    pub disable_supply: bool,
    /// The power threshold, W.
    pub threshold_w: u32,
    /// The load limit period: seconds over the threshold that make an event.
    pub min_over_secs: u32,
    /// The restoration period: seconds under the threshold that end one.
    pub min_under_secs: u32,
}

impl From<&LoadLimitSettings> for LoadLimitChange {
    fn from(s: &LoadLimitSettings) -> Self {
        Self {
            disable_supply: s.disable_supply,
            threshold_w: s.power_threshold,
            min_over_secs: s.period,
            min_under_secs: s.restoration_period,
        }
    }
}

impl EmulatedDevice {
    /// Writes the load limiting settings `c`: the limiter's threshold and durations, which
    /// ECS27 reads and the load limit counter follows, and the supply state.
    pub fn apply_load_limit(&mut self, c: &LoadLimitChange) {
        let l = &mut self.state.instantaneous.load_limit;
        l.threshold_w = c.threshold_w;
        l.min_over_secs = c.min_over_secs;
        l.min_under_secs = c.min_under_secs;
        self.state.config.limits.load_limit_disables_supply = c.disable_supply;
    }

    /// ECS28a: the eight SETs in order; a faulty object
    /// ([`DeviceFault::DlmsObject`]) answers hardware-fault there and other-reason after it
    /// (the RTDS ERROR shape), and nothing changes. Otherwise applied at once, held until its
    /// activation time (replacing one held), or (all-`FF` activation) the held one cancelled.
    pub(crate) fn ecs28a(
        &mut self,
        apdu: &gbcs::GeneralSigning,
        s: &LoadLimitSettings,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let specs = ecs28a::specs();
        let (failed, results) = self.dlms_set_outcomes(&specs);
        if failed.is_none() {
            let device_now = self.device_time(now).to_unix();
            let change = LoadLimitChange::from(s);
            self.state
                .future_actions
                .retain(|a| !matches!(a.action, FutureAction::LoadLimit(_)));
            match s.activation {
                Activation::Cancel => {}
                Activation::At(at) if at.to_unix() > device_now => {
                    self.state.future_actions.push(PendingAction {
                        at: at.to_unix(),
                        action: FutureAction::LoadLimit(change),
                        originator: apdu.originator,
                        counter: apdu.counter,
                        message_code: apdu.message_code().0,
                        cluster: 0,
                        frame_control: 0,
                        command: 0,
                    });
                }
                _ => self.apply_load_limit(&change),
            }
        }
        Some(Execution::Done {
            content: dlms_response(
                apdu.counter,
                vec![gbcs::axdr::Data::Null; specs.len()],
                results,
            ),
            date_time: Some(self.device_time(now).to_cosem().0),
            success: failed.is_none(),
        })
    }

    /// ECS28b: the load limit counter's reset: it counts from now. A faulty counter
    /// ([`DeviceFault::DlmsObject`] on the method) answers hardware-fault and nothing changes.
    pub(crate) fn ecs28b(&mut self, counter: u64, now: UtcDateTime) -> Option<Execution> {
        let o = gbcs::usecases::ecs28b::RESET_COUNTER;
        let works = !self.state.has_fault(DeviceFault::DlmsObject {
            class: o.class_id,
            obis: o.instance,
            attribute: o.index,
        });
        if works {
            self.state.instantaneous.load_limit.counter_since = Some(now.to_unix());
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        crate::exec::done(
            dlms_response(
                counter,
                vec![gbcs::axdr::Data::Null],
                vec![ResponseSpec::Action(code)],
            ),
            works,
        )
    }
}

/// Seconds after midnight of a COSEM time, `None` if it is not a time of day (hour 0–23,
/// minute and second 0–59, hundredths 0–99; no wildcards).
fn seconds_of_day(t: [u8; 4]) -> Option<u32> {
    let [h, m, s, c] = t;
    (h < 24 && m < 60 && s < 60 && c < 100)
        .then(|| u32::from(h) * 3600 + u32::from(m) * 60 + u32::from(s))
}

impl EmulatedDevice {
    /// ECS37: the configurable maximum demand period. A time that is not a time of day, or a
    /// faulty schedule ([`DeviceFault::DlmsObject`]), answers hardware-fault (the RTDS ERROR
    /// shape) and nothing changes.
    pub(crate) fn ecs37(
        &mut self,
        counter: u64,
        p: &gbcs::usecases::MaxDemandPeriod,
    ) -> Option<Execution> {
        let o = gbcs::usecases::ecs18b::CONFIGURABLE_PERIOD;
        let fault = self.state.has_fault(DeviceFault::DlmsObject {
            class: o.class_id,
            obis: o.instance,
            attribute: o.index,
        });
        let period = match (seconds_of_day(p.start), seconds_of_day(p.end)) {
            (Some(a), Some(b)) if !fault => Some((a, b)),
            _ => None,
        };
        if let Some(period) = period {
            self.state.instantaneous.configurable_period = period;
        }
        let code = if period.is_some() {
            DLMS_SUCCESS
        } else {
            DLMS_FAILURE
        };
        crate::exec::done(
            dlms_response(
                counter,
                vec![gbcs::axdr::Data::Null],
                vec![ResponseSpec::Set(code)],
            ),
            period.is_some(),
        )
    }

    /// ECS57: each named maximum demand register reset now, in order; a faulty one
    /// ([`DeviceFault::DlmsObject`] on its method) answers hardware-fault and the resets after
    /// it are not executed (other-reason), as the RTDS ERROR vector shows.
    pub(crate) fn ecs57(
        &mut self,
        counter: u64,
        r: &gbcs::usecases::MaxDemandResets,
        now: UtcDateTime,
    ) -> Option<Execution> {
        use gbcs::usecases::ecs57;
        let methods = r.methods();
        let t = now.to_unix();
        let installed = self.state.metering.installed_at;
        let mut failed = None;
        for (i, m) in methods.iter().enumerate() {
            if self.state.has_fault(DeviceFault::DlmsObject {
                class: m.class_id,
                obis: m.instance,
                attribute: m.index,
            }) {
                failed = Some(i);
                break;
            }
            let c = &mut self.state.instantaneous;
            let limits = &mut self.state.config.limits;
            match *m {
                ecs57::RESET_IMPORT => {
                    // The configurable register keeps its own reset time.
                    if limits.configurable_max_demand_reset_at.is_none() {
                        limits.configurable_max_demand_reset_at =
                            Some(c.max_demand_reset_at.unwrap_or(installed));
                    }
                    c.max_demand_reset_at = Some(t);
                }
                ecs57::RESET_CONFIGURABLE => limits.configurable_max_demand_reset_at = Some(t),
                _ => c.export_max_demand_reset_at = Some(t),
            }
        }
        let results = (0..methods.len())
            .map(|i| {
                ResponseSpec::Action(match failed {
                    Some(f) if i == f => DLMS_FAILURE,
                    Some(f) if i > f => DLMS_NOT_EXECUTED,
                    _ => DLMS_SUCCESS,
                })
            })
            .collect();
        crate::exec::done(
            dlms_response(
                counter,
                vec![gbcs::axdr::Data::Null; methods.len()],
                results,
            ),
            failed.is_none(),
        )
    }
}

impl EmulatedDevice {
    /// A one-SET critical command's answer: `success`, or hardware-fault when `object` is
    /// faulty ([`DeviceFault::DlmsObject`]); `write` runs only on success.
    fn single_set(
        &mut self,
        counter: u64,
        object: gbcs::dlms::CosemDescriptor,
        write: impl FnOnce(&mut Self),
    ) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::DlmsObject {
            class: object.class_id,
            obis: object.instance,
            attribute: object.index,
        });
        if works {
            write(self);
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        crate::exec::done(
            dlms_response(
                counter,
                vec![gbcs::axdr::Data::Null],
                vec![ResponseSpec::Set(code)],
            ),
            works,
        )
    }

    /// ECS48: the daily reset of the tariff block counter matrix on (from now) or off.
    pub(crate) fn ecs48(
        &mut self,
        counter: u64,
        daily: bool,
        now: UtcDateTime,
    ) -> Option<Execution> {
        self.single_set(counter, gbcs::usecases::ecs48::OBJECT, |d| {
            let l = &mut d.state.config.limits;
            l.daily_block_counter_reset_since = match (daily, l.daily_block_counter_reset_since) {
                (false, _) => None,
                (true, Some(since)) => Some(since),
                (true, None) => Some(now.to_unix()),
            };
        })
    }

    /// ECS81: whether a supply tamper event locks the supply.
    pub(crate) fn ecs81(&mut self, counter: u64, locked: bool) -> Option<Execution> {
        self.single_set(counter, gbcs::usecases::ecs81::OBJECT, |d| {
            d.state.config.limits.supply_tamper_locks = locked;
        })
    }

    /// A supply tamper event at `now` (the emulation's or a test's): the supply is locked
    /// (disabled, to be enabled again only remotely, 7.1) if the tamper state is `Locked`
    /// (6.25 ECS81), else left as it is. Returns whether it was locked.
    pub fn supply_tamper(&mut self, now: UtcDateTime) -> bool {
        if !self.state.config.limits.supply_tamper_locks {
            return false;
        }
        self.set_supply(crate::state::SupplyState::Disabled, now);
        true
    }

    /// Someone tampers with the ESME at true time `now` (the emulation's simulation input: the
    /// WAN's `tamper:` hub event, `opendcc device tamper`, the harness): the meter raises
    /// `0x8F3F` *Unauthorised Physical Access - Tamper Detect* and, when its supply tamper state
    /// is `Locked` (6.25 ECS81) and the supply was not already disabled, locks the supply
    /// ([`Self::supply_tamper`]: only a remote 7.x enable or arm restores it) and raises
    /// `0x81BE` *Supply Disabled Then Locked - Supply Tamper State Cause*. Each alert goes to
    /// the supplier and is logged, as is the supply change. `Outcome::Event` in the reply;
    /// whether the supply was locked is returned.
    pub fn tamper(
        &mut self,
        now: UtcDateTime,
    ) -> Result<(bool, crate::device::Reply), crate::error::DeviceError> {
        use crate::state::SupplyState;
        if self.kind() != crate::DeviceKind::Esme {
            return Err(crate::error::DeviceError::NotSupported {
                operation: "supply tamper",
                kind: self.kind(),
            });
        }
        let pushed = self.state.event_log.pushed();
        let mut alerts = self.tick(now).unwrap_or_default();
        alerts.extend(self.security_alert(ALERT_TAMPER_DETECT, now));
        let was_disabled = self.state.supply == SupplyState::Disabled;
        let locked = !was_disabled && self.supply_tamper(now);
        if locked {
            alerts.extend(self.security_alert(ALERT_SUPPLY_LOCKED_TAMPER, now));
            // The supply closed: the next prepayment and load limit events move.
            alerts.extend(self.prepayment_refresh(now));
            self.load_limit_refresh(now);
        }
        let reply = crate::device::Reply {
            response: None,
            alerts,
            state_changed: self.state.event_log.pushed() != pushed,
            outcome: crate::device::Outcome::Event,
        };
        Ok((locked, reply))
    }
}

impl EmulatedDevice {
    /// ECS46a: the descriptions' SETs in order; a faulty object ([`DeviceFault::DlmsObject`])
    /// answers hardware-fault there and other-reason after it (the RTDS ERROR shape), and
    /// nothing changes.
    pub(crate) fn ecs46a(
        &mut self,
        counter: u64,
        d: &gbcs::usecases::AuxDescriptions,
    ) -> Option<Execution> {
        let failed = d.0.iter().position(|(n, _)| {
            let o = gbcs::usecases::ecs61a::description(*n);
            self.state.has_fault(DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            })
        });
        if failed.is_none() {
            for (n, text) in &d.0 {
                if let Some(slot) = self
                    .state
                    .config
                    .limits
                    .aux_descriptions
                    .get_mut(usize::from(*n).wrapping_sub(1))
                {
                    *slot = String::from_utf8_lossy(text).into_owned();
                }
            }
        }
        let results = (0..d.0.len())
            .map(|i| {
                ResponseSpec::Set(match failed {
                    Some(f) if i == f => DLMS_FAILURE,
                    Some(f) if i > f => DLMS_NOT_EXECUTED,
                    _ => DLMS_SUCCESS,
                })
            })
            .collect();
        crate::exec::done(
            dlms_response(counter, vec![gbcs::axdr::Data::Null; d.0.len()], results),
            failed.is_none(),
        )
    }
}

/// The auxiliary load control scheduler an ECS46c (or calendar an ECS46d, no switches) writes,
/// applied at once or when held
/// ([`FutureAction::AuxScheduler`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuxSchedulerChange {
    /// The named switches and their HCALCS identities.
    pub switches: Vec<(u8, [u8; 8])>,
    /// The special days table (the COSEM array, encoded).
    pub special_days: Vec<u8>,
    /// The schedule (the COSEM array, encoded).
    pub schedule: Vec<u8>,
}

impl From<&gbcs::usecases::AuxScheduler> for AuxSchedulerChange {
    fn from(s: &gbcs::usecases::AuxScheduler) -> Self {
        Self {
            switches: s.switches.clone(),
            special_days: gbcs::axdr::Data::Array(s.special_days.clone()).encode(),
            schedule: gbcs::axdr::Data::Array(s.schedule.clone()).encode(),
        }
    }
}

impl EmulatedDevice {
    /// Writes the auxiliary load control scheduler `c`: the named switches' HCALCS
    /// identities, the special days table and the schedule, which 7.7 ECS61a reads.
    pub fn apply_aux_scheduler(&mut self, c: &AuxSchedulerChange) {
        let l = &mut self.state.config.limits;
        for (n, id) in &c.switches {
            if let Some(slot) = l.aux_hcalcs_ids.get_mut(usize::from(*n).wrapping_sub(1)) {
                *slot = *id;
            }
        }
        l.aux_special_days = c.special_days.clone();
        l.aux_schedule = c.schedule.clone();
    }

    /// ECS46c: the SETs in order; a faulty object ([`DeviceFault::DlmsObject`]) answers
    /// hardware-fault there and other-reason after it (the RTDS ERROR shape), and nothing
    /// changes. Otherwise applied at once, held until its activation time (replacing one
    /// held), or (all-`FF` activation) the held one cancelled.
    pub(crate) fn ecs46c(
        &mut self,
        apdu: &gbcs::GeneralSigning,
        s: &gbcs::usecases::AuxScheduler,
        now: UtcDateTime,
    ) -> Option<Execution> {
        self.write_aux_calendar(apdu, s.activation, AuxSchedulerChange::from(s), now)
    }

    /// ECS46d: as ECS46c ([`Self::ecs46c`]) without HCALCS identities: the auxiliary controller
    /// calendar, which the ESME then runs (`crate::aux_calendar`; 7.14 ECS61d reads it back,
    /// 7.15 ECS61e the levels it sets). A held ECS46c or ECS46d is replaced or cancelled by
    /// either (they write the same calendar).
    pub(crate) fn ecs46d(
        &mut self,
        apdu: &gbcs::GeneralSigning,
        c: &gbcs::usecases::AuxCalendar,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let change = AuxSchedulerChange {
            switches: Vec::new(),
            special_days: gbcs::axdr::Data::Array(c.special_days.clone()).encode(),
            schedule: gbcs::axdr::Data::Array(c.schedule.clone()).encode(),
        };
        self.write_aux_calendar(apdu, c.activation, change, now)
    }

    fn write_aux_calendar(
        &mut self,
        apdu: &gbcs::GeneralSigning,
        activation: Activation,
        change: AuxSchedulerChange,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let req = gbcs::dlms::AccessRequest::decode(&apdu.content).ok()?;
        let specs = req.specs;
        let (failed, results) = self.dlms_set_outcomes(&specs);
        if failed.is_none() {
            let device_now = self.device_time(now).to_unix();
            self.state
                .future_actions
                .retain(|a| !matches!(a.action, FutureAction::AuxScheduler(_)));
            match activation {
                Activation::Cancel => {}
                Activation::At(at) if at.to_unix() > device_now => {
                    self.state.future_actions.push(PendingAction {
                        at: at.to_unix(),
                        action: FutureAction::AuxScheduler(Box::new(change)),
                        originator: apdu.originator,
                        counter: apdu.counter,
                        message_code: apdu.message_code().0,
                        cluster: 0,
                        frame_control: 0,
                        command: 0,
                    });
                }
                _ => self.apply_aux_scheduler(&change),
            }
        }
        Some(Execution::Done {
            content: dlms_response(
                apdu.counter,
                vec![gbcs::axdr::Data::Null; specs.len()],
                results,
            ),
            date_time: Some(self.device_time(now).to_cosem().0),
            success: failed.is_none(),
        })
    }
}
