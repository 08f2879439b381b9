//! The ESME runs its auxiliary load calendar: the special days table and schedule 6.14.2 ECS46c
//! or 6.14.3 ECS46d wrote (`crate::config::limits`, COSEM arrays as encoded). Each enabled
//! schedule entry fires at its switch time (UTC) on the days it applies to: between its begin
//! and end dates (wildcards open), on a special day (a table entry whose date matches) if the
//! entry's special days mask names that day's id, otherwise on the days its weekday mask
//! (Monday first) names. What fires is the script selector's action: an ECS46d
//! [`ControllerAction`] (a controller's output or an APC's input at a level), or an ECS46c
//! switch activation (`n × 256 + 1`, level 100) or deactivation (`+ 2`, level 0). A controller's
//! calendar level at an instant is that of the latest firing for it at or before then; none in
//! the last [`LOOKBACK_DAYS`] days: no calendar level. ECS47 overrides and ECS47a commanded
//! levels in force take precedence (`crate::exec`'s reads).

use gbcs::UtcDateTime;
use gbcs::axdr::Data;
use gbcs::usecases::ControllerAction;

const DAY: i64 = 86_400;
/// How far back the calendar is searched for a controller's latest firing.
pub const LOOKBACK_DAYS: i64 = 400;

/// A controller's levels by its calendar: output and (an APC's) input, percent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CalendarLevels {
    /// The output level of the latest firing for the controller's output.
    pub output: Option<u8>,
    /// The input level of the latest firing for an APC's input from the controlled load.
    pub input: Option<u8>,
}

struct Entry {
    action: ControllerAction,
    seconds: i64,
    weekdays: u8,
    special_days: Vec<u8>,
    begin: [u8; 5],
    end: [u8; 5],
}

fn action(selector: u16) -> Option<ControllerAction> {
    ControllerAction::of_selector(selector).or_else(|| {
        let [n, a] = selector.to_be_bytes();
        let level = match a {
            1 => 100,
            2 => 0,
            _ => return None,
        };
        (1..=5).contains(&n).then_some(ControllerAction {
            controller: n,
            level,
            input_from_controlled_load: false,
        })
    })
}

fn array(encoded: &[u8]) -> Vec<Data> {
    match Data::decode(encoded) {
        Ok(Data::Array(v)) => v,
        _ => Vec::new(),
    }
}

fn date5(d: &Data) -> Option<[u8; 5]> {
    match d {
        Data::OctetString(o) => o.as_slice().try_into().ok(),
        _ => None,
    }
}

fn entry(d: &Data) -> Option<Entry> {
    let Data::Structure(f) = d else { return None };
    let [
        _,
        enabled,
        _,
        Data::LongUnsigned(sel),
        Data::OctetString(t),
        _,
        wd,
        sd,
        b,
        e,
    ] = &f[..]
    else {
        return None;
    };
    if matches!(enabled, Data::Boolean(0)) {
        return None;
    }
    let [h, m, s, _] = <[u8; 4]>::try_from(t.as_slice()).ok()?;
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let bits = |d: &Data| match d {
        Data::BitString { bytes, .. } => bytes.clone(),
        _ => Vec::new(),
    };
    Some(Entry {
        action: action(*sel)?,
        seconds: i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s),
        weekdays: bits(wd).first().copied().unwrap_or(0),
        special_days: bits(sd),
        begin: date5(b)?,
        end: date5(e)?,
    })
}

fn year(d: &[u8; 5]) -> u16 {
    u16::from_be_bytes([d[0], d[1]])
}

/// (year, month, day) of a begin (`first`) or end date, its wildcards filled for year `y`.
fn bound(d: &[u8; 5], y: u16, first: bool) -> (u16, u8, u8) {
    let yy = if year(d) == 0xFFFF { y } else { year(d) };
    let m = if d[2] > 12 {
        if first { 1 } else { 12 }
    } else {
        d[2]
    };
    let dd = if d[3] > 31 {
        if first { 1 } else { 31 }
    } else {
        d[3]
    };
    (yy, m, dd)
}

