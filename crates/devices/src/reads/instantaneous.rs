//! The instantaneous reads (4.1.2 TOU, 4.1.3 TOU with blocks, 4.1.4 block counters, 4.2 export
//! registers, 4.3 prepayment values, 4.12 maximum demand, 4.15 load limit data, 4.18 meter
//! balance), answered from the device's real state.
//!
//! Nothing here is a stored running total: every value is computed at the time of the read from
//! the metering model ([`crate::Metering::register`], [`crate::Metering::demand_w`]) and the
//! device's configuration ([`InstantaneousConfig`], a `DeviceState` field):
//!
//! * **TOU and block registers** integrate the consumption since the metering is exact
//!   ([`crate::Metering::exact_since`]) over the default tariff's time bands (rate of each band)
//!   and the daily block thresholds (block of each unit, by the day's running consumption; the
//!   block period is the UTC day). Consumption before that (folded into the register bases)
//!   counts in rate 1, block 1, so the registers always add up to the total register.
//! * **Maximum demand** is the largest half-hour average demand (W) of a completed half hour
//!   since the last reset (installation), with the time the half hour ended; the configurable
//!   period maximum only counts half hours starting within the configured daily window.
//! * **Load limiting** counts the events in which demand stayed over the threshold for at least
//!   the minimum over-threshold duration; the supply-state flag says whether demand is over the
//!   threshold now.
//! * **Prepayment**: the meter balance is the credit at the start minus the cost of the
//!   consumption since then (unit price) and the standing charge (per day, pro rata); credit and
//!   emergency credit remaining follow from it. Amounts are in units of 10⁻⁵ GBP (price trailing
//!   digit 5, currency 826), as the RTDS GCS14 price component announces.
//!
//! Maximum demand and load limit events are found by scanning half hours, at most
//! [`SCAN_DAYS`] back from the read.
//!
//! Layouts follow the RTDS 4.5.0 RESPONSE vectors (DLMS GET results and data, GBZ components and
//! frame controls, which responses carry the device time); failures follow the ERROR vectors: a
//! faulty DLMS attribute ([`DeviceFault::DlmsObject`]) reads `hardware-fault` and the
//! requests after it `other-reason` (ECS17a, ECS18a, ECS18b, ECS27, ECS82), a faulty protected
//! object answers `Action(1)` without data (ECS17d, ECS17e, ECS19), a faulty ZCL attribute
//! ([`DeviceFault::ClusterAttribute`], [`DeviceFault::MeteringAttribute`]) reads
//! HARDWARE_FAILURE and the components after it answer a Default Response `FF FAILURE` (GCS14,
//! GCS60, GCS60a), or inside the encrypted records (GCS13b, GCS13c).
//!
//! The plaintext inside the protected blocks (what only the requester reads) has the layout of
//! the RTDS responses decrypted with the corpus keys: ECS17d a structure holding the array of the
//! 48 TOU registers (Wh, rates 1–48); ECS17e a structure holding an array of 64 registers, 8 TOU
//! rates × 8 block slots, rate-major (Wh; a block tariff fills blocks 1–4); ECS19 a structure of
//! credit remaining, emergency credit remaining, accumulated debt and debt registers 1–3
//! (double-long, 10⁻⁵ GBP). GCS13b, GCS13c and GCS14's prepayment component encrypt the Read
//! Attributes Response records.

use gbcs::UtcDateTime;
use gbcs::axdr::Data;
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::gbz::{CONTROL_ENCRYPTED, CONTROL_LAST, GbzBody, GbzComponent};
use gbcs::usecases::{
    DlmsRead, ProtectedRead, ZclRead, ecs17a, ecs17d, ecs17e, ecs18a, ecs18b, ecs19, ecs27, ecs82,
};
use serde::{Deserialize, Serialize};

use crate::device::{Accepted, EmulatedDevice};
use crate::exec::{self, Execution};
use crate::metering::{Channel, Metering};
use crate::state::DeviceFault;
use crate::zcl::{self, ZclValue};

/// How far back maximum demand and load limit events are looked for, days.
pub const SCAN_DAYS: i64 = 400;
const HALF_HOUR: i64 = 1800;
const DAY: i64 = 86_400;
/// TOU rates of the ESME TOU register matrix (ECS17d).
pub const TOU_RATES: usize = 48;
/// TOU rates of the TOU-with-blocks matrix (ECS17e).
pub const TOU_BLOCK_RATES: usize = 8;
/// Blocks of a block tariff.
pub const BLOCKS: usize = 4;
/// Block slots per TOU rate in the TOU-with-blocks matrix (ECS17e; a block tariff fills the
/// first [`BLOCKS`]).
pub const TOU_BLOCK_SLOTS: usize = 8;
/// Gas TOU tiers read by GCS13c.
pub const GAS_TIERS: usize = 4;

/// DLMS unit: W.
const UNIT_W: u8 = 27;
/// DLMS unit: Wh.
const UNIT_WH: u8 = 30;
/// DLMS unit: varh.
const UNIT_VARH: u8 = 32;
/// DLMS unit: count.
const UNIT_COUNT: u8 = 255;
/// Currency: GBP (ISO 4217 numeric).
const CURRENCY_GBP: u16 = 826;
/// Price trailing digit 5 (amounts in 10⁻⁵ of the currency), high nibble.
const PRICE_TRAILING_DIGIT: u8 = 0x50;
/// ZCL frame control: global, server→client.
const FC_TO_CLIENT: u8 = 0x08;
/// ZCL frame control: global, server→client, default response disabled.
const FC_TO_CLIENT_NO_DEFAULT: u8 = 0x18;
/// ZCL status FAILURE, and the command id `FF` of a component not executed.
const ZCL_FAILURE: u8 = 0x01;

/// A time band of the default tariff: from `start` (seconds after midnight UTC) until the next
/// band's start, `rate` (1-based) is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TouBand {
    /// Seconds after midnight UTC.
    pub start: u32,
    /// TOU rate, 1-based.
    pub rate: u8,
}

