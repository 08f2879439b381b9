//! The ESME's power quality configuration (DUIS 6.5, 6.27, 6.2.1, 6.12, 6.2.5): the shapes
//! that ECS29a–f write, ECS26b / ECS26k read back, ECS34 writes and ECS26f reads, and the one
//! rule for what values are acceptable ([`VoltageConfig::check`], [`PowerThresholds::check`]),
//! used by the builders, the command decoders (so the device refuses what the DCC would not
//! build) and the DCC's body checks alike.
//!
//! Objects (as the RTDS 4.5.0 vectors carry them; phase `C` group 32, 52, 72 for L1, L2, L3):
//!
//! ```text
//! average RMS voltage measurement period   class 7   1-0:C.24.0.255  attr 4   double-long-unsigned, s
//! average RMS over-voltage threshold       class 1   1-0:C.35.0.4    attr 2   double-long-unsigned, V
//! average RMS under-voltage threshold      class 1   1-0:C.31.0.4    attr 2   double-long-unsigned, V
//! RMS extreme over-voltage  (limiter 1)    class 71  0-0:17.0.1.255  attr 4 threshold, attr 6 period
//! RMS extreme under-voltage (limiter 2)    class 71  0-0:17.0.2.255  attr 4, attr 6
//! RMS voltage sag           (limiter 3)    class 71  0-0:17.0.3.255  attr 4, attr 6
//! RMS voltage swell         (limiter 4)    class 71  0-0:17.0.4.255  attr 4, attr 6
//! under-voltage event counter (reset)      class 3   1-0:C.32.0.4    method 1, integer 0
//! over-voltage event counter  (reset)      class 3   1-0:C.36.0.4    method 1, integer 0
//! instantaneous power thresholds           class 21  0-0:16.0.0.255  attr 2   array { u32 W, u32 W }
//! ```
//!
//! Each use case is a fixed list of those requests in a fixed order ([`Variant::slots`],
//! [`READ_SINGLE_PHASE`], [`READ_POLY_PHASE`]); ECS29a/b also reset the counters, ECS29c/d do
//! not, ECS29e/f only reset them.

use super::common::{self, CommandHeader};
use super::reads_common::Item;
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use serde::{Deserialize, Serialize};

/// The OBIS `C` group of each phase (L1, L2, L3).
pub const PHASES: [u8; 3] = [32, 52, 72];
/// The longest measurement period accepted, seconds (one day; opendcc's bound: GBCS carries a
/// double-long-unsigned).
pub const MAX_PERIOD: u32 = 86_400;

/// One RMS voltage limiter: its threshold (V) and measurement period (s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Limit {
    /// Threshold, V.
    pub threshold: u32,
    /// Measurement period, s.
    pub period: u32,
}

/// The four RMS voltage limiters (DUIS `RMSVoltageSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RmsVoltageSettings {
    /// RMS extreme over-voltage (limiter 1).
    pub extreme_over: Limit,
    /// RMS extreme under-voltage (limiter 2).
    pub extreme_under: Limit,
    /// RMS voltage sag (limiter 3).
    pub sag: Limit,
    /// RMS voltage swell (limiter 4).
    pub swell: Limit,
}

impl RmsVoltageSettings {
    /// The limiters in object order (limiter 1 to 4).
    pub const fn limits(&self) -> [Limit; 4] {
        [self.extreme_over, self.extreme_under, self.sag, self.swell]
    }

    fn limit_mut(&mut self, i: usize) -> Option<&mut Limit> {
        match i {
            0 => Some(&mut self.extreme_over),
            1 => Some(&mut self.extreme_under),
            2 => Some(&mut self.sag),
            3 => Some(&mut self.swell),
            _ => None,
        }
    }
}

/// One phase's average RMS voltage settings (DUIS `SinglePhaseVoltageSettings`,
/// `PhaseVoltageSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhaseVoltage {
    /// Average RMS over-voltage threshold, V.
    pub over: u32,
    /// Average RMS under-voltage threshold, V.
    pub under: u32,
    /// Average RMS voltage measurement period, s.
    pub period: u32,
}

