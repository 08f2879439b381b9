//! Alert builders: every output validates against the DUIS 5.4 XSD (checked with
//! `xmllint --schema`, Debian package `libxml2-utils`), reads back with our parser, and inputs
//! outside the XSD facets are refused with a `BuildError`.

#![allow(clippy::unwrap_used)]

mod common;

use common::{validate_all, xmllint_available};

use std::path::PathBuf;

use base64::Engine as _;
use duis::alert::{
    ActivationResult, AdBreach, CertificateHash, CertificateType, ChangeOfSupplier,
    ChfGpfDeviceIds, CommandFailure, CommsHubAlert, CommsHubTransferStatus, CraFlag,
    CspFirmwareDeliveryStatus, DeviceLog, DeviceLogRestored, DeviceStatusChange, DualBandChAlert,
    DualBandDetail, DuisVersionMismatch, EcosAlert, FirmwareTransferAlert, FirmwareVersionMismatch,
    FirmwareVersionUpdateStatus, MeterMpxns, NetworkOperatorCertificateType, PowerOutageEvent,
    PpmidAlert, PpmidFirmwareUpgrade, QuarantinedRequest, RemotePartyRole,
    RemotePartySeqNumberChange, ScanRequestStatus, ScanTrigger, SecurityCredentialsUpdated,
    SubGhzChannel, TransferResponseCode, VersionMismatch,
};
use duis::xml::parse_element;
use duis::{
    AlertHeader, BuildError, DccAlert, DccAlertBody, DccAlertCode, DeviceAlert, DeviceType,
    EsmeVariant, FutureDatedAlertCode, FutureDatedDeviceAlert, ParseLimits, RequestId,
    ResponseCode, ResponseDateTime, ResponseHeader, dcc_alert, device_alert,
    future_dated_device_alert, service_variant,
};
use eui::Eui64;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use time::macros::{date, datetime};

fn eui(n: u64) -> Eui64 {
    Eui64::from_u64(n)
}

const CHF: u64 = 0x8873_8490_6A10_02DB;
const ESME: u64 = 0x00DB_1234_5678_90A0;
const USER: u64 = 0x90B3_D51F_3001_0000;
const DCC: u64 = 0x0000_0000_0000_0001;

fn rid() -> RequestId {
    RequestId::new(eui(USER), eui(ESME), 1_658_482_675_800)
}

fn dt() -> ResponseDateTime {
    ResponseDateTime::from_datetime(datetime!(2025-12-28 16:51:01.185 UTC)).unwrap()
}

fn dcc_header(counter: u64) -> AlertHeader {
    AlertHeader::dcc(eui(DCC), eui(USER), counter, dt())
}

fn parse(xml: &str) -> duis::Element {
    parse_element(xml.as_bytes(), &ParseLimits::default()).unwrap()
}

fn power_outage() -> PowerOutageEvent {
    PowerOutageEvent {
        comms_hub_device_id: eui(CHF),
        start_date_time: ResponseDateTime::parse("2025-12-28T16:48:00Z").unwrap(),
        mpxn: "1234567890123".into(),
    }
}

fn full_mpxns() -> MeterMpxns {
    MeterMpxns {
        import_mpxn: "1234567890123".into(),
        secondary_import_mpan: Some("1234567890124".into()),
        export_mpan: Some("1234567890125".into()),
    }
}

