//! What the alert and event behaviour use cases (DUIS 6.22 Configure Alert Behaviour, 6.2.10
//! Read Event and Alert Behaviours) share.
//!
//! **ESME** (ECS25a, ECS25a1, ECS25a2, ECS25a3, ECS25b, ECS25b3 write; ECS25r1, ECS25r2 read):
//! six behaviour filters ([`AlertFilter`]), each a class 1 data object holding a 256-bit
//! bit-string over one alert-code page: the supplier's (`0x81xx`, OBIS `0-30:97.98.x`) WAN
//! alerts, HAN alerts, audible alarms and logging, the network operator's (`0x80xx`,
//! `0-33:97.98.x`) WAN alerts and logging. Alert code `0xPPnn` is bit `nn` of the bit-string
//! read as a big-endian number (bit-string position `255 - nn`). A write SETs attribute 2 of
//! `97.98.11`–`.14` with a 512-bit bit-string: the 256-bit mask of the codes it changes, then
//! their 256-bit values (a value bit outside the mask is malformed); a read GETs the current
//! 256 bits from `97.98.15`–`.18`. Derived from every RTDS 4.5.0 6.22 / 6.2.10 vector against
//! the DUIS templates (`ECS25a1`: mask `810D 8119 8168`, values `810D`).
//!
//! **GSME** (GCS20 write, GCS20r read): the ZSE Device Management cluster's event
//! configuration, one configuration byte per alert code ([`EventConfiguration`]: bits 0-2 the
//! log action, 3 WAN alert, 4 HAN alert, 6 audible alarm). GCS20 carries one Set Event
//! Configuration (`0x04`) component per distinct configuration (issuer event id, start time
//! now, configuration, control 0 "apply by list", the codes), the HAN-alerting configurations
//! first, then the WAN-alerting ones ([`GasAlertBehaviour::from_settings`]), answered by one Default
//! Response per component; GCS20r a Get Event Configuration (`0x05`) of event group `0x81FF`,
//! answered by a Report Event Configuration (`0x04`, client→server) listing each supported
//! code's configuration.
//!
//! Critical alerts (`0x8Fxx`) are never configurable here (GBCS: events in the security log
//! cannot be configured).

use super::common::{self, CommandHeader};
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

/// Bits in one behaviour filter.
pub const FILTER_BITS: usize = 256;
/// Bytes in one behaviour filter.
pub const FILTER_BYTES: usize = FILTER_BITS / 8;

/// One ESME alert / event behaviour filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertFilter {
    /// Supplier alerts sent over the WAN (ECS25a; `0-30:97.98.11` / `.15`).
    SupplierWan,
    /// Supplier events notified to HAN devices (ECS25a1; `.12` / `.16`).
    SupplierHan,
    /// Supplier audible alarms (ECS25a2; `.13` / `.17`).
    SupplierAudible,
    /// Supplier events logged (ECS25a3; `.14` / `.18`).
    SupplierLogging,
    /// Network operator alerts sent over the WAN (ECS25b; `0-33:97.98.11` / `.15`).
    NetworkWan,
    /// Network operator events logged (ECS25b3; `0-33:97.98.14` / `.18`).
    NetworkLogging,
}

impl AlertFilter {
    /// Every filter.
    pub const ALL: [Self; 6] = [
        Self::SupplierWan,
        Self::SupplierHan,
        Self::SupplierAudible,
        Self::SupplierLogging,
        Self::NetworkWan,
        Self::NetworkLogging,
    ];

    /// The supplier's filters, in ECS25r1's read order.
    pub const SUPPLIER: [Self; 4] = [
        Self::SupplierWan,
        Self::SupplierHan,
        Self::SupplierAudible,
        Self::SupplierLogging,
    ];

    /// The network operator's filters, in ECS25r2's read order.
    pub const NETWORK_OPERATOR: [Self; 2] = [Self::NetworkWan, Self::NetworkLogging];

