//! 8.7.1 Join Service and 8.8.1 Unjoin Service (Critical): every RTDS pre-command (CS03A1,
//! CS03A2, CS03C, CS04AC) correlates with the DUIS template it answers; naming another
//! `OtherDeviceID` is refused.
#![allow(clippy::unwrap_used)]

#[path = "../../gbcs/tests/common/mod.rs"]
mod common;

use common::{corpus_root, vector};
use gbcs::GeneralSigning;
use mmc::correlate::{Mismatch, correlate};

const CASES: [(&str, &str, &str); 4] = [
    ("CS03A1_8.7.1", "8.7.1_CS03A1", "CS03A1"),
    ("CS03A2Critical_8.7.1", "8.7.1_CS03A2Critical", "CS03A2"),
    ("CS03CCritical_8.7.1", "8.7.1_CS03CCritical", "CS03C"),
    ("CS04ACCritical_8.8.1", "8.8.1_CS04ACCritical", "CS04AC"),
];

#[test]
fn every_rtds_join_precommand_correlates_and_another_device_is_refused() {
    for (stem, dir, uc) in CASES {
        let xml = std::fs::read_to_string(
            corpus_root()
                .join("duis-templates")
                .join(format!("{stem}_SUCCESS_REQUEST_DUIS.XML")),
        )
        .unwrap();
        let req = duis::parse_request(xml.as_bytes()).unwrap();
        let pre =
            GeneralSigning::decode(&vector(dir, &format!("{stem}_SUCCESS_PRECOMMAND_GBCS.HEX")))
                .unwrap();
        let rid = req.header.request_id;
        let d = correlate(&req, Some(&rid), &pre).unwrap_or_else(|e| panic!("{uc}: {e}"));
        assert_eq!(d.spec().name, uc);
        let start = xml.find("<sr:OtherDeviceID>").unwrap() + "<sr:OtherDeviceID>".len();
        let other = xml.replacen(&xml[start..start + 23], "00-DB-12-34-56-78-90-FF", 1);
        let req = duis::parse_request(other.as_bytes()).unwrap();
        let e = correlate(&req, Some(&rid), &pre).unwrap_err();
        assert!(matches!(e, Mismatch::Parameter { .. }), "{uc}: {e}");
    }
}
