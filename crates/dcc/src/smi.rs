//! The Smart Metering Inventory's status machine, written once (SEC Section H6 and the SMI
//! Status definition of Section A, with the `recovery` and `recovered` statuses seed 001 adds):
//! every status, every transition the SEC allows with the one DUIS service or DCC process that
//! may cause it, and which statuses each service may address.
//!
//! [`transition`] is the pure rule; [`apply`] is the only way the DCC changes a device's status:
//! the rule, the inventory entry and the history entry (when, from, to, cause, by whom) in the
//! caller's transaction, so a refused change changes nothing.
//!
//! Where the reference corpus (the DUIS 5.4 XSD, the UISS, the seeds) does not say which status
//! a service sets, this table is opendcc's reading of DUIS, each such row marked "reading".

use duis::{ResponseCode, Srv};
use eui::Eui64;
use time::OffsetDateTime;

use crate::error::{AuthzError, DccError, ServiceError};
use crate::model::smi::{DccProcess, SmiActor, SmiCause, StatusChange};
use crate::model::{Device, DeviceStatus, DeviceType};
use crate::store::Tx;

pub use crate::model::smi;

/// Device kinds as the SMI rules tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Communications Hub Function and Gas Proxy Function (the DCC's own devices).
    Hub,
    /// ESME and GSME.
    Meter,
    /// Type 1 HAN devices the DCC talks to through a meter (PPMID, HCALCS).
    Type1,
    /// Type 2 devices (IHD, CAD): the DCC never talks to them.
    Type2,
}

pub fn kind(t: DeviceType) -> Kind {
    match t {
        DeviceType::Chf | DeviceType::Gpf => Kind::Hub,
        DeviceType::Esme | DeviceType::Gsme => Kind::Meter,
        DeviceType::Ppmid | DeviceType::Hcalcs => Kind::Type1,
        DeviceType::Ihd | DeviceType::Cad => Kind::Type2,
    }
}

use DeviceStatus::*;
use Kind::*;

/// Every status.
pub const STATUSES: [DeviceStatus; 9] = [
    Pending,
    Whitelisted,
    InstalledNotCommissioned,
    Commissioned,
    Decommissioned,
    Withdrawn,
    Suspended,
    Recovery,
    Recovered,
];

/// One allowed transition: for these kinds of device, from one of `from` (`None`: the device
/// enters the inventory) to `to`, caused only by `cause`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub cause: SmiCause,
    pub kinds: &'static [Kind],
    pub from: &'static [Option<DeviceStatus>],
    pub to: DeviceStatus,
    /// Why the SEC allows it (shown in refusals and `opendcc inventory history`).
    pub note: &'static str,
}

const ALL_KINDS: &[Kind] = &[Hub, Meter, Type1, Type2];
const NOT_HUB: &[Kind] = &[Meter, Type1, Type2];
/// Statuses in which a device is on the premises and the DCC may still reach it.
const LIVE: &[Option<DeviceStatus>] = &[
    Some(Pending),
    Some(Whitelisted),
    Some(InstalledNotCommissioned),
    Some(Commissioned),
    Some(Recovered),
];

const fn svc(s: Srv) -> SmiCause {
    SmiCause::Service(s)
}
const fn dcc(p: DccProcess) -> SmiCause {
    SmiCause::Process(p)
}

