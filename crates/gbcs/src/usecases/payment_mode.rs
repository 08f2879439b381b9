//! What the four 1.6 Update Payment Mode use cases share (ECS02, ECS03 on the ESME; GCS02,
//! GCS03 on the GSME): when the change takes effect, the ESME's credit/charge configuration
//! entries, the GSME's ZSE Change Payment Mode command and its response.
//!
//! Every mapping from DUIS values to GBCS bits is written once here, with the evidence it
//! rests on (the RTDS 4.5.0 1.6 vectors and the DUIS 1.6 templates; GBCS's own tables are not in
//! the corpus):
//!
//! * ESME activation time (ECS02, ECS03): a COSEM date-time octet string; immediate is all
//!   zero fields, cancellation all `FF` fields (both with deviation `8000`, status `FF`), a
//!   future date the instant ([`Activation`]).
//! * GSME implementation date-time (GCS02, GCS03): ZigBee UTC, `0` now, `FFFFFFFF` cancel.
//! * GSME Payment Control Configuration: credit mode `0x0C94` (all three GCS02 vectors);
//!   prepayment `0x0097`, with bit 10 when `SuspendDebtDisabled` is true and bit 11 when
//!   `SuspendDebtEmergency` is false (the three GCS03 vectors against their templates:
//!   true/false → `0x0C97`, false/true → `0x0097`, false/false → `0x0897`); the cut-off value
//!   is `FFFFFFFF` in credit mode and `DisablementThreshold` in prepayment mode (all three
//!   GCS03 templates carry threshold 0 and the vectors cut-off 0).
//! * ESME credit/charge configuration (ECS02, ECS03): see [`credit_charge_entries`].

use super::common;
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::axdr::Data;
use crate::datetime::UtcDateTime;
use crate::error::BuildError;
use crate::gbz::GbzBody;

/// When a payment mode change takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Activation {
    /// Immediately.
    Now,
    /// At this instant (device-future-dated).
    At(UtcDateTime),
    /// Cancel a pending future-dated change.
    Cancel,
}

const COSEM_TAIL: [u8; 3] = [0x80, 0x00, 0xFF];

impl Activation {
    /// The COSEM date-time (ESME) form.
    pub fn to_cosem(self) -> [u8; 12] {
        let mut b = match self {
            Activation::Now => [0; 12],
            Activation::Cancel => [0xFF; 12],
            Activation::At(t) => return t.to_cosem().0,
        };
        b[9..].copy_from_slice(&COSEM_TAIL);
        b
    }

    /// From the COSEM form; `None` for anything but the three forms.
    pub fn from_cosem(b: &[u8]) -> Option<Self> {
        if b.len() != 12 || b[9..] != COSEM_TAIL {
            return None;
        }
        if b[..9].iter().all(|x| *x == 0) {
            Some(Activation::Now)
        } else if b[..9].iter().all(|x| *x == 0xFF) {
            Some(Activation::Cancel)
        } else {
            UtcDateTime::from_cosem(b).map(Activation::At)
        }
    }

    /// The ZigBee UTC (GSME) form; `None` for an instant ZigBee time cannot carry (before 2000,
    /// from 2136, or the reserved values 0 and `FFFFFFFF`).
    pub fn to_zigbee(self) -> Option<u32> {
        match self {
            Activation::Now => Some(0),
            Activation::Cancel => Some(u32::MAX),
            Activation::At(t) => t.to_zigbee_utc().filter(|v| *v != 0 && *v != u32::MAX),
        }
    }

    /// From the ZigBee UTC form.
    pub fn from_zigbee(v: u32) -> Option<Self> {
        match v {
            0 => Some(Activation::Now),
            u32::MAX => Some(Activation::Cancel),
            v => UtcDateTime::from_zigbee_utc(v).map(Activation::At),
        }
    }
}

/// The account object (class 111, `0-1:19.0.0.255`, as every 1.6 vector addresses it).
pub const OBIS_ACCOUNT: [u8; 6] = [0, 1, 19, 0, 0, 0xFF];
/// The account's payment mode attribute (`account_mode_and_status`).
pub const ATTR_PAYMENT_MODE: u8 = 2;
/// The account's credit/charge configuration attribute.
pub const ATTR_CREDIT_CHARGE_CONFIGURATION: u8 = 11;
/// The account's activation time attribute.
pub const ATTR_ACTIVATION_TIME: u8 = 13;
/// DLMS account mode: credit.
pub const MODE_CREDIT: u8 = 1;
/// DLMS account mode: prepayment.
pub const MODE_PREPAYMENT: u8 = 2;
/// The account status the ESME is sent with the mode (every 1.6 vector: 1).
pub const ACCOUNT_STATUS: u8 = 1;

