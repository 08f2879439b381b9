//! ECS05: reset the ESME's tariff block counter matrix. Critical: the builder returns the
//! pre-command. DLMS ACTION on the tariffication script table (class 9, `0-0:10.0.100.255`)
//! method 1 `execute`, script 99 (as every RTDS 1.7 vector carries). The ESME answers the
//! action's result (`success`, or `hardware-fault` in the RTDS ERROR vector).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS05";
/// The tariffication script table (class 9), method 1 `execute`.
pub const EXECUTE_TARIFF_SCRIPT: CosemDescriptor =
    CosemDescriptor::new(9, [0, 0, 10, 0, 100, 0xFF], 1);
/// The script that resets the tariff block counter matrix.
pub const SCRIPT_RESET_BLOCK_COUNTERS: u16 = 0x0063;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS05,
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
pub fn ecs05_reset_tariff_block_counter_matrix(h: &CommandHeader) -> GeneralSigning {
    common::fixed_action(
        h,
        MessageCode::ECS05,
        EXECUTE_TARIFF_SCRIPT,
        Data::LongUnsigned(SCRIPT_RESET_BLOCK_COUNTERS),
        true,
    )
}

/// Decodes the command: exactly the execution of the reset script.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::decode_fixed_action(
        apdu,
        NAME,
        EXECUTE_TARIFF_SCRIPT,
        &Data::LongUnsigned(SCRIPT_RESET_BLOCK_COUNTERS),
        "not the block counter reset script",
    )?;
    Ok(DecodedCommand::Ecs05)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
