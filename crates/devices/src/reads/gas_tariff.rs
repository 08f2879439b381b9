//! The GSME tariff and prepayment configuration held in device state, as GCS21f (tariff) and
//! GCS21b (prepayment configuration) read them back: ZSE Price and Prepayment attributes, the
//! tariff calendar (type 0) and the friendly credit calendar (type 3) of the Calendar cluster,
//! and the current price. The defaults are the RTDS 4.5.0 GCS21f/GCS21b SUCCESS answers'
//! values; the gas tariff and prepayment update services are to change these fields.
//!
//! The prepayment attributes the prepayment behaviour ([`crate::prepay`]) uses:
//! [`ZSE_EMERGENCY_CREDIT_LIMIT`], [`ZSE_EMERGENCY_CREDIT_THRESHOLD`],
//! [`ZSE_LOW_CREDIT_WARNING`], [`ZSE_MAX_CREDIT_LIMIT`] (the maximum meter balance),
//! [`ZSE_MAX_CREDIT_PER_TOP_UP`] (the maximum credit threshold) and [`ZSE_OVERALL_DEBT_CAP`]
//! (the debt recovery rate cap); the cut-off value, [`ZSE_CUT_OFF_VALUE`], is the disablement
//! threshold, held once in [`crate::payment_mode::PaymentModeState`] (1.6's GCS03 writes it)
//! and read from there. The friendly credit calendar is the non-disablement calendar.
//!
//! A read set is answered component by component, in order, with the request's sequence number:
//! Read Attributes → a Read Attributes Response (an attribute the meter does not hold:
//! UNSUPPORTED_ATTRIBUTE); Get Day Profiles / Week Profiles → one Publish command per profile;
//! Get Seasons / Special Days → one Publish command; Get Current Price → Publish Price. A
//! calendar or price the meter does not hold answers a Default Response NOT_FOUND (`0x8B`).
//! A [`DeviceFault::ZclCommand`] makes that command answer HARDWARE_FAILURE (`0xC0`) and the
//! components after it `FF` FAILURE, as the RTDS ERROR vectors.

use gbcs::UtcDateTime;
use gbcs::gbz::{CONTROL_LAST, GbzBody, GbzComponent, ZclFrame};
use gbcs::usecases::{GbzRead, GbzReadSet, gcs21f};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{Execution, ZCL_DEFAULT_RESPONSE, ZCL_HARDWARE_FAILURE, done, gbz};
use crate::state::DeviceFault;

/// ZCL status NOT_FOUND.
const ZCL_NOT_FOUND: u8 = 0x8B;
/// ZCL status UNSUPPORTED_ATTRIBUTE.
const ZCL_UNSUPPORTED_ATTRIBUTE: u8 = 0x86;
/// ZCL status FAILURE (components not executed after a failure, command `FF`).
const ZCL_FAILURE: u8 = 0x01;

/// One ZCL attribute the meter holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZclAttribute {
    /// Attribute id.
    pub id: u16,
    /// ZCL data type (`0x21` uint16, `0x22` uint24, `0x23` uint32, `0x25` uint48, `0x2B`
    /// int32, `0x30` enum8, `0x18` bitmap8).
    pub data_type: u8,
    /// The value.
    pub value: i64,
}

impl ZclAttribute {
    const fn new(id: u16, data_type: u8, value: i64) -> Self {
        Self {
            id,
            data_type,
            value,
        }
    }

    fn size(&self) -> Option<usize> {
        Some(match self.data_type {
            0x18 | 0x20 | 0x28 | 0x30 => 1,
            0x21 | 0x29 => 2,
            0x22 | 0x2A => 3,
            0x23 | 0x2B => 4,
            0x25 | 0x2D => 6,
            _ => return None,
        })
    }

    /// The Read Attributes Response record.
    fn record(&self) -> Vec<u8> {
        let mut r = self.id.to_le_bytes().to_vec();
        match self.size() {
            Some(n) => {
                r.push(0);
                r.push(self.data_type);
                r.extend_from_slice(&self.value.to_le_bytes()[..n]);
            }
            None => r.push(ZCL_UNSUPPORTED_ATTRIBUTE),
        }
        r
    }
}

