//! ECS37: set the ESME's maximum demand configurable time period (DUIS 6.18.1
//! `SetMaximumDemandConfigurableTimePeriod`). Not critical. One DLMS SET of the schedule that
//! opens and closes the configurable period (class 10 `0-0:12.0.0.255` attribute 2, the object
//! 4.12.1 ECS18b reads): two entries, as every RTDS 6.18.1 vector carries them: index 0 at the
//! start time running selector 1 (open), index 1 at the end time running selector 2 (close),
//! each enabled, of the script table `0-0:10.128.100.255`, validity window `FFFF`, every day of
//! the week, no special days, from January of year 0 without end. Times are UTC (COSEM hour,
//! minute, second, hundredths).

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::RequestSpec;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS37";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x004A);
/// The script table the schedule runs.
pub const OBIS_SCRIPT_TABLE: [u8; 6] = [0, 0, 10, 128, 100, 0xFF];
/// Selector that opens the period.
pub const SELECTOR_START: u16 = 1;
/// Selector that closes it.
pub const SELECTOR_END: u16 = 2;
const BEGIN: [u8; 5] = [0x00, 0x00, 0x01, 0xFF, 0xFF];
const END: [u8; 5] = [0xFF; 5];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// The configurable period: its start and end of each day, COSEM times (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaxDemandPeriod {
    /// Start: hour, minute, second, hundredths.
    pub start: [u8; 4],
    /// End: hour, minute, second, hundredths.
    pub end: [u8; 4],
}

fn entry(index: u16, selector: u16, time: [u8; 4]) -> Data {
    Data::Structure(vec![
        Data::LongUnsigned(index),
        Data::Boolean(0xFF),
        Data::OctetString(OBIS_SCRIPT_TABLE.to_vec()),
        Data::LongUnsigned(selector),
        Data::OctetString(time.to_vec()),
        Data::LongUnsigned(0xFFFF),
        Data::BitString {
            bits: 7,
            bytes: vec![0xFE],
        },
        Data::BitString {
            bits: 0,
            bytes: Vec::new(),
        },
        Data::OctetString(BEGIN.to_vec()),
        Data::OctetString(END.to_vec()),
    ])
}

/// Builds the command.
pub fn ecs37_set_max_demand_period(h: &CommandHeader, p: &MaxDemandPeriod) -> GeneralSigning {
    let data = Data::Array(vec![
        entry(0, SELECTOR_START, p.start),
        entry(1, SELECTOR_END, p.end),
    ]);
    let content = common::dlms(
        h,
        vec![RequestSpec::Set(super::ecs18b::CONFIGURABLE_PERIOD)],
        vec![data],
    );
    common::apdu(h, MESSAGE_CODE, content, false)
}

/// Decodes the command strictly: the one SET with the two entries of the use case's shape.
pub fn decode(apdu: &GeneralSigning) -> Result<MaxDemandPeriod, CommandDecodeError> {
    let req = common::dlms_request(
        apdu,
        NAME,
        &[RequestSpec::Set(super::ecs18b::CONFIGURABLE_PERIOD)],
    )?;
    let bad = || common::bad(NAME, "not the configurable period's schedule");
    let [Data::Array(entries)] = &req.data[..] else {
        return Err(bad());
    };
    let [a, b] = &entries[..] else {
        return Err(bad());
    };
    let time = |e: &Data| -> Option<[u8; 4]> {
        let Data::Structure(f) = e else { return None };
        match f.get(4)? {
            Data::OctetString(t) => t.as_slice().try_into().ok(),
            _ => None,
        }
    };
    let (start, end) = (time(a).ok_or_else(bad)?, time(b).ok_or_else(bad)?);
    if *a != entry(0, SELECTOR_START, start) || *b != entry(1, SELECTOR_END, end) {
        return Err(bad());
    }
    Ok(MaxDemandPeriod { start, end })
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu).map(DecodedCommand::Ecs37)
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
