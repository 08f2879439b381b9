//! ECS17b: read ESME energy registers (import), a protected read: DLMS ACTION class 30 method 1
//! (get protected attributes) with the protection parameters bound to this command's counter and
//! titles. The device answers with a block encrypted to the requester.

use eui::Eui64;

use super::common::{self, CommandHeader, OBIS_DATA_PROTECTION, OBIS_IMPORT_REGISTERS};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS17b";
/// Data protection, method 1 (get protected attributes).
pub const GET_PROTECTED: CosemDescriptor = CosemDescriptor::new(30, OBIS_DATA_PROTECTION, 1);
/// The protected object the use case reads: the import energy register set, attribute 2.
pub const IMPORT_REGISTERS: CosemDescriptor = CosemDescriptor::new(1, OBIS_IMPORT_REGISTERS, 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS17B,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// What a protected read asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProtectedRead {
    /// The protected objects (class, OBIS, attribute), in request order.
    pub objects: Vec<CosemDescriptor>,
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

fn object_entry(o: &CosemDescriptor) -> Data {
    Data::Structure(vec![
        Data::LongUnsigned(o.class_id),
        Data::OctetString(o.instance.to_vec()),
        Data::Integer(i8::try_from(o.index).unwrap_or(i8::MAX)),
        Data::LongUnsigned(0),
        Data::Structure(vec![Data::Enum(0), Data::Null]),
    ])
}

/// Builds the command.
pub fn ecs17b_read_import_energy_registers(h: &CommandHeader) -> GeneralSigning {
    let objects = Data::Array(vec![object_entry(&IMPORT_REGISTERS)]);
    let params = Data::Array(vec![protection_parameters(
        h.counter,
        h.originator,
        h.recipient,
    )]);
    let content = common::dlms(
        h,
        vec![RequestSpec::Action(GET_PROTECTED)],
        vec![Data::Structure(vec![objects, params])],
    );
    common::apdu(h, MessageCode::ECS17B, content, false)
}

/// Decodes the command: the protected objects. The protection parameters must be bound to this
/// command (its counter, originator and recipient); only the use case's object is accepted.
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
    let expected = protection_parameters(apdu.counter, apdu.originator, apdu.recipient);
    if params[..] != [expected] {
        return Err(common::bad(
            NAME,
            "protection parameters are not bound to this command",
        ));
    }
    let mut objects = Vec::with_capacity(entries.len());
    for e in entries {
        let Data::Structure(m) = e else {
            return Err(common::bad(NAME, "object entry is not a structure"));
        };
        let [
            Data::LongUnsigned(class_id),
            Data::OctetString(obis),
            Data::Integer(index),
            Data::LongUnsigned(0),
            Data::Structure(access),
        ] = &m[..]
        else {
            return Err(common::bad(
                NAME,
                "object entry is not (class, OBIS, attribute, 0, access)",
            ));
        };
        if access[..] != [Data::Enum(0), Data::Null] {
            return Err(common::bad(NAME, "selective access is not supported"));
        }
        let instance: [u8; 6] = obis[..]
            .try_into()
            .map_err(|_| common::bad(NAME, "OBIS code is not six bytes"))?;
        let index = u8::try_from(*index).map_err(|_| common::bad(NAME, "negative attribute"))?;
        objects.push(CosemDescriptor::new(*class_id, instance, index));
    }
    if objects[..] != [IMPORT_REGISTERS] {
        return Err(common::bad(
            NAME,
            "protected objects are not the use case's",
        ));
    }
    Ok(DecodedCommand::Ecs17b(ProtectedRead { objects }))
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
