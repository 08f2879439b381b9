//! The 6.28 `SetCHFSubGHzConfiguration` body (`sr:SubGHzConfiguration`): the four channel
//! lists (`ChannelN` elements present for the channels the hub may use) and the eleven
//! thresholds, decimals kept as hundredths. Ranges are the XSD's facets; fraction digits beyond
//! the facet are refused.

use super::{BodyError, Seq, expect, simple};
use crate::types::InvalidValue;
use crate::xml::{Element, is_xml_space};

/// A parsed `SetCHFSubGHzConfiguration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SetChfSubGhzConfiguration {
    /// `LowerBandSubGHzChannels0To26`: bit n is `Channeln`.
    pub lower_band_0_26: u32,
    /// `LowerBandSubGHzChannels27To34`: bit n is `Channel(27+n)`.
    pub lower_band_27_34: u32,
    /// `LowerBandSubGHzChannels35To61`: bit n is `Channel(35+n)`.
    pub lower_band_35_61: u32,
    /// `UpperBandSubGHzChannels0To26`: bit n is `Channeln`.
    pub upper_band_0_26: u32,
    /// `NormalLimitedDutyCycleThreshold`, hundredths (0.5–2.0).
    pub normal_limited_duty_cycle: u16,
    /// `LimitedCriticalDutyCycleThreshold`, hundredths (1.5–2.5 exclusive).
    pub limited_critical_duty_cycle: u16,
    /// `MaximumSubGHzChannelChangesPerWeek` (1–7).
    pub max_channel_changes_per_week: u8,
    /// `GSMECurfew` (more than 1).
    pub gsme_curfew: u16,
    /// `ChannelQuieterThreshold` (1–255).
    pub channel_quieter_threshold: u8,
    /// `ChannelNoisierThreshold` (0–20).
    pub channel_noisier_threshold: u8,
    /// `NonGSMEPoorCommsPercentageThreshold`, hundredths (1.00–100.00).
    pub non_gsme_poor_comms_percentage: u16,
    /// `NonGSMEPoorCommsMeasurementPeriods` (50–150).
    pub non_gsme_poor_comms_periods: u8,
    /// `LocalCHNoiseMeasurementPeriod` (more than 60).
    pub local_ch_noise_period: u16,
    /// `LocalCHFailurePercentage`, hundredths (1.00–100.00).
    pub local_ch_failure_percentage: u16,
    /// `LocalCHRetryPercentage`, hundredths (1.00–100.00).
    pub local_ch_retry_percentage: u16,
}

fn channels(e: &Element, name: &'static str, first: u8, count: u8) -> Result<u32, BodyError> {
    let mut mask = 0u32;
    let mut next = first;
    for c in &e.children {
        let n = c
            .name
            .strip_prefix("Channel")
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| {
                *n >= next && *n < first + count && n.to_string().len() + 7 == c.name.len()
            });
        let Some(n) = n else {
            return Err(BodyError::Unexpected {
                parent: name,
                found: crate::error::clip(&c.name),
            });
        };
        if !c.children.is_empty() || !c.trimmed_text().is_empty() {
            return Err(InvalidValue::new(name, &c.text).into());
        }
        mask |= 1 << (n - first);
        next = n + 1;
    }
    if !e.trimmed_text().is_empty() {
        return Err(InvalidValue::new(name, &e.text).into());
    }
    Ok(mask)
}

/// A decimal in hundredths with at most `digits` fraction digits.
fn hundredths(t: &str, digits: usize) -> Option<u32> {
    let t = t.trim_matches(is_xml_space);
    let t = t.strip_prefix('+').unwrap_or(t);
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > digits
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() > 6
    {
        return None;
    }
    let i: u32 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f = 0u32;
    for b in frac.bytes().chain(std::iter::repeat(b'0')).take(2) {
        f = f * 10 + u32::from(b - b'0');
    }
    Some(i * 100 + f)
}

