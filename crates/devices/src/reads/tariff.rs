//! The ESME tariff held in device state, as ECS24 (primary element) and ECS24b (secondary
//! element, twin element meters) read it back. The defaults are the RTDS 4.5.0 ECS24/ECS24b
//! SUCCESS answers' tariff (a TOU tariff with two rates switching at 07:00 and 23:00 on
//! weekdays, a weekend day profile, two special days, one block threshold, 48 TOU prices and
//! four blocks of eight prices), so a fresh meter reads back a plausible tariff. The tariff
//! update services (1.1 / 1.2, ECS01a/b/c…) are to change these fields; everything the reads
//! answer comes from them.
//!
//! Objects (class, OBIS, attribute), primary / secondary element:
//!
//! | object | primary | secondary |
//! |---|---|---|
//! | standing charge (class 3, value and scaler/unit) | `0-0:94.44.1.7` | `0-0:94.44.1.8` |
//! | activity calendar seasons, weeks, days (class 20, attr 3/4/5) | `0-0:13.0.0.255` | `0-0:13.0.1.255` |
//! | special days (class 11, attr 2) | `0-0:11.0.0.255` | `0-0:11.0.1.255` |
//! | block thresholds per TOU rate (class 21, attr 2) | `0-0:16.0.11..18.255` | — |
//! | price matrix (class 113 charge, attr 5) | `0-0:19.20.0.255` | `0-0:19.20.5.255` |
//! | additional charge (class 113, attr 5) | `0-0:19.20.4.255` | — |
//! | tariff flag (class 9000, attr 2) | `0-0:94.44.2.0` | — |

use gbcs::axdr::Data;
use gbcs::dlms::CosemDescriptor;
use serde::{Deserialize, Serialize};

/// A season of an activity calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Season {
    /// Season profile name.
    pub name: Vec<u8>,
    /// Season start (COSEM date-time, 12 bytes).
    pub start: Vec<u8>,
    /// The week profile it uses.
    pub week: Vec<u8>,
}

/// A week profile: the day profile of each day, Monday first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekProfile {
    /// Week profile name.
    pub name: Vec<u8>,
    /// Day profile ids, Monday to Sunday.
    pub days: [u8; 7],
}

/// One switching action of a day profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayAction {
    /// Start time (COSEM time, 4 bytes).
    pub start_time: [u8; 4],
    /// The script table run (OBIS).
    pub script: [u8; 6],
    /// The script selector (the TOU rate switched to).
    pub selector: u16,
}

/// A day profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayProfile {
    /// Day id.
    pub id: u8,
    /// Its actions in time order.
    pub actions: Vec<DayAction>,
}

/// A special day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialDay {
    /// Index.
    pub index: u16,
    /// COSEM date (5 bytes; `FFFF` year: every year).
    pub date: [u8; 5],
    /// The day profile used that day.
    pub day_id: u8,
}

/// A charge: scaling, the register it prices and its price table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    /// Commodity scale (power of ten).
    pub commodity_scale: i8,
    /// Price scale (power of ten).
    pub price_scale: i8,
    /// The priced register (class, OBIS, attribute; class 0: none).
    pub commodity: (u16, [u8; 6], i8),
    /// (index, price) pairs; the index is the TOU rate (`01`…) or block (`a1`…).
    pub prices: Vec<(Vec<u8>, i16)>,
}

/// One tariff element's calendar and charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffElement {
    /// Standing charge, currency units × 10^`standing_charge_scale`.
    pub standing_charge: u32,
    /// Scaler of the standing charge.
    pub standing_charge_scale: i8,
    /// Seasons.
    pub seasons: Vec<Season>,
    /// Week profiles.
    pub weeks: Vec<WeekProfile>,
    /// Day profiles.
    pub days: Vec<DayProfile>,
    /// Special days.
    pub special_days: Vec<SpecialDay>,
    /// The price matrix.
    pub prices: Charge,
}

/// The ESME tariff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectricityTariff {
    /// The primary element.
    pub primary: TariffElement,
    /// The secondary element (twin element meters).
    pub secondary: TariffElement,
    /// Block thresholds of each of the eight TOU rates (three each; `FFFFFFFF`: none).
    pub block_thresholds: [[u32; 3]; 8],
    /// The additional charge (`0-0:19.20.4.255`).
    pub additional_charge: Charge,
    /// The tariff flag at `0-0:94.44.2.0`.
    pub tariff_flag: bool,
}

fn script() -> [u8; 6] {
    [0, 0, 10, 0, 100, 0xFF]
}

