//! `xs:dateTime` text for GBCS times.

use gbcs::UtcDateTime;

/// `YYYY-MM-DDThh:mm:ssZ`.
pub fn xs_date_time(t: UtcDateTime) -> String {
    let secs = t.to_unix();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = UtcDateTime::new(2024, 2, 29, 23, 5, 9).expect("valid");
        assert_eq!(xs_date_time(t), "2024-02-29T23:05:09Z");
        let t = UtcDateTime::from_unix(0).expect("epoch");
        assert_eq!(xs_date_time(t), "1970-01-01T00:00:00Z");
    }
}
