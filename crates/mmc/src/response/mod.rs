//! Responses: one file per GBCS use case maps its decoded response
//! ([`gbcs::usecases::decode_response`]) to the MMC element of its service request; the
//! dispatcher ([`render`]) adds the header, the failure's `DebugInfo`, and the generic form for
//! anything without a mapping.
//!
//! # Adding a use case
//!
//! 1. A file `response/<uc>.rs` with `pub static MAPPING: ResponseMapping` (the use case's
//!    `gbcs` `SPEC`, its usual DUIS service reference and variant, the `SMETSData` element of
//!    the MMC schema, and a `render` function from its [`ResponseValue`] to the element's
//!    children; `failure` if the element has something to say when the device reports failure).
//! 2. `mod <uc>;` and `&<uc>::MAPPING` in [`MAPPINGS`] below.
//!
//! Nothing else: `crates/mmc/tests/rtds.rs` then requires every RTDS response of the use case
//! to render with the element (not the generic form), and `crates/opendcc/tests/mmc_e2e.rs`
//! validates them against the MMC schema; the property tests feed the mapping arbitrary values.

mod billing_calendar;
mod ccs01;
mod ccs02;
mod cs08;
// 8.7 Join Service, 8.8 Unjoin Service.
mod cs03a1;
mod cs03a2;
mod cs03b;
mod cs03c;
mod cs04ac;
mod cs04b;
// 11.3 Activate Firmware (firmware, issue 17).
mod cs06;
mod ecs17b;
mod ecs38;
mod han_join;
// Family 6, power quality.
mod ecs26b;
mod ecs26f;
mod ecs26k;
mod ecs29a;
mod ecs29b;
mod ecs29c;
mod ecs29d;
mod ecs29e;
mod ecs29f;
mod ecs34;
mod ecs42;
mod ecs43;
mod ecs44;
mod ecs45;
mod ecs47;
mod ecs47a;
mod ecs50;
mod ecs52;
mod ecs70;
mod gas_configuration;
mod gcs13a;
mod gcs28;
mod gcs32;
mod gcs33;
mod gcs36;
mod gcs38;
mod power_quality;
// 1.1 Update Import Tariff, 1.2 Update Price.
mod ecs01a;
mod ecs01b;
mod ecs01c;
mod ecs01d;
mod gcs01a;
mod gcs01b;
// 1.7 Reset Tariff Block Counter Matrix, 2.5 Activate Emergency Credit.
mod ecs05;
mod ecs09;
mod ecs26c;
mod ecs28a;
mod ecs28b;
mod ecs37;
mod ecs46a;
mod ecs46c;
mod ecs48;
mod ecs57;
mod ecs81;
mod gcs06;
mod gcs39;
// 1.6 Update Payment Mode.
mod ecs02;
mod ecs03;
mod gcs02;
mod gcs03;
// 2.2 Top Up Device.
mod cs01a;
mod cs01b;
// 2.3 Update Debt.
mod ecs07;
mod gcs04;
// 2.1 Update Prepay Configuration.
mod ecs08;
mod ecs08a;
mod gcs05;
// 1.5 Update Meter Balance.
mod meter_balance;
// Instantaneous reads (4.1.x, 4.2, 4.3, 4.12.x, 4.15, 4.16, 4.18).
mod ecs17a;
mod ecs17c;
mod ecs17d;
mod ecs17e;
mod ecs18a;
mod ecs18b;
mod ecs19;
mod ecs27;
mod ecs82;
mod gcs13b;
mod gcs13c;
mod gcs14;
mod gcs60;
mod gcs60a;
mod reads;
// Profiles, network data (4.8.x, 4.10, 14.1).
mod ecs22a;
mod ecs22b;
mod ecs22c;
mod ecs23;
mod ecs23b;
mod gcs17;
mod gcs18;
mod gcs31;
// Prepayment configuration (4.13).
mod ecs26a;
mod gcs21b;
// Tariff (4.11.x).
mod ecs24;
mod ecs24b;
mod gas_calendar;
mod gcs21f;
mod tariff_common;
// Logs (4.4.x, 4.6.x, 4.14, 4.17).
mod ecs20a;
// 6.13 Read Event or Security Log.
mod ecs20b;
mod ecs20c;
mod ecs20d;
mod ecs21a;
mod ecs21b;
mod ecs21c;
mod ecs66;
mod event_logs;
mod gbz_logs;
mod gcs15b;
mod gcs15c;
mod gcs15d;
mod gcs15e;
mod gcs16a;
mod gcs16b;
mod gcs61;
mod logs;
// Supplier settings (3.1, 3.4, 3.5).
mod alert_behaviours;
mod ecs10;
mod ecs14;
mod ecs16;
mod ecs25a;
mod ecs25a1;
mod ecs25a2;
mod ecs25a3;
mod ecs25b;
mod ecs25b3;
mod gcs07;
mod gcs11;
mod gcs20;
mod gcs44;
// Change of tenancy (3.2).
mod ecs12;
mod gcs09;
// Clear Event Log (3.3).
mod cs11;
// 6.17, 6.15.2: the device's own credentials.
mod cs02c;
mod cs02d;
// 6.24.1, 6.24.2: the credentials a device holds.
mod cs02a;
mod cs02e;
mod ecs15a;
mod ecs15c;
// Identity and MPxN (6.20.1, 6.20.2, 6.2.7).
mod ecs39a;
mod ecs39b;
mod ecs40;
mod gcs41;
mod gcs46;
// Payment mode read (6.2.9).
mod ecs26j;
mod gcs21j;
// Identity read (6.2.4).
mod ecs26e;
mod ecs26i;
mod ecs26m;
mod ecs26n;
mod gcs21e;
mod gcs21m;
mod identity;
// 8.9 Read Device Log.
mod han_logs;

