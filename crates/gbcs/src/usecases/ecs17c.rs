//! ECS17c: read ESME active power import. DLMS GET class 1 (Data) `0-0:94.44.34.20` attribute 2
//! (value). The device answers a structure, as the RTDS vector lays it out: the active power
//! import, its scaler and unit (`W`, 27), and a second active power import value.

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "ECS17c";
/// OBIS of the active power import object.
pub const OBIS_ACTIVE_POWER_IMPORT: [u8; 6] = [0, 0, 94, 44, 34, 20];
/// The active power import value.
pub const ACTIVE_POWER_IMPORT: CosemDescriptor =
    CosemDescriptor::new(1, OBIS_ACTIVE_POWER_IMPORT, 2);
/// DLMS unit `W` (active power).
pub const UNIT_WATT: u8 = 27;

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::ECS17C,
    device_types: &[DeviceType::Esme],
    originators: &[R::Supplier, R::NetworkOperator],
    critical: false,
    dcc_originated: false,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// What ECS17c reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActivePowerImport {
    /// The active power import, in `unit × 10^scaler`.
    pub power: u32,
    /// The scaler (power of ten).
    pub scaler: i8,
    /// The DLMS unit (27: W).
    pub unit: u8,
    /// The second active power import value of the structure.
    pub second: u32,
}

impl ActivePowerImport {
    /// The structure the device answers.
    pub fn to_data(&self) -> Data {
        Data::Structure(vec![
            Data::DoubleLongUnsigned(self.power),
            Data::Structure(vec![Data::Integer(self.scaler), Data::Enum(self.unit)]),
            Data::DoubleLongUnsigned(self.second),
        ])
    }

    /// The structure read back (`None` if it is not one).
    pub fn from_data(d: &Data) -> Option<Self> {
        let Data::Structure(m) = d else { return None };
        match &m[..] {
            [
                Data::DoubleLongUnsigned(power),
                Data::Structure(su),
                Data::DoubleLongUnsigned(second),
            ] => match &su[..] {
                [Data::Integer(scaler), Data::Enum(unit)] => Some(Self {
                    power: *power,
                    scaler: *scaler,
                    unit: *unit,
                    second: *second,
                }),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Builds the command.
pub fn ecs17c_read_active_power_import(h: &CommandHeader) -> GeneralSigning {
    common::dlms_get_command(h, MessageCode::ECS17C, ACTIVE_POWER_IMPORT)
}

/// Decodes the command: the object read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &[ACTIVE_POWER_IMPORT]).map(DecodedCommand::Ecs17c)
}

/// Decodes the response: the active power import, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_value_response(
        content,
        "active power import is not (value, scaler-unit, value)",
        |d| ActivePowerImport::from_data(d).map(ResponseValue::ActivePowerImport),
    )
}
