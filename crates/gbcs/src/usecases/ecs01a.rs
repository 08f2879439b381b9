//! ECS01a: update the ESME's import tariff, primary element (DUIS 1.1.1). Critical: the builder
//! returns the pre-command. Twenty-one DLMS SETs (every RTDS 1.1.1 ECS01a vector, in this
//! order): the passive calendar (seasons, weeks, day profiles), the special days, the block
//! thresholds of the eight TOU rates, the currency flag, the passive standing charge and price
//! matrix, then the six activation times ([`ACTIVATIONS`]: switching table, special days,
//! currency unit, standing charge, price matrix, threshold matrix — the components the
//! future-dated `8F66` alerts name, in that order). The ESME answers the 21 SETs' results (RTDS
//! ERROR: the price matrix activation hardware-fault, the threshold activation other-reason).

use super::common::{self, CommandHeader};
use super::payment_mode::Activation;
use super::tariff::{
    self, Calendar, OBIS_CALENDAR_PRIMARY as CAL, OBIS_CURRENCY, OBIS_PRICES_PRIMARY as PRICES,
    OBIS_SPECIAL_DAYS_ACTIVATION_PRIMARY, OBIS_SPECIAL_DAYS_PRIMARY, OBIS_STANDING_CHARGE as SC,
    OBIS_THRESHOLD_ACTIVATION, THRESHOLD_RATES, UnitCharge,
};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS01a";

/// The currency flag (class 9000 `0-0:94.44.2.0` attribute 4).
pub const CURRENCY_FLAG: CosemDescriptor = CosemDescriptor::new(9000, OBIS_CURRENCY, 4);
/// The six activation-time objects, in the order of the SETs and of the outcome alerts.
pub const ACTIVATIONS: [CosemDescriptor; 6] = [
    tariff::calendar_activation(CAL),
    tariff::activation_9000(OBIS_SPECIAL_DAYS_ACTIVATION_PRIMARY),
    tariff::activation_9000(OBIS_CURRENCY),
    tariff::unit_charge_activation(SC),
    tariff::unit_charge_activation(PRICES),
    tariff::activation_9000(OBIS_THRESHOLD_ACTIVATION),
];
/// Every object SET, in order.
pub const OBJECTS: [CosemDescriptor; 21] = [
    tariff::seasons_passive(CAL),
    tariff::weeks_passive(CAL),
    tariff::days_passive(CAL),
    tariff::special_days(OBIS_SPECIAL_DAYS_PRIMARY),
    tariff::thresholds(1),
    tariff::thresholds(2),
    tariff::thresholds(3),
    tariff::thresholds(4),
    tariff::thresholds(5),
    tariff::thresholds(6),
    tariff::thresholds(7),
    tariff::thresholds(8),
    CURRENCY_FLAG,
    tariff::unit_charge_passive(SC),
    tariff::unit_charge_passive(PRICES),
    ACTIVATIONS[0],
    ACTIVATIONS[1],
    ACTIVATIONS[2],
    ACTIVATIONS[3],
    ACTIVATIONS[4],
    ACTIVATIONS[5],
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS01A,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A decoded ECS01a: the primary element's whole tariff.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrimaryTariff {
    /// The TOU calendar.
    pub calendar: Calendar,
    /// The block thresholds of each of the eight TOU rates (one to three each; `FFFFFFFF`:
    /// none).
    pub thresholds: [Vec<u32>; THRESHOLD_RATES],
    /// The currency flag (`true` in every RTDS vector).
    pub currency_flag: bool,
    /// The standing charge.
    pub standing_charge: UnitCharge,
    /// The price matrix.
    pub prices: UnitCharge,
    /// When it takes effect.
    pub activation: Activation,
}

/// Builds the pre-command.
pub fn ecs01a_update_import_tariff_primary(h: &CommandHeader, t: &PrimaryTariff) -> GeneralSigning {
    let mut data = vec![
        tariff::seasons_data(&t.calendar.seasons),
        tariff::weeks_data(&t.calendar.weeks),
        tariff::days_data(&t.calendar.days),
        tariff::special_days_data(&t.calendar.special_days),
    ];
    data.extend(t.thresholds.iter().map(|v| tariff::thresholds_data(v)));
    data.push(Data::Boolean(if t.currency_flag { 0xFF } else { 0 }));
    data.push(tariff::unit_charge_data(&t.standing_charge));
    data.push(tariff::unit_charge_data(&t.prices));
    data.extend((0..ACTIVATIONS.len()).map(|_| tariff::activation_data(t.activation)));
    let content = common::dlms(h, tariff::set_specs(&OBJECTS), data);
    common::apdu(h, MessageCode::ECS01A, content, true)
}

/// Decodes the command strictly.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &tariff::set_specs(&OBJECTS))?;
    let d = &req.data;
    if d.len() != OBJECTS.len() {
        return Err(common::bad(NAME, "21 data items expected"));
    }
    let mut thresholds: [Vec<u32>; THRESHOLD_RATES] = Default::default();
    for (i, t) in thresholds.iter_mut().enumerate() {
        *t = tariff::thresholds_from(NAME, &d[4 + i])?;
    }
    let currency_flag = match d[12] {
        Data::Boolean(b) => b != 0,
        _ => return Err(common::bad(NAME, "currency flag is not a boolean")),
    };
    Ok(DecodedCommand::Ecs01a(Box::new(PrimaryTariff {
        calendar: Calendar {
            seasons: tariff::seasons_from(NAME, &d[0])?,
            weeks: tariff::weeks_from(NAME, &d[1])?,
            days: tariff::days_from(NAME, &d[2])?,
            special_days: tariff::special_days_from(NAME, &d[3])?,
        },
        thresholds,
        currency_flag,
        standing_charge: tariff::unit_charge_from(NAME, &d[13])?,
        prices: tariff::unit_charge_from(NAME, &d[14])?,
        activation: tariff::activation_from(NAME, &d[15..])?,
    })))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    tariff::response(content, OBJECTS.len())
}
