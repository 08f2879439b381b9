//! The ESME's tariff and price updates (DUIS 1.1.1 ECS01a, 1.1.2 ECS01c, 1.2.1 ECS01b, 1.2.2
//! ECS01d): what a command writes ([`TariffChange`]) goes into the tariff the reads answer from
//! ([`crate::reads::tariff::ElectricityTariff`]: ECS24, ECS24b and the prepayment reads), and the
//! primary element's calendar and block thresholds into the register model the TOU and block
//! registers follow ([`crate::reads::InstantaneousConfig::epochs`]).
//!
//! * **Immediate** (all-zero activation time): applied at once.
//! * **Future-dated** (an activation time ahead of the device clock): held
//!   ([`crate::future`]) and applied then, with one `8F66` outcome alert per activation-time
//!   object of the use case, in the order of its SETs (the RTDS `8F66` vectors: ECS01a six,
//!   ECS01c three, ECS01b two, ECS01d one). A later update of the same use case replaces one
//!   still held.
//! * **Cancellation** (all-`FF` activation time): drops the update of the same use case still
//!   held; a success when there is none (the RTDS CANCELLATION vectors answer success).
//! * **Refusal** (the RTDS ERROR shape: the failing SET `hardware-fault`, the ones after it
//!   `other-reason`; nothing changes): a faulty object ([`DeviceFault::DlmsObject`]), or content
//!   the meter cannot run: a day profile whose switching times are not strictly increasing or not
//!   a time of day, a week or season naming a day or week profile the command does not define, a
//!   special day naming an undefined day profile, more than three block thresholds or thresholds
//!   not increasing, a price index given twice.

use gbcs::axdr::Data;
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::usecases::tariff::{self as t, Calendar, UnitCharge};
use gbcs::usecases::{
    Activation, PrimaryPrices, PrimaryTariff, SecondaryPrices, SecondaryTariff, ecs01a, ecs01b,
    ecs01c, ecs01d,
};
use gbcs::{GeneralSigning, UtcDateTime};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, dlms_response};
use crate::future::{FutureAction, PendingAction};
use crate::reads::tariff::{
    Charge, DayAction, DayProfile, ElectricityTariff, Season, SpecialDay, TariffElement,
    WeekProfile,
};
use crate::state::DeviceFault;

/// A calendar as the device keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarParts {
    /// Seasons.
    pub seasons: Vec<Season>,
    /// Week profiles.
    pub weeks: Vec<WeekProfile>,
    /// Day profiles.
    pub days: Vec<DayProfile>,
    /// Special days.
    pub special_days: Vec<SpecialDay>,
}

/// What one tariff or price update writes (`None`: left as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffChange {
    /// The primary element's calendar (ECS01a).
    pub primary_calendar: Option<CalendarParts>,
    /// The secondary element's calendar (ECS01c).
    pub secondary_calendar: Option<CalendarParts>,
    /// Block thresholds per TOU rate (ECS01a; `FFFFFFFF`: none).
    pub block_thresholds: Option<[[u32; 3]; 8]>,
    /// The currency flag (ECS01a).
    pub currency_flag: Option<bool>,
    /// The standing charge (`0-0:19.20.4`; ECS01a, ECS01b).
    pub standing_charge: Option<Charge>,
    /// The primary price matrix (ECS01a, ECS01b).
    pub primary_prices: Option<Charge>,
    /// The secondary price matrix (ECS01c, ECS01d).
    pub secondary_prices: Option<Charge>,
}

