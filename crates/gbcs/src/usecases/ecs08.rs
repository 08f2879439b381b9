//! ECS08 (and, sharing everything here, ECS08a): update the ESME's prepayment configuration
//! (DUIS 2.1 `UpdatePrepayConfigElectricity`). Critical and future-datable: the builder returns
//! the pre-command. One DLMS Access-Request of eighteen SETs, in the order every RTDS 4.5.0 2.1
//! ECS08/ECS08a vector carries:
//!
//! 1. the non-disablement special days table (class 11 `0-1:11.0.2.255` attribute 2);
//! 2. the maximum meter balance (class 9000 `0-0:94.44.2.20`): attribute 2 in ECS08, attribute
//!    4 in ECS08a — the only difference between the two use cases ([`Variant`]);
//! 3. the maximum credit threshold (class 9000 `0-0:94.44.2.10` attribute 4);
//! 4. the non-disablement schedule (class 10 `0-1:12.0.1.255` attribute 2), one entry per DUIS
//!    `ElectricityNonDisablementSchedule`, indexed from 1, enabled, running the non-disablement
//!    script table `0-0:10.0.106.255` (selector 32 START, 33 STOP), validity window `FFFF`;
//! 5. the debt recovery rate cap amount (`0-0:94.44.128.12` attribute 4, long-unsigned) and its
//!    period (`0-0:94.44.128.13` attribute 4, seconds; the DUIS carries no period — the DCC sends
//!    [`DEBT_RECOVERY_RATE_CAP_PERIOD`], one week, as every vector does);
//! 6. the low credit threshold (`128.9`), the emergency credit limit (`128.2`), the calendar's
//!    activation time (`128.31` attribute 6) and the emergency credit threshold (`128.3`);
//! 7. the activation time (attribute 6) of `2.20`, `2.10`, `128.12`, `128.13`, `128.9`,
//!    `128.2`, `128.3` and the special days (`128.28`).
//!
//! Every amount is the DUIS value unchanged (the RTDS vectors carry the templates' numbers
//! as they are), in the currency units the DUIS defines for the element. Every activation time carries the one
//! execution time: all zero immediately, all `FF` on cancellation, the instant when future
//! dated ([`Activation`]); the ESME raises one future-dated 8F66 alert per activation. The ESME
//! answers one result per SET (`success`, or the failing one in the RTDS ERROR vector).

use super::common::{self, CommandHeader};
use super::payment_mode::Activation;
use super::tariff::{self, SpecialDay};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS08";
/// The ECS08 message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x001F);

/// The non-disablement special days table (class 11).
pub const OBIS_SPECIAL_DAYS: [u8; 6] = [0, 1, 11, 0, 2, 0xFF];
/// The non-disablement schedule (class 10).
pub const OBIS_SCHEDULE: [u8; 6] = [0, 1, 12, 0, 1, 0xFF];
/// The non-disablement script table the schedule runs.
pub const OBIS_SCRIPT_TABLE: [u8; 6] = [0, 0, 10, 0, 106, 0xFF];
/// Maximum meter balance (class 9000).
pub const OBIS_MAX_METER_BALANCE: [u8; 6] = [0, 0, 94, 44, 2, 20];
/// Maximum credit threshold (class 9000).
pub const OBIS_MAX_CREDIT_THRESHOLD: [u8; 6] = [0, 0, 94, 44, 2, 10];
/// Debt recovery rate cap amount (class 9000).
pub const OBIS_DEBT_RECOVERY_RATE_CAP: [u8; 6] = [0, 0, 94, 44, 128, 12];
/// Debt recovery rate cap period (class 9000).
pub const OBIS_DEBT_RECOVERY_RATE_CAP_PERIOD: [u8; 6] = [0, 0, 94, 44, 128, 13];
/// Low credit threshold (class 9000).
pub const OBIS_LOW_CREDIT_THRESHOLD: [u8; 6] = [0, 0, 94, 44, 128, 9];
/// Emergency credit limit (class 9000).
pub const OBIS_EMERGENCY_CREDIT_LIMIT: [u8; 6] = [0, 0, 94, 44, 128, 2];
/// Emergency credit threshold (class 9000).
pub const OBIS_EMERGENCY_CREDIT_THRESHOLD: [u8; 6] = [0, 0, 94, 44, 128, 3];
/// Non-disablement calendar (schedule) activation (class 9000, attribute 6 only).
pub const OBIS_CALENDAR_ACTIVATION: [u8; 6] = [0, 0, 94, 44, 128, 31];
/// Non-disablement special days activation (class 9000, attribute 6 only).
pub const OBIS_SPECIAL_DAYS_ACTIVATION: [u8; 6] = [0, 0, 94, 44, 128, 28];
/// The debt recovery rate cap period the DCC sends (the DUIS has none): one week, seconds.
pub const DEBT_RECOVERY_RATE_CAP_PERIOD: u32 = 604_800;
/// Script selector of a START (non-disablement begins) schedule entry.
pub const SCRIPT_START: u16 = 32;
/// Script selector of a STOP schedule entry.
pub const SCRIPT_STOP: u16 = 33;
/// The schedule entries' validity window (not used).
const VALIDITY_WINDOW: u16 = 0xFFFF;
/// The number of SETs.
pub const REQUESTS: usize = 18;

