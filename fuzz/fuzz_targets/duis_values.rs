//! Fuzzes the DUIS value parsers (RequestID, command variant, response code, xs:dateTime,
//! UPRN): no panics, and every accepted value prints back to something that parses equal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = s.parse::<duis::RequestId>() {
        assert_eq!(id.to_string().parse::<duis::RequestId>().ok(), Some(id));
    }
    if let Ok(cv) = s.parse::<duis::CommandVariant>() {
        assert_eq!(
            cv.to_string().parse::<duis::CommandVariant>().ok(),
            Some(cv)
        );
    }
    if let Ok(code) = s.parse::<duis::ResponseCode>() {
        assert_eq!(code.as_str(), s);
    }
    if let Ok(dt) = s.parse::<duis::ResponseDateTime>() {
        assert_eq!(dt.as_str(), s);
    }
    if let Ok(u) = s.parse::<duis::Uprn>() {
        assert_eq!(u.to_string().parse::<duis::Uprn>().ok(), Some(u));
    }
});
