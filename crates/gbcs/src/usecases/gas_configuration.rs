//! GSME gas configuration (DUIS 6.6, 6.7, 6.2.8; GCS23, GCS24, GCS24a, GCS21a).
//!
//! * 6.6 (GCS23, critical): two Price cluster components, ZSE Publish Conversion Factor
//!   (`0x02`: issuer event id, start 0 = now, conversion factor uint32, trailing digit `0x50`)
//!   then Publish Calorific Value (`0x03`: issuer event id, start 0, calorific value uint32,
//!   unit `0x01` MJ/m³, trailing digit `0x10`); frame control `0x09`. Default Response to each.
//! * 6.7 (GCS24 / GCS24a, critical): two Metering cluster components, ZSE Set Uncontrolled Flow
//!   Threshold (`0x0E`: provider 0, issuer event id, threshold uint16, unit `0x01`, multiplier
//!   1, divisor 1 (GCS24) or 10000 (GCS24a, DUIS `UncontrolledGasFlowRateDecimal`),
//!   stabilisation period uint8, measurement period uint16) then Set Supply Status (`0x0D`:
//!   issuer event id, tamper, depletion, uncontrolled flow `0x00`, load limit `0x03`
//!   unchanged); DUIS `Unchanged` is `0x03`, `Locked` `0x01`. Frame control `0x01`.
//! * 6.2.8 (GCS21a): a GBZ read set of the Price attributes [`PRICE_ATTRIBUTES`] and the
//!   Metering attributes [`METERING_ATTRIBUTES`] ([`super::reads_common`]).

use super::common::{self, CommandHeader};
use super::reads_common::GbzRead;
use super::settings_common::ZclFields;
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

/// ZSE Price cluster.
pub const CLUSTER_PRICE: u16 = 0x0700;
/// ZSE Metering cluster.
pub const CLUSTER_METERING: u16 = 0x0702;
/// ZSE Publish Conversion Factor.
pub const PUBLISH_CONVERSION_FACTOR: u8 = 0x02;
/// ZSE Publish Calorific Value.
pub const PUBLISH_CALORIFIC_VALUE: u8 = 0x03;
/// ZSE Set Uncontrolled Flow Threshold.
pub const SET_UNCONTROLLED_FLOW_THRESHOLD: u8 = 0x0E;
/// ZSE Set Supply Status.
pub const SET_SUPPLY_STATUS: u8 = 0x0D;
/// Frame control of the 6.6 Publish commands (cluster-specific, server→client, no default
/// response disabled bit as the RTDS).
pub const FC_PUBLISH: u8 = 0x09;
/// Frame control of the 6.7 commands (cluster-specific, client→server).
pub const FC_SET: u8 = 0x01;
/// Conversion factor trailing digit: 5 decimals.
pub const CONVERSION_FACTOR_TRAILING: u8 = 0x50;
/// Calorific value trailing digit: 1 decimal.
pub const CALORIFIC_VALUE_TRAILING: u8 = 0x10;
/// Calorific value unit: MJ/m³.
pub const CALORIFIC_VALUE_UNIT: u8 = 0x01;
/// Supply state `Unchanged`.
pub const SUPPLY_UNCHANGED: u8 = 0x03;
/// Supply state `Locked` (off / armed).
pub const SUPPLY_LOCKED: u8 = 0x01;
/// Divisor of the GCS24a threshold (DUIS 4 decimals).
pub const DECIMAL_DIVISOR: u16 = 10_000;
/// The Price attributes GCS21a reads.
pub const PRICE_ATTRIBUTES: [u16; 5] = [0x0306, 0x0305, 0x0304, 0x0303, 0x0302];
/// The Metering attributes GCS21a reads.
pub const METERING_ATTRIBUTES: [u16; 6] = [0x0B13, 0x0B12, 0x0B11, 0x0B10, 0x0B14, 0x0B15];
/// The GCS21a requests.
pub const READS: [GbzRead; 2] = [
    GbzRead::Attributes {
        cluster: CLUSTER_PRICE,
        attributes: &PRICE_ATTRIBUTES,
    },
    GbzRead::Attributes {
        cluster: CLUSTER_METERING,
        attributes: &METERING_ATTRIBUTES,
    },
];

/// A 6.6 gas conversion: conversion factor (5 decimals) and calorific value (1 decimal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct GasConversion {
    /// Issuer event id.
    pub issuer_event_id: u32,
    /// Conversion factor, in 10⁻⁵.
    pub conversion_factor: u32,
    /// Calorific value, in 0.1 MJ/m³.
    pub calorific_value: u32,
}

