//! ECS09: activate emergency credit remotely on the ESME. Critical: the builder returns the
//! pre-command. DLMS ACTION on the emergency credit object (class 112 Credit,
//! `0-0:19.10.1.255`) method 3 `invoke_credit`, with the parameter `integer 0` (as every RTDS
//! 2.5 vector carries). The ESME answers the action's result (`success`, or `hardware-fault`
//! in the RTDS ERROR vector).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS09";
/// The emergency credit object (class 112), method 3 `invoke_credit`.
pub const INVOKE_EMERGENCY_CREDIT: CosemDescriptor =
    CosemDescriptor::new(112, [0, 0, 19, 10, 1, 0xFF], 3);
/// The method's parameter.
pub const INVOKE_PARAMETER: i8 = 0;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS09,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the pre-command.
pub fn ecs09_activate_emergency_credit(h: &CommandHeader) -> GeneralSigning {
    common::fixed_action(
        h,
        MessageCode::ECS09,
        INVOKE_EMERGENCY_CREDIT,
        Data::Integer(INVOKE_PARAMETER),
        true,
    )
}

/// Decodes the command: exactly the invocation of the emergency credit, with parameter 0.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::decode_fixed_action(
        apdu,
        NAME,
        INVOKE_EMERGENCY_CREDIT,
        &Data::Integer(INVOKE_PARAMETER),
        "invoke_credit parameter is not integer 0",
    )?;
    Ok(DecodedCommand::Ecs09)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
