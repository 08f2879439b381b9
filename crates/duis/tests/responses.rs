//! Response builders: every output validates against the DUIS 5.4 XSD (checked with
//! `xmllint --schema`, Debian package `libxml2-utils`), and matches the DCC samples.

#![allow(clippy::unwrap_used)]

mod common;

use common::{validate_all, xmllint_available};

use duis::bodies::RequestWanMatrix;
use duis::xml::parse_element;
use duis::{
    AddressFilter, Connectivity, ConnectivityLikelihood, CspRegion, DeviceStatus, DeviceType,
    Element, EsmeVariant, InventoryDevice, ParseLimits, ProductListStatus, RequestId, ResponseCode,
    ResponseDateTime, ResponseHeader, ResponsePayload, Uprn, WanCoverage, WanMatrixResponse,
    acknowledgement, all_variants, build_response, device_pre_notification_response,
    gbcs_payload_response, pre_command_response, read_inventory_response, response_header_only,
    service_variant, update_inventory_response, wan_matrix_response,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use time::macros::{date, datetime};

fn rid() -> RequestId {
    "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000"
        .parse()
        .unwrap()
}

fn dt() -> ResponseDateTime {
    ResponseDateTime::from_datetime(datetime!(2025-12-28 16:51:01.185 UTC)).unwrap()
}

fn full_device() -> InventoryDevice {
    InventoryDevice {
        device_status: Some(DeviceStatus::Commissioned),
        smets_chts_version: Some("SMETS V5.0".into()),
        firmware_version: Some("0002012F".into()),
        firmware_version_status: Some(ProductListStatus::Active),
        cpl_status: Some(ProductListStatus::Active),
        date_commissioned: Some(date!(2025 - 12 - 28)),
        import_mpxn: Some("1234567890123".into()),
        secondary_import_mpan: Some("1234567890124".into()),
        export_mpan: Some("1234567890125".into()),
        esme_variant: Some(EsmeVariant::Adef),
        uprn: Uprn::new(123_456_789_012),
        property_filter: Some(AddressFilter {
            post_code: "M22 0RR".into(),
            address_identifier: "Flat 1 & 2 <rear>".into(),
        }),
        csp_region: Some(CspRegion::North4G),
        device_gbcs_version: Some("4.2".into()),
        han_variant: Some("Dual Band".into()),
        s1sp: Some("S1SP-A".into()),
        connectivity: Some(Connectivity::Cellular),
        ..InventoryDevice::new(
            "00-DB-12-34-56-78-90-A0".parse().unwrap(),
            DeviceType::Esme,
            "AB01",
            "010A030B",
        )
    }
}

/// Every builder and payload branch, plus one header-only response per variant and code.
fn documents() -> Vec<(String, String)> {
    let mut docs = Vec::new();
    let h = ResponseHeader::new(rid(), ResponseCode::I0, dt());
    let v41 = service_variant("4.1.1").unwrap();

    docs.push((
        "ack".into(),
        acknowledgement(&rid(), ResponseCode::I99, v41, &dt()),
    ));
    docs.push((
        "anonymous".into(),
        response_header_only(
            None,
            ResponseCode::E1,
            service_variant("8.2").unwrap(),
            &dt(),
        ),
    ));
    let minimal = InventoryDevice::new(
        "BC-6E-76-FE-00-7C-B4-F3".parse().unwrap(),
        DeviceType::Cad,
        "",
        "",
    );
    let seventeen = vec![full_device(); 17];
    docs.push((
        "inventory".into(),
        read_inventory_response(&h, &[full_device(), minimal]).unwrap(),
    ));
    docs.push((
        "inventory17".into(),
        read_inventory_response(&h, &seventeen).unwrap(),
    ));
    docs.push((
        "update-inventory".into(),
        update_inventory_response(&h).unwrap(),
    ));
    docs.push((
        "prenotification".into(),
        device_pre_notification_response(&h).unwrap(),
    ));
    let regions = [
        WanMatrixResponse {
            csp_region: CspRegion::Central,
            response_code: ResponseCode::I0,
            coverage: Some(WanCoverage {
                coverage_available: true,
                anticipated_coverage_date: Some(date!(2026 - 01 - 31)),
                wan_technology: "Long Range Radio".into(),
                connectivity_likelihood: ConnectivityLikelihood::High,
                auxiliary_equipment_required: Some("Mesh repeater".into()),
                additional_information: Some("a\r\nb & c".into()),
            }),
        },
        WanMatrixResponse {
            csp_region: CspRegion::Central4G,
            response_code: ResponseCode::I0,
            coverage: Some(WanCoverage {
                coverage_available: false,
                anticipated_coverage_date: None,
                wan_technology: "4G".into(),
                connectivity_likelihood: ConnectivityLikelihood::Low,
                auxiliary_equipment_required: None,
                additional_information: None,
            }),
        },
        WanMatrixResponse {
            csp_region: CspRegion::South,
            response_code: ResponseCode::E120101,
            coverage: None,
        },
    ];
    docs.push((
        "wan-uprn".into(),
        wan_matrix_response(
            &h,
            &RequestWanMatrix::Uprn(Uprn::new(42).unwrap()),
            &regions,
        )
        .unwrap(),
    ));
    docs.push((
        "wan-address".into(),
        wan_matrix_response(
            &h,
            &RequestWanMatrix::PartialAddress(AddressFilter {
                post_code: "M22 0RR".into(),
                address_identifier: "Threapwood Road".into(),
            }),
            &regions[2..],
        )
        .unwrap(),
    ));
    let hr = h.clone().with_response_id();
    docs.push((
        "gbcs".into(),
        gbcs_payload_response(
            &hr,
            service_variant("11.2").unwrap(),
            &[0xDD, 0, 1, 2, 0xFF],
        )
        .unwrap(),
    ));
    docs.push((
        "gbcs-empty".into(),
        gbcs_payload_response(&hr, service_variant("11.2").unwrap(), &[]).unwrap(),
    ));
    docs.push((
        "precommand".into(),
        pre_command_response(&h, service_variant("7.2").unwrap(), "4.0", &[1, 2, 3, 4]).unwrap(),
    ));
    docs.push((
        "local".into(),
        build_response(
            &h,
            service_variant("4.1.1").unwrap(),
            &ResponsePayload::LocalCommand(&[9, 8, 7]),
        )
        .unwrap(),
    ));
    let variants = all_variants();
    for (i, code) in ResponseCode::ALL.iter().enumerate() {
        let v = &variants[i % variants.len()];
        let header = ResponseHeader::new(
            RequestId::new(
                eui::Eui64::from_u64(i as u64),
                eui::Eui64::from_u64(u64::MAX - i as u64),
                u64::MAX - i as u64,
            ),
            *code,
            ResponseDateTime::parse("2024-02-29T23:59:59+01:00").unwrap(),
        )
        .with_response_id();
        docs.push((
            format!("code-{code}-srv-{}", v.variant),
            build_response(&header, v, &ResponsePayload::None).unwrap(),
        ));
    }
    docs
}

/// Arbitrary inventory devices within the XSD facets (text with markup characters, CR, non-ASCII).
fn arbitrary_devices(n: usize) -> Vec<InventoryDevice> {
    let text = |min: usize, max: usize| {
        proptest::string::string_regex(&format!("[a-zA-Z0-9 &<>\"'\\r\\n\\té€😀]{{{min},{max}}}"))
            .unwrap()
    };
    let strategy = (
        any::<u64>(),
        0usize..DeviceType::ALL.len(),
        text(0, 30),
        text(0, 30),
        proptest::option::of(text(1, 20)),
        proptest::option::of(text(1, 8)),
        proptest::option::of((text(6, 8), text(0, 30))),
        proptest::option::of(1u64..=Uprn::MAX),
        proptest::option::of(0usize..CspRegion::ALL.len()),
        proptest::option::of(text(0, 40)),
        proptest::option::of(0i32..3_000_000),
    );
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| {
            let (id, ty, man, model, smets, fw, pf, uprn, region, han, day) =
                strategy.new_tree(&mut runner).unwrap().current();
            InventoryDevice {
                smets_chts_version: smets,
                firmware_version: fw,
                property_filter: pf.map(|(post_code, address_identifier)| AddressFilter {
                    post_code,
                    address_identifier,
                }),
                uprn: uprn.and_then(Uprn::new),
                csp_region: region.map(|r| CspRegion::ALL[r]),
                han_variant: han,
                date_commissioned: day.map(|d| time::Date::from_julian_day(1_721_426 + d).unwrap()),
                ..InventoryDevice::new(eui::Eui64::from_u64(id), DeviceType::ALL[ty], man, model)
            }
        })
        .collect()
}

