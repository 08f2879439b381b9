//! GCS01a: update the GSME's import tariff, primary element (DUIS 1.1.1). Critical: the builder
//! returns the pre-command. Eight to eleven GBZ components (every RTDS 1.1.1 GCS01a vector, in
//! this order): Publish Calendar, one Publish Day Profile per day, one Publish Week Profile per
//! week, Publish Seasons, Publish Special Days, Publish Tariff Information, Publish Block
//! Thresholds (block tariffs only) and Publish Price Matrix ([`super::gas_tariff`]). The GSME
//! answers one Default Response per command (RTDS ERROR: the block thresholds HARDWARE_FAILURE,
//! the price matrix not executed).

use super::common::{self, CommandHeader};
use super::gas_tariff::{self, Builder, GasCalendarUpdate, GasPrices, Issue, Reader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "GCS01a";

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::GCS01A,
    device_types: &[DeviceType::Gsme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Gbz,
    decode_command,
    decode_response,
};

/// A decoded GCS01a: the GSME's whole tariff.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GasTariffUpdate {
    /// Issuer event id and activation.
    pub issue: Issue,
    /// The tariff calendar.
    pub calendar: GasCalendarUpdate,
    /// Tariff information, block thresholds and prices.
    pub prices: GasPrices,
}

/// Builds the pre-command.
pub fn gcs01a_update_import_tariff(
    h: &CommandHeader,
    t: &GasTariffUpdate,
) -> Result<GeneralSigning, BuildError> {
    let mut b = Builder::default();
    b.calendar(&t.issue, &t.calendar)?;
    b.prices(&t.issue, &t.prices)?;
    b.finish(h, MessageCode::GCS01A)
}

/// Decodes the command strictly.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let mut r = Reader::new(apdu, NAME)?;
    let calendar = r.calendar()?;
    let (issue, prices) = r.prices(true)?;
    if calendar.days.is_empty() || calendar.weeks.is_empty() {
        return Err(common::bad(NAME, "no day or week profile"));
    }
    Ok(DecodedCommand::Gcs01a(Box::new(GasTariffUpdate {
        issue,
        calendar,
        prices,
    })))
}

/// Decodes the response: a Default Response per command, or the failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    gas_tariff::response(content, 7, usize::from(u8::MAX))
}
