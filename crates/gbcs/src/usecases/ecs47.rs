//! ECS47: control an auxiliary load switch (ALCS or HCALCS `n`, 1–5) of an ESME: activate or
//! deactivate it for a duration, or reset it (back to its calendar). Critical: the builders
//! return the pre-command. One message code, three forms (DUIS 7.5, 7.6, 7.8):
//!
//! * activate / deactivate: DLMS SET of the switch's duration (class 1 data, `0-0:94.44.(116+n).F`
//!   attribute 2, long-unsigned; `F` = 1 activate, 2 deactivate), then ACTION execute (method 1)
//!   of the auxiliary load script table `0-0:10.0.103.255` with script `n·256 + 0x11`
//!   (activate) or `n·256 + 0x12` (deactivate);
//! * reset: the ACTION alone, script `n·256 + 0x20`.
//!
//! The RTDS 4.5.0 vectors show switch 1 activated (`0-0:94.44.117.1`, script `0x0111`), switch
//! 3 deactivated (`0-0:94.44.119.2`, `0x0312`) and switch 5 reset (`0x0520`); the layout for
//! the other switches is the one rule that gives all three.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{AccessRequest, CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS47";
/// The auxiliary load script table.
pub const OBIS_AUX_SCRIPTS: [u8; 6] = [0, 0, 10, 0, 103, 0xFF];
/// Its execute method.
pub const EXECUTE_SCRIPT: CosemDescriptor = CosemDescriptor::new(9, OBIS_AUX_SCRIPTS, 1);
/// How many auxiliary load switches an ESME addresses (DUIS `range_1_5`).
pub const SWITCHES: u8 = 5;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS47,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// What an ECS47 asks of switch `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuxLoadAction {
    /// Switch on for `duration` (DUIS `Duration`, minutes).
    Activate {
        /// DUIS `Duration`.
        duration: u16,
    },
    /// Switch off for `duration` (DUIS `Duration`, minutes).
    Deactivate {
        /// DUIS `Duration`.
        duration: u16,
    },
    /// Back to the switch's calendar.
    Reset,
}

/// An ECS47 command: which switch, and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuxLoadCommand {
    /// The switch, 1 to [`SWITCHES`].
    pub index: u8,
    /// What it is asked.
    pub action: AuxLoadAction,
}

impl AuxLoadCommand {
    /// The script the command executes.
    pub const fn script(&self) -> u16 {
        let op = match self.action {
            AuxLoadAction::Activate { .. } => 0x11,
            AuxLoadAction::Deactivate { .. } => 0x12,
            AuxLoadAction::Reset => 0x20,
        };
        (self.index as u16) << 8 | op
    }

    /// The duration object the command SETs (none for a reset).
    pub const fn duration_object(&self) -> Option<CosemDescriptor> {
        let f = match self.action {
            AuxLoadAction::Activate { .. } => 1,
            AuxLoadAction::Deactivate { .. } => 2,
            AuxLoadAction::Reset => return None,
        };
        Some(CosemDescriptor::new(
            1,
            [0, 0, 94, 44, 116 + self.index, f],
            2,
        ))
    }

    fn specs_and_data(&self) -> (Vec<RequestSpec>, Vec<Data>) {
        let script = Data::LongUnsigned(self.script());
        match (self.duration_object(), self.action) {
            (
                Some(o),
                AuxLoadAction::Activate { duration } | AuxLoadAction::Deactivate { duration },
            ) => (
                vec![RequestSpec::Set(o), RequestSpec::Action(EXECUTE_SCRIPT)],
                vec![Data::LongUnsigned(duration), script],
            ),
            _ => (vec![RequestSpec::Action(EXECUTE_SCRIPT)], vec![script]),
        }
    }
}

/// Builds the pre-command; a switch index other than 1 to [`SWITCHES`] is out of range.
pub fn ecs47_auxiliary_load(
    h: &CommandHeader,
    command: AuxLoadCommand,
) -> Result<GeneralSigning, BuildError> {
    if !(1..=SWITCHES).contains(&command.index) {
        return Err(BuildError::OutOfRange("auxiliary load switch index"));
    }
    let (specs, data) = command.specs_and_data();
    Ok(common::apdu(
        h,
        MessageCode::ECS47,
        common::dlms(h, specs, data),
        true,
    ))
}

/// Decodes the command: the switch and what it is asked; exactly one of the three forms, the
/// duration object and the script naming the same switch.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = AccessRequest::decode(&apdu.content)?;
    let script = match req.data.last() {
        Some(Data::LongUnsigned(s)) => *s,
        _ => return Err(common::bad(NAME, "no script id")),
    };
    let [index, op] = script.to_be_bytes();
    if !(1..=SWITCHES).contains(&index) {
        return Err(common::bad(NAME, "script names no switch 1 to 5"));
    }
    let duration = match req.data.first() {
        Some(Data::LongUnsigned(d)) if req.data.len() == 2 => *d,
        _ => 0,
    };
    let action = match op {
        0x11 => AuxLoadAction::Activate { duration },
        0x12 => AuxLoadAction::Deactivate { duration },
        0x20 => AuxLoadAction::Reset,
        _ => return Err(common::bad(NAME, "not an auxiliary load script")),
    };
    let command = AuxLoadCommand { index, action };
    let (specs, data) = command.specs_and_data();
    let req = common::dlms_request(apdu, NAME, &specs)?;
    if req.data != data {
        return Err(common::bad(NAME, "data are not the use case's"));
    }
    Ok(DecodedCommand::Ecs47(command))
}

/// Decodes the response: done (the SET, if any, and the ACTION succeeded), or the DLMS
/// failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let r = crate::dlms::AccessResponse::decode(content)?;
    match r.results.len() {
        1 | 2 => common::dlms_done_response(content, r.results.len()),
        _ => Err(ResponseDecodeError::Format(
            "an ECS47 response answers one or two requests",
        )),
    }
}
