//! 1.5 Update Meter Balance on the ESME: ECS04a (adjust) and ECS04b (reset). Both critical: the
//! builders return the pre-command. As every RTDS 1.5 vector carries, both act on the DLMS Credit
//! objects (class 112):
//!
//! * ECS04a: one ACTION `update_amount` (method 1) of the token credit (`0-0:19.10.0.255`)
//!   with the signed adjustment (double-long);
//! * ECS04b: three ACTIONs `set_amount_to_value` (method 2, double-long 0) of the token
//!   credit, the accumulated debt register credit (`0-0:19.10.1.255`) and the emergency credit
//!   (`0-0:19.10.2.255`): the balance set to zero.
//!
//! The ESME answers one action result per request (`success`, or the RTDS ERROR vectors'
//! failure: ECS04a `hardware-fault`, ECS04b `other-reason` on its third action).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME_A: &str = "ECS04a";
const NAME_B: &str = "ECS04b";
/// Class id of the DLMS Credit objects.
pub const CLASS_CREDIT: u16 = 112;
/// The token credit's `update_amount` (method 1).
pub const UPDATE_AMOUNT: CosemDescriptor = CosemDescriptor::new(CLASS_CREDIT, CREDIT_OBIS[0], 1);
/// The three credits ECS04b sets to zero (`set_amount_to_value`, method 2).
pub const CREDIT_OBIS: [[u8; 6]; 3] = [
    [0, 0, 19, 10, 0, 0xFF],
    [0, 0, 19, 10, 1, 0xFF],
    [0, 0, 19, 10, 2, 0xFF],
];

const fn reset(i: usize) -> RequestSpec {
    RequestSpec::Action(CosemDescriptor::new(CLASS_CREDIT, CREDIT_OBIS[i], 2))
}

/// ECS04b's request specifications, in order.
pub const RESET_SPECS: [RequestSpec; 3] = [reset(0), reset(1), reset(2)];

/// ECS04a's catalogue entry.
pub static SPEC_A: UseCaseSpec = UseCaseSpec {
    name: NAME_A,
    message_code: MessageCode::ECS04A,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command: decode_command_a,
    decode_response: decode_response_a,
};

/// ECS04b's catalogue entry.
pub static SPEC_B: UseCaseSpec = UseCaseSpec {
    name: NAME_B,
    message_code: MessageCode::ECS04B,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command: decode_command_b,
    decode_response: decode_response_b,
};

/// Builds ECS04a's pre-command: add `adjustment` (signed, 10⁻⁵ GBP) to the meter balance.
pub fn ecs04a_adjust_meter_balance(h: &CommandHeader, adjustment: i32) -> GeneralSigning {
    common::fixed_action(
        h,
        MessageCode::ECS04A,
        UPDATE_AMOUNT,
        Data::DoubleLong(adjustment),
        true,
    )
}

/// Builds ECS04b's pre-command: reset the meter balance to zero.
pub fn ecs04b_reset_meter_balance(h: &CommandHeader) -> GeneralSigning {
    let content = common::dlms(h, RESET_SPECS.to_vec(), vec![Data::DoubleLong(0); 3]);
    common::apdu(h, MessageCode::ECS04B, content, true)
}

/// Decodes ECS04a: exactly the token credit's `update_amount` with a double-long.
pub fn decode_command_a(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME_A, &[RequestSpec::Action(UPDATE_AMOUNT)])?;
    match req.data[..] {
        [Data::DoubleLong(adjustment)] => Ok(DecodedCommand::Ecs04a(adjustment)),
        _ => Err(common::bad(
            NAME_A,
            "update_amount parameter is not a double-long",
        )),
    }
}

/// Decodes ECS04b: exactly the three `set_amount_to_value` actions, each to zero.
pub fn decode_command_b(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME_B, &RESET_SPECS)?;
    if req.data.iter().all(|d| *d == Data::DoubleLong(0)) {
        Ok(DecodedCommand::Ecs04b)
    } else {
        Err(common::bad(NAME_B, "set_amount_to_value is not zero"))
    }
}

/// Decodes ECS04a's response: done, or the action's failure.
pub fn decode_response_a(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}

/// Decodes ECS04b's response: done, or the first failing action's result.
pub fn decode_response_b(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, RESET_SPECS.len())
}
