//! DCC Boxed interoperability (issue 4): opendcc in ZAZ1 mode, on plain HTTP on loopback, driven
//! exactly as the tools built for DCC Boxed drive it.
//!
//! `every_template_signed_by_the_java_tool` fetches Smart DCC's npm packages by name (the DUIS
//! templates, the DCC Boxed keystore, the signing tool), starts `opendcc demo --zaz1
//! keystore.json --plain-http`, and for each of the templates:
//!
//! 1. signs it with Smart DCC's Java tool (`Sign`: key chosen from the RequestID originator,
//!    fresh epoch-millisecond counter); a template whose originator the tool has no key for is
//!    signed with the ZAZ1 key by `opendcc client sign` instead, and says so; a 2.2 template's
//!    UTRN is first replaced by one built for the meter by the ZAZ1 supplier
//!    ([`with_world_utrn`]), and a 6.28 template's sub-GHz configuration by the current DBCH
//!    Configuration Table ([`with_current_dbch_table`]);
//! 2. POSTs it to the endpoint its command variant calls for (`/api/v1/serviceS|T|D`,
//!    `Content-Type: application/xml`), as a plain-HTTP DCC Boxed client does (a 6.15.2
//!    template with the Device certificate the world's SMKI service issued for the key pair the
//!    meter generated for the 6.17 template sent before it, re-signed: [`DEVICE_CREDENTIALS`]);
//! 3. for a critical request answered with a Pre-Command, signs it with the ZAZ1 key of the
//!    originator (`opendcc client sign-precommand`) and sends it as command variant 5;
//! 4. waits for the device's answer at a Receive Response Service (`opendcc client listen
//!    --out DIR`, answering 200) registered for every user;
//!
//! then checks every document the DCC produced — synchronous answers, the signed pre-commands
//! (our signatures), delivered responses and alerts — with the tool's `Validate` (DUIS XSD as the
//! tool has it, and the XML signature against the certificate it knows for the serial).
//!
//! The templates in [`URP_WORLD_TEMPLATES`] go, the same way, to a second ZAZ1 world made with
//! `--registration` changes (started alongside the first, with a Receive Response Service of its
//! own): their originator must hold a registration the other templates need someone else in.
//!
//! It prints one line per template and the summary `N passed, M failed` (N: templates that
//! reached a successful final outcome), and fails if any document does not validate, if any
//! answer is not a DUIS document, or if a template in `interop/baseline-success.txt` no longer
//! succeeds. `OPENDCC_UPDATE_BASELINE=1` rewrites the baseline from the current run.
//!
//! Without npm or Java (or without network for `npm pack`) the suite is skipped with a message,
//! except under `CI=true`, where that is a failure.
//!
//! `zaz1_folder_world_serves_a_dcc_boxed_client` needs neither: it builds the world from the
//! corpus' ZAZ1 PEM folder and runs a read and a critical command end to end with opendcc's
//! own client, then restarts the world without `--zaz1`.
//!
//! `zaz1_world_with_supplier2_as_gas_supplier` needs neither either: the second world's
//! registration data, and its resumption.
//!
//! `dcc_boxed_signed_precommand_is_accepted` sends a Signed
//! Pre-Command exactly as DCC Boxed's tools build it.

mod interop;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use interop::*;

/// Templates sent to a second ZAZ1 world, made with [`URP_WORLD_REGISTRATION`], instead of the
/// main one. GCS16b's unknown-remote-party read (4.14 to the GPF with `KAPublicSecurityCredentials`)
/// comes from supplier 2 (`90-B3-D5-1F-30-03-00-00`), with supplier 2's key-agreement
/// certificate: in the main world the MPRN's gas supplier is supplier 1, as every other gas
/// template needs, and the DCC refuses supplier 2 (E4, not registered). In the second world
/// supplier 2 is the gas supplier while the devices' trust anchors are still supplier 1's: a
/// registered supplier the GPF does not know, as a gaining supplier is after a change of
/// supplier until its anchors are replaced — the case the URP form of the read is for.
const URP_WORLD_TEMPLATES: &[&str] = &["GCS16b_4.14_URP_SUCCESS_REQUEST_DUIS.XML"];

/// The second world's registration change: supplier 2 is the gas supplier of the ZAZ1 MPRN.
const URP_WORLD_REGISTRATION: &str = "1000999888:GS:90-B3-D5-1F-30-03-00-00";

/// Which of the suite's ZAZ1 worlds a template is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WorldKind {
    /// The ZAZ1 world as `opendcc demo --zaz1` makes it: every other template.
    Main,
    /// The second world, made with [`URP_WORLD_REGISTRATION`]: [`URP_WORLD_TEMPLATES`].
    Urp,
    /// The third world, registered as the main one: the templates that replace a party's trust
    /// anchors on a device (6.15.1, 6.21, 6.23, 8.5: CS02b, CS02g). They carry replacement
    /// certificates whose private keys no ZAZ1 keystore holds (the ZAZ1 supplier's 2025
    /// certificates, the incoming supplier's), so once a device obeys one it rightly refuses the
    /// ZAZ1 party's later commands (their signatures no longer verify; E21): in the main world,
    /// sent alongside everything else, they would make every later critical command to that
    /// device fail. Nor may they go to the URP world: 6.21 hands over the GPF (…A3), which the
    /// gas supplier asks for (6.21 is for IS and GS, and the GPF is registered to the MPRN), and
    /// there the gas supplier is supplier 2. Within this world they are sent in
    /// [`anchors_order`].
    Anchors,
}

/// The device 6.21 hands over (both 6.21 templates name it): the ZAZ1 premises' GPF, which in
/// the third world is DCC-controlled (`opendcc demo --dcc-controlled`): the DCC holds its
/// supplier and network operator cells, as a device must for the DCC to hand them over (the
/// command is the ACB's, which a device whose cells are the supplier's rightly refuses).
const DCC_CONTROLLED: &str = "00-DB-12-34-56-78-90-A3";

fn world_of(name: &str) -> WorldKind {
    if URP_WORLD_TEMPLATES.contains(&name) {
        WorldKind::Urp
    } else if name.starts_with("CS02b") || name.starts_with("CS02g") {
        WorldKind::Anchors
    } else {
        WorldKind::Main
    }
}

/// The order of the [`WorldKind::Anchors`] templates addressed to one device: every command a
/// party signs goes before the one that replaces that party's own cells, since the device
/// obeys the replaced key no more. On the ESME (…A0): the supplier's CS02g (replacing the load
/// controller's cells) and the network operator's CS02bNOByNO before the supplier replaces its
/// own (CS02bSupplierBySupplier), and that before the transitional CoS party replaces the
/// supplier's (6.23, signed by the DCC). Within one service: CANCELLATION (nothing held yet),
/// FUTURE_DATED (held by the device, checked when it arrives), IMMEDIATE. These are
/// device-future-dated: the DCC sends them at once, so [`ordered`]'s rule for DSP future-dated
/// requests does not apply.
fn anchors_order(name: &str) -> (u8, u8, &str) {
    let service = [
        "CS02bACBByACB",
        "CS02bNOByNOHandover",
        "CS02bSupplierBySupplierHandover",
        "CS02gLoadControllerBySupplier",
        "CS02bNOByNO_",
        "CS02bSupplierBySupplier_",
        "CS02bSupplierByTransCoS",
    ]
    .iter()
    .position(|p| name.starts_with(p))
    .unwrap_or(usize::MAX);
    let timing = ["_CANCELLATION_", "_FUTURE_DATED_", "_IMMEDIATE_"]
        .iter()
        .position(|t| name.contains(t))
        .unwrap_or(0);
    (
        u8::try_from(service).unwrap_or(u8::MAX),
        u8::try_from(timing).unwrap_or(0),
        name,
    )
}

/// The world a template is sent to, and its manifest.
fn world_for<'a>(
    name: &str,
    main: (&'a Demo, &'a str),
    urp: (&'a Demo, &'a str),
    anchors: (&'a Demo, &'a str),
) -> (&'a Demo, &'a str) {
    match world_of(name) {
        WorldKind::Main => main,
        WorldKind::Urp => urp,
        WorldKind::Anchors => anchors,
    }
}

/// How long to wait for the last device answer after the last request was sent.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(120);

/// One template's journey.
#[derive(Debug, Default)]
struct Case {
    name: String,
    /// `Java` or why opendcc signed instead.
    signer: String,
    cv: u8,
    originator: String,
    target: String,
    request_id: String,
    signed: Option<PathBuf>,
    /// The synchronous answer (saved when it is a DUIS document).
    sync_status: u16,
    sync_code: Option<String>,
    sync_doc: Option<PathBuf>,
    /// Critical requests: the Signed Pre-Command request and the DCC's answer to it.
    cv5_request: Option<PathBuf>,
    /// Whether that request's XML signature is the Java tool's (`xml-sign-<EUI>-ds`, as DCC
    /// Boxed users sign) rather than opendcc's client's (the ZAZ1 role key).
    cv5_java_signed: bool,
    /// How the DCC answered the DCC Boxed-style Signed Pre-Command when it refused it.
    cv5_java_refused: Option<String>,
    cv5_code: Option<String>,
    cv5_doc: Option<PathBuf>,
    /// A device response is expected at the Receive Response Service.
    expect_delivery: bool,
    final_code: Option<String>,
    final_doc: Option<PathBuf>,
    /// What went wrong on the way (harness or DCC), for the report.
    problems: Vec<String>,
    /// What the suite changed in the template beyond the time fields, and why, for the report.
    note: Option<String>,
    /// Why the DCC refused, from its log.
    refusal: Option<String>,
}

