//! Bodies of the auxiliary load switch services: 7.5 `ActivateAuxiliaryLoad` and 7.6
//! `DeactivateAuxiliaryLoad` (one `ActivateALCSHCALCS` / `DeactivateALCSHCALCS`, of type
//! `sr:ActivateDeactivateALCSHCALCS`: a `Duration`, xs:unsignedShort, and the switch's `index`
//! attribute, `sr:range_1_5`), and 7.8 `ResetAuxiliaryLoad` (one `ResetALCSHCALCS` with its
//! `index` and no content).

use super::{BodyError, Seq, execution_date_time, expect, simple};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// What a 7.5 / 7.6 / 7.8 body asks of one auxiliary load switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuxiliaryLoad {
    /// The switch, 1 to 5 (`index`).
    pub index: u8,
    /// `Duration` (7.5, 7.6); `None` for a reset.
    pub duration: Option<u16>,
}

/// The lexical form of an XSD non-negative integer (optional `+`, digits), whitespace
/// collapsed.
fn unsigned(t: &str) -> Option<u64> {
    let t = t.trim_matches(is_xml_space);
    let digits = t.strip_prefix('+').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 19 {
        return None;
    }
    if significant.is_empty() {
        return Some(0);
    }
    significant.parse().ok()
}

fn index(e: &Element) -> Result<u8, BodyError> {
    let Some(v) = e.attr("index") else {
        return Err(BodyError::Missing {
            parent: "ALCSHCALCS",
            name: "index",
        });
    };
    unsigned(v)
        .and_then(|i| u8::try_from(i).ok())
        .filter(|i| (1..=5).contains(i))
        .ok_or_else(|| InvalidValue::new("index", v).into())
}

impl AuxiliaryLoad {
    /// Parses an `ActivateAuxiliaryLoad` (7.5) body element.
    pub fn parse_activate(body: &Element) -> Result<Self, BodyError> {
        Self::parse_timed(body, "ActivateAuxiliaryLoad", "ActivateALCSHCALCS")
    }

    /// Parses a `DeactivateAuxiliaryLoad` (7.6) body element.
    pub fn parse_deactivate(body: &Element) -> Result<Self, BodyError> {
        Self::parse_timed(body, "DeactivateAuxiliaryLoad", "DeactivateALCSHCALCS")
    }

    fn parse_timed(
        body: &Element,
        name: &'static str,
        child: &'static str,
    ) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let c = s.required(child)?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(name, &body.text).into());
        }
        let index = index(c)?;
        let mut inner = Seq::new(c, child);
        let d = inner.required("Duration")?;
        inner.finish()?;
        if !c.trimmed_text().is_empty() {
            return Err(InvalidValue::new(child, &c.text).into());
        }
        let text = simple(d, "Duration")?;
        let duration = unsigned(text)
            .and_then(|v| u16::try_from(v).ok())
            .ok_or_else(|| InvalidValue::new("Duration", text))?;
        Ok(Self {
            index,
            duration: Some(duration),
        })
    }

    /// Parses a `ResetAuxiliaryLoad` (7.8) body element.
    pub fn parse_reset(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "ResetAuxiliaryLoad";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let c = s.required("ResetALCSHCALCS")?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Seq::new(c, "ResetALCSHCALCS").finish()?;
        if !c.trimmed_text().is_empty() {
            return Err(InvalidValue::new("ResetALCSHCALCS", &c.text).into());
        }
        Ok(Self {
            index: index(c)?,
            duration: None,
        })
    }
}

/// A 7.13 `SetAuxiliaryControllerState` body: auxiliary controller `auxiliaryControllerN`
/// (1–5) at `CommandedStateLevel` (0–100) from `StartDateTime` to `EndDateTime` (an end before
/// the start is refused here: the XSD cannot say it), an APC optionally taking its input from
/// the controlled load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetAuxiliaryControllerState {
    /// `auxiliaryControllerN`.
    pub index: u8,
    /// `StartDateTime` (UTC; a value without a zone is taken as UTC).
    pub start: time::OffsetDateTime,
    /// `EndDateTime`.
    pub end: time::OffsetDateTime,
    /// `CommandedStateLevel`.
    pub level: u8,
    /// `InputFromControlledLoad` present.
    pub input_from_controlled_load: bool,
}

