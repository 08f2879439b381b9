//! The GSME billing calendar (DUIS 6.8 and 6.2.3, GCS25, GCS25a, GCS21d, GCS21k): ZSE Price
//! cluster billing periods.
//!
//! * 6.8 (GCS25, GCS25a; the same layout, RTDS 4.5.0): two components on the Price cluster, a
//!   Publish Billing Period (`0x09`: provider id 0, issuer event id, billing period start in
//!   ZigBee UTC, duration (24 bits), duration type, tariff type 0) then a Publish Block Period
//!   (`0x01`: the same provider, issuer event, start, duration, block period control `0x02`
//!   repeating, the same duration type, tariff type 0, tariff resolution period `0x01` block
//!   period). The GSME answers a Default Response to each (frame control `0x00`).
//! * 6.2.3 (GCS21d, GCS21k): a Get Billing Period (`0x0B`, frame control `0x01`: earliest start
//!   time 0, minimum issuer event id `FFFFFFFF`, one command, tariff type 0), answered by a
//!   Publish Billing Period, or a Default Response with the failure (frame control `0x08`).
//!
//! The one DUIS-to-GBCS rule for the periodicity, [`GasBillingPeriod::from_duis`]: daily one
//! day (type `0x21`), weekly one week (`0x22`), monthly, quarterly, six-monthly, yearly 1, 3, 6
//! and 12 months (`0x23`); the duration control nibble is 2 (not specified), as the RTDS.

use super::common::{self, CommandHeader};
use super::settings_common::{FC_SERVER_TO_CLIENT, ZclFields};
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::codes::MessageCode;
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload, ZclFrame};

/// ZSE Price cluster.
pub const CLUSTER_PRICE: u16 = 0x0700;
/// ZSE Publish Billing Period.
pub const PUBLISH_BILLING_PERIOD: u8 = 0x09;
/// ZSE Publish Block Period.
pub const PUBLISH_BLOCK_PERIOD: u8 = 0x01;
/// ZSE Get Billing Period.
pub const GET_BILLING_PERIOD: u8 = 0x0B;
/// Frame control of the Get Billing Period: cluster-specific, client→server.
pub const FC_CLIENT_TO_SERVER: u8 = 0x01;
/// Block period control: repeating block.
const BLOCK_PERIOD_CONTROL: u8 = 0x02;
/// Tariff resolution period: block period.
const TARIFF_RESOLUTION_PERIOD: u8 = 0x01;
/// Duration type: days, weeks, months (control "not specified").
pub const DAYS: u8 = 0x21;
/// Weeks.
pub const WEEKS: u8 = 0x22;
/// Months.
pub const MONTHS: u8 = 0x23;

/// How often a gas billing period ends (DUIS `GasBillingCalendar/Periodicity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GasPeriodicity {
    /// `Daily`.
    Daily,
    /// `Weekly`.
    Weekly,
    /// `Monthly`.
    Monthly,
    /// `Quarterly`.
    Quarterly,
    /// `SixMonthly`.
    SixMonthly,
    /// `Yearly`.
    Yearly,
}

/// A GSME billing period as ZSE publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct GasBillingPeriod {
    /// Issuer event id.
    pub issuer_event_id: u32,
    /// Billing period start, ZigBee UTC (seconds since 2000-01-01).
    pub start: u32,
    /// Duration, in units of the type.
    pub duration: u32,
    /// Duration type (`DAYS`, `WEEKS`, `MONTHS`).
    pub duration_type: u8,
}

impl GasBillingPeriod {
    /// The billing period of a DUIS gas calendar.
    pub fn from_duis(issuer_event_id: u32, start: u32, p: GasPeriodicity) -> Self {
        let (duration, duration_type) = match p {
            GasPeriodicity::Daily => (1, DAYS),
            GasPeriodicity::Weekly => (1, WEEKS),
            GasPeriodicity::Monthly => (1, MONTHS),
            GasPeriodicity::Quarterly => (3, MONTHS),
            GasPeriodicity::SixMonthly => (6, MONTHS),
            GasPeriodicity::Yearly => (12, MONTHS),
        };
        Self {
            issuer_event_id,
            start,
            duration,
            duration_type,
        }
    }

