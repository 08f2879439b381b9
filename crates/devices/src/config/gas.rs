//! The billing calendar as written (DUIS 6.8, read by 6.2.3) and the gas configuration
//! (`DeviceState::config.site.gas`).
//!
//! **Billing calendar** (ESME: ECS30, ECS30a write, ECS26d, ECS26l read): the `execution_time`
//! entries of the single action schedule `0-0:15.0.0.255` (see
//! [`gbcs::usecases::billing_calendar`]), each a local (UK civil) time and a date pattern
//! (month, day of month, day of week, wildcards allowed). A write is kept as a
//! [`BillingEpoch`]: the entries and the device time it took effect, so the billing data log
//! (4.4.x, [`crate::reads::logs`]) snapshots at the earlier calendar's instants up to the write
//! and at the new one's after it ([`GasConfig::billing_captures`]); before any write the
//! calendar is `DeviceState::billing_calendar`'s (monthly on the 1st at local midnight by
//! default), which [`GasConfig::original`] keeps once a write changes it. The write also
//! updates `DeviceState::billing_calendar` (day of month and months per period) where the
//! calendar is one it can state. A read answers the entries in force, or those of the
//! original calendar. A DLMS fault on the object ([`crate::DeviceFault::DlmsObject`]
//! `22/0.0.15.0.0.255/4`) answers `hardware-fault` (the RTDS ERROR vectors) and changes
//! nothing; a command whose entries are outside the GBCS ranges does not decode and is
//! refused as not supported, changing nothing.

use gbcs::GeneralSigning;
use gbcs::UtcDateTime;
use gbcs::axdr::Data;
use gbcs::dlms::ResponseSpec;
use gbcs::gbz::{CONTROL_LAST, GbzBody, GbzComponent, ZclFrame};
use gbcs::usecases::billing_calendar::{self, ExecutionTime, OBJECT};
use gbcs::usecases::gas_billing_calendar::{
    CLUSTER_PRICE, GET_BILLING_PERIOD, GasBillingPeriod, GasPeriodicity, MONTHS,
    PUBLISH_BILLING_PERIOD, PUBLISH_BLOCK_PERIOD,
};
use gbcs::usecases::gas_configuration::{
    self as gas_cfg, CALORIFIC_VALUE_TRAILING, CALORIFIC_VALUE_UNIT, CLUSTER_METERING,
    CONVERSION_FACTOR_TRAILING, GasConversion, GasFlow,
};
use gbcs::usecases::reads_common::{GbzRead, GbzReadSet};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{DLMS_FAILURE, DLMS_SUCCESS, Execution, dlms_response, done, gbz};
use crate::reads::logs::{BillingCalendar, billing_captures, uk_offset};
use crate::state::DeviceFault;
use crate::zcl::ZclValue;

const DAY: i64 = 86_400;
/// Calendars kept: the billing data log holds 12 periods, so older writes no longer matter.
pub const BILLING_EPOCHS: usize = 16;
/// How far back (days) a read of the billing data log looks for a written calendar's period
/// ends (a yearly calendar's twelve: a little over twelve years).
const MAX_DAYS_BACK: i64 = 366 * 13;

/// A billing calendar written to the device and the device time (unix seconds) from which it
/// is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingEpoch {
    /// Device time of the write.
    pub since: i64,
    /// The `execution_time` entries.
    pub entries: Vec<ExecutionTime>,
}

/// The billing calendar as written and the gas configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GasConfig {
    /// The calendar in force before the first write (`DeviceState::billing_calendar` then).
    pub original: Option<BillingCalendar>,
    /// The calendars written, oldest first, at most [`BILLING_EPOCHS`].
    pub billing_epochs: Vec<BillingEpoch>,
    /// The GSME's billing period as last published to it (GCS25, GCS25a).
    pub gas_billing_period: Option<GasBillingPeriod>,
    /// The gas conversion as last written (GCS23); `None`: [`DEFAULT_GAS_CONVERSION`].
    pub gas_conversion: Option<GasConversion>,
    /// The gas flow configuration as last written (GCS24, GCS24a); `None`:
    /// [`DEFAULT_GAS_FLOW`].
    pub gas_flow: Option<GasFlow>,
}