/// A day profile: (start, minutes from midnight; price tier or friendly credit flag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GasDayProfile {
    /// Day id.
    pub id: u8,
    /// Schedule entries.
    pub entries: Vec<(u16, u8)>,
}

/// A ZSE calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GasCalendar {
    /// Calendar type (0 delivered/tariff, 3 friendly credit).
    pub calendar_type: u8,
    /// Provider id.
    pub provider_id: u32,
    /// Issuer event id of its publication (ZigBee UTC).
    pub issuer_event_id: u32,
    /// Issuer calendar id.
    pub issuer_calendar_id: u32,
    /// Day profiles.
    pub days: Vec<GasDayProfile>,
    /// Week profiles: id and the day id of each day, Monday first.
    pub weeks: Vec<(u8, [u8; 7])>,
    /// Seasons: start date (ZCL date: year − 1900, month, day, weekday) and week id.
    pub seasons: Vec<([u8; 4], u8)>,
    /// Special days: date (ZCL date) and day id.
    pub special_days: Vec<([u8; 4], u8)>,
}

/// The current price (ZSE Publish Price).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentPrice {
    /// Provider id.
    pub provider_id: u32,
    /// Issuer event id.
    pub issuer_event_id: u32,
    /// Unit of measure (1: m³).
    pub unit_of_measure: u8,
    /// ISO 4217 currency (826: GBP).
    pub currency: u16,
    /// Price trailing digit (high nibble) and price tier (low nibble).
    pub trailing_digit_and_tier: u8,
    /// Number of price tiers (high nibble) and register tier (low nibble).
    pub tiers_and_register_tier: u8,
    /// Start time (0: now).
    pub start_time: u32,
    /// Duration, minutes.
    pub duration_minutes: u16,
    /// Price per unit.
    pub price: u32,
}

/// ZSE Prepayment: Overall Debt Cap.
pub const ZSE_OVERALL_DEBT_CAP: u16 = 0x0006;
/// ZSE Prepayment: Emergency Credit Limit/Allowance.
pub const ZSE_EMERGENCY_CREDIT_LIMIT: u16 = 0x0010;
/// ZSE Prepayment: Emergency Credit Threshold.
pub const ZSE_EMERGENCY_CREDIT_THRESHOLD: u16 = 0x0011;
/// ZSE Prepayment: Max Credit Limit (the maximum meter balance).
pub const ZSE_MAX_CREDIT_LIMIT: u16 = 0x0021;
/// ZSE Prepayment: Max Credit Per Top Up (the maximum credit threshold).
pub const ZSE_MAX_CREDIT_PER_TOP_UP: u16 = 0x0022;
/// ZSE Prepayment: Low Credit Warning Level.
pub const ZSE_LOW_CREDIT_WARNING: u16 = 0x0031;
/// ZSE Prepayment: Cut Off Value (the disablement threshold).
pub const ZSE_CUT_OFF_VALUE: u16 = 0x0040;

/// The GSME tariff and prepayment configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GasTariff {
    /// Price cluster attributes.
    pub price_attributes: Vec<ZclAttribute>,
    /// Prepayment cluster attributes.
    pub prepayment_attributes: Vec<ZclAttribute>,
    /// Calendars (at most one per type).
    pub calendars: Vec<GasCalendar>,
    /// The current price, if a price is published.
    pub price: Option<CurrentPrice>,
}

const EVENT: u32 = 0x1C37_4A80;
const CALENDAR_ID: u32 = 0x1C0F_BD80;

