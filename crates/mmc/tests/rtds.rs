//! Every RTDS RESPONSE of the mapped use cases and every RTDS ALERT renders as MMC: mapped (the
//! use case's or alert's own element, not the generic form), the sensitive responses opened
//! with the requester's key from the RTDS keystore, and without the key left encrypted with a
//! note naming the recipient. (Schema validation against the MMC XSD from Smart DCC's tool:
//! `crates/opendcc/tests/mmc_schema.rs`.)
#![allow(clippy::unwrap_used)]

#[path = "../../gbcs/tests/common/mod.rs"]
mod common;

use std::path::PathBuf;

use common::{Keystore, read_hex, rtds_dir};
use gbcs::Frame;

/// Every RTDS directory.
fn dirs() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(rtds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn files(dir: &str, kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(rtds_dir().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(&format!("_{kind}")) && n.ends_with("_GBCS.HEX"))
        })
        .collect();
    v.sort();
    v
}

fn dump(name: &str, xml: &str) {
    if let Some(d) = std::env::var_os("MMC_DUMP") {
        let d = PathBuf::from(d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("{name}.xml")), xml).unwrap();
    }
}

#[test]
fn every_rtds_response_of_the_mapped_use_cases_renders_with_its_element() {
    let ks = Keystore::load();
    let mut n = 0;
    let mut opened = 0;
    for dir in dirs() {
        let dir = dir.as_str();
        let srv = dir.split('_').next().unwrap();
        for f in files(dir, "RESPONSE") {
            let name = f.file_stem().unwrap().to_str().unwrap().to_string();
            let bytes = read_hex(&f);
            let apdu = match Frame::decode(&bytes).unwrap() {
                Frame::Ciphered(c) => c.apdu,
                Frame::Signing(s) => s,
            };
            // Every use case with a mapping: adding one needs no change here.
            if mmc::response::mapping(apdu.message_code()).is_none() {
                continue;
            }
            // The requester: the remote party the ACB sent the command for, if any.
            let requester = gbcs::alerts::supplementary_remote_party(&apdu.other_info.ext)
                .0
                .unwrap_or(apdu.recipient);
            let ka = ks.ka_private.get(&requester).and_then(|v| v.first());
            let device = ks.ka_public.get(&apdu.originator);
            let keys = match (ka, device) {
                (Some(k), Some(d)) => Some(mmc::Keys {
                    requester_ka: k,
                    device_ka: d,
                }),
                _ => None,
            };
            let ctx = mmc::Context {
                service_reference: None,
                service_reference_variant: (srv != "NA").then_some(srv),
                keys,
            };
            let r = mmc::render(&bytes, &ctx).unwrap();
            dump(&name, &r.xml);
            assert!(r.mapped, "{name}: {:?}\n{}", r.notes, r.xml);
            assert!(r.notes.is_empty(), "{name}: {:?}", r.notes);
            assert!(!r.sealed, "{name}");
            // NOT_FOUND is a failure where the use case says so (a profile, network data log or
            // calendar the device does not hold), and an empty log where it is "no entry in the
            // period" (the log reads).
            let not_found_fails = name.contains("NOT_FOUND")
                && gbcs::usecases::classify_response(apdu.message_code(), &apdu.content)
                    .is_failure();
            // A FUTURE_DATED_ERROR response acknowledges the held command (CS06): its failure is
            // the 8F67 alert's.
            let error = (name.contains("ERROR")
                && !name.starts_with("CS06_11.3_FUTURE_DATED_ERROR"))
                || not_found_fails;
            assert_eq!(
                r.xml.contains("MessageSuccess=\"false\""),
                error,
                "{name}\n{}",
                r.xml
            );
            if dir.starts_with("4.1.1") && !error {
                opened += 1;
                assert!(r.xml.contains("<ra:Value>"), "{name}\n{}", r.xml);
                // Without the key: left encrypted, and the note says to whom.
                let sealed = mmc::render(&bytes, &mmc::Context { keys: None, ..ctx }).unwrap();
                assert!(sealed.sealed, "{name}");
                assert!(sealed.xml.contains("format=\"encrypted\""));
                assert!(!sealed.xml.contains("<ra:Value>"));
                assert!(
                    sealed.notes[0].contains(&apdu.recipient.to_string()),
                    "{:?}",
                    sealed.notes
                );
            }
            n += 1;
        }
    }
    assert!(n >= 35, "{n}");
    assert!(opened >= 2, "{opened}");
}

