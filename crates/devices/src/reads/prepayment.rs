//! The ESME prepayment configuration held in device state, as ECS26a reads it back and 2.1
//! Update Prepay Configuration (ECS08, ECS08a) writes it. The defaults are the RTDS 4.5.0 ECS26a
//! SINGLE SUCCESS answer's configuration. Each concept is held once, in the object the ECS26a
//! read names for it (DLMS Blue Book: class 111 account, 112 credit, 113 charge, 21 register
//! monitor; as `mmc`'s ECS26a rendering):
//!
//! | field | object (class, OBIS, attribute) |
//! |---|---|
//! | debt recovery rates 1 and 2 | `113, 0-0:19.20.1.255 / 0-0:19.20.2.255, 5` |
//! | debt recovery periods 1 and 2 | same, attribute 8 |
//! | debt recovery per payment (proportion) | `113, 0-0:19.20.3.255, 13` |
//! | non-disablement special days | `11, 0-0:11.0.2.255, 2` |
//! | maximum credit threshold | `9000, 0-0:94.44.2.10, 2` |
//! | disablement threshold | `21, 0-0:16.0.1.255, 2`: not held here but in [`crate::payment_mode::PaymentModeState::disablement_threshold`], which 1.6 (ECS03) writes |
//! | maximum meter balance | `9000, 0-0:94.44.2.20, 2` |
//! | low credit threshold | `111, 0-0:19.0.0.255, 16` |
//! | debt recovery rate cap: amount, period | `111, 0-0:19.0.0.255, 18 / 19` (max provision, its period) |
//! | emergency credit limit | `112, 0-0:19.10.1.255, 9` (preset credit amount) |
//! | emergency credit threshold | `112, 0-0:19.10.1.255, 10` (credit available threshold) |
//! | non-disablement calendar | `10, 0-0:12.0.1.255, 2` |
//! | credit and charge configuration | `111, 0-0:19.0.0.255, 11` |
//!
//! The serde names of the fields are those earlier versions stored (when several fields were
//! named after the wrong object), so that stored state reads as before; what the prepayment
//! behaviour does with each value is documented in [`crate::prepay`].

use gbcs::axdr::Data;
use gbcs::dlms::CosemDescriptor;
use serde::{Deserialize, Serialize};

use super::tariff::{SpecialDay, special_days};

/// One entry of the non-disablement schedule (class 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    /// Index.
    pub index: u16,
    /// Enabled.
    pub enabled: bool,
    /// Script table.
    pub script: [u8; 6],
    /// Script selector.
    pub selector: u16,
    /// Switch time (COSEM time).
    pub switch_time: [u8; 4],
    /// Validity window, minutes (`FFFF`: always).
    pub validity_window: u16,
    /// Execution weekdays (7 bits, Monday first, in the high bits).
    pub weekdays: u8,
    /// Execution special days (4 bits, in the high bits).
    pub special_days: u8,
    /// Begin date (COSEM date).
    pub begin: [u8; 5],
    /// End date.
    pub end: [u8; 5],
}

