//! Turning outcomes into (unsigned) DUIS response documents, and request bodies into the typed
//! forms the services take. Thin: the `duis` crate does the XML.

use duis::bodies::BodyError;
use duis::{
    InventoryDevice, Request, ResponseCode, ResponseDateTime, ResponseHeader, WanMatrixResponse,
};
use time::OffsetDateTime;

use crate::error::{DccError, InternalError, SchemaError};
use crate::services::{InventoryEntry, WanCoverage};

pub fn body_error(e: BodyError) -> DccError {
    SchemaError::Invalid(e.to_string()).into()
}

fn build_error(e: impl std::fmt::Display) -> DccError {
    InternalError::Render(e.to_string()).into()
}

fn date_time(now: OffsetDateTime) -> Result<ResponseDateTime, DccError> {
    ResponseDateTime::from_datetime(now).map_err(build_error)
}

fn header(
    req: &Request,
    code: ResponseCode,
    now: OffsetDateTime,
) -> Result<ResponseHeader, DccError> {
    Ok(ResponseHeader::new(
        req.header.request_id,
        code,
        date_time(now)?,
    ))
}

/// A response carrying only a code: acknowledgements, errors, and non-device services with no
/// data to return.
pub fn header_only(
    req: &Request,
    code: ResponseCode,
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let variant = req.variant();
    Ok(duis::acknowledgement(
        &req.header.request_id,
        code,
        variant,
        &date_time(now)?,
    ))
}

/// 8.2 Read Inventory's answer.
pub fn inventory(
    req: &Request,
    entries: &[InventoryEntry],
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let devices: Vec<InventoryDevice> = entries
        .iter()
        .map(|e| {
            let d = &e.device;
            let mut out = InventoryDevice::new(d.id, d.device_type, &d.manufacturer, &d.model);
            out.device_status = Some(d.status);
            out.smets_chts_version.clone_from(&d.smets_chts_version);
            out.firmware_version.clone_from(&d.firmware_version);
            out.firmware_version_status = e.firmware_status;
            out.cpl_status = e.cpl_status;
            out.date_commissioned = d.date_commissioned;
            out.import_mpxn = d.mpxn.clone();
            out.esme_variant = d.esme_variant;
            if let Some(p) = &e.premises {
                out.uprn = p.uprn.parse().ok();
                out.property_filter = Some(duis::AddressFilter {
                    post_code: p.postcode.clone(),
                    address_identifier: p.address_identifier.clone(),
                });
                out.csp_region = Some(p.region);
            }
            out.device_gbcs_version.clone_from(&d.gbcs_version);
            out
        })
        .collect();
    duis::read_inventory_response(&header(req, ResponseCode::I0, now)?, &devices)
        .map_err(build_error)
}

fn coverage(c: &WanCoverage) -> duis::WanCoverage {
    duis::WanCoverage {
        coverage_available: c.available,
        anticipated_coverage_date: None,
        wan_technology: c.technology.to_string(),
        connectivity_likelihood: duis::ConnectivityLikelihood::High,
        auxiliary_equipment_required: None,
        additional_information: None,
    }
}

/// 12.1 Request WAN Matrix's answer.
pub fn wan_matrix(
    req: &Request,
    query: &duis::bodies::RequestWanMatrix,
    c: &WanCoverage,
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let responses = [WanMatrixResponse {
        csp_region: c.region,
        response_code: ResponseCode::I0,
        coverage: Some(coverage(c)),
    }];
    duis::wan_matrix_response(&header(req, ResponseCode::I0, now)?, query, &responses)
        .map_err(build_error)
}

/// 12.1's answer in the DUIS 5.1 layout DCC Boxed's tooling expects.
pub fn wan_matrix_v51(
    req: &Request,
    query: &duis::bodies::RequestWanMatrix,
    c: &WanCoverage,
    now: OffsetDateTime,
) -> Result<String, DccError> {
    duis::wan_matrix_response_v51(
        &header(req, ResponseCode::I0, now)?,
        query,
        c.region,
        &coverage(c),
    )
    .map_err(build_error)
}

/// The service request a WAN job answers (jobs of the DCC's own have no DUIS response).
fn job_variant(job: &crate::store::WanJob) -> Result<&'static duis::ServiceVariant, DccError> {
    job.kind
        .srv()
        .map(duis::Srv::info)
        .ok_or_else(|| build_error(format!("WAN job {} answers no user request", job.id)))
}

/// The DUIS response carrying a device's answer to a queued command (passed through unread:
/// the DCC does not open what the device protected for the user).
pub fn device_response(
    job: &crate::store::WanJob,
    gbcs: &[u8],
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let variant = job_variant(job)?;
    let rid = duis::RequestId {
        originator: job.originator,
        target: job.target,
        counter: job.counter,
    };
    let header = ResponseHeader::new(rid, ResponseCode::I0, date_time(now)?).with_response_id();
    if job.kind == crate::store::JobKind::Service(duis::Srv::V9_1) {
        // 9.1: the answer carries the CIN the DCC sent the meter, read from its own command.
        let cin =
            crate::services::s9_1_request_customer_identification_number::cin_of(&job.command)
                .ok_or_else(|| build_error(format!("WAN job {}: no CIN in the command", job.id)))?;
        return duis::cin_message_response(&header, variant, gbcs, cin.as_str())
            .map_err(build_error);
    }
    duis::gbcs_payload_response(&header, variant, gbcs).map_err(build_error)
}

/// The DUIS response telling the user a queued command had no answer (`E20` could not reach the
/// device, `E21` the device did not answer in time).
pub fn device_failure(
    job: &crate::store::WanJob,
    code: ResponseCode,
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let variant = job_variant(job)?;
    let rid = duis::RequestId {
        originator: job.originator,
        target: job.target,
        counter: job.counter,
    };
    Ok(duis::acknowledgement(&rid, code, variant, &date_time(now)?))
}
