//! What a meter measures, as a deterministic function of true time.
//!
//! A meter's registers are never stored as running totals that something must keep
//! incrementing: [`Metering::register`] computes any register at any true time `t` (unix
//! seconds, the past included) from
//!
//! * the device's consumption characteristics: an average rate per channel (Wh, varh or litres
//!   per hour) shaped over the day by a fixed half-hourly load shape ([`IMPORT_SHAPE`] for
//!   import and gas, [`EXPORT_SHAPE`], daylight generation, for export), and
//! * the flow history: the intervals during which energy flowed (supply enabled and the device
//!   powered), kept as closed intervals plus the running one.
//!
//! So reads, half-hourly profiles and daily logs all come from the same numbers: a half-hour's
//! profile entry is `register(end) − register(start)`, a daily log entry is the register at
//! midnight, and none of them changes once the time has passed. The state stays small: only a
//! change of supply or power adds an interval, and intervals older than [`HISTORY_DAYS`] (or
//! beyond [`HISTORY_INTERVALS`]) are folded into the register bases, which bounds how far back
//! [`Metering::register`] is exact ([`Metering::exact_since`]); logs and profiles reach less far.
//!
//! Rates are the device's characteristics, fixed for its life: changing one (tests do) restates
//! the whole unfolded history at the new rate.

use serde::{Deserialize, Serialize};

/// What a register measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// Active energy imported, Wh.
    ActiveImport,
    /// Reactive energy imported, varh.
    ReactiveImport,
    /// Active energy exported (generation), Wh.
    ActiveExport,
    /// Reactive energy exported, varh.
    ReactiveExport,
    /// Gas volume, litres (dm³).
    GasVolume,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 5] = [
        Channel::ActiveImport,
        Channel::ReactiveImport,
        Channel::ActiveExport,
        Channel::ReactiveExport,
        Channel::GasVolume,
    ];

    /// The half-hourly shape the channel follows.
    pub fn shape(self) -> &'static [u16; 48] {
        match self {
            Channel::ActiveExport | Channel::ReactiveExport => &EXPORT_SHAPE,
            _ => &IMPORT_SHAPE,
        }
    }
}

/// How a domestic load is spread over the day: the weight of each half hour from 00:00 UTC, in
/// thousandths of the daily average (the 48 weights sum to 48,000, so a whole day at rate `r`
/// per hour gives exactly `24 r`). Low overnight, a morning and a larger evening peak.
pub const IMPORT_SHAPE: [u16; 48] = [
    600, 550, 500, 480, 450, 450, 450, 450, 450, 450, 480, 520, // 00:00-05:30
    650, 900, 1300, 1500, 1400, 1200, 1000, 950, 900, 900, 950, 1000, // 06:00-11:30
    1050, 1000, 950, 900, 900, 950, 1000, 1100, 1300, 1600, 1700, 1900, // 12:00-17:30
    1900, 1800, 1600, 1500, 1370, 1300, 1200, 1100, 1000, 900, 800, 700, // 18:00-23:30
];

/// Generation over the day (small rooftop PV, an equinox day): nothing at night, a midday peak.
/// Sums to 48,000 like [`IMPORT_SHAPE`].
pub const EXPORT_SHAPE: [u16; 48] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 00:00-05:30
    0, 170, 430, 780, 1220, 1740, 2260, 2780, 3220, 3570, 3830, 4000, // 06:00-11:30
    4000, 3830, 3570, 3220, 2780, 2260, 1740, 1220, 780, 430, 170, 0, // 12:00-17:30
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 18:00-23:30
];

/// Seconds in a half hour.
const HALF_HOUR: i64 = 1800;
/// Seconds in a day.
const DAY: i64 = 86_400;

/// How long the flow history is kept exactly, days (a daily read log of 731 days fits).
pub const HISTORY_DAYS: i64 = 800;
/// At most this many closed flow intervals are kept; older ones are folded into the bases.
pub const HISTORY_INTERVALS: usize = 512;

/// The prefix sums of a shape: `prefix[k]` = weight-seconds from 00:00 to the start of slot `k`.
fn shape_prefix(shape: &[u16; 48], k: usize) -> u64 {
    shape[..k].iter().map(|&w| u64::from(w)).sum::<u64>() * HALF_HOUR as u64
}

/// Weight-seconds (thousandths × seconds) of `shape` from the epoch to `t`; `t` before the epoch
/// counts as the epoch. A whole day is 86,400,000.
fn weighted(shape: &[u16; 48], t: i64) -> u128 {
    let t = t.max(0);
    let days = t.div_euclid(DAY);
    let secs = t.rem_euclid(DAY);
    let slot = usize::try_from(secs / HALF_HOUR).unwrap_or(47).min(47);
    let into = u64::try_from(secs - slot as i64 * HALF_HOUR).unwrap_or(0);
    let day_total: u128 = 86_400_000;
    u128::from(u64::try_from(days).unwrap_or(0)) * day_total
        + u128::from(shape_prefix(shape, slot))
        + u128::from(shape[slot]) * u128::from(into)
}

