//! DUIS 2.1 Update Prepay Configuration on the emulated meters (ECS08, ECS08a on the ESME;
//! GCS05 on the GSME): what a command writes ([`PrepayConfigChange`]) goes into the one field
//! of each concept that 4.13 reads and the prepayment behaviour uses ([`crate::prepay`]): on the
//! ESME the objects of [`crate::reads::prepayment`], on the GSME the ZSE Prepayment attributes
//! of [`crate::reads::gas_tariff`].
//!
//! * **Immediate**: applied at once; the prepayment events are worked out again after the
//!   command ([`EmulatedDevice::prepayment_refresh`], as after every command), so a new low
//!   credit threshold moves the next `0x810D`.
//! * **Future-dated**: held ([`crate::future::FutureAction::PrepayConfig`]) and applied at its
//!   time with one `8F66` outcome alert per activation-time object (DLMS) or dated component
//!   (GBZ), [`PrepayConfigChange::outcomes`], in command order; a later update of the same use
//!   case replaces one still held.
//! * **Cancellation**: drops the update of the same use case still held (a success when there
//!   is none).

use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::future::{FutureAction, PendingAction};
use crate::kind::DeviceKind;
use crate::reads::gas_tariff as zse;
use crate::reads::prepayment::ScheduleEntry;
use crate::reads::tariff::SpecialDay;
use crate::state::DeviceState;

/// An outcome alert a held update raises when applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// A DLMS activation-time object: class, OBIS, attribute.
    Dlms(u16, [u8; 6], u8),
    /// A GBZ component: cluster, ZCL frame control, command.
    Gbz(u16, u8, u8),
}

/// What one 2.1 update writes (`None`: left as it is). Amounts in the meter's currency unit
/// (10⁻⁵ GBP).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepayConfigChange {
    /// Low credit threshold.
    pub low_credit_threshold: Option<i64>,
    /// Emergency credit limit.
    pub emergency_credit_limit: Option<i64>,
    /// Emergency credit threshold.
    pub emergency_credit_threshold: Option<i64>,
    /// Maximum meter balance.
    pub max_meter_balance: Option<i64>,
    /// Maximum credit threshold.
    pub max_credit_threshold: Option<i64>,
    /// Debt recovery rate cap: amount and period (seconds; the GSME's overall debt cap has no
    /// period).
    pub debt_recovery_rate_cap: Option<(i64, i64)>,
    /// The non-disablement special days (ESME).
    pub special_days: Option<Vec<SpecialDay>>,
    /// The non-disablement schedule (ESME).
    pub schedule: Option<Vec<ScheduleEntry>>,
    /// The friendly credit (non-disablement) calendar, ZSE calendar type 3 (GSME).
    pub gas_calendar: Option<crate::reads::gas_tariff::GasCalendar>,
    /// The outcome alerts of a held update, in order.
    pub outcomes: Vec<Outcome>,
}

/// Why an update cannot be written (nothing changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange(pub &'static str);

impl PrepayConfigChange {
    /// Checks that every value fits the object or attribute that holds it on a `kind` meter.
    pub fn check(&self, kind: DeviceKind) -> Result<(), OutOfRange> {
        let fits = |v: Option<i64>, name| match (kind, v) {
            (_, None) => Ok(()),
            (DeviceKind::Gsme, Some(v)) if (0..=i64::from(u32::MAX)).contains(&v) => Ok(()),
            (DeviceKind::Esme, Some(v)) if i32::try_from(v).is_ok() => Ok(()),
            _ => Err(OutOfRange(name)),
        };
        fits(self.low_credit_threshold, "low credit threshold")?;
        fits(self.emergency_credit_limit, "emergency credit limit")?;
        fits(
            self.emergency_credit_threshold,
            "emergency credit threshold",
        )?;
        fits(self.max_meter_balance, "maximum meter balance")?;
        fits(self.max_credit_threshold, "maximum credit threshold")?;
        if let Some((amount, period)) = self.debt_recovery_rate_cap {
            let ok = match kind {
                DeviceKind::Esme => u16::try_from(amount).is_ok() && i32::try_from(period).is_ok(),
                _ => i32::try_from(amount).is_ok(),
            };
            if !ok {
                return Err(OutOfRange("debt recovery rate cap"));
            }
        }
        Ok(())
    }
}

