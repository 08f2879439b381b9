//! Prepayment on the emulated meters (ESME, GSME): the meter balance adjustments of DUIS 1.5
//! Update Meter Balance (ECS04a, ECS04b on the ESME; GCS40a–d on the GSME) and what a meter in
//! prepayment mode does as its credit runs down on the simulated clock.
//!
//! **Balances.** The meter balance is a function of time ([`crate::reads::InstantaneousConfig::meter_balance`]:
//! the configured credit less the cost of the consumption and standing charge, less what the
//! time-based debts recover). Credit added or taken away is kept as dated entries
//! ([`PrepayState::added`]), so that a read at any time (a daily log entry of last week, the
//! balance now) counts exactly the entries made by then. [`EmulatedDevice::credit_added`] is
//! the one entry point for credit added at a time (1.5 adjustments here, 2.2 top-ups): it ends
//! an emergency credit in use (the credit added repays what was drawn from it, the balance
//! having gone below zero by that much) and arms a supply disabled for want of credit once the
//! credit is above the disablement threshold again. A reset is credit added that brings the
//! balance to zero. The GSME's credit mode meter balance (ZSE Metering `0x0A00`, which 4.18
//! reads as `MeterBalance`) has entries of its own ([`PrepayState::credit_mode_added`]).
//!
//! **Behaviour** (prepayment mode only, [`crate::payment_mode::PaymentModeState::credit`]
//! false). At its time on the simulated clock, the meter:
//!
//! * raises `0x8119` *Emergency Credit Has Become Available* once the credit falls to the
//!   emergency credit threshold while the emergency credit is not in use;
//! * raises `0x810D` *Combined Credit Below Low Credit Threshold* once credit plus emergency
//!   credit falls below the (first) low credit threshold;
//! * when the credit is at or below the disablement threshold (1.6 / 2.1) and no emergency
//!   credit remains, disables the supply (as 7.2 does, the consumption stops) and raises
//!   `0x8F0F` *Credit Below Disablement Threshold*, preceded by `0x81AA` *Emergency Credit
//!   Exhausted* when the emergency credit was in use.
//!
//! Each alert is raised once per fall (raised again only after credit has been added above the
//! level). The meter's state is a function of time, so the next such event is found by a search
//! over time (the balance never rises without an entry), and held as a future action
//! ([`crate::future::FutureAction::Prepayment`]): the WAN ticks the device then, as for
//! future-dated commands, and the alerts go to the supplier as any device alert. The event is
//! worked out again after every command and tick; a button press makes it due at once.

use gbcs::axdr::Data;
use gbcs::dlms::ResponseSpec;
use gbcs::usecases::reads_inst_common::CLUSTER_PREPAYMENT;
use gbcs::usecases::{BalanceAdjustment, CreditAdjustment, gcs40};
use gbcs::{AlertCode, UtcDateTime};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{
    DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, ZCL_DEFAULT_RESPONSE,
    ZCL_HARDWARE_FAILURE, dlms_response, done, gbz, plain_component,
};
use crate::future::{FutureAction, PendingAction};
use crate::kind::DeviceKind;
use crate::state::{DeviceFault, SupplyState};

/// Credit Below Disablement Threshold (prepayment mode).
pub const ALERT_CREDIT_BELOW_DISABLEMENT: AlertCode = AlertCode(0x8F0F);
/// Combined Credit Below Low Credit Threshold (prepayment mode).
pub const ALERT_LOW_CREDIT: AlertCode = AlertCode(0x810D);
/// Emergency Credit Has Become Available (prepayment mode).
pub const ALERT_EMERGENCY_CREDIT_AVAILABLE: AlertCode = AlertCode(0x8119);
/// Emergency Credit Exhausted.
pub const ALERT_EMERGENCY_CREDIT_EXHAUSTED: AlertCode = AlertCode(0x81AA);

/// Entries the prepayment credits log holds: the last five credits (GBCS's billing data log of
/// prepayment credits; DUIS 4.4.5 returns at most five, GCS15e asks for five records, and the
/// RTDS ECS20d and GCS15e responses hold five).
pub const CREDITS_LOG_CAPACITY: usize = 5;

