//! The emulated devices behind the WAN: each device's private keys from its vault, its state
//! from the store, and the `devices` crate doing what a real device does with a command.
//!
//! A device's state is stored compactly in parts (`devices::stored`): a command reads the body
//! and counters (not the event log, which the device only appends to) and writes back only the
//! parts whose encoding changed and the events it logged; a read typically rewrites the small
//! counters row and appends one event row, leaving the body alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use dcc::DccError;
use dcc::dispatch::{DeviceAnswer, HubReport};
use dcc::error::InternalError;
use devices::{
    DeviceIdentity, DeviceKeys, DeviceKind, DeviceState, EmulatedDevice, EventLog, LogKind, stored,
};
use eui::Eui64;
use gbcs::UtcDateTime;
use time::OffsetDateTime;

use crate::{DeviceStateWrite, EmulatorTx, StoredDeviceState, WanTx};

fn internal(what: &str, e: impl std::fmt::Display) -> DccError {
    InternalError::Storage(format!("{what}: {e}")).into()
}

/// GBCS time from the DCC's clock.
pub fn utc(now: OffsetDateTime) -> Result<UtcDateTime, DccError> {
    UtcDateTime::from_unix(now.unix_timestamp())
        .ok_or_else(|| internal("clock", "outside the range GBCS can express"))
}

