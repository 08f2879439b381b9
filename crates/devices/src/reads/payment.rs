//! The meter's payment state that commands change (families 1 and 2): 1.7 Reset Tariff Block
//! Counter Matrix (ECS05 on the ESME), 2.5 Activate Emergency Credit (ECS09 on the ESME, GCS06
//! on the GSME), 2.3 Update Debt (ECS07 on the ESME, GCS04 on the GSME).
//!
//! Like the registers, what the reads show is a function of time over this state: each change
//! is recorded as an instant (true time), and the reads work their values out at any time from
//! it: the emergency credit remaining ([`InstantaneousConfig::credits`]: none before the
//! emergency credit is activated, then the emergency credit limit less what the consumption
//! since the activation has drawn from it once the credit ran out), the block counters
//! ([`InstantaneousConfig::block_counter_matrix`]: the matrix less its value at the last reset,
//! like the maximum demand registers' reset instants in [`InstantaneousConfig`]). The state is a part of the
//! stored body of its own ([`crate::stored`]), so that state stored before it existed still loads.

use gbcs::UtcDateTime;
use gbcs::axdr::Data;
use gbcs::dlms::ResponseSpec;
use gbcs::usecases::reads_inst_common::CLUSTER_PREPAYMENT;
use gbcs::usecases::{ChangeDebt, EsmeDebtUpdate, gcs04, gcs06};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{
    DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, ZCL_DEFAULT_RESPONSE,
    ZCL_HARDWARE_FAILURE, dlms_response, done, gbz, plain_component,
};
use crate::metering::{Channel, Metering};
use crate::prepay::PrepayState;
use crate::reads::InstantaneousConfig;
use crate::reads::instantaneous::RateBlockMatrix;
use crate::state::DeviceFault;
use crate::top_up::TopUpRecord;

/// The debts 2.3 Update Debt sets (amounts in 10⁻⁵ GBP, the unit of the balance and of the debt
/// registers the reads show). Before any update the reads show the configured registers
/// ([`crate::reads::Prepayment::debts`]) and nothing is recovered. From an update on, the
/// time-based debts recover at their rates on the simulated clock, a function of time like the
/// rest of the metering: debt(t) = debt at the update − rate × elapsed / period, never below
/// zero, and the balance pays for what they recover. The payment-based debt is recovered from
/// the payments the meter accepts after the update ([`Self::payment_recovered`]): each top-up
/// (a UTRN, by WAN or keypad, [`crate::top_up::TopUps::accepted`]; 1.5 adjustments are the
/// supplier's corrections of the balance, not payments, and recover nothing) pays `amount ×
/// per_payment / 10000` of itself towards the debt, never more than the debt left nor, within
/// one cap period, more than the debt recovery rate cap ([`Payments`]); only the rest is
/// credit. This is a function of the update and of the accepted top-ups with their times, so
/// no state is added for it.
/// Stored at the end of the body's tail ([`crate::stored`], format 3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtState {
    /// When the debt was last updated (true time, unix seconds); `None`: never.
    pub updated_at: Option<i64>,
    /// Time-based debts 1 and 2 and the payment-based debt at the update.
    pub registers: [i64; 3],
    /// What time-based debts 1 and 2 recover per period.
    pub rates: [i64; 2],
    /// The recovery periods of time-based debts 1 and 2, seconds (0: no recovery).
    pub periods: [u32; 2],
    /// Debt recovery per payment (the payment-based debt's proportion, as written).
    pub per_payment: u16,
    /// What the debts had recovered (from the balance) before the last update: the time-based
    /// debts, and the payment-based debt from the payments (the meter's own
    /// [`DebtState::update_paid`]; [`DebtState::update`] counts no payments).
    pub recovered_before: i64,
}

/// What one update changes: the adjustments to (or, `absolute`, the new values of) the three
/// debts and the time-based debts' recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebtUpdate {
    /// Per debt (time-based 1 and 2, payment-based): `(amount, absolute)`; an absolute amount
    /// replaces the debt, another is added to it (negative: reduces it).
    pub amounts: [(i64, bool); 3],
    /// What time-based debts 1 and 2 recover per period.
    pub rates: [i64; 2],
    /// The recovery periods, seconds.
    pub periods: [u32; 2],
    /// Debt recovery per payment.
    pub per_payment: u16,
}