impl Default for GasTariff {
    fn default() -> Self {
        let a = ZclAttribute::new;
        Self {
            price_attributes: vec![
                a(0x0203, 0x22, 1000),
                a(0x0202, 0x22, 1),
                a(0x0100, 0x25, 100_000),
                a(0x0101, 0x25, 200_000),
                a(0x0102, 0x25, 300_000),
                a(0x0615, 0x30, 0),
                a(0x0400, 0x23, 10_600),
                a(0x0401, 0x23, 11_200),
                a(0x0402, 0x23, 11_750),
                a(0x0403, 0x23, 12_000),
                a(0x0410, 0x23, 9600),
                a(0x0420, 0x23, 10_200),
                a(0x0430, 0x23, 10_750),
                a(0x0440, 0x23, 11_000),
                a(0x0616, 0x21, 826),
                a(0x0617, 0x18, 0x50),
                a(0x0301, 0x23, 22_465),
            ],
            prepayment_attributes: vec![
                a(0x0239, 0x21, 1000),
                a(ZSE_OVERALL_DEBT_CAP, 0x2B, 1_000_000),
                a(0x0216, 0x30, 1),
                a(0x0226, 0x30, 1),
                a(ZSE_CUT_OFF_VALUE, 0x2B, -5_000_000),
                a(ZSE_EMERGENCY_CREDIT_LIMIT, 0x23, 1_000_000),
                a(ZSE_EMERGENCY_CREDIT_THRESHOLD, 0x23, 200_000),
                a(ZSE_LOW_CREDIT_WARNING, 0x23, 500_000),
                a(ZSE_MAX_CREDIT_LIMIT, 0x23, 10_000_000),
                a(ZSE_MAX_CREDIT_PER_TOP_UP, 0x23, 5_000_000),
                a(0x0217, 0x23, 500_000),
                a(0x0227, 0x23, 200_000),
            ],
            calendars: vec![
                GasCalendar {
                    calendar_type: 0,
                    provider_id: 0,
                    issuer_event_id: EVENT,
                    issuer_calendar_id: CALENDAR_ID,
                    days: (1..=4)
                        .map(|id| GasDayProfile {
                            id,
                            entries: vec![(0, id)],
                        })
                        .collect(),
                    weeks: vec![(1, [1, 1, 1, 1, 1, 2, 2]), (2, [3, 3, 3, 3, 3, 4, 4])],
                    seasons: vec![([114, 9, 23, 0xFF], 1), ([115, 3, 20, 0xFF], 2)],
                    special_days: vec![
                        ([114, 12, 25, 0xFF], 2),
                        ([114, 12, 26, 0xFF], 2),
                        ([115, 4, 3, 0xFF], 4),
                    ],
                },
                GasCalendar {
                    calendar_type: 3,
                    provider_id: 0,
                    issuer_event_id: EVENT,
                    issuer_calendar_id: CALENDAR_ID,
                    days: vec![
                        GasDayProfile {
                            id: 1,
                            entries: vec![(0, 1), (480, 0), (1080, 1)],
                        },
                        GasDayProfile {
                            id: 2,
                            entries: vec![(0, 1), (420, 0), (1020, 1)],
                        },
                        GasDayProfile {
                            id: 3,
                            entries: vec![(0, 1), (480, 0), (840, 1)],
                        },
                        GasDayProfile {
                            id: 4,
                            entries: vec![(0, 1), (420, 0), (780, 1)],
                        },
                    ],
                    weeks: vec![(1, [1, 1, 1, 1, 1, 3, 3]), (2, [2, 2, 2, 2, 2, 4, 4])],
                    seasons: vec![([0xFF, 3, 29, 0xFF], 2), ([0xFF, 10, 26, 0xFF], 1)],
                    special_days: vec![
                        ([115, 4, 5, 0xFF], 4),
                        ([115, 8, 31, 0xFF], 4),
                        ([0xFF, 12, 25, 0xFF], 3),
                        ([0xFF, 12, 26, 0xFF], 3),
                    ],
                },
            ],
            price: Some(CurrentPrice {
                provider_id: 0,
                issuer_event_id: EVENT,
                unit_of_measure: 1,
                currency: 826,
                trailing_digit_and_tier: 0x51,
                tiers_and_register_tier: 0x41,
                start_time: 0,
                duration_minutes: 1440,
                price: 9600,
            }),
        }
    }
}

/// What one component answers.
enum Answer {
    /// Server→client frames (frame control, command, payload).
    Frames(Vec<(u8, u8, Vec<u8>)>),
    /// A Default Response status for the command.
    Status(u8),
}

fn header(c: &GasCalendar) -> Vec<u8> {
    let mut p = c.provider_id.to_le_bytes().to_vec();
    p.extend_from_slice(&c.issuer_event_id.to_le_bytes());
    p.extend_from_slice(&c.issuer_calendar_id.to_le_bytes());
    p
}

