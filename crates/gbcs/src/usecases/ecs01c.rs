//! ECS01c: update the ESME's import tariff, secondary element (DUIS 1.1.2, twin element meters).
//! Critical: the builder returns the pre-command. Eight DLMS SETs (every RTDS 1.1.2 vector): the
//! secondary passive price matrix, calendar (seasons, weeks, day profiles) and special days,
//! then the activation times ([`ACTIVATIONS`]: switching table, price matrix, special days — the
//! components of the `8F66` alerts). RTDS ERROR: the price matrix activation hardware-fault,
//! the special days activation other-reason.

use super::common::{self, CommandHeader};
use super::payment_mode::Activation;
use super::tariff::{
    self, Calendar, OBIS_CALENDAR_SECONDARY as CAL, OBIS_PRICES_SECONDARY as PRICES,
    OBIS_SPECIAL_DAYS_ACTIVATION_SECONDARY, OBIS_SPECIAL_DAYS_SECONDARY, UnitCharge,
};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS01c";

/// The activation-time objects, in the order of the SETs and of the outcome alerts.
pub const ACTIVATIONS: [CosemDescriptor; 3] = [
    tariff::calendar_activation(CAL),
    tariff::unit_charge_activation(PRICES),
    tariff::activation_9000(OBIS_SPECIAL_DAYS_ACTIVATION_SECONDARY),
];
/// Every object SET, in order.
pub const OBJECTS: [CosemDescriptor; 8] = [
    tariff::unit_charge_passive(PRICES),
    tariff::seasons_passive(CAL),
    tariff::weeks_passive(CAL),
    tariff::days_passive(CAL),
    tariff::special_days(OBIS_SPECIAL_DAYS_SECONDARY),
    ACTIVATIONS[0],
    ACTIVATIONS[1],
    ACTIVATIONS[2],
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS01C,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A decoded ECS01c: the secondary element's tariff.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecondaryTariff {
    /// The price matrix.
    pub prices: UnitCharge,
    /// The TOU calendar.
    pub calendar: Calendar,
    /// When it takes effect.
    pub activation: Activation,
}

/// Builds the pre-command.
pub fn ecs01c_update_import_tariff_secondary(
    h: &CommandHeader,
    t: &SecondaryTariff,
) -> GeneralSigning {
    let mut data = vec![
        tariff::unit_charge_data(&t.prices),
        tariff::seasons_data(&t.calendar.seasons),
        tariff::weeks_data(&t.calendar.weeks),
        tariff::days_data(&t.calendar.days),
        tariff::special_days_data(&t.calendar.special_days),
    ];
    data.extend((0..ACTIVATIONS.len()).map(|_| tariff::activation_data(t.activation)));
    let content = common::dlms(h, tariff::set_specs(&OBJECTS), data);
    common::apdu(h, MessageCode::ECS01C, content, true)
}

/// Decodes the command strictly.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &tariff::set_specs(&OBJECTS))?;
    let [prices, seasons, weeks, days, special, activations @ ..] = &req.data[..] else {
        return Err(common::bad(NAME, "eight data items expected"));
    };
    if activations.len() != ACTIVATIONS.len() {
        return Err(common::bad(NAME, "eight data items expected"));
    }
    Ok(DecodedCommand::Ecs01c(Box::new(SecondaryTariff {
        prices: tariff::unit_charge_from(NAME, prices)?,
        calendar: Calendar {
            seasons: tariff::seasons_from(NAME, seasons)?,
            weeks: tariff::weeks_from(NAME, weeks)?,
            days: tariff::days_from(NAME, days)?,
            special_days: tariff::special_days_from(NAME, special)?,
        },
        activation: tariff::activation_from(NAME, activations)?,
    })))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    tariff::response(content, OBJECTS.len())
}