/// One body per element of the `DCCAlert` choice (and per branch of the nested choices).
#[allow(clippy::too_many_lines)]
fn every_dcc_body() -> Vec<(&'static str, DccAlertBody)> {
    let ids = ChfGpfDeviceIds {
        old_chf: eui(1),
        new_chf: eui(2),
        old_gpf: eui(3),
        new_gpf: eui(4),
    };
    let mut bodies = vec![
        ("power-outage", DccAlertBody::PowerOutage(power_outage())),
        (
            "dsp-schedule-removal",
            DccAlertBody::DspScheduleRemoval {
                device_id: eui(ESME),
                dsp_schedule_id: duis::alert::MAX_DSP_SCHEDULE_ID,
            },
        ),
        (
            "command-failure",
            DccAlertBody::CommandFailure(CommandFailure {
                command_request_id: rid(),
                dsp_schedule_id: Some(0),
                device_id: eui(ESME),
            }),
        ),
        (
            "command-failure-unscheduled",
            DccAlertBody::CommandFailure(CommandFailure {
                command_request_id: rid(),
                dsp_schedule_id: None,
                device_id: eui(ESME),
            }),
        ),
        (
            "firmware-distribution-failure",
            DccAlertBody::FirmwareDistributionFailure {
                update_firmware_request_id: rid(),
                meter_ids: vec![eui(ESME), eui(5), eui(u64::MAX)],
            },
        ),
        (
            "update-han-device-log",
            DccAlertBody::UpdateHanDeviceLogResult { request_id: rid() },
        ),
        (
            "cos-request",
            DccAlertBody::ChangeOfSupplier(ChangeOfSupplier::Request {
                request_id: rid(),
                ecos_error_code: Some("E01".into()),
            }),
        ),
        (
            "cos-request-ok",
            DccAlertBody::ChangeOfSupplier(ChangeOfSupplier::Request {
                request_id: rid(),
                ecos_error_code: None,
            }),
        ),
        (
            "cos-device",
            DccAlertBody::ChangeOfSupplier(ChangeOfSupplier::Device {
                device_id: eui(ESME),
                device_type: DeviceType::Esme,
                mpxns: full_mpxns(),
            }),
        ),
        (
            "chf-log-restored",
            DccAlertBody::DeviceLogRestored(DeviceLogRestored {
                restored_date: date!(2025 - 12 - 28),
                log: DeviceLog::Chf,
                ids,
            }),
        ),
        (
            "gpf-log-restored",
            DccAlertBody::DeviceLogRestored(DeviceLogRestored {
                restored_date: date!(0001 - 01 - 01),
                log: DeviceLog::Gpf,
                ids,
            }),
        ),
        (
            "ppmid-alert",
            DccAlertBody::PpmidAlert(PpmidAlert {
                device_id: eui(7),
                device_alert_code: 0x8F84,
                timestamp: Some(dt()),
                firmware_upgrade: Some(PpmidFirmwareUpgrade {
                    firmware_version: "0002012F".into(),
                    result: ActivationResult::Failure,
                }),
            }),
        ),
        (
            "ppmid-alert-minimal",
            DccAlertBody::PpmidAlert(PpmidAlert {
                device_id: eui(7),
                device_alert_code: 0,
                timestamp: None,
                firmware_upgrade: None,
            }),
        ),
        (
            "security-credentials",
            DccAlertBody::SecurityCredentialsUpdated(SecurityCredentialsUpdated {
                device_id: eui(ESME),
                remote_party_role: RemotePartyRole::Supplier,
                seq_number_change: Some(RemotePartySeqNumberChange {
                    floor_seq_number: duis::alert::MAX_FLOOR_SEQUENCE_NUMBER,
                    prepayment_top_up_floor_seq_number: Some(0),
                }),
                certificates: vec![
                    CertificateHash {
                        certificate_type: CertificateType::DigitalSigning,
                        sha1: [0xAB; 20],
                    },
                    CertificateHash {
                        certificate_type: CertificateType::KeyAgreement,
                        sha1: [0; 20],
                    },
                    CertificateHash {
                        certificate_type: CertificateType::KeyAgreementTopUp,
                        sha1: [0xFF; 20],
                    },
                ],
            }),
        ),
        (
            "ppmid-removal",
            DccAlertBody::PpmidRemoval {
                ppmid_device_id: eui(7),
                chf_device_id: eui(CHF),
            },
        ),
        (
            "firmware-version-mismatch",
            DccAlertBody::FirmwareVersionMismatch(FirmwareVersionMismatch {
                device_id: eui(ESME),
                device_type: DeviceType::Esme,
                firmware_version_smi: "1".into(),
                firmware_version_device: "12345678".into(),
            }),
        ),
        (
            "smets1-ch-firmware",
            DccAlertBody::Smets1ChFirmwareNotification {
                device_id: eui(CHF),
                firmware_version: "9001".into(),
                status: FirmwareVersionUpdateStatus::ActivationSuccessful,
            },
        ),
        (
            "alcs-config",
            DccAlertBody::AlcsHcalcsConfigurationChange {
                esme_device_id: eui(ESME),
                esme_variant: Some(EsmeVariant::Adeg),
                device_gbcs_version: Some("4.2".into()),
            },
        ),
        (
            "alcs-config-minimal",
            DccAlertBody::AlcsHcalcsConfigurationChange {
                esme_device_id: eui(ESME),
                esme_variant: None,
                device_gbcs_version: None,
            },
        ),
        (
            "firmware-upgrade-requested",
            DccAlertBody::FirmwareUpgradeRequested {
                device_type: DeviceType::Gsme,
                firmware_version: "ABCDEF01".into(),
                devices: vec![eui(9)],
            },
        ),
        (
            "csp-firmware-delivery",
            DccAlertBody::CspFirmwareDeliveryStatus(CspFirmwareDeliveryStatus {
                update_firmware_request_id: rid(),
                comms_hub_device_id: eui(CHF),
                target_device_id: eui(ESME),
                firmware_version: "0002012F".into(),
                time_stamp: dt(),
                status: CommsHubTransferStatus::Failure,
            }),
        ),
        (
            "comms-hub-alert",
            DccAlertBody::CommsHubAlert(CommsHubAlert {
                comms_hub_device_id: eui(CHF),
                alert_code: 0x8F0A,
                time_stamp: Some(dt()),
                firmware_transfer: Some(FirmwareTransferAlert {
                    update_firmware_request_id: Some(rid()),
                    other_device_id: eui(ESME),
                    firmware_version: "01".into(),
                    transfer_response_code: TransferResponseCode::HardwareVersionMismatch,
                }),
            }),
        ),
        (
            "comms-hub-alert-minimal",
            DccAlertBody::CommsHubAlert(CommsHubAlert {
                comms_hub_device_id: eui(CHF),
                alert_code: 0x8F0A,
                time_stamp: None,
                firmware_transfer: None,
            }),
        ),
        (
            "ecos-alert",
            DccAlertBody::EcosAlert(EcosAlert {
                alert_id: RequestId::new(eui(DCC), eui(USER), 5),
                request_id: Some(rid()),
                ecos_alert_code: "ECOS001".into(),
                device_id: eui(ESME),
                additional_information: Some("a < b & \"c\"\r\nd".into()),
            }),
        ),
        (
            "comms-hub-firmware-activation",
            DccAlertBody::CommsHubFirmwareActivation {
                device_id: eui(CHF),
                firmware_version: "9001".into(),
            },
        ),
        (
            "cos-certificate",
            DccAlertBody::CosCertificateAlert {
                device_id: eui(ESME),
                // libxml2 (2.9–2.14) accepts xs:integer values of at most 24 digits, fewer
                // than the 39 of a 16-octet serial the XSD allows: stay within its limit here
                // (longer serials are covered by the unit tests of the decimal conversion).
                certificate_serial_number: Some(vec![0xFF; 9]),
            },
        ),
        (
            "cos-certificate-no-serial",
            DccAlertBody::CosCertificateAlert {
                device_id: eui(ESME),
                certificate_serial_number: None,
            },
        ),
        (
            "duis-version-dcc-alert",
            DccAlertBody::DuisVersionMismatch(DuisVersionMismatch {
                mismatch: VersionMismatch::DccAlert {
                    dcc_alert_code: DccAlertCode::N65,
                    device_id: Some(eui(ESME)),
                    request_id: Some(rid()),
                },
                service_user_duis_version: "5.1".into(),
            }),
        ),
        (
            "duis-version-response",
            DccAlertBody::DuisVersionMismatch(DuisVersionMismatch {
                mismatch: VersionMismatch::ServiceResponse {
                    request_id: rid(),
                    service_reference: "4.1".into(),
                    service_reference_variant: "4.1.1".into(),
                    service_request_duis_version: "5.4".into(),
                },
                service_user_duis_version: "5.1".into(),
            }),
        ),
    ];
    for breach in AdBreach::ALL {
        bodies.push((
            "quarantined",
            DccAlertBody::QuarantinedRequest(QuarantinedRequest {
                breach: *breach,
                request_id: rid(),
                quarantine_event_ref: u64::MAX,
            }),
        ));
    }
    let changes = [
        DeviceStatusChange::MeterIdentity {
            mpxns: full_mpxns(),
            esme_variant: Some(EsmeVariant::A),
        },
        DeviceStatusChange::MeterIdentity {
            mpxns: MeterMpxns::import("1"),
            esme_variant: None,
        },
        DeviceStatusChange::MeterDecommissioningOrWithdrawal {
            mpxns: full_mpxns(),
            associated_type1_devices: DeviceType::ALL
                .iter()
                .take(7)
                .enumerate()
                .map(|(i, t)| (eui(i as u64), *t))
                .collect(),
        },
        DeviceStatusChange::MeterDecommissioningOrWithdrawal {
            mpxns: MeterMpxns::import("1234567890"),
            associated_type1_devices: vec![],
        },
        DeviceStatusChange::DeviceRemovedFromInventory,
        DeviceStatusChange::ChfDecommissioning,
        DeviceStatusChange::DeviceSuspended,
        DeviceStatusChange::DeviceRestored,
        DeviceStatusChange::RecoveryCompleteAcbCredentials {
            supplier_certificate_types: CertificateType::ALL.to_vec(),
            network_operator_certificate_types: NetworkOperatorCertificateType::ALL.to_vec(),
        },
        DeviceStatusChange::RecoveryCompleteAcbCredentials {
            supplier_certificate_types: vec![CertificateType::KeyAgreement],
            network_operator_certificate_types: vec![],
        },
        DeviceStatusChange::RecoveryComplete,
    ];
    for change in changes {
        bodies.push((
            "status-change",
            DccAlertBody::DeviceStatusChange {
                device_id: eui(ESME),
                change,
            },
        ));
    }
    let details = [
        None,
        Some(DualBandDetail::LimitedDutyCycleActionTaken {
            device_id_to_suspend: eui(9),
        }),
        Some(DualBandDetail::SubGhzChannelChanged {
            channel: SubGhzChannel::Lower(61),
            scan_trigger: ScanTrigger::SubGhzNonGsmeDeviceRequest,
        }),
        Some(DualBandDetail::SubGhzChannelChanged {
            channel: SubGhzChannel::Upper(0),
            scan_trigger: ScanTrigger::SmHanFormation,
        }),
        Some(DualBandDetail::SubGhzChannelChanged {
            channel: SubGhzChannel::Upper(26),
            scan_trigger: ScanTrigger::RemotePartyCommand,
        }),
        Some(DualBandDetail::ScanRequestAssessmentOutcome {
            status: ScanRequestStatus::GsmeOtaDistributionUnderway,
            scan_trigger: ScanTrigger::GsmeMissedItsCurfew,
        }),
        Some(DualBandDetail::MessageDiscardedDueToDutyCycleManagement {
            request_id: rid(),
            cra_flag: CraFlag::Alert,
        }),
        Some(DualBandDetail::NoMoreSubGhzDeviceCapacity {
            device_id: eui(9),
            device_type: Some(DeviceType::Gsme),
        }),
        Some(DualBandDetail::NoMoreSubGhzDeviceCapacity {
            device_id: eui(9),
            device_type: None,
        }),
    ];
    for (i, detail) in details.into_iter().enumerate() {
        bodies.push((
            "dual-band",
            DccAlertBody::DualBandChAlert(DualBandChAlert {
                chf_device_id: eui(CHF),
                device_alert_code: 0x8F8A,
                gbcs_message_code: (i % 2 == 0).then_some(0x00CB),
                detail,
            }),
        ));
    }
    bodies
}

