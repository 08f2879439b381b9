//! The meter's payment state that commands change (families 1 and 2): 1.7 Reset Tariff Block
//! Counter Matrix (ECS05 on the ESME), 2.5 Activate Emergency Credit (ECS09 on the ESME, GCS06
//! on the GSME).
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
use gbcs::usecases::gcs06;
use gbcs::usecases::reads_inst_common::CLUSTER_PREPAYMENT;
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{
    DLMS_FAILURE, DLMS_SUCCESS, Execution, ZCL_DEFAULT_RESPONSE, ZCL_HARDWARE_FAILURE,
    dlms_response, done, gbz, plain_component,
};
use crate::metering::{Channel, Metering};
use crate::reads::InstantaneousConfig;
use crate::reads::instantaneous::RateBlockMatrix;
use crate::state::DeviceFault;

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
    pub fn credits(
        &self,
        m: &Metering,
        ch: Channel,
        t: i64,
        activated_at: Option<i64>,
    ) -> (i64, i64) {
        let balance = self.meter_balance(m, ch, t);
        let credit = balance.max(0);
        match activated_at {
            Some(at) if at <= t => {
                let limit = i64::from(self.prepayment.emergency_credit_limit);
                let floor = self.meter_balance(m, ch, at).min(0);
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
