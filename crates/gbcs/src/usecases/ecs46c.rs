//! ECS46c: update the ESME's auxiliary load control scheduler (DUIS 6.14.2
//! `UpdateDeviceConfigurationALCScheduler`). Critical and future-datable: the builder returns
//! the pre-command. One DLMS Access-Request of SETs, in the order every RTDS 4.5.0 6.14.2
//! vector carries: attribute 2 of each named switch's HCALCS identity (class 1
//! `0-0:94.44.0.(20+n)`, an EUI-64, zero for a switch in the ESME; switches increasing), the
//! auxiliary load calendar's special days table (class 11 `0-1:11.0.3.255`, entries of index,
//! 5-byte date, day id) and schedule (class 10 `0-1:12.0.2.255`, entries of ten fields), then
//! attribute 6 (the activation time) of the calendar and special days activation objects
//! (class 9000 `0-0:94.44.128.26` and `.35`), both carrying the one execution time: all zero
//! immediately, all `FF` on cancellation, the instant when future dated ([`Activation`]). The
//! entries are carried as their COSEM data (re-encoding byte-exact); their shape is checked.

use super::common::{self, CommandHeader};
use super::payment_mode::Activation;
use super::tariff;
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{AccessResponse, CosemDescriptor, RequestSpec};
use crate::frame::GeneralSigning;

const NAME: &str = "ECS46c";
/// The message code.
pub const MESSAGE_CODE: MessageCode = MessageCode(0x0054);
/// The auxiliary load calendar's special days table written.
pub const SPECIAL_DAYS: CosemDescriptor = CosemDescriptor::new(11, [0, 1, 11, 0, 3, 0xFF], 2);
/// The auxiliary load calendar's schedule written.
pub const SCHEDULE: CosemDescriptor = CosemDescriptor::new(10, [0, 1, 12, 0, 2, 0xFF], 2);
/// The calendar's (schedule's) activation object (class 9000).
pub const OBIS_SCHEDULE_ACTIVATION: [u8; 6] = [0, 0, 94, 44, 128, 26];
/// The special days table's activation object (class 9000).
pub const OBIS_SPECIAL_DAYS_ACTIVATION: [u8; 6] = [0, 0, 94, 44, 128, 35];
/// The most special days entries accepted.
pub const MAX_SPECIAL_DAYS: usize = 50;
/// The most schedule entries accepted.
pub const MAX_SCHEDULE: usize = 100;

/// The activation-time objects (attribute 6), in the order of the SETs: one 8F66 each.
pub fn activation_objects() -> [CosemDescriptor; 2] {
    [OBIS_SCHEDULE_ACTIVATION, OBIS_SPECIAL_DAYS_ACTIVATION].map(tariff::activation_9000)
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

/// The scheduler settings an ECS46c carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuxScheduler {
    /// When they take effect (immediately, future dated, or cancel the pending ones).
    pub activation: Activation,
    /// The named switches (0 to 5 of 1–5, increasing) and their HCALCS identities (zero: an
    /// ALCS).
    pub switches: Vec<(u8, [u8; 8])>,
    /// The special days table's entries (structures of index, 5-byte date, day id).
    pub special_days: Vec<Data>,
    /// The schedule's entries (structures of ten fields).
    pub schedule: Vec<Data>,
}

fn special_day_ok(d: &Data) -> bool {
    matches!(d, Data::Structure(f) if matches!(&f[..],
        [Data::LongUnsigned(_), Data::OctetString(date), Data::Unsigned(_)] if date.len() == 5))
}

fn schedule_entry_ok(d: &Data) -> bool {
    matches!(d, Data::Structure(f) if f.len() == 10
        && matches!(&f[0], Data::LongUnsigned(_))
        && matches!(&f[2], Data::OctetString(o) if o.len() == 6)
        && matches!(&f[4], Data::OctetString(t) if t.len() == 4)
        && matches!(&f[8], Data::OctetString(d) if d.len() == 5)
        && matches!(&f[9], Data::OctetString(d) if d.len() == 5))
}

/// Whether a calendar's special days table and schedule have the shapes an ECS46c or ECS46d
/// carries (at most [`MAX_SPECIAL_DAYS`] and `max_schedule` entries).
pub(super) fn calendar_valid(
    special_days: &[Data],
    schedule: &[Data],
    max_schedule: usize,
) -> bool {
    special_days.len() <= MAX_SPECIAL_DAYS
        && schedule.len() <= max_schedule
        && special_days.iter().all(special_day_ok)
        && schedule.iter().all(schedule_entry_ok)
}

