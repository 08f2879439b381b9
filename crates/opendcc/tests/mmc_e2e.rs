//! Parse and correlate, end to end.
//!
//! * The MMC documents `mmc` renders for every RTDS RESPONSE of the mapped use cases (sensitive
//!   ones opened with the RTDS keystore's keys, and left encrypted without them), for every RTDS
//!   RESPONSE of the other use cases (the schema's generic form) and for every RTDS ALERT are
//!   valid against the MMC 5.1 schema shipped inside Smart DCC's signing tool
//!   (`@smartdcc/duis-sign-wrap`'s `dist/tool.jar`, fetched into the test cache with the interop
//!   suite's helper; never committed), checked with `xmllint --schema`.
//! * With the demo world: the emulated meters' answers to a supplier's reads (ECS17b and GCS13a
//!   sensitive, ECS45, ECS52) and to a critical disable supply are saved by `client listen`, and
//!   `client decode --mmc` turns the whole folder into MMC, valid against the schema, the
//!   sensitive registers opened with the supplier's key; without a key it says what it could not
//!   open. `client sign-precommand` refuses a pre-command that does not match the original
//!   request (another request, another device), printing nothing, and signs the matching one.

#![allow(clippy::unwrap_used)]

mod common;
mod interop;
#[path = "../../gbcs/tests/common/mod.rs"]
mod rtds;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;

const SUPPLIER: &str = "supplier-a";

// ---------------------------------------------------------------------------------------------
// The MMC schema from Smart DCC's tool

/// The MMC XSD, extracted from the tool's jar into the test cache; `None` (after
/// `interop::skip_or_fail`) when it cannot be had here.
fn mmc_xsd() -> Option<PathBuf> {
    const NAME: &str = "MMC Schema V5.1.xsd";
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !interop::have("xmllint", "--version") {
        interop::skip_or_fail("xmllint is not installed (Debian: libxml2-utils)");
        return None;
    }
    let dir = interop::cache_dir().join("mmc-xsd");
    let xsd = dir.join("mmc.xsd");
    if xsd.is_file() {
        return Some(xsd);
    }
    let pkgs = match interop::fetch_packages() {
        Ok(p) => p,
        Err(e) => {
            interop::skip_or_fail(&e);
            return None;
        }
    };
    let staging = interop::cache_dir().join(format!("mmc-xsd.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).unwrap();
    // `jar` comes with the JDK the interop suite needs; `unzip` where there is one.
    let extracted = interop::run(
        Command::new("unzip")
            .args(["-o", "-q"])
            .arg(&pkgs.jar)
            .arg(NAME)
            .arg("-d")
            .arg(&staging),
        Duration::from_secs(60),
        "unzip",
    )
    .is_ok_and(|o| o.status.success())
        || interop::run(
            Command::new("jar")
                .arg("xf")
                .arg(&pkgs.jar)
                .arg(NAME)
                .current_dir(&staging),
            Duration::from_secs(60),
            "jar xf",
        )
        .is_ok_and(|o| o.status.success());
    let from = staging.join(NAME);
    if !extracted || !from.is_file() {
        interop::skip_or_fail(&format!(
            "{NAME} could not be extracted from {}",
            pkgs.jar.display()
        ));
        return None;
    }
    std::fs::rename(&from, staging.join("mmc.xsd")).unwrap();
    if std::fs::rename(&staging, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    Some(xsd)
}

/// Validates every file with `xmllint --schema`; the failures, if any.
fn validate(xsd: &Path, files: &[PathBuf]) -> Result<(), String> {
    for chunk in files.chunks(200) {
        let out = interop::run(
            Command::new("xmllint")
                .args(["--noout", "--schema"])
                .arg(xsd)
                .args(chunk),
            Duration::from_secs(120),
            "xmllint",
        )?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| !l.ends_with(" validates"))
                .collect::<Vec<_>>()
                .join("\n"));
        }
    }
    Ok(())
}

