//! What the GSME log mappings share: opening the GBZ log parts the device encrypted to the
//! requester and reading their ZSE payloads (Publish Snapshot, Publish Prepay Snapshot, Publish
//! Debt Log, Publish Top Up Log, Get Sampled Data Response). A part the device answered
//! NOT_FOUND (no entry for that request in the period) adds nothing. Gas volumes are counted in
//! litres (the GSME's summation divisor 1000) and given in m³.

use gbcs::usecases::logs_common::GbzLogPart;
use gbcs::usecases::{ResponseValue, SampledData};

use super::logs::zigbee_time;
use super::reads::{Opened, litres_as_m3};
use super::{MappingError, ResponseCtx};
use crate::xml::Xml;

/// ZSE Metering cluster.
pub(crate) const METERING: u16 = 0x0702;
/// ZSE Prepayment cluster.
pub(crate) const PREPAYMENT: u16 = 0x0705;

/// A log part: cluster, command and (opened) payload.
pub(crate) type Part = (u16, u8, Vec<u8>);

/// The parts' payloads (opened where encrypted) as (cluster, command, payload); NOT_FOUND parts
/// are left out.
pub(crate) fn payloads(
    ctx: &ResponseCtx<'_>,
    what: &str,
    v: &ResponseValue,
) -> Result<Opened<Vec<Part>>, MappingError> {
    let ResponseValue::GbzLog(parts) = v else {
        return Err(MappingError::unexpected(v));
    };
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            GbzLogPart::Protected {
                cluster,
                command,
                block,
            } => match ctx.open(block) {
                Ok(plain) => out.push((*cluster, *command, plain)),
                Err(reason) => {
                    return Ok(Opened::Rendering(ctx.sealed(
                        what,
                        "zigbeeCiphered",
                        block,
                        reason,
                    )));
                }
            },
            GbzLogPart::Plain {
                cluster,
                command,
                payload,
            } => out.push((*cluster, *command, payload.clone())),
            GbzLogPart::NotFound { .. } => {}
        }
    }
    Ok(Opened::Ok(out))
}

fn bad(what: &str) -> MappingError {
    MappingError(format!("malformed {what}"))
}

fn le(b: &[u8]) -> u64 {
    b.iter()
        .rev()
        .take(8)
        .fold(0u64, |acc, x| (acc << 8) | u64::from(*x))
}

fn take<'a>(p: &mut &'a [u8], n: usize, what: &str) -> Result<&'a [u8], MappingError> {
    if p.len() < n {
        return Err(bad(what));
    }
    let (a, b) = p.split_at(n);
    *p = b;
    Ok(a)
}

/// A snapshot's time and payload (Publish Snapshot / Publish Prepay Snapshot: id, time, found,
/// command index, commands, cause, payload type, payload).
fn snapshot(p: &[u8]) -> Result<(Option<String>, u8, &[u8]), MappingError> {
    let what = "snapshot";
    let mut p = p;
    take(&mut p, 4, what)?;
    let time = u32::try_from(le(take(&mut p, 4, what)?))
        .ok()
        .and_then(zigbee_time);
    take(&mut p, 7, what)?;
    let kind = take(&mut p, 1, what)?[0];
    Ok((time, kind, p))
}

/// A metering snapshot: total, tier and block registers (litres).
pub(crate) struct MeteringSnapshot {
    pub time: Option<String>,
    pub total: u64,
    pub tiers: Vec<u64>,
    pub blocks: Vec<u64>,
}

impl MeteringSnapshot {
    /// Payload type 0 (TOU information set, delivered registers: summation, bill to date and
    /// projected bill with their times, trailing digit, tiers in use and their summations) or
    /// 6 (summation, tiers in use and their summations, tiers/blocks in use and the block
    /// summations, as the RTDS GSME answers).
    pub(crate) fn parse(p: &[u8]) -> Result<Self, MappingError> {
        let what = "metering snapshot";
        let (time, kind, mut p) = snapshot(p)?;
        let total = le(take(&mut p, 6, what)?);
        let six = |p: &mut &[u8], n: usize| -> Result<Vec<u64>, MappingError> {
            (0..n).map(|_| take(p, 6, what).map(le)).collect()
        };
        let (tiers, blocks) = match kind {
            0 => {
                take(&mut p, 17, what)?;
                let n = usize::from(take(&mut p, 1, what)?[0]);
                (six(&mut p, n.min(4))?, Vec::new())
            }
            6 => {
                let n = usize::from(take(&mut p, 1, what)?[0]);
                let tiers = six(&mut p, n.min(4))?;
                let blocks = match take(&mut p, 1, what) {
                    Ok(b) => six(&mut p, usize::from(b[0] & 0x0F).min(4))?,
                    Err(_) => Vec::new(),
                };
                (tiers, blocks)
            }
            k => return Err(MappingError(format!("snapshot payload type {k}"))),
        };
        Ok(Self {
            time,
            total,
            tiers,
            blocks,
        })
    }