/// A decoded tariff or price command.
#[derive(Debug, Clone, Copy)]
pub enum TariffCommand<'a> {
    /// ECS01a.
    PrimaryTariff(&'a PrimaryTariff),
    /// ECS01c.
    SecondaryTariff(&'a SecondaryTariff),
    /// ECS01b.
    PrimaryPrices(&'a PrimaryPrices),
    /// ECS01d.
    SecondaryPrices(&'a SecondaryPrices),
}

impl TariffCommand<'_> {
    /// The objects SET, in order.
    pub fn objects(self) -> &'static [CosemDescriptor] {
        match self {
            TariffCommand::PrimaryTariff(_) => &ecs01a::OBJECTS,
            TariffCommand::SecondaryTariff(_) => &ecs01c::OBJECTS,
            TariffCommand::PrimaryPrices(_) => &ecs01b::OBJECTS,
            TariffCommand::SecondaryPrices(_) => &ecs01d::OBJECTS,
        }
    }

    fn activation(self) -> Activation {
        match self {
            TariffCommand::PrimaryTariff(c) => c.activation,
            TariffCommand::SecondaryTariff(c) => c.activation,
            TariffCommand::PrimaryPrices(c) => c.activation,
            TariffCommand::SecondaryPrices(c) => c.activation,
        }
    }

    /// The index (into [`Self::objects`]) of the first object whose content the meter cannot
    /// run, if any.
    fn invalid_object(self) -> Option<usize> {
        let cal = |c: &Calendar, first: usize| calendar_invalid(c).map(|k| first + k);
        match self {
            TariffCommand::PrimaryTariff(c) => cal(&c.calendar, 0)
                .or_else(|| {
                    c.thresholds
                        .iter()
                        .position(|v| !thresholds_valid(v))
                        .map(|k| 4 + k)
                })
                .or_else(|| (!prices_valid(&c.standing_charge)).then_some(13))
                .or_else(|| (!prices_valid(&c.prices)).then_some(14)),
            TariffCommand::SecondaryTariff(c) => (!prices_valid(&c.prices))
                .then_some(0)
                .or_else(|| cal(&c.calendar, 1)),
            TariffCommand::PrimaryPrices(c) => (!prices_valid(&c.standing_charge))
                .then_some(0)
                .or_else(|| (!prices_valid(&c.prices)).then_some(1)),
            TariffCommand::SecondaryPrices(c) => (!prices_valid(&c.prices)).then_some(0),
        }
    }

    /// What it writes.
    pub fn change(self) -> TariffChange {
        match self {
            TariffCommand::PrimaryTariff(c) => {
                let mut thresholds = [[u32::MAX; 3]; 8];
                for (row, v) in thresholds.iter_mut().zip(&c.thresholds) {
                    for (cell, x) in row.iter_mut().zip(v) {
                        *cell = *x;
                    }
                }
                TariffChange {
                    primary_calendar: Some(calendar(&c.calendar)),
                    block_thresholds: Some(thresholds),
                    currency_flag: Some(c.currency_flag),
                    standing_charge: Some(charge(&c.standing_charge)),
                    primary_prices: Some(charge(&c.prices)),
                    ..TariffChange::default()
                }
            }
            TariffCommand::SecondaryTariff(c) => TariffChange {
                secondary_calendar: Some(calendar(&c.calendar)),
                secondary_prices: Some(charge(&c.prices)),
                ..TariffChange::default()
            },
            TariffCommand::PrimaryPrices(c) => TariffChange {
                standing_charge: Some(charge(&c.standing_charge)),
                primary_prices: Some(charge(&c.prices)),
                ..TariffChange::default()
            },
            TariffCommand::SecondaryPrices(c) => TariffChange {
                secondary_prices: Some(charge(&c.prices)),
                ..TariffChange::default()
            },
        }
    }
}

/// The activation-time objects of the use case with this message code (the components of its
/// future-dated outcome alerts), in order.
pub fn activation_objects(message_code: u16) -> &'static [CosemDescriptor] {
    match gbcs::MessageCode(message_code) {
        gbcs::MessageCode::ECS01A => &ecs01a::ACTIVATIONS,
        gbcs::MessageCode::ECS01C => &ecs01c::ACTIVATIONS,
        gbcs::MessageCode::ECS01B => &ecs01b::ACTIVATIONS,
        gbcs::MessageCode::ECS01D => &ecs01d::ACTIVATIONS,
        _ => &[],
    }
}

fn calendar(c: &Calendar) -> CalendarParts {
    CalendarParts {
        seasons: c
            .seasons
            .iter()
            .map(|s| Season {
                name: s.name.clone(),
                start: s.start.clone(),
                week: s.week.clone(),
            })
            .collect(),
        weeks: c
            .weeks
            .iter()
            .map(|w| WeekProfile {
                name: w.name.clone(),
                days: w.days,
            })
            .collect(),
        days: c
            .days
            .iter()
            .map(|d| DayProfile {
                id: d.id,
                actions: d
                    .actions
                    .iter()
                    .map(|a| DayAction {
                        start_time: a.start_time,
                        script: a.script,
                        selector: a.selector,
                    })
                    .collect(),
            })
            .collect(),
        special_days: c
            .special_days
            .iter()
            .map(|s| SpecialDay {
                index: s.index,
                date: s.date,
                day_id: s.day_id,
            })
            .collect(),
    }
}

fn charge(c: &UnitCharge) -> Charge {
    Charge {
        commodity_scale: c.commodity_scale,
        price_scale: c.price_scale,
        commodity: c.commodity,
        prices: c.prices.clone(),
    }
}

/// Seconds after midnight of a COSEM time (hour, minute, second, hundredths), if it is one.
pub fn time_of_day(t: [u8; 4]) -> Option<u32> {
    let [h, m, s, _] = t;
    (h < 24 && m < 60 && s < 60).then(|| u32::from(h) * 3600 + u32::from(m) * 60 + u32::from(s))
}

/// The index (0 seasons, 1 weeks, 2 days, 3 special days) of the first part of `c` the meter
/// cannot run.
fn calendar_invalid(c: &Calendar) -> Option<usize> {
    let day_ids: Vec<u8> = c.days.iter().map(|d| d.id).collect();
    let week_names: Vec<&[u8]> = c.weeks.iter().map(|w| &w.name[..]).collect();
    if c.seasons.is_empty() || c.seasons.iter().any(|s| !week_names.contains(&&s.week[..])) {
        return Some(0);
    }
    if c.weeks.is_empty()
        || c.weeks
            .iter()
            .any(|w| w.days.iter().any(|d| !day_ids.contains(d)))
    {
        return Some(1);
    }
    let day_ok = |d: &t::DayProfile| {
        let times: Option<Vec<u32>> = d
            .actions
            .iter()
            .map(|a| time_of_day(a.start_time))
            .collect();
        match times {
            Some(v) => !v.is_empty() && v.windows(2).all(|w| w[0] < w[1]),
            None => false,
        }
    };
    let mut ids = day_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != day_ids.len() || !c.days.iter().all(day_ok) {
        return Some(2);
    }
    if c.special_days.iter().any(|s| !day_ids.contains(&s.day_id)) {
        return Some(3);
    }
    None
}

