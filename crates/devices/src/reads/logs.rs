//! The logs a meter keeps, and its answers to the log-read use cases (ECS20a–d, ECS21a–c,
//! ECS66, GCS15b–e, GCS16a–b, GCS61).
//!
//! Nothing here but the prepayment credits log is stored as it accrues: every other log entry is derived from the metering functions
//! ([`crate::metering::Metering::register`]) at the time the device would have captured it, so
//! logs grow with the simulated clock and never change once captured.
//!
//! * **Daily read log** (ECS21a, ECS21c export, GCS16a): one entry per local midnight (UK civil
//!   time: GMT, BST from the last Sunday of March to the last Sunday of October, changing at
//!   01:00 UTC), holding the registers at that instant. Entries exist for the midnights after
//!   installation and up to the device's clock, the last [`DAILY_LOG_CAPACITY`] of them (731:
//!   two years, GBCS's daily read log).
//! * **Daily consumption log** (ECS66, GCS61): per local midnight, the consumption of the day
//!   that ends there (register at that midnight minus the one before); same capacity.
//! * **Billing calendar triggered billing data log** (ECS20c, GCS15c): the registers at each
//!   billing-period end of the device's [`BillingCalendar`] (monthly on the 1st by default),
//!   the last [`BILLING_LOG_CAPACITY`] (12) of them.
//! * **Prepayment daily read log** (ECS21b, GCS16b; the GPF answers from its own state as it
//!   does GCS16a): one snapshot per local midnight, the same captures as the daily read log,
//!   holding the prepayment registers at that instant from the balance model
//!   ([`crate::reads::InstantaneousConfig::meter_balance`], what 4.18 and 4.3
//!   read): the meter balance (the credit minus the cost of the consumption and the standing
//!   charge since then, negative once the credit is used up), the emergency credit balance
//!   that follows from it, and the debt registers: accumulated debt, time debts 1 and 2 and
//!   payment debt as configured (0 by default), since no debt accrues or is collected in this
//!   emulation (a debt model is issue 15's). The ESME's rows are capture time then those six
//!   amounts (RTDS ECS21b), the GSME's a Publish Prepay Snapshot of payload type 0 (debt/credit
//!   status).
//! * **Prepayment credits log** (ECS20d, GCS15e): unlike the others, kept as credits happen
//!   ([`crate::prepay::CreditsLog`]: the last five UTRNs accepted, over the WAN or at the
//!   keypad, and 1.5 adjustments that add credit; time by the meter's clock, amount in 10⁻⁵
//!   GBP). The ESME answers a compact array of (time, amount) double-long-unsigned entries, the
//!   GSME a plaintext Publish Top Up Log (UTRN, amount, time per top-up, newest first) or
//!   NOT_FOUND, as the RTDS vectors.
//! * **Change of mode / tariff triggered log** (ECS20b, GCS15b), **debt payments** (ECS20a,
//!   GCS15d), and the billing calendar's prepayment snapshots (GCS15c's Prepayment
//!   components): these hold events this emulation does not produce yet (no tariff change,
//!   mode change or debt collection is modelled), so they are genuinely empty.
//!
//! A read returns exactly the entries whose capture time lies in the period asked for; a period
//! holding none gets what GBCS gives: an empty compact array (DLMS) or a Default Response
//! NOT_FOUND (GBZ), both successes. [`crate::DeviceFault::Logs`] makes every log read fail as the
//! RTDS ERROR vectors show.

use gbcs::UtcDateTime;
use gbcs::axdr::{Data, TypeDescription};
use gbcs::crypto::encrypt_payload;
use gbcs::dlms::ResponseSpec;
use gbcs::gbz::{CONTROL_ENCRYPTED, CONTROL_LAST, GbzBody, GbzComponent, ZclFrame};
use gbcs::usecases::logs_common::{
    self, CLUSTER_PREPAYMENT, GET_DEBT_REPAYMENT_LOG, GET_SAMPLED_DATA, GET_SAMPLED_DATA_RESPONSE,
    GET_TOP_UP_LOG, PUBLISH_PREPAY_SNAPSHOT, PUBLISH_SNAPSHOT, PUBLISH_TOP_UP_LOG, ZCL_NOT_FOUND,
};
use gbcs::usecases::{
    CLUSTER_METERING, DecodedCommand, LogEntry, LogPeriod, ProtectedRangeRead, SnapshotRead,
    ecs20b, ecs20c, ecs21a, ecs21b, ecs66, protection_parameters,
};
use serde::{Deserialize, Serialize};

use crate::device::{Accepted, EmulatedDevice};
use crate::exec::{Execution, dlms_response, gbz};
use crate::metering::Channel;
use crate::state::DeviceFault;

/// Entries a daily log (daily read, daily consumption) holds: two years.
pub const DAILY_LOG_CAPACITY: usize = 731;
/// Entries the billing data log holds: a year of monthly billing periods.
pub const BILLING_LOG_CAPACITY: usize = 12;

const DAY: i64 = 86_400;
const DLMS_SUCCESS: u8 = 0;
const DLMS_FAILURE: u8 = 1;
const ZCL_HARDWARE_FAILURE: u8 = 0xC0;
const ZCL_DEFAULT_RESPONSE: u8 = 0x0B;
/// ZCL frame control: global, server to client.
const FC_GLOBAL_TO_CLIENT: u8 = 0x08;
/// ZCL frame control: cluster specific, server to client, default response disabled.
const FC_CLUSTER_TO_CLIENT_NO_DEFAULT: u8 = 0x19;
/// GBZ sampled data: the request interval of a daily log (beyond 16 bits: `FFFF`, as RTDS).
const SAMPLE_INTERVAL_DAILY: u16 = 0xFFFF;
/// ZSE snapshot payload type 0: TOU information set, delivered registers.
const SNAPSHOT_PAYLOAD_DELIVERED: u8 = 0;
/// ZSE prepay snapshot payload type 0: debt/credit status.
const PREPAY_PAYLOAD_DEBT_CREDIT_STATUS: u8 = 0;

