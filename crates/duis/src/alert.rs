//! Unsigned DUIS alert documents: device alerts the DCC forwards and alerts it raises itself.
//!
//! Alerts travel as `sr:Response` documents (schema version 5.4) whose `sr:Body` holds a
//! `sr:DeviceAlertMessage` ([`device_alert`]) or a `sr:DCCAlertMessage` ([`dcc_alert`]). The
//! outcome of a future-dated command (GBCS alert `8F66` / `8F67`) is the exception: it is a
//! `ResponseMessage` carrying a `FutureDatedDeviceAlertMessage` ([`future_dated_device_alert`]).
//!
//! Like [`crate::response`], every builder is deterministic (the `ResponseDateTime` and every
//! identifier come from the caller), checks its inputs against the XSD facets and returns
//! [`BuildError`] rather than writing a document the DUIS 5.4 schema would reject. The XML
//! signature is appended later by `xmldsig`.
//!
//! # Header
//!
//! The XSD makes both `RequestID` and `ResponseID` optional. For alerts DUIS identifies the
//! message with the `ResponseID`, so [`AlertHeader`] requires one; its shape is
//! `originator:recipient:counter`:
//! - device alert: the device that raised it, the user it is sent to, and the alert's GBCS
//!   originator counter ([`AlertHeader::device`]);
//! - DCC alert: the DCC's own identifier, the user it is sent to, and a DCC counter strictly
//!   increasing per recipient ([`AlertHeader::dcc`]).
//!
//! A `RequestID` is written only when the caller attaches one ([`AlertHeader::with_request_id`]);
//! unsolicited alerts carry none. The `ResponseCode` of an alert is normally `I0`.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use eui::Eui64;
use time::Date;

use crate::datetime::{ResponseDateTime, format_date};
use crate::matrix::ServiceVariant;
use crate::request_id::RequestId;
use crate::response::{BuildError, RESPONSE_SCHEMA_VERSION, ResponseHeader};
use crate::response_code::ResponseCode;
use crate::types::{DeviceType, EsmeVariant, InvalidValue, check_len, facet};
use crate::writer::{XmlWriter, checked};

/// Length facets (name, min, max characters) of the string types used only by alerts.
mod alert_facet {
    pub const ECOS_ERROR_CODE: (&str, usize, usize) = ("ECoSErrorCode", 3, 3);
}

/// Largest `sr:scheduleID` (DSP schedule identifier).
pub const MAX_DSP_SCHEDULE_ID: u64 = 1_000_000_000_000;

/// Largest `sr:floorSequenceNumber`.
pub const MAX_FLOOR_SEQUENCE_NUMBER: u64 = 9_223_372_036_854_775_807;

/// Largest certificate serial number written in a `CoSCertificateAlert`, in octets (RFC 5280
/// §4.1.2.2), after leading zero octets are dropped.
pub const MAX_SERIAL_NUMBER_OCTETS: usize = 20;

use crate::types::string_enum;

string_enum! {
    /// `DCCAlertCode` of a `DCCAlertMessage`: every value the DUIS 5.4 XSD enumerates (`AD1`,
    /// `N1` to `N65` without `N32`, and `N999`).
    DccAlertCode ("DCCAlertCode") {
        /// Power outage: a CHF reported loss of AC power (to the electricity distributor).
        Ad1 = "AD1",
        N1 = "N1", N2 = "N2", N3 = "N3", N4 = "N4", N5 = "N5", N6 = "N6", N7 = "N7",
        N8 = "N8", N9 = "N9", N10 = "N10", N11 = "N11", N12 = "N12", N13 = "N13",
        N14 = "N14", N15 = "N15", N16 = "N16", N17 = "N17", N18 = "N18", N19 = "N19",
        N20 = "N20", N21 = "N21", N22 = "N22", N23 = "N23", N24 = "N24", N25 = "N25",
        N26 = "N26", N27 = "N27", N28 = "N28", N29 = "N29", N30 = "N30", N31 = "N31",
        N33 = "N33", N34 = "N34", N35 = "N35", N36 = "N36", N37 = "N37", N38 = "N38",
        N39 = "N39", N40 = "N40", N41 = "N41", N42 = "N42", N43 = "N43", N44 = "N44",
        N45 = "N45", N46 = "N46", N47 = "N47", N48 = "N48", N49 = "N49", N50 = "N50",
        N51 = "N51", N52 = "N52", N53 = "N53", N54 = "N54", N55 = "N55", N56 = "N56",
        N57 = "N57", N58 = "N58", N59 = "N59", N60 = "N60", N61 = "N61", N62 = "N62",
        N63 = "N63", N64 = "N64", N65 = "N65", N999 = "N999",
    }
}

string_enum! {
    /// Which anomaly-detection threshold quarantined a request (`sr:QuarantinedRequest`).
    AdBreach ("QuarantinedRequest") {
        /// The user's own anomaly-detection threshold.
        UserThreshold = "ADUserThresholdBreach",
        /// The DCC's anomaly-detection threshold.
        DccThreshold = "ADDCCThresholdBreach",
        /// The attribute limits set for the request's values.
        AttributeLimits = "ADAttributeLimitsBreach",
    }
}

string_enum! {
    /// `CertificateType` of a `SecurityCredentialsUpdated` certificate, and the values of
    /// `SupplierCertificateType` in `RecoveryCompleteACBCredentials`.
    CertificateType ("CertificateType") {
        DigitalSigning = "DigitalSigning",
        KeyAgreement = "KeyAgreement",
        KeyAgreementTopUp = "KeyAgreementTopUp",
    }
}

string_enum! {
    /// `NetworkOperatorCertificateType` in `RecoveryCompleteACBCredentials`.
    NetworkOperatorCertificateType ("NetworkOperatorCertificateType") {
        DigitalSigning = "DigitalSigning",
        KeyAgreement = "KeyAgreement",
    }
}

string_enum! {
    /// `sr:RemotePartyRole`.
    RemotePartyRole ("RemotePartyRole") {
        Acb = "ACB",
        NetworkOperator = "NetworkOperator",
        Recovery = "Recovery",
        Root = "Root",
        Supplier = "Supplier",
        TransCoS = "TransCoS",
        LoadController = "LoadController",
    }
}

string_enum! {
    /// `ActivateImageResultCode` of a `PPMIDFirmwareUpgradeAlert`.
    ActivationResult ("ActivateImageResultCode") {
        Success = "ActivationSuccess",
        Failure = "ActivationFailure",
    }
}

string_enum! {
    /// `CommsHubTransferStatus` of a `CSPFirmwareDeliveryStatus`.
    CommsHubTransferStatus ("CommsHubTransferStatus") {
        Success = "Success",
        Failure = "Failure",
    }
}

string_enum! {
    /// `TransferResponseCode` of a `FirmwareTransferAlert`.
    TransferResponseCode ("TransferResponseCode") {
        FileTransferSuccess = "FileTransferSuccess",
        FirmwareImageDiscarded = "FirmwareImageDiscarded",
        HardwareVersionMismatch = "HardwareVersionMismatch",
        FileTransferFailure = "FileTransferFailure",
    }
}

string_enum! {
    /// `FirmwareVersionUpdateStatus` of a `SMETS1CHFirmwareNotification`.
    FirmwareVersionUpdateStatus ("FirmwareVersionUpdateStatus") {
        UpdateRequested = "UpdateRequested",
        ActivationSuccessful = "ActivationSuccessful",
    }
}

string_enum! {
    /// `sr:ScanTrigger`: why a dual-band CH scanned the sub-GHz band.
    ScanTrigger ("ScanTrigger") {
        RemotePartyCommand = "RemotePartyCommand",
        GsmeRequest = "GSMERequest",
        GsmeMissedItsCurfew = "GSMEMissedItsCurfew",
        GsmeMissingForTheLastDay = "GSMEMissingForTheLastDay",
        ChDetectedMessageFailureProblems = "CHDetectedMessageFailureProblems",
        ChDetectedMessageRetryProblems = "CHDetectedMessageRetryProblems",
        SubGhzNonGsmeDeviceRequest = "SubGHzNon-GSMEDeviceRequest",
        SmHanFormation = "SMHANFormation",
    }
}