/// Every builder and branch: device alerts, every DCC alert code, every DCC alert body, both
/// future-dated alert codes.
fn documents() -> Vec<(String, String)> {
    let mut docs = Vec::new();
    let device = AlertHeader::device(eui(ESME), eui(USER), 0x0000_0100_0000_07D1, dt());
    docs.push((
        "device".into(),
        device_alert(&device, &DeviceAlert::new(0x8F20, vec![0xDD, 0, 1, 2])).unwrap(),
    ));
    docs.push((
        "device-empty-payload".into(),
        device_alert(&device, &DeviceAlert::new(0, vec![])).unwrap(),
    ));
    let throttled = DeviceAlert {
        throttled_alert_sequence_id: Some(u32::MAX),
        throttled_alert_count: Some(0),
        ..DeviceAlert::new(0xFFFF, (0..=255).collect())
    };
    docs.push((
        "device-throttled".into(),
        device_alert(
            &device
                .clone()
                .with_request_id(rid())
                .with_response_code(ResponseCode::E21),
            &throttled,
        )
        .unwrap(),
    ));
    let only_sequence = DeviceAlert {
        throttled_alert_sequence_id: Some(1),
        ..DeviceAlert::new(0x8002, vec![1])
    };
    docs.push((
        "device-sequence-only".into(),
        device_alert(&device, &only_sequence).unwrap(),
    ));
    for (i, code) in DccAlertCode::ALL.iter().enumerate() {
        let mut alert = DccAlert::new(*code, DccAlertBody::PowerOutage(power_outage()));
        if i % 3 == 0 {
            alert.throttled_alert_sequence_id = Some(i as u32);
            alert.throttled_alert_count = Some(u32::MAX);
        }
        docs.push((
            format!("dcc-code-{code}"),
            dcc_alert(&dcc_header(i as u64), &alert).unwrap(),
        ));
    }
    for (i, (name, body)) in every_dcc_body().into_iter().enumerate() {
        docs.push((
            format!("dcc-body-{i}-{name}"),
            dcc_alert(
                &dcc_header(u64::MAX),
                &DccAlert::new(DccAlertCode::N1, body),
            )
            .unwrap(),
        ));
    }
    let header = ResponseHeader::new(rid(), ResponseCode::I0, dt()).with_response_id();
    for code in [FutureDatedAlertCode::Success, FutureDatedAlertCode::Failure] {
        let alert = FutureDatedDeviceAlert {
            code,
            gbcs_payload: vec![0xDF, 9, 8],
            instruction_number: 1,
            total_command_instructions: u16::MAX,
        };
        docs.push((
            format!("future-dated-{:04X}", code.code()),
            future_dated_device_alert(&header, service_variant("2.1").unwrap(), &alert).unwrap(),
        ));
    }
    docs
}