/// A 6.7 gas flow configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct GasFlow {
    /// Issuer event id.
    pub issuer_event_id: u32,
    /// Uncontrolled flow threshold, in units of 1/`divisor`.
    pub threshold: u16,
    /// Divisor: 1 (GCS24) or [`DECIMAL_DIVISOR`] (GCS24a).
    pub divisor: u16,
    /// Stabilisation period (s, 1..=255).
    pub stabilisation_period: u8,
    /// Measurement period (s, 1..=65535).
    pub measurement_period: u16,
    /// Supply tamper state ([`SUPPLY_UNCHANGED`] or [`SUPPLY_LOCKED`]).
    pub tamper_state: u8,
    /// Supply depletion state.
    pub depletion_state: u8,
}

impl GasFlow {
    /// Whether the GBCS ranges hold (periods non-zero, states DUIS states).
    pub fn in_range(&self) -> bool {
        self.stabilisation_period != 0
            && self.measurement_period != 0
            && [self.tamper_state, self.depletion_state]
                .iter()
                .all(|s| *s == SUPPLY_UNCHANGED || *s == SUPPLY_LOCKED)
    }

    fn threshold_payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(18);
        p.extend_from_slice(&0u32.to_le_bytes());
        p.extend_from_slice(&self.issuer_event_id.to_le_bytes());
        p.extend_from_slice(&self.threshold.to_le_bytes());
        p.push(0x01);
        p.extend_from_slice(&1u16.to_le_bytes());
        p.extend_from_slice(&self.divisor.to_le_bytes());
        p.push(self.stabilisation_period);
        p.extend_from_slice(&self.measurement_period.to_le_bytes());
        p
    }

    fn supply_payload(&self) -> Vec<u8> {
        let mut p = self.issuer_event_id.to_le_bytes().to_vec();
        p.extend_from_slice(&[
            self.tamper_state,
            self.depletion_state,
            0x00,
            SUPPLY_UNCHANGED,
        ]);
        p
    }
}

fn publish_payload(issuer: u32, value: u32, tail: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(14);
    p.extend_from_slice(&issuer.to_le_bytes());
    p.extend_from_slice(&0u32.to_le_bytes());
    p.extend_from_slice(&value.to_le_bytes());
    p.extend_from_slice(tail);
    p
}

fn frame(fc: u8, sequence: u8, command: u8, payload: Vec<u8>) -> ZclFrame {
    ZclFrame {
        frame_control: fc,
        manufacturer_code: None,
        sequence,
        command,
        payload,
    }
}

/// Builds a 6.6 pre-command.
pub(crate) fn conversion_command(
    h: &CommandHeader,
    code: MessageCode,
    c: &GasConversion,
) -> Result<GeneralSigning, BuildError> {
    let content = GbzPayload::command(vec![
        (
            CLUSTER_PRICE,
            None,
            frame(
                FC_PUBLISH,
                0,
                PUBLISH_CONVERSION_FACTOR,
                publish_payload(
                    c.issuer_event_id,
                    c.conversion_factor,
                    &[CONVERSION_FACTOR_TRAILING],
                ),
            ),
        ),
        (
            CLUSTER_PRICE,
            None,
            frame(
                FC_PUBLISH,
                1,
                PUBLISH_CALORIFIC_VALUE,
                publish_payload(
                    c.issuer_event_id,
                    c.calorific_value,
                    &[CALORIFIC_VALUE_UNIT, CALORIFIC_VALUE_TRAILING],
                ),
            ),
        ),
    ])
    .encode()?;
    Ok(common::apdu(h, code, content, true))
}

/// Builds a 6.7 pre-command.
pub(crate) fn flow_command(
    h: &CommandHeader,
    code: MessageCode,
    f: &GasFlow,
) -> Result<GeneralSigning, BuildError> {
    if !f.in_range() {
        return Err(BuildError::OutOfRange("gas flow configuration"));
    }
    let content = GbzPayload::command(vec![
        (
            CLUSTER_METERING,
            None,
            frame(
                FC_SET,
                0,
                SET_UNCONTROLLED_FLOW_THRESHOLD,
                f.threshold_payload(),
            ),
        ),
        (
            CLUSTER_METERING,
            None,
            frame(FC_SET, 1, SET_SUPPLY_STATUS, f.supply_payload()),
        ),
    ])
    .encode()?;
    Ok(common::apdu(h, code, content, true))
}