    /// `<name index="i">` m³ for each value.
    pub(crate) fn matrix(x: &mut Xml, name: &str, values: &[u64]) {
        for (i, v) in values.iter().enumerate() {
            super::reads::indexed(x, name, i + 1, &litres_as_m3(i128::from(*v)));
        }
    }
}

/// A prepayment snapshot (payload type 0, debt and credit status) as a
/// `PrepaymentOperationalDataType`'s children: accumulated debt, debts 1–3 (time 1, time 2,
/// payment-based), emergency credit and credit remaining (the meter balance).
pub(crate) fn prepay_snapshot(x: &mut Xml, p: &[u8]) -> Result<(), MappingError> {
    let what = "prepayment snapshot";
    let (time, kind, mut p) = snapshot(p)?;
    if kind != 0 {
        return Err(MappingError(format!(
            "prepayment snapshot payload type {kind}"
        )));
    }
    let mut v = [0i128; 6];
    for (i, slot) in v.iter_mut().enumerate() {
        let raw = le(take(&mut p, 4, what)?);
        let u = u32::try_from(raw).unwrap_or(0);
        // Accumulated debt, emergency credit and credit remaining are signed.
        *slot = if matches!(i, 0 | 4 | 5) {
            i128::from(i32::from_le_bytes(u.to_le_bytes()))
        } else {
            i128::from(u)
        };
    }
    let [accumulated, time1, time2, payment, emergency, credit] = v;
    for (name, v) in [
        ("AccumulatedDebtRegister", accumulated),
        ("EmergencyCreditBalance", emergency),
        ("MeterBalance", credit),
        ("PaymentDebtRegister", payment),
        ("TimeDebtRegisters1", time1),
        ("TimeDebtRegisters2", time2),
    ] {
        x.leaf(name, &v.to_string());
    }
    if let Some(t) = time {
        x.leaf("Timestamp", &t);
    }
    Ok(())
}

/// The (amount, time) entries of a Publish Debt Log (command index, commands, then collection
/// time, amount collected, debt type, outstanding debt) or Publish Top Up Log (command index,
/// commands, then top-up code, amount, time).
pub(crate) fn amounts(
    payload: &[u8],
    top_up: bool,
) -> Result<Vec<(i128, Option<String>)>, MappingError> {
    let what = if top_up { "top up log" } else { "debt log" };
    let mut p = payload;
    take(&mut p, 2, what)?;
    let mut out = Vec::new();
    while !p.is_empty() {
        if top_up {
            let n = usize::from(take(&mut p, 1, what)?[0]);
            take(&mut p, n, what)?;
            let amount =
                i32::from_le_bytes(take(&mut p, 4, what)?.try_into().map_err(|_| bad(what))?);
            let time = u32::try_from(le(take(&mut p, 4, what)?))
                .ok()
                .and_then(zigbee_time);
            out.push((i128::from(amount), time));
        } else {
            let time = u32::try_from(le(take(&mut p, 4, what)?))
                .ok()
                .and_then(zigbee_time);
            let amount = le(take(&mut p, 4, what)?);
            take(&mut p, 5, what)?;
            out.push((i128::from(amount), time));
        }
    }
    Ok(out)
}

/// A daily Get Sampled Data Response's samples as (time, litres): the request interval `FFFF`
/// (or 0) means a day.
pub(crate) fn daily_samples(p: &[u8]) -> Result<Vec<(Option<String>, u32)>, MappingError> {
    let d = SampledData::decode(p).map_err(|e| MappingError(format!("sampled data: {e}")))?;
    let step = match d.sample_request_interval {
        0 | 0xFFFF => 86_400,
        s => u64::from(s),
    };
    Ok(d.samples
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let t = u64::try_from(k)
                .ok()
                .and_then(|k| k.checked_mul(step))
                .and_then(|o| o.checked_add(u64::from(d.sample_start_time)))
                .and_then(|t| u32::try_from(t).ok())
                .and_then(zigbee_time);
            (t, *s)
        })
        .collect())
}
