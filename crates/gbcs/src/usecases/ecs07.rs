//! ECS07: update the ESME's debt. Critical: the builder returns the pre-command. One DLMS
//! Access-Request of ten requests on the three Charge objects (class 113): time-based debt 1
//! (`0-0:19.20.1.255`), time-based debt 2 (`0-0:19.20.2.255`) and payment-based debt
//! (`0-0:19.20.3.255`), in the order every RTDS 2.3 vector carries:
//!
//! 1. SET `unit_charge_passive` (attr 6) of each time-based debt: the recovery rate and its
//!    price scale (commodity scale 0, no commodity, one charge-table entry with an empty index);
//! 2. SET `proportion` (attr 13) of the payment-based debt: the debt recovery per payment;
//! 3. SET `period` (attr 8) of each time-based debt: the collection period in seconds;
//! 4. ACTION `activate_passive_unit_charge` (method 2, parameter `integer 0`) of each
//!    time-based debt;
//! 5. ACTION `update_total_amount_remaining` (method 4, a signed double-long adjustment) of the
//!    payment-based debt, then of time-based debts 1 and 2.
//!
//! The ESME answers one result per request (`success`, or the failing one in the RTDS ERROR
//! vector).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS07";
/// Class id of the DLMS Charge objects.
pub const CLASS_CHARGE: u16 = 113;
/// OBIS of time-based debt 1.
pub const OBIS_TIME_DEBT_1: [u8; 6] = [0, 0, 19, 20, 1, 0xFF];
/// OBIS of time-based debt 2.
pub const OBIS_TIME_DEBT_2: [u8; 6] = [0, 0, 19, 20, 2, 0xFF];
/// OBIS of the payment-based debt.
pub const OBIS_PAYMENT_DEBT: [u8; 6] = [0, 0, 19, 20, 3, 0xFF];
/// `activate_passive_unit_charge` parameter.
const ACTIVATE_PARAMETER: i8 = 0;

const fn set(obis: [u8; 6], attr: u8) -> RequestSpec {
    RequestSpec::Set(CosemDescriptor::new(CLASS_CHARGE, obis, attr))
}
const fn act(obis: [u8; 6], method: u8) -> RequestSpec {
    RequestSpec::Action(CosemDescriptor::new(CLASS_CHARGE, obis, method))
}

/// The request specifications, in order.
pub const SPECS: [RequestSpec; 10] = [
    set(OBIS_TIME_DEBT_1, 6),
    set(OBIS_TIME_DEBT_2, 6),
    set(OBIS_PAYMENT_DEBT, 13),
    set(OBIS_TIME_DEBT_1, 8),
    set(OBIS_TIME_DEBT_2, 8),
    act(OBIS_TIME_DEBT_1, 2),
    act(OBIS_TIME_DEBT_2, 2),
    act(OBIS_PAYMENT_DEBT, 4),
    act(OBIS_TIME_DEBT_1, 4),
    act(OBIS_TIME_DEBT_2, 4),
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS07,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// The ESME debt update ECS07 carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EsmeDebtUpdate {
    /// Recovery rate of time-based debts 1 and 2 (charge per period).
    pub time_debt_rates: [i16; 2],
    /// Price scale (power of ten) of each recovery rate.
    pub time_debt_price_scales: [i8; 2],
    /// Collection period of time-based debts 1 and 2, seconds.
    pub time_debt_periods: [u32; 2],
    /// Debt recovery per payment (the payment-based debt's proportion).
    pub debt_recovery_per_payment: u16,
    /// Adjustment to the payment-based debt (signed).
    pub payment_debt_adjustment: i32,
    /// Adjustments to time-based debts 1 and 2 (signed).
    pub time_debt_adjustments: [i32; 2],
}

fn unit_charge(rate: i16, price_scale: i8) -> Data {
    Data::Structure(vec![
        Data::Structure(vec![Data::Integer(0), Data::Integer(price_scale)]),
        Data::Structure(vec![
            Data::LongUnsigned(0),
            Data::OctetString(vec![0; 6]),
            Data::Integer(0),
        ]),
        Data::Array(vec![Data::Structure(vec![
            Data::OctetString(Vec::new()),
            Data::Long(rate),
        ])]),
    ])
}

fn rate_of(d: &Data) -> Option<(i16, i8)> {
    let Data::Structure(s) = d else { return None };
    let [Data::Structure(scale), _, Data::Array(t)] = &s[..] else {
        return None;
    };
    let [_, Data::Integer(price_scale)] = scale[..] else {
        return None;
    };
    let [Data::Structure(e)] = &t[..] else {
        return None;
    };
    let [_, Data::Long(rate)] = e[..] else {
        return None;
    };
    (unit_charge(rate, price_scale) == *d).then_some((rate, price_scale))
}

/// Builds the pre-command.
pub fn ecs07_update_debt(h: &CommandHeader, u: &EsmeDebtUpdate) -> GeneralSigning {
    let data = vec![
        unit_charge(u.time_debt_rates[0], u.time_debt_price_scales[0]),
        unit_charge(u.time_debt_rates[1], u.time_debt_price_scales[1]),
        Data::LongUnsigned(u.debt_recovery_per_payment),
        Data::DoubleLongUnsigned(u.time_debt_periods[0]),
        Data::DoubleLongUnsigned(u.time_debt_periods[1]),
        Data::Integer(ACTIVATE_PARAMETER),
        Data::Integer(ACTIVATE_PARAMETER),
        Data::DoubleLong(u.payment_debt_adjustment),
        Data::DoubleLong(u.time_debt_adjustments[0]),
        Data::DoubleLong(u.time_debt_adjustments[1]),
    ];
    let content = common::dlms(h, SPECS.to_vec(), data);
    common::apdu(h, MessageCode::ECS07, content, true)
}

/// Decodes the command: exactly the ten requests, with data of the use case's shape.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &SPECS)?;
    let [
        r1,
        r2,
        Data::LongUnsigned(debt_recovery_per_payment),
        Data::DoubleLongUnsigned(p1),
        Data::DoubleLongUnsigned(p2),
        Data::Integer(ACTIVATE_PARAMETER),
        Data::Integer(ACTIVATE_PARAMETER),
        Data::DoubleLong(payment_debt_adjustment),
        Data::DoubleLong(a1),
        Data::DoubleLong(a2),
    ] = &req.data[..]
    else {
        return Err(common::bad(NAME, "data are not the debt update's"));
    };
    let (Some((rate1, scale1)), Some((rate2, scale2))) = (rate_of(r1), rate_of(r2)) else {
        return Err(common::bad(NAME, "unit charge is not a debt recovery rate"));
    };
    Ok(DecodedCommand::Ecs07(EsmeDebtUpdate {
        time_debt_rates: [rate1, rate2],
        time_debt_price_scales: [scale1, scale2],
        time_debt_periods: [*p1, *p2],
        debt_recovery_per_payment: *debt_recovery_per_payment,
        payment_debt_adjustment: *payment_debt_adjustment,
        time_debt_adjustments: [*a1, *a2],
    }))
}

/// Decodes the response: done, or the first failing request's DLMS result.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, SPECS.len())
}