/// One credit in the prepayment credits log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditLogEntry {
    /// When the meter added it, by its own clock (unix seconds).
    pub at: i64,
    /// The credit added (10⁻⁵ GBP, positive).
    pub amount: i64,
    /// The UTRN it came from (a 2.2 or keypad top-up); `None`: a 1.5 adjustment, or a top-up
    /// stored before the log existed.
    pub utrn: Option<String>,
}

/// The prepayment credits log (4.4.5: ECS20d, GCS15e): the credits the meter accepted, oldest
/// first, the last [`CREDITS_LOG_CAPACITY`]. A credit is a UTRN accepted over the WAN or at the
/// keypad ([`crate::top_up`]) or a 1.5 adjustment that adds to the meter balance (ECS04a,
/// GCS40a with a positive amount); a refused UTRN, an adjustment that takes credit away, a reset
/// and the GSME's credit mode adjustments add no credit and are not logged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditsLog {
    /// The entries, oldest first.
    pub entries: Vec<CreditLogEntry>,
}

impl CreditsLog {
    /// Logs a credit, dropping the oldest beyond the capacity.
    pub fn push(&mut self, entry: CreditLogEntry) {
        self.entries.push(entry);
        let over = self.entries.len().saturating_sub(CREDITS_LOG_CAPACITY);
        self.entries.drain(..over);
    }

    /// The log of a state stored before it existed: the top-ups it had accepted (their UTRNs
    /// were not kept), at the device time of their acceptance.
    pub fn from_top_ups(top_ups: &crate::top_up::TopUps, clock_offset_secs: i64) -> Self {
        let mut log = Self::default();
        for r in &top_ups.accepted {
            log.push(CreditLogEntry {
                at: r.at.saturating_add(clock_offset_secs),
                amount: r.amount,
                utrn: None,
            });
        }
        log
    }

    /// The entries whose time lies in `[from, to]` (device time, unix seconds), oldest first.
    pub fn in_period(&self, from: i64, to: i64) -> impl Iterator<Item = &CreditLogEntry> {
        self.entries
            .iter()
            .filter(move |e| from <= e.at && e.at <= to)
    }
}

/// How far ahead the next event is looked for (seconds): a year.
const HORIZON: i64 = 366 * 86_400;

/// The prepayment state (stored at the end of the body, [`crate::stored`] format 3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepayState {
    /// Credit added to (negative: taken from) the (prepayment mode) meter balance: true time,
    /// amount (10⁻⁵ GBP), in time order.
    pub added: Vec<(i64, i64)>,
    /// The same for the GSME's credit mode meter balance.
    pub credit_mode_added: Vec<(i64, i64)>,
    /// The supply is disabled for want of credit (armed once credit is added).
    pub disabled_for_credit: bool,
    /// `0x810D` was raised for the current fall.
    pub low_credit_alerted: bool,
    /// `0x8119` was raised for the current fall.
    pub emergency_credit_alerted: bool,
}

fn sum_by(entries: &[(i64, i64)], t: i64) -> i64 {
    entries
        .iter()
        .filter(|(at, _)| *at <= t)
        .fold(0i64, |s, (_, a)| s.saturating_add(*a))
}

impl PrepayState {
    /// What has been added to the meter balance by `t`.
    pub fn added_by(&self, t: i64) -> i64 {
        sum_by(&self.added, t)
    }

    /// What has been added to the credit mode meter balance by `t`.
    pub fn credit_mode_added_by(&self, t: i64) -> i64 {
        sum_by(&self.credit_mode_added, t)
    }
}

/// What the meter looks at, at one instant.
#[derive(Debug, Clone, Copy)]
struct Levels {
    balance: i64,
    credit: i64,
    emergency: i64,
    emergency_in_use: bool,
}

