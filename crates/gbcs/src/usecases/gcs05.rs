//! GCS05: update the GSME's prepayment configuration (DUIS 2.1 `UpdatePrepayConfigGas`).
//! Critical and future-datable: the builder returns the pre-command. Twelve GBZ components in
//! every RTDS 4.5.0 2.1 GCS05 vector (sequence numbers 0…11): four ZSE Prepayment client→server
//! commands (ZCL frame control `01`), then the friendly credit (non-disablement) calendar
//! (ZSE calendar type `03`, frame control `09`, [`super::gas_tariff`]):
//!
//! 1. Emergency Credit Setup (`03`): issuer event id, start time, emergency credit limit and
//!    threshold;
//! 2. Set Overall Debt Cap (`0C`): provider id 0, issuer event id, implementation time, the
//!    DUIS `DebtRecoveryRateCap`;
//! 3. Set Low Credit Warning Level (`09`): the level only — its time is the GBZ component's
//!    from-date-time;
//! 4. Set Maximum Credit Limit (`0B`): provider id 0, issuer event id, implementation time,
//!    maximum credit level (DUIS `MaxMeterBalance`) and maximum credit per top-up (DUIS
//!    `MaxCreditThreshold`);
//! 5. Publish Calendar, one Publish Day Profile per day (entries: start minute and friendly
//!    credit enable, `1` START, `0` STOP), one Publish Week Profile per week, Publish Seasons,
//!    Publish Special Days.
//!
//! Every time carries the one execution time: `0` immediately, the ZigBee UTC instant when
//! future dated, and on cancellation `FFFFFFFF` in the Prepayment commands (and the GBZ
//! from-date-time) but `FFFFFFFE` in the calendar's (as in GCS01a). The GSME answers a ZCL
//! Default Response per command (RTDS FUTURE_DATED ERROR: the failing one, the rest not
//! executed) and raises one future-dated 8F66 alert per Prepayment command and calendar part.

use super::common::{self, CommandHeader, ZCL_DEFAULT_RESPONSE};
use super::gas_tariff::{Builder, CALENDAR_TYPE_FRIENDLY_CREDIT, GasCalendarUpdate, Issue, Reader};
use super::gcs21f::CLUSTER_CALENDAR;
use super::payment_mode::Activation;
use super::reads_inst_common::CLUSTER_PREPAYMENT;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzComponent};

const NAME: &str = "GCS05";
/// The GCS05 message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x006F);
/// ZSE Prepayment: Emergency Credit Setup.
pub const EMERGENCY_CREDIT_SETUP: u8 = 0x03;
/// ZSE Prepayment: Set Low Credit Warning Level.
pub const SET_LOW_CREDIT_WARNING_LEVEL: u8 = 0x09;
/// ZSE Prepayment: Set Maximum Credit Limit.
pub const SET_MAXIMUM_CREDIT_LIMIT: u8 = 0x0B;
/// ZSE Prepayment: Set Overall Debt Cap.
pub const SET_OVERALL_DEBT_CAP: u8 = 0x0C;
/// Frame control of the Prepayment commands (cluster specific, client to server).
const PREPAYMENT_FRAME_CONTROL: u8 = 0x01;
/// The Prepayment commands, in order.
const PREPAYMENT_COMMANDS: [u8; 4] = [
    EMERGENCY_CREDIT_SETUP,
    SET_OVERALL_DEBT_CAP,
    SET_LOW_CREDIT_WARNING_LEVEL,
    SET_MAXIMUM_CREDIT_LIMIT,
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// The GSME prepayment configuration a GCS05 carries (DUIS `UpdatePrepayConfigGas`, values
/// unchanged).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GasPrepayConfig {
    /// Issuer event id (every command) and when it takes effect.
    pub issue: Issue,
    /// DUIS `DebtRecoveryRateCap` (`xs:int`): the ZSE overall debt cap.
    pub debt_recovery_rate_cap: i32,
    /// DUIS `EmergencyCreditLimit` (`xs:unsignedInt`).
    pub emergency_credit_limit: u32,
    /// DUIS `EmergencyCreditThreshold` (`xs:unsignedInt`).
    pub emergency_credit_threshold: u32,
    /// DUIS `LowCreditThreshold` (`xs:unsignedInt`): the low credit warning level.
    pub low_credit_threshold: u32,
    /// DUIS `MaxMeterBalance` (`xs:unsignedInt`): the maximum credit level.
    pub max_meter_balance: u32,
    /// DUIS `MaxCreditThreshold` (`xs:unsignedInt`): the maximum credit per top-up.
    pub max_credit_threshold: u32,
    /// DUIS `GasNonDisablementCalendar`: day entries are (start minute, `1` START / `0` STOP).
    pub calendar: GasCalendarUpdate,
}

/// The Prepayment commands' time: `0` now, the instant, `FFFFFFFF` cancel.
fn time(a: Activation) -> Result<u32, BuildError> {
    a.to_zigbee().ok_or(BuildError::OutOfRange(
        "activation time not a ZigBee UTC time",
    ))
}

