//! Every call the conformance runner makes into the DCC's crates (`dcc`, `gbcs`, `wan`, `duis`,
//! `duis-schema`), in one place, so that it can be re-pointed when their APIs move. The rest of
//! the `conformance` module sees only the types and functions defined here.
//!
//! Calls made (and nothing else from these crates):
//! * `duis::parse_request` (templates, no signature check), `duis::service_variant`, and the
//!   public fields of `duis::Request::header.request_id`;
//! * `dcc::catalogue::{plan_device_request_as, default_role, protect, check_signed_precommand}`,
//!   `dcc::catalogue::service` and `dcc::services::ServiceKind` (which SRVs are implemented
//!   device services), `dcc::services::is_trust_anchor` and `duis::Srv::info` (the roles
//!   the matrix allows, for [`Capacity`]), the types `dcc::catalogue::{DccCrypto, Transformed}` and
//!   `dcc::model::{Device, DeviceStatus, DeviceType, EsmeVariant}`;
//! * `dcc::render::device_response` with a `dcc::store::WanJob` (as the core's dispatcher renders
//!   a device's answer to a queued command);
//! * `gbcs::alerts::decode_alert` and `dcc::dispatch::alerts::{device_alert_document,
//!   FutureDatedOrigin, future_dated_document}` (as the core's alert router renders a device
//!   alert or a future-dated outcome);
//! * `duis_schema::validate_response`, and the code lists of `duis::bodies::alert_behaviour`
//!   (to put a 6.22 vector's alert codes back into their DUIS groups);
//! * `gbcs`: `Frame::decode`, `Frame::apdu`, `GeneralSigning::decode` and
//!   `usecases::decode_command` (ECS02/ECS03 entries, for the ESME variant), `GeneralSigning::{encode, with_signature,
//!   verify_signature}`, `GeneralCiphering::verify_mac`, `KdfContext::for_mac`,
//!   `KaPrivateKey::{from_der, derive}`, `PublicKey::{from_spki_der, from_certificate_der}`,
//!   `SigningKey::from_der`, `Payload::decode` (DLMS `AccessResponse::results`, GBZ components),
//!   `credentials::UpdateSecurityCredentialsResponse::decode` and `all_succeeded` (as
//!   `dcc::dispatch::recovery` classifies a CS02b answer).

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use dcc::catalogue::{DccCrypto, Transformed};
use dcc::model::{Device, DeviceStatus, DeviceType, EsmeVariant};
use eui::Eui64;
use gbcs::frame::{Frame, GeneralSigning, SignatureField};
use gbcs::{Cra, KaPrivateKey, KdfContext, Payload, PublicKey, SigningKey};
use time::OffsetDateTime;

/// The DCC's Access Control Broker in the RTDS.
pub const ACB: Eui64 = Eui64::from_u64(0x90B3_D51F_3000_0002);
/// The DCC's transitional change-of-supplier party.
pub const TRANS_COS: Eui64 = Eui64::from_u64(0x90B3_D51F_3000_0004);
/// The RTDS supplier: registered for every RTDS device, so it receives alerts addressed to the
/// ACB.
pub const SUPPLIER: Eui64 = Eui64::from_u64(0x90B3_D51F_3001_0000);
/// The RTDS network operator (the originator of `CS02bNOByNO`).
pub const NETWORK_OPERATOR: Eui64 = Eui64::from_u64(0x90B3_D51F_3002_0000);

/// The device types of the RTDS entities (gbcs-notes §1.7).
pub fn rtds_device_type(id: Eui64) -> Option<&'static str> {
    match id.to_u64() {
        0x00DB_1234_5678_90A0 | 0x00DB_1234_5678_90A6 => Some("ESME"),
        0x00DB_1234_5678_90A1 => Some("GSME"),
        0x00DB_1234_5678_90A2 => Some("CHF"),
        0x00DB_1234_5678_90A3 => Some("GPF"),
        0x00DB_1234_5678_90A4 => Some("PPMID"),
        0x00DB_1234_5678_90A5 => Some("HCALCS"),
        _ => None,
    }
}

fn device_type(id: Eui64) -> Option<DeviceType> {
    Some(match rtds_device_type(id)? {
        "ESME" => DeviceType::Esme,
        "GSME" => DeviceType::Gsme,
        "CHF" => DeviceType::Chf,
        "GPF" => DeviceType::Gpf,
        "PPMID" => DeviceType::Ppmid,
        _ => DeviceType::Hcalcs,
    })
}

/// The ESME variant an RTDS command was made for: the RTDS uses one ESME entity for every
/// variant, and the DCC picks ECS23b, ECS29b, ECS29d, ECS29f and ECS26k (polyphase, variant C) and ECS24b (twin element, variant
/// B) by the inventory's variant, sends ECS01c and ECS01d (the secondary element's tariff and
/// prices) to a twin element ESME only, and adds the twin element's charge (`19.20.5`) to the credit
/// and charge configuration of ECS02 and ECS03 (1.6, the `TWIN` vectors) for variant B; any
/// other command is for variant A.
fn esme_variant_for(rtds_command: Option<&[u8]>) -> EsmeVariant {
    // A COMMAND is a frame, a PRECOMMAND the bare General-Signing APDU.
    let apdu = rtds_command.and_then(|b| match Frame::decode(b) {
        Ok(f) => Some(f.apdu().clone()),
        Err(_) => GeneralSigning::decode(b).ok(),
    });
    let code = apdu.as_ref().map(GeneralSigning::message_code);
    let twin_entries =
        |entries: &[gbcs::usecases::CreditChargeEntry]| entries.iter().any(|e| e.charge == 5);
    match code {
        Some(c) if c == gbcs::usecases::ecs23b::MESSAGE_CODE => EsmeVariant::C,
        // Polyphase voltage configuration (6.5, 6.27, 6.2.1).
        Some(c)
            if [
                gbcs::usecases::ecs29b::MESSAGE_CODE,
                gbcs::usecases::ecs29d::MESSAGE_CODE,
                gbcs::usecases::ecs29f::MESSAGE_CODE,
                gbcs::usecases::ecs26k::MESSAGE_CODE,
            ]
            .contains(&c) =>
        {
            EsmeVariant::C
        }
        Some(c) if c == gbcs::usecases::ecs24b::MESSAGE_CODE => EsmeVariant::B,
        // The secondary element's tariff and prices (1.1.2, 1.2.2).
        Some(c) if c == gbcs::MessageCode::ECS01C || c == gbcs::MessageCode::ECS01D => {
            EsmeVariant::B
        }
        Some(c) if c == gbcs::MessageCode::ECS02 || c == gbcs::MessageCode::ECS03 => {
            match apdu.as_ref().map(gbcs::usecases::decode_command) {
                Some(Ok(gbcs::usecases::DecodedCommand::Ecs02(x))) if twin_entries(&x.entries) => {
                    EsmeVariant::B
                }
                Some(Ok(gbcs::usecases::DecodedCommand::Ecs03(x))) if twin_entries(&x.entries) => {
                    EsmeVariant::B
                }
                _ => EsmeVariant::A,
            }
        }
        _ => EsmeVariant::A,
    }
}

/// The GBCS version of the GSME's Device Model an RTDS command was made for. The RTDS sends its
/// one GSME both GCS60 and GCS60a (4.18), which the DCC tells apart only by the version of the
/// GSME's model (see `dcc::services::s4_18_read_meter_balance`): so the runner's GSME is of GBCS
/// 4.0 for rows whose command is GCS60a, and of a version the inventory does not know for every
/// other row (the DCC then sends what every version implements, as GCS60).
fn gsme_gbcs_version_for(rtds_command: Option<&[u8]>) -> Option<String> {
    let code = rtds_command
        .and_then(|b| Frame::decode(b).ok())
        .map(|f| f.apdu().message_code());
    // Likewise GCS25/GCS25a (6.8), GCS21d/GCS21k (6.2.3) and GCS21e/GCS21m (6.2.4).
    let since_4_0 = [
        gbcs::usecases::gcs60a::CODE,
        gbcs::usecases::gcs21m::MESSAGE_CODE,
        gbcs::usecases::gcs25a::MESSAGE_CODE,
        gbcs::usecases::gcs21k::MESSAGE_CODE,
    ];
    code.is_some_and(|c| since_4_0.contains(&c))
        .then(|| "4.0".into())
}

