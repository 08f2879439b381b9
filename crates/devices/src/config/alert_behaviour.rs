//! Which alerts the device raises and logs (DUIS 6.22, 6.2.10).
//!
//! An ESME keeps six 256-bit filters ([`AlertFilter`]): the supplier's WAN alerts, HAN
//! notifications, audible alarms and logging of the `0x81xx` codes, the network operator's
//! WAN alerts and logging of the `0x80xx` codes (ECS25a…ECS25b3 write them, ECS25r1 / ECS25r2
//! read them). A GSME keeps one ZSE event configuration byte per `0x81xx` code (GCS20 writes,
//! GCS20r reads). Until written, a filter or a code has the GBCS default: what the RTDS 4.5.0
//! ECS25r1 / ECS25r2 / GCS20r SUCCESS responses report. Only what was written is stored.
//!
//! The device behaves by it ([`AlertBehaviour::sends`], [`AlertBehaviour::logs`]): a
//! non-critical alert configured off for the WAN is not raised, and an event configured not
//! to be logged leaves no entry. Critical alerts (`0x8Fxx`) and codes a filter does not cover
//! are always raised and logged.

use std::collections::BTreeMap;

use gbcs::usecases::{AlertFilter, EventConfiguration, FilterBits};
use serde::{Deserialize, Serialize};

const FILTER_BYTES: usize = gbcs::usecases::alert_behaviour_common::FILTER_BYTES;

/// The ESME filters' defaults, in [`AlertFilter::ALL`] order (ECS25r1's and ECS25r2's RTDS
/// SUCCESS responses).
const ESME_DEFAULTS: [[u8; FILTER_BYTES]; 6] = [
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x33, 0x7F, 0x0F, 0xFF, 0xF3, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
        0x60, 0x00,
    ],
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
        0x20, 0x00,
    ],
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ],
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x73, 0x7F, 0x0F, 0xFF, 0xFF, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x00, 0x00, 0x06, 0x00, 0x30, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ],
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30,
        0x00, 0x00,
    ],
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30,
        0x00, 0x00,
    ],
];

/// The GSME's default event configurations (GCS20r's RTDS SUCCESS response, in its order).
pub const GSME_DEFAULTS: [(u16, u8); 44] = [
    (0x810D, 0x18),
    (0x810E, 0x08),
    (0x8119, 0x18),
    (0x8145, 0x03),
    (0x8154, 0x03),
    (0x8155, 0x03),
    (0x8161, 0x03),
    (0x8162, 0x03),
    (0x8168, 0x10),
    (0x8183, 0x0B),
    (0x8184, 0x0B),
    (0x81A1, 0x0B),
    (0x81A4, 0x0B),
    (0x81A5, 0x0B),
    (0x81A6, 0x0B),
    (0x81A7, 0x0B),
    (0x81A8, 0x0B),
    (0x81A9, 0x0B),
    (0x81AA, 0x1B),
    (0x81AB, 0x1B),
    (0x81AC, 0x0B),
    (0x81AD, 0x0B),
    (0x81AE, 0x0B),
    (0x81AF, 0x0B),
    (0x81B0, 0x0B),
    (0x81B1, 0x0B),
    (0x81B2, 0x0B),
    (0x81B3, 0x0B),
    (0x81B4, 0x0B),
    (0x81B5, 0x0B),
    (0x81B6, 0x0B),
    (0x81B9, 0x0B),
    (0x81BA, 0x0B),
    (0x81BC, 0x0B),
    (0x81BD, 0x0B),
    (0x81BE, 0x0B),
    (0x81BF, 0x0B),
    (0x81C0, 0x0B),
    (0x81C2, 0x0B),
    (0x81C3, 0x0B),
    (0x81C4, 0x1B),
    (0x81C5, 0x0B),
    (0x81A0, 0x0B),
    (0x81C6, 0x03),
];

/// Which alerts the device raises and logs (DUIS 6.22, 6.2.10).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertBehaviour {
    /// ESME filters written, by [`filter_index`] (the others have their default).
    #[serde(default)]
    pub esme: BTreeMap<u8, [u8; FILTER_BYTES]>,
    /// GSME event configurations written, by alert code (the others have their default).
    #[serde(default)]
    pub gsme: BTreeMap<u16, u8>,
}

/// The filter's index in [`AlertFilter::ALL`].
pub fn filter_index(f: AlertFilter) -> u8 {
    match f {
        AlertFilter::SupplierWan => 0,
        AlertFilter::SupplierHan => 1,
        AlertFilter::SupplierAudible => 2,
        AlertFilter::SupplierLogging => 3,
        AlertFilter::NetworkWan => 4,
        AlertFilter::NetworkLogging => 5,
    }
}