#[test]
fn mmc_of_every_rtds_response_and_alert_is_valid_against_the_mmc_schema() {
    let Some(xsd) = mmc_xsd() else {
        return;
    };
    let ks = rtds::Keystore::load();
    let out = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let (mut mapped, mut generic, mut alerts, mut sealed) = (0, 0, 0, 0);
    let mut write = |name: String, xml: &str| {
        let p = out.path().join(format!("{name}.xml"));
        std::fs::write(&p, xml).unwrap();
        files.push(p);
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(rtds::rtds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let dname = dir.file_name().unwrap().to_str().unwrap().to_string();
        let srv = dname.split('_').next().unwrap().to_string();
        let mut vectors: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        vectors.sort();
        for f in vectors {
            let name = f.file_stem().unwrap().to_str().unwrap().to_string();
            if !name.ends_with("_GBCS") {
                continue;
            }
            let is_alert = name.contains("_ALERT");
            let is_response = name.contains("_RESPONSE");
            if !is_alert && !is_response {
                continue;
            }
            let bytes = rtds::read_hex(&f);
            let apdu = match gbcs::Frame::decode(&bytes).unwrap() {
                gbcs::Frame::Ciphered(c) => c.apdu,
                gbcs::Frame::Signing(s) => s,
            };
            let k = ks
                .ka_private
                .get(
                    &gbcs::alerts::supplementary_remote_party(&apdu.other_info.ext)
                        .0
                        .unwrap_or(apdu.recipient),
                )
                .and_then(|v| v.first());
            let d = ks.ka_public.get(&apdu.originator);
            let keys = k.zip(d).map(|(k, d)| mmc::Keys {
                requester_ka: k,
                device_ka: d,
            });
            let ctx = mmc::Context {
                service_reference: None,
                service_reference_variant: (srv != "NA").then_some(srv.as_str()),
                keys,
            };
            let is_mapped = mmc::response::mapping(apdu.message_code()).is_some();
            let Ok(r) = mmc::render(&bytes, &ctx) else {
                // An alert gbcs::alerts does not decode: no MMC form.
                assert!(is_alert, "{name}");
                continue;
            };
            if is_alert {
                alerts += 1;
            } else if is_mapped {
                assert!(r.mapped, "{name}: {:?}", r.notes);
                mapped += 1;
                if dname.starts_with("4.1.1") && !name.contains("ERROR") {
                    let s = mmc::render(&bytes, &mmc::Context { keys: None, ..ctx }).unwrap();
                    assert!(s.sealed, "{name}");
                    sealed += 1;
                    write(format!("{name}-sealed"), &s.xml);
                }
            } else {
                generic += 1;
            }
            write(name, &r.xml);
        }
    }
    // Every RTDS response renders, mapped to its MMC element or in the generic form; more map
    // as services gain MMC mappings.
    assert!(mapped >= 35, "{mapped}");
    assert!(mapped + generic > 200, "{mapped} + {generic}");
    assert_eq!(alerts, 93);
    assert!(sealed >= 4, "{sealed}");
    validate(&xsd, &files).unwrap_or_else(|e| panic!("MMC documents fail the schema:\n{e}"));
}

// ---------------------------------------------------------------------------------------------
// The demo world, through the CLI

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn cli_send(demo: &Demo, file: &Path) -> DuisResponse {
    let manifest = demo.manifest_path();
    let args = [
        "client",
        "send",
        "--manifest",
        path_str(&manifest),
        "--user",
        SUPPLIER,
        path_str(file),
    ];
    let out = run_cli(&args, None);
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    DuisResponse::checked(stdout_of(&out).trim_end(), &demo.dcc_signing_cert())
}

/// Sends a template request (signed) and waits for the listener to verify its I0 answer.
fn read(demo: &Demo, listener: &mut CliListener, template: &str, device: &str) -> PathBuf {
    let signed = demo.signed(template, SUPPLIER, device);
    let rid = text_of(&signed, "RequestID").unwrap();
    let file = demo.scratch_file(&format!("req-{}.xml", rid.replace(':', "_")), &signed);
    cli_send(demo, &file).assert_code("I99", &rid);
    listener.wait_for_line(DELIVERY_WAIT, |l| {
        l == format!("VERIFIED response I0 {rid}")
    });
    listener.saved(&rid)
}

fn sign_precommand(demo: &Demo, request: &Path, precommand: &Path) -> std::process::Output {
    let manifest = demo.manifest_path();
    run_cli(
        &[
            "client",
            "sign-precommand",
            "--manifest",
            path_str(&manifest),
            "--user",
            SUPPLIER,
            "--request",
            path_str(request),
            path_str(precommand),
        ],
        None,
    )
}

#[test]
fn the_demo_worlds_answers_decode_to_valid_mmc_and_pre_commands_are_correlated() {
    let demo = Demo::start_fast(&[]);
    let mut listener = demo.cli_listener();
    demo.set_response_url(SUPPLIER, listener.url());

    let registers = read(
        &demo,
        &mut listener,
        "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    let gas = read(
        &demo,
        &mut listener,
        "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_REQUEST_DUIS.XML",
        premises1::GSME,
    );
    read(
        &demo,
        &mut listener,
        "ECS45_7.4_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    read(
        &demo,
        &mut listener,
        "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML",
        premises1::ESME,
    );
    read(
        &demo,
        &mut listener,
        "GCS33_7.4_SUCCESS_REQUEST_DUIS.XML",
        premises1::GSME,
    );

    // Critical: disable supply on the ESME, CV 4 → pre-command.
    let disable = demo.signed(
        "ECS43_7.2_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::ESME,
    );
    let rid = text_of(&disable, "RequestID").unwrap();
    let disable_file = demo.scratch_file("disable.xml", &disable);
    let pre = cli_send(&demo, &disable_file);
    pre.assert_code("I0", &rid);
    let pre_file = demo.scratch_file("precommand.xml", &pre.xml);

    // Correlation: another request (the GSME's disable, another device and counter) is refused,
    // and nothing is printed.
    let other = demo.signed(
        "GCS32_7.2_SUCCESS_REQUEST_DUIS.XML",
        SUPPLIER,
        premises1::GSME,
    );
    let other_file = demo.scratch_file("other-request.xml", &other);
    let out = sign_precommand(&demo, &other_file, &pre_file);
    assert!(
        !out.status.success(),
        "a mismatching pre-command was signed"
    );
    assert!(stdout_of(&out).trim().is_empty(), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("does not match the request, not signing"),
        "{err}"
    );
    assert!(err.contains("answers request"), "{err}");
    // The same RequestID but another service (enable supply): refused too, naming the use case.
    let enable = set_text(&disable, "ServiceReferenceVariant", "7.1");
    let enable = set_body(
        &set_text(&enable, "ServiceReference", "7.1"),
        "<sr:EnableSupply/>",
    );
    let enable_file = demo.scratch_file("enable-request.xml", &enable);
    let out = sign_precommand(&demo, &enable_file, &pre_file);
    assert!(!out.status.success());
    assert!(stdout_of(&out).trim().is_empty());
    assert!(stderr_of(&out).contains("ECS43"), "{}", stderr_of(&out));
    // The right request: signed, sent, executed.
    let out = sign_precommand(&demo, &disable_file, &pre_file);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let signed = demo.scratch_file("signed.xml", &stdout_of(&out));
    cli_send(&demo, &signed).assert_code("I99", &rid);
    listener.wait_for_line(DELIVERY_WAIT, |l| {
        l == format!("VERIFIED response I0 {rid}")
    });

    // The whole folder as MMC, opened with the supplier's key from the manifest.
    let responses = demo.scratch_dir().join("responses");
    let manifest = demo.manifest_path();
    let out = run_cli(
        &[
            "client",
            "decode",
            "--mmc",
            "--manifest",
            path_str(&manifest),
            "--user",
            SUPPLIER,
            path_str(&responses),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let all = stdout_of(&out);
    for element in [
        "ReadInstantaneousImportRegistersRsp",
        "ActiveImportRegister",
        "ConsumptionRegister",
        "ReadSupplyStatusRsp",
        "ReadFirmwareVersionRsp",
        "DisableSupplyRsp",
    ] {
        assert!(all.contains(&format!("<ra:{element}")), "{element}:\n{all}");
    }
    assert!(!all.contains("format=\"encrypted\""), "{all}");
    let docs: Vec<&str> = all
        .split("<?xml")
        .filter(|d| !d.trim().is_empty())
        .collect();
    assert!(docs.len() >= 6, "{}", docs.len());

    // Without a key: the registers stay encrypted and the CLI says whose key is missing.
    let out = run_cli(&["client", "decode", "--mmc", path_str(&registers)], None);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let sealed = stdout_of(&out);
    assert!(sealed.contains("format=\"encrypted\""), "{sealed}");
    let err = stderr_of(&out);
    assert!(err.contains("could not open the sensitive data"), "{err}");
    assert!(err.contains(&demo.user_eui(SUPPLIER)), "{err}");
    assert!(err.contains("--ka-key"), "{err}");
    // With the keys given explicitly it opens.
    let out = run_cli(
        &[
            "client",
            "decode",
            "--mmc",
            "--ka-key",
            path_str(&demo.user_file(SUPPLIER, "ka.key")),
            "--device-ka-cert",
            path_str(&demo.device_cert_path(premises1::GSME, "ka")),
            path_str(&gas),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("<ra:ConsumptionRegister>"),
        "{}",
        stdout_of(&out)
    );
    // Another user's key does not open it, and the CLI says so.
    let out = run_cli(
        &[
            "client",
            "decode",
            "--mmc",
            "--ka-key",
            path_str(&demo.user_file("supplier-b", "ka.key")),
            "--device-ka-cert",
            path_str(&demo.device_cert_path(premises1::ESME, "ka")),
            path_str(&registers),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("does not open it"),
        "{}",
        stderr_of(&out)
    );
    // A document without a GBCS payload is an error, with the file named.
    let junk = demo.scratch_file("junk.xml", "<x/>");
    let out = run_cli(&["client", "decode", "--mmc", path_str(&junk)], None);
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("no GBCSPayload"),
        "{}",
        stderr_of(&out)
    );

    // Every document valid against the MMC schema.
    let Some(xsd) = mmc_xsd() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, d) in docs.iter().chain([sealed.as_str()].iter()).enumerate() {
        let p = dir.path().join(format!("{i}.xml"));
        let text = if d.starts_with("<?xml") {
            d.to_string()
        } else {
            format!("<?xml{d}")
        };
        std::fs::write(&p, text).unwrap();
        files.push(p);
    }
    validate(&xsd, &files).unwrap_or_else(|e| panic!("{e}"));
}

// ---------------------------------------------------------------------------------------------
// Alerts through the CLI

fn duis_response(body: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<sr:Response xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:ResponseID>00-DB-12-34-56-78-90-A0:90-B3-D5-1F-30-01-00-00:4096</sr:ResponseID>",
            "<sr:ResponseCode>I0</sr:ResponseCode><sr:ResponseDateTime>2026-01-01T00:00:00.000Z</sr:ResponseDateTime>",
            "</sr:Header><sr:Body>{}</sr:Body></sr:Response>"
        ),
        body
    )
}

fn rtds_base64(dir: &str, file: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(rtds::vector(dir, file))
}

#[test]
fn device_alerts_future_dated_outcomes_and_dcc_alerts_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: String| {
        std::fs::write(dir.path().join(name), duis_response(&body)).unwrap()
    };
    write(
        "1-outage.xml",
        format!(
            "<sr:DeviceAlertMessage><sr:AlertCode>8F36</sr:AlertCode><sr:GBCSPayload>{}</sr:GBCSPayload></sr:DeviceAlertMessage>",
            rtds_base64("NA_ECS80", "ECS80_NA_8F36_ALERT_GBCS.HEX")
        ),
    );
    write(
        "2-future-dated.xml",
        format!(
            concat!(
                "<sr:ResponseMessage><sr:ServiceReference>6.15</sr:ServiceReference>",
                "<sr:ServiceReferenceVariant>6.15.1</sr:ServiceReferenceVariant>",
                "<sr:FutureDatedDeviceAlertMessage><sr:FutureDatedAlertCode>8F66</sr:FutureDatedAlertCode>",
                "<sr:GBCSPayload>{}</sr:GBCSPayload><sr:InstructionNumber>1</sr:InstructionNumber>",
                "<sr:TotalCommandInstructions>1</sr:TotalCommandInstructions>",
                "</sr:FutureDatedDeviceAlertMessage></sr:ResponseMessage>"
            ),
            rtds_base64(
                "6.15.1_CS02bSupplierBySupplier",
                "CS02bSupplierBySupplier_6.15.1_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX"
            )
        ),
    );
    write(
        "3-dcc-alert.xml",
        "<sr:DCCAlertMessage><sr:DCCAlertCode>AD1</sr:DCCAlertCode><sr:DCCAlert/></sr:DCCAlertMessage>".into(),
    );
    let out = run_cli(&["client", "decode", "--mmc", path_str(dir.path())], None);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let all = stdout_of(&out);
    assert!(all.contains("<ra:SupplyOutageRestoreAlert>"), "{all}");
    assert!(
        all.contains("<ra:UpdateSecurityCredentialsDeviceAlert>"),
        "{all}"
    );
    assert!(
        all.contains("<ra:GBCSHexAlertCode>8F66</ra:GBCSHexAlertCode>"),
        "{all}"
    );
    let err = stderr_of(&out);
    assert!(err.contains("3-dcc-alert.xml: DCC alert AD1"), "{err}");
    assert!(err.contains("no GBCS payload"), "{err}");
    let docs: Vec<String> = all
        .split("<?xml")
        .filter(|d| !d.trim().is_empty())
        .map(|d| format!("<?xml{d}"))
        .collect();
    assert_eq!(docs.len(), 2);
    let Some(xsd) = mmc_xsd() else {
        return;
    };
    let files: Vec<PathBuf> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let p = dir.path().join(format!("out-{i}.mmc"));
            std::fs::write(&p, d).unwrap();
            p
        })
        .collect();
    validate(&xsd, &files).unwrap_or_else(|e| panic!("{e}"));
}

