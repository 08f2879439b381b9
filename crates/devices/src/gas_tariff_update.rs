//! The GSME's tariff and price updates (DUIS 1.1.1 GCS01a, 1.2.1 GCS01b): the ZSE Publish
//! commands write the tariff calendar (type 0) and the Price cluster attributes that GCS21f
//! (4.11.1) reads back ([`crate::reads::gas_tariff`]), immediately, held until their start time
//! (one `8F66` outcome alert per command carrying a start time, in command order, as the RTDS
//! `GCS01a_1.1.1_8F66_*` / `GCS01b_1.2.1_8F66_*` vectors), or cancelling a held one.
//!
//! Attributes written (ZSE Price cluster): standing charge `0x0301`, block threshold multiplier
//! and divisor `0x0202`/`0x0203`, block thresholds `0x0100…`, unit of measure `0x0615`, currency
//! `0x0616`, price trailing digit `0x0617`, and one price per matrix entry: a TOU price (sub-
//! payload control 1) of tier `t` at `0x0400 + 16·t` (tier `t` block 1), a block price (control
//! 0) of id `i` at `0x0400 + i` (no tier, block `i + 1`).
//!
//! A [`DeviceFault::ZclCommand`] naming one of the commands makes it answer HARDWARE_FAILURE,
//! those before it success and those after it `FF` FAILURE (the RTDS ERROR vectors), and
//! nothing changes.

use gbcs::GeneralSigning;
use gbcs::UtcDateTime;
use gbcs::gbz::{CONTROL_LAST, GbzBody, GbzComponent, ZclFrame};
use gbcs::usecases::gas_tariff::{
    GasCalendarUpdate, GasPrices, Issue, PUBLISH_BLOCK_THRESHOLDS, PUBLISH_CALENDAR,
    PUBLISH_DAY_PROFILE, PUBLISH_PRICE_MATRIX, PUBLISH_SEASONS, PUBLISH_SPECIAL_DAYS,
    PUBLISH_TARIFF_INFORMATION, PUBLISH_WEEK_PROFILE,
};
use gbcs::usecases::gcs21f::{CLUSTER_CALENDAR, CLUSTER_PRICE};
use gbcs::usecases::{Activation, GasPriceUpdate, GasTariffUpdate};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{Execution, ZCL_DEFAULT_RESPONSE, ZCL_HARDWARE_FAILURE, gbz};
use crate::future::{FutureAction, PendingAction};
use crate::reads::gas_tariff::{GasCalendar, GasDayProfile, ZclAttribute};
use crate::state::DeviceFault;

/// ZCL status FAILURE (a command not executed after a failure).
const ZCL_FAILURE: u8 = 0x01;
/// The frame control of the GSME's Default Responses (every RTDS GCS01a/GCS01b RESPONSE).
const FC_RESPONSE: u8 = 0x00;
/// The ZCL frame control of the Publish commands.
const FC_PUBLISH: u8 = 0x09;

/// A GSME tariff change, as held until its start time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GasTariffChange {
    /// The new tariff calendar (GCS01a).
    pub calendar: Option<GasCalendar>,
    /// Price cluster attributes written.
    pub attributes: Vec<ZclAttribute>,
    /// The issuer event id.
    pub issuer_event_id: u32,
    /// Currency and trailing digit of the current price.
    pub currency: u16,
    /// Price trailing digit (high nibble).
    pub trailing_digit: u8,
    /// TOU prices by tier (for the current price).
    pub tier_prices: Vec<(u8, u32)>,
    /// The (cluster, command) of each command carrying a start time, in order (one outcome
    /// alert each).
    pub dated: Vec<(u16, u8)>,
}

pub(crate) fn calendar(issue: &Issue, c: &GasCalendarUpdate) -> GasCalendar {
    GasCalendar {
        calendar_type: 0,
        provider_id: 0,
        issuer_event_id: issue.issuer_event_id,
        issuer_calendar_id: c.issuer_calendar_id,
        days: c
            .days
            .iter()
            .map(|d| GasDayProfile {
                id: d.id,
                entries: d.entries.clone(),
            })
            .collect(),
        weeks: c.weeks.iter().map(|w| (w.id, w.days)).collect(),
        seasons: c.seasons.clone(),
        special_days: c.special_days.clone(),
    }
}

