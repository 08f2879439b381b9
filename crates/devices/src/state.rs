//! Persistent device state: everything a device remembers between messages, as one
//! `serde`-serialisable value the caller stores and hands back.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use eui::Eui64;
use serde::{Deserialize, Serialize};

use crate::anchors::TrustAnchors;
use crate::kind::DeviceKind;
use crate::metering::Metering;

/// How many events each of a device's logs keeps ([`LogKind`]: the oldest are dropped first).
/// GBCS meters keep 100 entries in their event and security logs.
pub const EVENT_LOG_CAPACITY: usize = 100;

/// How many HAN devices the CHF device log holds in this emulation.
pub const DEVICE_LOG_CAPACITY: usize = 16;

/// Supply state. ESME: load switch connected / disconnected / armed (DLMS disconnect control
/// states 1 / 0 / 2). GSME: valve open / closed / armed (ZSE supply status 2 / 0 / 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupplyState {
    /// Supply on: load switch closed, gas valve open.
    Enabled,
    /// Supply off: load switch open, gas valve closed.
    Disabled,
    /// Supply off, ready to be enabled locally by the consumer.
    Armed,
}

impl SupplyState {
    /// The DLMS disconnect-control `control_state` value (class 70, attribute 3).
    pub const fn dlms_control_state(self) -> u8 {
        match self {
            SupplyState::Disabled => 0,
            SupplyState::Enabled => 1,
            SupplyState::Armed => 2,
        }
    }

    /// The ZSE Metering `SupplyStatus` value (attribute 0x0014).
    pub const fn zse_supply_status(self) -> u8 {
        match self {
            SupplyState::Disabled => 0,
            SupplyState::Armed => 1,
            SupplyState::Enabled => 2,
        }
    }
}

/// A hardware fault injected into a device through its state ([`DeviceState::faults`]). While it
/// is present, the commands that need the faulty part fail the way the RTDS 4.5.0 ERROR vectors
/// of their use cases show, and change nothing; everything else works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DeviceFault {
    /// The firmware version cannot be read: ECS52 `Get` hardware-fault (1); GCS38 attribute
    /// `0x0206` HARDWARE_FAILURE; CS08 result 1 with an all-zero version.
    FirmwareVersion,
    /// The supply state cannot be read: ECS45 `Get` hardware-fault; GCS33 attribute `0x0014`
    /// HARDWARE_FAILURE (the battery record still answers).
    SupplyStatus,
    /// The load switch (ESME) or valve (GSME) does not move: ECS42 / ECS43 `Action`
    /// hardware-fault; GCS32 a ZCL Default Response HARDWARE_FAILURE to Change Supply. The
    /// supply state stays as it was.
    SupplySwitch,
    /// The import registers cannot be read: ECS17b `Action` hardware-fault with no protected
    /// data; on gas devices attribute `0x0000` (current summation) HARDWARE_FAILURE.
    ImportRegisters,
    /// Reading this Metering-cluster attribute of a gas device fails with HARDWARE_FAILURE (the
    /// RTDS GCS13a ERROR vector is a fault on the divisor, `0x0302`).
    MeteringAttribute(u16),
    /// Reading this DLMS attribute (class, OBIS, attribute) of an ESME fails with hardware-fault
    /// (1); the requests after it in the same command are not executed (250); a protected object
    /// (ECS17d, ECS17e, ECS19) answers its `Action` with hardware-fault and no data. The RTDS
    /// ERROR vectors of ECS17a, ECS18a, ECS18b, ECS27 and ECS82 are such faults, and those of
    /// the GET-list reads are each such a fault: ECS22a/c on the profile buffer, ECS23/ECS23b on
    /// the (first) average voltage profile, ECS24 on `113/0.0.19.20.4.255/5`, ECS24b on
    /// `20/0.0.13.0.1.255/4`, ECS26a on `10/0.0.12.0.1.255/2`; ECS22b (protected) on the active
    /// import profile `7/0.0.99.1.0.255/2` answers its `Action` with hardware-fault. Writing
    /// it fails likewise (`Set` hardware-fault; ECS16, ECS14: `crate::settings`).
    DlmsObject {
        /// Interface class.
        class: u16,
        /// Logical name.
        obis: [u8; 6],
        /// Attribute.
        attribute: u8,
    },
    /// Reading this attribute of this ZCL cluster of a gas device fails with HARDWARE_FAILURE
    /// (the RTDS GCS14 ERROR vector is a fault on the Price cluster's `0x0617`); the components
    /// after it are not executed.
    ClusterAttribute {
        /// The cluster.
        cluster: u16,
        /// The attribute.
        attribute: u16,
    },
    /// The gas meter cannot read or record samples: GCS17 / GCS18 answer a Default Response
    /// HARDWARE_FAILURE, GCS31 answers sample id `FFFF`.
    Sampling,
    /// This ZSE command of a read set (GCS21f, GCS21b) fails: a Default Response
    /// HARDWARE_FAILURE, the components after it `FF` FAILURE (RTDS: GCS21f on Get Special Days
    /// `0x0707/0x04`, GCS21b on Get Seasons `0x0707/0x03`; `0x00` is Read Attributes). A
    /// Device Management command (GCS44 `0x0708/0x01`, GCS11 `0x0708/0x02`) fails with a
    /// Default Response HARDWARE_FAILURE and changes nothing.
    ZclCommand {
        /// The cluster.
        cluster: u16,
        /// The command id.
        command: u8,
    },
    /// The logs cannot be read (billing data, daily read and daily consumption logs): DLMS log
    /// reads answer hardware-fault (1), GBZ ones a Default Response HARDWARE_FAILURE. The
    /// device logs of DUIS 8.9 too: CS07 answers read failure (1), CCS04/CCS05, CCS06 and CCS07
    /// hardware-fault (the RTDS ERROR vectors).
    Logs,
    /// The emergency credit cannot be activated: ECS09 `Action` hardware-fault; GCS06 a ZCL
    /// Default Response HARDWARE_FAILURE (the RTDS ERROR vectors). Nothing changes.
    EmergencyCredit,
    /// The tariff block counter matrix cannot be reset: ECS05 `Action` hardware-fault (the RTDS
    /// ERROR vector). Nothing changes.
    BlockCounterReset,
    /// The debt cannot be updated: ECS07 the fourth adjustment hardware-fault, the fifth not
    /// executed; GCS04 the second Change Debt HARDWARE_FAILURE, the third not executed (the RTDS
    /// ERROR vectors). Nothing changes.
    Debt,
    /// The meter balance cannot be adjusted or reset (1.5): ECS04a `Action` hardware-fault,
    /// ECS04b the second action hardware-fault and the third not executed; GCS40a–d a Default
    /// Response HARDWARE_FAILURE (the RTDS ERROR vectors). Nothing changes.
    MeterBalance,
}

