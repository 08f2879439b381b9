//! Transforming device service requests into GBCS commands, and protecting them for the WAN.
//!
//! Which GBCS use case serves a request depends on the service reference variant and the device
//! type; a request that names a device of the wrong type is refused (E11).

use duis::Request;
use eui::Eui64;
use gbcs::UtcDateTime;
use gbcs::crypto::{KaPrivateKey, PublicKey, SigningKey};
use gbcs::frame::GeneralSigning;
use gbcs::usecases::{self as uc, CommandHeader, DeviceLogAddition};
use time::OffsetDateTime;

use crate::error::{AuthzError, DccError, InternalError, SchemaError};
use crate::model::{Device, DeviceType};

/// The DCC's own GBCS credentials: the Access Control Broker's key-agreement key (for the MAC on
/// every WAN command) and digital-signing key (for commands the DCC originates and signs).
pub struct DccCrypto {
    pub acb: Eui64,
    pub acb_ka: KaPrivateKey,
    pub acb_ds: SigningKey,
}

/// What a device request becomes.
#[derive(Debug)]
pub enum Transformed {
    /// A command ready to protect and send (non-critical, or DCC-originated).
    Command(GeneralSigning),
    /// A critical request's pre-command: goes back to the user to sign (CV 4).
    PreCommand(GeneralSigning),
}

fn wrong_type(req: &Request, device: &Device) -> DccError {
    AuthzError::DeviceType {
        srv: req.header.service_reference_variant.to_string(),
        device_type: device.device_type.to_string(),
    }
    .into()
}

fn build_err(e: impl std::fmt::Display) -> DccError {
    InternalError::Render(format!("GBCS command: {e}")).into()
}

/// The services opendcc sends to devices.
pub const DEVICE_SERVICES: &[&str] = &["11.2", "7.4", "4.1.1", "7.1", "7.2", "8.1.1", "8.11"];

/// Whether the DCC originates the command itself (on the user's behalf), needing a counter of
/// its own.
pub fn dcc_originated(srv: &str, t: DeviceType) -> bool {
    srv == "8.11" || (srv == "11.2" && matches!(t, DeviceType::Ppmid | DeviceType::Hcalcs))
}

/// Transforms a device request. `dcc_counter` is the next counter of the ACB for commands the
/// DCC originates on the user's behalf.
pub fn transform(
    req: &Request,
    device: &Device,
    dcc: &DccCrypto,
    dcc_counter: u64,
    now: OffsetDateTime,
) -> Result<Transformed, DccError> {
    let rid = req.header.request_id;
    let user = CommandHeader::new(rid.originator, device.id, rid.counter);
    let on_behalf =
        CommandHeader::on_behalf_of(dcc.acb, device.id, dcc_counter, rid.originator, rid.counter);
    let t = device.device_type;
    let srv = req.header.service_reference_variant.as_str();
    let cmd = |g: GeneralSigning| Ok(Transformed::Command(g));
    let pre = |g: GeneralSigning| Ok(Transformed::PreCommand(g));
    match srv {
        "11.2" => match t {
            DeviceType::Esme | DeviceType::Chf => cmd(uc::ecs52_read_firmware_version(&user)),
            DeviceType::Gsme | DeviceType::Gpf => {
                cmd(uc::gcs38_read_firmware_version(&user).map_err(build_err)?)
            }
            DeviceType::Ppmid | DeviceType::Hcalcs => {
                let g = uc::cs08_read_firmware_version(&on_behalf)
                    .sign(&dcc.acb_ds)
                    .map_err(build_err)?;
                cmd(g)
            }
            _ => Err(wrong_type(req, device)),
        },
        "7.4" => match t {
            DeviceType::Esme => cmd(uc::ecs45_read_supply_status(&user)),
            DeviceType::Gsme | DeviceType::Gpf => {
                cmd(uc::gcs33_read_supply_status(&user).map_err(build_err)?)
            }
            _ => Err(wrong_type(req, device)),
        },
        "4.1.1" => match t {
            DeviceType::Esme => cmd(uc::ecs17b_read_import_energy_registers(&user)),
            DeviceType::Gsme | DeviceType::Gpf => {
                cmd(uc::gcs13a_read_import_register(&user).map_err(build_err)?)
            }
            _ => Err(wrong_type(req, device)),
        },
        "7.1" => match t {
            DeviceType::Esme => pre(uc::ecs42_enable_supply(&user)),
            _ => Err(wrong_type(req, device)),
        },
        "7.2" => match t {
            DeviceType::Esme => pre(uc::ecs43_disable_supply(&user)),
            DeviceType::Gsme => {
                // The issuer event id ties the device's log entry to the request.
                let event = u32::try_from(rid.counter & 0x7FFF_FFFF).unwrap_or(0);
                pre(uc::gcs32_disable_supply(&user, event).map_err(build_err)?)
            }
            _ => Err(wrong_type(req, device)),
        },
        "8.1.1" => {
            let at = UtcDateTime::from_unix(now.unix_timestamp())
                .ok_or_else(|| build_err("the clock is out of GBCS range"))?;
            match t {
                DeviceType::Esme => pre(uc::ecs70_set_clock(&user, at, 60).map_err(build_err)?),
                DeviceType::Gsme => pre(uc::gcs28_set_clock(&user, at, 60).map_err(build_err)?),
                _ => Err(wrong_type(req, device)),
            }
        }
        "8.11" => {
            if t != DeviceType::Chf {
                return Err(wrong_type(req, device));
            }
            han_device_log(req, &on_behalf)
        }
        other => Err(crate::error::ServiceError::NotImplemented(other.to_string()).into()),
    }
}

