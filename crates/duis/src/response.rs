//! Unsigned DUIS response documents (`sr:Response`, schema version 5.4).
//!
//! Deterministic: everything, including the `ResponseDateTime`, comes from the caller. The
//! output is compact UTF-8 with an XML declaration and the `sr` namespace declared on the
//! root; the XML signature is appended later, as the last child of the root, by `xmldsig`.
//! Every builder checks its inputs against the XSD facets, so the output validates against
//! the DUIS 5.4 schema.

use base64::Engine as _;
use eui::Eui64;
use time::Date;

use crate::bodies::RequestWanMatrix;
use crate::datetime::{ResponseDateTime, format_date};
use crate::matrix::{ServiceVariant, service_variant};
use crate::request_id::RequestId;
use crate::response_code::ResponseCode;
use crate::types::{
    AddressFilter, Connectivity, ConnectivityLikelihood, CspRegion, DeviceStatus, DeviceType,
    EsmeVariant, InvalidValue, ProductListStatus, Uprn, check_len, facet,
};
use crate::writer::{XmlWriter, checked};

/// The schema version written on every response.
pub const RESPONSE_SCHEMA_VERSION: &str = "5.4";

/// Why a response cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// An input outside its XSD type (length facet, character not allowed in XML, date range).
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    /// `DSPInventory` holds 1 to 17 devices.
    #[error("DSPInventory holds 1 to 17 devices, got {0}")]
    InventoryDeviceCount(usize),
    /// `DSPWANMatrix` needs at least one `DSPWANMatrixResponse`.
    #[error("DSPWANMatrix needs at least one DSPWANMatrixResponse")]
    EmptyWanMatrix,
    /// A variant this builder needs is missing from the compiled matrix.
    #[error("service reference variant {0} is not in the matrix")]
    UnknownVariant(&'static str),
}

/// `sr:Response/sr:Header`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHeader {
    /// `RequestID` of the request answered (absent only when it could not be read).
    pub request_id: Option<RequestId>,
    /// `ResponseID` (`target:originator:counter`), on responses carrying device data.
    pub response_id: Option<RequestId>,
    /// `ResponseCode`.
    pub response_code: ResponseCode,
    /// `ResponseDateTime`.
    pub response_date_time: ResponseDateTime,
}

impl ResponseHeader {
    /// A header answering `request_id`, without a ResponseID.
    pub fn new(
        request_id: RequestId,
        response_code: ResponseCode,
        response_date_time: ResponseDateTime,
    ) -> Self {
        Self {
            request_id: Some(request_id),
            response_id: None,
            response_code,
            response_date_time,
        }
    }

    /// Adds the ResponseID derived from the RequestID (`target:originator:counter`).
    pub fn with_response_id(mut self) -> Self {
        self.response_id = self.request_id.as_ref().map(RequestId::response_id);
        self
    }
}

/// One `sr:Device` of a `DSPInventory` (8.2 Read Inventory response), fields in XSD order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryDevice {
    /// `DeviceID`.
    pub device_id: Eui64,
    /// `DeviceType`.
    pub device_type: DeviceType,
    /// `DeviceStatus` (SMI status).
    pub device_status: Option<DeviceStatus>,
    /// `DeviceManufacturer` (≤ 30 characters).
    pub manufacturer: String,
    /// `DeviceModel` (≤ 30 characters).
    pub model: String,
    /// `SMETSCHTSVersion` (1 to 20 characters).
    pub smets_chts_version: Option<String>,
    /// `DeviceFirmwareVersion` (1 to 8 characters).
    pub firmware_version: Option<String>,
    /// `DeviceFirmwareVersionStatus`.
    pub firmware_version_status: Option<ProductListStatus>,
    /// `CPLStatus`.
    pub cpl_status: Option<ProductListStatus>,
    /// `DateCommissioned`.
    pub date_commissioned: Option<Date>,
    /// `ImportMPxN` (1 to 13 characters).
    pub import_mpxn: Option<String>,
    /// `SecondaryImportMPAN` (13 characters).
    pub secondary_import_mpan: Option<String>,
    /// `ExportMPAN` (13 characters).
    pub export_mpan: Option<String>,
    /// `ESMEVariant`.
    pub esme_variant: Option<EsmeVariant>,
    /// `UPRN`.
    pub uprn: Option<Uprn>,
    /// `PropertyFilter`.
    pub property_filter: Option<AddressFilter>,
    /// `CSPRegion`.
    pub csp_region: Option<CspRegion>,
    /// `DeviceGBCSVersion` (e.g. `"4.2"`).
    pub device_gbcs_version: Option<String>,
    /// `HANVariant` (e.g. `"Single Band"`).
    pub han_variant: Option<String>,
    /// `S1SP` (SMETS1 service provider).
    pub s1sp: Option<String>,
    /// `Connectivity`.
    pub connectivity: Option<Connectivity>,
}