/// The entries of a `BillingCalendar` (local midnight on its day of the months it names).
pub fn legacy_entries(cal: BillingCalendar) -> Vec<ExecutionTime> {
    let day = cal.day_of_month.clamp(1, 28);
    let step = cal.period_months.max(1);
    let e = |month: u8| ExecutionTime {
        time: [0, 0, 0, 0],
        date: [0xFF, 0xFF, month, day, 0xFF],
    };
    let months: Vec<u8> = (1..=12u8).filter(|m| (m - 1) % step == 0).collect();
    if step == 1 || months.len() > billing_calendar::MAX_ENTRIES {
        vec![e(0xFF)]
    } else {
        months.into_iter().map(e).collect()
    }
}

/// The `BillingCalendar` stating `entries`, where it can: monthly, quarterly, six-monthly or
/// yearly at local midnight from January on one day of the month.
fn as_legacy(entries: &[ExecutionTime]) -> Option<BillingCalendar> {
    let first = entries.first()?;
    let day = first.date[3];
    if !(1..=28).contains(&day) {
        return None;
    }
    let period_months = match entries.len() {
        1 if first.date[2] == 0xFF => 1,
        1 => 12,
        2 => 6,
        4 => 3,
        _ => return None,
    };
    let cal = BillingCalendar {
        day_of_month: day,
        period_months,
    };
    (legacy_entries(cal) == entries).then_some(cal)
}

/// Civil date (year, month, day) of a day count since 1970-01-01.
fn civil(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u8, d as u8)
}

/// The instants (unix seconds, UTC) in `(lo, hi]` at which `entries` end a billing period,
/// newest first, at most `cap`.
fn entry_captures(entries: &[ExecutionTime], lo: i64, hi: i64, cap: usize) -> Vec<i64> {
    let mut out = Vec::new();
    if hi <= lo {
        return out;
    }
    let last_day = (hi + uk_offset(hi)).div_euclid(DAY);
    let first_day = ((lo + uk_offset(lo)).div_euclid(DAY)).max(last_day - MAX_DAYS_BACK);
    let mut day = last_day;
    while day >= first_day && out.len() < cap {
        let (_, month, dom) = civil(day);
        let dow = u8::try_from((day + 3).rem_euclid(7) + 1).unwrap_or(0);
        let mut times: Vec<i64> = entries
            .iter()
            .filter(|e| {
                let (m, d, w) = e.fields();
                m.is_none_or(|m| m == month)
                    && d.is_none_or(|d| d == dom)
                    && w.is_none_or(|w| w == dow)
            })
            .map(|e| {
                let local = day * DAY + e.seconds_of_day();
                let guess = local - uk_offset(local);
                local - uk_offset(guess)
            })
            .filter(|t| lo < *t && *t <= hi)
            .collect();
        times.sort_unstable_by(|a, b| b.cmp(a));
        times.dedup();
        out.extend(times);
        day -= 1;
    }
    out.truncate(cap);
    out
}

impl GasConfig {
    /// The billing-period ends after `installed_at`, at or before `now` (device time), the
    /// last `capacity` of them, that lie in `[from, to]`, oldest first: `legacy`'s (the
    /// calendar before any write) up to the first write, then each written calendar's in its
    /// epoch.
    pub fn billing_captures(
        &self,
        legacy: BillingCalendar,
        installed_at: i64,
        now: i64,
        from: i64,
        to: i64,
        capacity: usize,
    ) -> Vec<i64> {
        let Some(first) = self.billing_epochs.first() else {
            return billing_captures(legacy, installed_at, now, from, to, capacity);
        };
        let original = self.original.unwrap_or(legacy);
        // Newest first.
        let mut all: Vec<i64> = Vec::new();
        for (i, e) in self.billing_epochs.iter().enumerate().rev() {
            let hi = self
                .billing_epochs
                .get(i + 1)
                .map_or(now, |n| n.since)
                .min(now);
            let lo = e.since.max(installed_at);
            if all.len() < capacity {
                all.extend(entry_captures(&e.entries, lo, hi, capacity - all.len()));
            }
        }
        if all.len() < capacity {
            let mut before = billing_captures(
                original,
                installed_at,
                first.since.min(now),
                i64::MIN,
                i64::MAX,
                capacity - all.len(),
            );
            before.reverse();
            all.extend(before);
        }
        all.truncate(capacity);
        all.retain(|&m| from <= m && m <= to);
        all.reverse();
        all
    }

    /// The entries in force: the last written, or those of `legacy`.
    pub fn billing_entries(&self, legacy: BillingCalendar) -> Vec<ExecutionTime> {
        self.billing_epochs
            .last()
            .map_or_else(|| legacy_entries(legacy), |e| e.entries.clone())
    }
}

