//! ECS22b: read ESME active import profile data (half-hourly consumption), a protected read:
//! DLMS ACTION class 30 `0-0:43.2.7.255` method 1 (get protected attributes) of the active
//! import profile buffer (`0-0:99.1.0.255` attribute 2) with a range selective access (selector
//! 1: from and to as COSEM date-times), the protection parameters bound to this command's
//! counter and titles as ECS17b's. The device answers with a block encrypted to the requester,
//! which the DCC passes through unread.

use super::common::{self, CommandHeader};
use super::reads_common::ReadPeriod;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::datetime::UtcDateTime;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS22b";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0037);
/// Data protection for profiles, method 1 (get protected attributes).
pub const GET_PROTECTED: CosemDescriptor = CosemDescriptor::new(30, [0, 0, 43, 2, 7, 0xFF], 1);
/// The protected object: the active import profile buffer.
pub const ACTIVE_IMPORT_PROFILE: CosemDescriptor =
    CosemDescriptor::new(7, [0, 0, 99, 1, 0, 0xFF], 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

fn entry(period: &ReadPeriod) -> Data {
    let o = ACTIVE_IMPORT_PROFILE;
    Data::Structure(vec![
        Data::LongUnsigned(o.class_id),
        Data::OctetString(o.instance.to_vec()),
        Data::Integer(2),
        Data::LongUnsigned(0),
        Data::Structure(vec![
            Data::Enum(1),
            Data::Structure(vec![
                period.start.to_cosem().to_octet_string(),
                period.end.to_cosem().to_octet_string(),
            ]),
        ]),
    ])
}

/// Builds the command for `period`.
pub fn ecs22b_read_active_import_profile_data(
    h: &CommandHeader,
    period: ReadPeriod,
) -> GeneralSigning {
    let params = Data::Array(vec![super::protection_parameters(
        h.counter,
        h.originator,
        h.recipient,
    )]);
    let content = common::dlms(
        h,
        vec![RequestSpec::Action(GET_PROTECTED)],
        vec![Data::Structure(vec![
            Data::Array(vec![entry(&period)]),
            params,
        ])],
    );
    common::apdu(h, MESSAGE_CODE, content, false)
}

/// Decodes the command: the period. The protection parameters must be bound to this command and
/// the period must not end before it starts.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Action(GET_PROTECTED)])?;
    let Some(Data::Structure(arg)) = req.data.first() else {
        return Err(common::bad(NAME, "action argument is not a structure"));
    };
    let [Data::Array(entries), Data::Array(params)] = &arg[..] else {
        return Err(common::bad(
            NAME,
            "argument is not (objects, protection parameters)",
        ));
    };
    let expected = super::protection_parameters(apdu.counter, apdu.originator, apdu.recipient);
    if params[..] != [expected] {
        return Err(common::bad(
            NAME,
            "protection parameters are not bound to this command",
        ));
    }
    let [Data::Structure(m)] = &entries[..] else {
        return Err(common::bad(NAME, "not exactly one protected object"));
    };
    let o = ACTIVE_IMPORT_PROFILE;
    let [
        Data::LongUnsigned(class_id),
        Data::OctetString(obis),
        Data::Integer(2),
        Data::LongUnsigned(0),
        Data::Structure(access),
    ] = &m[..]
    else {
        return Err(common::bad(
            NAME,
            "object entry is not the profile buffer's",
        ));
    };
    if *class_id != o.class_id || obis[..] != o.instance {
        return Err(common::bad(
            NAME,
            "protected object is not the active import profile",
        ));
    }
    let [Data::Enum(1), Data::Structure(range)] = &access[..] else {
        return Err(common::bad(NAME, "access is not a range"));
    };
    let [Data::OctetString(from), Data::OctetString(to)] = &range[..] else {
        return Err(common::bad(NAME, "range is not (from, to)"));
    };
    let (Some(start), Some(end)) = (UtcDateTime::from_cosem(from), UtcDateTime::from_cosem(to))
    else {
        return Err(common::bad(NAME, "range ends are not COSEM date-times"));
    };
    let period =
        ReadPeriod::new(start, end).ok_or(common::bad(NAME, "range ends before it starts"))?;
    Ok(DecodedCommand::Ecs22b(period))
}

/// Decodes the response: the protected block, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    match common::dlms_response(content, 1)? {
        Err(f) => Ok(ResponseOutcome::Failure(f)),
        Ok(r) => match r.data.first() {
            Some(Data::Structure(m)) => match &m[..] {
                [Data::Array(_), Data::OctetString(block)] => Ok(ResponseOutcome::Success(
                    ResponseValue::Protected(block.clone()),
                )),
                _ => Err(ResponseDecodeError::Format(
                    "not (parameters, protected block)",
                )),
            },
            _ => Err(ResponseDecodeError::Format("no protected data")),
        },
    }
}
