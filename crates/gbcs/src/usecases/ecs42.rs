//! ECS42: remotely close the load switch (enable supply). Critical: the builder returns the
//! pre-command. DLMS ACTION script table `0-0:10.0.106.255` execute, script 51.

use super::common::{self, CommandHeader, OBIS_DISCONNECT_SCRIPTS};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS42";
/// Script table, method 1 (execute).
pub const EXECUTE_SCRIPT: CosemDescriptor = CosemDescriptor::new(9, OBIS_DISCONNECT_SCRIPTS, 1);
/// The script that closes the load switch.
pub const SCRIPT_ENABLE: u16 = 0x0033;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS42,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A disconnect-script execution: which script runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScriptExecution {
    /// The script id (51 enable, 52 disable).
    pub script: u16,
}

pub(crate) fn build(h: &CommandHeader, code: MessageCode, script: u16) -> GeneralSigning {
    let content = common::dlms(
        h,
        vec![RequestSpec::Action(EXECUTE_SCRIPT)],
        vec![Data::LongUnsigned(script)],
    );
    common::apdu(h, code, content, true)
}

pub(crate) fn decode(
    apdu: &GeneralSigning,
    name: &'static str,
    script: u16,
) -> Result<ScriptExecution, CommandDecodeError> {
    let req = common::dlms_request(apdu, name, &[RequestSpec::Action(EXECUTE_SCRIPT)])?;
    match req.data[..] {
        [Data::LongUnsigned(s)] if s == script => Ok(ScriptExecution { script: s }),
        _ => Err(common::bad(name, "not the use case's script")),
    }
}

/// Builds the pre-command.
pub fn ecs42_enable_supply(h: &CommandHeader) -> GeneralSigning {
    build(h, MessageCode::ECS42, SCRIPT_ENABLE)
}

/// Decodes the command: the script executed.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu, NAME, SCRIPT_ENABLE).map(DecodedCommand::Ecs42)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