// ---------------------------------------------------------------------------------------------
// The read services' answers from the demo world

/// Sends a template request signed by `user` and waits for the listener to verify its I0 answer.
fn read_as(
    demo: &Demo,
    listener: &mut CliListener,
    user: &str,
    template: &str,
    device: &str,
) -> PathBuf {
    let mut xml = demo.request(template, user, device);
    // The prepayment daily read log over the last ten days (the template's period is RTDS's).
    if template.contains("_4.14_") {
        let now = time::OffsetDateTime::now_utc();
        let rfc = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        xml = set_text(
            &xml,
            "StartDateTime",
            &rfc(now - Duration::from_secs(10 * 86_400)),
        );
        xml = set_text(&xml, "EndDateTime", &rfc(now));
    }
    let signed = demo.sign(user, &xml);
    let rid = text_of(&signed, "RequestID").unwrap();
    let file = demo.scratch_file(&format!("req-{}.xml", rid.replace(':', "_")), &signed);
    let manifest = demo.manifest_path();
    let args = [
        "client",
        "send",
        "--manifest",
        path_str(&manifest),
        "--user",
        user,
        path_str(&file),
    ];
    let out = run_cli(&args, None);
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    DuisResponse::checked(stdout_of(&out).trim_end(), &demo.dcc_signing_cert())
        .assert_code("I99", &rid);
    listener.wait_for_line(DELIVERY_WAIT, |l| {
        l == format!("VERIFIED response I0 {rid}")
    });
    listener.saved(&rid)
}