/// Seconds from the Unix epoch to the ZigBee epoch (2000-01-01T00:00:00Z).
const ZIGBEE_EPOCH: i64 = 946_684_800;
/// ZCL status HARDWARE_FAILURE.
const ZCL_HARDWARE_FAILURE: u8 = 0xC0;
/// ZCL global command: Default Response.
const ZCL_DEFAULT_RESPONSE: u8 = 0x0B;

/// A GSME that was never given a billing period: monthly from 2000-01-01 at midnight, the
/// 1st of every month, as `BillingCalendar::default()`.
pub const DEFAULT_GAS_BILLING_PERIOD: GasBillingPeriod = GasBillingPeriod {
    issuer_event_id: 0,
    start: 0,
    duration: 1,
    duration_type: MONTHS,
};

/// The `execution_time` entries at which a gas billing period ends: the start's local (UK) time
/// of day, and its day of week (weekly), day of month (monthly and longer) and months
/// (quarterly, six-monthly, yearly: from the start's month).
pub fn gas_entries(p: &GasBillingPeriod) -> Vec<ExecutionTime> {
    let utc = i64::from(p.start) + ZIGBEE_EPOCH;
    let local = utc + uk_offset(utc);
    let day = local.div_euclid(DAY);
    let secs = local.rem_euclid(DAY);
    let (_, month, dom) = civil(day);
    let dow = u8::try_from((day + 3).rem_euclid(7) + 1).unwrap_or(0xFF);
    let time = [
        u8::try_from(secs / 3600).unwrap_or(0),
        u8::try_from(secs / 60 % 60).unwrap_or(0),
        u8::try_from(secs % 60).unwrap_or(0),
        0,
    ];
    let e = |m: u8, d: u8, w: u8| ExecutionTime {
        time,
        date: [0xFF, 0xFF, m, d, w],
    };
    let months = |n: u8| -> Vec<ExecutionTime> {
        (0..12 / n)
            .map(|k| e((month - 1 + k * n) % 12 + 1, dom, 0xFF))
            .collect()
    };
    match p.periodicity() {
        Some(GasPeriodicity::Daily) => vec![e(0xFF, 0xFF, 0xFF)],
        Some(GasPeriodicity::Weekly) => vec![e(0xFF, 0xFF, dow)],
        Some(GasPeriodicity::Monthly) | None => vec![e(0xFF, dom, 0xFF)],
        Some(GasPeriodicity::Quarterly) => months(3),
        Some(GasPeriodicity::SixMonthly) => months(6),
        Some(GasPeriodicity::Yearly) => months(12),
    }
}

fn zcl(
    control: u8,
    frame_control: u8,
    sequence: u8,
    command: u8,
    payload: Vec<u8>,
) -> GbzComponent {
    GbzComponent {
        control,
        cluster: CLUSTER_PRICE,
        body: GbzBody::Plain {
            from_date_time: None,
            zcl: ZclFrame {
                frame_control,
                manufacturer_code: None,
                sequence,
                command,
                payload,
            },
        },
    }
}

impl EmulatedDevice {
    /// Keeps `entries` as the calendar in force from `now` (device time).
    fn take_billing_calendar(&mut self, entries: Vec<ExecutionTime>, now: UtcDateTime) {
        let since = self.device_time(now).to_unix();
        let legacy = self.state.billing_calendar;
        if let Some(cal) = as_legacy(&entries) {
            self.state.billing_calendar = cal;
        }
        let gas = &mut self.state.config.site.gas;
        if gas.original.is_none() {
            gas.original = Some(legacy);
        }
        gas.billing_epochs.push(BillingEpoch { since, entries });
        if gas.billing_epochs.len() > BILLING_EPOCHS {
            gas.billing_epochs.remove(0);
        }
    }

