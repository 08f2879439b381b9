//! ECS28a: update the ESME's load limiting general settings (DUIS 6.4.1
//! `UpdateDeviceConfigurationLoadLimitingGeneralSettings`). Critical and future-datable: the
//! builder returns the pre-command. One DLMS Access-Request of eight SETs, in the order every
//! RTDS 4.5.0 6.4.1 vector carries: attribute 4 (the value) of the load limit supply state
//! (class 9000 `0-0:94.44.0.3`, boolean, `Disable` true), of the load limit power threshold
//! (`0-0:94.44.128.7`, W), of the load limit period (`0-0:94.44.128.6`, seconds over the
//! threshold that make an event) and of the load limit restoration period (`0-0:94.44.128.8`,
//! seconds under it that end one), each double-long-unsigned; then attribute 6 (the activation
//! time) of the same four objects, every one carrying the one execution time: all zero
//! immediately, all `FF` on cancellation, the instant when future dated ([`Activation`]). The
//! ESME raises one future-dated 8F66 alert per activation-time object and answers one result
//! per SET.

use super::common::{self, CommandHeader};
use super::payment_mode::Activation;
use super::tariff;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS28a";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0043);

/// Load limit supply state (class 9000): whether a load limit event disables the supply.
pub const OBIS_SUPPLY_STATE: [u8; 6] = [0, 0, 94, 44, 0, 3];
/// Load limit power threshold (class 9000), W.
pub const OBIS_POWER_THRESHOLD: [u8; 6] = [0, 0, 94, 44, 128, 7];
/// Load limit period (class 9000), seconds.
pub const OBIS_PERIOD: [u8; 6] = [0, 0, 94, 44, 128, 6];
/// Load limit restoration period (class 9000), seconds.
pub const OBIS_RESTORATION_PERIOD: [u8; 6] = [0, 0, 94, 44, 128, 8];
/// The four objects, in the order of the SETs.
pub const OBJECTS: [[u8; 6]; 4] = [
    OBIS_SUPPLY_STATE,
    OBIS_POWER_THRESHOLD,
    OBIS_PERIOD,
    OBIS_RESTORATION_PERIOD,
];
/// The number of SETs.
pub const REQUESTS: usize = 8;

/// The request specifications, in order: the four values, then their activation times.
pub fn specs() -> [RequestSpec; REQUESTS] {
    let v = |o| CosemDescriptor::new(9000, o, 4);
    let a = tariff::activation_9000;
    [
        v(OBIS_SUPPLY_STATE),
        v(OBIS_POWER_THRESHOLD),
        v(OBIS_PERIOD),
        v(OBIS_RESTORATION_PERIOD),
        a(OBIS_SUPPLY_STATE),
        a(OBIS_POWER_THRESHOLD),
        a(OBIS_PERIOD),
        a(OBIS_RESTORATION_PERIOD),
    ]
    .map(RequestSpec::Set)
}

/// The activation-time objects (attribute 6), in the order of the SETs: one 8F66 each.
pub fn activation_objects() -> [CosemDescriptor; 4] {
    OBJECTS.map(tariff::activation_9000)
}

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

/// The load limiting settings an ECS28a carries (DUIS values unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LoadLimitSettings {
    /// When they take effect (immediately, future dated, or cancel the pending ones).
    pub activation: Activation,
    /// `LoadLimitSupplyState`: `Disable` (true) or `Unchanged` (false).
    pub disable_supply: bool,
    /// `LoadLimitPowerThreshold`, W.
    pub power_threshold: u32,
    /// `LoadLimitPeriod`, seconds.
    pub period: u32,
    /// `LoadLimitRestorationPeriod`, seconds.
    pub restoration_period: u32,
}

/// Builds the pre-command.
pub fn ecs28a_update_load_limiting_settings(
    h: &CommandHeader,
    s: &LoadLimitSettings,
) -> GeneralSigning {
    let at = tariff::activation_data(s.activation);
    let data = vec![
        Data::Boolean(if s.disable_supply { 0xFF } else { 0x00 }),
        Data::DoubleLongUnsigned(s.power_threshold),
        Data::DoubleLongUnsigned(s.period),
        Data::DoubleLongUnsigned(s.restoration_period),
    ]
    .into_iter()
    .chain(std::iter::repeat_n(at, 4))
    .collect();
    let content = common::dlms(h, specs().to_vec(), data);
    common::apdu(h, MESSAGE_CODE, content, true)
}

/// Decodes the command strictly: the eight SETs, a boolean `00`/`FF` and three
/// double-long-unsigned values, every activation time the same.
pub fn decode(apdu: &GeneralSigning) -> Result<LoadLimitSettings, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &specs())?;
    let [
        Data::Boolean(flag),
        Data::DoubleLongUnsigned(power_threshold),
        Data::DoubleLongUnsigned(period),
        Data::DoubleLongUnsigned(restoration_period),
        activations @ ..,
    ] = &req.data[..]
    else {
        return Err(common::bad(NAME, "data are not the load limiting settings"));
    };
    let disable_supply = match *flag {
        0xFF => true,
        0x00 => false,
        _ => return Err(common::bad(NAME, "supply state is neither 00 nor FF")),
    };
    Ok(LoadLimitSettings {
        activation: tariff::activation_from(NAME, activations)?,
        disable_supply,
        power_threshold: *power_threshold,
        period: *period,
        restoration_period: *restoration_period,
    })
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu).map(DecodedCommand::Ecs28a)
}

/// Decodes the response: done, or the first failing SET's DLMS result.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, REQUESTS)
}
