//! Half-hourly profiles: ESME active import (ECS22b, protected), reactive import (ECS22c),
//! active and reactive export (ECS22a); GSME consumption (GCS17).
//!
//! An entry is captured at each half-hour boundary `T` (UTC, true time) and holds what the
//! channel measured over the half-hour ending there: `register(T) − register(T − 30 min)` from
//! the metering model ([`crate::Metering::consumed`]), so supply off and the load shape show in
//! it, and a passed half-hour never changes. The log holds the entries captured after the device
//! was installed, up to now, within its capacity:
//!
//! | profile | capacity (GBCS) |
//! |---|---|
//! | ESME active import, GSME consumption | 13 months ([`LONG_CAPACITY_SECS`], 396 days) |
//! | ESME reactive import, export | 3 months ([`SHORT_CAPACITY_SECS`], 92 days) |
//!
//! A DLMS range read returns exactly the entries whose capture time lies in `[from, to]` (both
//! inclusive, as the RTDS: a day from 09:00 to 09:00 is 49 entries), as a compact array of
//! (UTC time, value…) double-long-unsigned columns; a period holding none answers an empty
//! compact array (success). GCS17 (Get Sampled Data) returns up to the number of samples asked
//! for from the first capture at or after the earliest sample time, or a Default Response
//! NOT_FOUND (`0x8B`) when the log holds none there.
//!
//! Not modelled: capture times follow true time (a device clock offset does not shift them),
//! and a twin element ESME's second element (the RTDS TWIN answer's third column): the emulated
//! ESME has one element.

use gbcs::UtcDateTime;
use gbcs::axdr::{Data, TypeDescription};
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::usecases::{ReadPeriod, ecs22a, ecs22b, ecs22c, protection_parameters};

use crate::device::{Accepted, EmulatedDevice};
use crate::exec::{DLMS_FAILURE, DLMS_SUCCESS, Execution, dlms_response};
use crate::metering::Channel;

/// Seconds in a half-hour.
pub const HALF_HOUR: i64 = 1800;
/// Capacity of the active import and gas consumption profiles: 13 months.
pub const LONG_CAPACITY_SECS: i64 = 396 * 86_400;
/// Capacity of the reactive import and export profiles: 3 months.
pub const SHORT_CAPACITY_SECS: i64 = 92 * 86_400;

/// A half-hourly profile: its channels (columns after the time) and capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// The value columns.
    pub channels: &'static [Channel],
    /// How far back the log reaches, seconds.
    pub capacity_secs: i64,
}

/// ESME active import (ECS22b).
pub const ACTIVE_IMPORT: Profile = Profile {
    channels: &[Channel::ActiveImport],
    capacity_secs: LONG_CAPACITY_SECS,
};
/// ESME reactive import (ECS22c).
pub const REACTIVE_IMPORT: Profile = Profile {
    channels: &[Channel::ReactiveImport],
    capacity_secs: SHORT_CAPACITY_SECS,
};
/// ESME export, active and reactive (ECS22a).
pub const EXPORT: Profile = Profile {
    channels: &[Channel::ActiveExport, Channel::ReactiveExport],
    capacity_secs: SHORT_CAPACITY_SECS,
};
/// GSME consumption (GCS17).
pub const GAS: Profile = Profile {
    channels: &[Channel::GasVolume],
    capacity_secs: LONG_CAPACITY_SECS,
};

/// The profile a DLMS buffer object is.
pub fn profile_of(o: &CosemDescriptor) -> Option<Profile> {
    if *o == ecs22b::ACTIVE_IMPORT_PROFILE {
        Some(ACTIVE_IMPORT)
    } else if *o == ecs22c::ITEMS[0].object() {
        Some(REACTIVE_IMPORT)
    } else if *o == ecs22a::ITEMS[0].object() {
        Some(EXPORT)
    } else {
        None
    }
}

