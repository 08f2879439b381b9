//! The compact stored form of a [`DeviceState`], in three parts a store writes apart, so that a
//! command rewrites only what it changed:
//!
//! * the **counters** ([`encode_counters`]): the anti-replay counters (`last_counters`) and the
//!   alert counter, which an accepted command changes; small, written after every command;
//! * the **events** ([`encode_event`]): the logs as rows, one per event, each tagged with its log
//!   ([`crate::LogKind::id`] of [`crate::EventKind::log`]), appended ([`crate::EventLog::unsaved`]),
//!   the oldest of each log beyond [`crate::EVENT_LOG_CAPACITY`] dropped by the store, and a
//!   log's rows deleted when the device clears it ([`crate::EventLog::cleared`], DUIS 3.3);
//! * the **body** ([`encode_body`]): everything else (registers, trust anchors, configuration,
//!   faults, held instructions…), rewritten only when its encoding differs from the stored one
//!   (comparing bytes, so no mutation has to be tracked).
//!
//! Each part is a [`FORMAT`] byte and the `postcard` encoding of its fields (EUIs and keys as
//! bytes: their serde forms are binary in formats that are not human-readable). postcard is not
//! self-describing: every field is encoded, in declaration order, so a change to a stored type
//! needs a new [`FORMAT`], and every older format stays readable:
//!
//! * format 1: the body's fields up to the billing calendar; the counters; an event;
//! * format 2: a format-1 body followed by its [`Tail`] (the supplier settings of DUIS 3.x,
//!   the payment state of DUIS 1.x and 2.x, the auxiliary load switches of DUIS 7.x, the
//!   payment mode of DUIS 1.6, the change of tenancy restriction of DUIS 3.2 and the debts of
//!   DUIS 2.3); counters and events as in 1. A format-1 body reads with the default tail.
//! * format 3: a format-2 body followed by [`Tail3`] (the tariffs written by DUIS 1.1 / 1.2
//!   that the registers follow, [`crate::reads::InstantaneousConfig::epochs`]; the prepayment
//!   state of DUIS 1.5 and the prepayment behaviour, [`crate::prepay::PrepayState`]; the
//!   prepayment top-ups of DUIS 2.2, [`crate::top_up::TopUps`]; the auxiliary controllers' boost
//!   button associations of DUIS 7.9 / 7.10, [`crate::state::AuxControllers`]); a format-1 or
//!   format-2 body reads with their defaults.
//! * format 4: a format-3 body followed by [`Tail4`] (the prepayment credits log of DUIS 4.4.5,
//!   [`crate::prepay::CreditsLog`]; the ESME's boost function of DUIS 7.11: the boost period,
//!   the boost in force and the boost function log, [`crate::boost::BoostState`]); an older body
//!   reads with the log of the top-ups it had accepted
//!   ([`crate::prepay::CreditsLog::from_top_ups`]: their UTRNs were not kept) and the default
//!   boost function (no boost in force, an empty log, the default period).
//! * format 5: a format-4 body followed by [`Tail5`] (the device configuration DUIS family 6
//!   writes, [`crate::config::DeviceConfig`]); an older body reads with the default one.
//! * format 6: a format-5 body followed by [`Tail6`] (the firmware images held pending
//!   activation, DUIS 11.x, [`crate::firmware::FirmwareState`]; DUIS 8.9/8.12: the CHF's device
//!   log history, [`crate::han_logs::HanLogs`]); an older body reads with none and an empty one.
//!   State added later goes at the end of the tail, with a new format.

use std::collections::{BTreeMap, BTreeSet};

use eui::Eui64;
use serde::{Deserialize, Serialize};

use crate::anchors::TrustAnchors;
use crate::metering::Metering;
use crate::state::{
    DeviceFault, DeviceLogEntry, DeviceState, Event, EventLog, SupplierSettings, SupplyState,
};

/// The version byte every stored part starts with.
pub const FORMAT: u8 = 6;
/// The format of parts stored before [`Tail6`] existed (still read).
pub const FORMAT_5: u8 = 5;
/// The format of parts stored before [`Tail5`] existed (still read).
pub const FORMAT_4: u8 = 4;
/// The format of parts stored before [`Tail4`] existed (still read).
pub const FORMAT_3: u8 = 3;
/// The format of parts stored before [`Tail3`] existed (still read).
pub const FORMAT_2: u8 = 2;
/// The format of parts stored before the tail existed (still read).
pub const FORMAT_1: u8 = 1;

/// A stored part that cannot be read (another format, or not an encoding of its type).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored device state unreadable: {0}")]
pub struct StoredError(String);

