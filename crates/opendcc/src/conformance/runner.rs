//! Checking each part of each row: the pre-command and command the DCC builds against the RTDS
//! bytes, and each RESPONSE and ALERT vector as an input the DCC must take in and deliver.

use std::path::Path;

use base64::Engine;
use time::OffsetDateTime;

use super::adapter::{self, Built, Check, Cra3, Inbound, Keystore, Request};
use super::pairing::{Kind, Pairing, Row, RowKey, VectorFile};

/// The verdict on one part of a row (one RTDS file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartResult {
    /// `11.2_ECS52 SUCCESS`.
    pub row: String,
    /// `command`, `response`, `alert:8F66:CALENDAR`, …
    pub part: String,
    /// The RTDS vector, relative to the RTDS-4.5.0 folder.
    pub file: String,
    /// The DUIS template the request came from, if any (file name).
    pub template: Option<String>,
    pub pass: bool,
    /// On FAIL, the first reason.
    pub reason: Option<String>,
    /// What else the check found (signatures not verifiable with the keystore, …).
    pub notes: Vec<String>,
}

impl PartResult {
    /// `11.2_ECS52 SUCCESS command`: the id the keep-list uses.
    pub fn id(&self) -> String {
        format!("{} {}", self.row, self.part)
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads a `.HEX` vector (hex digits, whitespace ignored).
pub fn read_hex(path: &Path) -> Result<Vec<u8>, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let digits: Vec<u8> = text
        .into_iter()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if digits.is_empty() {
        return Err("empty vector file".into());
    }
    if !digits.len().is_multiple_of(2) {
        return Err(format!("not hex: odd number of digits ({})", digits.len()));
    }
    digits
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| format!("not hex at digit {}", i * 2))
        })
        .collect()
}

/// Byte-exact comparison; `None` when equal, else the first difference.
pub fn compare(expected: &[u8], got: &[u8]) -> Option<String> {
    if let Some((i, (a, b))) = expected
        .iter()
        .zip(got)
        .enumerate()
        .find(|(_, (a, b))| a != b)
    {
        let lengths = if expected.len() == got.len() {
            String::new()
        } else {
            format!("; length {} expected, {} got", expected.len(), got.len())
        };
        return Some(format!(
            "byte {i} differs (expected {a:02X}, got {b:02X}){lengths}"
        ));
    }
    (expected.len() != got.len()).then(|| {
        format!(
            "length differs (expected {} bytes, got {}; the first {} agree)",
            expected.len(),
            got.len(),
            expected.len().min(got.len())
        )
    })
}

/// Pre-commands compare modulo one trailing `00` (null signature) on either side.
fn compare_precommand(expected: &[u8], got: &[u8]) -> (Option<String>, Option<String>) {
    let Some(diff) = compare(expected, got) else {
        return (None, None);
    };
    let trailing = |long: &[u8], short: &[u8]| {
        long.len() == short.len() + 1 && long.last() == Some(&0) && long.starts_with(short)
    };
    if trailing(got, expected) || trailing(expected, got) {
        return (
            None,
            Some("equal but for one trailing 00 (null signature)".into()),
        );
    }
    (Some(diff), None)
}

struct Ctx<'a> {
    pairing: &'a Pairing,
    ks: &'a Keystore,
    now: OffsetDateTime,
}

struct Part {
    pass: bool,
    reason: Option<String>,
    notes: Vec<String>,
    template: Option<String>,
}

impl Part {
    fn fail(reason: impl Into<String>) -> Self {
        Self {
            pass: false,
            reason: Some(reason.into()),
            notes: Vec::new(),
            template: None,
        }
    }
}

type Step<T> = Result<T, String>;

/// Runs every row of the pairing (those of `family` only, when given).
pub fn run(
    pairing: &Pairing,
    ks: &Keystore,
    family: Option<&str>,
    now: OffsetDateTime,
) -> Vec<PartResult> {
    let ctx = Ctx { pairing, ks, now };
    let mut out = Vec::new();
    for (key, row) in &pairing.rows {
        if family.is_some_and(|f| !key.in_family(f)) {
            continue;
        }
        for v in &row.vectors {
            let mut notes = Vec::new();
            let mut template = None;
            let r = ctx.check(key, row, v, &mut notes, &mut template);
            let (pass, reason) = match r {
                Ok(()) => (true, None),
                Err(e) => (false, Some(e)),
            };
            out.push(PartResult {
                row: key.id(),
                part: v.part(),
                file: v.rel.clone(),
                template,
                pass,
                reason,
                notes,
            });
        }
    }
    for s in &pairing.strays {
        let srv = s.rel.split('_').next().unwrap_or_default();
        if family.is_some_and(|f| {
            !RowKey {
                srv: srv.into(),
                uc: String::new(),
                variant: String::new(),
            }
            .in_family(f)
        }) {
            continue;
        }
        let p = Part::fail(format!("file name: {}", s.why));
        out.push(PartResult {
            row: s.rel.clone(),
            part: "file".into(),
            file: s.rel.clone(),
            template: p.template,
            pass: p.pass,
            reason: p.reason,
            notes: p.notes,
        });
    }
    out
}