    /// GCS25 / GCS25a: the Publish Billing Period and Publish Block Period, each answered by a
    /// Default Response; a fault on the Publish Block Period
    /// ([`DeviceFault::ZclCommand`] `0x0700`/`0x01`) answers it HARDWARE_FAILURE, as the RTDS
    /// ERROR vectors, and changes nothing.
    pub(crate) fn set_gas_billing_period(
        &mut self,
        period: GasBillingPeriod,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::ZclCommand {
            cluster: CLUSTER_PRICE,
            command: PUBLISH_BLOCK_PERIOD,
        });
        if works {
            self.take_billing_calendar(gas_entries(&period), now);
            self.state.config.site.gas.gas_billing_period = Some(period);
        }
        let status = if works { 0 } else { ZCL_HARDWARE_FAILURE };
        let content = gbz(vec![
            zcl(
                0,
                0x00,
                0,
                ZCL_DEFAULT_RESPONSE,
                vec![PUBLISH_BILLING_PERIOD, 0],
            ),
            zcl(
                CONTROL_LAST,
                0x00,
                1,
                ZCL_DEFAULT_RESPONSE,
                vec![PUBLISH_BLOCK_PERIOD, status],
            ),
        ])?;
        done(content, works)
    }

    /// GCS21d / GCS21k: the billing period as a Publish Billing Period; a fault on the Get
    /// Billing Period ([`DeviceFault::ZclCommand`] `0x0700`/`0x0B`) answers a Default Response
    /// HARDWARE_FAILURE, as the RTDS ERROR vectors.
    pub(crate) fn read_gas_billing_period(&self) -> Option<Execution> {
        if self.state.has_fault(DeviceFault::ZclCommand {
            cluster: CLUSTER_PRICE,
            command: GET_BILLING_PERIOD,
        }) {
            let content = gbz(vec![zcl(
                CONTROL_LAST,
                0x08,
                0,
                ZCL_DEFAULT_RESPONSE,
                vec![GET_BILLING_PERIOD, ZCL_HARDWARE_FAILURE],
            )])?;
            return done(content, false);
        }
        let p = self
            .state
            .config
            .site
            .gas
            .gas_billing_period
            .unwrap_or(DEFAULT_GAS_BILLING_PERIOD);
        let f = p.publish_billing_period(0);
        let content = gbz(vec![zcl(
            CONTROL_LAST,
            f.frame_control,
            f.sequence,
            f.command,
            f.payload,
        )])?;
        done(content, true)
    }

    fn billing_calendar_faulty(&self) -> bool {
        self.state.has_fault(DeviceFault::DlmsObject {
            class: OBJECT.class_id,
            obis: OBJECT.instance,
            attribute: OBJECT.index,
        })
    }

    /// ECS30 / ECS30a: SETs the billing calendar, in force from now (device time).
    pub(crate) fn set_billing_calendar(
        &mut self,
        apdu: &GeneralSigning,
        entries: Vec<ExecutionTime>,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let works = !self.billing_calendar_faulty();
        if works {
            self.take_billing_calendar(entries, now);
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Set(code)],
            ),
            works,
        )
    }

    /// ECS26d / ECS26l: GETs the billing calendar in force.
    pub(crate) fn read_billing_calendar(&self, apdu: &GeneralSigning) -> Option<Execution> {
        if self.billing_calendar_faulty() {
            return done(
                dlms_response(
                    apdu.counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Get(DLMS_FAILURE)],
                ),
                false,
            );
        }
        let entries = self
            .state
            .config
            .site
            .gas
            .billing_entries(self.state.billing_calendar);
        done(
            dlms_response(
                apdu.counter,
                vec![billing_calendar::entries_data(&entries)],
                vec![ResponseSpec::Get(DLMS_SUCCESS)],
            ),
            true,
        )
    }
}

/// ZCL INVALID_VALUE.
const ZCL_INVALID_VALUE: u8 = 0x87;

/// The gas conversion before any write (the RTDS GCS21a SUCCESS response: conversion factor
/// 36, calorific value 567, their trailing digits as there).
pub const DEFAULT_GAS_CONVERSION: GasConversion = GasConversion {
    issuer_event_id: 0,
    conversion_factor: 36,
    calorific_value: 567,
};

/// The gas flow configuration before any write (the RTDS GCS21a SUCCESS response: threshold
/// 200, divisor 1, stabilisation 10 s, measurement 3600 s).
pub const DEFAULT_GAS_FLOW: GasFlow = GasFlow {
    issuer_event_id: 0,
    threshold: 200,
    divisor: 1,
    stabilisation_period: 10,
    measurement_period: 3600,
    tamper_state: gas_cfg::SUPPLY_UNCHANGED,
    depletion_state: gas_cfg::SUPPLY_UNCHANGED,
};

fn component(
    cluster: u16,
    last: bool,
    frame_control: u8,
    sequence: u8,
    command: u8,
    payload: Vec<u8>,
) -> GbzComponent {
    GbzComponent {
        control: if last { CONTROL_LAST } else { 0 },
        cluster,
        body: GbzBody::Plain {
            from_date_time: None,
            zcl: ZclFrame {
                frame_control,
                manufacturer_code: None,
                sequence,
                command,
                payload,
            },
        },
    }
}