/// The GBCS version of the ESME's Device Model an RTDS command was made for: the RTDS sends its
/// one ESME both ECS08 and ECS08a (2.1), which the DCC tells apart only by the version of the
/// ESME's model (see `dcc::services::s2_1_update_prepay_configuration`): so the runner's ESME is
/// of GBCS 4.0 for rows whose command is ECS08a, and of a version the inventory does not know
/// for every other row.
fn esme_gbcs_version_for(rtds_command: Option<&[u8]>) -> Option<String> {
    // A COMMAND is a frame, a PRECOMMAND the bare General-Signing APDU.
    let code = rtds_command.and_then(|b| match Frame::decode(b) {
        Ok(f) => Some(f.apdu().message_code()),
        Err(_) => GeneralSigning::decode(b).ok().map(|g| g.message_code()),
    });
    // Likewise ECS30/ECS30a (6.8), ECS26d/ECS26l (6.2.3), ECS26e/ECS26m, ECS26i/ECS26n
    // (6.2.4: the later form to a device of GBCS 4.0), ECS35f/ECS35g (6.13) and CS02a/CS02f
    // (6.24.1).
    let since_4_0 = [
        gbcs::usecases::ecs35g::CODE,
        gbcs::usecases::ecs08a::MESSAGE_CODE,
        gbcs::usecases::ecs26m::MESSAGE_CODE,
        gbcs::usecases::ecs26n::MESSAGE_CODE,
        gbcs::usecases::ecs30a::MESSAGE_CODE,
        gbcs::usecases::ecs26l::MESSAGE_CODE,
        // 6.24.1: CS02f (CS02a to any other ESME).
        gbcs::usecases::cs02a::CS02F,
        // 8.9: CCS06 to a CHF of GBCS 4.0 (CCS04/CCS05 to any other).
        gbcs::MessageCode::CCS06,
    ];
    code.is_some_and(|c| since_4_0.contains(&c))
        .then(|| "4.0".into())
}

/// The DCC's device model for an RTDS entity (installed, commissioned, on the RTDS CHF).
fn device(id: Eui64) -> Result<Device, String> {
    let t = device_type(id).ok_or_else(|| format!("{id} is not an RTDS device"))?;
    Ok(Device {
        id,
        device_type: t,
        status: DeviceStatus::Commissioned,
        manufacturer: "RTDS".into(),
        model: "RTDS".into(),
        firmware_version: None,
        smets_chts_version: None,
        esme_variant: (t == DeviceType::Esme).then_some(EsmeVariant::A),
        uprn: Some("100000000001".into()),
        chf: Some(Eui64::from_u64(0x00DB_1234_5678_90A2)),
        mpxn: None,
        date_commissioned: None,
        gbcs_version: None,
    })
}

fn pem_der(text: &str) -> Result<Vec<u8>, String> {
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("not PEM: {e}"))
}

/// Keys and certificates of the RTDS keystore (`<eui>-{ds,ka}.{pem,key}`, `<eui>-pp-ka.*`).
#[derive(Default)]
pub struct Keystore {
    ka_public: BTreeMap<Eui64, PublicKey>,
    ds_public: BTreeMap<Eui64, PublicKey>,
    ka_private: BTreeMap<Eui64, Vec<KaPrivateKey>>,
    dcc: Option<DccCrypto>,
    /// Why the DCC's own credentials are unusable, when they are.
    dcc_missing: String,
}

impl Keystore {
    /// Loads every key file of `dir` it understands; returns the keystore and the files passed
    /// over with the reason.
    pub fn load(dir: &Path) -> Result<(Self, Vec<String>), String> {
        let mut ks = Keystore::default();
        let mut skipped = Vec::new();
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read keystore {}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        names.sort();
        let mut acb_ka = None;
        let mut acb_ds = None;
        let mut trans_cos = None;
        for p in names {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some(eui) = name.get(..16).and_then(|h| h.parse::<Eui64>().ok()) else {
                continue;
            };
            let kind = name.get(16..).unwrap_or_default().to_string();
            let loaded = (|| -> Result<(), String> {
                let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
                let der = pem_der(&text)?;
                let public = || {
                    if text.starts_with("-----BEGIN PUBLIC KEY") {
                        PublicKey::from_spki_der(&der)
                    } else {
                        PublicKey::from_certificate_der(&der)
                    }
                    .map_err(|e| e.to_string())
                };
                match kind.as_str() {
                    "-ka.pem" => {
                        ks.ka_public.insert(eui, public()?);
                    }
                    "-ds.pem" => {
                        ks.ds_public.insert(eui, public()?);
                    }
                    "-ka.key" | "-pp-ka.key" => {
                        let k = KaPrivateKey::from_der(&der).map_err(|e| e.to_string())?;
                        let v = ks.ka_private.entry(eui).or_default();
                        if kind == "-ka.key" {
                            v.insert(0, k);
                        } else {
                            v.push(k);
                        }
                        if eui == ACB && kind == "-ka.key" {
                            acb_ka = Some(KaPrivateKey::from_der(&der).map_err(|e| e.to_string())?);
                        }
                    }
                    "-ds.key" if eui == ACB => {
                        acb_ds = Some(SigningKey::from_der(&der).map_err(|e| e.to_string())?);
                    }
                    // The DCC's transitional CoS party signs CS02bSupplierByTransCoS (6.23).
                    "-ds.key" if eui == TRANS_COS => {
                        trans_cos =
                            Some((eui, SigningKey::from_der(&der).map_err(|e| e.to_string())?));
                    }
                    _ => {}
                }
                Ok(())
            })();
            if let Err(e) = loaded {
                skipped.push(format!("{name}: {e}"));
            }
        }
        match (acb_ka, acb_ds) {
            (Some(acb_ka), Some(acb_ds)) => {
                ks.dcc = Some(DccCrypto {
                    acb: ACB,
                    acb_ka,
                    acb_ds,
                    trans_cos,
                });
            }
            (ka, _) => {
                ks.dcc_missing = format!(
                    "the keystore holds no ACB {} key ({ACB})",
                    if ka.is_none() { "KA" } else { "DS" }
                );
            }
        }
        Ok((ks, skipped))
    }

    fn dcc(&self) -> Result<&DccCrypto, String> {
        self.dcc.as_ref().ok_or_else(|| self.dcc_missing.clone())
    }

    fn ka(&self, eui: Eui64) -> Result<&PublicKey, String> {
        self.ka_public
            .get(&eui)
            .ok_or_else(|| format!("no KA certificate for {eui} in the keystore"))
    }

    fn ds(&self, eui: Eui64) -> Result<&PublicKey, String> {
        self.ds_public
            .get(&eui)
            .ok_or_else(|| format!("no DS certificate for {eui} in the keystore"))
    }
}

/// A DUIS request read from a template (or rebuilt from one).
#[derive(Debug, Clone)]
pub struct Request(duis::Request);

impl Request {
    /// Parses the XML (the templates' signatures are placeholders: no signature check).
    pub fn parse(xml: &[u8]) -> Result<Self, String> {
        duis::parse_request(xml)
            .map(Self)
            .map_err(|e| format!("template does not parse: {e}"))
    }

    pub fn srv(&self) -> &str {
        self.0.header.service_reference_variant.as_str()
    }

    pub fn target(&self) -> Eui64 {
        self.0.header.request_id.target
    }

    pub fn originator(&self) -> Eui64 {
        self.0.header.request_id.originator
    }

    /// The same request for another device and counter (an RTDS ERROR/NOT_FOUND scenario that
    /// ships no template of its own).
    /// The same request from `originator` with `counter` (RequestID otherwise unchanged).
    pub fn reoriginated(&self, originator: Eui64, counter: u64) -> Self {
        let mut r = self.0.clone();
        r.header.request_id.originator = originator;
        r.header.request_id.counter = counter;
        Self(r)
    }

    /// For a rebuilt GCS17 request (4.8.1 on a GSME): the `ReadLogPeriod` whose half-hours are
    /// the samples the vector asks for (the RTDS NOT_FOUND scenario reads another period than
    /// the template's).
    fn with_profile_samples(&self, g: &gbcs::usecases::GetSampledData) -> Option<Self> {
        let start = gbcs::UtcDateTime::from_zigbee_utc(g.earliest_sample_time)?;
        let span = u32::from(g.number_of_samples.checked_sub(1)?)
            * gbcs::usecases::gcs17::PROFILE_INTERVAL;
        let end = start.plus_seconds(span)?;
        let text = |t: gbcs::UtcDateTime| {
            OffsetDateTime::from_unix_timestamp(t.to_unix())
                .ok()?
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        };
        let (start, end) = (text(start)?, text(end)?);
        let mut r = self.0.clone();
        let period = r
            .body
            .children
            .iter_mut()
            .find(|c| c.name == "ReadLogPeriod")?;
        let mut set = 0;
        for c in &mut period.children {
            match c.name.as_str() {
                "StartDateTime" => {
                    c.text.clone_from(&start);
                    set += 1;
                }
                "EndDateTime" => {
                    c.text.clone_from(&end);
                    set += 1;
                }
                _ => {}
            }
        }
        (set == 2).then_some(Self(r))
    }