impl DeviceFault {
    /// The names `opendcc device fault` takes: `firmware-version`, `supply-status`,
    /// `supply-switch`, `import-registers`, `metering-attribute:0x0302` (hex or decimal).
    pub const NAMES: &'static str = "firmware-version, supply-status, supply-switch, \
        import-registers, logs, emergency-credit, block-counter-reset, debt, meter-balance, metering-attribute:ID, dlms-object:CLASS/A.B.C.D.E.F/ATTR, \
        zcl-attribute:CLUSTER/ID, zcl-command:CLUSTER/COMMAND or sampling";

    /// The fault a name stands for ([`Self::NAMES`]).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "firmware-version" => Self::FirmwareVersion,
            "supply-status" => Self::SupplyStatus,
            "supply-switch" => Self::SupplySwitch,
            "import-registers" => Self::ImportRegisters,
            // Instantaneous reads.
            other if other.starts_with("zcl-attribute:") => {
                crate::reads::instantaneous::parse_fault(other)?
            }
            "sampling" => Self::Sampling,
            other if other.starts_with("dlms-object:") => crate::reads::parse_dlms_object(other)?,
            other if other.starts_with("zcl-command:") => crate::reads::parse_zcl_command(other)?,
            "logs" => Self::Logs,
            "emergency-credit" => Self::EmergencyCredit,
            "block-counter-reset" => Self::BlockCounterReset,
            "debt" => Self::Debt,
            "meter-balance" => Self::MeterBalance,
            other => {
                let id = other.strip_prefix("metering-attribute:")?;
                let id = match id.strip_prefix("0x").or_else(|| id.strip_prefix("0X")) {
                    Some(hex) => u16::from_str_radix(hex, 16).ok()?,
                    None => id.parse().ok()?,
                };
                Self::MeteringAttribute(id)
            }
        })
    }
}

/// One HAN device in the CHF device log (CCS01).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceLogEntry {
    /// The device's EUI-64.
    pub device: Eui64,
    /// Its ZigBee install code.
    #[serde(with = "hex_bytes")]
    pub install_code: Vec<u8>,
    /// How long joining stays open, seconds.
    pub join_time_period: u16,
    /// The key type member of the `register_device` entry.
    pub key_type: u8,
    /// The flags member of the `register_device` entry.
    pub entry_flags: u8,
}

/// Why a command was refused (nothing executed, no response sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Refusal {
    /// The bytes are not a GBCS message.
    Malformed,
    /// The recipient system title is another device.
    NotForThisDevice,
    /// Not a command (CRA flag response or alert).
    NotACommand,
    /// A command without the General-Ciphering (ACB MAC) wrapper.
    NotMacProtected,
    /// The MAC does not verify (or no ACB key to verify it with).
    MacInvalid,
    /// The originator is none of the device's trust anchors.
    UnknownOriginator,
    /// The originator is a trust anchor, but not in a role allowed for this use case.
    OriginatorNotAuthorised,
    /// A critical use case arrived without a signature.
    SignatureMissing,
    /// The originator's signature does not verify.
    SignatureInvalid,
    /// A security credentials command (CS02b by Recovery) whose control fields do not fit its
    /// mode: another replacement mode, an authorising seq number that is not the counter, an
    /// authorising cell that is not the Recovery DS cell, no replacements, or future-dated.
    CredentialsCommandInvalid,
    /// The counter is not greater than the last accepted one from this originator.
    Replay {
        /// The last accepted counter.
        last_accepted: u64,
    },
}