/// The device's prepayment state (amounts in 10⁻⁵ GBP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepayment {
    /// The credit at `credit_since`.
    pub credit: i64,
    /// When `credit` was the balance (true time); `None`: at installation.
    pub credit_since: Option<i64>,
    /// Price of a kWh of electricity.
    pub electricity_price_per_kwh: u32,
    /// Price of a cubic metre of gas.
    pub gas_price_per_m3: u32,
    /// Standing charge per day.
    pub standing_charge_per_day: u32,
    /// Not read: the emergency credit limit is the prepayment configuration's
    /// ([`crate::reads::prepayment::PrepaymentConfiguration::emergency_credit_limit`], the
    /// GSME's ZSE attribute); kept so that stored state reads.
    #[serde(rename = "emergency_credit_limit")]
    pub unused_emergency_credit_limit: u32,
    /// Accumulated debt.
    pub accumulated_debt: i64,
    /// Debt registers 1–3.
    pub debts: [u32; 3],
}

impl Default for Prepayment {
    /// £100 credit at installation, 25p/kWh, 80p/m³, 50p a day, no debt.
    fn default() -> Self {
        Self {
            credit: 10_000_000,
            credit_since: None,
            electricity_price_per_kwh: 25_000,
            gas_price_per_m3: 80_000,
            standing_charge_per_day: 50_000,
            unused_emergency_credit_limit: 0,
            accumulated_debt: 0,
            debts: [0; 3],
        }
    }
}

/// The ESME's load limiting configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadLimit {
    /// Active power threshold, W.
    pub threshold_w: u32,
    /// Minimum time over the threshold that makes an event, seconds.
    pub min_over_secs: u32,
    /// Minimum time under the threshold that ends one, seconds.
    pub min_under_secs: u32,
    /// Events are counted from here (true time); `None`: from installation.
    pub counter_since: Option<i64>,
}

impl Default for LoadLimit {
    /// 6.9 kW for 5 minutes, 30 s under to end (the RTDS values).
    fn default() -> Self {
        Self {
            threshold_w: 6900,
            min_over_secs: 300,
            min_under_secs: 30,
            counter_since: None,
        }
    }
}

/// What the instantaneous reads need beyond the metering: the default tariff, the prepayment
/// state, the maximum demand resets and the load limit configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstantaneousConfig {
    /// The default TOU tariff's daily bands, in time order (empty: rate 1 all day).
    pub tou_bands: Vec<TouBand>,
    /// The block thresholds of a day (Wh or litres): block 1 up to the first, …, block 4 above
    /// the third.
    pub block_thresholds: [u64; 3],
    /// Prepayment.
    pub prepayment: Prepayment,
    /// When the import maximum demand registers were last reset; `None`: installation.
    pub max_demand_reset_at: Option<i64>,
    /// When the export maximum demand register was last reset; `None`: installation.
    pub export_max_demand_reset_at: Option<i64>,
    /// The configurable maximum demand period: seconds after midnight UTC, `[start, end)`.
    pub configurable_period: (u32, u32),
    /// Load limiting.
    pub load_limit: LoadLimit,
    /// The tariffs written to the meter ([`crate::tariff`]), in time order: from each one's
    /// start the TOU rate and the block thresholds follow it (before the first, the bands and
    /// thresholds above). Stored in the body's tail ([`crate::stored`]), not with the fields
    /// above.
    #[serde(skip)]
    pub epochs: Vec<TariffEpoch>,
}

/// A tariff in force from `from` (true time, unix seconds): the primary element's calendar and
/// the first TOU rate's block thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffEpoch {
    /// When it took effect.
    pub from: i64,
    /// The primary element's calendar.
    pub calendar: crate::tariff::CalendarParts,
    /// The block thresholds (`u64::MAX`: none).
    pub block_thresholds: [u64; 3],
}