impl InventoryDevice {
    /// A device with the required fields and every optional field empty.
    pub fn new(
        device_id: Eui64,
        device_type: DeviceType,
        manufacturer: impl Into<String>,
        model: impl Into<String>,
    ) -> Self {
        Self {
            device_id,
            device_type,
            device_status: None,
            manufacturer: manufacturer.into(),
            model: model.into(),
            smets_chts_version: None,
            firmware_version: None,
            firmware_version_status: None,
            cpl_status: None,
            date_commissioned: None,
            import_mpxn: None,
            secondary_import_mpan: None,
            export_mpan: None,
            esme_variant: None,
            uprn: None,
            property_filter: None,
            csp_region: None,
            device_gbcs_version: None,
            han_variant: None,
            s1sp: None,
            connectivity: None,
        }
    }
}

/// Coverage details of a `DSPWANMatrixResponse` (the optional sequence, all or nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WanCoverage {
    /// `CoverageAvailability`.
    pub coverage_available: bool,
    /// `AnticipatedCoverageDate`.
    pub anticipated_coverage_date: Option<Date>,
    /// `WANTechnology` (1 to 30 characters).
    pub wan_technology: String,
    /// `ConnectivityLikelihood`.
    pub connectivity_likelihood: ConnectivityLikelihood,
    /// `AuxiliaryEquipmentRequired` (≤ 50 characters).
    pub auxiliary_equipment_required: Option<String>,
    /// `AdditionalInformation` (≤ 250 characters).
    pub additional_information: Option<String>,
}

/// One `DSPWANMatrixResponse` (12.1): a CSP region's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WanMatrixResponse {
    /// `CSPRegion`.
    pub csp_region: CspRegion,
    /// `CSPRegionResponseCode`.
    pub response_code: ResponseCode,
    /// Coverage details, when the region could answer.
    pub coverage: Option<WanCoverage>,
}

