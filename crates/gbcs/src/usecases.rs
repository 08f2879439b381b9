//! Command builders for the GBCS use cases the DCC transformer needs first.
//!
//! Every builder takes the [`CommandHeader`] (originator, recipient, counter and, for commands the
//! DCC sends on behalf of a user, the user's id and request counter) plus the use-case parameters,
//! and returns the General-Signing APDU:
//!
//! * for **critical** use cases (ECS42, ECS43, GCS32, ECS70, GCS28) the **pre-command**: no
//!   signature field. The user signs [`GeneralSigning::signed_bytes`]; the DCC then calls
//!   [`GeneralSigning::with_signature`] and [`crate::crypto::wrap_command`].
//! * for the others the unsigned **command** (signature field `00`), ready for
//!   [`crate::crypto::wrap_command`].

use eui::Eui64;

use crate::asn1::{TAG_NULL, TAG_SEQUENCE, Tlv};
use crate::axdr::{CosemDateTime, Data};
use crate::codes::{Cra, MessageCode};
use crate::datetime::UtcDateTime;
use crate::dlms::{AccessRequest, CosemDescriptor, RequestSpec, long_invoke_id};
use crate::error::BuildError;
use crate::frame::{GeneralSigning, OtherInfo, OtherInfoExt, SignatureField};
use crate::gbz::{GbzPayload, ZclFrame};

/// Who sends a command to whom, with which counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandHeader {
    /// Originator system title (the user, or a DCC role such as the ACB).
    pub originator: Eui64,
    /// Recipient device.
    pub recipient: Eui64,
    /// Originator counter (for user commands: the DUIS RequestID counter).
    pub counter: u64,
    /// For commands the DCC originates on behalf of a user: that user and their request counter
    /// (the 18-byte other-information form).
    pub on_behalf_of: Option<OnBehalfOf>,
}

/// The user a DCC-originated command is sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OnBehalfOf {
    /// The user's EUI-64 (supplementary remote party).
    pub remote_party: Eui64,
    /// The user's request counter (supplementary remote-party counter).
    pub remote_party_counter: u64,
}

impl CommandHeader {
    /// A user-originated command.
    pub const fn new(originator: Eui64, recipient: Eui64, counter: u64) -> Self {
        Self {
            originator,
            recipient,
            counter,
            on_behalf_of: None,
        }
    }

    /// A command the DCC (`originator`, e.g. the ACB) sends on behalf of `user`.
    pub const fn on_behalf_of(
        originator: Eui64,
        recipient: Eui64,
        counter: u64,
        user: Eui64,
        user_counter: u64,
    ) -> Self {
        Self {
            originator,
            recipient,
            counter,
            on_behalf_of: Some(OnBehalfOf {
                remote_party: user,
                remote_party_counter: user_counter,
            }),
        }
    }

    fn other_info(&self, code: MessageCode) -> OtherInfo {
        OtherInfo {
            message_code: code,
            ext: match self.on_behalf_of {
                None => OtherInfoExt::None,
                Some(o) => OtherInfoExt::RemotePartyCounter {
                    remote_party: o.remote_party,
                    remote_party_counter: o.remote_party_counter,
                },
            },
        }
    }
}

/// Whether a use case is critical (needs the user's signature: pre-command first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Criticality {
    Critical,
    NonCritical,
}

fn apdu(h: &CommandHeader, code: MessageCode, content: Vec<u8>, c: Criticality) -> GeneralSigning {
    GeneralSigning {
        cra: Cra::Command,
        counter: h.counter,
        originator: h.originator,
        recipient: h.recipient,
        date_time: None,
        other_info: h.other_info(code),
        content,
        signature: match c {
            Criticality::Critical => SignatureField::Absent,
            Criticality::NonCritical => SignatureField::Unsigned,
        },
    }
}

fn dlms(h: &CommandHeader, specs: Vec<RequestSpec>, data: Vec<Data>) -> Vec<u8> {
    AccessRequest {
        invoke_id: long_invoke_id(h.counter),
        date_time: Vec::new(),
        specs,
        data,
    }
    .encode()
}

