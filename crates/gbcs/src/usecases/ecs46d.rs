//! ECS46d: set the ESME's auxiliary controller calendar (DUIS 6.14.3
//! `UpdateDeviceConfigurationAuxiliaryControllerScheduler`). Critical and future-datable: the
//! builder returns the pre-command. ECS46c's calendar without the HCALCS identities: one DLMS
//! Access-Request of four SETs, in the order every RTDS 4.5.0 6.14.3 vector carries, the
//! auxiliary load calendar's special days table and schedule ([`super::ecs46c::SPECIAL_DAYS`],
//! [`super::ecs46c::SCHEDULE`]) and the two activation times ([`super::ecs46c`]'s, all zero
//! immediately, all `FF` on cancellation, the instant when future dated). Each schedule entry's
//! script selector names the action ([`ControllerAction`]): controller `n` (1–5) as `0x10 + n`
//! (its output) or `0x20 + n` (an APC's input from the controlled load) in the high byte, `0x80`
//! plus the commanded level (0–100 %) in the low one.

use super::common::{self, CommandHeader};
use super::ecs46c::{self, calendar_data, calendar_from, calendar_specs, calendar_valid};
use super::payment_mode::Activation;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{AccessResponse, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS46d";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x011A);
/// The most schedule entries accepted (DUIS: 120 `AuxiliaryControllerSchedule`s).
pub const MAX_SCHEDULE: usize = 120;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// What a schedule entry does to an auxiliary controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ControllerAction {
    /// The controller, 1–5.
    pub controller: u8,
    /// The commanded state level, 0–100 (an ALCS or HCALCS is on at 100 only).
    pub level: u8,
    /// An APC's input from the controlled load (rather than its output).
    pub input_from_controlled_load: bool,
}

impl ControllerAction {
    /// The script selector naming this action.
    pub fn selector(self) -> u16 {
        let kind: u16 = if self.input_from_controlled_load {
            0x20
        } else {
            0x10
        };
        (kind + u16::from(self.controller)) << 8 | (0x80 + u16::from(self.level))
    }

    /// The action a script selector names, if it names one.
    pub fn of_selector(selector: u16) -> Option<Self> {
        let [hi, lo] = selector.to_be_bytes();
        let input_from_controlled_load = match hi >> 4 {
            1 => false,
            2 => true,
            _ => return None,
        };
        let controller = hi & 0x0F;
        let level = lo.checked_sub(0x80).filter(|l| *l <= 100)?;
        (1..=super::ecs47::SWITCHES)
            .contains(&controller)
            .then_some(Self {
                controller,
                level,
                input_from_controlled_load,
            })
    }
}

/// The auxiliary controller calendar an ECS46d carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuxCalendar {
    /// When it takes effect (immediately, future dated, or cancel the pending one).
    pub activation: Activation,
    /// The special days table's entries (structures of index, 5-byte date, day id).
    pub special_days: Vec<Data>,
    /// The schedule's entries (structures of ten fields, each selector a
    /// [`ControllerAction`]).
    pub schedule: Vec<Data>,
}

fn selector_ok(d: &Data) -> bool {
    matches!(d, Data::Structure(f)
        if matches!(f.get(3), Some(Data::LongUnsigned(s)) if ControllerAction::of_selector(*s).is_some()))
}

fn valid(c: &AuxCalendar) -> bool {
    calendar_valid(&c.special_days, &c.schedule, MAX_SCHEDULE) && c.schedule.iter().all(selector_ok)
}

fn specs() -> Vec<RequestSpec> {
    calendar_specs().into_iter().map(RequestSpec::Set).collect()
}

/// Builds the pre-command.
pub fn ecs46d_set_aux_calendar(
    h: &CommandHeader,
    c: &AuxCalendar,
) -> Result<GeneralSigning, crate::error::BuildError> {
    if !valid(c) {
        return Err(crate::error::BuildError::OutOfRange(
            "auxiliary controller calendar",
        ));
    }
    let data = calendar_data(c.activation, &c.special_days, &c.schedule).to_vec();
    let content = common::dlms(h, specs(), data);
    Ok(common::apdu(h, MESSAGE_CODE, content, true))
}

/// Decodes the command strictly.
pub fn decode(apdu: &GeneralSigning) -> Result<AuxCalendar, CommandDecodeError> {
    let req = crate::dlms::AccessRequest::decode(&apdu.content)?;
    let bad = || common::bad(NAME, "not an auxiliary controller calendar");
    if req.data.len() != req.specs.len() {
        return Err(bad());
    }
    let (activation, special_days, schedule) = calendar_from(NAME, &req.data)?;
    let c = AuxCalendar {
        activation,
        special_days,
        schedule,
    };
    if !valid(&c) {
        return Err(bad());
    }
    common::dlms_request(apdu, NAME, &specs())?;
    Ok(c)
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu).map(DecodedCommand::Ecs46d)
}

/// Decodes the response: done, or the first failing SET's DLMS result.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let n = AccessResponse::decode(content)?.results.len();
    if n != ecs46c::calendar_specs().len() {
        return Err(ResponseDecodeError::Format("ECS46d answers four SETs"));
    }
    common::dlms_done_response(content, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_name_a_controller_and_a_level() {
        for (s, c, l, i) in [
            (0x1180, 1, 0, false),
            (0x11E4, 1, 100, false),
            (0x15B2, 5, 50, false),
            (0x2180, 1, 0, true),
        ] {
            let a = ControllerAction::of_selector(s).unwrap();
            assert_eq!(
                (a.controller, a.level, a.input_from_controlled_load),
                (c, l, i)
            );
            assert_eq!(a.selector(), s);
        }
        for s in [0x0101, 0x1080, 0x1680, 0x117F, 0x11E5, 0x3180] {
            assert_eq!(ControllerAction::of_selector(s), None, "{s:04X}");
        }
    }
}
