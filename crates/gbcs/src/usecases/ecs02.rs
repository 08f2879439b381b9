//! ECS02: switch the ESME to credit mode (DUIS 1.6 Update Payment Mode, `Credit`). Critical:
//! the builder returns the pre-command. DLMS SETs on the account (class 111,
//! `0-1:19.0.0.255`): the mode and status (credit, 1), the credit/charge configuration and the
//! activation time (now, a future instant, or cancel: [`super::payment_mode`]). The ESME
//! answers the three SETs' results (RTDS ERROR: the third `other-reason`).

use super::common::{self, CommandHeader};
use super::payment_mode::{
    self, ATTR_ACTIVATION_TIME, ATTR_CREDIT_CHARGE_CONFIGURATION, ATTR_PAYMENT_MODE, Activation,
    CreditChargeEntry, MODE_CREDIT, OBIS_ACCOUNT,
};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS02";
/// The account's mode and status.
pub const PAYMENT_MODE: CosemDescriptor =
    CosemDescriptor::new(111, OBIS_ACCOUNT, ATTR_PAYMENT_MODE);
/// The account's credit/charge configuration.
pub const CREDIT_CHARGE_CONFIGURATION: CosemDescriptor =
    CosemDescriptor::new(111, OBIS_ACCOUNT, ATTR_CREDIT_CHARGE_CONFIGURATION);
/// The account's activation time.
pub const ACTIVATION_TIME: CosemDescriptor =
    CosemDescriptor::new(111, OBIS_ACCOUNT, ATTR_ACTIVATION_TIME);
const SPECS: [RequestSpec; 3] = [
    RequestSpec::Set(PAYMENT_MODE),
    RequestSpec::Set(CREDIT_CHARGE_CONFIGURATION),
    RequestSpec::Set(ACTIVATION_TIME),
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS02,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A decoded ECS02.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditModeSwitch {
    /// The credit/charge configuration.
    pub entries: Vec<CreditChargeEntry>,
    /// When the switch takes effect.
    pub activation: Activation,
}

/// Builds the pre-command (entries: [`payment_mode::credit_charge_entries`]).
pub fn ecs02_update_payment_mode_credit(
    h: &CommandHeader,
    entries: &[CreditChargeEntry],
    activation: Activation,
) -> GeneralSigning {
    let content = common::dlms(
        h,
        SPECS.to_vec(),
        vec![
            payment_mode::mode_data(MODE_CREDIT),
            payment_mode::entries_data(entries),
            Data::OctetString(activation.to_cosem().to_vec()),
        ],
    );
    common::apdu(h, MessageCode::ECS02, content, true)
}

/// Decodes the command: the three SETs, credit mode.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &SPECS)?;
    let [mode, entries, activation] = &req.data[..] else {
        return Err(common::bad(NAME, "three data items expected"));
    };
    payment_mode::check_mode(NAME, mode, MODE_CREDIT)?;
    Ok(DecodedCommand::Ecs02(CreditModeSwitch {
        entries: payment_mode::entries_from(NAME, entries)?,
        activation: payment_mode::activation_from(NAME, activation)?,
    }))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, SPECS.len())
}