/// What a `ResponseMessage` carries after `ServiceReference` / `ServiceReferenceVariant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponsePayload<'a> {
    /// Nothing (acknowledgements, errors, 8.4, 12.2 …).
    None,
    /// `GBCSPayload`: a device response (base64-encoded on output).
    GbcsPayload(&'a [u8]),
    /// `PreCommand`: the transformed command a critical request's user must sign (CV 4).
    PreCommand {
        /// `GBCSVersion` (e.g. `"4.0"`).
        gbcs_version: &'a str,
        /// `GBCSPayload`.
        gbcs_payload: &'a [u8],
    },
    /// `LocalCommand`: a command returned for local delivery (CV 2, 3, 6, 7).
    LocalCommand(&'a [u8]),
    /// `CINMessage`: 9.1's device response and the Customer Identification Number the DCC
    /// sent the meter (four decimal digits).
    CinMessage {
        /// `GBCSPayload`.
        gbcs_payload: &'a [u8],
        /// `CustomerIdentificationNumber`.
        cin: &'a str,
    },
    /// `DSPInventory`: 8.2 Read Inventory result (1 to 17 devices).
    DspInventory(&'a [InventoryDevice]),
    /// `DSPWANMatrix`: 12.1 Request WAN Matrix result.
    DspWanMatrix {
        /// The request being answered (echoed in the response).
        request: &'a RequestWanMatrix,
        /// One answer per CSP region (at least one).
        responses: &'a [WanMatrixResponse],
    },
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

fn opt_free<'a>(
    s: Option<&'a String>,
    kind: &'static str,
) -> Result<Option<&'a str>, InvalidValue> {
    s.map(|s| checked(s, kind)).transpose()
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn write_address(w: &mut XmlWriter, name: &str, a: &AddressFilter) -> Result<(), InvalidValue> {
    let post_code = text(&a.post_code, facet::POST_CODE)?;
    let address_identifier = text(&a.address_identifier, facet::ADDRESS_IDENTIFIER)?;
    w.open(name);
    w.leaf("PostCode", post_code);
    w.leaf("AddressIdentifier", address_identifier);
    w.close(name);
    Ok(())
}

fn write_device(w: &mut XmlWriter, d: &InventoryDevice) -> Result<(), InvalidValue> {
    let manufacturer = text(&d.manufacturer, facet::DEVICE_MANUFACTURER)?;
    let model = text(&d.model, facet::DEVICE_MODEL)?;
    let smets = opt_text(d.smets_chts_version.as_ref(), facet::SMETS_CHTS_VERSION)?;
    let fw = opt_text(d.firmware_version.as_ref(), facet::FIRMWARE_VERSION)?;
    let date = d.date_commissioned.map(format_date).transpose()?;
    let import = opt_text(d.import_mpxn.as_ref(), facet::IMPORT_MPXN)?;
    let secondary = opt_text(d.secondary_import_mpan.as_ref(), facet::MPAN)?;
    let export = opt_text(d.export_mpan.as_ref(), facet::MPAN)?;
    let gbcs = opt_free(d.device_gbcs_version.as_ref(), "DeviceGBCSVersion")?;
    let han = opt_free(d.han_variant.as_ref(), "HANVariant")?;
    let s1sp = opt_free(d.s1sp.as_ref(), "S1SP")?;

    w.open("Device");
    w.leaf("DeviceID", &d.device_id.to_string());
    w.leaf("DeviceType", d.device_type.as_str());
    w.leaf_opt("DeviceStatus", d.device_status.map(DeviceStatus::as_str));
    w.leaf("DeviceManufacturer", manufacturer);
    w.leaf("DeviceModel", model);
    w.leaf_opt("SMETSCHTSVersion", smets);
    w.leaf_opt("DeviceFirmwareVersion", fw);
    w.leaf_opt(
        "DeviceFirmwareVersionStatus",
        d.firmware_version_status.map(ProductListStatus::as_str),
    );
    w.leaf_opt("CPLStatus", d.cpl_status.map(ProductListStatus::as_str));
    w.leaf_opt("DateCommissioned", date.as_deref());
    w.leaf_opt("ImportMPxN", import);
    w.leaf_opt("SecondaryImportMPAN", secondary);
    w.leaf_opt("ExportMPAN", export);
    w.leaf_opt("ESMEVariant", d.esme_variant.map(EsmeVariant::as_str));
    if let Some(u) = d.uprn {
        w.leaf("UPRN", &u.to_string());
    }
    if let Some(p) = &d.property_filter {
        write_address(w, "PropertyFilter", p)?;
    }
    w.leaf_opt("CSPRegion", d.csp_region.map(CspRegion::as_str));
    w.leaf_opt("DeviceGBCSVersion", gbcs);
    w.leaf_opt("HANVariant", han);
    w.leaf_opt("S1SP", s1sp);
    w.leaf_opt("Connectivity", d.connectivity.map(Connectivity::as_str));
    w.close("Device");
    Ok(())
}

/// The coverage details of one CSP region (the same elements in DUIS 5.1 and 5.4).
fn write_coverage(w: &mut XmlWriter, c: &WanCoverage) -> Result<(), BuildError> {
    let date = c.anticipated_coverage_date.map(format_date).transpose()?;
    let tech = text(&c.wan_technology, facet::WAN_TECHNOLOGY)?;
    let aux = opt_text(
        c.auxiliary_equipment_required.as_ref(),
        facet::AUXILIARY_EQUIPMENT,
    )?;
    let info = opt_text(
        c.additional_information.as_ref(),
        facet::ADDITIONAL_INFORMATION,
    )?;
    w.leaf(
        "CoverageAvailability",
        if c.coverage_available {
            "true"
        } else {
            "false"
        },
    );
    w.leaf_opt("AnticipatedCoverageDate", date.as_deref());
    w.leaf("WANTechnology", tech);
    w.leaf("ConnectivityLikelihood", c.connectivity_likelihood.as_str());
    w.leaf_opt("AuxiliaryEquipmentRequired", aux);
    w.leaf_opt("AdditionalInformation", info);
    Ok(())
}

fn write_wan_matrix_request(
    w: &mut XmlWriter,
    request: &RequestWanMatrix,
) -> Result<(), BuildError> {
    w.open("Request");
    match request {
        RequestWanMatrix::Uprn(u) => w.leaf("UPRN", &u.to_string()),
        RequestWanMatrix::PartialAddress(a) => write_address(w, "PartialAddress", a)?,
    }
    w.close("Request");
    Ok(())
}

fn write_wan_matrix(
    w: &mut XmlWriter,
    request: &RequestWanMatrix,
    responses: &[WanMatrixResponse],
) -> Result<(), BuildError> {
    if responses.is_empty() {
        return Err(BuildError::EmptyWanMatrix);
    }
    w.open("DSPWANMatrix");
    write_wan_matrix_request(w, request)?;
    for r in responses {
        w.open("DSPWANMatrixResponse");
        w.leaf("CSPRegion", r.csp_region.as_str());
        w.leaf("CSPRegionResponseCode", r.response_code.as_str());
        if let Some(c) = &r.coverage {
            write_coverage(w, c)?;
        }
        w.close("DSPWANMatrixResponse");
    }
    w.close("DSPWANMatrix");
    Ok(())
}

pub(crate) fn write_header(w: &mut XmlWriter, h: &ResponseHeader) {
    w.open("Header");
    if let Some(id) = &h.request_id {
        w.leaf("RequestID", &id.to_string());
    }
    if let Some(id) = &h.response_id {
        w.leaf("ResponseID", &id.to_string());
    }
    w.leaf("ResponseCode", h.response_code.as_str());
    w.leaf("ResponseDateTime", h.response_date_time.as_str());
    w.close("Header");
}

/// Builds a `sr:Response` with a `ResponseMessage` body for `variant` carrying `payload`.
pub fn build_response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    payload: &ResponsePayload<'_>,
) -> Result<String, BuildError> {
    let mut w = XmlWriter::new("Response", &[("schemaVersion", RESPONSE_SCHEMA_VERSION)]);
    write_header(&mut w, header);
    w.open("Body");
    w.open("ResponseMessage");
    w.leaf("ServiceReference", variant.service_reference);
    w.leaf("ServiceReferenceVariant", variant.variant);
    match payload {
        ResponsePayload::None => {}
        ResponsePayload::GbcsPayload(p) => w.leaf("GBCSPayload", &b64(p)),
        ResponsePayload::PreCommand {
            gbcs_version,
            gbcs_payload,
        } => {
            let v = checked(gbcs_version, "GBCSVersion")?;
            w.open("PreCommand");
            w.leaf("GBCSVersion", v);
            w.leaf("GBCSPayload", &b64(gbcs_payload));
            w.close("PreCommand");
        }
        ResponsePayload::LocalCommand(p) => {
            w.open("LocalCommand");
            w.leaf("GBCSPayload", &b64(p));
            w.close("LocalCommand");
        }
        ResponsePayload::CinMessage { gbcs_payload, cin } => {
            if cin.len() != 4 || !cin.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InvalidValue::new("CustomerIdentificationNumber", cin).into());
            }
            w.open("CINMessage");
            w.leaf("GBCSPayload", &b64(gbcs_payload));
            w.leaf("CustomerIdentificationNumber", cin);
            w.close("CINMessage");
        }
        ResponsePayload::DspInventory(devices) => {
            if devices.is_empty() || devices.len() > 17 {
                return Err(BuildError::InventoryDeviceCount(devices.len()));
            }
            w.open("DSPInventory");
            for d in *devices {
                write_device(&mut w, d)?;
            }
            w.close("DSPInventory");
        }
        ResponsePayload::DspWanMatrix { request, responses } => {
            write_wan_matrix(&mut w, request, responses)?;
        }
    }
    w.close("ResponseMessage");
    w.close("Body");
    Ok(w.finish("Response"))
}