impl PrepayConfigChange {
    /// Writes this change into a `kind` meter's `state` (a value that does not fit is left as
    /// it is): the ESME's prepayment objects, the GSME's ZSE attributes and calendar; other
    /// kinds hold none.
    pub fn apply_to(&self, state: &mut DeviceState, kind: DeviceKind) {
        let c = self;
        match kind {
            DeviceKind::Esme => {
                let p = &mut state.reads.prepayment;
                let set = |field: &mut i32, v: Option<i64>| {
                    if let Some(v) = v.and_then(|v| i32::try_from(v).ok()) {
                        *field = v;
                    }
                };
                set(&mut p.low_credit_threshold, c.low_credit_threshold);
                set(&mut p.emergency_credit_limit, c.emergency_credit_limit);
                set(
                    &mut p.emergency_credit_threshold,
                    c.emergency_credit_threshold,
                );
                set(&mut p.max_meter_balance, c.max_meter_balance);
                set(&mut p.max_credit_threshold, c.max_credit_threshold);
                if let Some((amount, period)) = c.debt_recovery_rate_cap
                    && let (Ok(a), Ok(p2)) = (u16::try_from(amount), i32::try_from(period))
                {
                    p.debt_recovery_rate_cap = a;
                    p.debt_recovery_cap_period = p2;
                }
                if let Some(days) = &c.special_days {
                    p.special_days = days.clone();
                }
                if let Some(schedule) = &c.schedule {
                    p.schedule = schedule.clone();
                }
            }
            DeviceKind::Gsme => {
                let g = &mut state.reads.gas_tariff;
                for (id, v) in [
                    (zse::ZSE_LOW_CREDIT_WARNING, c.low_credit_threshold),
                    (zse::ZSE_EMERGENCY_CREDIT_LIMIT, c.emergency_credit_limit),
                    (
                        zse::ZSE_EMERGENCY_CREDIT_THRESHOLD,
                        c.emergency_credit_threshold,
                    ),
                    (zse::ZSE_MAX_CREDIT_LIMIT, c.max_meter_balance),
                    (zse::ZSE_MAX_CREDIT_PER_TOP_UP, c.max_credit_threshold),
                    (
                        zse::ZSE_OVERALL_DEBT_CAP,
                        c.debt_recovery_rate_cap.map(|(a, _)| a),
                    ),
                ] {
                    if let Some(v) = v {
                        g.set_prepayment_value(id, v);
                    }
                }
                if let Some(cal) = &c.gas_calendar {
                    g.calendars.retain(|x| x.calendar_type != cal.calendar_type);
                    g.calendars.push(cal.clone());
                }
            }
            _ => {}
        }
    }
}

impl EmulatedDevice {
    /// Writes `c` (checked with [`PrepayConfigChange::check`]): [`PrepayConfigChange::apply_to`].
    pub fn apply_prepay_config(&mut self, c: &PrepayConfigChange) {
        c.apply_to(&mut self.state, self.identity.kind);
    }

    /// Holds `c` to be applied at `at` (device clock), replacing an update of the same use case
    /// still held; or, `at` `None`, cancels one still held.
    pub fn hold_prepay_config(
        &mut self,
        apdu: &gbcs::GeneralSigning,
        c: Option<(i64, PrepayConfigChange)>,
    ) {
        let code = apdu.message_code().0;
        self.state.future_actions.retain(|a| {
            !(matches!(a.action, FutureAction::PrepayConfig(_)) && a.message_code == code)
        });
        if let Some((at, change)) = c {
            self.state.future_actions.push(PendingAction {
                at,
                action: FutureAction::PrepayConfig(Box::new(change)),
                originator: apdu.originator,
                counter: apdu.counter,
                message_code: code,
                cluster: 0,
                frame_control: 0,
                command: 0,
            });
        }
    }
}