impl EmulatedDevice {
    fn is_prepayment_meter(&self) -> bool {
        matches!(self.identity.kind, DeviceKind::Esme | DeviceKind::Gsme)
            && !self.state.payment_mode.credit
    }

    fn levels(&self, t: i64) -> Levels {
        let ch = self.ch_import();
        let (credit, emergency) = self.credits_at(ch, t);
        Levels {
            balance: self.balance_at(ch, t),
            credit,
            emergency,
            emergency_in_use: self
                .state
                .payment
                .emergency_credit_activated_at
                .is_some_and(|a| a <= t),
        }
    }

    fn disablement_due(&self, l: &Levels) -> bool {
        l.emergency == 0 && l.balance <= i64::from(self.state.payment_mode.disablement_threshold)
    }

    fn low_credit_due(&self, l: &Levels) -> bool {
        let low = self
            .state
            .reads
            .prepayment
            .low_credit_thresholds
            .first()
            .copied()
            .unwrap_or(0);
        low > 0 && l.credit.saturating_add(l.emergency) < i64::from(low)
    }

    fn emergency_credit_due(&self, l: &Levels) -> bool {
        let threshold = self.state.reads.prepayment.emergency_credit_threshold;
        !l.emergency_in_use && threshold > 0 && l.credit <= i64::from(threshold)
    }

    /// Adds `amount` (10⁻⁵ GBP; negative: takes it away) to the meter balance at `now`: a 1.5
    /// adjustment or a 2.2 top-up. An emergency credit in use ends (what was drawn from it is
    /// repaid from the amount: the balance is below zero by that much). A supply disabled for
    /// want of credit is armed (not enabled: the consumer enables it at the meter) when the
    /// credit is now above the disablement threshold; the low credit and emergency credit
    /// alerts may be raised again once the credit has risen above their levels.
    pub fn credit_added(&mut self, amount: i64, now: UtcDateTime) {
        let t = now.to_unix();
        self.state.prepay.added.push((t, amount));
        if amount > 0 {
            self.state.payment.emergency_credit_activated_at = None;
        }
        let l = self.levels(t);
        if !self.low_credit_due(&l) {
            self.state.prepay.low_credit_alerted = false;
        }
        if !self.emergency_credit_due(&l) {
            self.state.prepay.emergency_credit_alerted = false;
        }
        if self.state.prepay.disabled_for_credit && !self.disablement_due(&l) {
            self.state.prepay.disabled_for_credit = false;
            if self.state.supply == SupplyState::Disabled {
                self.set_supply(SupplyState::Armed, now);
            }
        }
    }

    /// Logs `amount` (10⁻⁵ GBP) credited at `now` in the prepayment credits log, with the UTRN
    /// it came from; nothing when it adds no credit.
    pub(crate) fn log_credit(&mut self, amount: i64, utrn: Option<&str>, now: UtcDateTime) {
        if amount <= 0 {
            return;
        }
        let at = self.device_time(now).to_unix();
        self.state.credits_log.push(CreditLogEntry {
            at,
            amount,
            utrn: utrn.map(str::to_string),
        });
    }

    /// Sets the meter balance to zero at `now` (ECS04b, GCS40b), the emergency credit too.
    pub(crate) fn reset_meter_balance(&mut self, now: UtcDateTime) {
        let t = now.to_unix();
        let balance = self.balance_at(self.ch_import(), t);
        self.state.payment.emergency_credit_activated_at = None;
        self.credit_added(balance.saturating_neg(), now);
    }

    /// The GSME's credit mode meter balance at `t`: the balance the consumption and standing
    /// charge leave, with the credit mode entries (GCS40c, GCS40d) rather than the prepayment
    /// ones.
    pub(crate) fn credit_mode_balance_at(&self, t: i64) -> i64 {
        let ch = self.ch_import();
        self.balance_at(ch, t)
            .saturating_sub(self.state.prepay.added_by(t))
            .saturating_add(self.state.prepay.credit_mode_added_by(t))
    }