impl SetAuxiliaryControllerState {
    /// Parses a `SetAuxiliaryControllerState` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        Self::parse_named(body, "SetAuxiliaryControllerState")
    }

    /// Parses a 7.16 `LimitAPCLevel` body element (`sr:LimitAPCLevel`, the same content model:
    /// APC `auxiliaryControllerN` limited to `CommandedStateLevel` from `StartDateTime` to
    /// `EndDateTime`).
    pub fn parse_limit_apc_level(body: &Element) -> Result<Self, BodyError> {
        Self::parse_named(body, "LimitAPCLevel")
    }

    fn parse_named(body: &Element, body_name: &'static str) -> Result<Self, BodyError> {
        expect(body, body_name)?;
        let Some(n) = body.attr("auxiliaryControllerN") else {
            return Err(BodyError::Missing {
                parent: body_name,
                name: "auxiliaryControllerN",
            });
        };
        let index = unsigned(n)
            .and_then(|i| u8::try_from(i).ok())
            .filter(|i| (1..=5).contains(i))
            .ok_or_else(|| InvalidValue::new("auxiliaryControllerN", n))?;
        let mut s = Seq::new(body, body_name);
        let date_time =
            |e: &Element, name: &'static str| -> Result<time::OffsetDateTime, BodyError> {
                let t = simple(e, name)?.trim_matches(is_xml_space);
                crate::datetime::parse_xs_datetime_utc(t)
                    .ok_or_else(|| InvalidValue::new(name, t).into())
            };
        let start = date_time(s.required("StartDateTime")?, "StartDateTime")?;
        let end = date_time(s.required("EndDateTime")?, "EndDateTime")?;
        let l = simple(s.required("CommandedStateLevel")?, "CommandedStateLevel")?;
        let level = unsigned(l)
            .and_then(|v| u8::try_from(v).ok())
            .filter(|v| *v <= 100)
            .ok_or_else(|| InvalidValue::new("CommandedStateLevel", l))?;
        let input = s.optional("InputFromControlledLoad");
        if let Some(i) = input {
            Seq::new(i, "InputFromControlledLoad").finish()?;
            if !i.trimmed_text().is_empty() {
                return Err(InvalidValue::new("InputFromControlledLoad", &i.text).into());
            }
        }
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(body_name, &body.text).into());
        }
        if end < start {
            return Err(InvalidValue::new("EndDateTime", "before StartDateTime").into());
        }
        Ok(Self {
            index,
            start,
            end,
            level,
            input_from_controlled_load: input.is_some(),
        })
    }
}

/// A 7.9 `AddAuxiliaryLoadToBoostButton` or 7.10 `RemoveAuxiliaryLoadFromBoostButton` body: an
/// optional `ExecutionDateTime` (DSP future dating), then exactly five `AddToBoostButton` /
/// `RemoveFromBoostButton` (xs:boolean, `index` 1–5). A controller given twice, or a body
/// naming no controller (all false: nothing for the meter to do), is refused here; the XSD
/// cannot say either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoostButtonChange {
    /// `ExecutionDateTime`, as written, when future dated.
    pub execution_date_time: Option<String>,
    /// 7.9 (add) or 7.10 (remove).
    pub add: bool,
    /// Whether the request names controller `i + 1` (its element is true).
    pub controllers: [bool; 5],
}