/// What happened, as the device logs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// A command passed every check and was executed (successfully or not).
    CommandExecuted {
        /// GBCS message code.
        message_code: u16,
        /// Originator system title.
        originator: Eui64,
        /// Originator counter.
        counter: u64,
        /// Whether execution succeeded.
        success: bool,
    },
    /// An authentic command for a use case this device does not implement, or whose content
    /// does not have the use case's format.
    CommandNotSupported {
        /// GBCS message code.
        message_code: u16,
        /// Originator system title.
        originator: Eui64,
        /// Originator counter.
        counter: u64,
    },
    /// A message was refused before execution.
    CommandRefused {
        /// Why.
        refusal: Refusal,
        /// The originator it claimed, when the header could be read.
        originator: Option<Eui64>,
        /// The counter it carried, when the header could be read.
        counter: Option<u64>,
    },
    /// The device raised an alert.
    AlertRaised {
        /// GBCS alert code.
        alert_code: u16,
        /// The device's originator counter for it.
        counter: u64,
    },
    /// An alert was due but could not be built or had nobody to go to.
    AlertNotSent {
        /// GBCS alert code.
        alert_code: u16,
    },
    /// The supply state changed.
    SupplyChanged {
        /// Before.
        from: SupplyState,
        /// After.
        to: SupplyState,
    },
    /// The clock was set (ECS70 / GCS28).
    ClockSet {
        /// Clock offset before, seconds.
        from_offset: i64,
        /// Clock offset after, seconds.
        to_offset: i64,
    },
    /// A device was added to (or updated in) the CHF device log.
    DeviceLogAdded {
        /// The device.
        device: Eui64,
    },
    /// A device was removed from the CHF device log.
    DeviceLogRemoved {
        /// The device.
        device: Eui64,
    },
    /// The device lost power.
    PowerLost,
    /// Power came back.
    PowerRestored {
        /// When the outage started (device clock, unix seconds).
        outage_start: i64,
    },
    /// A response could not be protected (signing or MAC failed) and was not sent.
    ResponseNotSent {
        /// GBCS message code of the command.
        message_code: u16,
    },
    /// A log was cleared (DUIS 3.3: CS11, ECS15a, ECS15c); a security log entry.
    LogCleared {
        /// The log.
        log: LogKind,
        /// The message code of the command that cleared it.
        message_code: u16,
    },
    /// A UTRN was entered (at the keypad, or in a CS01a / CS01b command).
    UtrnEntered {
        /// Whether at the keypad.
        keypad: bool,
        /// What the meter did with it.
        outcome: crate::top_up::TopUpOutcome,
    },
    /// An ESME auxiliary load switch was switched (the ALCS event log, ECS35f / ECS35g): by an
    /// ECS47 command (on, off, back to the calendar) or by the boost button (on at its start,
    /// back at its end).
    AuxSwitched {
        /// The switch, 1 to 5.
        switch: u8,
        /// What it was asked (`gbcs::usecases::event_logs_common::ALCS_ACTION_*`: on, off,
        /// revert to calendar control).
        action: u8,
        /// Whether it was done.
        success: bool,
    },
}

/// One event-log entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// Device clock at the time, unix seconds.
    pub at: i64,
    /// What happened.
    pub kind: EventKind,
}

/// The logs a device keeps its events in, apart as GBCS keeps them: the event log, the
/// security log and (ESME) the auxiliary load control switch event log. Which one an event goes
/// to is [`EventKind::log`]; a store tags each stored event with [`LogKind::id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LogKind {
    /// The event log (GBCS "Event Log"; ECS15a and CS11 clear it).
    Event,
    /// The security log (GBCS "Security Log"): never cleared by a remote party.
    Security,
    /// The ESME's ALCS / HCALCS event log (`0-17:99.98.2.255`; ECS15c clears it).
    Alcs,
}

impl LogKind {
    /// Every log, in [`LogKind::id`] order.
    pub const ALL: [LogKind; 3] = [LogKind::Event, LogKind::Security, LogKind::Alcs];

    /// The log's number as stored (0 event, 1 security, 2 ALCS; events stored before the logs
    /// were told apart count as 0).
    pub fn id(self) -> u8 {
        match self {
            LogKind::Event => 0,
            LogKind::Security => 1,
            LogKind::Alcs => 2,
        }
    }

    fn index(self) -> usize {
        usize::from(self.id())
    }
}

/// Message codes whose commands go to the security log: the clears of the logs (DUIS 3.3) and
/// the updates of the device's security credentials (CS02a-e and CS02b in every form).
fn security_relevant(message_code: u16) -> bool {
    let code = gbcs::MessageCode(message_code);
    [
        gbcs::MessageCode::CS11,
        gbcs::MessageCode::ECS15A,
        gbcs::MessageCode::ECS15C,
    ]
    .contains(&code)
        || code.use_case().is_some_and(|n| n.starts_with("CS02"))
}

/// Message codes of the auxiliary load control switch commands (DUIS 7.5 to 7.8, 7.12, 7.13),
/// which go to the ESME's ALCS event log.
fn alcs_relevant(message_code: u16) -> bool {
    [
        gbcs::MessageCode::ECS47,
        gbcs::MessageCode::ECS47A,
        gbcs::MessageCode::ECS38,
    ]
    .contains(&gbcs::MessageCode(message_code))
}