/// The controller `n`'s calendar levels at `device_now` (device clock, unix seconds).
pub fn levels(special_days: &[u8], schedule: &[u8], n: u8, device_now: i64) -> CalendarLevels {
    let entries: Vec<Entry> = array(schedule)
        .iter()
        .filter_map(entry)
        .filter(|e| e.action.controller == n)
        .collect();
    let specials: Vec<([u8; 5], u8)> = array(special_days)
        .iter()
        .filter_map(|d| match d {
            Data::Structure(f) => match &f[..] {
                [_, date, Data::Unsigned(id)] => Some((date5(date)?, *id)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut out = CalendarLevels::default();
    if entries.is_empty() {
        return out;
    }
    let today = device_now.div_euclid(DAY);
    for day in (today - LOOKBACK_DAYS..=today).rev() {
        let Some(date) = UtcDateTime::from_unix(day.saturating_mul(DAY)) else {
            continue;
        };
        let b = date.to_cosem().0;
        let (y, mo, d) = (u16::from_be_bytes([b[0], b[1]]), b[2], b[3]);
        let special = specials.iter().find(|(sd, _)| {
            (year(sd) == 0xFFFF || year(sd) == y)
                && (sd[2] == 0xFF || sd[2] == mo)
                && (sd[3] == 0xFF || sd[3] == d)
        });
        // 1970-01-01 was a Thursday: Monday is 0.
        let weekday = (day + 3).rem_euclid(7);
        let mut latest: [Option<(i64, u8)>; 2] = [None, None];
        for e in &entries {
            let applies = match special {
                Some((_, id)) => id.checked_sub(1).is_some_and(|i| {
                    e.special_days
                        .get(usize::from(i / 8))
                        .is_some_and(|byte| byte & (0x80 >> (i % 8)) != 0)
                }),
                None => e.weekdays & (0x80 >> weekday) != 0,
            };
            let at = day * DAY + e.seconds;
            if !applies
                || at > device_now
                || bound(&e.begin, y, true) > (y, mo, d)
                || (y, mo, d) > bound(&e.end, y, false)
            {
                continue;
            }
            let slot = &mut latest[usize::from(e.action.input_from_controlled_load)];
            if slot.is_none_or(|(t, _)| at >= t) {
                *slot = Some((at, e.action.level));
            }
        }
        let [o, i] = latest;
        out.output = out.output.or(o.map(|(_, l)| l));
        out.input = out.input.or(i.map(|(_, l)| l));
        if out.output.is_some() && out.input.is_some() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(sel: u16, h: u8, weekdays: u8, specdays: u8) -> Data {
        Data::Structure(vec![
            Data::LongUnsigned(1),
            Data::Boolean(0xFF),
            Data::OctetString(vec![0, 0, 10, 0, 103, 0xFF]),
            Data::LongUnsigned(sel),
            Data::OctetString(vec![h, 0, 0, 0]),
            Data::LongUnsigned(0xFFFF),
            Data::BitString {
                bits: 7,
                bytes: vec![weekdays],
            },
            Data::BitString {
                bits: 1,
                bytes: vec![specdays],
            },
            Data::OctetString(vec![0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            Data::OctetString(vec![0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ])
    }

    #[test]
    fn the_latest_firing_for_the_controller_holds() {
        // Every weekday: controller 2 at 50 % from 09:00, 0 % from 17:00; special day 25 Dec
        // (id 1): full at 09:00 only.
        let schedule = Data::Array(vec![
            sched(0x12B2, 9, 0xF8, 0),
            sched(0x1280, 17, 0xF8, 0),
            sched(0x12E4, 9, 0, 0x80),
            sched(0x2264, 9, 0xF8, 0),
        ])
        .encode();
        let specials = Data::Array(vec![Data::Structure(vec![
            Data::LongUnsigned(1),
            Data::OctetString(vec![0xFF, 0xFF, 12, 25, 0xFF]),
            Data::Unsigned(1),
        ])])
        .encode();
        // Monday 2030-04-01.
        let t = |d: u8, h: u8| UtcDateTime::new(2030, 4, d, h, 0, 0).unwrap().to_unix();
        let at = |t: i64| levels(&specials, &schedule, 2, t);
        assert_eq!(at(t(1, 10)).output, Some(50));
        assert_eq!(at(t(1, 18)).output, Some(0));
        // Saturday morning: Friday 17:00's off still holds.
        assert_eq!(at(t(6, 10)).output, Some(0));
        // The APC's input: 0x64 − 0x80 is no level; that entry is ignored.
        assert_eq!(at(t(1, 10)).input, None);
        // Another controller: nothing.
        assert_eq!(
            levels(&specials, &schedule, 1, t(1, 10)),
            CalendarLevels::default()
        );
        // Christmas Day 2030 (a Wednesday) is special: the weekday entries do not fire.
        let xmas = UtcDateTime::new(2030, 12, 25, 10, 0, 0).unwrap().to_unix();
        assert_eq!(at(xmas).output, Some(100));
        // An ECS46c activation names level 100.
        let s46c = Data::Array(vec![sched(0x0201, 9, 0xFE, 0)]).encode();
        assert_eq!(levels(&[], &s46c, 2, t(1, 10)).output, Some(100));
    }
}