impl DebtState {
    /// What time-based debt `i` has recovered since the update, at `t`.
    fn recovered_since_update(&self, i: usize, t: i64) -> i64 {
        let (Some(at), Some(reg), Some(rate), Some(period)) = (
            self.updated_at,
            self.registers.get(i),
            self.rates.get(i),
            self.periods.get(i),
        ) else {
            return 0;
        };
        if t <= at || *period == 0 || *rate <= 0 || *reg <= 0 {
            return 0;
        }
        let due = i128::from(*rate) * i128::from(t - at) / i128::from(*period);
        i64::try_from(due.min(i128::from(*reg))).unwrap_or(*reg)
    }

    /// The debt registers at `t` (time-based 1 and 2, payment-based): `configured` before any
    /// update, else the registers at the update less what the time-based debts have recovered
    /// since.
    pub fn registers_at(&self, t: i64, configured: [u32; 3]) -> [i64; 3] {
        if self.updated_at.is_none() {
            return configured.map(i64::from);
        }
        let mut r = self.registers;
        for (i, reg) in r.iter_mut().take(2).enumerate() {
            *reg = reg.saturating_sub(self.recovered_since_update(i, t));
        }
        r
    }

    /// What the time-based debts have recovered from the balance by `t`.
    pub fn recovered(&self, t: i64) -> i64 {
        (0..2).fold(self.recovered_before, |sum, i| {
            sum.saturating_add(self.recovered_since_update(i, t))
        })
    }

    /// Applies `u` at `t`, the registers then being `configured` if never updated (no payments
    /// recovered: [`Self::update_paid`]).
    pub fn update(&mut self, u: &DebtUpdate, t: i64, configured: [u32; 3]) {
        self.update_paid(u, t, configured, &Payments::NONE);
    }

    /// Applies `u` at `t`, the payments `p` having recovered what they did of the payment-based
    /// debt until then.
    pub fn update_paid(&mut self, u: &DebtUpdate, t: i64, configured: [u32; 3], p: &Payments) {
        let now = self.registers_paid(t, configured, p);
        let recovered = self.recovered_paid(t, p);
        let mut registers = [0; 3];
        for ((reg, before), (amount, absolute)) in registers.iter_mut().zip(now).zip(u.amounts) {
            let v = if absolute {
                amount
            } else {
                before.saturating_add(amount)
            };
            *reg = v.max(0);
        }
        *self = Self {
            updated_at: Some(t),
            registers,
            rates: u.rates,
            periods: u.periods,
            per_payment: u.per_payment,
            recovered_before: recovered,
        };
    }

    /// What the payments `p` accepted after the last update and by `t` have recovered of the
    /// payment-based debt. Each payment, in order, pays `amount × per_payment / 10000` (the
    /// proportion as written, at most 10000: the whole payment), but never more than the debt
    /// left, nor more than the cap leaves in its cap period: the periods are consecutive, of
    /// `p.cap_period` seconds, counted from the update (`[update + k·period, update + (k+1)·
    /// period)`; a period of 0 or less: one period from the update on), and what the payments
    /// within one period recover together never exceeds `p.cap` (0 or less: nothing). A
    /// payment accepted in the same second as the update is taken to be before it.
    pub fn payment_recovered(&self, p: &Payments, t: i64) -> i64 {
        let Some(at) = self.updated_at else {
            return 0;
        };
        let debt = self.registers.get(2).copied().unwrap_or(0).max(0);
        let proportion = i128::from(self.per_payment.min(10_000));
        let cap = p.cap.max(0);
        let (mut total, mut period, mut in_period) = (0i64, None, 0i64);
        for r in p.payments.iter().filter(|r| r.at > at && r.at <= t) {
            let k = if p.cap_period > 0 {
                (r.at - at) / p.cap_period
            } else {
                0
            };
            if period != Some(k) {
                period = Some(k);
                in_period = 0;
            }
            let share = i128::from(r.amount.max(0)) * proportion / 10_000;
            let share = i64::try_from(share).unwrap_or(i64::MAX);
            let take = share
                .min(debt.saturating_sub(total))
                .min(cap.saturating_sub(in_period))
                .max(0);
            total = total.saturating_add(take);
            in_period = in_period.saturating_add(take);
        }
        total
    }