/// A closed interval of true time during which energy flowed, `[from, to)`, unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FlowInterval {
    /// Start, unix seconds.
    pub from: i64,
    /// End, unix seconds.
    pub to: i64,
}

fn default_export_rate() -> u32 {
    100
}

fn default_reactive_export_rate() -> u32 {
    10
}

/// A meter's registers and their deterministic advance (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metering {
    /// Active import energy before any unfolded flow, Wh.
    pub base_active_import_wh: u64,
    /// Reactive import energy before any unfolded flow, varh.
    pub base_reactive_import_varh: u64,
    /// Gas volume before any unfolded flow, litres.
    pub base_gas_import_litres: u64,
    /// Active export energy before any unfolded flow, Wh.
    #[serde(default)]
    pub base_active_export_wh: u64,
    /// Reactive export energy before any unfolded flow, varh.
    #[serde(default)]
    pub base_reactive_export_varh: u64,
    /// Average active import rate while the supply flows, Wh per hour (W).
    pub active_wh_per_hour: u32,
    /// Average reactive import rate while the supply flows, varh per hour.
    pub reactive_varh_per_hour: u32,
    /// Average gas rate while the valve is open, litres per hour.
    pub gas_litres_per_hour: u32,
    /// Average generation (active export) while connected, Wh per hour.
    #[serde(default = "default_export_rate")]
    pub export_wh_per_hour: u32,
    /// Average reactive export while connected, varh per hour.
    #[serde(default = "default_reactive_export_rate")]
    pub reactive_export_varh_per_hour: u32,
    /// Flat seconds of flow folded by an earlier version of this model (state stored before the
    /// flow history existed); counted at the average rates. Never grows.
    pub metered_seconds: u64,
    /// Unix time (true time) since which energy flows, if it does.
    pub flowing_since: Option<i64>,
    /// When the device was installed (true time, unix seconds): nothing was measured before.
    #[serde(default)]
    pub installed_at: i64,
    /// Closed flow intervals, oldest first, all ending at or before `flowing_since`.
    #[serde(default)]
    pub history: Vec<FlowInterval>,
    /// Flow before this time (unix seconds) has been folded into the bases.
    #[serde(default)]
    pub folded_until: i64,
}

impl Metering {
    /// A meter installed at `installed_at` with registers at zero and the default rates (import
    /// 500 Wh/h and 50 varh/h, gas 100 l/h, export 100 Wh/h and 10 varh/h), flowing from
    /// `flowing_since` if given.
    pub fn new(installed_at: i64, flowing_since: Option<i64>) -> Self {
        Self {
            base_active_import_wh: 0,
            base_reactive_import_varh: 0,
            base_gas_import_litres: 0,
            base_active_export_wh: 0,
            base_reactive_export_varh: 0,
            active_wh_per_hour: 500,
            reactive_varh_per_hour: 50,
            gas_litres_per_hour: 100,
            export_wh_per_hour: default_export_rate(),
            reactive_export_varh_per_hour: default_reactive_export_rate(),
            metered_seconds: 0,
            flowing_since,
            installed_at,
            history: Vec::new(),
            folded_until: installed_at,
        }
    }

    /// The channel's average rate, units per hour.
    pub fn rate(&self, ch: Channel) -> u32 {
        match ch {
            Channel::ActiveImport => self.active_wh_per_hour,
            Channel::ReactiveImport => self.reactive_varh_per_hour,
            Channel::ActiveExport => self.export_wh_per_hour,
            Channel::ReactiveExport => self.reactive_export_varh_per_hour,
            Channel::GasVolume => self.gas_litres_per_hour,
        }
    }

    fn base(&self, ch: Channel) -> u64 {
        match ch {
            Channel::ActiveImport => self.base_active_import_wh,
            Channel::ReactiveImport => self.base_reactive_import_varh,
            Channel::ActiveExport => self.base_active_export_wh,
            Channel::ReactiveExport => self.base_reactive_export_varh,
            Channel::GasVolume => self.base_gas_import_litres,
        }
    }

    fn base_mut(&mut self, ch: Channel) -> &mut u64 {
        match ch {
            Channel::ActiveImport => &mut self.base_active_import_wh,
            Channel::ReactiveImport => &mut self.base_reactive_import_varh,
            Channel::ActiveExport => &mut self.base_active_export_wh,
            Channel::ReactiveExport => &mut self.base_reactive_export_varh,
            Channel::GasVolume => &mut self.base_gas_import_litres,
        }
    }