use gbcs::crypto::{KdfContext, KdfMode, decrypt_payload};
use gbcs::frame::{GeneralSigning, OtherInfoExt};
use gbcs::gbz::GbzPayload;
use gbcs::usecases::{Failure, ResponseOutcome, ResponseValue, UseCaseSpec, decode_response};
use gbcs::{Cra, Payload};

use crate::xml::Xml;
use crate::{Context, GbcsData, Header, Keys, Kind, Rendered, document, header};

/// Every mapped use case.
pub static MAPPINGS: &[&ResponseMapping] = &[
    &ecs52::MAPPING,
    &gcs38::MAPPING,
    &cs08::MAPPING,
    // 8.7 Join Service, 8.8 Unjoin Service.
    &cs03a1::MAPPING,
    &cs03a2::MAPPING,
    &cs03b::MAPPING,
    &cs03c::MAPPING,
    &cs04ac::MAPPING,
    &cs04b::MAPPING,
    // 11.3 Activate Firmware.
    &cs06::MAPPING,
    &ecs45::MAPPING,
    &gcs33::MAPPING,
    &ecs17b::MAPPING,
    &gcs13a::MAPPING,
    &ecs42::MAPPING,
    &ecs43::MAPPING,
    &gcs32::MAPPING,
    &ecs01a::MAPPING,
    &ecs01b::MAPPING,
    &ecs01c::MAPPING,
    &ecs01d::MAPPING,
    &gcs01a::MAPPING,
    &gcs01b::MAPPING,
    &ecs05::MAPPING,
    &ecs28a::MAPPING,
    &ecs28b::MAPPING,
    &ecs37::MAPPING,
    &ecs57::MAPPING,
    &ecs48::MAPPING,
    &ecs81::MAPPING,
    &ecs26c::MAPPING,
    &ecs46a::MAPPING,
    &ecs46c::MAPPING,
    &ecs09::MAPPING,
    &gcs06::MAPPING,
    &cs01a::MAPPING,
    &cs01b::MAPPING,
    &ecs44::MAPPING,
    &gcs39::MAPPING,
    &ecs47::MAPPING,
    &ecs47a::MAPPING,
    &ecs38::MAPPING,
    // Family 6, power quality.
    &ecs29a::MAPPING,
    &ecs29b::MAPPING,
    &ecs29c::MAPPING,
    &ecs29d::MAPPING,
    &ecs29e::MAPPING,
    &ecs29f::MAPPING,
    &ecs34::MAPPING,
    &ecs26b::MAPPING,
    &ecs26k::MAPPING,
    &ecs26f::MAPPING,
    &billing_calendar::ECS30,
    &billing_calendar::ECS30A,
    &billing_calendar::ECS26D,
    &billing_calendar::ECS26L,
    &billing_calendar::GCS25,
    &billing_calendar::GCS25A,
    &billing_calendar::GCS21D,
    &billing_calendar::GCS21K,
    &gas_configuration::GCS23,
    &gas_configuration::GCS24,
    &gas_configuration::GCS24A,
    &gas_configuration::GCS21A,
    &ecs02::MAPPING,
    &ecs03::MAPPING,
    &gcs02::MAPPING,
    &gcs03::MAPPING,
    &ecs07::MAPPING,
    &gcs04::MAPPING,
    &ecs08::MAPPING,
    &ecs08a::MAPPING,
    &gcs05::MAPPING,
    &meter_balance::ECS04A,
    &meter_balance::ECS04B,
    &meter_balance::GCS40A,
    &meter_balance::GCS40B,
    &meter_balance::GCS40C,
    &meter_balance::GCS40D,
    &ecs70::MAPPING,
    &gcs28::MAPPING,
    &ecs50::MAPPING,
    &gcs36::MAPPING,
    &ccs01::MAPPING,
    &ccs02::MAPPING,
    // Instantaneous reads.
    &ecs17a::MAPPING,
    &ecs17c::MAPPING,
    &ecs17d::MAPPING,
    &ecs17e::MAPPING,
    &ecs18a::MAPPING,
    &ecs18b::MAPPING,
    &ecs19::MAPPING,
    &ecs27::MAPPING,
    &ecs82::MAPPING,
    &gcs13b::MAPPING,
    &gcs13c::MAPPING,
    &gcs14::MAPPING,
    &gcs60::MAPPING,
    &gcs60a::MAPPING,
    // Profiles, network data.
    &ecs22a::MAPPING,
    &ecs22b::MAPPING,
    &ecs22c::MAPPING,
    &ecs23::MAPPING,
    &ecs23b::MAPPING,
    &gcs17::MAPPING,
    &gcs18::MAPPING,
    &gcs31::MAPPING,
    // Prepayment configuration.
    &ecs26a::MAPPING,
    &gcs21b::MAPPING,
    // Tariff.
    &ecs24::MAPPING,
    &ecs24b::MAPPING,
    &gcs21f::MAPPING,
    // Logs.
    &ecs20a::MAPPING,
    &ecs20b::MAPPING,
    &ecs20c::MAPPING,
    &ecs20d::MAPPING,
    &ecs21a::MAPPING,
    &ecs21b::MAPPING,
    &ecs21c::MAPPING,
    &ecs66::MAPPING,
    &gcs15b::MAPPING,
    &gcs15c::MAPPING,
    &gcs15d::MAPPING,
    &gcs15e::MAPPING,
    &gcs16a::MAPPING,
    &gcs16b::MAPPING,
    &gcs61::MAPPING,
    // Supplier settings (3.1, 3.4, 3.5).
    &ecs16::MAPPING,
    &gcs44::MAPPING,
    &ecs14::MAPPING,
    &gcs11::MAPPING,
    &ecs10::MAPPING,
    &gcs07::MAPPING,
    // Change of tenancy (3.2).
    &ecs12::MAPPING,
    &gcs09::MAPPING,
    // Clear Event Log (3.3).
    &ecs15a::MAPPING,
    &ecs15c::MAPPING,
    &cs11::MAPPING,
    &cs02c::MAPPING,
    &cs02d::MAPPING,
    &cs02a::CS02A,
    &cs02a::CS02F,
    &cs02e::MAPPING,
    // 6.13 Read Event or Security Log.
    &event_logs::ECS35A,
    &event_logs::ECS35B,
    &event_logs::ECS35C,
    &event_logs::ECS35D,
    &event_logs::ECS35E,
    &event_logs::ECS35F,
    &event_logs::ECS35G,
    &event_logs::CS10A,
    &event_logs::CS10B,
    // Alert behaviour (6.22, 6.2.10).
    &ecs25a::MAPPING,
    &ecs25a1::MAPPING,
    &ecs25a2::MAPPING,
    &ecs25a3::MAPPING,
    &ecs25b::MAPPING,
    &ecs25b3::MAPPING,
    &gcs20::MAPPING,
    &alert_behaviours::ECS25R1,
    &alert_behaviours::ECS25R2,
    &alert_behaviours::GCS20R,
    // Identity and MPxN (6.20.1, 6.20.2, 6.2.7).
    &ecs39a::MAPPING,
    &ecs39b::MAPPING,
    &gcs41::MAPPING,
    &ecs40::MAPPING,
    &gcs46::MAPPING,
    // Payment mode read (6.2.9).
    &ecs26j::MAPPING,
    &gcs21j::MAPPING,
    // Identity read (6.2.4).
    &ecs26e::MAPPING,
    &ecs26i::MAPPING,
    &ecs26m::MAPPING,
    &ecs26n::MAPPING,
    &gcs21e::MAPPING,
    &gcs21m::MAPPING,
    // 8.9 Read Device Log.
    &han_logs::CS07,
    &han_logs::CCS05,
    &han_logs::CCS06,
    &han_logs::CCS07,
    // 8.12 Restore HAN Device Log.
    &han_logs::CCS03,
    &han_logs::GCS59,
];

