//! Device status codes as the MMC schema names them, and the `DebugInfo` a failed response
//! carries (one entry per DLMS result, per ZCL Default Response / attribute status).

use gbcs::dlms::{AccessResponse, ResponseSpec};
use gbcs::gbz::{GbzBody, GbzPayload};
use gbcs::usecases::{ZCL_DEFAULT_RESPONSE, ZCL_READ_ATTRIBUTES_RESPONSE};
use gbcs::{Cra, Payload};

use crate::xml::Xml;

/// DLMS data-access-result (GET, SET) as `StatusCOSEM/DataAccessResult` names it.
pub fn data_access_result(code: u8) -> &'static str {
    match code {
        0 => "success",
        1 => "hardware-fault",
        2 => "temporary-failure",
        3 => "read-write-denied",
        4 => "object-undefined",
        9 => "object-class-inconsistent",
        11 => "object-unavailable",
        12 => "type-unmatched",
        13 => "scope-of-access-violated",
        14 => "data-block-unavailable",
        15 => "long-get-aborted",
        16 => "no-long-get-in-progress",
        17 => "long-set-aborted",
        18 => "no-long-set-in-progress",
        19 => "data-block-number-invalid",
        250 => "other-reason",
        _ => "response-code-not-known",
    }
}

/// DLMS action-result as `StatusCOSEM/ActionResult` names it.
pub fn action_result(code: u8) -> &'static str {
    match code {
        0 => "success",
        1 => "hardware-fault",
        2 => "temporary-failure",
        3 => "read-write-denied",
        4 => "object-undefined",
        9 => "object-class-inconsistent",
        11 => "object-unavailable",
        12 => "type-unmatched",
        13 => "scope-of-access-violated",
        14 => "data-block-unavailable",
        15 => "long-action-aborted",
        16 => "no-long-action-in-progress",
        250 => "other-reason",
        _ => "response-code-not-known",
    }
}

/// ZCL status (ZCL specification 2.5.3) as `StatusZIGBEE/ZCLStatus` names it.
pub fn zcl_status(code: u8) -> &'static str {
    match code {
        0x00 => "SUCCESS",
        0x01 => "FAILURE",
        0x7E => "NOT_AUTHORIZED",
        0x7F => "RESERVED_FIELD_NOT_ZERO",
        0x80 => "MALFORMED_COMMAND",
        0x81 => "UNSUP_CLUSTER_COMMAND",
        0x82 => "UNSUP_GENERAL_COMMAND",
        0x83 => "UNSUP_MANUF_CLUSTER_COMMAND",
        0x84 => "UNSUP_MANUF_GENERAL_COMMAND",
        0x85 => "INVALID_FIELD",
        0x86 => "UNSUPPORTED_ATTRIBUTE",
        0x87 => "INVALID_VALUE",
        0x88 => "READ_ONLY",
        0x89 => "INSUFFICIENT_SPACE",
        0x8A => "DUPLICATE_EXISTS",
        0x8B => "NOT_FOUND",
        0x8C => "UNREPORTABLE_ATTRIBUTE",
        0x8D => "INVALID_DATA_TYPE",
        0x8E => "INVALID_SELECTOR",
        0x8F => "WRITE_ONLY",
        0x90 => "INCONSISTENT_STARTUP_STATE",
        0x91 => "DEFINED_OUT_OF_BAND",
        0x92 => "INCONSISTENT",
        0x93 => "ACTION_DENIED",
        0x94 => "TIMEOUT",
        0x95 => "ABORT",
        0x96 => "INVALID_IMAGE",
        0x97 => "WAIT_FOR_DATA",
        0x98 => "NO_IMAGE_AVAILABLE",
        0x99 => "REQUIRE_MORE_IMAGE",
        0xC0 => "HARDWARE_FAILURE",
        0xC1 => "SOFTWARE_FAILURE",
        0xC2 => "CALIBRATION_ERROR",
        _ => "RESPONSE_CODE_NOT_KNOWN",
    }
}