    /// The debt registers at `t` ([`Self::registers_at`]) with the payment-based debt less what
    /// the payments `p` have recovered of it since the update.
    pub fn registers_paid(&self, t: i64, configured: [u32; 3], p: &Payments) -> [i64; 3] {
        let mut r = self.registers_at(t, configured);
        if let Some(reg) = r.get_mut(2) {
            *reg = reg.saturating_sub(self.payment_recovered(p, t));
        }
        r
    }

    /// What the debts have recovered from the balance by `t`: the time-based debts
    /// ([`Self::recovered`]) and the payment-based debt from the payments `p`.
    pub fn recovered_paid(&self, t: i64, p: &Payments) -> i64 {
        self.recovered(t)
            .saturating_add(self.payment_recovered(p, t))
    }
}

/// The payments the payment-based debt is recovered from, and the debt recovery rate cap.
///
/// The cap is in the unit of the debt registers and the balance (10⁻⁵ GBP), as the meter holds
/// it and 4.13 reads it back (ECS26a's account `max_provision`, GCS21b's ZSE Overall Debt Cap),
/// the DUIS value unchanged. The RTDS vectors do not settle the unit: 2.1's ESME request writes
/// 30 (an `xs:unsignedShort`, so at most 65 535, about £0.66, in this unit) beside debts and
/// credit limits of hundreds of thousands, the GSME's 100 000 (£1); the emulation takes them at
/// face value. The ESME's cap period is the account's `max_provision_period` (ECS08 writes
/// 604 800 s, a week); the GSME's ZSE Overall Debt Cap has no period of its own, and the
/// emulation takes a week likewise. The cap limits the payment-based recovery only: the
/// time-based debts recover at the rates 2.3 sets.
#[derive(Debug, Clone, Copy)]
pub struct Payments<'a> {
    /// The accepted top-ups, in time order.
    pub payments: &'a [TopUpRecord],
    /// The most the payments recover within one cap period (10⁻⁵ GBP).
    pub cap: i64,
    /// The cap period, seconds.
    pub cap_period: i64,
}

impl Payments<'_> {
    /// No payments.
    pub const NONE: Payments<'static> = Payments {
        payments: &[],
        cap: 0,
        cap_period: 0,
    };
}

/// The payment state commands change (defaults on a fresh device, and for state stored before
/// it existed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentState {
    /// When the emergency credit was activated (true time, unix seconds); `None`: not activated.
    #[serde(default)]
    pub emergency_credit_activated_at: Option<i64>,
    /// When the tariff block counter matrix was last reset (true time, unix seconds); `None`:
    /// never (the counters count from installation).
    #[serde(default)]
    pub block_counters_reset_at: Option<i64>,
}

impl InstantaneousConfig {
    /// Credit remaining and emergency credit remaining at `t` for a meter measuring `ch` whose
    /// emergency credit was activated at `activated_at` (10⁻⁵ GBP). The credit remaining is the
    /// meter balance while positive. The emergency credit remaining is zero until the
    /// activation; from then on, the limit less what the consumption has drawn from it since
    /// the activation once the balance went below zero (below the balance at the activation, if
    /// the credit had already run out then), and never below zero.
    /// `limit` is the emergency credit limit.
    pub fn credits(
        &self,
        m: &Metering,
        ch: Channel,
        t: i64,
        activated_at: Option<i64>,
        limit: i64,
    ) -> (i64, i64) {
        self.credits_with_debt(
            m,
            ch,
            t,
            (activated_at, limit),
            &DebtState::default(),
            &PrepayState::default(),
        )
    }