/// One credit/charge configuration entry: a credit object (`0-0:19.10.credit.255`), a charge
/// object (`0-0:19.20.charge.255`) and the 3-bit collection configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CreditChargeEntry {
    /// The credit object's OBIS C-group value E (`19.10.E`).
    pub credit: u8,
    /// The charge object's OBIS value E (`19.20.E`).
    pub charge: u8,
    /// The collection configuration bits (the high 3 bits of the byte: `E0`, `C0`).
    pub collection: u8,
}

/// Collection configuration: every bit set.
pub const COLLECT_ALWAYS: u8 = 0xE0;
/// Collection configuration with the third bit cleared: debt collection suspended while the
/// supply is disabled (see [`credit_charge_entries`]).
pub const COLLECT_NOT_WHEN_DISABLED: u8 = 0xC0;

impl CreditChargeEntry {
    fn to_data(self) -> Data {
        Data::Structure(vec![
            Data::OctetString(vec![0, 0, 19, 10, self.credit, 0xFF]),
            Data::OctetString(vec![0, 0, 19, 20, self.charge, 0xFF]),
            Data::BitString {
                bits: 3,
                bytes: vec![self.collection],
            },
        ])
    }

    fn from_data(d: &Data) -> Option<Self> {
        let Data::Structure(f) = d else { return None };
        let [
            Data::OctetString(credit),
            Data::OctetString(charge),
            Data::BitString { bits: 3, bytes },
        ] = &f[..]
        else {
            return None;
        };
        let (&[0, 0, 19, 10, credit, 0xFF], &[0, 0, 19, 20, charge, 0xFF], &[collection]) =
            (&credit[..], &charge[..], &bytes[..])
        else {
            return None;
        };
        (collection & 0x1F == 0).then_some(Self {
            credit,
            charge,
            collection,
        })
    }
}

/// The credit/charge pairs the ESME is configured with, in the RTDS order: credit mode (ECS02)
/// the standing charge `19.20.0` and `19.20.4` from token credit `19.10.0`; prepayment mode
/// (ECS03) every charge from token credit and emergency credit `19.10.1`, and, when
/// `SuspendDebtEmergency` is true, the charges `19.20.4`, `19.20.1` and `19.20.2` from
/// `19.10.2` too. A twin element ESME also has the charge `19.20.5` (from token credit, and in
/// prepayment from emergency credit too).
///
/// Evidence: ECS02 single element (immediate) 2 entries, twin element (future-dated,
/// cancellation) the same plus `19.10.0/19.20.5`; ECS03 single element (immediate,
/// `SuspendDebtEmergency` true) 13 entries, twin element cancellation (true) the same plus
/// `19.10.0/19.20.5` and `19.10.1/19.20.5`; twin element future-dated, the one ECS03 vector
/// whose template says `SuspendDebtEmergency` false, the cancellation's entries without the
/// three `19.10.2` ones, and that is the only way the three vectors differ beyond the `C0`
/// bytes. The GSME carries the same setting (GCS03's configuration bit 11), so the ESME's
/// ECS03 must carry it somewhere; these entries are where the vectors show it.
///
/// The collection configuration: `C0` (third bit clear) on the time-debt charges `19.20.1` and
/// `19.20.2` of token and emergency credit when `SuspendDebtDisabled` is true, `E0` everywhere
/// else (ECS03 vectors: true/true and true/false show `C0` there, false/true none).
pub fn credit_charge_entries(
    prepayment: bool,
    twin: bool,
    suspend_debt_disabled: bool,
    suspend_debt_emergency: bool,
) -> Vec<CreditChargeEntry> {
    let pairs: &[(u8, u8)] = if prepayment {
        &[
            (0, 0),
            (0, 4),
            (0, 1),
            (0, 2),
            (0, 3),
            (1, 3),
            (1, 0),
            (1, 4),
            (1, 1),
            (1, 2),
            (2, 4),
            (2, 1),
            (2, 2),
        ]
    } else {
        &[(0, 0), (0, 4)]
    };
    let twin_pairs: &[(u8, u8)] = match (twin, prepayment) {
        (false, _) => &[],
        (true, false) => &[(0, 5)],
        (true, true) => &[(0, 5), (1, 5)],
    };
    pairs
        .iter()
        .filter(|(credit, _)| *credit != 2 || suspend_debt_emergency)
        .chain(twin_pairs)
        .map(|&(credit, charge)| CreditChargeEntry {
            credit,
            charge,
            collection: if suspend_debt_disabled && credit < 2 && matches!(charge, 1 | 2) {
                COLLECT_NOT_WHEN_DISABLED
            } else {
                COLLECT_ALWAYS
            },
        })
        .collect()
}