/// When the device closes a billing period (GBCS billing calendar): at local midnight on
/// `day_of_month` of every `period_months`-th month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BillingCalendar {
    /// Day of the month a period ends on (1–28).
    pub day_of_month: u8,
    /// Months per billing period (1 = monthly).
    pub period_months: u8,
}

impl Default for BillingCalendar {
    fn default() -> Self {
        Self {
            day_of_month: 1,
            period_months: 1,
        }
    }
}

/// Unix time of `y-m-d 00:00 UTC`.
fn utc_midnight(y: u16, m: u8, d: u8) -> Option<i64> {
    UtcDateTime::new(y, m, d, 0, 0, 0).map(|t| t.to_unix())
}

/// The last Sunday of `month` in `year`, 01:00 UTC (where UK clocks change).
fn last_sunday_0100(year: u16, month: u8) -> Option<i64> {
    let first_next = if month == 12 {
        utc_midnight(year.checked_add(1)?, 1, 1)?
    } else {
        utc_midnight(year, month + 1, 1)?
    };
    let last_day = first_next - DAY;
    // 1970-01-01 was a Thursday: weekday 0 = Thursday, 3 = Sunday.
    let weekday = (last_day / DAY + 4).rem_euclid(7); // 0 = Sunday
    Some(last_day - weekday * DAY + 3600)
}

/// The UK civil time offset from UTC at `t`: 3600 in BST, else 0.
pub fn uk_offset(t: i64) -> i64 {
    let Some(u) = UtcDateTime::from_unix(t) else {
        return 0;
    };
    let y = u.to_cosem().0;
    let year = u16::from_be_bytes([y[0], y[1]]);
    match (last_sunday_0100(year, 3), last_sunday_0100(year, 10)) {
        (Some(start), Some(end)) if start <= t && t < end => 3600,
        _ => 0,
    }
}

/// The local midnight that starts the local day containing `t` (unix seconds, UTC).
pub fn local_midnight_at_or_before(t: i64) -> i64 {
    let local = t + uk_offset(t);
    let m = local - local.rem_euclid(DAY);
    // The midnight's own offset (the offset changes at 01:00 UTC, never across midnight).
    m - uk_offset(m - 3600)
}

/// The local midnight after `m` (a local midnight).
#[cfg(test)]
fn next_local_midnight(m: i64) -> i64 {
    local_midnight_at_or_before(m + DAY + 7200)
}

/// The capture times (unix seconds) of a daily log in `[from, to]`, oldest first: local
/// midnights after `installed_at`, at or before `now`, the last `capacity` before `now`.
pub fn daily_captures(
    installed_at: i64,
    now: i64,
    from: i64,
    to: i64,
    capacity: usize,
) -> Vec<i64> {
    let latest = local_midnight_at_or_before(now);
    let mut out = Vec::new();
    let mut m = latest;
    while m > installed_at && out.len() < capacity {
        if m < from {
            break;
        }
        if m <= to {
            out.push(m);
        }
        m = local_midnight_at_or_before(m - 1);
    }
    out.reverse();
    out
}

/// The billing-period ends of `cal` (local midnights on its day) after `installed_at`, at or
/// before `now`, the last `capacity`, that lie in `[from, to]`, oldest first.
pub fn billing_captures(
    cal: BillingCalendar,
    installed_at: i64,
    now: i64,
    from: i64,
    to: i64,
    capacity: usize,
) -> Vec<i64> {
    let day = cal.day_of_month.clamp(1, 28);
    let step = i32::from(cal.period_months.max(1));
    let Some(n) = UtcDateTime::from_unix(now + uk_offset(now)) else {
        return Vec::new();
    };
    let c = n.to_cosem().0;
    let (mut year, mut month) = (i32::from(u16::from_be_bytes([c[0], c[1]])), i32::from(c[2]));
    let mut all = Vec::new();
    // Walk back month by month from the current one; periods end on months 1, 1+step, …
    while all.len() < capacity && year >= 1970 {
        if (month - 1) % step == 0
            && let (Ok(y), Ok(mo)) = (u16::try_from(year), u8::try_from(month))
            && let Some(utc) = utc_midnight(y, mo, day)
        {
            let m = utc - uk_offset(utc - 3600);
            if m <= installed_at {
                break;
            }
            if m <= now {
                all.push(m);
            }
        }
        month -= 1;
        if month == 0 {
            month = 12;
            year -= 1;
        }
    }
    all.retain(|&m| from <= m && m <= to);
    all.reverse();
    all
}

fn zigbee(t: i64) -> u32 {
    UtcDateTime::from_unix(t).map_or(0, logs_common::zigbee_time)
}

/// A register as a double-long-unsigned (DLMS registers roll over at 2^32).
fn dlu(v: u64) -> u32 {
    u32::try_from(v & 0xFFFF_FFFF).unwrap_or(0)
}