fn integer(t: &str) -> Option<u32> {
    let t = t.trim_matches(is_xml_space);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

impl SetChfSubGhzConfiguration {
    /// Parses a `SetCHFSubGHzConfiguration` body element.
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "SetCHFSubGHzConfiguration";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let mut ch = |name: &'static str, first, count| -> Result<u32, BodyError> {
            channels(s.required(name)?, name, first, count)
        };
        let lower_band_0_26 = ch("LowerBandSubGHzChannels0To26", 0, 27)?;
        let lower_band_27_34 = ch("LowerBandSubGHzChannels27To34", 27, 8)?;
        let lower_band_35_61 = ch("LowerBandSubGHzChannels35To61", 35, 27)?;
        let upper_band_0_26 = ch("UpperBandSubGHzChannels0To26", 0, 27)?;
        let mut value = |name: &'static str,
                         parse: &dyn Fn(&str) -> Option<u32>,
                         ok: &dyn Fn(u32) -> bool|
         -> Result<u32, BodyError> {
            let t = simple(s.required(name)?, name)?;
            parse(t)
                .filter(|v| ok(*v))
                .ok_or_else(|| InvalidValue::new(name, t).into())
        };
        let d1 = |t: &str| hundredths(t, 1);
        let d2 = |t: &str| hundredths(t, 2);
        let pct = |v: u32| (100..=10000).contains(&v);
        let out = Self {
            lower_band_0_26,
            lower_band_27_34,
            lower_band_35_61,
            upper_band_0_26,
            normal_limited_duty_cycle: value("NormalLimitedDutyCycleThreshold", &d1, &|v| {
                (50..=200).contains(&v)
            })? as u16,
            limited_critical_duty_cycle: value("LimitedCriticalDutyCycleThreshold", &d1, &|v| {
                v > 150 && v < 250
            })? as u16,
            max_channel_changes_per_week: value(
                "MaximumSubGHzChannelChangesPerWeek",
                &integer,
                &|v| (1..=7).contains(&v),
            )? as u8,
            gsme_curfew: value("GSMECurfew", &integer, &|v| v > 1 && v <= 65535)? as u16,
            channel_quieter_threshold: value("ChannelQuieterThreshold", &integer, &|v| {
                (1..=255).contains(&v)
            })? as u8,
            channel_noisier_threshold: value("ChannelNoisierThreshold", &integer, &|v| v <= 20)?
                as u8,
            non_gsme_poor_comms_percentage: value("NonGSMEPoorCommsPercentageThreshold", &d2, &pct)?
                as u16,
            non_gsme_poor_comms_periods: value(
                "NonGSMEPoorCommsMeasurementPeriods",
                &integer,
                &|v| (50..=150).contains(&v),
            )? as u8,
            local_ch_noise_period: value("LocalCHNoiseMeasurementPeriod", &integer, &|v| {
                v > 60 && v <= 65535
            })? as u16,
            local_ch_failure_percentage: value("LocalCHFailurePercentage", &d2, &pct)? as u16,
            local_ch_retry_percentage: value("LocalCHRetryPercentage", &d2, &pct)? as u16,
        };
        s.finish()?;
        if !body.trimmed_text().is_empty() {
            return Err(InvalidValue::new(NAME, &body.text).into());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    /// The DUIS 6.28 template's body.
    pub const TEMPLATE: &str = "<sr:SetCHFSubGHzConfiguration><sr:LowerBandSubGHzChannels0To26><sr:Channel1/><sr:Channel2/></sr:LowerBandSubGHzChannels0To26><sr:LowerBandSubGHzChannels27To34><sr:Channel28/><sr:Channel29/></sr:LowerBandSubGHzChannels27To34><sr:LowerBandSubGHzChannels35To61><sr:Channel36/><sr:Channel37/></sr:LowerBandSubGHzChannels35To61><sr:UpperBandSubGHzChannels0To26><sr:Channel1/><sr:Channel2/></sr:UpperBandSubGHzChannels0To26><sr:NormalLimitedDutyCycleThreshold>1.3</sr:NormalLimitedDutyCycleThreshold><sr:LimitedCriticalDutyCycleThreshold>2.2</sr:LimitedCriticalDutyCycleThreshold><sr:MaximumSubGHzChannelChangesPerWeek>5</sr:MaximumSubGHzChannelChangesPerWeek><sr:GSMECurfew>7</sr:GSMECurfew><sr:ChannelQuieterThreshold>7</sr:ChannelQuieterThreshold><sr:ChannelNoisierThreshold>12</sr:ChannelNoisierThreshold><sr:NonGSMEPoorCommsPercentageThreshold>60.00</sr:NonGSMEPoorCommsPercentageThreshold><sr:NonGSMEPoorCommsMeasurementPeriods>130</sr:NonGSMEPoorCommsMeasurementPeriods><sr:LocalCHNoiseMeasurementPeriod>100</sr:LocalCHNoiseMeasurementPeriod><sr:LocalCHFailurePercentage>40.00</sr:LocalCHFailurePercentage><sr:LocalCHRetryPercentage>30.00</sr:LocalCHRetryPercentage></sr:SetCHFSubGHzConfiguration>";

    fn body(xml: &str) -> Element {
        let doc = format!(
            r#"<sr:X xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">{xml}</sr:X>"#
        );
        let mut root = parse_element(doc.as_bytes(), &ParseLimits::default()).unwrap();
        root.children.remove(0)
    }

    #[test]
    fn the_template_parses() {
        let c = SetChfSubGhzConfiguration::parse(&body(TEMPLATE)).unwrap();
        assert_eq!(c.lower_band_0_26, 0b110);
        assert_eq!(c.lower_band_27_34, 0b110);
        assert_eq!(c.lower_band_35_61, 0b110);
        assert_eq!(c.upper_band_0_26, 0b110);
        assert_eq!(c.normal_limited_duty_cycle, 130);
        assert_eq!(c.limited_critical_duty_cycle, 220);
        assert_eq!(c.max_channel_changes_per_week, 5);
        assert_eq!(c.non_gsme_poor_comms_percentage, 6000);
        assert_eq!(c.local_ch_retry_percentage, 3000);
    }

    #[test]
    fn values_outside_their_facets_and_misplaced_channels_are_refused() {
        for (from, to) in [
            (
                "<sr:Channel1/><sr:Channel2/></sr:LowerBandSubGHzChannels0To26>",
                "<sr:Channel2/><sr:Channel1/></sr:LowerBandSubGHzChannels0To26>",
            ),
            ("<sr:Channel28/><sr:Channel29/>", "<sr:Channel26/>"),
            ("<sr:Channel36/><sr:Channel37/>", "<sr:Channel62/>"),
            (">1.3<", ">2.1<"),
            (">1.3<", ">1.35<"),
            (">2.2<", ">2.5<"),
            (">5<", ">8<"),
            ("<sr:GSMECurfew>7<", "<sr:GSMECurfew>1<"),
            (">12<", ">21<"),
            (">60.00<", ">100.01<"),
            (">130<", ">151<"),
            (">100<", ">60<"),
            (">40.00<", ">0.5<"),
            (">30.00<", ">x<"),
        ] {
            let xml = TEMPLATE.replacen(from, to, 1);
            assert_ne!(xml, TEMPLATE, "{to}");
            assert!(
                SetChfSubGhzConfiguration::parse(&body(&xml)).is_err(),
                "{to}"
            );
        }
    }
}
