//! Prepayment on the emulated meters (ESME, GSME): the meter balance adjustments of DUIS 1.5
//! Update Meter Balance (ECS04a, ECS04b on the ESME; GCS40a–d on the GSME) and what a meter in
//! prepayment mode does as its credit runs down on the simulated clock.
//!
//! **Balances.** The meter balance is a function of time ([`crate::reads::InstantaneousConfig::meter_balance`]:
//! the configured credit less the cost of the consumption and standing charge, less what the
//! time-based debts recover and what the payment-based debt takes of each top-up,
//! [`crate::reads::payment::DebtState::payment_recovered`]). Credit added or taken away is kept as dated entries
//! ([`PrepayState::added`]), so that a read at any time (a daily log entry of last week, the
//! balance now) counts exactly the entries made by then. [`EmulatedDevice::credit_added`] is
//! the one entry point for credit added at a time (1.5 adjustments here, 2.2 top-ups): it ends
//! an emergency credit in use (the credit added repays what was drawn from it, the balance
//! having gone below zero by that much) and arms a supply disabled for want of credit once the
//! credit is above the disablement threshold again. A reset is credit added that brings the
//! balance to zero. The GSME's credit mode meter balance (ZSE Metering `0x0A00`, which 4.18
//! reads as `MeterBalance`) has entries of its own ([`PrepayState::credit_mode_added`]).
//!
//! **Configuration.** The behaviour takes every value from the meter's prepayment
//! configuration, one source per concept ([`PrepayLimits::of`]): on the ESME the objects of
//! [`crate::reads::prepayment`] (which 4.13's ECS26a reads and 2.1's ECS08 writes), on the GSME
//! the ZSE Prepayment attributes of [`crate::reads::gas_tariff`] (GCS21b, GCS05); on both the
//! disablement threshold of [`crate::payment_mode::PaymentModeState`] (1.6 writes it, 4.13 reads
//! it).
//!
//! **Behaviour** (prepayment mode only, [`crate::payment_mode::PaymentModeState::credit`]
//! false). At its time on the simulated clock, the meter:
//!
//! * raises `0x8119` *Emergency Credit Has Become Available* once the credit falls below the
//!   emergency credit threshold while the emergency credit is not in use (the emergency credit
//!   is offered only then; its activation, 2.5, is the supplier's and is not refused);
//! * raises `0x810D` *Combined Credit Below Low Credit Threshold* once credit plus emergency
//!   credit falls below the low credit threshold (a threshold of 0 or less: never);
//! * when the credit is at or below the disablement threshold and no emergency credit remains,
//!   disables the supply (as 7.2 does, the consumption stops) and raises `0x8F0F` *Credit Below
//!   Disablement Threshold*, preceded by `0x81AA` *Emergency Credit Exhausted* when the
//!   emergency credit was in use; but not while a non-disablement period applies
//!   ([`EmulatedDevice::non_disablement_at`]): the supply is disabled when the period ends if
//!   the credit is still exhausted then.
//!
//! **Limits on added credit** ([`EmulatedDevice::credit_added`]): a top-up (a UTRN, remote or
//! at the keypad) above the maximum credit threshold is refused with `0x8F5B` *UTRN exceeds
//! Maximum Credit Threshold*; one that would take the meter balance above the maximum meter
//! balance with `0x8F47` *Credit would cause Meter Balance to exceed Maximum Meter Balance
//! Threshold*; a refused top-up changes nothing. The supplier's 1.5 adjustments are
//! corrections of the balance and are not limited.
//!
//! **Non-disablement calendar** (ESME: the class 10 schedule and class 11 special days of
//! [`crate::reads::prepayment`]; times are UK local time): on a date that is one of the special
//! days, the entries whose special-day bit for its day id (bit 7 for day 1, …) is set apply;
//! on another date those whose weekday bit (bit 7 Monday … bit 1 Sunday) is set; an entry
//! applies only between its begin and end dates (`FFFF` year: every year). Script selector 32
//! starts a non-disablement period at the entry's switch time, 33 stops it; a period is in
//! force when the latest switch at or before the instant (over the week before it) is a start.
//! **GSME** (the friendly credit calendar, ZSE calendar type 3 of
//! [`crate::reads::gas_tariff`], which GCS05 writes; UK local time): the date's day profile (a
//! special day's, else its weekday's in the week profile of the season in force) switches
//! friendly credit on (a non-zero flag: a non-disablement period starts) or off at each entry's
//! minute; the same rule then applies.
//!
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
use crate::future::FutureAction;
use crate::kind::DeviceKind;
use crate::reads::gas_tariff as zse;
use crate::reads::logs::uk_offset;
use crate::state::{DeviceFault, DeviceState, SupplyState};

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