impl EventKind {
    /// The log the event goes to. Security log: refused commands (failed authentication,
    /// authorisation or replay checks), commands that update security credentials or clear a
    /// log, and the clears themselves ([`EventKind::LogCleared`]). ALCS event log: the
    /// auxiliary load control switch commands (ECS47, ECS47a, ECS38; the reads of them, ECS61a,
    /// are ordinary events). Everything else: the event log.
    pub fn log(&self) -> LogKind {
        match self {
            EventKind::CommandRefused { .. } | EventKind::LogCleared { .. } => LogKind::Security,
            EventKind::AuxSwitched { .. } => LogKind::Alcs,
            EventKind::CommandExecuted { message_code, .. }
            | EventKind::CommandNotSupported { message_code, .. }
            | EventKind::ResponseNotSent { message_code } => {
                if security_relevant(*message_code) {
                    LogKind::Security
                } else if alcs_relevant(*message_code) {
                    LogKind::Alcs
                } else {
                    LogKind::Event
                }
            }
            _ => LogKind::Event,
        }
    }
}

/// A device's logs ([`LogKind`]): each a bounded ring of events, oldest first, of at most
/// [`EVENT_LOG_CAPACITY`]. It also tracks (not part of its value: equality and serialisation see
/// the events only) which events were added since it was built and which logs were cleared
/// since, so that a caller storing the logs as rows appends just those ([`EventLog::unsaved`])
/// and deletes the rows of the cleared logs ([`EventLog::cleared`]).
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    /// Per log ([`LogKind::id`]), each event with its place in the order events were added.
    logs: [VecDeque<(u64, Event)>; 3],
    /// The place the next event takes.
    next: u64,
    /// Events from this place on are unsaved.
    saved_before: u64,
    /// The logs cleared since the log was built, in [`LogKind::id`] order.
    cleared: BTreeSet<LogKind>,
}

impl PartialEq for EventLog {
    fn eq(&self, other: &Self) -> bool {
        self.logs
            .iter()
            .zip(&other.logs)
            .all(|(a, b)| a.iter().map(|(_, e)| e).eq(b.iter().map(|(_, e)| e)))
    }
}

impl Eq for EventLog {}

/// As the list of events, in the order they were added (the form state stored as JSON has
/// always had); read back, each goes to its log.
impl Serialize for EventLog {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for EventLog {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Event>::deserialize(d).map(Self::from_events)
    }
}

impl EventLog {
    /// A log holding `events` (oldest first; each goes to its log, [`EventKind::log`], which
    /// keeps its newest [`EVENT_LOG_CAPACITY`]), none of them unsaved.
    pub fn from_events(events: impl IntoIterator<Item = Event>) -> Self {
        let mut log = Self::default();
        for e in events {
            log.push(e);
        }
        log.saved_before = log.next;
        log
    }

    /// Appends an event to its log, dropping that log's oldest beyond [`EVENT_LOG_CAPACITY`].
    pub fn push(&mut self, event: Event) {
        let ring = &mut self.logs[event.kind.log().index()];
        while ring.len() >= EVENT_LOG_CAPACITY {
            ring.pop_front();
        }
        ring.push_back((self.next, event));
        self.next = self.next.saturating_add(1);
    }

    /// Empties `log` and records that it was cleared ([`EventLog::cleared`]). The security log
    /// is never cleared: `false`, and nothing changes.
    pub fn clear(&mut self, log: LogKind) -> bool {
        if log == LogKind::Security {
            return false;
        }
        self.logs[log.index()].clear();
        self.cleared.insert(log);
        true
    }

    /// The logs cleared since the log was built: a caller that stored the log when it was built
    /// deletes their stored events before appending the [`EventLog::unsaved`] ones.
    pub fn cleared(&self) -> impl Iterator<Item = LogKind> + '_ {
        self.cleared.iter().copied()
    }

    /// How many events were added since the log was built (or [`EventLog::mark_unsaved`]).
    pub fn pushed(&self) -> usize {
        usize::try_from(self.next.saturating_sub(self.saved_before)).unwrap_or(usize::MAX)
    }

    /// The events added since the log was built that it still holds, in the order they were
    /// added: what a caller that stored the log when it was built has to append (each to its
    /// log, [`EventKind::log`]).
    pub fn unsaved(&self) -> impl DoubleEndedIterator<Item = &Event> {
        let from = self.saved_before;
        self.ordered(move |place| place >= from)
    }

    /// Counts every event held as unsaved (a log read from a store that kept it otherwise).
    pub fn mark_unsaved(&mut self) {
        self.saved_before = 0;
    }

    fn ordered(&self, keep: impl Fn(u64) -> bool) -> std::vec::IntoIter<&Event> {
        let mut all: Vec<&(u64, Event)> = self
            .logs
            .iter()
            .flatten()
            .filter(|(place, _)| keep(*place))
            .collect();
        all.sort_by_key(|(place, _)| *place);
        all.into_iter()
            .map(|(_, e)| e)
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// Every log's events, in the order they were added.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Event> {
        self.ordered(|_| true)
    }

    /// One log's events, oldest first.
    pub fn log(&self, log: LogKind) -> impl DoubleEndedIterator<Item = &Event> {
        self.logs[log.index()].iter().map(|(_, e)| e)
    }

    /// The newest event (of any log).
    pub fn last(&self) -> Option<&Event> {
        self.logs
            .iter()
            .filter_map(|l| l.back())
            .max_by_key(|(place, _)| *place)
            .map(|(_, e)| e)
    }

    /// Number of events held (in every log).
    pub fn len(&self) -> usize {
        self.logs.iter().map(VecDeque::len).sum()
    }

    /// Whether every log is empty.
    pub fn is_empty(&self) -> bool {
        self.logs.iter().all(VecDeque::is_empty)
    }
}