    /// The DUIS periodicity, if the period is one DUIS states.
    pub fn periodicity(&self) -> Option<GasPeriodicity> {
        Some(match (self.duration, self.duration_type) {
            (1, DAYS) => GasPeriodicity::Daily,
            (1, WEEKS) => GasPeriodicity::Weekly,
            (1, MONTHS) => GasPeriodicity::Monthly,
            (3, MONTHS) => GasPeriodicity::Quarterly,
            (6, MONTHS) => GasPeriodicity::SixMonthly,
            (12, MONTHS) => GasPeriodicity::Yearly,
            _ => return None,
        })
    }

    fn billing_payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(17);
        p.extend_from_slice(&0u32.to_le_bytes());
        p.extend_from_slice(&self.issuer_event_id.to_le_bytes());
        p.extend_from_slice(&self.start.to_le_bytes());
        p.extend_from_slice(&self.duration.to_le_bytes()[..3]);
        p.push(self.duration_type);
        p.push(0);
        p
    }

    fn block_payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(19);
        p.extend_from_slice(&0u32.to_le_bytes());
        p.extend_from_slice(&self.issuer_event_id.to_le_bytes());
        p.extend_from_slice(&self.start.to_le_bytes());
        p.extend_from_slice(&self.duration.to_le_bytes()[..3]);
        p.push(BLOCK_PERIOD_CONTROL);
        p.push(self.duration_type);
        p.push(0);
        p.push(TARIFF_RESOLUTION_PERIOD);
        p
    }

    /// The Publish Billing Period frame (a 6.2.3 answer, the first component of a 6.8
    /// command).
    pub fn publish_billing_period(&self, sequence: u8) -> ZclFrame {
        ZclFrame {
            frame_control: FC_SERVER_TO_CLIENT,
            manufacturer_code: None,
            sequence,
            command: PUBLISH_BILLING_PERIOD,
            payload: self.billing_payload(),
        }
    }

    /// Reads a Publish Billing Period payload (provider 0 and tariff type 0 only).
    fn from_billing_payload(p: &[u8], uc: &'static str) -> Result<Self, CommandDecodeError> {
        let mut f = ZclFields::new(uc, p);
        let provider = f.u32()?;
        let issuer_event_id = f.u32()?;
        let start = f.u32()?;
        let d = [f.u8()?, f.u8()?, f.u8()?];
        let duration_type = f.u8()?;
        let tariff_type = f.u8()?;
        f.finish()?;
        let s = Self {
            issuer_event_id,
            start,
            duration: u32::from_le_bytes([d[0], d[1], d[2], 0]),
            duration_type,
        };
        if provider != 0 || tariff_type != 0 || s.periodicity().is_none() {
            return Err(common::bad(uc, "not a billing period DUIS states"));
        }
        Ok(s)
    }
}

/// Builds a 6.8 pre-command (critical).
pub(crate) fn set_command(
    h: &CommandHeader,
    code: MessageCode,
    period: &GasBillingPeriod,
) -> Result<GeneralSigning, BuildError> {
    if period.periodicity().is_none() {
        return Err(BuildError::OutOfRange("gas billing period"));
    }
    let block = ZclFrame {
        frame_control: FC_SERVER_TO_CLIENT,
        manufacturer_code: None,
        sequence: 1,
        command: PUBLISH_BLOCK_PERIOD,
        payload: period.block_payload(),
    };
    let content = GbzPayload::command(vec![
        (CLUSTER_PRICE, None, period.publish_billing_period(0)),
        (CLUSTER_PRICE, None, block),
    ])
    .encode()?;
    Ok(common::apdu(h, code, content, true))
}

