//! Pairing RTDS files into rows by (SRV, use case, variant), from their names alone.
//!
//! Vectors live in `RTDS-4.5.0/<SRV>_<UC>/` and are named
//! `<UC>_<SRV>_<VARIANT>_<KIND>_GBCS.HEX` (KIND = PRECOMMAND, COMMAND, RESPONSE) or, for alerts,
//! `<UC>_<SRV>_<CODE>_<VARIANT>_ALERT[_<SUFFIX>]_GBCS.HEX` where CODE is a 4-hex alert code or
//! `NA`. DUIS templates are `<UC>_<SRV>_<VARIANT>_REQUEST_DUIS.XML` (non-device services:
//! `<SRV>_<NAME>_REQUEST_DUIS.XML`). Quirks handled: SRV `NA` (unsolicited and DCC-internal
//! messages), the `5.1.` trailing dot, empty variants (`CCS08_NA_NA_ALERT`), alert suffixes
//! (`…_ALERT_DBCH09`). Pairing is by name only: `CS04B_8.8.2_ERROR_COMMAND` belongs to the CS04B
//! row although its content carries CS04AC's message code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What one RTDS vector file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    PreCommand,
    Command,
    Response,
    Alert,
}

impl Kind {
    fn from_token(t: &str) -> Option<Self> {
        match t {
            "PRECOMMAND" => Some(Self::PreCommand),
            "COMMAND" => Some(Self::Command),
            "RESPONSE" => Some(Self::Response),
            "ALERT" => Some(Self::Alert),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreCommand => "precommand",
            Self::Command => "command",
            Self::Response => "response",
            Self::Alert => "alert",
        }
    }
}

/// The parts of a vector's file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorName {
    pub uc: String,
    pub srv: String,
    pub variant: String,
    pub kind: Kind,
    /// Alerts: the 4-hex alert code in the name (`8F66`), or `NA`.
    pub alert_code: Option<String>,
    /// Alerts: what follows `_ALERT_` (`MAX_METER_BALANCE`, `DBCH09`).
    pub suffix: Option<String>,
}

/// Why a file name does not fit the RTDS conventions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {why}")]
pub struct NameError {
    pub name: String,
    pub why: &'static str,
}

fn is_alert_code(t: &str) -> bool {
    t == "NA" || (t.len() == 4 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Parses a vector file name (`ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX`).
pub fn parse_vector_name(name: &str) -> Result<VectorName, NameError> {
    let err = |why| NameError {
        name: name.to_string(),
        why,
    };
    let stem = name
        .strip_suffix("_GBCS.HEX")
        .ok_or_else(|| err("does not end in _GBCS.HEX"))?;
    let (uc, rest) = stem
        .split_once('_')
        .ok_or_else(|| err("no use case before the first _"))?;
    let (srv, rest) = rest
        .split_once('_')
        .ok_or_else(|| err("no service reference variant"))?;
    if uc.is_empty() || srv.is_empty() {
        return Err(err("empty use case or service reference variant"));
    }
    let tokens: Vec<&str> = rest.split('_').collect();
    let (at, kind) = tokens
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, t)| Kind::from_token(t).map(|k| (i, k)))
        .ok_or_else(|| err("no PRECOMMAND, COMMAND, RESPONSE or ALERT"))?;
    let head = tokens.get(..at).unwrap_or_default();
    let tail = tokens.get(at + 1..).unwrap_or_default();
    let (alert_code, head) = match (kind, head.split_first()) {
        (Kind::Alert, Some((c, more))) if is_alert_code(c) => (Some((*c).to_string()), more),
        (Kind::Alert, _) => return Err(err("alert without an alert code (4 hex digits or NA)")),
        _ => (None, head),
    };
    if kind != Kind::Alert && !tail.is_empty() {
        return Err(err("text after the kind"));
    }
    Ok(VectorName {
        uc: uc.to_string(),
        srv: srv.to_string(),
        variant: head.join("_"),
        kind,
        alert_code,
        suffix: (!tail.is_empty()).then(|| tail.join("_")),
    })
}

/// The parts of a DUIS template's file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateName {
    /// `None` for non-device services (`8.2_READ_INVENTORY_REQUEST_DUIS.XML`).
    pub uc: Option<String>,
    pub srv: String,
    pub variant: String,
}