/// 8.11 Update HAN Device Log: the DCC's ACB adds (CCS01) or removes (CCS02) a device on the CHF's
/// device log, on the user's behalf.
fn han_device_log(req: &Request, h: &CommandHeader) -> Result<Transformed, DccError> {
    let body = &req.body;
    let invalid = |what: &str| -> DccError {
        SchemaError::Invalid(format!("UpdateHANDeviceLog: {what}")).into()
    };
    let device: Eui64 = body
        .text_of(&["DeviceID"])
        .ok_or_else(|| invalid("no DeviceID"))?
        .trim()
        .parse()
        .map_err(|_| invalid("DeviceID is not an EUI-64"))?;
    match body.text_of(&["RequestType"]).map(str::trim) {
        Some("Add") => {
            let add = body
                .child("AddDeviceToCHFWhitelist")
                .ok_or_else(|| invalid("Add without AddDeviceToCHFWhitelist"))?;
            let code = add
                .text_of(&["InstallCode"])
                .ok_or_else(|| invalid("no InstallCode"))?
                .trim();
            let install_code = decode_hex(code).ok_or_else(|| invalid("InstallCode is not hex"))?;
            let join = add
                .text_of(&["JoinTimePeriod"])
                .and_then(|s| s.trim().parse::<u16>().ok())
                .unwrap_or(60);
            Ok(Transformed::Command(
                uc::ccs01_add_device_to_chf_device_log(
                    h,
                    &DeviceLogAddition::new(device, install_code, join),
                ),
            ))
        }
        Some("Remove") => Ok(Transformed::Command(
            uc::ccs02_remove_device_from_chf_device_log(h, device),
        )),
        _ => Err(invalid("RequestType is neither Add nor Remove")),
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// Protects a command for the WAN: the ACB's MAC over it, keyed for the recipient device.
pub fn protect(
    cmd: GeneralSigning,
    dcc: &DccCrypto,
    device_ka: &PublicKey,
) -> Result<Vec<u8>, DccError> {
    gbcs::crypto::wrap_command(cmd, &dcc.acb_ka, device_ka)
        .map(|c| c.encode())
        .map_err(|e| InternalError::Signing(format!("ACB MAC: {e}")).into())
}

/// Why a signed pre-command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedPreCommandError {
    #[error("not a GBCS general-signing APDU: {0}")]
    Malformed(String),
    #[error("it is not the pre-command the DCC returned for this request")]
    NotCorrelated,
    #[error("it carries no signature")]
    Unsigned,
    #[error("its signature does not verify with the user's certificate")]
    BadSignature,
}

/// Checks a signed pre-command against the pre-command the DCC returned (same bytes, apart from
/// the signature) and the user's signature over it; returns the signed command.
pub fn check_signed_precommand(
    signed: &[u8],
    precommand: &[u8],
    user_ds: &PublicKey,
) -> Result<GeneralSigning, SignedPreCommandError> {
    let s = GeneralSigning::decode(signed)
        .map_err(|e| SignedPreCommandError::Malformed(e.to_string()))?;
    let p = GeneralSigning::decode(precommand)
        .map_err(|e| SignedPreCommandError::Malformed(e.to_string()))?;
    if s.signed_bytes() != p.signed_bytes() {
        return Err(SignedPreCommandError::NotCorrelated);
    }
    if !matches!(s.signature, gbcs::frame::SignatureField::Signed(_)) {
        return Err(SignedPreCommandError::Unsigned);
    }
    s.verify_signature(user_ds)
        .map_err(|_| SignedPreCommandError::BadSignature)?;
    Ok(s)
}
