//! The logs a meter keeps, and its answers to the log-read use cases (ECS20a–d, ECS21a–c,
//! ECS66, GCS15b–e, GCS16a–b, GCS61).
//!
//! Nothing here is stored as it accrues: every log entry is derived from the metering functions
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
//! * **Change of mode / tariff triggered log** (ECS20b, GCS15b), **debt payments** (ECS20a,
//!   GCS15d), **prepayment credits** (ECS20d, GCS15e) and the **prepayment daily read log**
//!   (ECS21b, GCS16b): these hold events this emulation does not produce yet (tariffs and
//!   prepayment are not modelled), so they are genuinely empty.
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
    GET_TOP_UP_LOG, PUBLISH_PREPAY_SNAPSHOT, PUBLISH_SNAPSHOT, ZCL_NOT_FOUND,
};
use gbcs::usecases::{
    CLUSTER_METERING, DecodedCommand, LogEntry, LogPeriod, ProtectedRangeRead, RangeRead,
    SnapshotRead, ecs20b, ecs20c, ecs21a, ecs21b, ecs66, protection_parameters,
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

/// An empty compact array of the prepayment daily read log's columns (RTDS ECS21b).
fn prepayment_daily_empty() -> Data {
    let mut cols = vec![TypeDescription::Simple(6)];
    cols.extend(std::iter::repeat_n(TypeDescription::Simple(5), 6));
    Data::CompactArray {
        description: TypeDescription::Structure(cols),
        contents: Vec::new(),
    }
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
        billing_captures(
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
            DecodedCommand::Ecs20a(r) | DecodedCommand::Ecs20d(r) => {
                self.plain_log(cmd, r, None, now)
            }
            DecodedCommand::Ecs21c(r) => self.plain_log(cmd, r, Some(Channel::ActiveExport), now),
            DecodedCommand::Gcs16a(r)
            | DecodedCommand::Gcs15c(r)
            | DecodedCommand::Gcs15b(r)
            | DecodedCommand::Gcs16b(r) => self.snapshot_log(cmd, decoded, r, now),
            DecodedCommand::Gcs15d(_) => self.gbz_empty(CLUSTER_PREPAYMENT, GET_DEBT_REPAYMENT_LOG),
            DecodedCommand::Gcs15e(_) => self.gbz_empty(CLUSTER_PREPAYMENT, GET_TOP_UP_LOG),
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
                prepayment_daily_empty()
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

    fn plain_log(
        &self,
        cmd: &Accepted<'_>,
        r: &RangeRead,
        ch: Option<Channel>,
        now: UtcDateTime,
    ) -> Option<Execution> {
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
        let entries = ch.map_or_else(Vec::new, |ch| self.daily_read_log(ch, &r.period, now));
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

    /// A one-component GBZ log read of a log that holds nothing: NOT_FOUND (or the fault).
    fn gbz_empty(&self, cluster: u16, command: u8) -> Option<Execution> {
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
    /// cause general) and the billing calendar (GCS15c, cause billing period); prepayment
    /// snapshots and change of mode/tariff snapshots do not (not modelled).
    fn snapshot_log(
        &self,
        cmd: &Accepted<'_>,
        decoded: &DecodedCommand,
        r: &SnapshotRead,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let captures = match decoded {
            DecodedCommand::Gcs16a(_) => self.daily(&r.period, now),
            DecodedCommand::Gcs15c(_) => self.billing(&r.period, now),
            _ => Vec::new(),
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
            let capture = (req.cluster == CLUSTER_METERING)
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
            let total = self.register_at_capture(Channel::GasVolume, m);
            let mut plain = Vec::with_capacity(40);
            plain.extend_from_slice(&u32::from(req.offset).to_le_bytes());
            plain.extend_from_slice(&zigbee(m).to_le_bytes());
            plain.push(u8::try_from(captures.len()).unwrap_or(u8::MAX));
            plain.extend_from_slice(&[0, 1]);
            plain.extend_from_slice(&r.cause.to_le_bytes());
            plain.push(SNAPSHOT_PAYLOAD_DELIVERED);
            plain.extend_from_slice(&total.to_le_bytes()[..6]);
            // Bill to date and projected bill with their time stamps, trailing digit, tiers in
            // use: no tariff is modelled.
            plain.extend(std::iter::repeat_n(0u8, 16 + 2));
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
