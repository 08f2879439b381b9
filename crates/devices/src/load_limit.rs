//! What the ESME does when a load limit event occurs (DUIS 6.4.1 configures it, 4.15 reads
//! it): import power over the load limit power threshold for the load limit period
//! ([`crate::reads::InstantaneousConfig::next_load_limit_event`], the same runs the load limit
//! counter counts, [`crate::reads::InstantaneousConfig::load_limit_events`]).
//!
//! The meter holds the next event on its clock ([`crate::future::FutureAction::LoadLimitEvent`]:
//! no command, no outcome alert), held again after every command it executes and every held
//! instruction it runs, as the next prepayment event is (`crate::prepay`). When one falls due and the demand is still as
//! predicted, the meter:
//!
//! * raises `0x8F01` *Active Power Import above Load Limit Threshold* to the supplier (logged;
//!   the event is counted whatever the configuration);
//! * if the load limit supply state is `Disable` (6.4.1 ECS28a,
//!   [`crate::config::limits::LimitsConfig::load_limit_disables_supply`]) and the supply is
//!   enabled: disables the supply and arms it (the consumption stops; the consumer's button or
//!   a remote 7.x enable restores it), both changes in the event log, and raises `0x8F33`
//!   *Supply Disabled then Armed - Load Limit triggered*.
//!
//! * when the supply was armed so, holds the end of the load limit restoration period (the
//!   demand is nil, under the threshold, from the disablement on): if the supply is still armed
//!   then (neither the consumer's button nor a remote command moved it), the meter enables it
//!   and raises `0x8F34` *Supply Enabled after Load Limit Restoration Period (Load Limit
//!   triggered)*. A new event, if the demand is still over the threshold for the load limit
//!   period, disables and arms it again.
//!
//! An armed supply is taken to be enabled from now on when the next event is looked for (the
//! consumer may press the button at any time, and the press goes to the stored state, not
//! through the device); when such an event falls due, the meter looks again.

use gbcs::{AlertCode, UtcDateTime};

use crate::device::EmulatedDevice;
use crate::future::FutureAction;
use crate::kind::DeviceKind;
use crate::state::SupplyState;

/// GBCS alert: Active Power Import above Load Limit Threshold.
pub const ALERT_LOAD_LIMIT: AlertCode = AlertCode(0x8F01);
/// GBCS alert: Supply Disabled then Armed - Load Limit triggered.
pub const ALERT_LOAD_LIMIT_SUPPLY_ARMED: AlertCode = AlertCode(0x8F33);
/// GBCS alert: Supply Enabled after Load Limit Restoration Period (Load Limit triggered).
pub const ALERT_LOAD_LIMIT_SUPPLY_RESTORED: AlertCode = AlertCode(0x8F34);

impl EmulatedDevice {
    /// When the next load limit event occurs after true time `t` as things stand (an armed
    /// supply taken to be enabled from `t`).
    fn next_load_limit_event(&self, t: i64) -> Option<i64> {
        if self.kind() != DeviceKind::Esme {
            return None;
        }
        let c = &self.state.instantaneous;
        if self.state.supply == SupplyState::Armed && self.state.power_outage_since.is_none() {
            let mut m = self.state.metering.clone();
            m.set_flowing(true, t);
            return c.next_load_limit_event(&m, t);
        }
        c.next_load_limit_event(&self.state.metering, t)
    }

    /// Holds the next load limit event (replacing the one held): after every command and tick.
    pub(crate) fn load_limit_refresh(&mut self, now: UtcDateTime) {
        self.state
            .future_actions
            .retain(|a| a.action != FutureAction::LoadLimitEvent);
        if let Some(at) = self.next_load_limit_event(now.to_unix()) {
            let offset = self.state.clock_offset_secs;
            self.hold_own(at.saturating_add(offset), FutureAction::LoadLimitEvent);
        }
    }

    /// A held load limit event falls due at true time `at`: if the demand (as it really is,
    /// the supply as it is) makes an event then, it is alerted, and the supply disabled and
    /// armed when so configured. Returns the alerts raised.
    pub(crate) fn load_limit_due(&mut self, at: UtcDateTime) -> Vec<Vec<u8>> {
        let t = at.to_unix();
        let real = self
            .state
            .instantaneous
            .next_load_limit_event(&self.state.metering, t - 1);
        if real != Some(t) {
            return Vec::new();
        }
        let mut codes = vec![ALERT_LOAD_LIMIT];
        if self.state.config.limits.load_limit_disables_supply
            && self.state.supply == SupplyState::Enabled
        {
            self.set_supply(SupplyState::Disabled, at);
            self.set_supply(SupplyState::Armed, at);
            codes.push(ALERT_LOAD_LIMIT_SUPPLY_ARMED);
            let restore = self.device_time(at).to_unix().saturating_add(i64::from(
                self.state.instantaneous.load_limit.min_under_secs,
            ));
            self.state
                .future_actions
                .retain(|a| a.action != FutureAction::LoadLimitRestore);
            self.hold_own(restore, FutureAction::LoadLimitRestore);
        }
        codes
            .into_iter()
            .filter_map(|c| self.security_alert(c, at))
            .collect()
    }

    /// The load limit restoration period after a load limit event ends at true time `at`: the
    /// supply, if still armed, enabled again (`0x8F34`, logged, to the supplier). Returns the
    /// alerts raised.
    pub(crate) fn load_limit_restore_due(&mut self, at: UtcDateTime) -> Vec<Vec<u8>> {
        if self.state.supply != SupplyState::Armed {
            return Vec::new();
        }
        self.set_supply(SupplyState::Enabled, at);
        self.security_alert(ALERT_LOAD_LIMIT_SUPPLY_RESTORED, at)
            .into_iter()
            .collect()
    }
}