string_enum! {
    /// `StatusCode` of a `SubGHzChannelScanRequestAssessmentOutcome`.
    ScanRequestStatus ("StatusCode") {
        ScanRequestAccepted = "ScanRequestAccepted",
        HhtConnected = "HHTConnected",
        DutyCycleUsageIsTooHigh = "DutyCycleUsageIsTooHigh",
        JoiningIsCurrentlyPermitted = "JoiningIsCurrentlyPermitted",
        GsmeOtaDistributionUnderway = "GSMEOTADistributionUnderway",
        TooManyScansToday = "TooManyScansToday",
        TooManyCommandsToday = "TooManyCommandsToday",
        TooManyScansThisWeek = "TooManyScansThisWeek",
    }
}

string_enum! {
    /// `sr:CRAFlag`: whether a discarded message was a command, response or alert.
    CraFlag ("CRAFlag") {
        Command = "Command",
        Response = "Response",
        Alert = "Alert",
    }
}

/// `sr:Response/sr:Header` of an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertHeader {
    /// `RequestID`, only when the alert answers a known service request (normally absent).
    pub request_id: Option<RequestId>,
    /// `ResponseID`: `originator:recipient:counter` (see the module documentation).
    pub response_id: RequestId,
    /// `ResponseCode` (normally `I0`).
    pub response_code: ResponseCode,
    /// `ResponseDateTime`.
    pub response_date_time: ResponseDateTime,
}

impl AlertHeader {
    /// A header with this `ResponseID`, response code `I0` and no `RequestID`.
    pub fn new(response_id: RequestId, response_date_time: ResponseDateTime) -> Self {
        Self {
            request_id: None,
            response_id,
            response_code: ResponseCode::I0,
            response_date_time,
        }
    }

    /// The header of a device alert: `ResponseID` = `device:recipient:counter`, where
    /// `counter` is the originator counter of the GBCS alert.
    pub fn device(
        device: Eui64,
        recipient: Eui64,
        counter: u64,
        response_date_time: ResponseDateTime,
    ) -> Self {
        Self::new(
            RequestId::new(device, recipient, counter),
            response_date_time,
        )
    }

    /// The header of a DCC alert: `ResponseID` = `dcc:recipient:counter`, where `dcc` is the
    /// identifier the DCC uses as originator and `counter` a DCC counter.
    pub fn dcc(
        dcc: Eui64,
        recipient: Eui64,
        counter: u64,
        response_date_time: ResponseDateTime,
    ) -> Self {
        Self::new(RequestId::new(dcc, recipient, counter), response_date_time)
    }

    /// Adds a `RequestID` (for an alert tied to a service request).
    pub fn with_request_id(mut self, request_id: RequestId) -> Self {
        self.request_id = Some(request_id);
        self
    }

    /// Replaces the response code.
    pub fn with_response_code(mut self, code: ResponseCode) -> Self {
        self.response_code = code;
        self
    }
}

/// `sr:DeviceAlertMessage`: a GBCS alert forwarded by the DCC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAlert {
    /// `AlertCode`: the two-byte GBCS alert code, written as four upper-case hex digits
    /// (`0x8F20` → `8F20`).
    pub alert_code: u16,
    /// `ThrottledAlertSequenceId`, when the DCC throttles this alert.
    pub throttled_alert_sequence_id: Option<u32>,
    /// `ThrottledAlertCount`, when the DCC throttles this alert.
    pub throttled_alert_count: Option<u32>,
    /// `GBCSPayload`: the GBCS alert exactly as the device sent it (base64 on output).
    pub gbcs_payload: Vec<u8>,
}

impl DeviceAlert {
    /// An unthrottled device alert.
    pub fn new(alert_code: u16, gbcs_payload: Vec<u8>) -> Self {
        Self {
            alert_code,
            throttled_alert_sequence_id: None,
            throttled_alert_count: None,
            gbcs_payload,
        }
    }
}

/// `FutureDatedAlertCode`: the two GBCS alert codes reporting the outcome of a future-dated
/// command (names as in the RTDS vectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FutureDatedAlertCode {
    /// `8F66`: the future-dated command was executed.
    Success,
    /// `8F67`: the future-dated command failed.
    Failure,
}

impl FutureDatedAlertCode {
    /// The GBCS alert code.
    pub const fn code(self) -> u16 {
        match self {
            Self::Success => 0x8F66,
            Self::Failure => 0x8F67,
        }
    }

    /// The code for a GBCS alert code, if it is `8F66` or `8F67`.
    pub const fn from_code(code: u16) -> Option<Self> {
        match code {
            0x8F66 => Some(Self::Success),
            0x8F67 => Some(Self::Failure),
            _ => None,
        }
    }
}

/// `sr:FutureDatedDeviceAlertMessage`: the device's report on a future-dated command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FutureDatedDeviceAlert {
    /// `FutureDatedAlertCode`.
    pub code: FutureDatedAlertCode,
    /// `GBCSPayload`: the GBCS alert (base64 on output).
    pub gbcs_payload: Vec<u8>,
    /// `InstructionNumber`: which instruction of the originating command this reports on.
    pub instruction_number: u16,
    /// `TotalCommandInstructions`: how many instructions the originating command had.
    pub total_command_instructions: u16,
}

/// `sr:DCCAlertMessage`: an alert the DCC raises itself.
///
/// DUIS pairs each `DCCAlertCode` with one kind of [`DccAlertBody`]; the pairing is the
/// caller's (this builder checks what the XSD checks, and the XSD does not tie them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DccAlert {
    /// `DCCAlertCode`.
    pub code: DccAlertCode,
    /// `ThrottledAlertSequenceId`, when the DCC throttles this alert.
    pub throttled_alert_sequence_id: Option<u32>,
    /// `ThrottledAlertCount`, when the DCC throttles this alert.
    pub throttled_alert_count: Option<u32>,
    /// `DCCAlert`.
    pub body: DccAlertBody,
}

impl DccAlert {
    /// An unthrottled DCC alert.
    pub fn new(code: DccAlertCode, body: DccAlertBody) -> Self {
        Self {
            code,
            throttled_alert_sequence_id: None,
            throttled_alert_count: None,
            body,
        }
    }

    /// The `AD1` power outage alert.
    pub fn power_outage(event: PowerOutageEvent) -> Self {
        Self::new(DccAlertCode::Ad1, DccAlertBody::PowerOutage(event))
    }
}

/// `sr:PowerOutageEvent`: a communications hub reported loss of AC power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerOutageEvent {
    /// `CommsHubDeviceID`: the CHF that reported the outage.
    pub comms_hub_device_id: Eui64,
    /// `StartDateTime`: when the outage began.
    pub start_date_time: ResponseDateTime,
    /// `MPxN`: the import MPAN of the supply (1 to 13 characters).
    pub mpxn: String,
}

/// `sr:MeterMPxNs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterMpxns {
    /// `ImportMPxN` (1 to 13 characters).
    pub import_mpxn: String,
    /// `SecondaryImportMPAN` (13 characters).
    pub secondary_import_mpan: Option<String>,
    /// `ExportMPAN` (13 characters).
    pub export_mpan: Option<String>,
}

impl MeterMpxns {
    /// Just an import MPxN.
    pub fn import(import_mpxn: impl Into<String>) -> Self {
        Self {
            import_mpxn: import_mpxn.into(),
            secondary_import_mpan: None,
            export_mpan: None,
        }
    }
}