    /// For a rebuilt request of a clock use case (8.1.1, 6.11: ECS70, GCS28), the request whose
    /// `CurrentDateTime` and `TolerancePeriod` give the validity interval the vector carries
    /// (decoded with the gbcs catalogue); other requests unchanged. `None` when the vector is a
    /// clock command whose interval does not fit a DUIS request.
    pub fn with_vector_parameters(&self, vector: &Inbound) -> Option<Self> {
        use gbcs::usecases::DecodedCommand;
        let interval = match gbcs::usecases::decode_command(vector.apdu()) {
            Ok(DecodedCommand::Ecs70(v) | DecodedCommand::Gcs28(v)) => v,
            Ok(DecodedCommand::Gcs17(g)) => return self.with_profile_samples(&g),
            Ok(DecodedCommand::Gcs09(c)) => return self.with_restriction(c.restriction),
            // 2.1: the special days' day references the vector carries (the GCS05
            // FUTURE_DATED ERROR scenario's refer to day 3 throughout; it has no template).
            Ok(DecodedCommand::Gcs05(c)) => {
                return self.with_gas_special_day_refs(&c.calendar.special_days);
            }
            // 6.8: the calendar the vector sets (the ERROR scenarios' differ from the
            // templates').
            Ok(DecodedCommand::Ecs30(e) | DecodedCommand::Ecs30a(e)) => {
                return self.with_elec_billing_calendar(&e);
            }
            Ok(DecodedCommand::Gcs25(p) | DecodedCommand::Gcs25a(p)) => {
                return self.with_gas_billing_period(&p);
            }
            // 6.6: the conversion the vector publishes (the ERROR scenario's differs).
            Ok(DecodedCommand::Gcs23(c)) => return self.with_gas_conversion(&c),
            // 6.15.1: the certificates the vector carries (re-issued for other serial numbers,
            // validity and, for CS02g, parties than the templates': gbcs-notes §2.4), in the
            // template's slots; the ERROR scenarios have no template of their own.
            Ok(DecodedCommand::Cs02b(u)) => return self.with_krp_certificates(&u),
            // 6.24.1: the roles the vector asks for; 6.24.2: the key usage (the ERROR scenarios
            // ask other ones than the templates').
            Ok(DecodedCommand::Cs02a(c) | DecodedCommand::Cs02f(c)) => {
                return self.with_credential_roles(&c.roles);
            }
            Ok(DecodedCommand::Cs02e(c)) => return self.with_credential_type(c.key_usage),
            // 8.7, 8.8: the other device the vector names (the ERROR scenarios, without
            // templates, name other devices than the templates').
            Ok(
                DecodedCommand::Cs03a1(c)
                | DecodedCommand::Cs03a2(c)
                | DecodedCommand::Cs03b(c)
                | DecodedCommand::Cs03c(c),
            ) => return self.with_leaf("OtherDeviceID", c.other_device.to_string()),
            Ok(DecodedCommand::Cs04ac(id) | DecodedCommand::Cs04b(id)) => {
                return self.with_leaf("OtherDeviceID", id.to_string());
            }
            // 6.22: the alert codes and settings the vector writes (the ECS25a and ECS25b
            // SUCCESS scenarios and every ERROR scenario write other codes than the templates').
            Ok(DecodedCommand::AlertBehaviour(c)) => return self.with_alert_behaviour(&c),
            Ok(DecodedCommand::Gcs20(b)) => return self.with_gas_alert_events(&b),
            // 2.2: the UTRN the vector carries (the ERROR scenario's is another token).
            Ok(DecodedCommand::Cs01a(t) | DecodedCommand::Cs01b(t)) => {
                return self.with_utrn(&t.utrn);
            }
            // 6.17, 6.15.2: the key usage / certificate the vector carries (the ERROR scenarios,
            // without templates, ask for keyAgreement / carry a nonRepudiation certificate).
            Ok(DecodedCommand::Cs02c(usage)) => {
                let t = if usage == gbcs::credentials::KEY_USAGE_KA {
                    "Key Agreement"
                } else {
                    "Digital Signature"
                };
                return self.with_leaf("CredentialType", t.to_owned());
            }
            // 11.3: the execution time the vector carries (the FUTURE_DATED ERROR scenario,
            // without a template, is dated another day than the FUTURE_DATED template).
            Ok(DecodedCommand::Cs06(c)) => {
                return match c.activation {
                    gbcs::usecases::Activation::At(t) => {
                        let at = OffsetDateTime::from_unix_timestamp(t.to_unix())
                            .ok()?
                            .format(&time::format_description::well_known::Rfc3339)
                            .ok()?;
                        self.with_leaf("ExecutionDateTime", at)
                    }
                    _ => Some(Self(self.0.clone())),
                };
            }
            Ok(DecodedCommand::Cs02d(cert)) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(&cert);
                return self.with_leaf("DeviceCertificate", b64);
            }
            // Log reads: the vector's period, and no URP credentials for a known remote party.
            Ok(d) => match gbcs::usecases::logs_common::period_of(&d) {
                Some(p) => return self.with_log_period(&p, vector),
                None => return Some(Self(self.0.clone())),
            },
            _ => return Some(Self(self.0.clone())),
        };
        let start = OffsetDateTime::from_unix_timestamp(interval.start.to_unix()).ok()?;
        let tolerance = interval
            .end
            .to_unix()
            .checked_sub(interval.start.to_unix())?;
        let start = start
            .format(&time::format_description::well_known::Rfc3339)
            .ok()?;
        let mut r = self.0.clone();
        let mut set = 0;
        for c in &mut r.body.children {
            match c.name.as_str() {
                "CurrentDateTime" => {
                    c.text.clone_from(&start);
                    set += 1;
                }
                "TolerancePeriod" => {
                    c.text = tolerance.to_string();
                    set += 1;
                }
                _ => {}
            }
        }
        (set == 2).then_some(Self(r))
    }

    /// A 6.23 request whose certificates are the vector's (re-issued, as 6.15.1's): each
    /// certificate of `SupplierReplacementCertificates` replaced by the vector's of the same
    /// key usage and cell, the certification path the vector's; the rest the template's.
    fn with_cos_certificates(
        &self,
        c: &gbcs::credentials::UpdateSecurityCredentials,
    ) -> Option<Self> {
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let mut r = self.0.clone();
        for e in &mut r.body.children {
            match e.name.as_str() {
                "SupplierReplacementCertificates" => {
                    for x in &mut e.children {
                        let (usage, cell_usage) = match x.name.as_str() {
                            "DigitalSigningCertificate" => (gbcs::credentials::KEY_USAGE_DS, None),
                            "KeyAgreementCertificate" => (gbcs::credentials::KEY_USAGE_KA, None),
                            "KeyAgreementTopUpCertificate" => (
                                gbcs::credentials::KEY_USAGE_KA,
                                Some(gbcs::usecases::cs02b::CELL_USAGE_TOP_UP),
                            ),
                            _ => continue,
                        };
                        let rep = c.replacements.iter().find(|x| {
                            x.target.key_usage == usage && x.target.cell_usage == cell_usage
                        })?;
                        x.text = b64(&rep.certificate);
                    }
                }
                "CertificationPathCertificates" => {
                    if e.children.len() != c.certification_path.len() {
                        return None;
                    }
                    for (x, d) in e.children.iter_mut().zip(&c.certification_path) {
                        x.text = b64(d);
                    }
                }
                _ => {}
            }
        }
        Some(Self(r))
    }

    /// A 6.15.1 request whose certificates are the vector's: its replacements in the DS, KA
    /// and KA top-up slots their cells name, its certification path; the floors and the time-based
    /// checks as the vector's control carries them.
    fn with_krp_certificates(&self, u: &gbcs::usecases::KrpUpdate) -> Option<Self> {
        use duis::xml::Element;
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let node = |name: &str, text: String, children: Vec<Element>| Element {
            name: name.to_owned(),
            attrs: Vec::new(),
            text,
            children,
        };
        let leaf = |name: &str, text: String| node(name, text, Vec::new());
        let mut r = self.0.clone();
        let c = &u.content;
        if u.party == gbcs::usecases::KrpParty::SupplierByTransCoS {
            return self.with_cos_certificates(c);
        }
        let mut slots = Vec::new();
        for (name, usage, cell_usage) in [
            (
                "DigitalSigningCertificate",
                gbcs::credentials::KEY_USAGE_DS,
                None,
            ),
            (
                "KeyAgreementCertificate",
                gbcs::credentials::KEY_USAGE_KA,
                None,
            ),
            (
                "KeyAgreementTopUpCertificate",
                gbcs::credentials::KEY_USAGE_KA,
                Some(gbcs::usecases::cs02b::CELL_USAGE_TOP_UP),
            ),
        ] {
            if let Some(rep) = c
                .replacements
                .iter()
                .find(|x| x.target.key_usage == usage && x.target.cell_usage == cell_usage)
            {
                slots.push(leaf(name, b64(&rep.certificate)));
            }
        }
        let path: Vec<Element> = c
            .certification_path
            .iter()
            .map(|d| leaf("Certificate", b64(d)))
            .collect();
        let floor = match u.party {
            gbcs::usecases::KrpParty::LoadController => c
                .control
                .other_changes
                .iter()
                .flatten()
                .next()
                .map(|x| x.floor),
            _ => c.control.new_floor,
        };
        let top_up = c
            .control
            .new_specialist_floor
            .as_ref()
            .and_then(|v| v.first())
            .map(|x| x.seq_number);
        let mut children = Vec::new();
        for e in std::mem::take(&mut r.body.children) {
            match e.name.as_str() {
                "RemotePartyFloorSeqNumber" | "RemotePartyPrepaymentTopUpFloorSeqNumber" => {}
                "ReplacementCertificates" => {
                    if let Some(f) = floor {
                        children.push(leaf("RemotePartyFloorSeqNumber", f.to_string()));
                    }
                    if let Some(f) = top_up {
                        children.push(leaf(
                            "RemotePartyPrepaymentTopUpFloorSeqNumber",
                            f.to_string(),
                        ));
                    }
                    // 6.21 (RequestHandoverOfDCCControlledDevice): the certificates directly.
                    let inner = if r
                        .body
                        .name
                        .ends_with("RequestHandoverOfDCCControlledDevice")
                    {
                        slots.clone()
                    } else {
                        vec![node(
                            "SupplierOrNetworkOperatorCertificates",
                            String::new(),
                            slots.clone(),
                        )]
                    };
                    children.push(node("ReplacementCertificates", String::new(), inner));
                }
                "CertificationPathCertificates" => {
                    children.push(node(
                        "CertificationPathCertificates",
                        String::new(),
                        path.clone(),
                    ));
                }
                "ApplyTimeBasedCPVChecks" => {
                    let apply = c.control.apply_time_based_cpv_checks != Some(1);
                    children.push(leaf("ApplyTimeBasedCPVChecks", apply.to_string()));
                }
                _ => children.push(e),
            }
        }
        r.body.children = children;
        Some(Self(r))
    }

    /// A 2.1 gas request whose `SpecialDays` refer to the days `refs` carries, in order.
    fn with_gas_special_day_refs(&self, refs: &[([u8; 4], u8)]) -> Option<Self> {
        let mut r = self.0.clone();
        let special = r
            .body
            .children
            .iter_mut()
            .find(|c| c.name == "UpdatePrepayConfigGas")?
            .children
            .iter_mut()
            .find(|c| c.name == "GasNonDisablementCalendar")?
            .children
            .iter_mut()
            .find(|c| c.name == "SpecialDays")?;
        let days: Vec<_> = special
            .children
            .iter_mut()
            .filter(|c| c.name == "SpecialDay")
            .collect();
        if days.len() != refs.len() {
            return None;
        }
        for (d, (_, day)) in days.into_iter().zip(refs) {
            let e = d
                .children
                .iter_mut()
                .find(|c| c.name == "ReferencedDayName")?;
            e.text = day.to_string();
        }
        Some(Self(r))
    }

    /// A 6.24.1 request asking for the GBCS roles `roles`, in order (`RemotePartyRole`s).
    fn with_credential_roles(&self, roles: &[u8]) -> Option<Self> {
        use gbcs::credentials::role;
        let mut r = self.0.clone();
        let e = r.body.children.first()?.clone();
        r.body.children = roles
            .iter()
            .map(|&x| {
                let name = match x {
                    role::ROOT => "Root",
                    role::RECOVERY => "Recovery",
                    role::SUPPLIER => "Supplier",
                    role::NETWORK_OPERATOR => "NetworkOperator",
                    role::ACCESS_CONTROL_BROKER => "ACB",
                    role::TRANSITIONAL_COS => "TransCoS",
                    role::LOAD_CONTROLLER => "LoadController",
                    _ => return None,
                };
                let mut c = e.clone();
                c.text = name.to_owned();
                Some(c)
            })
            .collect::<Option<_>>()?;
        Some(Self(r))
    }

    /// A 6.24.2 request for the certificate of `key_usage` (its `CredentialType`).
    fn with_credential_type(&self, key_usage: u8) -> Option<Self> {
        let mut r = self.0.clone();
        let e = r
            .body
            .children
            .iter_mut()
            .find(|c| c.name == "CredentialType")?;
        e.text = match key_usage {
            gbcs::credentials::KEY_USAGE_DS => "Digital Signature",
            gbcs::credentials::KEY_USAGE_KA => "Key Agreement",
            _ => return None,
        }
        .to_owned();
        Some(Self(r))
    }

    /// A 6.22 ESME request writing `c`: the `ConfigureAlertBehaviour` choice of `c`'s filter,
    /// each code `Enable`d or `Disable`d in the DUIS 5.4 group that lists it (in schema order).
    /// `None` when a code is in no group of the choice, or the codes need both the single- and
    /// the poly-phase network operator group (the schema allows one).
    fn with_alert_behaviour(&self, c: &gbcs::usecases::AlertBehaviourChange) -> Option<Self> {
        use duis::bodies::alert_behaviour as ab;
        use duis::xml::Element;
        use gbcs::usecases::AlertFilter as F;
        const SUPPLIER: &[(&str, &[u16])] = &[
            ("SupplierESMECommon", ab::SUPPLIER_ESME_COMMON),
            ("SupplierESMEPolyPhase", ab::SUPPLIER_ESME_POLY_PHASE),
        ];
        const NETWORK_OPERATOR: &[(&str, &[u16])] = &[
            (
                "NetworkOperatorESMECommon",
                ab::NETWORK_OPERATOR_ESME_COMMON,
            ),
            (
                "NetworkOperatorESMESinglePhase",
                ab::NETWORK_OPERATOR_ESME_SINGLE_PHASE,
            ),
            (
                "NetworkOperatorESMEPolyPhase",
                ab::NETWORK_OPERATOR_ESME_POLY_PHASE,
            ),
        ];
        let (choice, groups) = match c.filter {
            F::SupplierWan => ("ElectricitySupplierAlerts", SUPPLIER),
            F::SupplierHan => ("ElectricitySupplierHANAlertSettings", SUPPLIER),
            F::SupplierAudible => ("ElectricitySupplierAlarmSettings", SUPPLIER),
            F::SupplierLogging => ("ElectricitySupplierLoggingSettings", SUPPLIER),
            F::NetworkWan => ("ElectricityNetworkOperatorAlerts", NETWORK_OPERATOR),
            F::NetworkLogging => (
                "ElectricityNetworkOperatorLoggingSettings",
                NETWORK_OPERATOR,
            ),
        };
        // Each group's (schema position, code, enabled).
        let mut placed: Vec<Vec<(usize, u16, bool)>> = vec![Vec::new(); groups.len()];
        for &(code, on) in &c.settings {
            let (g, at) = groups.iter().enumerate().find_map(|(g, (_, codes))| {
                codes.iter().position(|x| *x == code).map(|at| (g, at))
            })?;
            placed[g].push((at, code, on));
        }
        let used = |name: &str| {
            groups
                .iter()
                .zip(&placed)
                .any(|((n, _), p)| *n == name && !p.is_empty())
        };
        if used("NetworkOperatorESMESinglePhase") && used("NetworkOperatorESMEPolyPhase") {
            return None;
        }
        let mut e = Element::new(choice);
        for ((name, _), mut codes) in groups.iter().zip(placed) {
            if codes.is_empty() {
                continue;
            }
            codes.sort_unstable();
            let mut group = Element::new(*name);
            group.children = codes
                .into_iter()
                .map(|(_, code, on)| {
                    let mut x = Element::new(format!("x{code:04X}"));
                    x.text = if on { "Enable" } else { "Disable" }.to_owned();
                    x
                })
                .collect();
            e.children.push(group);
        }
        let mut r = self.0.clone();
        if r.body.name != "ConfigureAlertBehaviour" {
            return None;
        }
        r.body.children = vec![e];
        Some(Self(r))
    }

    /// A 6.22 GSME request setting the configurations `b` carries: each code's `WANAlert`,
    /// `HANAlert`, `EventLog` and `Alarm` under `GasSupplierAlertEventSettings`, in schema
    /// order. `None` when a code is not in the schema's list or a configuration byte is not
    /// one a DUIS request gives.
    fn with_gas_alert_events(&self, b: &gbcs::usecases::GasAlertBehaviour) -> Option<Self> {
        use duis::bodies::alert_behaviour::SUPPLIER_GSME_ALERTS_EVENTS;
        use duis::xml::Element;
        use gbcs::usecases::EventConfiguration;
        let mut codes = b
            .settings()
            .map(|(code, c)| {
                let at = SUPPLIER_GSME_ALERTS_EVENTS
                    .iter()
                    .position(|x| *x == code)?;
                let duis = EventConfiguration::new(c.wan(), c.han(), c.log(), c.alarm());
                (duis == c).then_some((at, code, c))
            })
            .collect::<Option<Vec<_>>>()?;
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        let leaf = |name: &str, on: bool| {
            let mut e = Element::new(name);
            e.text = if on { "Enable" } else { "Disable" }.to_owned();
            e
        };
        let mut e = Element::new("GasSupplierAlertEventSettings");
        e.children = codes
            .into_iter()
            .map(|(_, code, c)| {
                let mut x = Element::new(format!("x{code:04X}"));
                x.children = vec![
                    leaf("WANAlert", c.wan()),
                    leaf("HANAlert", c.han()),
                    leaf("EventLog", c.log()),
                    leaf("Alarm", c.alarm()),
                ];
                x
            })
            .collect();
        let mut r = self.0.clone();
        if r.body.name != "ConfigureAlertBehaviour" {
            return None;
        }
        r.body.children = vec![e];
        Some(Self(r))
    }

    /// A 2.2 request carrying `utrn` (its `UTRN`).
    fn with_utrn(&self, utrn: &str) -> Option<Self> {
        self.with_leaf("UTRN", utrn.to_owned())
    }

    /// The request with the text of its body's child `name` replaced by `text`.
    fn with_leaf(&self, name: &str, text: String) -> Option<Self> {
        let mut r = self.0.clone();
        let e = r.body.children.iter_mut().find(|c| c.name == name)?;
        e.text = text;
        Some(Self(r))
    }

    /// A 6.8 request setting the electricity calendar of `entries`.
    fn with_elec_billing_calendar(
        &self,
        entries: &[gbcs::usecases::billing_calendar::ExecutionTime],
    ) -> Option<Self> {
        use duis::xml::Element;
        use gbcs::usecases::billing_calendar::{ElecBillingCalendar, ElecPeriodicity as P};
        let c = ElecBillingCalendar::from_entries(entries)?;
        let leaf = |name: &str, text: String| {
            let mut e = Element::new(name);
            e.text = text;
            e
        };
        let qsmy = |name: &str, day: u8, month: u8| {
            let mut e = Element::new(name);
            e.children = vec![
                leaf("DayOfMonth", day.to_string()),
                leaf("BillingPeriodStartMonth", month.to_string()),
            ];
            e
        };
        let t = c.time;
        let periodicity = match c.periodicity {
            P::Daily => Element::new("Daily"),
            P::Weekly(d) => leaf("Weekly", d.to_string()),
            P::Monthly(d) => leaf("Monthly", d.to_string()),
            P::Quarterly { day, start_month } => qsmy("Quarterly", day, start_month),
            P::SixMonthly { day, start_month } => qsmy("SixMonthly", day, start_month),
            P::Yearly { day, month } => qsmy("Yearly", day, month),
        };
        let mut r = self.0.clone();
        let cal = r
            .body
            .children
            .iter_mut()
            .find(|c| c.name == "ElectricityBillingCalendar")?;
        cal.children = vec![
            leaf(
                "BillingTime",
                format!(
                    "{:02}:{:02}:{:02}.{:02}Z",
                    t.hour, t.minute, t.second, t.hundredths
                ),
            ),
            periodicity,
        ];
        Some(Self(r))
    }

    /// A 6.6 request publishing the conversion `c`.
    fn with_gas_conversion(
        &self,
        c: &gbcs::usecases::gas_configuration::GasConversion,
    ) -> Option<Self> {
        let fixed = |v: u32, digits: u32| {
            let d = 10u32.pow(digits);
            format!("{}.{:0w$}", v / d, v % d, w = digits as usize)
        };
        let mut r = self.0.clone();
        for e in &mut r.body.children {
            match e.name.as_str() {
                "CalorificValue" => e.text = fixed(c.calorific_value, 1),
                "ConversionFactor" => e.text = fixed(c.conversion_factor, 5),
                _ => {}
            }
        }
        Some(Self(r))
    }

    /// A 6.8 request setting the gas billing period `p` (its start and periodicity).
    fn with_gas_billing_period(
        &self,
        p: &gbcs::usecases::gas_billing_calendar::GasBillingPeriod,
    ) -> Option<Self> {
        use gbcs::usecases::gas_billing_calendar::GasPeriodicity as G;
        let start = gbcs::UtcDateTime::from_zigbee_utc(p.start)?;
        let start = OffsetDateTime::from_unix_timestamp(start.to_unix())
            .ok()?
            .format(&time::format_description::well_known::Rfc3339)
            .ok()?;
        let periodicity = match p.periodicity()? {
            G::Daily => "Daily",
            G::Weekly => "Weekly",
            G::Monthly => "Monthly",
            G::Quarterly => "Quarterly",
            G::SixMonthly => "SixMonthly",
            G::Yearly => "Yearly",
        };
        let mut r = self.0.clone();
        let cal = r
            .body
            .children
            .iter_mut()
            .find(|c| c.name == "GasBillingCalendar")?;
        for c in &mut cal.children {
            match c.name.as_str() {
                "BillingPeriodStart" => c.text.clone_from(&start),
                "Periodicity" => c.text = periodicity.to_owned(),
                _ => {}
            }
        }
        Some(Self(r))
    }

    /// A 3.2 request restricting from `at` (its `RestrictionDateTime`).
    fn with_restriction(&self, at: gbcs::UtcDateTime) -> Option<Self> {
        let at = OffsetDateTime::from_unix_timestamp(at.to_unix())
            .ok()?
            .format(&time::format_description::well_known::Rfc3339)
            .ok()?;
        let mut r = self.0.clone();
        let e = r
            .body
            .children
            .iter_mut()
            .find(|c| c.name == "RestrictionDateTime")?;
        e.text = at;
        Some(Self(r))
    }

    /// For a rebuilt log-read request: the `ReadLogPeriod` the vector's command carries, and
    /// `KAPublicSecurityCredentials` dropped unless the vector is the unknown-remote-party form.
    fn with_log_period(&self, p: &gbcs::usecases::LogPeriod, vector: &Inbound) -> Option<Self> {
        let rfc3339 = |t: gbcs::UtcDateTime| {
            OffsetDateTime::from_unix_timestamp(t.to_unix())
                .ok()?
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        };
        let (start, end) = (rfc3339(p.start)?, rfc3339(p.end)?);
        let urp = matches!(
            vector.apdu().other_info.ext,
            gbcs::OtherInfoExt::Certificate { .. }
        );
        let mut r = self.0.clone();
        if !urp {
            r.body
                .children
                .retain(|c| c.name != "KAPublicSecurityCredentials");
        }
        let period = r
            .body
            .children
            .iter_mut()
            .find(|c| c.name == "ReadLogPeriod")?;
        for c in &mut period.children {
            match c.name.as_str() {
                "StartDateTime" => c.text.clone_from(&start),
                "EndDateTime" => c.text.clone_from(&end),
                _ => {}
            }
        }
        Some(Self(r))
    }

    /// For an unknown-remote-party command (certificate other-information): the request the
    /// vector was made for, its `KAPublicSecurityCredentials` the certificate the vector carries
    /// and its `ReadLogPeriod` the vector's. The RTDS URP vectors were made for other requests
    /// than the DCC Boxed templates (other certificates, gbcs-notes §2.4, and other periods), so
    /// both are fixture data taken from the vector. Any other request unchanged; `None` when the
    /// request has no `KAPublicSecurityCredentials` to put the certificate in.
    pub fn with_vector_certificate(&self, vector: &Inbound) -> Option<Self> {
        let gbcs::OtherInfoExt::Certificate { certificate, .. } = &vector.apdu().other_info.ext
        else {
            return Some(self.clone());
        };
        let mut r = self.with_vector_parameters(vector)?.0;
        let c = r
            .body
            .children
            .iter_mut()
            .find(|c| c.name == "KAPublicSecurityCredentials")?;
        c.text = base64::engine::general_purpose::STANDARD.encode(certificate);
        Some(Self(r))
    }

    pub fn retargeted(&self, target: Eui64, counter: u64) -> Self {
        let mut r = self.0.clone();
        r.header.request_id.target = target;
        r.header.request_id.counter = counter;
        Self(r)
    }
}

