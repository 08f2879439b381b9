//! ECS26a read ESME prepayment configuration → `ReadPrepaymentConfigurationRsp`, from the GET
//! list's values by their COSEM meaning (DLMS Blue Book classes 111 account, 112 credit, 113
//! charge, 21 register monitor):
//!
//! | element | value (request index: object) |
//! |---|---|
//! | `DebtRecoveryPerPayment` | 7: `113, 0-0:19.20.3.255, 13` (proportion, the payment-based debt charge) |
//! | `DebtRecoveryRateCap` | 12: `111, 0-0:19.0.0.255, 18` (maximum provision; its period, attribute 19, has no element) |
//! | `DisablementThreshold` | 9: `21, 0-0:16.0.1.255, 2` (the monitor's first threshold) |
//! | `EmergencyCreditLimit` | 14: `112, 0-0:19.10.1.255, 9` (the emergency credit's preset amount) |
//! | `EmergencyCreditThreshold` | 15: `112, 0-0:19.10.1.255, 10` (credit available threshold) |
//! | `LowCreditThreshold` | 11: `111, 0-0:19.0.0.255, 16` |
//! | `CreditMaxCreditThreshold` | 8: `9000, 0-0:94.44.2.10, 2` |
//! | `MaxCreditMaxMeterBalance` | 10: `9000, 0-0:94.44.2.20, 2` |
//! | `Electricity/DebtRecovery1`, `2` | 0, 2 / 4, 5: `113, 0-0:19.20.1.255 / .2.255, 5` (unit charge: price scale and the charge) and `8` (period: 3600 s `HOURLY`, 86400 s `DAILY`) |
//!
//! | `Electricity/NonDisablementCalendar` | 1: `11, 0-0:11.0.2.255, 2` (special days) and 16: `10, 0-0:12.0.1.255, 2` (the schedule: script selector 32 `START`, 33 `STOP`; the days of the week and special days it applies on; switch time; begin and end dates) |
//!
//! Amounts are in the meter's currency unit, as read. Not rendered (all optional in the schema):
//! the suspend-debt flags (in the credit and charge configuration) and the payment mode (not read
//! by ECS26a).

use gbcs::axdr::Data;
use gbcs::usecases::{ResponseValue, ecs26a};

use super::reads::{UnitCharge, cosem_time, integer, nothing};
use super::tariff_common::date_with;
use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &ecs26a::SPEC,
    service_reference: "4.13",
    service_reference_variant: "4.13",
    element: "ReadPrepaymentConfigurationRsp",
    by_variant: &[],
    render,
    failure: Some(nothing),
};

fn render(_: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let ResponseValue::DlmsValues(values) = v else {
        return Err(MappingError::unexpected(v));
    };
    if values.len() != ecs26a::ITEMS.len() {
        return Err(MappingError(format!(
            "{} values, ECS26a reads {}",
            values.len(),
            ecs26a::ITEMS.len()
        )));
    }
    let int = |i: usize| -> Result<i128, MappingError> {
        let d = &values[i];
        integer(d).ok_or_else(|| MappingError(format!("value {i} {d:?} is not an integer")))
    };
    let disablement = match &values[9] {
        Data::Array(t) => t
            .first()
            .map(|d| integer(d).ok_or_else(|| MappingError(format!("threshold {d:?}"))))
            .transpose()?,
        d => return Err(MappingError(format!("thresholds {d:?}"))),
    };
    let mut x = Xml::new();
    x.leaf("DebtRecoveryPerPayment", &int(7)?.to_string());
    x.leaf("DebtRecoveryRateCap", &int(12)?.to_string());
    if let Some(d) = disablement {
        x.leaf("DisablementThreshold", &d.to_string());
    }
    x.leaf("EmergencyCreditLimit", &int(14)?.to_string());
    x.leaf("EmergencyCreditThreshold", &int(15)?.to_string());
    x.leaf("LowCreditThreshold", &int(11)?.to_string());
    x.leaf("CreditMaxCreditThreshold", &int(8)?.to_string());
    x.leaf("MaxCreditMaxMeterBalance", &int(10)?.to_string());
    x.open("Electricity", &[]);
    non_disablement(&mut x, &values[1], &values[16])?;
    for (name, charge, period) in [("DebtRecovery1", 0, 2), ("DebtRecovery2", 4, 5)] {
        let charge = UnitCharge::of(&values[charge])?;
        let rate = charge
            .table
            .first()
            .map(|(_, c)| *c)
            .ok_or_else(|| MappingError("an empty unit charge".into()))?;
        let scale = charge.price_scale;
        x.open(name, &[]);
        x.leaf("DebtRecoveryRate", &rate.to_string());
        x.leaf("DebtRecoveryRatePriceScale", &scale.to_string());
        if let Some(p) = period_name(int(period)?) {
            x.leaf("DebtRecoveryRatePeriod", p);
        }
        x.close(name);
    }
    x.close("Electricity");
    Ok(Rendering::Children(x))
}

