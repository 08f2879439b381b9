//! HCALCS operational update (`8F88`, ECS200): the state text the device sends (UTF-8, JSON
//! with `outputState` and `inputState`) → `OperationalUpdateDeviceAlert` (the two levels where
//! they are numbers 0–100, and the whole text as `StateAndAssociatedInformation`).

use gbcs::alerts::{AlertDetail, DecodedAlert};
use gbcs::axdr::Data;

use super::{AlertMapping, AlertParts};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: AlertMapping = AlertMapping {
    codes: &[0x8F88],
    render,
};

/// The number after `"key":"` (or `"key":`), if it is a level 0–100.
fn level(text: &str, key: &str) -> Option<u8> {
    let at = text.find(&format!("\"{key}\""))?;
    let rest = text.get(at + key.len() + 2..)?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<u8>().ok().filter(|v| *v <= 100)
}

fn render(a: &DecodedAlert) -> Option<AlertParts> {
    let Some(AlertDetail::Dlms(d)) = &a.detail else {
        return None;
    };
    let [Data::Utf8String(b) | Data::VisibleString(b), ..] = &d[..] else {
        return None;
    };
    let text = std::str::from_utf8(b).ok()?;
    let mut x = Xml::new();
    x.open("OperationalUpdateDeviceAlert", &[]);
    if let Some(v) = level(text, "outputState") {
        x.leaf("OutputState", &v.to_string());
    }
    if let Some(v) = level(text, "inputState") {
        x.leaf("InputState", &v.to_string());
    }
    if text.chars().count() <= 1200 {
        x.leaf("StateAndAssociatedInformation", text);
    }
    x.close("OperationalUpdateDeviceAlert");
    Some(AlertParts::payload(x))
}

#[cfg(test)]
mod tests {
    use super::level;

    #[test]
    fn levels() {
        let t = r#"{"outputState":"100","inputState":"0","other-data":""}"#;
        assert_eq!(level(t, "outputState"), Some(100));
        assert_eq!(level(t, "inputState"), Some(0));
        assert_eq!(level(t, "missing"), None);
        assert_eq!(level(r#"{"outputState":"101"}"#, "outputState"), None);
    }
}