/// Whether the DCC's service catalogue has a device service for this SRV.
pub fn implemented(srv: &str) -> bool {
    duis::Srv::parse(srv)
        .and_then(dcc::catalogue::service)
        .is_some_and(|s| matches!(s.kind(), dcc::services::ServiceKind::Device(_)))
}

/// Whether the DCC (its ACB) originates the command it makes for this request (with its own
/// counter, `dcc_counter`), the originator acting in `capacity`.
pub fn dcc_originated(
    req: &Request,
    ks: &Keystore,
    dcc_counter: u64,
    now: OffsetDateTime,
    capacity: Capacity,
) -> bool {
    matches!(
        transform_for(req, ks, dcc_counter, now, None, capacity),
        Ok(Transformed::Command(g)) if g.originator == ACB
    )
}

/// What the transformer made of a request.
pub enum Built {
    /// A pre-command (CV 4), encoded.
    PreCommand(Vec<u8>),
    /// A command ready for the WAN (no pre-command step).
    Command,
}

/// In which capacity the request's originator sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// In the first role the service matrix allows that is a trust anchor of the device (the
    /// supplier, for the RTDS devices): what the runner assumes unless told otherwise.
    TrustAnchor,
    /// In the first role the service matrix allows that is not a trust anchor of the device:
    /// the DCC's ACB then originates the command on the user's behalf where the GBCS use case
    /// allows it (`dcc::services::originator`). For RTDS rows whose command the ACB carries for a
    /// user who, by the template, would be the device's trust anchor.
    NotTrustAnchor,
    /// In the first role the service matrix allows that is the device's network operator (the
    /// RTDS network operator's own use cases: ECS25b, ECS25b3, ECS25r2).
    NetworkOperator,
}