    /// GCS40c: `amount` added to the credit mode meter balance at `now`; GCS40d (`reset`): the
    /// credit mode meter balance to zero.
    pub(crate) fn credit_mode_adjusted(&mut self, amount: i64, reset: bool, now: UtcDateTime) {
        let t = now.to_unix();
        let amount = if reset {
            self.credit_mode_balance_at(t).saturating_neg()
        } else {
            amount
        };
        self.state.prepay.credit_mode_added.push((t, amount));
    }

    /// The prepayment events due at true time `t` (the alerts they raise, the supply disabled),
    /// for a meter in prepayment mode.
    fn prepayment_events(&mut self, at: UtcDateTime) -> Vec<Vec<u8>> {
        let mut codes = Vec::new();
        if !self.is_prepayment_meter() {
            return Vec::new();
        }
        let t = at.to_unix();
        let l = self.levels(t);
        if self.state.prepay.disabled_for_credit
            && (self.state.supply != SupplyState::Disabled || !self.disablement_due(&l))
        {
            // Enabled or armed since by other means, or credit again (the emergency credit
            // activated): armed, and the condition is looked at afresh.
            self.state.prepay.disabled_for_credit = false;
            if self.state.supply == SupplyState::Disabled {
                self.set_supply(SupplyState::Armed, at);
            }
        }
        if self.emergency_credit_due(&l) && !self.state.prepay.emergency_credit_alerted {
            self.state.prepay.emergency_credit_alerted = true;
            codes.push(ALERT_EMERGENCY_CREDIT_AVAILABLE);
        }
        if self.low_credit_due(&l) && !self.state.prepay.low_credit_alerted {
            self.state.prepay.low_credit_alerted = true;
            codes.push(ALERT_LOW_CREDIT);
        }
        if self.disablement_due(&l)
            && !self.state.prepay.disabled_for_credit
            && self.state.supply != SupplyState::Disabled
        {
            self.state.prepay.disabled_for_credit = true;
            self.set_supply(SupplyState::Disabled, at);
            if l.emergency_in_use {
                codes.push(ALERT_EMERGENCY_CREDIT_EXHAUSTED);
            }
            codes.push(ALERT_CREDIT_BELOW_DISABLEMENT);
        }
        codes
            .into_iter()
            .filter_map(|c| self.raise_alert(c, at).ok())
            .collect()
    }

