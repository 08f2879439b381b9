//! 5.1 Create Schedule, 5.2 Read Schedule and 5.3 Delete Schedule bodies (`sr:DSPSchedule`,
//! `sr:ReadSchedule`, `sr:DeleteSchedule`), and what a DCC-scheduled run sends: the scheduled
//! variant's own request body, built from the schedule's `DSP…` element for the run's date.

use eui::Eui64;
use time::{Date, Duration, Month, Time};

use super::{BodyError, Seq, eui, expect, simple};
use crate::matrix::{Srv, service_variant};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// Largest `sr:scheduleID`.
pub const MAX_SCHEDULE_ID: u64 = 1_000_000_000_000;
/// Smallest `sr:logPeriodOffset` (days before the run's date).
pub const MIN_LOG_PERIOD_OFFSET: i32 = -400;

/// `sr:ScheduleFrequency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScheduleFrequency {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
}

impl ScheduleFrequency {
    pub const ALL: [Self; 6] = [
        Self::Daily,
        Self::Weekly,
        Self::Monthly,
        Self::Quarterly,
        Self::HalfYearly,
        Self::Yearly,
    ];

    /// The XSD enumeration value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "Daily",
            Self::Weekly => "Weekly",
            Self::Monthly => "Monthly",
            Self::Quarterly => "Quarterly",
            Self::HalfYearly => "Half-Yearly",
            Self::Yearly => "Yearly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// `sr:ReadLogPeriodOffset`: a log period relative to the run's date (offsets in days, ≤ 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLogPeriodOffset {
    pub start_date_offset: i32,
    /// `StartTime`, in UTC.
    pub start_time: Time,
    pub end_date_offset: i32,
    /// `EndTime`, in UTC.
    pub end_time: Time,
}

impl ReadLogPeriodOffset {
    /// The absolute period for a run on `run_date` (UTC).
    pub fn period_on(
        &self,
        run_date: Date,
    ) -> Option<(time::PrimitiveDateTime, time::PrimitiveDateTime)> {
        let start = run_date.checked_add(Duration::days(self.start_date_offset.into()))?;
        let end = run_date.checked_add(Duration::days(self.end_date_offset.into()))?;
        Some((
            start.with_time(self.start_time),
            end.with_time(self.end_time),
        ))
    }
}

/// One element of the `sr:DSPSchedule` choice: which request a run sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DspElement {
    /// `DSP…` element name.
    pub dsp_name: &'static str,
    /// The scheduled variant's own request body element.
    pub body_name: &'static str,
    /// The service reference variant it belongs to.
    pub srv: &'static str,
    /// Whether its type is `sr:ReadLogPeriodOffset` (else it has no content).
    pub has_period: bool,
    /// Whether the variant's body may carry `KAPublicSecurityCredentials` (the URP credential).
    pub takes_credentials: bool,
}

/// The `sr:DSPSchedule` choice, in XSD order.
pub const DSP_ELEMENTS: &[DspElement] = &[
    dsp(
        "DSPRetrieveImportDailyReadLog",
        "RetrieveImportDailyReadLog",
        "4.6.1",
        true,
        true,
    ),
    dsp(
        "DSPRetrieveExportDailyReadLog",
        "RetrieveExportDailyReadLog",
        "4.6.2",
        true,
        false,
    ),
    dsp(
        "DSPReadActiveImportProfileData",
        "ReadActiveImportProfileData",
        "4.8.1",
        true,
        true,
    ),
    dsp(
        "DSPReadReactiveImportProfileData",
        "ReadReactiveImportProfileData",
        "4.8.2",
        true,
        false,
    ),
    dsp(
        "DSPReadExportProfileData",
        "ReadExportProfileData",
        "4.8.3",
        true,
        false,
    ),
    dsp("DSPReadNetworkData", "ReadNetworkData", "4.10", true, true),
    dsp(
        "DSPReadMaximumDemandImportRegisters",
        "ReadMaximumDemandImportRegisters",
        "4.12.1",
        false,
        false,
    ),
    dsp(
        "DSPReadMaximumDemandExportRegisters",
        "ReadMaximumDemandExportRegisters",
        "4.12.2",
        false,
        false,
    ),
    dsp(
        "DSPReadPrepaymentDailyReadLog",
        "ReadPrepaymentDailyReadLog",
        "4.14",
        true,
        true,
    ),
    dsp(
        "DSPReadLoadLimitData",
        "ReadLoadLimitData",
        "4.15",
        false,
        false,
    ),
    dsp(
        "DSPReadActivePowerImport",
        "ReadActivePowerImport",
        "4.16",
        false,
        false,
    ),
    dsp(
        "DSPRetrieveDailyConsumptionLog",
        "RetrieveDailyConsumptionLog",
        "4.17",
        true,
        true,
    ),
    dsp(
        "DSPRecordNetworkDataGAS",
        "RecordNetworkDataGAS",
        "14.1",
        false,
        false,
    ),
    dsp(
        "DSPReadInstantaneousExportRegisters",
        "ReadInstantaneousExportRegisters",
        "4.2",
        false,
        false,
    ),
];