#[test]
fn every_builder_output_validates_against_the_xsd() {
    let Some(corpus) = common::corpus_or_skip("every_builder_output_validates") else {
        return;
    };
    if !xmllint_available() {
        return;
    }
    let docs = documents();
    assert!(docs.len() > 200);
    validate_all(&corpus, &docs).unwrap_or_else(|report| panic!("{report}"));
}

#[test]
fn arbitrary_inventory_responses_validate() {
    let Some(corpus) = common::corpus_or_skip("arbitrary_inventory_responses_validate") else {
        return;
    };
    if !xmllint_available() {
        return;
    }
    let h = ResponseHeader::new(rid(), ResponseCode::I0, dt());
    let devices = arbitrary_devices(17 * 12);
    let docs: Vec<(String, String)> = devices
        .chunks(17)
        .enumerate()
        .map(|(i, chunk)| {
            (
                format!("arbitrary-{i}"),
                read_inventory_response(&h, chunk).unwrap(),
            )
        })
        .collect();
    validate_all(&corpus, &docs).unwrap_or_else(|report| panic!("{report}"));
    // And our parser reads back exactly what was written.
    for (doc, chunk) in docs.iter().zip(devices.chunks(17)) {
        let e = parse_element(doc.1.as_bytes(), &ParseLimits::default()).unwrap();
        let inv = e
            .find(&["Body", "ResponseMessage", "DSPInventory"])
            .unwrap();
        for (el, d) in inv.children.iter().zip(chunk) {
            assert_eq!(el.child("DeviceManufacturer").unwrap().text, d.manufacturer);
            assert_eq!(el.child("DeviceModel").unwrap().text, d.model);
        }
    }
}

