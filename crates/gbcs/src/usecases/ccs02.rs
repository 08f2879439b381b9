//! CCS02: remove a device from the CHF device log. DCC-originated (ACB) on behalf of the user,
//! not signed by the DCC (RTDS `8.11_CCS02`: signature field `00`). DLMS ACTION class 104
//! method 2 (unregister_device).

use eui::Eui64;

use super::common::{self, CommandHeader, OBIS_ZIGBEE_NETWORK_CONTROL};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "CCS02";
/// ZigBee network control, method 2 (unregister_device).
pub const UNREGISTER_DEVICE: CosemDescriptor =
    CosemDescriptor::new(104, OBIS_ZIGBEE_NETWORK_CONTROL, 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CCS02,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the command.
pub fn ccs02_remove_device_from_chf_device_log(
    h: &CommandHeader,
    device_id: Eui64,
) -> GeneralSigning {
    let content = common::dlms(
        h,
        vec![RequestSpec::Action(UNREGISTER_DEVICE)],
        vec![Data::OctetString(device_id.0.to_vec())],
    );
    common::apdu(h, MessageCode::CCS02, content, false)
}

/// Decodes the command: the device to remove.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Action(UNREGISTER_DEVICE)])?;
    match &req.data[..] {
        [Data::OctetString(id)] => Eui64::from_slice(id)
            .map(DecodedCommand::Ccs02)
            .ok_or(common::bad(NAME, "device id is not eight bytes")),
        _ => Err(common::bad(NAME, "argument is not a device id")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
