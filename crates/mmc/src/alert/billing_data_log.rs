//! Billing data log alerts (`8F0A`: ECS68 DLMS, GCS53 GBZ): critical sensitive alerts whose
//! data the device encrypts to the recipient. The encrypted block is given as `GBCSData`
//! (`format="encrypted"`), the schema's form for sensitive alert data that a second pass opens.

use gbcs::alerts::{AlertDetail, DecodedAlert};
use gbcs::axdr::Data;
use gbcs::gbz::{GbzAlertBody, GbzBody};

use super::{AlertMapping, AlertParts};
use crate::GbcsData;

/// The mapping.
pub static MAPPING: AlertMapping = AlertMapping {
    codes: &[0x8F0A],
    render,
};

fn render(a: &DecodedAlert) -> Option<AlertParts> {
    let mut data = Vec::new();
    match &a.detail {
        Some(AlertDetail::Dlms(d)) => {
            for e in d {
                if let Data::OctetString(b) = e
                    && b.first() == Some(&0x31)
                {
                    data.push(GbcsData {
                        name: "billing data log".into(),
                        kind: "dlms",
                        encrypted: true,
                        bytes: b.clone(),
                    });
                }
            }
        }
        Some(AlertDetail::Gbz(GbzAlertBody::Components(c))) => {
            for comp in c {
                if let GbzBody::Encrypted { protected, .. } = &comp.body {
                    data.push(GbcsData {
                        name: format!("billing data log, cluster {:04X}", comp.cluster),
                        kind: "zigbeeCiphered",
                        encrypted: true,
                        bytes: protected.clone(),
                    });
                }
            }
        }
        _ => {}
    }
    if data.is_empty() {
        return None;
    }
    Some(AlertParts {
        payload: None,
        data,
        sealed: Some(format!(
            "it is encrypted to {}; opening billing data log alerts is not implemented",
            a.recipient
        )),
    })
}