const fn dsp(
    dsp_name: &'static str,
    body_name: &'static str,
    srv: &'static str,
    has_period: bool,
    takes_credentials: bool,
) -> DspElement {
    DspElement {
        dsp_name,
        body_name,
        srv,
        has_period,
        takes_credentials,
    }
}

impl DspElement {
    /// The element for a `DSP…` name.
    pub fn by_name(name: &str) -> Option<&'static Self> {
        DSP_ELEMENTS.iter().find(|e| e.dsp_name == name)
    }

    /// The element for a scheduled variant.
    pub fn for_srv(srv: Srv) -> Option<&'static Self> {
        DSP_ELEMENTS.iter().find(|e| e.srv == srv.as_str())
    }
}

/// `sr:DSPSchedule`: the body of 5.1 Create Schedule (and each schedule 5.2 returns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DspSchedule {
    pub frequency: ScheduleFrequency,
    pub start_date: Date,
    pub end_date: Option<Date>,
    /// `ScheduleExecutionStartTime`, in UTC.
    pub execution_start_time: Option<Time>,
    /// `KAPublicSecurityCredential` (base64 text as sent, validated).
    pub ka_credential: Option<String>,
    /// `DSPScheduledServiceReference` as sent (`"4.6"`).
    pub service_reference: String,
    /// `DSPScheduledServiceReferenceVariant`.
    pub srv: Srv,
    pub device_id: Eui64,
    /// Which `DSP…` element, and its period for log reads.
    pub element: &'static DspElement,
    pub period: Option<ReadLogPeriodOffset>,
}

/// Why a `DSPSchedule` is not one the DCC can run, beyond its structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleBodyError {
    #[error(
        "DSPScheduledServiceReferenceVariant {srv} does not belong to service reference {reference}"
    )]
    ReferenceMismatch { srv: String, reference: String },
    #[error("the scheduled element {element} is not the body of variant {srv}")]
    ElementMismatch { element: &'static str, srv: String },
}

fn text<'a>(e: &'a Element, kind: &'static str) -> Result<&'a str, BodyError> {
    Ok(simple(e, kind)?.trim_matches(is_xml_space))
}

/// Strips an xs time-zone suffix (`Z`, `±hh:mm`) and returns it as seconds east of UTC.
fn split_zone(s: &str) -> Option<(&str, i32)> {
    if let Some(rest) = s.strip_suffix('Z') {
        return Some((rest, 0));
    }
    let b = s.as_bytes();
    if b.len() >= 6 {
        let z = &s[s.len() - 6..];
        let zb = z.as_bytes();
        if (zb[0] == b'+' || zb[0] == b'-') && zb[3] == b':' {
            let h: i32 = z[1..3].parse().ok()?;
            let m: i32 = z[4..6].parse().ok()?;
            if h > 14 || m > 59 || (h == 14 && m > 0) {
                return None;
            }
            let sign = if zb[0] == b'-' { -1 } else { 1 };
            return Some((&s[..s.len() - 6], sign * (h * 3600 + m * 60)));
        }
    }
    Some((s, 0))
}

