//! ESME network data (ECS23 single phase, ECS23b each of three phases): per phase the RMS
//! voltage sag and swell counters (class 3, with scaler/unit `(0, 255)`), the average RMS
//! voltage profile (class 7, hourly: [`AVERAGE_VOLTAGE_PERIOD`]) and its capture period.
//!
//! The counters are state ([`NetworkData`], zero on a fresh meter). The average voltage of the
//! hour ending at `T` is a deterministic function of `T` and the phase around the nominal
//! 230 V (225 to 235 V), captured hourly from installation to now (3 months kept); a range read
//! returns exactly the captures in `[from, to]`, an empty compact array when there are none.

use gbcs::UtcDateTime;
use gbcs::axdr::{Data, TypeDescription};
use gbcs::dlms::CosemDescriptor;
use gbcs::usecases::ReadPeriod;
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;

/// Seconds between average voltage captures.
pub const AVERAGE_VOLTAGE_PERIOD: i64 = 3600;
/// How far back the average voltage profile reaches: 3 months.
pub const AVERAGE_VOLTAGE_CAPACITY_SECS: i64 = 92 * 86_400;
/// Nominal voltage, V.
pub const NOMINAL_VOLTAGE: u32 = 230;
/// The OBIS `C` group of each phase (L1, L2, L3).
pub const PHASES: [u8; 3] = [32, 52, 72];

/// The voltage quality counters, per phase (L1, L2, L3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkData {
    /// Number of RMS voltage sags (below the under-voltage threshold).
    #[serde(default)]
    pub sags: [u32; 3],
    /// Number of RMS voltage swells (above the over-voltage threshold).
    #[serde(default)]
    pub swells: [u32; 3],
}

fn phase_of(o: &CosemDescriptor) -> Option<usize> {
    let [1, 0, c, _, _, _] = o.instance else {
        return None;
    };
    PHASES.iter().position(|p| *p == c)
}

/// Whether `o` is one of the network data objects.
pub fn is_network_object(o: &CosemDescriptor) -> bool {
    phase_of(o).is_some()
        && matches!(
            (o.class_id, &o.instance[3..]),
            (3, [32, 0, 4] | [36, 0, 4]) | (7, [24, 0, 255])
        )
}

/// A plain attribute of the network data objects.
pub(crate) fn attribute(n: &NetworkData, o: &CosemDescriptor) -> Option<Data> {
    let p = phase_of(o)?;
    match (o.class_id, &o.instance[3..], o.index) {
        (3, [32, 0, 4], 2) => Some(Data::DoubleLongUnsigned(n.sags[p])),
        (3, [36, 0, 4], 2) => Some(Data::DoubleLongUnsigned(n.swells[p])),
        (3, [32 | 36, 0, 4], 3) => Some(Data::Structure(vec![Data::Integer(0), Data::Enum(255)])),
        (7, [24, 0, 255], 4) => Some(Data::DoubleLongUnsigned(AVERAGE_VOLTAGE_PERIOD as u32)),
        _ => None,
    }
}

/// The average RMS voltage of the hour ending at `t` on phase `p`, V.
pub fn average_voltage(t: i64, p: usize) -> u32 {
    let h = (t.div_euclid(AVERAGE_VOLTAGE_PERIOD) as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((p as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9));
    NOMINAL_VOLTAGE - 5 + ((h >> 33) % 11) as u32
}

/// The average voltage profile buffer of `o` over `period` at `now`, if `o` is one.
pub(crate) fn voltage_profile(
    d: &EmulatedDevice,
    o: &CosemDescriptor,
    period: ReadPeriod,
    now: i64,
) -> Option<Data> {
    let p = phase_of(o)?;
    if (o.class_id, &o.instance[3..], o.index) != (7, &[24, 0, 255][..], 2)
        || d.identity.kind != crate::DeviceKind::Esme
    {
        return None;
    }
    let oldest = (d.state.metering.installed_at + 1)
        .max(now - AVERAGE_VOLTAGE_CAPACITY_SECS + 1)
        .max(period.start.to_unix());
    let newest = now.min(period.end.to_unix());
    let mut contents = Vec::new();
    if newest >= oldest {
        let step = AVERAGE_VOLTAGE_PERIOD;
        let first = (oldest + step - 1).div_euclid(step) * step;
        let mut t = first;
        while t <= newest {
            let z = UtcDateTime::from_unix(t)
                .and_then(|u| u.to_zigbee_utc())
                .unwrap_or(0);
            contents.extend_from_slice(&z.to_be_bytes());
            contents.extend_from_slice(&average_voltage(t, p).to_be_bytes());
            t += step;
        }
    }
    Some(Data::CompactArray {
        description: TypeDescription::Structure(vec![TypeDescription::Simple(6); 2]),
        contents,
    })
}
