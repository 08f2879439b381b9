//! Harness for the DCC Boxed interoperability suite (`interop_zaz1.rs`).
//!
//! * [`fetch_packages`] gets Smart DCC's npm packages by name (`npm pack` into a cache under the
//!   target directory, reused when present): `@smartdcc/duis-templates`,
//!   `@smartdcc/dccboxed-keystore`, `@smartdcc/duis-sign-wrap` (its `dist/tool.jar`).
//! * [`JavaTool`] runs the jar's `Sign` and `Validate` on files, many per JVM (through
//!   `DuisToolBatch.java`), or one JVM per file if the batch driver cannot be compiled.
//! * [`Demo`] runs `opendcc demo --zaz1 … --plain-http` on loopback and kills it on drop;
//!   [`Listener`] runs `opendcc client listen --out DIR`, a Receive Response Service.
//! * [`post`] is a minimal HTTP/1.1 client, the way a tool configured for plain-HTTP DCC Boxed
//!   posts: `Content-Type: application/xml` to `/api/v1/serviceS|T|D`.
//!
//! Every wait is bounded; ports are picked by the kernel; nothing from the corpus or the npm
//! packages is copied into the repository (the cache lives under the target directory).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The `opendcc` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_opendcc");

/// The Java class that runs the tool's entry points on many files in one JVM.
const BATCH_SOURCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/DuisToolBatch.java"
);

/// Templates that reached a successful final outcome when the baseline was last updated.
pub const BASELINE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/baseline-success.txt"
);

/// Documents the Java tool is known to reject for reasons outside this suite's files.
pub const KNOWN_REJECTIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/known-java-rejections.txt"
);

const START_TIMEOUT: Duration = Duration::from_secs(120);
const CLI_TIMEOUT: Duration = Duration::from_secs(60);
const NPM_TIMEOUT: Duration = Duration::from_secs(300);
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

/// The reference corpus: `$OPENDCC_CORPUS`, else `shared/corpus` beside the repository.
pub fn corpus() -> PathBuf {
    match std::env::var_os("OPENDCC_CORPUS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        )),
    }
}

/// Where npm packages are cached between runs.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("interop-cache")
}

/// Whether this run is CI's (`CI=true`), where a missing tool is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a missing prerequisite: under CI the test fails; elsewhere it is skipped, loudly.
pub fn skip_or_fail(what: &str) {
    assert!(
        !in_ci(),
        "CI=true and the DCC Boxed interoperability suite cannot run: {what}"
    );
    report(&format!(
        "SKIPPED: the DCC Boxed interoperability suite cannot run here: {what}"
    ));
    report(
        "         (install nodejs, npm and a Java 17 JDK; ./test.sh does; CI=true makes this fatal)",
    );
}

/// Writes a report line straight to standard output, past the test harness's capture, so that
/// `./test.sh` shows it.
pub fn report(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

// ---------------------------------------------------------------------------------------------
// Processes

/// Waits for a child, bounded; kills it on time-out.
pub fn wait_output(mut child: Child, timeout: Duration, what: &str) -> Result<Output, String> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => {
                return child.wait_with_output().map_err(|e| format!("{what}: {e}"));
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what}: no answer in {timeout:?}"));
            }
            Err(e) => return Err(format!("{what}: {e}")),
        }
    }
}

/// Runs a command with captured output, bounded.
pub fn run(cmd: &mut Command, timeout: Duration, what: &str) -> Result<Output, String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    wait_output(child, timeout, what)
}