    /// The alert-code page (high byte) the filter covers.
    pub const fn page(self) -> u8 {
        match self {
            Self::NetworkWan | Self::NetworkLogging => 0x80,
            _ => 0x81,
        }
    }

    const fn obis(self, read: bool) -> [u8; 6] {
        let (b, e) = match self {
            Self::SupplierWan => (30, 11),
            Self::SupplierHan => (30, 12),
            Self::SupplierAudible => (30, 13),
            Self::SupplierLogging => (30, 14),
            Self::NetworkWan => (33, 11),
            Self::NetworkLogging => (33, 14),
        };
        [0, b, 97, 98, if read { e + 4 } else { e }, 0xFF]
    }

    /// The object a write SETs (class 1, attribute 2).
    pub const fn write_object(self) -> CosemDescriptor {
        CosemDescriptor::new(1, self.obis(false), 2)
    }

    /// The object a read GETs (class 1, attribute 2).
    pub const fn read_object(self) -> CosemDescriptor {
        CosemDescriptor::new(1, self.obis(true), 2)
    }

    /// The message code of the use case writing the filter.
    pub const fn message_code(self) -> MessageCode {
        MessageCode(match self {
            Self::SupplierWan => 0x00AC,
            Self::SupplierHan => 0x00EA,
            Self::SupplierAudible => 0x00EB,
            Self::SupplierLogging => 0x00EC,
            Self::NetworkWan => 0x00B0,
            Self::NetworkLogging => 0x00ED,
        })
    }

    /// The filter a write use case's message code writes.
    pub fn by_message_code(code: MessageCode) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.message_code() == code)
    }

    /// Whether `code` is on the filter's page (and so configurable by it).
    pub const fn covers(self, code: u16) -> bool {
        (code >> 8) as u8 == self.page()
    }
}

/// A 256-bit filter: bit `nn` set for code `0xPPnn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilterBits(pub [u8; FILTER_BYTES]);

impl FilterBits {
    /// Nothing set.
    pub const EMPTY: Self = Self([0; FILTER_BYTES]);

    fn position(low: u8) -> (usize, u8) {
        let k = FILTER_BITS - 1 - usize::from(low);
        (k / 8, 0x80 >> (k % 8))
    }

    /// Whether the code with low byte `low` is set.
    pub fn get(&self, low: u8) -> bool {
        let (byte, mask) = Self::position(low);
        self.0[byte] & mask != 0
    }

    /// Sets or clears the code with low byte `low`.
    pub fn set(&mut self, low: u8, on: bool) {
        let (byte, mask) = Self::position(low);
        if on {
            self.0[byte] |= mask;
        } else {
            self.0[byte] &= !mask;
        }
    }

    /// The low bytes set, ascending.
    pub fn lows(&self) -> Vec<u8> {
        (0..=u8::MAX).filter(|l| self.get(*l)).collect()
    }

    /// The DLMS bit-string of the filter.
    pub fn to_data(self) -> Data {
        Data::BitString {
            bits: FILTER_BITS,
            bytes: self.0.to_vec(),
        }
    }

    /// A 256-bit bit-string datum, if `d` is one.
    pub fn from_data(d: &Data) -> Option<Self> {
        match d {
            Data::BitString { bits, bytes } if *bits == FILTER_BITS => {
                bytes.as_slice().try_into().ok().map(Self)
            }
            _ => None,
        }
    }
}

/// What an ESME write (ECS25a…ECS25b3) changes: each listed code's new setting on `filter`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlertBehaviourChange {
    /// The filter written.
    pub filter: AlertFilter,
    /// The codes changed and whether each is now enabled, ascending by code.
    pub settings: Vec<(u16, bool)>,
}