/// An `xs:date` (`YYYY-MM-DD`, optional zone, ignored: dates are taken as UTC days).
pub fn parse_xs_date(s: &str, kind: &'static str) -> Result<Date, InvalidValue> {
    let bad = || InvalidValue::new(kind, s);
    let (d, _) = split_zone(s).ok_or_else(bad)?;
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let y: i32 = d[0..4].parse().map_err(|_| bad())?;
    let m: u8 = d[5..7].parse().map_err(|_| bad())?;
    let day: u8 = d[8..10].parse().map_err(|_| bad())?;
    let month = Month::try_from(m).map_err(|_| bad())?;
    if y == 0 {
        return Err(bad());
    }
    Date::from_calendar_date(y, month, day).map_err(|_| bad())
}

/// An `xs:time` (`hh:mm:ss[.fff][zone]`), converted to UTC (a time without a zone is UTC, the
/// DUIS convention); fractions of a second are dropped.
pub fn parse_xs_time(s: &str, kind: &'static str) -> Result<Time, InvalidValue> {
    let bad = || InvalidValue::new(kind, s);
    let (t, offset) = split_zone(s).ok_or_else(bad)?;
    let b = t.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return Err(bad());
    }
    let h: i32 = t[0..2].parse().map_err(|_| bad())?;
    let m: i32 = t[3..5].parse().map_err(|_| bad())?;
    let sec: i32 = t[6..8].parse().map_err(|_| bad())?;
    let frac = &t[8..];
    if !(frac.is_empty()
        || (frac.len() > 1
            && frac.starts_with('.')
            && frac[1..].bytes().all(|c| c.is_ascii_digit())))
    {
        return Err(bad());
    }
    if h > 23 || m > 59 || sec > 59 {
        return Err(bad());
    }
    let secs = (h * 3600 + m * 60 + sec - offset).rem_euclid(86_400);
    let secs = u32::try_from(secs).map_err(|_| bad())?;
    Time::from_hms(
        (secs / 3600) as u8,
        ((secs / 60) % 60) as u8,
        (secs % 60) as u8,
    )
    .map_err(|_| bad())
}

fn offset(e: &Element, kind: &'static str) -> Result<i32, BodyError> {
    let t = text(e, kind)?;
    let v: i32 = t
        .strip_prefix('+')
        .unwrap_or(t)
        .parse()
        .map_err(|_| InvalidValue::new(kind, t))?;
    if !(MIN_LOG_PERIOD_OFFSET..=0).contains(&v) {
        return Err(InvalidValue::new(kind, t).into());
    }
    Ok(v)
}

fn schedule_id(e: &Element) -> Result<u64, BodyError> {
    let t = text(e, "DSPScheduleID")?;
    let v: u64 = t
        .strip_prefix('+')
        .unwrap_or(t)
        .parse()
        .map_err(|_| InvalidValue::new("DSPScheduleID", t))?;
    if v > MAX_SCHEDULE_ID {
        return Err(InvalidValue::new("DSPScheduleID", t).into());
    }
    Ok(v)
}

fn is_base64(s: &str) -> bool {
    use base64::Engine as _;
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .is_ok()
}