/// The table: every transition the SEC allows. Anything not here is refused.
pub const RULES: &[Rule] = &[
    // 12.2 Device Pre-notification: a device enters the inventory as Pending.
    Rule {
        cause: svc(Srv::V12_2),
        kinds: ALL_KINDS,
        from: &[None],
        to: Pending,
        note: "12.2 pre-notification adds a device as Pending",
    },
    // 8.11 Update HAN Device Log (add): once the CHF confirms the addition (CCS01 answered),
    // the added device is Whitelisted.
    Rule {
        cause: svc(Srv::V8_11),
        kinds: NOT_HUB,
        from: &[Some(Pending)],
        to: Whitelisted,
        note: "8.11 adds a pending device to the CHF device log",
    },
    // 8.1.1 Commission Device: the meter (or GPF) answered the DCC over the SM WAN.
    Rule {
        cause: svc(Srv::V8_1_1),
        kinds: &[Meter],
        from: &[Some(Whitelisted), Some(InstalledNotCommissioned)],
        to: Commissioned,
        note: "8.1.1 commissions a whitelisted or installed meter once it answers",
    },
    Rule {
        cause: svc(Srv::V8_1_1),
        kinds: &[Hub],
        from: &[Some(InstalledNotCommissioned)],
        to: Commissioned,
        note: "8.1.1 commissions an installed Gas Proxy Function once it answers",
    },
    // 8.7 Join (reading): a Type 1 device joined to its meter is commissioned (the DCC reaches
    // it through the meter); a Type 2 device, which the DCC never reaches, is installed.
    Rule {
        cause: svc(Srv::V8_7_1),
        kinds: &[Type1],
        from: &[Some(Whitelisted), Some(InstalledNotCommissioned)],
        to: Commissioned,
        note: "8.7.1 joins a whitelisted Type 1 device to its meter",
    },
    Rule {
        cause: svc(Srv::V8_7_2),
        kinds: &[Type1],
        from: &[Some(Whitelisted), Some(InstalledNotCommissioned)],
        to: Commissioned,
        note: "8.7.2 joins a whitelisted Type 1 device to its meter",
    },
    Rule {
        cause: svc(Srv::V8_7_2),
        kinds: &[Type2],
        from: &[Some(Whitelisted)],
        to: InstalledNotCommissioned,
        note: "8.7.2 joins a whitelisted Type 2 device to its meter",
    },
    // 8.4 Update Inventory, UpdateDeviceStatusExceptCH: Pending and Installed Not
    // Commissioned, never from Commissioned (that is 8.3's).
    Rule {
        cause: svc(Srv::V8_4),
        kinds: NOT_HUB,
        from: &[Some(InstalledNotCommissioned), Some(Whitelisted)],
        to: Pending,
        note: "8.4 sets an uncommissioned device back to Pending",
    },
    Rule {
        cause: svc(Srv::V8_4),
        kinds: NOT_HUB,
        from: &[Some(Pending), Some(Whitelisted)],
        to: InstalledNotCommissioned,
        note: "8.4 records an uncommissioned device as installed",
    },
    // 8.4 Update Inventory, UpdateDeviceStatusCH.
    Rule {
        cause: svc(Srv::V8_4),
        kinds: &[Hub],
        from: &[Some(Pending)],
        to: InstalledNotCommissioned,
        note: "8.4 records a pending hub as installed",
    },
    Rule {
        cause: svc(Srv::V8_4),
        kinds: &[Hub],
        from: &[Some(InstalledNotCommissioned)],
        to: Commissioned,
        note: "8.4 records an installed hub as commissioned",
    },
    Rule {
        cause: svc(Srv::V8_4),
        kinds: &[Hub],
        from: &[
            Some(Pending),
            Some(InstalledNotCommissioned),
            Some(Commissioned),
            Some(Suspended),
            Some(Recovery),
            Some(Recovered),
        ],
        to: Withdrawn,
        note: "8.4 withdraws a hub that is not decommissioned",
    },
    // 8.3 Decommission Device: a meter or HAN device taken off the premises.
    Rule {
        cause: svc(Srv::V8_3),
        kinds: NOT_HUB,
        from: &[
            Some(Whitelisted),
            Some(InstalledNotCommissioned),
            Some(Commissioned),
            Some(Suspended),
            Some(Recovered),
        ],
        to: Decommissioned,
        note: "8.3 decommissions an installed meter or HAN device",
    },
    // 8.14.1 Install Success: the CHF is on the SM WAN (Commissioned), its GPF installed.
    Rule {
        cause: svc(Srv::V8_14_1),
        kinds: &[Hub],
        from: &[Some(Pending), Some(InstalledNotCommissioned)],
        to: Commissioned,
        note: "8.14.1 a CHF installed and on the SM WAN is commissioned",
    },
    Rule {
        cause: svc(Srv::V8_14_1),
        kinds: &[Hub],
        from: &[Some(Pending)],
        to: InstalledNotCommissioned,
        note: "8.14.1 the GPF of an installed CHF is installed",
    },
    // 8.14.2 Install No SM WAN: installed, not reachable yet.
    Rule {
        cause: svc(Srv::V8_14_2),
        kinds: &[Hub],
        from: &[Some(Pending)],
        to: InstalledNotCommissioned,
        note: "8.14.2 a hub installed without SM WAN is installed, not commissioned",
    },
    // 8.14.3 / 8.14.4 returns (reading): a hub that never was installed goes back Withdrawn;
    // one removed from a premises is Decommissioned.
    Rule {
        cause: svc(Srv::V8_14_3),
        kinds: &[Hub],
        from: &[Some(Pending)],
        to: Withdrawn,
        note: "8.14.3 a faulty hub returned before installation is withdrawn",
    },
    Rule {
        cause: svc(Srv::V8_14_3),
        kinds: &[Hub],
        from: &[
            Some(InstalledNotCommissioned),
            Some(Commissioned),
            Some(Suspended),
            Some(Recovery),
            Some(Recovered),
        ],
        to: Decommissioned,
        note: "8.14.3 a faulty hub removed from a premises is decommissioned",
    },
    Rule {
        cause: svc(Srv::V8_14_4),
        kinds: &[Hub],
        from: &[Some(Pending)],
        to: Withdrawn,
        note: "8.14.4 a hub returned unused is withdrawn",
    },
    Rule {
        cause: svc(Srv::V8_14_4),
        kinds: &[Hub],
        from: &[
            Some(InstalledNotCommissioned),
            Some(Commissioned),
            Some(Suspended),
            Some(Recovery),
            Some(Recovered),
        ],
        to: Decommissioned,
        note: "8.14.4 a hub removed from a premises without fault is decommissioned",
    },
    // The Certified Products List: an expired entry suspends the device; a renewed one
    // restores the status it had (the caller reads it from the history).
    Rule {
        cause: dcc(DccProcess::CplExpiry),
        kinds: ALL_KINDS,
        from: LIVE,
        to: Suspended,
        note: "the device's Certified Products List entry expired",
    },
    Rule {
        cause: dcc(DccProcess::CplRestored),
        kinds: ALL_KINDS,
        from: &[Some(Suspended)],
        to: Pending,
        note: "the device's CPL entry is valid again",
    },
    Rule {
        cause: dcc(DccProcess::CplRestored),
        kinds: ALL_KINDS,
        from: &[Some(Suspended)],
        to: Whitelisted,
        note: "the device's CPL entry is valid again",
    },
    Rule {
        cause: dcc(DccProcess::CplRestored),
        kinds: ALL_KINDS,
        from: &[Some(Suspended)],
        to: InstalledNotCommissioned,
        note: "the device's CPL entry is valid again",
    },
    Rule {
        cause: dcc(DccProcess::CplRestored),
        kinds: ALL_KINDS,
        from: &[Some(Suspended)],
        to: Commissioned,
        note: "the device's CPL entry is valid again",
    },
    Rule {
        cause: dcc(DccProcess::CplRestored),
        kinds: ALL_KINDS,
        from: &[Some(Suspended)],
        to: Recovered,
        note: "the device's CPL entry is valid again",
    },
    // The SMKI Recovery Procedure (seed 001): communications disabled, then restored.
    Rule {
        cause: dcc(DccProcess::SmkiRecovery),
        kinds: ALL_KINDS,
        from: &[
            Some(Whitelisted),
            Some(InstalledNotCommissioned),
            Some(Commissioned),
            Some(Recovered),
        ],
        to: Recovery,
        note: "the SMKI Recovery Procedure disables communications to the device",
    },
    Rule {
        cause: dcc(DccProcess::RecoveryCompleted),
        kinds: ALL_KINDS,
        from: &[Some(Recovery)],
        to: Recovered,
        note: "the SMKI Recovery Procedure restored communications to the device",
    },
];