impl Default for ElectricityTariff {
    fn default() -> Self {
        let dt = |y: u16, m: u8, d: u8, h: u8, mi: u8| {
            let y = y.to_be_bytes();
            vec![y[0], y[1], m, d, 0xFF, h, mi, 0, 0, 0x80, 0, 0xFF]
        };
        let mut tou: Vec<(Vec<u8>, i16)> = (1..=48u8).map(|i| (vec![i], 0)).collect();
        tou[0].1 = 2121;
        for block in [0xA0u8, 0xB0, 0xC0, 0xD0] {
            for i in 1..=8u8 {
                tou.push((vec![block + i], 0));
            }
        }
        // Block prices of the RTDS (a1 2289, a2 4002, b1 3546, b2 6969).
        for (idx, p) in [(0xA1u8, 2289i16), (0xA2, 4002), (0xB1, 3546), (0xB2, 6969)] {
            if let Some(e) = tou.iter_mut().find(|(i, _)| i[..] == [idx]) {
                e.1 = p;
            }
        }
        let mut thresholds = [[u32::MAX; 3]; 8];
        thresholds[0][0] = 10_000;
        thresholds[1][0] = 10_000;
        Self {
            primary: TariffElement {
                standing_charge: 1,
                standing_charge_scale: -5,
                seasons: vec![Season {
                    name: b"all".to_vec(),
                    start: dt(2015, 1, 1, 0, 0),
                    week: vec![1],
                }],
                weeks: vec![WeekProfile {
                    name: vec![1],
                    days: [1, 1, 1, 1, 1, 2, 2],
                }],
                days: vec![
                    DayProfile {
                        id: 1,
                        actions: vec![
                            DayAction {
                                start_time: [7, 0, 0, 0],
                                script: script(),
                                selector: 101,
                            },
                            DayAction {
                                start_time: [0x17, 0, 0, 0],
                                script: script(),
                                selector: 102,
                            },
                        ],
                    },
                    DayProfile {
                        id: 2,
                        actions: vec![DayAction {
                            start_time: [0, 0, 0, 0],
                            script: script(),
                            selector: 1,
                        }],
                    },
                ],
                special_days: vec![
                    SpecialDay {
                        index: 1,
                        date: [0x07, 0xDF, 5, 1, 0xFF],
                        day_id: 2,
                    },
                    SpecialDay {
                        index: 2,
                        date: [0x07, 0xDF, 12, 25, 0xFF],
                        day_id: 2,
                    },
                ],
                prices: Charge {
                    commodity_scale: 3,
                    price_scale: -5,
                    commodity: (3, [1, 0, 1, 8, 0, 0xFF], 2),
                    prices: tou,
                },
            },
            secondary: TariffElement {
                standing_charge: 10_000,
                standing_charge_scale: -5,
                seasons: vec![
                    Season {
                        name: b"spring".to_vec(),
                        start: dt(2015, 3, 20, 22, 45),
                        week: vec![1],
                    },
                    Season {
                        name: b"summer".to_vec(),
                        start: dt(2015, 6, 21, 16, 38),
                        week: vec![1],
                    },
                    Season {
                        name: b"fall".to_vec(),
                        start: dt(2015, 9, 23, 8, 21),
                        week: vec![2],
                    },
                    Season {
                        name: b"winter".to_vec(),
                        start: dt(2015, 12, 21, 23, 3),
                        week: vec![2],
                    },
                ],
                weeks: vec![
                    WeekProfile {
                        name: vec![1],
                        days: [1, 1, 1, 1, 1, 2, 2],
                    },
                    WeekProfile {
                        name: vec![2],
                        days: [3, 3, 3, 3, 3, 4, 4],
                    },
                ],
                // Secondary rates 201…204: each day switches at midnight and at noon.
                days: (1..=4u16)
                    .map(|id| DayProfile {
                        id: id as u8,
                        actions: vec![
                            DayAction {
                                start_time: [0, 0, 0, 0],
                                script: script(),
                                selector: 200 + id,
                            },
                            DayAction {
                                start_time: [12, 0, 0, 0],
                                script: script(),
                                selector: 201 + id % 4,
                            },
                        ],
                    })
                    .collect(),
                special_days: vec![
                    SpecialDay {
                        index: 0,
                        date: [0xFF, 0xFF, 12, 25, 0xFF],
                        day_id: 4,
                    },
                    SpecialDay {
                        index: 1,
                        date: [0xFF, 0xFF, 5, 1, 0xFF],
                        day_id: 4,
                    },
                    SpecialDay {
                        index: 2,
                        date: [0xFF, 0xFF, 6, 10, 0xFF],
                        day_id: 4,
                    },
                ],
                prices: Charge {
                    commodity_scale: 3,
                    price_scale: -5,
                    commodity: (3, [1, 20, 1, 8, 0, 0xFF], 2),
                    prices: (1..=4u8)
                        .map(|i| (vec![i], 9000 + 1000 * i16::from(i)))
                        .collect(),
                },
            },
            block_thresholds: thresholds,
            additional_charge: Charge {
                commodity_scale: 0,
                price_scale: -5,
                commodity: (0, [0; 6], 0),
                prices: vec![(Vec::new(), 20_000)],
            },
            tariff_flag: true,
        }
    }
}