/// The role the request is planned for, in `capacity`.
fn role_for(req: &Request, dev: &Device, capacity: Capacity) -> Result<duis::UserRole, String> {
    let srv = req.0.header.service_reference_variant;
    match capacity {
        // 6.15.1 from the RTDS network operator (CS02bNOByNO): sent as the device's network
        // operator, the party whose cells it replaces.
        Capacity::TrustAnchor
            if srv == duis::Srv::V6_15_1 && req.originator() == NETWORK_OPERATOR =>
        {
            srv.info()
                .roles
                .iter()
                .copied()
                .find(|r| {
                    dcc::services::anchor_role(dev.device_type, *r)
                        == Some(gbcs::usecases::RemotePartyRole::NetworkOperator)
                })
                .ok_or_else(|| format!("no network operator role for {srv}"))
        }
        Capacity::TrustAnchor => dcc::catalogue::default_role(srv, dev).map_err(|e| e.to_string()),
        Capacity::NetworkOperator => srv
            .info()
            .roles
            .iter()
            .copied()
            .find(|r| {
                dcc::services::anchor_role(dev.device_type, *r)
                    == Some(gbcs::usecases::RemotePartyRole::NetworkOperator)
            })
            .ok_or_else(|| format!("no role the matrix allows for {srv} is a network operator")),
        Capacity::NotTrustAnchor => srv
            .info()
            .roles
            .iter()
            .copied()
            .find(|r| !dcc::services::is_trust_anchor(dev.device_type, *r))
            .ok_or_else(|| {
                format!(
                    "every role the matrix allows for {srv} is a trust anchor of a {}",
                    dev.device_type
                )
            }),
    }
}