/// The prepayment configuration (amounts in the meter's currency unit, 10⁻⁵ GBP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepaymentConfiguration {
    /// Debt recovery rates 1 and 2 (currency × 10⁻⁵ per period).
    pub debt_recovery_rates: [i16; 2],
    /// Debt recovery periods 1 and 2, seconds.
    pub debt_recovery_periods: [u32; 2],
    /// Debt recovery per payment: the proportion of each payment (‱) that goes to the
    /// payment-based debt.
    #[serde(rename = "debt_recovery_rate_cap")]
    pub debt_recovery_per_payment: u16,
    /// Non-disablement special days.
    pub special_days: Vec<SpecialDay>,
    /// Maximum credit threshold: the largest top-up the meter accepts.
    #[serde(rename = "emergency_credit_limit")]
    pub max_credit_threshold: i32,
    /// Not read: the register monitor's thresholds are the disablement threshold, held in
    /// [`crate::payment_mode::PaymentModeState`]; kept so that stored state reads.
    #[serde(rename = "low_credit_thresholds")]
    pub unused_monitor_thresholds: Vec<i32>,
    /// Maximum meter balance: credit that would take the balance above it is refused.
    pub max_meter_balance: i32,
    /// Low credit threshold: `0x810D` once credit plus emergency credit falls below it.
    #[serde(rename = "emergency_credit_threshold")]
    pub low_credit_threshold: i32,
    /// Debt recovery rate cap: the most the payment-based debt recovers in a cap period.
    #[serde(rename = "max_credit")]
    pub debt_recovery_rate_cap: u16,
    /// The debt recovery rate cap's period, seconds.
    #[serde(rename = "credit_period")]
    pub debt_recovery_cap_period: i32,
    /// Emergency credit limit: the emergency credit available once activated.
    #[serde(rename = "max_credit_threshold")]
    pub emergency_credit_limit: i32,
    /// Emergency credit threshold: emergency credit is offered (`0x8119`) and may be activated
    /// only when the credit is below it.
    #[serde(rename = "credit_amount")]
    pub emergency_credit_threshold: i32,
    /// The non-disablement schedule.
    pub schedule: Vec<ScheduleEntry>,
    /// Credit and charge configuration: (credit object, charge object, 3 configuration bits in
    /// the high bits).
    pub credit_charge_configuration: Vec<([u8; 6], [u8; 6], u8)>,
}

impl Default for PrepaymentConfiguration {
    fn default() -> Self {
        let entry = |index: u16, selector: u16, time: u8, days: (u8, u8), from: [u8; 5], to| {
            ScheduleEntry {
                index,
                enabled: true,
                script: [0, 0, 10, 0, 106, 0xFF],
                selector,
                switch_time: [time, 0, 0, 0],
                validity_window: 0xFFFF,
                weekdays: days.0,
                special_days: days.1,
                begin: from,
                end: to,
            }
        };
        let winter = ([0x07, 0xDE, 10, 26, 0xFF], [0x07, 0xDF, 3, 29, 0xFF]);
        let summer = ([0x07, 0xDF, 3, 30, 0xFF], [0x07, 0xDF, 10, 25, 0xFF]);
        let credit = |n: u8| [0, 0, 19, 10, n, 0xFF];
        Self {
            debt_recovery_rates: [5000, 6000],
            debt_recovery_periods: [86_400, 86_400],
            debt_recovery_per_payment: 5000,
            special_days: vec![
                SpecialDay {
                    index: 1,
                    date: [0xFF, 0xFF, 12, 25, 0xFF],
                    day_id: 1,
                },
                SpecialDay {
                    index: 2,
                    date: [0xFF, 0xFF, 12, 26, 0xFF],
                    day_id: 2,
                },
                SpecialDay {
                    index: 3,
                    date: [0x07, 0xDF, 4, 5, 0xFF],
                    day_id: 3,
                },
                SpecialDay {
                    index: 4,
                    date: [0x07, 0xDF, 4, 3, 0xFF],
                    day_id: 4,
                },
            ],
            max_credit_threshold: 5_000_000,
            unused_monitor_thresholds: Vec::new(),
            max_meter_balance: 10_000_000,
            low_credit_threshold: 500_000,
            debt_recovery_rate_cap: 10_000,
            debt_recovery_cap_period: 604_800,
            emergency_credit_limit: 2_500_000,
            emergency_credit_threshold: 100_000,
            schedule: vec![
                entry(1, 32, 0x00, (0x06, 0xF0), winter.0, winter.1),
                entry(2, 32, 0x12, (0xF8, 0x00), winter.0, winter.1),
                entry(3, 33, 0x08, (0xF8, 0x00), winter.0, winter.1),
                entry(4, 32, 0x00, (0x06, 0xF0), summer.0, summer.1),
                entry(5, 32, 0x11, (0xF8, 0x00), summer.0, summer.1),
                entry(6, 33, 0x07, (0xF8, 0x00), summer.0, summer.1),
            ],
            credit_charge_configuration: [
                (0, 0, 0xE0),
                (0, 4, 0xE0),
                (0, 1, 0xC0),
                (0, 2, 0xC0),
                (0, 3, 0xE0),
                (1, 3, 0xE0),
                (1, 0, 0xE0),
                (1, 4, 0xE0),
                (1, 1, 0xC0),
                (1, 2, 0xC0),
                (2, 4, 0xE0),
                (2, 1, 0xE0),
                (2, 2, 0xE0),
            ]
            .into_iter()
            .map(|(c, ch, bits)| (credit(c), [0, 0, 19, 20, ch, 0xFF], bits))
            .collect(),
        }
    }
}