/// `sr:DeviceStatusChange`: what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceStatusChange {
    /// `MeterIdentity`: the meter's MPxNs (and ESME variant) were set or changed.
    MeterIdentity {
        /// `MeterMPxNs`.
        mpxns: MeterMpxns,
        /// `ESMEVariant`.
        esme_variant: Option<EsmeVariant>,
    },
    /// `MeterDecommissioningOrWithdrawal`.
    MeterDecommissioningOrWithdrawal {
        /// `MeterDecommissionOrWithdrawal`: the meter's MPxNs.
        mpxns: MeterMpxns,
        /// `AssociatedType1Device`: up to 7 associated devices (ID and type).
        associated_type1_devices: Vec<(Eui64, DeviceType)>,
    },
    /// `DeviceRemovedFromInventory`.
    DeviceRemovedFromInventory,
    /// `CHFDecommissioning`.
    ChfDecommissioning,
    /// `DeviceSuspended`.
    DeviceSuspended,
    /// `DeviceRestored`.
    DeviceRestored,
    /// `RecoveryCompleteACBCredentials`: which credentials recovery replaced.
    RecoveryCompleteAcbCredentials {
        /// `SupplierCertificateType`: 1 to 3 values.
        supplier_certificate_types: Vec<CertificateType>,
        /// `NetworkOperatorCertificateType`: 0 to 2 values.
        network_operator_certificate_types: Vec<NetworkOperatorCertificateType>,
    },
    /// `RecoveryComplete`.
    RecoveryComplete,
}

/// `sr:CommandFailure`: the DCC could not deliver a command, or had no response to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFailure {
    /// `CommandRequestID`: the RequestID of the failed command.
    pub command_request_id: RequestId,
    /// `DSPScheduleID`, for a DCC-scheduled command (≤ [`MAX_DSP_SCHEDULE_ID`]).
    pub dsp_schedule_id: Option<u64>,
    /// `DeviceID`.
    pub device_id: Eui64,
}

/// `sr:ChangeOfSupplier`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOfSupplier {
    /// Outcome of a change-of-supplier service request.
    Request {
        /// `ChangeOfSupplierServiceRequestID`.
        request_id: RequestId,
        /// `ECoSErrorCode` (exactly 3 characters).
        ecos_error_code: Option<String>,
    },
    /// `DeviceChangeOfSupplier`: a device changed supplier.
    Device {
        /// `DeviceID`.
        device_id: Eui64,
        /// `DeviceType`.
        device_type: DeviceType,
        /// `MPxNs`.
        mpxns: MeterMpxns,
    },
}

/// `sr:CHFGPFDeviceIDs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChfGpfDeviceIds {
    /// `OldCHFDeviceID`.
    pub old_chf: Eui64,
    /// `NewCHFDeviceID`.
    pub new_chf: Eui64,
    /// `OldGPFDeviceID`.
    pub old_gpf: Eui64,
    /// `NewGPFDeviceID`.
    pub new_gpf: Eui64,
}

/// Which device log a `DeviceLogRestored` alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceLog {
    /// `CHFDeviceLog`.
    Chf,
    /// `GPFDeviceLog`.
    Gpf,
}

/// `sr:DeviceLogRestored`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceLogRestored {
    /// `RestoredDate`.
    pub restored_date: Date,
    /// Which log.
    pub log: DeviceLog,
    /// The devices.
    pub ids: ChfGpfDeviceIds,
}

/// `sr:PPMIDFirmwareUpgradeAlert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PpmidFirmwareUpgrade {
    /// `FirmwareVersion` (1 to 8 characters).
    pub firmware_version: String,
    /// `ActivateImageResultCode`.
    pub result: ActivationResult,
}

/// `sr:PPMIDAlert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PpmidAlert {
    /// `DeviceID`.
    pub device_id: Eui64,
    /// `DeviceAlertCode` (four hex digits).
    pub device_alert_code: u16,
    /// `Timestamp`.
    pub timestamp: Option<ResponseDateTime>,
    /// `PPMIDFirmwareUpgradeAlert`.
    pub firmware_upgrade: Option<PpmidFirmwareUpgrade>,
}

/// `sr:RemotePartySeqNumberChange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemotePartySeqNumberChange {
    /// `RemotePartyFloorSeqNumber` (≤ [`MAX_FLOOR_SEQUENCE_NUMBER`]).
    pub floor_seq_number: u64,
    /// `RemotePartyPrepaymentTopUpFloorSeqNumber` (≤ [`MAX_FLOOR_SEQUENCE_NUMBER`]).
    pub prepayment_top_up_floor_seq_number: Option<u64>,
}

/// One `sr:Certificates` entry: a certificate's type and SHA-1 hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateHash {
    /// `CertificateType`.
    pub certificate_type: CertificateType,
    /// `CertificateHash` (base64 on output).
    pub sha1: [u8; 20],
}

/// `sr:SecurityCredentialsUpdated`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityCredentialsUpdated {
    /// `DeviceID`.
    pub device_id: Eui64,
    /// `RemotePartyRole`.
    pub remote_party_role: RemotePartyRole,
    /// `RemotePartySeqNumberChange`.
    pub seq_number_change: Option<RemotePartySeqNumberChange>,
    /// `Certificates`: 1 to 3 entries.
    pub certificates: Vec<CertificateHash>,
}

/// `sr:QuarantinedRequest`: anomaly detection quarantined a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarantinedRequest {
    /// Which threshold was breached.
    pub breach: AdBreach,
    /// `RequestID` of the quarantined request.
    pub request_id: RequestId,
    /// `QuarantineEventRef` (an integer of at most 20 digits; every `u64` fits).
    pub quarantine_event_ref: u64,
}

/// `sr:FirmwareVersionMismatch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmwareVersionMismatch {
    /// `DeviceID`.
    pub device_id: Eui64,
    /// `DeviceType`.
    pub device_type: DeviceType,
    /// `FirmwareVersionSMI` (1 to 8 characters).
    pub firmware_version_smi: String,
    /// `FirmwareVersionDevice` (1 to 8 characters).
    pub firmware_version_device: String,
}

/// `OperatingSubGHzChannel`: a channel of the lower (0–61) or upper (0–26) sub-GHz band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubGhzChannel {
    /// `OperatingLowerBandSubGHzChannel/ChannelN`, N in 0..=61.
    Lower(u8),
    /// `OperatingUpperBandSubGHzChannel/ChannelN`, N in 0..=26.
    Upper(u8),
}

/// The optional detail of a `DualBandCHAlert` (the XSD choice, except
/// `SubGHzConfigurationChanged`, which this crate does not build).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DualBandDetail {
    /// `LimitedDutyCycleActionTaken`.
    LimitedDutyCycleActionTaken {
        /// `DeviceIDToSuspend`.
        device_id_to_suspend: Eui64,
    },
    /// `SubGHzChannelChanged`.
    SubGhzChannelChanged {
        /// `OperatingSubGHzChannel`.
        channel: SubGhzChannel,
        /// `ScanTrigger`.
        scan_trigger: ScanTrigger,
    },
    /// `SubGHzChannelScanRequestAssessmentOutcome`.
    ScanRequestAssessmentOutcome {
        /// `StatusCode`.
        status: ScanRequestStatus,
        /// `ScanTrigger`.
        scan_trigger: ScanTrigger,
    },
    /// `MessageDiscardedDueToDutyCycleManagement`.
    MessageDiscardedDueToDutyCycleManagement {
        /// `RequestID`.
        request_id: RequestId,
        /// `CRAFlag`.
        cra_flag: CraFlag,
    },
    /// `NoMoreSubGHzDeviceCapacity`.
    NoMoreSubGhzDeviceCapacity {
        /// `DeviceID`.
        device_id: Eui64,
        /// `DeviceType`.
        device_type: Option<DeviceType>,
    },
}

/// `sr:DualBandCHAlert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DualBandChAlert {
    /// `CHFDeviceID`.
    pub chf_device_id: Eui64,
    /// `DeviceAlertCode` (four hex digits).
    pub device_alert_code: u16,
    /// `GBCSHexadecimalMessageCode` (four hex digits).
    pub gbcs_message_code: Option<u16>,
    /// The detail.
    pub detail: Option<DualBandDetail>,
}