/// Moves the installation of the running demo's emulated `devices` back by `days`, with the same
/// flows since: meters that have been metering that long (the demo's WAN reads a device's state
/// afresh for every command). Written to the DCC's store, whichever backend serves it.
fn installed_days_ago(demo: &Demo, devices: &[&str], days: i64) {
    let world = opendcc::world::open_existing(&demo.data_dir()).unwrap();
    match demo.pg_url() {
        Some(url) => move_installation(
            &world,
            &store_pg::PgStore::connect(&url).unwrap(),
            devices,
            days,
        ),
        None => move_installation(&world, &world.open_store().unwrap(), devices, days),
    }
}

fn move_installation<S>(world: &opendcc::world::World, store: &S, devices: &[&str], days: i64)
where
    S: dcc::store::Store,
    for<'t> S::Tx<'t>: wan::EmulatorTx,
{
    let emulated = world.emulated_devices(store).unwrap();
    for d in devices {
        let id: gbcs::Eui64 = d.parse().unwrap();
        store
            .transaction_in(|tx| {
                let mut s = emulated.state(tx, id)?.expect("an emulated device");
                let m = &mut s.metering;
                let back = days * 86_400;
                m.installed_at -= back;
                m.folded_until -= back;
                m.flowing_since = m.flowing_since.map(|t| t - back);
                wan::emulated::put_state(tx, id, &s)?;
                Ok(())
            })
            .unwrap();
    }
}