impl PrepaymentConfiguration {
    fn rate(&self, i: usize) -> Option<Data> {
        Some(super::tariff::charge(&super::tariff::Charge {
            commodity_scale: 0,
            price_scale: -5,
            commodity: (0, [0; 6], 0),
            prices: vec![(Vec::new(), *self.debt_recovery_rates.get(i)?)],
        }))
    }

    /// The value of a prepayment configuration attribute, if `o` is one; the register
    /// monitor's (single) threshold is `disablement_threshold`, the payment mode's.
    pub fn attribute(&self, o: &CosemDescriptor, disablement_threshold: i32) -> Option<Data> {
        match (o.class_id, o.instance, o.index) {
            (113, [0, 0, 19, 20, n @ 1..=2, 0xFF], 5) => self.rate(usize::from(n - 1)),
            (113, [0, 0, 19, 20, n @ 1..=2, 0xFF], 8) => Some(Data::DoubleLongUnsigned(
                *self.debt_recovery_periods.get(usize::from(n - 1))?,
            )),
            (113, [0, 0, 19, 20, 3, 0xFF], 13) => {
                Some(Data::LongUnsigned(self.debt_recovery_per_payment))
            }
            (11, [0, 0, 11, 0, 2, 0xFF], 2) => Some(special_days(&self.special_days)),
            (9000, [0, 0, 94, 44, 2, 10], 2) => Some(Data::DoubleLong(self.max_credit_threshold)),
            (21, [0, 0, 16, 0, 1, 0xFF], 2) => {
                Some(Data::Array(vec![Data::DoubleLong(disablement_threshold)]))
            }
            (9000, [0, 0, 94, 44, 2, 20], 2) => Some(Data::DoubleLong(self.max_meter_balance)),
            (111, [0, 0, 19, 0, 0, 0xFF], 16) => Some(Data::DoubleLong(self.low_credit_threshold)),
            (111, [0, 0, 19, 0, 0, 0xFF], 18) => {
                Some(Data::LongUnsigned(self.debt_recovery_rate_cap))
            }
            (111, [0, 0, 19, 0, 0, 0xFF], 19) => {
                Some(Data::DoubleLong(self.debt_recovery_cap_period))
            }
            (112, [0, 0, 19, 10, 1, 0xFF], 9) => {
                Some(Data::DoubleLong(self.emergency_credit_limit))
            }
            (112, [0, 0, 19, 10, 1, 0xFF], 10) => {
                Some(Data::DoubleLong(self.emergency_credit_threshold))
            }
            (10, [0, 0, 12, 0, 1, 0xFF], 2) => Some(Data::Array(
                self.schedule
                    .iter()
                    .map(|e| {
                        Data::Structure(vec![
                            Data::LongUnsigned(e.index),
                            Data::Boolean(if e.enabled { 0xFF } else { 0 }),
                            Data::OctetString(e.script.to_vec()),
                            Data::LongUnsigned(e.selector),
                            Data::OctetString(e.switch_time.to_vec()),
                            Data::LongUnsigned(e.validity_window),
                            Data::BitString {
                                bits: 7,
                                bytes: vec![e.weekdays],
                            },
                            Data::BitString {
                                bits: 4,
                                bytes: vec![e.special_days],
                            },
                            Data::OctetString(e.begin.to_vec()),
                            Data::OctetString(e.end.to_vec()),
                        ])
                    })
                    .collect(),
            )),
            (111, [0, 0, 19, 0, 0, 0xFF], 11) => Some(Data::Array(
                self.credit_charge_configuration
                    .iter()
                    .map(|(credit, charge, bits)| {
                        Data::Structure(vec![
                            Data::OctetString(credit.to_vec()),
                            Data::OctetString(charge.to_vec()),
                            Data::BitString {
                                bits: 3,
                                bytes: vec![*bits],
                            },
                        ])
                    })
                    .collect(),
            )),
            _ => None,
        }
    }
}
