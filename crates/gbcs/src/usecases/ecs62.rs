//! ECS62: set which auxiliary controllers (1–5) the boost function (the ESME's boost button)
//! controls: DUIS 7.9 Add Auxiliary Load to Boost Button and 7.10 Remove Auxiliary Load from
//! Boost Button. One DLMS SET per controller the request names (DUIS `AddToBoostButton` /
//! `RemoveFromBoostButton` true), in controller order, of its boost function association
//! (class 1 `0-0:94.44.6.n` attribute 2, a boolean): true to add it, false to remove it. A
//! controller the request leaves out (false) keeps its association.
//!
//! The RTDS 4.5.0 vectors name all five controllers (add: five TRUE, remove: five FALSE).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{AccessRequest, CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS62";
/// The number of auxiliary controllers.
pub const CONTROLLERS: u8 = 5;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS62,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Controller `n`'s boost function association (boolean: the boost button controls it).
pub const fn association(n: u8) -> CosemDescriptor {
    CosemDescriptor::new(1, [0, 0, 94, 44, 6, n], 2)
}

/// An ECS62 command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BoostAssociation {
    /// Add (true) or remove (false) the named controllers.
    pub add: bool,
    /// The controllers named: `controllers[n - 1]` for controller `n`; at least one.
    pub controllers: [bool; 5],
}

impl BoostAssociation {
    /// The controllers named, ascending.
    pub fn named(&self) -> impl Iterator<Item = u8> + '_ {
        (1..=CONTROLLERS).filter(|n| self.controllers[usize::from(n - 1)])
    }

    fn specs_and_data(&self) -> (Vec<RequestSpec>, Vec<Data>) {
        let value = Data::Boolean(if self.add { 0xFF } else { 0x00 });
        self.named()
            .map(|n| (RequestSpec::Set(association(n)), value.clone()))
            .unzip()
    }
}

/// Builds the command; one naming no controller is out of range.
pub fn ecs62_set_boost_association(
    h: &CommandHeader,
    c: BoostAssociation,
) -> Result<GeneralSigning, BuildError> {
    if c.named().next().is_none() {
        return Err(BuildError::OutOfRange("boost button controllers"));
    }
    let (specs, data) = c.specs_and_data();
    Ok(common::apdu(
        h,
        MessageCode::ECS62,
        common::dlms(h, specs, data),
        false,
    ))
}

/// Decodes the command: one to five SETs of distinct controllers' associations in ascending
/// order, all TRUE (add) or all FALSE (remove).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = AccessRequest::decode(&apdu.content)?;
    let add = match req.data.first() {
        Some(Data::Boolean(0xFF)) => true,
        Some(Data::Boolean(0x00)) => false,
        _ => return Err(common::bad(NAME, "not a boolean association")),
    };
    let mut controllers = [false; 5];
    for s in &req.specs {
        let n = (1..=CONTROLLERS)
            .find(|n| *s == RequestSpec::Set(association(*n)))
            .ok_or(common::bad(
                NAME,
                "not a SET of a boost function association",
            ))?;
        controllers[usize::from(n - 1)] = true;
    }
    let c = BoostAssociation { add, controllers };
    let (specs, _) = c.specs_and_data();
    let req = common::dlms_request(apdu, NAME, &specs)?;
    if req.data != c.specs_and_data().1 {
        return Err(common::bad(
            NAME,
            "associations are not all added or all removed",
        ));
    }
    Ok(DecodedCommand::Ecs62(c))
}

/// Decodes the response: done (one success per SET), or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let r = crate::dlms::AccessResponse::decode(content)?;
    let n = r.results.len();
    if !(1..=usize::from(CONTROLLERS)).contains(&n) {
        return Err(ResponseDecodeError::Format(
            "not one to five association results",
        ));
    }
    match common::dlms_response(content, n)? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(_) => Ok(ResponseOutcome::Success(ResponseValue::Done)),
    }
}