/// Which of the two use cases: they differ only in the attribute the maximum meter balance is
/// written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// ECS08: attribute 2 of `0-0:94.44.2.20`.
    Ecs08,
    /// ECS08a: attribute 4 of `0-0:94.44.2.20`.
    Ecs08a,
}

impl Variant {
    /// The message code.
    pub const fn message_code(self) -> MessageCode {
        match self {
            Variant::Ecs08 => MESSAGE_CODE,
            Variant::Ecs08a => super::ecs08a::MESSAGE_CODE,
        }
    }
    const fn name(self) -> &'static str {
        match self {
            Variant::Ecs08 => NAME,
            Variant::Ecs08a => super::ecs08a::NAME,
        }
    }
    const fn max_meter_balance_attribute(self) -> u8 {
        match self {
            Variant::Ecs08 => 2,
            Variant::Ecs08a => 4,
        }
    }
}

const fn d9000(obis: [u8; 6], attr: u8) -> CosemDescriptor {
    CosemDescriptor::new(9000, obis, attr)
}

/// The request specifications of a variant, in order.
pub fn specs(v: Variant) -> [RequestSpec; REQUESTS] {
    let a = tariff::activation_9000;
    [
        tariff::special_days(OBIS_SPECIAL_DAYS),
        d9000(OBIS_MAX_METER_BALANCE, v.max_meter_balance_attribute()),
        d9000(OBIS_MAX_CREDIT_THRESHOLD, 4),
        CosemDescriptor::new(10, OBIS_SCHEDULE, 2),
        d9000(OBIS_DEBT_RECOVERY_RATE_CAP, 4),
        d9000(OBIS_DEBT_RECOVERY_RATE_CAP_PERIOD, 4),
        d9000(OBIS_LOW_CREDIT_THRESHOLD, 4),
        d9000(OBIS_EMERGENCY_CREDIT_LIMIT, 4),
        a(OBIS_CALENDAR_ACTIVATION),
        d9000(OBIS_EMERGENCY_CREDIT_THRESHOLD, 4),
        a(OBIS_MAX_METER_BALANCE),
        a(OBIS_MAX_CREDIT_THRESHOLD),
        a(OBIS_DEBT_RECOVERY_RATE_CAP),
        a(OBIS_DEBT_RECOVERY_RATE_CAP_PERIOD),
        a(OBIS_LOW_CREDIT_THRESHOLD),
        a(OBIS_EMERGENCY_CREDIT_LIMIT),
        a(OBIS_EMERGENCY_CREDIT_THRESHOLD),
        a(OBIS_SPECIAL_DAYS_ACTIVATION),
    ]
    .map(RequestSpec::Set)
}

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// One entry of the ESME's non-disablement schedule (a DUIS
/// `ElectricityNonDisablementSchedule`): at `switch_time` on the applicable days between `begin`
/// and `end`, non-disablement starts or stops.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NonDisablementEntry {
    /// `true` START (non-disablement begins, selector [`SCRIPT_START`]), `false` STOP.
    pub start: bool,
    /// Switch time: hour, minute, second, hundredths (COSEM time).
    pub switch_time: [u8; 4],
    /// The days of the week it applies to, Monday first.
    pub days_of_week: [bool; 7],
    /// The special days it applies to: element `i` for the special day of index `i + 1` (the
    /// bit-string's length is the vector's: the DCC sends one per special day of the request).
    pub special_days: Vec<bool>,
    /// First day (COSEM date; year `FFFF`: every year).
    pub begin: [u8; 5],
    /// Last day (COSEM date).
    pub end: [u8; 5],
}

