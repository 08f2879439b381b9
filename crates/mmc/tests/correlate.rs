//! Correlation of the RTDS pre-commands with the DUIS templates' requests they answer (the DCC
//! builds exactly these from these requests), and refusals of every kind of mismatch.
#![allow(clippy::unwrap_used)]

#[path = "../../gbcs/tests/common/mod.rs"]
mod common;

use common::{corpus_root, vector};
use duis::{Request, RequestId};
use gbcs::GeneralSigning;
use mmc::correlate::{Mismatch, correlate};

fn template(name: &str) -> Request {
    let xml = std::fs::read(corpus_root().join("duis-templates").join(name)).unwrap();
    duis::parse_request(&xml).unwrap()
}

fn template_with(name: &str, from: &str, to: &str) -> Request {
    let xml = std::fs::read_to_string(corpus_root().join("duis-templates").join(name)).unwrap();
    assert!(xml.contains(from), "{from}");
    duis::parse_request(xml.replace(from, to).as_bytes()).unwrap()
}

/// The SUCCESS pre-command of `dir`: `uc` is the use case (`ECS42`), or the whole file stem
/// before `_SUCCESS` where the directory has variants (`ECS47a_7.13_APC_INPUT`).
fn precommand(dir: &str, uc: &str) -> GeneralSigning {
    let srv = dir.split('_').next().unwrap();
    let stem = if uc.contains('_') {
        uc.to_string()
    } else {
        format!("{uc}_{srv}")
    };
    GeneralSigning::decode(&vector(dir, &format!("{stem}_SUCCESS_PRECOMMAND_GBCS.HEX"))).unwrap()
}

const CASES: [(&str, &str, &str); 20] = [
    ("ECS42_7.1_SUCCESS_REQUEST_DUIS.XML", "7.1_ECS42", "ECS42"),
    ("ECS43_7.2_SUCCESS_REQUEST_DUIS.XML", "7.2_ECS43", "ECS43"),
    ("GCS32_7.2_SUCCESS_REQUEST_DUIS.XML", "7.2_GCS32", "GCS32"),
    (
        "ECS70Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML",
        "8.1.1_ECS70Commission",
        "ECS70Commission",
    ),
    (
        "GCS28Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML",
        "8.1.1_GCS28Commission",
        "GCS28Commission",
    ),
    ("ECS09_2.5_SUCCESS_REQUEST_DUIS.XML", "2.5_ECS09", "ECS09"),
    ("GCS06_2.5_SUCCESS_REQUEST_DUIS.XML", "2.5_GCS06", "GCS06"),
    ("ECS05_1.7_SUCCESS_REQUEST_DUIS.XML", "1.7_ECS05", "ECS05"),
    ("ECS44_7.3_SUCCESS_REQUEST_DUIS.XML", "7.3_ECS44", "ECS44"),
    ("GCS39_7.3_SUCCESS_REQUEST_DUIS.XML", "7.3_GCS39", "GCS39"),
    (
        "ECS47Activate_7.5_SUCCESS_REQUEST_DUIS.XML",
        "7.5_ECS47Activate",
        "ECS47Activate",
    ),
    (
        "ECS47Deactivate_7.6_SUCCESS_REQUEST_DUIS.XML",
        "7.6_ECS47Deactivate",
        "ECS47Deactivate",
    ),
    (
        "ECS47Reset_7.8_SUCCESS_REQUEST_DUIS.XML",
        "7.8_ECS47Reset",
        "ECS47Reset",
    ),
    (
        "ECS47a_7.13_APC_INPUT_SUCCESS_REQUEST_DUIS.XML",
        "7.13_ECS47a",
        "ECS47a_7.13_APC_INPUT",
    ),
    (
        "ECS47a_7.13_ALCS_ACTIVATE_SUCCESS_REQUEST_DUIS.XML",
        "7.13_ECS47a",
        "ECS47a_7.13_ALCS_ACTIVATE",
    ),
    (
        "ECS47e_7.16_APC_INPUT_SUCCESS_REQUEST_DUIS.XML",
        "7.16_ECS47e",
        "ECS47e_7.16_APC_INPUT",
    ),
    (
        "ECS47e_7.16_APC_OUTPUT_SUCCESS_REQUEST_DUIS.XML",
        "7.16_ECS47e",
        "ECS47e_7.16_APC_OUTPUT",
    ),
    ("ECS38_7.12_SUCCESS_REQUEST_DUIS.XML", "7.12_ECS38", "ECS38"),
    ("ECS07_2.3_SUCCESS_REQUEST_DUIS.XML", "2.3_ECS07", "ECS07"),
    ("GCS04_2.3_SUCCESS_REQUEST_DUIS.XML", "2.3_GCS04", "GCS04"),
];