/// Decodes a 6.8 command: the billing period, published alike in both components.
pub(crate) fn decode_set(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<GasBillingPeriod, CommandDecodeError> {
    let GbzPayload::Components {
        profile,
        components,
    } = GbzPayload::decode(&apdu.content)?
    else {
        return Err(common::bad(uc, "not a GBZ command"));
    };
    let [billing, block] = &components[..] else {
        return Err(common::bad(uc, "two GBZ components expected"));
    };
    if profile != 0x0109
        || billing.cluster != CLUSTER_PRICE
        || block.cluster != CLUSTER_PRICE
        || billing.control != 0
        || block.control != crate::gbz::CONTROL_LAST
    {
        return Err(common::bad(uc, "components are not the use case's"));
    }
    let plain = |c: &crate::gbz::GbzComponent, seq: u8, cmd: u8| match &c.body {
        GbzBody::Plain {
            from_date_time: None,
            zcl,
        } if zcl.sequence == seq
            && zcl.manufacturer_code.is_none()
            && zcl.frame_control == FC_SERVER_TO_CLIENT
            && zcl.command == cmd =>
        {
            Ok(zcl.payload.clone())
        }
        _ => Err(common::bad(uc, "not the use case's ZSE commands")),
    };
    let period =
        GasBillingPeriod::from_billing_payload(&plain(billing, 0, PUBLISH_BILLING_PERIOD)?, uc)?;
    if plain(block, 1, PUBLISH_BLOCK_PERIOD)? != period.block_payload() {
        return Err(common::bad(
            uc,
            "the block period is not the billing period's",
        ));
    }
    Ok(period)
}

/// Decodes a 6.8 response: a Default Response success to both commands, or the failure.
pub(crate) fn decode_set_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    let ok = components.len() == 2
        && components
            .iter()
            .zip([PUBLISH_BILLING_PERIOD, PUBLISH_BLOCK_PERIOD])
            .all(|(c, cmd)| {
                c.cluster == CLUSTER_PRICE
                    && matches!(&c.body, GbzBody::Plain { zcl, .. }
                        if zcl.command == common::ZCL_DEFAULT_RESPONSE && zcl.payload == [cmd, 0])
            });
    if ok {
        Ok(ResponseOutcome::Success(ResponseValue::Done))
    } else {
        Err(ResponseDecodeError::Format(
            "not a Default Response to each Publish",
        ))
    }
}

/// The Get Billing Period payload.
fn get_payload() -> Vec<u8> {
    let mut p = Vec::with_capacity(10);
    p.extend_from_slice(&0u32.to_le_bytes());
    p.extend_from_slice(&u32::MAX.to_le_bytes());
    p.push(1);
    p.push(0);
    p
}

/// Builds a 6.2.3 command.
pub(crate) fn read_command(
    h: &CommandHeader,
    code: MessageCode,
) -> Result<GeneralSigning, BuildError> {
    let zcl = ZclFrame {
        frame_control: FC_CLIENT_TO_SERVER,
        manufacturer_code: None,
        sequence: 0,
        command: GET_BILLING_PERIOD,
        payload: get_payload(),
    };
    let content = GbzPayload::command(vec![(CLUSTER_PRICE, None, zcl)]).encode()?;
    Ok(common::apdu(h, code, content, false))
}

/// Decodes a 6.2.3 command (exactly the Get Billing Period above).
pub(crate) fn decode_read(
    apdu: &GeneralSigning,
    uc: &'static str,
) -> Result<(), CommandDecodeError> {
    let zcl = common::single_zcl(apdu, uc, CLUSTER_PRICE)?;
    if zcl.frame_control != FC_CLIENT_TO_SERVER
        || zcl.command != GET_BILLING_PERIOD
        || zcl.payload != get_payload()
    {
        return Err(common::bad(uc, "not the use case's Get Billing Period"));
    }
    Ok(())
}

/// Decodes a 6.2.3 response: the Publish Billing Period, or the failure.
pub(crate) fn decode_read_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    match &components[..] {
        [c] if c.cluster == CLUSTER_PRICE => match &c.body {
            GbzBody::Plain { zcl, .. } if zcl.command == PUBLISH_BILLING_PERIOD => {
                GasBillingPeriod::from_billing_payload(&zcl.payload, "GCS21d")
                    .map(|p| ResponseOutcome::Success(ResponseValue::GasBillingPeriod(p)))
                    .map_err(|_| ResponseDecodeError::Format("not a billing period"))
            }
            _ => Err(ResponseDecodeError::Format("not a Publish Billing Period")),
        },
        _ => Err(ResponseDecodeError::Format(
            "one Price cluster component expected",
        )),
    }
}