/// The most entries an ESME credit/charge configuration may carry.
pub const MAX_ENTRIES: usize = 32;

pub(crate) fn entries_data(entries: &[CreditChargeEntry]) -> Data {
    Data::Array(entries.iter().map(|e| e.to_data()).collect())
}

pub(crate) fn entries_from(
    uc: &'static str,
    d: &Data,
) -> Result<Vec<CreditChargeEntry>, CommandDecodeError> {
    let Data::Array(items) = d else {
        return Err(common::bad(
            uc,
            "credit/charge configuration is not an array",
        ));
    };
    if items.is_empty() || items.len() > MAX_ENTRIES {
        return Err(common::bad(
            uc,
            "credit/charge configuration size out of range",
        ));
    }
    items
        .iter()
        .map(|i| {
            CreditChargeEntry::from_data(i).ok_or(common::bad(
                uc,
                "malformed credit/charge configuration entry",
            ))
        })
        .collect()
}

pub(crate) fn mode_data(mode: u8) -> Data {
    Data::Structure(vec![Data::Enum(mode), Data::Enum(ACCOUNT_STATUS)])
}

pub(crate) fn check_mode(uc: &'static str, d: &Data, mode: u8) -> Result<(), CommandDecodeError> {
    match d {
        Data::Structure(f) if f[..] == [Data::Enum(mode), Data::Enum(ACCOUNT_STATUS)] => Ok(()),
        _ => Err(common::bad(uc, "account mode is not the use case's")),
    }
}

pub(crate) fn activation_from(
    uc: &'static str,
    d: &Data,
) -> Result<Activation, CommandDecodeError> {
    match d {
        Data::OctetString(b) => {
            Activation::from_cosem(b).ok_or(common::bad(uc, "activation time is malformed"))
        }
        _ => Err(common::bad(uc, "activation time is not an octet string")),
    }
}

// ---------------------------------------------------------------------------------------------
// GSME: ZSE Prepayment Change Payment Mode.

/// ZSE Prepayment client→server command: Change Payment Mode.
pub const CHANGE_PAYMENT_MODE: u8 = 0x06;
/// ZSE Prepayment server→client command: Change Payment Mode Response.
pub const CHANGE_PAYMENT_MODE_RESPONSE: u8 = 0x02;
/// Payment Control Configuration of credit mode.
pub const CONFIG_CREDIT: u16 = 0x0C94;
/// Payment Control Configuration of prepayment mode without the suspend-debt bits.
pub const CONFIG_PREPAYMENT: u16 = 0x0097;
/// Bit set when debt collection is suspended while the supply is disabled.
pub const BIT_SUSPEND_DEBT_DISABLED: u16 = 1 << 10;
/// Bit set when debt is collected while on emergency credit (`SuspendDebtEmergency` false).
pub const BIT_COLLECT_DEBT_EMERGENCY: u16 = 1 << 11;
/// The cut-off value of credit mode (none).
pub const CUT_OFF_NONE: u32 = u32::MAX;

/// A ZSE Change Payment Mode command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangePaymentMode {
    /// Provider id (GBCS: 0).
    pub provider_id: u32,
    /// Issuer event id.
    pub issuer_event_id: u32,
    /// When it takes effect.
    pub activation: Activation,
    /// Proposed Payment Control Configuration.
    pub configuration: u16,
    /// Cut-off value.
    pub cut_off: u32,
}

impl ChangePaymentMode {
    /// The configuration of prepayment mode with the two DUIS suspend-debt flags (module docs).
    pub fn prepayment_configuration(
        suspend_debt_disabled: bool,
        suspend_debt_emergency: bool,
    ) -> u16 {
        let mut c = CONFIG_PREPAYMENT;
        if suspend_debt_disabled {
            c |= BIT_SUSPEND_DEBT_DISABLED;
        }
        if !suspend_debt_emergency {
            c |= BIT_COLLECT_DEBT_EMERGENCY;
        }
        c
    }