fn xs_boolean(text: &str) -> Option<bool> {
    match text.trim_matches(is_xml_space) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

impl BoostButtonChange {
    /// Parses an `AddAuxiliaryLoadToBoostButton` (7.9) body element.
    pub fn parse_add(body: &Element) -> Result<Self, BodyError> {
        Self::parse(
            body,
            true,
            "AddAuxiliaryLoadToBoostButton",
            "AddToBoostButton",
        )
    }

    /// Parses a `RemoveAuxiliaryLoadFromBoostButton` (7.10) body element.
    pub fn parse_remove(body: &Element) -> Result<Self, BodyError> {
        Self::parse(
            body,
            false,
            "RemoveAuxiliaryLoadFromBoostButton",
            "RemoveFromBoostButton",
        )
    }

    fn parse(
        body: &Element,
        add: bool,
        name: &'static str,
        child: &'static str,
    ) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let execution_date_time = execution_date_time(&mut s)?;
        let mut given = [None::<bool>; 5];
        for _ in 0..5 {
            let c = s.required(child)?;
            let i = usize::from(index(c)?) - 1;
            Seq::new(c, child).finish()?;
            let v = xs_boolean(&c.text).ok_or_else(|| InvalidValue::new(child, &c.text))?;
            let Some(slot) = given.get_mut(i) else {
                return Err(InvalidValue::new("index", &i.to_string()).into());
            };
            if slot.replace(v).is_some() {
                return Err(InvalidValue::new("index", "a controller given twice").into());
            }
        }
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(name, &body.text).into());
        }
        let controllers = given.map(|v| v == Some(true));
        if !controllers.contains(&true) {
            return Err(InvalidValue::new(child, "no controller named (all false)").into());
        }
        Ok(Self {
            execution_date_time,
            add,
            controllers,
        })
    }
}

/// A 7.12 `SetRandomisedOffsetLimit` body: `RandomisedOffsetLimit`, seconds, 0 to 1799.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetRandomisedOffsetLimit {
    /// `RandomisedOffsetLimit`.
    pub limit: u16,
}

