//! DBCH02: read a dual-band CHF's sub-GHz channel log (DUIS 6.32). DCC-originated (ACB) on the
//! user's behalf. DLMS GET-with-selection of class 7 `0-0:94.44.10.3` attribute 2 (buffer),
//! range descriptor on the restricting object class 1 `0-0:94.44.100.255` attribute 2 (a time
//! in ZigBee UTC seconds, since 2000-01-01), from and to as double-long-unsigned, all columns;
//! answered with a compact array of (time, event code, channel details) entries, the details an
//! octet-string of the channel mask word and the reason the channel changed (`09 01 <reason>`,
//! the DUIS `ChannelChangeReason` enumeration's index).

use super::common::{self, CommandHeader};
use super::dbch01::SubGhzChannel;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::{Data, TypeDescription};
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::dlms::{CosemDescriptor, RequestSpec, SelectiveAccess};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "DBCH02";
/// The channel log (profile generic buffer).
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(7, [0, 0, 94, 44, 10, 3], 2);
/// OBIS of the range descriptor's restricting object (class 1, attribute 2).
pub const OBIS_RESTRICTING: [u8; 6] = [0, 0, 94, 44, 100, 0xFF];
/// The event code each entry carries (a sub-GHz channel change, `8F26`).
pub const CHANNEL_CHANGED: u16 = 0x8F26;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::DBCH02,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// The period a channel log read covers, ZigBee UTC seconds, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelLogPeriod {
    /// From (ZigBee UTC seconds).
    pub from: u32,
    /// To (ZigBee UTC seconds).
    pub to: u32,
}

impl ChannelLogPeriod {
    /// The period from `from` to `to`; it must not end before it starts, nor lie before 2000.
    pub fn new(from: UtcDateTime, to: UtcDateTime) -> Option<Self> {
        let (from, to) = (from.to_zigbee_utc()?, to.to_zigbee_utc()?);
        (from <= to).then_some(Self { from, to })
    }
}

/// One channel log entry: a change of the operating channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelLogEntry {
    /// When (ZigBee UTC seconds).
    pub time: u32,
    /// The event code ([`CHANNEL_CHANGED`]).
    pub event: u16,
    /// The channel moved to.
    pub channel: SubGhzChannel,
    /// Why (the index of the DUIS `ChannelChangeReason` value: 0 RemotePartyCommand, 1
    /// GSMERequest, … 7 SMHANFormation).
    pub reason: u8,
}

/// The highest reason index.
pub const MAX_REASON: u8 = 7;

const ENTRY_LEN: usize = 4 + 2 + 1 + 7;

fn description() -> TypeDescription {
    TypeDescription::Structure(vec![
        TypeDescription::Simple(0x06),
        TypeDescription::Simple(0x12),
        TypeDescription::Simple(0x09),
    ])
}

/// The compact array a CHF answers with.
pub fn entries_data(entries: &[ChannelLogEntry]) -> Data {
    let mut contents = Vec::with_capacity(entries.len() * ENTRY_LEN);
    for e in entries {
        contents.extend_from_slice(&e.time.to_be_bytes());
        contents.extend_from_slice(&e.event.to_be_bytes());
        contents.push(7);
        contents.extend_from_slice(&e.channel.word().to_be_bytes());
        contents.extend_from_slice(&[0x09, 0x01, e.reason]);
    }
    Data::CompactArray {
        description: description(),
        contents,
    }
}

fn selection(period: ChannelLogPeriod) -> SelectiveAccess {
    SelectiveAccess {
        selector: 1,
        parameters: Data::Structure(vec![
            Data::Structure(vec![
                Data::LongUnsigned(1),
                Data::OctetString(OBIS_RESTRICTING.to_vec()),
                Data::Integer(2),
                Data::LongUnsigned(0),
            ]),
            Data::DoubleLongUnsigned(period.from),
            Data::DoubleLongUnsigned(period.to),
            Data::Array(Vec::new()),
        ]),
    }
}

/// Builds the command; a period that ends before it starts is refused.
pub fn dbch02_read_sub_ghz_channel_log(
    h: &CommandHeader,
    period: ChannelLogPeriod,
) -> Result<GeneralSigning, BuildError> {
    if period.to < period.from {
        return Err(BuildError::OutOfRange(
            "channel log period ends before it starts",
        ));
    }
    let content = common::dlms(
        h,
        vec![RequestSpec::GetWithSelection(OBJECT, selection(period))],
        vec![Data::Null],
    );
    Ok(common::apdu(h, MessageCode::DBCH02, content, false))
}

/// Decodes the command: the period read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = crate::dlms::AccessRequest::decode(&apdu.content)?;
    let Some(RequestSpec::GetWithSelection(_, sel)) = req.specs.first() else {
        return Err(common::bad(NAME, "not a GET with selection"));
    };
    let Data::Structure(p) = &sel.parameters else {
        return Err(common::bad(
            NAME,
            "selection parameters are not a structure",
        ));
    };
    let [
        _,
        Data::DoubleLongUnsigned(from),
        Data::DoubleLongUnsigned(to),
        _,
    ] = p[..]
    else {
        return Err(common::bad(NAME, "not a range descriptor of two times"));
    };
    let period = ChannelLogPeriod { from, to };
    if to < from {
        return Err(common::bad(NAME, "period ends before it starts"));
    }
    // Exactly the use case's request, bound to the counter.
    let req = common::dlms_request(
        apdu,
        NAME,
        &[RequestSpec::GetWithSelection(OBJECT, selection(period))],
    )?;
    if req.data[..] != [Data::Null] {
        return Err(common::bad(NAME, "GET data must be null-data"));
    }
    Ok(DecodedCommand::Dbch02(period))
}

/// Decodes the response: the entries, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let r = match common::dlms_response(content, 1)? {
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
        Ok(r) => r,
    };
    let bad = ResponseDecodeError::Format("not a compact array of channel log entries");
    let Some(Data::CompactArray {
        description: d,
        contents,
    }) = r.data.first()
    else {
        return Err(bad);
    };
    if *d != description() || !contents.len().is_multiple_of(ENTRY_LEN) {
        return Err(bad);
    }
    contents
        .chunks_exact(ENTRY_LEN)
        .map(|row| {
            let time = u32::from_be_bytes([row[0], row[1], row[2], row[3]]);
            let event = u16::from_be_bytes([row[4], row[5]]);
            let word = u32::from_be_bytes([row[7], row[8], row[9], row[10]]);
            match (row[6], SubGhzChannel::of_word(word), &row[11..]) {
                (7, Some(channel), [0x09, 0x01, reason]) if *reason <= MAX_REASON => {
                    Ok(ChannelLogEntry {
                        time,
                        event,
                        channel,
                        reason: *reason,
                    })
                }
                _ => Err(ResponseDecodeError::Format("not a channel log entry")),
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|e| ResponseOutcome::Success(ResponseValue::SubGhzChannelLog(e)))
}