/// The rule that lets `cause` move a device of type `t` from `from` to `to`, if any.
pub fn rule(
    t: DeviceType,
    from: Option<DeviceStatus>,
    to: DeviceStatus,
    cause: SmiCause,
) -> Option<&'static Rule> {
    let k = kind(t);
    RULES
        .iter()
        .find(|r| r.cause == cause && r.to == to && r.kinds.contains(&k) && r.from.contains(&from))
}

/// A transition the SEC forbids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmiError {
    #[error(
        "the SEC does not let {cause} move a {device_type} ({device}) from {from} to {to}{hint}"
    )]
    Forbidden {
        device: Eui64,
        device_type: DeviceType,
        from: String,
        to: DeviceStatus,
        cause: SmiCause,
        /// What the cause may do instead, when it may do something to this device.
        hint: String,
    },
}

/// An allowed transition, ready to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The device as it is after the change.
    pub device: Device,
    /// The history entry.
    pub change: StatusChange,
    pub rule: &'static Rule,
}

fn status_name(s: Option<DeviceStatus>) -> String {
    s.map_or_else(|| "outside the inventory".to_string(), |s| s.to_string())
}

/// The pure rule: may `cause`, made by `by` at `at`, move `device` (`None` for its current
/// status: a device not in the inventory yet is given with `from = None` through
/// [`transition_from`]) to `to`?
pub fn transition(
    device: &Device,
    to: DeviceStatus,
    cause: SmiCause,
    by: SmiActor,
    at: OffsetDateTime,
) -> Result<Transition, SmiError> {
    transition_from(device, Some(device.status), to, cause, by, at)
}