/// The corpus, if present and xmllint is installed.
fn validation_setup(test: &str) -> Option<PathBuf> {
    let corpus = common::corpus_or_skip(test)?;
    xmllint_available().then_some(corpus)
}

#[test]
fn every_alert_builder_output_validates_against_the_xsd() {
    let Some(corpus) = validation_setup("every_alert_builder_output_validates") else {
        return;
    };
    let docs = documents();
    assert!(docs.len() > 120, "{}", docs.len());
    if let Err(report) = validate_all(&corpus, &docs) {
        panic!("{report}");
    }
}

#[test]
fn the_validator_rejects_broken_alerts() {
    let Some(corpus) = validation_setup("the_validator_rejects_broken_alerts") else {
        return;
    };
    let docs = documents();
    let get = |name: &str| docs.iter().find(|d| d.0 == name).unwrap().1.clone();
    let device = get("device");
    let dcc = get("dcc-code-N1");
    let bad = [
        // Odd number of hex digits.
        device.replace(">8F20<", ">8F2<"),
        // Not base64.
        device.replace("<sr:GBCSPayload>3QABAg==", "<sr:GBCSPayload>3QABAg=!"),
        // Code not in the enumeration.
        dcc.replace(">N1<", ">N32<"),
        // ImportMPxN longer than 13 characters.
        dcc.replace("<sr:MPxN>1234567890123<", "<sr:MPxN>12345678901234<"),
        // Two elements in the DCCAlert choice.
        dcc.replace("<sr:DCCAlert>", "<sr:DCCAlert><sr:RecoveryComplete/>"),
        // Code not in the FutureDatedAlertCode enumeration.
        get("future-dated-8F66").replace(">8F66<", ">8F65<"),
        // The ResponseID of an alert after the ResponseCode.
        device
            .replace("<sr:ResponseCode>I0</sr:ResponseCode>", "")
            .replace(
                "</sr:Header>",
                "<sr:ResponseCode>I0</sr:ResponseCode></sr:Header>",
            ),
    ];
    for b in &bad {
        assert_ne!(b, &device);
        assert_ne!(b, &dcc);
        let result = validate_all(&corpus, &[("mutated".into(), b.clone())]);
        assert!(result.is_err(), "xmllint accepted an invalid document: {b}");
    }
    // Control: dropping an optional element keeps the document valid.
    let control = get("device-throttled").replace(
        "<sr:ThrottledAlertSequenceId>4294967295</sr:ThrottledAlertSequenceId>",
        "",
    );
    assert_ne!(control, get("device-throttled"));
    let result = validate_all(&corpus, &[("control".into(), control)]);
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn device_alert_reads_back() {
    let h = AlertHeader::device(eui(ESME), eui(USER), 42, dt());
    let xml = device_alert(&h, &DeviceAlert::new(0x0A0B, vec![0xDD, 0xFF, 0x00])).unwrap();
    let e = parse(&xml);
    assert_eq!(e.name, "Response");
    assert_eq!(e.attr("schemaVersion"), Some("5.4"));
    assert!(e.find(&["Header", "RequestID"]).is_none());
    assert_eq!(
        e.text_of(&["Header", "ResponseID"]),
        Some("00-DB-12-34-56-78-90-A0:90-B3-D5-1F-30-01-00-00:42")
    );
    assert_eq!(e.text_of(&["Header", "ResponseCode"]), Some("I0"));
    let m = e.find(&["Body", "DeviceAlertMessage"]).unwrap();
    assert_eq!(m.text_of(&["AlertCode"]), Some("0A0B"));
    assert_eq!(m.text_of(&["GBCSPayload"]), Some("3f8A"));
    let order: Vec<&str> = m.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(order, ["AlertCode", "GBCSPayload"]);
}

#[test]
fn power_outage_alert_reads_back() {
    let xml = dcc_alert(&dcc_header(9), &DccAlert::power_outage(power_outage())).unwrap();
    let e = parse(&xml);
    let m = e.find(&["Body", "DCCAlertMessage"]).unwrap();
    assert_eq!(m.text_of(&["DCCAlertCode"]), Some("AD1"));
    let p = m.find(&["DCCAlert", "PowerOutageEvent"]).unwrap();
    assert_eq!(
        p.text_of(&["CommsHubDeviceID"]),
        Some("88-73-84-90-6A-10-02-DB")
    );
    assert_eq!(p.text_of(&["StartDateTime"]), Some("2025-12-28T16:48:00Z"));
    assert_eq!(p.text_of(&["MPxN"]), Some("1234567890123"));
    assert_eq!(
        e.text_of(&["Header", "ResponseID"]),
        Some("00-00-00-00-00-00-00-01:90-B3-D5-1F-30-01-00-00:9")
    );
}

#[test]
fn quarantined_request_and_command_failure_read_back() {
    let q = DccAlertBody::QuarantinedRequest(QuarantinedRequest {
        breach: AdBreach::DccThreshold,
        request_id: rid(),
        quarantine_event_ref: 12_345,
    });
    let e = parse(&dcc_alert(&dcc_header(1), &DccAlert::new(DccAlertCode::N42, q)).unwrap());
    let b = e
        .find(&[
            "Body",
            "DCCAlertMessage",
            "DCCAlert",
            "QuarantinedRequest",
            "ADDCCThresholdBreach",
        ])
        .unwrap();
    assert_eq!(b.text_of(&["RequestID"]), Some(rid().to_string().as_str()));
    assert_eq!(b.text_of(&["QuarantineEventRef"]), Some("12345"));

    let f = DccAlertBody::CommandFailure(CommandFailure {
        command_request_id: rid(),
        dsp_schedule_id: Some(77),
        device_id: eui(ESME),
    });
    let e = parse(&dcc_alert(&dcc_header(2), &DccAlert::new(DccAlertCode::N9, f)).unwrap());
    let c = e
        .find(&["Body", "DCCAlertMessage", "DCCAlert", "CommandFailure"])
        .unwrap();
    let order: Vec<&str> = c.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(order, ["CommandRequestID", "DSPScheduleID", "DeviceID"]);
    assert_eq!(c.text_of(&["DSPScheduleID"]), Some("77"));
}

#[test]
fn text_is_escaped_and_survives_a_round_trip() {
    let info = "a < b & \"c\" 'd' ]]> \r\n\té😀";
    let body = DccAlertBody::EcosAlert(EcosAlert {
        alert_id: rid(),
        request_id: None,
        ecos_alert_code: "<&>".into(),
        device_id: eui(ESME),
        additional_information: Some(info.into()),
    });
    let xml = dcc_alert(&dcc_header(1), &DccAlert::new(DccAlertCode::N999, body)).unwrap();
    assert!(xml.contains("&lt;&amp;&gt;"), "{xml}");
    assert!(xml.contains("&#13;"), "{xml}");
    let e = parse(&xml);
    let a = e
        .find(&["Body", "DCCAlertMessage", "DCCAlert", "ECoSAlert"])
        .unwrap();
    assert_eq!(a.child("ECoSAlertCode").unwrap().text, "<&>");
    assert_eq!(a.child("AdditionalInformation").unwrap().text, info);
}

fn dcc_err(body: DccAlertBody) -> BuildError {
    dcc_alert(&dcc_header(1), &DccAlert::new(DccAlertCode::N1, body)).unwrap_err()
}

/// The XSD element or type a facet error names.
fn kind(e: &BuildError) -> &'static str {
    match e {
        BuildError::Invalid(v) => v.kind,
        other => panic!("not a facet error: {other:?}"),
    }
}