impl Case {
    /// The documents the Java tool checks for this template, by kind.
    fn documents(&self) -> Vec<(Doc, PathBuf)> {
        [
            (Doc::Answer, &self.sync_doc),
            (Doc::SignedPreCommand, &self.cv5_request),
            (Doc::PreCommandAnswer, &self.cv5_doc),
            (Doc::DeviceResponse, &self.final_doc),
        ]
        .into_iter()
        .filter_map(|(k, p)| p.clone().map(|p| (k, p)))
        .collect()
    }

    /// Whether the Java tool accepted a document of this template as it must: every DCC
    /// document schema-valid and signed by a certificate the tool knows; a Signed Pre-Command
    /// request schema-valid (the tool knows only `xml-sign-<EUI>` certificates for requests,
    /// so the signature of one opendcc's client signed with the ZAZ1 role key cannot be looked
    /// up) and, when the tool signed it, verified.
    fn accepted(&self, kind: Doc, v: &ToolResult) -> bool {
        match kind {
            Doc::SignedPreCommand if !self.cv5_java_signed => {
                v.log.contains("passed xsd validation")
            }
            _ => v.validated_signed(),
        }
    }

    /// A successful final outcome: a non-device request answered I0 (or I99, acknowledged with
    /// nothing to follow); a device request whose device response (I0) reached the Receive
    /// Response Service — for a critical one, after its signed pre-command was accepted; a
    /// command returned for local delivery (CV 2) answered I0 with it.
    fn succeeded(&self) -> bool {
        let code =
            |c: &Option<String>, want: &[&str]| c.as_deref().is_some_and(|c| want.contains(&c));
        match self.cv {
            8 => code(&self.sync_code, &["I0", "I99"]),
            1 => code(&self.sync_code, &["I99"]) && code(&self.final_code, &["I0"]),
            2 => code(&self.sync_code, &["I0"]),
            4 => {
                code(&self.sync_code, &["I0"])
                    && code(&self.cv5_code, &["I99"])
                    && code(&self.final_code, &["I0"])
            }
            _ => false,
        }
    }

    fn describe(&self) -> String {
        let mut s = format!("CV{} {}", self.cv, self.sync_code.as_deref().unwrap_or("-"));
        if self.sync_code.is_none() {
            s.push_str(&format!(" (HTTP {})", self.sync_status));
        }
        if self.cv5_request.is_some() {
            s.push_str(&format!(
                ", signed pre-command CV5 {}",
                self.cv5_code.as_deref().unwrap_or("-")
            ));
        }
        if self.expect_delivery {
            s.push_str(&format!(
                ", device response {}",
                self.final_code.as_deref().unwrap_or("none")
            ));
        }
        if let Some(r) = &self.refusal {
            s.push_str(&format!(": {r}"));
        }
        if let Some(r) = &self.cv5_java_refused {
            s.push_str(&format!(
                " (the DCC Boxed-style Signed Pre-Command, XML-signed by the Java tool, was refused: {r}; the one opendcc's client signs was sent instead)"
            ));
        } else if self.cv5_java_signed {
            s.push_str(" (Signed Pre-Command XML-signed by the Java tool)");
        }
        if let Some(n) = &self.note {
            s.push_str(&format!(" [{n}]"));
        }
        if !self.signer.is_empty() && self.signer != "Java" {
            s.push_str(&format!(" [signed by {}]", self.signer));
        }
        s
    }
}

/// The kinds of document the Java tool checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Doc {
    /// The DCC's synchronous answer.
    Answer,
    /// The Signed Pre-Command request (command variant 5) sent for a critical request.
    SignedPreCommand,
    /// The DCC's answer to it.
    PreCommandAnswer,
    /// The device's response delivered to the Receive Response Service.
    DeviceResponse,
    /// Anything else delivered (alerts).
    Delivered,
}

impl Doc {
    fn word(self) -> &'static str {
        match self {
            Doc::Answer => "answer",
            Doc::SignedPreCommand => "signed-precommand",
            Doc::PreCommandAnswer => "precommand-answer",
            Doc::DeviceResponse => "device-response",
            Doc::Delivered => "delivered",
        }
    }
}

/// Documents the Java tool is known to reject for a reason outside this suite's files
/// (`interop/known-java-rejections.txt`): (template, document kind) → text its error contains.
fn known_rejections() -> BTreeMap<(String, String), String> {
    read(Path::new(KNOWN_REJECTIONS))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((
                (f.next()?.trim().to_string(), f.next()?.trim().to_string()),
                f.next()?.trim().to_string(),
            ))
        })
        .collect()
}

/// Templates in the order they are sent: by name, with the ones that would change the
/// inventory for everything after them (decommission, inventory updates) last.
fn ordered(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    // The trust-anchor world's templates, in their own order (they share no world with the
    // others, so where they go in the whole list changes nothing else).
    let (mut anchors, names): (Vec<String>, Vec<String>) = names
        .into_iter()
        .partition(|n| world_of(n) == WorldKind::Anchors);
    anchors.sort_by(|a, b| anchors_order(a).cmp(&anchors_order(b)));
    let (tail, head): (Vec<String>, Vec<String>) = names.into_iter().partition(|n| is_tail(n));
    // A DSP future-dated request reaches its meter at its execution time, carrying the counter
    // it was signed with: it must be the user's last command to that meter, or the meter
    // refuses it as a replay of the later ones (GBCS counters only increase).
    // Device-future-dated requests are sent at once; the DSP future-dated one (held by the DCC)
    // goes after them, for the same reason.
    let (future, head): (Vec<String>, Vec<String>) =
        head.into_iter().partition(|n| n.contains("FUTURE_DATED"));
    let (dsp, mut future): (Vec<String>, Vec<String>) =
        future.into_iter().partition(|n| is_dsp_future_dated(n));
    future.extend(dsp);
    // 5.2 and 5.3 read and delete the schedule the 5.1 template creates: 5.1 goes first.
    let (create, rest): (Vec<String>, Vec<String>) =
        head.into_iter().partition(|n| is_create_schedule(n));
    let at = rest
        .iter()
        .position(|n| is_schedule_by_id(n))
        .unwrap_or(rest.len());
    let mut head = rest;
    head.splice(at..at, create);
    head.extend(future);
    // The tail (8.3 decommissions the ESME the DSP future-dated read is for) is sent once the
    // held request has reached its meter (see the sending loop); the anchors world's templates
    // need not wait for it.
    head.extend(anchors);
    head.extend(tail);
    head
}