/// The device's form of an ECS08/ECS08a configuration: every value written, and one outcome
/// alert per activation-time object (class 9000 attribute 6), in the order of the SETs.
pub fn esme_change(
    variant: gbcs::usecases::ecs08::Variant,
    c: &gbcs::usecases::ecs08::EsmePrepayConfig,
) -> PrepayConfigChange {
    let bits = |v: &[bool]| {
        v.iter()
            .take(8)
            .enumerate()
            .fold(0u8, |b, (i, on)| if *on { b | (0x80 >> i) } else { b })
    };
    let schedule = c
        .schedule
        .iter()
        .enumerate()
        .map(|(i, e)| ScheduleEntry {
            index: u16::try_from(i + 1).unwrap_or(u16::MAX),
            enabled: true,
            script: gbcs::usecases::ecs08::OBIS_SCRIPT_TABLE,
            selector: if e.start {
                gbcs::usecases::ecs08::SCRIPT_START
            } else {
                gbcs::usecases::ecs08::SCRIPT_STOP
            },
            switch_time: e.switch_time,
            validity_window: 0xFFFF,
            weekdays: bits(&e.days_of_week),
            special_days: bits(&e.special_days),
            begin: e.begin,
            end: e.end,
        })
        .collect();
    let outcomes = gbcs::usecases::ecs08::specs(variant)
        .iter()
        .filter_map(|s| match s {
            gbcs::dlms::RequestSpec::Set(o) if o.class_id == 9000 && o.index == 6 => {
                Some(Outcome::Dlms(o.class_id, o.instance, o.index))
            }
            _ => None,
        })
        .collect();
    PrepayConfigChange {
        low_credit_threshold: Some(i64::from(c.low_credit_threshold)),
        emergency_credit_limit: Some(i64::from(c.emergency_credit_limit)),
        emergency_credit_threshold: Some(i64::from(c.emergency_credit_threshold)),
        max_meter_balance: Some(i64::from(c.max_meter_balance)),
        max_credit_threshold: Some(i64::from(c.max_credit_threshold)),
        debt_recovery_rate_cap: Some((
            i64::from(c.debt_recovery_rate_cap),
            i64::from(c.debt_recovery_rate_cap_period),
        )),
        special_days: Some(
            c.special_days
                .iter()
                .map(|s| SpecialDay {
                    index: s.index,
                    date: s.date,
                    day_id: s.day_id,
                })
                .collect(),
        ),
        schedule: Some(schedule),
        gas_calendar: None,
        outcomes,
    }
}

/// The ZSE calendar type of the friendly credit calendar.
const FRIENDLY_CREDIT_CALENDAR: u8 = 3;
/// The ZCL frame control of GCS05's Prepayment commands.
const FC_PREPAYMENT_COMMAND: u8 = 0x01;
/// The ZCL frame control of the Publish commands.
const FC_PUBLISH: u8 = 0x09;