impl EmulatedDevice {
    /// The status of a 6.6 / 6.7 ZSE command on `cluster`: HARDWARE_FAILURE under a
    /// [`DeviceFault::ZclCommand`] fault (the RTDS ERROR vectors), INVALID_VALUE when `valid`
    /// is false.
    fn set_status(&self, cluster: u16, command: u8, valid: bool) -> u8 {
        if self
            .state
            .has_fault(DeviceFault::ZclCommand { cluster, command })
        {
            ZCL_HARDWARE_FAILURE
        } else if valid {
            0
        } else {
            ZCL_INVALID_VALUE
        }
    }

    /// Answers a two-command 6.6 / 6.7 write: a Default Response to each; `apply` runs only
    /// when both succeed. Frame control `0x00` (Price) or `0x08` (Metering), as the RTDS.
    fn two_command_write(
        &mut self,
        cluster: u16,
        frame_control: u8,
        statuses: [(u8, u8); 2],
        apply: impl FnOnce(&mut GasConfig),
    ) -> Option<Execution> {
        let ok = statuses.iter().all(|(_, s)| *s == 0);
        if ok {
            apply(&mut self.state.config.site.gas);
        }
        let content = gbz(vec![
            component(
                cluster,
                false,
                frame_control,
                0,
                ZCL_DEFAULT_RESPONSE,
                vec![statuses[0].0, statuses[0].1],
            ),
            component(
                cluster,
                true,
                frame_control,
                1,
                ZCL_DEFAULT_RESPONSE,
                vec![statuses[1].0, statuses[1].1],
            ),
        ])?;
        done(content, ok)
    }

    /// GCS23: takes the conversion factor and calorific value; a zero one is refused
    /// INVALID_VALUE and nothing changes.
    pub(crate) fn set_gas_conversion(&mut self, c: GasConversion) -> Option<Execution> {
        let cf = self.set_status(
            CLUSTER_PRICE,
            gas_cfg::PUBLISH_CONVERSION_FACTOR,
            c.conversion_factor != 0,
        );
        let cv = self.set_status(
            CLUSTER_PRICE,
            gas_cfg::PUBLISH_CALORIFIC_VALUE,
            c.calorific_value != 0,
        );
        self.two_command_write(
            CLUSTER_PRICE,
            0x00,
            [
                (gas_cfg::PUBLISH_CONVERSION_FACTOR, cf),
                (gas_cfg::PUBLISH_CALORIFIC_VALUE, cv),
            ],
            |g| g.gas_conversion = Some(c),
        )
    }

    /// GCS24 / GCS24a: takes the uncontrolled flow configuration (a zero threshold is refused
    /// INVALID_VALUE and nothing changes).
    pub(crate) fn set_gas_flow(&mut self, f: GasFlow) -> Option<Execution> {
        let t = self.set_status(
            CLUSTER_METERING,
            gas_cfg::SET_UNCONTROLLED_FLOW_THRESHOLD,
            f.threshold != 0 && f.in_range(),
        );
        let s = self.set_status(CLUSTER_METERING, gas_cfg::SET_SUPPLY_STATUS, true);
        self.two_command_write(
            CLUSTER_METERING,
            0x08,
            [
                (gas_cfg::SET_UNCONTROLLED_FLOW_THRESHOLD, t),
                (gas_cfg::SET_SUPPLY_STATUS, s),
            ],
            |g| g.gas_flow = Some(f),
        )
    }