impl GasTariff {
    fn calendar(&self, issuer_calendar_id: u32, calendar_type: Option<u8>) -> Option<&GasCalendar> {
        // `FFFFFFFF`: the tariff calendar; `FFFFFFFE`: the friendly credit calendar; else by id.
        let ty = calendar_type.unwrap_or(match issuer_calendar_id {
            0xFFFF_FFFF => 0,
            0xFFFF_FFFE => 3,
            _ => 0,
        });
        self.calendars.iter().find(|c| {
            c.calendar_type == ty
                && (issuer_calendar_id >= 0xFFFF_FFFE || c.issuer_calendar_id == issuer_calendar_id)
        })
    }

    /// A prepayment cluster attribute's value, if held.
    pub fn prepayment_value(&self, id: u16) -> Option<i64> {
        self.prepayment_attributes
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.value)
    }

    /// Sets a held prepayment cluster attribute's value (`false`: not held, nothing changed).
    pub fn set_prepayment_value(&mut self, id: u16, value: i64) -> bool {
        match self.prepayment_attributes.iter_mut().find(|a| a.id == id) {
            Some(a) => {
                a.value = value;
                true
            }
            None => false,
        }
    }

    fn attributes(&self, cluster: u16) -> &[ZclAttribute] {
        match cluster {
            gcs21f::CLUSTER_PRICE => &self.price_attributes,
            gbcs::usecases::gcs21b::CLUSTER_PREPAYMENT => &self.prepayment_attributes,
            _ => &[],
        }
    }

    fn answer(&self, read: &GbzRead, attribute_fc: u8, now: UtcDateTime) -> Answer {
        const FC: u8 = 0x19;
        let u32_at = |p: &[u8], i: usize| {
            p.get(i..i + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
                .unwrap_or(0)
        };
        match *read {
            GbzRead::Attributes {
                cluster,
                attributes,
            } => {
                let held = self.attributes(cluster);
                let records = attributes
                    .iter()
                    .flat_map(|id| match held.iter().find(|a| a.id == *id) {
                        Some(a) => a.record(),
                        None => {
                            let mut r = id.to_le_bytes().to_vec();
                            r.push(ZCL_UNSUPPORTED_ATTRIBUTE);
                            r
                        }
                    })
                    .collect();
                Answer::Frames(vec![(attribute_fc, 0x01, records)])
            }
            GbzRead::Command {
                cluster: gcs21f::CLUSTER_PRICE,
                command: 0x00,
                ..
            } => match &self.price {
                None => Answer::Status(ZCL_NOT_FOUND),
                Some(p) => {
                    let mut b = p.provider_id.to_le_bytes().to_vec();
                    b.push(0); // rate label: empty
                    b.extend_from_slice(&p.issuer_event_id.to_le_bytes());
                    b.extend_from_slice(&now.to_zigbee_utc().unwrap_or(0).to_le_bytes());
                    b.push(p.unit_of_measure);
                    b.extend_from_slice(&p.currency.to_le_bytes());
                    b.push(p.trailing_digit_and_tier);
                    b.push(p.tiers_and_register_tier);
                    b.extend_from_slice(&p.start_time.to_le_bytes());
                    b.extend_from_slice(&p.duration_minutes.to_le_bytes());
                    b.extend_from_slice(&p.price.to_le_bytes());
                    Answer::Frames(vec![(FC, 0x00, b)])
                }
            },
            GbzRead::Command {
                cluster: gcs21f::CLUSTER_CALENDAR,
                command,
                payload,
            } => {
                let (calendar_id, ty) = match command {
                    0x04 => (u32_at(payload, 10), payload.get(5).copied()),
                    _ => (u32_at(payload, 4), None),
                };
                let Some(c) = self.calendar(calendar_id, ty) else {
                    return Answer::Status(ZCL_NOT_FOUND);
                };
                let frames = match command {
                    0x01 => c
                        .days
                        .iter()
                        .map(|d| {
                            let mut b = header(c);
                            b.push(d.id);
                            b.push(u8::try_from(d.entries.len()).unwrap_or(u8::MAX));
                            b.extend_from_slice(&[0, 1, c.calendar_type]);
                            for (start, tier) in &d.entries {
                                b.extend_from_slice(&start.to_le_bytes());
                                b.push(*tier);
                            }
                            (FC, 0x01, b)
                        })
                        .collect(),
                    0x02 => c
                        .weeks
                        .iter()
                        .map(|(id, days)| {
                            let mut b = header(c);
                            b.push(*id);
                            b.extend_from_slice(days);
                            (FC, 0x02, b)
                        })
                        .collect(),
                    0x03 => {
                        let mut b = header(c);
                        b.extend_from_slice(&[0, 1]);
                        for (date, week) in &c.seasons {
                            b.extend_from_slice(date);
                            b.push(*week);
                        }
                        vec![(FC, 0x03, b)]
                    }
                    0x04 => {
                        let mut b = header(c);
                        b.extend_from_slice(&0u32.to_le_bytes());
                        b.push(c.calendar_type);
                        b.push(u8::try_from(c.special_days.len()).unwrap_or(u8::MAX));
                        b.extend_from_slice(&[0, 1]);
                        for (date, day) in &c.special_days {
                            b.extend_from_slice(date);
                            b.push(*day);
                        }
                        vec![(FC, 0x04, b)]
                    }
                    _ => return Answer::Status(0x81),
                };
                if frames.is_empty() {
                    Answer::Status(ZCL_NOT_FOUND)
                } else {
                    Answer::Frames(frames)
                }
            }
            GbzRead::Command { .. } => Answer::Status(0x81),
        }
    }
}