/// `sr:FirmwareTransferAlert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmwareTransferAlert {
    /// `UpdateFirmwareRequestID`.
    pub update_firmware_request_id: Option<RequestId>,
    /// `OtherDeviceID`.
    pub other_device_id: Eui64,
    /// `FirmwareVersion` (1 to 8 characters).
    pub firmware_version: String,
    /// `TransferResponseCode`.
    pub transfer_response_code: TransferResponseCode,
}

/// `sr:CommsHubAlert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommsHubAlert {
    /// `CommsHubDeviceID`.
    pub comms_hub_device_id: Eui64,
    /// `AlertCode` (four hex digits).
    pub alert_code: u16,
    /// `TimeStamp`.
    pub time_stamp: Option<ResponseDateTime>,
    /// `FirmwareTransferAlert`.
    pub firmware_transfer: Option<FirmwareTransferAlert>,
}

/// `sr:CSPFirmwareDeliveryStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspFirmwareDeliveryStatus {
    /// `UpdateFirmwareRequestID`.
    pub update_firmware_request_id: RequestId,
    /// `CommsHubDeviceID`.
    pub comms_hub_device_id: Eui64,
    /// `TargetDeviceID`.
    pub target_device_id: Eui64,
    /// `FirmwareVersion` (1 to 8 characters).
    pub firmware_version: String,
    /// `TimeStamp`.
    pub time_stamp: ResponseDateTime,
    /// `CommsHubTransferStatus`.
    pub status: CommsHubTransferStatus,
}

/// `sr:ECoSAlert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcosAlert {
    /// `AlertID`.
    pub alert_id: RequestId,
    /// `RequestID`.
    pub request_id: Option<RequestId>,
    /// `ECoSAlertCode`.
    pub ecos_alert_code: String,
    /// `DeviceID`.
    pub device_id: Eui64,
    /// `AdditionalInformation`.
    pub additional_information: Option<String>,
}

/// What a `DUISVersionMismatch` alert is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionMismatch {
    /// `DCCAlertVersionMismatch`: a DCC alert the user's DUIS version cannot carry.
    DccAlert {
        /// `DCCAlertCode` of the alert not sent.
        dcc_alert_code: DccAlertCode,
        /// `DeviceID`.
        device_id: Option<Eui64>,
        /// `RequestID`.
        request_id: Option<RequestId>,
    },
    /// `ServiceResponseVersionMismatch`: a response the user's DUIS version cannot carry.
    ServiceResponse {
        /// `RequestID`.
        request_id: RequestId,
        /// `ServiceReference`.
        service_reference: String,
        /// `ServiceReferenceVariant`.
        service_reference_variant: String,
        /// `ServiceRequestDUISVersion`.
        service_request_duis_version: String,
    },
}

/// `sr:DUISVersionMismatch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuisVersionMismatch {
    /// What could not be delivered.
    pub mismatch: VersionMismatch,
    /// `ServiceUserDUISVersion`.
    pub service_user_duis_version: String,
}

/// `sr:DCCAlert`: the body of a DCC alert, one variant per element of the XSD choice except
/// `S1SPAlertDSP` (a signed SMETS1 service provider alert, which this crate does not build).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DccAlertBody {
    /// `PowerOutageEvent` (with [`DccAlertCode::Ad1`]).
    PowerOutage(PowerOutageEvent),
    /// `DeviceStatusChangeEvent`.
    DeviceStatusChange {
        /// `DeviceID`.
        device_id: Eui64,
        /// `DeviceStatusChange`.
        change: DeviceStatusChange,
    },
    /// `DSPScheduleRemoval`: a DCC schedule was removed.
    DspScheduleRemoval {
        /// `DeviceID`.
        device_id: Eui64,
        /// `DSPScheduleID` (≤ [`MAX_DSP_SCHEDULE_ID`]).
        dsp_schedule_id: u64,
    },
    /// `CommandFailure`: a command was not delivered or got no response from the device.
    CommandFailure(CommandFailure),
    /// `FirmwareDistributionFailure`.
    FirmwareDistributionFailure {
        /// `UpdateFirmwareRequestID`.
        update_firmware_request_id: RequestId,
        /// `MeterIDs`: at least one device.
        meter_ids: Vec<Eui64>,
    },
    /// `UpdateHANDeviceLogResult`.
    UpdateHanDeviceLogResult {
        /// `UpdateHANDeviceLogServiceRequestID`.
        request_id: RequestId,
    },
    /// `ChangeOfSupplier`.
    ChangeOfSupplier(ChangeOfSupplier),
    /// `DeviceLogRestored`.
    DeviceLogRestored(DeviceLogRestored),
    /// `PPMIDAlert`.
    PpmidAlert(PpmidAlert),
    /// `SecurityCredentialsUpdated`.
    SecurityCredentialsUpdated(SecurityCredentialsUpdated),
    /// `PPMIDRemoval`.
    PpmidRemoval {
        /// `PPMIDDeviceID`.
        ppmid_device_id: Eui64,
        /// `CHFDeviceID`.
        chf_device_id: Eui64,
    },
    /// `QuarantinedRequest`.
    QuarantinedRequest(QuarantinedRequest),
    /// `FirmwareVersionMismatch`.
    FirmwareVersionMismatch(FirmwareVersionMismatch),
    /// `DualBandCHAlert`.
    DualBandChAlert(DualBandChAlert),
    /// `SMETS1CHFirmwareNotification`.
    Smets1ChFirmwareNotification {
        /// `DeviceID`.
        device_id: Eui64,
        /// `FirmwareVersion` (1 to 8 characters).
        firmware_version: String,
        /// `FirmwareVersionUpdateStatus`.
        status: FirmwareVersionUpdateStatus,
    },
    /// `ALCSHCALCSConfigurationChange`.
    AlcsHcalcsConfigurationChange {
        /// `ESMEDeviceID`.
        esme_device_id: Eui64,
        /// `ESMEVariant`.
        esme_variant: Option<EsmeVariant>,
        /// `DeviceGBCSVersion`.
        device_gbcs_version: Option<String>,
    },
    /// `FirmwareUpgradeRequested`.
    FirmwareUpgradeRequested {
        /// `DeviceType`.
        device_type: DeviceType,
        /// `FirmwareVersion` (1 to 8 characters).
        firmware_version: String,
        /// `DeviceList`: at least one device.
        devices: Vec<Eui64>,
    },
    /// `CSPFirmwareDeliveryStatus`.
    CspFirmwareDeliveryStatus(CspFirmwareDeliveryStatus),
    /// `CommsHubAlert`.
    CommsHubAlert(CommsHubAlert),
    /// `ECoSAlert`.
    EcosAlert(EcosAlert),
    /// `CommsHubFirmwareActivation`.
    CommsHubFirmwareActivation {
        /// `DeviceID`.
        device_id: Eui64,
        /// `FirmwareVersion` (1 to 8 characters).
        firmware_version: String,
    },
    /// `CoSCertificateAlert`.
    CosCertificateAlert {
        /// `DeviceID`.
        device_id: Eui64,
        /// `CertificateSerialNumber`: big-endian unsigned octets, written in decimal (at most
        /// [`MAX_SERIAL_NUMBER_OCTETS`] significant octets).
        certificate_serial_number: Option<Vec<u8>>,
    },
    /// `DUISVersionMismatch`.
    DuisVersionMismatch(DuisVersionMismatch),
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// An xs:hexBinary two-byte code: four upper-case hex digits.
fn hex16(code: u16) -> String {
    format!("{code:04X}")
}

fn text<'a>(s: &'a str, f: (&'static str, usize, usize)) -> Result<&'a str, InvalidValue> {
    check_len(s, f)?;
    checked(s, f.0)
}

fn opt_text<'a>(
    s: Option<&'a String>,
    f: (&'static str, usize, usize),
) -> Result<Option<&'a str>, InvalidValue> {
    s.map(|s| text(s, f)).transpose()
}