/// GCS05's components, (cluster, command), in order.
fn gcs05_components(c: &gbcs::usecases::gcs05::GasPrepayConfig) -> Vec<(u16, u8)> {
    use gbcs::usecases::gas_tariff::{
        PUBLISH_CALENDAR, PUBLISH_DAY_PROFILE, PUBLISH_SEASONS, PUBLISH_SPECIAL_DAYS,
        PUBLISH_WEEK_PROFILE,
    };
    use gbcs::usecases::gcs05 as g;
    use gbcs::usecases::gcs21f::CLUSTER_CALENDAR;
    use gbcs::usecases::reads_inst_common::CLUSTER_PREPAYMENT;
    let mut v = vec![
        (CLUSTER_PREPAYMENT, g::EMERGENCY_CREDIT_SETUP),
        (CLUSTER_PREPAYMENT, g::SET_OVERALL_DEBT_CAP),
        (CLUSTER_PREPAYMENT, g::SET_LOW_CREDIT_WARNING_LEVEL),
        (CLUSTER_PREPAYMENT, g::SET_MAXIMUM_CREDIT_LIMIT),
        (CLUSTER_CALENDAR, PUBLISH_CALENDAR),
    ];
    v.extend(
        c.calendar
            .days
            .iter()
            .map(|_| (CLUSTER_CALENDAR, PUBLISH_DAY_PROFILE)),
    );
    v.extend(
        c.calendar
            .weeks
            .iter()
            .map(|_| (CLUSTER_CALENDAR, PUBLISH_WEEK_PROFILE)),
    );
    v.push((CLUSTER_CALENDAR, PUBLISH_SEASONS));
    v.push((CLUSTER_CALENDAR, PUBLISH_SPECIAL_DAYS));
    v
}

/// The device's form of a GCS05 configuration: every value written into its ZSE attribute, the
/// friendly credit calendar, and one outcome alert per Prepayment command and per Publish
/// Calendar / Publish Special Days (the RTDS GCS05 8F66 vectors).
pub fn gsme_change(c: &gbcs::usecases::gcs05::GasPrepayConfig) -> PrepayConfigChange {
    use gbcs::usecases::gas_tariff::{PUBLISH_CALENDAR, PUBLISH_SPECIAL_DAYS};
    use gbcs::usecases::gcs21f::CLUSTER_CALENDAR;
    let mut cal = crate::gas_tariff_update::calendar(&c.issue, &c.calendar);
    cal.calendar_type = FRIENDLY_CREDIT_CALENDAR;
    let outcomes = gcs05_components(c)
        .into_iter()
        .filter_map(|(cluster, command)| {
            if cluster != CLUSTER_CALENDAR {
                Some(Outcome::Gbz(cluster, FC_PREPAYMENT_COMMAND, command))
            } else if command == PUBLISH_CALENDAR || command == PUBLISH_SPECIAL_DAYS {
                Some(Outcome::Gbz(cluster, FC_PUBLISH, command))
            } else {
                None
            }
        })
        .collect();
    PrepayConfigChange {
        low_credit_threshold: Some(i64::from(c.low_credit_threshold)),
        emergency_credit_limit: Some(i64::from(c.emergency_credit_limit)),
        emergency_credit_threshold: Some(i64::from(c.emergency_credit_threshold)),
        max_meter_balance: Some(i64::from(c.max_meter_balance)),
        max_credit_threshold: Some(i64::from(c.max_credit_threshold)),
        debt_recovery_rate_cap: Some((i64::from(c.debt_recovery_rate_cap), 0)),
        special_days: None,
        schedule: None,
        gas_calendar: Some(cal),
        outcomes,
    }
}