impl AlertBehaviourChange {
    /// The mask and values the change writes; a code off the filter's page is out of range.
    pub fn mask_and_values(&self) -> Result<(FilterBits, FilterBits), BuildError> {
        let mut mask = FilterBits::EMPTY;
        let mut values = FilterBits::EMPTY;
        for (code, on) in &self.settings {
            if !self.filter.covers(*code) {
                return Err(BuildError::OutOfRange(
                    "alert code not on the filter's page",
                ));
            }
            let low = (*code & 0xFF) as u8;
            mask.set(low, true);
            values.set(low, *on);
        }
        Ok((mask, values))
    }

    /// Applies the change to `current`.
    pub fn apply(&self, current: &mut FilterBits) {
        for (code, on) in &self.settings {
            if self.filter.covers(*code) {
                current.set((*code & 0xFF) as u8, *on);
            }
        }
    }
}

/// Builds an ESME write: one SET of the filter's object with mask and values.
pub(crate) fn esme_write_command(
    h: &CommandHeader,
    change: &AlertBehaviourChange,
) -> Result<GeneralSigning, BuildError> {
    let (mask, values) = change.mask_and_values()?;
    let mut bytes = mask.0.to_vec();
    bytes.extend_from_slice(&values.0);
    let data = Data::BitString {
        bits: 2 * FILTER_BITS,
        bytes,
    };
    let code = change.filter.message_code();
    Ok(common::apdu(
        h,
        code,
        common::dlms(
            h,
            vec![RequestSpec::Set(change.filter.write_object())],
            vec![data],
        ),
        false,
    ))
}

/// Decodes an ESME write of `filter` (use case `uc`).
pub(crate) fn decode_esme_write(
    apdu: &GeneralSigning,
    uc: &'static str,
    filter: AlertFilter,
) -> Result<AlertBehaviourChange, CommandDecodeError> {
    let req = common::dlms_request(apdu, uc, &[RequestSpec::Set(filter.write_object())])?;
    let Some(Data::BitString { bits, bytes }) = req.data.first() else {
        return Err(common::bad(uc, "the filter is not a bit-string"));
    };
    if *bits != 2 * FILTER_BITS || bytes.len() != 2 * FILTER_BYTES {
        return Err(common::bad(uc, "the filter is not 512 bits"));
    }
    let (m, v) = bytes.split_at(FILTER_BYTES);
    let (Ok(mask), Ok(values)) = (<[u8; 32]>::try_from(m), <[u8; 32]>::try_from(v)) else {
        return Err(common::bad(uc, "the filter is not 512 bits"));
    };
    let (mask, values) = (FilterBits(mask), FilterBits(values));
    if (0..=u8::MAX).any(|l| values.get(l) && !mask.get(l)) {
        return Err(common::bad(uc, "a value bit outside the mask"));
    }
    let page = u16::from(filter.page()) << 8;
    Ok(AlertBehaviourChange {
        filter,
        settings: mask
            .lows()
            .into_iter()
            .map(|l| (page | u16::from(l), values.get(l)))
            .collect(),
    })
}

/// The read objects of `filters`.
pub(crate) fn read_objects(filters: &[AlertFilter]) -> Vec<CosemDescriptor> {
    filters.iter().map(|f| f.read_object()).collect()
}

/// The enabled codes a read filter value holds (`None`: not a 256-bit bit-string).
pub fn enabled_codes(filter: AlertFilter, d: &Data) -> Option<Vec<u16>> {
    let bits = FilterBits::from_data(d)?;
    let page = u16::from(filter.page()) << 8;
    Some(
        bits.lows()
            .into_iter()
            .map(|l| page | u16::from(l))
            .collect(),
    )
}