fn is_error_variant(variant: &str) -> bool {
    variant
        .split('_')
        .any(|t| t == "ERROR" || t == "FAILURE" || t == "NOT" || t == "FOUND")
}

/// Rows whose RTDS command was made for another log period than their DUIS template's
/// `ReadLogPeriod`: the period the vector carries is put into the template's request (as for the
/// rebuilt ERROR and NOT_FOUND requests), with a note. Kept to the rows known to disagree, so
/// that the template still checks how the DCC maps a `ReadLogPeriod` everywhere else.
///
/// * `4.4.3_GCS15c SUCCESS`: the template reads 2014-12-01T00:00:00Z to 2015-11-01T00:00:00Z
///   (as the row's ERROR command carries it); the SUCCESS command 2015-01-01T00:00:01Z to
///   2016-01-01T00:00:01Z, with the template's counter. No DCC rule maps the one onto the other;
///   `gbcs/tests/reads_logs.rs` checks that the builder reproduces the vector for its period.
/// * `3.2_GCS09 SUCCESS` (the same for its one time): the template restricts from
///   2015-02-01T00:00:00Z, the command's implementation date-time is ZigBee `0x1FC66E20`
///   (2016-11-22); the vector's instant is put into the template's `RestrictionDateTime`;
///   `gbcs/tests/change_of_tenancy.rs` checks the builder against the vector.
pub const VECTOR_PERIOD_ROWS: &[&str] = &[
    "4.4.3_GCS15c SUCCESS",
    "3.2_GCS09 SUCCESS",
    // 6.15.1: the vectors carry certificates re-issued for other serial numbers and validity
    // than the templates' (gbcs-notes §2.4); they are put into the template's request.
    "6.15.1_CS02bSupplierBySupplier IMMEDIATE_SUCCESS",
    "6.15.1_CS02bSupplierBySupplier FUTURE_DATED_SUCCESS",
    "6.15.1_CS02bSupplierBySupplier CANCELLATION_SUCCESS",
    "6.15.1_CS02bNOByNO SUCCESS",
    // CS02g: the vectors' are also another party's (the supplier's own, role 2, GITTESTSUPPLIER)
    // than the templates' (the load controller's, role 8).
    "6.15.1_CS02gLoadControllerBySupplier IMMEDIATE_SUCCESS",
    "6.15.1_CS02gLoadControllerBySupplier FUTURE_DATED_SUCCESS",
    "6.15.1_CS02gLoadControllerBySupplier CANCELLATION_SUCCESS",
    "6.21_CS02bSupplierBySupplierHandover SUCCESS",
    "6.21_CS02bNOByNOHandover SUCCESS",
    // 6.23: the same (the transitional CoS party's command).
    "6.23_CS02bSupplierByTransCoS IMMEDIATE_SUCCESS",
    "6.23_CS02bSupplierByTransCoS FUTURE_DATED_SUCCESS",
    "6.23_CS02bSupplierByTransCoS CANCELLATION_SUCCESS",
    // 6.22: the vectors write other alert codes than the templates (ECS25a: 0x81C4 and 0x81C5
    // instead of the poly-phase 0x81B7; ECS25b: no 0x8003); the vector's codes and settings
    // are put into the template's request.
    "6.22_ECS25a SUCCESS",
    "6.22_ECS25b SUCCESS",
];