    /// The meter balance at `t` once the time-based debts of `debt` have been paid from it and
    /// the credit `added` by then ([`crate::prepay`]: 1.5 adjustments, top-ups) counted (no
    /// payments recovering the payment-based debt: [`Self::balance_paid`]).
    pub fn balance_with_debt(
        &self,
        m: &Metering,
        ch: Channel,
        t: i64,
        debt: &DebtState,
        added: &PrepayState,
    ) -> i64 {
        self.balance_paid(m, ch, t, (debt, &Payments::NONE), added)
    }

    /// [`Self::balance_with_debt`] with what the payments `debt.1` recovered of the payment-based
    /// debt taken from the credit they added: only the rest of each payment is credit.
    pub fn balance_paid(
        &self,
        m: &Metering,
        ch: Channel,
        t: i64,
        debt: (&DebtState, &Payments),
        added: &PrepayState,
    ) -> i64 {
        let (debt, payments) = debt;
        self.meter_balance(m, ch, t)
            .saturating_sub(debt.recovered_paid(t, payments))
            .saturating_add(added.added_by(t))
    }

    /// [`Self::credits`] over the balance the time-based debts of `debt` are paid from, with
    /// the credit `added`; `emergency` is the activation and the limit.
    pub fn credits_with_debt(
        &self,
        m: &Metering,
        ch: Channel,
        t: i64,
        emergency: (Option<i64>, i64),
        debt: &DebtState,
        added: &PrepayState,
    ) -> (i64, i64) {
        self.credits_paid(m, ch, t, emergency, (debt, &Payments::NONE), added)
    }

    /// [`Self::credits_with_debt`] over [`Self::balance_paid`].
    pub fn credits_paid(
        &self,
        m: &Metering,
        ch: Channel,
        t: i64,
        emergency: (Option<i64>, i64),
        debt: (&DebtState, &Payments),
        added: &PrepayState,
    ) -> (i64, i64) {
        let balance = self.balance_paid(m, ch, t, debt, added);
        let credit = balance.max(0);
        let (activated_at, limit) = emergency;
        match activated_at {
            Some(at) if at <= t => {
                let floor = self.balance_paid(m, ch, at, debt, added).min(0);
                let drawn = floor.saturating_sub(balance).max(0);
                (credit, limit.saturating_sub(drawn).max(0))
            }
            _ => (credit, 0),
        }
    }
}

impl InstantaneousConfig {
    /// The tariff block counter matrix at `t` (TOU rate × block, as
    /// [`InstantaneousConfig::rate_block_matrix`]) counted from the last reset at `reset_at`
    /// (`None`, or a reset after `t`: from installation): the matrix at `t` less the matrix at
    /// the reset, cell by cell, so that the counters read zero at the reset and advance with
    /// the consumption since, each unit in the rate and block it falls in.
    pub fn block_counter_matrix(
        &self,
        m: &Metering,
        ch: Channel,
        t: i64,
        rates: usize,
        reset_at: Option<i64>,
    ) -> RateBlockMatrix {
        let mut now = self.rate_block_matrix(m, ch, t, rates);
        if let Some(at) = reset_at.filter(|at| *at <= t) {
            let then = self.rate_block_matrix(m, ch, at, rates);
            for (row, before) in now.iter_mut().zip(&then) {
                for (cell, b) in row.iter_mut().zip(before) {
                    *cell = cell.saturating_sub(*b);
                }
            }
        }
        now
    }
}

impl EmulatedDevice {
    /// Activates the emergency credit at `now` (true time); an emergency credit already active
    /// stays active from when it was activated. `false` (nothing changed) for a device whose
    /// emergency credit cannot be activated ([`DeviceFault::EmergencyCredit`]).
    fn activate_emergency_credit(&mut self, now: UtcDateTime) -> bool {
        if self.state.has_fault(DeviceFault::EmergencyCredit) {
            return false;
        }
        let p = &mut self.state.payment;
        if p.emergency_credit_activated_at.is_none() {
            p.emergency_credit_activated_at = Some(now.to_unix());
        }
        true
    }