/// The DCC's transformation of a request, for the RTDS command or pre-command `rtds_command`
/// (which picks the ESME variant and the GSME's GBCS version), the originator acting in
/// `capacity`.
fn transform_for(
    req: &Request,
    ks: &Keystore,
    dcc_counter: u64,
    now: OffsetDateTime,
    rtds_command: Option<&[u8]>,
    capacity: Capacity,
) -> Result<Transformed, String> {
    let mut dev = device(req.target())?;
    if dev.esme_variant.is_some() {
        dev.esme_variant = Some(esme_variant_for(rtds_command));
        dev.gbcs_version = esme_gbcs_version_for(rtds_command);
    }
    if dev.device_type == DeviceType::Gsme {
        dev.gbcs_version = gsme_gbcs_version_for(rtds_command);
    }
    if dev.device_type == DeviceType::Chf {
        dev.gbcs_version = esme_gbcs_version_for(rtds_command);
    }
    let role = role_for(req, &dev, capacity)?;
    let peer = han_peer(req, rtds_command);
    dcc::catalogue::plan_device_request_with_peer(
        &req.0,
        &dev,
        role,
        ks.dcc()?,
        dcc_counter,
        now,
        peer,
    )
    .map_err(|e| format!("transformer refused the request: {e}"))
}

/// 8.7 Join, 8.8 Unjoin: the other device as the DCC's stores would know it. The RTDS names
/// other devices (`…9093`, `…9094`, `…9098`, `…909A`, `…909C`, `0102…08`) that are no RTDS
/// entity: their type and KA certificate are fixture data, taken from the RTDS command the row
/// compares with (the join's `otherDeviceType` and certificate; gbcs-notes §2.4); an unjoin's
/// other device is unknown to the inventory (the DCC needs nothing of it).
fn han_peer(req: &Request, rtds_command: Option<&[u8]>) -> Option<dcc::services::HanPeer> {
    use gbcs::usecases::{DecodedCommand, JoinDeviceType as J};
    let id = dcc::services::han_join::other_device(&req.0).ok()?;
    let join = rtds_command
        .and_then(|b| Inbound::decode(b).ok())
        .and_then(|v| gbcs::usecases::decode_command(v.apdu()).ok())
        .and_then(|d| match d {
            DecodedCommand::Cs03a1(c)
            | DecodedCommand::Cs03a2(c)
            | DecodedCommand::Cs03b(c)
            | DecodedCommand::Cs03c(c) => Some(c),
            _ => None,
        })
        .filter(|c| c.other_device == id);
    Some(match join {
        Some(c) => dcc::services::HanPeer {
            id,
            device_type: Some(match c.other_type {
                J::Esme => DeviceType::Esme,
                J::Gsme => DeviceType::Gsme,
                J::Hcalcs => DeviceType::Hcalcs,
                J::Ppmid => DeviceType::Ppmid,
                J::Type2 => DeviceType::Ihd,
            }),
            ka_certificate: c.ka_certificate,
        },
        None => dcc::services::HanPeer {
            id,
            device_type: None,
            ka_certificate: None,
        },
    })
}

/// The transformer's output for a request: an encoded pre-command, or the news that it made a
/// command; `rtds_precommand` (the RTDS PRECOMMAND it is compared with) picks the ESME
/// variant as the RTDS command does.
pub fn build(
    req: &Request,
    ks: &Keystore,
    dcc_counter: u64,
    now: OffsetDateTime,
    rtds_precommand: &[u8],
) -> Result<Built, String> {
    let made = transform_for(
        req,
        ks,
        dcc_counter,
        now,
        Some(rtds_precommand),
        Capacity::TrustAnchor,
    )?;
    Ok(match made {
        Transformed::PreCommand(g) => Built::PreCommand(g.encode()),
        Transformed::Command(_) => Built::Command,
    })
}

/// A command built for comparison with the RTDS COMMAND, and the outcome of the signature
/// checks (kept apart so that the caller can report a byte difference first).
pub struct CommandBuild {
    pub bytes: Vec<u8>,
    pub signature_check: Result<(), String>,
    pub note: Option<&'static str>,
}

/// The command the DCC puts on the WAN for `req`, made comparable with the RTDS COMMAND:
/// * critical requests: the RTDS user signature is applied to our pre-command (the Signed
///   Pre-Command a user would send), checked with `check_signed_precommand` against the user's
///   DS certificate, then protected;
/// * commands the DCC signs itself: our signature is verified with the ACB DS certificate, then
///   replaced by the RTDS one (ECDSA signatures are randomised) before the MAC is computed;
/// * other commands: protected as they are (ACB MAC, keyed for the device's KA certificate).
pub fn build_command(
    req: &Request,
    ks: &Keystore,
    rtds_command: &[u8],
    dcc_counter: u64,
    now: OffsetDateTime,
    capacity: Capacity,
) -> Result<CommandBuild, String> {
    let rtds_sig = match Frame::decode(rtds_command).map(|f| f.apdu().signature.clone()) {
        Ok(SignatureField::Signed(s)) => Some(s),
        _ => None,
    };
    let dcc = ks.dcc()?;
    let device_ka = ks.ka(req.target())?;
    let protect = |g: GeneralSigning| {
        dcc::catalogue::protect(g, dcc, device_ka).map_err(|e| format!("protecting: {e}"))
    };
    match transform_for(req, ks, dcc_counter, now, Some(rtds_command), capacity)? {
        Transformed::PreCommand(p) => {
            let sig = rtds_sig.ok_or("the RTDS COMMAND carries no signature to apply")?;
            let pre = p.encode();
            let signed = p.clone().with_signature(sig);
            let check = ks.ds(req.originator()).and_then(|user_ds| {
                dcc::catalogue::check_signed_precommand(&signed.encode(), &pre, user_ds)
                    .map(|_| ())
                    .map_err(|e| format!("signed pre-command check: {e}"))
            });
            Ok(CommandBuild {
                bytes: protect(signed)?,
                signature_check: check,
                note: Some("critical: RTDS user signature applied to our pre-command"),
            })
        }
        Transformed::Command(g) => match (&g.signature, rtds_sig) {
            (SignatureField::Signed(_), Some(sig)) => {
                let check = ks.ds(g.originator).and_then(|k| {
                    g.verify_signature(k)
                        .map_err(|e| format!("our signature does not verify: {e}"))
                });
                Ok(CommandBuild {
                    bytes: protect(g.with_signature(sig))?,
                    signature_check: check,
                    note: Some("DCC-signed: our signature verified, RTDS signature substituted"),
                })
            }
            _ => match with_vector_cin(&g, req.target(), rtds_command)? {
                Some(g) => Ok(CommandBuild {
                    bytes: protect(g)?,
                    signature_check: Ok(()),
                    note: Some(
                        "9.1: the DCC's CIN for the device checked, the vector's substituted",
                    ),
                }),
                None => Ok(CommandBuild {
                    bytes: protect(g)?,
                    signature_check: Ok(()),
                    note: None,
                }),
            },
        },
    }
}