#[test]
fn facet_violations_are_build_errors() {
    let mut long_mpxn = power_outage();
    long_mpxn.mpxn = "12345678901234".into();
    assert_eq!(
        kind(&dcc_err(DccAlertBody::PowerOutage(long_mpxn))),
        "ImportMPxN"
    );
    let mut no_mpxn = power_outage();
    no_mpxn.mpxn = String::new();
    assert_eq!(
        kind(&dcc_err(DccAlertBody::PowerOutage(no_mpxn))),
        "ImportMPxN"
    );
    let mut ctl = power_outage();
    ctl.mpxn = "12\u{1}".into();
    assert_eq!(kind(&dcc_err(DccAlertBody::PowerOutage(ctl))), "ImportMPxN");

    assert_eq!(
        kind(&dcc_err(DccAlertBody::DspScheduleRemoval {
            device_id: eui(1),
            dsp_schedule_id: duis::alert::MAX_DSP_SCHEDULE_ID + 1,
        })),
        "DSPScheduleID"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::CommandFailure(CommandFailure {
            command_request_id: rid(),
            dsp_schedule_id: Some(u64::MAX),
            device_id: eui(1),
        }))),
        "DSPScheduleID"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::FirmwareDistributionFailure {
            update_firmware_request_id: rid(),
            meter_ids: vec![],
        })),
        "MeterIDs"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::FirmwareUpgradeRequested {
            device_type: DeviceType::Esme,
            firmware_version: "1".into(),
            devices: vec![],
        })),
        "DeviceList"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::FirmwareUpgradeRequested {
            device_type: DeviceType::Esme,
            firmware_version: "123456789".into(),
            devices: vec![eui(1)],
        })),
        "FirmwareVersion"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::CommsHubFirmwareActivation {
            device_id: eui(1),
            firmware_version: String::new(),
        })),
        "FirmwareVersion"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::ChangeOfSupplier(
            ChangeOfSupplier::Request {
                request_id: rid(),
                ecos_error_code: Some("E1".into()),
            }
        ))),
        "ECoSErrorCode"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::ChangeOfSupplier(
            ChangeOfSupplier::Device {
                device_id: eui(1),
                device_type: DeviceType::Esme,
                mpxns: MeterMpxns {
                    export_mpan: Some("123".into()),
                    ..MeterMpxns::import("1")
                },
            }
        ))),
        "MPAN"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::DeviceStatusChange {
            device_id: eui(1),
            change: DeviceStatusChange::MeterDecommissioningOrWithdrawal {
                mpxns: MeterMpxns::import("1"),
                associated_type1_devices: vec![(eui(2), DeviceType::Ihd); 8],
            },
        })),
        "AssociatedType1Device"
    );
    for (suppliers, operators) in [(0, 0), (4, 0), (1, 3)] {
        let change = DeviceStatusChange::RecoveryCompleteAcbCredentials {
            supplier_certificate_types: vec![CertificateType::DigitalSigning; suppliers],
            network_operator_certificate_types: vec![
                NetworkOperatorCertificateType::KeyAgreement;
                operators
            ],
        };
        let e = dcc_err(DccAlertBody::DeviceStatusChange {
            device_id: eui(1),
            change,
        });
        assert!(
            matches!(
                kind(&e),
                "SupplierCertificateType" | "NetworkOperatorCertificateType"
            ),
            "{e:?}"
        );
    }
    let credentials = |certificates: usize, floor: u64, top_up: Option<u64>| {
        DccAlertBody::SecurityCredentialsUpdated(SecurityCredentialsUpdated {
            device_id: eui(1),
            remote_party_role: RemotePartyRole::Acb,
            seq_number_change: Some(RemotePartySeqNumberChange {
                floor_seq_number: floor,
                prepayment_top_up_floor_seq_number: top_up,
            }),
            certificates: vec![
                CertificateHash {
                    certificate_type: CertificateType::DigitalSigning,
                    sha1: [1; 20],
                };
                certificates
            ],
        })
    };
    assert_eq!(kind(&dcc_err(credentials(0, 0, None))), "Certificates");
    assert_eq!(kind(&dcc_err(credentials(4, 0, None))), "Certificates");
    assert_eq!(
        kind(&dcc_err(credentials(1, 1 << 63, None))),
        "RemotePartyFloorSeqNumber"
    );
    assert_eq!(
        kind(&dcc_err(credentials(1, 0, Some(u64::MAX)))),
        "RemotePartyPrepaymentTopUpFloorSeqNumber"
    );
    assert!(
        dcc_alert(
            &dcc_header(1),
            &DccAlert::new(DccAlertCode::N1, credentials(3, (1 << 63) - 1, Some(0)))
        )
        .is_ok()
    );
    for channel in [SubGhzChannel::Lower(62), SubGhzChannel::Upper(27)] {
        let e = dcc_err(DccAlertBody::DualBandChAlert(DualBandChAlert {
            chf_device_id: eui(1),
            device_alert_code: 1,
            gbcs_message_code: None,
            detail: Some(DualBandDetail::SubGhzChannelChanged {
                channel,
                scan_trigger: ScanTrigger::GsmeRequest,
            }),
        }));
        assert!(kind(&e).ends_with("SubGHzChannel"), "{e:?}");
    }
    assert_eq!(
        kind(&dcc_err(DccAlertBody::CosCertificateAlert {
            device_id: eui(1),
            certificate_serial_number: Some(vec![1; 21]),
        })),
        "CertificateSerialNumber"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::DeviceLogRestored(
            DeviceLogRestored {
                restored_date: time::Date::from_calendar_date(-1, time::Month::January, 1).unwrap(),
                log: DeviceLog::Chf,
                ids: ChfGpfDeviceIds {
                    old_chf: eui(1),
                    new_chf: eui(2),
                    old_gpf: eui(3),
                    new_gpf: eui(4),
                },
            }
        ))),
        "xs:date"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::DuisVersionMismatch(
            DuisVersionMismatch {
                mismatch: VersionMismatch::ServiceResponse {
                    request_id: rid(),
                    service_reference: "4.1".into(),
                    service_reference_variant: "4.1.1\u{FFFE}".into(),
                    service_request_duis_version: "5.4".into(),
                },
                service_user_duis_version: "5.1".into(),
            }
        ))),
        "ServiceReferenceVariant"
    );
    assert_eq!(
        kind(&dcc_err(DccAlertBody::EcosAlert(EcosAlert {
            alert_id: rid(),
            request_id: None,
            ecos_alert_code: "X".into(),
            device_id: eui(1),
            additional_information: Some("\u{0}".into()),
        }))),
        "AdditionalInformation"
    );
}