    /// ECS05: the tariffication script table's block counter reset: the counters restart from
    /// zero now (`success`), or `hardware-fault` and nothing changes when they cannot be reset
    /// ([`DeviceFault::BlockCounterReset`], the RTDS ERROR vector).
    pub(crate) fn ecs05(&mut self, counter: u64, now: UtcDateTime) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::BlockCounterReset);
        if works {
            self.state.payment.block_counters_reset_at = Some(now.to_unix());
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(counter, vec![Data::Null], vec![ResponseSpec::Action(code)]),
            works,
        )
    }

    /// ECS09: the emergency credit's `invoke_credit` action: `success`, or `hardware-fault`
    /// when it cannot be activated (the RTDS ERROR vector).
    pub(crate) fn ecs09(&mut self, counter: u64, now: UtcDateTime) -> Option<Execution> {
        let works = self.activate_emergency_credit(now);
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(counter, vec![Data::Null], vec![ResponseSpec::Action(code)]),
            works,
        )
    }

    /// GCS06: a ZCL Default Response to Select Available Emergency Credit: SUCCESS, or
    /// HARDWARE_FAILURE when it cannot be activated (the RTDS ERROR vector).
    pub(crate) fn gcs06(&mut self, now: UtcDateTime) -> Option<Execution> {
        let works = self.activate_emergency_credit(now);
        let status = if works { 0x00 } else { ZCL_HARDWARE_FAILURE };
        let comp = plain_component(
            CLUSTER_PREPAYMENT,
            0,
            ZCL_DEFAULT_RESPONSE,
            vec![gcs06::SELECT_AVAILABLE_EMERGENCY_CREDIT, status],
            true,
        );
        done(gbz(vec![comp])?, works)
    }

    /// The payments the payment-based debt is recovered from (the accepted top-ups) and the
    /// debt recovery rate cap ([`crate::prepay::PrepayLimits`]).
    pub(crate) fn payments(&self) -> Payments<'_> {
        let l = self.prepay_limits();
        Payments {
            payments: &self.state.top_ups.accepted,
            cap: l.debt_recovery_cap,
            cap_period: l.debt_recovery_cap_period,
        }
    }

    /// The meter balance at `t` (true time), the debts paid from it: the time-based debts'
    /// recovery and the payment-based debt's share of each payment.
    pub(crate) fn balance_at(&self, ch: Channel, t: i64) -> i64 {
        self.cfg().balance_paid(
            &self.state.metering,
            ch,
            t,
            (&self.state.debt, &self.payments()),
            &self.state.prepay,
        )
    }

    /// Credit and emergency credit remaining at `t` (true time).
    pub(crate) fn credits_at(&self, ch: Channel, t: i64) -> (i64, i64) {
        self.cfg().credits_paid(
            &self.state.metering,
            ch,
            t,
            (
                self.state.payment.emergency_credit_activated_at,
                self.prepay_limits().emergency_credit_limit,
            ),
            (&self.state.debt, &self.payments()),
            &self.state.prepay,
        )
    }

    /// The debt registers at `t` (true time): time-based debts 1 and 2, payment-based debt (less
    /// what the payments since the update recovered).
    pub(crate) fn debts_at(&self, t: i64) -> [i64; 3] {
        self.state
            .debt
            .registers_paid(t, self.cfg().prepayment.debts, &self.payments())
    }

    /// What the payment-based debt would take of a payment of `amount` accepted at `t`.
    pub(crate) fn payment_share(&self, amount: i64, t: i64) -> i64 {
        let p = self.payments();
        let mut with: Vec<TopUpRecord> = p.payments.iter().filter(|r| r.at <= t).copied().collect();
        with.push(TopUpRecord {
            at: t,
            amount,
            counter: 0,
            source: crate::top_up::TopUpSource::Remote,
        });
        let debt = &self.state.debt;
        let after = debt.payment_recovered(
            &Payments {
                payments: &with,
                ..p
            },
            t,
        );
        after.saturating_sub(debt.payment_recovered(&p, t))
    }

    fn update_debt(&mut self, u: &DebtUpdate, now: UtcDateTime) {
        let configured = self.cfg().prepayment.debts;
        let mut debt = self.state.debt.clone();
        debt.update_paid(u, now.to_unix(), configured, &self.payments());
        self.state.debt = debt;
    }

    /// ECS07: the debts change (each adjusted by its signed amount) and the time-based debts
    /// recover at the new rates from now; every request answers `success`. A device whose debt
    /// cannot be updated ([`DeviceFault::Debt`]) answers as the RTDS ERROR vector (the fourth
    /// adjustment hardware-fault, the last not executed) and nothing changes.
    pub(crate) fn ecs07(
        &mut self,
        counter: u64,
        u: &EsmeDebtUpdate,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::Debt);
        if works {
            let rates =
                [0, 1].map(|i| scaled_rate(u.time_debt_rates[i], u.time_debt_price_scales[i]));
            let [a1, a2] = u.time_debt_adjustments;
            self.update_debt(
                &DebtUpdate {
                    amounts: [
                        (i64::from(a1), false),
                        (i64::from(a2), false),
                        (i64::from(u.payment_debt_adjustment), false),
                    ],
                    rates,
                    periods: u.time_debt_periods,
                    per_payment: u.debt_recovery_per_payment,
                },
                now,
            );
        }
        let mut results: Vec<ResponseSpec> =
            (0..5).map(|_| ResponseSpec::Set(DLMS_SUCCESS)).collect();
        results.extend((0..3).map(|_| ResponseSpec::Action(DLMS_SUCCESS)));
        if works {
            results.extend([
                ResponseSpec::Action(DLMS_SUCCESS),
                ResponseSpec::Action(DLMS_SUCCESS),
            ]);
        } else {
            results.extend([
                ResponseSpec::Action(DLMS_FAILURE),
                ResponseSpec::Action(DLMS_NOT_EXECUTED),
            ]);
        }
        let data = results.iter().map(|_| Data::Null).collect();
        done(dlms_response(counter, data, results), works)
    }

    /// GCS04: each Change Debt sets (absolute amount type) or adjusts (incremental) its debt;
    /// the time-based debts recover their recovery amount per hour, day or week from now, and
    /// the payment-based debt's balance percentage is the debt recovery per payment. Each
    /// command answers a Default Response SUCCESS. A command naming another debt's amount type
    /// or another frequency is refused INVALID_VALUE, as is a faulty device's second one
    /// HARDWARE_FAILURE ([`DeviceFault::Debt`], the RTDS ERROR vector); the commands after the
    /// refused one answer not executed and nothing changes.
    pub(crate) fn gcs04(
        &mut self,
        debts: &[ChangeDebt; gcs04::DEBTS],
        now: UtcDateTime,
    ) -> Option<Execution> {
        let refused = if self.state.has_fault(DeviceFault::Debt) {
            Some((1, ZCL_HARDWARE_FAILURE))
        } else {
            gsme_debt_update(debts)
                .err()
                .map(|i| (i, ZCL_INVALID_VALUE))
        };
        if refused.is_none()
            && let Ok(u) = gsme_debt_update(debts)
        {
            self.update_debt(&u, now);
        }
        let comps = (0u8..)
            .zip(debts)
            .map(|(seq, _)| {
                let payload = match refused {
                    Some((i, status)) if usize::from(seq) == i => vec![gcs04::CHANGE_DEBT, status],
                    Some((i, _)) if usize::from(seq) > i => {
                        vec![ZCL_NOT_EXECUTED_COMMAND, ZCL_FAILURE]
                    }
                    _ => vec![gcs04::CHANGE_DEBT, 0x00],
                };
                let last = usize::from(seq) + 1 == gcs04::DEBTS;
                plain_component(CLUSTER_PREPAYMENT, seq, ZCL_DEFAULT_RESPONSE, payload, last)
            })
            .collect();
        done(gbz(comps)?, refused.is_none())
    }
}