impl EmulatedDevice {
    /// The capture times (unix) of `profile` in `[from, to]` that the log holds at `now`.
    pub fn profile_times(&self, profile: Profile, from: i64, to: i64, now: i64) -> Vec<i64> {
        let oldest = (self.state.metering.installed_at + 1)
            .max(now - profile.capacity_secs + 1)
            .max(from);
        let newest = now.min(to);
        if newest < oldest {
            return Vec::new();
        }
        let first = oldest.div_euclid(HALF_HOUR) * HALF_HOUR;
        let first = if first < oldest {
            first + HALF_HOUR
        } else {
            first
        };
        (0..)
            .map(|k| first + k * HALF_HOUR)
            .take_while(|t| *t <= newest)
            .collect()
    }

    /// What `ch` measured over the half-hour ending at `t`.
    pub fn half_hour(&self, ch: Channel, t: i64) -> u64 {
        self.state.metering.consumed(ch, t - HALF_HOUR, t)
    }

    /// The entries of `profile` in `period` at `now`: (capture time, values).
    pub fn profile_entries(
        &self,
        profile: Profile,
        period: ReadPeriod,
        now: i64,
    ) -> Vec<(i64, Vec<u64>)> {
        self.profile_times(profile, period.start.to_unix(), period.end.to_unix(), now)
            .into_iter()
            .map(|t| {
                let v = profile
                    .channels
                    .iter()
                    .map(|c| self.half_hour(*c, t))
                    .collect();
                (t, v)
            })
            .collect()
    }
}

/// Profile entries as the DLMS buffer: a compact array of (UTC time, values…), all
/// double-long-unsigned (times in ZigBee UTC seconds, as the range's; values roll over at 2³²).
pub fn compact(columns: usize, entries: &[(i64, Vec<u64>)]) -> Data {
    let mut contents = Vec::with_capacity(entries.len() * 4 * (columns + 1));
    for (t, values) in entries {
        let z = UtcDateTime::from_unix(*t)
            .and_then(|u| u.to_zigbee_utc())
            .unwrap_or(0);
        contents.extend_from_slice(&z.to_be_bytes());
        for v in values {
            contents.extend_from_slice(&((v & 0xFFFF_FFFF) as u32).to_be_bytes());
        }
    }
    Data::CompactArray {
        description: TypeDescription::Structure(vec![TypeDescription::Simple(6); columns + 1]),
        contents,
    }
}

/// The buffer of an ESME profile object over `period` at `now` (ECS22a, ECS22c), if `o` is one.
pub(crate) fn buffer(
    d: &EmulatedDevice,
    o: &CosemDescriptor,
    period: ReadPeriod,
    now: i64,
) -> Option<Data> {
    if d.identity.kind != crate::DeviceKind::Esme {
        return None;
    }
    let profile = profile_of(o)?;
    Some(compact(
        profile.channels.len(),
        &d.profile_entries(profile, period, now),
    ))
}

impl EmulatedDevice {
    /// ECS22b: the active import profile over the period, encrypted to the requester; a faulty
    /// profile answers the `Action` with hardware-fault.
    pub(crate) fn ecs22b(
        &self,
        cmd: &Accepted<'_>,
        period: ReadPeriod,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let apdu = cmd.apdu;
        let faulty = self
            .state
            .has_fault(super::object_fault(&ecs22b::ACTIVE_IMPORT_PROFILE));
        let block = (!faulty)
            .then(|| {
                let entries = self.profile_entries(ACTIVE_IMPORT, period, now.to_unix());
                Data::Structure(vec![compact(1, &entries)]).encode()
            })
            .and_then(|plain| self.encrypt_for(cmd, &plain));
        let Some(block) = block else {
            return Some(Execution::Done {
                content: dlms_response(
                    apdu.counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Action(DLMS_FAILURE)],
                ),
                date_time: None,
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
            date_time: None,
            success: true,
        })
    }
}