/// Header-only writer shared by the infallible builders.
fn header_only(header: &ResponseHeader, variant: &ServiceVariant) -> String {
    let mut w = XmlWriter::new("Response", &[("schemaVersion", RESPONSE_SCHEMA_VERSION)]);
    write_header(&mut w, header);
    w.open("Body");
    w.open("ResponseMessage");
    w.leaf("ServiceReference", variant.service_reference);
    w.leaf("ServiceReferenceVariant", variant.variant);
    w.close("ResponseMessage");
    w.close("Body");
    w.finish("Response")
}

/// A response with only a header and the service reference: the synchronous answer to a
/// request (`I99` acknowledgement, `I0`, or an error code). `request_id` is `None` only when
/// the request's RequestID could not be read.
pub fn response_header_only(
    request_id: Option<&RequestId>,
    code: ResponseCode,
    variant: &ServiceVariant,
    date_time: &ResponseDateTime,
) -> String {
    header_only(
        &ResponseHeader {
            request_id: request_id.copied(),
            response_id: None,
            response_code: code,
            response_date_time: date_time.clone(),
        },
        variant,
    )
}

/// The synchronous acknowledgement (or error) for `request_id`: [`response_header_only`] with
/// the RequestID.
pub fn acknowledgement(
    request_id: &RequestId,
    code: ResponseCode,
    variant: &ServiceVariant,
    date_time: &ResponseDateTime,
) -> String {
    response_header_only(Some(request_id), code, variant, date_time)
}