/// The emulated meters' answers to every instantaneous read (4.1.2 to 4.18) and to the profile,
/// network data, tariff, prepayment configuration, record network data and log services, each decoded by
/// `client decode --mmc` with the requester's key: the service's own element, a success, the
/// sensitive ones opened, and valid against the MMC schema.
#[test]
fn the_demo_worlds_answers_to_the_reads_decode_to_valid_mmc() {
    const DISTRIBUTOR: &str = "distributor";
    const TRANSPORTER: &str = "transporter";
    let demo = Demo::start_fast(&[]);
    let mut listener = demo.cli_listener();
    for user in [SUPPLIER, DISTRIBUTOR, TRANSPORTER] {
        demo.set_response_url(user, listener.url());
    }
    // Meters that have been metering for three days: their prepayment daily read logs hold
    // snapshots.
    installed_days_ago(&demo, &[premises1::ESME, premises1::GSME], 3);
    let reads = [
        (
            SUPPLIER,
            "ECS17d_4.1.2_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadInstantaneousImportTOUMatricesRsp",
            "<ra:TOUPrimaryRegisterValue index=\"48\">",
        ),
        (
            SUPPLIER,
            "GCS13c_4.1.2_SUCCESS_RELIABLE_GSME_REQUEST_DUIS.XML",
            premises1::GSME,
            "ReadInstantaneousImportTOUMatricesRsp",
            "<ra:TOURegisterMatrixValue index=\"4\">",
        ),
        (
            DISTRIBUTOR,
            "ECS17e_4.1.3_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadInstantaneousImportTOUWithBlocksMatricesRsp",
            "<ra:TariffBlock index=\"4\">",
        ),
        (
            SUPPLIER,
            "GCS13b_4.1.4_SUCCESS_RELIABLE_GSME_REQUEST_DUIS.XML",
            premises1::GSME,
            "ReadInstantaneousImportBlockCountersRsp",
            "<ra:TariffBlockCounterValue index=\"4\">",
        ),
        (
            DISTRIBUTOR,
            "ECS17a_4.2_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadInstantaneousExportRegistersRsp",
            "<ra:ActiveEnergyUnit>Wh</ra:ActiveEnergyUnit>",
        ),
        (
            SUPPLIER,
            "ECS19_4.3_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadInstantaneousPrepayValuesRsp",
            "<ra:MeterBalance>",
        ),
        (
            SUPPLIER,
            "GCS14_4.3_SUCCESS_RELIABLE_GSME_REQUEST_DUIS.XML",
            premises1::GSME,
            "ReadInstantaneousPrepayValuesRsp",
            "<ra:EmergencyCreditBalance>",
        ),
        (
            SUPPLIER,
            "ECS18b_4.12.1_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadMaximumDemandImportRegistersRsp",
            "<ra:MaxDemandConfigurableTimePeriod>",
        ),
        (
            DISTRIBUTOR,
            "ECS18a_4.12.2_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadMaximumDemandExportRegistersRsp",
            "<ra:MaxDemandActiveEnergyExport>",
        ),
        (
            SUPPLIER,
            "ECS27_4.15_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadLoadLimitDataRsp",
            "<ra:LoadLimitSupplyState>",
        ),
        (
            SUPPLIER,
            "ECS17c_4.16_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadActivePowerImportRsp",
            "<ra:Unit>W</ra:Unit>",
        ),
        (
            SUPPLIER,
            "ECS82_4.18_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadMeterBalanceRsp",
            "<ra:MeterBalance>",
        ),
        (
            SUPPLIER,
            "GCS60_4.18_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "ReadMeterBalanceRsp",
            "<ra:MeterBalancePrepaymentMode>",
        ),
        // Profiles (the template's period: whatever the meter holds then), network data,
        // tariff, prepayment configuration, record network data.
        (
            SUPPLIER,
            "ECS22b_4.8.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadActiveImportProfileDataRsp",
            "",
        ),
        (
            SUPPLIER,
            "ECS22c_4.8.2_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadReactiveImportProfileDataRsp",
            "",
        ),
        (
            DISTRIBUTOR,
            "ECS22a_4.8.3_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadExportProfileDataRsp",
            "",
        ),
        (
            SUPPLIER,
            "ECS23_4.10_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadNetworkDataRsp",
            "<ra:MeasurementPeriod>",
        ),
        (
            SUPPLIER,
            "ECS24_4.11.1_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadTariffPrimaryElementRsp",
            "<ra:TariffTOUPriceMatrix>",
        ),
        (
            SUPPLIER,
            "GCS21f_4.11.1_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "ReadTariffPrimaryElementRsp",
            "<ra:StandingCharge>",
        ),
        (
            SUPPLIER,
            "ECS26a_4.13_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadPrepaymentConfigurationRsp",
            "<ra:DebtRecoveryRate>",
        ),
        (
            SUPPLIER,
            "GCS21b_4.13_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "ReadPrepaymentConfigurationRsp",
            "<ra:DisablementThreshold>",
        ),
        (
            TRANSPORTER,
            "GCS31_14.1_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "RecordNetworkDataGASRsp",
            "<ra:SampleID>",
        ),
        // Logs (the template's period: whatever the meter holds then).
        (
            SUPPLIER,
            "ECS20a_4.4.4_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "RetrieveBillingDataLogDebtPaymentsRsp",
            "",
        ),
        (
            SUPPLIER,
            "ECS20b_4.4.2_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "RetrieveCoMOrTariffTriggeredBillingDataLogRsp",
            "<ra:Electricity",
        ),
        (
            SUPPLIER,
            "ECS20c_4.4.3_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "RetrieveBillingCalendarTriggeredBillingDataLogRsp",
            "<ra:Electricity",
        ),
        (
            SUPPLIER,
            "ECS20d_4.4.5_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "RetrieveBillingDataLogPrepaymentCreditsRsp",
            "",
        ),
        (
            SUPPLIER,
            "ECS21a_4.6.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "RetrieveImportDailyReadLogRsp",
            "",
        ),
        (
            SUPPLIER,
            "ECS21b_4.14_KRP_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "ReadPrepaymentDailyReadLogRsp",
            "<ra:Electricity>\n            <ra:LogEntry>\n              <ra:AccumulatedDebtRegister>0</ra:AccumulatedDebtRegister>",
        ),
        (
            SUPPLIER,
            "ECS66_4.17_SUCCESS_REQUEST_DUIS.XML",
            premises1::ESME,
            "RetrieveDailyConsumptionLogRsp",
            "<ra:Electricity",
        ),
        (
            SUPPLIER,
            "GCS15b_4.4.2_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "RetrieveCoMOrTariffTriggeredBillingDataLogRsp",
            "<ra:Gas",
        ),
        (
            SUPPLIER,
            "GCS15c_4.4.3_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "RetrieveBillingCalendarTriggeredBillingDataLogRsp",
            "<ra:Gas",
        ),
        (
            SUPPLIER,
            "GCS15d_4.4.4_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "RetrieveBillingDataLogDebtPaymentsRsp",
            "",
        ),
        (
            SUPPLIER,
            "GCS15e_4.4.5_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "RetrieveBillingDataLogPrepaymentCreditsRsp",
            "",
        ),
        (
            SUPPLIER,
            "GCS16a_4.6.1_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "RetrieveImportDailyReadLogRsp",
            "",
        ),
        (
            SUPPLIER,
            "GCS16b_4.14_KRP_SUCCESS_REQUEST_DUIS.XML",
            premises1::GSME,
            "ReadPrepaymentDailyReadLogRsp",
            "<ra:Gas>\n            <ra:LogEntry>\n              <ra:AccumulatedDebtRegister>0</ra:AccumulatedDebtRegister>",
        ),
    ];
    let manifest = demo.manifest_path();
    let mut docs = Vec::new();
    for (user, template, device, element, value) in reads {
        let saved = read_as(&demo, &mut listener, user, template, device);
        let out = run_cli(
            &[
                "client",
                "decode",
                "--mmc",
                "--manifest",
                path_str(&manifest),
                "--user",
                user,
                path_str(&saved),
            ],
            None,
        );
        assert!(out.status.success(), "{template}: {}", stderr_of(&out));
        let xml = stdout_of(&out);
        assert!(
            xml.contains(&format!("<ra:{element} MessageSuccess=\"true\"")),
            "{template}: {element}\n{xml}\n{}",
            stderr_of(&out)
        );
        assert!(xml.contains(value), "{template}: {value}\n{xml}");
        assert!(!xml.contains("format=\"encrypted\""), "{template}\n{xml}");
        docs.push((template, xml));
    }
    let Some(xsd) = mmc_xsd() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = docs
        .iter()
        .map(|(template, xml)| {
            let p = dir.path().join(format!("{template}.mmc"));
            std::fs::write(&p, xml).unwrap();
            p
        })
        .collect();
    validate(&xsd, &files).unwrap_or_else(|e| panic!("{e}"));
}