fn change(issue: &Issue, cal: Option<&GasCalendarUpdate>, p: &GasPrices) -> GasTariffChange {
    let i = &p.information;
    let a = |id: u16, data_type: u8, value: i64| ZclAttribute {
        id,
        data_type,
        value,
    };
    let mut attributes = vec![
        a(0x0301, 0x23, i64::from(i.standing_charge)),
        a(0x0202, 0x22, i64::from(i.block_threshold_multiplier)),
        a(0x0203, 0x22, i64::from(i.block_threshold_divisor)),
        a(0x0615, 0x30, i64::from(i.unit_of_measure)),
        a(0x0616, 0x21, i64::from(i.currency)),
        a(0x0617, 0x18, i64::from(i.price_trailing_digit)),
    ];
    let mut dated = Vec::new();
    if cal.is_some() {
        dated.push((CLUSTER_CALENDAR, PUBLISH_CALENDAR));
        dated.push((CLUSTER_CALENDAR, PUBLISH_SPECIAL_DAYS));
    }
    dated.push((CLUSTER_PRICE, PUBLISH_TARIFF_INFORMATION));
    if let Some(b) = &p.block_thresholds {
        dated.push((CLUSTER_PRICE, PUBLISH_BLOCK_THRESHOLDS));
        let all: Vec<u64> = b
            .tiers
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        for (n, v) in all.iter().enumerate().take(15) {
            let id = 0x0100 + u16::try_from(n).unwrap_or(0);
            attributes.push(a(id, 0x25, i64::try_from(*v).unwrap_or(i64::MAX)));
        }
    }
    dated.push((CLUSTER_PRICE, PUBLISH_PRICE_MATRIX));
    let tou = p.matrix.sub_payload_control & 1 != 0;
    let mut tier_prices = Vec::new();
    for (id, price) in &p.matrix.prices {
        let attr = if tou {
            tier_prices.push((*id, *price));
            0x0400 + (u16::from(*id) << 4)
        } else {
            0x0400 + u16::from(*id)
        };
        attributes.push(a(attr, 0x23, i64::from(*price)));
    }
    GasTariffChange {
        calendar: cal.map(|c| calendar(issue, c)),
        attributes,
        issuer_event_id: issue.issuer_event_id,
        currency: i.currency,
        trailing_digit: i.price_trailing_digit,
        tier_prices,
        dated,
    }
}

/// What a decoded GCS01a or GCS01b carries.
pub(crate) enum GasTariffCommand<'a> {
    /// GCS01a.
    Tariff(&'a GasTariffUpdate),
    /// GCS01b.
    Prices(&'a GasPriceUpdate),
}

impl GasTariffCommand<'_> {
    fn issue(&self) -> &Issue {
        match self {
            GasTariffCommand::Tariff(t) => &t.issue,
            GasTariffCommand::Prices(p) => &p.issue,
        }
    }

    /// (cluster, command) of each component, in order.
    fn components(&self) -> Vec<(u16, u8)> {
        let mut v = Vec::new();
        let prices = match self {
            GasTariffCommand::Tariff(t) => {
                v.push((CLUSTER_CALENDAR, PUBLISH_CALENDAR));
                v.extend(
                    t.calendar
                        .days
                        .iter()
                        .map(|_| (CLUSTER_CALENDAR, PUBLISH_DAY_PROFILE)),
                );
                v.extend(
                    t.calendar
                        .weeks
                        .iter()
                        .map(|_| (CLUSTER_CALENDAR, PUBLISH_WEEK_PROFILE)),
                );
                v.push((CLUSTER_CALENDAR, PUBLISH_SEASONS));
                v.push((CLUSTER_CALENDAR, PUBLISH_SPECIAL_DAYS));
                &t.prices
            }
            GasTariffCommand::Prices(p) => &p.prices,
        };
        v.push((CLUSTER_PRICE, PUBLISH_TARIFF_INFORMATION));
        if prices.block_thresholds.is_some() {
            v.push((CLUSTER_PRICE, PUBLISH_BLOCK_THRESHOLDS));
        }
        v.push((CLUSTER_PRICE, PUBLISH_PRICE_MATRIX));
        v
    }

    fn change(&self) -> GasTariffChange {
        match self {
            GasTariffCommand::Tariff(t) => change(&t.issue, Some(&t.calendar), &t.prices),
            GasTariffCommand::Prices(p) => change(&p.issue, None, &p.prices),
        }
    }
}