/// Credit would cause Meter Balance to exceed Maximum Meter Balance Threshold.
pub const ALERT_EXCEEDS_MAX_METER_BALANCE: AlertCode = AlertCode(0x8F47);
/// UTRN exceeds Maximum Credit Threshold.
pub const ALERT_EXCEEDS_MAX_CREDIT_THRESHOLD: AlertCode = AlertCode(0x8F5B);

/// Non-disablement schedule script selector: a period starts.
pub const NON_DISABLEMENT_START: u16 = 32;
/// The ZSE calendar type of the GSME's friendly credit (non-disablement) calendar.
const FRIENDLY_CREDIT_CALENDAR: u8 = 3;
/// Non-disablement schedule script selector: a period stops.
pub const NON_DISABLEMENT_STOP: u16 = 33;

const DAY: i64 = 86_400;

/// The prepayment configuration values the behaviour uses (10⁻⁵ GBP), each from its one
/// source (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrepayLimits {
    /// The emergency credit available once activated.
    pub emergency_credit_limit: i64,
    /// Emergency credit is offered below this credit.
    pub emergency_credit_threshold: i64,
    /// `0x810D` below this credit plus emergency credit.
    pub low_credit_threshold: i64,
    /// The supply is disabled at or below this balance, no emergency credit remaining.
    pub disablement_threshold: i64,
    /// Credit that would take the balance above this is refused.
    pub max_meter_balance: i64,
    /// A top-up above this is refused.
    pub max_credit_threshold: i64,
    /// The debt recovery rate cap: the most the payments recover of the payment-based debt in
    /// one cap period ([`crate::reads::payment::Payments`]).
    pub debt_recovery_cap: i64,
    /// The cap period, seconds: the ESME's, as ECS08 writes it; on the GSME, whose ZSE Overall
    /// Debt Cap has none, a week.
    pub debt_recovery_cap_period: i64,
}

/// A week, seconds: the GSME's debt recovery cap period.
const WEEK: i64 = 7 * DAY;

impl PrepayLimits {
    /// The values of a `kind` meter in `state` (zero for a kind without prepayment).
    pub fn of(state: &DeviceState, kind: DeviceKind) -> Self {
        let disablement_threshold = i64::from(state.payment_mode.disablement_threshold);
        match kind {
            DeviceKind::Gsme => {
                let g = &state.reads.gas_tariff;
                let v = |id| g.prepayment_value(id).unwrap_or(0);
                Self {
                    emergency_credit_limit: v(zse::ZSE_EMERGENCY_CREDIT_LIMIT),
                    emergency_credit_threshold: v(zse::ZSE_EMERGENCY_CREDIT_THRESHOLD),
                    low_credit_threshold: v(zse::ZSE_LOW_CREDIT_WARNING),
                    disablement_threshold,
                    max_meter_balance: v(zse::ZSE_MAX_CREDIT_LIMIT),
                    max_credit_threshold: v(zse::ZSE_MAX_CREDIT_PER_TOP_UP),
                    debt_recovery_cap: v(zse::ZSE_OVERALL_DEBT_CAP),
                    debt_recovery_cap_period: WEEK,
                }
            }
            _ => {
                let p = &state.reads.prepayment;
                Self {
                    emergency_credit_limit: i64::from(p.emergency_credit_limit),
                    emergency_credit_threshold: i64::from(p.emergency_credit_threshold),
                    low_credit_threshold: i64::from(p.low_credit_threshold),
                    disablement_threshold,
                    max_meter_balance: i64::from(p.max_meter_balance),
                    max_credit_threshold: i64::from(p.max_credit_threshold),
                    debt_recovery_cap: i64::from(p.debt_recovery_rate_cap),
                    debt_recovery_cap_period: i64::from(p.debt_recovery_cap_period),
                }
            }
        }
    }
}

/// The maximum meter balance of a meter installed in a home
/// ([`DeviceState::installed_in_a_home`]): £250 (10⁻⁵ GBP).
pub const HOUSEHOLD_MAX_METER_BALANCE: i64 = 25_000_000;