/// Checks a count against the XSD occurrence bounds of `kind`.
fn check_count(kind: &'static str, n: usize, min: usize, max: usize) -> Result<(), InvalidValue> {
    if n < min || n > max {
        return Err(InvalidValue::new(kind, &format!("{n} occurrences")));
    }
    Ok(())
}

fn check_max(kind: &'static str, v: u64, max: u64) -> Result<u64, InvalidValue> {
    if v > max {
        return Err(InvalidValue::new(kind, &v.to_string()));
    }
    Ok(v)
}

/// Big-endian unsigned octets in decimal (`[]` → `0`); at most
/// [`MAX_SERIAL_NUMBER_OCTETS`] significant octets.
fn serial_decimal(bytes: &[u8]) -> Result<String, InvalidValue> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let mut n: Vec<u8> = bytes.get(start..).unwrap_or_default().to_vec();
    if n.len() > MAX_SERIAL_NUMBER_OCTETS {
        return Err(InvalidValue::new(
            "CertificateSerialNumber",
            &format!("{} octets", n.len()),
        ));
    }
    // Repeated division by 10 of the big-endian magnitude; digits come out least significant
    // first.
    let mut digits = Vec::new();
    while !n.is_empty() {
        let mut rem: u16 = 0;
        for b in &mut n {
            let cur = (rem << 8) | u16::from(*b);
            // cur < 10 · 256, so the quotient fits in a byte.
            *b = u8::try_from(cur / 10).unwrap_or(u8::MAX);
            rem = cur % 10;
        }
        digits.push(char::from(b'0' + u8::try_from(rem).unwrap_or(0)));
        let lead = n.iter().take_while(|&&b| b == 0).count();
        n.drain(..lead);
    }
    if digits.is_empty() {
        digits.push('0');
    }
    Ok(digits.iter().rev().collect())
}

fn device_id_list(kind: &'static str, ids: &[Eui64]) -> Result<String, InvalidValue> {
    if ids.is_empty() {
        return Err(InvalidValue::new(kind, "no devices"));
    }
    let mut s = String::with_capacity(ids.len() * 24);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    Ok(s)
}

fn write_alert_header(w: &mut XmlWriter, h: &AlertHeader) {
    w.open("Header");
    if let Some(id) = &h.request_id {
        w.leaf("RequestID", &id.to_string());
    }
    w.leaf("ResponseID", &h.response_id.to_string());
    w.leaf("ResponseCode", h.response_code.as_str());
    w.leaf("ResponseDateTime", h.response_date_time.as_str());
    w.close("Header");
}

fn write_throttling(w: &mut XmlWriter, sequence_id: Option<u32>, count: Option<u32>) {
    if let Some(s) = sequence_id {
        w.leaf("ThrottledAlertSequenceId", &s.to_string());
    }
    if let Some(c) = count {
        w.leaf("ThrottledAlertCount", &c.to_string());
    }
}

fn write_mpxns(w: &mut XmlWriter, name: &str, m: &MeterMpxns) -> Result<(), InvalidValue> {
    let import = text(&m.import_mpxn, facet::IMPORT_MPXN)?;
    let secondary = opt_text(m.secondary_import_mpan.as_ref(), facet::MPAN)?;
    let export = opt_text(m.export_mpan.as_ref(), facet::MPAN)?;
    w.open(name);
    w.leaf("ImportMPxN", import);
    w.leaf_opt("SecondaryImportMPAN", secondary);
    w.leaf_opt("ExportMPAN", export);
    w.close(name);
    Ok(())
}

fn empty(w: &mut XmlWriter, name: &str) {
    w.open(name);
    w.close(name);
}

fn write_status_change(w: &mut XmlWriter, c: &DeviceStatusChange) -> Result<(), InvalidValue> {
    w.open("DeviceStatusChange");
    match c {
        DeviceStatusChange::MeterIdentity {
            mpxns,
            esme_variant,
        } => {
            w.open("MeterIdentity");
            write_mpxns(w, "MeterMPxNs", mpxns)?;
            w.leaf_opt("ESMEVariant", esme_variant.map(EsmeVariant::as_str));
            w.close("MeterIdentity");
        }
        DeviceStatusChange::MeterDecommissioningOrWithdrawal {
            mpxns,
            associated_type1_devices,
        } => {
            check_count(
                "AssociatedType1Device",
                associated_type1_devices.len(),
                0,
                7,
            )?;
            w.open("MeterDecommissioningOrWithdrawal");
            write_mpxns(w, "MeterDecommissionOrWithdrawal", mpxns)?;
            for (id, ty) in associated_type1_devices {
                w.open("AssociatedType1Device");
                w.leaf("DeviceID", &id.to_string());
                w.leaf("DeviceType", ty.as_str());
                w.close("AssociatedType1Device");
            }
            w.close("MeterDecommissioningOrWithdrawal");
        }
        DeviceStatusChange::DeviceRemovedFromInventory => empty(w, "DeviceRemovedFromInventory"),
        DeviceStatusChange::ChfDecommissioning => empty(w, "CHFDecommissioning"),
        DeviceStatusChange::DeviceSuspended => empty(w, "DeviceSuspended"),
        DeviceStatusChange::DeviceRestored => empty(w, "DeviceRestored"),
        DeviceStatusChange::RecoveryCompleteAcbCredentials {
            supplier_certificate_types,
            network_operator_certificate_types,
        } => {
            check_count(
                "SupplierCertificateType",
                supplier_certificate_types.len(),
                1,
                3,
            )?;
            check_count(
                "NetworkOperatorCertificateType",
                network_operator_certificate_types.len(),
                0,
                2,
            )?;
            w.open("RecoveryCompleteACBCredentials");
            for t in supplier_certificate_types {
                w.leaf("SupplierCertificateType", t.as_str());
            }
            for t in network_operator_certificate_types {
                w.leaf("NetworkOperatorCertificateType", t.as_str());
            }
            w.close("RecoveryCompleteACBCredentials");
        }
        DeviceStatusChange::RecoveryComplete => empty(w, "RecoveryComplete"),
    }
    w.close("DeviceStatusChange");
    Ok(())
}

fn write_dual_band(w: &mut XmlWriter, a: &DualBandChAlert) -> Result<(), InvalidValue> {
    w.open("DualBandCHAlert");
    w.leaf("CHFDeviceID", &a.chf_device_id.to_string());
    w.leaf("DeviceAlertCode", &hex16(a.device_alert_code));
    if let Some(m) = a.gbcs_message_code {
        w.leaf("GBCSHexadecimalMessageCode", &hex16(m));
    }
    match &a.detail {
        None => {}
        Some(DualBandDetail::LimitedDutyCycleActionTaken {
            device_id_to_suspend,
        }) => {
            w.open("LimitedDutyCycleActionTaken");
            w.leaf("DeviceIDToSuspend", &device_id_to_suspend.to_string());
            w.close("LimitedDutyCycleActionTaken");
        }
        Some(DualBandDetail::SubGhzChannelChanged {
            channel,
            scan_trigger,
        }) => {
            let (band, n, max) = match *channel {
                SubGhzChannel::Lower(n) => ("OperatingLowerBandSubGHzChannel", n, 61),
                SubGhzChannel::Upper(n) => ("OperatingUpperBandSubGHzChannel", n, 26),
            };
            if n > max {
                return Err(InvalidValue::new(band, &n.to_string()));
            }
            w.open("SubGHzChannelChanged");
            w.open("OperatingSubGHzChannel");
            w.open(band);
            empty(w, &format!("Channel{n}"));
            w.close(band);
            w.close("OperatingSubGHzChannel");
            w.leaf("ScanTrigger", scan_trigger.as_str());
            w.close("SubGHzChannelChanged");
        }
        Some(DualBandDetail::ScanRequestAssessmentOutcome {
            status,
            scan_trigger,
        }) => {
            w.open("SubGHzChannelScanRequestAssessmentOutcome");
            w.leaf("StatusCode", status.as_str());
            w.leaf("ScanTrigger", scan_trigger.as_str());
            w.close("SubGHzChannelScanRequestAssessmentOutcome");
        }
        Some(DualBandDetail::MessageDiscardedDueToDutyCycleManagement {
            request_id,
            cra_flag,
        }) => {
            w.open("MessageDiscardedDueToDutyCycleManagement");
            w.leaf("RequestID", &request_id.to_string());
            w.leaf("CRAFlag", cra_flag.as_str());
            w.close("MessageDiscardedDueToDutyCycleManagement");
        }
        Some(DualBandDetail::NoMoreSubGhzDeviceCapacity {
            device_id,
            device_type,
        }) => {
            w.open("NoMoreSubGHzDeviceCapacity");
            w.leaf("DeviceID", &device_id.to_string());
            w.leaf_opt("DeviceType", device_type.map(DeviceType::as_str));
            w.close("NoMoreSubGHzDeviceCapacity");
        }
    }
    w.close("DualBandCHAlert");
    Ok(())
}