/// The description of the ESME billing / daily read log entries (single element, as RTDS):
/// capture time, total active import, 48 TOU registers, four 8-register block arrays.
fn read_log_description() -> TypeDescription {
    let arr = |count| TypeDescription::Array {
        count,
        element: Box::new(TypeDescription::Simple(6)),
    };
    TypeDescription::Structure(vec![
        TypeDescription::Simple(6),
        TypeDescription::Simple(6),
        arr(48),
        arr(8),
        arr(8),
        arr(8),
        arr(8),
    ])
}

/// Packs read-log entries: time, total, TOU register 1 = total (no time-of-use tariff is
/// modelled, so all energy is on the first rate), the other registers zero.
fn read_log_array(entries: &[(u32, u32)]) -> Data {
    let mut contents = Vec::new();
    for &(time, total) in entries {
        contents.extend_from_slice(&time.to_be_bytes());
        contents.extend_from_slice(&total.to_be_bytes());
        contents.extend_from_slice(&total.to_be_bytes());
        contents.extend(std::iter::repeat_n(0u8, (47 + 32) * 4));
    }
    Data::CompactArray {
        description: read_log_description(),
        contents,
    }
}

/// An empty compact array of the change-of-mode/tariff log's columns (RTDS ECS20b single).
fn triggered_log_empty() -> Data {
    let TypeDescription::Structure(mut cols) = read_log_description() else {
        unreachable!("a structure")
    };
    cols.extend(std::iter::repeat_n(TypeDescription::Simple(5), 6));
    Data::CompactArray {
        description: TypeDescription::Structure(cols),
        contents: Vec::new(),
    }
}

/// One prepayment daily snapshot (ECS21b, GCS16b): the prepayment registers at a local
/// midnight, amounts in 10⁻⁵ GBP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrepaySnapshot {
    /// Capture time (the device's clock), ZigBee UTCTime: seconds since 2000-01-01 UTC.
    pub time: u32,
    /// The meter balance, as 4.18 reads it (negative once the credit is used up).
    pub meter_balance: i64,
    /// Emergency credit balance (the emergency credit still available).
    pub emergency_credit: i64,
    /// Accumulated debt register.
    pub accumulated_debt: i64,
    /// Time debt registers 1 and 2.
    pub time_debts: [u32; 2],
    /// Payment debt register.
    pub payment_debt: u32,
}

/// An amount as a DLMS double-long / ZCL int32, saturating.
fn amount_i32(v: i64) -> i32 {
    i32::try_from(v.clamp(i64::from(i32::MIN), i64::from(i32::MAX))).unwrap_or(0)
}

/// The columns of the prepayment daily read log (RTDS ECS21b): capture time
/// (double-long-unsigned), then six double-long amounts.
fn prepayment_daily_description() -> TypeDescription {
    let mut cols = vec![TypeDescription::Simple(6)];
    cols.extend(std::iter::repeat_n(TypeDescription::Simple(5), 6));
    TypeDescription::Structure(cols)
}

/// Packs prepayment daily snapshots as the ESME's log (ECS21b): capture time (ZigBee UTCTime),
/// meter balance, emergency credit balance, accumulated debt, time debt registers 1 and 2,
/// payment debt register (the order of ECS19's registers, as the RTDS vector and the MMC
/// rendering read them).
fn prepayment_daily_array(entries: &[PrepaySnapshot]) -> Data {
    let mut contents = Vec::with_capacity(entries.len() * 7 * 4);
    for e in entries {
        contents.extend_from_slice(&e.time.to_be_bytes());
        for v in [
            e.meter_balance,
            e.emergency_credit,
            e.accumulated_debt,
            i64::from(e.time_debts[0]),
            i64::from(e.time_debts[1]),
            i64::from(e.payment_debt),
        ] {
            contents.extend_from_slice(&amount_i32(v).to_be_bytes());
        }
    }
    Data::CompactArray {
        description: prepayment_daily_description(),
        contents,
    }
}

/// The header of a ZSE Publish Snapshot / Publish Prepay Snapshot payload: snapshot id (the
/// offset asked for), capture time, snapshots found, command index 0 of 1 command, cause,
/// payload type.
fn snapshot_header(id: u8, time: u32, found: usize, cause: u32, payload_type: u8) -> Vec<u8> {
    let mut p = Vec::with_capacity(40);
    p.extend_from_slice(&u32::from(id).to_le_bytes());
    p.extend_from_slice(&time.to_le_bytes());
    p.push(u8::try_from(found).unwrap_or(u8::MAX));
    p.extend_from_slice(&[0, 1]);
    p.extend_from_slice(&cause.to_le_bytes());
    p.push(payload_type);
    p
}

/// A Publish Prepay Snapshot payload (GCS16b): the header, then payload type 0 (debt/credit
/// status): accumulated debt (int32), type 1–3 debt remaining (uint32: time debts 1 and 2,
/// payment debt), emergency credit remaining and credit remaining (int32: the meter balance),
/// little-endian.
fn prepay_snapshot_payload(id: u8, found: usize, cause: u32, s: &PrepaySnapshot) -> Vec<u8> {
    let mut p = snapshot_header(id, s.time, found, cause, PREPAY_PAYLOAD_DEBT_CREDIT_STATUS);
    p.extend_from_slice(&amount_i32(s.accumulated_debt).to_le_bytes());
    p.extend_from_slice(&s.time_debts[0].to_le_bytes());
    p.extend_from_slice(&s.time_debts[1].to_le_bytes());
    p.extend_from_slice(&s.payment_debt.to_le_bytes());
    p.extend_from_slice(&amount_i32(s.emergency_credit).to_le_bytes());
    p.extend_from_slice(&amount_i32(s.meter_balance).to_le_bytes());
    p
}