impl EmulatedDevice {
    /// ECS08, ECS08a: the eighteen SETs in order; a faulty object
    /// ([`crate::state::DeviceFault::DlmsObject`]) or a value the meter cannot hold answers
    /// hardware-fault there and other-reason after it (the RTDS ERROR shape), and nothing
    /// changes. Otherwise applied at once, held until its activation time, or (all-`FF`
    /// activation) the held update of the same use case cancelled.
    pub(crate) fn ecs08(
        &mut self,
        apdu: &gbcs::GeneralSigning,
        variant: gbcs::usecases::ecs08::Variant,
        c: &gbcs::usecases::ecs08::EsmePrepayConfig,
        now: gbcs::UtcDateTime,
    ) -> Option<crate::exec::Execution> {
        use crate::exec::{DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, dlms_response};
        use gbcs::usecases::Activation;
        let specs = gbcs::usecases::ecs08::specs(variant);
        let change = esme_change(variant, c);
        let failed = specs
            .iter()
            .position(|s| {
                let gbcs::dlms::RequestSpec::Set(o) = s else {
                    return false;
                };
                self.state.has_fault(crate::state::DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                })
            })
            .or_else(|| {
                // A value the meter cannot hold: refused at the first object (nothing written).
                (c.activation != Activation::Cancel && change.check(DeviceKind::Esme).is_err())
                    .then_some(0)
            });
        let results = (0..specs.len())
            .map(|i| {
                gbcs::dlms::ResponseSpec::Set(match failed {
                    Some(f) if i == f => DLMS_FAILURE,
                    Some(f) if i > f => DLMS_NOT_EXECUTED,
                    _ => DLMS_SUCCESS,
                })
            })
            .collect();
        if failed.is_none() {
            let device_now = self.device_time(now).to_unix();
            match c.activation {
                Activation::Cancel => self.hold_prepay_config(apdu, None),
                Activation::At(at) if at.to_unix() > device_now => {
                    self.hold_prepay_config(apdu, Some((at.to_unix(), change)));
                }
                _ => self.apply_prepay_config(&change),
            }
        }
        Some(crate::exec::Execution::Done {
            content: dlms_response(
                apdu.counter,
                vec![gbcs::axdr::Data::Null; specs.len()],
                results,
            ),
            date_time: Some(self.device_time(now).to_cosem().0),
            success: failed.is_none(),
        })
    }
}

impl EmulatedDevice {
    /// GCS05: a Default Response per command; written now, held until its time (one 8F66 per
    /// Prepayment command, Publish Calendar and Publish Special Days), or a held one cancelled.
    /// A faulty command ([`crate::state::DeviceFault::ZclCommand`]): HARDWARE_FAILURE there,
    /// FAILURE after it, and nothing changes.
    pub(crate) fn gcs05(
        &mut self,
        apdu: &gbcs::GeneralSigning,
        c: &gbcs::usecases::gcs05::GasPrepayConfig,
        now: gbcs::UtcDateTime,
    ) -> Option<crate::exec::Execution> {
        use gbcs::usecases::Activation;
        let components = gcs05_components(c);
        let n = components.len();
        let failed = components.iter().position(|(cluster, command)| {
            self.state.has_fault(crate::state::DeviceFault::ZclCommand {
                cluster: *cluster,
                command: *command,
            })
        });
        let answers = components
            .iter()
            .enumerate()
            .map(|(i, (cluster, command))| {
                let payload = match failed {
                    Some(f) if i == f => vec![*command, crate::exec::ZCL_HARDWARE_FAILURE],
                    Some(f) if i > f => vec![0xFF, 0x01],
                    _ => vec![*command, 0],
                };
                let mut comp = crate::exec::plain_component(
                    *cluster,
                    u8::try_from(i).unwrap_or(u8::MAX),
                    crate::exec::ZCL_DEFAULT_RESPONSE,
                    payload,
                    i + 1 == n,
                );
                // The RTDS GCS05 RESPONSE: 08 on the Prepayment cluster's, 00 on the Calendar's.
                if let gbcs::gbz::GbzBody::Plain { zcl, .. } = &mut comp.body {
                    zcl.frame_control = if *cluster == gbcs::usecases::gcs21f::CLUSTER_CALENDAR {
                        0x00
                    } else {
                        0x08
                    };
                }
                comp
            })
            .collect();
        let content = crate::exec::gbz(answers)?;
        if failed.is_none() {
            let change = gsme_change(c);
            match c.issue.activation {
                Activation::Cancel => self.hold_prepay_config(apdu, None),
                Activation::At(at) if at.to_unix() > self.device_time(now).to_unix() => {
                    self.hold_prepay_config(apdu, Some((at.to_unix(), change)));
                }
                _ => self.apply_prepay_config(&change),
            }
        }
        Some(crate::exec::Execution::Done {
            content,
            date_time: Some(self.device_time(now).to_cosem().0),
            success: failed.is_none(),
        })
    }
}
