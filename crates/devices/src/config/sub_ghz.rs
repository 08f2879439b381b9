//! A dual-band Communications Hub's sub-GHz configuration (DUIS 6.28–6.32): whether the hub is
//! dual band at all (a property of its model: a single-band hub answers the DBCH use cases as
//! unsupported), the configuration DBCH04 sets and DBCH03 reads (the manufacturer's, the RTDS
//! 6.30 answer, until one is set), the operating channel DBCH01 reads (page 28 channel 0 until
//! it changes) and the channel log DBCH02 reads. The hub leaves a channel the configuration
//! masks for the first one it allows, and a channel scan (DBCH05) moves it to the next allowed
//! channel; each change is logged (the last [`CHANNEL_LOG_CAPACITY`]).

use gbcs::usecases::dbch02::{CHANNEL_CHANGED, ChannelLogPeriod};
use gbcs::usecases::{ChannelLogEntry, ChannelPage, SubGhzChannel, SubGhzConfiguration};
use serde::{Deserialize, Serialize};

/// How many channel changes the log keeps.
pub const CHANNEL_LOG_CAPACITY: usize = 100;

/// The DUIS `ChannelChangeReason` index of a change a remote party's command caused.
pub const REASON_REMOTE_PARTY_COMMAND: u8 = 0;

/// The manufacturer's configuration (the RTDS 6.30 answer): channels 0 and 1 of each page,
/// 1.25 %, 2.00 %, 4 changes a week, curfew 6, thresholds 6 and 10, 50.50 % over 125 periods,
/// 90, 50.00 %, 30.00 %.
pub const MANUFACTURER_CONFIGURATION: SubGhzConfiguration = SubGhzConfiguration {
    lower_band_0_26: 0b11,
    lower_band_27_34: 0b11,
    lower_band_35_61: 0b11,
    upper_band_0_26: 0b11,
    normal_limited_duty_cycle: 125,
    limited_critical_duty_cycle: 200,
    max_channel_changes_per_week: 4,
    gsme_curfew: 6,
    channel_quieter_threshold: 6,
    channel_noisier_threshold: 10,
    non_gsme_poor_comms_percentage: 5050,
    non_gsme_poor_comms_periods: 125,
    local_ch_noise_period: 90,
    local_ch_failure_percentage: 5000,
    local_ch_retry_percentage: 3000,
};

/// One change of the operating channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelChange {
    /// When (device time, ZigBee UTC seconds).
    pub time: u32,
    /// The channel moved to, as its one-channel mask word.
    pub channel_word: u32,
    /// Why (DUIS `ChannelChangeReason` index).
    pub reason: u8,
}

/// A dual-band Communications Hub's sub-GHz configuration (DUIS 6.28–6.32).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubGhzState {
    /// Whether the hub is dual band (its model's property; false: the DBCH use cases are not
    /// supported).
    pub dual_band: bool,
    /// The configuration set by DBCH04 (`None`: [`MANUFACTURER_CONFIGURATION`]).
    pub configuration: Option<SubGhzConfiguration>,
    /// The operating channel's mask word (`None`: page 28 channel 0).
    pub channel_word: Option<u32>,
    /// The channel changes, oldest first.
    pub log: Vec<ChannelChange>,
}

/// Every channel, in the order a hub tries them (lower band first).
fn all_channels() -> impl Iterator<Item = SubGhzChannel> {
    ChannelPage::ALL.into_iter().flat_map(|p| {
        (p.first_channel()..p.first_channel() + p.channels())
            .filter_map(move |c| SubGhzChannel::new(p, c))
    })
}

/// Whether `config` allows `channel`.
pub fn allows(config: &SubGhzConfiguration, channel: SubGhzChannel) -> bool {
    config.mask(channel.page) & (1 << (channel.channel - channel.page.first_channel())) != 0
}

impl SubGhzState {
    /// A dual-band hub's state as installed.
    pub fn dual_band() -> Self {
        Self {
            dual_band: true,
            ..Self::default()
        }
    }

    /// The configuration in force.
    pub fn configuration(&self) -> SubGhzConfiguration {
        self.configuration.unwrap_or(MANUFACTURER_CONFIGURATION)
    }

    /// The operating channel.
    pub fn channel(&self) -> SubGhzChannel {
        self.channel_word
            .and_then(SubGhzChannel::of_word)
            .unwrap_or(SubGhzChannel {
                page: ChannelPage::Lower0To26,
                channel: 0,
            })
    }

    fn move_to(&mut self, channel: SubGhzChannel, time: u32) {
        if channel == self.channel() {
            return;
        }
        self.channel_word = Some(channel.word());
        if self.log.len() >= CHANNEL_LOG_CAPACITY {
            self.log.remove(0);
        }
        self.log.push(ChannelChange {
            time,
            channel_word: channel.word(),
            reason: REASON_REMOTE_PARTY_COMMAND,
        });
    }

    /// DBCH04: the configuration is set; a hub on a channel it now masks moves to the first it
    /// allows (and stays where it is if it allows none).
    pub fn set_configuration(&mut self, config: SubGhzConfiguration, time: u32) {
        self.configuration = Some(config);
        if !allows(&config, self.channel())
            && let Some(c) = all_channels().find(|c| allows(&config, *c))
        {
            self.move_to(c, time);
        }
    }

    /// DBCH05: a channel scan moves the hub to the next channel its configuration allows
    /// (after the current one, round), if there is another.
    pub fn scan(&mut self, time: u32) {
        let config = self.configuration();
        let current = self.channel();
        let allowed: Vec<SubGhzChannel> = all_channels().filter(|c| allows(&config, *c)).collect();
        let next = allowed
            .iter()
            .position(|c| *c == current)
            .map_or(allowed.first(), |i| allowed.get((i + 1) % allowed.len()));
        if let Some(&c) = next {
            self.move_to(c, time);
        }
    }

    /// DBCH02: the log entries in `period`.
    pub fn log_in(&self, period: ChannelLogPeriod) -> Vec<ChannelLogEntry> {
        self.log
            .iter()
            .filter(|e| (period.from..=period.to).contains(&e.time))
            .filter_map(|e| {
                Some(ChannelLogEntry {
                    time: e.time,
                    event: CHANNEL_CHANGED,
                    channel: SubGhzChannel::of_word(e.channel_word)?,
                    reason: e.reason,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_channel_is_left_and_a_scan_moves_on() {
        let mut s = SubGhzState::dual_band();
        assert_eq!(
            s.channel().word(),
            0xE000_0001,
            "page 28 channel 0, the RTDS 6.31 answer"
        );
        s.scan(10);
        assert_eq!(s.channel().word(), 0xE000_0002, "channel 1 is next");
        s.scan(20);
        assert_eq!(s.channel().word(), 0xE800_0001, "then page 29's first");
        // Only channel 36 allowed.
        let only_36 = SubGhzConfiguration {
            lower_band_0_26: 0,
            lower_band_27_34: 0,
            lower_band_35_61: 0b10,
            upper_band_0_26: 0,
            ..MANUFACTURER_CONFIGURATION
        };
        s.set_configuration(only_36, 30);
        assert_eq!(s.channel().word(), 0xF000_0002);
        s.scan(40);
        assert_eq!(
            s.log.len(),
            3,
            "a scan with nowhere else to go changes nothing"
        );
        let p = ChannelLogPeriod { from: 15, to: 30 };
        let e = s.log_in(p);
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].channel.channel, 36);
    }
}
