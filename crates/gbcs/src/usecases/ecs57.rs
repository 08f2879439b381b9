//! ECS57: reset the ESME's maximum demand registers (DUIS 6.18.2
//! `ResetMaximumDemandRegisters`). Not critical. One DLMS ACTION `reset` (method 1, parameter
//! integer 0) per register the request names, in the order every RTDS 6.18.2 vector carries:
//! the import maximum demand (class 4 `1-0:1.6.0.255`), the configurable-period import maximum
//! demand (`1-0:1.6.1.255`), the export maximum demand (`1-0:2.6.0.255`). At least one.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{AccessResponse, CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS57";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x005A);
/// Import maximum demand, `reset`.
pub const RESET_IMPORT: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 1, 6, 0, 0xFF], 1);
/// Configurable-period import maximum demand, `reset`.
pub const RESET_CONFIGURABLE: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 1, 6, 1, 0xFF], 1);
/// Export maximum demand, `reset`.
pub const RESET_EXPORT: CosemDescriptor = CosemDescriptor::new(4, [1, 0, 2, 6, 0, 0xFF], 1);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Which maximum demand registers to reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MaxDemandResets {
    /// The import maximum demand.
    pub import: bool,
    /// The configurable-period import maximum demand.
    pub configurable: bool,
    /// The export maximum demand.
    pub export: bool,
}

impl MaxDemandResets {
    /// The ACTIONs, in order.
    pub fn methods(&self) -> Vec<CosemDescriptor> {
        [
            (self.import, RESET_IMPORT),
            (self.configurable, RESET_CONFIGURABLE),
            (self.export, RESET_EXPORT),
        ]
        .into_iter()
        .filter_map(|(on, m)| on.then_some(m))
        .collect()
    }
}

/// Builds the command (at least one register).
pub fn ecs57_reset_max_demand(
    h: &CommandHeader,
    r: &MaxDemandResets,
) -> Result<GeneralSigning, BuildError> {
    let methods = r.methods();
    if methods.is_empty() {
        return Err(BuildError::OutOfRange(
            "no maximum demand register to reset",
        ));
    }
    let n = methods.len();
    let content = common::dlms(
        h,
        methods.into_iter().map(RequestSpec::Action).collect(),
        vec![Data::Integer(0); n],
    );
    Ok(common::apdu(h, MESSAGE_CODE, content, false))
}

/// Decodes the command strictly: one to three resets, in order, each with integer 0.
pub fn decode(apdu: &GeneralSigning) -> Result<MaxDemandResets, CommandDecodeError> {
    let req = crate::dlms::AccessRequest::decode(&apdu.content)?;
    let mut r = MaxDemandResets::default();
    for spec in &req.specs {
        match spec {
            RequestSpec::Action(m) if *m == RESET_IMPORT => r.import = true,
            RequestSpec::Action(m) if *m == RESET_CONFIGURABLE => r.configurable = true,
            RequestSpec::Action(m) if *m == RESET_EXPORT => r.export = true,
            _ => return Err(common::bad(NAME, "not a maximum demand reset")),
        }
    }
    let specs: Vec<RequestSpec> = r.methods().into_iter().map(RequestSpec::Action).collect();
    if specs.is_empty() {
        return Err(common::bad(NAME, "no reset"));
    }
    // Bound to the counter, no date-time, each reset once and in order.
    let req = common::dlms_request(apdu, NAME, &specs)?;
    if req.data.iter().any(|d| *d != Data::Integer(0)) {
        return Err(common::bad(NAME, "reset parameter is not integer 0"));
    }
    Ok(r)
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu).map(DecodedCommand::Ecs57)
}

/// Decodes the response: done, or the first failing reset's DLMS result.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let n = AccessResponse::decode(content)?.results.len();
    if !(1..=3).contains(&n) {
        return Err(ResponseDecodeError::Format(
            "ECS57 answers one to three resets",
        ));
    }
    common::dlms_done_response(content, n)
}
