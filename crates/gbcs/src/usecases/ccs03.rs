//! CCS03: restore the CHF device log (DUIS 8.12.1). The ACB originates it on the user's
//! behalf, unsigned (RTDS `8.12.1_CCS03`). One DLMS ACTION, `restore_PAN` (class 104 method 5)
//! of the CHF's network control object, with `structure { extended PAN id octet-string (8),
//! array of structure { device id octet-string (8), security details octet-string (16) } }`:
//! the network the hub forms and the devices (with their credentials' details, as a CCS07
//! backup gives them) it takes back onto its whitelist.

use eui::Eui64;

use super::common::{self, CommandHeader, OBIS_ZIGBEE_NETWORK_CONTROL};
use super::han_logs::PanBackupEntry;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "CCS03";

/// `restore_PAN` (class 104 method 5).
pub const RESTORE_PAN: CosemDescriptor = CosemDescriptor::new(104, OBIS_ZIGBEE_NETWORK_CONTROL, 5);

/// The most devices a CHF device log holds.
pub const MAX_ENTRIES: usize = 16;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::CCS03,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// What CCS03 restores.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RestorePan {
    /// The extended PAN id of the network the hub forms.
    pub extended_pan_id: [u8; 8],
    /// The devices, each with its security details (16 bytes).
    pub entries: Vec<PanBackupEntry>,
}

/// Builds the command.
pub fn ccs03_restore_chf_device_log(h: &CommandHeader, restore: &RestorePan) -> GeneralSigning {
    let parameter = Data::Structure(vec![
        Data::OctetString(restore.extended_pan_id.to_vec()),
        Data::Array(
            restore
                .entries
                .iter()
                .map(|e| {
                    Data::Structure(vec![
                        Data::OctetString(e.device.0.to_vec()),
                        Data::OctetString(e.security_details.clone()),
                    ])
                })
                .collect(),
        ),
    ]);
    common::fixed_action(h, MessageCode::CCS03, RESTORE_PAN, parameter, false)
}

/// Decodes the command: the network and at most [`MAX_ENTRIES`] devices, each once, each with
/// 16 bytes of security details.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Action(RESTORE_PAN)])?;
    let [Data::Structure(m)] = &req.data[..] else {
        return Err(common::bad(NAME, "parameter is not a structure"));
    };
    let [Data::OctetString(pan), Data::Array(items)] = &m[..] else {
        return Err(common::bad(
            NAME,
            "parameter is not (extended PAN id, devices)",
        ));
    };
    let extended_pan_id: [u8; 8] = pan
        .as_slice()
        .try_into()
        .map_err(|_| common::bad(NAME, "extended PAN id is not eight bytes"))?;
    if items.len() > MAX_ENTRIES {
        return Err(common::bad(
            NAME,
            "more devices than a CHF device log holds",
        ));
    }
    let mut entries: Vec<PanBackupEntry> = Vec::with_capacity(items.len());
    for item in items {
        let Data::Structure(e) = item else {
            return Err(common::bad(NAME, "a device is not a structure"));
        };
        let [Data::OctetString(id), Data::OctetString(sec)] = &e[..] else {
            return Err(common::bad(NAME, "a device is not (id, security details)"));
        };
        let device =
            Eui64::from_slice(id).ok_or(common::bad(NAME, "device id is not eight bytes"))?;
        if sec.len() != 16 {
            return Err(common::bad(NAME, "security details are not 16 bytes"));
        }
        if entries.iter().any(|o| o.device == device) {
            return Err(common::bad(NAME, "a device named twice"));
        }
        entries.push(PanBackupEntry {
            device,
            security_details: sec.clone(),
        });
    }
    Ok(DecodedCommand::Ccs03(RestorePan {
        extended_pan_id,
        entries,
    }))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