fn write_security_credentials(
    w: &mut XmlWriter,
    s: &SecurityCredentialsUpdated,
) -> Result<(), InvalidValue> {
    check_count("Certificates", s.certificates.len(), 1, 3)?;
    let seq = s
        .seq_number_change
        .map(|c| -> Result<_, InvalidValue> {
            let floor = check_max(
                "RemotePartyFloorSeqNumber",
                c.floor_seq_number,
                MAX_FLOOR_SEQUENCE_NUMBER,
            )?;
            let top_up = c
                .prepayment_top_up_floor_seq_number
                .map(|v| {
                    check_max(
                        "RemotePartyPrepaymentTopUpFloorSeqNumber",
                        v,
                        MAX_FLOOR_SEQUENCE_NUMBER,
                    )
                })
                .transpose()?;
            Ok((floor, top_up))
        })
        .transpose()?;
    w.open("SecurityCredentialsUpdated");
    w.leaf("DeviceID", &s.device_id.to_string());
    w.leaf("RemotePartyRole", s.remote_party_role.as_str());
    if let Some((floor, top_up)) = seq {
        w.open("RemotePartySeqNumberChange");
        w.leaf("RemotePartyFloorSeqNumber", &floor.to_string());
        if let Some(t) = top_up {
            w.leaf("RemotePartyPrepaymentTopUpFloorSeqNumber", &t.to_string());
        }
        w.close("RemotePartySeqNumberChange");
    }
    for c in &s.certificates {
        w.open("Certificates");
        w.leaf("CertificateType", c.certificate_type.as_str());
        w.leaf("CertificateHash", &b64(&c.sha1));
        w.close("Certificates");
    }
    w.close("SecurityCredentialsUpdated");
    Ok(())
}

fn write_version_mismatch(w: &mut XmlWriter, m: &DuisVersionMismatch) -> Result<(), InvalidValue> {
    let user_version = checked(&m.service_user_duis_version, "ServiceUserDUISVersion")?;
    w.open("DUISVersionMismatch");
    match &m.mismatch {
        VersionMismatch::DccAlert {
            dcc_alert_code,
            device_id,
            request_id,
        } => {
            w.open("DCCAlertVersionMismatch");
            w.leaf("DCCAlertCode", dcc_alert_code.as_str());
            if let Some(d) = device_id {
                w.leaf("DeviceID", &d.to_string());
            }
            if let Some(r) = request_id {
                w.leaf("RequestID", &r.to_string());
            }
            w.close("DCCAlertVersionMismatch");
        }
        VersionMismatch::ServiceResponse {
            request_id,
            service_reference,
            service_reference_variant,
            service_request_duis_version,
        } => {
            let sr = checked(service_reference, "ServiceReference")?;
            let srv = checked(service_reference_variant, "ServiceReferenceVariant")?;
            let version = checked(service_request_duis_version, "ServiceRequestDUISVersion")?;
            w.open("ServiceResponseVersionMismatch");
            w.leaf("RequestID", &request_id.to_string());
            w.leaf("ServiceReference", sr);
            w.leaf("ServiceReferenceVariant", srv);
            w.leaf("ServiceRequestDUISVersion", version);
            w.close("ServiceResponseVersionMismatch");
        }
    }
    w.leaf("ServiceUserDUISVersion", user_version);
    w.close("DUISVersionMismatch");
    Ok(())
}