/// A ZCL cluster's name, where known.
pub fn cluster_name(id: u16) -> &'static str {
    match id {
        0x0000 => "Basic",
        0x000A => "Time",
        0x0700 => "Price",
        0x0701 => "Demand Response and Load Control",
        0x0702 => "Metering",
        0x0703 => "Messaging",
        0x0705 => "Prepayment",
        0x0707 => "Calendar",
        0x0708 => "Device Management",
        0x0709 => "Events",
        0x0019 => "OTA Upgrade",
        _ => "Unknown",
    }
}

/// The `DebugInfo` of a response payload: every DLMS result (`COSEMDebug`), or every ZCL
/// Default Response and Read Attributes Response record (`ZIGBEEDebug`). `None` when the payload
/// has nothing the schema can say (ASN.1, encrypted components only, undecodable bytes).
pub fn debug_info(content: &[u8]) -> Option<Xml> {
    match Payload::decode(Cra::Response, content) {
        Payload::AccessResponse(r) => cosem_debug(&r),
        Payload::Gbz(g) => zigbee_debug(&g),
        _ => None,
    }
}

fn cosem_debug(r: &AccessResponse) -> Option<Xml> {
    if r.results.is_empty() {
        return None;
    }
    let mut x = Xml::new();
    x.open("DebugInfo", &[]);
    x.open("COSEMDebug", &[]);
    for (i, spec) in r.results.iter().enumerate() {
        let code = spec.result().to_string();
        let position = (i + 1).to_string();
        x.open(
            "COSEMResponse",
            &[("ResponseCode", &code), ("Position", &position)],
        );
        match spec {
            ResponseSpec::Action(c) => x.leaf("ActionResult", action_result(*c)),
            ResponseSpec::Get(c) | ResponseSpec::Set(c) => {
                x.leaf("DataAccessResult", data_access_result(*c))
            }
        }
        x.close("COSEMResponse");
    }
    x.close("COSEMDebug");
    x.close("DebugInfo");
    Some(x)
}

fn zigbee_debug(g: &GbzPayload) -> Option<Xml> {
    let GbzPayload::Components { components, .. } = g else {
        return None;
    };
    let mut clusters = Xml::new();
    for c in components {
        let GbzBody::Plain { zcl, .. } = &c.body else {
            continue;
        };
        let mut entries = Xml::new();
        match (zcl.command, &zcl.payload[..]) {
            (ZCL_DEFAULT_RESPONSE, [command, status]) if zcl.frame_control & 0x03 == 0 => {
                entries.open("ZIGBEECommandResponse", &[]);
                entries.leaf("CommandID", &format!("{command:02X}"));
                status_element(&mut entries, *status);
                entries.close("ZIGBEECommandResponse");
            }
            (ZCL_READ_ATTRIBUTES_RESPONSE, p) if zcl.frame_control & 0x03 == 0 => {
                for (attribute, status) in attribute_statuses(p) {
                    entries.open("ZIGBEEDataResponse", &[]);
                    entries.leaf("AttributeID", &format!("{attribute:04X}"));
                    status_element(&mut entries, status);
                    entries.close("ZIGBEEDataResponse");
                }
            }
            _ => {}
        }
        if entries.is_empty() {
            continue;
        }
        clusters.open("ZIGBEEClusterResponse", &[]);
        clusters.leaf_attrs(
            "ClusterName",
            &[("id", &format!("{:04X}", c.cluster))],
            cluster_name(c.cluster),
        );
        clusters.append(&entries);
        clusters.close("ZIGBEEClusterResponse");
    }
    if clusters.is_empty() {
        return None;
    }
    let mut x = Xml::new();
    x.open("DebugInfo", &[]);
    x.open("ZIGBEEDebug", &[]);
    x.append(&clusters);
    x.close("ZIGBEEDebug");
    x.close("DebugInfo");
    Some(x)
}