/// Everything a device remembers. The caller persists it after every [`crate::Reply`] whose
/// `state_changed` is true (as JSON, or compactly in parts written apart: [`crate::stored`]),
/// and passes it back to [`crate::EmulatedDevice::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceState {
    /// Running firmware version (as ECS52 / GCS38 / CS08 report it).
    #[serde(with = "hex_bytes")]
    pub firmware_version: Vec<u8>,
    /// Supply state (ESME load switch, GSME valve; ignored by other kinds).
    pub supply: SupplyState,
    /// Import registers.
    pub metering: Metering,
    /// Device clock minus true time, seconds.
    pub clock_offset_secs: i64,
    /// Whether the clock was set by ECS70 / GCS28 (commissioning).
    pub commissioned: bool,
    /// When the current power outage started (device clock, unix seconds), if one is running.
    pub power_outage_since: Option<i64>,
    /// Remaining battery life reported by gas devices, days.
    pub battery_days: u16,
    /// The CHF device log (CHF only).
    pub device_log: Vec<DeviceLogEntry>,
    /// The event log.
    pub event_log: EventLog,
    /// Highest accepted originator counter per originator (anti-replay).
    pub last_counters: BTreeMap<Eui64, u64>,
    /// The originator counter the next alert will carry.
    pub next_alert_counter: u64,
    /// The parties the device trusts.
    pub trust_anchors: TrustAnchors,
    /// Injected hardware faults (none on a fresh device; absent in state stored before faults
    /// existed).
    #[serde(default)]
    pub faults: BTreeSet<DeviceFault>,
    /// Future-dated instructions accepted and not yet executed (`crate::future`; absent in
    /// state stored before future dating).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub future_actions: Vec<crate::future::PendingAction>,
    /// The instantaneous reads' tariff, prepayment, maximum demand and load limit state
    /// (`crate::reads::instantaneous`).
    #[serde(default)]
    pub instantaneous: crate::reads::InstantaneousConfig,
    /// What the read services answer from beyond the registers: network data counters, the
    /// tariff, the prepayment configuration, the gas network sampling run (defaults when absent
    /// in stored state).
    #[serde(default)]
    pub reads: crate::reads::ReadsState,
    /// The billing calendar (log reads): when the device takes its billing-period snapshots.
    /// Monthly on the 1st by default (also for state stored before it existed).
    #[serde(default)]
    pub billing_calendar: crate::reads::logs::BillingCalendar,
    /// What the supplier sets for the consumer to see (DUIS 3.x): its name and telephone number,
    /// privacy PIN protection (defaults when absent in stored state).
    #[serde(default)]
    pub supplier_settings: SupplierSettings,
    /// The payment state commands change (`crate::reads::payment`: emergency credit
    /// activation); defaults when absent in stored state.
    #[serde(default)]
    pub payment: crate::reads::payment::PaymentState,
    /// The ESME's auxiliary load switches (ECS47; none overridden when absent in stored state).
    #[serde(default)]
    pub aux_loads: AuxLoads,
    /// The payment mode, disablement threshold and suspend-debt settings
    /// (`crate::payment_mode`, DUIS 1.6); defaults when absent in stored state.
    #[serde(default)]
    pub payment_mode: crate::payment_mode::PaymentModeState,
    /// The change of tenancy restriction (DUIS 3.2: ECS12 on an ESME, GCS09 on a GPF), true
    /// UTC unix seconds: consumption data from before it is withheld from parties other than
    /// the supplier and network operator ([`crate::tenancy`]); `None`: no restriction (also for
    /// state stored before it existed).
    #[serde(default)]
    pub tenancy_restriction: Option<i64>,
    /// The debts 2.3 Update Debt sets (`crate::reads::payment::DebtState`); defaults (the
    /// configured registers) when absent in stored state.
    #[serde(default)]
    pub debt: crate::reads::payment::DebtState,
    /// The prepayment meter balances' adjustments and the prepayment behaviour's state
    /// (`crate::prepay`, DUIS 1.5); defaults when absent in stored state.
    #[serde(default)]
    pub prepay: crate::prepay::PrepayState,
    /// The prepayment top-ups (DUIS 2.2 and the keypad, `crate::top_up`): the UTRN counter
    /// cache and the accepted top-ups; none when absent in stored state.
    #[serde(default)]
    pub top_ups: crate::top_up::TopUps,
    /// The ESME's auxiliary controllers beyond [`AuxLoads`]: which ones the boost button
    /// controls (DUIS 7.9 / 7.10, ECS62); defaults when absent in stored state.
    #[serde(default)]
    pub aux_controllers: AuxControllers,
    /// The prepayment credits log (DUIS 4.4.5, `crate::prepay::CreditsLog`): the last credits
    /// the meter accepted; empty when absent in stored state.
    #[serde(default)]
    pub credits_log: crate::prepay::CreditsLog,
    /// The ESME's boost function (`crate::boost`): its period, the boost in force started by
    /// the consumer's boost button, and the boost function log; defaults (none in force, an
    /// empty log) when absent in stored state.
    #[serde(default)]
    pub boost: crate::boost::BoostState,
    /// What DUIS family 6 configures (`crate::config`); defaults when absent in stored state.
    #[serde(default)]
    pub config: crate::config::DeviceConfig,
    // firmware (11.x)
    /// The verified firmware images held pending activation (`crate::firmware`); none when
    /// absent in stored state.
    #[serde(default)]
    pub firmware: crate::firmware::FirmwareState,
    // 8.9/8.12
    /// The CHF's device log history (`crate::han_logs`): when each whitelisted device was last
    /// added, and the CHF Historic Device Log; empty when absent in stored state.
    #[serde(default)]
    pub han_logs: crate::han_logs::HanLogs,
}