    /// Units of `ch` flowing over `[from, to)` if energy flowed all the time (no flow history).
    fn over(&self, ch: Channel, from: i64, to: i64) -> u128 {
        if to <= from {
            return 0;
        }
        let shape = ch.shape();
        let w = weighted(shape, to).saturating_sub(weighted(shape, from));
        u128::from(self.rate(ch)) * w / 3_600_000
    }

    /// The flow intervals up to `t`, clipped to `t` (the running one included).
    fn flows_until(&self, t: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
        let running = self.flowing_since.map(|s| (s, i64::MAX));
        self.history
            .iter()
            .map(|i| (i.from, i.to))
            .chain(running)
            .filter(move |&(from, _)| from < t)
            .map(move |(from, to)| (from, to.min(t)))
    }

    /// The register of `ch` at true time `t` (unix seconds): Wh, varh or litres. Exact for any
    /// `t` at or after [`Self::exact_since`]; earlier times read as the value there.
    pub fn register(&self, ch: Channel, t: i64) -> u64 {
        let t = t.max(self.folded_until);
        let legacy = u128::from(self.rate(ch)) * u128::from(self.metered_seconds) / 3600;
        let flowed: u128 = self
            .flows_until(t)
            .map(|(from, to)| self.over(ch, from.max(self.folded_until), to))
            .sum();
        let add = u64::try_from(legacy + flowed).unwrap_or(u64::MAX);
        self.base(ch).saturating_add(add)
    }

    /// Units of `ch` measured over `[from, to)`.
    pub fn consumed(&self, ch: Channel, from: i64, to: i64) -> u64 {
        self.register(ch, to)
            .saturating_sub(self.register(ch, from))
    }

    /// The instantaneous rate of `ch` at `t`: W (or var, or litres per hour) in the half hour
    /// containing `t`, zero when nothing flows.
    pub fn demand_w(&self, ch: Channel, t: i64) -> u32 {
        if !self.flowing_at(t) {
            return 0;
        }
        let slot = usize::try_from(t.rem_euclid(DAY) / HALF_HOUR)
            .unwrap_or(0)
            .min(47);
        let v = u64::from(self.rate(ch)) * u64::from(ch.shape()[slot]) / 1000;
        u32::try_from(v).unwrap_or(u32::MAX)
    }

    /// Whether energy flowed at `t`.
    pub fn flowing_at(&self, t: i64) -> bool {
        self.flowing_since.is_some_and(|s| s <= t)
            || self.history.iter().any(|i| i.from <= t && t < i.to)
    }

    /// From when [`Self::register`] is exact (older flow has been folded into the bases).
    pub fn exact_since(&self) -> i64 {
        self.folded_until
    }

    /// Active import energy at true time `t` (unix seconds), Wh.
    pub fn active_import_wh(&self, t: i64) -> u64 {
        self.register(Channel::ActiveImport, t)
    }

    /// Reactive import energy at `t`, varh.
    pub fn reactive_import_varh(&self, t: i64) -> u64 {
        self.register(Channel::ReactiveImport, t)
    }

    /// Gas volume at `t`, litres.
    pub fn gas_import_litres(&self, t: i64) -> u64 {
        self.register(Channel::GasVolume, t)
    }

    /// Starts or stops the flow at `t` so that it runs exactly when `flowing` is true. A
    /// stopped interval joins the history; history beyond the bounds is folded.
    pub(crate) fn set_flowing(&mut self, flowing: bool, t: i64) {
        match (flowing, self.flowing_since) {
            (true, None) => self.flowing_since = Some(t),
            (false, Some(from)) => {
                self.flowing_since = None;
                if t > from {
                    self.history.push(FlowInterval { from, to: t });
                }
                self.fold(t);
            }
            _ => {}
        }
    }