/// Decodes an ESME read response over `filters`: their values (each a 256-bit bit-string), or
/// the first DLMS failure.
pub(crate) fn esme_read_response(
    content: &[u8],
    filters: &[AlertFilter],
) -> Result<ResponseOutcome, ResponseDecodeError> {
    match common::dlms_response(content, filters.len())? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(r) => {
            if r.data.iter().any(|d| FilterBits::from_data(d).is_none()) {
                return Err(ResponseDecodeError::Format(
                    "an alert filter that is not 256 bits",
                ));
            }
            Ok(ResponseOutcome::Success(ResponseValue::DlmsValues(r.data)))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// GSME.

/// ZSE Device Management cluster.
pub const CLUSTER_DEVICE_MANAGEMENT: u16 = 0x0708;
/// ZSE Set Event Configuration (server→client).
pub const SET_EVENT_CONFIGURATION: u8 = 0x04;
/// ZSE Get Event Configuration (server→client).
pub const GET_EVENT_CONFIGURATION: u8 = 0x05;
/// ZSE Report Event Configuration (client→server).
pub const REPORT_EVENT_CONFIGURATION: u8 = 0x04;
/// The event group GCS20r reads: every `0x81xx` code.
pub const EVENT_GROUP_81: u16 = 0x81FF;
/// ZCL frame control of the commands (cluster-specific, server→client).
const FC_SERVER_TO_CLIENT: u8 = 0x09;
/// ZCL frame control of the Report Event Configuration (cluster-specific, client→server).
pub const FC_CLIENT_TO_SERVER: u8 = 0x01;
/// Log action "log as general event" (what GBCS uses for `EventLog` enabled).
pub const LOG_GENERAL_EVENT: u8 = 0x03;

/// A GSME event's configuration byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventConfiguration(pub u8);

impl EventConfiguration {
    const WAN: u8 = 0x08;
    const HAN: u8 = 0x10;
    const ALARM: u8 = 0x40;

    /// From the four DUIS settings.
    pub const fn new(wan: bool, han: bool, log: bool, alarm: bool) -> Self {
        let mut b = 0;
        if log {
            b |= LOG_GENERAL_EVENT;
        }
        if wan {
            b |= Self::WAN;
        }
        if han {
            b |= Self::HAN;
        }
        if alarm {
            b |= Self::ALARM;
        }
        Self(b)
    }

    /// Whether the event is sent as a WAN alert.
    pub const fn wan(self) -> bool {
        self.0 & Self::WAN != 0
    }
    /// Whether the event is sent to HAN devices.
    pub const fn han(self) -> bool {
        self.0 & Self::HAN != 0
    }
    /// Whether the event is logged.
    pub const fn log(self) -> bool {
        self.0 & 0x07 != 0
    }
    /// Whether the event sounds the audible alarm.
    pub const fn alarm(self) -> bool {
        self.0 & Self::ALARM != 0
    }
    /// Whether the byte is one GBCS writes: log action none or general event, no ZigBee
    /// alarm, bit 7 clear.
    pub const fn is_valid(self) -> bool {
        let log = self.0 & 0x07;
        (log == 0 || log == LOG_GENERAL_EVENT) && self.0 & 0xA0 == 0
    }
}

/// What GCS20 sets: groups of codes sharing a configuration, one component each.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GasAlertBehaviour {
    /// The issuer event id of every component.
    pub issuer_event_id: u32,
    /// Each component's configuration and codes, in component order.
    pub groups: Vec<(EventConfiguration, Vec<u16>)>,
}

impl GasAlertBehaviour {
    /// Groups `settings` (in DUIS order) by configuration, each group's codes in DUIS order,
    /// in the RTDS's component order: the configurations sending HAN alerts first, then those
    /// sending WAN alerts, then the rest, each class in order of first appearance (RTDS 4.5.0
    /// 6.22 GCS20: the template's first-appearance order `08 43 5B 4B` is sent `5B 08 4B 43`).
    pub fn from_settings(issuer_event_id: u32, settings: &[(u16, EventConfiguration)]) -> Self {
        let mut groups: Vec<(EventConfiguration, Vec<u16>)> = Vec::new();
        for (code, config) in settings {
            match groups.iter_mut().find(|(c, _)| c == config) {
                Some((_, codes)) => codes.push(*code),
                None => groups.push((*config, vec![*code])),
            }
        }
        // A stable sort: ties keep their order of first appearance.
        groups.sort_by_key(|(c, _)| match (c.han(), c.wan()) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        });
        Self {
            issuer_event_id,
            groups,
        }
    }

    /// Every code and its configuration.
    pub fn settings(&self) -> impl Iterator<Item = (u16, EventConfiguration)> + '_ {
        self.groups
            .iter()
            .flat_map(|(c, codes)| codes.iter().map(move |code| (*code, *c)))
    }
}