    /// The first true time in `(from, from + HORIZON]` at which `due` holds (it holds from then
    /// on: the levels only fall), if any.
    fn first_due(&self, from: i64, due: impl Fn(&Self, &Levels) -> bool) -> Option<i64> {
        let (mut lo, mut hi) = (from, from.saturating_add(HORIZON));
        if !due(self, &self.levels(hi)) {
            return None;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if due(self, &self.levels(mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    /// When the next prepayment event is due (true time) after `t`, if within the horizon. An
    /// armed supply is taken to be enabled from `t` on: the consumer may press the button at any
    /// time, and the button press goes to the stored state, not through the device; the event
    /// is then at its earliest, and when it falls due the meter looks again
    /// ([`Self::prepayment_refresh`]).
    fn next_prepayment_event(&self, t: i64) -> Option<i64> {
        if !self.is_prepayment_meter() {
            return None;
        }
        if self.state.supply == SupplyState::Armed && self.state.power_outage_since.is_none() {
            let mut state = self.state.clone();
            state.supply = SupplyState::Enabled;
            state.metering.set_flowing(true, t);
            let pressed = EmulatedDevice {
                identity: self.identity.clone(),
                keys: self.keys.clone(),
                state,
                pending_alerts: Vec::new(),
            };
            return pressed.next_prepayment_event_as_is(t);
        }
        self.next_prepayment_event_as_is(t)
    }

    fn next_prepayment_event_as_is(&self, t: i64) -> Option<i64> {
        let p = &self.state.prepay;
        let mut next: Vec<i64> = Vec::new();
        if !p.emergency_credit_alerted {
            next.extend(self.first_due(t, Self::emergency_credit_due));
        }
        if !p.low_credit_alerted {
            next.extend(self.first_due(t, Self::low_credit_due));
        }
        if !p.disabled_for_credit && self.state.supply != SupplyState::Disabled {
            next.extend(self.first_due(t, Self::disablement_due));
        }
        next.into_iter().min()
    }

    /// Runs the prepayment events due at `now` and holds the next one: after every command
    /// and tick. Returns the alerts raised.
    pub(crate) fn prepayment_refresh(&mut self, now: UtcDateTime) -> Vec<Vec<u8>> {
        let alerts = self.prepayment_events(now);
        let offset = self.state.clock_offset_secs;
        self.state
            .future_actions
            .retain(|a| a.action != FutureAction::Prepayment);
        if let Some(at) = self.next_prepayment_event(now.to_unix()) {
            self.state.future_actions.push(PendingAction {
                at: at.saturating_add(offset),
                action: FutureAction::Prepayment,
                originator: self.identity.eui,
                counter: 0,
                message_code: 0,
                cluster: 0,
                frame_control: 0,
                command: 0,
            });
        }
        alerts
    }

    /// A held prepayment event falling due at `at` (true time).
    pub(crate) fn prepayment_due(&mut self, at: UtcDateTime) -> Vec<Vec<u8>> {
        self.prepayment_events(at)
    }
}

impl EmulatedDevice {
    /// ECS04a: the token credit's `update_amount`: the adjustment added to the meter balance
    /// now (`success`), or `hardware-fault` and nothing changes
    /// ([`DeviceFault::MeterBalance`], the RTDS ERROR vector).
    pub(crate) fn ecs04a(
        &mut self,
        counter: u64,
        adjustment: i32,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::MeterBalance);
        if works {
            self.credit_added(i64::from(adjustment), now);
            self.log_credit(i64::from(adjustment), None, now);
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(counter, vec![Data::Null], vec![ResponseSpec::Action(code)]),
            works,
        )
    }

    /// ECS04b: the three credits set to zero: the meter balance and the emergency credit
    /// (three `success`), or, as the RTDS ERROR vector, the second `hardware-fault` and the
    /// third not executed, nothing changed ([`DeviceFault::MeterBalance`]).
    pub(crate) fn ecs04b(&mut self, counter: u64, now: UtcDateTime) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::MeterBalance);
        let results = if works {
            self.reset_meter_balance(now);
            [DLMS_SUCCESS; 3]
        } else {
            [DLMS_SUCCESS, DLMS_FAILURE, DLMS_NOT_EXECUTED]
        };
        done(
            dlms_response(
                counter,
                vec![Data::Null; 3],
                results.map(ResponseSpec::Action).to_vec(),
            ),
            works,
        )
    }

    /// GCS40a–d: the ZSE Credit Adjustment on the prepayment (a, b) or credit mode (c, d) meter
    /// balance: a Default Response SUCCESS, or HARDWARE_FAILURE and nothing changes
    /// ([`DeviceFault::MeterBalance`], the RTDS ERROR vectors).
    pub(crate) fn gcs40(&mut self, c: &CreditAdjustment, now: UtcDateTime) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::MeterBalance);
        if works {
            match c.adjustment {
                BalanceAdjustment::PrepaymentAdjust(v) => {
                    self.credit_added(i64::from(v), now);
                    self.log_credit(i64::from(v), None, now);
                }
                BalanceAdjustment::PrepaymentReset => self.reset_meter_balance(now),
                BalanceAdjustment::CreditModeAdjust(v) => {
                    self.credit_mode_adjusted(i64::from(v), false, now);
                }
                BalanceAdjustment::CreditModeReset => self.credit_mode_adjusted(0, true, now),
            }
        }
        let status = if works { 0x00 } else { ZCL_HARDWARE_FAILURE };
        let comp = plain_component(
            CLUSTER_PREPAYMENT,
            0,
            ZCL_DEFAULT_RESPONSE,
            vec![gcs40::CREDIT_ADJUSTMENT, status],
            true,
        );
        done(gbz(vec![comp])?, works)
    }
}