/// ZCL status: FAILURE (commands not executed after a refused one).
const ZCL_FAILURE: u8 = 0x01;
/// ZCL status: INVALID_VALUE.
const ZCL_INVALID_VALUE: u8 = 0x87;
/// The command id a Default Response names for a command not executed (the RTDS ERROR vector).
const ZCL_NOT_EXECUTED_COMMAND: u8 = 0xFF;
/// ZSE Debt Recovery Frequency → period (seconds): per hour, per day, per week.
const GSME_PERIODS: [u32; 3] = [3_600, 86_400, 604_800];

/// An ESME recovery rate `rate` × 10^`scale` (currency units) in 10⁻⁵ GBP, saturating.
fn scaled_rate(rate: i16, scale: i8) -> i64 {
    let exp = i32::from(scale) + 5;
    let r = i128::from(rate);
    let v = if exp >= 0 {
        10i128
            .checked_pow(exp.unsigned_abs())
            .and_then(|p| r.checked_mul(p))
            .unwrap_or(if r < 0 { i128::MIN } else { i128::MAX })
    } else {
        10i128.checked_pow(exp.unsigned_abs()).map_or(0, |p| r / p)
    };
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// The update three Change Debt commands carry, or the index of the first that is not one of
/// the GSME's: its amount type must be its debt's (ZSE: `2 × debt` absolute, `2 × debt + 1`
/// incremental) and a time-based debt's frequency per hour, day or week.
fn gsme_debt_update(debts: &[ChangeDebt; gcs04::DEBTS]) -> Result<DebtUpdate, usize> {
    let mut amounts = [(0, false); 3];
    let mut rates = [0; 2];
    let mut periods = [0; 2];
    for (i, d) in debts.iter().enumerate() {
        let absolute = match usize::from(d.amount_type).checked_sub(2 * i) {
            Some(0) => true,
            Some(1) => false,
            _ => return Err(i),
        };
        let amount = if absolute {
            i64::from(d.amount)
        } else {
            i64::from(i32::from_le_bytes(d.amount.to_le_bytes()))
        };
        if let Some(a) = amounts.get_mut(i) {
            *a = (amount, absolute);
        }
        if let (Some(rate), Some(period)) = (rates.get_mut(i), periods.get_mut(i)) {
            *period = *GSME_PERIODS.get(usize::from(d.frequency)).ok_or(i)?;
            *rate = i64::from(d.recovery_amount);
        }
    }
    let [_, _, payment] = debts;
    Ok(DebtUpdate {
        amounts,
        rates,
        periods,
        per_payment: payment.balance_percentage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_420_070_400; // 2015-01-01T00:00:00Z
    const DAY: i64 = 86_400;

    fn total(mx: &RateBlockMatrix) -> u64 {
        mx.iter().flatten().sum()
    }

    /// After a reset the counters read zero, then count exactly the consumption since, each
    /// cell never below zero; without a reset (or before it) they are the whole matrix.
    #[test]
    fn block_counters_count_from_the_last_reset() {
        let m = Metering::new(T0, Some(T0));
        let c = InstantaneousConfig::default();
        let ch = Channel::ActiveImport;
        let at = T0 + DAY + DAY / 2;
        assert_eq!(
            c.block_counter_matrix(&m, ch, at + 600, 8, None),
            c.rate_block_matrix(&m, ch, at + 600, 8)
        );
        assert_eq!(
            c.block_counter_matrix(&m, ch, at - 1, 8, Some(at)),
            c.rate_block_matrix(&m, ch, at - 1, 8),
            "a reset still to come changes nothing"
        );
        assert_eq!(total(&c.block_counter_matrix(&m, ch, at, 8, Some(at))), 0);
        for t in [at + 1800, at + DAY, at + 3 * DAY] {
            let mx = c.block_counter_matrix(&m, ch, t, 8, Some(at));
            assert_eq!(total(&mx), m.consumed(ch, at, t), "{t}");
            assert!(total(&mx) > 0);
        }
    }
}