/// What a meter shows the consumer of its supplier and keeps for the HAN devices that display
/// it (IHD, PPMID): the supplier's name and telephone number (DUIS 3.4: ECS16 on an ESME, GCS44
/// on a GSME; an IHD shows what the meter holds), and whether the consumer's privacy PIN guards
/// the display (DUIS 3.5 clears it: ECS14, GCS11), and the supplier's message (DUIS 3.1:
/// ECS10, GCS07). A fresh device has no supplier details, no message and no PIN; a consumer sets a PIN at the meter or IHD, not through the DCC (a test sets
/// `privacy_pin_protection` in the state).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SupplierSettings {
    /// The supplier name, as sent (printable ASCII from DUIS).
    #[serde(with = "hex_bytes")]
    pub supplier_name: Vec<u8>,
    /// The supplier telephone number (ESME) or contact details (GSME), as sent.
    #[serde(with = "hex_bytes")]
    pub supplier_telephone: Vec<u8>,
    /// Whether privacy PIN protection is on.
    pub privacy_pin_protection: bool,
    /// The supplier's message for the consumer, shown until the next one (DUIS 3.1: ECS10 on an
    /// ESME, GCS07 on a GSME); empty: none.
    #[serde(with = "hex_bytes")]
    pub supplier_message: Vec<u8>,
}

impl SupplierSettings {
    /// What an IHD or PPMID paired with the meter shows of it: the supplier's name and
    /// telephone number and its message, as text (bytes outside printable ASCII, which DUIS never
    /// sends, shown as `?`); an empty field shows nothing.
    pub fn display(&self) -> SupplierDisplay {
        let text = |b: &[u8]| -> Option<String> {
            (!b.is_empty()).then(|| {
                b.iter()
                    .map(|&c| {
                        if (0x20..0x7F).contains(&c) {
                            char::from(c)
                        } else {
                            '?'
                        }
                    })
                    .collect()
            })
        };
        SupplierDisplay {
            supplier_name: text(&self.supplier_name),
            supplier_telephone: text(&self.supplier_telephone),
            message: text(&self.supplier_message),
        }
    }
}

/// What a consumer's display (IHD, PPMID) shows of the supplier settings
/// ([`SupplierSettings::display`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SupplierDisplay {
    /// The supplier name.
    pub supplier_name: Option<String>,
    /// The supplier telephone number or contact details.
    pub supplier_telephone: Option<String>,
    /// The supplier's message.
    pub message: Option<String>,
}

/// An ECS47 override of an auxiliary load switch: on or off, until a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuxOverride {
    /// Switched on (activate) or off (deactivate).
    pub on: bool,
    /// When the override ends (true time, unix seconds); `None`: at the next ECS47 for the
    /// switch (a `Duration` of 0).
    pub until: Option<i64>,
}

/// An ECS47a commanded state level of an auxiliary controller, for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuxCommandedLevel {
    /// From (device clock as commanded, unix seconds), inclusive.
    pub start: i64,
    /// To, exclusive.
    pub end: i64,
    /// The level, 0–100 (a switch is on at 100 only).
    pub level: u8,
    /// An APC takes its input from the controlled load.
    pub input_from_controlled_load: bool,
}

/// The ESME's five auxiliary load switches (ALCS / HCALCS 1–5): the ECS47 override in force on
/// each, if any, or the ECS47a commanded level (the later of the two commands wins). A switch
/// with neither in force follows its calendar (`crate::aux_calendar`; off without one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuxLoads {
    /// The override of switch `i + 1` (ECS47).
    pub overrides: [Option<AuxOverride>; 5],
    /// The commanded level of controller `i + 1` (ECS47a).
    pub commanded: [Option<AuxCommandedLevel>; 5],
    /// The randomised offset limit (ECS38, seconds); `None` until one is set.
    pub randomised_offset_limit: Option<u16>,
}