#[test]
fn every_rtds_precommand_correlates_with_its_request() {
    for (t, dir, uc) in CASES {
        let req = template(t);
        let pre = precommand(dir, uc);
        let rid = req.header.request_id;
        let d = correlate(&req, Some(&rid), &pre).unwrap_or_else(|e| panic!("{uc}: {e}"));
        assert!(uc.starts_with(d.spec().name), "{uc}: {}", d.spec().name);
    }
}

#[test]
fn another_use_case_is_refused() {
    // The disable-supply pre-command for an enable-supply request.
    let req = template("ECS42_7.1_SUCCESS_REQUEST_DUIS.XML");
    let e = correlate(&req, None, &precommand("7.2_ECS43", "ECS43")).unwrap_err();
    assert!(
        matches!(
            e,
            Mismatch::WrongUseCase {
                use_case: "ECS43",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("7.1"), "{e}");
}

#[test]
fn another_device_originator_or_counter_is_refused() {
    let pre = precommand("7.2_ECS43", "ECS43");
    let t = "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML";
    let other_device = template_with(
        t,
        "00-DB-12-34-56-78-90-A0:1000",
        "00-DB-12-34-56-78-90-B0:1000",
    );
    let e = correlate(&other_device, None, &pre).unwrap_err();
    assert!(matches!(e, Mismatch::WrongDevice { .. }), "{e}");
    assert!(e.to_string().contains("00-DB-12-34-56-78-90-B0"), "{e}");
    let other_user = template_with(t, "90-B3-D5-1F-30-01-00-00:", "90-B3-D5-1F-30-01-00-01:");
    assert!(matches!(
        correlate(&other_user, None, &pre).unwrap_err(),
        Mismatch::WrongOriginator { .. }
    ));
    let other_counter = template_with(t, "90-A0:1000", "90-A0:1001");
    assert_eq!(
        correlate(&other_counter, None, &pre).unwrap_err(),
        Mismatch::WrongCounter {
            expected: 1001,
            found: 1000
        }
    );
}

#[test]
fn a_request_that_is_not_command_variant_4_is_refused() {
    let t = "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML";
    let cv1 = template_with(t, "<sr:CommandVariant>4<", "<sr:CommandVariant>1<");
    let e = correlate(&cv1, None, &precommand("7.2_ECS43", "ECS43")).unwrap_err();
    assert_eq!(e, Mismatch::NotCriticalRequest(1));
}

#[test]
fn another_request_id_is_refused() {
    let req = template("ECS43_7.2_SUCCESS_REQUEST_DUIS.XML");
    let other: RequestId = "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:999"
        .parse()
        .unwrap();
    let e = correlate(&req, Some(&other), &precommand("7.2_ECS43", "ECS43")).unwrap_err();
    assert!(matches!(e, Mismatch::RequestId { .. }), "{e}");
}

#[test]
fn a_clock_outside_the_requested_validity_is_refused() {
    // (template case, CurrentDateTime, a later one, TolerancePeriod, a shorter, a longer)
    let clocks = [
        (
            &CASES[3],
            "23:59:10.00Z",
            "23:59:40.00Z",
            ">60<",
            ">10<",
            ">120<",
        ),
        (
            &CASES[4],
            "23:30:00.00Z",
            "23:45:00.00Z",
            ">3600<",
            ">60<",
            ">7200<",
        ),
    ];
    for ((t, dir, uc), now, later, tol, shorter, longer) in clocks {
        let pre = precommand(dir, uc);
        // A later CurrentDateTime: the pre-command's interval starts before it.
        let e = correlate(&template_with(t, now, later), None, &pre).unwrap_err();
        assert!(matches!(e, Mismatch::Parameter { .. }), "{uc}: {e}");
        assert!(e.to_string().contains("not within the requested"), "{e}");
        // A shorter tolerance: it ends after the requested end.
        assert!(matches!(
            correlate(&template_with(t, tol, shorter), None, &pre).unwrap_err(),
            Mismatch::Parameter { .. }
        ));
        // A longer one still contains it.
        correlate(&template_with(t, tol, longer), None, &pre).unwrap();
    }
}

#[test]
fn a_changed_gcs32_parameter_is_refused() {
    // The Change Supply payload ends: implementation date-time (4, little-endian), proposed
    // status (1), control bits (1). A dated change is not what an immediate 7.2 asks.
    let pre = precommand("7.2_GCS32", "GCS32");
    let req = template("GCS32_7.2_SUCCESS_REQUEST_DUIS.XML");
    let d = correlate(&req, None, &pre).unwrap();
    let gbcs::usecases::DecodedCommand::Gcs32(c) = d else {
        panic!("{d:?}")
    };
    assert_eq!(c.implementation_date_time, 0);
    let mut dated = pre.clone();
    let n = dated.content.len();
    dated.content[n - 6] = 0x10;
    let e = correlate(&req, None, &dated).unwrap_err();
    assert!(
        matches!(
            e,
            Mismatch::Parameter {
                use_case: "GCS32",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("dated 16"), "{e}");
    // A non-critical command of the catalogue answering a critical service: no rule, refused.
    let read = match gbcs::Frame::decode(&vector("7.4_ECS45", "ECS45_7.4_SUCCESS_COMMAND_GBCS.HEX"))
        .unwrap()
    {
        gbcs::Frame::Ciphered(c) => c.apdu,
        gbcs::Frame::Signing(s) => s,
    };
    let e = correlate(&req, None, &read).unwrap_err();
    assert_eq!(e, Mismatch::NoRule("ECS45"));
}

#[test]
fn an_arm_supply_precommand_must_arm_now() {
    // A GCS32 (proposing OFF) or an ECS43 does not answer 7.3.
    let req = template("GCS39_7.3_SUCCESS_REQUEST_DUIS.XML");
    let e = correlate(&req, None, &precommand("7.2_GCS32", "GCS32")).unwrap_err();
    assert!(matches!(e, Mismatch::WrongUseCase { .. }), "{e}");
    let req = template("ECS44_7.3_SUCCESS_REQUEST_DUIS.XML");
    let e = correlate(&req, None, &precommand("7.2_ECS43", "ECS43")).unwrap_err();
    assert!(matches!(e, Mismatch::WrongUseCase { .. }), "{e}");
    // The ECS44 pre-command answering a 7.2 request: refused.
    let req = template("ECS43_7.2_SUCCESS_REQUEST_DUIS.XML");
    assert!(correlate(&req, None, &precommand("7.3_ECS44", "ECS44")).is_err());
}

#[test]
fn an_auxiliary_load_precommand_must_match_the_switch_the_duration_and_the_service() {
    let t = "ECS47Activate_7.5_SUCCESS_REQUEST_DUIS.XML";
    let pre = precommand("7.5_ECS47Activate", "ECS47Activate");
    correlate(&template(t), None, &pre).unwrap();
    // Another switch, another duration, the deactivate or reset pre-command: refused.
    for (from, to) in [(r#"index="1""#, r#"index="2""#), (">30<", ">31<")] {
        let e = correlate(&template_with(t, from, to), None, &pre).unwrap_err();
        assert!(
            matches!(
                e,
                Mismatch::Parameter {
                    use_case: "ECS47",
                    ..
                }
            ),
            "{e}"
        );
    }
    for (dir, uc) in [
        ("7.6_ECS47Deactivate", "ECS47Deactivate"),
        ("7.8_ECS47Reset", "ECS47Reset"),
    ] {
        let mut other = precommand(dir, uc);
        other.counter = pre.counter;
        assert!(correlate(&template(t), None, &other).is_err(), "{uc}");
    }
}

#[test]
fn an_apc_limit_precommand_must_match_the_request() {
    let t = "ECS47e_7.16_APC_INPUT_SUCCESS_REQUEST_DUIS.XML";
    let pre = precommand("7.16_ECS47e", "ECS47e_7.16_APC_INPUT");
    correlate(&template(t), None, &pre).unwrap();
    for (from, to) in [
        (r#"auxiliaryControllerN="3""#, r#"auxiliaryControllerN="4""#),
        (">50<", ">51<"),
        ("T01:00:00", "T01:00:01"),
        ("<sr:InputFromControlledLoad/>", ""),
    ] {
        let e = correlate(&template_with(t, from, to), None, &pre).unwrap_err();
        assert!(
            matches!(
                e,
                Mismatch::Parameter {
                    use_case: "ECS47e",
                    ..
                }
            ),
            "{from}: {e}"
        );
    }
}

#[test]
fn an_auxiliary_controller_precommand_must_match_the_request() {
    let t = "ECS47a_7.13_APC_INPUT_SUCCESS_REQUEST_DUIS.XML";
    let pre = precommand("7.13_ECS47a", "ECS47a_7.13_APC_INPUT");
    correlate(&template(t), None, &pre).unwrap();
    for (from, to) in [
        (r#"auxiliaryControllerN="3""#, r#"auxiliaryControllerN="4""#),
        (">50<", ">51<"),
        ("T01:00:00", "T01:00:01"),
        ("<sr:InputFromControlledLoad/>", ""),
    ] {
        let e = correlate(&template_with(t, from, to), None, &pre).unwrap_err();
        assert!(
            matches!(
                e,
                Mismatch::Parameter {
                    use_case: "ECS47a",
                    ..
                }
            ),
            "{from}: {e}"
        );
    }
}

#[test]
fn a_randomised_offset_limit_precommand_must_set_the_requested_limit() {
    let t = "ECS38_7.12_SUCCESS_REQUEST_DUIS.XML";
    let pre = precommand("7.12_ECS38", "ECS38");
    correlate(&template(t), None, &pre).unwrap();
    let e = correlate(&template_with(t, ">900<", ">901<"), None, &pre).unwrap_err();
    assert!(
        matches!(
            e,
            Mismatch::Parameter {
                use_case: "ECS38",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn a_response_or_garbage_is_refused() {
    let req = template("ECS42_7.1_SUCCESS_REQUEST_DUIS.XML");
    let resp =
        gbcs::Frame::decode(&vector("7.1_ECS42", "ECS42_7.1_SUCCESS_RESPONSE_GBCS.HEX")).unwrap();
    let apdu = match resp {
        gbcs::Frame::Ciphered(c) => c.apdu,
        gbcs::Frame::Signing(s) => s,
    };
    assert!(matches!(
        correlate(&req, None, &apdu).unwrap_err(),
        Mismatch::NotACommand(_)
    ));
}

#[test]
fn an_emergency_credit_precommand_must_activate_it_for_the_empty_body() {
    // 2.5 answered with another use case's pre-command of the same device.
    let req = template("ECS09_2.5_SUCCESS_REQUEST_DUIS.XML");
    let rid = req.header.request_id;
    assert!(correlate(&req, Some(&rid), &precommand("7.2_ECS43", "ECS43")).is_err());
    // 1.7 answered with the emergency credit pre-command.
    let req = template("ECS05_1.7_SUCCESS_REQUEST_DUIS.XML");
    let rid = req.header.request_id;
    assert!(correlate(&req, Some(&rid), &precommand("2.5_ECS09", "ECS09")).is_err());
    // GCS06 with another issue date-time than the DCC builds.
    let req = template("GCS06_2.5_SUCCESS_REQUEST_DUIS.XML");
    let rid = req.header.request_id;
    let mut pre = precommand("2.5_GCS06", "GCS06");
    let at = pre.content.len() - 5;
    pre.content[at] = 1;
    let e = correlate(&req, Some(&rid), &pre).unwrap_err();
    assert!(
        matches!(
            e,
            Mismatch::Parameter {
                use_case: "GCS06",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn every_rtds_1_6_precommand_correlates_with_its_template() {
    for uc in ["ECS02", "ECS03", "GCS02", "GCS03"] {
        let esme = uc.starts_with('E');
        for kind in ["IMMEDIATE", "FUTURE_DATED", "CANCELLATION"] {
            let variant = match (esme, kind) {
                (true, "IMMEDIATE") => "IMMEDIATE_SINGLE",
                (true, k) => &format!("{k}_TWIN"),
                (false, k) => k,
            };
            let stem = format!("{uc}_1.6_{variant}_SUCCESS");
            let req = template(&format!("{stem}_REQUEST_DUIS.XML"));
            let pre = GeneralSigning::decode(&vector(
                &format!("1.6_{uc}"),
                &format!("{stem}_PRECOMMAND_GBCS.HEX"),
            ))
            .unwrap();
            let d = correlate(&req, None, &pre).unwrap_or_else(|e| panic!("{stem}: {e}"));
            assert_eq!(d.spec().name, uc);
        }
    }
    // The ESME's SuspendDebtEmergency is in its 19.10.2 entries: the future-dated (false)
    // pre-command does not answer the same request with true.
    let stem = "ECS03_1.6_FUTURE_DATED_TWIN_SUCCESS";
    let emergency = template_with(
        &format!("{stem}_REQUEST_DUIS.XML"),
        "SuspendDebtEmergency>false<",
        "SuspendDebtEmergency>true<",
    );
    let pre = GeneralSigning::decode(&vector("1.6_ECS03", &format!("{stem}_PRECOMMAND_GBCS.HEX")))
        .unwrap();
    assert!(matches!(
        correlate(&emergency, None, &pre).unwrap_err(),
        Mismatch::Parameter { .. }
    ));
    // A credit request with a prepayment pre-command, and a request for another time.
    let credit = template("GCS02_1.6_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML");
    let prepay = GeneralSigning::decode(&vector(
        "1.6_GCS03",
        "GCS03_1.6_IMMEDIATE_SUCCESS_PRECOMMAND_GBCS.HEX",
    ))
    .unwrap();
    assert!(correlate(&credit, None, &prepay).is_err());
    let later = template_with(
        "GCS02_1.6_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
        "2030-01-15T09:00:00.00Z",
        "2030-01-15T10:00:00.00Z",
    );
    let pre = GeneralSigning::decode(&vector(
        "1.6_GCS02",
        "GCS02_1.6_FUTURE_DATED_SUCCESS_PRECOMMAND_GBCS.HEX",
    ))
    .unwrap();
    assert!(matches!(
        correlate(&later, None, &pre).unwrap_err(),
        Mismatch::Parameter { .. }
    ));
}

#[test]
fn a_debt_precommand_must_carry_the_requests_debts() {
    // 2.3 answered with another use case's pre-command.
    let req = template("ECS07_2.3_SUCCESS_REQUEST_DUIS.XML");
    let rid = req.header.request_id;
    assert!(correlate(&req, Some(&rid), &precommand("1.7_ECS05", "ECS05")).is_err());
    // ECS07 with another time-based debt 2 adjustment (its last byte).
    let mut pre = precommand("2.3_ECS07", "ECS07");
    let at = pre.content.len() - 1;
    pre.content[at] ^= 1;
    let e = correlate(&req, Some(&rid), &pre).unwrap_err();
    assert!(
        matches!(
            e,
            Mismatch::Parameter {
                use_case: "ECS07",
                ..
            }
        ),
        "{e}"
    );
    // GCS04 with another debt recovery per payment (the last two bytes).
    let req = template("GCS04_2.3_SUCCESS_REQUEST_DUIS.XML");
    let rid = req.header.request_id;
    let mut pre = precommand("2.3_GCS04", "GCS04");
    let at = pre.content.len() - 2;
    pre.content[at] = 99;
    let e = correlate(&req, Some(&rid), &pre).unwrap_err();
    assert!(
        matches!(
            e,
            Mismatch::Parameter {
                use_case: "GCS04",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn every_rtds_1_5_precommand_correlates_with_its_template_and_other_values_are_refused() {
    for uc in ["ECS04a", "ECS04b", "GCS40a", "GCS40b", "GCS40c", "GCS40d"] {
        let req = template(&format!("{uc}_1.5_SUCCESS_REQUEST_DUIS.XML"));
        let rid = req.header.request_id;
        let pre = precommand(&format!("1.5_{uc}"), uc);
        let d = correlate(&req, Some(&rid), &pre).unwrap_or_else(|e| panic!("{uc}: {e}"));
        assert_eq!(d.spec().name, uc);
    }
    // ECS04a with another adjustment (its last byte).
    let req = template("ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML");
    let rid = req.header.request_id;
    let mut pre = precommand("1.5_ECS04a", "ECS04a");
    let at = pre.content.len() - 1;
    pre.content[at] ^= 1;
    let e = correlate(&req, Some(&rid), &pre).unwrap_err();
    assert!(matches!(e, Mismatch::Parameter { .. }), "{e}");
    // The ESME's reset answering an adjustment request.
    assert!(correlate(&req, Some(&rid), &precommand("1.5_ECS04b", "ECS04b")).is_err());
    // GCS40a with another value; the credit mode adjustment for a prepayment mode request.
    let req = template("GCS40a_1.5_SUCCESS_REQUEST_DUIS.XML");
    let rid = req.header.request_id;
    let mut pre = precommand("1.5_GCS40a", "GCS40a");
    let at = pre.content.len() - 4;
    pre.content[at] ^= 1;
    assert!(correlate(&req, Some(&rid), &pre).is_err());
    let req = template_with(
        "GCS40a_1.5_SUCCESS_REQUEST_DUIS.XML",
        "PrepaymentMode>",
        "CreditMode>",
    );
    let rid = req.header.request_id;
    assert!(correlate(&req, Some(&rid), &precommand("1.5_GCS40a", "GCS40a")).is_err());
}

#[test]
fn every_rtds_tariff_and_price_precommand_correlates_with_its_template() {
    for (dir, uc, stems) in [
        (
            "1.1.1_ECS01a",
            "ECS01a",
            &[
                "IMMEDIATE_TOU",
                "IMMEDIATE_BLOCK",
                "FUTURE_DATED_TOU_BLOCK",
                "CANCELLATION_TOU_BLOCK",
            ][..],
        ),
        (
            "1.2.1_ECS01b",
            "ECS01b",
            &[
                "IMMEDIATE_TOU",
                "IMMEDIATE_BLOCK",
                "FUTURE_DATED_TOU_BLOCK",
                "CANCELLATION_TOU_BLOCK",
            ][..],
        ),
        (
            "1.1.2_ECS01c",
            "ECS01c",
            &["IMMEDIATE", "FUTURE_DATED", "CANCELLATION"][..],
        ),
        (
            "1.2.2_ECS01d",
            "ECS01d",
            &["IMMEDIATE", "FUTURE_DATED", "CANCELLATION"][..],
        ),
    ] {
        let srv = dir.split('_').next().unwrap();
        for kind in stems {
            let stem = format!("{uc}_{srv}_{kind}_SUCCESS");
            let req = template(&format!("{stem}_REQUEST_DUIS.XML"));
            let pre = GeneralSigning::decode(&vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX")))
                .unwrap();
            let d = correlate(&req, None, &pre).unwrap_or_else(|e| panic!("{stem}: {e}"));
            assert_eq!(d.spec().name, uc);
        }
    }
    // A changed price, a changed switching time, another time, another element.
    let pre = |dir: &str, stem: &str| {
        GeneralSigning::decode(&vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"))).unwrap()
    };
    let a = pre("1.1.1_ECS01a", "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS");
    for (from, to) in [(">2121<", ">2122<"), ("07:00:00.00Z", "07:30:00.00Z")] {
        let req = template_with(
            "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML",
            from,
            to,
        );
        assert!(
            matches!(
                correlate(&req, None, &a).unwrap_err(),
                Mismatch::Parameter { .. }
            ),
            "{from}"
        );
    }
    let later = template_with(
        "ECS01d_1.2.2_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
        "2030-01-15T09:00:00.00Z",
        "2030-01-15T10:00:00.00Z",
    );
    assert!(
        correlate(
            &later,
            None,
            &pre("1.2.2_ECS01d", "ECS01d_1.2.2_FUTURE_DATED_SUCCESS")
        )
        .is_err()
    );
    let primary = template("ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML");
    assert!(
        correlate(
            &primary,
            None,
            &pre("1.2.2_ECS01d", "ECS01d_1.2.2_IMMEDIATE_SUCCESS")
        )
        .is_err()
    );
}

#[test]
fn every_rtds_gas_price_precommand_correlates_with_its_template() {
    let dir = "1.2.1_GCS01b";
    let pre = |stem: &str| {
        GeneralSigning::decode(&vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"))).unwrap()
    };
    for kind in ["IMMEDIATE_TOU", "FUTURE_DATED_BLOCK", "CANCELLATION_BLOCK"] {
        let stem = format!("GCS01b_1.2.1_{kind}_SUCCESS");
        let req = template(&format!("{stem}_REQUEST_DUIS.XML"));
        let d = correlate(&req, None, &pre(&stem)).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(d.spec().name, "GCS01b");
    }
    // A changed price, currency, threshold count or time; the electricity form.
    let future = "GCS01b_1.2.1_FUTURE_DATED_BLOCK_SUCCESS";
    for (from, to) in [
        (">10200<", ">10201<"),
        (">GBP<", ">ECB<"),
        ("Thresholds>3<", "Thresholds>2<"),
        ("2030-01-15T09:00:00.00Z", "2030-01-15T10:00:00.00Z"),
    ] {
        let req = template_with(&format!("{future}_REQUEST_DUIS.XML"), from, to);
        assert!(correlate(&req, None, &pre(future)).is_err(), "{from}");
    }
    let elec = template("ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML");
    assert!(correlate(&elec, None, &pre("GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS")).is_err());
}

#[test]
fn every_rtds_gas_tariff_precommand_correlates_with_its_template() {
    let dir = "1.1.1_GCS01a";
    let pre = |stem: &str| {
        GeneralSigning::decode(&vector(dir, &format!("{stem}_PRECOMMAND_GBCS.HEX"))).unwrap()
    };
    for stem in [
        "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS",
        "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS",
        "GCS01a_1.1.1_CANCELLATION_BLOCK_SUCCESS",
    ] {
        let req = template(&format!("{stem}_REQUEST_DUIS.XML"));
        let d = correlate(&req, None, &pre(stem)).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(d.spec().name, "GCS01a");
    }
    // A changed price, threshold, week, season date, time; the electricity form.
    let future = "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS";
    for (from, to) in [
        (">10200<", ">10201<"),
        (">2000000<", ">2000001<"),
        ("<sr:SpecifiedDayOfMonth>20<", "<sr:SpecifiedDayOfMonth>21<"),
        ("2030-01-15T09:00:00.00Z", "2030-01-15T10:00:00.00Z"),
    ] {
        let req = template_with(&format!("{future}_REQUEST_DUIS.XML"), from, to);
        assert!(correlate(&req, None, &pre(future)).is_err(), "{from}");
    }
    let tou = "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS";
    let req = template_with(
        &format!("{tou}_REQUEST_DUIS.XML"),
        "<sr:ReferencedDayName index=\"7\">2<",
        "<sr:ReferencedDayName index=\"7\">1<",
    );
    assert!(correlate(&req, None, &pre(tou)).is_err());
    let elec = template("ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML");
    assert!(correlate(&elec, None, &pre(tou)).is_err());
}

/// 2.1: each RTDS pre-command (immediate, future dated, cancellation) correlates with its
/// template; ECS08 and ECS08a with the same request; the wrong fuel, another execution time and
/// another amount are refused.
#[test]
fn every_rtds_2_1_precommand_correlates_with_its_template_and_other_values_are_refused() {
    let pre_of = |uc: &str, stem: &str| {
        GeneralSigning::decode(&vector(
            &format!("2.1_{uc}"),
            &format!("{uc}_2.1_{stem}_PRECOMMAND_GBCS.HEX"),
        ))
        .unwrap()
    };
    for uc in ["ECS08", "ECS08a", "GCS05"] {
        for stem in [
            "IMMEDIATE_SUCCESS",
            "FUTURE_DATED_SUCCESS",
            "CANCELLATION_SUCCESS",
        ] {
            let req = template(&format!("{uc}_2.1_{stem}_REQUEST_DUIS.XML"));
            let rid = req.header.request_id;
            let d = correlate(&req, Some(&rid), &pre_of(uc, stem))
                .unwrap_or_else(|e| panic!("{uc} {stem}: {e}"));
            assert_eq!(d.spec().name, uc);
        }
    }
    // The immediate request against the future-dated pre-command (counters aside: the request
    // rewritten to the pre-command's counter).
    let req = template_with(
        "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        "90-A0:1003",
        "90-A0:1004",
    );
    let e = correlate(&req, None, &pre_of("ECS08", "FUTURE_DATED_SUCCESS")).unwrap_err();
    assert!(
        matches!(
            e,
            Mismatch::Parameter {
                use_case: "ECS08",
                ..
            }
        ),
        "{e}"
    );
    // Another emergency credit threshold (ESME) and maximum credit threshold (GSME).
    let req = template_with(
        "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        ">100000<",
        ">100001<",
    );
    let e = correlate(&req, None, &pre_of("ECS08", "IMMEDIATE_SUCCESS")).unwrap_err();
    assert!(matches!(e, Mismatch::Parameter { .. }), "{e}");
    let req = template_with(
        "GCS05_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        "<sr:GasDayName>3<",
        "<sr:GasDayName>4<",
    );
    let e = correlate(&req, None, &pre_of("GCS05", "IMMEDIATE_SUCCESS")).unwrap_err();
    assert!(
        matches!(
            e,
            Mismatch::Parameter {
                use_case: "GCS05",
                ..
            }
        ),
        "{e}"
    );
}

// firmware (11.x)
#[test]
fn every_rtds_11_3_precommand_correlates_with_its_template_and_another_hash_is_refused() {
    for kind in ["IMMEDIATE", "FUTURE_DATED", "CANCELLATION"] {
        let stem = format!("CS06_11.3_{kind}_SUCCESS");
        let req = template(&format!("{stem}_REQUEST_DUIS.XML"));
        let pre =
            GeneralSigning::decode(&vector("11.3_CS06", &format!("{stem}_PRECOMMAND_GBCS.HEX")))
                .unwrap();
        let d = correlate(&req, None, &pre).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(d.spec().name, "CS06");
    }
    let pre = GeneralSigning::decode(&vector(
        "11.3_CS06",
        "CS06_11.3_IMMEDIATE_SUCCESS_PRECOMMAND_GBCS.HEX",
    ))
    .unwrap();
    let other_hash = template_with(
        "CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        "AA758690730934FF0685AA75",
        "BB758690730934FF0685AA75",
    );
    assert!(matches!(
        correlate(&other_hash, None, &pre),
        Err(Mismatch::Parameter { .. })
    ));
    // The immediate pre-command does not answer the future-dated request.
    let dated = template("CS06_11.3_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML");
    let mut p = pre.clone();
    p.counter = dated.header.request_id.counter;
    assert!(correlate(&dated, None, &p).is_err());
}