impl EmulatedDevice {
    /// True time of a capture the device made when its clock read `device_t`.
    fn true_time(&self, device_t: i64) -> i64 {
        device_t - self.state.clock_offset_secs
    }

    fn register_at_capture(&self, ch: Channel, device_t: i64) -> u64 {
        self.state.metering.register(ch, self.true_time(device_t))
    }

    fn daily(&self, period: &LogPeriod, now: UtcDateTime) -> Vec<i64> {
        let installed = self.state.metering.installed_at + self.state.clock_offset_secs;
        daily_captures(
            installed,
            self.device_time(now).to_unix(),
            period.start.to_unix(),
            period.end.to_unix(),
            DAILY_LOG_CAPACITY,
        )
    }

    fn billing(&self, period: &LogPeriod, now: UtcDateTime) -> Vec<i64> {
        let installed = self.state.metering.installed_at + self.state.clock_offset_secs;
        self.state.config.site.gas.billing_captures(
            self.state.billing_calendar,
            installed,
            self.device_time(now).to_unix(),
            period.start.to_unix(),
            period.end.to_unix(),
            BILLING_LOG_CAPACITY,
        )
    }

    /// The daily read log entries in `period` on `ch`: (capture time, register).
    pub fn daily_read_log(
        &self,
        ch: Channel,
        period: &LogPeriod,
        now: UtcDateTime,
    ) -> Vec<LogEntry> {
        self.daily(period, now)
            .into_iter()
            .map(|m| LogEntry {
                time: zigbee(m),
                values: vec![dlu(self.register_at_capture(ch, m))],
            })
            .collect()
    }

    /// The daily consumption log entries in `period` on `ch`: (capture time, consumption of the
    /// day ending then).
    pub fn daily_consumption_log(
        &self,
        ch: Channel,
        period: &LogPeriod,
        now: UtcDateTime,
    ) -> Vec<LogEntry> {
        self.daily(period, now)
            .into_iter()
            .map(|m| {
                let start = local_midnight_at_or_before(m - 1);
                let used = self
                    .register_at_capture(ch, m)
                    .saturating_sub(self.register_at_capture(ch, start));
                LogEntry {
                    time: zigbee(m),
                    values: vec![dlu(used)],
                }
            })
            .collect()
    }

    /// The billing calendar snapshots in `period` on `ch`: (capture time, register).
    pub fn billing_calendar_log(
        &self,
        ch: Channel,
        period: &LogPeriod,
        now: UtcDateTime,
    ) -> Vec<LogEntry> {
        self.billing(period, now)
            .into_iter()
            .map(|m| LogEntry {
                time: zigbee(m),
                values: vec![dlu(self.register_at_capture(ch, m))],
            })
            .collect()
    }

    /// The prepayment registers at a capture the device made when its clock read `device_t`,
    /// from the balance model ([`crate::reads::InstantaneousConfig::meter_balance`]
    /// and [`crate::reads::InstantaneousConfig::credits`] at that true time, the debts paid from
    /// the balance); the debt registers as 2.3 Update Debt left them, recovering over time and
    /// from the payments since ([`crate::reads::payment::DebtState`]).
    fn prepay_snapshot_at(&self, device_t: i64) -> PrepaySnapshot {
        let c = self.cfg();
        let p = &c.prepayment;
        let (ch, t) = (self.ch_import(), self.true_time(device_t));
        let [d1, d2, d3] = self
            .debts_at(t)
            .map(|d| u32::try_from(d.max(0)).unwrap_or(u32::MAX));
        PrepaySnapshot {
            time: zigbee(device_t),
            meter_balance: self.balance_at(ch, t),
            emergency_credit: self.credits_at(ch, t).1,
            accumulated_debt: p.accumulated_debt,
            time_debts: [d1, d2],
            payment_debt: d3,
        }
    }

    /// The prepayment daily read log entries in `period`: one snapshot per local midnight, as
    /// the daily read log's captures.
    pub fn prepayment_daily_log(
        &self,
        period: &LogPeriod,
        now: UtcDateTime,
    ) -> Vec<PrepaySnapshot> {
        self.daily(period, now)
            .into_iter()
            .map(|m| self.prepay_snapshot_at(m))
            .collect()
    }

    fn logs_faulty(&self) -> bool {
        self.state.has_fault(DeviceFault::Logs)
    }

    /// Executes a decoded log read (`None` for other use cases).
    pub(crate) fn log_read(
        &self,
        cmd: &Accepted<'_>,
        decoded: &DecodedCommand,
        now: UtcDateTime,
    ) -> Option<Option<Execution>> {
        Some(match decoded {
            DecodedCommand::Ecs20b(r)
            | DecodedCommand::Ecs20c(r)
            | DecodedCommand::Ecs21a(r)
            | DecodedCommand::Ecs21b(r)
            | DecodedCommand::Ecs66(r) => self.protected_log(cmd, r, now),
            DecodedCommand::Ecs20a(_) => self.plain_log(cmd, Vec::new()),
            DecodedCommand::Ecs20d(r) => self.plain_log(cmd, self.credits_log_entries(&r.period)),
            DecodedCommand::Ecs21c(r) => self.plain_log(
                cmd,
                self.daily_read_log(Channel::ActiveExport, &r.period, now),
            ),
            DecodedCommand::Gcs16a(r)
            | DecodedCommand::Gcs15c(r)
            | DecodedCommand::Gcs15b(r)
            | DecodedCommand::Gcs16b(r) => self.snapshot_log(cmd, decoded, r, now),
            DecodedCommand::Gcs15d(_) => self.gbz_empty(CLUSTER_PREPAYMENT, GET_DEBT_REPAYMENT_LOG),
            DecodedCommand::Gcs15e(p) => self.top_up_log(p),
            DecodedCommand::Gcs61(p) => self.sampled_consumption(cmd, p, now),
            _ => return None,
        })
    }