/// How one use case's response becomes MMC.
pub struct ResponseMapping {
    /// The use case.
    pub use_case: &'static UseCaseSpec,
    /// Its usual DUIS service reference (`"7.4"`), used when the caller does not know it.
    pub service_reference: &'static str,
    /// Its usual DUIS service reference variant (`"7.4"`).
    pub service_reference_variant: &'static str,
    /// The `SMETSData` child element (`"ReadSupplyStatusRsp"`).
    pub element: &'static str,
    /// Another element for some service reference variants (`("8.1.1",
    /// "CommissionDeviceSynchroniseClockRsp")`).
    pub by_variant: &'static [(&'static str, &'static str)],
    /// The element's children for a successful response.
    pub render: RenderFn,
    /// The element's children when the device reports failure (besides `DebugInfo`).
    pub failure: Option<fn(&Failure) -> Xml>,
}

impl ResponseMapping {
    /// The element for the request's service reference variant.
    pub fn element_for(&self, ctx: &Context<'_>) -> &'static str {
        self.by_variant
            .iter()
            .find(|(v, _)| Some(*v) == ctx.service_reference_variant)
            .map_or(self.element, |(_, e)| e)
    }
}

/// Renders a success value.
pub type RenderFn = fn(&ResponseCtx<'_>, &ResponseValue) -> Result<Rendering, MappingError>;

/// What a mapping made of a success value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendering {
    /// The element's children (empty for an element without content).
    Children(Xml),
    /// The device reports failure inside sensitive content it opened: the element's children
    /// and the `DebugInfo` from the opened content.
    Failed {
        /// The element's children.
        children: Xml,
        /// `DebugInfo`, if the opened content has statuses.
        debug: Option<Xml>,
    },
    /// Sensitive content the renderer could not open: given as `GBCSData`, with the reason.
    Sealed {
        /// The encrypted bytes.
        data: GbcsData,
        /// Why it is still encrypted.
        reason: String,
    },
}

/// A success value that is not what the mapping expects (a decoder/mapping mismatch).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MappingError(pub String);

impl MappingError {
    /// The value was of an unexpected kind.
    pub fn unexpected(value: &ResponseValue) -> Self {
        Self(format!("unexpected value {value:?}"))
    }
}

/// What a mapping can use besides the value.
pub struct ResponseCtx<'a> {
    /// The response APDU.
    pub apdu: &'a GeneralSigning,
    /// The requester's keys, if given.
    pub keys: Option<Keys<'a>>,
}