/// Arbitrary text: markup characters, CR/LF/tab, non-ASCII, and occasionally a character XML
/// forbids.
fn arbitrary_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[a-zA-Z0-9 &<>\"'\\r\\n\\té€😀\u{1}\u{FFFF}]{{0,{max}}}"
    ))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn device_alerts_read_back(
        code in any::<u16>(),
        sequence in proptest::option::of(any::<u32>()),
        count in proptest::option::of(any::<u32>()),
        payload in proptest::collection::vec(any::<u8>(), 0..300),
        device in any::<u64>(),
        counter in any::<u64>(),
    ) {
        let h = AlertHeader::device(eui(device), eui(USER), counter, dt());
        let alert = DeviceAlert {
            throttled_alert_sequence_id: sequence,
            throttled_alert_count: count,
            ..DeviceAlert::new(code, payload.clone())
        };
        let e = parse(&device_alert(&h, &alert).unwrap());
        let m = e.find(&["Body", "DeviceAlertMessage"]).unwrap();
        prop_assert_eq!(
            u16::from_str_radix(m.text_of(&["AlertCode"]).unwrap(), 16).unwrap(),
            code
        );
        prop_assert_eq!(m.text_of(&["AlertCode"]).unwrap().len(), 4);
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(m.text_of(&["GBCSPayload"]).unwrap())
            .unwrap();
        prop_assert_eq!(decoded, payload);
        prop_assert_eq!(
            m.text_of(&["ThrottledAlertSequenceId"]).map(|s| s.parse::<u32>().unwrap()),
            sequence
        );
        prop_assert_eq!(
            m.text_of(&["ThrottledAlertCount"]).map(|s| s.parse::<u32>().unwrap()),
            count
        );
        let id: RequestId = e.text_of(&["Header", "ResponseID"]).unwrap().parse().unwrap();
        prop_assert_eq!(id, RequestId::new(eui(device), eui(USER), counter));
    }

    /// Arbitrary strings either build a document that reads back exactly, or are refused:
    /// never a panic, never a document carrying a forbidden character.
    #[test]
    fn ecos_alert_text_builds_or_is_refused(
        code in arbitrary_text(20),
        info in proptest::option::of(arbitrary_text(80)),
    ) {
        let body = DccAlertBody::EcosAlert(EcosAlert {
            alert_id: rid(),
            request_id: Some(rid()),
            ecos_alert_code: code.clone(),
            device_id: eui(ESME),
            additional_information: info.clone(),
        });
        let forbidden = |s: &str| s.contains(['\u{1}', '\u{FFFF}']);
        match dcc_alert(&dcc_header(1), &DccAlert::new(DccAlertCode::N55, body)) {
            Ok(xml) => {
                prop_assert!(!forbidden(&code) && !info.as_deref().is_some_and(forbidden));
                let e = parse(&xml);
                let a = e.find(&["Body", "DCCAlertMessage", "DCCAlert", "ECoSAlert"]).unwrap();
                prop_assert_eq!(&a.child("ECoSAlertCode").unwrap().text, &code);
                prop_assert_eq!(
                    a.child("AdditionalInformation").map(|c| c.text.clone()),
                    info
                );
            }
            Err(e) => {
                prop_assert!(forbidden(&code) || info.as_deref().is_some_and(forbidden), "{e:?}");
            }
        }
    }
}

