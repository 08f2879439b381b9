//! ECS70: set the ESME clock (also commissioning, SRV 8.1.1). Critical: the builder returns the
//! pre-command. DLMS on the clock (class 8): SET attribute 9 (time-setting method 5), ACTION 5
//! (the validity interval: new-time NEVER, start, end), ACTION 4 (0), GET attribute 2 (the time)
//! and GET attribute 4 (the status).

use super::common::{self, ClockValidity, CommandHeader, OBIS_CLOCK};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::{CosemDateTime, Data};
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS70";

const fn clock(index: u8) -> CosemDescriptor {
    CosemDescriptor::new(8, OBIS_CLOCK, index)
}

/// The request specifications.
pub const SPECS: [RequestSpec; 5] = [
    RequestSpec::Set(clock(9)),
    RequestSpec::Action(clock(5)),
    RequestSpec::Action(clock(4)),
    RequestSpec::Get(clock(2)),
    RequestSpec::Get(clock(4)),
];

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS70,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// Builds the pre-command: the validity interval runs from `current` to
/// `current + tolerance_secs`.
pub fn ecs70_set_clock(
    h: &CommandHeader,
    current: UtcDateTime,
    tolerance_secs: u32,
) -> Result<GeneralSigning, BuildError> {
    let ClockValidity { start, end } = ClockValidity::from_tolerance(current, tolerance_secs)?;
    let content = common::dlms(
        h,
        SPECS.to_vec(),
        vec![
            Data::Enum(5),
            Data::Structure(vec![
                CosemDateTime::NEVER.to_octet_string(),
                start.to_cosem().to_octet_string(),
                end.to_cosem().to_octet_string(),
            ]),
            Data::Integer(0),
            Data::Null,
            Data::Null,
        ],
    );
    Ok(common::apdu(h, MessageCode::ECS70, content, true))
}

/// Decodes the command: the validity interval (start not after end).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &SPECS)?;
    let [
        Data::Enum(5),
        Data::Structure(interval),
        Data::Integer(0),
        Data::Null,
        Data::Null,
    ] = &req.data[..]
    else {
        return Err(common::bad(
            NAME,
            "data are not (5, interval, 0, null, null)",
        ));
    };
    let [
        Data::OctetString(never),
        Data::OctetString(start),
        Data::OctetString(end),
    ] = &interval[..]
    else {
        return Err(common::bad(NAME, "interval is not three date-times"));
    };
    if never[..] != CosemDateTime::NEVER.0 {
        return Err(common::bad(NAME, "new time is not NEVER"));
    }
    let time = |b: &[u8]| {
        UtcDateTime::from_cosem(b).ok_or(common::bad(NAME, "date-time is not a UTC instant"))
    };
    ClockValidity::checked(NAME, time(start)?, time(end)?).map(DecodedCommand::Ecs70)
}

/// Decodes the response: the device time after setting, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    match common::dlms_response(content, SPECS.len())? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(r) => match r.data.get(3) {
            Some(Data::OctetString(t)) => UtcDateTime::from_cosem(t)
                .map(|device_time| {
                    ResponseOutcome::Success(ResponseValue::ClockSet { device_time })
                })
                .ok_or(ResponseDecodeError::Format(
                    "device time is not a date-time",
                )),
            _ => Err(ResponseDecodeError::Format("no device time")),
        },
    }
}
