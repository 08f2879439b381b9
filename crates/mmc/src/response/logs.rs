//! What the log mappings share (4.4.x billing data logs, 4.6.x daily read logs, 4.14 prepayment
//! daily read log, 4.17 daily consumption log): the ESME register rows and prepayment rows of
//! the protected logs, and the capture times.
//!
//! ESME register rows (the RTDS layout, and the emulated ESME's): capture time (ZigBee UTC
//! seconds), active import, on a twin-element meter the secondary element's import, the 48 TOU
//! registers, on a twin-element meter the 4 secondary TOU registers, then the TOU-with-blocks
//! registers of blocks 1–4 (8 rates each). Prepayment rows: capture time and six amounts, in the
//! order of ECS19's prepayment registers (meter balance, emergency credit balance, accumulated
//! debt, time debt registers 1 and 2, payment debt register).

use gbcs::axdr::Data;

use super::reads::{Cell, Opened, rows};
use super::{MappingError, ResponseCtx};
use crate::xml::Xml;

pub(crate) use super::reads::open_dlms;

/// One ESME register row.
pub(crate) struct ElecRegisters {
    pub time: Option<String>,
    pub import: i128,
    pub secondary: Option<i128>,
    pub tou: Vec<i128>,
    pub secondary_tou: Vec<i128>,
    pub blocks: [Vec<i128>; 4],
}

/// Single-element row width (without trailing columns).
const SINGLE: usize = 1 + 1 + 48 + 32;
/// Twin-element row width.
const TWIN: usize = 1 + 2 + 48 + 4 + 32;

fn ints(cells: &[Cell]) -> Result<Vec<i128>, MappingError> {
    cells
        .iter()
        .map(|c| {
            c.int()
                .ok_or_else(|| MappingError(format!("log value {c:?}")))
        })
        .collect()
}

impl ElecRegisters {
    /// A row of `extra` trailing columns beyond the registers: the registers and the rest.
    pub(crate) fn of(row: &[Cell], extra: usize) -> Result<(Self, &[Cell]), MappingError> {
        let twin = match row.len().checked_sub(extra) {
            Some(SINGLE) => false,
            Some(TWIN) => true,
            _ => {
                return Err(MappingError(format!(
                    "a register log row of {} columns",
                    row.len()
                )));
            }
        };
        let (regs, rest) = row.split_at(row.len() - extra);
        let time = regs[0].time();
        let v = ints(&regs[1..])?;
        let (import, secondary, v) = if twin {
            (v[0], Some(v[1]), &v[2..])
        } else {
            (v[0], None, &v[1..])
        };
        let (tou, v) = v.split_at(48);
        let (secondary_tou, v) = v.split_at(if twin { 4 } else { 0 });
        let block = |b: usize| v[b * 8..b * 8 + 8].to_vec();
        Ok((
            Self {
                time,
                import,
                secondary,
                tou: tou.to_vec(),
                secondary_tou: secondary_tou.to_vec(),
                blocks: [block(0), block(1), block(2), block(3)],
            },
            rest,
        ))
    }

    /// `<name index="i">` for each value.
    pub(crate) fn matrix(x: &mut Xml, name: &str, values: &[i128]) {
        for (i, v) in values.iter().enumerate() {
            super::reads::indexed(x, name, i + 1, &v.to_string());
        }
    }

    /// The four TOU-with-blocks matrices.
    pub(crate) fn block_matrices(&self, x: &mut Xml) {
        for (b, values) in self.blocks.iter().enumerate() {
            Self::matrix(
                x,
                &format!("TariffTOUBlock{}RegisterMatrixValue", b + 1),
                values,
            );
        }
    }
}

/// A prepayment row's six amounts as a `PrepaymentOperationalDataType`'s children (and its
/// `Timestamp`).
pub(crate) fn prepayment(
    x: &mut Xml,
    amounts: &[Cell],
    time: Option<&str>,
) -> Result<(), MappingError> {
    let v = ints(amounts)?;
    let [balance, emergency, accumulated, time1, time2, payment] = v[..] else {
        return Err(MappingError(format!(
            "{} prepayment amounts, not 6",
            v.len()
        )));
    };
    for (name, v) in [
        ("AccumulatedDebtRegister", accumulated),
        ("EmergencyCreditBalance", emergency),
        ("MeterBalance", balance),
        ("PaymentDebtRegister", payment),
        ("TimeDebtRegisters1", time1),
        ("TimeDebtRegisters2", time2),
    ] {
        x.leaf(name, &v.to_string());
    }
    if let Some(t) = time {
        x.leaf("Timestamp", t);
    }
    Ok(())
}

/// The rows of the protected log objects (the opened block: a structure of one value per
/// buffer read).
pub(crate) fn opened_logs(
    ctx: &ResponseCtx<'_>,
    what: &str,
    block: &[u8],
    buffers: usize,
) -> Result<Opened<Vec<Vec<Vec<Cell>>>>, MappingError> {
    let data = match open_dlms(ctx, what, block)? {
        Opened::Ok(d) => d,
        Opened::Rendering(r) => return Ok(Opened::Rendering(r)),
    };
    let Data::Structure(objects) = &data else {
        return Err(MappingError("the opened block is not a structure".into()));
    };
    if objects.len() != buffers {
        return Err(MappingError(format!(
            "the opened block holds {} logs, not {buffers}",
            objects.len()
        )));
    }
    Ok(Opened::Ok(
        objects.iter().map(rows).collect::<Result<_, _>>()?,
    ))
}

/// At most `max` entries (the schema's limit).
pub(crate) fn at_most<T>(entries: &[T], max: usize) -> Result<(), MappingError> {
    if entries.len() > max {
        return Err(MappingError(format!(
            "{} log entries, the schema holds {max}",
            entries.len()
        )));
    }
    Ok(())
}

/// A ZigBee UTC time as `xs:dateTime`.
pub(crate) fn zigbee_time(t: u32) -> Option<String> {
    gbcs::UtcDateTime::from_zigbee_utc(t).map(crate::time::xs_date_time)
}