/// The two plaintext payloads of a two-component command on `cluster`.
fn two_payloads(
    apdu: &GeneralSigning,
    uc: &'static str,
    cluster: u16,
    fc: u8,
    commands: [u8; 2],
) -> Result<[Vec<u8>; 2], CommandDecodeError> {
    let GbzPayload::Components {
        profile,
        components,
    } = GbzPayload::decode(&apdu.content)?
    else {
        return Err(common::bad(uc, "not a GBZ command"));
    };
    let [a, b] = &components[..] else {
        return Err(common::bad(uc, "two GBZ components expected"));
    };
    if profile != crate::gbz::GBZ_PROFILE
        || a.cluster != cluster
        || b.cluster != cluster
        || a.control != 0
        || b.control != crate::gbz::CONTROL_LAST
    {
        return Err(common::bad(uc, "components are not the use case's"));
    }
    let plain = |c: &crate::gbz::GbzComponent, seq: u8, cmd: u8| match &c.body {
        GbzBody::Plain {
            from_date_time: None,
            zcl,
        } if zcl.sequence == seq
            && zcl.manufacturer_code.is_none()
            && zcl.frame_control == fc
            && zcl.command == cmd =>
        {
            Ok(zcl.payload.clone())
        }
        _ => Err(common::bad(uc, "not the use case's ZSE commands")),
    };
    Ok([plain(a, 0, commands[0])?, plain(b, 1, commands[1])?])
}

/// Decodes a 6.6 command.
pub(crate) fn decode_conversion(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<GasConversion, CommandDecodeError> {
    let [cf, cv] = two_payloads(
        apdu,
        uc,
        CLUSTER_PRICE,
        FC_PUBLISH,
        [PUBLISH_CONVERSION_FACTOR, PUBLISH_CALORIFIC_VALUE],
    )?;
    let mut f = ZclFields::new(uc, &cf);
    let issuer_event_id = f.u32()?;
    let start = f.u32()?;
    let conversion_factor = f.u32()?;
    let cf_trailing = f.u8()?;
    f.finish()?;
    let mut f = ZclFields::new(uc, &cv);
    let issuer2 = f.u32()?;
    let start2 = f.u32()?;
    let calorific_value = f.u32()?;
    let unit = f.u8()?;
    let cv_trailing = f.u8()?;
    f.finish()?;
    if issuer2 != issuer_event_id
        || start != 0
        || start2 != 0
        || cf_trailing != CONVERSION_FACTOR_TRAILING
        || cv_trailing != CALORIFIC_VALUE_TRAILING
        || unit != CALORIFIC_VALUE_UNIT
    {
        return Err(common::bad(uc, "not a conversion DUIS states"));
    }
    Ok(GasConversion {
        issuer_event_id,
        conversion_factor,
        calorific_value,
    })
}

/// Decodes a 6.7 command; `divisor` is the use case's.
pub(crate) fn decode_flow(
    apdu: &GeneralSigning,
    uc: &'static str,
    divisor: u16,
) -> Result<GasFlow, CommandDecodeError> {
    let [t, s] = two_payloads(
        apdu,
        uc,
        CLUSTER_METERING,
        FC_SET,
        [SET_UNCONTROLLED_FLOW_THRESHOLD, SET_SUPPLY_STATUS],
    )?;
    let mut f = ZclFields::new(uc, &t);
    let provider = f.u32()?;
    let issuer_event_id = f.u32()?;
    let threshold = f.u16()?;
    let unit = f.u8()?;
    let multiplier = f.u16()?;
    let div = f.u16()?;
    let stabilisation_period = f.u8()?;
    let measurement_period = f.u16()?;
    f.finish()?;
    let mut f = ZclFields::new(uc, &s);
    let issuer2 = f.u32()?;
    let tamper_state = f.u8()?;
    let depletion_state = f.u8()?;
    let uncontrolled = f.u8()?;
    let load_limit = f.u8()?;
    f.finish()?;
    let flow = GasFlow {
        issuer_event_id,
        threshold,
        divisor: div,
        stabilisation_period,
        measurement_period,
        tamper_state,
        depletion_state,
    };
    if provider != 0
        || issuer2 != issuer_event_id
        || unit != 0x01
        || multiplier != 1
        || div != divisor
        || uncontrolled != 0
        || load_limit != SUPPLY_UNCHANGED
        || !flow.in_range()
    {
        return Err(common::bad(uc, "not a gas flow configuration DUIS states"));
    }
    Ok(flow)
}

/// Decodes a 6.6 / 6.7 response: a Default Response success to both commands, or the failure.
pub(crate) fn decode_set_response(
    content: &[u8],
    cluster: u16,
    commands: [u8; 2],
) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    let ok = components.len() == 2
        && components.iter().zip(commands).all(|(c, cmd)| {
            c.cluster == cluster
                && matches!(&c.body, GbzBody::Plain { zcl, .. }
                        if zcl.command == common::ZCL_DEFAULT_RESPONSE && zcl.payload == [cmd, 0])
        });
    if ok {
        Ok(ResponseOutcome::Success(ResponseValue::Done))
    } else {
        Err(ResponseDecodeError::Format(
            "not a Default Response to each command",
        ))
    }
}