#[test]
fn every_rtds_alert_renders() {
    let mut n = 0;
    let mut mapped = 0;
    for dir in std::fs::read_dir(rtds_dir()).unwrap() {
        let dir = dir.unwrap().path();
        let Some(d) = dir.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            continue;
        };
        if !dir.is_dir() {
            continue;
        }
        for f in files(&d, "ALERT") {
            let name = f.file_stem().unwrap().to_str().unwrap().to_string();
            let r = mmc::render(&read_hex(&f), &mmc::Context::default()).unwrap();
            dump(&name, &r.xml);
            assert_eq!(r.kind, mmc::Kind::Alert);
            assert!(r.xml.contains("<ra:DeviceAlertMessage>"), "{name}");
            let code = &r.xml[r.xml.find("<ra:GBCSHexAlertCode>").unwrap() + 21..][..4];
            if matches!(code, "8F66" | "8F67") {
                assert!(r.mapped, "{name}: {:?}", r.notes);
                assert!(r.xml.contains("FutureDatedCommandOutcomeDeviceAlert"));
            }
            if r.mapped {
                mapped += 1;
            }
            n += 1;
        }
    }
    assert_eq!(n, 93);
    assert!(mapped > 0);
}

fn render_named(dir: &str, file: &str, srv: Option<&str>) -> mmc::Rendered {
    let bytes = read_hex(&rtds_dir().join(dir).join(file));
    let ks = Keystore::load();
    let apdu = match Frame::decode(&bytes).unwrap() {
        Frame::Ciphered(c) => c.apdu,
        Frame::Signing(s) => s,
    };
    let k = ks
        .ka_private
        .get(
            &gbcs::alerts::supplementary_remote_party(&apdu.other_info.ext)
                .0
                .unwrap_or(apdu.recipient),
        )
        .and_then(|v| v.first());
    let d = ks.ka_public.get(&apdu.originator);
    let ctx = mmc::Context {
        service_reference: None,
        service_reference_variant: srv,
        keys: k.zip(d).map(|(k, d)| mmc::Keys {
            requester_ka: k,
            device_ka: d,
        }),
    };
    mmc::render(&bytes, &ctx).unwrap()
}

fn has(r: &mmc::Rendered, fragment: &str) {
    assert!(r.xml.contains(fragment), "{fragment}:\n{}", r.xml);
}

#[test]
fn the_values_are_the_vectors() {
    let r = render_named(
        "4.1.1_ECS17b",
        "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
        None,
    );
    has(&r, "<ra:ActiveImportRegister>\n");
    has(&r, "<ra:Value>10</ra:Value>");
    has(&r, "<ra:ReactiveEnergyUnit>varh</ra:ReactiveEnergyUnit>");
    let r = render_named(
        "4.1.1_GCS13a",
        "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX",
        None,
    );
    has(&r, "<ra:Value>12.345</ra:Value>");
    has(&r, "<ra:Unit>m3</ra:Unit>");
    let r = render_named("4.1.1_GCS13a", "GCS13a_4.1.1_ERROR_RESPONSE_GBCS.HEX", None);
    has(&r, "MessageSuccess=\"false\"");
    has(&r, "<ra:ZCLStatus>HARDWARE_FAILURE</ra:ZCLStatus>");
    let r = render_named("7.4_ECS45", "ECS45_7.4_SUCCESS_RESPONSE_GBCS.HEX", None);
    has(&r, "<ra:SupplyState>Enabled</ra:SupplyState>");
    has(
        &r,
        "<ra:ServiceReferenceVariant>7.4</ra:ServiceReferenceVariant>",
    );
    let r = render_named("7.4_ECS45", "ECS45_7.4_ERROR_RESPONSE_GBCS.HEX", None);
    has(&r, "<ra:COSEMDebug>");
    let r = render_named("7.4_GCS33", "GCS33_7.4_SUCCESS_RESPONSE_GBCS.HEX", None);
    has(
        &r,
        "<ra:RemainingBatteryCapacity>100</ra:RemainingBatteryCapacity>",
    );
    let r = render_named("11.2_ECS52", "ECS52_11.2_SUCCESS_RESPONSE_GBCS.HEX", None);
    has(&r, "<ra:FirmwareVersion>0123ABCD</ra:FirmwareVersion>");
    let r = render_named(
        "8.1.1_ECS70Commission",
        "ECS70Commission_8.1.1_SUCCESS_RESPONSE_GBCS.HEX",
        Some("8.1.1"),
    );
    has(
        &r,
        "<ra:CommissionDeviceSynchroniseClockRsp MessageSuccess=\"true\">",
    );
    has(&r, "<ra:DeviceTime>2015-01-01T00:00:00Z</ra:DeviceTime>");
    let r = render_named("NA_ECS100", "ECS100_NA_8F85_ALERT_GBCS.HEX", None);
    has(
        &r,
        "<ra:MessageCodeofCommandReceived>0012</ra:MessageCodeofCommandReceived>",
    );
    has(&r, "<ra:OriginatorCounterfromCommandReceived>100000<");
    let r = render_named("NA_ECS80", "ECS80_NA_8F36_ALERT_GBCS.HEX", None);
    has(
        &r,
        "<ra:interruptionValue>2014-12-31T23:50:00Z</ra:interruptionValue>",
    );
    has(
        &r,
        "<ra:restorationValue>2014-12-31T23:59:00Z</ra:restorationValue>",
    );
    let r = render_named("NA_ECS200", "ECS200_NA_8F88_ALERT_GBCS.HEX", None);
    has(&r, "<ra:OutputState>100</ra:OutputState>");
    let r = render_named("NA_ECS68", "ECS68_NA_8F0A_SINGLE_ALERT_GBCS.HEX", None);
    assert!(r.sealed);
    has(&r, "format=\"encrypted\"");
}