fn fixed_variant(srv: &'static str) -> Result<&'static ServiceVariant, BuildError> {
    service_variant(srv).ok_or(BuildError::UnknownVariant(srv))
}

/// 8.2 Read Inventory response: `DSPInventory` with 1 to 17 devices.
pub fn read_inventory_response(
    header: &ResponseHeader,
    devices: &[InventoryDevice],
) -> Result<String, BuildError> {
    build_response(
        header,
        fixed_variant("8.2")?,
        &ResponsePayload::DspInventory(devices),
    )
}

/// 8.4 Update Inventory response (the XSD defines no payload: header and service reference).
pub fn update_inventory_response(header: &ResponseHeader) -> Result<String, BuildError> {
    Ok(header_only(header, fixed_variant("8.4")?))
}

/// 12.2 Device Pre-notification response (the XSD defines no payload).
pub fn device_pre_notification_response(header: &ResponseHeader) -> Result<String, BuildError> {
    Ok(header_only(header, fixed_variant("12.2")?))
}

/// 12.1 Request WAN Matrix response: the request echoed and one answer per CSP region.
pub fn wan_matrix_response(
    header: &ResponseHeader,
    request: &RequestWanMatrix,
    responses: &[WanMatrixResponse],
) -> Result<String, BuildError> {
    build_response(
        header,
        fixed_variant("12.1")?,
        &ResponsePayload::DspWanMatrix { request, responses },
    )
}

/// The 12.1 answer in the DUIS 5.1 layout (`schemaVersion="5.1"`), where `DSPWANMatrix` holds one
/// region's details directly rather than a `DSPWANMatrixResponse` per region: what DCC Boxed and
/// the tooling built for it (Smart DCC's signing tool validates with the 5.1 schema) expect.
pub fn wan_matrix_response_v51(
    header: &ResponseHeader,
    request: &RequestWanMatrix,
    region: CspRegion,
    coverage: &WanCoverage,
) -> Result<String, BuildError> {
    let variant = fixed_variant("12.1")?;
    let mut w = XmlWriter::new("Response", &[("schemaVersion", "5.1")]);
    write_header(&mut w, header);
    w.open("Body");
    w.open("ResponseMessage");
    w.leaf("ServiceReference", variant.service_reference);
    w.leaf("ServiceReferenceVariant", variant.variant);
    w.open("DSPWANMatrix");
    write_wan_matrix_request(&mut w, request)?;
    w.leaf("CSPRegion", region.as_str());
    write_coverage(&mut w, coverage)?;
    w.close("DSPWANMatrix");
    w.close("ResponseMessage");
    w.close("Body");
    Ok(w.finish("Response"))
}

/// A device response carrying a `GBCSPayload`.
pub fn gbcs_payload_response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    payload: &[u8],
) -> Result<String, BuildError> {
    build_response(header, variant, &ResponsePayload::GbcsPayload(payload))
}