/// Runs `opendcc ARGS`; Ok(stdout) on success.
pub fn opendcc(args: &[&str]) -> Result<String, String> {
    let out = run(Command::new(BIN).args(args), CLI_TIMEOUT, "opendcc")?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "opendcc {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

/// Whether a program runs at all.
pub fn have(program: &str, arg: &str) -> bool {
    run(
        Command::new(program).arg(arg),
        Duration::from_secs(60),
        program,
    )
    .is_ok_and(|o| o.status.success())
}

// ---------------------------------------------------------------------------------------------
// npm packages

/// Smart DCC's packages, unpacked.
#[derive(Debug, Clone)]
pub struct Packages {
    /// `@smartdcc/duis-sign-wrap`'s `dist/tool.jar`.
    pub jar: PathBuf,
    /// `@smartdcc/dccboxed-keystore`'s `keystore.json`.
    pub keystore_json: PathBuf,
    /// `@smartdcc/duis-templates`'s `templates/`.
    pub templates: PathBuf,
}

/// One package by name, `npm pack`ed and unpacked into the cache unless already there.
fn npm_package(name: &str, dir_name: &str) -> Result<PathBuf, String> {
    let cache = cache_dir();
    let dest = cache.join(dir_name);
    if dest.join("package/package.json").is_file() {
        return Ok(dest.join("package"));
    }
    std::fs::create_dir_all(&cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    let out = run(
        Command::new("npm")
            .args(["pack", name, "--pack-destination"])
            .arg(&cache)
            .current_dir(&cache),
        NPM_TIMEOUT,
        "npm pack",
    )?;
    if !out.status.success() {
        return Err(format!(
            "npm pack {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tgz = stdout
        .lines()
        .map(str::trim)
        .rfind(|l| l.ends_with(".tgz"))
        .ok_or_else(|| format!("npm pack {name} named no tarball: {stdout}"))?;
    let staging = cache.join(format!("{dir_name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    let out = run(
        Command::new("tar")
            .arg("xzf")
            .arg(cache.join(tgz))
            .arg("-C")
            .arg(&staging),
        NPM_TIMEOUT,
        "tar",
    )?;
    if !out.status.success() {
        return Err(format!(
            "unpacking {tgz}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // Another run may have unpacked it meanwhile: either copy will do.
    if std::fs::rename(&staging, &dest).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    if dest.join("package/package.json").is_file() {
        Ok(dest.join("package"))
    } else {
        Err(format!("{name}: no package/package.json after unpacking"))
    }
}

/// `@smartdcc/dccboxed-keystore` installed with its dependencies (`npm install` into the
/// cache, staged and renamed so that a concurrent run never sees half an install): the
/// `node_modules` folder to put on `NODE_PATH`.
pub fn npm_install_keystore() -> Result<PathBuf, String> {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cache = cache_dir();
    let dest = cache.join("keystore-node");
    let marker = |d: &Path| {
        d.join("node_modules/@smartdcc/dccboxed-keystore/package.json")
            .is_file()
    };
    if marker(&dest) {
        return Ok(dest.join("node_modules"));
    }
    let staging = cache.join(format!("keystore-node.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let out = run(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&staging)
            .arg("@smartdcc/dccboxed-keystore")
            .current_dir(&staging),
        NPM_TIMEOUT,
        "npm install",
    )?;
    if !out.status.success() {
        return Err(format!(
            "npm install @smartdcc/dccboxed-keystore: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if std::fs::rename(&staging, &dest).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    if marker(&dest) {
        Ok(dest.join("node_modules"))
    } else {
        Err("npm install left no @smartdcc/dccboxed-keystore".into())
    }
}

/// Fetches (or reuses) the three packages. Tests of one binary run on parallel threads and share
/// the cache: one fetch at a time, so that none sees another's half-unpacked package.
pub fn fetch_packages() -> Result<Packages, String> {
    static FETCHING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = FETCHING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let wrap = npm_package("@smartdcc/duis-sign-wrap", "duis-sign-wrap")?;
    let keystore = npm_package("@smartdcc/dccboxed-keystore", "dccboxed-keystore")?;
    let templates = npm_package("@smartdcc/duis-templates", "duis-templates")?;
    let p = Packages {
        jar: wrap.join("dist/tool.jar"),
        keystore_json: keystore.join("keystore.json"),
        templates: templates.join("templates"),
    };
    for f in [&p.jar, &p.keystore_json, &p.templates] {
        if !f.exists() {
            return Err(format!("{} is missing from the npm package", f.display()));
        }
    }
    Ok(p)
}

// ---------------------------------------------------------------------------------------------
// Smart DCC's Java tool

/// `Sign`, `Sign --preserveCounter` or `Validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Sign,
    /// Re-sign keeping the RequestID's counter (a Signed Pre-Command reuses its request's).
    SignKeepCounter,
    Validate,
}

impl Op {
    fn word(self) -> &'static str {
        match self {
            Op::Sign => "sign",
            Op::SignKeepCounter => "sign-keep",
            Op::Validate => "validate",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Op::Sign | Op::SignKeepCounter => "uk.co.smartdcc.boxed.xmldsig.Sign",
            Op::Validate => "uk.co.smartdcc.boxed.xmldsig.Validate",
        }
    }
}

/// What the tool said about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolResult {
    /// `SUCCESS`, `OS_FAIL`, `GENERIC_ERROR`, `MISSING_KEY`, `VALIDATION_FAIL` (or `EXCEPTION`).
    pub code: String,
    /// Its diagnostics (standard error).
    pub log: String,
}

impl ToolResult {
    pub fn ok(&self) -> bool {
        self.code == "SUCCESS"
    }

    /// Validate succeeded and checked a signature (it skips unsigned documents silently).
    pub fn validated_signed(&self) -> bool {
        self.ok() && self.log.contains("passed signature check")
    }

    /// The first error line, for reports.
    pub fn summary(&self) -> String {
        let first = self
            .log
            .lines()
            .find(|l| l.contains("[E") || l.contains("Error") || l.contains("failed"))
            .unwrap_or("");
        format!(
            "{} {}",
            self.code,
            first.chars().take(300).collect::<String>()
        )
    }
}

enum Mode {
    Batch {
        child: Child,
        stdin: ChildStdin,
        stdout: BufReader<ChildStdout>,
    },
    PerFile,
}

/// Smart DCC's `tool.jar`.
pub struct JavaTool {
    jar: PathBuf,
    mode: Mode,
}

impl Drop for JavaTool {
    fn drop(&mut self) {
        if let Mode::Batch { child, .. } = &mut self.mode {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn code_name(status: Option<i32>) -> String {
    match status {
        Some(0) => "SUCCESS".into(),
        Some(1) => "OS_FAIL".into(),
        Some(2) => "GENERIC_ERROR".into(),
        Some(3) => "MISSING_KEY".into(),
        Some(10) => "VALIDATION_FAIL".into(),
        Some(n) => format!("EXIT_{n}"),
        None => "KILLED".into(),
    }
}

impl JavaTool {
    /// Starts the batch driver (one JVM for many files); falls back to a JVM per file when the
    /// driver cannot run (a JRE without the compiler).
    pub fn start(jar: &Path) -> JavaTool {
        let mut tool = JavaTool {
            jar: jar.to_path_buf(),
            mode: Mode::PerFile,
        };
        let spawned = Command::new("java")
            .arg("-cp")
            .arg(jar)
            .arg(BATCH_SOURCE)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        if let Ok(mut child) = spawned
            && let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take())
        {
            tool.mode = Mode::Batch {
                child,
                stdin,
                stdout: BufReader::new(stdout),
            };
        }
        tool
    }

    pub fn batched(&self) -> bool {
        matches!(self.mode, Mode::Batch { .. })
    }

    /// Runs `op` on `input`, writing what the tool prints to `output`.
    pub fn run(&mut self, op: Op, input: &Path, output: &Path) -> Result<ToolResult, String> {
        if let Mode::Batch { stdin, stdout, .. } = &mut self.mode {
            let job = format!("{}\t{}\t{}\n", op.word(), input.display(), output.display());
            let mut line = String::new();
            let answered = stdin
                .write_all(job.as_bytes())
                .and_then(|()| stdin.flush())
                .and_then(|()| stdout.read_line(&mut line));
            match answered {
                Ok(n) if n > 0 => {
                    let (code, log) = line
                        .trim_end()
                        .split_once('\t')
                        .unwrap_or((line.trim(), ""));
                    return Ok(ToolResult {
                        code: code.to_string(),
                        log: log.replace("\\n", "\n").replace("\\\\", "\\"),
                    });
                }
                _ => {
                    eprintln!("the Java batch driver stopped; running one JVM per file");
                    self.mode = Mode::PerFile;
                }
            }
        }
        let out = run(
            Command::new("java")
                .arg("-cp")
                .arg(&self.jar)
                .arg(op.class())
                .arg(input)
                .args((op == Op::SignKeepCounter).then_some("--preserveCounter")),
            Duration::from_secs(120),
            "java",
        )?;
        std::fs::write(output, &out.stdout).map_err(|e| format!("{}: {e}", output.display()))?;
        Ok(ToolResult {
            code: code_name(out.status.code()),
            log: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// Validates many files with two JVMs in parallel (the machine has two cores).
pub fn validate_all(
    jar: &Path,
    files: &[PathBuf],
    scratch: &Path,
) -> BTreeMap<PathBuf, ToolResult> {
    let results = Arc::new(Mutex::new(BTreeMap::new()));
    let half = files.len().div_ceil(2);
    std::thread::scope(|s| {
        for (n, chunk) in files.chunks(half.max(1)).enumerate() {
            let results = results.clone();
            s.spawn(move || {
                let mut tool = JavaTool::start(jar);
                for (i, f) in chunk.iter().enumerate() {
                    let out = scratch.join(format!("validated-{n}-{i}.xml"));
                    let r = tool
                        .run(Op::Validate, f, &out)
                        .unwrap_or_else(|e| ToolResult {
                            code: "HARNESS_ERROR".into(),
                            log: e,
                        });
                    if let Ok(mut m) = results.lock() {
                        m.insert(f.clone(), r);
                    }
                }
            });
        }
    });
    Arc::try_unwrap(results)
        .ok()
        .and_then(|m| m.into_inner().ok())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// demo.json

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub duis_url: String,
    /// The SMKI repository (DCC Boxed's port-8083 interface).
    #[serde(default)]
    pub smki_url: Option<String>,
    pub plain_http: bool,
    pub dcc: DccEntry,
    pub users: Vec<UserEntry>,
    pub devices: Vec<DeviceEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DccEntry {
    pub eui: String,
    pub xml_signing_cert: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserEntry {
    pub name: String,
    pub eui: String,
    pub roles: Vec<String>,
    pub signing_cert: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DeviceEntry {
    pub id: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub mpxn: Option<String>,
}

impl Manifest {
    /// The user whose EUI is `eui` (dashed form, any case).
    pub fn user_by_eui(&self, eui: &str) -> Option<&UserEntry> {
        self.users.iter().find(|u| u.eui.eq_ignore_ascii_case(eui))
    }
}

// ---------------------------------------------------------------------------------------------
// The demo DCC and a Receive Response Service

/// A running `opendcc demo`, killed on drop.
pub struct Demo {
    child: Child,
    pub data: PathBuf,
    pub log: PathBuf,
    pub manifest_path: PathBuf,
    pub manifest: Manifest,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    /// Starts `opendcc demo --data DATA [ARGS] --listen 127.0.0.1:0 --plain-http` with fast WAN
    /// timings, and waits (bounded) for `demo.json`.
    pub fn start(data: &Path, log: &Path, args: &[&str]) -> Result<Demo, String> {
        let manifest_path = data.join("demo.json");
        let _ = std::fs::remove_file(&manifest_path);
        let log_file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let child = Command::new(BIN)
            .arg("demo")
            .arg("--data")
            .arg(data)
            .args(args)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--smki-listen",
                "127.0.0.1:0",
                "--plain-http",
                "--wan-latency-ms",
                "5,5,5",
                "--device-timeout-ms",
                "15000",
                "--wan-retry-ms",
                "100",
                "--delivery-backoff-ms",
                "200",
            ])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log_file))
            .spawn()
            .map_err(|e| format!("starting {BIN}: {e}"))?;
        let mut demo = Demo {
            child,
            data: data.to_path_buf(),
            log: log.to_path_buf(),
            manifest_path: manifest_path.clone(),
            manifest: Manifest {
                duis_url: String::new(),
                smki_url: None,
                plain_http: false,
                dcc: DccEntry {
                    eui: String::new(),
                    xml_signing_cert: PathBuf::new(),
                },
                users: Vec::new(),
                devices: Vec::new(),
            },
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = demo.child.try_wait() {
                return Err(format!(
                    "opendcc demo exited ({status}) before serving:\n{}",
                    demo.log_text()
                ));
            }
            if let Ok(text) = std::fs::read_to_string(&manifest_path)
                && let Ok(m) = serde_json::from_str::<Manifest>(&text)
            {
                demo.manifest = m;
                return Ok(demo);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "opendcc demo wrote no demo.json in {START_TIMEOUT:?}:\n{}",
                    demo.log_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its log, without terminal colour codes.
    pub fn log_text(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }

    /// Stops it at once (SIGKILL): what the store committed is all that survives.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `opendcc user response-url` for every user.
    pub fn deliver_all_to(&self, url: &str) -> Result<(), String> {
        let data = self.data.display().to_string();
        for u in &self.manifest.users {
            opendcc(&[
                "user",
                "response-url",
                "--data",
                &data,
                "--user",
                &u.name,
                url,
            ])?;
        }
        Ok(())
    }
}

/// A running `opendcc client listen --out DIR`, killed on drop.
pub struct Listener {
    child: Child,
    pub url: String,
    pub out: PathBuf,
    pub lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Listener {
    pub fn start(manifest: &Path, out: &Path) -> Result<Listener, String> {
        let mut child = Command::new(BIN)
            .args(["client", "listen", "--manifest"])
            .arg(manifest)
            .arg("--out")
            .arg(out)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting the listener: {e}"))?;
        let stdout = child.stdout.take().ok_or("the listener has no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
                if let Ok(mut l) = sink.lock() {
                    l.push(line);
                }
            }
        });
        let mut listener = Listener {
            child,
            url: String::new(),
            out: out.to_path_buf(),
            lines,
        };
        listener.url = rx
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| "the listener printed no URL".to_string())?;
        Ok(listener)
    }

    /// What it received so far: RequestID → (file, root element, ResponseCode).
    pub fn received(&self) -> Vec<Delivered> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(&self.out) else {
            return out;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            out.push(Delivered {
                kind: root_name(&text).unwrap_or_default(),
                request_id: element_text(&text, "RequestID").map(str::to_string),
                code: element_text(&text, "ResponseCode").map(str::to_string),
                path: p,
            });
        }
        out
    }
}

/// One document the listener saved.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub path: PathBuf,
    /// Local name of the root element (`Response`, `DeviceAlertMessage`, …).
    pub kind: String,
    pub request_id: Option<String>,
    pub code: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// XML text helpers (for reading the DCC's answers; the Java tool and the listener do the
// real checking)

/// The text of the first element with local name `local`.
pub fn element_text<'a>(xml: &'a str, local: &str) -> Option<&'a str> {
    let mut rest = xml;
    loop {
        let start = rest.find('<')?;
        rest = rest.get(start + 1..)?;
        let end = rest.find('>')?;
        let tag = rest.get(..end)?;
        let name = tag.split_whitespace().next().unwrap_or("");
        let bare = name.rsplit(':').next().unwrap_or(name);
        if bare == local && !tag.ends_with('/') && !name.starts_with('/') {
            let body = rest.get(end + 1..)?;
            let close = body.find("</")?;
            return body.get(..close).map(str::trim);
        }
        rest = rest.get(end + 1..)?;
    }
}

/// The local name of the root element.
pub fn root_name(xml: &str) -> Option<String> {
    let mut rest = xml;
    loop {
        let start = rest.find('<')?;
        rest = rest.get(start + 1..)?;
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name = rest
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()?;
        return Some(name.rsplit(':').next().unwrap_or(name).to_string());
    }
}

/// Text without ANSI escape sequences (`ESC [ … letter`).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Removes the (placeholder) `ds:Signature` element of a template.
pub fn strip_signature(xml: &str) -> String {
    match (xml.find("<ds:Signature"), xml.find("</ds:Signature>")) {
        (Some(a), Some(b)) if b > a => format!(
            "{}{}",
            xml.get(..a).unwrap_or(""),
            xml.get(b + "</ds:Signature>".len()..).unwrap_or("")
        ),
        _ => xml.to_string(),
    }
}

/// The DUIS endpoint a command variant calls for, as DCC Boxed's tools send it: 1, 3, 5, 7 to
/// the Send Command Service, 4 to the Transform Service, 2, 6, 8 (nothing for the SM WAN) to
/// the Non-Device Service.
pub fn endpoint_for_cv(cv: u8) -> &'static str {
    match cv {
        4 => "/api/v1/serviceT",
        2 | 6 | 8 => "/api/v1/serviceD",
        _ => "/api/v1/serviceS",
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl HttpReply {
    /// Whether the body is a DUIS response document (not a plain-text refusal).
    pub fn is_duis(&self) -> bool {
        self.content_type.starts_with("application/xml")
            && root_name(&self.body).as_deref() == Some("Response")
    }
}

/// POSTs `body` to `base_url` + `path` as a plain-HTTP DCC Boxed client does.
pub fn post(base_url: &str, path: &str, body: &[u8]) -> Result<HttpReply, String> {
    let authority = base_url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{base_url} is not an http:// URL"))?
        .trim_end_matches('/');
    let mut stream =
        TcpStream::connect(authority).map_err(|e| format!("connecting to {authority}: {e}"))?;
    stream
        .set_read_timeout(Some(HTTP_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(HTTP_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| format!("POST {path}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("POST {path}: reading the answer: {e}"))?;
    parse_http(&raw).ok_or_else(|| {
        format!(
            "POST {path}: not an HTTP answer: {}",
            String::from_utf8_lossy(&raw)
                .chars()
                .take(200)
                .collect::<String>()
        )
    })
}

fn parse_http(raw: &[u8]) -> Option<HttpReply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(raw.get(..split)?).ok()?;
    let mut body = raw.get(split + 4..)?.to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let mut content_type = String::new();
    let mut chunked = false;
    for l in lines {
        let (k, v) = l.split_once(':')?;
        if k.eq_ignore_ascii_case("content-type") {
            content_type = v.trim().to_ascii_lowercase();
        } else if k.eq_ignore_ascii_case("transfer-encoding") {
            chunked = v.trim().eq_ignore_ascii_case("chunked");
        }
    }
    if chunked {
        body = dechunk(&body)?;
    }
    Some(HttpReply {
        status,
        content_type,
        body: String::from_utf8(body).ok()?,
    })
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(b.get(..eol)?).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        b = b.get(eol + 2..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}