fn gbz_read(cluster: u16, attributes: &[u16]) -> Result<Vec<u8>, BuildError> {
    Ok(GbzPayload::command(vec![(
        cluster,
        None,
        ZclFrame::read_attributes(0, attributes),
    )])
    .encode()?)
}

/// OBIS of the active firmware identifier (class 1).
const OBIS_FIRMWARE: [u8; 6] = [0, 0, 0, 2, 1, 0xFF];
/// OBIS of the disconnect control object (class 70).
const OBIS_DISCONNECT_CONTROL: [u8; 6] = [0, 0, 96, 3, 10, 0xFF];
/// OBIS of the disconnect script table (class 9).
const OBIS_DISCONNECT_SCRIPTS: [u8; 6] = [0, 0, 10, 0, 106, 0xFF];
/// OBIS of the clock (class 8).
const OBIS_CLOCK: [u8; 6] = [0, 0, 1, 0, 0, 0xFF];
/// OBIS of the data-protection object for energy registers (class 30).
const OBIS_DATA_PROTECTION: [u8; 6] = [0, 0, 43, 2, 8, 0xFF];
/// OBIS of the GBCS import energy register set read through data protection.
const OBIS_IMPORT_REGISTERS: [u8; 6] = [0, 0, 94, 44, 34, 10];
/// OBIS of the ZigBee network control object on the CHF (class 104).
const OBIS_ZIGBEE_NETWORK_CONTROL: [u8; 6] = [0, 0, 30, 3, 0, 0xFF];

/// ZCL Metering cluster.
pub const CLUSTER_METERING: u16 = 0x0702;

/// ECS52: read ESME (or CHF) firmware version. DLMS GET class 1 `0-0:0.2.1.255` attribute 2.
pub fn ecs52_read_firmware_version(h: &CommandHeader) -> GeneralSigning {
    let content = dlms(
        h,
        vec![RequestSpec::Get(CosemDescriptor::new(1, OBIS_FIRMWARE, 2))],
        vec![Data::Null],
    );
    apdu(h, MessageCode::ECS52, content, Criticality::NonCritical)
}

/// GCS38: read GSME firmware version. GBZ Read Attributes on Metering attribute 0x0206.
pub fn gcs38_read_firmware_version(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    let content = gbz_read(CLUSTER_METERING, &[0x0206])?;
    Ok(apdu(
        h,
        MessageCode::GCS38,
        content,
        Criticality::NonCritical,
    ))
}

/// CS08: read PPMID/HCALCS firmware version. ASN.1 NULL; the DCC (ACB) originates it on behalf
/// of the user, so `h` should carry [`CommandHeader::on_behalf_of`].
pub fn cs08_read_firmware_version(h: &CommandHeader) -> GeneralSigning {
    let content = Tlv::primitive(TAG_NULL, Vec::new()).encode();
    apdu(h, MessageCode::CS08, content, Criticality::NonCritical)
}

/// ECS45: read ESME supply status. DLMS GET class 70 attribute 3 (control state).
pub fn ecs45_read_supply_status(h: &CommandHeader) -> GeneralSigning {
    let content = dlms(
        h,
        vec![RequestSpec::Get(CosemDescriptor::new(
            70,
            OBIS_DISCONNECT_CONTROL,
            3,
        ))],
        vec![Data::Null],
    );
    apdu(h, MessageCode::ECS45, content, Criticality::NonCritical)
}

/// GCS33: read GSME supply status. GBZ Read Attributes on Metering (0x0205, 0x0014).
pub fn gcs33_read_supply_status(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    let content = gbz_read(CLUSTER_METERING, &[0x0205, 0x0014])?;
    Ok(apdu(
        h,
        MessageCode::GCS33,
        content,
        Criticality::NonCritical,
    ))
}