fn component(cluster: u16, fc: u8, seq: u8, command: u8, payload: Vec<u8>) -> GbzComponent {
    GbzComponent {
        control: 0,
        cluster,
        body: GbzBody::Plain {
            from_date_time: None,
            zcl: ZclFrame {
                frame_control: fc,
                manufacturer_code: None,
                sequence: seq,
                command,
                payload,
            },
        },
    }
}

impl EmulatedDevice {
    /// GCS21f / GCS21b: each request of the read set answered in order (see the module).
    /// Read Attributes Responses carry frame control `attribute_fc` (RTDS: `18` in GCS21f, `08`
    /// in GCS21b).
    pub(crate) fn gbz_read_set(
        &self,
        set: &GbzReadSet,
        attribute_fc: u8,
        now: UtcDateTime,
    ) -> Option<Execution> {
        // The cut-off value is the payment mode's disablement threshold.
        let mut t = self.state.reads.gas_tariff.clone();
        t.set_prepayment_value(
            ZSE_CUT_OFF_VALUE,
            i64::from(self.state.payment_mode.disablement_threshold),
        );
        let mut out = Vec::new();
        let mut failed = false;
        for (i, read) in set.reads.iter().enumerate() {
            let seq = u8::try_from(i).unwrap_or(u8::MAX);
            let (cluster, command) = match read {
                GbzRead::Attributes { cluster, .. } => (*cluster, 0x00),
                GbzRead::Command {
                    cluster, command, ..
                } => (*cluster, *command),
            };
            let answer = if failed {
                out.push(component(
                    cluster,
                    0x08,
                    seq,
                    ZCL_DEFAULT_RESPONSE,
                    vec![0xFF, ZCL_FAILURE],
                ));
                continue;
            } else if self
                .state
                .has_fault(DeviceFault::ZclCommand { cluster, command })
            {
                Answer::Status(ZCL_HARDWARE_FAILURE)
            } else {
                t.answer(read, attribute_fc, now)
            };
            match answer {
                Answer::Frames(frames) => {
                    for (fc, cmd, payload) in frames {
                        out.push(component(cluster, fc, seq, cmd, payload));
                    }
                }
                Answer::Status(status) => {
                    if status != ZCL_NOT_FOUND {
                        failed = true;
                    }
                    out.push(component(
                        cluster,
                        0x08,
                        seq,
                        ZCL_DEFAULT_RESPONSE,
                        vec![command, status],
                    ));
                }
            }
        }
        let not_found = out.iter().any(|c| {
            matches!(&c.body, GbzBody::Plain { zcl, .. }
                if zcl.command == ZCL_DEFAULT_RESPONSE && zcl.payload.get(1) == Some(&ZCL_NOT_FOUND))
        });
        if let Some(last) = out.last_mut() {
            last.control |= CONTROL_LAST;
        }
        done(gbz(out)?, !failed && !not_found)
    }
}
