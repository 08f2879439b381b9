//! Shared helpers for the integration tests: corpus access, external
//! oracle tools, ZAZ1 certificate lookup.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use xmldsig::{IssuerSerial, SignatureInfo, VerifyingKey};

pub fn corpus() -> PathBuf {
    match std::env::var_os("OPENDCC_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        )),
    }
}

pub fn read(rel: &str) -> Vec<u8> {
    let p = corpus().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

pub fn read_str(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// True if `tool` runs. If it does not: under CI, fail; otherwise print
/// why the test is skipped and return false.
pub fn require_tool(tool: &str, package: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        assert!(
            !ci(),
            "{tool} is required under CI (Debian package {package})"
        );
        eprintln!("SKIPPED: {tool} not installed (apt-get install {package}); oracle test not run");
    }
    ok
}

/// Runs `xmllint <mode> -` on `input`; `Err(stderr)` on failure.
pub fn xmllint(mode: &str, input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new("xmllint")
        .args([mode, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// All ZAZ1 certificates: (file name, issuer/serial, SEC1 public key).
pub fn zaz1_certs() -> Vec<(String, IssuerSerial, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(corpus().join("zaz1")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".pem") || name.ends_with(".key.pem") {
            continue;
        }
        let pem = std::fs::read_to_string(&path).unwrap();
        let der = xmldsig::certificate_pem_to_der(&pem).unwrap();
        let (is, key) = xmldsig::issuer_serial_of_cert(&der).unwrap();
        out.push((name, is, key));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The certificate store lookup a DCC would do: by issuer name and serial.
pub fn lookup(info: &SignatureInfo) -> Option<VerifyingKey> {
    zaz1_certs()
        .into_iter()
        .find(|(_, is, _)| {
            is.serial == info.issuer_serial.serial
                && xmldsig::issuer_names_match(&is.issuer_name, &info.issuer_serial.issuer_name)
        })
        .map(|(_, _, key)| VerifyingKey::from_sec1(&key).unwrap())
}

pub fn cert_der(file: &str) -> Vec<u8> {
    xmldsig::certificate_pem_to_der(&read_str(&format!("zaz1/{file}"))).unwrap()
}

pub fn template_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus().join("duis-templates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.to_ascii_uppercase().ends_with(".XML"))
        .collect();
    names.sort();
    assert!(
        names.len() > 250,
        "expected the ~300 DUIS templates, found {}",
        names.len()
    );
    names
}

/// Removes `<!-- … -->` comments textually (xmllint's c14n modes keep
/// comments; ours is the without-comments variant). Only for inputs whose
/// comments are not inside CDATA sections or attribute values.
pub fn strip_comments(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        let j = rest[i..].find("-->").expect("unterminated comment") + i + 3;
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}
