//! Voltage, RMS voltage and instantaneous power thresholds (DUIS 6.5, 6.27, 6.12), as ECS29a–d
//! and ECS34 write them and ECS26b / ECS26k / ECS26f read them back; and what the consumer's
//! site is made to do for the power quality monitoring ([`PowerQualityConfig::simulated_voltage`]).
//! The behaviour is [`crate::power_quality`]'s.

use gbcs::axdr::Data;
use gbcs::dlms::CosemDescriptor;
use gbcs::usecases::voltage::{
    self, Field, Limit, PhaseVoltage, PowerThresholds, RmsVoltageSettings,
};
use serde::{Deserialize, Serialize};

/// The defaults a meter leaves the factory with: the RTDS 4.5.0 ECS26b values (RMS extreme
/// over-voltage 287 V, extreme under-voltage 180 V, sag 216 V, swell 253 V, each over 30 s).
pub const DEFAULT_RMS: RmsVoltageSettings = RmsVoltageSettings {
    extreme_over: Limit {
        threshold: 287,
        period: 30,
    },
    extreme_under: Limit {
        threshold: 180,
        period: 30,
    },
    sag: Limit {
        threshold: 216,
        period: 30,
    },
    swell: Limit {
        threshold: 253,
        period: 30,
    },
};
/// Each phase's default average RMS voltage settings: over 264 V, under 200 V (the RTDS
/// ECS26b values), measured over 30 minutes.
pub const DEFAULT_PHASE: PhaseVoltage = PhaseVoltage {
    over: 264,
    under: 200,
    period: 1800,
};
/// The default instantaneous power thresholds (the RTDS ECS26f values), W.
pub const DEFAULT_POWER_THRESHOLDS: PowerThresholds = PowerThresholds {
    low_medium: 2300,
    medium_high: 4600,
};

/// Voltage, RMS voltage and instantaneous power thresholds (DUIS 6.5, 6.27, 6.12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerQualityConfig {
    /// The four RMS voltage limiters (6.5).
    pub rms: RmsVoltageSettings,
    /// Each phase's average RMS voltage settings, L1 first (6.5: ECS29a/c write L1, ECS29b/d
    /// all three).
    pub phases: [PhaseVoltage; 3],
    /// The instantaneous power thresholds (6.12).
    pub power_thresholds: PowerThresholds,
    /// The RMS voltage the site is made to have, V, on every phase, from an instant (Unix
    /// seconds) on: `None` for the metering simulation's own voltage (around the nominal 230 V,
    /// `reads::network::average_voltage`). Set by the operator / harness
    /// (`EmulatedDevice::set_simulated_voltage`), not by any GBCS command.
    pub simulated_voltage: Option<SimulatedVoltage>,
    /// The average RMS voltage excursion in force on L1 (alerted, not yet ended): `Some(true)`
    /// over the over-voltage threshold, `Some(false)` under the under-voltage one (so a lasting
    /// excursion raises one alert, not one per period).
    pub average_excursion: Option<bool>,
    /// The RMS voltage limiters' excursions in force (extreme over, extreme under, sag, swell).
    pub rms_excursion: [bool; 4],
}

/// A simulated site voltage (see [`PowerQualityConfig::simulated_voltage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedVoltage {
    /// The RMS voltage, V.
    pub volts: u32,
    /// From when (Unix seconds).
    pub since: i64,
}

impl Default for PowerQualityConfig {
    fn default() -> Self {
        Self {
            rms: DEFAULT_RMS,
            phases: [DEFAULT_PHASE; 3],
            power_thresholds: DEFAULT_POWER_THRESHOLDS,
            simulated_voltage: None,
            average_excursion: None,
            rms_excursion: [false; 4],
        }
    }
}

impl PowerQualityConfig {
    /// The value of a configuration attribute this part holds (ECS26b, ECS26k, ECS26f), if `o`
    /// is one.
    pub fn attribute(&self, o: &CosemDescriptor) -> Option<Data> {
        if *o == voltage::POWER_THRESHOLDS {
            return Some(gbcs::usecases::ecs34::thresholds_value(
                &self.power_thresholds,
            ));
        }
        let limits = self.rms.limits();
        let v = (0..4)
            .find_map(|i| {
                if *o == Field::LimitThreshold(i).object() {
                    Some(limits[i].threshold)
                } else if *o == Field::LimitPeriod(i).object() {
                    Some(limits[i].period)
                } else {
                    None
                }
            })
            .or_else(|| {
                (0..3).find_map(|p| {
                    if *o == Field::Over(p).object() {
                        Some(self.phases[p].over)
                    } else if *o == Field::Under(p).object() {
                        Some(self.phases[p].under)
                    } else {
                        None
                    }
                })
            })?;
        Some(Data::DoubleLongUnsigned(v))
    }

    /// Writes what a 6.5 command carries: the limiters and the phases it names.
    pub fn write_voltage(&mut self, c: &gbcs::usecases::VoltageConfig) {
        self.rms = c.rms;
        for (slot, p) in self.phases.iter_mut().zip(&c.phases) {
            *slot = *p;
        }
    }
}