/// 9.1's ECS50 and GCS36 carry a CIN the DCC chooses (one per meter,
/// `s9_1_request_customer_identification_number::customer_identification_number`), not a value
/// of the request: the built command must carry the DCC's CIN for `target`, which is then
/// replaced by the RTDS command's (the last four content bytes in both use cases) so that the
/// rest is compared byte for byte. `None` for any other command.
fn with_vector_cin(
    g: &GeneralSigning,
    target: Eui64,
    rtds_command: &[u8],
) -> Result<Option<GeneralSigning>, String> {
    use dcc::services::s9_1_request_customer_identification_number as s9_1;
    use gbcs::usecases::DecodedCommand;
    let cin_of = |a: &GeneralSigning| match gbcs::usecases::decode_command(a) {
        Ok(DecodedCommand::Ecs50(c)) => Some(c),
        Ok(DecodedCommand::Gcs36(u)) => Some(u.cin),
        _ => None,
    };
    let Some(ours) = cin_of(g) else {
        return Ok(None);
    };
    if ours != s9_1::customer_identification_number(target) {
        return Err(format!(
            "the CIN {} is not the DCC's for {target}",
            ours.as_str()
        ));
    }
    let theirs = Frame::decode(rtds_command)
        .ok()
        .and_then(|f| cin_of(f.apdu()))
        .ok_or("the RTDS command carries no CIN")?;
    let mut g = g.clone();
    let n = g.content.len();
    if n < 4 || g.content[n - 4..] != ours.as_bytes()[..] {
        return Err("the CIN is not the command's last four bytes".into());
    }
    g.content[n - 4..].copy_from_slice(theirs.as_bytes());
    Ok(Some(g))
}

/// The result of one cryptographic check of an inbound frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Valid,
    Absent,
    NotVerifiable(String),
    Invalid(String),
}

/// A decoded inbound GBCS frame.
pub struct Inbound {
    frame: Frame,
}

/// The GBCS message kind of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cra3 {
    Command,
    Response,
    Alert,
}

impl Inbound {
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        Frame::decode(bytes)
            .map(|frame| Self { frame })
            .map_err(|e| format!("not a GBCS frame: {e}"))
    }

    fn apdu(&self) -> &GeneralSigning {
        self.frame.apdu()
    }

    pub fn cra(&self) -> Cra3 {
        match self.apdu().cra {
            Cra::Command => Cra3::Command,
            Cra::Response => Cra3::Response,
            Cra::Alert => Cra3::Alert,
        }
    }

    pub fn counter(&self) -> u64 {
        self.apdu().counter
    }

    pub fn originator(&self) -> Eui64 {
        self.apdu().originator
    }

    pub fn recipient(&self) -> Eui64 {
        self.apdu().recipient
    }

    /// Whether this critical command is exactly what `req` asks for (the MMC's pre-command
    /// correlation; `false` for a use case without one).
    pub fn answers(&self, req: &Request) -> bool {
        mmc::correlate::correlate(&req.0, None, self.apdu()).is_ok()
    }

    /// Whether the other-information carries a certificate (an unknown remote party's command).
    pub fn carries_certificate(&self) -> bool {
        matches!(
            self.apdu().other_info.ext,
            gbcs::OtherInfoExt::Certificate { .. }
        )
    }

    /// The supplementary remote party and its counter, when the DCC acted on a user's behalf.
    pub fn on_behalf_of(&self) -> Option<(Eui64, u64)> {
        match gbcs::alerts::supplementary_remote_party(&self.apdu().other_info.ext) {
            (Some(party), Some(counter)) => Some((party, counter)),
            _ => None,
        }
    }

    /// The MAC, keyed with the recipient's KA private key and the originator's KA certificate.
    pub fn verify_mac(&self, ks: &Keystore) -> Check {
        let Frame::Ciphered(c) = &self.frame else {
            return Check::Absent;
        };
        let a = &c.apdu;
        let Some(keys) = ks.ka_private.get(&a.recipient) else {
            return Check::NotVerifiable(format!(
                "no KA private key for the recipient {}",
                a.recipient
            ));
        };
        let Some(peer) = ks.ka_public.get(&a.originator) else {
            return Check::NotVerifiable(format!(
                "no KA certificate for the originator {}",
                a.originator
            ));
        };
        let ctx = KdfContext::for_mac(a);
        for k in keys {
            if let Ok(key) = k.derive(peer, &ctx)
                && c.verify_mac(&key).is_ok()
            {
                return Check::Valid;
            }
        }
        Check::Invalid("the MAC does not verify".into())
    }

    /// The signature, with the originator's DS certificate.
    pub fn verify_signature(&self, ks: &Keystore) -> Check {
        let a = self.apdu();
        if !matches!(a.signature, SignatureField::Signed(_)) {
            return Check::Absent;
        }
        match ks.ds(a.originator) {
            Err(e) => Check::NotVerifiable(e),
            Ok(k) => match a.verify_signature(k) {
                Ok(()) => Check::Valid,
                Err(e) => Check::Invalid(format!("the signature does not verify: {e}")),
            },
        }
    }

    /// Whether the device reports success (`Some(Ok)`), failure (`Some(Err(why))`), or nothing
    /// the DCC's codecs classify (`None`).
    pub fn classify(&self) -> Option<Result<(), String>> {
        let a = self.apdu();
        if let Ok(r) = gbcs::credentials::UpdateSecurityCredentialsResponse::decode(&a.content)
            && let Some(o) = &r.outcome
        {
            return Some(if o.all_succeeded() {
                Ok(())
            } else {
                Err("CS02b: not every credential was replaced".into())
            });
        }
        match Payload::decode(a.cra, &a.content) {
            Payload::AccessResponse(r) => {
                let bad: Vec<u8> = r
                    .results
                    .iter()
                    .map(|s| s.result())
                    .filter(|&c| c != 0)
                    .collect();
                Some(if bad.is_empty() {
                    Ok(())
                } else {
                    Err(format!("DLMS result codes {bad:?}"))
                })
            }
            Payload::Gbz(gbcs::gbz::GbzPayload::Components { components, .. }) => {
                // ZCL Default Response (global command 0x0B): command id, status. NOT_FOUND
                // (0x8B) is how a GBZ log read reports an empty slot, not a failure.
                let bad: Vec<u8> = components
                    .iter()
                    .filter_map(|c| match &c.body {
                        gbcs::gbz::GbzBody::Plain { zcl, .. }
                            if zcl.frame_control & 0x03 == 0 && zcl.command == 0x0B =>
                        {
                            zcl.payload.get(1).copied().filter(|&s| s != 0 && s != 0x8B)
                        }
                        _ => None,
                    })
                    .collect();
                (!bad.is_empty()).then(|| Err(format!("ZCL default response status {bad:?}")))
            }
            _ => None,
        }
    }

    /// The DUIS response the DCC delivers for this device response to the request `srv`
    /// (rendered as the WAN renders an answered job). `None` for SRV `NA`: no DUIS request, the
    /// answer stays inside the DCC.
    pub fn render_response(
        &self,
        srv: &str,
        bytes: &[u8],
        command: Option<&[u8]>,
        now: OffsetDateTime,
    ) -> Result<Option<String>, String> {
        let Some(srv) = duis::Srv::parse(srv) else {
            return if srv == "NA" {
                Ok(None)
            } else {
                Err(format!("unknown service reference variant {srv}"))
            };
        };
        let (originator, counter) = self
            .on_behalf_of()
            .unwrap_or((self.recipient(), self.counter()));
        let job = dcc::store::WanJob {
            id: 0,
            originator,
            counter,
            target: self.originator(),
            chf: Eui64::from_u64(0x00DB_1234_5678_90A2),
            kind: dcc::store::JobKind::Service(srv),
            command: command.map(<[u8]>::to_vec).unwrap_or_default(),
            attempts: 0,
            due_at: 0,
            deadline_at: 0,
        };
        dcc::render::device_response(&job, bytes, now)
            .map(Some)
            .map_err(|e| format!("rendering the DUIS response: {e}"))
    }

    /// The alert code and the DUIS document the DCC delivers for this device alert, rendered as
    /// the core's alert router renders it: a future-dated outcome (`8F66`/`8F67`) as the
    /// `FutureDatedDeviceAlertMessage` response to the request whose command is `command` (the
    /// row's COMMAND vector: the command the DCC sent, byte-exact for the services it
    /// implements) for `srv`; any other alert as a `DeviceAlertMessage` (alerts to the DCC's ACB
    /// go to the supplier).
    pub fn render_alert(
        &self,
        bytes: &[u8],
        command: Option<&[u8]>,
        srv: &str,
        now: OffsetDateTime,
    ) -> Result<(u16, String), String> {
        use dcc::dispatch::alerts;
        let decoded =
            gbcs::alerts::decode_alert(bytes).map_err(|e| format!("no alert code: {e}"))?;
        let code = decoded.alert_code.0;
        // An outcome for a command that answers no DUIS request (SRV NA: the DCC's own, or a
        // device's) is an ordinary device alert, as the core routes it.
        if let Some(outcome) = decoded.future_dated.as_ref().filter(|_| srv != "NA") {
            let command = command.ok_or("a future-dated outcome with no command in its row")?;
            let srv = duis::Srv::parse(srv)
                .ok_or_else(|| format!("a future-dated outcome for SRV {srv}"))?;
            let origin = alerts::FutureDatedOrigin::from_command(outcome, command, srv)
                .map_err(|e| format!("the originating command: {e}"))?;
            let doc = alerts::future_dated_document(&origin, outcome, bytes, now)
                .map_err(|e| format!("rendering the DUIS alert: {e}"))?;
            return Ok((code, doc));
        }
        let recipient = if self.recipient().to_u64() >> 16 == 0x90B3_D51F_3000 {
            SUPPLIER
        } else {
            self.recipient()
        };
        let doc = alerts::device_alert_document(
            self.originator(),
            recipient,
            self.counter(),
            code,
            bytes,
            now,
        )
        .map_err(|e| format!("rendering the DUIS alert: {e}"))?;
        Ok((code, doc))
    }
}