fn valid(s: &AuxScheduler) -> bool {
    s.switches.windows(2).all(|w| w[0].0 < w[1].0)
        && s.switches
            .iter()
            .all(|(n, _)| (1..=super::ecs47::SWITCHES).contains(n))
        && calendar_valid(&s.special_days, &s.schedule, MAX_SCHEDULE)
}

/// The calendar's SETs (special days table, schedule, both activation times), after any others.
pub(super) fn calendar_specs() -> [CosemDescriptor; 4] {
    let [a, b] = activation_objects();
    [SPECIAL_DAYS, SCHEDULE, a, b]
}

/// The calendar's SET data, in [`calendar_specs`]' order.
pub(super) fn calendar_data(
    activation: Activation,
    special_days: &[Data],
    schedule: &[Data],
) -> [Data; 4] {
    let at = tariff::activation_data(activation);
    [
        Data::Array(special_days.to_vec()),
        Data::Array(schedule.to_vec()),
        at.clone(),
        at,
    ]
}

/// The calendar carried by the last four SETs' data ([`calendar_data`]): its activation,
/// special days table and schedule.
pub(super) fn calendar_from(
    name: &'static str,
    data: &[Data],
) -> Result<(Activation, Vec<Data>, Vec<Data>), CommandDecodeError> {
    let [Data::Array(special_days), Data::Array(schedule), act @ ..] = data else {
        return Err(common::bad(name, "not an auxiliary load calendar"));
    };
    Ok((
        tariff::activation_from(name, act)?,
        special_days.clone(),
        schedule.clone(),
    ))
}

fn specs(switches: &[(u8, [u8; 8])]) -> Vec<RequestSpec> {
    switches
        .iter()
        .map(|(n, _)| super::ecs61a::hcalcs_id(*n))
        .chain(calendar_specs())
        .map(RequestSpec::Set)
        .collect()
}

/// Builds the pre-command.
pub fn ecs46c_update_aux_scheduler(
    h: &CommandHeader,
    s: &AuxScheduler,
) -> Result<GeneralSigning, crate::error::BuildError> {
    if !valid(s) {
        return Err(crate::error::BuildError::OutOfRange(
            "auxiliary load control scheduler",
        ));
    }
    let data = s
        .switches
        .iter()
        .map(|(_, id)| Data::OctetString(id.to_vec()))
        .chain(calendar_data(s.activation, &s.special_days, &s.schedule))
        .collect();
    let content = common::dlms(h, specs(&s.switches), data);
    Ok(common::apdu(h, MESSAGE_CODE, content, true))
}

/// Decodes the command strictly.
pub fn decode(apdu: &GeneralSigning) -> Result<AuxScheduler, CommandDecodeError> {
    let req = crate::dlms::AccessRequest::decode(&apdu.content)?;
    let bad = || common::bad(NAME, "not an auxiliary load control scheduler");
    let n = req.specs.len().checked_sub(4).ok_or_else(bad)?;
    if req.data.len() != req.specs.len() {
        return Err(bad());
    }
    let mut switches = Vec::with_capacity(n);
    for (spec, d) in req.specs.iter().zip(&req.data).take(n) {
        let sw = (1..=super::ecs47::SWITCHES)
            .find(|k| *spec == RequestSpec::Set(super::ecs61a::hcalcs_id(*k)))
            .ok_or_else(bad)?;
        let Data::OctetString(id) = d else {
            return Err(bad());
        };
        let id: [u8; 8] = id.as_slice().try_into().map_err(|_| bad())?;
        switches.push((sw, id));
    }
    let (activation, special_days, schedule) = calendar_from(NAME, &req.data[n..])?;
    let s = AuxScheduler {
        activation,
        switches,
        special_days,
        schedule,
    };
    if !valid(&s) {
        return Err(bad());
    }
    common::dlms_request(apdu, NAME, &specs(&s.switches))?;
    Ok(s)
}

/// Decodes the command.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    decode(apdu).map(DecodedCommand::Ecs46c)
}

/// Decodes the response: done, or the first failing SET's DLMS result.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let n = AccessResponse::decode(content)?.results.len();
    if !(4..=9).contains(&n) {
        return Err(ResponseDecodeError::Format(
            "ECS46c answers four to nine SETs",
        ));
    }
    common::dlms_done_response(content, n)
}