/// The DLMS protection parameters of a "get protected attributes" request: authenticated
/// encryption, transaction id `04 ‖ counter`, originator and recipient titles, agreed key
/// (C(0e, 2s ECC CDH)).
pub fn protection_parameters(counter: u64, originator: Eui64, recipient: Eui64) -> Data {
    let mut tid = Vec::with_capacity(9);
    tid.push(0x04);
    tid.extend_from_slice(&counter.to_be_bytes());
    Data::Structure(vec![
        Data::Enum(2),
        Data::Structure(vec![
            Data::OctetString(tid),
            Data::OctetString(originator.0.to_vec()),
            Data::OctetString(recipient.0.to_vec()),
            Data::OctetString(Vec::new()),
            Data::Structure(vec![
                Data::Enum(2),
                Data::Structure(vec![
                    Data::OctetString(vec![0x02]),
                    Data::OctetString(Vec::new()),
                ]),
            ]),
        ]),
    ])
}

/// ECS17b: read ESME energy registers (import), a protected read: DLMS ACTION class 30 method 1
/// (get protected attributes) with the protection parameters bound to this command's counter and
/// titles.
pub fn ecs17b_read_import_energy_registers(h: &CommandHeader) -> GeneralSigning {
    let objects = Data::Array(vec![Data::Structure(vec![
        Data::LongUnsigned(1),
        Data::OctetString(OBIS_IMPORT_REGISTERS.to_vec()),
        Data::Integer(2),
        Data::LongUnsigned(0),
        Data::Structure(vec![Data::Enum(0), Data::Null]),
    ])]);
    let params = Data::Array(vec![protection_parameters(
        h.counter,
        h.originator,
        h.recipient,
    )]);
    let content = dlms(
        h,
        vec![RequestSpec::Action(CosemDescriptor::new(
            30,
            OBIS_DATA_PROTECTION,
            1,
        ))],
        vec![Data::Structure(vec![objects, params])],
    );
    apdu(h, MessageCode::ECS17B, content, Criticality::NonCritical)
}

/// GCS13a: read GSME consumption register. GBZ Read Attributes on Metering (divisor, multiplier,
/// unit of measure, current summation delivered).
pub fn gcs13a_read_import_register(h: &CommandHeader) -> Result<GeneralSigning, BuildError> {
    let content = gbz_read(CLUSTER_METERING, &[0x0302, 0x0301, 0x0300, 0x0000])?;
    Ok(apdu(
        h,
        MessageCode::GCS13A,
        content,
        Criticality::NonCritical,
    ))
}

fn disconnect_script(h: &CommandHeader, code: MessageCode, script: u16) -> GeneralSigning {
    let content = dlms(
        h,
        vec![RequestSpec::Action(CosemDescriptor::new(
            9,
            OBIS_DISCONNECT_SCRIPTS,
            1,
        ))],
        vec![Data::LongUnsigned(script)],
    );
    apdu(h, code, content, Criticality::Critical)
}

/// ECS42: remotely close the load switch (enable supply). Critical: returns the pre-command.
/// DLMS ACTION script table `0-0:10.0.106.255` execute script 51.
pub fn ecs42_enable_supply(h: &CommandHeader) -> GeneralSigning {
    disconnect_script(h, MessageCode::ECS42, 0x0033)
}

/// ECS43: remotely open the load switch (disable supply). Critical: returns the pre-command.
/// DLMS ACTION script table `0-0:10.0.106.255` execute script 52.
pub fn ecs43_disable_supply(h: &CommandHeader) -> GeneralSigning {
    disconnect_script(h, MessageCode::ECS43, 0x0034)
}

/// GCS32: remotely close the gas valve (disable supply). Critical: returns the pre-command.
/// ZSE Metering "Change Supply" (0x0B): provider id 0, `issuer_event_id` (the DCC derives it from
/// the current UTC time in seconds since 2000, passed in by the caller), immediate, proposed
/// status OFF, acknowledgement required.
pub fn gcs32_disable_supply(
    h: &CommandHeader,
    issuer_event_id: u32,
) -> Result<GeneralSigning, BuildError> {
    let mut payload = Vec::with_capacity(18);
    payload.extend_from_slice(&0u32.to_le_bytes()); // provider id
    payload.extend_from_slice(&issuer_event_id.to_le_bytes());
    payload.extend_from_slice(&0u32.to_le_bytes()); // request date-time
    payload.extend_from_slice(&0u32.to_le_bytes()); // implementation date-time: now
    payload.push(0x00); // proposed supply status: off
    payload.push(0x01); // supply control bits: acknowledge required
    let zcl = ZclFrame {
        frame_control: 0x01,
        manufacturer_code: None,
        sequence: 0,
        command: 0x0B,
        payload,
    };
    let content = GbzPayload::command(vec![(CLUSTER_METERING, None, zcl)]).encode()?;
    Ok(apdu(h, MessageCode::GCS32, content, Criticality::Critical))
}