/// What 6.5 writes: the RMS limiters and one phase (single phase) or three (polyphase).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VoltageConfig {
    /// The RMS voltage limiters.
    pub rms: RmsVoltageSettings,
    /// The phases, L1 first: one or three.
    pub phases: Vec<PhaseVoltage>,
}

impl VoltageConfig {
    /// The one rule for acceptable settings: one or three phases; every period 1 to
    /// [`MAX_PERIOD`] s; every threshold above zero; extreme under-voltage < sag < swell <
    /// extreme over-voltage; each phase's under-voltage threshold below its over-voltage one.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.phases.len() != 1 && self.phases.len() != 3 {
            return Err("one or three phases");
        }
        let periods = self
            .rms
            .limits()
            .map(|l| l.period)
            .into_iter()
            .chain(self.phases.iter().map(|p| p.period));
        if periods.into_iter().any(|p| p == 0 || p > MAX_PERIOD) {
            return Err("a measurement period is not 1 to 86400 seconds");
        }
        let r = &self.rms;
        if r.extreme_under.threshold == 0
            || r.extreme_under.threshold >= r.sag.threshold
            || r.sag.threshold >= r.swell.threshold
            || r.swell.threshold >= r.extreme_over.threshold
        {
            return Err("RMS thresholds are not 0 < extreme under < sag < swell < extreme over");
        }
        if self
            .phases
            .iter()
            .any(|p| p.under == 0 || p.under >= p.over)
        {
            return Err("an average RMS under-voltage threshold is not below the over-voltage one");
        }
        Ok(())
    }
}

/// The instantaneous power thresholds (DUIS 6.12), W.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PowerThresholds {
    /// Low / medium power threshold, W.
    pub low_medium: u32,
    /// Medium / high power threshold, W.
    pub medium_high: u32,
}

impl PowerThresholds {
    /// The one rule: `0 < low_medium < medium_high`.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.low_medium == 0 || self.low_medium >= self.medium_high {
            return Err("power thresholds are not 0 < low/medium < medium/high");
        }
        Ok(())
    }
}

/// The average RMS voltage measurement period of phase `p` (0-based).
pub const fn period_object(p: usize) -> CosemDescriptor {
    CosemDescriptor::new(7, [1, 0, PHASES[p], 24, 0, 0xFF], 4)
}
/// The average RMS over-voltage threshold of phase `p`.
pub const fn over_object(p: usize) -> CosemDescriptor {
    CosemDescriptor::new(1, [1, 0, PHASES[p], 35, 0, 4], 2)
}
/// The average RMS under-voltage threshold of phase `p`.
pub const fn under_object(p: usize) -> CosemDescriptor {
    CosemDescriptor::new(1, [1, 0, PHASES[p], 31, 0, 4], 2)
}
/// Limiter `i`'s (0-based: extreme over, extreme under, sag, swell) threshold.
pub const fn limit_threshold_object(i: usize) -> CosemDescriptor {
    CosemDescriptor::new(71, [0, 0, 17, 0, i as u8 + 1, 0xFF], 4)
}
/// Limiter `i`'s measurement period.
pub const fn limit_period_object(i: usize) -> CosemDescriptor {
    CosemDescriptor::new(71, [0, 0, 17, 0, i as u8 + 1, 0xFF], 6)
}
/// Phase `p`'s under-voltage event counter reset (method 1).
pub const fn under_counter_reset(p: usize) -> CosemDescriptor {
    CosemDescriptor::new(3, [1, 0, PHASES[p], 32, 0, 4], 1)
}
/// Phase `p`'s over-voltage event counter reset (method 1).
pub const fn over_counter_reset(p: usize) -> CosemDescriptor {
    CosemDescriptor::new(3, [1, 0, PHASES[p], 36, 0, 4], 1)
}
/// The instantaneous power thresholds (class 21 register monitor, attribute 2).
pub const POWER_THRESHOLDS: CosemDescriptor = CosemDescriptor::new(21, [0, 0, 16, 0, 0, 0xFF], 2);

