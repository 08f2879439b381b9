//! 6.22 Configure Alert Behaviour (`sr:ConfigureAlertBehaviour`): which alerts and events an
//! ESME or GSME raises, notifies, sounds or logs. The codes each group may carry are the
//! schema's (an element `xNNNN` outside its group's list is refused), each in schema order,
//! at most once.

use super::{BodyError, Seq, expect, simple};
use crate::types::InvalidValue;
use crate::xml::Element;

/// Which ESME behaviour an electricity choice configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElectricityBehaviour {
    /// `ElectricitySupplierAlerts`: supplier WAN alerts.
    SupplierAlerts,
    /// `ElectricitySupplierHANAlertSettings`: supplier events notified to HAN devices.
    SupplierHanAlerts,
    /// `ElectricitySupplierAlarmSettings`: supplier audible alarms.
    SupplierAlarms,
    /// `ElectricitySupplierLoggingSettings`: supplier event logging.
    SupplierLogging,
    /// `ElectricityNetworkOperatorAlerts`: network operator WAN alerts.
    NetworkOperatorAlerts,
    /// `ElectricityNetworkOperatorLoggingSettings`: network operator event logging.
    NetworkOperatorLogging,
}

/// A GSME code's four settings (`sr:WANHANEventLogAlarm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasEventSettings {
    /// `WANAlert`.
    pub wan_alert: bool,
    /// `HANAlert`.
    pub han_alert: bool,
    /// `EventLog`.
    pub event_log: bool,
    /// `Alarm`.
    pub alarm: bool,
}

/// The parsed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigureAlertBehaviour {
    /// An ESME behaviour: each code and whether it is enabled, in document order.
    Electricity {
        /// Which behaviour.
        behaviour: ElectricityBehaviour,
        /// The codes, enabled or not.
        settings: Vec<(u16, bool)>,
        /// Whether a poly-phase group was given (`SupplierESMEPolyPhase`,
        /// `NetworkOperatorESMEPolyPhase`).
        poly_phase: bool,
        /// Whether the single-phase group was given (`NetworkOperatorESMESinglePhase`).
        single_phase: bool,
    },
    /// `GasSupplierAlerts`: GSME WAN alerts only.
    GasAlerts(Vec<(u16, bool)>),
    /// `GasSupplierAlertEventSettings`: each GSME code's four settings.
    GasAlertEvents(Vec<(u16, GasEventSettings)>),
}

/// The codes of `sr:SupplierESMECommon`, in schema order.
pub const SUPPLIER_ESME_COMMON: &[u16] = &[
    0x810D, 0x810E, 0x8119, 0x8145, 0x8154, 0x8155, 0x8161, 0x8162, 0x8168, 0x8183, 0x81A0, 0x81A1,
    0x81A2, 0x81A3, 0x81A4, 0x81A5, 0x81A6, 0x81A7, 0x81A8, 0x81A9, 0x81AA, 0x81AB, 0x81AC, 0x81AD,
    0x81AE, 0x81AF, 0x81B0, 0x81B1, 0x81B2, 0x81B3, 0x81B8, 0x81B9, 0x81BA, 0x81BB, 0x81BC, 0x81BD,
    0x81BE, 0x81C0, 0x81C1, 0x81C4, 0x81C5, 0x81C6,
];

/// The codes of `sr:SupplierESMEPolyPhase`, in schema order.
pub const SUPPLIER_ESME_POLY_PHASE: &[u16] = &[0x81B7];

/// The codes of `sr:NetworkOperatorESMECommon`, in schema order.
pub const NETWORK_OPERATOR_ESME_COMMON: &[u16] = &[0x8014, 0x8015];

/// The codes of `sr:NetworkOperatorESMESinglePhase`, in schema order.
pub const NETWORK_OPERATOR_ESME_SINGLE_PHASE: &[u16] = &[
    0x8002, 0x8006, 0x8020, 0x8024, 0x8028, 0x802C, 0x8085, 0x8089, 0x808D, 0x8091, 0x8095, 0x8099,
    0x8010,
];

