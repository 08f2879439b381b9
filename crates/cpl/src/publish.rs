//! The lists as published (SEC F2: on the SEC website, here the DCC's publication endpoint):
//! JSON and CSV.

use crate::{DeployedCombination, DeviceModel};

/// The CPL as published (JSON): every entry.
pub fn cpl_json(models: &[DeviceModel]) -> Result<String, String> {
    serde_json::to_string_pretty(models).map_err(|e| e.to_string())
}

/// The CPL as published (CSV): one line per firmware version of each entry.
pub fn cpl_csv(models: &[DeviceModel]) -> String {
    let mut out = String::from(
        "device_type,manufacturer,model,hardware_version,status,cpa_expires,firmware_version,firmware_sha256\n",
    );
    for m in models {
        let expires = m.cpa_expires().map(|d| d.to_string()).unwrap_or_default();
        let k = &m.key;
        let row = |fw: &str, hash: &str| {
            [
                k.product_type.as_str(),
                &k.manufacturer,
                &k.model,
                &k.hardware_version,
                m.status.as_str(),
                &expires,
                fw,
                hash,
            ]
            .map(csv_field)
            .join(",")
        };
        if m.firmware.is_empty() {
            out.push_str(&row("", ""));
            out.push('\n');
        }
        for f in &m.firmware {
            out.push_str(&row(&f.version, &hex::encode(f.hash)));
            out.push('\n');
        }
    }
    out
}

/// The DPL as published (JSON).
pub fn dpl_json(dpl: &[DeployedCombination]) -> Result<String, String> {
    serde_json::to_string_pretty(dpl).map_err(|e| e.to_string())
}

/// The DPL as published (CSV): one line per combination, its models `TYPE manufacturer model
/// firmware` joined by `;`.
pub fn dpl_csv(dpl: &[DeployedCombination]) -> String {
    let mut out = String::from("systems,models\n");
    for c in dpl {
        let models: Vec<String> = c
            .models
            .iter()
            .map(|m| {
                format!(
                    "{} {} {} {}",
                    m.device_type,
                    m.manufacturer,
                    m.model,
                    m.firmware_version.as_deref().unwrap_or("-")
                )
            })
            .collect();
        out.push_str(&format!(
            "{},{}\n",
            c.systems,
            csv_field(&models.join("; "))
        ));
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