/// Waits (bounded: until a minute after `at`) for the device responses to the held DSP
/// future-dated requests `rids`, executed at `at`.
fn wait_for_held(listener: &Listener, rids: &[String], at: time::OffsetDateTime) {
    let until = at - time::OffsetDateTime::now_utc() + time::Duration::seconds(60);
    let deadline = Instant::now() + Duration::try_from(until).unwrap_or(Duration::ZERO);
    while Instant::now() < deadline {
        let received = listener.received();
        let answered = rids.iter().all(|rid| {
            received
                .iter()
                .any(|d| d.kind == "Response" && d.request_id.as_deref() == Some(rid.as_str()))
        });
        if answered {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A DSP future-dated template: the DCC holds it and sends it to the device at its execution
/// time.
fn is_dsp_future_dated(name: &str) -> bool {
    name.contains("DSP_FUTURE_DATED")
}

/// The templates that change the inventory for everything after them, sent last: the 8.14
/// hub status updates (8.14.3 and 8.14.4 take the hub off the premises; 8.14.1 and 8.14.2
/// install a hub the world has commissioned already, which the SEC does not allow), 8.3
/// (decommissions the ESME) and 8.4.
fn is_tail(name: &str) -> bool {
    name.starts_with("8.3_") || name.starts_with("8.4_") || name.starts_with("8.14.")
}

/// The 5.1 Create Schedule template.
fn is_create_schedule(name: &str) -> bool {
    name.contains("_5.1.")
}

/// The templates that name a schedule by its DSPScheduleID (5.2 Read, 5.3 Delete).
fn is_schedule_by_id(name: &str) -> bool {
    name.starts_with("5.2_") || name.starts_with("5.3_")
}

/// Why the DCC refused `request_id`, from its log (`error="…"`).
fn refusal_reason(log: &str, request_id: &str) -> Option<String> {
    let needle = format!("request_id=\"{request_id}\"");
    log.lines()
        .filter(|l| l.contains(&needle))
        .filter_map(|l| {
            let at = l.find("error=\"")? + "error=\"".len();
            let rest = l.get(at..)?;
            let end = rest.find('"')?;
            rest.get(..end).map(str::to_string)
        })
        .find(|e| !e.is_empty())
}

/// How far ahead of signing a DSP future-dated template is dated: after every template has
/// been signed and sent (the DCC refuses an execution time that has passed), soon enough for the
/// wait for answers.
const EXECUTION_LEAD: time::Duration = time::Duration::seconds(150);

fn xs_date_time(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `text` with the content of the first `<sr:{element}>` replaced by `value`, if it has one.
fn with_element(text: &str, element: &str, value: &str) -> Option<String> {
    let (open_tag, close_tag) = (format!("<sr:{element}>"), format!("</sr:{element}>"));
    let start = text.find(&open_tag)? + open_tag.len();
    let end = start + text[start..].find(&close_tag)?;
    Some(format!("{}{value}{}", &text[..start], &text[end..]))
}

/// The template as a user sends it, and the execution time it asks for, if any. A request that
/// carries the time it is sent (`CurrentDateTime`: 8.1.1 and 6.11 set a device's clock, whose
/// validity interval starts there and lasts `TolerancePeriod` seconds) says the present (a
/// minute ago), not the time the template was written (2014, which a meter refuses), and allows
/// the hour this suite may take between signing every template and sending this one. A DSP
/// future-dated request (`ExecutionDateTime`, 2015 in the template) asks for
/// [`EXECUTION_LEAD`] from now, except a cancellation's (3000-12-31T00:00:00, which DUIS reads
/// as "cancel the pending future-dated command"). Other templates are sent as they are.
fn with_current_time(template: &Path, scratch: &Path) -> (PathBuf, Option<time::OffsetDateTime>) {
    let text = read(template);
    let now = time::OffsetDateTime::now_utc();
    let mut execution = None;
    let mut prepared = text.clone();
    if let Some(p) = with_element(
        &prepared,
        "CurrentDateTime",
        &xs_date_time(now - time::Duration::minutes(1)),
    ) {
        prepared = p;
        if let Some(p) = with_element(&prepared, "TolerancePeriod", "3600") {
            prepared = p;
        }
    }
    // A DCC schedule (5.1) starts today: a start date in the past is refused.
    if let Some(p) = with_element(&prepared, "ScheduleStartDate", &now.date().to_string()) {
        prepared = p;
    }
    let at = now + EXECUTION_LEAD;
    // A CANCELLATION template's 3000-12-31T00:00:00 is no time but DUIS's cancellation of a
    // pending device-future-dated command: sent as it is.
    let cancellation = element_text(&prepared, "ExecutionDateTime")
        .is_some_and(|t| t.starts_with("3000-12-31T00:00:00"));
    if !cancellation
        && let Some(p) = with_element(&prepared, "ExecutionDateTime", &xs_date_time(at))
    {
        prepared = p;
        execution = Some(at);
    }
    if prepared == text {
        return (template.to_path_buf(), None);
    }
    let name = template
        .file_name()
        .expect("a template file name")
        .to_string_lossy();
    let path = scratch.join(format!("now-{name}"));
    std::fs::write(&path, prepared).expect("writing the prepared template");
    (path, execution)
}

/// The one template field this suite replaces for the world rather than for the time: a 2.2
/// Top Up Device template's UTRN. The templates' UTRNs were made by the RTDS supplier with its
/// prepayment key, for the RTDS meters; a ZAZ1 world's meters hold the ZAZ1 supplier's
/// key-agreement key as their supplier anchor (and no separate prepayment key), so they rightly
/// refuse them (8F63, UTRN not Authentic). A DCC Boxed user computes the UTRN for the meter with
/// its own supplier's key, which is what this does: `opendcc client utrn` as the RequestID's
/// originator (the world's supplier, with its `Z1-supplier-ka` private key) for the RequestID's
/// target, with the template's UTRN's value and value class, and the UTRN counter the template's
/// RequestID counter names (N × 2³², as the RTDS vectors pair them). Everything else in the
/// template stays as it is. `None`: the template has no UTRN.
fn with_world_utrn(text: &str, demo: &Demo, manifest_path: &str) -> Option<Result<String, String>> {
    let old = element_text(text, "UTRN")?;
    Some((|| {
        let ptut =
            gbcs::utrn::Ptut::parse(old).map_err(|e| format!("the template's UTRN {old}: {e}"))?;
        let rid = element_text(text, "RequestID").unwrap_or_default();
        let mut parts = rid.split(':');
        let (originator, target, counter) = (parts.next(), parts.next(), parts.next());
        let (Some(originator), Some(target), Some(counter)) = (originator, target, counter) else {
            return Err(format!("RequestID {rid} is not originator:target:counter"));
        };
        let counter: u64 = counter
            .parse()
            .map_err(|e| format!("RequestID counter {counter}: {e}"))?;
        let number = u32::try_from(counter / gbcs::utrn::COUNTER_STEP)
            .map_err(|e| format!("RequestID counter {counter}: {e}"))?;
        let user = demo
            .manifest
            .user_by_eui(originator)
            .ok_or_else(|| format!("{originator} is no user of the world"))?;
        let (number, value) = (number.to_string(), ptut.value.to_string());
        let mut args = vec![
            "client",
            "utrn",
            "--manifest",
            manifest_path,
            "--user",
            &user.name,
            "--device",
            target,
            "--number",
            &number,
            "--value",
            &value,
        ];
        if ptut.class == gbcs::utrn::ValueClass::Pounds {
            args.push("--pounds");
        }
        let out = opendcc(&args)?;
        let utrn = out
            .split_whitespace()
            .next()
            .filter(|u| u.len() == 20 && u.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("opendcc client utrn printed {out:?}"))?;
        with_element(text, "UTRN", utrn).ok_or_else(|| "no sr:UTRN element".to_string())
    })())
}

/// A 6.28 Set CHF Sub GHz Configuration template's body replaced by the current DBCH
/// Configuration Table of the Central region (`dcc::dbch_tables`). The template's own
/// configuration leaves 915 MHz channels open, which the SEC's tables mask in every region, so
/// the DCC rightly refuses it (only a current table may be applied); a DCC Boxed user sends the
/// current table. `None`: not a 6.28 template.
fn with_current_dbch_table(text: &str) -> Option<String> {
    let start = text.find("<sr:SetCHFSubGHzConfiguration>")?;
    let end_tag = "</sr:SetCHFSubGHzConfiguration>";
    let end = text.find(end_tag)? + end_tag.len();
    let table = dcc::dbch_tables::compiled()
        .ok()?
        .current()
        .for_region(duis::CspRegion::Central)?;
    let body = dcc::services::s6_28_set_chf_sub_ghz_configuration::body_xml(table);
    Some(format!("{}{body}{}", &text[..start], &text[end..]))
}

/// The 8.13 Return Local Command Response template and the template of the request whose
/// response the suite has it return. The 8.13 template hands back the RTDS ESME's response to a
/// CS06 (11.3 Activate Firmware) command that was never sent in this world, which the DCC
/// rightly refuses (E081301: no command returned for local delivery to this user matches); and
/// opendcc does not offer 11.3 yet, so no CS06 can be returned for local delivery. As a DCC
/// Boxed user does it, the suite first sends a request for local delivery (command variant 2):
/// the 4.1.1 read of the same ESME by the same supplier, plays the installer's hand-held
/// terminal with `opendcc client local-deliver` (the device's answer), and sends the 8.13
/// template with its `OriginalRequestID` and `DeviceGBCSResponse` those ([`deliver_locally`]).
const LOCAL_RETURN: (&str, &str) = (
    "8.13_RETURN_LOCAL_COMMAND_RESPONSE_CS06_REQUEST_DUIS.XML",
    "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
);

/// The local-delivery flow of [`LOCAL_RETURN`]: `cv2` (the original request, command variant
/// 2, signed) is sent, the command it returns handed to the device; the original RequestID and
/// the device's response (base64), or what went wrong.
fn deliver_locally(demo: &Demo, cv2: &Path, scratch: &Path) -> Result<(String, String), String> {
    let text = read(cv2);
    let rid = element_text(&text, "RequestID")
        .ok_or("the original request has no RequestID")?
        .to_string();
    let r = post(&demo.manifest.duis_url, endpoint_for_cv(2), text.as_bytes())?;
    if element_text(&r.body, "ResponseCode") != Some("I0") || !r.body.contains("LocalCommand") {
        let code = element_text(&r.body, "ResponseCode").unwrap_or("no DUIS response");
        let why = refusal_reason(&demo.log_text(), &rid).unwrap_or_default();
        return Err(format!(
            "the local-delivery request {rid} answered {code} {why}"
        ));
    }
    let local = scratch.join("local-command.xml");
    std::fs::write(&local, &r.body).map_err(|e| e.to_string())?;
    let response = opendcc(&[
        "client",
        "local-deliver",
        "--data",
        &demo.data.display().to_string(),
        &local.display().to_string(),
    ])?;
    Ok((rid, response.trim().to_string()))
}

/// The ZAZ1 keystore's Other User (`otherUser-ds`, `otherUser-ka`, remote party role 7F; Smart
/// DCC's Java tool signs for it with `xml-sign-00DB123456780004-ds`): a user of every ZAZ1 world,
/// in the Other User role.
const OTHER_USER: &str = "00-DB-12-34-56-78-00-04";
/// The ZAZ1 supplier, import and gas supplier of the ZAZ1 premises.
const SUPPLIER: &str = "90-B3-D5-1F-30-01-00-00";
/// The DCC's Access Control Broker (its EUI is the DCC's).
const ACB: &str = "90-B3-D5-1F-30-00-00-02";

/// A template whose RequestID names an originator that may not send it, with the originator a
/// DCC Boxed user sends it as, and why; `None` for every other template. Only these two kinds:
///
/// * 9.1 Request Customer Identification Number is the Other User's service alone (SEC: the
///   one eligible user role is OU), but the 9.1 templates (ECS50, GCS36) name the ZAZ1 supplier,
///   which the DCC rightly refuses (E2). A DCC Boxed user sends them as its Other User:
///   [`OTHER_USER`], a user of the ZAZ1 world.
/// * CS02fMAC (6.24.1) names the DCC's own ACB, the originator of the RTDS CS02f vector it was
///   made from; the ACB is no DCC User (E1). 6.24.1 is for IS, GS, ED and GT: the ESME's import
///   supplier, [`SUPPLIER`], sends it.
/// * CS08 (11.2 to the PPMID) names the ACB too, the originator of the RTDS CS08 vector (the
///   DCC originates CS08 on the user's behalf); the supplier sends it.
///
/// Nothing else in the template changes; the Java tool then signs it as that user (fresh
/// counter), as for any template.
fn eligible_originator(text: &str) -> Option<(&'static str, &'static str)> {
    let rid = element_text(text, "RequestID")?;
    let originator = rid.split(':').next()?;
    let variant = element_text(text, "ServiceReferenceVariant")?;
    let new = match (variant, originator) {
        ("9.1", o) if !o.eq_ignore_ascii_case(OTHER_USER) => OTHER_USER,
        ("6.24.1", o) if o.eq_ignore_ascii_case(ACB) => SUPPLIER,
        // firmware (11.x): CS08.
        ("11.2", o) if o.eq_ignore_ascii_case(ACB) => SUPPLIER,
        _ => return None,
    };
    Some((
        new,
        if new == OTHER_USER {
            "9.1 is the Other User's service"
        } else {
            "the ACB is no DCC User"
        },
    ))
}

/// The 6.15.2 Update Security Credentials (Device) template (CS02d) and the 6.17 Issue Security
/// Credentials template (CS02c) whose device answer it completes. The CS02d template places a
/// Device certificate for a key pair no ZAZ1 meter generated (the RTDS ESME's, issued by the
/// RTDS device CA), so the meter rightly refuses it (GBCS CS02d: a device places only the
/// certificate of the key pair its last CS02c generated). A DCC Boxed user does what 6.17 and
/// 6.15.2 are for, and so does the suite ([`place_issued_certificate`]): the CS02c template goes
/// first (sent just before, in name order, to the same ESME by the same supplier), and the meter
/// generates a key pair and answers its certificate signing request; the supplier takes the
/// request to the world's SMKI service ([`issue_device_certificate`]), which issues the Device
/// certificate from the world's device CA and lodges it in the SMKI repository; the CS02d
/// template is sent with that certificate as its `DeviceCertificate`, everything else as it is,
/// re-signed by the Java tool with the counter it gave at first.
const DEVICE_CREDENTIALS: (&str, &str) = (
    "CS02d_6.15.2_SUCCESS_REQUEST_DUIS.XML",
    "CS02c_6.17_SUCCESS_REQUEST_DUIS.XML",
);

/// The certificate signing request (DER) in the meter's answer to 6.17: the delivered DUIS
/// response's `GBCSPayload`, a CS02c response.
fn csr_of_response(delivered: &Path) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    use gbcs::usecases::{ResponseOutcome, ResponseValue};
    let text = read(delivered);
    let b64 = element_text(&text, "GBCSPayload").ok_or("the device response has no GBCSPayload")?;
    let compact: String = b64
        .replace("&#13;", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| format!("GBCSPayload is not base64: {e}"))?;
    let apdu = match gbcs::Frame::decode(&bytes).map_err(|e| format!("GBCSPayload: {e}"))? {
        gbcs::Frame::Ciphered(c) => c.apdu,
        gbcs::Frame::Signing(s) => s,
    };
    match gbcs::usecases::decode_response(apdu.message_code(), &apdu.content) {
        Ok(ResponseOutcome::Success(ResponseValue::CertificateSigningRequest(csr))) => Ok(csr.der),
        other => Err(format!(
            "the meter's answer to 6.17 carries no certificate signing request: {other:?}"
        )),
    }
}

/// The Device certificate (DER) the world's SMKI service issues to `subscriber` for the CSR
/// `csr_der`, as `POST /smki/v1/csr` answers it. The service's interface takes requests over
/// mutually authenticated TLS only (the client certificate names the Authorised Subscriber),
/// which a plain-HTTP ZAZ1 world does not serve: the suite asks the same service
/// (`server::smki_api`) on the world's store, as the subscriber that certificate would name.
/// It checks the subscriber may have the certificate (the meter's electricity supplier),
/// issues it from the world's device CA and lodges it in the world's SMKI repository.
fn issue_device_certificate(
    demo: &Demo,
    subscriber: &str,
    csr_der: &[u8],
) -> Result<Vec<u8>, String> {
    use server::smki_api::SmkiHandler as _;
    let who: eui::Eui64 = subscriber
        .parse()
        .map_err(|e| format!("{subscriber}: {e}"))?;
    let store = opendcc::world::World::open_existing_store(&demo.data)?;
    let service = server::smki_api::SmkiServices::new(std::sync::Arc::new(store));
    let pem = smki::csr::csr_to_pem(csr_der).map_err(|e| e.to_string())?;
    let path = format!("{}csr", server::smki_api::LIVE_PREFIX);
    let answer = service.handle("POST", &path, None, Some(who), pem.as_bytes());
    let body = String::from_utf8_lossy(&answer.body).to_string();
    if answer.status != 200 {
        return Err(format!(
            "the SMKI service answered {}: {}",
            answer.status,
            body.trim()
        ));
    }
    smki::cert_from_pem(&body).map_err(|e| format!("the SMKI service's certificate: {e}"))
}

/// [`DEVICE_CREDENTIALS`]: waits (bounded) for the meter's answer to the 6.17 request
/// `csr_rid`, has the SMKI service issue the Device certificate for its CSR, and re-signs the
/// CS02d template `signed` (its text `text`) with that certificate, counter kept. The note for
/// the report, or what went wrong.
fn place_issued_certificate(
    demo: &Demo,
    listener: &Listener,
    java: &mut JavaTool,
    csr_rid: &str,
    text: &str,
    signed: &Path,
    scratch: &Path,
) -> Result<String, String> {
    let deadline = Instant::now() + DELIVERY_TIMEOUT;
    let answer = loop {
        if let Some(d) = listener
            .received()
            .into_iter()
            .find(|d| d.kind == "Response" && d.request_id.as_deref() == Some(csr_rid))
        {
            break d;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no answer to the 6.17 request {csr_rid} in {DELIVERY_TIMEOUT:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if answer.code.as_deref() != Some("I0") {
        return Err(format!(
            "the 6.17 request {csr_rid} was answered {}",
            answer.code.as_deref().unwrap_or("without a response code")
        ));
    }
    let csr = csr_of_response(&answer.path)?;
    let rid = element_text(text, "RequestID").unwrap_or_default();
    let supplier = rid.split(':').next().unwrap_or_default();
    let cert = issue_device_certificate(demo, supplier, &csr)?;
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&cert)
    };
    let placed = with_element(text, "DeviceCertificate", &b64)
        .ok_or("the 6.15.2 template has no DeviceCertificate")?;
    let name = signed
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let unsigned = scratch.join(format!("issued-{name}"));
    std::fs::write(&unsigned, strip_signature(&placed)).map_err(|e| e.to_string())?;
    match java.run(Op::SignKeepCounter, &unsigned, signed) {
        Ok(r) if r.ok() => Ok(format!(
            "places the Device certificate the SMKI service issued for the key pair the meter \
             generated for 6.17 {csr_rid}"
        )),
        Ok(r) => Err(format!(
            "re-signing with the issued certificate: {}",
            r.summary()
        )),
        Err(e) => Err(format!("re-signing with the issued certificate: {e}")),
    }
}

/// `text` with its RequestID's originator replaced by `originator`.
fn with_originator(text: &str, originator: &str) -> Option<String> {
    let rid = element_text(text, "RequestID")?;
    let (_, rest) = rid.split_once(':')?;
    with_element(text, "RequestID", &format!("{originator}:{rest}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Everything the suite needs, or `None` (skipped) when it cannot run here.
fn prerequisites() -> Option<Packages> {
    for (program, arg) in [("npm", "--version"), ("java", "-version")] {
        if !have(program, arg) {
            skip_or_fail(&format!("`{program}` is not installed"));
            return None;
        }
    }
    match fetch_packages() {
        Ok(p) => Some(p),
        Err(e) => {
            skip_or_fail(&format!("fetching Smart DCC's npm packages: {e}"));
            None
        }
    }
}

#[test]
fn every_template_signed_by_the_java_tool() {
    let Some(pkgs) = prerequisites() else { return };
    let started = Instant::now();
    let root = tempfile::Builder::new()
        .prefix("opendcc-interop-")
        .tempdir()
        .unwrap();
    let dir = |name: &str| {
        let p = root.path().join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    let (signed_dir, sync_dir, cv5_dir, scratch) =
        (dir("signed"), dir("sync"), dir("cv5"), dir("scratch"));

    let keystore = pkgs.keystore_json.display().to_string();
    let main_demo = Demo::start(
        &root.path().join("data"),
        &root.path().join("demo.log"),
        &["--zaz1", &keystore],
    )
    .unwrap();
    assert!(main_demo.manifest.plain_http);
    let main_manifest_path = main_demo.manifest_path.display().to_string();
    let listener = Listener::start(&main_demo.manifest_path, &root.path().join("rrs")).unwrap();
    main_demo.deliver_all_to(&listener.url).unwrap();
    // The second world, for URP_WORLD_TEMPLATES.
    let urp_demo = Demo::start(
        &root.path().join("data-urp"),
        &root.path().join("demo-urp.log"),
        &[
            "--zaz1",
            &keystore,
            "--registration",
            URP_WORLD_REGISTRATION,
        ],
    )
    .unwrap();
    let urp_manifest_path = urp_demo.manifest_path.display().to_string();
    let urp_listener =
        Listener::start(&urp_demo.manifest_path, &root.path().join("rrs-urp")).unwrap();
    urp_demo.deliver_all_to(&urp_listener.url).unwrap();
    let main_world = (&main_demo, main_manifest_path.as_str());
    let urp_world = (&urp_demo, urp_manifest_path.as_str());
    // The third world, for the templates that replace trust anchors (WorldKind::Anchors).
    let anchors_demo = Demo::start(
        &root.path().join("data-anchors"),
        &root.path().join("demo-anchors.log"),
        &["--zaz1", &keystore, "--dcc-controlled", DCC_CONTROLLED],
    )
    .unwrap();
    let anchors_manifest_path = anchors_demo.manifest_path.display().to_string();
    let anchors_listener = Listener::start(
        &anchors_demo.manifest_path,
        &root.path().join("rrs-anchors"),
    )
    .unwrap();
    anchors_demo.deliver_all_to(&anchors_listener.url).unwrap();
    let anchors_world = (&anchors_demo, anchors_manifest_path.as_str());
    let world_for = |name: &str| world_for(name, main_world, urp_world, anchors_world);

    let names: Vec<String> = std::fs::read_dir(&pkgs.templates)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.to_ascii_uppercase().ends_with(".XML"))
        .collect();
    assert!(names.len() >= 290, "only {} templates", names.len());
    let names = ordered(names);

    // 1. Sign every template with Smart DCC's tool, in sending order (its counters increase).
    let mut java = JavaTool::start(&pkgs.jar);
    let mut cases: Vec<Case> = Vec::new();
    let mut latest_execution: Option<time::OffsetDateTime> = None;
    let mut local_original: Option<PathBuf> = None;
    let mut dsp_execution: Option<time::OffsetDateTime> = None;
    for name in &names {
        let (demo, manifest_path) = world_for(name);
        let mut case = Case {
            name: name.clone(),
            ..Case::default()
        };
        let (mut template, execution) = with_current_time(&pkgs.templates.join(name), &scratch);
        if let Some(at) = execution {
            latest_execution = latest_execution.max(Some(at));
            if is_dsp_future_dated(name) {
                dsp_execution = dsp_execution.max(Some(at));
            }
        }
        if let Some(text) = with_current_dbch_table(&read(&template)) {
            let path = scratch.join(format!("dbch-{name}"));
            std::fs::write(&path, text).unwrap();
            template = path;
        }
        match with_world_utrn(&read(&template), demo, manifest_path) {
            Some(Ok(text)) => {
                let path = scratch.join(format!("utrn-{name}"));
                std::fs::write(&path, text).unwrap();
                template = path;
            }
            Some(Err(e)) => case.problems.push(format!("building the UTRN: {e}")),
            None => {}
        }
        if name == LOCAL_RETURN.0 {
            // The local-delivery request goes just before it (its counter in sending order).
            let out = scratch.join(format!("local-{}", LOCAL_RETURN.1));
            let unsigned = scratch.join(format!("local-unsigned-{}", LOCAL_RETURN.1));
            let original = read(&pkgs.templates.join(LOCAL_RETURN.1));
            let cv2 = with_element(&original, "CommandVariant", "2").unwrap_or(original);
            std::fs::write(&unsigned, strip_signature(&cv2)).unwrap();
            match java.run(Op::Sign, &unsigned, &out) {
                Ok(r) if r.ok() => local_original = Some(out),
                Ok(r) => case
                    .problems
                    .push(format!("signing {}: {}", LOCAL_RETURN.1, r.summary())),
                Err(e) => case
                    .problems
                    .push(format!("signing {}: {e}", LOCAL_RETURN.1)),
            }
        }
        let text = read(&template);
        if let Some((originator, why)) = eligible_originator(&text) {
            match with_originator(&text, originator) {
                Some(text) => {
                    let path = scratch.join(format!("originator-{name}"));
                    std::fs::write(&path, text).unwrap();
                    template = path;
                    case.note = Some(format!("sent as {originator}: {why}"));
                }
                None => case.problems.push("no RequestID to rewrite".into()),
            }
        }
        let out = signed_dir.join(name);
        let signed = java.run(Op::Sign, &template, &out).unwrap();
        if signed.ok() && root_name(&read(&out)).as_deref() == Some("Request") {
            case.signer = "Java".into();
            case.signed = Some(out);
        } else {
            // The tool has no key for some originators (the ZAZ1 load controller): sign with
            // the keystore's key through opendcc's client, if the originator is a user.
            let text = read(&template);
            let rid = element_text(&text, "RequestID")
                .unwrap_or_default()
                .to_string();
            let originator = rid.split(':').next().unwrap_or_default().to_string();
            match demo.manifest.user_by_eui(&originator) {
                Some(user) => {
                    let unsigned = scratch.join(format!("unsigned-{name}"));
                    std::fs::write(&unsigned, strip_signature(&text)).unwrap();
                    match opendcc(&[
                        "client",
                        "sign",
                        "--manifest",
                        manifest_path,
                        "--user",
                        &user.name,
                        &unsigned.display().to_string(),
                    ]) {
                        Ok(xml) => {
                            std::fs::write(&out, xml).unwrap();
                            case.signer = format!(
                                "opendcc client sign: the Java tool answered {}",
                                signed.code
                            );
                            case.signed = Some(out);
                        }
                        Err(e) => case.problems.push(format!("signing: {e}")),
                    }
                }
                None => case.problems.push(format!(
                    "the Java tool could not sign it ({}) and {originator} is no user",
                    signed.summary()
                )),
            }
        }
        cases.push(case);
    }
    eprintln!(
        "signed {} templates in {:.1?}",
        cases.len(),
        started.elapsed()
    );

    // 2. Send each to the endpoint its command variant calls for; sign and send pre-commands.
    let mut schedule_id: Option<String> = None;
    let mut waited_for_dsp = false;
    let mut dsp_rids: Vec<String> = Vec::new();
    // The RequestID of the 6.17 request whose answer the 6.15.2 template completes.
    let mut csr_rid: Option<String> = None;
    for case in &mut cases {
        if is_tail(&case.name) && !waited_for_dsp {
            waited_for_dsp = true;
            if let Some(at) = dsp_execution {
                wait_for_held(&listener, &dsp_rids, at);
            }
        }
        let Some(signed) = case.signed.clone() else {
            continue;
        };
        let (demo, manifest_path) = world_for(&case.name);
        let mut text = read(&signed);
        // 5.2/5.3 name the schedule 5.1 created (the template's 123 is no schedule of this
        // DCC): the DSPScheduleID from the 5.1 answer, re-signed by the Java tool with the
        // counter it gave at first.
        if is_schedule_by_id(&case.name)
            && let Some(id) = &schedule_id
        {
            let unsigned = scratch.join(format!("schedule-{}", case.name));
            std::fs::write(
                &unsigned,
                strip_signature(
                    &with_element(&text, "DSPScheduleID", id).unwrap_or_else(|| text.clone()),
                ),
            )
            .unwrap();
            match java.run(Op::SignKeepCounter, &unsigned, &signed) {
                Ok(r) if r.ok() => text = read(&signed),
                Ok(r) => case
                    .problems
                    .push(format!("re-signing with the schedule id: {}", r.summary())),
                Err(e) => case
                    .problems
                    .push(format!("re-signing with the schedule id: {e}")),
            }
        }
        if case.name == LOCAL_RETURN.0
            && let Some(cv2) = &local_original
        {
            match deliver_locally(demo, cv2, &scratch) {
                Ok((original, response)) => {
                    let returned = with_element(&text, "OriginalRequestID", &original)
                        .and_then(|t| with_element(&t, "DeviceGBCSResponse", &response));
                    let unsigned = scratch.join(format!("returned-{}", case.name));
                    match returned {
                        Some(t) => {
                            std::fs::write(&unsigned, strip_signature(&t)).unwrap();
                            match java.run(Op::SignKeepCounter, &unsigned, &signed) {
                                Ok(r) if r.ok() => {
                                    text = read(&signed);
                                    case.note = Some(format!(
                                        "returns the device's response to {original}, delivered locally"
                                    ));
                                }
                                Ok(r) => case
                                    .problems
                                    .push(format!("re-signing the 8.13: {}", r.summary())),
                                Err(e) => case.problems.push(format!("re-signing the 8.13: {e}")),
                            }
                        }
                        None => case
                            .problems
                            .push("no OriginalRequestID or DeviceGBCSResponse".into()),
                    }
                }
                Err(e) => case.problems.push(format!("local delivery: {e}")),
            }
        }
        if case.name == DEVICE_CREDENTIALS.0 {
            match &csr_rid {
                Some(rid) => match place_issued_certificate(
                    demo, &listener, &mut java, rid, &text, &signed, &scratch,
                ) {
                    Ok(note) => {
                        text = read(&signed);
                        case.note = Some(note);
                    }
                    Err(e) => case.problems.push(e),
                },
                None => case
                    .problems
                    .push(format!("{} was not sent before it", DEVICE_CREDENTIALS.1)),
            }
        }
        case.request_id = element_text(&text, "RequestID")
            .unwrap_or_default()
            .to_string();
        if case.name == DEVICE_CREDENTIALS.1 {
            csr_rid = Some(case.request_id.clone());
        }
        if is_dsp_future_dated(&case.name) {
            dsp_rids.push(case.request_id.clone());
        }
        let mut parts = case.request_id.split(':');
        case.originator = parts.next().unwrap_or_default().to_string();
        case.target = parts.next().unwrap_or_default().to_string();
        case.cv = element_text(&text, "CommandVariant")
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let reply = match post(
            &demo.manifest.duis_url,
            endpoint_for_cv(case.cv),
            text.as_bytes(),
        ) {
            Ok(r) => r,
            Err(e) => {
                case.problems.push(e);
                continue;
            }
        };
        case.sync_status = reply.status;
        if !reply.is_duis() {
            case.problems.push(format!(
                "HTTP {} {}: not a DUIS response: {}",
                reply.status,
                reply.content_type,
                reply.body.chars().take(200).collect::<String>()
            ));
            continue;
        }
        let sync_doc = sync_dir.join(&case.name);
        std::fs::write(&sync_doc, &reply.body).unwrap();
        case.sync_code = element_text(&reply.body, "ResponseCode").map(str::to_string);
        case.sync_doc = Some(sync_doc.clone());
        if is_create_schedule(&case.name) {
            schedule_id = element_text(&reply.body, "DSPScheduleID").map(str::to_string);
        }
        let user = demo
            .manifest
            .user_by_eui(&case.originator)
            .map(|u| u.name.clone());
        match (case.cv, case.sync_code.as_deref(), user) {
            (4, Some("I0"), Some(user)) => {
                // The pre-command signed with the originator's ZAZ1 key (GBCS), in a CV5 request
                // XML-signed by opendcc's client with the same key…
                let ours = match opendcc(&[
                    "client",
                    "sign-precommand",
                    "--manifest",
                    manifest_path,
                    "--user",
                    &user,
                    "--request",
                    &signed.display().to_string(),
                    &sync_doc.display().to_string(),
                ]) {
                    Ok(x) => x,
                    Err(e) => {
                        case.problems.push(format!("sign-precommand: {e}"));
                        continue;
                    }
                };
                let ours_path = cv5_dir.join(format!("request-{}", case.name));
                std::fs::write(&ours_path, &ours).unwrap();
                // …and, as a DCC Boxed user sends it, XML-signed again by the Java tool (its
                // `xml-sign-<EUI>-ds` key, counter kept). Tried first: a refusal changes nothing.
                let java_path = cv5_dir.join(format!("request-java-{}", case.name));
                let resigned = java
                    .run(Op::SignKeepCounter, &ours_path, &java_path)
                    .is_ok_and(|r| r.ok())
                    && root_name(&read(&java_path)).as_deref() == Some("Request");
                let mut attempts = Vec::new();
                if resigned {
                    attempts.push((true, java_path));
                }
                attempts.push((false, ours_path));
                for (java_signed, path) in attempts {
                    let body = read(&path);
                    match post(&demo.manifest.duis_url, endpoint_for_cv(5), body.as_bytes()) {
                        Ok(r) if r.is_duis() => {
                            let code = element_text(&r.body, "ResponseCode").map(str::to_string);
                            if java_signed && code.as_deref() != Some("I99") {
                                let rid = element_text(&body, "RequestID").unwrap_or_default();
                                let why = refusal_reason(&demo.log_text(), rid).unwrap_or_default();
                                case.cv5_java_refused =
                                    Some(format!("{} {why}", code.unwrap_or_default()));
                                continue;
                            }
                            let doc = cv5_dir.join(format!("response-{}", case.name));
                            std::fs::write(&doc, &r.body).unwrap();
                            case.cv5_code = code;
                            case.cv5_doc = Some(doc);
                            case.cv5_request = Some(path);
                            case.cv5_java_signed = java_signed;
                            case.expect_delivery = case.cv5_code.as_deref() == Some("I99");
                        }
                        Ok(r) => case.problems.push(format!(
                            "CV5: HTTP {}: not a DUIS response: {}",
                            r.status,
                            r.body.chars().take(200).collect::<String>()
                        )),
                        Err(e) => case.problems.push(format!("CV5: {e}")),
                    }
                    break;
                }
            }
            (1, Some("I99"), _) => case.expect_delivery = true,
            _ => {}
        }
    }
    drop(java);
    eprintln!("sent everything at {:.1?}", started.elapsed());

    // 3. Wait for the device answers at the Receive Response Service (held future-dated
    //    requests answer after their execution time).
    let mut deadline = Instant::now() + DELIVERY_TIMEOUT;
    if let Some(at) = latest_execution {
        let until = at - time::OffsetDateTime::now_utc() + time::Duration::seconds(60);
        if let Ok(until) = Duration::try_from(until) {
            deadline = deadline.max(Instant::now() + until);
        }
    }
    let mut delivered: BTreeMap<String, Delivered> = BTreeMap::new();
    let mut all_received: Vec<Delivered>;
    loop {
        all_received = listener.received();
        all_received.extend(urp_listener.received());
        all_received.extend(anchors_listener.received());
        for d in &all_received {
            if d.kind == "Response"
                && let Some(rid) = &d.request_id
            {
                delivered.entry(rid.clone()).or_insert_with(|| d.clone());
            }
        }
        let waiting = cases
            .iter()
            .filter(|c| c.expect_delivery && !delivered.contains_key(&c.request_id))
            .count();
        if waiting == 0 || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for case in &mut cases {
        if case.expect_delivery {
            match delivered.get(&case.request_id) {
                Some(d) => {
                    case.final_code = d.code.clone();
                    case.final_doc = Some(d.path.clone());
                }
                None => case.problems.push(format!(
                    "no device response delivered in {DELIVERY_TIMEOUT:?}"
                )),
            }
        }
    }
    eprintln!(
        "{} documents delivered at {:.1?}",
        all_received.len(),
        started.elapsed()
    );

    // 4. Smart DCC's tool validates every document the DCC produced (and the signed
    // pre-commands).
    let mut documents: Vec<(String, Doc, PathBuf)> = cases
        .iter()
        .flat_map(|c| {
            c.documents()
                .into_iter()
                .map(|(k, p)| (c.name.clone(), k, p))
        })
        .collect();
    let per_case: BTreeSet<PathBuf> = documents.iter().map(|(_, _, p)| p.clone()).collect();
    for d in &all_received {
        if !per_case.contains(&d.path) {
            documents.push((String::new(), Doc::Delivered, d.path.clone()));
        }
    }
    let paths: Vec<PathBuf> = documents.iter().map(|(_, _, p)| p.clone()).collect();
    let verdicts = validate_all(&pkgs.jar, &paths, &scratch);
    eprintln!(
        "validated {} documents at {:.1?}",
        verdicts.len(),
        started.elapsed()
    );
    let by_name: BTreeMap<&str, &Case> = cases.iter().map(|c| (c.name.as_str(), c)).collect();
    let known = known_rejections();
    let mut known_seen = BTreeSet::new();
    let mut rejected: BTreeSet<PathBuf> = BTreeSet::new();
    let mut unexpected: Vec<String> = Vec::new();
    for (name, kind, path) in &documents {
        let accepted = verdicts
            .get(path)
            .is_some_and(|v| match by_name.get(name.as_str()) {
                Some(c) => c.accepted(*kind, v),
                None => v.validated_signed(),
            });
        if accepted {
            continue;
        }
        rejected.insert(path.clone());
        let summary = verdicts
            .get(path)
            .map_or_else(|| "not validated".to_string(), ToolResult::summary);
        let key = (name.clone(), kind.word().to_string());
        match known.get(&key) {
            Some(text) if summary.contains(text.as_str()) => {
                known_seen.insert(key);
            }
            _ => unexpected.push(format!(
                "{name} {}: {} — {summary}",
                kind.word(),
                path.display()
            )),
        }
    }
    let stale: Vec<&(String, String)> = known.keys().filter(|k| !known_seen.contains(*k)).collect();

    // 5. Report.
    let (main_log, urp_log, anchors_log) = (
        main_demo.log_text(),
        urp_demo.log_text(),
        anchors_demo.log_text(),
    );
    let mut passed = BTreeSet::new();
    for case in &mut cases {
        if !case.request_id.is_empty() && !case.succeeded() {
            let log = match world_of(&case.name) {
                WorldKind::Main => &main_log,
                WorldKind::Urp => &urp_log,
                WorldKind::Anchors => &anchors_log,
            };
            case.refusal = refusal_reason(log, &case.request_id);
        }
        let bad_docs: Vec<Doc> = case
            .documents()
            .into_iter()
            .filter(|(_, p)| rejected.contains(p))
            .map(|(k, _)| k)
            .collect();
        let ok = case.succeeded() && bad_docs.is_empty() && case.problems.is_empty();
        if ok {
            passed.insert(case.name.clone());
        }
        let mut line = format!(
            "{} {} — {}",
            if ok { "PASS" } else { "FAIL" },
            case.name,
            case.describe()
        );
        for k in &bad_docs {
            let known = known.contains_key(&(case.name.clone(), k.word().to_string()));
            line.push_str(&format!(
                " — {} REJECTED BY THE JAVA TOOL{}",
                k.word(),
                if known {
                    " (known, see interop/known-java-rejections.txt)"
                } else {
                    ""
                }
            ));
        }
        for p in &case.problems {
            line.push_str(&format!(" — {p}"));
        }
        report(&line);
    }
    let alerts = documents
        .iter()
        .filter(|(_, k, _)| *k == Doc::Delivered)
        .count();
    let critical = cases.iter().filter(|c| c.cv5_request.is_some()).count();
    let java_cv5 = cases.iter().filter(|c| c.cv5_java_signed).count();
    report(&format!(
        "(Smart DCC's Validate checked {} documents, {alerts} of them other deliveries (alerts), {} rejected ({} known); {critical} signed pre-commands sent, {java_cv5} of them XML-signed by the Java tool as DCC Boxed users sign them)",
        documents.len(),
        rejected.len(),
        known_seen.len()
    ));
    report(&format!(
        "{} passed, {} failed",
        passed.len(),
        cases.len() - passed.len()
    ));

    let current: String = passed.iter().map(|n| format!("{n}\n")).collect();
    let _ = std::fs::write(cache_dir().join("current-success.txt"), &current);
    let baseline_text = read(Path::new(BASELINE));
    if std::env::var("OPENDCC_UPDATE_BASELINE").is_ok_and(|v| v == "1") {
        let header: String = baseline_text
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(BASELINE, format!("{header}{current}")).unwrap();
    }
    let baseline: BTreeSet<String> = baseline_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let regressed: Vec<&String> = baseline.difference(&passed).collect();
    let not_duis: Vec<String> = cases
        .iter()
        .filter(|c| c.sync_doc.is_none())
        .map(|c| format!("{}: {:?}", c.name, c.problems))
        .collect();
    assert!(
        unexpected.is_empty(),
        "Smart DCC's Validate rejected {} documents:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "interop/known-java-rejections.txt lists rejections that no longer happen (remove them): {stale:?}"
    );
    assert!(
        not_duis.is_empty(),
        "requests not answered with a DUIS response:\n{}",
        not_duis.join("\n")
    );
    assert!(
        regressed.is_empty(),
        "templates that succeeded before (interop/baseline-success.txt) and no longer do: {regressed:?}"
    );
    assert!(!passed.is_empty(), "no template succeeded");
}

/// The ZAZ1 world built from a folder of PEM files (the corpus' `zaz1/`, with its
/// keystore.json) serves a DCC Boxed client on plain HTTP: a read (ECS52) and a critical command
/// (ECS42, pre-command signed with the ZAZ1 supplier key) reach the emulated meter, whose
/// answers arrive at the Receive Response Service, verified against the DSP certificate and
/// MAC'd for the ZAZ1 supplier's key-agreement key. The world resumes without `--zaz1`.
#[test]
fn zaz1_folder_world_serves_a_dcc_boxed_client() {
    let folder = corpus().join("zaz1");
    assert!(
        folder.join("Z1-supplier-ds.pem").is_file(),
        "{} holds no ZAZ1 material (set OPENDCC_CORPUS)",
        folder.display()
    );
    let root = tempfile::Builder::new()
        .prefix("opendcc-zaz1-folder-")
        .tempdir()
        .unwrap();
    let data = root.path().join("data");
    let demo = Demo::start(
        &data,
        &root.path().join("demo.log"),
        &["--zaz1", &folder.display().to_string()],
    )
    .unwrap();
    let m = &demo.manifest;
    let manifest_path = demo.manifest_path.display().to_string();
    // The users and their ZAZ1 certificates.
    let supplier = m.user_by_eui("90-B3-D5-1F-30-01-00-00").unwrap();
    assert_eq!(supplier.name, "supplier");
    assert_eq!(supplier.roles, ["IS", "ES", "GS"]);
    let operator = m.user_by_eui("90-B3-D5-1F-30-02-00-00").unwrap();
    assert_eq!(operator.roles, ["ED", "GT"]);
    assert_eq!(
        normalise_pem(&std::fs::read(&supplier.signing_cert).unwrap()),
        normalise_pem(&std::fs::read(folder.join("Z1-supplier-ds.pem")).unwrap()),
        "the supplier signs with Z1-supplier-ds"
    );
    assert_eq!(
        normalise_pem(&std::fs::read(&m.dcc.xml_signing_cert).unwrap()),
        normalise_pem(&std::fs::read(folder.join("dsp-xml-sign-90B3D51F30000002-ds.pem")).unwrap()),
        "responses are signed with the DSP XML signing key"
    );
    let types: BTreeMap<&str, &str> = m
        .devices
        .iter()
        .map(|d| (d.id.as_str(), d.device_type.as_str()))
        .collect();
    for (id, t) in [
        ("00-DB-12-34-56-78-90-A0", "ESME"),
        ("00-DB-12-34-56-78-90-A1", "GSME"),
        ("00-DB-12-34-56-78-90-A2", "CHF"),
        ("00-DB-12-34-56-78-90-A3", "GPF"),
        ("00-DB-12-34-56-78-90-A4", "PPMID"),
        ("00-DB-12-34-56-78-90-A5", "HCALCS"),
        ("00-DB-12-34-56-78-90-A6", "ESME"),
    ] {
        assert_eq!(types.get(id), Some(&t), "{id}");
    }

    let listener = Listener::start(&demo.manifest_path, &root.path().join("rrs")).unwrap();
    demo.deliver_all_to(&listener.url).unwrap();
    let template = |name: &str| strip_signature(&read(&corpus().join("duis-templates").join(name)));
    let sign = |xml: &str, counter: u64| -> String {
        let unsigned = root.path().join(format!("unsigned-{counter}.xml"));
        let rid = element_text(xml, "RequestID").unwrap();
        let fresh = format!(
            "{}:{counter}",
            rid.rsplit_once(':').map(|(head, _)| head).unwrap()
        );
        std::fs::write(&unsigned, xml.replacen(rid, &fresh, 1)).unwrap();
        opendcc(&[
            "client",
            "sign",
            "--manifest",
            &manifest_path,
            "--user",
            "supplier",
            &unsigned.display().to_string(),
        ])
        .unwrap()
    };
    let wait_for = |rid: &str| -> Delivered {
        let deadline = Instant::now() + DELIVERY_TIMEOUT;
        loop {
            if let Some(d) = listener
                .received()
                .into_iter()
                .find(|d| d.kind == "Response" && d.request_id.as_deref() == Some(rid))
            {
                return d;
            }
            assert!(Instant::now() < deadline, "no response for {rid}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    // The listener writes the delivered file before it prints its verdict, which its stdout
    // reader thread then collects: wait (bounded) for the line, not just look once.
    let verified = |d: &Delivered| {
        let rid = d.request_id.clone().unwrap();
        let deadline = Instant::now() + DELIVERY_TIMEOUT;
        loop {
            let lines = listener.lines.lock().unwrap().clone();
            if lines
                .iter()
                .any(|l| l.starts_with("VERIFIED response I0") && l.ends_with(&rid))
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the listener did not verify {rid}: {lines:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };

    // ECS52: read firmware version.
    let read_fw = sign(&template("ECS52_11.2_SUCCESS_REQUEST_DUIS.XML"), 5_000);
    let r = post(&m.duis_url, "/api/v1/serviceS", read_fw.as_bytes()).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        element_text(&r.body, "ResponseCode"),
        Some("I99"),
        "{}",
        r.body
    );
    let rid = element_text(&read_fw, "RequestID").unwrap().to_string();
    let answer = wait_for(&rid);
    assert_eq!(answer.code.as_deref(), Some("I0"));
    verified(&answer);
    let decoded = opendcc(&[
        "client",
        "decode",
        "--manifest",
        &manifest_path,
        "--user",
        "supplier",
        &answer.path.display().to_string(),
    ])
    .unwrap();
    assert!(decoded.contains("MAC verified"), "{decoded}");
    assert!(decoded.contains("ECS52"), "{decoded}");

    // ECS42: enable supply, critical: CV4 → pre-command → signed with Z1-supplier-ds → CV5.
    let enable = sign(&template("ECS42_7.1_SUCCESS_REQUEST_DUIS.XML"), 5_001);
    let r = post(&m.duis_url, "/api/v1/serviceT", enable.as_bytes()).unwrap();
    assert_eq!(
        element_text(&r.body, "ResponseCode"),
        Some("I0"),
        "{}",
        r.body
    );
    assert!(r.body.contains("PreCommand"), "{}", r.body);
    let pre = root.path().join("precommand.xml");
    std::fs::write(&pre, &r.body).unwrap();
    let enable_path = root.path().join("cv4-enable.xml");
    std::fs::write(&enable_path, &enable).unwrap();
    let cv5 = opendcc(&[
        "client",
        "sign-precommand",
        "--manifest",
        &manifest_path,
        "--user",
        "supplier",
        "--request",
        &enable_path.display().to_string(),
        &pre.display().to_string(),
    ])
    .unwrap();
    let r = post(&m.duis_url, "/api/v1/serviceS", cv5.as_bytes()).unwrap();
    assert_eq!(
        element_text(&r.body, "ResponseCode"),
        Some("I99"),
        "{}",
        r.body
    );
    let rid = element_text(&enable, "RequestID").unwrap().to_string();
    let answer = wait_for(&rid);
    assert_eq!(answer.code.as_deref(), Some("I0"));
    verified(&answer);

    // Resumed without --zaz1: same world, same keys, counters remembered.
    demo.kill();
    let demo = Demo::start(&data, &root.path().join("demo-2.log"), &[]).unwrap();
    let again = post(
        &demo.manifest.duis_url,
        "/api/v1/serviceS",
        read_fw.as_bytes(),
    )
    .unwrap();
    assert!(
        !again.is_duis(),
        "a replayed request is refused before any DUIS answer"
    );
    assert_eq!(again.status, 409, "{}", again.body);
    let read_fw2 = sign(&template("ECS52_11.2_SUCCESS_REQUEST_DUIS.XML"), 5_010);
    let r = post(
        &demo.manifest.duis_url,
        "/api/v1/serviceS",
        read_fw2.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        element_text(&r.body, "ResponseCode"),
        Some("I99"),
        "{}",
        r.body
    );
    let answer = wait_for(element_text(&read_fw2, "RequestID").unwrap());
    assert_eq!(answer.code.as_deref(), Some("I0"));
}

/// A ZAZ1 world made with `--registration 1000999888:GS:<supplier 2>` (the second world of the
/// suite) registers supplier 2 as the MPRN's gas supplier and nothing else differently; its
/// devices still trust supplier 1; it resumes without the flag, and is refused with another.
#[test]
fn zaz1_world_with_supplier2_as_gas_supplier() {
    use dcc::store::Store;

    let folder = corpus().join("zaz1");
    assert!(
        folder.join("Z1-supplier-ds.pem").is_file(),
        "{} holds no ZAZ1 material (set OPENDCC_CORPUS)",
        folder.display()
    );
    let root = tempfile::Builder::new()
        .prefix("opendcc-zaz1-registration-")
        .tempdir()
        .unwrap();
    let data = root.path().join("data");
    let keystore = folder.display().to_string();
    let demo = Demo::start(
        &data,
        &root.path().join("demo.log"),
        &[
            "--zaz1",
            &keystore,
            "--registration",
            URP_WORLD_REGISTRATION,
        ],
    )
    .unwrap();
    let parties = |mpxn: &str| -> BTreeMap<&'static str, String> {
        let store = opendcc::world::World::open_existing_store(&data).unwrap();
        store
            .transaction(|tx| Ok(tx.registrations(mpxn)?))
            .unwrap()
            .into_iter()
            .filter(|r| r.to.is_none())
            .map(|r| (r.role.as_str(), r.party.to_string()))
            .collect()
    };
    let (supplier1, supplier2, operator) = (
        "90-B3-D5-1F-30-01-00-00",
        "90-B3-D5-1F-30-03-00-00",
        "90-B3-D5-1F-30-02-00-00",
    );
    let gas = parties("1000999888");
    assert_eq!(gas.len(), 2, "{gas:?}");
    assert_eq!(gas["GasSupplier"], supplier2);
    assert_eq!(gas["GasTransporter"], operator);
    let elec = parties("1312345678111");
    assert_eq!(elec["ImportSupplier"], supplier1);
    assert_eq!(elec["ExportSupplier"], supplier1);
    assert_eq!(elec["ElectricityDistributor"], operator);
    let marker = read(&data.join("world.json"));
    assert!(
        marker.contains(&format!("\"registrations\":[\"{URP_WORLD_REGISTRATION}\"]")),
        "{marker}"
    );
    demo.kill();

    let e = Demo::start(
        &data,
        &root.path().join("demo-2.log"),
        &["--registration", "1000999888:GS:90-B3-D5-1F-30-01-00-00"],
    )
    .err()
    .expect("a world made with other registrations is refused");
    assert!(
        e.contains(&format!(
            "holds a world made with {URP_WORLD_REGISTRATION}, not 1000999888:GS:90-B3-D5-1F-30-01-00-00"
        )),
        "{e}"
    );
    let demo = Demo::start(&data, &root.path().join("demo-3.log"), &[]).unwrap();
    assert_eq!(parties("1000999888")["GasSupplier"], supplier2);
    demo.kill();
}

/// PEM text with line endings normalised, for comparing certificates written by different tools.
fn normalise_pem(pem: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(pem)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

/// DCC Boxed's own critical flow — the pre-command GBCS-signed with
/// the supplier's `Z1-supplier-ds`, the command variant 5 request XML-signed by Smart DCC's Java
/// tool with `xml-sign-90B3D51F30010000-ds` (counter kept) — must be accepted: the gateway checks
/// the pre-command's GBCS signature against each of the user's SMKI digital-signing
/// certificates, not only the one that signed the XML.
#[test]
fn dcc_boxed_signed_precommand_is_accepted() {
    let Some(pkgs) = prerequisites() else { return };
    let root = tempfile::Builder::new()
        .prefix("opendcc-zaz1-cv5-")
        .tempdir()
        .unwrap();
    let demo = Demo::start(
        &root.path().join("data"),
        &root.path().join("demo.log"),
        &["--zaz1", &pkgs.keystore_json.display().to_string()],
    )
    .unwrap();
    let listener = Listener::start(&demo.manifest_path, &root.path().join("rrs")).unwrap();
    demo.deliver_all_to(&listener.url).unwrap();
    let mut java = JavaTool::start(&pkgs.jar);
    let signed = root.path().join("cv4.xml");
    let r = java
        .run(
            Op::Sign,
            &pkgs.templates.join("ECS42_7.1_SUCCESS_REQUEST_DUIS.XML"),
            &signed,
        )
        .unwrap();
    assert!(r.ok(), "{r:?}");
    let cv4 = read(&signed);
    let r = post(&demo.manifest.duis_url, "/api/v1/serviceT", cv4.as_bytes()).unwrap();
    assert_eq!(
        element_text(&r.body, "ResponseCode"),
        Some("I0"),
        "{}",
        r.body
    );
    let pre = root.path().join("precommand.xml");
    std::fs::write(&pre, &r.body).unwrap();
    let ours = root.path().join("cv5-ours.xml");
    std::fs::write(
        &ours,
        opendcc(&[
            "client",
            "sign-precommand",
            "--manifest",
            &demo.manifest_path.display().to_string(),
            "--user",
            "supplier",
            "--request",
            &signed.display().to_string(),
            &pre.display().to_string(),
        ])
        .unwrap(),
    )
    .unwrap();
    let theirs = root.path().join("cv5-java.xml");
    let r = java.run(Op::SignKeepCounter, &ours, &theirs).unwrap();
    assert!(r.ok(), "{r:?}");
    let cv5 = read(&theirs);
    assert_eq!(
        element_text(&cv5, "RequestID"),
        element_text(&cv4, "RequestID")
    );
    let r = post(&demo.manifest.duis_url, "/api/v1/serviceS", cv5.as_bytes()).unwrap();
    assert_eq!(
        element_text(&r.body, "ResponseCode"),
        Some("I99"),
        "{}\n{}",
        r.body,
        refusal_reason(&demo.log_text(), element_text(&cv5, "RequestID").unwrap())
            .unwrap_or_default()
    );
}