impl AuxLoads {
    /// Applies an ECS47 to switch `index` (1–5) at true time `now` (unix seconds): activate or
    /// deactivate for `duration` minutes (0: until the next ECS47 for it), or reset (the
    /// override ends). Returns false, changing nothing, for an index outside 1–5.
    pub fn apply(&mut self, index: u8, action: gbcs::usecases::AuxLoadAction, now: i64) -> bool {
        use gbcs::usecases::AuxLoadAction as A;
        let Some(slot) = usize::from(index)
            .checked_sub(1)
            .and_then(|i| self.overrides.get_mut(i))
        else {
            return false;
        };
        let until =
            |minutes: u16| (minutes != 0).then(|| now.saturating_add(i64::from(minutes) * 60));
        *slot = match action {
            A::Activate { duration } => Some(AuxOverride {
                on: true,
                until: until(duration),
            }),
            A::Deactivate { duration } => Some(AuxOverride {
                on: false,
                until: until(duration),
            }),
            A::Reset => None,
        };
        if let Some(c) = usize::from(index)
            .checked_sub(1)
            .and_then(|i| self.commanded.get_mut(i))
        {
            *c = None;
        }
        true
    }

    /// Applies an ECS47a to controller `index` (1–5): the commanded level holds from `start`
    /// to `end` (device clock, unix seconds) and replaces any ECS47 override. Returns false,
    /// changing nothing, for an index outside 1–5.
    pub fn command(&mut self, index: u8, level: AuxCommandedLevel) -> bool {
        let Some(i) = usize::from(index).checked_sub(1).filter(|i| *i < 5) else {
            return false;
        };
        let (Some(o), Some(c)) = (self.overrides.get_mut(i), self.commanded.get_mut(i)) else {
            return false;
        };
        *o = None;
        *c = Some(level);
        true
    }

    /// Whether switch `index` (1–5) is on at true time `now` (`device_now` on the device
    /// clock, for an ECS47a period): its override while in force, else its commanded level
    /// (on at 100) within its period, else its calendar (off).
    pub fn is_on(&self, index: u8, now: i64, device_now: i64) -> bool {
        let Some(i) = usize::from(index).checked_sub(1) else {
            return false;
        };
        if let Some(o) = self.overrides.get(i).copied().flatten()
            && o.until.is_none_or(|t| now < t)
        {
            return o.on;
        }
        self.commanded
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|c| c.level == 100 && (c.start..c.end).contains(&device_now))
    }
}

/// The ESME's auxiliary controllers 1–5 beyond [`AuxLoads`]: which ones the boost button
/// controls (ECS62 sets, ECS61c reads; a press of the button, `crate::boost`, switches them on
/// for the boost period), and the load controller's APC level limits (ECS47e sets; ECS61e shows
/// the output level capped by the limit in force).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuxControllers {
    /// Whether the boost function controls controller `i + 1`.
    pub boost: [bool; 5],
    /// The load controller's limit on APC `i + 1` (ECS47e): the highest level it may run at,
    /// for a period.
    pub apc_limits: [Option<AuxCommandedLevel>; 5],
}

impl AuxControllers {
    /// The limit on APC `index` (1–5) in force at `device_now` (device clock, unix seconds).
    pub fn apc_limit(&self, index: u8, device_now: i64) -> Option<u8> {
        let i = usize::from(index).checked_sub(1)?;
        self.apc_limits
            .get(i)
            .copied()
            .flatten()
            .filter(|l| (l.start..l.end).contains(&device_now))
            .map(|l| l.level)
    }
}

impl AuxLoads {
    /// The output level (percent) of controller `index` (1–5) at true time `now`
    /// (`device_now` on the device clock): 100 or 0 while an ECS47 override is in force, else
    /// its ECS47a commanded level within its period, else 0 (the calendar aside: see
    /// [`Self::directed_level`]).
    pub fn output_level(&self, index: u8, now: i64, device_now: i64) -> u8 {
        self.directed_level(index, now, device_now).unwrap_or(0)
    }

    /// The output level (percent) an ECS47 override or ECS47a commanded level in force directs
    /// for controller `index` (1–5), if any; otherwise the controller follows its calendar
    /// (`crate::aux_calendar`).
    pub fn directed_level(&self, index: u8, now: i64, device_now: i64) -> Option<u8> {
        let i = usize::from(index).checked_sub(1)?;
        if let Some(o) = self.overrides.get(i).copied().flatten()
            && o.until.is_none_or(|t| now < t)
        {
            return Some(if o.on { 100 } else { 0 });
        }
        self.commanded_in_force(index, device_now).map(|c| c.level)
    }

    /// Controller `index`'s ECS47a commanded level if its period holds `device_now` and no
    /// ECS47 override replaced it.
    pub fn commanded_in_force(&self, index: u8, device_now: i64) -> Option<AuxCommandedLevel> {
        let i = usize::from(index).checked_sub(1)?;
        self.commanded
            .get(i)
            .copied()
            .flatten()
            .filter(|c| (c.start..c.end).contains(&device_now))
    }
}

impl DeviceState {
    /// Whether `fault` is injected.
    pub fn has_fault(&self, fault: DeviceFault) -> bool {
        self.faults.contains(&fault)
    }