impl DspSchedule {
    /// Parses a `CreateSchedule` body (or any element of type `sr:DSPSchedule` named `name`).
    pub fn parse_named(body: &Element, name: &'static str) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let f = text(s.required("ScheduleFrequency")?, "ScheduleFrequency")?;
        let frequency =
            ScheduleFrequency::parse(f).ok_or_else(|| InvalidValue::new("ScheduleFrequency", f))?;
        let start_date = parse_xs_date(
            text(s.required("ScheduleStartDate")?, "ScheduleStartDate")?,
            "ScheduleStartDate",
        )?;
        let end_date = s
            .optional("ScheduleEndDate")
            .map(|e| {
                text(e, "ScheduleEndDate").and_then(|t| Ok(parse_xs_date(t, "ScheduleEndDate")?))
            })
            .transpose()?;
        let execution_start_time = s
            .optional("ScheduleExecutionStartTime")
            .map(|e| {
                text(e, "ScheduleExecutionStartTime")
                    .and_then(|t| Ok(parse_xs_time(t, "ScheduleExecutionStartTime")?))
            })
            .transpose()?;
        let ka_credential = s
            .optional("KAPublicSecurityCredential")
            .map(|e| {
                let t = text(e, "KAPublicSecurityCredential")?;
                if is_base64(t) {
                    Ok(t.to_owned())
                } else {
                    Err(BodyError::from(InvalidValue::new(
                        "KAPublicSecurityCredential",
                        t,
                    )))
                }
            })
            .transpose()?;
        let reference = text(
            s.required("DSPScheduledServiceReference")?,
            "DSPScheduledServiceReference",
        )?;
        let v = text(
            s.required("DSPScheduledServiceReferenceVariant")?,
            "DSPScheduledServiceReferenceVariant",
        )?;
        let srv = Srv::parse(v)
            .ok_or_else(|| InvalidValue::new("DSPScheduledServiceReferenceVariant", v))?;
        let device_id = eui(s.required("DeviceID")?, "DeviceID")?;
        let chosen = s.choice()?;
        let element = DspElement::by_name(&chosen.name).ok_or_else(|| s.unexpected(chosen))?;
        let period = if element.has_period {
            let mut p = Seq::new(chosen, "ReadLogPeriodOffset");
            let start_date_offset = offset(p.required("StartDateOffset")?, "StartDateOffset")?;
            let start_time =
                parse_xs_time(text(p.required("StartTime")?, "StartTime")?, "StartTime")?;
            let end_date_offset = offset(p.required("EndDateOffset")?, "EndDateOffset")?;
            let end_time = parse_xs_time(text(p.required("EndTime")?, "EndTime")?, "EndTime")?;
            p.finish()?;
            Some(ReadLogPeriodOffset {
                start_date_offset,
                start_time,
                end_date_offset,
                end_time,
            })
        } else {
            Seq::new(chosen, element.dsp_name).finish()?;
            if !chosen.trimmed_text().is_empty() {
                return Err(InvalidValue::new(element.dsp_name, &chosen.text).into());
            }
            None
        };
        s.finish()?;
        Ok(Self {
            frequency,
            start_date,
            end_date,
            execution_start_time,
            ka_credential,
            service_reference: reference.to_owned(),
            srv,
            device_id,
            element,
            period,
        })
    }