/// [`transition`] from an explicit status (`None`: the device enters the inventory).
pub fn transition_from(
    device: &Device,
    from: Option<DeviceStatus>,
    to: DeviceStatus,
    cause: SmiCause,
    by: SmiActor,
    at: OffsetDateTime,
) -> Result<Transition, SmiError> {
    let Some(rule) = rule(device.device_type, from, to, cause) else {
        let k = kind(device.device_type);
        let allowed: Vec<String> = RULES
            .iter()
            .filter(|r| r.cause == cause && r.kinds.contains(&k) && r.from.contains(&from))
            .map(|r| r.to.to_string())
            .collect();
        let hint = if allowed.is_empty() {
            String::new()
        } else {
            format!(" (from there it may only set {})", allowed.join(" or "))
        };
        return Err(SmiError::Forbidden {
            device: device.id,
            device_type: device.device_type,
            from: status_name(from),
            to,
            cause,
            hint,
        });
    };
    let mut after = device.clone();
    after.status = to;
    if to == Commissioned && after.date_commissioned.is_none() {
        after.date_commissioned = Some(at.date());
    }
    Ok(Transition {
        device: after,
        change: StatusChange {
            device: device.id,
            at,
            from,
            to,
            cause,
            by,
        },
        rule,
    })
}

/// Records an allowed transition: the inventory entry and its history entry, in `tx`.
pub fn record(tx: &mut dyn Tx, t: &Transition) -> Result<(), DccError> {
    tx.put_device(&t.device)?;
    tx.push_status_change(&t.change)?;
    Ok(())
}

/// The one way the DCC changes a device's status: the rule, then the inventory entry and its
/// history, in the caller's transaction. Returns the device as it is now.
pub fn apply(
    tx: &mut dyn Tx,
    device: &Device,
    to: DeviceStatus,
    cause: SmiCause,
    by: SmiActor,
    at: OffsetDateTime,
) -> Result<Device, DccError> {
    let t = transition(device, to, cause, by, at).map_err(|e| refusal(cause, e))?;
    record(tx, &t)?;
    Ok(t.device)
}