/// ECS70: set the ESME clock (also commissioning, SRV 8.1.1). Critical: returns the pre-command.
/// The validity interval runs from `current` to `current + tolerance_secs`.
pub fn ecs70_set_clock(
    h: &CommandHeader,
    current: UtcDateTime,
    tolerance_secs: u32,
) -> Result<GeneralSigning, BuildError> {
    let end = current
        .plus_seconds(tolerance_secs)
        .ok_or(BuildError::OutOfRange("tolerance_secs"))?;
    let clock = |i| CosemDescriptor::new(8, OBIS_CLOCK, i);
    let content = dlms(
        h,
        vec![
            RequestSpec::Set(clock(9)),
            RequestSpec::Action(clock(5)),
            RequestSpec::Action(clock(4)),
            RequestSpec::Get(clock(2)),
            RequestSpec::Get(clock(4)),
        ],
        vec![
            Data::Enum(5),
            Data::Structure(vec![
                CosemDateTime::NEVER.to_octet_string(),
                current.to_cosem().to_octet_string(),
                end.to_cosem().to_octet_string(),
            ]),
            Data::Integer(0),
            Data::Null,
            Data::Null,
        ],
    );
    Ok(apdu(h, MessageCode::ECS70, content, Criticality::Critical))
}

/// GCS28: set the GSME clock (also commissioning). Critical: returns the pre-command. ASN.1
/// SEQUENCE of two GeneralizedTime: `current` and `current + tolerance_secs`.
pub fn gcs28_set_clock(
    h: &CommandHeader,
    current: UtcDateTime,
    tolerance_secs: u32,
) -> Result<GeneralSigning, BuildError> {
    let end = current
        .plus_seconds(tolerance_secs)
        .ok_or(BuildError::OutOfRange("tolerance_secs"))?;
    let t = |u: UtcDateTime| {
        u.to_generalized_time()
            .to_tlv()
            .ok_or(BuildError::OutOfRange("date-time"))
    };
    let content = Tlv::constructed(TAG_SEQUENCE, vec![t(current)?, t(end)?]).encode();
    Ok(apdu(h, MessageCode::GCS28, content, Criticality::Critical))
}

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

/// CCS01: add a device to the CHF device log. DCC-originated (ACB) on behalf of the user.
/// DLMS on class 104: ACTION register_device, SET join timeout (attr 3), SET enable joining
/// (attr 2, true).
pub fn ccs01_add_device_to_chf_device_log(
    h: &CommandHeader,
    add: &DeviceLogAddition,
) -> GeneralSigning {
    let zb = |i| CosemDescriptor::new(104, OBIS_ZIGBEE_NETWORK_CONTROL, i);
    let content = dlms(
        h,
        vec![
            RequestSpec::Action(zb(1)),
            RequestSpec::Set(zb(3)),
            RequestSpec::Set(zb(2)),
        ],
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
    apdu(h, MessageCode::CCS01, content, Criticality::NonCritical)
}

/// CCS02: remove a device from the CHF device log. DCC-originated (ACB) on behalf of the user.
/// DLMS ACTION class 104 method 2 (unregister_device).
pub fn ccs02_remove_device_from_chf_device_log(
    h: &CommandHeader,
    device_id: Eui64,
) -> GeneralSigning {
    let content = dlms(
        h,
        vec![RequestSpec::Action(CosemDescriptor::new(
            104,
            OBIS_ZIGBEE_NETWORK_CONTROL,
            2,
        ))],
        vec![Data::OctetString(device_id.0.to_vec())],
    );
    apdu(h, MessageCode::CCS02, content, Criticality::NonCritical)
}