/// 9.1's response: the device's answer and the CIN the DCC sent it, in `CINMessage`.
pub fn cin_message_response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    gbcs_payload: &[u8],
    cin: &str,
) -> Result<String, BuildError> {
    build_response(
        header,
        variant,
        &ResponsePayload::CinMessage { gbcs_payload, cin },
    )
}

/// The answer to a CV 4 transform request: a `PreCommand` for the user to sign.
pub fn pre_command_response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    gbcs_version: &str,
    gbcs_payload: &[u8],
) -> Result<String, BuildError> {
    build_response(
        header,
        variant,
        &ResponsePayload::PreCommand {
            gbcs_version,
            gbcs_payload,
        },
    )
}

/// The response returning a command for local delivery (CV 2, 3, 6, 7): `LocalCommand` with the
/// protected GBCS command the user delivers to the device on site.
pub fn local_command_response(
    header: &ResponseHeader,
    variant: &ServiceVariant,
    gbcs_payload: &[u8],
) -> Result<String, BuildError> {
    build_response(
        header,
        variant,
        &ResponsePayload::LocalCommand(gbcs_payload),
    )
}

/// The protected command a [`local_command_response`] document returned (its
/// `LocalCommand/GBCSPayload`), as the DCC reads it back from its record of the request (8.13
/// Return Local Command Response); `None` for any other document.
pub fn local_command_payload(document: &str) -> Option<Vec<u8>> {
    fn find<'a>(e: &'a crate::Element, name: &str) -> Option<&'a crate::Element> {
        if e.name == name {
            return Some(e);
        }
        e.children.iter().find_map(|c| find(c, name))
    }
    let root =
        crate::xml::parse_element(document.as_bytes(), &crate::ParseLimits::default()).ok()?;
    let local = find(&root, "LocalCommand")?;
    let payload = local.children.iter().find(|c| c.name == "GBCSPayload")?;
    crate::bodies::decode_base64(&payload.text, "GBCSPayload").ok()
}

