//! ECS10: display a supplier message on an ESME (and the IHD that shows the meter's messages;
//! DUIS 3.1). DLMS SET, as the RTDS vector: class 1 `0-2:96.13.1.255` attribute 2 (the message
//! for the consumer) ← the message (octet string). The ESME answers the SET.

use super::common::{self, CommandHeader};
use super::settings_common;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS10";
/// The message for the consumer (class 1, attribute 2).
pub const SUPPLIER_MESSAGE: CosemDescriptor = CosemDescriptor::new(1, [0, 2, 96, 13, 1, 0xFF], 2);
/// The longest message (DUIS `SupplierMessage`: 1 to 116 characters).
pub const MAX_MESSAGE: usize = 116;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS10,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A supplier message (ECS10, GCS07): 1 to [`MAX_MESSAGE`] bytes, as sent (DUIS restricts it to
/// printable ASCII).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SupplierMessage(Vec<u8>);

impl SupplierMessage {
    /// The message, if it is 1 to [`MAX_MESSAGE`] bytes.
    pub fn new(message: &[u8]) -> Result<Self, BuildError> {
        if message.is_empty() || message.len() > MAX_MESSAGE {
            return Err(BuildError::OutOfRange("supplier message"));
        }
        Ok(Self(message.to_vec()))
    }

    /// Its bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn decoded(uc: &'static str, b: Vec<u8>) -> Result<Self, CommandDecodeError> {
        Self::new(&b).map_err(|_| common::bad(uc, "message is not 1 to 116 bytes"))
    }
}

/// Builds the command.
pub fn ecs10_display_message(h: &CommandHeader, m: &SupplierMessage) -> GeneralSigning {
    settings_common::dlms_set_command(
        h,
        MessageCode::ECS10,
        vec![(SUPPLIER_MESSAGE, Data::OctetString(m.0.clone()))],
    )
}

/// Decodes the command: the message.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    match settings_common::dlms_set(apdu, NAME, &[SUPPLIER_MESSAGE])?
        .into_iter()
        .next()
    {
        Some(Data::OctetString(m)) => SupplierMessage::decoded(NAME, m).map(DecodedCommand::Ecs10),
        _ => Err(common::bad(NAME, "the message is not an octet string")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
