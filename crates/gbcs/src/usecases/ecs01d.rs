//! ECS01d: update the ESME's prices, secondary element (DUIS 1.2.2, twin element meters).
//! Critical: the builder returns the pre-command. Two DLMS SETs (every RTDS 1.2.2 vector): the
//! secondary passive price matrix and its activation time ([`ACTIVATIONS`], the component of the
//! `8F66` alert). RTDS ERROR: the price matrix hardware-fault, the activation other-reason.

use super::common::{self, CommandHeader};
use super::payment_mode::Activation;
use super::tariff::{self, OBIS_PRICES_SECONDARY as PRICES, UnitCharge};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS01d";

/// The activation-time object (the outcome alert's component).
pub const ACTIVATIONS: [CosemDescriptor; 1] = [tariff::unit_charge_activation(PRICES)];
/// Every object SET, in order.
pub const OBJECTS: [CosemDescriptor; 2] = [tariff::unit_charge_passive(PRICES), ACTIVATIONS[0]];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS01D,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A decoded ECS01d: the secondary element's prices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecondaryPrices {
    /// The price matrix.
    pub prices: UnitCharge,
    /// When they take effect.
    pub activation: Activation,
}

/// Builds the pre-command.
pub fn ecs01d_update_price_secondary(h: &CommandHeader, p: &SecondaryPrices) -> GeneralSigning {
    let data = vec![
        tariff::unit_charge_data(&p.prices),
        tariff::activation_data(p.activation),
    ];
    let content = common::dlms(h, tariff::set_specs(&OBJECTS), data);
    common::apdu(h, MessageCode::ECS01D, content, true)
}

/// Decodes the command strictly.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &tariff::set_specs(&OBJECTS))?;
    let [prices, activation] = &req.data[..] else {
        return Err(common::bad(NAME, "two data items expected"));
    };
    Ok(DecodedCommand::Ecs01d(SecondaryPrices {
        prices: tariff::unit_charge_from(NAME, prices)?,
        activation: tariff::activation_from(NAME, std::slice::from_ref(activation))?,
    }))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    tariff::response(content, OBJECTS.len())
}