impl SetRandomisedOffsetLimit {
    /// Parses a `SetRandomisedOffsetLimit` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "SetRandomisedOffsetLimit";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let l = simple(
            s.required("RandomisedOffsetLimit")?,
            "RandomisedOffsetLimit",
        )?;
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        let limit = unsigned(l)
            .and_then(|v| u16::try_from(v).ok())
            .filter(|v| *v <= 1799)
            .ok_or_else(|| InvalidValue::new("RandomisedOffsetLimit", l))?;
        Ok(Self { limit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    fn body(inner: &str) -> Element {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">{inner}</sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    fn activate(index: &str, duration: &str) -> Element {
        body(&format!(
            r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS index="{index}"><sr:Duration>{duration}</sr:Duration></sr:ActivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#
        ))
    }

    #[test]
    fn the_templates_parse() {
        assert_eq!(
            AuxiliaryLoad::parse_activate(&activate("1", "30")),
            Ok(AuxiliaryLoad {
                index: 1,
                duration: Some(30)
            })
        );
        let d = body(
            r#"<sr:DeactivateAuxiliaryLoad><sr:DeactivateALCSHCALCS index="3"><sr:Duration>60</sr:Duration></sr:DeactivateALCSHCALCS></sr:DeactivateAuxiliaryLoad>"#,
        );
        assert_eq!(
            AuxiliaryLoad::parse_deactivate(&d),
            Ok(AuxiliaryLoad {
                index: 3,
                duration: Some(60)
            })
        );
        let r = body(
            r#"<sr:ResetAuxiliaryLoad><sr:ResetALCSHCALCS index="5"/></sr:ResetAuxiliaryLoad>"#,
        );
        assert_eq!(
            AuxiliaryLoad::parse_reset(&r),
            Ok(AuxiliaryLoad {
                index: 5,
                duration: None
            })
        );
        // Lexical forms the XSD allows.
        assert_eq!(
            AuxiliaryLoad::parse_activate(&activate(" +05 ", " 0065535 ")),
            Ok(AuxiliaryLoad {
                index: 5,
                duration: Some(65_535)
            })
        );
    }

    #[test]
    fn randomised_offset_limits() {
        let b = |v: &str| {
            body(&format!(
                "<sr:SetRandomisedOffsetLimit><sr:RandomisedOffsetLimit>{v}</sr:RandomisedOffsetLimit></sr:SetRandomisedOffsetLimit>"
            ))
        };
        assert_eq!(
            SetRandomisedOffsetLimit::parse(&b("900")).map(|s| s.limit),
            Ok(900)
        );
        assert_eq!(
            SetRandomisedOffsetLimit::parse(&b(" 0 ")).map(|s| s.limit),
            Ok(0)
        );
        assert_eq!(
            SetRandomisedOffsetLimit::parse(&b("1799")).map(|s| s.limit),
            Ok(1799)
        );
        for bad in ["1800", "-1", "", "9x", "99999999999999999999999"] {
            assert!(SetRandomisedOffsetLimit::parse(&b(bad)).is_err(), "{bad}");
        }
        assert!(SetRandomisedOffsetLimit::parse(&body("<sr:SetRandomisedOffsetLimit/>")).is_err());
    }

    #[test]
    fn out_of_range_and_misplaced_values_are_refused() {
        for (index, duration) in [
            ("0", "30"),
            ("6", "30"),
            ("-1", "30"),
            ("one", "30"),
            ("", "30"),
            ("1", "65536"),
            ("1", "-1"),
            ("1", ""),
            ("1", "3.0"),
        ] {
            assert!(
                AuxiliaryLoad::parse_activate(&activate(index, duration)).is_err(),
                "{index} {duration}"
            );
        }
        for bad in [
            r#"<sr:ActivateAuxiliaryLoad/>"#,
            r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS><sr:Duration>1</sr:Duration></sr:ActivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#,
            r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS index="1"/></sr:ActivateAuxiliaryLoad>"#,
            r#"<sr:ActivateAuxiliaryLoad><sr:DeactivateALCSHCALCS index="1"><sr:Duration>1</sr:Duration></sr:DeactivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#,
            r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS index="1"><sr:Duration>1</sr:Duration><sr:Duration>1</sr:Duration></sr:ActivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#,
            r#"<sr:ActivateAuxiliaryLoad><sr:ActivateALCSHCALCS index="1"><sr:Duration>1</sr:Duration></sr:ActivateALCSHCALCS><sr:ActivateALCSHCALCS index="2"><sr:Duration>1</sr:Duration></sr:ActivateALCSHCALCS></sr:ActivateAuxiliaryLoad>"#,
        ] {
            assert!(AuxiliaryLoad::parse_activate(&body(bad)).is_err(), "{bad}");
        }
        assert!(AuxiliaryLoad::parse_deactivate(&activate("1", "1")).is_err());
        for bad in [
            r#"<sr:ResetAuxiliaryLoad><sr:ResetALCSHCALCS/></sr:ResetAuxiliaryLoad>"#,
            r#"<sr:ResetAuxiliaryLoad><sr:ResetALCSHCALCS index="7"/></sr:ResetAuxiliaryLoad>"#,
            r#"<sr:ResetAuxiliaryLoad><sr:ResetALCSHCALCS index="2">x</sr:ResetALCSHCALCS></sr:ResetAuxiliaryLoad>"#,
            r#"<sr:ResetAuxiliaryLoad><sr:ResetALCSHCALCS index="2"><sr:Duration>1</sr:Duration></sr:ResetALCSHCALCS></sr:ResetAuxiliaryLoad>"#,
            r#"<sr:ResetAuxiliaryLoad/>"#,
        ] {
            assert!(AuxiliaryLoad::parse_reset(&body(bad)).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod boost_tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    fn body(name: &str, child: &str, values: &[(&str, &str)], before: &str) -> Element {
        let children: String = values
            .iter()
            .map(|(i, v)| format!(r#"<sr:{child} index="{i}">{v}</sr:{child}>"#))
            .collect();
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:{name}>{before}{children}</sr:{name}></sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    fn add(values: &[(&str, &str)]) -> Result<BoostButtonChange, BodyError> {
        BoostButtonChange::parse_add(&body(
            "AddAuxiliaryLoadToBoostButton",
            "AddToBoostButton",
            values,
            "",
        ))
    }

    const ALL: [(&str, &str); 5] = [
        ("1", "true"),
        ("2", "true"),
        ("3", "true"),
        ("4", "true"),
        ("5", "true"),
    ];

    #[test]
    fn the_templates_parse() {
        assert_eq!(
            add(&ALL),
            Ok(BoostButtonChange {
                execution_date_time: None,
                add: true,
                controllers: [true; 5]
            })
        );
        let r = BoostButtonChange::parse_remove(&body(
            "RemoveAuxiliaryLoadFromBoostButton",
            "RemoveFromBoostButton",
            &[
                ("5", "0"),
                ("4", " 1 "),
                ("3", "false"),
                ("2", "true"),
                ("1", "false"),
            ],
            "<sr:ExecutionDateTime>2030-01-01T00:00:00Z</sr:ExecutionDateTime>",
        ))
        .unwrap();
        assert!(!r.add);
        assert_eq!(r.controllers, [false, true, false, true, false]);
        assert!(r.execution_date_time.is_some());
    }

    #[test]
    fn bad_bodies_are_refused() {
        let mut twice = ALL;
        twice[4].0 = "4";
        let mut six = ALL;
        six[0].0 = "6";
        let mut not_bool = ALL;
        not_bool[2].1 = "yes";
        for bad in [
            &ALL[..4],
            &twice[..],
            &six[..],
            &not_bool[..],
            &[
                ("1", "false"),
                ("2", "false"),
                ("3", "false"),
                ("4", "false"),
                ("5", "false"),
            ][..],
        ] {
            assert!(add(bad).is_err(), "{bad:?}");
        }
        let mut seven = ALL.to_vec();
        seven.push(("1", "true"));
        assert!(add(&seven).is_err());
        // The other service's element.
        assert!(
            BoostButtonChange::parse_add(&body(
                "AddAuxiliaryLoadToBoostButton",
                "RemoveFromBoostButton",
                &ALL,
                ""
            ))
            .is_err()
        );
    }
}

#[cfg(test)]
mod controller_tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    fn body(n: &str, start: &str, end: &str, level: &str, input: &str) -> Element {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:SetAuxiliaryControllerState auxiliaryControllerN="{n}"><sr:StartDateTime>{start}</sr:StartDateTime><sr:EndDateTime>{end}</sr:EndDateTime><sr:CommandedStateLevel>{level}</sr:CommandedStateLevel>{input}</sr:SetAuxiliaryControllerState></sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    const S: &str = "2015-01-03T00:00:00.00Z";
    const E: &str = "2015-01-03T01:00:00.00Z";

    #[test]
    fn the_templates_parse() {
        let b = SetAuxiliaryControllerState::parse(&body(
            "3",
            S,
            E,
            "50",
            "<sr:InputFromControlledLoad/>",
        ))
        .unwrap();
        assert_eq!(
            (b.index, b.level, b.input_from_controlled_load),
            (3, 50, true)
        );
        assert_eq!(b.start.unix_timestamp(), 1_420_243_200);
        assert_eq!(b.end.unix_timestamp() - b.start.unix_timestamp(), 3600);
        let b = SetAuxiliaryControllerState::parse(&body("5", S, E, "100", "")).unwrap();
        assert_eq!(
            (b.index, b.level, b.input_from_controlled_load),
            (5, 100, false)
        );
    }

    #[test]
    fn the_7_16_templates_parse_as_limit_apc_level() {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:LimitAPCLevel auxiliaryControllerN="3"><sr:StartDateTime>{S}</sr:StartDateTime><sr:EndDateTime>{E}</sr:EndDateTime><sr:CommandedStateLevel>50</sr:CommandedStateLevel><sr:InputFromControlledLoad/></sr:LimitAPCLevel></sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        let e = root.children.remove(0);
        let b = SetAuxiliaryControllerState::parse_limit_apc_level(&e).unwrap();
        assert_eq!(
            (b.index, b.level, b.input_from_controlled_load),
            (3, 50, true)
        );
        assert!(
            SetAuxiliaryControllerState::parse(&e).is_err(),
            "7.13's element"
        );
        let bad = doc.replace(">50<", ">101<");
        let mut root = parse_element(bad.as_bytes(), &ParseLimits::default()).unwrap();
        assert!(
            SetAuxiliaryControllerState::parse_limit_apc_level(&root.children.remove(0)).is_err()
        );
    }

    #[test]
    fn bad_values_are_refused() {
        for (n, s, e, l, i) in [
            ("0", S, E, "100", ""),
            ("6", S, E, "100", ""),
            ("1", S, E, "101", ""),
            ("1", S, E, "-1", ""),
            ("1", "soon", E, "1", ""),
            ("1", E, S, "1", ""),
            (
                "1",
                S,
                E,
                "1",
                "<sr:InputFromControlledLoad>x</sr:InputFromControlledLoad>",
            ),
            ("1", S, E, "1", "<sr:Other/>"),
        ] {
            assert!(
                SetAuxiliaryControllerState::parse(&body(n, s, e, l, i)).is_err(),
                "{n} {s} {e} {l} {i}"
            );
        }
    }
}
