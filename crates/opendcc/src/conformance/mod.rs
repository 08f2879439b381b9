//! `opendcc conformance`: runs DCC's Reference Test Data Set (RTDS 4.5.0) row by row.
//!
//! A row is (SRV, use case, variant), paired from file names ([`pairing`]): the DUIS template
//! (if any) with its PRECOMMAND, COMMAND, RESPONSE and ALERT vectors. Each vector is one part
//! and one output line ([`runner`]):
//!
//! * PRECOMMAND: the template's request through the DCC's transformer, byte-exact (one trailing
//!   `00` tolerated);
//! * COMMAND: byte-exact including the ACB MAC (RTDS keystore keys; the RTDS counter injected for
//!   DCC-originated commands; for critical commands the RTDS user signature applied to our
//!   pre-command and checked as a Signed Pre-Command; for DCC-signed commands our signature
//!   verified and the RTDS one substituted);
//! * RESPONSE and ALERT: inputs; decoded, MAC/signature verified where the keystore allows, and
//!   rendered into the DUIS document the DCC delivers, which must pass DUIS 5.4 validation and
//!   carry the device's bytes.
//!
//! A row passes when every part passes; the closing line counts parts (lines), so that a
//! response that is handled correctly counts even while its command is not implemented.
//! Templates with no vector (non-device services, DSP-scheduled and local-delivery variants)
//! give no line: RTDS has nothing to compare them with. Rows RTDS ships no template for (ERROR
//! and NOT_FOUND scenarios) get their request rebuilt from a template of the same SRV and use
//! case, with the vector's device and counter.
//! The RTDS uses one entity per device type for rows made for different device models and
//! situations: the runner's device model follows the row's command (the ESME variant for
//! ECS23b/ECS24b, the GSME's GBCS version for GCS60a), and the few rows whose vector was made for
//! another request than their template's are listed in [`runner`] (`VECTOR_PERIOD_ROWS`,
//! `ACB_CARRIED_ROWS`), each with why.
//! Everything the runner needs from the DCC's crates goes through [`adapter`].

pub mod adapter;
pub mod pairing;
pub mod report;
pub mod runner;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use time::OffsetDateTime;

pub use runner::PartResult;

/// `opendcc conformance`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The `rtds` folder (holding `RTDS-4.5.0/` and `keystore/`), or the RTDS-4.5.0 folder
    /// itself.
    #[arg(long, value_name = "DIR")]
    pub rtds: PathBuf,
    /// The DUIS request templates (default: DIR/../duis-templates).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// One JSON object per line and a summary object, instead of text.
    #[arg(long)]
    pub json: bool,
    /// Only rows whose SRV is N or starts with `N.` (`NA` for SRV-less rows).
    #[arg(long, value_name = "N")]
    pub family: Option<String>,
}

/// Where the inputs are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The `RTDS-4.5.0` folder.
    pub vectors: PathBuf,
    pub keystore: PathBuf,
    /// `None` when not given and the default folder does not exist.
    pub templates: Option<PathBuf>,
}

/// Works out the folders from `--rtds` and `--templates`; an error names what is wrong.
pub fn layout(rtds: &Path, templates: Option<&Path>) -> Result<Layout, String> {
    let meta = std::fs::metadata(rtds)
        .map_err(|e| format!("cannot read --rtds {}: {e}", rtds.display()))?;
    if !meta.is_dir() {
        return Err(format!("--rtds {} is not a folder", rtds.display()));
    }
    std::fs::read_dir(rtds).map_err(|e| format!("cannot read --rtds {}: {e}", rtds.display()))?;
    let (vectors, base) = if rtds.join("RTDS-4.5.0").is_dir() {
        (rtds.join("RTDS-4.5.0"), rtds.to_path_buf())
    } else if rtds.join("../keystore").is_dir()
        || rtds.file_name().is_some_and(|n| n == "RTDS-4.5.0")
    {
        (rtds.to_path_buf(), rtds.join(".."))
    } else {
        return Err(format!(
            "--rtds {} holds no RTDS-4.5.0 folder, and is not one (no ../keystore beside it)",
            rtds.display()
        ));
    };
    let keystore = base.join("keystore");
    if !keystore.is_dir() {
        return Err(format!("no keystore folder at {}", keystore.display()));
    }
    let templates = match templates {
        Some(t) => {
            std::fs::read_dir(t)
                .map_err(|e| format!("cannot read --templates {}: {e}", t.display()))?;
            Some(t.to_path_buf())
        }
        None => Some(base.join("../duis-templates")).filter(|t| t.is_dir()),
    };
    Ok(Layout {
        vectors,
        keystore,
        templates,
    })
}

/// A finished run.
#[derive(Debug)]
pub struct Run {
    pub layout: Layout,
    pub results: Vec<PartResult>,
    /// Keystore files passed over, with the reason.
    pub skipped_keys: Vec<String>,
    pub elapsed_ms: u128,
}

/// `--family` takes `NA` or dotted numbers (`11`, `8.1`, `1.1.1`; a trailing dot is allowed).
pub fn valid_family(f: &str) -> bool {
    f == "NA"
        || f.trim_end_matches('.')
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The DCC's clock during a run: the RTDS's reference time, 2015-01-01T00:00:00Z (every
/// time the DCC itself writes into a command, such as GCS32's issuer event id, is this time in
/// the vectors).
pub const RTDS_CLOCK: OffsetDateTime = time::macros::datetime!(2015-01-01 00:00:00 UTC);

/// Runs the RTDS (the library entry point the tests call). `Err` only when the inputs cannot be
/// read at all; every problem with a vector is a failing part.
pub fn run(rtds: &Path, templates: Option<&Path>, family: Option<&str>) -> Result<Run, String> {
    let started = std::time::Instant::now();
    let layout = layout(rtds, templates)?;
    let (ks, skipped_keys) = adapter::Keystore::load(&layout.keystore)?;
    let pairing = pairing::pair(&layout.vectors, layout.templates.as_deref())?;
    let results = runner::run(&pairing, &ks, family, RTDS_CLOCK);
    Ok(Run {
        layout,
        results,
        skipped_keys,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// The subcommand: 0 when it ran (whatever the verdicts), 2 on unusable inputs.
pub fn main(args: &Args) -> ExitCode {
    if let Some(f) = &args.family
        && !valid_family(f)
    {
        eprintln!(
            "opendcc conformance: --family {f:?}: give an SRV or SRV prefix such as 11, 8.1 or \
             1.1.1, or NA"
        );
        return ExitCode::from(2);
    }
    let run = match run(
        &args.rtds,
        args.templates.as_deref(),
        args.family.as_deref(),
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("opendcc conformance: {e}");
            return ExitCode::from(2);
        }
    };
    if run.layout.templates.is_none() {
        eprintln!(
            "opendcc conformance: no DUIS templates folder (give --templates); commands are \
             checked only where a template exists"
        );
    }
    for s in &run.skipped_keys {
        eprintln!("opendcc conformance: keystore file passed over: {s}");
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match report::write(&mut out, &run.results, args.json, run.elapsed_ms) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("opendcc conformance: writing the report: {e}");
            ExitCode::FAILURE
        }
    }
}