#[test]
fn clear_event_log_responses_render_clear_event_log_rsp() {
    for stem in ["CS11_3.3", "ECS15a_3.3", "ECS15c_3.3"] {
        let dir = format!("3.3_{}", stem.split('_').next().unwrap());
        let ok = render_named(
            &dir,
            &format!("{stem}_SUCCESS_RESPONSE_GBCS.HEX"),
            Some("3.3"),
        );
        has(&ok, "ClearEventLogRsp");
        assert!(!ok.xml.contains("MessageSuccess=\"false\""), "{}", ok.xml);
        let failed = render_named(
            &dir,
            &format!("{stem}_ERROR_RESPONSE_GBCS.HEX"),
            Some("3.3"),
        );
        has(&failed, "ClearEventLogRsp");
        has(&failed, "MessageSuccess=\"false\"");
    }
}

#[test]
fn event_and_security_log_reads_render_their_entries() {
    let ev = render_named(
        "6.13_ECS35a",
        "ECS35a_6.13_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.13"),
    );
    has(&ev, "ReadEventOrSecurityLogRsp");
    has(&ev, "<ra:LogCode>8F01</ra:LogCode>");
    has(&ev, "<ra:OtherInformation>009B</ra:OtherInformation>");
    has(&ev, "<ra:Timestamp>2014-12-31T00:00:00");
    let sec = render_named(
        "6.13_ECS35b",
        "ECS35b_6.13_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.13"),
    );
    has(&sec, "<ra:LogEntry>");
    has(&sec, "<ra:LogCode>8F0C</ra:LogCode>");
    assert!(!sec.xml.contains("OtherInformation"), "{}", sec.xml);
    let gas = render_named(
        "6.13_CS10a",
        "CS10a_6.13_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.13"),
    );
    has(&gas, "<ra:LogCode>8F1F</ra:LogCode>");
    has(&gas, "<ra:OtherInformation>009B</ra:OtherInformation>");
    let gas = render_named(
        "6.13_CS10b",
        "CS10b_6.13_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.13"),
    );
    has(&gas, "<ra:LogEntry>");
    has(&gas, "<ra:LogCode>8F0C</ra:LogCode>");
    let none = render_named(
        "6.13_CS10b",
        "CS10b_6.13_NOT_FOUND_RESPONSE_GBCS.HEX",
        Some("6.13"),
    );
    has(&none, "ReadEventOrSecurityLogRsp");
    assert!(!none.xml.contains("LogEntry"), "{}", none.xml);
    has(&none, "<ra:Log");
    let chf = render_named(
        "6.13_ECS35c",
        "ECS35c_6.13_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.13"),
    );
    has(&chf, "<ra:LogCode>8154</ra:LogCode>");
    has(&chf, "<ra:OtherInformation>009B</ra:OtherInformation>");
    let chf = render_named(
        "6.13_ECS35d",
        "ECS35d_6.13_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.13"),
    );
    has(&chf, "<ra:LogCode>8F12</ra:LogCode>");
    assert!(!chf.xml.contains("OtherInformation"), "{}", chf.xml);
    let power = render_named(
        "6.13_ECS35e",
        "ECS35e_6.13_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.13"),
    );
    has(&power, "<ra:LogCode>8002</ra:LogCode>");
    has(
        &power,
        "<ra:OtherInformation>00000001</ra:OtherInformation>",
    );
    has(
        &power,
        "<ra:LogMeaning>Supply Outage Restored</ra:LogMeaning>",
    );
    for uc in ["ECS35f", "ECS35g"] {
        let alcs = render_named(
            &format!("6.13_{uc}"),
            &format!("{uc}_6.13_SUCCESS_RESPONSE_GBCS.HEX"),
            Some("6.13"),
        );
        has(&alcs, "<ra:ALCSEvent>");
        has(&alcs, "<ra:SwitchNumber>2</ra:SwitchNumber>");
        has(&alcs, "<ra:SwitchAction>On</ra:SwitchAction>");
        has(&alcs, "<ra:Outcome>Outcome not known</ra:Outcome>");
        has(&alcs, "<ra:HANCommandID>1418601600</ra:HANCommandID>");
        has(
            &alcs,
            "<ra:SwitchAction>Revert to calendar control</ra:SwitchAction>",
        );
        assert!(!alcs.xml.contains("<ra:Log>"), "{}", alcs.xml);
    }
    for uc in [
        "ECS35a", "ECS35b", "ECS35c", "ECS35d", "ECS35e", "ECS35f", "ECS35g", "CS10a", "CS10b",
    ] {
        let failed = render_named(
            &format!("6.13_{uc}"),
            &format!("{uc}_6.13_ERROR_RESPONSE_GBCS.HEX"),
            Some("6.13"),
        );
        has(&failed, "ReadEventOrSecurityLogRsp");
        has(&failed, "MessageSuccess=\"false\"");
    }
}

