//! GCS01b: update the GSME's prices, primary element (DUIS 1.2.1). Critical: the builder returns
//! the pre-command. Two GBZ components (every RTDS 1.2.1 GCS01b vector): Publish Tariff
//! Information and Publish Price Matrix ([`super::gas_tariff`]). The GSME answers a Default
//! Response to each (RTDS ERROR: the tariff information HARDWARE_FAILURE, the price matrix not
//! executed).

use super::common::CommandHeader;
use super::gas_tariff::{self, Builder, GasPrices, Issue, Reader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS01b";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS01B,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A decoded GCS01b: the GSME's tariff information and prices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GasPriceUpdate {
    /// Issuer event id and activation.
    pub issue: Issue,
    /// Tariff information and prices (no block thresholds).
    pub prices: GasPrices,
}

/// Builds the pre-command; block thresholds are not part of a GCS01b.
pub fn gcs01b_update_price(
    h: &CommandHeader,
    p: &GasPriceUpdate,
) -> Result<GeneralSigning, BuildError> {
    if p.prices.block_thresholds.is_some() {
        return Err(BuildError::OutOfRange("block thresholds in a price update"));
    }
    let mut b = Builder::default();
    b.prices(&p.issue, &p.prices)?;
    b.finish(h, MessageCode::GCS01B)
}

/// Decodes the command strictly.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let mut r = Reader::new(apdu, NAME)?;
    let (issue, prices) = r.prices(false)?;
    Ok(DecodedCommand::Gcs01b(GasPriceUpdate { issue, prices }))
}

/// Decodes the response: a Default Response per command, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    gas_tariff::response(content, 2, 2)
}
