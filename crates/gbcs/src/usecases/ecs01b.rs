//! ECS01b: update the ESME's prices, primary element (DUIS 1.2.1). Critical: the builder returns
//! the pre-command. Four DLMS SETs (every RTDS 1.2.1 ECS01b vector): the passive standing charge
//! and price matrix, then their activation times ([`ACTIVATIONS`]: standing charge, price matrix
//! — the components of the `8F66` alerts). RTDS ERROR: the standing charge activation
//! hardware-fault, the price matrix activation other-reason.

use super::common::{self, CommandHeader};
use super::payment_mode::Activation;
use super::tariff::{self, OBIS_PRICES_PRIMARY as PRICES, OBIS_STANDING_CHARGE as SC, UnitCharge};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS01b";

/// The activation-time objects, in the order of the SETs and of the outcome alerts.
pub const ACTIVATIONS: [CosemDescriptor; 2] = [
    tariff::unit_charge_activation(SC),
    tariff::unit_charge_activation(PRICES),
];
/// Every object SET, in order.
pub const OBJECTS: [CosemDescriptor; 4] = [
    tariff::unit_charge_passive(SC),
    tariff::unit_charge_passive(PRICES),
    ACTIVATIONS[0],
    ACTIVATIONS[1],
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS01B,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A decoded ECS01b: the primary element's prices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrimaryPrices {
    /// The standing charge.
    pub standing_charge: UnitCharge,
    /// The price matrix.
    pub prices: UnitCharge,
    /// When they take effect.
    pub activation: Activation,
}

/// Builds the pre-command.
pub fn ecs01b_update_price_primary(h: &CommandHeader, p: &PrimaryPrices) -> GeneralSigning {
    let a = tariff::activation_data(p.activation);
    let data = vec![
        tariff::unit_charge_data(&p.standing_charge),
        tariff::unit_charge_data(&p.prices),
        a.clone(),
        a,
    ];
    let content = common::dlms(h, tariff::set_specs(&OBJECTS), data);
    common::apdu(h, MessageCode::ECS01B, content, true)
}

/// Decodes the command strictly.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &tariff::set_specs(&OBJECTS))?;
    let [standing, prices, activations @ ..] = &req.data[..] else {
        return Err(common::bad(NAME, "four data items expected"));
    };
    if activations.len() != ACTIVATIONS.len() {
        return Err(common::bad(NAME, "four data items expected"));
    }
    Ok(DecodedCommand::Ecs01b(PrimaryPrices {
        standing_charge: tariff::unit_charge_from(NAME, standing)?,
        prices: tariff::unit_charge_from(NAME, prices)?,
        activation: tariff::activation_from(NAME, activations)?,
    }))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    tariff::response(content, OBJECTS.len())
}