/// The ESME prepayment configuration an ECS08/ECS08a carries (DUIS
/// `UpdatePrepayConfigElectricity`, values unchanged).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EsmePrepayConfig {
    /// When it takes effect (immediately, future dated, or cancel the pending one).
    pub activation: Activation,
    /// DUIS `DebtRecoveryRateCap` (`xs:unsignedShort`): the most debt recovered per period.
    pub debt_recovery_rate_cap: u16,
    /// The rate cap's period, seconds ([`DEBT_RECOVERY_RATE_CAP_PERIOD`] from the DCC).
    pub debt_recovery_rate_cap_period: u32,
    /// DUIS `EmergencyCreditLimit` (`xs:int`, unchanged).
    pub emergency_credit_limit: i32,
    /// DUIS `EmergencyCreditThreshold` (`xs:int`, unchanged).
    pub emergency_credit_threshold: i32,
    /// DUIS `LowCreditThreshold` (`xs:int`, unchanged).
    pub low_credit_threshold: i32,
    /// DUIS `MaxMeterBalance` (`xs:int`, unchanged).
    pub max_meter_balance: i32,
    /// DUIS `MaxCreditThreshold` (`xs:int`, unchanged).
    pub max_credit_threshold: i32,
    /// DUIS `ElectricitySpecialDays`: index, date and day id (the DCC uses the index).
    pub special_days: Vec<SpecialDay>,
    /// DUIS `ElectricityNonDisablementSchedule`s, in order (indexed from 1 on the ESME).
    pub schedule: Vec<NonDisablementEntry>,
}