/// A key store for emulated devices too many to hold in memory: it answers for one device at a
/// time, on demand (injected by the binary; a large world derives each device's keys from a
/// secret rather than keeping a file per device).
pub trait DeviceVault: Send + Sync {
    /// Whether `id` is an emulated device of this vault.
    fn knows(&self, id: Eui64) -> bool;
    /// The device's identity (its private keys), if the vault holds it.
    fn identity(&self, id: Eui64) -> Option<DeviceIdentity>;
    /// The state the device was installed in: what it holds until a command first changes it
    /// (such a device has no stored state row).
    fn installed_state(&self, id: Eui64) -> Option<DeviceState>;
    /// How many devices the vault holds.
    fn len(&self) -> usize;
    /// Whether the vault holds no device.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every emulated device the WAN reaches, by EUI: identities held in memory (the small demo
/// world) and, optionally, a [`DeviceVault`] answering for the rest on demand.
pub struct EmulatedDevices {
    vault: HashMap<Eui64, DeviceIdentity>,
    more: Option<Arc<dyn DeviceVault>>,
    /// The parsed keys of the devices met lately (with the identity they were parsed from), so
    /// that a command neither parses a device's keys again nor redoes the ECDH with a peer the
    /// device has met (`gbcs::crypto::KaPrivateKey` keeps those). At most [`KEYS_KEPT`]; emptied
    /// when full.
    keys: Mutex<HashMap<Eui64, (DeviceIdentity, Arc<DeviceKeys>)>>,
}

/// The most devices whose parsed keys [`EmulatedDevices`] keeps.
pub const KEYS_KEPT: usize = 65_536;

impl EmulatedDevices {
    pub fn new(identities: impl IntoIterator<Item = DeviceIdentity>) -> Self {
        Self {
            vault: identities.into_iter().map(|i| (i.eui, i)).collect(),
            more: None,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// `identity`'s parsed keys: kept ones if they were parsed from this very identity.
    fn keys_of(&self, identity: &DeviceIdentity) -> Result<Arc<DeviceKeys>, DccError> {
        let kept = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&identity.eui)
            .filter(|(i, _)| i == identity)
            .map(|(_, k)| k.clone());
        if let Some(k) = kept {
            return Ok(k);
        }
        let keys = Arc::new(DeviceKeys::of(identity).map_err(|e| internal("device keys", e))?);
        let mut m = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if m.len() >= KEYS_KEPT {
            m.clear();
        }
        m.insert(identity.eui, (identity.clone(), keys.clone()));
        Ok(keys)
    }

    /// How many devices' parsed keys are kept.
    pub fn keys_kept(&self) -> usize {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Adds a vault answering for devices not held in memory.
    #[must_use]
    pub fn with_vault(mut self, vault: Arc<dyn DeviceVault>) -> Self {
        self.more = Some(vault);
        self
    }

    pub fn len(&self) -> usize {
        self.vault.len() + self.more.as_ref().map_or(0, |v| v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A device's stored state (its whole event log included), or else the state its vault
    /// says it was installed in.
    pub fn state(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        id: Eui64,
    ) -> Result<Option<DeviceState>, DccError> {
        if let Some(s) = stored_state(tx, id)? {
            return Ok(Some(s));
        }
        Ok(self.installed_state(id))
    }

    fn installed_state(&self, id: Eui64) -> Option<DeviceState> {
        self.more
            .as_ref()
            .filter(|_| !self.vault.contains_key(&id))
            .and_then(|v| v.installed_state(id))
    }

    /// The device, to handle something: its state without the event log (the device only
    /// appends to it, [`devices::EventLog::unsaved`]), and the stored parts it was read from.
    pub(crate) fn load(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        id: Eui64,
    ) -> Result<Loaded, DccError> {
        let stored = tx.device_state(id)?;
        self.load_from(id, stored)
    }

    /// [`EmulatedDevices::load`] with the device's stored event log (none of it unsaved): for a
    /// command that reads the logs ([`reads_event_log`]).
    pub(crate) fn load_with_events(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        id: Eui64,
    ) -> Result<Loaded, DccError> {
        let stored = tx.device_state(id)?;
        let compact = matches!(stored, Some(StoredDeviceState::Compact { .. }));
        let mut loaded = self.load_from(id, stored)?;
        if compact {
            let events = tx
                .device_events(id)?
                .iter()
                .map(|e| stored::decode_event(e))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| internal("device events", e))?;
            loaded.dev.state_mut().event_log = EventLog::from_events(events);
        }
        Ok(loaded)
    }

    /// [`EmulatedDevices::load`] from the device's stored state as read (`None`: it has none).
    pub(crate) fn load_from(
        &self,
        id: Eui64,
        stored: Option<StoredDeviceState>,
    ) -> Result<Loaded, DccError> {
        let identity = match self.vault.get(&id) {
            Some(i) => i.clone(),
            None => self
                .more
                .as_ref()
                .and_then(|v| v.identity(id))
                .ok_or_else(|| {
                    internal("device vault", format!("{id} is not an emulated device"))
                })?,
        };
        let (state, stored) = match stored {
            Some(s) => decode(s, EventLog::default())?,
            None => (
                self.installed_state(id)
                    .ok_or_else(|| internal("device state", format!("{id} has no state")))?,
                None,
            ),
        };
        let keys = self.keys_of(&identity)?;
        Ok(Loaded {
            dev: EmulatedDevice::with_keys(identity, keys, state),
            stored,
        })
    }

    /// Writes what changed of a loaded device's state.
    pub(crate) fn save(tx: &mut (impl WanTx + ?Sized), loaded: &Loaded) -> Result<(), DccError> {
        apply(tx, loaded.dev.eui(), &loaded.changes()?)
    }
}

/// The body and counters of a device's compact state, as stored.
type Parts = (Vec<u8>, Vec<u8>);

/// A device read from the store to handle something, with the stored parts of its state (the
/// compact body and counters; none when it had no compact state), so that only what changed is
/// written back.
pub(crate) struct Loaded {
    pub(crate) dev: EmulatedDevice,
    stored: Option<Parts>,
}

impl Loaded {
    /// What to write of the device's state now ([`apply`]).
    pub(crate) fn changes(&self) -> Result<Changes, DccError> {
        changes(self.dev.state(), self.stored.as_ref())
    }
}

/// The parts of a device's state to write: those whose encoding changed, the events logged
/// since its log was read (each with its log's number), and the logs it cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Changes {
    body: Option<Vec<u8>>,
    counters: Option<Vec<u8>>,
    events: Vec<(u8, Vec<u8>)>,
    cleared: Vec<LogKind>,
}

/// A device's stored state, its whole event log included (`None`: it has none stored).
pub fn stored_state(
    tx: &mut (impl EmulatorTx + ?Sized),
    id: Eui64,
) -> Result<Option<DeviceState>, DccError> {
    Ok(read(tx, id, true)?.map(|(s, _)| s))
}

/// When the earliest future-dated instruction a device's stored state holds is due (true
/// time, unix ms; `None`: it holds none, or has no stored state), decoding no more of the state
/// than that.
pub(crate) fn held_instructions_due_ms(
    tx: &mut (impl EmulatorTx + ?Sized),
    id: Eui64,
) -> Result<Option<i64>, DccError> {
    let due = match tx.device_state(id)? {
        None => None,
        Some(StoredDeviceState::Compact { body, .. }) => {
            stored::held_instructions_due(&body).map_err(|e| internal("device state", e))?
        }
        // The field is absent from JSON state that holds none.
        Some(StoredDeviceState::Json(json)) if !json.contains("\"future_actions\"") => None,
        Some(StoredDeviceState::Json(json)) => {
            let state: DeviceState =
                serde_json::from_str(&json).map_err(|e| internal("device state", e))?;
            state
                .future_actions
                .iter()
                .map(|a| a.at.saturating_sub(state.clock_offset_secs))
                .min()
        }
    };
    Ok(due.map(|t| t.saturating_mul(1000)))
}

/// Stores a device's state whole (body and counters, and the events pushed since its log was
/// read or built: a state from [`stored_state`] or [`EmulatedDevices::state`] appends only
/// those).
pub fn put_state(
    tx: &mut (impl EmulatorTx + ?Sized),
    id: Eui64,
    state: &DeviceState,
) -> Result<(), DccError> {
    write(tx, id, state, None)
}

/// The stored state with, for the compact form, its stored body and counters. The event log is
/// read only if `events`; state stored as JSON counts all its events unsaved, so that its first
/// write moves them to the compact log.
fn read(
    tx: &mut (impl EmulatorTx + ?Sized),
    id: Eui64,
    events: bool,
) -> Result<Option<(DeviceState, Option<Parts>)>, DccError> {
    let Some(found) = tx.device_state(id)? else {
        return Ok(None);
    };
    let log = match &found {
        StoredDeviceState::Compact { .. } if events => {
            let events = tx
                .device_events(id)?
                .iter()
                .map(|e| stored::decode_event(e))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| internal("device events", e))?;
            EventLog::from_events(events)
        }
        _ => EventLog::default(),
    };
    decode(found, log).map(Some)
}

/// Whether `frame` is a command that reads the device's own certificates (CS02e, DUIS 6.24.2):
/// the device is handed them from the SMKI repository's copy (`Tx::device_cert`, the
/// certificates placed on it at manufacture), read with the writer's transaction.
pub(crate) fn reads_own_certificates(frame: &[u8]) -> bool {
    gbcs::Frame::decode(frame)
        .is_ok_and(|f| f.apdu().message_code() == gbcs::usecases::cs02e::MESSAGE_CODE)
}

/// Whether `frame` is a command that reads one of the device's logs (DUIS 6.13: ECS35a–g,
/// CS10a, CS10b): the device answers it from its stored events, which it is otherwise loaded
/// without.
pub(crate) fn reads_event_log(frame: &[u8]) -> bool {
    use gbcs::usecases::{cs10a, cs10b, ecs35a, ecs35b, ecs35c, ecs35d, ecs35e, ecs35f, ecs35g};
    gbcs::Frame::decode(frame).is_ok_and(|f| {
        [
            ecs35a::CODE,
            ecs35b::CODE,
            ecs35c::CODE,
            ecs35d::CODE,
            ecs35e::CODE,
            ecs35f::CODE,
            ecs35g::CODE,
            cs10a::CODE,
            cs10b::CODE,
        ]
        .contains(&f.apdu().message_code())
    })
}

/// A stored state, with `log` as its event log in the compact form (JSON holds its own, all
/// counted unsaved so that its first write moves them to the compact log), and its stored body
/// and counters.
fn decode(
    found: StoredDeviceState,
    log: EventLog,
) -> Result<(DeviceState, Option<Parts>), DccError> {
    match found {
        StoredDeviceState::Json(json) => {
            let mut state: DeviceState =
                serde_json::from_str(&json).map_err(|e| internal("device state", e))?;
            state.event_log.mark_unsaved();
            Ok((state, None))
        }
        StoredDeviceState::Compact { body, counters } => {
            let state = stored::decode_state(&body, &counters, log)
                .map_err(|e| internal("device state", e))?;
            Ok((state, Some((body, counters))))
        }
    }
}

/// Writes the parts of `state` that differ from the `stored` ones (all when none), and appends
/// the events pushed since its log was read.
fn write(
    tx: &mut (impl EmulatorTx + ?Sized),
    id: Eui64,
    state: &DeviceState,
    stored: Option<&Parts>,
) -> Result<(), DccError> {
    apply(tx, id, &changes(state, stored)?)
}

/// What [`write`] writes.
fn changes(state: &DeviceState, stored: Option<&Parts>) -> Result<Changes, DccError> {
    let enc = |e: stored::StoredError| internal("device state", e);
    let body = stored::encode_body(state).map_err(enc)?;
    let counters = stored::encode_counters(state).map_err(enc)?;
    let events = state
        .event_log
        .unsaved()
        .map(|e| Ok((e.kind.log().id(), stored::encode_event(e)?)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(enc)?;
    let (body_changed, counters_changed) = match stored {
        Some((b, c)) => (*b != body, *c != counters),
        None => (true, true),
    };
    Ok(Changes {
        body: body_changed.then_some(body),
        counters: counters_changed.then_some(counters),
        events,
        cleared: state.event_log.cleared().collect(),
    })
}

/// Writes `changes` (nothing if there are none). A device that cleared a log has its stored
/// events replaced, in the transaction, by those of its other logs (read and sorted by their
/// kind, [`devices::EventKind::log`], here: rows stored before the logs were told apart carry
/// no reliable log number) followed by the new ones.
pub(crate) fn apply(
    tx: &mut (impl EmulatorTx + ?Sized),
    id: Eui64,
    changes: &Changes,
) -> Result<(), DccError> {
    if changes.body.is_none()
        && changes.counters.is_none()
        && changes.events.is_empty()
        && changes.cleared.is_empty()
    {
        return Ok(());
    }
    let mut replaced = Vec::new();
    if !changes.cleared.is_empty() {
        for bytes in tx.device_events(id)? {
            let log = stored::decode_event(&bytes)
                .map_err(|e| internal("device events", e))?
                .kind
                .log();
            if !changes.cleared.contains(&log) {
                replaced.push((log.id(), bytes));
            }
        }
        replaced.extend(changes.events.iter().cloned());
    }
    tx.write_device_state(
        id,
        &DeviceStateWrite {
            body: changes.body.as_deref(),
            counters: changes.counters.as_deref(),
            events: if changes.cleared.is_empty() {
                &changes.events
            } else {
                &replaced
            },
            keep_events: devices::EVENT_LOG_CAPACITY,
            replace_events: !changes.cleared.is_empty(),
        },
    )?;
    Ok(())
}

impl EmulatedDevices {
    /// Whether the device is emulated (and so reachable at all).
    pub fn knows(&self, device: Eui64) -> bool {
        self.vault.contains_key(&device) || self.more.as_ref().is_some_and(|v| v.knows(device))
    }

    /// Hands a command to the device: it verifies, executes, persists its state and answers.
    pub fn deliver(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        device: Eui64,
        frame: &[u8],
        now: OffsetDateTime,
    ) -> Result<DeviceAnswer, DccError> {
        Ok(self.deliver_noting(tx, device, frame, now)?.0)
    }

    /// [`Self::deliver`], also saying when the device's earliest held future-dated
    /// instruction is due afterwards (true time, unix ms).
    pub(crate) fn deliver_noting(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        device: Eui64,
        frame: &[u8],
        now: OffsetDateTime,
    ) -> Result<(DeviceAnswer, Option<i64>), DccError> {
        let mut loaded = if reads_event_log(frame) {
            self.load_with_events(tx, device)?
        } else {
            self.load(tx, device)?
        };
        if reads_own_certificates(frame) {
            loaded
                .dev
                .set_own_certificates(devices::credential_details::OwnCertificates {
                    ds: tx.device_cert(device, "ds")?,
                    ka: tx.device_cert(device, "ka")?,
                });
        }
        let (answer, next) = Self::handle(&mut loaded, frame, now)?;
        // What changed is found by comparing encodings, whatever `state_changed` says.
        Self::save(tx, &loaded)?;
        Ok((answer, next))
    }

    /// The loaded device handles a command at `now`: its answer, and when its earliest held
    /// future-dated instruction is due afterwards (true time, unix ms).
    pub(crate) fn handle(
        loaded: &mut Loaded,
        frame: &[u8],
        now: OffsetDateTime,
    ) -> Result<(DeviceAnswer, Option<i64>), DccError> {
        let reply = loaded.dev.handle(frame, utc(now)?);
        let next = loaded
            .dev
            .next_future_action_at()
            .map(|t| t.saturating_mul(1000));
        Ok((
            DeviceAnswer {
                response: reply.response,
                alerts: reply.alerts,
            },
            next,
        ))
    }

    /// An out-of-band event at a hub (`power-outage`, `power-restored`, a UTRN typed at the
    /// keypad of a meter behind it, [`utrn_event`], or the boost button pressed on an ESME behind
    /// it, [`boost_event`]): what the hub and the devices behind it raise.
    pub fn event(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        chf: Eui64,
        kind: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        if let Some(entry) = kind.strip_prefix(UTRN_EVENT) {
            return self.keypad_utrn(tx, entry, now);
        }
        if let Some(device) = kind.strip_prefix(BOOST_EVENT) {
            return self.boost_button(tx, device, now);
        }
        if let Some(entry) = kind.strip_prefix(VOLTAGE_EVENT) {
            return self.simulated_voltage(tx, entry, now);
        }
        if let Some(entry) = kind.strip_prefix(TAMPER_EVENT) {
            return self.tamper(tx, entry, now);
        }
        let mut loaded = self.load(tx, chf)?;
        let dev = &mut loaded.dev;
        if dev.kind() != DeviceKind::Chf {
            return Err(internal(
                "hub event",
                format!("{chf} is not a communications hub"),
            ));
        }
        let at = utc(now)?;
        let reports = match kind {
            "power-outage" => {
                let notice = dev
                    .power_outage_alert(at)
                    .map_err(|e| internal("power outage", e))?;
                let since = OffsetDateTime::from_unix_timestamp(notice.start.to_unix())
                    .map_err(|e| internal("power outage time", e))?;
                vec![HubReport::PowerOutage { chf, since }]
            }
            "power-restored" => dev
                .power_restored(at)
                .alerts
                .into_iter()
                .map(|frame| HubReport::DeviceAlert { device: chf, frame })
                .collect(),
            other => return Err(internal("hub event", format!("unknown event {other:?}"))),
        };
        Self::save(tx, &loaded)?;
        // The premises loses (and regains) power as a whole: every device the hub reaches.
        let mut reports = reports;
        let uprn = tx.device(chf)?.and_then(|d| d.uprn);
        let at_premises = match uprn {
            Some(u) => tx.devices_at(&u)?,
            None => tx.devices()?,
        };
        let behind: Vec<Eui64> = at_premises
            .into_iter()
            .filter(|d| d.chf == Some(chf) && d.id != chf && self.knows(d.id))
            .map(|d| d.id)
            .collect();
        for id in behind {
            let mut loaded = self.load(tx, id)?;
            let d = &mut loaded.dev;
            if kind == "power-outage" {
                d.power_lost(at);
            } else {
                reports.extend(
                    d.power_restored(at)
                        .alerts
                        .into_iter()
                        .map(|frame| HubReport::DeviceAlert { device: id, frame }),
                );
            }
            Self::save(tx, &loaded)?;
        }
        Ok(reports)
    }
}

/// The prefix of the hub event that is a UTRN typed at a meter's keypad ([`utrn_event`]).
pub const UTRN_EVENT: &str = "utrn:";

/// The hub event for `utrn` typed at `device`'s keypad (queued at the device's hub, so that
/// the meter's alerts reach the DCC as its other alerts do): `utrn:<device>:<digits>`.
pub fn utrn_event(device: Eui64, utrn: &str) -> String {
    format!("{UTRN_EVENT}{device}:{utrn}")
}

/// The prefix of the hub event that is the consumer pressing an ESME's boost button
/// ([`boost_event`]).
pub const BOOST_EVENT: &str = "boost:";

/// The hub event for the boost button pressed on `device` (queued at the device's hub, so that
/// the WAN, which runs the boost's end at its time, hears of it): `boost:<device>`.
pub fn boost_event(device: Eui64) -> String {
    format!("{BOOST_EVENT}{device}")
}

/// The prefix of the hub event that makes the site's RMS voltage at an ESME a given value
/// ([`voltage_event`]).
pub const VOLTAGE_EVENT: &str = "voltage:";

/// The hub event making the RMS voltage at `device` `volts` from now on (`None`: back to the
/// metering simulation's own): `voltage:<device>:<volts>` or `voltage:<device>:normal`
/// ([`devices::EmulatedDevice::set_simulated_voltage`]; the WAN then runs the meter's power
/// quality evaluations at their times).
pub fn voltage_event(device: Eui64, volts: Option<u32>) -> String {
    match volts {
        Some(v) => format!("{VOLTAGE_EVENT}{device}:{v}"),
        None => format!("{VOLTAGE_EVENT}{device}:normal"),
    }
}

/// The prefix of the hub event that is someone tampering with an ESME ([`tamper_event`]).
pub const TAMPER_EVENT: &str = "tamper:";

/// The hub event for a supply tamper at `device` (queued at the device's hub, so that the
/// meter's alerts reach the DCC as its other alerts do): `tamper:<device>`.
pub fn tamper_event(device: Eui64) -> String {
    format!("{TAMPER_EVENT}{device}")
}

/// The device a `tamper:` event names (what follows the prefix, [`tamper_event`]).
pub fn parse_tamper_event(entry: &str) -> Result<Eui64, String> {
    entry
        .parse::<Eui64>()
        .map_err(|e| format!("not tamper:<device>: {entry:?}: {e}"))
}

impl EmulatedDevices {
    /// Someone tampers with an ESME ([`devices::EmulatedDevice::tamper`]): its alerts (tamper
    /// detected, and the supply locked when its supply tamper state says so) go to the DCC.
    fn tamper(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        entry: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        let id = parse_tamper_event(entry).map_err(|e| internal("tamper event", e))?;
        let now = utc(now)?;
        self.simulate(tx, id, "tamper event", |dev| {
            dev.tamper(now).map(|(_, reply)| reply.alerts)
        })
    }

    /// A simulation input at device `id` (`what`, for errors): `input` runs on the device as
    /// stored, which is saved again; the alerts it returns go to the DCC.
    fn simulate<E: std::fmt::Display>(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        id: Eui64,
        what: &str,
        input: impl FnOnce(&mut devices::EmulatedDevice) -> Result<Vec<Vec<u8>>, E>,
    ) -> Result<Vec<HubReport>, DccError> {
        let mut loaded = self.load(tx, id)?;
        let alerts = input(&mut loaded.dev).map_err(|e| internal(what, e))?;
        Self::save(tx, &loaded)?;
        Ok(alerts
            .into_iter()
            .map(|frame| HubReport::DeviceAlert { device: id, frame })
            .collect())
    }

    /// The boost button pressed on an ESME ([`devices::EmulatedDevice::press_boost_button`]):
    /// a boost starts or the one in force ends; nothing is reported (no alert).
    fn boost_button(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        device: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        let id: Eui64 = device
            .parse()
            .map_err(|e| internal("boost button", format!("{e}")))?;
        let now = utc(now)?;
        self.simulate(tx, id, "boost button", |dev| {
            dev.press_boost_button(now);
            Ok::<_, String>(Vec::new())
        })
    }

    /// The site's RMS voltage at an ESME made a value, or back to normal ([`voltage_event`]):
    /// nothing is reported at once; the meter's alerts come from its evaluations.
    fn simulated_voltage(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        entry: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        let bad = || {
            internal(
                "voltage event",
                format!("not <device>:<volts|normal>: {entry:?}"),
            )
        };
        let (device, volts) = entry.rsplit_once(':').ok_or_else(bad)?;
        let id: Eui64 = device.parse().map_err(|_| bad())?;
        let volts = match volts {
            "normal" => None,
            v => Some(v.parse::<u32>().map_err(|_| bad())?),
        };
        let now = utc(now)?;
        self.simulate(tx, id, "voltage event", |dev| {
            if dev.set_simulated_voltage(volts, now) {
                Ok(Vec::new())
            } else {
                Err(format!("{id} is not an ESME"))
            }
        })
    }

    /// A UTRN typed at a meter's keypad ([`devices::EmulatedDevice::enter_utrn`]): the meter
    /// credits it or refuses it; its alert (`0x810E` Credit Added Locally, or the refusal's)
    /// goes to the DCC.
    fn keypad_utrn(
        &self,
        tx: &mut (impl WanTx + ?Sized),
        entry: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HubReport>, DccError> {
        let (device, utrn) = entry
            .split_once(':')
            .ok_or_else(|| internal("UTRN entry", format!("{entry:?}: not device:utrn")))?;
        let id: Eui64 = device
            .parse()
            .map_err(|e| internal("UTRN entry", format!("{e}")))?;
        let now = utc(now)?;
        self.simulate(tx, id, "UTRN entry", |dev| {
            dev.enter_utrn(utrn, now).map(|(_, reply)| reply.alerts)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

    fn identity(eui: u8) -> DeviceIdentity {
        let pkcs8 = || {
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap()
                .as_ref()
                .to_vec()
        };
        DeviceIdentity {
            eui: Eui64([0, 0xDB, 0x12, 0, 0, 0, 0, eui]),
            kind: DeviceKind::Esme,
            ds_private_pkcs8: pkcs8(),
            ka_private_pkcs8: pkcs8(),
        }
    }

    /// The emulation's storage in memory, recording every write of a device's state.
    #[derive(Default)]
    struct Fake {
        state: Option<StoredDeviceState>,
        events: Vec<(u8, Vec<u8>)>,
        writes: Vec<(bool, bool, usize)>,
    }

    impl EmulatorTx for Fake {
        fn device_state(&mut self, _: Eui64) -> Result<Option<StoredDeviceState>, StoreError> {
            Ok(self.state.clone())
        }
        fn device_events(&mut self, _: Eui64) -> Result<Vec<Vec<u8>>, StoreError> {
            Ok(self.events.iter().map(|(_, e)| e.clone()).collect())
        }
        fn write_device_state(
            &mut self,
            _: Eui64,
            w: &DeviceStateWrite<'_>,
        ) -> Result<(), StoreError> {
            self.writes
                .push((w.body.is_some(), w.counters.is_some(), w.events.len()));
            let (body, counters) = match self.state.take() {
                Some(StoredDeviceState::Compact { body, counters }) => (Some(body), Some(counters)),
                _ => (None, None),
            };
            self.state = Some(StoredDeviceState::Compact {
                body: w.body.map(<[u8]>::to_vec).or(body).unwrap(),
                counters: w.counters.map(<[u8]>::to_vec).or(counters).unwrap(),
            });
            if w.replace_events {
                self.events.clear();
            }
            self.events.extend(w.events.iter().cloned());
            for log in 0..3 {
                let held = self.events.iter().filter(|(l, _)| *l == log).count();
                let mut excess = held.saturating_sub(w.keep_events);
                self.events.retain(|(l, _)| {
                    let drop = *l == log && excess > 0;
                    excess -= usize::from(drop);
                    !drop
                });
            }
            Ok(())
        }
        fn device_state_ids(&mut self) -> Result<Vec<Eui64>, StoreError> {
            Ok(Vec::new())
        }
        fn wan_fault(&mut self, _: Eui64) -> Result<Option<crate::WanFault>, StoreError> {
            Ok(None)
        }
        fn set_wan_fault(
            &mut self,
            _: Eui64,
            _: Option<crate::WanFault>,
        ) -> Result<(), StoreError> {
            Ok(())
        }
        fn push_wan_event(&mut self, _: Eui64, _: &str, _: i64) -> Result<i64, StoreError> {
            Ok(0)
        }
        fn take_wan_events(&mut self, _: usize) -> Result<Vec<(i64, Eui64, String)>, StoreError> {
            Ok(Vec::new())
        }
    }

    use crate::StoreError;
    use devices::{Event, EventKind};

    const ID: Eui64 = Eui64([0, 0xDB, 0x12, 0, 0, 0, 0, 1]);

    fn fresh() -> DeviceState {
        let at = UtcDateTime::from_unix(1_700_000_000).unwrap();
        DeviceState::new(DeviceKind::Esme, at, devices::TrustAnchors::new())
    }

    fn event(at: i64) -> Event {
        Event {
            at,
            kind: EventKind::CommandExecuted {
                message_code: 0x0035,
                originator: ID,
                counter: u64::try_from(at).unwrap(),
                success: true,
            },
        }
    }

    #[test]
    fn only_the_parts_that_changed_are_written() {
        let mut tx = Fake::default();
        put_state(&mut tx, ID, &fresh()).unwrap();
        assert_eq!(tx.writes, [(true, true, 0)], "a new state: all of it");

        // A read: an accepted counter and an event; the body is not rewritten.
        let (mut state, stored) = read(&mut tx, ID, false).unwrap().unwrap();
        assert!(
            state.event_log.is_empty(),
            "the log is not read to handle a command"
        );
        state.last_counters.insert(ID, 7);
        state.event_log.push(event(7));
        write(&mut tx, ID, &state, stored.as_ref()).unwrap();
        assert_eq!(tx.writes[1], (false, true, 1));

        // Nothing changed: nothing written.
        let (state, stored) = read(&mut tx, ID, false).unwrap().unwrap();
        write(&mut tx, ID, &state, stored.as_ref()).unwrap();
        assert_eq!(tx.writes.len(), 2);

        // An event alone (a refused replay), then a change of the body alone.
        let (mut state, stored) = read(&mut tx, ID, false).unwrap().unwrap();
        state.event_log.push(event(8));
        write(&mut tx, ID, &state, stored.as_ref()).unwrap();
        let (mut state, stored) = read(&mut tx, ID, false).unwrap().unwrap();
        state.supply = devices::SupplyState::Disabled;
        write(&mut tx, ID, &state, stored.as_ref()).unwrap();
        assert_eq!(tx.writes[2..], [(false, false, 1), (true, false, 0)]);

        let whole = stored_state(&mut tx, ID).unwrap().unwrap();
        assert_eq!(
            whole.event_log.iter().cloned().collect::<Vec<_>>(),
            [event(7), event(8)]
        );
        assert_eq!(whole.last_counters.get(&ID), Some(&7));
        assert_eq!(whole.supply, devices::SupplyState::Disabled);
    }

    #[test]
    fn a_state_stored_as_json_moves_to_the_compact_form_whole_on_its_next_write() {
        let mut old = fresh();
        old.last_counters.insert(ID, 41);
        for at in 0..(devices::EVENT_LOG_CAPACITY as i64 + 3) {
            old.event_log.push(event(at));
        }
        let mut tx = Fake {
            state: Some(StoredDeviceState::Json(
                serde_json::to_string(&old).unwrap(),
            )),
            ..Fake::default()
        };
        assert_eq!(stored_state(&mut tx, ID).unwrap().unwrap(), old);
        let (mut state, stored) = read(&mut tx, ID, false).unwrap().unwrap();
        assert!(stored.is_none());
        state.last_counters.insert(ID, 42);
        state.event_log.push(event(1000));
        write(&mut tx, ID, &state, stored.as_ref()).unwrap();
        assert_eq!(
            tx.writes,
            [(true, true, devices::EVENT_LOG_CAPACITY)],
            "body, counters and the whole (bounded) log"
        );
        let now = stored_state(&mut tx, ID).unwrap().unwrap();
        assert!(matches!(tx.state, Some(StoredDeviceState::Compact { .. })));
        assert_eq!(now, state);
        assert_eq!(now.event_log.last(), Some(&event(1000)));
        assert_eq!(now.event_log.len(), devices::EVENT_LOG_CAPACITY);
    }

    #[test]
    fn a_cleared_log_s_stored_events_go_with_the_write_and_the_other_logs_stay() {
        let refused = |at| Event {
            at,
            kind: EventKind::CommandRefused {
                refusal: devices::Refusal::MacInvalid,
                originator: None,
                counter: None,
            },
        };
        let mut tx = Fake::default();
        let mut first = fresh();
        for at in [1, 3] {
            first.event_log.push(event(at));
        }
        first.event_log.push(refused(2));
        put_state(&mut tx, ID, &first).unwrap();

        // A command clears the event log (the log is not read to handle it).
        let (mut state, stored) = read(&mut tx, ID, false).unwrap().unwrap();
        assert!(state.event_log.clear(LogKind::Event));
        state.event_log.push(Event {
            at: 4,
            kind: EventKind::LogCleared {
                log: LogKind::Event,
                message_code: 0x0024,
            },
        });
        state.event_log.push(event(5));
        write(&mut tx, ID, &state, stored.as_ref()).unwrap();

        let whole = stored_state(&mut tx, ID).unwrap().unwrap();
        let ats = |l| whole.event_log.log(l).map(|e| e.at).collect::<Vec<_>>();
        assert_eq!(ats(LogKind::Event), [5], "cleared, then the newer event");
        assert_eq!(
            ats(LogKind::Security),
            [2, 4],
            "kept, and the clear recorded"
        );
        // The next command appends again.
        let (mut state, stored) = read(&mut tx, ID, false).unwrap().unwrap();
        state.event_log.push(event(6));
        write(&mut tx, ID, &state, stored.as_ref()).unwrap();
        assert_eq!(tx.events.len(), 4);
    }

    #[test]
    fn a_device_s_keys_are_parsed_once_and_never_served_for_other_keys() {
        let devices = EmulatedDevices::new(Vec::new());
        let a = identity(1);
        let first = devices.keys_of(&a).unwrap();
        assert!(Arc::ptr_eq(&first, &devices.keys_of(&a).unwrap()), "kept");
        devices.keys_of(&identity(2)).unwrap();
        assert_eq!(devices.keys_kept(), 2);
        // The same EUI with other keys (a re-keyed vault): parsed afresh, the old ones replaced.
        let rekeyed = DeviceIdentity {
            ka_private_pkcs8: identity(1).ka_private_pkcs8,
            ..a.clone()
        };
        let second = devices.keys_of(&rekeyed).unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert!(Arc::ptr_eq(&second, &devices.keys_of(&rekeyed).unwrap()));
        assert_eq!(devices.keys_kept(), 2);
    }

    #[test]
    fn a_tamper_event_names_its_device_and_nothing_else_parses() {
        let id = Eui64([0, 0xDB, 0x12, 0, 0, 0, 0, 7]);
        let kind = tamper_event(id);
        let entry = kind.strip_prefix(TAMPER_EVENT).unwrap();
        assert_eq!(parse_tamper_event(entry), Ok(id));
        for bad in ["", "00-DB-12", "00-DB-12-00-00-00-00-07:x", "meter"] {
            assert!(parse_tamper_event(bad).is_err(), "{bad:?}");
        }
    }
}