/// Builds GCS20.
pub(crate) fn gsme_write_command(
    h: &CommandHeader,
    code: MessageCode,
    b: &GasAlertBehaviour,
) -> Result<GeneralSigning, BuildError> {
    if b.groups.is_empty() || b.groups.len() > 255 {
        return Err(BuildError::OutOfRange("GCS20 components"));
    }
    let mut frames = Vec::with_capacity(b.groups.len());
    for (i, (config, codes)) in b.groups.iter().enumerate() {
        let n = u8::try_from(codes.len())
            .ok()
            .filter(|n| *n > 0)
            .ok_or(BuildError::OutOfRange("GCS20 codes per component"))?;
        if !config.is_valid() {
            return Err(BuildError::OutOfRange("GCS20 event configuration"));
        }
        let mut payload = Vec::with_capacity(11 + 2 * codes.len());
        payload.extend_from_slice(&b.issuer_event_id.to_le_bytes());
        payload.extend_from_slice(&0u32.to_le_bytes());
        payload.push(config.0);
        payload.push(0);
        payload.push(n);
        for c in codes {
            payload.extend_from_slice(&c.to_le_bytes());
        }
        frames.push((
            CLUSTER_DEVICE_MANAGEMENT,
            None,
            ZclFrame {
                frame_control: FC_SERVER_TO_CLIENT,
                manufacturer_code: None,
                sequence: u8::try_from(i).map_err(|_| BuildError::OutOfRange("GCS20"))?,
                command: SET_EVENT_CONFIGURATION,
                payload,
            },
        ));
    }
    let content = GbzPayload::command(frames).encode()?;
    Ok(common::apdu(h, code, content, false))
}

/// Decodes GCS20.
pub(crate) fn decode_gsme_write(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<GasAlertBehaviour, CommandDecodeError> {
    let GbzPayload::Components { components, .. } =
        GbzPayload::decode(&apdu.content).map_err(|_| common::bad(uc, "not a GBZ command"))?
    else {
        return Err(common::bad(uc, "not a GBZ command"));
    };
    if components.is_empty() {
        return Err(common::bad(uc, "no components"));
    }
    let mut issuer = None;
    let mut groups = Vec::with_capacity(components.len());
    for (i, c) in components.iter().enumerate() {
        let GbzBody::Plain {
            from_date_time: None,
            zcl,
        } = &c.body
        else {
            return Err(common::bad(uc, "not a plain immediate component"));
        };
        if c.cluster != CLUSTER_DEVICE_MANAGEMENT
            || zcl.frame_control != FC_SERVER_TO_CLIENT
            || zcl.command != SET_EVENT_CONFIGURATION
            || usize::from(zcl.sequence) != i
        {
            return Err(common::bad(uc, "not a Set Event Configuration"));
        }
        let mut f = super::settings_common::ZclFields::new(uc, &zcl.payload);
        let id = f.u32()?;
        if *issuer.get_or_insert(id) != id {
            return Err(common::bad(uc, "issuer event ids differ"));
        }
        if f.u32()? != 0 {
            return Err(common::bad(uc, "start time is not now"));
        }
        let config = EventConfiguration(f.u8()?);
        if !config.is_valid() {
            return Err(common::bad(uc, "event configuration GBCS does not use"));
        }
        if f.u8()? != 0 {
            return Err(common::bad(
                uc,
                "configuration control is not apply by list",
            ));
        }
        let n = f.u8()?;
        if n == 0 {
            return Err(common::bad(uc, "no event ids"));
        }
        let mut codes = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let code = f.u16()?;
            if code >> 8 != 0x81 {
                return Err(common::bad(uc, "event id is not a non-critical alert code"));
            }
            codes.push(code);
        }
        f.finish()?;
        groups.push((config, codes));
    }
    Ok(GasAlertBehaviour {
        issuer_event_id: issuer.unwrap_or_default(),
        groups,
    })
}

