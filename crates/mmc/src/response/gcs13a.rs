//! GCS13a read GSME consumption register → `ReadInstantaneousImportRegistersRsp/Gas`: the
//! component the device encrypted to the requester is opened with the requester's key; inside,
//! Metering attributes current summation delivered (0x0000) × multiplier (0x0301) ÷ divisor
//! (0x0302) is `ConsumptionRegister/Value`, unit of measure (0x0300: 0x01/0x81 m³) its `Unit`.

use gbcs::usecases::{AttributeRecord, ResponseValue, gcs13a};

use super::{MappingError, Rendering, ResponseCtx, ResponseMapping};
use crate::xml::Xml;

/// The mapping.
pub static MAPPING: ResponseMapping = ResponseMapping {
    use_case: &gcs13a::SPEC,
    service_reference: "4.1",
    service_reference_variant: "4.1.1",
    element: "ReadInstantaneousImportRegistersRsp",
    by_variant: &[],
    render,
    failure: Some(failure),
};

fn render(ctx: &ResponseCtx<'_>, v: &ResponseValue) -> Result<Rendering, MappingError> {
    let records = match v {
        ResponseValue::Attributes(r) => r.clone(),
        ResponseValue::Protected(block) => {
            let plain = match ctx.open(block) {
                Ok(p) => p,
                Err(reason) => {
                    return Ok(ctx.sealed(
                        "GCS13a consumption register",
                        "zigbeeCiphered",
                        block,
                        reason,
                    ));
                }
            };
            match gcs13a::decode_plaintext(&plain) {
                Ok(Ok(r)) => r,
                Ok(Err(_)) => {
                    return Ok(Rendering::Failed {
                        children: failure(&gbcs::usecases::Failure::Result { code: 0 }),
                        debug: crate::status::zigbee_records_debug(gcs13a_cluster(), &plain),
                    });
                }
                Err(e) => return Err(MappingError(format!("the opened register: {e}"))),
            }
        }
        _ => return Err(MappingError::unexpected(v)),
    };
    let get = |id: u16| records.iter().find(|r| r.id == id).map(le);
    let summation = get(0x0000);
    let multiplier = get(0x0301).unwrap_or(1);
    let divisor = get(0x0302).filter(|d| *d != 0).unwrap_or(1);
    let unit = records
        .iter()
        .find(|r| r.id == 0x0300)
        .and_then(|r| r.value.first());
    let mut x = Xml::new();
    x.open("Gas", &[]);
    if summation.is_some() || unit.is_some() {
        x.open("ConsumptionRegister", &[]);
        if let Some(s) = summation {
            x.leaf(
                "Value",
                &decimal(u128::from(s) * u128::from(multiplier), divisor),
            );
        }
        if matches!(unit, Some(0x01 | 0x81)) {
            x.leaf("Unit", "m3");
        }
        x.close("ConsumptionRegister");
    }
    x.close("Gas");
    Ok(Rendering::Children(x))
}

fn gcs13a_cluster() -> u16 {
    gbcs::usecases::CLUSTER_METERING
}

/// The element's choice is required: an empty `Gas`.
fn failure(_: &gbcs::usecases::Failure) -> Xml {
    let mut x = Xml::new();
    x.empty("Gas", &[]);
    x
}

/// A little-endian unsigned ZCL value (up to 8 bytes).
fn le(r: &AttributeRecord) -> u64 {
    r.value
        .iter()
        .take(8)
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

/// `num / den` as an `xs:decimal`, up to 9 fractional digits (exact when `den` divides a power of
/// ten).
fn decimal(num: u128, den: u64) -> String {
    let den = u128::from(den.max(1));
    let whole = num / den;
    let mut rem = num % den;
    if rem == 0 {
        return whole.to_string();
    }
    let mut frac = String::new();
    for _ in 0..9 {
        rem *= 10;
        frac.push(char::from(b'0' + u8::try_from(rem / den).unwrap_or(0)));
        rem %= den;
        if rem == 0 {
            break;
        }
    }
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimals() {
        assert_eq!(decimal(12345, 1000), "12.345");
        assert_eq!(decimal(10, 5), "2");
        assert_eq!(decimal(1, 3), "0.333333333");
        assert_eq!(decimal(7, 0), "7");
    }
}