#[test]
fn the_validator_is_not_vacuous() {
    let Some(corpus) = common::corpus_or_skip("the_validator_is_not_vacuous") else {
        return;
    };
    if !xmllint_available() {
        return;
    }
    let good = acknowledgement(
        &rid(),
        ResponseCode::I0,
        service_variant("8.2").unwrap(),
        &dt(),
    );
    let bad = [
        good.replace("<sr:ResponseCode>I0", "<sr:ResponseCode>I1"),
        good.replace(">8.2</sr:ServiceReference>", ">8.20</sr:ServiceReference>"),
        good.replace("schemaVersion=\"5.4\"", ""),
    ];
    for b in bad {
        let result = validate_all(&corpus, &[("bad".into(), b.clone())]);
        assert!(result.is_err(), "xmllint accepted an invalid document: {b}");
    }
}

/// Drops the attributes (namespace declarations, schemaVersion) for comparing trees.
fn strip_attrs(mut e: Element) -> Element {
    e.attrs.clear();
    e.children = e.children.into_iter().map(strip_attrs).collect();
    e
}

#[test]
fn acknowledgement_matches_dcc_sample() {
    let Some(corpus) = common::corpus_or_skip("acknowledgement_matches_dcc_sample") else {
        return;
    };
    let sample = std::fs::read(corpus.join("duis-samples/acknowledgement-error.xml")).unwrap();
    let sample = parse_element(&sample, &ParseLimits::default()).unwrap();
    let req: RequestId = sample
        .text_of(&["Header", "RequestID"])
        .unwrap()
        .parse()
        .unwrap();
    let when =
        ResponseDateTime::parse(sample.text_of(&["Header", "ResponseDateTime"]).unwrap()).unwrap();
    let ours = acknowledgement(
        &req,
        ResponseCode::E65,
        service_variant("11.2").unwrap(),
        &when,
    );
    let ours = parse_element(ours.as_bytes(), &ParseLimits::default()).unwrap();
    assert_eq!(strip_attrs(ours), strip_attrs(sample));
}