    /// The consumer presses the meter's button at true time `now`: an armed supply (ECS44,
    /// GCS39) is enabled (load switch closed, valve opened), the registers start to advance again
    /// (unless the power is out) and the event log records the change. Returns whether the
    /// supply was armed; otherwise the press does nothing. Only an ESME or a GSME is ever armed.
    pub fn press_supply_button(&mut self, now: gbcs::UtcDateTime) -> bool {
        if self.supply != SupplyState::Armed {
            return false;
        }
        self.supply = SupplyState::Enabled;
        let t = now.to_unix();
        self.metering
            .set_flowing(self.power_outage_since.is_none(), t);
        self.event_log.push(Event {
            at: t.saturating_add(self.clock_offset_secs),
            kind: EventKind::SupplyChanged {
                from: SupplyState::Armed,
                to: SupplyState::Enabled,
            },
        });
        true
    }
}

impl DeviceState {
    /// A meter as a supplier installs it in a home (what the demo worlds hold): a fresh device
    /// ([`Self::new`], whose configuration is the RTDS answers') with the maximum meter balance
    /// raised to [`crate::prepay::HOUSEHOLD_MAX_METER_BALANCE`], so that the £100 of credit it
    /// holds at installation leaves room for a top-up (at the RTDS £100 maximum the first
    /// top-up would be refused, `0x8F47`). Other device kinds are [`Self::new`]'s.
    pub fn installed_in_a_home(
        kind: DeviceKind,
        installed_at: gbcs::UtcDateTime,
        anchors: TrustAnchors,
    ) -> Self {
        let mut s = Self::new(kind, installed_at, anchors);
        crate::prepay_config::PrepayConfigChange {
            max_meter_balance: Some(crate::prepay::HOUSEHOLD_MAX_METER_BALANCE),
            ..Default::default()
        }
        .apply_to(&mut s, kind);
        s
    }

    /// A fresh device as installed at `installed_at` (true time): supply enabled, clock exact,
    /// not commissioned, registers at zero with default rates (ESME 500 Wh/h and 50 varh/h, gas
    /// 100 l/h), firmware `01 00 00 01`, no counters seen, alert counter 1.
    pub fn new(kind: DeviceKind, installed_at: gbcs::UtcDateTime, anchors: TrustAnchors) -> Self {
        let flows = matches!(kind, DeviceKind::Esme | DeviceKind::Gsme | DeviceKind::Gpf);
        Self {
            firmware_version: vec![0x01, 0x00, 0x00, 0x01],
            supply: SupplyState::Enabled,
            metering: Metering::new(
                installed_at.to_unix(),
                flows.then(|| installed_at.to_unix()),
            ),
            clock_offset_secs: 0,
            commissioned: false,
            power_outage_since: None,
            battery_days: 3650,
            device_log: Vec::new(),
            event_log: EventLog::default(),
            last_counters: BTreeMap::new(),
            next_alert_counter: 1,
            trust_anchors: anchors,
            faults: BTreeSet::new(),
            future_actions: Vec::new(),
            instantaneous: crate::reads::InstantaneousConfig::default(),
            reads: crate::reads::ReadsState::default(),
            billing_calendar: crate::reads::logs::BillingCalendar::default(),
            supplier_settings: SupplierSettings::default(),
            payment: crate::reads::payment::PaymentState::default(),
            aux_loads: AuxLoads::default(),
            payment_mode: crate::payment_mode::PaymentModeState::installed(kind),
            tenancy_restriction: None,
            debt: crate::reads::payment::DebtState::default(),
            prepay: crate::prepay::PrepayState::default(),
            top_ups: crate::top_up::TopUps::default(),
            credits_log: crate::prepay::CreditsLog::default(),
            aux_controllers: AuxControllers::default(),
            boost: crate::boost::BoostState::default(),
            config: crate::config::DeviceConfig::default(),
            // firmware (11.x)
            firmware: crate::firmware::FirmwareState::default(),
            han_logs: crate::han_logs::HanLogs::default(),
        }
    }
}

/// Serde helper: bytes as a hex string in human-readable formats (JSON), as bytes in binary
/// ones (`crate::stored`).
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&hex::encode(b))
        } else {
            b.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            hex::decode(s.as_ref()).map_err(serde::de::Error::custom)
        } else {
            Vec::<u8>::deserialize(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_log_is_bounded() {
        let mut l = EventLog::default();
        for i in 0..(EVENT_LOG_CAPACITY as i64 + 5) {
            l.push(Event {
                at: i,
                kind: EventKind::PowerLost,
            });
        }
        assert_eq!(l.len(), EVENT_LOG_CAPACITY);
        assert_eq!(l.iter().next().map(|e| e.at), Some(5));
        assert_eq!(l.last().map(|e| e.at), Some(EVENT_LOG_CAPACITY as i64 + 4));
    }

    #[test]
    fn fault_names() {
        assert_eq!(
            DeviceFault::parse("firmware-version"),
            Some(DeviceFault::FirmwareVersion)
        );
        assert_eq!(
            DeviceFault::parse("supply-switch"),
            Some(DeviceFault::SupplySwitch)
        );
        assert_eq!(
            DeviceFault::parse("metering-attribute:0x0302"),
            Some(DeviceFault::MeteringAttribute(0x0302))
        );
        assert_eq!(
            DeviceFault::parse("metering-attribute:770"),
            Some(DeviceFault::MeteringAttribute(770))
        );
        for bad in [
            "",
            "Firmware-Version",
            "metering-attribute:",
            "metering-attribute:0x10000",
        ] {
            assert_eq!(DeviceFault::parse(bad), None, "{bad:?}");
        }
    }
}