// DCC schedules: 5.1/5.2 answers and the responses of scheduled runs.
pub mod schedules;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParseLimits, parse_element};

    fn dt() -> ResponseDateTime {
        ResponseDateTime::parse("2022-07-22T09:37:56.134Z").unwrap()
    }

    fn rid() -> RequestId {
        "90-B3-D5-1F-30-01-00-00:88-73-84-57-00-2F-96-6C:1658482675800"
            .parse()
            .unwrap()
    }

    #[test]
    fn acknowledgement_matches_dcc_shape() {
        let v = service_variant("11.2").unwrap();
        let xml = acknowledgement(&rid(), ResponseCode::E65, v, &dt());
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sr:Response xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\" schemaVersion=\"5.4\"><sr:Header><sr:RequestID>90-B3-D5-1F-30-01-00-00:88-73-84-57-00-2F-96-6C:1658482675800</sr:RequestID><sr:ResponseCode>E65</sr:ResponseCode><sr:ResponseDateTime>2022-07-22T09:37:56.134Z</sr:ResponseDateTime></sr:Header><sr:Body><sr:ResponseMessage><sr:ServiceReference>11.2</sr:ServiceReference><sr:ServiceReferenceVariant>11.2</sr:ServiceReferenceVariant></sr:ResponseMessage></sr:Body></sr:Response>"
        );
        let anonymous = response_header_only(None, ResponseCode::E1, v, &dt());
        assert!(!anonymous.contains("RequestID"));
    }

    #[test]
    fn response_id_is_swapped() {
        let h = ResponseHeader::new(rid(), ResponseCode::I0, dt()).with_response_id();
        let xml = gbcs_payload_response(&h, service_variant("11.2").unwrap(), &[1, 2, 3]).unwrap();
        let e = parse_element(xml.as_bytes(), &ParseLimits::default()).unwrap();
        assert_eq!(
            e.text_of(&["Header", "ResponseID"]),
            Some("88-73-84-57-00-2F-96-6C:90-B3-D5-1F-30-01-00-00:1658482675800")
        );
        assert_eq!(
            e.text_of(&["Body", "ResponseMessage", "GBCSPayload"]),
            Some("AQID")
        );
    }

    #[test]
    fn inventory_checks_inputs() {
        let h = ResponseHeader::new(rid(), ResponseCode::I0, dt());
        let id: Eui64 = "00-DB-12-34-56-78-90-A0".parse().unwrap();
        assert_eq!(
            read_inventory_response(&h, &[]),
            Err(BuildError::InventoryDeviceCount(0))
        );
        let many = vec![InventoryDevice::new(id, DeviceType::Esme, "A", "B"); 18];
        assert_eq!(
            read_inventory_response(&h, &many),
            Err(BuildError::InventoryDeviceCount(18))
        );
        let long = InventoryDevice::new(id, DeviceType::Esme, "x".repeat(31), "B");
        assert!(matches!(
            read_inventory_response(&h, &[long]),
            Err(BuildError::Invalid(_))
        ));
        let ctl = InventoryDevice::new(id, DeviceType::Esme, "a\u{1}", "B");
        assert!(matches!(
            read_inventory_response(&h, &[ctl]),
            Err(BuildError::Invalid(_))
        ));
        let mut escaped = InventoryDevice::new(id, DeviceType::Esme, "A&B <x>", "M");
        escaped.han_variant = Some("Dual Band".into());
        let xml = read_inventory_response(&h, &[escaped]).unwrap();
        let e = parse_element(xml.as_bytes(), &ParseLimits::default()).unwrap();
        let dev = e
            .find(&["Body", "ResponseMessage", "DSPInventory", "Device"])
            .unwrap();
        assert_eq!(dev.text_of(&["DeviceManufacturer"]), Some("A&B <x>"));
        assert_eq!(dev.text_of(&["HANVariant"]), Some("Dual Band"));
    }

    #[test]
    fn wan_matrix_needs_a_response() {
        let h = ResponseHeader::new(rid(), ResponseCode::I0, dt());
        let req = RequestWanMatrix::Uprn(Uprn::new(1).unwrap());
        assert_eq!(
            wan_matrix_response(&h, &req, &[]),
            Err(BuildError::EmptyWanMatrix)
        );
    }

    #[test]
    fn fixed_variants_exist() {
        for srv in ["8.2", "8.4", "12.1", "12.2"] {
            assert!(fixed_variant(srv).is_ok());
        }
    }
}