    /// Folds closed intervals that ended more than [`HISTORY_DAYS`] before `now`, or beyond
    /// [`HISTORY_INTERVALS`], into the bases.
    fn fold(&mut self, now: i64) {
        let horizon = now.saturating_sub(HISTORY_DAYS * DAY);
        let excess = self.history.len().saturating_sub(HISTORY_INTERVALS);
        let n = self
            .history
            .iter()
            .enumerate()
            .take_while(|(i, iv)| *i < excess || iv.to <= horizon)
            .count();
        if n == 0 {
            return;
        }
        let folded: Vec<FlowInterval> = self.history.drain(..n).collect();
        let until = folded.last().map_or(self.folded_until, |i| i.to);
        for ch in Channel::ALL {
            let add: u128 = folded
                .iter()
                .map(|i| self.over(ch, i.from.max(self.folded_until), i.to))
                .sum();
            let add = u64::try_from(add).unwrap_or(u64::MAX);
            let base = self.base_mut(ch);
            *base = base.saturating_add(add);
        }
        self.folded_until = self.folded_until.max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY0: i64 = 1_420_070_400; // 2015-01-01T00:00:00Z

    #[test]
    fn shapes_average_to_one() {
        for s in [&IMPORT_SHAPE, &EXPORT_SHAPE] {
            assert_eq!(s.iter().map(|&w| u32::from(w)).sum::<u32>(), 48_000);
        }
    }

    #[test]
    fn a_whole_day_is_24_times_the_rate() {
        let m = Metering::new(DAY0, Some(DAY0));
        assert_eq!(m.active_import_wh(DAY0 + DAY), 12_000);
        assert_eq!(m.gas_import_litres(DAY0 + 2 * DAY), 4_800);
        assert_eq!(m.register(Channel::ActiveExport, DAY0 + DAY), 2_400);
        // Any 24 hours, not only midnight to midnight.
        let noon = DAY0 + DAY / 2;
        assert_eq!(m.consumed(Channel::ActiveImport, noon, noon + DAY), 12_000);
    }

    #[test]
    fn the_shape_shows_in_half_hours() {
        let m = Metering::new(DAY0, Some(DAY0));
        let night = m.consumed(
            Channel::ActiveImport,
            DAY0 + 3 * 3600,
            DAY0 + 3 * 3600 + 1800,
        );
        let evening = m.consumed(
            Channel::ActiveImport,
            DAY0 + 18 * 3600,
            DAY0 + 18 * 3600 + 1800,
        );
        assert_eq!(night, 113); // 500 W × 0.45 × ½ h = 112.5; registers read in whole Wh
        assert_eq!(evening, 475); // 500 W × 1.9 × ½ h
        assert_eq!(m.consumed(Channel::ActiveExport, DAY0, DAY0 + 6 * 3600), 0);
        assert_eq!(m.demand_w(Channel::ActiveImport, DAY0 + 18 * 3600), 950);
        assert_eq!(m.demand_w(Channel::ActiveExport, DAY0 + 3600), 0);
    }

    #[test]
    fn nothing_flows_while_stopped_and_the_past_stays_exact() {
        let mut m = Metering::new(DAY0, Some(DAY0));
        let before = m.active_import_wh(DAY0 + DAY);
        m.set_flowing(false, DAY0 + DAY);
        m.set_flowing(true, DAY0 + 2 * DAY);
        assert_eq!(m.active_import_wh(DAY0 + 2 * DAY), before);
        assert_eq!(m.demand_w(Channel::ActiveImport, DAY0 + DAY + 3600), 0);
        assert_eq!(m.active_import_wh(DAY0 + 3 * DAY), 2 * before);
        // A time inside the first day reads as it did then.
        assert_eq!(
            m.active_import_wh(DAY0 + DAY / 2),
            Metering::new(DAY0, Some(DAY0)).active_import_wh(DAY0 + DAY / 2)
        );
        // Before installation there is nothing.
        assert_eq!(m.active_import_wh(DAY0 - 10), 0);
    }

    #[test]
    fn folding_keeps_the_totals() {
        let mut m = Metering::new(DAY0, Some(DAY0));
        let mut t = DAY0;
        for _ in 0..(HISTORY_INTERVALS + 20) {
            m.set_flowing(false, t + 3600);
            m.set_flowing(true, t + 7200);
            t += 7200;
        }
        assert_eq!(m.history.len(), HISTORY_INTERVALS);
        assert!(m.exact_since() > DAY0);
        let unfolded = {
            let mut u = Metering::new(DAY0, Some(DAY0));
            u.history = (0..(HISTORY_INTERVALS + 20) as i64)
                .map(|k| FlowInterval {
                    from: DAY0 + k * 7200,
                    to: DAY0 + k * 7200 + 3600,
                })
                .collect();
            u.flowing_since = Some(t);
            u
        };
        let now = t + 100;
        let diff = unfolded
            .active_import_wh(now)
            .abs_diff(m.active_import_wh(now));
        assert!(
            diff <= 20,
            "folding rounds at most 1 Wh per interval: {diff}"
        );
    }

    #[test]
    fn state_stored_before_the_history_still_reads() {
        let old = r#"{"base_active_import_wh":10,"base_reactive_import_varh":0,
            "base_gas_import_litres":0,"active_wh_per_hour":3600,"reactive_varh_per_hour":0,
            "gas_litres_per_hour":0,"metered_seconds":100,"flowing_since":null}"#;
        let m: Metering = serde_json::from_str(old).unwrap();
        assert_eq!(m.active_import_wh(DAY0), 110);
    }
}