    /// The value of a 6.2.8 attribute; HARDWARE_FAILURE under a
    /// [`DeviceFault::MeteringAttribute`] fault (the RTDS ERROR vector's `0x0B14`).
    fn gas_configuration_attribute(&self, cluster: u16, id: u16) -> Result<ZclValue, u8> {
        if cluster == CLUSTER_METERING && self.state.has_fault(DeviceFault::MeteringAttribute(id)) {
            return Err(ZCL_HARDWARE_FAILURE);
        }
        let g = &self.state.config.site.gas;
        let c = g.gas_conversion.unwrap_or(DEFAULT_GAS_CONVERSION);
        let f = g.gas_flow.unwrap_or(DEFAULT_GAS_FLOW);
        let written = g.gas_conversion.is_some();
        Ok(match (cluster, id) {
            // The defaults carry the RTDS's trailing digits (0x00 and 0x01).
            (CLUSTER_PRICE, 0x0306) => {
                ZclValue::Bitmap8(if written { CALORIFIC_VALUE_TRAILING } else { 0 })
            }
            (CLUSTER_PRICE, 0x0305) => ZclValue::Enum8(CALORIFIC_VALUE_UNIT),
            (CLUSTER_PRICE, 0x0304) => ZclValue::U32(c.calorific_value),
            (CLUSTER_PRICE, 0x0303) => ZclValue::Bitmap8(if written {
                CONVERSION_FACTOR_TRAILING
            } else {
                1
            }),
            (CLUSTER_PRICE, 0x0302) => ZclValue::U32(c.conversion_factor),
            (CLUSTER_METERING, 0x0B13) => ZclValue::U16(f.divisor),
            (CLUSTER_METERING, 0x0B12) => ZclValue::U16(1),
            (CLUSTER_METERING, 0x0B11) => ZclValue::Enum8(0x01),
            (CLUSTER_METERING, 0x0B10) => ZclValue::U16(f.threshold),
            (CLUSTER_METERING, 0x0B14) => ZclValue::U8(f.stabilisation_period),
            (CLUSTER_METERING, 0x0B15) => ZclValue::U16(f.measurement_period),
            _ => return Err(crate::zcl::UNSUPPORTED_ATTRIBUTE),
        })
    }

    /// GCS21a: a Read Attributes Response (frame control `0x08`) per component.
    pub(crate) fn read_gas_configuration(&self, set: &GbzReadSet) -> Option<Execution> {
        let mut out = Vec::new();
        let mut success = true;
        let n = set.reads.len();
        for (i, read) in set.reads.iter().enumerate() {
            let GbzRead::Attributes {
                cluster,
                attributes,
            } = *read
            else {
                return None;
            };
            let mut records = Vec::new();
            for &id in attributes {
                let v = self.gas_configuration_attribute(cluster, id);
                success &= v.is_ok();
                records.extend(crate::zcl::attribute_record(id, v));
            }
            out.push(component(
                cluster,
                i + 1 == n,
                0x08,
                u8::try_from(i).unwrap_or(u8::MAX),
                crate::exec::ZCL_READ_ATTRIBUTES_RESPONSE,
                records,
            ));
        }
        done(gbz(out)?, success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: u16, m: u8, d: u8, h: u8) -> i64 {
        UtcDateTime::new(y, m, d, h, 0, 0).unwrap().to_unix()
    }

    fn daily_at(hour: u8) -> Vec<ExecutionTime> {
        vec![ExecutionTime {
            time: [hour, 0, 0, 0],
            date: [0xFF; 5],
        }]
    }

    #[test]
    fn civil_dates_and_weekdays() {
        assert_eq!(civil(0), (1970, 1, 1));
        let d = t(2026, 12, 7, 0) / DAY;
        assert_eq!(civil(d), (2026, 12, 7));
        // 2026-12-07 is a Monday.
        assert_eq!((d + 3).rem_euclid(7) + 1, 1);
    }

    #[test]
    fn a_written_calendar_takes_over_from_its_write() {
        let installed = t(2025, 11, 20, 0);
        let mut g = GasConfig::default();
        let legacy = BillingCalendar::default();
        let write = t(2026, 1, 10, 9);
        g.original = Some(legacy);
        g.billing_epochs.push(BillingEpoch {
            since: write,
            entries: daily_at(12),
        });
        let now = t(2026, 1, 13, 13);
        let all = g.billing_captures(legacy, installed, now, i64::MIN, i64::MAX, 12);
        assert_eq!(
            all,
            vec![
                t(2025, 12, 1, 0),
                t(2026, 1, 1, 0),
                t(2026, 1, 10, 12),
                t(2026, 1, 11, 12),
                t(2026, 1, 12, 12),
                t(2026, 1, 13, 12)
            ]
        );
        // Local time: in summer 12:00 is 11:00 UTC.
        let all = g.billing_captures(legacy, installed, t(2026, 7, 2, 0), i64::MIN, i64::MAX, 1);
        assert_eq!(all, vec![t(2026, 7, 1, 11)]);
    }

    #[test]
    fn legacy_calendars_convert_both_ways() {
        for (d, p) in [(1, 1), (15, 3), (28, 6), (3, 12)] {
            let cal = BillingCalendar {
                day_of_month: d,
                period_months: p,
            };
            assert_eq!(as_legacy(&legacy_entries(cal)), Some(cal));
        }
        assert_eq!(as_legacy(&daily_at(0)), None);
    }
}