#[test]
fn device_credentials_responses_render_their_request_and_codes() {
    let ok = render_named(
        "6.17_CS02c",
        "CS02c_6.17_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.17"),
    );
    has(&ok, "IssueSecurityCredentialsRsp");
    has(&ok, "<ra:CertificationRequest>MIIBEzCBugIBADAAMFkw");
    let failed = render_named(
        "6.17_CS02c",
        "CS02c_6.17_ERROR_RESPONSE_GBCS.HEX",
        Some("6.17"),
    );
    has(&failed, "MessageSuccess=\"false\"");
    has(
        &failed,
        "<ra:IssueCredentialsResponseCode ResponseCode=\"3\">",
    );
    has(&failed, "<ra:ASN1Status>invalidKeyUsage</ra:ASN1Status>");
    let ok = render_named(
        "6.15.2_CS02d",
        "CS02d_6.15.2_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.15.2"),
    );
    has(
        &ok,
        "<ra:UpdateSecurityCredentialsResponseCode ResponseCode=\"0\">",
    );
    has(&ok, "<ra:ASN1Status>success</ra:ASN1Status>");
    let failed = render_named(
        "6.15.2_CS02d",
        "CS02d_6.15.2_ERROR_RESPONSE_GBCS.HEX",
        Some("6.15.2"),
    );
    has(&failed, "UpdateSecurityCredentialsDeviceRsp");
    has(&failed, "<ra:ASN1Status>invalidKeyUsage</ra:ASN1Status>");
}