/// The `DebugInfo` of Read Attributes Response records (`payload`) of `cluster`, e.g. from an
/// opened encrypted component.
pub fn zigbee_records_debug(cluster: u16, payload: &[u8]) -> Option<Xml> {
    let statuses = attribute_statuses(payload);
    if statuses.is_empty() {
        return None;
    }
    let mut x = Xml::new();
    x.open("DebugInfo", &[]);
    x.open("ZIGBEEDebug", &[]);
    x.open("ZIGBEEClusterResponse", &[]);
    x.leaf_attrs(
        "ClusterName",
        &[("id", &format!("{cluster:04X}"))],
        cluster_name(cluster),
    );
    for (attribute, status) in statuses {
        x.open("ZIGBEEDataResponse", &[]);
        x.leaf("AttributeID", &format!("{attribute:04X}"));
        status_element(&mut x, status);
        x.close("ZIGBEEDataResponse");
    }
    x.close("ZIGBEEClusterResponse");
    x.close("ZIGBEEDebug");
    x.close("DebugInfo");
    Some(x)
}

fn status_element(x: &mut Xml, status: u8) {
    x.open("Status", &[("ResponseCode", &format!("{status:02X}"))]);
    x.leaf("ZCLStatus", zcl_status(status));
    x.close("Status");
}

/// The (attribute, status) of each Read Attributes Response record, as far as they parse.
fn attribute_statuses(p: &[u8]) -> Vec<(u16, u8)> {
    let mut out = Vec::new();
    let mut rest = p;
    while let [lo, hi, status, tail @ ..] = rest {
        let id = u16::from_le_bytes([*lo, *hi]);
        out.push((id, *status));
        if *status != 0 {
            rest = tail;
            continue;
        }
        let Some((&t, value)) = tail.split_first() else {
            break;
        };
        let Some(len) = zcl_value_len(t, value) else {
            break;
        };
        match value.get(len..) {
            Some(r) => rest = r,
            None => break,
        }
    }
    out
}

/// The encoded length of a ZCL value of type `t` at the start of `v`.
pub fn zcl_value_len(t: u8, v: &[u8]) -> Option<usize> {
    let fixed = match t {
        0x08 | 0x10 | 0x18 | 0x20 | 0x28 | 0x30 => 1,
        0x09 | 0x19 | 0x21 | 0x29 | 0x31 | 0x38 => 2,
        0x0A | 0x1A | 0x22 | 0x2A => 3,
        0x0B | 0x1B | 0x23 | 0x2B | 0x39 | 0xE0 | 0xE1 | 0xE2 => 4,
        0x0C | 0x1C | 0x24 | 0x2C => 5,
        0x0D | 0x1D | 0x25 | 0x2D => 6,
        0x0E | 0x1E | 0x26 | 0x2E => 7,
        0x0F | 0x1F | 0x27 | 0x2F | 0x3A | 0xF0 => 8,
        0x41 | 0x42 => return v.first().map(|l| 1 + usize::from(*l)),
        0x43 | 0x44 => {
            return match v {
                [lo, hi, ..] => Some(2 + usize::from(u16::from_le_bytes([*lo, *hi]))),
                _ => None,
            };
        }
        _ => return None,
    };
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(data_access_result(4), "object-undefined");
        assert_eq!(action_result(15), "long-action-aborted");
        assert_eq!(zcl_status(0x82), "UNSUP_GENERAL_COMMAND");
        assert_eq!(zcl_status(0x42), "RESPONSE_CODE_NOT_KNOWN");
    }

    #[test]
    fn attribute_records_walk() {
        // 0x0000 uint48 success, 0x0300 unsupported.
        let p = [0, 0, 0, 0x25, 1, 2, 3, 4, 5, 6, 0, 3, 0x86];
        assert_eq!(attribute_statuses(&p), vec![(0, 0), (0x0300, 0x86)]);
    }
}
