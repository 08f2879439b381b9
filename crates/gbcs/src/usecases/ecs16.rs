//! ECS16: update the supplier name and telephone number an ESME shows (DUIS 3.4). DLMS SET, as
//! the RTDS vector: class 9000 `0-0:96.13.0.255` attribute 2 ← the telephone number, class 9000
//! `0-0:96.13.1.255` attribute 2 ← the name (octet strings). The ESME answers each SET.

use super::common::CommandHeader;
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

const NAME: &str = "ECS16";
/// The supplier telephone number (class 9000, attribute 2).
pub const SUPPLIER_TELEPHONE: CosemDescriptor =
    CosemDescriptor::new(9000, [0, 0, 96, 13, 0, 0xFF], 2);
/// The supplier name (class 9000, attribute 2).
pub const SUPPLIER_NAME: CosemDescriptor = CosemDescriptor::new(9000, [0, 0, 96, 13, 1, 0xFF], 2);
/// The longest supplier name (DUIS `SupplierName`: 15 characters).
pub const MAX_NAME: usize = 15;
/// The longest supplier telephone number (DUIS `SupplierTelephoneNumber`: 18 characters).
pub const MAX_TELEPHONE: usize = 18;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS16,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// The supplier's name and telephone number as a meter shows them (ECS16, GCS44): bytes as sent
/// (DUIS restricts them to printable ASCII, the number to digits and spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SupplierContact {
    /// The supplier name (at most [`MAX_NAME`] bytes).
    pub name: Vec<u8>,
    /// The supplier telephone number (at most [`MAX_TELEPHONE`] bytes).
    pub telephone: Vec<u8>,
}

impl SupplierContact {
    /// The contact, if both fit their limits.
    pub fn new(name: &[u8], telephone: &[u8]) -> Result<Self, BuildError> {
        if name.len() > MAX_NAME {
            return Err(BuildError::OutOfRange("supplier name"));
        }
        if telephone.len() > MAX_TELEPHONE {
            return Err(BuildError::OutOfRange("supplier telephone number"));
        }
        Ok(Self {
            name: name.to_vec(),
            telephone: telephone.to_vec(),
        })
    }
}

/// Builds the command.
pub fn ecs16_update_supplier_name(h: &CommandHeader, c: &SupplierContact) -> GeneralSigning {
    settings_common::dlms_set_command(
        h,
        MessageCode::ECS16,
        vec![
            (SUPPLIER_TELEPHONE, Data::OctetString(c.telephone.clone())),
            (SUPPLIER_NAME, Data::OctetString(c.name.clone())),
        ],
    )
}

/// Decodes the command: the name and number set.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let data = settings_common::dlms_set(apdu, NAME, &[SUPPLIER_TELEPHONE, SUPPLIER_NAME])?;
    let [telephone, name] = &data[..] else {
        return Err(super::common::bad(NAME, "two values expected"));
    };
    Ok(DecodedCommand::Ecs16(SupplierContact {
        telephone: settings_common::octets(
            telephone,
            NAME,
            MAX_TELEPHONE,
            "telephone number is not an octet string of at most 18 bytes",
        )?,
        name: settings_common::octets(
            name,
            NAME,
            MAX_NAME,
            "name is not an octet string of at most 15 bytes",
        )?,
    }))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    super::common::dlms_done_response(content, 2)
}