/// A debt recovery period in seconds as the schema names it.
fn period_name(secs: i128) -> Option<&'static str> {
    match secs {
        3600 => Some("HOURLY"),
        86_400 => Some("DAILY"),
        _ => None,
    }
}

/// The non-disablement calendar: special days and the schedule.
fn non_disablement(x: &mut Xml, special_days: &Data, schedule: &Data) -> Result<(), MappingError> {
    let (Data::Array(days), Data::Array(entries)) = (special_days, schedule) else {
        return Err(MappingError(
            "the non-disablement calendar is not two arrays".into(),
        ));
    };
    if days.len() > 20 || entries.len() > 22 {
        return Err(MappingError(format!(
            "{} special days and {} schedule entries, the schema holds 20 and 22",
            days.len(),
            entries.len()
        )));
    }
    x.open("NonDisablementCalendar", &[]);
    x.open("ElectricitySpecialDays", &[]);
    for (i, d) in days.iter().enumerate() {
        let Data::Structure(f) = d else {
            return Err(MappingError(format!("special day {d:?}")));
        };
        let Some(Data::OctetString(date)) = f.get(1) else {
            return Err(MappingError(format!("special day {d:?}")));
        };
        date_with(x, "SpecialDay", &[("index", &(i + 1).to_string())], date)?;
    }
    x.close("ElectricitySpecialDays");
    for e in entries {
        let Data::Structure(f) = e else {
            return Err(MappingError(format!("schedule entry {e:?}")));
        };
        let [
            _,
            _,
            _,
            selector,
            Data::OctetString(time),
            _,
            Data::BitString {
                bits: wd_bits,
                bytes: weekdays,
            },
            Data::BitString {
                bits: sd_bits,
                bytes: specdays,
            },
            Data::OctetString(begin),
            Data::OctetString(end),
        ] = &f[..]
        else {
            return Err(MappingError(format!("schedule entry {e:?}")));
        };
        x.open("ElectricityNonDisablementSchedule", &[]);
        match integer(selector) {
            Some(32) => x.leaf("NonDisablementScript", "START"),
            Some(33) => x.leaf("NonDisablementScript", "STOP"),
            _ => return Err(MappingError(format!("non-disablement script {selector:?}"))),
        }
        x.open("SpecialDaysApplicability", &[]);
        for i in set_bits(*sd_bits, specdays).filter(|i| *i < 20) {
            x.open("SpecialDayApplicability", &[]);
            x.leaf("SpecialDayID", &(i + 1).to_string());
            x.close("SpecialDayApplicability");
        }
        x.close("SpecialDaysApplicability");
        x.open("DaysOfWeekApplicability", &[]);
        for i in set_bits(*wd_bits, weekdays).filter(|i| *i < 7) {
            x.open("DayOfWeekApplicability", &[]);
            x.leaf("DayOfWeekID", WEEKDAYS[i]);
            x.close("DayOfWeekApplicability");
        }
        x.close("DaysOfWeekApplicability");
        x.open("ScheduleDatesAndTime", &[]);
        if let Some(t) = cosem_time(time) {
            x.leaf("SwitchTime", &t);
        }
        for (name, d) in [("StartDate", begin), ("EndDate", end)] {
            if let Some(d) = xs_date(d) {
                x.leaf(name, &d);
            }
        }
        x.close("ScheduleDatesAndTime");
        x.close("ElectricityNonDisablementSchedule");
    }
    x.close("NonDisablementCalendar");
    Ok(())
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The indexes of the set bits of a DLMS bit string (first bit: the most significant of the
/// first byte).
fn set_bits(bits: usize, bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    (0..bits).filter(move |i| bytes.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0))
}

/// A COSEM date (5 bytes) without wildcards as `xs:date`.
fn xs_date(b: &[u8]) -> Option<String> {
    let [yh, yl, m, d, _] = *b else {
        return None;
    };
    let y = u16::from_be_bytes([yh, yl]);
    gbcs::UtcDateTime::new(y, m, d, 0, 0, 0).map(|_| format!("{y:04}-{m:02}-{d:02}"))
}