fn thresholds_valid(v: &[u32]) -> bool {
    let real: Vec<u32> = v.iter().copied().filter(|x| *x != u32::MAX).collect();
    v.len() <= t::MAX_THRESHOLDS
        && real.windows(2).all(|w| w[0] < w[1])
        // Real thresholds first, then "none".
        && v.iter().skip(real.len()).all(|x| *x == u32::MAX)
}

fn prices_valid(c: &UnitCharge) -> bool {
    let mut idx: Vec<&Vec<u8>> = c.prices.iter().map(|(i, _)| i).collect();
    idx.sort();
    let n = idx.len();
    idx.dedup();
    idx.len() == n
}

fn apply_calendar(e: &mut TariffElement, c: &CalendarParts) {
    e.seasons = c.seasons.clone();
    e.weeks = c.weeks.clone();
    e.days = c.days.clone();
    e.special_days = c.special_days.clone();
}

impl ElectricityTariff {
    /// Writes `c` into the tariff.
    pub fn apply(&mut self, c: &TariffChange) {
        if let Some(cal) = &c.primary_calendar {
            apply_calendar(&mut self.primary, cal);
        }
        if let Some(cal) = &c.secondary_calendar {
            apply_calendar(&mut self.secondary, cal);
        }
        if let Some(th) = c.block_thresholds {
            self.block_thresholds = th;
        }
        if let Some(f) = c.currency_flag {
            self.tariff_flag = f;
        }
        if let Some(s) = &c.standing_charge {
            self.additional_charge = s.clone();
        }
        if let Some(p) = &c.primary_prices {
            self.primary.prices = p.clone();
        }
        if let Some(p) = &c.secondary_prices {
            self.secondary.prices = p.clone();
        }
    }
}

impl EmulatedDevice {
    /// Writes `c` into the tariff at true time `at` (now, or a held update falling due): the
    /// reads answer it from then, and the register model follows the primary element's new
    /// calendar and thresholds from `at`.
    pub(crate) fn apply_tariff(&mut self, c: &TariffChange, at: i64) {
        self.state.reads.tariff.apply(c);
        if c.primary_calendar.is_some() || c.block_thresholds.is_some() {
            let tariff = self.state.reads.tariff.clone();
            self.state.instantaneous.follow_tariff(&tariff, at);
        }
    }

    /// ECS01a, ECS01b, ECS01c, ECS01d: the SETs in order; a faulty object, or content the meter
    /// cannot run, answers hardware-fault there and other-reason after it, and nothing changes.
    pub(crate) fn esme_tariff(
        &mut self,
        apdu: &GeneralSigning,
        cmd: TariffCommand<'_>,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let objects = cmd.objects();
        let faulty = objects.iter().position(|o| {
            self.state.has_fault(DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            })
        });
        let activation = cmd.activation();
        let failed = match (faulty, activation) {
            (Some(f), _) => Some(f),
            // A cancellation carries the tariff it cancels; only what is held matters.
            (None, Activation::Cancel) => None,
            (None, _) => cmd.invalid_object(),
        };
        let results = (0..objects.len())
            .map(|i| {
                ResponseSpec::Set(match failed {
                    Some(f) if i == f => DLMS_FAILURE,
                    Some(f) if i > f => DLMS_NOT_EXECUTED,
                    _ => DLMS_SUCCESS,
                })
            })
            .collect();
        if failed.is_none() {
            let code = apdu.message_code().0;
            let mine = |a: &PendingAction| {
                matches!(a.action, FutureAction::Tariff(_)) && a.message_code == code
            };
            let device_now = self.device_time(now).to_unix();
            match activation {
                Activation::Cancel => self.state.future_actions.retain(|a| !mine(a)),
                Activation::At(at) if at.to_unix() > device_now => {
                    self.state.future_actions.retain(|a| !mine(a));
                    self.state.future_actions.push(PendingAction {
                        at: at.to_unix(),
                        action: FutureAction::Tariff(Box::new(cmd.change())),
                        originator: apdu.originator,
                        counter: apdu.counter,
                        message_code: code,
                        cluster: 0,
                        frame_control: 0,
                        command: 0,
                    });
                }
                _ => self.apply_tariff(&cmd.change(), now.to_unix()),
            }
        }
        Some(Execution::Done {
            content: dlms_response(apdu.counter, vec![Data::Null; objects.len()], results),
            date_time: Some(self.device_time(now).to_cosem().0),
            success: failed.is_none(),
        })
    }
}