#[test]
fn arbitrary_power_outage_alerts_validate() {
    let Some(corpus) = validation_setup("arbitrary_power_outage_alerts_validate") else {
        return;
    };
    let strategy = (
        any::<u64>(),
        proptest::string::string_regex("[0-9A-Za-z &<>é\\r\\n]{1,13}").unwrap(),
        0i64..253_402_300_799,
        any::<u64>(),
        proptest::option::of(any::<u32>()),
    );
    let mut runner = TestRunner::deterministic();
    let docs: Vec<(String, String)> = (0..150)
        .map(|i| {
            let (chf, mpxn, secs, counter, throttled) =
                strategy.new_tree(&mut runner).unwrap().current();
            let start = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let alert = DccAlert {
                throttled_alert_count: throttled,
                ..DccAlert::power_outage(PowerOutageEvent {
                    comms_hub_device_id: eui(chf),
                    start_date_time: ResponseDateTime::from_datetime(start).unwrap(),
                    mpxn,
                })
            };
            let header = AlertHeader::dcc(eui(DCC), eui(USER), counter, dt());
            (format!("outage-{i}"), dcc_alert(&header, &alert).unwrap())
        })
        .collect();
    if let Err(report) = validate_all(&corpus, &docs) {
        panic!("{report}");
    }
}
