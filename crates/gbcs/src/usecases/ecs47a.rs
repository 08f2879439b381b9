//! ECS47a: set auxiliary controller `n` (1–5: an ALCS / HCALCS, or an auxiliary proportional
//! controller, APC) to a commanded state level between two times. Critical: the builder returns
//! the pre-command. DLMS SET of the controller's start (class 1 `0-0:94.44.(116+n).1`
//! attribute 2) and end (`…(116+n).2`), COSEM date-time octet strings, then ACTION execute of
//! the auxiliary load script table `0-0:10.0.103.255` with script `(k·16 + n)·256 + level`, `k` =
//! 2 when the APC takes its input from the controlled load (DUIS `InputFromControlledLoad`),
//! else 1; level 0–100 (an ALCS or HCALCS is on at 100 only).
//!
//! The RTDS 4.5.0 vectors (controllers 1, 3 and 5; levels 0, 50, 100; one with input from the
//! controlled load) all follow this one rule; the switch objects are those of [`super::ecs47`].

use super::common::{self, CommandHeader};
use super::ecs47::{EXECUTE_SCRIPT, SWITCHES};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::dlms::{AccessRequest, CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS47a";
/// The highest commanded state level (percent).
pub const MAX_LEVEL: u8 = 100;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS47A,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// An ECS47a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuxControllerState {
    /// The controller, 1 to 5 (DUIS `auxiliaryControllerN`).
    pub index: u8,
    /// When the commanded level starts to apply.
    pub start: UtcDateTime,
    /// When it stops.
    pub end: UtcDateTime,
    /// The commanded state level, 0–100.
    pub level: u8,
    /// DUIS `InputFromControlledLoad` (an APC's input).
    pub input_from_controlled_load: bool,
}

impl AuxControllerState {
    /// The script the command executes.
    pub const fn script(&self) -> u16 {
        let k: u16 = if self.input_from_controlled_load {
            2
        } else {
            1
        };
        (k * 16 + self.index as u16) << 8 | self.level as u16
    }

    /// The controller's start and end objects.
    pub const fn objects(index: u8) -> [CosemDescriptor; 2] {
        [
            CosemDescriptor::new(1, [0, 0, 94, 44, 116 + index, 1], 2),
            CosemDescriptor::new(1, [0, 0, 94, 44, 116 + index, 2], 2),
        ]
    }

    fn specs_and_data(&self) -> (Vec<RequestSpec>, Vec<Data>) {
        self.specs_and_data_on(Self::objects(self.index), EXECUTE_SCRIPT)
    }

    /// The SETs of `objects` (start, end) to the period and the ACTION `execute` of the
    /// script: the layout ECS47a and ECS47e share.
    pub(crate) fn specs_and_data_on(
        &self,
        [s, e]: [CosemDescriptor; 2],
        execute: CosemDescriptor,
    ) -> (Vec<RequestSpec>, Vec<Data>) {
        (
            vec![
                RequestSpec::Set(s),
                RequestSpec::Set(e),
                RequestSpec::Action(execute),
            ],
            vec![
                self.start.to_cosem().to_octet_string(),
                self.end.to_cosem().to_octet_string(),
                Data::LongUnsigned(self.script()),
            ],
        )
    }
}

/// Builds the pre-command; a controller outside 1–5 or a level over 100 is out of range.
pub fn ecs47a_set_auxiliary_controller_state(
    h: &CommandHeader,
    c: AuxControllerState,
) -> Result<GeneralSigning, BuildError> {
    if !(1..=SWITCHES).contains(&c.index) {
        return Err(BuildError::OutOfRange("auxiliary controller index"));
    }
    if c.level > MAX_LEVEL {
        return Err(BuildError::OutOfRange("commanded state level"));
    }
    let (specs, data) = c.specs_and_data();
    Ok(common::apdu(
        h,
        MessageCode::ECS47A,
        common::dlms(h, specs, data),
        true,
    ))
}

/// Decodes the command: the controller, its times and level; the script, the objects and the
/// times must agree.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode_on(apdu, NAME, AuxControllerState::objects, EXECUTE_SCRIPT).map(DecodedCommand::Ecs47a)
}

/// Decodes the layout ECS47a and ECS47e share: the controller's `objects` set to the period,
/// then `execute` of the controller's script.
pub(crate) fn decode_on(
    apdu: &GeneralSigning,
    uc: &'static str,
    objects: fn(u8) -> [CosemDescriptor; 2],
    execute: CosemDescriptor,
) -> Result<AuxControllerState, CommandDecodeError> {
    let req = AccessRequest::decode(&apdu.content)?;
    let (
        Some(Data::OctetString(s)),
        Some(Data::OctetString(e)),
        Some(Data::LongUnsigned(script)),
        3,
    ) = (
        req.data.first(),
        req.data.get(1),
        req.data.get(2),
        req.data.len(),
    )
    else {
        return Err(common::bad(uc, "not two date-times and a script"));
    };
    let [high, level] = script.to_be_bytes();
    let (index, k) = (high & 0x0F, high >> 4);
    if !(1..=SWITCHES).contains(&index) || !(1..=2).contains(&k) || level > MAX_LEVEL {
        return Err(common::bad(uc, "not an auxiliary controller state script"));
    }
    let (Some(start), Some(end)) = (UtcDateTime::from_cosem(s), UtcDateTime::from_cosem(e)) else {
        return Err(common::bad(uc, "start or end is not a date-time"));
    };
    let c = AuxControllerState {
        index,
        start,
        end,
        level,
        input_from_controlled_load: k == 2,
    };
    let (specs, data) = c.specs_and_data_on(objects(index), execute);
    let req = common::dlms_request(apdu, uc, &specs)?;
    if req.data != data {
        return Err(common::bad(uc, "data are not the use case's"));
    }
    Ok(c)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 3)
}