/// The body's fields, borrowed for encoding (the same order as [`BodyV1`]). The clock offset and
/// the held instructions come first, so that [`held_instructions_due`] reads only them.
#[derive(Serialize)]
struct BodyRef<'a> {
    clock_offset_secs: i64,
    future_actions: &'a [crate::future::PendingAction],
    firmware_version: &'a [u8],
    supply: SupplyState,
    metering: &'a Metering,
    commissioned: bool,
    power_outage_since: Option<i64>,
    battery_days: u16,
    device_log: &'a [DeviceLogEntry],
    trust_anchors: &'a TrustAnchors,
    faults: &'a BTreeSet<DeviceFault>,
    instantaneous: &'a crate::reads::InstantaneousConfig,
    reads: &'a crate::reads::ReadsState,
    billing_calendar: &'a crate::reads::logs::BillingCalendar,
}

/// The body's fields, decoded (format 1: without the [`Tail`] format 2 appends).
#[derive(Deserialize)]
struct BodyV1 {
    clock_offset_secs: i64,
    future_actions: Vec<crate::future::PendingAction>,
    firmware_version: Vec<u8>,
    supply: SupplyState,
    metering: Metering,
    commissioned: bool,
    power_outage_since: Option<i64>,
    battery_days: u16,
    device_log: Vec<DeviceLogEntry>,
    trust_anchors: TrustAnchors,
    faults: BTreeSet<DeviceFault>,
    instantaneous: crate::reads::InstantaneousConfig,
    reads: crate::reads::ReadsState,
    billing_calendar: crate::reads::logs::BillingCalendar,
}

/// What format 2 appends to a format-1 body, borrowed for encoding (the same order as
/// [`Tail`]; postcard lays the pair `(BodyRef, TailRef)` out as the one after the other).
#[derive(Serialize)]
struct TailRef<'a> {
    supplier_settings: &'a SupplierSettings,
    payment: &'a crate::reads::payment::PaymentState,
    aux_loads: &'a crate::state::AuxLoads,
    payment_mode: &'a crate::payment_mode::PaymentModeState,
    tenancy_restriction: Option<i64>,
    debt: &'a crate::reads::payment::DebtState,
}

/// What format 2 appends to a format-1 body, decoded; a format-1 body reads with the default.
#[derive(Serialize, Deserialize, Default)]
struct Tail {
    supplier_settings: SupplierSettings,
    payment: crate::reads::payment::PaymentState,
    aux_loads: crate::state::AuxLoads,
    payment_mode: crate::payment_mode::PaymentModeState,
    tenancy_restriction: Option<i64>,
    debt: crate::reads::payment::DebtState,
}

#[derive(Serialize)]
struct Tail3Ref<'a> {
    tariff_epochs: &'a [crate::reads::instantaneous::TariffEpoch],
    prepay: &'a crate::prepay::PrepayState,
    top_ups: &'a crate::top_up::TopUps,
    aux_controllers: &'a crate::state::AuxControllers,
}

/// What format 3 appends to a format-2 body; a format-1 or format-2 body reads with the default.
#[derive(Deserialize, Default)]
struct Tail3 {
    tariff_epochs: Vec<crate::reads::instantaneous::TariffEpoch>,
    prepay: crate::prepay::PrepayState,
    top_ups: crate::top_up::TopUps,
    aux_controllers: crate::state::AuxControllers,
}

#[derive(Serialize)]
struct Tail4Ref<'a> {
    credits_log: &'a crate::prepay::CreditsLog,
    boost: &'a crate::boost::BoostState,
}

/// What format 4 appends to a format-3 body; an older body reads with the log its top-ups make
/// and the default boost function.
#[derive(Deserialize, Default)]
struct Tail4 {
    credits_log: crate::prepay::CreditsLog,
    boost: crate::boost::BoostState,
}

#[derive(Serialize)]
struct Tail5Ref<'a> {
    config: &'a crate::config::DeviceConfig,
}

/// What format 5 appends to a format-4 body; an older body reads with the default.
#[derive(Deserialize, Default)]
struct Tail5 {
    config: crate::config::DeviceConfig,
}

#[derive(Serialize)]
struct Tail6Ref<'a> {
    // firmware (11.x)
    firmware: &'a crate::firmware::FirmwareState,
    // 8.9/8.12
    han_logs: &'a crate::han_logs::HanLogs,
}

/// What format 6 appends to a format-5 body; an older body reads with no held image and an
/// empty device log history.
#[derive(Deserialize, Default)]
struct Tail6 {
    // firmware (11.x)
    firmware: crate::firmware::FirmwareState,
    // 8.9/8.12
    han_logs: crate::han_logs::HanLogs,
}