    /// Parses a 5.1 `CreateSchedule` body.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        Self::parse_named(body, "CreateSchedule")
    }

    /// Whether the reference, the variant and the `DSP…` element agree with each other.
    pub fn check_consistent(&self) -> Result<(), ScheduleBodyError> {
        let info = self.srv.info();
        if info.service_reference != self.service_reference {
            return Err(ScheduleBodyError::ReferenceMismatch {
                srv: self.srv.to_string(),
                reference: self.service_reference.clone(),
            });
        }
        if self.element.srv != self.srv.as_str() {
            return Err(ScheduleBodyError::ElementMismatch {
                element: self.element.dsp_name,
                srv: self.srv.to_string(),
            });
        }
        Ok(())
    }

    /// The scheduled variant's own request body for a run on `run_date`: the `DSP…` element's
    /// request, with a log period made absolute from the offsets, and the URP credential where
    /// the variant's body carries one.
    pub fn request_body(&self, run_date: Date) -> Result<Element, InvalidValue> {
        let mut children = Vec::new();
        if let Some(p) = &self.period {
            let (start, end) = p
                .period_on(run_date)
                .ok_or_else(|| InvalidValue::new("ReadLogPeriodOffset", &run_date.to_string()))?;
            children.push(node(
                "ReadLogPeriod",
                vec![
                    leaf("StartDateTime", format_date_time(start)?),
                    leaf("EndDateTime", format_date_time(end)?),
                ],
            ));
        }
        if self.element.takes_credentials
            && let Some(c) = &self.ka_credential
        {
            children.push(leaf("KAPublicSecurityCredentials", c.clone()));
        }
        Ok(node(self.element.body_name, children))
    }

    /// The XML of this schedule as an element named `name` (`CreateSchedule`,
    /// `DSPScheduleDetails`), in the `sr` namespace, unprefixed root declared with `xmlns:sr`
    /// when `standalone`.
    pub(crate) fn write(
        &self,
        w: &mut crate::writer::XmlWriter,
        name: &str,
    ) -> Result<(), InvalidValue> {
        w.open(name);
        self.write_content(w)?;
        w.close(name);
        Ok(())
    }

    fn write_content(&self, w: &mut crate::writer::XmlWriter) -> Result<(), InvalidValue> {
        w.leaf("ScheduleFrequency", self.frequency.as_str());
        w.leaf("ScheduleStartDate", &format_date(self.start_date)?);
        if let Some(d) = self.end_date {
            w.leaf("ScheduleEndDate", &format_date(d)?);
        }
        if let Some(t) = self.execution_start_time {
            w.leaf("ScheduleExecutionStartTime", &format_time(t));
        }
        if let Some(c) = &self.ka_credential {
            w.leaf(
                "KAPublicSecurityCredential",
                crate::writer::checked(c, "KAPublicSecurityCredential")?,
            );
        }
        w.leaf(
            "DSPScheduledServiceReference",
            crate::writer::checked(&self.service_reference, "DSPScheduledServiceReference")?,
        );
        w.leaf("DSPScheduledServiceReferenceVariant", self.srv.as_str());
        w.leaf("DeviceID", &self.device_id.to_string());
        match &self.period {
            Some(p) => {
                w.open(self.element.dsp_name);
                w.leaf("StartDateOffset", &p.start_date_offset.to_string());
                w.leaf("StartTime", &format_time(p.start_time));
                w.leaf("EndDateOffset", &p.end_date_offset.to_string());
                w.leaf("EndTime", &format_time(p.end_time));
                w.close(self.element.dsp_name);
            }
            None => {
                w.open(self.element.dsp_name);
                w.close(self.element.dsp_name);
            }
        }
        Ok(())
    }

    /// A standalone `sr:CreateSchedule` document of this schedule (how the DCC stores it; parse
    /// it back with [`DspSchedule::from_stored`]).
    pub fn to_stored(&self) -> Result<String, InvalidValue> {
        let mut w = crate::writer::XmlWriter::new("CreateSchedule", &[]);
        self.write_content(&mut w)?;
        Ok(w.finish("CreateSchedule"))
    }

    /// Parses what [`DspSchedule::to_stored`] wrote.
    pub fn from_stored(xml: &str) -> Result<Self, BodyError> {
        let e = crate::xml::parse_element(xml.as_bytes(), &crate::xml::ParseLimits::default())
            .map_err(|e| InvalidValue::new("stored schedule", &e.to_string()))?;
        Self::parse(&e)
    }

    /// Whether the variant is one the service matrix lets the DCC schedule.
    pub fn schedulable(&self) -> bool {
        service_variant(self.srv.as_str()).is_some_and(|v| v.dcc_scheduled)
    }
}

fn node(name: &str, children: Vec<Element>) -> Element {
    Element {
        name: name.to_owned(),
        attrs: Vec::new(),
        text: String::new(),
        children,
    }
}

fn leaf(name: &str, text: String) -> Element {
    Element {
        name: name.to_owned(),
        attrs: Vec::new(),
        text,
        children: Vec::new(),
    }
}

fn format_date(d: Date) -> Result<String, InvalidValue> {
    crate::datetime::format_date_plain(d)
}

fn format_time(t: Time) -> String {
    format!("{:02}:{:02}:{:02}Z", t.hour(), t.minute(), t.second())
}

fn format_date_time(t: time::PrimitiveDateTime) -> Result<String, InvalidValue> {
    Ok(format!(
        "{}T{}",
        format_date(t.date())?,
        format_time(t.time())
    ))
}

/// 5.2 Read Schedule / 5.3 Delete Schedule: the schedule named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRef {
    pub schedule_id: u64,
}