    /// Whether the configuration is prepayment mode's (any suspend-debt bits).
    pub fn is_prepayment(&self) -> bool {
        self.configuration & !(BIT_SUSPEND_DEBT_DISABLED | BIT_COLLECT_DEBT_EMERGENCY)
            == CONFIG_PREPAYMENT
    }

    /// `SuspendDebtDisabled` of a prepayment configuration.
    pub fn suspend_debt_disabled(&self) -> bool {
        self.configuration & BIT_SUSPEND_DEBT_DISABLED != 0
    }

    /// `SuspendDebtEmergency` of a prepayment configuration.
    pub fn suspend_debt_emergency(&self) -> bool {
        self.configuration & BIT_COLLECT_DEBT_EMERGENCY == 0
    }

    pub(crate) fn encode(&self) -> Result<Vec<u8>, BuildError> {
        let at = self
            .activation
            .to_zigbee()
            .ok_or(BuildError::OutOfRange("implementation date-time"))?;
        let mut p = Vec::with_capacity(18);
        p.extend_from_slice(&self.provider_id.to_le_bytes());
        p.extend_from_slice(&self.issuer_event_id.to_le_bytes());
        p.extend_from_slice(&at.to_le_bytes());
        p.extend_from_slice(&self.configuration.to_le_bytes());
        p.extend_from_slice(&self.cut_off.to_le_bytes());
        Ok(p)
    }

    pub(crate) fn decode(uc: &'static str, p: &[u8]) -> Result<Self, CommandDecodeError> {
        let mut f = super::settings_common::ZclFields::new(uc, p);
        let provider_id = f.u32()?;
        let issuer_event_id = f.u32()?;
        let activation = Activation::from_zigbee(f.u32()?)
            .ok_or(common::bad(uc, "implementation time out of range"))?;
        let configuration = f.u16()?;
        let cut_off = f.u32()?;
        f.finish()?;
        if provider_id != 0 {
            return Err(common::bad(uc, "provider id is not 0"));
        }
        Ok(Self {
            provider_id,
            issuer_event_id,
            activation,
            configuration,
            cut_off,
        })
    }
}

/// A ZSE Change Payment Mode Response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangePaymentModeResponse {
    /// Friendly credit (bitmap).
    pub friendly_credit: u8,
    /// Friendly credit calendar id.
    pub friendly_credit_calendar_id: u32,
    /// Emergency credit limit.
    pub emergency_credit_limit: u32,
    /// Emergency credit threshold.
    pub emergency_credit_threshold: u32,
}

impl ChangePaymentModeResponse {
    /// The ZCL payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(13);
        p.push(self.friendly_credit);
        p.extend_from_slice(&self.friendly_credit_calendar_id.to_le_bytes());
        p.extend_from_slice(&self.emergency_credit_limit.to_le_bytes());
        p.extend_from_slice(&self.emergency_credit_threshold.to_le_bytes());
        p
    }
}

fn u32_at(p: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(p.get(at..at + 4)?.try_into().ok()?))
}

/// The GSME's answer: the Change Payment Mode Response, or the Default Response's failure.
pub(crate) fn gsme_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    let [c] = &components[..] else {
        return Err(ResponseDecodeError::Format(
            "one response component expected",
        ));
    };
    let GbzBody::Plain { zcl, .. } = &c.body else {
        return Err(ResponseDecodeError::Format("response is not plaintext"));
    };
    let p = &zcl.payload;
    match (
        c.cluster == super::reads_inst_common::CLUSTER_PREPAYMENT
            && zcl.frame_control & 0x0B == 0x09
            && zcl.command == CHANGE_PAYMENT_MODE_RESPONSE
            && p.len() == 13,
        p.first(),
        u32_at(p, 1),
        u32_at(p, 5),
        u32_at(p, 9),
    ) {
        (true, Some(&friendly_credit), Some(cal), Some(limit), Some(threshold)) => {
            Ok(ResponseOutcome::Success(ResponseValue::PaymentModeChanged(
                ChangePaymentModeResponse {
                    friendly_credit,
                    friendly_credit_calendar_id: cal,
                    emergency_credit_limit: limit,
                    emergency_credit_threshold: threshold,
                },
            )))
        }
        _ => Err(ResponseDecodeError::Format(
            "not a Change Payment Mode Response",
        )),
    }
}