fn response(cluster: u16, seq: u8, payload: [u8; 2], last: bool) -> GbzComponent {
    GbzComponent {
        control: if last { CONTROL_LAST } else { 0 },
        cluster,
        body: GbzBody::Plain {
            from_date_time: None,
            zcl: ZclFrame {
                frame_control: FC_RESPONSE,
                manufacturer_code: None,
                sequence: seq,
                command: ZCL_DEFAULT_RESPONSE,
                payload: payload.to_vec(),
            },
        },
    }
}

impl EmulatedDevice {
    /// Writes a tariff change (an immediate one, or a held one falling due).
    pub(crate) fn apply_gas_tariff(&mut self, c: &GasTariffChange) {
        let t = &mut self.state.reads.gas_tariff;
        if let Some(cal) = &c.calendar {
            t.calendars.retain(|x| x.calendar_type != 0);
            t.calendars.insert(0, cal.clone());
        }
        for a in &c.attributes {
            match t.price_attributes.iter_mut().find(|x| x.id == a.id) {
                Some(x) => *x = a.clone(),
                None => t.price_attributes.push(a.clone()),
            }
        }
        if let Some(p) = &mut t.price {
            p.issuer_event_id = c.issuer_event_id;
            p.currency = c.currency;
            p.trailing_digit_and_tier =
                (c.trailing_digit & 0xF0) | (p.trailing_digit_and_tier & 0x0F);
            let tier = p.trailing_digit_and_tier & 0x0F;
            if let Some((_, price)) = c.tier_prices.iter().find(|(t, _)| *t == tier) {
                p.price = *price;
            }
        }
    }

    /// GCS01a / GCS01b: a Default Response per command; written now, held until the start
    /// time, or a held one of the same use case cancelled. A faulty command: HARDWARE_FAILURE,
    /// those after it FAILURE, nothing changes.
    pub(crate) fn gsme_tariff(
        &mut self,
        apdu: &GeneralSigning,
        cmd: GasTariffCommand<'_>,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let components = cmd.components();
        let n = components.len();
        let failed = components.iter().position(|(cluster, command)| {
            self.state.has_fault(DeviceFault::ZclCommand {
                cluster: *cluster,
                command: *command,
            })
        });
        let answers = components
            .iter()
            .enumerate()
            .map(|(i, (cluster, command))| {
                let payload = match failed {
                    Some(f) if i == f => [*command, ZCL_HARDWARE_FAILURE],
                    Some(f) if i > f => [0xFF, ZCL_FAILURE],
                    _ => [*command, 0],
                };
                let seq = u8::try_from(i).unwrap_or(u8::MAX);
                response(*cluster, seq, payload, i + 1 == n)
            })
            .collect();
        let content = gbz(answers)?;
        let date_time = Some(self.device_time(now).to_cosem().0);
        if failed.is_some() {
            return Some(Execution::Done {
                content,
                date_time,
                success: false,
            });
        }
        let code = apdu.message_code().0;
        let mine = move |a: &PendingAction| {
            matches!(a.action, FutureAction::GasTariff(_)) && a.message_code == code
        };
        match cmd.issue().activation {
            Activation::Cancel => self.state.future_actions.retain(|a| !mine(a)),
            Activation::At(t) if t.to_unix() > self.device_time(now).to_unix() => {
                self.state.future_actions.retain(|a| !mine(a));
                let (cluster, command) = (CLUSTER_PRICE, PUBLISH_PRICE_MATRIX);
                self.state.future_actions.push(PendingAction {
                    at: t.to_unix(),
                    action: FutureAction::GasTariff(Box::new(cmd.change())),
                    originator: apdu.originator,
                    counter: apdu.counter,
                    message_code: code,
                    cluster,
                    frame_control: FC_PUBLISH,
                    command,
                });
            }
            _ => {
                let c = cmd.change();
                self.apply_gas_tariff(&c);
            }
        }
        Some(Execution::Done {
            content,
            date_time,
            success: true,
        })
    }
}