/// What one request of a voltage command carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Phase `p`'s average RMS voltage measurement period.
    Period(usize),
    /// Phase `p`'s average RMS over-voltage threshold.
    Over(usize),
    /// Phase `p`'s average RMS under-voltage threshold.
    Under(usize),
    /// Limiter `i`'s threshold.
    LimitThreshold(usize),
    /// Limiter `i`'s measurement period.
    LimitPeriod(usize),
    /// Reset phase `p`'s under-voltage event counter.
    ResetUnder(usize),
    /// Reset phase `p`'s over-voltage event counter.
    ResetOver(usize),
}

impl Field {
    /// The request for it: a SET of the attribute, or the ACTION of a counter reset.
    pub fn request(self) -> RequestSpec {
        match self {
            Field::ResetUnder(_) | Field::ResetOver(_) => RequestSpec::Action(self.object()),
            _ => RequestSpec::Set(self.object()),
        }
    }

    /// The attribute or method it addresses.
    pub const fn object(self) -> CosemDescriptor {
        match self {
            Field::Period(p) => period_object(p),
            Field::Over(p) => over_object(p),
            Field::Under(p) => under_object(p),
            Field::LimitThreshold(i) => limit_threshold_object(i),
            Field::LimitPeriod(i) => limit_period_object(i),
            Field::ResetUnder(p) => under_counter_reset(p),
            Field::ResetOver(p) => over_counter_reset(p),
        }
    }

    fn value(self, c: &VoltageConfig) -> Option<Data> {
        let l = c.rms.limits();
        let v = match self {
            Field::Period(p) => c.phases.get(p)?.period,
            Field::Over(p) => c.phases.get(p)?.over,
            Field::Under(p) => c.phases.get(p)?.under,
            Field::LimitThreshold(i) => l.get(i)?.threshold,
            Field::LimitPeriod(i) => l.get(i)?.period,
            Field::ResetUnder(_) | Field::ResetOver(_) => return Some(Data::Integer(0)),
        };
        Some(Data::DoubleLongUnsigned(v))
    }

    fn store(self, c: &mut VoltageConfig, v: u32) -> Option<()> {
        match self {
            Field::Period(p) => c.phases.get_mut(p)?.period = v,
            Field::Over(p) => c.phases.get_mut(p)?.over = v,
            Field::Under(p) => c.phases.get_mut(p)?.under = v,
            Field::LimitThreshold(i) => c.rms.limit_mut(i)?.threshold = v,
            Field::LimitPeriod(i) => c.rms.limit_mut(i)?.period = v,
            Field::ResetUnder(_) | Field::ResetOver(_) => return None,
        }
        Some(())
    }
}

use Field as F;

const LIMITERS: [Field; 8] = [
    F::LimitThreshold(0),
    F::LimitPeriod(0),
    F::LimitThreshold(1),
    F::LimitPeriod(1),
    F::LimitThreshold(2),
    F::LimitPeriod(2),
    F::LimitThreshold(3),
    F::LimitPeriod(3),
];

