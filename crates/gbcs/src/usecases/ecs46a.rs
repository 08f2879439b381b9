//! ECS46a: update the ESME's auxiliary load switch descriptions (DUIS 6.14.1
//! `UpdateDeviceConfigurationALCDescriptions`). Critical: the builder returns the pre-command.
//! One DLMS SET per switch named, in index order: class 1 `0-0:94.44.0.(10 + n)` attribute 2
//! (the object 7.7 ECS61a reads), a visible-string of 1 to 22 printable characters.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{AccessResponse, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS46a";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0053);
/// The longest description (DUIS `SwitchDescription`).
pub const MAX_LEN: usize = 22;

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

/// The descriptions an ECS46a sets: (switch 1–5, text), switches in increasing order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuxDescriptions(pub Vec<(u8, Vec<u8>)>);

fn valid(d: &AuxDescriptions) -> bool {
    let ok_text = |t: &[u8]| {
        !t.is_empty() && t.len() <= MAX_LEN && t.iter().all(|b| (0x20..=0x7E).contains(b))
    };
    !d.0.is_empty()
        && d.0.windows(2).all(|w| w[0].0 < w[1].0)
        && d.0
            .iter()
            .all(|(n, t)| (1..=super::ecs47::SWITCHES).contains(n) && ok_text(t))
}

/// Builds the pre-command (1 to 5 switches, increasing, each 1–22 printable characters).
pub fn ecs46a_update_aux_descriptions(
    h: &CommandHeader,
    d: &AuxDescriptions,
) -> Result<GeneralSigning, BuildError> {
    if !valid(d) {
        return Err(BuildError::OutOfRange("auxiliary load switch descriptions"));
    }
    let specs =
        d.0.iter()
            .map(|(n, _)| RequestSpec::Set(super::ecs61a::description(*n)))
            .collect();
    let data =
        d.0.iter()
            .map(|(_, t)| Data::VisibleString(t.clone()))
            .collect();
    Ok(common::apdu(
        h,
        MESSAGE_CODE,
        common::dlms(h, specs, data),
        true,
    ))
}

/// Decodes the command strictly: SETs of the switches' descriptions, increasing, valid texts.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = crate::dlms::AccessRequest::decode(&apdu.content)?;
    let bad = || common::bad(NAME, "not auxiliary load switch descriptions");
    let mut out = Vec::with_capacity(req.specs.len());
    for (spec, d) in req.specs.iter().zip(&req.data) {
        let n = (1..=super::ecs47::SWITCHES)
            .find(|n| *spec == RequestSpec::Set(super::ecs61a::description(*n)))
            .ok_or_else(bad)?;
        let Data::VisibleString(t) = d else {
            return Err(bad());
        };
        out.push((n, t.clone()));
    }
    let d = AuxDescriptions(out);
    if !valid(&d) || req.specs.len() != req.data.len() {
        return Err(bad());
    }
    let specs: Vec<RequestSpec> =
        d.0.iter()
            .map(|(n, _)| RequestSpec::Set(super::ecs61a::description(*n)))
            .collect();
    common::dlms_request(apdu, NAME, &specs)?;
    Ok(DecodedCommand::Ecs46a(d))
}

/// Decodes the response: done, or the first failing SET's DLMS result.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let n = AccessResponse::decode(content)?.results.len();
    if !(1..=5).contains(&n) {
        return Err(ResponseDecodeError::Format(
            "ECS46a answers one to five SETs",
        ));
    }
    common::dlms_done_response(content, n)
}