/// The codes of `sr:NetworkOperatorESMEPolyPhase`, in schema order.
pub const NETWORK_OPERATOR_ESME_POLY_PHASE: &[u16] = &[
    0x8003, 0x8004, 0x8005, 0x8007, 0x8008, 0x8009, 0x8021, 0x8022, 0x8023, 0x8025, 0x8026, 0x8027,
    0x8029, 0x802A, 0x802B, 0x802D, 0x802E, 0x802F, 0x8086, 0x8087, 0x8088, 0x808A, 0x808B, 0x808C,
    0x808E, 0x808F, 0x8090, 0x8092, 0x8093, 0x8094, 0x8096, 0x8097, 0x8098, 0x809A, 0x809B, 0x809C,
    0x8011, 0x8016, 0x8013,
];

/// The codes of `sr:SupplierGSMEAlertsEvents`, in schema order.
pub const SUPPLIER_GSME_ALERTS_EVENTS: &[u16] = &[
    0x810D, 0x810E, 0x8119, 0x8145, 0x8154, 0x8155, 0x8161, 0x8162, 0x8168, 0x8183, 0x8184, 0x81A0,
    0x81A1, 0x81A4, 0x81A5, 0x81A6, 0x81A7, 0x81A8, 0x81A9, 0x81AA, 0x81AB, 0x81AC, 0x81AD, 0x81AE,
    0x81AF, 0x81B0, 0x81B1, 0x81B2, 0x81B3, 0x81B4, 0x81B5, 0x81B6, 0x81B9, 0x81BA, 0x81BC, 0x81BD,
    0x81BE, 0x81BF, 0x81C0, 0x81C2, 0x81C3, 0x81C4, 0x81C5, 0x81C6,
];

/// The codes of `sr:SupplierGSME` (`GasSupplierAlerts`), in schema order.
pub const SUPPLIER_GSME: &[u16] = &[
    0x810D, 0x810E, 0x8119, 0x8145, 0x8154, 0x8155, 0x8168, 0x8183, 0x8184, 0x81A1, 0x81A4, 0x81A5,
    0x81A6, 0x81A7, 0x81A8, 0x81A9, 0x81AA, 0x81AB, 0x81AC, 0x81AD, 0x81AE, 0x81AF, 0x81B0, 0x81B1,
    0x81B2, 0x81B3, 0x81B4, 0x81B5, 0x81B6, 0x81B9, 0x81BA, 0x81BC, 0x81BD, 0x81BE, 0x81BF, 0x81C0,
    0x81C2, 0x81C3, 0x81C4, 0x81C5,
];

fn enable(e: &Element, kind: &'static str) -> Result<bool, BodyError> {
    match simple(e, kind)? {
        "Enable" => Ok(true),
        "Disable" => Ok(false),
        other => Err(InvalidValue::new(kind, other).into()),
    }
}

/// The children of a group: `xNNNN` elements from `allowed`, in its order, each at most once.
fn codes<T>(
    group: &Element,
    parent: &'static str,
    allowed: &[u16],
    value: impl Fn(&Element) -> Result<T, BodyError>,
) -> Result<Vec<(u16, T)>, BodyError> {
    let mut out = Vec::with_capacity(group.children.len());
    let mut next = 0;
    for c in &group.children {
        let code = c
            .name
            .strip_prefix('x')
            .filter(|h| h.len() == 4 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u16::from_str_radix(h, 16).ok());
        let at = code.and_then(|code| {
            allowed[next..]
                .iter()
                .position(|a| *a == code)
                .map(|i| next + i)
        });
        let (Some(code), Some(at)) = (code, at) else {
            return Err(BodyError::Unexpected {
                parent,
                found: crate::error::clip(&c.name),
            });
        };
        next = at + 1;
        out.push((code, value(c)?));
    }
    if !group.trimmed_text().is_empty() {
        return Err(InvalidValue::new(parent, &group.text).into());
    }
    Ok(out)
}