    /// The plaintext of a protected log read: one compact array per buffer read.
    fn protected_plaintext(&self, r: &ProtectedRangeRead, now: UtcDateTime) -> Data {
        let mut arrays = Vec::with_capacity(r.objects.len());
        for o in &r.objects {
            let obis = o.instance;
            let d = if [ecs21a::BUFFERS[0]].contains(&obis) {
                let e = self.daily_read_log(Channel::ActiveImport, &r.period, now);
                read_log_array(&e.iter().map(|e| (e.time, e.values[0])).collect::<Vec<_>>())
            } else if obis == ecs20c::BUFFERS[0] {
                let e = self.billing_calendar_log(Channel::ActiveImport, &r.period, now);
                read_log_array(&e.iter().map(|e| (e.time, e.values[0])).collect::<Vec<_>>())
            } else if obis == ecs20c::BUFFERS[1] {
                // The secondary element's log: a single-element meter has none.
                read_log_array(&[])
            } else if obis == ecs66::BUFFERS[0] {
                let e = self.daily_consumption_log(Channel::ActiveImport, &r.period, now);
                logs_common::entries_compact_array(2, &e)
            } else if obis == ecs20b::BUFFERS[0] {
                triggered_log_empty()
            } else if obis == ecs21b::BUFFERS[0] {
                prepayment_daily_array(&self.prepayment_daily_log(&r.period, now))
            } else {
                read_log_array(&[])
            };
            arrays.push(d);
        }
        Data::Structure(arrays)
    }