/// The start of a body: what [`held_instructions_due`] needs.
#[derive(Deserialize)]
struct BodyHead {
    clock_offset_secs: i64,
    future_actions: Vec<crate::future::PendingAction>,
}

#[derive(Serialize)]
struct CountersRef<'a> {
    last_counters: &'a BTreeMap<Eui64, u64>,
    next_alert_counter: u64,
}

#[derive(Deserialize)]
struct Counters {
    last_counters: BTreeMap<Eui64, u64>,
    next_alert_counter: u64,
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoredError> {
    let out = vec![FORMAT];
    postcard::to_extend(value, out).map_err(|e| StoredError(e.to_string()))
}

fn decode<'a, T: Deserialize<'a>>(what: &str, bytes: &'a [u8]) -> Result<T, StoredError> {
    match bytes.split_first() {
        // Counters and events are laid out alike in formats 1 to 6.
        Some((&(FORMAT | FORMAT_5 | FORMAT_4 | FORMAT_3 | FORMAT_2 | FORMAT_1), rest)) => {
            postcard::from_bytes(rest).map_err(|e| StoredError(format!("{what}: {e}")))
        }
        Some((v, _)) => Err(StoredError(format!("{what}: format {v}"))),
        None => Err(StoredError(format!("{what}: empty"))),
    }
}

/// The body: the state but for its counters and event log.
pub fn encode_body(state: &DeviceState) -> Result<Vec<u8>, StoredError> {
    // Destructured in full, so that a field added to the state fails to compile here until it
    // is given a part.
    let DeviceState {
        firmware_version,
        supply,
        metering,
        clock_offset_secs,
        commissioned,
        power_outage_since,
        battery_days,
        device_log,
        event_log: _,
        last_counters: _,
        next_alert_counter: _,
        trust_anchors,
        faults,
        future_actions,
        instantaneous,
        reads,
        billing_calendar,
        supplier_settings,
        payment,
        aux_loads,
        payment_mode,
        tenancy_restriction,
        debt,
        prepay,
        top_ups,
        aux_controllers,
        credits_log,
        boost,
        config,
        firmware,
        han_logs,
    } = state;
    let body = BodyRef {
        firmware_version,
        supply: *supply,
        metering,
        clock_offset_secs: *clock_offset_secs,
        commissioned: *commissioned,
        power_outage_since: *power_outage_since,
        battery_days: *battery_days,
        device_log,
        trust_anchors,
        faults,
        future_actions,
        instantaneous,
        reads,
        billing_calendar,
    };
    encode(&(
        body,
        TailRef {
            supplier_settings,
            payment,
            aux_loads,
            payment_mode,
            tenancy_restriction: *tenancy_restriction,
            debt,
        },
        Tail3Ref {
            tariff_epochs: &instantaneous.epochs,
            prepay,
            top_ups,
            aux_controllers,
        },
        Tail4Ref { credits_log, boost },
        Tail5Ref { config },
        Tail6Ref { firmware, han_logs },
    ))
}

/// When the earliest future-dated instruction a stored body holds is due (true time, unix
/// seconds; `None`: it holds none), read from the start of the body alone (a scan of every
/// device for due instructions decodes no more).
pub fn held_instructions_due(body: &[u8]) -> Result<Option<i64>, StoredError> {
    let head: BodyHead = match body.split_first() {
        Some((&(FORMAT | FORMAT_5 | FORMAT_4 | FORMAT_3 | FORMAT_2 | FORMAT_1), rest)) => {
            postcard::take_from_bytes(rest)
                .map(|(h, _)| h)
                .map_err(|e| StoredError(format!("body: {e}")))?
        }
        _ => decode::<BodyHead>("body", body)?,
    };
    Ok(head
        .future_actions
        .iter()
        .map(|a| a.at.saturating_sub(head.clock_offset_secs))
        .min())
}

/// The counters: the highest accepted counter per originator and the next alert counter.
pub fn encode_counters(state: &DeviceState) -> Result<Vec<u8>, StoredError> {
    encode(&CountersRef {
        last_counters: &state.last_counters,
        next_alert_counter: state.next_alert_counter,
    })
}

/// One event of the log.
pub fn encode_event(event: &Event) -> Result<Vec<u8>, StoredError> {
    encode(event)
}

/// One event of the log, from [`encode_event`]'s bytes.
pub fn decode_event(bytes: &[u8]) -> Result<Event, StoredError> {
    decode("event", bytes)
}

/// The state from its stored body and counters and its event log (events read with
/// [`decode_event`], or an empty log by a caller that only appends to it).
pub fn decode_state(
    body: &[u8],
    counters: &[u8],
    event_log: EventLog,
) -> Result<DeviceState, StoredError> {
    type Parts = (BodyV1, Tail, Tail3, Option<Tail4>, Tail5, Tail6);
    let (mut b, tail, tail3, tail4, tail5, tail6): Parts = match body.first() {
        Some(&FORMAT_1) => (
            decode("body", body)?,
            Tail::default(),
            Tail3::default(),
            None,
            Tail5::default(),
            Tail6::default(),
        ),
        Some(&FORMAT_2) => {
            let (b, t) = decode("body", body)?;
            (
                b,
                t,
                Tail3::default(),
                None,
                Tail5::default(),
                Tail6::default(),
            )
        }
        Some(&FORMAT_3) => {
            let (b, t, t3) = decode("body", body)?;
            (b, t, t3, None, Tail5::default(), Tail6::default())
        }
        Some(&FORMAT_4) => {
            let (b, t, t3, t4) = decode("body", body)?;
            (b, t, t3, Some(t4), Tail5::default(), Tail6::default())
        }
        Some(&FORMAT_5) => {
            let (b, t, t3, t4, t5) = decode("body", body)?;
            (b, t, t3, Some(t4), t5, Tail6::default())
        }
        _ => {
            let (b, t, t3, t4, t5, t6) = decode("body", body)?;
            (b, t, t3, Some(t4), t5, t6)
        }
    };
    let (credits_log, boost) = match tail4 {
        Some(t4) => (t4.credits_log, t4.boost),
        None => (
            crate::prepay::CreditsLog::from_top_ups(&tail3.top_ups, b.clock_offset_secs),
            crate::boost::BoostState::default(),
        ),
    };
    b.instantaneous.epochs = tail3.tariff_epochs;
    let c: Counters = decode("counters", counters)?;
    Ok(DeviceState {
        firmware_version: b.firmware_version,
        supply: b.supply,
        metering: b.metering,
        clock_offset_secs: b.clock_offset_secs,
        commissioned: b.commissioned,
        power_outage_since: b.power_outage_since,
        battery_days: b.battery_days,
        device_log: b.device_log,
        event_log,
        last_counters: c.last_counters,
        next_alert_counter: c.next_alert_counter,
        trust_anchors: b.trust_anchors,
        faults: b.faults,
        future_actions: b.future_actions,
        instantaneous: b.instantaneous,
        reads: b.reads,
        billing_calendar: b.billing_calendar,
        supplier_settings: tail.supplier_settings,
        payment: tail.payment,
        aux_loads: tail.aux_loads,
        payment_mode: tail.payment_mode,
        tenancy_restriction: tail.tenancy_restriction,
        debt: tail.debt,
        prepay: tail3.prepay,
        top_ups: tail3.top_ups,
        aux_controllers: tail3.aux_controllers,
        credits_log,
        boost,
        config: tail5.config,
        firmware: tail6.firmware,
        han_logs: tail6.han_logs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::future::{FutureAction, PendingAction};

    fn held(at: i64) -> PendingAction {
        PendingAction {
            at,
            action: FutureAction::SupplyOff,
            originator: Eui64::from_u64(7),
            counter: 9,
            message_code: 0x0073,
            cluster: 0x0700,
            frame_control: 0x01,
            command: 0x01,
        }
    }

    #[test]
    fn a_held_prepayment_configuration_update_and_a_written_one_round_trip() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        s.reads.prepayment.low_credit_threshold = 123_000;
        s.reads.prepayment.schedule.clear();
        s.future_actions = vec![PendingAction {
            action: FutureAction::PrepayConfig(Box::new(
                crate::prepay_config::PrepayConfigChange {
                    emergency_credit_limit: Some(700_000),
                    outcomes: vec![crate::prepay_config::Outcome::Dlms(
                        9000,
                        [0, 0, 94, 44, 128, 12],
                        6,
                    )],
                    ..Default::default()
                },
            )),
            ..held(2_000)
        }];
        let body = encode_body(&s).unwrap();
        let counters = encode_counters(&s).unwrap();
        assert_eq!(held_instructions_due(&body), Ok(Some(2_000)));
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }

    /// A Root cell (`TrustAnchor::root`, role `Root`, the enum's last variant) in the trust
    /// anchor map needs no new format: the body round-trips, and a body stored without one
    /// (every older body) decodes as before, the roles' indices being unchanged.
    #[test]
    fn a_root_cell_round_trips_in_the_current_format() {
        use crate::anchors::{PublicKeyBytes, RemotePartyRole, TrustAnchor};
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let key = |n: u8| -> PublicKeyBytes {
            let k = smki::KeyPair::from_scalar_bytes(&[n; 32]).unwrap();
            PublicKeyBytes::from_sec1(&k.public_key().to_sec1_uncompressed()).unwrap()
        };
        let supplier = TrustAnchor {
            eui: Eui64::from_u64(0x90b3_d51f_3001_0000),
            ds_public: key(1),
            ka_public: key(2),
        };
        let without = TrustAnchors::new().with(RemotePartyRole::Supplier, supplier);
        let with = without
            .clone()
            .with(RemotePartyRole::Root, TrustAnchor::root(key(3)));
        for anchors in [without, with] {
            let s = DeviceState::new(crate::DeviceKind::Esme, at, anchors);
            let body = encode_body(&s).unwrap();
            assert_eq!(body[0], FORMAT);
            let counters = encode_counters(&s).unwrap();
            assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
        }
    }

    #[test]
    fn a_format_1_body_still_loads_with_no_switch_overridden() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        // A format-1 body holds no payment mode: its tail is the default one.
        s.payment_mode = crate::payment_mode::PaymentModeState::default();
        s.supply = SupplyState::Armed;
        s.future_actions = vec![held(2_000)];
        let counters = encode_counters(&s).unwrap();
        let body = encode_body(&s).unwrap();
        // Format 1: the same fields without the tail (no switch overridden).
        let v1 = format_1(&body);
        let mut v1_counters = counters.clone();
        v1_counters[0] = FORMAT_1;
        let loaded = decode_state(&v1, &v1_counters, EventLog::default()).unwrap();
        assert_eq!(loaded, s);
        assert_eq!(held_instructions_due(&v1), Ok(Some(2_000)));
        // Switches overridden round-trip in format 2.
        s.aux_loads.apply(
            3,
            gbcs::usecases::AuxLoadAction::Activate { duration: 30 },
            1_700_000_000,
        );
        let body = encode_body(&s).unwrap();
        assert_eq!(
            decode_state(&body, &counters, EventLog::default()).unwrap(),
            s
        );
    }

    #[test]
    fn the_due_time_of_held_instructions_is_read_from_the_start_of_the_body() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Gsme, at, TrustAnchors::new());
        assert_eq!(held_instructions_due(&encode_body(&s).unwrap()), Ok(None));
        s.clock_offset_secs = 30;
        s.future_actions = vec![held(2_000), held(1_000)];
        let body = encode_body(&s).unwrap();
        assert_eq!(held_instructions_due(&body), Ok(Some(970)), "true time");
        let counters = encode_counters(&s).unwrap();
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
        assert!(held_instructions_due(&[FORMAT + 1]).is_err());
    }

    /// The format-1 body of a state whose tail is the default: a format-2 body without its
    /// tail.
    fn format_1(body: &[u8]) -> Vec<u8> {
        let v2 = format_2(body);
        let tail = postcard::to_allocvec(&Tail::default()).unwrap();
        assert!(v2.ends_with(&tail), "the default tail ends the body");
        let mut v1 = v2[..v2.len() - tail.len()].to_vec();
        v1[0] = FORMAT_1;
        v1
    }

    /// The format-4 body of a state whose configuration is the default: a format-5 body without
    /// its [`Tail5`].
    fn format_4(body: &[u8]) -> Vec<u8> {
        let body = &format_5(body);
        assert_eq!(body[0], FORMAT_5);
        let tail5 = postcard::to_allocvec(&Tail5Ref {
            config: &crate::config::DeviceConfig::default(),
        })
        .unwrap();
        assert!(body.ends_with(&tail5), "the default tail 5 ends the body");
        let mut v4 = body[..body.len() - tail5.len()].to_vec();
        v4[0] = FORMAT_4;
        v4
    }

    /// The format-5 body of a state that holds no firmware image and no device log history: a
    /// format-6 body without its [`Tail6`].
    fn format_5(body: &[u8]) -> Vec<u8> {
        assert_eq!(body[0], FORMAT);
        let tail6 = postcard::to_allocvec(&Tail6Ref {
            firmware: &crate::firmware::FirmwareState::default(),
            han_logs: &crate::han_logs::HanLogs::default(),
        })
        .unwrap();
        assert!(body.ends_with(&tail6), "the default tail 6 ends the body");
        let mut v5 = body[..body.len() - tail6.len()].to_vec();
        v5[0] = FORMAT_5;
        v5
    }

    #[test]
    fn a_format_5_body_loads_with_an_empty_device_log_history() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Chf, at, TrustAnchors::new());
        let counters = encode_counters(&s).unwrap();
        let v5 = format_5(&encode_body(&s).unwrap());
        assert_eq!(
            decode_state(&v5, &counters, EventLog::default()),
            Ok(s.clone())
        );
        // Format 6 keeps the history.
        s.han_logs.historic.push(crate::han_logs::HistoricDevice {
            device: Eui64::from_u64(7),
            security_details: vec![1; 16],
        });
        s.han_logs.added.insert(Eui64::from_u64(8), 1_700_000_000);
        let body = encode_body(&s).unwrap();
        assert_eq!(body[0], FORMAT);
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }

    #[test]
    fn a_format_5_body_loads_with_no_firmware_image_and_format_6_keeps_them() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        s.future_actions = vec![held(2_000)];
        let counters = encode_counters(&s).unwrap();
        let body = encode_body(&s).unwrap();
        let v5 = format_5(&body);
        assert_eq!(held_instructions_due(&v5), Ok(Some(2_000)));
        assert_eq!(
            decode_state(&v5, &counters, EventLog::default()),
            Ok(s.clone())
        );
        s.firmware.hold(crate::firmware::HeldImage {
            hash: [7; 32],
            version: vec![1, 2, 3, 4],
        });
        s.future_actions.push(PendingAction {
            action: FutureAction::Firmware([7; 32]),
            ..held(3_000)
        });
        let body = encode_body(&s).unwrap();
        assert_eq!(body[0], FORMAT);
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }

    #[test]
    fn a_format_4_body_loads_with_the_default_configuration() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        s.boost.period_minutes = 30;
        s.future_actions = vec![held(2_000)];
        let counters = encode_counters(&s).unwrap();
        let body = encode_body(&s).unwrap();
        let v4 = format_4(&body);
        assert_eq!(v4[0], FORMAT_4);
        assert_eq!(held_instructions_due(&v4), Ok(Some(2_000)));
        let loaded = decode_state(&v4, &counters, EventLog::default()).unwrap();
        assert_eq!(loaded.config, crate::config::DeviceConfig::default());
        assert_eq!(loaded, s);
        // Counters stored in format 4 still read.
        let mut counters_v4 = counters.clone();
        counters_v4[0] = FORMAT_4;
        assert_eq!(
            decode_state(&body, &counters_v4, EventLog::default()),
            Ok(s)
        );
    }

    /// The format-3 body of a state whose credits log is empty and whose boost function is the
    /// default: a format-4 body without its [`Tail4`].
    fn format_3(body: &[u8]) -> Vec<u8> {
        let body = &format_4(body)[..];
        let tail4 = postcard::to_allocvec(&Tail4Ref {
            credits_log: &crate::prepay::CreditsLog::default(),
            boost: &crate::boost::BoostState::default(),
        })
        .unwrap();
        assert!(body.ends_with(&tail4), "the default tail 4 ends the body");
        let mut v3 = body[..body.len() - tail4.len()].to_vec();
        v3[0] = FORMAT_3;
        v3
    }

    /// The format-2 body of a state that holds no written tariff: a format-4 body without its
    /// [`Tail4`] and [`Tail3`].
    fn format_2(body: &[u8]) -> Vec<u8> {
        let body = format_3(body);
        let tail3 = postcard::to_allocvec(&Tail3Ref {
            tariff_epochs: &[],
            prepay: &crate::prepay::PrepayState::default(),
            top_ups: &crate::top_up::TopUps::default(),
            aux_controllers: &crate::state::AuxControllers::default(),
        })
        .unwrap();
        assert!(body.ends_with(&tail3), "the empty tail 3 ends the body");
        let mut v2 = body[..body.len() - tail3.len()].to_vec();
        v2[0] = FORMAT_2;
        v2
    }

    #[test]
    fn a_format_2_body_loads_with_the_default_tail_3_and_format_3_keeps_it() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        s.future_actions = vec![held(2_000)];
        let counters = encode_counters(&s).unwrap();
        let body = encode_body(&s).unwrap();
        let v2 = format_2(&body);
        assert_eq!(held_instructions_due(&v2), Ok(Some(2_000)));
        assert_eq!(
            decode_state(&v2, &counters, EventLog::default()),
            Ok(s.clone())
        );
        let tariff = crate::reads::tariff::ElectricityTariff::default();
        s.instantaneous.follow_tariff(&tariff, 1_700_000_500);
        assert_eq!(s.instantaneous.epochs.len(), 1);
        s.prepay.added.push((1_700_000_600, 5_000_000));
        s.top_ups.counters.push(1_024);
        s.aux_controllers.boost = [true, false, true, false, false];
        let body = encode_body(&s).unwrap();
        assert_eq!(body[0], FORMAT);
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }

    #[test]
    fn a_format_3_body_loads_with_no_boost_and_format_4_keeps_the_boost_function() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        s.aux_controllers.boost = [true, false, false, false, true];
        s.future_actions = vec![held(2_000)];
        let counters = encode_counters(&s).unwrap();
        let body = encode_body(&s).unwrap();
        assert_eq!(body[0], FORMAT);
        // Format 3 (a body stored before the boost function existed): the default.
        let v3 = format_3(&body);
        assert_eq!(v3[0], FORMAT_3);
        assert_eq!(held_instructions_due(&v3), Ok(Some(2_000)));
        let loaded = decode_state(&v3, &counters, EventLog::default()).unwrap();
        assert_eq!(loaded.boost, crate::boost::BoostState::default());
        assert_eq!(loaded, s);
        // Counters stored in format 3 still read.
        let mut counters_v3 = counters.clone();
        counters_v3[0] = FORMAT_3;
        assert_eq!(
            decode_state(&body, &counters_v3, EventLog::default()),
            Ok(s.clone())
        );
        // A boost in force, its held end, a log and another period round-trip in format 4.
        s.boost.period_minutes = 30;
        s.boost.active = Some(crate::boost::Boost {
            start: 1_700_000_100,
            end: 1_700_001_900,
            controllers: [true, false, false, false, false],
        });
        s.boost.log = vec![crate::boost::BoostLogEntry {
            start: 1_699_990_000,
            end: 1_699_991_000,
        }];
        s.future_actions.push(PendingAction {
            action: FutureAction::BoostEnd,
            ..held(1_700_001_900)
        });
        let body = encode_body(&s).unwrap();
        assert_eq!(held_instructions_due(&body), Ok(Some(2_000)));
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }

    #[test]
    fn bodies_of_format_1_still_load_with_default_supplier_settings() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        // A format-1 body holds no payment mode: its tail is the default one.
        s.payment_mode = crate::payment_mode::PaymentModeState::default();
        s.clock_offset_secs = -5;
        s.future_actions = vec![held(2_000)];
        let counters = encode_counters(&s).unwrap();
        let body = encode_body(&s).unwrap();
        assert_eq!(body[0], FORMAT);
        let v1 = format_1(&body);
        assert_eq!(held_instructions_due(&v1), Ok(Some(2_005)));
        let mut counters_v1 = counters.clone();
        counters_v1[0] = FORMAT_1;
        assert_eq!(
            decode_state(&v1, &counters_v1, EventLog::default()),
            Ok(s.clone())
        );
        // Written again, it is format 2, and what the supplier set survives.
        s.supplier_settings = SupplierSettings {
            supplier_name: b"E-ON".to_vec(),
            supplier_telephone: b"0333 202 4650".to_vec(),
            privacy_pin_protection: true,
            supplier_message: b"Reset".to_vec(),
        };
        let body = encode_body(&s).unwrap();
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
        assert!(decode_state(&[FORMAT + 1], &counters, EventLog::default()).is_err());
        assert!(held_instructions_due(&[]).is_err());
    }

    #[test]
    fn a_format_1_body_loads_with_the_default_payment_state() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        // A format-1 body holds no payment mode: its tail is the default one.
        s.payment_mode = crate::payment_mode::PaymentModeState::default();
        s.future_actions = vec![held(2_000)];
        let counters = encode_counters(&s).unwrap();
        let body = encode_body(&s).unwrap();
        let old = format_1(&body);
        assert_eq!(
            decode_state(&old, &counters, EventLog::default()),
            Ok(s.clone())
        );
        assert_eq!(held_instructions_due(&old), Ok(Some(2_000)));
        // Counters and events stored in format 1 still read.
        let mut old_counters = counters.clone();
        old_counters[0] = FORMAT_1;
        assert_eq!(
            decode_state(&body, &old_counters, EventLog::default()),
            Ok(s.clone())
        );
        // An activated emergency credit survives the round trip.
        s.payment.emergency_credit_activated_at = Some(1_700_000_100);
        let body = encode_body(&s).unwrap();
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }

    #[test]
    fn a_format_2_body_loads_with_the_default_prepayment_state() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        s.debt.updated_at = Some(1_700_000_200);
        let counters = encode_counters(&s).unwrap();
        let body = format_3(&encode_body(&s).unwrap());
        // Format 2: the same body without the prepayment state format 3 appends.
        let prepay = postcard::to_allocvec(&crate::prepay::PrepayState::default()).unwrap();
        assert!(body.ends_with(&prepay));
        let mut v2 = body[..body.len() - prepay.len()].to_vec();
        v2[0] = FORMAT_2;
        assert_eq!(
            decode_state(&v2, &counters, EventLog::default()),
            Ok(s.clone())
        );
        // Entries, flags and a held prepayment event round-trip in format 3.
        s.prepay.added = vec![(1_700_000_100, -9_900_000), (1_700_000_300, 500_000)];
        s.prepay.credit_mode_added = vec![(1_700_000_400, 7)];
        s.prepay.disabled_for_credit = true;
        s.prepay.emergency_credit_alerted = true;
        s.future_actions.push(PendingAction {
            action: FutureAction::Prepayment,
            ..held(5_000)
        });
        let body = encode_body(&s).unwrap();
        assert_eq!(body[0], FORMAT);
        assert_eq!(held_instructions_due(&body), Ok(Some(5_000)));
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }

    #[test]
    fn a_format_1_body_loads_with_the_default_payment_mode() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Gsme, at, TrustAnchors::new());
        // A format-1 body holds no payment mode: its tail is the default one.
        s.payment_mode = crate::payment_mode::PaymentModeState::default();
        s.future_actions = vec![held(2_000)];
        let counters = encode_counters(&s).unwrap();
        let body = encode_body(&s).unwrap();
        let v1 = format_1(&body);
        assert_eq!(held_instructions_due(&v1), Ok(Some(2_000)));
        assert_eq!(
            decode_state(&v1, &counters, EventLog::default()),
            Ok(s.clone())
        );
        // A payment mode, a held switch and a tenancy restriction survive the round trip.
        s.payment_mode = crate::payment_mode::PaymentModeState {
            credit: true,
            disablement_threshold: -7,
            suspend_debt_disabled: true,
            suspend_debt_emergency: false,
        };
        s.future_actions.push(PendingAction {
            action: FutureAction::PaymentMode(Default::default()),
            ..held(3_000)
        });
        s.tenancy_restriction = Some(1_700_000_500);
        // And an updated debt.
        s.debt.updated_at = Some(1_700_000_200);
        s.debt.registers = [30_000, 15_000, 50_000];
        s.debt.rates = [30_000, 150_000];
        s.debt.periods = [86_400, 3_600];
        s.debt.per_payment = 1_000;
        s.debt.recovered_before = 7;
        let body = encode_body(&s).unwrap();
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }

    #[test]
    fn a_format_3_body_loads_with_its_top_ups_as_the_credits_log_and_format_4_keeps_it() {
        let at = gbcs::UtcDateTime::from_unix(1_700_000_000).unwrap();
        let mut s = DeviceState::new(crate::DeviceKind::Esme, at, TrustAnchors::new());
        s.clock_offset_secs = 10;
        let counters = encode_counters(&s).unwrap();
        // A state stored in format 3 with two accepted top-ups: its credits log is theirs, at
        // the device time they were accepted, without the UTRNs format 3 did not keep.
        for (at, amount, counter) in [
            (1_700_000_100, 500_000, 1 << 32),
            (1_700_000_200, 7, 2 << 32),
        ] {
            s.top_ups.accepted.push(crate::top_up::TopUpRecord {
                at,
                amount,
                counter,
                source: crate::top_up::TopUpSource::Remote,
            });
        }
        let v3 = format_3(&encode_body(&s).unwrap());
        let loaded = decode_state(&v3, &counters, EventLog::default()).unwrap();
        let logged: Vec<_> = loaded
            .credits_log
            .entries
            .iter()
            .map(|e| (e.at, e.amount, e.utrn.clone()))
            .collect();
        assert_eq!(
            logged,
            [(1_700_000_110, 500_000, None), (1_700_000_210, 7, None)]
        );
        s.credits_log = loaded.credits_log.clone();
        assert_eq!(loaded, s);
        // Format 4 keeps the log as it is, UTRNs included.
        s.credits_log.push(crate::prepay::CreditLogEntry {
            at: 1_700_000_300,
            amount: 1_000_000,
            utrn: Some("73946144332040217315".into()),
        });
        let body = encode_body(&s).unwrap();
        assert_eq!(body[0], FORMAT);
        assert_eq!(decode_state(&body, &counters, EventLog::default()), Ok(s));
    }
}