impl ResponseCtx<'_> {
    /// Opens a block the device encrypted to the requester (GBCS payload encryption: KDF with
    /// the device as originator and the response's counter — the supplementary originator
    /// counter where other-information carries one — IV title the device).
    pub fn open(&self, block: &[u8]) -> Result<Vec<u8>, String> {
        let a = self.apdu;
        let Some(keys) = self.keys else {
            return Err(format!(
                "it is encrypted to {} and no key-agreement private key was given",
                gbcs::alerts::supplementary_remote_party(&a.other_info.ext)
                    .0
                    .unwrap_or(a.recipient)
            ));
        };
        let counter = match &a.other_info.ext {
            OtherInfoExt::OriginatorCounter {
                originator_counter, ..
            } => *originator_counter,
            _ => a.counter,
        };
        // A command the ACB sent for a remote party (an unknown remote party, URP): the device
        // encrypts its answer to that party, not to the ACB.
        let (party, _) = gbcs::alerts::supplementary_remote_party(&a.other_info.ext);
        let recipient = party.unwrap_or(a.recipient);
        let ctx = KdfContext {
            originator: a.originator,
            mode: KdfMode::PayloadEncryption,
            counter,
            recipient,
        };
        let key = keys
            .requester_ka
            .derive(keys.device_ka, &ctx)
            .map_err(|e| format!("deriving the payload key failed: {e}"))?;
        decrypt_payload(&key, a.originator, block).map_err(|e| {
            format!(
                "the key given does not open it ({e}): it is encrypted to {recipient} by device {}; \
                 give that recipient's key-agreement private key and the device's key-agreement \
                 certificate",
                a.originator
            )
        })
    }

    /// A sealed rendering of `block` (`kind`: `dlms` or `zigbeeCiphered`).
    pub fn sealed(
        &self,
        what: &str,
        kind: &'static str,
        block: &[u8],
        reason: String,
    ) -> Rendering {
        Rendering::Sealed {
            data: GbcsData {
                name: what.to_string(),
                kind,
                encrypted: true,
                bytes: block.to_vec(),
            },
            reason,
        }
    }
}