/// A class 113 charge's `unit_charge` (attribute 5).
pub fn charge(c: &Charge) -> Data {
    Data::Structure(vec![
        Data::Structure(vec![
            Data::Integer(c.commodity_scale),
            Data::Integer(c.price_scale),
        ]),
        Data::Structure(vec![
            Data::LongUnsigned(c.commodity.0),
            Data::OctetString(c.commodity.1.to_vec()),
            Data::Integer(c.commodity.2),
        ]),
        Data::Array(
            c.prices
                .iter()
                .map(|(i, p)| Data::Structure(vec![Data::OctetString(i.clone()), Data::Long(*p)]))
                .collect(),
        ),
    ])
}

/// A class 11 special days table (attribute 2).
pub fn special_days(days: &[SpecialDay]) -> Data {
    Data::Array(
        days.iter()
            .map(|d| {
                Data::Structure(vec![
                    Data::LongUnsigned(d.index),
                    Data::OctetString(d.date.to_vec()),
                    Data::Unsigned(d.day_id),
                ])
            })
            .collect(),
    )
}

impl TariffElement {
    fn calendar(&self, attribute: u8) -> Option<Data> {
        Some(match attribute {
            3 => Data::Array(
                self.seasons
                    .iter()
                    .map(|s| {
                        Data::Structure(vec![
                            Data::OctetString(s.name.clone()),
                            Data::OctetString(s.start.clone()),
                            Data::OctetString(s.week.clone()),
                        ])
                    })
                    .collect(),
            ),
            4 => Data::Array(
                self.weeks
                    .iter()
                    .map(|w| {
                        let mut m = vec![Data::OctetString(w.name.clone())];
                        m.extend(w.days.iter().map(|d| Data::Unsigned(*d)));
                        Data::Structure(m)
                    })
                    .collect(),
            ),
            5 => Data::Array(
                self.days
                    .iter()
                    .map(|d| {
                        Data::Structure(vec![
                            Data::Unsigned(d.id),
                            Data::Array(
                                d.actions
                                    .iter()
                                    .map(|a| {
                                        Data::Structure(vec![
                                            Data::OctetString(a.start_time.to_vec()),
                                            Data::OctetString(a.script.to_vec()),
                                            Data::LongUnsigned(a.selector),
                                        ])
                                    })
                                    .collect(),
                            ),
                        ])
                    })
                    .collect(),
            ),
            _ => return None,
        })
    }

    fn standing_charge(&self, attribute: u8) -> Option<Data> {
        match attribute {
            2 => Some(Data::DoubleLongUnsigned(self.standing_charge)),
            3 => Some(Data::Structure(vec![
                Data::Integer(self.standing_charge_scale),
                Data::Enum(254),
            ])),
            _ => None,
        }
    }
}

impl ElectricityTariff {
    /// The value of a tariff attribute, if `o` is one.
    pub fn attribute(&self, o: &CosemDescriptor) -> Option<Data> {
        let (p, s) = (&self.primary, &self.secondary);
        match (o.class_id, o.instance, o.index) {
            (3, [0, 0, 94, 44, 1, 7], a) => p.standing_charge(a),
            (3, [0, 0, 94, 44, 1, 8], a) => s.standing_charge(a),
            (20, [0, 0, 13, 0, 0, 0xFF], a) => p.calendar(a),
            (20, [0, 0, 13, 0, 1, 0xFF], a) => s.calendar(a),
            (11, [0, 0, 11, 0, 0, 0xFF], 2) => Some(special_days(&p.special_days)),
            (11, [0, 0, 11, 0, 1, 0xFF], 2) => Some(special_days(&s.special_days)),
            (21, [0, 0, 16, 0, n @ 11..=18, 0xFF], 2) => {
                let t = self.block_thresholds.get(usize::from(n - 11))?;
                Some(Data::Array(
                    t.iter().map(|v| Data::DoubleLongUnsigned(*v)).collect(),
                ))
            }
            (9000, [0, 0, 94, 44, 2, 0], 2) => {
                Some(Data::Boolean(if self.tariff_flag { 0xFF } else { 0 }))
            }
            (113, [0, 0, 19, 20, 0, 0xFF], 5) => Some(charge(&p.prices)),
            (113, [0, 0, 19, 20, 5, 0xFF], 5) => Some(charge(&s.prices)),
            (113, [0, 0, 19, 20, 4, 0xFF], 5) => Some(charge(&self.additional_charge)),
            _ => None,
        }
    }
}