fn looks_like_srv(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// Parses a template file name (`ECS52_11.2_SUCCESS_REQUEST_DUIS.XML`).
pub fn parse_template_name(name: &str) -> Result<TemplateName, NameError> {
    let err = |why| NameError {
        name: name.to_string(),
        why,
    };
    let stem = name
        .strip_suffix("_REQUEST_DUIS.XML")
        .or_else(|| (name == "REQUEST_DUIS.XML").then_some(""))
        .ok_or_else(|| err("does not end in _REQUEST_DUIS.XML"))?;
    let (first, rest) = stem.split_once('_').unwrap_or((stem, ""));
    if looks_like_srv(first) {
        return Ok(TemplateName {
            uc: None,
            srv: first.to_string(),
            variant: rest.to_string(),
        });
    }
    // `ECS17b_4.1.1_REQUEST_DUIS.XML` has no variant at all.
    let (srv, variant) = rest.split_once('_').unwrap_or((rest, ""));
    if first.is_empty() || !looks_like_srv(srv) {
        return Err(err("neither <UC>_<SRV>_… nor <SRV>_…"));
    }
    Ok(TemplateName {
        uc: Some(first.to_string()),
        srv: srv.to_string(),
        variant: variant.to_string(),
    })
}

/// The pairing key of a row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowKey {
    pub srv: String,
    pub uc: String,
    pub variant: String,
}

impl RowKey {
    /// `11.2_ECS52 SUCCESS` (the vectors' folder name, then the variant, `-` when empty).
    pub fn id(&self) -> String {
        let v = if self.variant.is_empty() {
            "-"
        } else {
            &self.variant
        };
        format!("{}_{} {v}", self.srv, self.uc)
    }

    /// Whether `--family f` keeps this row: the SRV equals `f` or starts with `f.`.
    pub fn in_family(&self, f: &str) -> bool {
        let f = f.trim_end_matches('.');
        self.srv == f || self.srv.strip_prefix(f).is_some_and(|r| r.starts_with('.'))
    }
}

/// One vector file of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorFile {
    /// `11.2_ECS52/ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX`.
    pub rel: String,
    pub path: PathBuf,
    pub name: VectorName,
}

impl VectorFile {
    /// `command`, `alert:8F66:MAX_METER_BALANCE`, …
    pub fn part(&self) -> String {
        let mut p = self.name.kind.as_str().to_string();
        if let Some(c) = &self.name.alert_code {
            p.push(':');
            p.push_str(c);
        }
        if let Some(s) = &self.name.suffix {
            p.push(':');
            p.push_str(s);
        }
        p
    }
}

/// A row: a template (if any) and its vectors.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub template: Option<PathBuf>,
    pub vectors: Vec<VectorFile>,
}

/// A file whose name fits no convention (it still becomes a failing line).
#[derive(Debug, Clone)]
pub struct Stray {
    pub rel: String,
    pub why: String,
}

/// The rows of an RTDS folder, with the templates paired in.
#[derive(Debug, Default)]
pub struct Pairing {
    pub rows: BTreeMap<RowKey, Row>,
    /// Templates of the same (SRV, UC) per row key, to rebuild requests RTDS ships no template for.
    pub templates_by_uc: BTreeMap<(String, String), Vec<PathBuf>>,
    pub strays: Vec<Stray>,
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads `rtds` (the `RTDS-4.5.0` folder) and `templates` (if any) and pairs them.
pub fn pair(rtds: &Path, templates: Option<&Path>) -> Result<Pairing, String> {
    let mut p = Pairing::default();
    let dirs = sorted_entries(rtds).map_err(|e| format!("cannot read {}: {e}", rtds.display()))?;
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let dname = file_name(&dir);
        let files =
            sorted_entries(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for f in files.into_iter().filter(|f| f.is_file()) {
            let fname = file_name(&f);
            if !fname.to_ascii_uppercase().ends_with(".HEX") {
                continue;
            }
            let rel = format!("{dname}/{fname}");
            match parse_vector_name(&fname) {
                Ok(name) => {
                    let key = RowKey {
                        srv: name.srv.clone(),
                        uc: name.uc.clone(),
                        variant: name.variant.clone(),
                    };
                    p.rows
                        .entry(key)
                        .or_default()
                        .vectors
                        .push(VectorFile { rel, path: f, name });
                }
                Err(e) => p.strays.push(Stray {
                    rel,
                    why: e.why.to_string(),
                }),
            }
        }
    }
    if let Some(tdir) = templates {
        let files =
            sorted_entries(tdir).map_err(|e| format!("cannot read {}: {e}", tdir.display()))?;
        for f in files.into_iter().filter(|f| f.is_file()) {
            let Ok(t) = parse_template_name(&file_name(&f)) else {
                continue;
            };
            let Some(uc) = t.uc else {
                // Non-device services have no GBCS and no vectors.
                continue;
            };
            p.templates_by_uc
                .entry((t.srv.clone(), uc.clone()))
                .or_default()
                .push(f.clone());
            let key = RowKey {
                srv: t.srv,
                uc,
                variant: t.variant,
            };
            if let Some(row) = p.rows.get_mut(&key) {
                row.template = Some(f);
            }
        }
    }
    for row in p.rows.values_mut() {
        row.vectors.sort_by(|a, b| {
            (a.name.kind, &a.name.alert_code, &a.name.suffix).cmp(&(
                b.name.kind,
                &b.name.alert_code,
                &b.name.suffix,
            ))
        });
    }
    Ok(p)
}