/// The mapping of a message code, if any.
pub fn mapping(code: gbcs::MessageCode) -> Option<&'static ResponseMapping> {
    MAPPINGS
        .iter()
        .copied()
        .find(|m| m.use_case.message_code == code)
}

/// Renders a response APDU.
pub fn render(apdu: &GeneralSigning, ctx: &Context<'_>) -> Rendered {
    let code = apdu.message_code();
    let m = mapping(code);
    let mut notes = Vec::new();
    let mut sealed = false;
    let mut mapped = false;
    let rctx = ResponseCtx {
        apdu,
        keys: ctx.keys,
    };
    let name = code
        .use_case()
        .map_or_else(|| format!("message code {code}"), str::to_string);
    let mut body = Xml::new();
    body.open("ResponseMessage", &[]);
    match m.map(|m| (m, decode_response(code, &apdu.content))) {
        Some((m, Ok(ResponseOutcome::Success(v)))) => match (m.render)(&rctx, &v) {
            Ok(Rendering::Children(children)) => {
                mapped = true;
                smets(&mut body, m.element_for(ctx), true, &children);
            }
            Ok(Rendering::Failed { children, debug }) => {
                mapped = true;
                smets(&mut body, m.element_for(ctx), false, &children);
                if let Some(d) = debug {
                    body.append(&d);
                }
            }
            Ok(Rendering::Sealed { data, reason }) => {
                mapped = true;
                sealed = true;
                notes.push(format!(
                    "{} response: could not open the sensitive data ({reason}); it is given \
                     encrypted as GBCSData",
                    m.use_case.name
                ));
                data.write(&mut body, 0);
            }
            Err(e) => {
                notes.push(format!(
                    "{} response: no MMC form for its value ({e}); given as GBCSData",
                    m.use_case.name
                ));
                generic(&mut body, apdu, &name);
            }
        },
        Some((m, Ok(ResponseOutcome::Failure(f)))) => {
            mapped = true;
            // 6.24.1 answers party by party: a failure still lists every party.
            let children = cs02a::failure_details(&rctx)
                .or_else(|| m.failure.map(|f_| f_(&f)))
                .unwrap_or_default();
            smets(&mut body, m.element_for(ctx), false, &children);
            if let Some(d) = crate::status::debug_info(&apdu.content) {
                body.append(&d);
            }
        }
        Some((m, Err(e))) => {
            notes.push(format!(
                "{} response does not decode as its use case ({e}); given as GBCSData",
                m.use_case.name
            ));
            generic(&mut body, apdu, &name);
        }
        None => {
            notes.push(format!(
                "{name}: no MMC mapping for this use case yet; its payload is given as GBCSData"
            ));
            generic(&mut body, apdu, &name);
        }
    }
    body.close("ResponseMessage");
    let h = header(&Header {
        apdu,
        service_reference: ctx.service_reference.or(m.map(|m| m.service_reference)),
        service_reference_variant: ctx
            .service_reference_variant
            .or(m.map(|m| m.service_reference_variant)),
        timestamp: apdu
            .date_time
            .and_then(|b| gbcs::UtcDateTime::from_cosem(&b))
            .map(crate::time::xs_date_time),
    });
    Rendered {
        xml: document(&h, &body),
        kind: Kind::Response,
        mapped,
        sealed,
        notes,
    }
}