const fn cat<const A: usize, const B: usize, const N: usize>(
    a: [Field; A],
    b: [Field; B],
) -> [Field; N] {
    let mut out = [F::Period(0); N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

const ECS29A: [Field; 13] = cat(
    [F::Period(0)],
    cat::<8, 4, 12>(
        LIMITERS,
        [F::Over(0), F::Under(0), F::ResetUnder(0), F::ResetOver(0)],
    ),
);
const ECS29B: [Field; 23] = cat(
    cat::<3, 8, 11>([F::Period(0), F::Period(1), F::Period(2)], LIMITERS),
    [
        F::Over(0),
        F::Under(0),
        F::Under(1),
        F::Over(1),
        F::Under(2),
        F::Over(2),
        F::ResetUnder(0),
        F::ResetOver(0),
        F::ResetUnder(1),
        F::ResetOver(1),
        F::ResetUnder(2),
        F::ResetOver(2),
    ],
);
const ECS29C: [Field; 11] = cat([F::Under(0), F::Over(0), F::Period(0)], LIMITERS);
const ECS29D: [Field; 17] = cat(
    [
        F::Under(0),
        F::Over(0),
        F::Under(1),
        F::Over(1),
        F::Under(2),
        F::Over(2),
        F::Period(0),
        F::Period(1),
        F::Period(2),
    ],
    LIMITERS,
);
/// ECS29e's requests: phase L1's counter resets.
pub const RESET_SINGLE_PHASE: [Field; 2] = [F::ResetUnder(0), F::ResetOver(0)];
/// ECS29f's requests: each phase's counter resets.
pub const RESET_POLY_PHASE: [Field; 6] = [
    F::ResetUnder(0),
    F::ResetOver(0),
    F::ResetUnder(1),
    F::ResetOver(1),
    F::ResetUnder(2),
    F::ResetOver(2),
];

/// ECS26b's GETs: the limiters, then L1's over- and under-voltage thresholds.
pub const READ_SINGLE_PHASE: [Item; 10] = read_items::<10>(&[F::Over(0), F::Under(0)]);
/// ECS26k's GETs: the limiters, then L1 over, under, L2 under, over, L3 under, over.
pub const READ_POLY_PHASE: [Item; 14] = read_items::<14>(&[
    F::Over(0),
    F::Under(0),
    F::Under(1),
    F::Over(1),
    F::Under(2),
    F::Over(2),
]);

const fn read_items<const N: usize>(tail: &[Field]) -> [Item; N] {
    let mut out = [Item::Get(POWER_THRESHOLDS); N];
    let mut i = 0;
    while i < N {
        let f = if i < 8 { LIMITERS[i] } else { tail[i - 8] };
        out[i] = Item::Get(f.object());
        i += 1;
    }
    out
}

/// Which 6.5 command: with or without the counter resets, single phase or polyphase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// ECS29a: single phase, counters reset.
    Ecs29a,
    /// ECS29b: polyphase, counters reset.
    Ecs29b,
    /// ECS29c: single phase, counters kept.
    Ecs29c,
    /// ECS29d: polyphase, counters kept.
    Ecs29d,
}

impl Variant {
    /// The use case's name.
    pub const fn name(self) -> &'static str {
        match self {
            Variant::Ecs29a => "ECS29a",
            Variant::Ecs29b => "ECS29b",
            Variant::Ecs29c => "ECS29c",
            Variant::Ecs29d => "ECS29d",
        }
    }

    /// The message code.
    pub const fn message_code(self) -> MessageCode {
        MessageCode(match self {
            Variant::Ecs29a => 0x0045,
            Variant::Ecs29b => 0x00AE,
            Variant::Ecs29c => 0x00D1,
            Variant::Ecs29d => 0x00D2,
        })
    }

    /// How many phases it configures.
    pub const fn phases(self) -> usize {
        match self {
            Variant::Ecs29a | Variant::Ecs29c => 1,
            Variant::Ecs29b | Variant::Ecs29d => 3,
        }
    }

    /// Whether it resets the voltage event counters.
    pub const fn resets_counters(self) -> bool {
        matches!(self, Variant::Ecs29a | Variant::Ecs29b)
    }

    /// Its requests, in order.
    pub const fn slots(self) -> &'static [Field] {
        match self {
            Variant::Ecs29a => &ECS29A,
            Variant::Ecs29b => &ECS29B,
            Variant::Ecs29c => &ECS29C,
            Variant::Ecs29d => &ECS29D,
        }
    }

    /// The variant for a phase count and whether the counters are reset.
    pub const fn of(poly_phase: bool, reset: bool) -> Self {
        match (poly_phase, reset) {
            (false, true) => Variant::Ecs29a,
            (true, true) => Variant::Ecs29b,
            (false, false) => Variant::Ecs29c,
            (true, false) => Variant::Ecs29d,
        }
    }
}