/// Decodes GCS20's response: one successful Default Response per component (the count is not
/// known here), or the first failure.
pub(crate) fn gsme_write_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    for c in &components {
        match &c.body {
            GbzBody::Plain { zcl, .. }
                if c.cluster == CLUSTER_DEVICE_MANAGEMENT
                    && zcl.command == common::ZCL_DEFAULT_RESPONSE
                    && zcl.payload == [SET_EVENT_CONFIGURATION, 0] => {}
            _ => {
                return Err(ResponseDecodeError::Format(
                    "not a Default Response to Set Event Configuration",
                ));
            }
        }
    }
    Ok(ResponseOutcome::Success(ResponseValue::Done))
}

/// Builds GCS20r: Get Event Configuration of the `0x81` group.
pub(crate) fn gsme_read_command(
    h: &CommandHeader,
    code: MessageCode,
) -> Result<GeneralSigning, BuildError> {
    super::settings_common::zse_command(
        h,
        code,
        CLUSTER_DEVICE_MANAGEMENT,
        GET_EVENT_CONFIGURATION,
        EVENT_GROUP_81.to_le_bytes().to_vec(),
    )
}

/// Decodes GCS20r.
pub(crate) fn decode_gsme_read(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<(), CommandDecodeError> {
    let payload = super::settings_common::zse_payload(
        apdu,
        uc,
        CLUSTER_DEVICE_MANAGEMENT,
        GET_EVENT_CONFIGURATION,
    )?;
    let mut f = super::settings_common::ZclFields::new(uc, &payload);
    if f.u16()? != EVENT_GROUP_81 {
        return Err(common::bad(uc, "not the 0x81FF event group"));
    }
    f.finish()
}

/// The payload of a Report Event Configuration listing `configs`.
pub fn report_payload(configs: &[(u16, EventConfiguration)]) -> Vec<u8> {
    let mut p = vec![0, 1];
    for (code, c) in configs {
        p.extend_from_slice(&code.to_le_bytes());
        p.push(c.0);
    }
    p
}

/// Decodes GCS20r's response: the codes and their configurations, or the failure.
pub(crate) fn gsme_read_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    let mut out = Vec::new();
    for c in &components {
        let GbzBody::Plain { zcl, .. } = &c.body else {
            return Err(ResponseDecodeError::Format("an encrypted component"));
        };
        if c.cluster != CLUSTER_DEVICE_MANAGEMENT
            || zcl.frame_control != FC_CLIENT_TO_SERVER
            || zcl.command != REPORT_EVENT_CONFIGURATION
        {
            return Err(ResponseDecodeError::Format(
                "not a Report Event Configuration",
            ));
        }
        let [_index, _total, rest @ ..] = &zcl.payload[..] else {
            return Err(ResponseDecodeError::Format(
                "Report Event Configuration too short",
            ));
        };
        if rest.len() % 3 != 0 {
            return Err(ResponseDecodeError::Format(
                "Report Event Configuration records",
            ));
        }
        out.extend(
            rest.chunks_exact(3)
                .map(|r| (u16::from_le_bytes([r[0], r[1]]), r[2])),
        );
    }
    Ok(ResponseOutcome::Success(
        ResponseValue::EventConfigurations(out),
    ))
}

/// The ESME read objects.
pub(crate) fn esme_read_command(
    h: &CommandHeader,
    code: MessageCode,
    filters: &[AlertFilter],
) -> GeneralSigning {
    super::reads_inst_common::dlms_get_many(h, code, &read_objects(filters))
}