fn le(parts: &[u32]) -> Vec<u8> {
    parts.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Builds the pre-command.
pub fn gcs05_update_prepay_configuration(
    h: &CommandHeader,
    c: &GasPrepayConfig,
) -> Result<GeneralSigning, BuildError> {
    let at = time(c.issue.activation)?;
    let event = c.issue.issuer_event_id;
    let mut b = Builder::default();
    let mut prepay = |command: u8, from: Option<u32>, payload: Vec<u8>| {
        b.push_with(
            CLUSTER_PREPAYMENT,
            PREPAYMENT_FRAME_CONTROL,
            from,
            command,
            payload,
        )
    };
    prepay(
        EMERGENCY_CREDIT_SETUP,
        None,
        le(&[
            event,
            at,
            c.emergency_credit_limit,
            c.emergency_credit_threshold,
        ]),
    )?;
    prepay(
        SET_OVERALL_DEBT_CAP,
        None,
        le(&[0, event, at, c.debt_recovery_rate_cap as u32]),
    )?;
    prepay(
        SET_LOW_CREDIT_WARNING_LEVEL,
        Some(at),
        le(&[c.low_credit_threshold]),
    )?;
    prepay(
        SET_MAXIMUM_CREDIT_LIMIT,
        None,
        le(&[0, event, at, c.max_meter_balance, c.max_credit_threshold]),
    )?;
    b.calendar_of(&c.issue, &c.calendar, CALENDAR_TYPE_FRIENDLY_CREDIT)?;
    b.finish(h, MESSAGE_CODE)
}

fn words<const N: usize>(p: &[u8]) -> Option<[u32; N]> {
    if p.len() != 4 * N {
        return None;
    }
    let mut out = [0u32; N];
    for (o, c) in out.iter_mut().zip(p.chunks_exact(4)) {
        *o = u32::from_le_bytes(c.try_into().ok()?);
    }
    Some(out)
}

/// Decodes the command strictly: the four Prepayment commands and the friendly credit calendar,
/// every command on one issuer event id and one execution time.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let (prepay, mut r) = Reader::after(apdu, NAME, PREPAYMENT_COMMANDS.len())?;
    let mut payloads = Vec::with_capacity(PREPAYMENT_COMMANDS.len());
    let mut from = None;
    for (i, (c, command)) in prepay.iter().zip(PREPAYMENT_COMMANDS).enumerate() {
        let GbzComponent {
            control,
            cluster: CLUSTER_PREPAYMENT,
            body:
                GbzBody::Plain {
                    from_date_time,
                    zcl,
                },
        } = c
        else {
            return Err(common::bad(
                NAME,
                "not a plain Prepayment cluster component",
            ));
        };
        let has_from = command == SET_LOW_CREDIT_WARNING_LEVEL;
        if *control != if has_from { 0x10 } else { 0 }
            || from_date_time.is_some() != has_from
            || zcl.frame_control != PREPAYMENT_FRAME_CONTROL
            || zcl.manufacturer_code.is_some()
            || usize::from(zcl.sequence) != i
            || zcl.command != command
        {
            return Err(common::bad(
                NAME,
                "components are not the use case's Prepayment commands in order",
            ));
        }
        if has_from {
            from = *from_date_time;
        }
        payloads.push(zcl.payload.as_slice());
    }
    let bad = |what| common::bad(NAME, what);
    let [ecs, cap, low, max] = payloads[..] else {
        return Err(bad("not four Prepayment commands"));
    };
    let [
        event,
        at,
        emergency_credit_limit,
        emergency_credit_threshold,
    ] = words::<4>(ecs).ok_or(bad("Emergency Credit Setup malformed"))?;
    let [0, e2, at2, debt_cap] = words::<4>(cap).ok_or(bad("Set Overall Debt Cap malformed"))?
    else {
        return Err(bad("provider id is not 0"));
    };
    let [low_credit_threshold] = words::<1>(low).ok_or(bad("Set Low Credit Warning malformed"))?;
    let [0, e4, at4, max_meter_balance, max_credit_threshold] =
        words::<5>(max).ok_or(bad("Set Maximum Credit Limit malformed"))?
    else {
        return Err(bad("provider id is not 0"));
    };
    if [e2, e4] != [event, event] || [at2, at4] != [at, at] || from != Some(at) {
        return Err(bad("commands disagree on issuer event or start time"));
    }
    let activation = Activation::from_zigbee(at).ok_or(bad("bad start time"))?;
    let calendar = r.calendar_of(CALENDAR_TYPE_FRIENDLY_CREDIT)?;
    r.end()?;
    let issue = Issue {
        issuer_event_id: event,
        activation,
    };
    if r.issue() != Some(issue) {
        return Err(bad("the calendar disagrees on issuer event or start time"));
    }
    Ok(DecodedCommand::Gcs05(Box::new(GasPrepayConfig {
        issue,
        debt_recovery_rate_cap: debt_cap as i32,
        emergency_credit_limit,
        emergency_credit_threshold,
        low_credit_threshold,
        max_meter_balance,
        max_credit_threshold,
        calendar,
    })))
}

/// Decodes the response: a Default Response SUCCESS to each command, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    let prepay = PREPAYMENT_COMMANDS.len();
    if components.len() <= prepay + 4 {
        return Err(ResponseDecodeError::Format("not one response per command"));
    }
    for (i, c) in components.iter().enumerate() {
        let (cluster, command) = match PREPAYMENT_COMMANDS.get(i) {
            Some(command) => (CLUSTER_PREPAYMENT, Some(*command)),
            None => (CLUSTER_CALENDAR, None),
        };
        match &c.body {
            GbzBody::Plain { zcl, .. }
                if c.cluster == cluster
                    && zcl.frame_control & 0x03 == 0
                    && usize::from(zcl.sequence) == i
                    && zcl.command == ZCL_DEFAULT_RESPONSE
                    && zcl.payload.len() == 2
                    && command.is_none_or(|x| zcl.payload[0] == x)
                    && zcl.payload[1] == 0 => {}
            _ => {
                return Err(ResponseDecodeError::Format(
                    "not a Default Response per prepayment configuration command",
                ));
            }
        }
    }
    Ok(ResponseOutcome::Success(ResponseValue::Done))
}