fn smets(body: &mut Xml, element: &str, success: bool, children: &Xml) {
    body.open("SMETSData", &[]);
    let attrs = [("MessageSuccess", if success { "true" } else { "false" })];
    if children.is_empty() {
        body.empty(element, &attrs);
    } else {
        body.open(element, &attrs);
        body.append(children);
        body.close(element);
    }
    body.close("SMETSData");
}

/// The schema's generic form: the payload as `GBCSData`, and `DebugInfo` where the payload has
/// statuses.
fn generic(body: &mut Xml, apdu: &GeneralSigning, name: &str) {
    let kind = match Payload::decode(Cra::Response, &apdu.content) {
        Payload::AccessResponse(_) => "dlms",
        Payload::Gbz(GbzPayload::Components { components, .. })
            if components
                .iter()
                .any(|c| matches!(c.body, gbcs::gbz::GbzBody::Encrypted { .. })) =>
        {
            "zigbeeCiphered"
        }
        Payload::Gbz(_) => "zigbeePlain",
        _ => "gbcs",
    };
    GbcsData {
        name: name.to_string(),
        kind,
        encrypted: kind == "zigbeeCiphered",
        bytes: apdu.content.clone(),
    }
    .write(body, 0);
    if let Some(d) = crate::status::debug_info(&apdu.content) {
        body.append(&d);
    }
}

/// Firmware version bytes as text: printable ASCII as it is, anything else in hex.
pub(crate) fn version_text(b: &[u8]) -> String {
    if !b.is_empty() && b.iter().all(|c| (0x20..0x7F).contains(c)) {
        b.iter().map(|&c| char::from(c)).collect()
    } else {
        b.iter().map(|c| format!("{c:02X}")).collect()
    }
}
