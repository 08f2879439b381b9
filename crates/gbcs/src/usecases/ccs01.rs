//! CCS01: add a device to the CHF device log. DCC-originated (ACB) on behalf of the user, not
//! signed by the DCC (RTDS `8.11_CCS01`: signature field `00`). DLMS on class 104: ACTION
//! register_device, SET join timeout (attribute 3), SET enable joining (attribute 2, true).

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

const NAME: &str = "CCS01";

const fn zb(index: u8) -> CosemDescriptor {
    CosemDescriptor::new(104, OBIS_ZIGBEE_NETWORK_CONTROL, index)
}

/// The request specifications: register_device, join timeout, enable joining.
pub const SPECS: [RequestSpec; 3] = [
    RequestSpec::Action(zb(1)),
    RequestSpec::Set(zb(3)),
    RequestSpec::Set(zb(2)),
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CCS01,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A device to add to the CHF device log (CCS01).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceLogAddition {
    /// The device's EUI-64.
    pub device_id: Eui64,
    /// Its ZigBee install code (16 bytes for the test devices).
    pub install_code: Vec<u8>,
    /// How long joining stays open, seconds (DUIS `JoinTimePeriod`).
    pub join_time_period: u16,
    /// Second member of the `register_device` entry (RTDS: 1).
    pub key_type: u8,
    /// Fourth member of the `register_device` entry (RTDS: 0).
    pub entry_flags: u8,
}

impl DeviceLogAddition {
    /// An addition with the fixed members as the RTDS vectors carry them.
    pub fn new(device_id: Eui64, install_code: Vec<u8>, join_time_period: u16) -> Self {
        Self {
            device_id,
            install_code,
            join_time_period,
            key_type: 1,
            entry_flags: 0,
        }
    }
}

/// Builds the command.
pub fn ccs01_add_device_to_chf_device_log(
    h: &CommandHeader,
    add: &DeviceLogAddition,
) -> GeneralSigning {
    let content = common::dlms(
        h,
        SPECS.to_vec(),
        vec![
            Data::Structure(vec![
                Data::OctetString(add.device_id.0.to_vec()),
                Data::Enum(add.key_type),
                Data::OctetString(add.install_code.clone()),
                Data::Enum(add.entry_flags),
            ]),
            Data::LongUnsigned(add.join_time_period),
            Data::Boolean(0xFF),
        ],
    );
    common::apdu(h, MessageCode::CCS01, content, false)
}

/// Decodes the command: the device, install code and join time. Joining must be enabled
/// (boolean true) as the use case does.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &SPECS)?;
    let [
        Data::Structure(entry),
        Data::LongUnsigned(join_time_period),
        Data::Boolean(enable),
    ] = &req.data[..]
    else {
        return Err(common::bad(
            NAME,
            "data are not (entry, join timeout, enable)",
        ));
    };
    if *enable == 0 {
        return Err(common::bad(NAME, "joining is not enabled"));
    }
    let [
        Data::OctetString(id),
        Data::Enum(key_type),
        Data::OctetString(install_code),
        Data::Enum(entry_flags),
    ] = &entry[..]
    else {
        return Err(common::bad(
            NAME,
            "entry is not (id, key type, install code, flags)",
        ));
    };
    let device_id =
        Eui64::from_slice(id).ok_or(common::bad(NAME, "device id is not eight bytes"))?;
    if install_code.is_empty() {
        return Err(common::bad(NAME, "empty install code"));
    }
    Ok(DecodedCommand::Ccs01(DeviceLogAddition {
        device_id,
        install_code: install_code.clone(),
        join_time_period: *join_time_period,
        key_type: *key_type,
        entry_flags: *entry_flags,
    }))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, SPECS.len())
}