    fn protected_log(
        &self,
        cmd: &Accepted<'_>,
        r: &ProtectedRangeRead,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let apdu = cmd.apdu;
        // The RTDS log-read responses carry no date-time in the header.
        let date_time = None;
        let plain = self.protected_plaintext(r, now).encode();
        let block = (!self.logs_faulty())
            .then(|| self.encrypt_ic(cmd, 0, &plain))
            .flatten();
        let Some(block) = block else {
            return Some(Execution::Done {
                content: dlms_response(
                    apdu.counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Action(DLMS_FAILURE)],
                ),
                date_time,
                success: false,
            });
        };
        let params = protection_parameters(apdu.counter, self.identity.eui, apdu.originator);
        let data = Data::Structure(vec![Data::Array(vec![params]), Data::OctetString(block)]);
        Some(Execution::Done {
            content: dlms_response(
                apdu.counter,
                vec![data],
                vec![ResponseSpec::Action(DLMS_SUCCESS)],
            ),
            date_time,
            success: true,
        })
    }

    /// A plain range read (ECS20a, ECS20d, ECS21c): `entries` (time, value), or the fault.
    fn plain_log(&self, cmd: &Accepted<'_>, entries: Vec<LogEntry>) -> Option<Execution> {
        let counter = cmd.apdu.counter;
        if self.logs_faulty() {
            return Some(Execution::Done {
                content: dlms_response(
                    counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Get(DLMS_FAILURE)],
                ),
                date_time: None,
                success: false,
            });
        }
        let data = logs_common::entries_compact_array(2, &entries);
        Some(Execution::Done {
            content: dlms_response(counter, vec![data], vec![ResponseSpec::Get(DLMS_SUCCESS)]),
            date_time: None,
            success: true,
        })
    }

    /// Encrypts `plain` to the requester with invocation counter `ic`.
    fn encrypt_ic(&self, cmd: &Accepted<'_>, ic: u32, plain: &[u8]) -> Option<Vec<u8>> {
        let key = self.payload_key(cmd)?;
        encrypt_payload(&key, self.identity.eui, ic, plain).ok()
    }

    fn default_response(
        cluster: u16,
        seq: u8,
        command: u8,
        status: u8,
        last: bool,
    ) -> GbzComponent {
        GbzComponent {
            control: if last { CONTROL_LAST } else { 0 },
            cluster,
            body: GbzBody::Plain {
                from_date_time: None,
                zcl: ZclFrame {
                    frame_control: FC_GLOBAL_TO_CLIENT,
                    manufacturer_code: None,
                    sequence: seq,
                    command: ZCL_DEFAULT_RESPONSE,
                    payload: vec![command, status],
                },
            },
        }
    }

    fn encrypted(
        cluster: u16,
        seq: u8,
        command: u8,
        protected: Vec<u8>,
        last: bool,
    ) -> GbzComponent {
        GbzComponent {
            control: CONTROL_ENCRYPTED | if last { CONTROL_LAST } else { 0 },
            cluster,
            body: GbzBody::Encrypted {
                additional_header_control: 0,
                additional_frame_counter: seq,
                frame_control: FC_CLUSTER_TO_CLIENT_NO_DEFAULT,
                manufacturer_code: None,
                sequence: seq,
                command,
                protected,
            },
        }
    }

    /// The prepayment credits log's entries in `period` (ECS20d): (time, credit), oldest
    /// first.
    pub fn credits_log_entries(&self, period: &LogPeriod) -> Vec<LogEntry> {
        self.state
            .credits_log
            .in_period(period.start.to_unix(), period.end.to_unix())
            .map(|e| LogEntry {
                time: zigbee(e.at),
                values: vec![u32::try_from(e.amount.max(0)).unwrap_or(u32::MAX)],
            })
            .collect()
    }

    /// GCS15e: the prepayment credits log's entries in `period` as a plaintext ZSE Publish Top
    /// Up Log (command 0 of 1; per top-up, newest first as RTDS: its UTRN as an octet string,
    /// empty for a 1.5 adjustment, the amount as int32 and the time as UTCTime, little-endian),
    /// or NOT_FOUND when none falls in the period (or the fault).
    fn top_up_log(&self, period: &LogPeriod) -> Option<Execution> {
        let entries: Vec<_> = self
            .state
            .credits_log
            .in_period(period.start.to_unix(), period.end.to_unix())
            .collect();
        if entries.is_empty() || self.logs_faulty() {
            return self.gbz_empty(CLUSTER_PREPAYMENT, GET_TOP_UP_LOG);
        }
        let mut payload = vec![0, 1];
        for e in entries.iter().rev() {
            let code = e.utrn.as_deref().unwrap_or("").as_bytes();
            let code = &code[..code.len().min(usize::from(u8::MAX))];
            payload.push(u8::try_from(code.len()).unwrap_or(u8::MAX));
            payload.extend_from_slice(code);
            payload.extend_from_slice(&amount_i32(e.amount).to_le_bytes());
            payload.extend_from_slice(&zigbee(e.at).to_le_bytes());
        }
        let c = GbzComponent {
            control: CONTROL_LAST,
            cluster: CLUSTER_PREPAYMENT,
            body: GbzBody::Plain {
                from_date_time: None,
                zcl: ZclFrame {
                    frame_control: FC_CLUSTER_TO_CLIENT_NO_DEFAULT,
                    manufacturer_code: None,
                    sequence: 0,
                    command: PUBLISH_TOP_UP_LOG,
                    payload,
                },
            },
        };
        crate::exec::done(gbz(vec![c])?, true)
    }

    /// A one-component GBZ log read of a log that holds nothing: NOT_FOUND (or the fault).
    pub(crate) fn gbz_empty(&self, cluster: u16, command: u8) -> Option<Execution> {
        let (status, success) = if self.logs_faulty() {
            (ZCL_HARDWARE_FAILURE, false)
        } else {
            (ZCL_NOT_FOUND, true)
        };
        let c = Self::default_response(cluster, 0, command, status, true);
        crate::exec::done(gbz(vec![c])?, success)
    }

    /// GBZ snapshot reads: each offset's snapshot (newest first in the period), encrypted to
    /// the requester, or NOT_FOUND. Metering snapshots exist for the daily read log (GCS16a,
    /// cause general) and the billing calendar (GCS15c, cause billing period), prepayment
    /// snapshots for the prepayment daily read log (GCS16b, cause general); the billing
    /// calendar's prepayment snapshots and change of mode/tariff snapshots do not (no such
    /// events are modelled).
    fn snapshot_log(
        &self,
        cmd: &Accepted<'_>,
        decoded: &DecodedCommand,
        r: &SnapshotRead,
        now: UtcDateTime,
    ) -> Option<Execution> {
        // The captures, and the cluster whose snapshots they are.
        let (captures, captured) = match decoded {
            DecodedCommand::Gcs16a(_) => (self.daily(&r.period, now), CLUSTER_METERING),
            DecodedCommand::Gcs15c(_) => (self.billing(&r.period, now), CLUSTER_METERING),
            DecodedCommand::Gcs16b(_) => (self.daily(&r.period, now), CLUSTER_PREPAYMENT),
            _ => (Vec::new(), CLUSTER_METERING),
        };
        let n = r.requests.len();
        let faulty = self.logs_faulty();
        let mut comps = Vec::with_capacity(n);
        for (i, req) in r.requests.iter().enumerate() {
            let seq = u8::try_from(i).unwrap_or(u8::MAX);
            let last = i + 1 == n;
            let get = if req.cluster == CLUSTER_PREPAYMENT {
                logs_common::GET_PREPAY_SNAPSHOT
            } else {
                logs_common::GET_SNAPSHOT
            };
            if faulty {
                let (command, status) = if i == 0 {
                    (get, ZCL_HARDWARE_FAILURE)
                } else {
                    (0xFF, 0x01)
                };
                comps.push(Self::default_response(
                    req.cluster,
                    seq,
                    command,
                    status,
                    last,
                ));
                continue;
            }
            let capture = (req.cluster == captured)
                .then(|| {
                    captures
                        .len()
                        .checked_sub(1 + usize::from(req.offset))
                        .and_then(|k| captures.get(k))
                })
                .flatten();
            let Some(&m) = capture else {
                comps.push(Self::default_response(
                    req.cluster,
                    seq,
                    get,
                    ZCL_NOT_FOUND,
                    last,
                ));
                continue;
            };
            let plain = if captured == CLUSTER_PREPAYMENT {
                let s = self.prepay_snapshot_at(m);
                prepay_snapshot_payload(req.offset, captures.len(), r.cause, &s)
            } else {
                let total = self.register_at_capture(Channel::GasVolume, m);
                let mut plain = snapshot_header(
                    req.offset,
                    zigbee(m),
                    captures.len(),
                    r.cause,
                    SNAPSHOT_PAYLOAD_DELIVERED,
                );
                plain.extend_from_slice(&total.to_le_bytes()[..6]);
                // Bill to date and projected bill with their time stamps, trailing digit, tiers
                // in use: no tariff is modelled.
                plain.extend(std::iter::repeat_n(0u8, 16 + 2));
                plain
            };
            let Some(block) = self.encrypt_ic(cmd, u32::from(seq), &plain) else {
                comps.push(Self::default_response(
                    req.cluster,
                    seq,
                    get,
                    ZCL_HARDWARE_FAILURE,
                    last,
                ));
                continue;
            };
            let publish = if req.cluster == CLUSTER_PREPAYMENT {
                PUBLISH_PREPAY_SNAPSHOT
            } else {
                PUBLISH_SNAPSHOT
            };
            comps.push(Self::encrypted(req.cluster, seq, publish, block, last));
        }
        let success = !faulty;
        let content = gbz(comps)?;
        Some(Execution::Done {
            content,
            date_time: None,
            success,
        })
    }

    /// GCS61: the daily gas consumption of each day from the period's first, encrypted to the
    /// requester; NOT_FOUND when no day in the period has ended since installation.
    fn sampled_consumption(
        &self,
        cmd: &Accepted<'_>,
        period: &LogPeriod,
        now: UtcDateTime,
    ) -> Option<Execution> {
        if self.logs_faulty() {
            let c = Self::default_response(
                CLUSTER_METERING,
                0,
                GET_SAMPLED_DATA,
                ZCL_HARDWARE_FAILURE,
                true,
            );
            return crate::exec::done(gbz(vec![c])?, false);
        }
        // A sample is the day that ends at a capture midnight: captures after the period's
        // first day started, up to one day after its last.
        let first_day = local_midnight_at_or_before(period.start.to_unix());
        let end =
            UtcDateTime::from_unix(period.end.to_unix().saturating_add(DAY)).unwrap_or(period.end);
        let window = LogPeriod {
            start: UtcDateTime::from_unix(first_day + 1).unwrap_or(period.start),
            end,
        };
        let samples = self.daily_consumption_log(Channel::GasVolume, &window, now);
        if samples.is_empty() {
            return self.gbz_empty(CLUSTER_METERING, GET_SAMPLED_DATA);
        }
        let start = samples
            .first()
            .map(|s| i64::from(s.time) + 946_684_800)
            .map_or(0, |t| zigbee(local_midnight_at_or_before(t - 1)));
        let mut plain = Vec::with_capacity(11 + samples.len() * 3);
        plain.extend_from_slice(&1u16.to_le_bytes());
        plain.extend_from_slice(&start.to_le_bytes());
        plain.push(0);
        plain.extend_from_slice(&SAMPLE_INTERVAL_DAILY.to_le_bytes());
        plain.extend_from_slice(
            &u16::try_from(samples.len())
                .unwrap_or(u16::MAX)
                .to_le_bytes(),
        );
        for s in &samples {
            plain.extend_from_slice(&s.values[0].min(0xFF_FFFF).to_le_bytes()[..3]);
        }
        let block = self.encrypt_ic(cmd, 0, &plain)?;
        let c = Self::encrypted(CLUSTER_METERING, 0, GET_SAMPLED_DATA_RESPONSE, block, true);
        crate::exec::done(gbz(vec![c])?, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: u16, mo: u8, d: u8, h: u8) -> i64 {
        UtcDateTime::new(y, mo, d, h, 0, 0).unwrap().to_unix()
    }

    #[test]
    fn the_log_fault_has_a_name() {
        assert_eq!(DeviceFault::parse("logs"), Some(DeviceFault::Logs));
    }

    #[test]
    fn uk_local_midnights() {
        // Winter: local midnight is 00:00 UTC.
        assert_eq!(
            local_midnight_at_or_before(t(2026, 1, 15, 12)),
            t(2026, 1, 15, 0)
        );
        // Summer: local midnight is 23:00 UTC the day before.
        assert_eq!(
            local_midnight_at_or_before(t(2026, 7, 15, 12)),
            t(2026, 7, 14, 23)
        );
        assert_eq!(
            local_midnight_at_or_before(t(2026, 7, 14, 23)),
            t(2026, 7, 14, 23)
        );
        assert_eq!(
            local_midnight_at_or_before(t(2026, 7, 14, 22)),
            t(2026, 7, 13, 23)
        );
        // BST 2026: from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(uk_offset(t(2026, 3, 29, 0)), 0);
        assert_eq!(uk_offset(t(2026, 3, 29, 1)), 3600);
        assert_eq!(uk_offset(t(2026, 10, 25, 0)), 3600);
        assert_eq!(uk_offset(t(2026, 10, 25, 1)), 0);
        // The days around the changes.
        assert_eq!(next_local_midnight(t(2026, 3, 29, 0)), t(2026, 3, 29, 23));
        assert_eq!(next_local_midnight(t(2026, 10, 24, 23)), t(2026, 10, 26, 0));
    }

    #[test]
    fn daily_captures_are_bounded_by_installation_capacity_and_period() {
        let installed = t(2026, 1, 10, 12);
        let now = t(2026, 1, 15, 6);
        let all = daily_captures(installed, now, i64::MIN, i64::MAX, 731);
        assert_eq!(all, (11..=15).map(|d| t(2026, 1, d, 0)).collect::<Vec<_>>());
        assert_eq!(
            daily_captures(installed, now, i64::MIN, i64::MAX, 2),
            all[3..]
        );
        assert_eq!(
            daily_captures(installed, now, t(2026, 1, 12, 0), t(2026, 1, 13, 0), 731),
            all[1..3]
        );
        assert!(
            daily_captures(installed, now, t(2026, 1, 12, 1), t(2026, 1, 12, 23), 731).is_empty()
        );
        assert!(daily_captures(installed, now, t(2027, 1, 1, 0), t(2028, 1, 1, 0), 731).is_empty());
    }

    fn snapshot() -> impl proptest::strategy::Strategy<Value = PrepaySnapshot> {
        use proptest::prelude::*;
        (
            any::<u32>(),
            any::<i64>(),
            any::<i64>(),
            any::<i64>(),
            any::<[u32; 2]>(),
            any::<u32>(),
        )
            .prop_map(
                |(
                    time,
                    meter_balance,
                    emergency_credit,
                    accumulated_debt,
                    time_debts,
                    payment_debt,
                )| {
                    PrepaySnapshot {
                        time,
                        meter_balance,
                        emergency_credit,
                        accumulated_debt,
                        time_debts,
                        payment_debt,
                    }
                },
            )
    }

    fn sat(v: i64) -> i32 {
        i32::try_from(v.clamp(i64::from(i32::MIN), i64::from(i32::MAX))).unwrap()
    }

    proptest::proptest! {
        /// The ESME's rows: whatever the amounts, the compact array A-XDR round-trips with the
        /// RTDS ECS21b columns, one 28-byte row per snapshot in order, each the capture time
        /// and the six amounts (saturated to double-long) in ECS19's order.
        #[test]
        fn prepayment_daily_rows_encode_every_snapshot(
            entries in proptest::collection::vec(snapshot(), 0..40)
        ) {
            let d = prepayment_daily_array(&entries);
            proptest::prop_assert_eq!(Data::decode(&d.encode()).unwrap(), d.clone());
            let Data::CompactArray { description, contents } = d else {
                unreachable!("a compact array")
            };
            proptest::prop_assert_eq!(description, prepayment_daily_description());
            proptest::prop_assert_eq!(contents.len(), entries.len() * 28);
            for (row, e) in contents.chunks_exact(28).zip(&entries) {
                let be = |i: usize| <[u8; 4]>::try_from(&row[i * 4..i * 4 + 4]).unwrap();
                proptest::prop_assert_eq!(u32::from_be_bytes(be(0)), e.time);
                let amounts: Vec<i32> = (1..7).map(|i| i32::from_be_bytes(be(i))).collect();
                let expect = [
                    sat(e.meter_balance),
                    sat(e.emergency_credit),
                    sat(e.accumulated_debt),
                    sat(i64::from(e.time_debts[0])),
                    sat(i64::from(e.time_debts[1])),
                    sat(i64::from(e.payment_debt)),
                ];
                proptest::prop_assert_eq!(&amounts[..], &expect[..]);
            }
        }

        /// The GSME's Publish Prepay Snapshot payload: always 40 bytes, the header then the
        /// debt/credit status fields, each value where ZSE puts it.
        #[test]
        fn prepay_snapshot_payloads_carry_every_field(
            s in snapshot(),
            id in 0u8..31,
            found in 0usize..1000,
            cause in proptest::prelude::any::<u32>(),
        ) {
            let p = prepay_snapshot_payload(id, found, cause, &s);
            proptest::prop_assert_eq!(p.len(), 40);
            let le = |i: usize| <[u8; 4]>::try_from(&p[i..i + 4]).unwrap();
            proptest::prop_assert_eq!(u32::from_le_bytes(le(0)), u32::from(id));
            proptest::prop_assert_eq!(u32::from_le_bytes(le(4)), s.time);
            proptest::prop_assert_eq!(usize::from(p[8]), found.min(255));
            proptest::prop_assert_eq!([p[9], p[10]], [0, 1]);
            proptest::prop_assert_eq!(u32::from_le_bytes(le(11)), cause);
            proptest::prop_assert_eq!(p[15], 0);
            proptest::prop_assert_eq!(i32::from_le_bytes(le(16)), sat(s.accumulated_debt));
            proptest::prop_assert_eq!(u32::from_le_bytes(le(20)), s.time_debts[0]);
            proptest::prop_assert_eq!(u32::from_le_bytes(le(24)), s.time_debts[1]);
            proptest::prop_assert_eq!(u32::from_le_bytes(le(28)), s.payment_debt);
            proptest::prop_assert_eq!(i32::from_le_bytes(le(32)), sat(s.emergency_credit));
            proptest::prop_assert_eq!(i32::from_le_bytes(le(36)), sat(s.meter_balance));
        }
    }

    #[test]
    fn billing_captures_follow_the_calendar() {
        let cal = BillingCalendar::default();
        let installed = t(2025, 11, 20, 0);
        let now = t(2026, 3, 5, 0);
        let all = billing_captures(cal, installed, now, i64::MIN, i64::MAX, 12);
        assert_eq!(
            all,
            vec![
                t(2025, 12, 1, 0),
                t(2026, 1, 1, 0),
                t(2026, 2, 1, 0),
                t(2026, 3, 1, 0)
            ]
        );
        // In summer the period ends at local midnight, 23:00 UTC the day before.
        let all = billing_captures(cal, installed, t(2026, 7, 2, 0), i64::MIN, i64::MAX, 2);
        assert_eq!(all, vec![t(2026, 5, 31, 23), t(2026, 6, 30, 23)]);
        let quarterly = BillingCalendar {
            day_of_month: 15,
            period_months: 3,
        };
        let q = billing_captures(quarterly, installed, now, i64::MIN, i64::MAX, 12);
        assert_eq!(q, vec![t(2026, 1, 15, 0)]);
    }
}