#[test]
fn read_inventory_matches_dcc_sample() {
    let Some(corpus) = common::corpus_or_skip("read_inventory_matches_dcc_sample") else {
        return;
    };
    let sample =
        std::fs::read(corpus.join("duis-samples/read-inventory-response-5.4.xml")).unwrap();
    let sample = parse_element(&sample, &ParseLimits::default()).unwrap();
    let pf = || {
        Some(AddressFilter {
            post_code: "1111-111".into(),
            address_identifier: "12334".into(),
        })
    };
    let devices = [
        InventoryDevice {
            device_status: Some(DeviceStatus::Commissioned),
            smets_chts_version: Some("CHTS V1.4".into()),
            firmware_version: Some("9001".into()),
            firmware_version_status: Some(ProductListStatus::Active),
            cpl_status: Some(ProductListStatus::Active),
            date_commissioned: Some(date!(2025 - 12 - 28)),
            uprn: Uprn::new(123_456_789_012),
            property_filter: pf(),
            csp_region: Some(CspRegion::Central4G),
            device_gbcs_version: Some("4.2".into()),
            han_variant: Some("Single Band".into()),
            connectivity: Some(Connectivity::Virtual),
            ..InventoryDevice::new(
                "88-73-84-90-6A-10-02-DB".parse().unwrap(),
                DeviceType::Chf,
                "106C",
                "433100AC",
            )
        },
        InventoryDevice {
            firmware_version_status: Some(ProductListStatus::Active),
            cpl_status: Some(ProductListStatus::Active),
            uprn: Uprn::new(123_456_789_012),
            property_filter: pf(),
            csp_region: Some(CspRegion::Central),
            device_gbcs_version: Some("4.2".into()),
            ..InventoryDevice::new(
                "BC-6E-76-FE-00-7C-B4-F3".parse().unwrap(),
                DeviceType::Cad,
                "GEO",
                "9001",
            )
        },
        InventoryDevice {
            device_status: Some(DeviceStatus::InstalledNotCommissioned),
            smets_chts_version: Some("CHTS V1.4".into()),
            firmware_version: Some("9001".into()),
            firmware_version_status: Some(ProductListStatus::Active),
            cpl_status: Some(ProductListStatus::Active),
            uprn: Uprn::new(123_456_789_012),
            property_filter: pf(),
            csp_region: Some(CspRegion::Central4G),
            device_gbcs_version: Some("4.2".into()),
            ..InventoryDevice::new(
                "88-73-84-CC-6A-10-02-DB".parse().unwrap(),
                DeviceType::Gpf,
                "106C",
                "433100AC",
            )
        },
    ];
    let req: RequestId = sample
        .text_of(&["Header", "RequestID"])
        .unwrap()
        .parse()
        .unwrap();
    let when =
        ResponseDateTime::parse(sample.text_of(&["Header", "ResponseDateTime"]).unwrap()).unwrap();
    let ours = read_inventory_response(&ResponseHeader::new(req, ResponseCode::I0, when), &devices)
        .unwrap();
    let ours = parse_element(ours.as_bytes(), &ParseLimits::default()).unwrap();
    assert_eq!(strip_attrs(ours), strip_attrs(sample));
}