impl ScheduleRef {
    /// Parses `ReadSchedule` or `DeleteSchedule` (`name`).
    pub fn parse(body: &Element, name: &'static str) -> Result<Self, BodyError> {
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let schedule_id = schedule_id(s.required("DSPScheduleID")?)?;
        s.finish()?;
        Ok(Self { schedule_id })
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

    const TEMPLATE: &str = "<sr:CreateSchedule><sr:ScheduleFrequency>Daily</sr:ScheduleFrequency>\
        <sr:ScheduleStartDate>2015-01-02</sr:ScheduleStartDate>\
        <sr:DSPScheduledServiceReference>4.6</sr:DSPScheduledServiceReference>\
        <sr:DSPScheduledServiceReferenceVariant>4.6.1</sr:DSPScheduledServiceReferenceVariant>\
        <sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID>\
        <sr:DSPRetrieveImportDailyReadLog><sr:StartDateOffset>-1</sr:StartDateOffset>\
        <sr:StartTime>00:00:00.00Z</sr:StartTime><sr:EndDateOffset>0</sr:EndDateOffset>\
        <sr:EndTime>00:00:00.00Z</sr:EndTime></sr:DSPRetrieveImportDailyReadLog></sr:CreateSchedule>";

    #[test]
    fn template_body_parses_maps_and_round_trips() {
        let s = DspSchedule::parse(&body(TEMPLATE)).unwrap();
        assert_eq!(s.frequency, ScheduleFrequency::Daily);
        assert_eq!(s.start_date, time::macros::date!(2015 - 01 - 02));
        assert_eq!(s.srv, Srv::V4_6_1);
        assert!(s.schedulable());
        s.check_consistent().unwrap();
        let p = s.period.unwrap();
        assert_eq!((p.start_date_offset, p.end_date_offset), (-1, 0));
        let req = s.request_body(time::macros::date!(2026 - 03 - 01)).unwrap();
        assert_eq!(req.name, "RetrieveImportDailyReadLog");
        let period = &req.children[0];
        assert_eq!(period.children[0].text, "2026-02-28T00:00:00Z");
        assert_eq!(period.children[1].text, "2026-03-01T00:00:00Z");
        let stored = s.to_stored().unwrap();
        assert_eq!(DspSchedule::from_stored(&stored).unwrap(), s);
    }

    #[test]
    fn bad_bodies_are_refused() {
        let bad = |from: &str, to: &str| {
            let b = TEMPLATE.replace(from, to);
            DspSchedule::parse(&body(&b)).unwrap_err()
        };
        bad(">Daily<", ">Hourly<");
        bad("2015-01-02", "2015-02-30");
        bad(">-1<", ">1<");
        bad(">-1<", ">-401<");
        bad("00:00:00.00Z</sr:StartTime>", "24:00:00Z</sr:StartTime>");
        bad("DSPRetrieveImportDailyReadLog>", "DSPNothing>");
        bad(
            "<sr:EndTime>00:00:00.00Z</sr:EndTime>",
            "<sr:EndTime>00:00:00.00Z</sr:EndTime><sr:Extra/>",
        );
        // Structure fine, but the element is 4.16's, not 4.6.1's.
        let b = TEMPLATE.replace(
            "<sr:DSPRetrieveImportDailyReadLog><sr:StartDateOffset>-1</sr:StartDateOffset>\
        <sr:StartTime>00:00:00.00Z</sr:StartTime><sr:EndDateOffset>0</sr:EndDateOffset>\
        <sr:EndTime>00:00:00.00Z</sr:EndTime></sr:DSPRetrieveImportDailyReadLog>",
            "<sr:DSPReadActivePowerImport/>",
        );
        let s = DspSchedule::parse(&body(&b)).unwrap();
        assert!(s.check_consistent().is_err());
    }

    #[test]
    fn times_with_zones_are_utc() {
        let t = parse_xs_time("01:30:00+02:00", "t").unwrap();
        assert_eq!((t.hour(), t.minute()), (23, 30));
        assert!(parse_xs_time("1:30:00", "t").is_err());
        assert_eq!(
            parse_xs_date("2024-02-29Z", "d").unwrap(),
            time::macros::date!(2024 - 02 - 29)
        );
    }

    #[test]
    fn schedule_refs() {
        let r = ScheduleRef::parse(
            &body("<sr:ReadSchedule><sr:DSPScheduleID>123</sr:DSPScheduleID></sr:ReadSchedule>"),
            "ReadSchedule",
        )
        .unwrap();
        assert_eq!(r.schedule_id, 123);
        assert!(
            ScheduleRef::parse(
                &body("<sr:ReadSchedule><sr:DSPScheduleID>1000000000001</sr:DSPScheduleID></sr:ReadSchedule>"),
                "ReadSchedule",
            )
            .is_err()
        );
    }
}