impl TariffEpoch {
    /// The day profile's switching times of the UTC day starting at `day` (unix seconds):
    /// (seconds after midnight, TOU rate), in time order.
    pub fn bands(&self, day: i64) -> Vec<(i64, u8)> {
        let c = &self.calendar;
        let days = day.div_euclid(DAY);
        let date = UtcDateTime::from_unix(day);
        let (y, mo, d) = date.map_or((0, 0, 0), |t| {
            let b = t.to_cosem().0;
            (u16::from_be_bytes([b[0], b[1]]), b[2], b[3])
        });
        let special = c.special_days.iter().find(|s| {
            let sy = u16::from_be_bytes([s.date[0], s.date[1]]);
            (sy == 0xFFFF || sy == y) && s.date[2] == mo && s.date[3] == d
        });
        let day_id = match special {
            Some(s) => Some(s.day_id),
            None => {
                // The season whose start (month, day) is the latest on or before the date; before
                // the first of the year, the last (it runs on from the year before).
                let key = |st: &[u8]| {
                    (
                        st.get(2).copied().unwrap_or(0),
                        st.get(3).copied().unwrap_or(0),
                    )
                };
                let mut seasons: Vec<_> = c.seasons.iter().collect();
                seasons.sort_by_key(|s| key(&s.start));
                let season = seasons
                    .iter()
                    .rev()
                    .find(|s| key(&s.start) <= (mo, d))
                    .or(seasons.last());
                let week = season.and_then(|s| c.weeks.iter().find(|w| w.name == s.week));
                // 1970-01-01 was a Thursday; Monday first.
                let weekday = usize::try_from((days + 3).rem_euclid(7)).unwrap_or(0);
                week.and_then(|w| w.days.get(weekday).copied())
            }
        };
        let profile = day_id.and_then(|id| c.days.iter().find(|p| p.id == id));
        let mut out: Vec<(i64, u8)> = profile
            .map(|p| {
                p.actions
                    .iter()
                    .filter_map(|a| {
                        let secs = crate::tariff::time_of_day(a.start_time)?;
                        // Selectors 101… are the TOU-with-blocks rates, 1… the TOU rates.
                        let rate = if a.selector > 100 {
                            a.selector - 100
                        } else {
                            a.selector
                        };
                        Some((
                            i64::from(secs),
                            u8::try_from(rate.max(1)).unwrap_or(u8::MAX),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort_unstable();
        out
    }
}

impl Default for InstantaneousConfig {
    /// An Economy 7 style tariff (rate 2 from 00:30 to 07:30 UTC, rate 1 otherwise), daily block
    /// thresholds of 2, 5 and 10 kWh (or m³), the default prepayment and load limit, and a
    /// configurable period of 16:00–19:00.
    fn default() -> Self {
        Self {
            tou_bands: vec![
                TouBand { start: 0, rate: 1 },
                TouBand {
                    start: 1800,
                    rate: 2,
                },
                TouBand {
                    start: 27_000,
                    rate: 1,
                },
            ],
            block_thresholds: [2000, 5000, 10_000],
            prepayment: Prepayment::default(),
            max_demand_reset_at: None,
            export_max_demand_reset_at: None,
            configurable_period: (16 * 3600, 19 * 3600),
            load_limit: LoadLimit::default(),
            epochs: Vec::new(),
        }
    }
}

/// The registers by TOU rate (index 0 = rate 1) and block (index 0 = block 1).
pub type RateBlockMatrix = Vec<[u64; BLOCKS]>;

impl InstantaneousConfig {
    /// The rate in force at `secs` after midnight (1 when no band covers it).
    fn rate_at(&self, secs: u32) -> u8 {
        self.tou_bands
            .iter()
            .rev()
            .find(|b| b.start <= secs)
            .or(self.tou_bands.last())
            .map_or(1, |b| b.rate.max(1))
    }

    /// The day's band boundaries (seconds after midnight, sorted, within the day, with 0).
    fn boundaries(&self) -> Vec<i64> {
        let mut v: Vec<i64> = std::iter::once(0)
            .chain(
                self.tou_bands
                    .iter()
                    .map(|b| i64::from(b.start))
                    .filter(|s| (0..DAY).contains(s)),
            )
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The consumption of `ch` up to `t` by TOU rate (1..=`rates`, later rates counting in the
    /// last) and block.
    pub fn rate_block_matrix(
        &self,
        m: &Metering,
        ch: Channel,
        t: i64,
        rates: usize,
    ) -> RateBlockMatrix {
        let mut out = vec![[0u64; BLOCKS]; rates.max(1)];
        let start = m.exact_since().max(m.installed_at);
        out[0][0] = m.register(ch, start.min(t));
        if t <= start {
            return out;
        }
        let base = self.boundaries();
        let mut day = start.div_euclid(DAY) * DAY;
        while day < t {
            let bounds = self.day_boundaries(&base, day);
            let mut used = 0u64;
            for (i, b) in bounds.iter().enumerate() {
                let from = (day + b).max(start);
                let to = bounds.get(i + 1).map_or(day + DAY, |n| day + n).min(t);
                if to <= from {
                    continue;
                }
                let (rate, thresholds) = self.in_force(day, *b);
                let row = usize::from(rate).clamp(1, out.len()) - 1;
                let amount = m.consumed(ch, from, to);
                split_blocks(thresholds, used, amount, &mut out[row]);
                used = used.saturating_add(amount);
            }
            day += DAY;
        }
        out
    }

    /// The epoch in force at `t`, if a tariff has been written by then.
    fn epoch_at(&self, t: i64) -> Option<&TariffEpoch> {
        self.epochs.iter().rev().find(|e| e.from <= t)
    }

    /// The boundaries within the UTC day at `day`: the default bands' (`base`) and, where a
    /// written tariff is in force that day, its switching times and the moment it took effect.
    fn day_boundaries(&self, base: &[i64], day: i64) -> Vec<i64> {
        if self.epochs.iter().all(|e| e.from >= day + DAY) {
            return base.to_vec();
        }
        let mut v = base.to_vec();
        let mut relevant: Vec<&TariffEpoch> = self
            .epochs
            .iter()
            .filter(|e| e.from > day && e.from < day + DAY)
            .collect();
        relevant.extend(self.epoch_at(day));
        for e in relevant {
            if e.from > day {
                v.push(e.from - day);
            }
            v.extend(e.bands(day).into_iter().map(|(s, _)| s));
        }
        v.retain(|s| (0..DAY).contains(s));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The TOU rate and block thresholds in force `secs` after the UTC midnight `day`.
    fn in_force(&self, day: i64, secs: i64) -> (u8, &[u64; 3]) {
        match self.epoch_at(day + secs) {
            None => (
                self.rate_at(u32::try_from(secs).unwrap_or(0)),
                &self.block_thresholds,
            ),
            Some(e) => {
                let bands = e.bands(day);
                let rate = bands
                    .iter()
                    .rev()
                    .find(|(s, _)| *s <= secs)
                    .or(bands.last())
                    .map_or(1, |(_, r)| *r);
                (rate, &e.block_thresholds)
            }
        }
    }

    /// From true time `at` the registers follow `tariff` (its primary element's calendar and
    /// its first TOU rate's block thresholds); a tariff written at the same time replaces it.
    pub fn follow_tariff(&mut self, tariff: &super::tariff::ElectricityTariff, at: i64) {
        self.epochs.retain(|e| e.from < at);
        let p = &tariff.primary;
        self.epochs.push(TariffEpoch {
            from: at,
            calendar: crate::tariff::CalendarParts {
                seasons: p.seasons.clone(),
                weeks: p.weeks.clone(),
                days: p.days.clone(),
                special_days: p.special_days.clone(),
            },
            block_thresholds: tariff.block_thresholds[0].map(|v| {
                if v == u32::MAX {
                    u64::MAX
                } else {
                    u64::from(v)
                }
            }),
        });
    }
}

/// Adds `amount`, consumed after `used` units of the day, to the blocks it falls in.
fn split_blocks(thresholds: &[u64; 3], used: u64, amount: u64, row: &mut [u64; BLOCKS]) {
    let mut lo = 0u64;
    for (k, cell) in row.iter_mut().enumerate() {
        let hi = thresholds.get(k).copied().unwrap_or(u64::MAX).max(lo);
        let a = used.max(lo);
        let b = used.saturating_add(amount).min(hi);
        if b > a {
            *cell = cell.saturating_add(b - a);
        }
        lo = hi;
    }
}

impl InstantaneousConfig {
    /// The meter balance at `t` for a meter measuring `ch` (10⁻⁵ GBP; negative: in debt).
    pub fn meter_balance(&self, m: &Metering, ch: Channel, t: i64) -> i64 {
        let p = &self.prepayment;
        let since = p.credit_since.unwrap_or(m.installed_at);
        if t <= since {
            return p.credit;
        }
        let used = i128::from(m.consumed(ch, since, t));
        let energy_cost = match ch {
            Channel::GasVolume => used * i128::from(p.gas_price_per_m3) / 1000,
            _ => used * i128::from(p.electricity_price_per_kwh) / 1000,
        };
        let standing =
            i128::from(t - since) * i128::from(p.standing_charge_per_day) / i128::from(DAY);
        let b = i128::from(p.credit) - energy_cost - standing;
        i64::try_from(b).unwrap_or(if b < 0 { i64::MIN } else { i64::MAX })
    }

    /// The largest half-hour average demand (W) of `ch` in completed half hours since `since`
    /// (at most [`SCAN_DAYS`] before `t`) whose start lies in `window` (seconds of the day), and
    /// the end of that half hour; `(0, since)` when there is none.
    pub fn max_demand(
        m: &Metering,
        ch: Channel,
        since: i64,
        t: i64,
        window: Option<(u32, u32)>,
    ) -> (u32, i64) {
        let from = since.max(t - SCAN_DAYS * DAY);
        let mut slot = from.div_euclid(HALF_HOUR) * HALF_HOUR;
        if slot < from {
            slot += HALF_HOUR;
        }
        let mut best = (0u32, since);
        while slot + HALF_HOUR <= t {
            // A window may run over midnight (start after end: 6.18.1 ECS37).
            let in_window = window.is_none_or(|(a, b)| {
                let s = slot.rem_euclid(DAY);
                let (a, b) = (i64::from(a), i64::from(b));
                if a <= b {
                    a <= s && s < b
                } else {
                    s >= a || s < b
                }
            });
            if in_window {
                let w = m.consumed(ch, slot, slot + HALF_HOUR).saturating_mul(2);
                let w = u32::try_from(w).unwrap_or(u32::MAX);
                if w > best.0 {
                    best = (w, slot + HALF_HOUR);
                }
            }
            slot += HALF_HOUR;
        }
        best
    }

    /// The number of load limit events since the counter started (at most [`SCAN_DAYS`] before
    /// `t`): runs of half hours with import demand over the threshold lasting at least the
    /// minimum over-threshold duration.
    pub fn load_limit_events(&self, m: &Metering, t: i64) -> u32 {
        let l = &self.load_limit;
        let since = l.counter_since.unwrap_or(m.installed_at);
        let from = since.max(t - SCAN_DAYS * DAY);
        let mut slot = from.div_euclid(HALF_HOUR) * HALF_HOUR;
        let (mut events, mut run_start) = (0u32, None::<i64>);
        while slot < t {
            let at = slot.max(from);
            let over = m.demand_w(Channel::ActiveImport, at) > l.threshold_w;
            match (over, run_start) {
                (true, None) => run_start = Some(at),
                (false, Some(s)) => {
                    if at - s >= i64::from(l.min_over_secs) {
                        events = events.saturating_add(1);
                    }
                    run_start = None;
                }
                _ => {}
            }
            slot += HALF_HOUR;
        }
        if let Some(s) = run_start
            && t - s >= i64::from(l.min_over_secs)
        {
            events = events.saturating_add(1);
        }
        events
    }
}

impl InstantaneousConfig {
    /// When the next load limit event occurs after true time `t`, within two days (the demand
    /// follows the daily load shape, so a threshold not crossed in that time is not crossed
    /// until something changes): the instant a run of half hours with import demand over the
    /// threshold has lasted the load limit period, as [`Self::load_limit_events`] counts it.
    /// Runs are found from a day before `t`, so one already under way keeps its start, but not
    /// from before the supply last started flowing (a supply disabled, or out, and enabled
    /// again starts a new run: the load limit restoration, `crate::load_limit`).
    pub fn next_load_limit_event(&self, m: &Metering, t: i64) -> Option<i64> {
        let l = &self.load_limit;
        let min_over = i64::from(l.min_over_secs);
        let from = (t - DAY)
            .max(m.installed_at)
            .max(m.flowing_since.unwrap_or(i64::MIN));
        let end = t.saturating_add(2 * DAY);
        let mut at = from;
        let mut run_start = None::<i64>;
        while at <= end {
            let over = m.demand_w(Channel::ActiveImport, at) > l.threshold_w;
            match (over, run_start) {
                (true, None) => run_start = Some(at),
                (false, Some(s)) => {
                    let event = s.saturating_add(min_over);
                    if event > t && at - s >= min_over {
                        return Some(event);
                    }
                    run_start = None;
                }
                _ => {}
            }
            at = (at.div_euclid(HALF_HOUR) + 1) * HALF_HOUR;
        }
        run_start
            .map(|s| s.saturating_add(min_over))
            .filter(|e| *e > t && *e <= end)
    }
}

/// The maximum demands one read needs (value and capture time), each computed once.
#[derive(Default)]
struct DemandCache {
    export: std::cell::OnceCell<(u32, i64)>,
    import: std::cell::OnceCell<(u32, i64)>,
    configurable: std::cell::OnceCell<(u32, i64)>,
}

/// DLMS double-long-unsigned registers roll over at 2³².
fn dlu(v: u64) -> Data {
    Data::DoubleLongUnsigned(u32::try_from(v & 0xFFFF_FFFF).unwrap_or(0))
}

fn dl(v: i64) -> Data {
    Data::DoubleLong(i32::try_from(v.clamp(i64::from(i32::MIN), i64::from(i32::MAX))).unwrap_or(0))
}

fn scaler_unit(unit: u8) -> Data {
    Data::Structure(vec![Data::Integer(0), Data::Enum(unit)])
}

fn cosem_time(t: i64) -> Data {
    let dt = UtcDateTime::from_unix(t).map_or([0xFF; 12], |d| d.to_cosem().0);
    Data::OctetString(dt.to_vec())
}

fn i32_of(v: i64) -> i32 {
    i32::try_from(v.clamp(i64::from(i32::MIN), i64::from(i32::MAX))).unwrap_or(0)
}

/// A schedule entry of the configurable maximum demand period (class 10 attribute 2, laid out
/// as the RTDS ECS18b response): at `secs` after midnight run selector `selector` of the
/// period script, every day.
fn schedule_entry(index: u16, selector: u16, secs: u32) -> Data {
    let time = [
        u8::try_from(secs / 3600 % 24).unwrap_or(0),
        u8::try_from(secs / 60 % 60).unwrap_or(0),
        u8::try_from(secs % 60).unwrap_or(0),
        0,
    ];
    Data::Structure(vec![
        Data::LongUnsigned(index),
        Data::Boolean(0xFF),
        Data::OctetString(vec![0, 0, 10, 128, 100, 0xFF]),
        Data::LongUnsigned(selector),
        Data::OctetString(time.to_vec()),
        Data::LongUnsigned(0xFFFF),
        Data::BitString {
            bits: 7,
            bytes: vec![0xFE],
        },
        Data::BitString {
            bits: 0,
            bytes: Vec::new(),
        },
        Data::OctetString(vec![0x00, 0x00, 0x01, 0xFF, 0xFF]),
        Data::OctetString(vec![0xFF; 5]),
    ])
}

fn encrypted_component(
    cluster: u16,
    seq: u8,
    fc: u8,
    protected: Vec<u8>,
    last: bool,
) -> GbzComponent {
    GbzComponent {
        control: CONTROL_ENCRYPTED | if last { CONTROL_LAST } else { 0 },
        cluster,
        body: GbzBody::Encrypted {
            additional_header_control: 0,
            additional_frame_counter: 0,
            frame_control: fc,
            manufacturer_code: None,
            sequence: seq,
            command: exec::ZCL_READ_ATTRIBUTES_RESPONSE,
            protected,
        },
    }
}

/// Whether Read Attributes Response records all read successfully.
fn records_ok(records: &[u8]) -> bool {
    gbcs::usecases::read_attribute_records(records).is_ok_and(|r| r.is_ok())
}

impl EmulatedDevice {
    pub(crate) fn ch_import(&self) -> Channel {
        match self.identity.kind {
            crate::DeviceKind::Gsme | crate::DeviceKind::Gpf => Channel::GasVolume,
            _ => Channel::ActiveImport,
        }
    }

    pub(crate) fn cfg(&self) -> &InstantaneousConfig {
        &self.state.instantaneous
    }

    fn dlms_fault(&self, o: &CosemDescriptor) -> bool {
        self.state.has_fault(DeviceFault::DlmsObject {
            class: o.class_id,
            obis: o.instance,
            attribute: o.index,
        })
    }

    fn zcl_fault(&self, cluster: u16, id: u16) -> bool {
        self.state.has_fault(DeviceFault::ClusterAttribute {
            cluster,
            attribute: id,
        }) || (cluster == gbcs::usecases::CLUSTER_METERING
            && self.state.has_fault(DeviceFault::MeteringAttribute(id)))
    }

    /// The value of an ESME object the instantaneous reads GET, `None` if it holds none.
    fn instantaneous_value(
        &self,
        o: &CosemDescriptor,
        t: i64,
        cache: &DemandCache,
    ) -> Option<Data> {
        let m = &self.state.metering;
        let c = self.cfg();
        let installed = m.installed_at;
        // ECS57 resets the configurable-period register apart (crate::config::limits).
        let configurable_reset = self
            .state
            .config
            .limits
            .configurable_max_demand_reset_at
            .or(c.max_demand_reset_at);
        let md = |ch: Channel, reset: Option<i64>, window: Option<(u32, u32)>| {
            let cell = match (ch, window) {
                (Channel::ActiveExport, _) => &cache.export,
                (_, None) => &cache.import,
                (_, Some(_)) => &cache.configurable,
            };
            *cell.get_or_init(|| {
                InstantaneousConfig::max_demand(m, ch, reset.unwrap_or(installed), t, window)
            })
        };
        Some(match *o {
            ecs17a::ACTIVE_EXPORT => dlu(m.register(Channel::ActiveExport, t)),
            ecs17a::REACTIVE_EXPORT => dlu(m.register(Channel::ReactiveExport, t)),
            ecs17a::ACTIVE_EXPORT_SCALER => scaler_unit(UNIT_WH),
            ecs17a::REACTIVE_EXPORT_SCALER => scaler_unit(UNIT_VARH),
            ecs18a::RESET_TIME => cosem_time(c.export_max_demand_reset_at.unwrap_or(installed)),
            ecs18a::MAX_DEMAND => Data::DoubleLongUnsigned(
                md(Channel::ActiveExport, c.export_max_demand_reset_at, None).0,
            ),
            ecs18a::MAX_DEMAND_TIME => {
                cosem_time(md(Channel::ActiveExport, c.export_max_demand_reset_at, None).1)
            }
            ecs18a::MAX_DEMAND_SCALER
            | ecs18b::MAX_DEMAND_SCALER
            | ecs18b::CONFIGURABLE_MAX_DEMAND_SCALER => scaler_unit(UNIT_W),
            ecs18b::RESET_TIME => cosem_time(c.max_demand_reset_at.unwrap_or(installed)),
            ecs18b::CONFIGURABLE_RESET_TIME => cosem_time(configurable_reset.unwrap_or(installed)),
            ecs18b::MAX_DEMAND => {
                Data::DoubleLongUnsigned(md(Channel::ActiveImport, c.max_demand_reset_at, None).0)
            }
            ecs18b::MAX_DEMAND_TIME => {
                cosem_time(md(Channel::ActiveImport, c.max_demand_reset_at, None).1)
            }
            ecs18b::CONFIGURABLE_MAX_DEMAND => Data::DoubleLongUnsigned(
                md(
                    Channel::ActiveImport,
                    configurable_reset,
                    Some(c.configurable_period),
                )
                .0,
            ),
            ecs18b::CONFIGURABLE_MAX_DEMAND_TIME => cosem_time(
                md(
                    Channel::ActiveImport,
                    configurable_reset,
                    Some(c.configurable_period),
                )
                .1,
            ),
            ecs18b::CONFIGURABLE_PERIOD => Data::Array(vec![
                schedule_entry(1, 1, c.configurable_period.0),
                schedule_entry(2, 2, c.configurable_period.1),
            ]),
            // The load limit supply state ECS28a writes (true: an event disables the supply).
            ecs27::SUPPLY_STATE_FLAG => {
                Data::Boolean(if self.state.config.limits.load_limit_disables_supply {
                    0xFF
                } else {
                    0x00
                })
            }
            ecs27::COUNTER => Data::DoubleLongUnsigned(c.load_limit_events(m, t)),
            ecs27::COUNTER_SCALER => scaler_unit(UNIT_COUNT),
            ecs27::THRESHOLD => Data::DoubleLongUnsigned(c.load_limit.threshold_w),
            ecs27::MIN_OVER_THRESHOLD => Data::DoubleLongUnsigned(c.load_limit.min_over_secs),
            ecs27::MIN_UNDER_THRESHOLD => Data::DoubleLongUnsigned(c.load_limit.min_under_secs),
            ecs82::METER_BALANCE => dl(self.balance_at(Channel::ActiveImport, t)),
            // 6.2.2 ECS26c (crate::config::limits): the limit 7.12 ECS38 set, the number and the
            // period the device's own.
            gbcs::usecases::ecs26c::OFFSET_LIMIT => Data::LongUnsigned(
                self.state
                    .aux_loads
                    .randomised_offset_limit
                    .unwrap_or(crate::config::limits::DEFAULT_RANDOMISED_OFFSET_LIMIT),
            ),
            gbcs::usecases::ecs26c::OFFSET_NUMBER => {
                Data::LongUnsigned(crate::config::limits::RANDOMISED_OFFSET_NUMBER)
            }
            gbcs::usecases::ecs26c::OFFSET_PERIOD => {
                Data::LongUnsigned(crate::config::limits::RANDOMISATION_OFFSET_PERIOD)
            }
            _ => return None,
        })
    }

    /// ECS17a, ECS18a, ECS18b, ECS27, ECS82 (and ECS61a): the GETs in order; a faulty attribute reads
    /// `hardware-fault` (an unknown one `object-undefined`) and the requests after it are not
    /// executed (`other-reason`), as the RTDS ERROR vectors show.
    pub(crate) fn instantaneous_get(
        &self,
        apdu: &gbcs::GeneralSigning,
        read: &DlmsRead,
        now: UtcDateTime,
        with_time: bool,
    ) -> Option<Execution> {
        let t = now.to_unix();
        let cache = DemandCache::default();
        let mut failed = false;
        let (data, results): (Vec<Data>, Vec<ResponseSpec>) = read
            .objects
            .iter()
            .map(|o| {
                if failed {
                    return (Data::Null, ResponseSpec::Get(exec::DLMS_NOT_EXECUTED));
                }
                let v = if self.dlms_fault(o) {
                    Err(exec::DLMS_FAILURE)
                } else {
                    self.instantaneous_value(o, t, &cache)
                        .or_else(|| self.aux_load_value(o, t))
                        .ok_or(exec::DLMS_OBJECT_UNDEFINED)
                };
                match v {
                    Ok(d) => (d, ResponseSpec::Get(exec::DLMS_SUCCESS)),
                    Err(code) => {
                        failed = true;
                        (Data::Null, ResponseSpec::Get(code))
                    }
                }
            })
            .unzip();
        Some(Execution::Done {
            content: exec::dlms_response(apdu.counter, data, results),
            date_time: with_time.then(|| self.device_time(now).to_cosem().0),
            success: !failed,
        })
    }

    /// The plaintext of a protected object (ECS17d, ECS17e, ECS19), `None` if faulty or not
    /// held.
    fn protected_instantaneous(&self, o: &CosemDescriptor, t: i64) -> Option<Data> {
        if self.dlms_fault(o) {
            return None;
        }
        let m = &self.state.metering;
        let c = self.cfg();
        Some(match *o {
            ecs17d::OBJECT => {
                let mx = c.rate_block_matrix(m, Channel::ActiveImport, t, TOU_RATES);
                Data::Structure(vec![Data::Array(
                    mx.iter().map(|r| dlu(r.iter().sum())).collect(),
                )])
            }
            ecs17e::OBJECT => {
                // 1.7's reset, or 6.26's daily one (crate::config::limits).
                let reset = self
                    .state
                    .config
                    .limits
                    .block_counters_reset_at(self.state.payment.block_counters_reset_at, t);
                let mx =
                    c.block_counter_matrix(m, Channel::ActiveImport, t, TOU_BLOCK_RATES, reset);
                Data::Structure(vec![Data::Array(
                    mx.iter()
                        .flat_map(|r| {
                            (0..TOU_BLOCK_SLOTS).map(|k| dlu(r.get(k).copied().unwrap_or(0)))
                        })
                        .collect(),
                )])
            }
            ecs19::OBJECT => {
                let p = &c.prepayment;
                let (credit, emergency) = self.credits_at(Channel::ActiveImport, t);
                let [d1, d2, d3] = self.debts_at(t);
                Data::Structure(vec![
                    dl(credit),
                    dl(emergency),
                    dl(p.accumulated_debt),
                    dl(d1),
                    dl(d2),
                    dl(d3),
                ])
            }
            _ => return None,
        })
    }

    /// ECS17d, ECS17e, ECS19: the protected objects encrypted to the requester; `Action(1)`
    /// without data if one cannot be read.
    pub(crate) fn instantaneous_protected(
        &self,
        cmd: &Accepted<'_>,
        read: &ProtectedRead,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let apdu = cmd.apdu;
        let t = now.to_unix();
        let date_time = Some(self.device_time(now).to_cosem().0);
        let values: Option<Vec<Data>> = read
            .objects
            .iter()
            .map(|o| self.protected_instantaneous(o, t))
            .collect();
        let block = values.and_then(|v| self.encrypt_for(cmd, &Data::Structure(v).encode()));
        let Some(block) = block else {
            return Some(Execution::Done {
                content: exec::dlms_response(
                    apdu.counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Action(exec::DLMS_FAILURE)],
                ),
                date_time,
                success: false,
            });
        };
        let params =
            gbcs::usecases::protection_parameters(apdu.counter, self.identity.eui, apdu.originator);
        let data = Data::Structure(vec![Data::Array(vec![params]), Data::OctetString(block)]);
        Some(Execution::Done {
            content: exec::dlms_response(
                apdu.counter,
                vec![data],
                vec![ResponseSpec::Action(exec::DLMS_SUCCESS)],
            ),
            date_time,
            success: true,
        })
    }

    /// The value of a gas attribute the instantaneous reads use (Metering TOU tiers, block
    /// counters, meter balance; Price currency; Prepayment credit and debt).
    fn gas_instantaneous(
        &self,
        cluster: u16,
        id: u16,
        now: UtcDateTime,
        cache: &std::cell::OnceCell<RateBlockMatrix>,
    ) -> Result<ZclValue, u8> {
        let t = now.to_unix();
        if self.zcl_fault(cluster, id) {
            return Err(zcl::HARDWARE_FAILURE);
        }
        let m = &self.state.metering;
        let c = self.cfg();
        let ch = self.ch_import();
        let matrix = || cache.get_or_init(|| c.rate_block_matrix(m, ch, t, GAS_TIERS));
        let credits = || self.credits_at(ch, t);
        let debt = |i: usize| {
            let v = self.debts_at(t).get(i).copied().unwrap_or(0);
            u32::try_from(v.max(0)).unwrap_or(u32::MAX)
        };
        let p = &c.prepayment;
        Ok(match (cluster, id) {
            (gbcs::usecases::CLUSTER_METERING, 0x0100 | 0x0102 | 0x0104 | 0x0106) => {
                let tier = usize::from((id - 0x0100) / 2);
                ZclValue::U48(matrix().get(tier).map_or(0, |r| r.iter().sum()))
            }
            (gbcs::usecases::CLUSTER_METERING, 0x0700..=0x0703) => {
                let block = usize::from(id - 0x0700);
                ZclValue::U48(matrix().iter().map(|r| r[block]).sum())
            }
            (gbcs::usecases::CLUSTER_METERING, 0x0A00) => {
                // The credit mode meter balance (crate::prepay: its own 1.5 entries).
                let v = self.credit_mode_balance_at(t).max(0);
                ZclValue::U32(u32::try_from(v).unwrap_or(u32::MAX))
            }
            (gbcs::usecases::CLUSTER_METERING, _) => {
                return self.gas_attribute(id, now);
            }
            // The Basic cluster (6.2.4: crate::identity).
            (0x0000, _) => return self.basic_attribute(id),
            (CLUSTER_PRICE, 0x0616) => ZclValue::U16(CURRENCY_GBP),
            (CLUSTER_PRICE, 0x0617) => ZclValue::Bitmap8(PRICE_TRAILING_DIGIT),
            (CLUSTER_PREPAYMENT, 0x0001) => ZclValue::I32(i32_of(credits().0)),
            (CLUSTER_PREPAYMENT, 0x0002) => ZclValue::I32(i32_of(credits().1)),
            (CLUSTER_PREPAYMENT, 0x0005) => ZclValue::I32(i32_of(p.accumulated_debt)),
            (CLUSTER_PREPAYMENT, 0x0211) => ZclValue::U32(debt(0)),
            (CLUSTER_PREPAYMENT, 0x0221) => ZclValue::U32(debt(1)),
            (CLUSTER_PREPAYMENT, 0x0231) => ZclValue::U32(debt(2)),
            _ => return Err(zcl::UNSUPPORTED_ATTRIBUTE),
        })
    }

    fn gas_records(&self, read: &ZclRead, now: UtcDateTime) -> Vec<u8> {
        let cache = std::cell::OnceCell::new();
        read.attributes
            .iter()
            .flat_map(|&id| {
                zcl::attribute_record(id, self.gas_instantaneous(read.cluster, id, now, &cache))
            })
            .collect()
    }

    fn gbz_time(&self, now: UtcDateTime) -> [u8; 12] {
        let mut dt = self.device_time(now).to_cosem().0;
        // Clock status: valid (as the RTDS GBZ responses carry it).
        if let Some(status) = dt.last_mut() {
            *status = 0x00;
        }
        dt
    }

    /// GCS13b, GCS13c: the Read Attributes Response encrypted to the requester (a faulty
    /// attribute's failure is inside the encrypted records).
    pub(crate) fn instantaneous_gas_sealed(
        &self,
        cmd: &Accepted<'_>,
        read: &ZclRead,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let records = self.gas_records(read, now);
        let (component, success) = match self.encrypt_for(cmd, &records) {
            Some(p) => (
                encrypted_component(read.cluster, 0, FC_TO_CLIENT_NO_DEFAULT, p, true),
                records_ok(&records),
            ),
            None => (
                exec::plain_component(
                    read.cluster,
                    0,
                    exec::ZCL_DEFAULT_RESPONSE,
                    vec![0x00, zcl::HARDWARE_FAILURE],
                    true,
                ),
                false,
            ),
        };
        Some(Execution::Done {
            content: exec::gbz(vec![component])?,
            date_time: Some(self.gbz_time(now)),
            success,
        })
    }

    /// GCS14, GCS60, GCS60a: one Read Attributes Response per component, plaintext or (the
    /// prepayment registers of GCS14) encrypted to the requester; after a component with a
    /// failed record, the rest answer a Default Response `FF FAILURE` (not executed).
    pub(crate) fn instantaneous_gas_multi(
        &self,
        cmd: &Accepted<'_>,
        reads: &[ZclRead],
        now: UtcDateTime,
        sealed: &[u16],
        with_time: bool,
    ) -> Option<Execution> {
        let n = reads.len();
        let mut failed = false;
        let mut components = Vec::with_capacity(n);
        for (i, read) in reads.iter().enumerate() {
            let seq = u8::try_from(i).ok()?;
            let last = i + 1 == n;
            if failed {
                components.push(exec::plain_component(
                    read.cluster,
                    seq,
                    exec::ZCL_DEFAULT_RESPONSE,
                    vec![0xFF, ZCL_FAILURE],
                    last,
                ));
                continue;
            }
            let records = self.gas_records(read, now);
            failed = !records_ok(&records);
            if sealed.contains(&read.cluster) {
                match self.encrypt_for(cmd, &records) {
                    Some(p) => components.push(encrypted_component(
                        read.cluster,
                        seq,
                        FC_TO_CLIENT,
                        p,
                        last,
                    )),
                    None => {
                        failed = true;
                        components.push(exec::plain_component(
                            read.cluster,
                            seq,
                            exec::ZCL_DEFAULT_RESPONSE,
                            vec![0x00, zcl::HARDWARE_FAILURE],
                            last,
                        ));
                    }
                }
            } else {
                components.push(exec::plain_component(
                    read.cluster,
                    seq,
                    exec::ZCL_READ_ATTRIBUTES_RESPONSE,
                    records,
                    last,
                ));
            }
        }
        Some(Execution::Done {
            content: exec::gbz(components)?,
            date_time: with_time.then(|| self.gbz_time(now)),
            success: !failed,
        })
    }
}

/// ZCL Price cluster.
const CLUSTER_PRICE: u16 = gbcs::usecases::reads_inst_common::CLUSTER_PRICE;
/// ZCL Prepayment cluster.
const CLUSTER_PREPAYMENT: u16 = gbcs::usecases::reads_inst_common::CLUSTER_PREPAYMENT;

fn number<T: TryFrom<u64>>(s: &str) -> Option<T> {
    let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => s.parse().ok()?,
    };
    T::try_from(v).ok()
}

/// The fault named `zcl-attribute:CLUSTER/ID` (numbers decimal or `0x` hex).
pub(crate) fn parse_fault(name: &str) -> Option<DeviceFault> {
    let rest = name.strip_prefix("zcl-attribute:")?;
    let (cluster, attribute) = rest.split_once('/')?;
    Some(DeviceFault::ClusterAttribute {
        cluster: number(cluster)?,
        attribute: number(attribute)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_420_070_400; // 2015-01-01T00:00:00Z

    /// Whatever the configuration (no bands, unsorted or out-of-range bands, rates beyond the
    /// matrix, thresholds out of order), the matrix adds up to the register and nothing panics.
    #[test]
    fn the_matrix_always_adds_up_to_the_register() {
        let m = Metering::new(T0, Some(T0));
        let configs = [
            vec![],
            vec![TouBand { start: 0, rate: 0 }],
            vec![
                TouBand {
                    start: 80_000,
                    rate: 200,
                },
                TouBand {
                    start: 3600,
                    rate: 3,
                },
                TouBand {
                    start: 999_999,
                    rate: 5,
                },
            ],
        ];
        for bands in configs {
            for thresholds in [[0, 0, 0], [10_000, 5, 7], [u64::MAX; 3]] {
                let c = InstantaneousConfig {
                    tou_bands: bands.clone(),
                    block_thresholds: thresholds,
                    ..InstantaneousConfig::default()
                };
                for t in [T0 - 10, T0, T0 + 1, T0 + 3 * 86_400 + 77] {
                    for rates in [1, 4, 48] {
                        let mx = c.rate_block_matrix(&m, Channel::ActiveImport, t, rates);
                        let sum: u64 = mx.iter().flatten().sum();
                        assert_eq!(sum, m.register(Channel::ActiveImport, t), "{bands:?} {t}");
                    }
                }
            }
        }
    }

    #[test]
    fn balance_and_credits() {
        let m = Metering::new(T0, None);
        let c = InstantaneousConfig::default();
        // Nothing flows: only the standing charge, pro rata.
        assert_eq!(
            c.meter_balance(&m, Channel::ActiveImport, T0 + 43_200),
            10_000_000 - 25_000
        );
        assert_eq!(
            c.meter_balance(&m, Channel::ActiveImport, T0 - 5),
            10_000_000
        );
    }

    /// Emergency credit: none before it is activated; from then on the limit less what the
    /// consumption since the activation drew once the credit ran out, never below zero.
    #[test]
    fn emergency_credit_is_drawn_only_once_activated() {
        const D: i64 = DAY;
        let m = Metering::new(T0, None);
        let mut c = InstantaneousConfig::default();
        // £1 of credit, 50p a day: the credit runs out after two days.
        c.prepayment.credit = 100_000;
        let ch = Channel::ActiveImport;
        // A £10 emergency credit limit.
        const L: i64 = 1_000_000;
        assert_eq!(c.credits(&m, ch, T0 + D, None, L), (50_000, 0));
        assert_eq!(c.credits(&m, ch, T0 + 3 * D, None, L), (0, 0));
        // Activated while in credit: drawn from when the balance went below zero.
        assert_eq!(c.credits(&m, ch, T0 + D, Some(T0), L), (50_000, 1_000_000));
        assert_eq!(c.credits(&m, ch, T0 + 3 * D, Some(T0), L), (0, 950_000));
        // Activated a day after the credit ran out: only what followed the activation.
        let at = Some(T0 + 3 * D);
        assert_eq!(
            c.credits(&m, ch, T0 + 2 * D, at, L),
            (0, 0),
            "before activation"
        );
        assert_eq!(c.credits(&m, ch, T0 + 3 * D, at, L), (0, 1_000_000));
        assert_eq!(c.credits(&m, ch, T0 + 4 * D, at, L), (0, 950_000));
        // Exhausted.
        assert_eq!(c.credits(&m, ch, T0 + 40 * D, Some(T0), L), (0, 0));
    }
}