fn gas_event(e: &Element) -> Result<GasEventSettings, BodyError> {
    const P: &str = "WANHANEventLogAlarm";
    let mut s = Seq::new(e, P);
    let wan_alert = enable(s.required("WANAlert")?, "WANAlert")?;
    let han_alert = enable(s.required("HANAlert")?, "HANAlert")?;
    let event_log = enable(s.required("EventLog")?, "EventLog")?;
    let alarm = enable(s.required("Alarm")?, "Alarm")?;
    s.finish()?;
    Ok(GasEventSettings {
        wan_alert,
        han_alert,
        event_log,
        alarm,
    })
}

impl ConfigureAlertBehaviour {
    /// Parses a `ConfigureAlertBehaviour` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "ConfigureAlertBehaviour";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let choice = s.choice()?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        let behaviour = match choice.name.as_str() {
            "ElectricitySupplierAlerts" => ElectricityBehaviour::SupplierAlerts,
            "ElectricitySupplierHANAlertSettings" => ElectricityBehaviour::SupplierHanAlerts,
            "ElectricitySupplierAlarmSettings" => ElectricityBehaviour::SupplierAlarms,
            "ElectricitySupplierLoggingSettings" => ElectricityBehaviour::SupplierLogging,
            "ElectricityNetworkOperatorAlerts" => ElectricityBehaviour::NetworkOperatorAlerts,
            "ElectricityNetworkOperatorLoggingSettings" => {
                ElectricityBehaviour::NetworkOperatorLogging
            }
            "GasSupplierAlerts" => {
                let v = codes(choice, "GasSupplierAlerts", SUPPLIER_GSME, |e| {
                    enable(e, "GasSupplierAlerts")
                })?;
                return Ok(Self::GasAlerts(v));
            }
            "GasSupplierAlertEventSettings" => {
                let v = codes(
                    choice,
                    "GasSupplierAlertEventSettings",
                    SUPPLIER_GSME_ALERTS_EVENTS,
                    gas_event,
                )?;
                return Ok(Self::GasAlertEvents(v));
            }
            _ => return Err(s_unexpected(NAME, choice)),
        };
        let supplier = matches!(
            behaviour,
            ElectricityBehaviour::SupplierAlerts
                | ElectricityBehaviour::SupplierHanAlerts
                | ElectricityBehaviour::SupplierAlarms
                | ElectricityBehaviour::SupplierLogging
        );
        let mut g = Seq::new(choice, "ConfigureAlertBehaviour");
        let mut settings = Vec::new();
        let (mut poly_phase, mut single_phase) = (false, false);
        if supplier {
            if let Some(e) = g.optional("SupplierESMECommon") {
                settings.extend(codes(e, "SupplierESMECommon", SUPPLIER_ESME_COMMON, |c| {
                    enable(c, "SupplierESMECommon")
                })?);
            }
            if let Some(e) = g.optional("SupplierESMEPolyPhase") {
                poly_phase = true;
                settings.extend(codes(
                    e,
                    "SupplierESMEPolyPhase",
                    SUPPLIER_ESME_POLY_PHASE,
                    |c| enable(c, "SupplierESMEPolyPhase"),
                )?);
            }
        } else {
            if let Some(e) = g.optional("NetworkOperatorESMECommon") {
                settings.extend(codes(
                    e,
                    "NetworkOperatorESMECommon",
                    NETWORK_OPERATOR_ESME_COMMON,
                    |c| enable(c, "NetworkOperatorESMECommon"),
                )?);
            }
            if let Some(e) = g.optional("NetworkOperatorESMESinglePhase") {
                single_phase = true;
                settings.extend(codes(
                    e,
                    "NetworkOperatorESMESinglePhase",
                    NETWORK_OPERATOR_ESME_SINGLE_PHASE,
                    |c| enable(c, "NetworkOperatorESMESinglePhase"),
                )?);
            } else if let Some(e) = g.optional("NetworkOperatorESMEPolyPhase") {
                poly_phase = true;
                settings.extend(codes(
                    e,
                    "NetworkOperatorESMEPolyPhase",
                    NETWORK_OPERATOR_ESME_POLY_PHASE,
                    |c| enable(c, "NetworkOperatorESMEPolyPhase"),
                )?);
            }
        }
        g.finish()?;
        Ok(Self::Electricity {
            behaviour,
            settings,
            poly_phase,
            single_phase,
        })
    }
}