/// Builds an ECS29a–d command: `c` must have the variant's phase count and pass
/// [`VoltageConfig::check`].
pub fn set_voltage_command(
    h: &CommandHeader,
    v: Variant,
    c: &VoltageConfig,
) -> Result<GeneralSigning, BuildError> {
    if c.phases.len() != v.phases() || c.check().is_err() {
        return Err(BuildError::OutOfRange("voltage configuration"));
    }
    let mut specs = Vec::new();
    let mut data = Vec::new();
    for f in v.slots() {
        specs.push(f.request());
        data.push(
            f.value(c)
                .ok_or(BuildError::OutOfRange("voltage configuration"))?,
        );
    }
    Ok(common::apdu(
        h,
        v.message_code(),
        common::dlms(h, specs, data),
        false,
    ))
}

/// Decodes an ECS29a–d command: every value a double-long-unsigned, every reset `integer 0`,
/// the whole passing [`VoltageConfig::check`].
pub fn decode_set_voltage(
    apdu: &GeneralSigning,
    v: Variant,
) -> Result<VoltageConfig, CommandDecodeError> {
    let uc = v.name();
    let specs: Vec<RequestSpec> = v.slots().iter().map(|f| f.request()).collect();
    let req = common::dlms_request(apdu, uc, &specs)?;
    let zero = Limit {
        threshold: 0,
        period: 0,
    };
    let mut c = VoltageConfig {
        rms: RmsVoltageSettings {
            extreme_over: zero,
            extreme_under: zero,
            sag: zero,
            swell: zero,
        },
        phases: vec![
            PhaseVoltage {
                over: 0,
                under: 0,
                period: 0
            };
            v.phases()
        ],
    };
    for (f, d) in v.slots().iter().zip(&req.data) {
        match (f, d) {
            (F::ResetUnder(_) | F::ResetOver(_), Data::Integer(0)) => {}
            (F::ResetUnder(_) | F::ResetOver(_), _) => {
                return Err(common::bad(
                    uc,
                    "a counter reset's parameter is not integer 0",
                ));
            }
            (_, Data::DoubleLongUnsigned(x)) => {
                f.store(&mut c, *x)
                    .ok_or(common::bad(uc, "request outside the use case"))?;
            }
            _ => return Err(common::bad(uc, "a setting is not a double-long-unsigned")),
        }
    }
    c.check().map_err(|why| common::bad(uc, why))?;
    Ok(c)
}

/// Builds an ECS29e / ECS29f command: the counter resets `fields`.
pub(crate) fn reset_counters_command(
    h: &CommandHeader,
    code: MessageCode,
    fields: &[Field],
) -> GeneralSigning {
    let specs = fields.iter().map(|f| f.request()).collect();
    let data = vec![Data::Integer(0); fields.len()];
    common::apdu(h, code, common::dlms(h, specs, data), false)
}

/// Decodes an ECS29e / ECS29f command: exactly the resets `fields`, each `integer 0`.
pub(crate) fn decode_reset_counters(
    apdu: &GeneralSigning,
    uc: &'static str,
    fields: &[Field],
) -> Result<(), CommandDecodeError> {
    let specs: Vec<RequestSpec> = fields.iter().map(|f| f.request()).collect();
    let req = common::dlms_request(apdu, uc, &specs)?;
    if req.data.iter().any(|d| *d != Data::Integer(0)) {
        return Err(common::bad(
            uc,
            "a counter reset's parameter is not integer 0",
        ));
    }
    Ok(())
}

/// Decodes the answer to a command of `n` SETs / ACTIONs: done, or the DLMS failure.
pub(crate) fn done_response(
    content: &[u8],
    n: usize,
) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, n)
}