/// Rows whose RTDS command the ACB originates on behalf of the template's originator where the
/// row's other commands are that user's own: the request is planned for the user acting in a
/// role that is not a trust anchor of the device ([`adapter::Capacity::NotTrustAnchor`]), for
/// which the DCC, by the GBCS rule (`dcc::services::originator`), has its ACB originate.
///
/// * `4.4.4_GCS15d SUCCESS`: the ACB (other-information of 18 bytes: the supplier and its
///   counter 1000), while the row's ERROR and NOT_FOUND commands are the supplier's (GCS15d
///   allows both); the DUIS request is the same for both.
/// * `7.14_ECS61d SUCCESS`: the same (the ACB, 18 bytes: the supplier and its counter 1000; the
///   ERROR command is the supplier's own).
/// * `8.9_CS07 ERROR`: the ACB (18 bytes: the supplier and its counter 1002), while the
///   SUCCESS command is the supplier's own (CS07 allows both).
pub const ACB_CARRIED_ROWS: &[&str] = &[
    "4.4.4_GCS15d SUCCESS",
    "7.14_ECS61d SUCCESS",
    // 8.9 Read Device Log.
    "8.9_CS07 ERROR",
];

/// Services whose RTDS rows on an ESME are the network operator's own use cases (the template's
/// originator is the RTDS network operator, and the use case allows only it): the request is
/// planned for the user acting as the device's network operator
/// ([`adapter::Capacity::NetworkOperator`]). 6.22 ECS25b / ECS25b3 and 6.2.10 ECS25r2.
pub const NETWORK_OPERATOR_ROWS: &[&str] = &["6.22_ECS25b", "6.22_ECS25b3", "6.2.10_ECS25r2"];

fn is_success_variant(variant: &str) -> bool {
    variant.split('_').any(|t| t == "SUCCESS")
}