/// The device families whose behaviour is configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Configurable {
    /// An ESME: the six filters.
    Esme,
    /// A GSME: per-code event configurations.
    Gsme,
    /// Anything else: every alert raised and logged.
    Other,
}

impl AlertBehaviour {
    /// An ESME filter's current bits.
    pub fn filter(&self, f: AlertFilter) -> FilterBits {
        let i = filter_index(f);
        FilterBits(
            self.esme
                .get(&i)
                .copied()
                .unwrap_or(ESME_DEFAULTS[usize::from(i)]),
        )
    }

    /// Stores an ESME filter.
    pub fn set_filter(&mut self, f: AlertFilter, bits: FilterBits) {
        self.esme.insert(filter_index(f), bits.0);
    }

    /// A GSME code's configuration (`None`: a code the GSME does not support, and nobody
    /// configured).
    pub fn gsme_configuration(&self, code: u16) -> Option<EventConfiguration> {
        self.gsme
            .get(&code)
            .copied()
            .or_else(|| {
                GSME_DEFAULTS
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map(|(_, b)| *b)
            })
            .map(EventConfiguration)
    }

    /// Stores a GSME code's configuration.
    pub fn set_gsme(&mut self, code: u16, c: EventConfiguration) {
        self.gsme.insert(code, c.0);
    }

    /// Every GSME code's configuration: the defaults' codes in their order, then codes
    /// configured beyond them, ascending.
    pub fn gsme_report(&self) -> Vec<(u16, EventConfiguration)> {
        let mut out: Vec<(u16, EventConfiguration)> = GSME_DEFAULTS
            .iter()
            .filter_map(|(c, _)| Some((*c, self.gsme_configuration(*c)?)))
            .collect();
        out.extend(
            self.gsme
                .iter()
                .filter(|(c, _)| !GSME_DEFAULTS.iter().any(|(d, _)| d == *c))
                .map(|(c, b)| (*c, EventConfiguration(*b))),
        );
        out
    }

    fn esme_bit(&self, wan: bool, code: u16) -> bool {
        let (supplier, network) = if wan {
            (AlertFilter::SupplierWan, AlertFilter::NetworkWan)
        } else {
            (AlertFilter::SupplierLogging, AlertFilter::NetworkLogging)
        };
        let low = (code & 0xFF) as u8;
        if supplier.covers(code) {
            self.filter(supplier).get(low)
        } else if network.covers(code) {
            self.filter(network).get(low)
        } else {
            true
        }
    }

    /// Whether a device of `kind` sends alert `code` over the WAN.
    pub fn sends(&self, kind: Configurable, code: u16) -> bool {
        match kind {
            Configurable::Esme => self.esme_bit(true, code),
            Configurable::Gsme => self.gsme_configuration(code).is_none_or(|c| c.wan()),
            Configurable::Other => true,
        }
    }

    /// Whether a device of `kind` logs event `code`.
    pub fn logs(&self, kind: Configurable, code: u16) -> bool {
        match kind {
            Configurable::Esme => self.esme_bit(false, code),
            Configurable::Gsme => self.gsme_configuration(code).is_none_or(|c| c.log()),
            Configurable::Other => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_send_the_prepayment_alerts_and_writes_override_them() {
        let mut b = AlertBehaviour::default();
        for code in [0x810D, 0x810E, 0x8119, 0x81AA] {
            assert!(b.sends(Configurable::Esme, code), "{code:04X}");
            assert!(b.sends(Configurable::Gsme, code), "{code:04X}");
        }
        assert!(b.sends(Configurable::Esme, 0x8F30));
        let mut bits = b.filter(AlertFilter::SupplierWan);
        bits.set(0x0D, false);
        b.set_filter(AlertFilter::SupplierWan, bits);
        assert!(!b.sends(Configurable::Esme, 0x810D));
        b.set_gsme(0x810D, EventConfiguration::new(false, true, true, false));
        assert!(!b.sends(Configurable::Gsme, 0x810D));
        assert!(b.logs(Configurable::Gsme, 0x810D));
        assert!(!b.logs(Configurable::Gsme, 0x810E));
        let stored = postcard::to_allocvec(&b).unwrap();
        assert_eq!(postcard::from_bytes::<AlertBehaviour>(&stored).unwrap(), b);
    }
}