fn write_dcc_alert_body(w: &mut XmlWriter, body: &DccAlertBody) -> Result<(), InvalidValue> {
    w.open("DCCAlert");
    match body {
        DccAlertBody::PowerOutage(e) => {
            let mpxn = text(&e.mpxn, facet::IMPORT_MPXN)?;
            w.open("PowerOutageEvent");
            w.leaf("CommsHubDeviceID", &e.comms_hub_device_id.to_string());
            w.leaf("StartDateTime", e.start_date_time.as_str());
            w.leaf("MPxN", mpxn);
            w.close("PowerOutageEvent");
        }
        DccAlertBody::DeviceStatusChange { device_id, change } => {
            w.open("DeviceStatusChangeEvent");
            w.leaf("DeviceID", &device_id.to_string());
            write_status_change(w, change)?;
            w.close("DeviceStatusChangeEvent");
        }
        DccAlertBody::DspScheduleRemoval {
            device_id,
            dsp_schedule_id,
        } => {
            let id = check_max("DSPScheduleID", *dsp_schedule_id, MAX_DSP_SCHEDULE_ID)?;
            w.open("DSPScheduleRemoval");
            w.leaf("DeviceID", &device_id.to_string());
            w.leaf("DSPScheduleID", &id.to_string());
            w.close("DSPScheduleRemoval");
        }
        DccAlertBody::CommandFailure(f) => {
            let schedule = f
                .dsp_schedule_id
                .map(|id| check_max("DSPScheduleID", id, MAX_DSP_SCHEDULE_ID))
                .transpose()?;
            w.open("CommandFailure");
            w.leaf("CommandRequestID", &f.command_request_id.to_string());
            if let Some(id) = schedule {
                w.leaf("DSPScheduleID", &id.to_string());
            }
            w.leaf("DeviceID", &f.device_id.to_string());
            w.close("CommandFailure");
        }
        DccAlertBody::FirmwareDistributionFailure {
            update_firmware_request_id,
            meter_ids,
        } => {
            let ids = device_id_list("MeterIDs", meter_ids)?;
            w.open("FirmwareDistributionFailure");
            w.leaf(
                "UpdateFirmwareRequestID",
                &update_firmware_request_id.to_string(),
            );
            w.leaf("MeterIDs", &ids);
            w.close("FirmwareDistributionFailure");
        }
        DccAlertBody::UpdateHanDeviceLogResult { request_id } => {
            w.open("UpdateHANDeviceLogResult");
            w.leaf(
                "UpdateHANDeviceLogServiceRequestID",
                &request_id.to_string(),
            );
            w.close("UpdateHANDeviceLogResult");
        }
        DccAlertBody::ChangeOfSupplier(c) => {
            w.open("ChangeOfSupplier");
            match c {
                ChangeOfSupplier::Request {
                    request_id,
                    ecos_error_code,
                } => {
                    let code = opt_text(ecos_error_code.as_ref(), alert_facet::ECOS_ERROR_CODE)?;
                    w.leaf("ChangeOfSupplierServiceRequestID", &request_id.to_string());
                    w.leaf_opt("ECoSErrorCode", code);
                }
                ChangeOfSupplier::Device {
                    device_id,
                    device_type,
                    mpxns,
                } => {
                    w.open("DeviceChangeOfSupplier");
                    w.leaf("DeviceID", &device_id.to_string());
                    w.leaf("DeviceType", device_type.as_str());
                    write_mpxns(w, "MPxNs", mpxns)?;
                    w.close("DeviceChangeOfSupplier");
                }
            }
            w.close("ChangeOfSupplier");
        }
        DccAlertBody::DeviceLogRestored(r) => {
            let date = format_date(r.restored_date)?;
            let log = match r.log {
                DeviceLog::Chf => "CHFDeviceLog",
                DeviceLog::Gpf => "GPFDeviceLog",
            };
            w.open("DeviceLogRestored");
            w.leaf("RestoredDate", &date);
            w.open(log);
            w.leaf("OldCHFDeviceID", &r.ids.old_chf.to_string());
            w.leaf("NewCHFDeviceID", &r.ids.new_chf.to_string());
            w.leaf("OldGPFDeviceID", &r.ids.old_gpf.to_string());
            w.leaf("NewGPFDeviceID", &r.ids.new_gpf.to_string());
            w.close(log);
            w.close("DeviceLogRestored");
        }
        DccAlertBody::PpmidAlert(a) => {
            let upgrade = a
                .firmware_upgrade
                .as_ref()
                .map(|u| text(&u.firmware_version, facet::FIRMWARE_VERSION).map(|v| (v, u.result)))
                .transpose()?;
            w.open("PPMIDAlert");
            w.leaf("DeviceID", &a.device_id.to_string());
            w.leaf("DeviceAlertCode", &hex16(a.device_alert_code));
            w.leaf_opt(
                "Timestamp",
                a.timestamp.as_ref().map(ResponseDateTime::as_str),
            );
            if let Some((version, result)) = upgrade {
                w.open("PPMIDFirmwareUpgradeAlert");
                w.leaf("FirmwareVersion", version);
                w.leaf("ActivateImageResultCode", result.as_str());
                w.close("PPMIDFirmwareUpgradeAlert");
            }
            w.close("PPMIDAlert");
        }
        DccAlertBody::SecurityCredentialsUpdated(s) => write_security_credentials(w, s)?,
        DccAlertBody::PpmidRemoval {
            ppmid_device_id,
            chf_device_id,
        } => {
            w.open("PPMIDRemoval");
            w.leaf("PPMIDDeviceID", &ppmid_device_id.to_string());
            w.leaf("CHFDeviceID", &chf_device_id.to_string());
            w.close("PPMIDRemoval");
        }
        DccAlertBody::QuarantinedRequest(q) => {
            w.open("QuarantinedRequest");
            w.open(q.breach.as_str());
            w.leaf("RequestID", &q.request_id.to_string());
            w.leaf("QuarantineEventRef", &q.quarantine_event_ref.to_string());
            w.close(q.breach.as_str());
            w.close("QuarantinedRequest");
        }
        DccAlertBody::FirmwareVersionMismatch(m) => {
            let smi = text(&m.firmware_version_smi, facet::FIRMWARE_VERSION)?;
            let device = text(&m.firmware_version_device, facet::FIRMWARE_VERSION)?;
            w.open("FirmwareVersionMismatch");
            w.leaf("DeviceID", &m.device_id.to_string());
            w.leaf("DeviceType", m.device_type.as_str());
            w.leaf("FirmwareVersionSMI", smi);
            w.leaf("FirmwareVersionDevice", device);
            w.close("FirmwareVersionMismatch");
        }
        DccAlertBody::DualBandChAlert(a) => write_dual_band(w, a)?,
        DccAlertBody::Smets1ChFirmwareNotification {
            device_id,
            firmware_version,
            status,
        } => {
            let version = text(firmware_version, facet::FIRMWARE_VERSION)?;
            w.open("SMETS1CHFirmwareNotification");
            w.leaf("DeviceID", &device_id.to_string());
            w.leaf("FirmwareVersion", version);
            w.leaf("FirmwareVersionUpdateStatus", status.as_str());
            w.close("SMETS1CHFirmwareNotification");
        }
        DccAlertBody::AlcsHcalcsConfigurationChange {
            esme_device_id,
            esme_variant,
            device_gbcs_version,
        } => {
            let gbcs = device_gbcs_version
                .as_deref()
                .map(|v| checked(v, "DeviceGBCSVersion"))
                .transpose()?;
            w.open("ALCSHCALCSConfigurationChange");
            w.leaf("ESMEDeviceID", &esme_device_id.to_string());
            w.leaf_opt("ESMEVariant", esme_variant.map(EsmeVariant::as_str));
            w.leaf_opt("DeviceGBCSVersion", gbcs);
            w.close("ALCSHCALCSConfigurationChange");
        }
        DccAlertBody::FirmwareUpgradeRequested {
            device_type,
            firmware_version,
            devices,
        } => {
            let version = text(firmware_version, facet::FIRMWARE_VERSION)?;
            let list = device_id_list("DeviceList", devices)?;
            w.open("FirmwareUpgradeRequested");
            w.leaf("DeviceType", device_type.as_str());
            w.leaf("FirmwareVersion", version);
            w.leaf("DeviceList", &list);
            w.close("FirmwareUpgradeRequested");
        }
        DccAlertBody::CspFirmwareDeliveryStatus(s) => {
            let version = text(&s.firmware_version, facet::FIRMWARE_VERSION)?;
            w.open("CSPFirmwareDeliveryStatus");
            w.leaf(
                "UpdateFirmwareRequestID",
                &s.update_firmware_request_id.to_string(),
            );
            w.leaf("CommsHubDeviceID", &s.comms_hub_device_id.to_string());
            w.leaf("TargetDeviceID", &s.target_device_id.to_string());
            w.leaf("FirmwareVersion", version);
            w.leaf("TimeStamp", s.time_stamp.as_str());
            w.leaf("CommsHubTransferStatus", s.status.as_str());
            w.close("CSPFirmwareDeliveryStatus");
        }
        DccAlertBody::CommsHubAlert(a) => {
            let transfer = a
                .firmware_transfer
                .as_ref()
                .map(|t| text(&t.firmware_version, facet::FIRMWARE_VERSION).map(|v| (t, v)))
                .transpose()?;
            w.open("CommsHubAlert");
            w.leaf("CommsHubDeviceID", &a.comms_hub_device_id.to_string());
            w.leaf("AlertCode", &hex16(a.alert_code));
            w.leaf_opt(
                "TimeStamp",
                a.time_stamp.as_ref().map(ResponseDateTime::as_str),
            );
            if let Some((t, version)) = transfer {
                w.open("FirmwareTransferAlert");
                if let Some(id) = &t.update_firmware_request_id {
                    w.leaf("UpdateFirmwareRequestID", &id.to_string());
                }
                w.leaf("OtherDeviceID", &t.other_device_id.to_string());
                w.leaf("FirmwareVersion", version);
                w.leaf("TransferResponseCode", t.transfer_response_code.as_str());
                w.close("FirmwareTransferAlert");
            }
            w.close("CommsHubAlert");
        }
        DccAlertBody::EcosAlert(a) => {
            let code = checked(&a.ecos_alert_code, "ECoSAlertCode")?;
            let info = a
                .additional_information
                .as_deref()
                .map(|s| checked(s, "AdditionalInformation"))
                .transpose()?;
            w.open("ECoSAlert");
            w.leaf("AlertID", &a.alert_id.to_string());
            if let Some(r) = &a.request_id {
                w.leaf("RequestID", &r.to_string());
            }
            w.leaf("ECoSAlertCode", code);
            w.leaf("DeviceID", &a.device_id.to_string());
            w.leaf_opt("AdditionalInformation", info);
            w.close("ECoSAlert");
        }
        DccAlertBody::CommsHubFirmwareActivation {
            device_id,
            firmware_version,
        } => {
            let version = text(firmware_version, facet::FIRMWARE_VERSION)?;
            w.open("CommsHubFirmwareActivation");
            w.leaf("DeviceID", &device_id.to_string());
            w.leaf("FirmwareVersion", version);
            w.close("CommsHubFirmwareActivation");
        }
        DccAlertBody::CosCertificateAlert {
            device_id,
            certificate_serial_number,
        } => {
            let serial = certificate_serial_number
                .as_deref()
                .map(serial_decimal)
                .transpose()?;
            w.open("CoSCertificateAlert");
            w.leaf("DeviceID", &device_id.to_string());
            w.leaf_opt("CertificateSerialNumber", serial.as_deref());
            w.close("CoSCertificateAlert");
        }
        DccAlertBody::DuisVersionMismatch(m) => write_version_mismatch(w, m)?,
    }
    w.close("DCCAlert");
    Ok(())
}