fn bits_of(v: &[bool]) -> Data {
    let mut bytes = vec![0u8; v.len().div_ceil(8)];
    for (i, b) in v.iter().enumerate() {
        if *b {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }
    Data::BitString {
        bits: v.len(),
        bytes,
    }
}

fn bits_from(bits: usize, bytes: &[u8]) -> Option<Vec<bool>> {
    if bytes.len() != bits.div_ceil(8) {
        return None;
    }
    let v: Vec<bool> = (0..bits)
        .map(|i| bytes[i / 8] & (0x80 >> (i % 8)) != 0)
        .collect();
    // Padding bits must be zero (strict).
    (bits_of(&v)
        == Data::BitString {
            bits,
            bytes: bytes.to_vec(),
        })
    .then_some(v)
}

fn schedule_data(s: &[NonDisablementEntry]) -> Result<Data, BuildError> {
    let mut out = Vec::with_capacity(s.len());
    for (i, e) in s.iter().enumerate() {
        let index = u16::try_from(i + 1)
            .map_err(|_| BuildError::OutOfRange("too many schedule entries"))?;
        out.push(Data::Structure(vec![
            Data::LongUnsigned(index),
            Data::Boolean(0xFF),
            Data::OctetString(OBIS_SCRIPT_TABLE.to_vec()),
            Data::LongUnsigned(if e.start { SCRIPT_START } else { SCRIPT_STOP }),
            Data::OctetString(e.switch_time.to_vec()),
            Data::LongUnsigned(VALIDITY_WINDOW),
            bits_of(&e.days_of_week),
            bits_of(&e.special_days),
            Data::OctetString(e.begin.to_vec()),
            Data::OctetString(e.end.to_vec()),
        ]));
    }
    Ok(Data::Array(out))
}

fn octets<const N: usize>(d: &Data) -> Option<[u8; N]> {
    match d {
        Data::OctetString(b) => b.as_slice().try_into().ok(),
        _ => None,
    }
}

fn schedule_from(
    uc: &'static str,
    d: &Data,
) -> Result<Vec<NonDisablementEntry>, CommandDecodeError> {
    let Data::Array(v) = d else {
        return Err(common::bad(uc, "schedule is not an array"));
    };
    let bad = || common::bad(uc, "schedule entry is not a non-disablement entry");
    let mut out = Vec::with_capacity(v.len());
    for (i, e) in v.iter().enumerate() {
        let Data::Structure(f) = e else {
            return Err(bad());
        };
        let [
            Data::LongUnsigned(index),
            Data::Boolean(0xFF),
            script,
            Data::LongUnsigned(selector),
            time,
            Data::LongUnsigned(VALIDITY_WINDOW),
            Data::BitString {
                bits: wb,
                bytes: wd,
            },
            Data::BitString {
                bits: sb,
                bytes: sd,
            },
            begin,
            end,
        ] = &f[..]
        else {
            return Err(bad());
        };
        if usize::from(*index) != i + 1 || octets::<6>(script) != Some(OBIS_SCRIPT_TABLE) {
            return Err(bad());
        }
        let start = match *selector {
            SCRIPT_START => true,
            SCRIPT_STOP => false,
            _ => return Err(common::bad(uc, "schedule script is neither START nor STOP")),
        };
        let days: [bool; 7] = bits_from(*wb, wd)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(bad)?;
        let special_days = bits_from(*sb, sd).ok_or_else(bad)?;
        out.push(NonDisablementEntry {
            start,
            switch_time: octets::<4>(time).ok_or_else(bad)?,
            days_of_week: days,
            special_days,
            begin: octets::<5>(begin).ok_or_else(bad)?,
            end: octets::<5>(end).ok_or_else(bad)?,
        });
    }
    Ok(out)
}

/// Builds the pre-command of `v` (ECS08 or ECS08a).
pub fn build(
    v: Variant,
    h: &CommandHeader,
    c: &EsmePrepayConfig,
) -> Result<GeneralSigning, BuildError> {
    let at = tariff::activation_data(c.activation);
    let data = vec![
        tariff::special_days_data(&c.special_days),
        Data::DoubleLong(c.max_meter_balance),
        Data::DoubleLong(c.max_credit_threshold),
        schedule_data(&c.schedule)?,
        Data::LongUnsigned(c.debt_recovery_rate_cap),
        Data::DoubleLong(
            i32::try_from(c.debt_recovery_rate_cap_period)
                .map_err(|_| BuildError::OutOfRange("debt recovery rate cap period"))?,
        ),
        Data::DoubleLong(c.low_credit_threshold),
        Data::DoubleLong(c.emergency_credit_limit),
        at.clone(),
        Data::DoubleLong(c.emergency_credit_threshold),
    ]
    .into_iter()
    .chain(std::iter::repeat_n(at, 8))
    .collect();
    let content = common::dlms(h, specs(v).to_vec(), data);
    Ok(common::apdu(h, v.message_code(), content, true))
}

/// Builds the ECS08 pre-command.
pub fn ecs08_update_prepay_configuration(
    h: &CommandHeader,
    c: &EsmePrepayConfig,
) -> Result<GeneralSigning, BuildError> {
    build(Variant::Ecs08, h, c)
}

/// Decodes an ECS08 or ECS08a command strictly: the eighteen SETs with data of the use case's
/// shape, every activation time the same.
pub(crate) fn decode(
    v: Variant,
    apdu: &GeneralSigning,
) -> Result<EsmePrepayConfig, CommandDecodeError> {
    let uc = v.name();
    let req = common::dlms_request(apdu, uc, &specs(v))?;
    let [
        special_days,
        Data::DoubleLong(max_meter_balance),
        Data::DoubleLong(max_credit_threshold),
        schedule,
        Data::LongUnsigned(debt_recovery_rate_cap),
        Data::DoubleLong(period),
        Data::DoubleLong(low_credit_threshold),
        Data::DoubleLong(emergency_credit_limit),
        calendar_activation,
        Data::DoubleLong(emergency_credit_threshold),
        activations @ ..,
    ] = &req.data[..]
    else {
        return Err(common::bad(
            uc,
            "data are not the prepayment configuration's",
        ));
    };
    let mut all = vec![calendar_activation.clone()];
    all.extend_from_slice(activations);
    let activation = tariff::activation_from(uc, &all)?;
    Ok(EsmePrepayConfig {
        activation,
        debt_recovery_rate_cap: *debt_recovery_rate_cap,
        debt_recovery_rate_cap_period: u32::try_from(*period)
            .map_err(|_| common::bad(uc, "negative debt recovery rate cap period"))?,
        emergency_credit_limit: *emergency_credit_limit,
        emergency_credit_threshold: *emergency_credit_threshold,
        low_credit_threshold: *low_credit_threshold,
        max_meter_balance: *max_meter_balance,
        max_credit_threshold: *max_credit_threshold,
        special_days: tariff::special_days_from(uc, special_days)?,
        schedule: schedule_from(uc, schedule)?,
    })
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    Ok(DecodedCommand::Ecs08(Box::new(decode(
        Variant::Ecs08,
        apdu,
    )?)))
}

/// Decodes the response: done, or the first failing SET's DLMS result.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, REQUESTS)
}
