//! ECS03: switch the ESME to prepayment mode (DUIS 1.6 Update Payment Mode, `Prepayment`).
//! Critical: the builder returns the pre-command. DLMS SETs, in the RTDS order: the account's
//! mode and status (prepayment, 1), the disablement threshold (class 9000,
//! `0-0:94.44.128.22`, attribute 4, double-long), the account's credit/charge configuration,
//! the threshold's activation time (attribute 6) and the account's activation time (the same
//! instant: [`super::payment_mode`]). The ESME answers the five SETs' results.

use super::common::{self, CommandHeader};
use super::payment_mode::{self, Activation, CreditChargeEntry, MODE_PREPAYMENT};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS03";
/// OBIS of the (future-datable) disablement threshold (class 9000).
pub const OBIS_DISABLEMENT_THRESHOLD: [u8; 6] = [0, 0, 94, 44, 128, 22];
/// The disablement threshold value.
pub const DISABLEMENT_THRESHOLD: CosemDescriptor =
    CosemDescriptor::new(9000, OBIS_DISABLEMENT_THRESHOLD, 4);
/// The disablement threshold's activation time.
pub const THRESHOLD_ACTIVATION_TIME: CosemDescriptor =
    CosemDescriptor::new(9000, OBIS_DISABLEMENT_THRESHOLD, 6);
const SPECS: [RequestSpec; 5] = [
    RequestSpec::Set(super::ecs02::PAYMENT_MODE),
    RequestSpec::Set(DISABLEMENT_THRESHOLD),
    RequestSpec::Set(super::ecs02::CREDIT_CHARGE_CONFIGURATION),
    RequestSpec::Set(THRESHOLD_ACTIVATION_TIME),
    RequestSpec::Set(super::ecs02::ACTIVATION_TIME),
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS03,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A decoded ECS03.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrepaymentModeSwitch {
    /// The disablement threshold (currency units as the meter counts them).
    pub disablement_threshold: i32,
    /// The credit/charge configuration.
    pub entries: Vec<CreditChargeEntry>,
    /// When the switch takes effect.
    pub activation: Activation,
}

/// Builds the pre-command (entries: [`payment_mode::credit_charge_entries`]).
pub fn ecs03_update_payment_mode_prepayment(
    h: &CommandHeader,
    disablement_threshold: i32,
    entries: &[CreditChargeEntry],
    activation: Activation,
) -> GeneralSigning {
    let at = Data::OctetString(activation.to_cosem().to_vec());
    let content = common::dlms(
        h,
        SPECS.to_vec(),
        vec![
            payment_mode::mode_data(MODE_PREPAYMENT),
            Data::DoubleLong(disablement_threshold),
            payment_mode::entries_data(entries),
            at.clone(),
            at,
        ],
    );
    common::apdu(h, MessageCode::ECS03, content, true)
}

/// Decodes the command: the five SETs, prepayment mode, one activation time.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &SPECS)?;
    let [mode, threshold, entries, at1, at2] = &req.data[..] else {
        return Err(common::bad(NAME, "five data items expected"));
    };
    payment_mode::check_mode(NAME, mode, MODE_PREPAYMENT)?;
    let Data::DoubleLong(disablement_threshold) = *threshold else {
        return Err(common::bad(
            NAME,
            "disablement threshold is not a double-long",
        ));
    };
    let activation = payment_mode::activation_from(NAME, at1)?;
    if payment_mode::activation_from(NAME, at2)? != activation {
        return Err(common::bad(NAME, "the two activation times differ"));
    }
    Ok(DecodedCommand::Ecs03(PrepaymentModeSwitch {
        disablement_threshold,
        entries: payment_mode::entries_from(NAME, entries)?,
        activation,
    }))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, SPECS.len())
}