/// A device entering the inventory (12.2): the rule from outside it, then the entry and the
/// first history entry.
pub fn enter(
    tx: &mut dyn Tx,
    device: &Device,
    cause: SmiCause,
    by: SmiActor,
    at: OffsetDateTime,
) -> Result<Device, DccError> {
    let t = transition_from(device, None, device.status, cause, by, at)
        .map_err(|e| refusal(cause, e))?;
    record(tx, &t)?;
    Ok(t.device)
}

/// The status a suspended device had before its suspension (what [`DccProcess::CplRestored`]
/// restores), from its history.
pub fn status_before_suspension(
    tx: &mut dyn Tx,
    device: Eui64,
) -> Result<Option<DeviceStatus>, DccError> {
    let history = tx.status_history(device)?;
    Ok(history
        .iter()
        .rev()
        .find(|c| c.to == Suspended)
        .and_then(|c| c.from))
}

/// The DUIS refusal of a forbidden transition requested through a service.
pub fn refusal(cause: SmiCause, e: SmiError) -> DccError {
    let SmiError::Forbidden { .. } = &e;
    let srv = match cause {
        SmiCause::Service(s) => Some(s),
        SmiCause::Process(_) => None,
    };
    ServiceError::SmiTransition {
        srv,
        reason: e.to_string(),
    }
    .into()
}

/// The DUIS code for a transition a service may not make: the first code the XSD reserves for
/// the service where it reserves any (8.3 `E080301`, 8.4 `E080405` as before, 8.14.x
/// `E081401`; their DUIS text is not in the reference corpus), else `E5`, the code for a
/// device whose status the request is incompatible with.
pub fn refusal_code(srv: Option<Srv>) -> ResponseCode {
    match srv {
        Some(Srv::V8_3) => ResponseCode::E080301,
        Some(Srv::V8_4) => ResponseCode::E080405,
        Some(Srv::V8_14_1 | Srv::V8_14_2 | Srv::V8_14_3 | Srv::V8_14_4) => ResponseCode::E081401,
        _ => ResponseCode::E5,
    }
}

/// The statuses a device request of `srv` may address. Most services reach a device installed
/// on a premises the DCC talks to (Installed Not Commissioned, Commissioned, Recovered);
/// 8.1.1 also a Whitelisted meter, the step that commissions it. Nothing addresses a device
/// that is Pending, Decommissioned, Withdrawn, Suspended or in Recovery.
pub fn addressable(srv: Srv) -> &'static [DeviceStatus] {
    match srv {
        Srv::V8_1_1 => &[
            Whitelisted,
            InstalledNotCommissioned,
            Commissioned,
            Recovered,
        ],
        _ => &[InstalledNotCommissioned, Commissioned, Recovered],
    }
}

/// The gateway's check that a device request may address the device in its status (`E5`).
pub fn check_addressable(srv: Srv, device: &Device) -> Result<(), AuthzError> {
    if addressable(srv).contains(&device.status) {
        Ok(())
    } else {
        Err(AuthzError::DeviceStatus {
            device: device.id.to_string(),
            status: device.status.to_string(),
            srv,
        })
    }
}

/// Whether a Smart Metering System (the devices at a premises) is Enrolled: it has devices, and
/// all of them are Commissioned (Decommissioned and Withdrawn devices are no longer part of it).
pub fn enrolled(devices: &[Device]) -> bool {
    let current: Vec<&Device> = devices
        .iter()
        .filter(|d| !matches!(d.status, Decommissioned | Withdrawn))
        .collect();
    !current.is_empty() && current.iter().all(|d| d.status == Commissioned)
}