impl Ctx<'_> {
    fn check(
        &self,
        key: &RowKey,
        row: &Row,
        v: &VectorFile,
        notes: &mut Vec<String>,
        template: &mut Option<String>,
    ) -> Step<()> {
        let bytes = read_hex(&v.path)?;
        match v.name.kind {
            Kind::PreCommand | Kind::Command => {
                self.check_outbound(key, row, v, &bytes, notes, template)
            }
            Kind::Response => self.check_response(key, row, &bytes, notes),
            Kind::Alert => self.check_alert(key, row, v, &bytes, notes),
        }
    }

    /// The request the row's template gives, or one rebuilt from a template of the same SRV and
    /// use case with the vector's device and counter (RTDS ships no template for ERROR and
    /// NOT_FOUND scenarios; their payloads are the success ones').
    fn request(
        &self,
        key: &RowKey,
        row: &Row,
        vector: &Inbound,
        template: &mut Option<String>,
        notes: &mut Vec<String>,
    ) -> Step<Request> {
        if let Some(t) = &row.template {
            *template = Some(file_name(t));
            let xml = std::fs::read(t).map_err(|e| format!("cannot read {}: {e}", t.display()))?;
            let req = Request::parse(&xml)?;
            if VECTOR_PERIOD_ROWS.contains(&key.id().as_str()) {
                notes.push("the vector's period or instant put into the template's request".into());
                return req.with_vector_parameters(vector).ok_or_else(|| {
                    "the vector's parameters do not fit the template's request".into()
                });
            }
            return Ok(req);
        }
        let siblings = self
            .pairing
            .templates_by_uc
            .get(&(key.srv.clone(), key.uc.clone()))
            .ok_or("no DUIS template for this row or its use case")?;
        let mut ordered: Vec<_> = siblings.iter().collect();
        // The template of the row's own scenario first (`ALCS_DEACTIVATE_ERROR` is rebuilt from
        // `…_ALCS_DEACTIVATE_SUCCESS_…`, ECS47a's controller and level), then any SUCCESS one.
        let scenario = key
            .variant
            .rsplit_once('_')
            .map(|(s, _)| format!("_{s}_SUCCESS_"));
        ordered.sort_by_key(|p| {
            let name = file_name(p);
            (
                !scenario.as_ref().is_some_and(|s| name.contains(s.as_str())),
                !name.contains("_SUCCESS"),
            )
        });
        // Of several, the one whose request the vector's critical command answers (1.1.1's
        // ERROR payload is the IMMEDIATE_TOU template's, not IMMEDIATE_BLOCK's); else the first.
        let mut first: Option<(String, u64, Step<Request>)> = None;
        for t in ordered {
            let Ok(xml) = std::fs::read(t) else { continue };
            let Ok(req) = Request::parse(&xml) else {
                continue;
            };
            let counter = vector
                .on_behalf_of()
                .filter(|(rp, _)| *rp == req.originator())
                .map_or(vector.counter(), |(_, c)| c);
            // ERROR scenarios may carry other parameters than the template's (8.1.1's
            // interval): those the vector carries are put back into the request.
            let rebuilt = req
                .retargeted(vector.recipient(), counter)
                .with_vector_parameters(vector)
                .ok_or_else(|| "the vector's parameters do not fit the template's request".into());
            let answered = rebuilt.as_ref().is_ok_and(|r| vector.answers(r));
            if answered || first.is_none() {
                first = Some((file_name(t), counter, rebuilt));
            }
            if answered {
                break;
            }
        }
        let (name, counter, rebuilt) = first.ok_or("no DUIS template of this use case parses")?;
        notes.push(format!(
            "request rebuilt from {name} for {} counter {counter}",
            vector.recipient()
        ));
        *template = Some(name);
        rebuilt
    }

    fn check_outbound(
        &self,
        key: &RowKey,
        row: &Row,
        v: &VectorFile,
        expected: &[u8],
        notes: &mut Vec<String>,
        template: &mut Option<String>,
    ) -> Step<()> {
        if key.srv == "NA" {
            return Err("SRV NA: a DCC-internal command with no DUIS request; not implemented in the runner".into());
        }
        if !adapter::implemented(&key.srv) {
            return Err(format!("service {} not implemented", key.srv));
        }
        let vector = Inbound::decode(expected).map_err(|e| format!("RTDS vector: {e}"))?;
        let mut req = self.request(key, row, &vector, template, notes)?;
        if let Some((party, _)) = vector.on_behalf_of()
            && vector.carries_certificate()
        {
            req = req
                .with_vector_certificate(&vector)
                .ok_or("the vector carries a certificate the request has no place for")?;
            notes.push(format!(
                "the unknown remote party {party}'s certificate and period taken from the vector"
            ));
        }
        // Some DCC Boxed templates of DCC-originated use cases (CS08) name a DCC role as the
        // request's originator, while the RTDS command was made for a user's request: its
        // supplementary remote party and counter. The request is the user's.
        if let Some((party, counter)) = vector.on_behalf_of()
            && party != req.originator()
            && req.originator().to_u64() >> 16 == 0x90B3_D51F_3000
        {
            notes.push(format!(
                "the template's originator {} is a DCC role; the vector's request is {party}'s \
                 (counter {counter})",
                req.originator()
            ));
            req = req.reoriginated(party, counter);
        }
        // Some rows' vectors were made for another user than their template names (ECS35g:
        // the template is the network operator's, the ERROR command the supplier's): the
        // request is the vector's originator's when that is an RTDS user (not a DCC role).
        if vector.on_behalf_of().is_none()
            && vector.originator() != req.originator()
            && vector.originator().to_u64() >> 16 != 0x90B3_D51F_3000
            && vector.originator().to_u64() >> 40 == 0x90_B3D5
        {
            notes.push(format!(
                "the template's originator is {}, the vector's {}: the request is the vector's",
                req.originator(),
                vector.originator()
            ));
            req = req.reoriginated(vector.originator(), vector.counter());
        }
        if req.srv() != key.srv {
            return Err(format!(
                "the template is for SRV {}, the row for {}",
                req.srv(),
                key.srv
            ));
        }
        let capacity = if ACB_CARRIED_ROWS.contains(&key.id().as_str()) {
            if vector.on_behalf_of().map(|(party, _)| party) != Some(req.originator()) {
                return Err(format!(
                    "listed as carried by the ACB, but the vector is not on behalf of {}",
                    req.originator()
                ));
            }
            notes.push("planned for a user who is not the device's trust anchor".into());
            adapter::Capacity::NotTrustAnchor
        } else if NETWORK_OPERATOR_ROWS
            .iter()
            .any(|r| key.id().starts_with(&format!("{r} ")))
        {
            notes.push("planned for the device's network operator".into());
            adapter::Capacity::NetworkOperator
        } else {
            adapter::Capacity::TrustAnchor
        };
        // For commands the DCC originates, the RTDS counter is injected as the DCC's counter.
        let dcc_counter = vector.counter();
        if adapter::dcc_originated(&req, self.ks, dcc_counter, self.now, capacity) {
            notes.push(format!(
                "DCC counter {dcc_counter} injected from the vector"
            ));
        }
        if v.name.kind == Kind::PreCommand {
            return match adapter::build(&req, self.ks, dcc_counter, self.now, expected)? {
                Built::Command => {
                    Err("the DCC made a command where RTDS has a pre-command (CV 4)".into())
                }
                Built::PreCommand(ours) => {
                    let (diff, note) = compare_precommand(expected, &ours);
                    notes.extend(note);
                    diff.map_or(Ok(()), Err)
                }
            };
        }
        let built =
            adapter::build_command(&req, self.ks, expected, dcc_counter, self.now, capacity)?;
        notes.extend(built.note.map(String::from));
        if let Some(diff) = compare(expected, &built.bytes) {
            return Err(diff);
        }
        built.signature_check
    }

    fn crypto(&self, frame: &Inbound, notes: &mut Vec<String>) -> Step<()> {
        let mac = frame.verify_mac(self.ks);
        let sig = frame.verify_signature(self.ks);
        for (what, c) in [("MAC", &mac), ("signature", &sig)] {
            match c {
                Check::Invalid(why) => return Err(why.clone()),
                Check::NotVerifiable(why) => notes.push(format!("{what} not verifiable: {why}")),
                Check::Valid => notes.push(format!("{what} valid")),
                Check::Absent => {}
            }
        }
        if mac == Check::Absent && sig == Check::Absent {
            return Err("neither MAC'd nor signed".into());
        }
        Ok(())
    }

    fn delivered(&self, doc: &str, bytes: &[u8]) -> Step<()> {
        adapter::validate_response(doc)?;
        let payload =
            between(doc, "GBCSPayload>", "</").ok_or("the DUIS document carries no GBCSPayload")?;
        let carried = base64::engine::general_purpose::STANDARD
            .decode(payload.trim())
            .map_err(|e| format!("GBCSPayload is not base64: {e}"))?;
        if carried != bytes {
            return Err("GBCSPayload is not the device's bytes".into());
        }
        Ok(())
    }

    fn check_response(
        &self,
        key: &RowKey,
        row: &Row,
        bytes: &[u8],
        notes: &mut Vec<String>,
    ) -> Step<()> {
        let frame = Inbound::decode(bytes)?;
        if frame.cra() != Cra3::Response {
            return Err(format!("CRA flag says {:?}, not a response", frame.cra()));
        }
        self.crypto(&frame, notes)?;
        match frame.classify() {
            Some(Ok(())) if is_error_variant(&key.variant) => {
                return Err("an ERROR response the DCC's codecs read as success".into());
            }
            Some(Err(why)) if is_success_variant(&key.variant) => {
                return Err(format!(
                    "a SUCCESS response the DCC's codecs read as failure: {why}"
                ));
            }
            Some(Err(why)) => notes.push(format!("recognised as failure: {why}")),
            Some(Ok(())) => notes.push("recognised as success".into()),
            None => notes.push("outcome not classified by the DCC's codecs".into()),
        }
        // The command the response answers (the row's, which the DCC sent byte-exact): 9.1's
        // response carries the CIN read back from it.
        let command = row
            .vectors
            .iter()
            .find(|c| c.name.kind == Kind::Command)
            .map(|c| read_hex(&c.path))
            .transpose()?;
        match frame.render_response(&key.srv, bytes, command.as_deref(), self.now)? {
            None => {
                notes.push("SRV NA: the DCC consumes this answer; no DUIS document".into());
                Ok(())
            }
            Some(doc) => self.delivered(&doc, bytes),
        }
    }

    fn check_alert(
        &self,
        key: &RowKey,
        row: &Row,
        v: &VectorFile,
        bytes: &[u8],
        notes: &mut Vec<String>,
    ) -> Step<()> {
        let frame = Inbound::decode(bytes)?;
        if frame.cra() != Cra3::Alert {
            return Err(format!("CRA flag says {:?}, not an alert", frame.cra()));
        }
        self.crypto(&frame, notes)?;
        // A future-dated outcome reports on the row's command (the one the DCC sent).
        let command = row
            .vectors
            .iter()
            .find(|c| c.name.kind == Kind::Command)
            .map(|c| read_hex(&c.path))
            .transpose()?;
        let (code, doc) = frame.render_alert(bytes, command.as_deref(), &key.srv, self.now)?;
        if let Some(named) = v.name.alert_code.as_deref().filter(|c| *c != "NA")
            && !named.eq_ignore_ascii_case(&format!("{code:04X}"))
        {
            return Err(format!("alert code {code:04X}, the file name says {named}"));
        }
        self.delivered(&doc, bytes)?;
        if matches!(code, 0x8F66 | 0x8F67)
            && key.srv != "NA"
            && !doc.contains("FutureDatedDeviceAlertMessage")
        {
            return Err(format!(
                "future-dated alert {code:04X} delivered as a DeviceAlertMessage; DUIS requires a \
                 FutureDatedDeviceAlertMessage response to the originating request"
            ));
        }
        Ok(())
    }
}

/// The text between the first `open` and the next `close` after it.
fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let rest = s.get(start..)?;
    rest.get(..rest.find(close)?)
}