/// Why credit was refused (nothing changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CreditRefusal {
    /// A top-up above the maximum credit threshold (`0x8F5B`).
    AboveMaxCreditThreshold,
    /// The balance would exceed the maximum meter balance (`0x8F47`).
    AboveMaxMeterBalance,
}

impl CreditRefusal {
    /// The alert the meter raises.
    pub fn alert(self) -> AlertCode {
        match self {
            CreditRefusal::AboveMaxCreditThreshold => ALERT_EXCEEDS_MAX_CREDIT_THRESHOLD,
            CreditRefusal::AboveMaxMeterBalance => ALERT_EXCEEDS_MAX_METER_BALANCE,
        }
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

    /// The prepayment configuration values the behaviour uses.
    pub fn prepay_limits(&self) -> PrepayLimits {
        PrepayLimits::of(&self.state, self.identity.kind)
    }

    /// The credit condition of a disablement (the non-disablement calendar aside).
    fn disablement_due(&self, l: &Levels) -> bool {
        l.emergency == 0 && l.balance <= self.prepay_limits().disablement_threshold
    }

    fn low_credit_due(&self, l: &Levels) -> bool {
        let low = self.prepay_limits().low_credit_threshold;
        low > 0 && l.credit.saturating_add(l.emergency) < low
    }

    fn emergency_credit_due(&self, l: &Levels) -> bool {
        let threshold = self.prepay_limits().emergency_credit_threshold;
        !l.emergency_in_use && threshold > 0 && l.credit < threshold
    }

    /// The non-disablement switches (true time, start?) of the local days from `from_day` to
    /// `to_day` (local day numbers), in time order (ESME: the schedule and special days; GSME:
    /// the friendly credit calendar; none on another kind).
    fn non_disablement_switches(&self, from_day: i64, to_day: i64) -> Vec<(i64, bool)> {
        let mut out = Vec::new();
        match self.identity.kind {
            DeviceKind::Esme => self.esme_switches(from_day, to_day, &mut out),
            DeviceKind::Gsme => self.gsme_switches(from_day, to_day, &mut out),
            _ => {}
        }
        out.sort_by_key(|(t, start)| (*t, !*start));
        out
    }

    /// The GSME's friendly credit calendar (ZSE calendar type 3, GCS05) over the local days
    /// `from_day..=to_day`: a day's profile is the special day's if the date is one (a year of
    /// `FF`: every year), else its weekday's in the week profile of the season in force (the
    /// latest season start at or before the date, the previous year's last if none); each of
    /// the profile's entries switches friendly credit on (a non-zero flag: a non-disablement
    /// period starts) or off at its minute of the day.
    fn gsme_switches(&self, from_day: i64, to_day: i64, out: &mut Vec<(i64, bool)>) {
        let Some(cal) = self
            .state
            .reads
            .gas_tariff
            .calendars
            .iter()
            .find(|c| c.calendar_type == FRIENDLY_CREDIT_CALENDAR)
        else {
            return;
        };
        for day in from_day..=to_day {
            let Some(date) = UtcDateTime::from_unix(day.saturating_mul(DAY)) else {
                continue;
            };
            let b = date.to_cosem().0;
            let (y, mo, d) = (u16::from_be_bytes([b[0], b[1]]), b[2], b[3]);
            let year_of = |zy: u8| (zy != 0xFF).then(|| 1900 + u16::from(zy));
            let special = cal.special_days.iter().find(|(sd, _)| {
                year_of(sd[0]).is_none_or(|sy| sy == y) && sd[1] == mo && sd[2] == d
            });
            let day_id = match special {
                Some((_, id)) => Some(*id),
                None => {
                    let season = cal
                        .seasons
                        .iter()
                        .flat_map(|(sd, week)| {
                            let years = match year_of(sd[0]) {
                                Some(sy) => vec![sy],
                                None => vec![y.saturating_sub(1), y],
                            };
                            years.into_iter().map(move |sy| ((sy, sd[1], sd[2]), *week))
                        })
                        .filter(|(key, _)| *key <= (y, mo, d))
                        .max_by_key(|(key, _)| *key);
                    // 1970-01-01 was a Thursday: Monday is 0.
                    let weekday = usize::try_from((day + 3).rem_euclid(7)).unwrap_or(0);
                    season.and_then(|(_, week)| {
                        cal.weeks
                            .iter()
                            .find(|(id, _)| *id == week)
                            .and_then(|(_, days)| days.get(weekday).copied())
                    })
                }
            };
            let Some(profile) = day_id.and_then(|id| cal.days.iter().find(|p| p.id == id)) else {
                continue;
            };
            for (minute, flag) in &profile.entries {
                if *minute >= 24 * 60 {
                    continue;
                }
                let local = day * DAY + i64::from(*minute) * 60;
                out.push((local - uk_offset(local - 3600), *flag != 0));
            }
        }
    }

    /// The ESME's non-disablement schedule and special days over the local days
    /// `from_day..=to_day`.
    fn esme_switches(&self, from_day: i64, to_day: i64, out: &mut Vec<(i64, bool)>) {
        let p = &self.state.reads.prepayment;
        for day in from_day..=to_day {
            let Some(date) = UtcDateTime::from_unix(day.saturating_mul(DAY)) else {
                continue;
            };
            let b = date.to_cosem().0;
            let (y, mo, d) = (u16::from_be_bytes([b[0], b[1]]), b[2], b[3]);
            let year_ok = |dy: u16| dy == 0xFFFF || dy == y;
            let special = p.special_days.iter().find(|s| {
                year_ok(u16::from_be_bytes([s.date[0], s.date[1]]))
                    && s.date[2] == mo
                    && s.date[3] == d
            });
            // 1970-01-01 was a Thursday: Monday is 0.
            let weekday = (day + 3).rem_euclid(7);
            let key = |c: &[u8; 5]| {
                let cy = u16::from_be_bytes([c[0], c[1]]);
                (if cy == 0xFFFF { y } else { cy }, c[2], c[3])
            };
            for e in p.schedule.iter().filter(|e| e.enabled) {
                let applies = match special {
                    Some(s) => {
                        (1..=4).contains(&s.day_id)
                            && e.special_days & (0x80 >> (s.day_id - 1)) != 0
                    }
                    None => e.weekdays & (0x80 >> weekday) != 0,
                };
                if !applies || key(&e.begin) > (y, mo, d) || (y, mo, d) > key(&e.end) {
                    continue;
                }
                let start = match e.selector {
                    NON_DISABLEMENT_START => true,
                    NON_DISABLEMENT_STOP => false,
                    _ => continue,
                };
                let [h, m, sec, _] = e.switch_time;
                if h > 23 || m > 59 || sec > 59 {
                    continue;
                }
                let local = day * DAY + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(sec);
                out.push((local - uk_offset(local - 3600), start));
            }
        }
    }

    /// Whether a non-disablement period applies at true time `t`.
    pub fn non_disablement_at(&self, t: i64) -> bool {
        let day = (t + uk_offset(t)).div_euclid(DAY);
        self.non_disablement_switches(day - 7, day + 1)
            .into_iter()
            .rfind(|(at, _)| *at <= t)
            .is_some_and(|(_, start)| start)
    }

    /// When the non-disablement period in force at `t` ends (the first stop after `t`), if
    /// within two weeks.
    fn non_disablement_end(&self, t: i64) -> Option<i64> {
        let day = (t + uk_offset(t)).div_euclid(DAY);
        self.non_disablement_switches(day, day + 14)
            .into_iter()
            .find(|(at, start)| *at > t && !*start)
            .map(|(at, _)| at)
    }

    /// Refuses credit the limits do not allow: `amount` added at `t` as a top-up (`top_up`;
    /// adjustments are not limited).
    pub(crate) fn credit_allowed(
        &self,
        amount: i64,
        top_up: bool,
        t: i64,
    ) -> Result<(), CreditRefusal> {
        if !top_up
            || amount <= 0
            || !matches!(self.identity.kind, DeviceKind::Esme | DeviceKind::Gsme)
        {
            return Ok(());
        }
        let limits = self.prepay_limits();
        if limits.max_credit_threshold > 0 && amount > limits.max_credit_threshold {
            return Err(CreditRefusal::AboveMaxCreditThreshold);
        }
        let balance = self.balance_at(self.ch_import(), t);
        // What the payment-based debt takes of it is not credit.
        let credit = amount.saturating_sub(self.payment_share(amount, t));
        if limits.max_meter_balance > 0 && balance.saturating_add(credit) > limits.max_meter_balance
        {
            return Err(CreditRefusal::AboveMaxMeterBalance);
        }
        Ok(())
    }

    /// Adds `amount` (10⁻⁵ GBP; negative: takes it away) to the meter balance at `now`: a 1.5
    /// adjustment or a 2.2 top-up (`top_up`: the UTRN's counter and where it came from; the
    /// top-up is kept in [`crate::top_up::TopUps::accepted`], a payment: the payment-based debt
    /// takes its share of it, [`crate::reads::payment::DebtState::payment_recovered`], and only
    /// the rest is credit). An emergency credit in use ends (what was drawn from it is
    /// repaid from the amount: the balance is below zero by that much). A supply disabled for
    /// want of credit is armed (not enabled: the consumer enables it at the meter) when the
    /// credit is now above the disablement threshold; the low credit and emergency credit
    /// alerts may be raised again once the credit has risen above their levels. Credit the
    /// limits do not allow ([`Self::credit_allowed`]; a top-up, to which the maximum
    /// credit threshold applies) is refused and nothing changes; the caller raises the alert.
    pub fn credit_added(
        &mut self,
        amount: i64,
        top_up: Option<(u64, crate::top_up::TopUpSource)>,
        now: UtcDateTime,
    ) -> Result<(), CreditRefusal> {
        let t = now.to_unix();
        self.credit_allowed(amount, top_up.is_some(), t)?;
        self.state.prepay.added.push((t, amount));
        if let Some((counter, source)) = top_up {
            self.state
                .top_ups
                .accepted
                .push(crate::top_up::TopUpRecord {
                    at: t,
                    amount,
                    counter,
                    source,
                });
        }
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
        Ok(())
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
        // Credit taken away is never refused.
        let _ = self.credit_added(balance.saturating_neg(), None, now);
    }

    /// The GSME's credit mode meter balance at `t`: the balance the consumption and standing
    /// charge leave, with the credit mode entries (GCS40c, GCS40d) rather than the prepayment
    /// ones (the top-ups, and so the payment-based debt's share of them, left out).
    pub(crate) fn credit_mode_balance_at(&self, t: i64) -> i64 {
        let ch = self.ch_import();
        self.balance_at(ch, t)
            .saturating_add(self.state.debt.payment_recovered(&self.payments(), t))
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
            && !self.non_disablement_at(t)
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
                pending_frames: Vec::new(),
                placed_ds: self.placed_ds.clone(),
                own_certificates: None,
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
            // The credit condition holds from its first instant on; a non-disablement period
            // then in force defers the disablement to the period's end (looked at again then).
            let due = self.first_due(t, Self::disablement_due).map(|at| {
                let at = at.max(t);
                if self.non_disablement_at(at) {
                    self.non_disablement_end(at)
                        .unwrap_or(at.saturating_add(14 * DAY))
                } else {
                    at
                }
            });
            next.extend(due.filter(|at| *at > t));
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
            self.hold_own(at.saturating_add(offset), FutureAction::Prepayment);
        }
        alerts
    }

    /// A held prepayment event falling due at `at` (true time).
    pub(crate) fn prepayment_due(&mut self, at: UtcDateTime) -> Vec<Vec<u8>> {
        self.prepayment_events(at)
    }
}

impl EmulatedDevice {
    /// Adds a 1.5 adjustment (never refused: adjustments are not limited).
    fn adjust(&mut self, amount: i64, now: UtcDateTime) -> bool {
        self.credit_added(amount, None, now).is_ok()
    }

    /// ECS04a: the token credit's `update_amount`: the adjustment added to the meter balance
    /// now (`success`), or `hardware-fault` and nothing changes
    /// ([`DeviceFault::MeterBalance`], the RTDS ERROR vector).
    pub(crate) fn ecs04a(
        &mut self,
        counter: u64,
        adjustment: i32,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::MeterBalance)
            && self.adjust(i64::from(adjustment), now);
        if works {
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
        let mut works = !self.state.has_fault(DeviceFault::MeterBalance);
        if works {
            match c.adjustment {
                BalanceAdjustment::PrepaymentAdjust(v) => {
                    works = self.adjust(i64::from(v), now);
                    if works {
                        self.log_credit(i64::from(v), None, now);
                    }
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