#[test]
fn retrieved_device_credentials_render_every_party_and_the_certificate() {
    // 6.24.1 CS02aMAC: the supplier's three cells (signing, key agreement, top-up) and the
    // network operator's two, each a RemotePartyDetails.
    let ok = render_named(
        "6.24.1_CS02aMAC",
        "CS02aMAC_6.24.1_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.24.1"),
    );
    has(
        &ok,
        "<ra:RetrieveDeviceSecurityCredentialsKRPRsp MessageSuccess=\"true\">",
    );
    assert_eq!(
        ok.xml.matches("<ra:RemotePartyDetails>").count(),
        5,
        "{}",
        ok.xml
    );
    has(&ok, "<ra:RemotePartyRole>Supplier</ra:RemotePartyRole>");
    has(
        &ok,
        "<ra:RemotePartyRole>NetworkOperator</ra:RemotePartyRole>",
    );
    has(&ok, "<ra:StatusCode ResponseCode=\"0\">");
    has(
        &ok,
        "<ra:RemotePartyFloorSeqNumber>1</ra:RemotePartyFloorSeqNumber>",
    );
    has(
        &ok,
        "<ra:CertificateUsage>DigitalSigning</ra:CertificateUsage>",
    );
    has(
        &ok,
        "<ra:CertificateUsage>KeyAgreementTopUp</ra:CertificateUsage>",
    );
    has(
        &ok,
        "<ra:ExistingRemotePartyID>90-B3-D5-1F-30-01-00-00</ra:ExistingRemotePartyID>",
    );
    // The supplier's signing cell's subject key identifier 44899792D196F4B8.
    has(
        &ok,
        "<ra:ExistingCertificateHash>RImXktGW9Lg=</ra:ExistingCertificateHash>",
    );
    has(
        &ok,
        "<ra:ServiceReferenceVariant>6.24.1</ra:ServiceReferenceVariant>",
    );
    // The ERROR vector: the ACB's cell, and the network operator the device holds no trust
    // anchor of (status 25).
    let failed = render_named(
        "6.24.1_CS02aMAC",
        "CS02aMAC_6.24.1_ERROR_RESPONSE_GBCS.HEX",
        Some("6.24.1"),
    );
    has(&failed, "MessageSuccess=\"false\"");
    has(&failed, "<ra:RemotePartyRole>ACB</ra:RemotePartyRole>");
    has(
        &failed,
        "<ra:CertificateUsage>KeyAgreement</ra:CertificateUsage>",
    );
    has(&failed, "<ra:StatusCode ResponseCode=\"25\">");
    has(
        &failed,
        "<ra:ASN1Status>trustAnchorNotFound</ra:ASN1Status>",
    );
    // CS02f: an ESME of GBCS 4.0 or later, with the load controller's cells.
    let ok = render_named(
        "6.24.1_CS02fMAC",
        "CS02fMAC_6.24.1_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.24.1"),
    );
    has(
        &ok,
        "RetrieveDeviceSecurityCredentialsKRPRsp MessageSuccess=\"true\"",
    );
    has(
        &ok,
        "<ra:RemotePartyRole>LoadController</ra:RemotePartyRole>",
    );
    let failed = render_named(
        "6.24.1_CS02fMAC",
        "CS02fMAC_6.24.1_ERROR_RESPONSE_GBCS.HEX",
        Some("6.24.1"),
    );
    has(&failed, "MessageSuccess=\"false\"");
    has(&failed, "<ra:StatusCode ResponseCode=\"127\">");
    has(&failed, "<ra:ASN1Status>other</ra:ASN1Status>");

    // 6.24.2 CS02e: the ESME's digital signing certificate, or response code 3.
    let ok = render_named(
        "6.24.2_CS02e",
        "CS02e_6.24.2_SUCCESS_RESPONSE_GBCS.HEX",
        Some("6.24.2"),
    );
    has(
        &ok,
        "<ra:RetrieveDeviceSecurityCredentialsDeviceRsp MessageSuccess=\"true\">",
    );
    has(
        &ok,
        "<ra:Certificate>MIIBoTCCAUagAwIBAgIQMDmCNnRNnaDlf410rgQfzTAK",
    );
    let failed = render_named(
        "6.24.2_CS02e",
        "CS02e_6.24.2_ERROR_RESPONSE_GBCS.HEX",
        Some("6.24.2"),
    );
    has(
        &failed,
        "RetrieveDeviceSecurityCredentialsDeviceRsp MessageSuccess=\"false\"",
    );
    has(
        &failed,
        "<ra:RetrieveDeviceSecurityCredentialsStatusCode ResponseCode=\"3\">",
    );
    has(
        &failed,
        "<ra:ASN1Status>certificateRetrievalFailure</ra:ASN1Status>",
    );
    assert!(!failed.xml.contains("<ra:Certificate>"), "{}", failed.xml);
}

// firmware (11.x)
#[test]
fn activate_firmware_responses_render_the_status_and_version() {
    let ok = render_named(
        "11.3_CS06",
        "CS06_11.3_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX",
        Some("11.3"),
    );
    has(&ok, "<ra:ActivateFirmwareRsp MessageSuccess=\"true\">");
    has(&ok, "<ra:ActivateImageResponseCode ResponseCode=\"0\">");
    has(&ok, "<ra:ASN1Status>success</ra:ASN1Status>");
    has(&ok, "<ra:FirmwareVersion>0123ABCE</ra:FirmwareVersion>");
    let failed = render_named(
        "11.3_CS06",
        "CS06_11.3_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX",
        Some("11.3"),
    );
    has(&failed, "MessageSuccess=\"false\"");
    has(&failed, "<ra:ASN1Status>noImageHeld</ra:ASN1Status>");
    let held = render_named(
        "11.3_CS06",
        "CS06_11.3_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX",
        Some("11.3"),
    );
    has(&held, "ActivateFirmwareRsp");
    assert!(
        !held.xml.contains("ActivateImageResponseCode"),
        "{}",
        held.xml
    );
}