/// DUIS 5.4 schema validation of a document the DCC delivers.
pub fn validate_response(doc: &str) -> Result<(), String> {
    duis_schema::validate_response(doc.as_bytes()).map_err(|e| format!("DUIS 5.4 schema: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use duis::bodies::alert_behaviour::{ConfigureAlertBehaviour, ElectricityBehaviour};
    use gbcs::usecases::{
        self as uc, AlertBehaviourChange, AlertFilter, CommandHeader, EventConfiguration,
        GasAlertBehaviour,
    };

    const ESME: u64 = 0x00DB_1234_5678_90A0;
    const GSME: u64 = 0x00DB_1234_5678_90A1;

    /// A 6.22 request with `choice` as its body.
    fn request(target: u64, choice: &str) -> Request {
        let xml = format!(
            "<sr:Request xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\" schemaVersion=\"5.4\"><sr:Header><sr:RequestID>90-B3-D5-1F-30-01-00-00:{}:1000</sr:RequestID><sr:CommandVariant>1</sr:CommandVariant><sr:ServiceReference>6.22</sr:ServiceReference><sr:ServiceReferenceVariant>6.22</sr:ServiceReferenceVariant></sr:Header><sr:Body><sr:ConfigureAlertBehaviour>{choice}</sr:ConfigureAlertBehaviour></sr:Body></sr:Request>",
            Eui64::from_u64(target)
        );
        Request::parse(xml.as_bytes()).unwrap()
    }

    const TEMPLATE: &str = "<sr:ElectricitySupplierAlerts><sr:SupplierESMECommon><sr:x810D>Enable</sr:x810D></sr:SupplierESMECommon></sr:ElectricitySupplierAlerts>";

    fn vector(g: GeneralSigning) -> Inbound {
        Inbound {
            frame: Frame::Signing(g),
        }
    }

    fn h(target: u64) -> CommandHeader {
        CommandHeader::new(SUPPLIER, Eui64::from_u64(target), 1001)
    }

    fn esme_vector(filter: AlertFilter, settings: &[(u16, bool)]) -> Inbound {
        let change = AlertBehaviourChange {
            filter,
            settings: settings.to_vec(),
        };
        let g = match filter {
            AlertFilter::SupplierWan => uc::ecs25a_set_alert_behaviour(&h(ESME), &change),
            AlertFilter::SupplierHan => uc::ecs25a1_set_alert_behaviour(&h(ESME), &change),
            AlertFilter::SupplierAudible => uc::ecs25a2_set_alert_behaviour(&h(ESME), &change),
            AlertFilter::SupplierLogging => uc::ecs25a3_set_alert_behaviour(&h(ESME), &change),
            AlertFilter::NetworkWan => uc::ecs25b_set_alert_behaviour(&h(ESME), &change),
            AlertFilter::NetworkLogging => uc::ecs25b3_set_alert_behaviour(&h(ESME), &change),
        };
        vector(g.unwrap())
    }

    fn parsed(r: &Request) -> ConfigureAlertBehaviour {
        ConfigureAlertBehaviour::parse(&r.0.body).unwrap()
    }

    #[test]
    fn esme_alert_codes_go_back_into_their_duis_groups_in_schema_order() {
        // The network operator's single-phase group lists 0x8010 after 0x8099: the vector's
        // ascending codes are put back in schema order (which the body parser demands).
        let v = esme_vector(
            AlertFilter::NetworkLogging,
            &[
                (0x8002, true),
                (0x8006, false),
                (0x8010, false),
                (0x8014, true),
                (0x8099, true),
            ],
        );
        let r = request(ESME, TEMPLATE).with_vector_parameters(&v).unwrap();
        let choice = &r.0.body.children[0];
        assert_eq!(choice.name, "ElectricityNetworkOperatorLoggingSettings");
        let names: Vec<_> = choice.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "NetworkOperatorESMECommon",
                "NetworkOperatorESMESinglePhase"
            ]
        );
        assert_eq!(
            parsed(&r),
            ConfigureAlertBehaviour::Electricity {
                behaviour: ElectricityBehaviour::NetworkOperatorLogging,
                settings: vec![
                    (0x8014, true),
                    (0x8002, true),
                    (0x8006, false),
                    (0x8099, true),
                    (0x8010, false),
                ],
                poly_phase: false,
                single_phase: true,
            }
        );
        // The supplier's poly-phase code goes to its own group; every supplier choice.
        for (filter, name) in [
            (AlertFilter::SupplierWan, "ElectricitySupplierAlerts"),
            (
                AlertFilter::SupplierHan,
                "ElectricitySupplierHANAlertSettings",
            ),
            (
                AlertFilter::SupplierAudible,
                "ElectricitySupplierAlarmSettings",
            ),
            (
                AlertFilter::SupplierLogging,
                "ElectricitySupplierLoggingSettings",
            ),
        ] {
            let v = esme_vector(filter, &[(0x810D, true), (0x810E, false), (0x81B7, true)]);
            let r = request(ESME, TEMPLATE).with_vector_parameters(&v).unwrap();
            assert_eq!(r.0.body.children[0].name, name);
            let ConfigureAlertBehaviour::Electricity {
                settings,
                poly_phase,
                ..
            } = parsed(&r)
            else {
                panic!("{name}")
            };
            assert_eq!(settings, [(0x810D, true), (0x810E, false), (0x81B7, true)]);
            assert!(poly_phase, "{name}");
        }
        let v = esme_vector(AlertFilter::NetworkWan, &[(0x8003, true), (0x8015, true)]);
        let r = request(ESME, TEMPLATE).with_vector_parameters(&v).unwrap();
        assert_eq!(
            r.0.body.children[0].name,
            "ElectricityNetworkOperatorAlerts"
        );
        assert!(matches!(
            parsed(&r),
            ConfigureAlertBehaviour::Electricity { poly_phase: true, settings, .. }
                if settings == [(0x8015, true), (0x8003, true)]
        ));
    }

    #[test]
    fn esme_alert_codes_no_duis_request_carries_do_not_fit() {
        for (filter, settings) in [
            // Both the single- and the poly-phase network operator group.
            (
                AlertFilter::NetworkWan,
                vec![(0x8002, true), (0x8003, true)],
            ),
            // A supplier code no DUIS group lists.
            (AlertFilter::SupplierWan, vec![(0x8100, true)]),
            (
                AlertFilter::SupplierLogging,
                vec![(0x810D, true), (0x81FF, false)],
            ),
        ] {
            let v = esme_vector(filter, &settings);
            assert!(
                request(ESME, TEMPLATE).with_vector_parameters(&v).is_none(),
                "{settings:?}"
            );
        }
    }

    #[test]
    fn gsme_configurations_become_each_codes_four_settings() {
        let c = EventConfiguration::new;
        let b = GasAlertBehaviour {
            issuer_event_id: 7,
            groups: vec![
                (c(true, true, true, true), vec![0x81AA, 0x81C4]),
                (c(true, false, false, false), vec![0x810E]),
                (c(false, false, true, true), vec![0x8161, 0x81C6]),
            ],
        };
        let v = vector(uc::gcs20_set_alert_behaviour(&h(GSME), &b).unwrap());
        let gas = "<sr:GasSupplierAlertEventSettings><sr:x810E><sr:WANAlert>Enable</sr:WANAlert><sr:HANAlert>Disable</sr:HANAlert><sr:EventLog>Disable</sr:EventLog><sr:Alarm>Disable</sr:Alarm></sr:x810E></sr:GasSupplierAlertEventSettings>";
        let r = request(GSME, gas).with_vector_parameters(&v).unwrap();
        let ConfigureAlertBehaviour::GasAlertEvents(v) = parsed(&r) else {
            panic!()
        };
        let settings: Vec<_> = v
            .iter()
            .map(|(code, s)| (*code, c(s.wan_alert, s.han_alert, s.event_log, s.alarm)))
            .collect();
        // Schema order, and the DCC groups them back into the vector's components.
        assert_eq!(
            settings.iter().map(|(code, _)| *code).collect::<Vec<_>>(),
            [0x810E, 0x8161, 0x81AA, 0x81C4, 0x81C6]
        );
        assert_eq!(GasAlertBehaviour::from_settings(7, &settings), b);
        // A code the schema's GSME list does not have (0x81B7 is the ESME's poly-phase one).
        let odd = GasAlertBehaviour {
            issuer_event_id: 7,
            groups: vec![(c(true, false, false, false), vec![0x810E, 0x81B7])],
        };
        let g = uc::gcs20_set_alert_behaviour(&h(GSME), &odd).unwrap();
        assert!(
            request(GSME, gas)
                .with_vector_parameters(&vector(g))
                .is_none()
        );
    }
}