fn s_unexpected(parent: &'static str, e: &Element) -> BodyError {
    BodyError::Unexpected {
        parent,
        found: crate::error::clip(&e.name),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn body(xml: &str) -> Result<ConfigureAlertBehaviour, BodyError> {
        let e = super::super::tests::body(&format!(
            "<sr:ConfigureAlertBehaviour>{xml}</sr:ConfigureAlertBehaviour>"
        ));
        ConfigureAlertBehaviour::parse(&e)
    }

    #[test]
    fn electricity_and_gas_bodies() {
        let b = body("<sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x810D>Enable</sr:x810D><sr:x810E>Disable</sr:x810E></sr:SupplierESMECommon><sr:SupplierESMEPolyPhase><sr:x81B7>Enable</sr:x81B7></sr:SupplierESMEPolyPhase></sr:ElectricitySupplierAlerts>").unwrap();
        assert_eq!(
            b,
            ConfigureAlertBehaviour::Electricity {
                behaviour: ElectricityBehaviour::SupplierAlerts,
                settings: vec![(0x810D, true), (0x810E, false), (0x81B7, true)],
                poly_phase: true,
                single_phase: false,
            }
        );
        let b = body("<sr:GasSupplierAlertEventSettings><sr:x810E><sr:WANAlert>Enable</sr:WANAlert><sr:HANAlert>Disable</sr:HANAlert><sr:EventLog>Disable</sr:EventLog><sr:Alarm>Disable</sr:Alarm></sr:x810E></sr:GasSupplierAlertEventSettings>").unwrap();
        assert!(matches!(b, ConfigureAlertBehaviour::GasAlertEvents(v) if v.len() == 1));
    }

    #[test]
    fn unknown_codes_order_and_values_are_refused() {
        for bad in [
            // Not a supplier code.
            "<sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x8014>Enable</sr:x8014></sr:SupplierESMECommon></sr:ElectricitySupplierAlerts>",
            // Critical.
            "<sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x8F30>Enable</sr:x8F30></sr:SupplierESMECommon></sr:ElectricitySupplierAlerts>",
            // Out of order / repeated.
            "<sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x810E>Enable</sr:x810E><sr:x810D>Enable</sr:x810D></sr:SupplierESMECommon></sr:ElectricitySupplierAlerts>",
            "<sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x810D>Enable</sr:x810D><sr:x810D>Enable</sr:x810D></sr:SupplierESMECommon></sr:ElectricitySupplierAlerts>",
            // Bad value.
            "<sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x810D>On</sr:x810D></sr:SupplierESMECommon></sr:ElectricitySupplierAlerts>",
            // Network operator group under a supplier choice.
            "<sr:ElectricitySupplierAlerts><sr:NetworkOperatorESMECommon><sr:x8014>Enable</sr:x8014></sr:NetworkOperatorESMECommon></sr:ElectricitySupplierAlerts>",
            // Gas: missing setting.
            "<sr:GasSupplierAlertEventSettings><sr:x810E><sr:WANAlert>Enable</sr:WANAlert></sr:x810E></sr:GasSupplierAlertEventSettings>",
            "<sr:Other/>",
            "",
        ] {
            assert!(body(bad).is_err(), "{bad}");
        }
    }
}