fn alert_document(header: &AlertHeader) -> XmlWriter {
    let mut w = XmlWriter::new("Response", &[("schemaVersion", RESPONSE_SCHEMA_VERSION)]);
    write_alert_header(&mut w, header);
    w
}

/// Builds a `sr:Response` whose body is a `DeviceAlertMessage`.
pub fn device_alert(header: &AlertHeader, alert: &DeviceAlert) -> Result<String, BuildError> {
    let mut w = alert_document(header);
    w.open("Body");
    w.open("DeviceAlertMessage");
    w.leaf("AlertCode", &hex16(alert.alert_code));
    write_throttling(
        &mut w,
        alert.throttled_alert_sequence_id,
        alert.throttled_alert_count,
    );
    w.leaf("GBCSPayload", &b64(&alert.gbcs_payload));
    w.close("DeviceAlertMessage");
    w.close("Body");
    Ok(w.finish("Response"))
}

/// Builds a `sr:Response` whose body is a `DCCAlertMessage`.
pub fn dcc_alert(header: &AlertHeader, alert: &DccAlert) -> Result<String, BuildError> {
    let mut w = alert_document(header);
    w.open("Body");
    w.open("DCCAlertMessage");
    w.leaf("DCCAlertCode", alert.code.as_str());
    write_throttling(
        &mut w,
        alert.throttled_alert_sequence_id,
        alert.throttled_alert_count,
    );
    write_dcc_alert_body(&mut w, &alert.body)?;
    w.close("DCCAlertMessage");
    w.close("Body");
    Ok(w.finish("Response"))
}

/// Builds the `ResponseMessage` reporting a future-dated command's outcome (GBCS alert
/// `8F66`/`8F67`) for `variant`, the service reference variant of the originating request.
///
/// `header` is an ordinary response header: the `RequestID` of the future-dated request, and
/// its `ResponseID` ([`ResponseHeader::with_response_id`]).
pub fn future_dated_device_alert(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    alert: &FutureDatedDeviceAlert,
) -> Result<String, BuildError> {
    let mut w = XmlWriter::new("Response", &[("schemaVersion", RESPONSE_SCHEMA_VERSION)]);
    w.open("Header");
    if let Some(id) = &header.request_id {
        w.leaf("RequestID", &id.to_string());
    }
    if let Some(id) = &header.response_id {
        w.leaf("ResponseID", &id.to_string());
    }
    w.leaf("ResponseCode", header.response_code.as_str());
    w.leaf("ResponseDateTime", header.response_date_time.as_str());
    w.close("Header");
    w.open("Body");
    w.open("ResponseMessage");
    w.leaf("ServiceReference", variant.service_reference);
    w.leaf("ServiceReferenceVariant", variant.variant);
    w.open("FutureDatedDeviceAlertMessage");
    w.leaf("FutureDatedAlertCode", &hex16(alert.code.code()));
    w.leaf("GBCSPayload", &b64(&alert.gbcs_payload));
    w.leaf("InstructionNumber", &alert.instruction_number.to_string());
    w.leaf(
        "TotalCommandInstructions",
        &alert.total_command_instructions.to_string(),
    );
    w.close("FutureDatedDeviceAlertMessage");
    w.close("ResponseMessage");
    w.close("Body");
    Ok(w.finish("Response"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};
    use proptest::prelude::*;

    fn dt() -> ResponseDateTime {
        ResponseDateTime::parse("2025-12-28T16:51:01.185Z").unwrap()
    }

    fn eui(s: &str) -> Eui64 {
        s.parse().unwrap()
    }

    #[test]
    fn device_alert_exact_document() {
        let h = AlertHeader::device(
            eui("00-DB-12-34-56-78-90-A0"),
            eui("90-B3-D5-1F-30-01-00-00"),
            4_096,
            dt(),
        );
        let mut a = DeviceAlert::new(0x8F20, vec![0xDD, 0, 1]);
        a.throttled_alert_count = Some(3);
        assert_eq!(
            device_alert(&h, &a).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sr:Response xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\" schemaVersion=\"5.4\"><sr:Header><sr:ResponseID>00-DB-12-34-56-78-90-A0:90-B3-D5-1F-30-01-00-00:4096</sr:ResponseID><sr:ResponseCode>I0</sr:ResponseCode><sr:ResponseDateTime>2025-12-28T16:51:01.185Z</sr:ResponseDateTime></sr:Header><sr:Body><sr:DeviceAlertMessage><sr:AlertCode>8F20</sr:AlertCode><sr:ThrottledAlertCount>3</sr:ThrottledAlertCount><sr:GBCSPayload>3QAB</sr:GBCSPayload></sr:DeviceAlertMessage></sr:Body></sr:Response>"
        );
    }

    #[test]
    fn header_options() {
        let rid: RequestId = "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:7"
            .parse()
            .unwrap();
        let h = AlertHeader::dcc(
            eui("00-00-00-00-00-00-00-01"),
            eui("90-B3-D5-1F-30-01-00-00"),
            1,
            dt(),
        )
        .with_request_id(rid)
        .with_response_code(ResponseCode::E21);
        let body = DccAlertBody::UpdateHanDeviceLogResult { request_id: rid };
        let xml = dcc_alert(&h, &DccAlert::new(DccAlertCode::N24, body)).unwrap();
        let e = parse_element(xml.as_bytes(), &ParseLimits::default()).unwrap();
        let header: Vec<&str> = e
            .child("Header")
            .unwrap()
            .children
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            header,
            [
                "RequestID",
                "ResponseID",
                "ResponseCode",
                "ResponseDateTime"
            ]
        );
        assert_eq!(e.text_of(&["Header", "ResponseCode"]), Some("E21"));
        assert_eq!(
            e.text_of(&["Header", "ResponseID"]),
            Some("00-00-00-00-00-00-00-01:90-B3-D5-1F-30-01-00-00:1")
        );
    }

    #[test]
    fn codes() {
        assert_eq!(hex16(0x000A), "000A");
        assert_eq!(hex16(0xFFFF), "FFFF");
        assert_eq!(DccAlertCode::ALL.len(), 66);
        assert!("N32".parse::<DccAlertCode>().is_err());
        assert_eq!("N999".parse::<DccAlertCode>().unwrap(), DccAlertCode::N999);
        for c in DccAlertCode::ALL {
            assert_eq!(c.as_str().parse::<DccAlertCode>().unwrap(), *c);
        }
        for c in [FutureDatedAlertCode::Success, FutureDatedAlertCode::Failure] {
            assert_eq!(FutureDatedAlertCode::from_code(c.code()), Some(c));
        }
        assert_eq!(FutureDatedAlertCode::from_code(0x8F65), None);
    }

    #[test]
    fn serial_numbers() {
        assert_eq!(serial_decimal(&[]).unwrap(), "0");
        assert_eq!(serial_decimal(&[0, 0]).unwrap(), "0");
        assert_eq!(serial_decimal(&[1, 0]).unwrap(), "256");
        assert_eq!(serial_decimal(&[0xFF; 20]).unwrap(), {
            // 2^160 - 1
            "1461501637330902918203684832716283019655932542975"
        });
        let mut padded = vec![0u8; 5];
        padded.extend([0xFF; 20]);
        assert!(serial_decimal(&padded).is_ok());
        assert!(serial_decimal(&[1; 21]).is_err());
    }

    proptest! {
        #[test]
        fn serial_matches_u128(v in any::<u128>(), pad in 0usize..4) {
            let mut bytes = vec![0u8; pad];
            bytes.extend(v.to_be_bytes());
            prop_assert_eq!(serial_decimal(&bytes).unwrap(), v.to_string());
        }
    }
}