/// [`enrolled`] for the devices at premises `uprn`.
pub fn premises_enrolled(tx: &mut dyn Tx, uprn: &str) -> Result<bool, DccError> {
    Ok(enrolled(&tx.devices_at(uprn)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const AT: OffsetDateTime = datetime!(2026-12-07 12:00 UTC);
    const TYPES: [DeviceType; 8] = [
        DeviceType::Chf,
        DeviceType::Gpf,
        DeviceType::Esme,
        DeviceType::Gsme,
        DeviceType::Ppmid,
        DeviceType::Hcalcs,
        DeviceType::Ihd,
        DeviceType::Cad,
    ];

    fn device(t: DeviceType, s: DeviceStatus) -> Device {
        Device {
            status: s,
            ..crate::services::testing::device(t)
        }
    }

    fn causes() -> Vec<SmiCause> {
        let mut c: Vec<SmiCause> = duis::Srv::ALL.iter().copied().map(svc).collect();
        c.extend(DccProcess::ALL.map(dcc));
        c
    }

    /// The allowed set, written out by hand (kind, from, to, cause), independently of `RULES`'
    /// layout: every other combination must be refused.
    fn expected(k: Kind, from: Option<DeviceStatus>, to: DeviceStatus, c: SmiCause) -> bool {
        use Srv as S;
        let live = matches!(
            from,
            Some(Pending | Whitelisted | InstalledNotCommissioned | Commissioned | Recovered)
        );
        let installed = matches!(
            from,
            Some(InstalledNotCommissioned | Commissioned | Suspended | Recovery | Recovered)
        );
        match c {
            SmiCause::Service(S::V12_2) => from.is_none() && to == Pending,
            SmiCause::Service(S::V8_11) => k != Hub && from == Some(Pending) && to == Whitelisted,
            SmiCause::Service(S::V8_1_1) => {
                to == Commissioned
                    && match k {
                        Meter => matches!(from, Some(Whitelisted | InstalledNotCommissioned)),
                        Hub => from == Some(InstalledNotCommissioned),
                        _ => false,
                    }
            }
            SmiCause::Service(S::V8_7_1) => {
                k == Type1
                    && to == Commissioned
                    && matches!(from, Some(Whitelisted | InstalledNotCommissioned))
            }
            SmiCause::Service(S::V8_7_2) => match k {
                Type1 => {
                    to == Commissioned
                        && matches!(from, Some(Whitelisted | InstalledNotCommissioned))
                }
                Type2 => to == InstalledNotCommissioned && from == Some(Whitelisted),
                _ => false,
            },
            SmiCause::Service(S::V8_4) => match (k, to) {
                (Hub, InstalledNotCommissioned) => from == Some(Pending),
                (Hub, Commissioned) => from == Some(InstalledNotCommissioned),
                (Hub, Withdrawn) => {
                    from.is_some_and(|f| !matches!(f, Decommissioned | Withdrawn | Whitelisted))
                }
                (Hub, _) => false,
                (_, Pending) => matches!(from, Some(InstalledNotCommissioned | Whitelisted)),
                (_, InstalledNotCommissioned) => matches!(from, Some(Pending | Whitelisted)),
                _ => false,
            },
            SmiCause::Service(S::V8_3) => {
                k != Hub
                    && to == Decommissioned
                    && matches!(
                        from,
                        Some(
                            Whitelisted
                                | InstalledNotCommissioned
                                | Commissioned
                                | Suspended
                                | Recovered
                        )
                    )
            }
            SmiCause::Service(S::V8_14_1) => {
                k == Hub
                    && ((to == Commissioned
                        && matches!(from, Some(Pending | InstalledNotCommissioned)))
                        || (to == InstalledNotCommissioned && from == Some(Pending)))
            }
            SmiCause::Service(S::V8_14_2) => {
                k == Hub && to == InstalledNotCommissioned && from == Some(Pending)
            }
            SmiCause::Service(S::V8_14_3 | S::V8_14_4) => {
                k == Hub
                    && ((to == Withdrawn && from == Some(Pending))
                        || (to == Decommissioned && installed))
            }
            SmiCause::Service(_) => false,
            SmiCause::Process(DccProcess::CplExpiry) => live && to == Suspended,
            SmiCause::Process(DccProcess::CplRestored) => {
                from == Some(Suspended)
                    && matches!(
                        to,
                        Pending | Whitelisted | InstalledNotCommissioned | Commissioned | Recovered
                    )
            }
            SmiCause::Process(DccProcess::SmkiRecovery) => {
                to == Recovery
                    && matches!(
                        from,
                        Some(Whitelisted | InstalledNotCommissioned | Commissioned | Recovered)
                    )
            }
            SmiCause::Process(DccProcess::RecoveryCompleted) => {
                from == Some(Recovery) && to == Recovered
            }
        }
    }

    #[test]
    fn every_transition_is_allowed_or_refused_as_the_sec_says() {
        let mut allowed = 0;
        for t in TYPES {
            for from in std::iter::once(None).chain(STATUSES.map(Some)) {
                for to in STATUSES {
                    for c in causes() {
                        let d = device(t, from.unwrap_or(Pending));
                        let got = transition_from(&d, from, to, c, SmiActor::Dcc, AT);
                        let want = expected(kind(t), from, to, c);
                        assert_eq!(got.is_ok(), want, "{t} {from:?} -> {to} by {c}: {got:?}");
                        if let Ok(tr) = got {
                            allowed += 1;
                            assert_eq!(tr.device.status, to);
                            assert_eq!(tr.change.from, from);
                            assert_eq!(tr.change.cause, c);
                        }
                    }
                }
            }
        }
        assert!(allowed > 50, "{allowed}");
    }

    #[test]
    fn a_refusal_says_what_and_why_and_maps_to_the_services_code() {
        let d = device(DeviceType::Esme, Pending);
        let e = transition(&d, Commissioned, svc(Srv::V8_1_1), SmiActor::Dcc, AT).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("8.1.1") && msg.contains("Pending") && msg.contains("Commissioned"),
            "{msg}"
        );
        let d = device(DeviceType::Esme, Commissioned);
        let e = transition(&d, Pending, svc(Srv::V8_4), SmiActor::Dcc, AT).unwrap_err();
        assert_eq!(
            refusal(svc(Srv::V8_4), e).outcome().code,
            Some(ResponseCode::E080405)
        );
        let e = transition(&d, Decommissioned, svc(Srv::V8_14_3), SmiActor::Dcc, AT).unwrap_err();
        assert_eq!(
            refusal(svc(Srv::V8_14_3), e).outcome().code,
            Some(ResponseCode::E081401)
        );
        let d = device(DeviceType::Esme, Pending);
        let e = transition(&d, Decommissioned, svc(Srv::V8_3), SmiActor::Dcc, AT).unwrap_err();
        let msg = e.to_string();
        assert_eq!(
            refusal(svc(Srv::V8_3), e).outcome().code,
            Some(ResponseCode::E080301)
        );
        assert!(msg.contains("Pending"), "{msg}");
    }

    #[test]
    fn commissioning_dates_the_device() {
        let mut d = device(DeviceType::Esme, Whitelisted);
        d.date_commissioned = None;
        let t = transition(&d, Commissioned, svc(Srv::V8_1_1), SmiActor::Dcc, AT).unwrap();
        assert_eq!(t.device.date_commissioned, Some(AT.date()));
    }

    #[test]
    fn addressable_statuses() {
        let esme = |s| device(DeviceType::Esme, s);
        for s in STATUSES {
            let ok = matches!(s, InstalledNotCommissioned | Commissioned | Recovered);
            assert_eq!(check_addressable(Srv::V4_1_1, &esme(s)).is_ok(), ok, "{s}");
            assert_eq!(
                check_addressable(Srv::V8_1_1, &esme(s)).is_ok(),
                ok || s == Whitelisted,
                "{s}"
            );
        }
        let e = check_addressable(Srv::V4_1_1, &esme(Suspended)).unwrap_err();
        assert_eq!(DccError::from(e).outcome().code, Some(ResponseCode::E5));
    }

    #[test]
    fn enrolment() {
        let c = |t| device(t, Commissioned);
        assert!(!enrolled(&[]));
        assert!(enrolled(&[c(DeviceType::Chf), c(DeviceType::Esme)]));
        assert!(!enrolled(&[
            c(DeviceType::Chf),
            device(DeviceType::Esme, Whitelisted)
        ]));
        assert!(enrolled(&[
            c(DeviceType::Chf),
            device(DeviceType::Gsme, Decommissioned)
        ]));
    }
}
