//! ECS48: configure the ESME's daily resetting of the tariff block counter matrix (DUIS 6.26
//! `UpdateDeviceConfigurationDailyResettingOfTariffBlockCounterMatrix`). Critical: the builder
//! returns the pre-command. DLMS SET of the single action schedule (class 22
//! `0-0:15.1.0.255`) attribute 4, its execution times: daily reset on, one entry at 00:00:00.00
//! on every date (`FFFFFFFFFF`), as every RTDS 6.26 vector carries it; off (DUIS `false`, which
//! the RTDS does not show: this implementation's reading), no entry.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS48";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x00DB);
/// The block counter reset's single action schedule, execution times.
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(22, [0, 0, 15, 1, 0, 0xFF], 4);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MESSAGE_CODE,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier],
    critical: true,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

fn midnight_every_day() -> Data {
    Data::Structure(vec![
        Data::OctetString(vec![0, 0, 0, 0]),
        Data::OctetString(vec![0xFF; 5]),
    ])
}

fn data(daily: bool) -> Data {
    Data::Array(if daily {
        vec![midnight_every_day()]
    } else {
        Vec::new()
    })
}

/// Builds the pre-command: `daily`, reset the matrix every midnight.
pub fn ecs48_set_daily_block_counter_reset(h: &CommandHeader, daily: bool) -> GeneralSigning {
    let content = common::dlms(h, vec![RequestSpec::Set(OBJECT)], vec![data(daily)]);
    common::apdu(h, MESSAGE_CODE, content, true)
}

/// Decodes the command: daily reset on (the one midnight entry) or off (none).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Set(OBJECT)])?;
    match &req.data[..] {
        [d] if *d == data(true) => Ok(DecodedCommand::Ecs48(true)),
        [d] if *d == data(false) => Ok(DecodedCommand::Ecs48(false)),
        _ => Err(common::bad(NAME, "not a daily midnight reset schedule")),
    }
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
